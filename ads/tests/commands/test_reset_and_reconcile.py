"""The two management commands, run through call_command as manage.py runs them.

The same reconcile run in a child process against raw-SQL corruption is in
ads/tests/reliability/test_crash.py; here the output, the exit and the repair are checked in
detail.
"""

import io
from decimal import Decimal

import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from ads.models import Brand, Campaign, CampaignStatusChange, TotalsCorrection
from ads.services import BudgetService
from ads.tests.builders import is_active, make_brand, make_campaign, totals, utc

Cause = CampaignStatusChange.Cause


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class ResetBudgetsCommandTests(TestCase):
    def setUp(self) -> None:
        with time_machine.travel(utc("2026-03-31T10:00:00"), tick=False):
            self.kolkata = make_brand("Kolkata", daily="50.00", timezone="Asia/Kolkata")
            self.campaign = make_campaign(self.kolkata)
            BudgetService.record_spend(self.campaign, "60.00")
            self.utc_brand = make_brand("Globex", daily="50.00")
            BudgetService.record_spend(make_campaign(self.utc_brand), "12.34")

    def test_it_prints_each_brand_it_rolled_and_what_changed(self) -> None:
        # 18:30Z is midnight in Kolkata, the first of April; still 31 March in UTC.
        with time_machine.travel(utc("2026-03-31T18:30:00"), tick=False):
            output = run("reset_budgets")
        self.assertIn(
            "Kolkata: new day and month 2026-04-01 (was 2026-03-31); today 0.00, this month 0.00",
            output,
        )
        self.assertNotIn("Globex", output)
        self.assertIn(
            "Brands rolled over: 1; campaigns reactivated: 1; campaigns paused: 0.", output
        )
        self.assertTrue(is_active(self.campaign))

        with time_machine.travel(utc("2026-04-01T00:00:00"), tick=False):
            output = run("reset_budgets")
        self.assertIn("Globex: new day and month 2026-04-01 (was 2026-03-31)", output)
        self.assertNotIn("Kolkata", output)

    def test_a_run_with_nothing_to_do_says_so_and_changes_nothing(self) -> None:
        with time_machine.travel(utc("2026-03-31T12:00:00"), tick=False):
            output = run("reset_budgets")
        self.assertIn(
            "Brands rolled over: 0; campaigns reactivated: 0; campaigns paused: 0.", output
        )
        self.assertEqual(totals(self.kolkata), (Decimal("60.00"), Decimal("60.00")))
        self.assertFalse(is_active(self.campaign))


NOW = utc("2026-03-18T12:00:00")


@time_machine.travel(NOW, tick=False)
class ReconcileSpendCommandTests(TestCase):
    def setUp(self) -> None:
        self.acme = make_brand("Acme", daily="100.00")
        self.globex = make_brand("Globex", daily="100.00")
        self.search = make_campaign(self.acme)
        self.video = make_campaign(self.globex, "Video")
        BudgetService.record_spend(self.search, "40.00")
        BudgetService.record_spend(self.video, "90.00")

    def corrupt(self) -> None:
        """Stored totals that disagree with the ledger, each the other way round."""
        Brand.objects.filter(pk=self.acme.pk).update(current_daily_spend=Decimal("140.00"))
        Brand.objects.filter(pk=self.globex.pk).update(
            current_daily_spend=Decimal("0.00"), current_monthly_spend=Decimal("0.00")
        )
        # Acme's campaign paused, as a sweep trusting the corrupt total would have done.
        Campaign.objects.filter(pk=self.search.pk).update(is_active=False)

    def test_matching_totals_pass(self) -> None:
        self.assertIn("All brand totals match the ledger.", run("reconcile_spend"))
        self.assertFalse(TotalsCorrection.objects.exists())

    def test_drift_is_printed_and_fails_the_command_without_changing_anything(self) -> None:
        self.corrupt()
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "2 brand(s) drift from the ledger"):
            call_command("reconcile_spend", stdout=out)
        output = out.getvalue()
        self.assertIn(
            "Acme (2026-03-18): daily stored 140.00 ledger 40.00; "
            "monthly stored 40.00 ledger 40.00",
            output,
        )
        self.assertIn(
            "Globex (2026-03-18): daily stored 0.00 ledger 90.00; monthly stored 0.00 ledger 90.00",
            output,
        )
        self.assertEqual(totals(self.acme), (Decimal("140.00"), Decimal("40.00")))
        self.assertFalse(TotalsCorrection.objects.exists())

    def test_fix_repairs_records_and_re_evaluates(self) -> None:
        self.corrupt()
        # Globex's true 90.00 is over this budget; its corrupt 0.00 was not.
        Brand.objects.filter(pk=self.globex.pk).update(daily_budget=Decimal("80.00"))

        output = run("reconcile_spend", "--fix")

        self.assertIn("Repaired 2 brand(s); campaigns reactivated: 1, paused: 1.", output)
        self.assertEqual(totals(self.acme), (Decimal("40.00"), Decimal("40.00")))
        self.assertEqual(totals(self.globex), (Decimal("90.00"), Decimal("90.00")))
        self.assertEqual(
            sorted(
                TotalsCorrection.objects.values_list(
                    "brand__name",
                    "corrected_at",
                    "daily_before",
                    "daily_after",
                    "monthly_before",
                    "monthly_after",
                )
            ),
            [
                (
                    "Acme",
                    NOW,
                    Decimal("140.00"),
                    Decimal("40.00"),
                    Decimal("40.00"),
                    Decimal("40.00"),
                ),
                (
                    "Globex",
                    NOW,
                    Decimal("0.00"),
                    Decimal("90.00"),
                    Decimal("0.00"),
                    Decimal("90.00"),
                ),
            ],
        )
        self.assertTrue(is_active(self.search))
        self.assertFalse(is_active(self.video))
        reconciled = CampaignStatusChange.objects.filter(cause=Cause.RECONCILE)
        self.assertEqual(
            sorted(reconciled.values_list("campaign__name", "is_active", "reasons")),
            [("Search", True, []), ("Video", False, ["Daily budget exceeded"])],
        )
        self.assertIn("All brand totals match the ledger.", run("reconcile_spend"))
        self.assertIn("All brand totals match the ledger.", run("reconcile_spend", "--fix"))
        self.assertEqual(TotalsCorrection.objects.count(), 2)
