"""Every sum of money is an exact Decimal with 2 places, on SQLite as on PostgreSQL.

SQLite keeps a DecimalField as a binary float, so its SUM of 1,000 spends of 42.65 is
42650.00000000079: reconcile then saw drift that was not there, and the admin showed the float's
noise. The amounts here are the ones where float sums visibly drift.
"""

import io
import re
import tempfile
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Q
from django.test import TestCase
from django.urls import reverse

from ads.models import Brand, Campaign, SpendLog, TotalsCorrection
from ads.money import ZERO
from ads.periods import local_period, zone
from ads.selectors import brand_spend_by_day, with_ledger_totals, with_spend_today
from ads.services import BudgetService, SpendEntry
from ads.sql.money import MoneySum
from ads.tests.builders import make_brand, make_campaign, utc

NOW = utc("2026-03-18T12:00:00")
SPENDS = 1000
AMOUNT = "42.65"
TOTAL = "42650.00"


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def ledger(brand: Brand, now: datetime) -> tuple[Decimal, Decimal]:
    """The ledger's (daily, monthly) sums for the brand's local period at `now`."""
    period = local_period(now, zone(brand.timezone))
    row = with_ledger_totals(
        Brand.objects.filter(pk=brand.pk), rules=[(Q(pk=brand.pk), period)]
    ).get()
    return row.ledger_daily, row.ledger_monthly


class MoneyTestCase(TestCase):
    def assert_money(self, value: object, text: str) -> None:
        """`value` is the Decimal `text` with its 2 places: 85.00, not 85 or 85.0000000000001."""
        self.assertIsInstance(value, Decimal)
        self.assertEqual(str(value), text)


@time_machine.travel(NOW, tick=False)
class ImportedSpendAddsUpTests(MoneyTestCase):
    """A thousand spends of 42.65, imported as a CSV file, as the issue's user did."""

    def setUp(self) -> None:
        self.brand = make_brand("Acme", daily="100000.00", monthly="1000000.00")
        self.campaign = make_campaign(self.brand)
        rows = "".join(
            f"Acme,Search,{AMOUNT},2026-03-18T09:00:00Z,e-{number},\n" for number in range(SPENDS)
        )
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        path = Path(directory.name) / "spend.csv"
        path.write_text("brand,campaign,amount,timestamp,external_id,description\n" + rows)
        command("import_spend", str(path))

    def test_the_ledger_sums_are_exact(self) -> None:
        daily, monthly = ledger(self.brand, NOW)

        self.assert_money(daily, TOTAL)
        self.assert_money(monthly, TOTAL)

    def test_reconcile_finds_no_drift_and_fix_corrects_nothing(self) -> None:
        self.assertEqual(BudgetService.find_drift(), [])
        self.assertIn("All brand totals match the ledger.", command("reconcile_spend"))
        self.assertIn("All brand totals match the ledger.", command("reconcile_spend", "--fix"))
        self.assertFalse(TotalsCorrection.objects.exists())

    def test_the_summary_shows_the_exact_totals(self) -> None:
        summary = BudgetService.get_brand_summary(self.brand)

        self.assert_money(summary["current_daily_spend"], TOTAL)
        self.assert_money(summary["current_monthly_spend"], TOTAL)
        self.assert_money(summary["daily_remaining"], "57350.00")

    def test_a_campaigns_spend_today_is_exact(self) -> None:
        campaign = with_spend_today(Campaign.objects.filter(pk=self.campaign.pk)).get()

        self.assert_money(campaign.spend_today, TOTAL)

    def test_the_spend_by_day_is_exact_and_an_empty_day_is_0_00(self) -> None:
        days = brand_spend_by_day(self.brand, days=2)

        self.assertEqual([day.day.isoformat() for day in days], ["2026-03-17", "2026-03-18"])
        self.assert_money(days[0].amount, "0.00")
        self.assert_money(days[1].amount, TOTAL)

    def test_the_reset_starts_the_next_day_from_exact_sums(self) -> None:
        with time_machine.travel(NOW + timedelta(hours=12, minutes=30), tick=False):
            output = command("reset_budgets")

        self.assertIn(f"today 0.00, this month {TOTAL}", output)
        self.brand.refresh_from_db()
        self.assert_money(self.brand.current_daily_spend, "0.00")
        self.assert_money(self.brand.current_monthly_spend, TOTAL)
        self.assertEqual(BudgetService.find_drift(), [])

    def test_the_admin_shows_the_exact_numbers(self) -> None:
        root = User.objects.create_superuser("root", "root@example.com", "pw-123-secret")
        self.client.force_login(root)

        pages = [
            reverse("admin:ads_campaign_changelist"),
            reverse("admin:ads_campaign_change", args=[self.campaign.pk]),
            reverse("admin:ads_brand_changelist"),
            reverse("admin:ads_brand_change", args=[self.brand.pk]),
        ]
        for page in pages:
            with self.subTest(page=page):
                shown = re.findall(r"42650[.0-9]*", self.client.get(page).content.decode())
                self.assertTrue(shown)
                self.assertEqual(set(shown), {TOTAL})


