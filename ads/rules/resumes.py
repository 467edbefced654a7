"""When a campaign that is not serving will serve again by the clock alone.

The clock can lift four kinds of block: a dayparting window opens, the brand's day resets at
local midnight (its daily budget and the campaign's daily cap), its month resets on the local
first, a flight starts. It cannot lift the others: a disabled campaign, an ended flight and a
total cap wait for a person, so the answer there is None, as it is for a campaign that serves.

The walk: the instants where something may lift (now, the resets, the flight's start, and each
window's openings in the 8 days after each of those: a week of windows and a day to spare) in
time order; the first whose verdict, with the budgets and caps reset by then cleared, has no
reason left is the answer. The verdict is `blocking_reasons` itself, so the answer can never
disagree with what a sweep will decide at that instant.
"""

from dataclasses import replace
from datetime import datetime, timedelta

from ads.periods import LocalPeriod, local_midnight, zone
from ads.rules.pacing import window_spans
from ads.rules.reasons import (
    DISABLED,
    FLIGHT_ENDED,
    TOTAL_CAP_REACHED,
    CampaignFacts,
    blocking_reasons,
)

# Only a person lifts these.
FOR_A_PERSON = frozenset({DISABLED, FLIGHT_ENDED, TOTAL_CAP_REACHED})
HORIZON = timedelta(days=8)


def resumes_at(
    facts: CampaignFacts, *, now: datetime, stored: LocalPeriod, timezone: str
) -> datetime | None:
    """The first instant from `now` at which the campaign serves, in the zone `timezone`.

    `stored` is the local day and month the brand's totals belong to: its daily block lifts at
    that day's end, its monthly block at that month's end (at `now` if a roll-over is overdue).
    """
    found = blocking_reasons(facts, now=now)
    if not found or FOR_A_PERSON.intersection(found):
        return None
    for instant in candidates(facts, now=now, stored=stored):
        if not blocking_reasons(after_resets(facts, instant=instant, stored=stored), now=instant):
            return instant.astimezone(zone(timezone))
    return None


def after_resets(facts: CampaignFacts, *, instant: datetime, stored: LocalPeriod) -> CampaignFacts:
    """The facts at `instant` by the clock alone: the day's and the month's blocks cleared once
    their period has ended."""
    if instant >= stored.day_end:
        facts = replace(facts, daily_exceeded=False, daily_cap_reached=False)
    if instant >= stored.month_end:
        facts = replace(facts, monthly_exceeded=False)
    return facts


def candidates(facts: CampaignFacts, *, now: datetime, stored: LocalPeriod) -> list[datetime]:
    """Every instant from `now` at which a block may lift, in time order, each once."""
    bases = {now, max(stored.day_end, now), max(stored.month_end, now)}
    flight = facts.flight
    if flight is not None and flight.start is not None:
        bases.add(max(local_midnight(flight.start, zone(flight.timezone)), now))
    instants = set(bases)
    for base in bases:
        for window in facts.windows:
            spans = window_spans(window, start=base, end=base + HORIZON)
            instants.update(opens for opens, _ in spans if opens >= now)
    return sorted(instants)
