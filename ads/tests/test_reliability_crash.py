"""Crashes: a process killed with SIGKILL part-way through a write leaves all of it or none, and
totals corrupted behind the system's back are found and repaired by reconcile_spend.

To kill a spend at a known point, the test holds a lock on the status history table, which a
spend writes last (when it pauses the campaigns of a brand it took over budget): the child blocks
there with its ledger row, the brand's new totals and the pause written but not committed.
"""

import json
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import TransactionTestCase

from ads.models import Brand, Campaign, CampaignStatusChange, SpendLog, TotalsCorrection
from ads.services import BudgetService, CampaignService
from ads.tests.processes import Child, child_env, start_manage, start_script, wait_until

Cause = CampaignStatusChange.Cause


def record_one_spend(campaign_id: int, amount: str, external_id: str) -> int:
    """Child: announce this process's database backend, then record one spend."""
    connection.ensure_connection()
    backend = connection.connection.get_backend_pid()
    print(json.dumps({"backend": backend}), flush=True)
    campaign = Campaign.objects.get(pk=campaign_id)
    return BudgetService.record_spend(campaign, amount, external_id=external_id).pk


def query(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run `sql` on this test's connection; in autocommit, so every call sees the present."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def first_line(child: Child) -> dict[str, Any]:
    wait_until(lambda: bool(child.stdout().strip()) or not child.running(), 60, "the child")
    line = child.stdout().strip().splitlines()
    if not line:
        raise AssertionError(child.describe())
    return dict(json.loads(line[0]))


class KilledSpendTests(TransactionTestCase):
    def setUp(self) -> None:
        self.brand = Brand.objects.create(
            name="Acme", daily_budget=Decimal("100"), monthly_budget=Decimal("1000")
        )
        self.campaign = Campaign.objects.create(brand=self.brand, name="Search")
        BudgetService.record_spend(self.campaign, Decimal("95.00"))

    def hold_history_table(self) -> Any:
        """A second connection that keeps others from writing status history until rollback."""
        holder = connection.get_new_connection(connection.get_connection_params())
        self.addCleanup(holder.close)
        holder.cursor().execute("LOCK TABLE ads_campaignstatuschange IN SHARE MODE")
        return holder

    def test_a_spend_killed_mid_transaction_leaves_nothing_and_a_retry_counts_once(self) -> None:
        holder = self.hold_history_table()
        child = start_script(
            f"{__name__}:record_one_spend",
            campaign_id=self.campaign.pk,
            amount="10.00",
            external_id="event-1",
        )
        self.addCleanup(child.close)
        backend = first_line(child)["backend"]
        wait_until(
            lambda: query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", backend)
            == [("Lock",)],
            60,
            "the spend to block on the history table",
        )
        # Part-way: the ledger row, the totals and the pause are written, not committed.
        written = {
            table
            for (table,) in query(
                "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock'",
                backend,
            )
        }
        self.assertLessEqual({"ads_spendlog", "ads_brand", "ads_campaign"}, written)

        child.kill()
        holder.rollback()
        wait_until(
            lambda: not query("SELECT 1 FROM pg_stat_activity WHERE pid = %s", backend),
            30,
            "PostgreSQL to end the killed client's session",
        )

        self.assert_totals(Decimal("95.00"), spends=1)
        self.assertTrue(Campaign.objects.get(pk=self.campaign.pk).is_active)
        # The caller re-sends the event it never got an answer for: counted exactly once.
        for _ in range(2):
            BudgetService.record_spend(self.campaign, "10.00", external_id="event-1")
        self.assert_totals(Decimal("105.00"), spends=2)
        self.assertFalse(Campaign.objects.get(pk=self.campaign.pk).is_active)

    def assert_totals(self, total: Decimal, spends: int) -> None:
        brand = Brand.objects.get(pk=self.brand.pk)
        self.assertEqual(SpendLog.objects.count(), spends)
        self.assertEqual((brand.current_daily_spend, brand.current_monthly_spend), (total, total))
        self.assertEqual(BudgetService.find_drift(), [])


class ReconcileAfterCorruptionTests(TransactionTestCase):
    def setUp(self) -> None:
        self.acme = Brand.objects.create(
            name="Acme", daily_budget=Decimal("100"), monthly_budget=Decimal("1000")
        )
        self.globex = Brand.objects.create(
            name="Globex",
            daily_budget=Decimal("100"),
            monthly_budget=Decimal("1000"),
            timezone="Asia/Tokyo",
        )
        self.search = Campaign.objects.create(brand=self.acme, name="Search")
        self.video = Campaign.objects.create(brand=self.globex, name="Video")
        BudgetService.record_spend(self.search, Decimal("40.00"))
        BudgetService.record_spend(self.video, Decimal("12.34"))

    def reconcile(self, *args: str) -> tuple[int, str]:
        child = start_manage("reconcile_spend", *args, env=child_env())
        try:
            return child.wait(timeout=60), child.stdout() + child.stderr()
        finally:
            child.close()

    def test_drift_is_reported_with_a_non_zero_exit_then_fixed_and_recorded(self) -> None:
        # Corrupt the stored totals with raw SQL, as a bad manual fix or a restore might.
        query(
            "UPDATE ads_brand SET current_daily_spend = current_daily_spend + 70 WHERE id = %s",
            self.acme.pk,
        )
        query("UPDATE ads_brand SET current_monthly_spend = 0 WHERE id = %s", self.globex.pk)
        # A sweep trusts the stored totals: Acme now looks over budget and is paused.
        CampaignService.sync_all(Cause.ENFORCE_BUDGETS)
        self.assertFalse(Campaign.objects.get(pk=self.search.pk).is_active)

        code, output = self.reconcile()
        self.assertEqual(code, 1, output)
        self.assertIn("Acme", output)
        self.assertIn("daily stored 110.00 ledger 40.00", output)
        self.assertIn("Globex", output)
        self.assertIn("monthly stored 0.00 ledger 12.34", output)
        self.assertEqual(TotalsCorrection.objects.count(), 0)

        code, output = self.reconcile("--fix")
        self.assertEqual(code, 0, output)
        self.assertIn("Repaired 2 brand(s)", output)

        code, output = self.reconcile()
        self.assertEqual(code, 0, output)
        self.assertIn("All brand totals match the ledger", output)
        acme = Brand.objects.get(pk=self.acme.pk)
        self.assertEqual(acme.current_daily_spend, Decimal("40.00"))
        self.assertEqual(
            Brand.objects.get(pk=self.globex.pk).current_monthly_spend, Decimal("12.34")
        )
        corrections = {
            c.brand_id: (c.daily_before, c.daily_after, c.monthly_before, c.monthly_after)
            for c in TotalsCorrection.objects.all()
        }
        self.assertEqual(
            corrections,
            {
                self.acme.pk: (
                    Decimal("110.00"),
                    Decimal("40.00"),
                    Decimal("40.00"),
                    Decimal("40.00"),
                ),
                self.globex.pk: (
                    Decimal("12.34"),
                    Decimal("12.34"),
                    Decimal("0.00"),
                    Decimal("12.34"),
                ),
            },
        )
        # The repaired totals released the campaign the corruption had paused.
        self.assertTrue(Campaign.objects.get(pk=self.search.pk).is_active)
        self.assertTrue(
            CampaignStatusChange.objects.filter(
                campaign=self.search, is_active=True, cause=Cause.RECONCILE
            ).exists()
        )
