"""The facts behind many campaigns' blocking reasons, read as groups rather than rows.

A list filter on the reasons, or its "Show counts", over 100,000 campaigns cannot judge each
campaign in Python (half a second). Campaigns that share the facts a verdict is drawn from
(the operator's switch, the two budgets, the dayparting windows) share the verdict, so the
database groups them and the caller judges each group once with the one rule
(`CampaignService.blocking_reasons`): a handful of distinct schedules, not 100,000 campaigns.
A schedule's extra windows are part of the key as the one text column `extra_windows_text`
reads, so schedules with the same windows group together.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet

from ads.models import Campaign
from ads.rules.reasons import CampaignFacts, Window
from ads.selectors.budgets import DAILY, MONTHLY, exceeded_flag
from ads.selectors.campaigns import schedule_windows
from ads.sql.windows import extra_windows_text

# A schedule's own columns (start, end, weekdays, its time zone, blank for the brand's), its
# extra windows as text (None: none) and the brand's time zone; None: no schedule. Raw columns,
# not the effective zone: PostgreSQL keeps statistics on columns, so a filter on them gets a
# plan that fits its rows.
WindowKey = tuple[time, time, tuple[int, ...], str, str | None, str] | None
# (enabled, daily budget exceeded, monthly budget exceeded)
Switches = tuple[bool, bool, bool]

_WINDOW_COLUMNS = (
    "dayparting_schedule__start_time",
    "dayparting_schedule__end_time",
    "dayparting_schedule__days_of_week",
    "dayparting_schedule__timezone",
    "reason_extra_windows",
    "brand__timezone",
)


def _budget_columns() -> dict[str, Any]:
    """The budget facts `campaign_facts` reads, compared in SQL as the sweeps do, and the
    schedule's extra windows."""
    return {
        "reason_daily": exceeded_flag(DAILY, prefix="brand__"),
        "reason_monthly": exceeded_flag(MONTHLY, prefix="brand__"),
        "reason_extra_windows": extra_windows_text("dayparting_schedule"),
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
        .values("is_enabled", "reason_daily", "reason_monthly", *_WINDOW_COLUMNS)
        .annotate(reason_campaigns=Count("pk"))
        .values_list(
            "is_enabled", "reason_daily", "reason_monthly", *_WINDOW_COLUMNS, "reason_campaigns"
        )
    )
    groups = []
    for enabled, daily, monthly, start, end, days, zone, extras, brand_zone, count in rows:
        switches = (bool(enabled), bool(daily), bool(monthly))
        key = None if start is None else (start, end, tuple(days), zone, extras, brand_zone)
        facts = CampaignFacts(
            pk=0,
            is_enabled=switches[0],
            is_active=False,
            daily_exceeded=switches[1],
            monthly_exceeded=switches[2],
            windows=_windows(key),
        )
        groups.append(FactGroup(switches, key, facts, count))
    return groups


def _any_window(keys: Iterable[WindowKey]) -> Q:
    """Campaigns with one of these windows (None: no schedule); brand zones matter only where
    the schedule leaves its zone blank, and are named together."""
    brand_zones: dict[tuple[time, time, tuple[int, ...], str, str | None], set[str]]
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
        )
        condition &= (
            Q(reason_extra_windows__isnull=True)
            if extras is None
            else Q(reason_extra_windows=extras)
        )
        if not schedule_zone:
            condition &= Q(brand__timezone__in=sorted(zones))
        conditions.append(condition)
    return reduce(or_, conditions)


def in_groups(campaigns: QuerySet[Campaign], groups: Iterable[FactGroup]) -> QuerySet[Campaign]:
    """The campaigns of `campaigns` whose facts are those of one of `groups`.

    One condition per combination of switch and budgets, each naming its windows, so the
    condition stays as small as the number of distinct windows, whatever the campaigns.
    """
    windows: dict[Switches, set[WindowKey]] = defaultdict(set)
    for group in groups:
        windows[group.switches].add(group.window)
    if not windows:
        return campaigns.none()
    condition = reduce(
        or_,
        (
            Q(is_enabled=enabled, reason_daily=daily, reason_monthly=monthly) & _any_window(keys)
            for (enabled, daily, monthly), keys in windows.items()
        ),
    )
    return campaigns.alias(**_budget_columns()).filter(condition)
