"""The facts behind many campaigns' blocking reasons, read as groups rather than rows.

A list filter on the reasons, or its "Show counts", over 100,000 campaigns cannot judge each
campaign in Python (half a second). Campaigns that share the facts a verdict is drawn from
(the operator's switch, the two budgets, the dayparting windows) share the verdict, so the
database groups them and the caller judges each group once with the one rule
(`CampaignService.blocking_reasons`): a handful of distinct schedules, not 100,000 campaigns.
A schedule's extra windows are part of the key as its one text column `extra_windows_text`,
so schedules with the same windows group together.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet

from ads.models import Campaign
from ads.rules.reasons import CampaignFacts, Window
from ads.selectors.budgets import (
    CAMPAIGN_DAILY,
    CAMPAIGN_TOTAL,
    DAILY,
    MONTHLY,
    cap_reached_flag,
    exceeded_flag,
)
from ads.selectors.campaigns import flight_of, schedule_windows

# A schedule's own columns (start, end, weekdays, its time zone, blank for the brand's), its
# extra windows as text (empty: none) and the brand's time zone; None: no schedule. Raw columns,
# not the effective zone: PostgreSQL keeps statistics on columns, so a filter on them gets a
# plan that fits its rows.
WindowKey = tuple[time, time, tuple[int, ...], str, str, str] | None
# (enabled, daily budget exceeded, monthly budget exceeded, daily cap reached, total cap reached)
Switches = tuple[bool, bool, bool, bool, bool]
_SWITCH_COLUMNS = (
    "is_enabled",
    "reason_daily",
    "reason_monthly",
    "reason_daily_cap",
    "reason_total_cap",
)
# A flight's start and end dates and the brand's time zone they are in; None: no dates.
FlightKey = tuple[date | None, date | None, str] | None

_WINDOW_COLUMNS = (
    "dayparting_schedule__start_time",
    "dayparting_schedule__end_time",
    "dayparting_schedule__days_of_week",
    "dayparting_schedule__timezone",
    "dayparting_schedule__extra_windows_text",
    "brand__timezone",
)


def _budget_columns() -> dict[str, Any]:
    """The budget facts `campaign_facts` reads, compared in SQL as the sweeps do."""
    return {
        "reason_daily": exceeded_flag(DAILY, prefix="brand__"),
        "reason_monthly": exceeded_flag(MONTHLY, prefix="brand__"),
        "reason_daily_cap": cap_reached_flag(CAMPAIGN_DAILY),
        "reason_total_cap": cap_reached_flag(CAMPAIGN_TOTAL),
    }


@dataclass(frozen=True)
class FactGroup:
    """Campaigns with the same facts, so the same blocking reasons.

    `facts` stands for all of them: its pk (0) and is_active (False) are no campaign's, and
    `blocking_reasons` reads neither.
    """

    switches: Switches
    window: WindowKey
    facts: CampaignFacts
    campaigns: int
    flight: FlightKey = None


def _windows(key: WindowKey) -> tuple[Window, ...]:
    """The windows `campaign_facts` would read: in the schedule's zone, else the brand's."""
    if key is None:
        return ()
    start, end, days, schedule_zone, extras, brand_zone = key
    zone = schedule_zone or brand_zone
    return schedule_windows(start, end, days=frozenset(days), extras=extras, zone=zone)


def fact_groups(campaigns: QuerySet[Campaign]) -> list[FactGroup]:
    """The campaigns of `campaigns` grouped by their facts, with how many share each: one query."""
    rows = (
        campaigns.order_by()
        .annotate(**_budget_columns())
        .values(*_SWITCH_COLUMNS, "start_date", "end_date", *_WINDOW_COLUMNS)
        .annotate(reason_campaigns=Count("pk"))
        .values_list(
            *_SWITCH_COLUMNS, "start_date", "end_date", *_WINDOW_COLUMNS, "reason_campaigns"
        )
    )
    groups = []
    for (
        enabled,
        daily,
        monthly,
        daily_cap,
        total_cap,
        flight_start,
        flight_end,
        start,
        end,
        days,
        zone,
        extras,
        brand_zone,
        count,
    ) in rows:
        switches = (bool(enabled), bool(daily), bool(monthly), bool(daily_cap), bool(total_cap))
        flight = flight_of(flight_start, flight_end, zone=brand_zone)
        key = None if start is None else (start, end, tuple(days), zone, extras, brand_zone)
        facts = CampaignFacts(
            pk=0,
            is_enabled=switches[0],
            is_active=False,
            daily_exceeded=switches[1],
            monthly_exceeded=switches[2],
            windows=_windows(key),
            daily_cap_reached=switches[3],
            total_cap_reached=switches[4],
            flight=flight,
        )
        flight_key = None if flight is None else (flight.start, flight.end, flight.timezone)
        groups.append(FactGroup(switches, key, facts, count, flight=flight_key))
    return groups


def _any_window(keys: Iterable[WindowKey]) -> Q:
    """Campaigns with one of these windows (None: no schedule); brand zones matter only where
    the schedule leaves its zone blank, and are named together."""
    brand_zones: dict[tuple[time, time, tuple[int, ...], str, str], set[str]]
    brand_zones = defaultdict(set)
    conditions = []
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


def in_groups(campaigns: QuerySet[Campaign], groups: Iterable[FactGroup]) -> QuerySet[Campaign]:
    """The campaigns of `campaigns` whose facts are those of one of `groups`.

    One condition per combination of switch and budgets, each naming its windows, so the
    condition stays as small as the number of distinct windows, whatever the campaigns.
    """
    windows: dict[tuple[Switches, FlightKey], set[WindowKey]] = defaultdict(set)
    for group in groups:
        windows[group.switches, group.flight].add(group.window)
    if not windows:
        return campaigns.none()
    condition = reduce(
        or_,
        (
            Q(**dict(zip(_SWITCH_COLUMNS, switches, strict=True)))
            & _flight(flight)
            & _any_window(keys)
            for (switches, flight), keys in windows.items()
        ),
    )
    return campaigns.alias(**_budget_columns()).filter(condition)
