"""Which campaigns each blocking reason blocks now, as conditions the database evaluates.

A list filter on the reasons, or its "Show counts", over 100,000 campaigns cannot judge each
campaign in Python (half a second), nor group them by every fact of their verdict in SQL (a
sort of every campaign row, a quarter of a second more). Each reason comes from one fact of
the campaign alone (`blocking_reasons` is a union of independent checks), so each fact is
judged on its own, once per value it takes, with the one rule (`blocking_reasons`):

- the switch and the four budgets and caps are booleans the database computes per row: two
  values each;
- the flight is its dates in the brand's zone, the dayparting its windows in their zone: their
  distinct values are read (few: campaigns share schedules and zones), each judged at `now`.

A reason then blocks the campaigns whose value of its fact gives it, and nothing blocks the
campaigns whose every fact gives none: conditions on the campaign's own row, its brand and its
schedule, as small as the number of distinct values, whatever the number of campaigns.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import reduce
from operator import and_, or_
from typing import Any, Generic, TypeVar

from django.db.models import Count, Q, QuerySet

from ads.models import Brand, Campaign, DaypartingSchedule
from ads.rules.reasons import CampaignFacts, blocking_reasons
from ads.selectors.budgets import (
    CAMPAIGN_DAILY,
    CAMPAIGN_TOTAL,
    DAILY,
    MONTHLY,
    cap_reached_flag,
    exceeded_flag,
)
from ads.selectors.campaigns import flight_of, schedule_windows

Key = TypeVar("Key", bound=Hashable)
# A schedule's own columns (start, end, weekdays, its time zone, blank for the brand's), its
# extra windows as text and the brand's time zone where the schedule's is blank (else blank).
# Raw columns, not the effective zone: PostgreSQL keeps statistics on columns, so a filter on
# them gets a plan that fits its rows. None: no schedule.
WindowKey = tuple[time, time, tuple[int, ...], str, str, str] | None
# A flight's start and end dates and the brand's time zone they are in; None: no dates.
FlightKey = tuple[date | None, date | None, str] | None

# Facts that block nothing: each fact is judged with the others left as these.
_CLEAR = CampaignFacts(
    pk=0, is_enabled=True, is_active=False, daily_exceeded=False, monthly_exceeded=False, windows=()
)


def with_reason_columns(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """`campaigns` with the budget and cap comparisons the conditions name, computed in SQL
    as the sweeps compute them (`campaign_facts`)."""
    return campaigns.alias(
        reason_daily=exceeded_flag(DAILY, prefix="brand__"),
        reason_monthly=exceeded_flag(MONTHLY, prefix="brand__"),
        reason_daily_cap=cap_reached_flag(CAMPAIGN_DAILY),
        reason_total_cap=cap_reached_flag(CAMPAIGN_TOTAL),
    )


@dataclass(frozen=True)
class _Fact(Generic[Key]):
    """One fact of a verdict: the facts each of its values stands for, and the condition on
    the campaigns (`with_reason_columns`) that have one of a list of its values."""

    facts: dict[Key, CampaignFacts]
    having: Callable[[Sequence[Key]], Q]


def _switch(column: str, facts_of: Callable[[bool], CampaignFacts]) -> "_Fact[bool]":
    """A boolean fact: a column of the campaign row, and the facts each of its values gives."""
    return _Fact(
        {value: facts_of(value) for value in (True, False)},
        lambda values: Q(**{f"{column}__in": list(values)}),
    )


def _window_keys() -> list[WindowKey]:
    """Every distinct set of windows a schedule has, and no schedule.

    A schedule that leaves its zone blank is taken in each brand zone there is: the zones are
    crossed with the schedules in Python rather than joined per campaign in SQL (a few zones
    and schedules against a read of every campaign row).
    """
    schedules = (
        DaypartingSchedule.objects.order_by()
        .values_list("start_time", "end_time", "days_of_week", "timezone", "extra_windows_text")
        .distinct()
    )
    brand_zones: list[str] | None = None
    keys: list[WindowKey] = [None]
    for start, end, days, zone, extras in schedules:
        if zone:
            keys.append((start, end, tuple(days), zone, extras, ""))
            continue
        if brand_zones is None:
            brand_zones = list(
                Brand.objects.order_by().values_list("timezone", flat=True).distinct()
            )
        keys += [(start, end, tuple(days), "", extras, brand_zone) for brand_zone in brand_zones]
    return keys


def _windows_fact() -> "_Fact[WindowKey]":
    facts: dict[WindowKey, CampaignFacts] = {}
    for key in _window_keys():
        if key is None:
            facts[key] = _CLEAR
            continue
        start, end, days, schedule_zone, extras, brand_zone = key
        windows = schedule_windows(
            start, end, days=frozenset(days), extras=extras, zone=schedule_zone or brand_zone
        )
        facts[key] = replace(_CLEAR, windows=windows)
    return _Fact(facts, _any_window)


def _any_window(keys: Iterable[WindowKey]) -> Q:
    """Campaigns with one of these windows (None: no schedule); brand zones matter only where
    the schedule leaves its zone blank, and are named together."""
    brand_zones: dict[tuple[time, time, tuple[int, ...], str, str], set[str]]
    brand_zones = defaultdict(set)
    conditions = [Q(pk__in=[])]
    for key in keys:
        if key is None:
            conditions.append(Q(dayparting_schedule__isnull=True))
        else:
            start, end, days, schedule_zone, extras, brand_zone = key
            brand_zones[start, end, days, schedule_zone, extras].add(brand_zone)
    for (start, end, days, schedule_zone, extras), zones in brand_zones.items():
        condition = Q(
            dayparting_schedule__start_time=start,
            dayparting_schedule__end_time=end,
            dayparting_schedule__days_of_week=list(days),
            dayparting_schedule__timezone=schedule_zone,
            dayparting_schedule__extra_windows_text=extras,
        )
        if not schedule_zone:
            condition &= Q(brand__timezone__in=sorted(zones))
        conditions.append(condition)
    return reduce(or_, conditions)


def _flight_fact() -> "_Fact[FlightKey]":
    rows = (
        Campaign.objects.order_by()
        .exclude(start_date__isnull=True, end_date__isnull=True)
        .values_list("start_date", "end_date", "brand__timezone")
        .distinct()
    )
    facts: dict[FlightKey, CampaignFacts] = {None: _CLEAR}
    for start, end, zone in rows:
        facts[start, end, zone] = replace(_CLEAR, flight=flight_of(start, end, zone=zone))
    return _Fact(facts, lambda keys: reduce(or_, map(_flight, keys), Q(pk__in=[])))


def _flight(key: FlightKey) -> Q:
    """Campaigns with this flight (None: neither date) in this brand zone."""
    if key is None:
        return Q(start_date__isnull=True, end_date__isnull=True)
    start, end, brand_zone = key
    return Q(
        Q(start_date__isnull=True) if start is None else Q(start_date=start),
        Q(end_date__isnull=True) if end is None else Q(end_date=end),
        brand__timezone=brand_zone,
    )


def _facts() -> list[_Fact[Any]]:
    return [
        _switch("is_enabled", lambda value: replace(_CLEAR, is_enabled=value)),
        _switch("reason_daily", lambda value: replace(_CLEAR, daily_exceeded=value)),
        _switch("reason_monthly", lambda value: replace(_CLEAR, monthly_exceeded=value)),
        _switch("reason_daily_cap", lambda value: replace(_CLEAR, daily_cap_reached=value)),
        _switch("reason_total_cap", lambda value: replace(_CLEAR, total_cap_reached=value)),
        _flight_fact(),
        _windows_fact(),
    ]


@dataclass(frozen=True)
class ReasonConditions:
    """At one moment: the campaigns each reason blocks, and those nothing blocks, as conditions
    on `with_reason_columns(campaigns)`."""

    blocks: dict[str, Q]
    clear: Q

    def of(self, reason: str | None) -> Q:
        """The campaigns `reason` blocks; None: those nothing blocks."""
        return self.clear if reason is None else self.blocks.get(reason, Q(pk__in=[]))

    def blocked(self, campaigns: QuerySet[Campaign], reason: str | None) -> QuerySet[Campaign]:
        """The campaigns of `campaigns` that `reason` blocks; None: those nothing blocks."""
        return with_reason_columns(campaigns).filter(self.of(reason))

    def counts(
        self, campaigns: QuerySet[Campaign], reasons: Iterable[str | None]
    ) -> dict[str | None, int]:
        """How many campaigns of `campaigns` each reason blocks (None: nothing blocks), in
        one aggregate query."""
        wanted = list(dict.fromkeys(reasons))
        counts = with_reason_columns(campaigns.order_by()).aggregate(
            **{f"reason_{n}": Count("pk", filter=self.of(r)) for n, r in enumerate(wanted)}
        )
        return {reason: counts[f"reason_{n}"] for n, reason in enumerate(wanted)}


def reason_conditions(*, now: datetime) -> ReasonConditions:
    """Judge each value of each fact at `now` with the one rule; three small reads (the
    distinct flights, schedules and brand zones)."""
    blocks: dict[str, list[Q]] = defaultdict(list)
    clear = []
    for fact in _facts():
        by_reasons: dict[tuple[str, ...], list[Any]] = defaultdict(list)
        for key, facts in fact.facts.items():
            by_reasons[tuple(blocking_reasons(facts, now=now))].append(key)
        for found, keys in by_reasons.items():
            for reason in found:
                blocks[reason].append(fact.having(keys))
        clear.append(fact.having(by_reasons.get((), [])))
    return ReasonConditions(
        {reason: reduce(or_, conditions) for reason, conditions in blocks.items()},
        reduce(and_, clear),
    )


def blocked_by(
    campaigns: QuerySet[Campaign], reason: str | None, *, now: datetime
) -> QuerySet[Campaign]:
    """The campaigns of `campaigns` that `reason` blocks at `now`; None: those nothing blocks."""
    return reason_conditions(now=now).blocked(campaigns, reason)


def reason_counts(
    campaigns: QuerySet[Campaign], reasons: Iterable[str | None], *, now: datetime
) -> dict[str | None, int]:
    """How many campaigns of `campaigns` each reason blocks at `now` (None: nothing blocks)."""
    return reason_conditions(now=now).counts(campaigns, reasons)
