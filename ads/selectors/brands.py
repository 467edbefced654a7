"""A brand as people read it, and the local periods its totals are counted over."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from ads.models import Brand
from ads.periods import LocalPeriod, local_midnight, local_period, zone
from ads.selectors.ledger import PeriodRule
from ads.selectors.pacing import brand_pace
from ads.sql.brands import zones_in_use


def brand_summary(brand: Brand) -> dict[str, Any]:
    """The brand's budgets, spend and campaign counts, read fresh from the database, and its
    pacing for the current local period (`ads.selectors.pacing`), at one reading of the clock."""
    if not isinstance(brand, Brand) or brand.pk is None:
        raise ValidationError({"brand": f"{brand!r} is not a saved brand."})
    current = (
        Brand.objects.annotate(
            active_campaigns=Count("campaigns", filter=Q(campaigns__is_active=True)),
            total_campaigns=Count("campaigns"),
        )
        .filter(pk=brand.pk)
        .first()
    )
    if current is None:
        raise ValidationError({"brand": f"Brand {brand.pk} does not exist."})
    return {
        "name": current.name,
        "timezone": current.timezone,
        "day": current.spend_day,
        "daily_budget": current.daily_budget,
        "monthly_budget": current.monthly_budget,
        "current_daily_spend": current.current_daily_spend,
        "current_monthly_spend": current.current_monthly_spend,
        "daily_remaining": current.daily_budget_remaining,
        "monthly_remaining": current.monthly_budget_remaining,
        "daily_exceeded": current.is_daily_budget_exceeded,
        "monthly_exceeded": current.is_monthly_budget_exceeded,
        "active_campaigns": current.active_campaigns,
        "total_campaigns": current.total_campaigns,
        **brand_pace(current, now=timezone.now()).as_summary(),
    }


def current_periods(now: datetime) -> dict[str, LocalPeriod]:
    """The local day and month `now` falls in, for each time zone a brand uses (a probe of the
    index per zone, not a read of every brand: `ads.sql.brands.zones_in_use`)."""
    return {name: local_period(now, zone(name)) for name in zones_in_use()}


def stored_period_rules() -> list[PeriodRule]:
    """Each brand matched to the day and month its stored totals belong to."""
    stored = Brand.objects.order_by().values_list("timezone", "spend_day").distinct()
    return [
        (
            Q(timezone=name, spend_day=day),
            local_period(local_midnight(day, zone(name)), zone(name)),
        )
        for name, day in stored
    ]


def stored_days() -> list[tuple[str, date]]:
    """Each (time zone, stored local day) the brands' totals belong to: few, whatever the brands."""
    return list(Brand.objects.order_by().values_list("timezone", "spend_day").distinct())
