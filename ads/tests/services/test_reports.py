"""BudgetService.record_reported_spend: one report entry makes the day's spend equal the
platform's total, the same report again adds nothing, restatements correct their own day and
month, both ways, dated inside the local day across DST; bad reports change nothing."""

from datetime import date, timedelta
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase

from ads.models import SpendLog
from ads.periods import local_period, zone
from ads.services import BudgetService
from ads.services.reconcile import find_campaign_drift
from ads.tests.builders import is_active, make_brand, make_campaign, totals, utc

NOW = utc("2026-03-18T12:00:00")
TODAY = date(2026, 3, 18)
Kind = SpendLog.Kind


@time_machine.travel(NOW, tick=False)
class RecordReportedSpendTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="100.00", monthly="1000.00")
        self.search = make_campaign(self.brand, "Search")
        self.video = make_campaign(self.brand, "Video")

    def report(self, day: date, total: str) -> SpendLog | None:
        return BudgetService.record_reported_spend(self.search, day, total, source="google_ads")

    def test_the_first_report_appends_the_difference_and_the_same_report_nothing(self) -> None:
        BudgetService.record_spend(self.search, "30.00")
        entry = self.report(TODAY, "42.50")
        assert entry is not None
        self.assertEqual(
            (entry.kind, entry.amount, entry.reason, entry.timestamp),
            (Kind.REPORT, Decimal("12.50"), "google_ads", NOW),
        )
        self.assertIsNone(self.report(TODAY, "42.50"))
        self.assertEqual(SpendLog.objects.count(), 2)
        self.assertEqual(totals(self.brand), (Decimal("42.50"), Decimal("42.50")))

    def test_a_report_restated_lower_appends_a_negative_entry_and_brings_campaigns_back(
        self,
    ) -> None:
        self.report(TODAY, "120.00")
        self.assertFalse(is_active(self.video))
        entry = self.report(TODAY, "90.00")
        assert entry is not None
        self.assertEqual(entry.amount, Decimal("-30.00"))
        self.assertEqual(totals(self.brand), (Decimal("90.00"), Decimal("90.00")))
        self.assertTrue(is_active(self.video))

    def test_credits_and_charges_stay_as_recorded(self) -> None:
        BudgetService.record_spend(self.search, "50.00")
        BudgetService.record_adjustment(self.search, "-10.00", "Invalid clicks")
        BudgetService.record_adjustment(self.search, "5.00", "Make-good")
        entry = self.report(TODAY, "50.00")
        self.assertIsNone(entry)
        entry = self.report(TODAY, "60.00")
        assert entry is not None
        self.assertEqual(entry.amount, Decimal("10.00"))
        self.assertEqual(totals(self.brand), (Decimal("55.00"), Decimal("55.00")))

    def test_a_report_that_would_take_the_day_below_zero_with_its_credits_is_refused(
        self,
    ) -> None:
        BudgetService.record_spend(self.search, "50.00")
        BudgetService.record_adjustment(self.search, "-40.00", "Invalid clicks")
        with self.assertRaises(ValidationError) as caught:
            self.report(TODAY, "39.99")
        self.assertEqual(caught.exception.error_dict["total"][0].code, "below_zero")
        self.assertEqual(SpendLog.objects.count(), 2)
        self.assertEqual(totals(self.brand), (Decimal("10.00"), Decimal("10.00")))
        self.assertIsNotNone(self.report(TODAY, "40.00"))

    def test_a_restatement_a_month_later_corrects_that_day_and_month_not_today(self) -> None:
        february = date(2026, 2, 16)
        BudgetService.record_spend(self.search, "10.00")
        with time_machine.travel(utc("2026-02-16T12:00:00"), tick=False):
            BudgetService.record_spend(self.search, "70.00")
        entry = self.report(february, "55.00")
        assert entry is not None
        self.assertEqual(entry.amount, Decimal("-15.00"))
        self.assertEqual(entry.timestamp, utc("2026-02-17T00:00:00") - timedelta(microseconds=1))
        self.assertEqual(totals(self.brand), (Decimal("10.00"), Decimal("10.00")))
        self.search.refresh_from_db()
        # The campaign's own totals: today untouched, all time 10.00 + 55.00.
        self.assertEqual(
            (self.search.current_daily_spend, self.search.total_spend),
            (Decimal("10.00"), Decimal("65.00")),
        )
        self.assertEqual(BudgetService.find_drift(), [])
        self.assertEqual(find_campaign_drift(), [])

    def test_an_earlier_day_of_this_month_corrects_the_month_not_today(self) -> None:
        BudgetService.record_spend(self.search, "10.00", timestamp=NOW - timedelta(days=2))
        entry = self.report(TODAY - timedelta(days=2), "25.00")
        assert entry is not None
        self.assertEqual(totals(self.brand), (Decimal("0.00"), Decimal("25.00")))

    def test_a_total_of_zero_is_valid(self) -> None:
        BudgetService.record_spend(self.search, "10.00")
        entry = self.report(TODAY, "0")
        assert entry is not None
        self.assertEqual(entry.amount, Decimal("-10.00"))
        self.assertEqual(totals(self.brand), (Decimal("0.00"), Decimal("0.00")))
        self.assertIsNone(self.report(TODAY, "0.00"))

    def test_a_future_day_a_negative_total_and_bad_arguments_change_nothing(self) -> None:
        BudgetService.record_spend(self.search, "10.00")
        cases = [
            ((TODAY + timedelta(days=1), "5.00", "google_ads"), "day"),
            ((TODAY, "-1.00", "google_ads"), "total"),
            ((TODAY, 1.5, "google_ads"), "total"),
            ((TODAY, "1.001", "google_ads"), "total"),
            ((NOW, "5.00", "google_ads"), "day"),
            ((date(1999, 12, 31), "5.00", "google_ads"), "day"),
            ((TODAY, "5.00", ""), "source"),
            ((TODAY, "5.00", "x\x00"), "source"),
        ]
        for (day, total, source), field in cases:
            with self.subTest(day=day, total=total, source=source):
                with self.assertRaises(ValidationError) as caught:
                    BudgetService.record_reported_spend(
                        self.search,
                        day,
                        total,  # type: ignore[arg-type]
                        source=source,
                    )
                self.assertIn(field, caught.exception.error_dict)
        self.assertEqual(SpendLog.objects.count(), 1)
        self.assertEqual(totals(self.brand), (Decimal("10.00"), Decimal("10.00")))


