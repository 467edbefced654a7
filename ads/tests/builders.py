"""Test builders: a brand, a campaign or a schedule with sensible defaults, and a UTC instant.

Each builder saves through the model (validation and signals included), as an operator would.
"""

from datetime import UTC, datetime, time
from decimal import Decimal

from ads.models import Brand, Campaign, DaypartingSchedule


def utc(text: str) -> datetime:
    """'2026-03-18T12:00' as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_brand(
    name: str = "Acme",
    daily: str = "100.00",
    monthly: str = "1000.00",
    timezone: str = "UTC",
) -> Brand:
    return Brand.objects.create(
        name=name, daily_budget=Decimal(daily), monthly_budget=Decimal(monthly), timezone=timezone
    )


def make_campaign(
    brand: Brand | None = None, name: str = "Search", enabled: bool = True
) -> Campaign:
    return Campaign.objects.create(brand=brand or make_brand(), name=name, is_enabled=enabled)


def make_schedule(
    campaign: Campaign,
    start: time = time(9),
    end: time = time(17),
    days: list[int] | None = None,
    timezone: str = "",
) -> DaypartingSchedule:
    schedule = DaypartingSchedule(
        campaign=campaign, start_time=start, end_time=end, timezone=timezone
    )
    if days is not None:
        schedule.days_of_week = days
    schedule.save()
    return schedule


def totals(brand: Brand) -> tuple[Decimal, Decimal]:
    """The brand's stored (daily, monthly) totals, read fresh."""
    brand.refresh_from_db()
    return brand.current_daily_spend, brand.current_monthly_spend


def is_active(campaign: Campaign) -> bool:
    campaign.refresh_from_db()
    return campaign.is_active
