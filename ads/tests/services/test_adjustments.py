"""BudgetService.record_adjustment: credits and charges in every total, a credit bringing a
paused campaign back at once, never a total below 0, bad input that changes nothing."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase

from ads.models import SpendLog
from ads.services import BudgetService
from ads.tests.builders import is_active, make_brand, make_campaign, totals, utc

NOW = utc("2026-03-18T12:00:00")
Kind = SpendLog.Kind


@time_machine.travel(NOW, tick=False)
class RecordAdjustmentTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="100.00", monthly="1000.00")
        self.search = make_campaign(self.brand, "Search")
        self.video = make_campaign(self.brand, "Video")

    def assert_nothing_changed(
        self, ledger_rows: int, brand_totals: tuple[Decimal, Decimal]
    ) -> None:
        self.assertEqual(SpendLog.objects.count(), ledger_rows)
        self.assertEqual(totals(self.brand), brand_totals)

    def test_a_credit_brings_a_paused_campaign_back_at_once(self) -> None:
        BudgetService.record_spend(self.search, "100.00")
        self.assertEqual((is_active(self.search), is_active(self.video)), (False, False))
        credit = BudgetService.record_adjustment(self.search, "-30.00", "Invalid clicks")
        self.assertEqual(
            (credit.kind, credit.amount, credit.reason),
            (Kind.CREDIT, Decimal("-30.00"), "Invalid clicks"),
        )
        self.assertEqual(totals(self.brand), (Decimal("70.00"), Decimal("70.00")))
        self.assertEqual((is_active(self.search), is_active(self.video)), (True, True))

    def test_a_charge_counts_like_spend_and_pauses(self) -> None:
        BudgetService.record_spend(self.search, "60.00")
        charge = BudgetService.record_adjustment(self.video, Decimal("40.00"), "Make-good billed")
        self.assertEqual(charge.kind, Kind.CHARGE)
        self.assertEqual(totals(self.brand), (Decimal("100.00"), Decimal("100.00")))
        self.assertFalse(is_active(self.search))

    def test_a_credit_larger_than_the_days_campaign_spend_is_rejected_and_nothing_changes(
        self,
    ) -> None:
        BudgetService.record_spend(self.search, "10.00")
        BudgetService.record_spend(self.video, "50.00")
        # Yesterday's spend does not count: the credit is dated today.
        BudgetService.record_spend(self.search, "80.00", timestamp=NOW - timedelta(days=1))
        with self.assertRaises(ValidationError) as caught:
            BudgetService.record_adjustment(self.search, "-10.01", "Too much")
        self.assertEqual(caught.exception.error_dict["amount"][0].code, "over_credit")
        self.assert_nothing_changed(3, (Decimal("60.00"), Decimal("140.00")))
        BudgetService.record_adjustment(self.search, "-10.00", "All of it")
        self.assertEqual(totals(self.brand), (Decimal("50.00"), Decimal("130.00")))

    def test_a_backdated_credit_is_judged_against_its_own_day_and_counts_in_the_month(self) -> None:
        yesterday = NOW - timedelta(days=1)
        BudgetService.record_spend(self.search, "20.00", timestamp=yesterday)
        BudgetService.record_spend(self.search, "5.00")
        BudgetService.record_adjustment(self.search, "-15.00", "Refund", timestamp=yesterday)
        self.assertEqual(totals(self.brand), (Decimal("5.00"), Decimal("10.00")))
        with self.assertRaises(ValidationError):
            BudgetService.record_adjustment(self.search, "-5.01", "Refund", timestamp=yesterday)

    def test_zero_float_and_bad_amounts_are_rejected(self) -> None:
        BudgetService.record_spend(self.search, "10.00")
        for amount, code in (
            (0, "zero"),
            ("0.00", "zero"),
            (-0.5, "float"),
            ("-1.001", "too_precise"),
            ("NaN", "not_finite"),
        ):
            with self.subTest(amount=amount), self.assertRaises(ValidationError) as caught:
                BudgetService.record_adjustment(self.search, amount, "Why")  # type: ignore[arg-type]
            self.assertEqual(caught.exception.error_dict["amount"][0].code, code)
        self.assert_nothing_changed(1, (Decimal("10.00"), Decimal("10.00")))

    def test_a_reason_is_required_text(self) -> None:
        BudgetService.record_spend(self.search, "10.00")
        for reason in ("", "   ", None, "bad\x00text", "x" * 501):
            with self.subTest(reason=reason), self.assertRaises(ValidationError) as caught:
                BudgetService.record_adjustment(self.search, "-1.00", reason)  # type: ignore[arg-type]
            self.assertIn("reason", caught.exception.error_dict)
        self.assert_nothing_changed(1, (Decimal("10.00"), Decimal("10.00")))

    def test_idempotent_by_external_id(self) -> None:
        BudgetService.record_spend(self.search, "10.00")
        first = BudgetService.record_adjustment(self.search, "-4.00", "Refund", external_id="cr-1")
        again = BudgetService.record_adjustment(self.search, "-4.00", "Refund", external_id="cr-1")
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(totals(self.brand), (Decimal("6.00"), Decimal("6.00")))

    def test_an_external_id_of_a_spend_is_not_taken_for_a_credit(self) -> None:
        BudgetService.record_spend(self.search, "10.00", external_id="evt-1")
        with self.assertRaises(ValidationError) as caught:
            BudgetService.record_adjustment(self.search, "-4.00", "Refund", external_id="evt-1")
        self.assertIn("external_id", caught.exception.error_dict)
        self.assert_nothing_changed(1, (Decimal("10.00"), Decimal("10.00")))

    def test_a_future_timestamp_and_an_unknown_campaign_are_rejected(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            BudgetService.record_adjustment(
                self.search, "1.00", "Why", timestamp=NOW + timedelta(seconds=1)
            )
        self.assertIn("timestamp", caught.exception.error_dict)
        with self.assertRaises(ValidationError) as caught:
            BudgetService.record_adjustment(999_999, "1.00", "Why")
        self.assertIn("campaign", caught.exception.error_dict)
        self.assert_nothing_changed(0, (Decimal("0.00"), Decimal("0.00")))

    def test_who_recorded_it_is_kept(self) -> None:
        charge = BudgetService.record_adjustment(self.search, "1.00", "Why", recorded_by="alice")
        spend = BudgetService.record_spend(self.search, "1.00", recorded_by="bob")
        self.assertEqual(
            set(SpendLog.objects.values_list("recorded_by", flat=True)), {"alice", "bob"}
        )
        self.assertEqual((charge.recorded_by, spend.recorded_by), ("alice", "bob"))
