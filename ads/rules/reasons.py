"""Why a campaign may not serve: the blocking reasons, in the contract's fixed order.

A campaign serves exactly when it is enabled and nothing below blocks it. The flight comes
first, then the brand's budgets, then the campaign's own caps, then dayparting. The verdict is
drawn from `CampaignFacts`, one row of what the database says (`ads.selectors.campaigns.
campaign_facts` reads them), so a sweep over 100,000 campaigns judges each from a small tuple
instead of model objects.
"""

from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache

from ads.periods import zone
from ads.rules.flights import Flight, before_start, has_ended
from ads.rules.windows import window_contains

DISABLED = "Disabled by operator"
BEFORE_FLIGHT = "Before flight start"
FLIGHT_ENDED = "Flight ended"
DAILY_EXCEEDED = "Daily budget exceeded"
MONTHLY_EXCEEDED = "Monthly budget exceeded"
DAILY_CAP_REACHED = "Campaign daily cap reached"
TOTAL_CAP_REACHED = "Campaign total cap reached"
OUTSIDE_WINDOW = "Outside dayparting window"


@dataclass(frozen=True)
class Window:
    start: time
    end: time
    days_of_week: frozenset[int]
    timezone: str


@dataclass(frozen=True)
class CampaignFacts:
    """What a campaign's verdict depends on, read in one row."""

    pk: int
    is_enabled: bool
    is_active: bool
    daily_exceeded: bool
    monthly_exceeded: bool
    # The schedule's windows, its own first; empty: no schedule, always inside.
    windows: tuple[Window, ...]
    # The campaign's own caps, compared in the database (`ads.selectors.budgets.cap_reached`).
    daily_cap_reached: bool = False
    total_cap_reached: bool = False
    # The flight dates in the brand's zone; None: no dates, no flight limit.
    flight: Flight | None = None
    # The campaign's brand, which a status change's event names; 0 for a group of campaigns.
    brand_id: int = 0
    # As stored, not facts of the verdict: when the clock alone next changes it
    # (`ads.rules.transitions`), and the instant it was worked out at; a sync compares them
    # with its own and rewrites them.
    next_check_at: datetime | None = None
    checked_at: datetime | None = None


@lru_cache(maxsize=256)
def local_time(now: datetime, name: str) -> datetime:
    """`now` in the time zone `name`: worked out once per zone in a sweep, not once per campaign."""
    return now.astimezone(zone(name))


def blocking_reasons(facts: CampaignFacts, *, now: datetime) -> list[str]:
    """Every reason the campaign may not serve at `now`; empty when it may."""
    reasons = []
    if not facts.is_enabled:
        reasons.append(DISABLED)
    if facts.flight is not None:
        day = local_time(now, facts.flight.timezone).date()
        if before_start(facts.flight, day):
            reasons.append(BEFORE_FLIGHT)
        if has_ended(facts.flight, day):
            reasons.append(FLIGHT_ENDED)
    if facts.daily_exceeded:
        reasons.append(DAILY_EXCEEDED)
    if facts.monthly_exceeded:
        reasons.append(MONTHLY_EXCEEDED)
    if facts.daily_cap_reached:
        reasons.append(DAILY_CAP_REACHED)
    if facts.total_cap_reached:
        reasons.append(TOTAL_CAP_REACHED)
    if facts.windows and not any(
        window_contains(w.start, w.end, w.days_of_week, local_time(now, w.timezone))
        for w in facts.windows
    ):
        reasons.append(OUTSIDE_WINDOW)
    return reasons
