"""Test builders: a brand, a campaign or a schedule with sensible defaults, and a UTC instant.

Each builder saves through the model (validation and signals included), as an operator would.
"""

from datetime import UTC, datetime, time
from decimal import Decimal

from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone as clock

from ads.models import Brand, Campaign, DaypartingSchedule


def utc(text: str) -> datetime:
    """'2026-03-18T12:00' as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def midday_zones() -> list[str]:
    """Fixed-offset zones where it is now between 10:00 and 14:00, westmost first.

    For tests whose processes cannot share a pinned clock (a child process, a real worker): a
    brand there is hours from any local midnight, so no day or month turns during the test,
    whatever the hour the suite runs at. ("Etc/GMT-5" is UTC+5: the IANA names invert the sign.)
    """
    hour = clock.now().astimezone(UTC).hour
    offsets = [offset for offset in range(-12, 15) if 10 <= (hour + offset) % 24 < 14]
    return ["UTC" if offset == 0 else f"Etc/GMT{-offset:+d}" for offset in offsets]


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


class RowLockTestCase(TransactionTestCase):
    """Tests that prove row locking on PostgreSQL: they fail, not skip, on another database, so
    a suite that silently stopped proving it cannot pass."""

    @classmethod
    def setUpClass(cls) -> None:
        if connection.vendor != "postgresql":
            raise RuntimeError(
                f"These tests prove row locking on PostgreSQL; DATABASE_URL points at "
                f"{connection.vendor}. Run them with ./test.sh or a postgres:// DATABASE_URL."
            )
        super().setUpClass()
