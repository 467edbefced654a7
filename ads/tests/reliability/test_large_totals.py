"""Totals sized for real currencies, and a spend that would still overflow one refused cleanly.

A month of 10^12 is ordinary in IDR or VND: totals and budgets hold 20 digits (each spend still at
most 999,999,999,999.99). On SQLite, whose decimal column is a binary double, a total is kept
only as far as it stays exact (15 digits). Past the limit a spend is a ValidationError naming the
amount, in every writer, and nothing changes: never a DataError on this and every later spend.
"""

import io
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from ads.models import Brand, Campaign, SpendLog
from ads.money import CENT, MAX_AMOUNT
from ads.services import BudgetService, SpendEntry, SpendEntryInput
from ads.tests.builders import make_brand, make_campaign, totals
from ads.tests.reliability.bad_input import database_state
from ads.validators import largest_total

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
# A budget past the old 14-digit column, which SQLite still keeps exactly.
BIG_BUDGET = "5000000000000.00"


@time_machine.travel(NOW, tick=False)
class LargeTotalTests(TestCase):
    def test_a_month_past_a_trillion_is_recorded_exactly(self) -> None:
        brand = make_brand(daily=BIG_BUDGET, monthly=BIG_BUDGET)
        campaign = make_campaign(brand)

        BudgetService.record_spend(campaign, MAX_AMOUNT)
        BudgetService.record_spends([SpendEntry(campaign, MAX_AMOUNT), (campaign, "0.03")])

        self.assertEqual(totals(brand), (Decimal("2000000000000.01"),) * 2)
        self.assertEqual(BudgetService.find_drift(), [])
        summary = BudgetService.get_brand_summary(brand)
        self.assertEqual(summary["daily_remaining"], Decimal("2999999999999.99"))

    def test_the_largest_budget_the_database_keeps_is_kept_exactly_and_one_cent_more_refused(
        self,
    ) -> None:
        brand = make_brand(daily=str(largest_total()), monthly=str(largest_total()))
        brand.refresh_from_db()
        self.assertEqual((brand.daily_budget, brand.monthly_budget), (largest_total(),) * 2)

        brand.monthly_budget = largest_total() + CENT
        with self.assertRaises(ValidationError) as caught:
            brand.save()
        self.assertEqual(list(caught.exception.message_dict), ["monthly_budget"])


