"""`manage.py seed_demo`: a small demo agency to explore the admin, Flower and the shell with.

Three brands in different time zones, campaigns with overnight, weekday and weekend dayparting,
and the last 24 hours of hourly spend recorded through `BudgetService.record_spend`, as a real
ad platform would report it. Safe to run again: brands, campaigns and schedules are found by name
(and kept as an operator may have edited them), and every spend carries its UTC hour as its
external_id, so nothing is counted twice; a later run adds only the hours that have passed since.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ads.models import Brand, Campaign, DaypartingSchedule, SpendLog
from ads.periods import zone
from ads.rules import budgets
from ads.services import BudgetService, CampaignService, DaypartingService

MONDAY_TO_FRIDAY = (0, 1, 2, 3, 4)
MONDAY_TO_SATURDAY = (0, 1, 2, 3, 4, 5)
WEEKEND = (5, 6)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
HOURS_OF_SPEND = 24


@dataclass(frozen=True)
class DemoSchedule:
    start: time
    end: time
    days: tuple[int, ...]


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    hourly_spend: Decimal
    schedule: DemoSchedule | None = None


@dataclass(frozen=True)
class DemoBrand:
    name: str
    timezone: str
    daily_budget: Decimal
    monthly_budget: Decimal
    campaigns: tuple[DemoCampaign, ...]


AGENCY = (
    DemoBrand(
        "Hudson Outfitters",
        "America/New_York",
        Decimal("500.00"),
        Decimal("12000.00"),
        (
            DemoCampaign("Always-on Search", Decimal("12.50")),
            DemoCampaign(
                "Late Night Video", Decimal("9.00"), DemoSchedule(time(22), time(6), EVERY_DAY)
            ),
        ),
    ),
    DemoBrand(
        "Thames Tea Company",
        "Europe/London",
        Decimal("150.00"),
        Decimal("4000.00"),
        (
            DemoCampaign(
                "Office Hours Display",
                Decimal("6.00"),
                DemoSchedule(time(9), time(17, 30), MONDAY_TO_FRIDAY),
            ),
            DemoCampaign(
                "Weekend Brunch Social", Decimal("4.00"), DemoSchedule(time(8), time(14), WEEKEND)
            ),
        ),
    ),
    # A small daily budget: its campaigns pause once a day's spend has used it up.
    DemoBrand(
        "Bengaluru Bikes",
        "Asia/Kolkata",
        Decimal("80.00"),
        Decimal("2500.00"),
        (
            DemoCampaign("Festival Push", Decimal("7.50")),
            DemoCampaign(
                "Commuter Radio",
                Decimal("5.00"),
                DemoSchedule(time(7), time(10), MONDAY_TO_SATURDAY),
            ),
        ),
    ),
)


class Command(BaseCommand):
    help = (
        "Create a demo agency (brands in New York, London and Kolkata, campaigns with dayparting) "
        "and record the last 24 hours of hourly spend. Safe to run again: nothing is created or "
        "counted twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        recorded = 0
        for demo in AGENCY:
            with transaction.atomic():
                brand = self.seed_brand(demo)
                campaigns = [(self.seed_campaign(brand, c), c.hourly_spend) for c in demo.campaigns]
            # Each spend is its own transaction, as spends arrive in production.
            recorded += self.record_day_of_spend(brand, campaigns)
        self.stdout.write(
            f"Recorded {recorded} new hourly spends of the last {HOURS_OF_SPEND} hours "
            "(spends recorded by an earlier run are not counted again)."
        )
        for demo in AGENCY:
            self.report(Brand.objects.get(name=demo.name))

    def seed_brand(self, demo: DemoBrand) -> Brand:
        brand, created = Brand.objects.get_or_create(
            name=demo.name,
            defaults={
                "timezone": demo.timezone,
                "daily_budget": demo.daily_budget,
                "monthly_budget": demo.monthly_budget,
            },
        )
        self.say(created, f"brand {brand.name} ({brand.timezone})")
        return brand

    def seed_campaign(self, brand: Brand, demo: DemoCampaign) -> Campaign:
        campaign, created = Campaign.objects.get_or_create(brand=brand, name=demo.name)
        self.say(created, f"campaign {brand.name} / {campaign.name}")
        if demo.schedule is not None:
            schedule, created = DaypartingSchedule.objects.get_or_create(
                campaign=campaign,
                defaults={
                    "start_time": demo.schedule.start,
                    "end_time": demo.schedule.end,
                    "days_of_week": list(demo.schedule.days),
                },
            )
            self.say(created, f"schedule {campaign.name}: {schedule.describe()}")
        return campaign

    def record_day_of_spend(self, brand: Brand, campaigns: list[tuple[Campaign, Decimal]]) -> int:
        """Hour by hour, each campaign whose window is open spends its hourly amount, until the
        brand's daily budget for that local day is used up, as an ad platform stops serving a
        paused campaign. Returns how many spends were new.
        """
        this_hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        schedules = {
            schedule.campaign_id: schedule
            for schedule in DaypartingSchedule.objects.filter(campaign__brand=brand)
        }
        spent: defaultdict[date, Decimal] = defaultdict(Decimal)
        recorded = 0
        for back in range(HOURS_OF_SPEND - 1, -1, -1):
            hour = this_hour - timedelta(hours=back)
            day = hour.astimezone(zone(brand.timezone)).date()
            for campaign, amount in campaigns:
                schedule = schedules.get(campaign.pk)
                if budgets.is_exceeded(spent[day], brand.daily_budget) or (
                    schedule is not None and not DaypartingService.is_within_window(schedule, hour)
                ):
                    continue
                spent[day] += amount
                recorded += self.record_spend(campaign, amount, hour)
        return recorded

    def record_spend(self, campaign: Campaign, amount: Decimal, hour: datetime) -> int:
        """Record the spend of `hour` unless an earlier run did: 1 if it is new, else 0."""
        external_id = f"demo-{hour:%Y%m%dT%H}00Z"
        if SpendLog.objects.filter(campaign=campaign, external_id=external_id).exists():
            return 0
        BudgetService.record_spend(
            campaign, amount, "Demo: an hour of ad spend", external_id=external_id, timestamp=hour
        )
        return 1

    def report(self, brand: Brand) -> None:
        summary = BudgetService.get_brand_summary(brand)
        self.stdout.write(
            f"{summary['name']} ({brand.timezone}): today {summary['current_daily_spend']} "
            f"of {summary['daily_budget']}, this month {summary['current_monthly_spend']} of "
            f"{summary['monthly_budget']}; {summary['active_campaigns']} of "
            f"{summary['total_campaigns']} campaigns serving"
        )
        for campaign in brand.campaigns.order_by("name"):
            serving, reasons = CampaignService.should_campaign_be_active(campaign)
            state = "serving" if serving else "paused: " + ", ".join(reasons)
            self.stdout.write(f"  {campaign.name}: {state}")

    def say(self, created: bool, what: str) -> None:
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {what}"))
        else:
            self.stdout.write(f"Kept {what} as it is")