@time_machine.travel(NOW, tick=False)
class SmallSumsTests(MoneyTestCase):
    def setUp(self) -> None:
        self.brand = make_brand("Acme", daily="100.00", monthly="1000.00")
        self.campaign = make_campaign(self.brand)

    def test_0_10_and_0_20_make_0_30(self) -> None:
        BudgetService.record_spend(self.campaign, "0.10")
        BudgetService.record_spend(self.campaign, "0.20")

        daily, monthly = ledger(self.brand, NOW)
        self.assert_money(daily, "0.30")
        self.assert_money(monthly, "0.30")
        self.assertEqual(BudgetService.find_drift(), [])

    def test_whole_amounts_keep_their_2_places(self) -> None:
        BudgetService.record_spend(self.campaign, "40")
        BudgetService.record_spend(self.campaign, "45.00")

        self.assert_money(ledger(self.brand, NOW)[0], "85.00")
        self.assert_money(brand_spend_by_day(self.brand, days=1)[0].amount, "85.00")

    def test_a_filtered_sum_is_exact_too(self) -> None:
        for amount in ("0.10", "0.20", "12.34"):
            BudgetService.record_spend(self.campaign, amount)

        sums = SpendLog.objects.aggregate(
            small=MoneySum("amount", filter=Q(amount__lt=1)),
            none=MoneySum("amount", filter=Q(amount__gt=100), default=ZERO),
        )
        self.assert_money(sums["small"], "0.30")
        self.assert_money(sums["none"], "0.00")

    def test_no_spend_sums_to_0_00(self) -> None:
        self.assert_money(ledger(self.brand, NOW)[0], "0.00")
        campaign = with_spend_today(Campaign.objects.filter(pk=self.campaign.pk)).get()
        self.assert_money(campaign.spend_today, "0.00")

    def test_the_largest_amounts_add_up_to_the_cent(self) -> None:
        self.brand.daily_budget = self.brand.monthly_budget = Decimal("999999999999.99")
        self.brand.save()
        BudgetService.record_spend(self.campaign, "999999999999.90")
        for _ in range(9):
            BudgetService.record_spend(self.campaign, "0.01")

        self.assert_money(ledger(self.brand, NOW)[1], "999999999999.99")
        self.assertEqual(BudgetService.find_drift(), [])

    def test_a_month_in_rupiah_adds_up_to_the_cent(self) -> None:
        # Rounding the float sum to the cent is not enough: this one is 899999999972.982.
        self.brand.daily_budget = self.brand.monthly_budget = Decimal("999999999999.99")
        self.brand.save()
        BudgetService.record_spends([SpendEntry(self.campaign, "999999999.97")] * 900)

        self.assert_money(ledger(self.brand, NOW)[1], "899999999973.00")
        self.assert_money(brand_spend_by_day(self.brand, days=1)[0].amount, "899999999973.00")
        self.assertEqual(BudgetService.find_drift(), [])

    def test_a_fix_after_real_drift_writes_the_exact_ledger_sum(self) -> None:
        for _ in range(850):
            BudgetService.record_spend(self.campaign, "0.10")
        Brand.objects.filter(pk=self.brand.pk).update(current_daily_spend=Decimal("1.00"))

        command_output = io.StringIO()
        call_command("reconcile_spend", "--fix", stdout=command_output)

        self.assertIn("daily stored 1.00 ledger 85.00;", command_output.getvalue())
        correction = TotalsCorrection.objects.get()
        self.assert_money(correction.daily_after, "85.00")
        self.assertIn("All brand totals match the ledger.", command("reconcile_spend"))
