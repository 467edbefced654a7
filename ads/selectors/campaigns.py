"""The facts a campaign's verdict is drawn from, read set-based for sweeps and list pages."""

import json
from collections.abc import Iterator

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from ads.models import Campaign
from ads.rules.reasons import CampaignFacts, Window
from ads.selectors.budgets import DAILY, MONTHLY, exceeded_flag


def campaign_facts(campaigns: QuerySet[Campaign]) -> Iterator[CampaignFacts]:
    """Stream the facts of every campaign in `campaigns` from a single query.

    Built for sweeps over 100,000 campaigns: the database compares spend with budget (two
    booleans instead of four Decimals per row), and the weekdays come as text, parsed once per
    distinct value rather than once per row.
    """
    rows = (
        campaigns.order_by("pk")
        .annotate(
            facts_daily_exceeded=exceeded_flag(DAILY, prefix="brand__"),
            facts_monthly_exceeded=exceeded_flag(MONTHLY, prefix="brand__"),
            facts_days=Cast("dayparting_schedule__days_of_week", TextField()),
        )
        .values_list(
            "pk",
            "is_enabled",
            "is_active",
            "facts_daily_exceeded",
            "facts_monthly_exceeded",
            "brand__timezone",
            "dayparting_schedule__start_time",
            "dayparting_schedule__end_time",
            "facts_days",
            "dayparting_schedule__timezone",
        )
    )
    weekdays: dict[str, frozenset[int]] = {}
    for (
        pk,
        is_enabled,
        is_active,
        daily_exceeded,
        monthly_exceeded,
        brand_tz,
        start,
        end,
        days,
        schedule_tz,
    ) in rows.iterator(chunk_size=5000):
        window = None
        if start is not None:
            if days not in weekdays:
                weekdays[days] = frozenset(json.loads(days))
            window = Window(start, end, weekdays[days], schedule_tz or brand_tz)
        yield CampaignFacts(
            pk=pk,
            is_enabled=is_enabled,
            is_active=is_active,
            daily_exceeded=daily_exceeded,
            monthly_exceeded=monthly_exceeded,
            window=window,
        )
