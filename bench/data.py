"""The benchmark's agency: brands in several time zones, campaigns, schedules and some spend."""

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from ads.models import Brand, Campaign, DaypartingSchedule, SpendLog
from ads.periods import local_period, zone
from ads.services import CampaignService, Cause

ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
HOT_BRAND = "bench-brand-000000"
SPEND = Decimal("1.00")
CHUNK = 5000


@dataclass(frozen=True)
class Agency:
    """Ids the workloads draw from: the hot brand's campaigns and the campaigns within budget."""

    hot_brand: int
    hot_campaigns: list[int]
    campaigns: list[int]
    brands: int
    per_brand: int


def _is_over_budget(number: int) -> bool:
    # One brand in 20 has spent its day: its campaigns stay paused, as in real life.
    return number % 20 == 19


def _brands(first: int, count: int, per_brand: int, now: datetime) -> list[Brand]:
    brands = []
    for number in range(first, first + count):
        name = ZONES[number % len(ZONES)]
        period = local_period(now, zone(name))
        spent = SPEND * per_brand
        brands.append(
            Brand(
                name=f"bench-brand-{number:06d}",
                daily_budget=Decimal("1.00")
                if _is_over_budget(number)
                else Decimal("1000000000.00"),
                monthly_budget=Decimal("10000000000.00"),
                timezone=name,
                current_daily_spend=spent,
                current_monthly_spend=spent,
                spend_day=period.day,
                spend_month=period.month,
            )
        )
    return Brand.objects.bulk_create(brands, batch_size=CHUNK)


def add_brands(first: int, count: int, per_brand: int) -> None:
    """Brands `first`..`first + count - 1`, each with `per_brand` campaigns and one spend each.

    Every other campaign has a 12-hour dayparting window (08:00–20:00 local); each campaign
    spent 1.00 at its brand's local midnight, and the brand's totals say so.
    """
    now = timezone.now()
    brands = _brands(first, count, per_brand, now)
    campaigns = Campaign.objects.bulk_create(
        (
            Campaign(brand=brand, name=f"campaign-{n}", is_active=True)
            for brand in brands
            for n in range(per_brand)
        ),
        batch_size=CHUNK,
    )
    DaypartingSchedule.objects.bulk_create(
        (
            DaypartingSchedule(campaign=campaign, start_time=time(8), end_time=time(20))
            for campaign in campaigns[::2]
        ),
        batch_size=CHUNK,
    )
    midnight = {brand.pk: local_period(now, zone(brand.timezone)).day_start for brand in brands}
    SpendLog.objects.bulk_create(
        (
            SpendLog(campaign=campaign, amount=SPEND, timestamp=midnight[campaign.brand_id])
            for campaign in campaigns
        ),
        batch_size=CHUNK,
    )
    CampaignService.sync(Campaign.objects.filter(brand__in=brands), Cause.OPERATOR)


def agency() -> Agency:
    """What is in the database now, for the workloads to pick from."""
    hot = Brand.objects.get(name=HOT_BRAND)
    within_budget = Campaign.objects.filter(brand__daily_budget__gt=SPEND * 1000)
    brands = Brand.objects.count()
    return Agency(
        hot_brand=hot.pk,
        hot_campaigns=list(hot.campaigns.order_by("pk").values_list("pk", flat=True)),
        campaigns=list(within_budget.order_by("pk").values_list("pk", flat=True)),
        brands=brands,
        per_brand=Campaign.objects.count() // brands,
    )