@time_machine.travel(NOW, tick=False)
class TotalOverflowTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily=BIG_BUDGET, monthly=BIG_BUDGET)
        self.campaign = make_campaign(self.brand)
        BudgetService.record_spend(self.campaign, "1.00", external_id="known")
        # A month that has already reached a cent short of the largest total (as after a
        # million of the largest spends: too many to record in a test).
        Brand.objects.filter(pk=self.brand.pk).update(
            current_daily_spend=largest_total() - CENT, current_monthly_spend=largest_total() - CENT
        )

    def assert_refused(
        self, call: Callable[[], object], *fragments: str, error: type[Exception] = ValidationError
    ) -> None:
        before = database_state()
        with self.assertRaises(error) as caught:
            call()
        for fragment in (f"past {largest_total()}", *fragments):
            self.assertIn(fragment, str(caught.exception))
        self.assertEqual(database_state(), before)

    def test_record_spend_refuses_the_spend_that_would_overflow_and_changes_nothing(self) -> None:
        self.assert_refused(
            lambda: BudgetService.record_spend(self.campaign, "0.02"),
            "'amount'",
            "0.02 would take the brand's daily total to",
        )
        # Up to the limit itself is fine.
        BudgetService.record_spend(self.campaign, "0.01")
        self.assertEqual(totals(self.brand), (largest_total(),) * 2)

    def test_a_row_created_in_the_shell_is_refused_too(self) -> None:
        def create() -> None:
            # In the shell (autocommit) the create is its own transaction; here, a savepoint.
            with transaction.atomic():
                SpendLog.objects.create(campaign=self.campaign, amount=Decimal("0.02"))

        self.assert_refused(create, "'amount'")

    def test_record_spends_names_the_entry_that_crosses_and_records_none_of_the_batch(
        self,
    ) -> None:
        entries: list[SpendEntryInput] = [
            SpendEntry(self.campaign, "5.00", external_id="known"),  # on record: counts nothing
            SpendEntry(self.campaign, "0.01"),
            {"campaign": self.campaign, "amount": "0.01"},
        ]
        self.assert_refused(
            lambda: BudgetService.record_spends(entries), "entry 2: amount: 0.01 would take"
        )

    def test_a_spend_dated_in_an_earlier_month_counts_in_no_total_and_is_recorded(self) -> None:
        BudgetService.record_spend(
            self.campaign, MAX_AMOUNT, timestamp=datetime(2026, 2, 27, tzinfo=UTC)
        )
        self.assertEqual(totals(self.brand), (largest_total() - CENT,) * 2)

    def test_import_refuses_the_row_while_checking_and_imports_nothing(self) -> None:
        other = Campaign.objects.create(brand=self.brand, name="Video")
        text = (
            "campaign_id,amount,timestamp\n"
            f"{other.pk},0.01,2026-02-27T09:00:00Z\n"  # an earlier month: no total
            f"{other.pk},0.01,2026-03-18T09:00:00Z\n"
            f"{self.campaign.pk},0.01,2026-03-18T09:00:00Z\n"
        )
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "spend.csv"
            path.write_text(text, encoding="utf-8")
            self.assert_refused(
                lambda: call_command(
                    "import_spend", str(path), "--batch-size", "1", stdout=io.StringIO()
                ),
                "line 4: amount: 0.01 would take the monthly total of brand 'Acme' to",
                "Nothing was imported.",
                error=CommandError,
            )

    def test_import_raises_command_error_not_validation_error(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "spend.csv"
            path.write_text(
                f"campaign_id,amount,timestamp\n{self.campaign.pk},0.02,2026-03-18T09:00:00Z\n",
                encoding="utf-8",
            )
            with self.assertRaisesMessage(CommandError, "line 2: amount: 0.02 would take"):
                call_command("import_spend", str(path), stdout=io.StringIO())


@time_machine.travel(NOW, tick=False)
class AdminLargeBudgetTests(TestCase):
    def test_the_brand_form_takes_a_budget_past_a_trillion(self) -> None:
        self.client.force_login(
            User.objects.create_superuser("admin", "admin@example.com", "not-a-real-password")
        )
        url = reverse("admin:ads_brand_add")
        # Every inline formset posted empty.
        data = {
            f"{inline.formset.prefix}-{key}": "0"
            for inline in self.client.get(url).context["inline_admin_formsets"]
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        }
        data |= {
            "name": "Rupiah Co",
            "timezone": "Asia/Jakarta",
            "daily_budget": "200000000000.00",
            "monthly_budget": BIG_BUDGET,
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        brand = Brand.objects.get(name="Rupiah Co")
        self.assertEqual(brand.monthly_budget, Decimal(BIG_BUDGET))


@time_machine.travel(NOW, tick=False)
class CampaignTotalOverflowTests(TestCase):
    """A campaign's all-time total can reach the limit while its brand's month is small."""

    def setUp(self) -> None:
        self.brand = make_brand(daily=BIG_BUDGET, monthly=BIG_BUDGET)
        self.campaign = make_campaign(self.brand)
        Campaign.objects.filter(pk=self.campaign.pk).update(total_spend=largest_total() - CENT)

    def test_record_spend_refuses_the_spend_past_the_campaign_total_and_changes_nothing(
        self,
    ) -> None:
        before = database_state()
        with self.assertRaises(ValidationError) as caught:
            BudgetService.record_spend(self.campaign, "0.02")
        self.assertIn(f"campaign {self.campaign.pk}'s total", str(caught.exception))
        self.assertEqual(database_state(), before)

    def test_record_spends_names_the_entry_and_records_none_of_the_batch(self) -> None:
        other = make_campaign(self.brand, name="Display")
        before = database_state()
        with self.assertRaises(ValidationError) as caught:
            BudgetService.record_spends(
                [SpendEntry(other, "1.00"), SpendEntry(self.campaign, "0.02")]
            )
        self.assertIn(
            f"entry 1: amount: This would take campaign {self.campaign.pk}'s total to",
            str(caught.exception),
        )
        self.assertIn(f"past {largest_total()}", str(caught.exception))
        self.assertEqual(database_state(), before)

    def test_up_to_the_limit_itself_is_recorded(self) -> None:
        BudgetService.record_spend(self.campaign, "0.01")
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.total_spend, largest_total())


@time_machine.travel(NOW, tick=False)
class CampaignBelowZeroTests(TestCase):
    """A credit created in the shell on a campaign with less spend than it (its brand has more,
    from another campaign): refused by name, not the column's check constraint."""

    def setUp(self) -> None:
        self.brand = make_brand()
        BudgetService.record_spend(make_campaign(self.brand), "10.00")
        self.campaign = make_campaign(self.brand, name="Display")
        BudgetService.record_spend(self.campaign, "1.00")

    def test_a_credit_past_the_campaigns_day_is_refused_and_changes_nothing(self) -> None:
        before = database_state()
        with self.assertRaises(ValidationError) as caught, transaction.atomic():
            SpendLog.objects.create(campaign=self.campaign, amount=Decimal("-5.00"), kind="credit")
        self.assertIn(
            f"This would take campaign {self.campaign.pk}'s daily total to -4.00, below 0.",
            str(caught.exception),
        )
        self.assertEqual(database_state(), before)

    def test_a_credit_of_the_campaigns_whole_day_is_recorded(self) -> None:
        SpendLog.objects.create(campaign=self.campaign, amount=Decimal("-1.00"), kind="credit")
        self.campaign.refresh_from_db()
        self.assertEqual((self.campaign.current_daily_spend, self.campaign.total_spend), (0, 0))
