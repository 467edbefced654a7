"""The dayparting window rule, as a pure function of local wall-clock time.

A window [start, end) starts on each of its `days_of_week` (Monday = 0). When start > end it runs
overnight and ends the next day: days_of_week=[4] with 22:00-06:00 runs Friday 22:00 to
Saturday 06:00.
"""

from collections.abc import Collection
from datetime import datetime, time

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
