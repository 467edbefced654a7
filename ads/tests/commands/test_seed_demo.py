"""`manage.py seed_demo`: the demo agency a newcomer seeds after starting the system, created
once, re-run safely, and recorded through the same services as real spend (moved here from
ads/tests/deploy/test_deploy_files.py, unchanged, to sit by the command it tests)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.test import TestCase

from ads.models import Brand, Campaign, DaypartingSchedule, SpendLog
from ads.services import BudgetService

# A fixed instant: Wednesday 2026-03-18 12:00 UTC (08:00 in New York, 12:00 in London, 17:30 in
# Kolkata), so the hours of spend and the open windows are known.
NOON = datetime(2026, 3, 18, 12, tzinfo=UTC)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def state() -> dict[str, object]:
    return {
        "brands": sorted(Brand.objects.values_list("name", "timezone")),
        "campaigns": Campaign.objects.count(),
        "schedules": DaypartingSchedule.objects.count(),
        "spends": SpendLog.objects.count(),
        "totals": sorted(
            Brand.objects.values_list("name", "current_daily_spend", "current_monthly_spend")
        ),
        "active": sorted(Campaign.objects.filter(is_active=True).values_list("name", flat=True)),
    }


class SeedDemoTests(TestCase):
    def test_running_it_twice_creates_and_counts_nothing_twice(self) -> None:
        with time_machine.travel(NOON, tick=False):
            first_output = seed()
            first = state()
            second_output = seed()
            self.assertEqual(state(), first)
        self.assertIn("Created brand Hudson Outfitters (America/New_York)", first_output)
        self.assertIn("Kept brand Hudson Outfitters (America/New_York) as it is", second_output)
        self.assertIn("Recorded 0 new hourly spends", second_output)
        self.assertEqual(BudgetService.find_drift(), [])

    def test_the_demo_agency(self) -> None:
        with time_machine.travel(NOON, tick=False):
            output = seed()
        self.assertEqual(
            set(Brand.objects.values_list("timezone", flat=True)),
            {"America/New_York", "Europe/London", "Asia/Kolkata"},
        )
        self.assertEqual(Campaign.objects.count(), 6)
        overnight = DaypartingSchedule.objects.get(campaign__name="Late Night Video")
        self.assertGreater(overnight.start_time, overnight.end_time)
        weekdays = DaypartingSchedule.objects.get(campaign__name="Office Hours Display")
        self.assertEqual(weekdays.days_of_week, [0, 1, 2, 3, 4])
        # Every spend went through record_spend with its hour as the id, none in the future.
        spends = SpendLog.objects.all()
        self.assertTrue(spends)
        self.assertFalse(spends.filter(external_id__isnull=True).exists())
        self.assertFalse(spends.filter(timestamp__gt=NOON).exists())
        self.assertIn(f"Recorded {spends.count()} new hourly spends", output)
        # A window is respected: the London office campaign (Mon–Fri 09:00–17:30, GMT in March)
        # spent from 13:00 to 17:00 on Tuesday and from 09:00 to noon on Wednesday.
        office = spends.filter(campaign__name="Office Hours Display")
        self.assertEqual(
            sorted(office.values_list("timestamp__hour", flat=True)), list(range(9, 18))
        )

    def test_a_small_budget_is_used_up_and_pauses_its_campaigns(self) -> None:
        with time_machine.travel(NOON, tick=False):
            output = seed()
        bikes = Brand.objects.get(name="Bengaluru Bikes")
        self.assertTrue(bikes.is_daily_budget_exceeded)
        # Spending stops once the day's budget is used up: over by less than one hour's spend.
        self.assertLess(bikes.current_daily_spend, bikes.daily_budget + 13)
        self.assertFalse(bikes.campaigns.filter(is_active=True).exists())
        self.assertIn("Festival Push: paused: Daily budget exceeded", output)

    def test_an_hour_later_it_adds_only_the_new_hour(self) -> None:
        with time_machine.travel(NOON, tick=False):
            seed()
        before = SpendLog.objects.count()
        an_hour_later = NOON + timedelta(hours=1)
        with time_machine.travel(an_hour_later, tick=False):
            seed()
        added = SpendLog.objects.filter(timestamp=an_hour_later).count()
        self.assertGreater(added, 0)
        self.assertEqual(SpendLog.objects.count(), before + added)
        self.assertEqual(BudgetService.find_drift(), [])
