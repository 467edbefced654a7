"""When the clock alone next changes whether a campaign serves: the instant a sweep must look.

Of a verdict's reasons only two are lifted or imposed by the clock on facts as stored: a flight
starts or ends at a local midnight of the brand's zone, and a dayparting window opens or
closes at a wall-clock time of its zone. The others change only when a fact is written (a
switch, a budget, a cap, a total, a roll into a new local day), and every such write
re-evaluates its campaigns in its own transaction, which stores the campaign's next change
again.

The walk: every instant at which the local date or time the verdict reads can reach a
boundary, in time order, from now to 8 days past now and past each flight boundary (a week of
windows and a day to spare), a day at a time: each window's start on the local dates it
starts and its end (the next date for an overnight window), both readings of a repeated wall
time, and each change of a zone's UTC offset (where the clock jumps over a
boundary, or back across one). The first at which the verdict's answer (serves or not) differs
from the answer now is the next change. The verdict is `blocking_reasons` itself, so the
stored instant can never disagree with what a sweep decides there, DST included. None: the
clock alone never changes it (no window, no flight boundary ahead, or blocked by a fact only a
write lifts).
"""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from ads.periods import local_midnight, offset_changes, zone
from ads.rules.reasons import (
    BEFORE_FLIGHT,
    OUTSIDE_WINDOW,
    CampaignFacts,
    Window,
    blocking_reasons,
)
from ads.rules.resumes import HORIZON
from ads.rules.windows import window_edges

DAY = timedelta(days=1)
# The only reasons the clock lifts on facts as stored; any other waits for a write (or, for an
# ended flight, forever).
CLOCK_LIFTED = frozenset({BEFORE_FLIGHT, OUTSIDE_WINDOW})

# What the verdict of a campaign depends on besides the clock: campaigns that share it share
# their next change, so a sweep works it out once per distinct key, not once per campaign.
ClockKey = tuple[bool, bool, bool, bool, bool, tuple[Window, ...], object]


def clock_key(facts: CampaignFacts) -> ClockKey:
    return (
        facts.is_enabled,
        facts.daily_exceeded,
        facts.monthly_exceeded,
        facts.daily_cap_reached,
        facts.total_cap_reached,
        facts.windows,
        facts.flight,
    )


def next_change(facts: CampaignFacts, *, now: datetime) -> datetime | None:
    """The first instant after `now` at which the campaign's verdict flips (UTC), or None."""
    found = blocking_reasons(facts, now=now)
    if not CLOCK_LIFTED.issuperset(found):
        return None  # blocked by a fact (or a flight that is over) until a write
    serves = not found
    for instant in boundaries(facts, now=now):
        if (not blocking_reasons(facts, now=instant)) != serves:
            return instant
    return None


def boundaries(facts: CampaignFacts, *, now: datetime) -> Iterator[datetime]:
    """Every instant after `now` at which a window or the flight may begin or end, in time
    order, a day at a time: the walk stops at the first flip, usually within hours, without
    working out the week of a schedule with dozens of windows."""
    flight = _flight_instants(facts)
    spans: list[list[datetime]] = []
    for base in sorted({now, *(instant for instant in flight if instant > now)}):
        if spans and base <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], base + HORIZON)
        else:
            spans.append([base, base + HORIZON])
    zones = {window.timezone for window in facts.windows}
    if facts.flight is not None:
        zones.add(facts.flight.timezone)
    for start, end in spans:
        day = start
        while day < end:
            until = min(day + DAY, end)
            chunk = {instant for instant in flight if day <= instant < until}
            for window in facts.windows:
                chunk.update(
                    window_edges(
                        window.start,
                        window.end,
                        window.days_of_week,
                        zone(window.timezone),
                        since=day,
                        until=until,
                    )
                )
            for name in zones:
                chunk.update(offset_changes(zone(name), start=day, end=until))
            yield from sorted(
                instant for instant in chunk if now < instant and day <= instant < until
            )
            day = until


def _flight_instants(facts: CampaignFacts) -> list[datetime]:
    """The flight's opening and closing: local midnight of its first day and after its last."""
    flight = facts.flight
    if flight is None:
        return []
    tz = zone(flight.timezone)
    days = [flight.start, None if flight.end is None else flight.end + DAY]
    return [local_midnight(day, tz) for day in days if day is not None]


def next_changes(*, now: datetime) -> Callable[[CampaignFacts], datetime | None]:
    """`next_change` at `now` for many campaigns, worked out once per distinct `clock_key`: a
    sweep's campaigns share a few schedules and flights, not one each."""
    known: dict[ClockKey, datetime | None] = {}

    def of(facts: CampaignFacts) -> datetime | None:
        key = clock_key(facts)
        if key not in known:
            known[key] = next_change(facts, now=now)
        return known[key]

    return of
