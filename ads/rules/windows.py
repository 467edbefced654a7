"""The dayparting window rule, as a pure function of local wall-clock time.

A window [start, end) starts on each of its `days_of_week` (Monday = 0). When start > end it runs
overnight and ends the next day: days_of_week=[4] with 22:00-06:00 runs Friday 22:00 to
Saturday 06:00.

A schedule may have several windows: it is open when any of them is. Windows of one schedule
must not overlap on the week's timeline (`overlapping_pairs`), so each moment belongs to at most
one of them and a person reads the schedule as a list of separate slots.
"""

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALL_DAYS = tuple(range(7))


def window_contains(start: time, end: time, days_of_week: Collection[int], local: datetime) -> bool:
    """Whether the local wall-clock moment `local` falls inside the window."""
    now = local.time().replace(tzinfo=None)
    weekday = local.weekday()
    if start < end:
        return weekday in days_of_week and start <= now < end
    # Overnight: the evening part belongs to today's start, the morning part to yesterday's.
    evening = weekday in days_of_week and now >= start
    morning = (weekday - 1) % 7 in days_of_week and now < end
    return evening or morning


def window_edges(
    start: time,
    end: time,
    days_of_week: Collection[int],
    tz: ZoneInfo,
    *,
    since: datetime,
    until: datetime,
) -> Iterator[datetime]:
    """The window's openings and closings around [since, until), as UTC instants: its start on
    each local date it starts and its end (the next date for an overnight window), each wall
    time in both readings (a repeated time comes twice; a skipped one falls either side of the
    jump, whose own instant is a change of offset, `ads.periods.offset_changes`). A superset of
    its real edges: whoever walks them judges each with `window_contains`."""
    first = since.astimezone(tz).date() - timedelta(days=1)
    overnight = start > end
    for offset in range((until.astimezone(tz).date() - first).days + 1):
        day = first + timedelta(days=offset)
        if day.weekday() in days_of_week:
            yield from _readings(day, start, tz)
            yield from _readings(day + timedelta(days=1) if overnight else day, end, tz)


def _readings(day: date, moment: time, tz: ZoneInfo) -> Iterator[datetime]:
    for fold in (0, 1):
        yield datetime.combine(day, moment.replace(fold=fold), tzinfo=tz).astimezone(UTC)


def describe_days(days_of_week: Collection[int]) -> str:
    """'Every day', 'Mon–Fri', 'Sat, Sun' or 'Mon, Wed–Fri': how a person writes a week."""
    days = sorted(set(days_of_week))
    if len(days) == 7:
        return "Every day"
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        f"{WEEKDAY_NAMES[run[0]]}–{WEEKDAY_NAMES[run[-1]]}"
        if len(run) > 2
        else ", ".join(WEEKDAY_NAMES[d] for d in run)
        for run in runs
    ]
    return ", ".join(parts)


# The week's timeline, in microseconds from Monday 00:00: the finest a TimeField stores.
DAY = 24 * 60 * 60 * 1_000_000
WEEK = 7 * DAY
DAYS_RULE = "Give a non-empty list of distinct weekdays from 0 (Monday) to 6 (Sunday)."


@dataclass(frozen=True)
class WeeklyWindow:
    """A window's three fields, as the schedule and its extra windows both store them."""

    start: time
    end: time
    days_of_week: tuple[int, ...]

    def __str__(self) -> str:
        return describe_window(self.start, self.end, self.days_of_week)


def window_errors(start: time | None, end: time | None, days_of_week: object) -> dict[str, str]:
    """What is wrong with a window's fields, by field name; empty when nothing is.

    The one check behind the schedule's own window and its extra windows: a window that starts
    and ends at the same time is empty, and its days are a non-empty list of distinct weekdays.
    """
    errors = {}
    if start is not None and start == end:
        errors["end_time"] = "The window must not start and end at the same time."
    days = days_of_week
    if (
        not isinstance(days, list)
        or not days
        or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days)
        or len(set(days)) != len(days)
    ):
        errors["days_of_week"] = DAYS_RULE
    return errors


def _offset(day: int, moment: time) -> int:
    return (
        day * DAY
        + ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000
        + (moment.microsecond)
    )


def week_intervals(window: WeeklyWindow) -> list[tuple[int, int]]:
    """The window as half-open [opens, closes) intervals on the week's timeline.

    An overnight window closes the next day; one that starts on Sunday wraps to Monday, so it
    becomes two intervals: to the week's end, and from its start.
    """
    intervals = []
    for day in window.days_of_week:
        opens = _offset(day, window.start)
        closes = _offset(day if window.start < window.end else day + 1, window.end)
        if closes > WEEK:
            intervals += [(opens, WEEK), (0, closes - WEEK)]
        else:
            intervals.append((opens, closes))
    return intervals


def overlapping_pairs(windows: Sequence[WeeklyWindow]) -> list[tuple[int, int]]:
    """The index pairs (i < j) of windows open at a common moment of the week.

    Half-open: a window closing at 12:00 and one opening at 12:00 touch, they do not overlap.
    """
    timelines = [week_intervals(window) for window in windows]
    return [
        (i, j)
        for i, j in combinations(range(len(windows)), 2)
        if any(a < d and c < b for a, b in timelines[i] for c, d in timelines[j])
    ]


def overlap_messages(windows: Sequence[WeeklyWindow]) -> list[str]:
    """'Mon–Fri 09:00–12:00 overlaps Wed 11:00–13:00', one per overlapping pair."""
    return [f"{windows[i]} overlaps {windows[j]}" for i, j in overlapping_pairs(windows)]


def describe_window(start: time, end: time, days_of_week: Collection[int]) -> str:
    """'Mon–Fri 09:00–12:00'."""
    return f"{describe_days(days_of_week)} {start:%H:%M}–{end:%H:%M}"
