"""The brand summary's pacing keys and `CampaignService.resumes_at`, on real rows.

America/New_York: EST is UTC-5, EDT UTC-4; 2026-03-08 is a 23-hour day (02:00 EST jumps to
03:00 EDT), 2026-11-01 a 25-hour day (02:00 EDT falls back to 01:00 EST).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import TestCase

from ads.models import Campaign
from ads.services import BudgetService, CampaignService
from ads.tests.builders import make_brand, make_campaign, make_schedule, utc

NEW_YORK = ZoneInfo("America/New_York")


def new_york(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=NEW_YORK)


def pacing_keys(summary: dict[str, object]) -> dict[str, object]:
    keys = ("daily_pacing", "monthly_pacing", "projected_daily_spend", "projected_monthly_spend")
    return {key: summary[key] for key in keys}


class SummaryPacingTests(TestCase):
    def test_the_23_hour_day_and_its_month(self) -> None:
        with time_machine.travel(utc("2026-03-08T16:00"), tick=False):  # 12:00 EDT
            brand = make_brand(daily="50.00", monthly="1000.00", timezone="America/New_York")
            campaign = make_campaign(brand)
            BudgetService.record_spend(campaign, "303.00", timestamp=utc("2026-03-02T15:00"))
            BudgetService.record_spend(campaign, "55.00")
            summary = BudgetService.get_brand_summary(brand)
        self.assertEqual(
            pacing_keys(summary),
            {
                # 55 / (50 x 11/23) = 1265/550 = 2.30; 55 x 23/11 = 115.00
                "daily_pacing": Decimal("2.30"),
                "projected_daily_spend": Decimal("115.00"),
                # 358 spent in 179 of March's 743 hours: 358 x 743 / (1000 x 179) = 1.486 ->
                # 1.49; 358 x 743/179 = 1486.00
                "monthly_pacing": Decimal("1.49"),
                "projected_monthly_spend": Decimal("1486.00"),
            },
        )
        self.assertEqual(summary["daily_overspend"], Decimal("5.00"))  # 55 - 50
        self.assertEqual(summary["monthly_overspend"], Decimal("0.00"))
        self.assertEqual(summary["day_resets_at"], new_york(2026, 3, 9))
        self.assertEqual(summary["day_resets_at"].utcoffset(), timedelta(hours=-4))
        self.assertEqual(summary["month_resets_at"], new_york(2026, 4, 1))
        self.assertEqual(str(summary["month_resets_at"].tzinfo), "America/New_York")
        self.assertEqual(summary["current_daily_spend"], Decimal("55.00"))  # kept

    def test_the_25_hour_day(self) -> None:
        with time_machine.travel(utc("2026-11-01T17:00"), tick=False):  # 12:00 EST
            brand = make_brand(daily="100.00", timezone="America/New_York")
            BudgetService.record_spend(make_campaign(brand), "26.00")
            summary = BudgetService.get_brand_summary(brand)
        # 26 / (100 x 13/25) = 0.50; 26 x 25/13 = 50.00
        self.assertEqual(summary["daily_pacing"], Decimal("0.50"))
        self.assertEqual(summary["projected_daily_spend"], Decimal("50.00"))
        self.assertEqual(summary["day_resets_at"], new_york(2026, 11, 2))
        self.assertEqual(summary["day_resets_at"].utcoffset(), timedelta(hours=-5))

    def test_a_budget_of_0_and_local_midnight(self) -> None:
        with time_machine.travel(utc("2026-03-09T04:00"), tick=False):  # 00:00 EDT
            brand = make_brand(daily="0.00", monthly="0.00", timezone="America/New_York")
            summary = BudgetService.get_brand_summary(brand)
        self.assertIsNone(summary["daily_pacing"])
        self.assertIsNone(summary["projected_daily_spend"])  # no time gone today
        self.assertIsNone(summary["monthly_pacing"])  # a budget of 0
        self.assertEqual(summary["projected_monthly_spend"], Decimal("0.00"))

    def test_a_brand_not_yet_rolled_into_today_has_spent_0_today(self) -> None:
        with time_machine.travel(utc("2026-03-17T16:00"), tick=False):
            brand = make_brand(daily="100.00", monthly="1000.00", timezone="America/New_York")
            BudgetService.record_spend(make_campaign(brand), "40.00")
        with time_machine.travel(utc("2026-03-18T16:00"), tick=False):  # next day, no roll-over
            summary = BudgetService.get_brand_summary(brand)
        self.assertEqual(summary["day"], date(2026, 3, 17))  # the stored day is still old
        self.assertEqual(summary["daily_pacing"], Decimal("0.00"))
        self.assertEqual(summary["projected_daily_spend"], Decimal("0.00"))
        # The month has not turned: its 40 counts. 17 x 24 + 11 = 419 of 743 hours gone:
        # 40 x 743/419 = 70.9307... -> 70.93
        self.assertEqual(summary["projected_monthly_spend"], Decimal("70.93"))

    def test_a_brand_not_yet_rolled_into_the_new_month_has_spent_0_this_month(self) -> None:
        with time_machine.travel(utc("2026-03-31T16:00"), tick=False):
            brand = make_brand(daily="100.00", monthly="1000.00", timezone="America/New_York")
            BudgetService.record_spend(make_campaign(brand), "150.00")
        with time_machine.travel(utc("2026-04-01T16:00"), tick=False):
            summary = BudgetService.get_brand_summary(brand)
        self.assertEqual(summary["daily_overspend"], Decimal("0.00"))  # not yesterday's 50
        self.assertEqual(summary["monthly_pacing"], Decimal("0.00"))
        self.assertEqual(summary["projected_monthly_spend"], Decimal("0.00"))


# A Wednesday, 08:00 EDT.
NOW = utc("2026-03-18T12:00")


@time_machine.travel(NOW, tick=False)
class ResumesAtTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="10.00", monthly="100.00", timezone="America/New_York")
        self.campaign = make_campaign(self.brand)

    def resumes(self) -> datetime | None:
        return CampaignService.resumes_at(self.campaign)

    def test_a_window_that_opens_later_today(self) -> None:
        make_schedule(self.campaign, start=time(9), end=time(17))
        self.assertEqual(self.resumes(), new_york(2026, 3, 18, 9))

    def test_a_window_tomorrow_after_the_clocks_go_forward(self) -> None:
        with time_machine.travel(utc("2026-03-08T01:00"), tick=False):  # Sat 20:00 EST
            make_schedule(self.campaign, start=time(9), end=time(17))
            resumes = self.resumes()
        # Sunday 09:00 EDT = 13:00 UTC (not 14:00: that is 09:00 EST, a day before).
        self.assertEqual(resumes, utc("2026-03-08T13:00"))
        assert resumes is not None
        self.assertEqual((resumes.hour, resumes.tzname()), (9, "EDT"))

    def test_daily_budget_exceeded_resumes_at_the_next_local_midnight(self) -> None:
        BudgetService.record_spend(self.campaign, "10.00")
        self.assertEqual(self.resumes(), new_york(2026, 3, 19))

    def test_daily_budget_and_a_window_resume_at_the_window_after_midnight(self) -> None:
        make_schedule(self.campaign, start=time(9), end=time(17))
        BudgetService.record_spend(self.campaign, "10.00")
        self.assertEqual(self.resumes(), new_york(2026, 3, 19, 9))

    def test_a_daily_cap_resumes_at_the_next_local_midnight(self) -> None:
        Campaign.objects.filter(pk=self.campaign.pk).update(daily_cap=Decimal("0.00"))
        self.assertEqual(self.resumes(), new_york(2026, 3, 19))

    def test_monthly_budget_exceeded_resumes_on_the_first(self) -> None:
        self.brand.daily_budget = Decimal("500.00")
        self.brand.save()
        BudgetService.record_spend(self.campaign, "100.00")
        self.assertEqual(self.resumes(), new_york(2026, 4, 1))

    def test_a_flight_that_starts_later(self) -> None:
        self.campaign.start_date = date(2026, 3, 25)
        self.campaign.save()
        self.assertEqual(self.resumes(), new_york(2026, 3, 25))

    def test_only_a_person_brings_these_back(self) -> None:
        cases: dict[str, dict[str, Any]] = {
            "disabled": {"is_enabled": False},
            "flight ended": {"end_date": date(2026, 3, 17)},
            "total cap": {"total_cap": Decimal("0.00")},
        }
        for label, fields in cases.items():
            with self.subTest(label):
                Campaign.objects.filter(pk=self.campaign.pk).update(
                    is_enabled=True, end_date=None, total_cap=None
                )
                Campaign.objects.filter(pk=self.campaign.pk).update(**fields)
                self.assertIsNone(self.resumes())

    def test_a_serving_campaign_resumes_at_none(self) -> None:
        self.assertIsNone(self.resumes())