class ReportDatedInsideTheLocalDayTests(TestCase):
    """A report entry is dated in the day it reports, in the brand's zone, on DST days too."""

    def test_dst_days_in_new_york(self) -> None:
        brand = make_brand("NY", daily="1000.00", monthly="10000.00", timezone="America/New_York")
        campaign = make_campaign(brand)
        tz = zone("America/New_York")
        # Days later, and on the day itself in the evening (local 23:30 is past UTC midnight).
        for day, now in (
            (date(2026, 3, 8), utc("2026-03-12T12:00:00")),
            (date(2026, 11, 1), utc("2026-11-05T12:00:00")),
            (date(2026, 3, 8), utc("2026-03-09T03:30:00")),
            (date(2026, 11, 1), utc("2026-11-02T04:30:00")),
        ):
            with self.subTest(day=day, now=now), time_machine.travel(now, tick=False):
                before = SpendLog.objects.filter(campaign=campaign).count()
                entry = BudgetService.record_reported_spend(
                    campaign, day, f"{before + 1}.00", source="google_ads"
                )
                assert entry is not None
                period = local_period(entry.timestamp, tz)
                self.assertEqual(period.day, day)
                self.assertEqual(entry.timestamp.astimezone(tz).date(), day)
                self.assertLessEqual(entry.timestamp, now)
        # The evening reports fell on today: they count in the stored day's total.
        self.assertEqual(BudgetService.find_drift(), [])
