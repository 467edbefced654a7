"""Crashes: a process killed with SIGKILL part-way through a write leaves all of it or none, a
periodic task whose worker was killed is delivered again and finishes the job, and totals
corrupted behind the system's back are found and repaired by reconcile_spend.

To kill a writer at a known point, the test holds a lock on the status history table, which a
spend or a sweep writes last (after the ledger row, the totals and the campaigns): the writer
blocks there with everything else written but not committed.
"""

import json
import time
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import TransactionTestCase
from kombu import Producer

from ads.models import Brand, Campaign, CampaignStatusChange, SpendLog, TotalsCorrection
from ads.services import BudgetService, CampaignService
from ads.tasks import enforce_budgets
from ads.tests.builders import make_brand, midday_zones
from ads.tests.processes import (
    Child,
    RedisServer,
    child_env,
    start_manage,
    start_script,
    start_worker,
    wait_for_worker,
    wait_until,
)
from budget_system.celery import app

Cause = CampaignStatusChange.Cause
# Seconds before Redis hands an unacknowledged message to another worker (an hour in production).
VISIBILITY_TIMEOUT = 3


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


def hold_history_table(test: TransactionTestCase) -> Any:
    """A second connection keeping everyone from writing status history until its rollback."""
    holder = connection.get_new_connection(connection.get_connection_params())
    test.addCleanup(holder.close)
    holder.cursor().execute("LOCK TABLE ads_campaignstatuschange IN SHARE MODE")
    return holder


def tables_written(backend: int) -> set[str]:
    """The tables the session `backend` has written in its open transaction."""
    return {
        table
        for (table,) in query(
            "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock'",
            backend,
        )
    }


def wait_for_session_end(backend: int) -> None:
    wait_until(
        lambda: not query("SELECT 1 FROM pg_stat_activity WHERE pid = %s", backend),
        30,
        "PostgreSQL to end the killed client's session",
    )


class KilledSpendTests(TransactionTestCase):
    def setUp(self) -> None:
        self.brand = make_brand("Acme", "100", "1000", timezone=midday_zones()[0])
        self.campaign = Campaign.objects.create(brand=self.brand, name="Search")
        BudgetService.record_spend(self.campaign, Decimal("95.00"))

    def test_a_spend_killed_mid_transaction_leaves_nothing_and_a_retry_counts_once(self) -> None:
        holder = hold_history_table(self)
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
        self.assertLessEqual({"ads_spendlog", "ads_brand", "ads_campaign"}, tables_written(backend))

        child.kill()
        holder.rollback()
        wait_for_session_end(backend)

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


def blocked_history_writer() -> int | None:
    """The session waiting to write status history behind the test's lock, if any."""
    rows = query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query LIKE %s",
        '%INSERT INTO "ads_campaignstatuschange"%',
    )
    return int(rows[0][0]) if rows else None


class KilledWorkerTests(TransactionTestCase):
    """A worker SIGKILLed in the middle of enforce_budgets, on a Redis of the test's own."""

    def setUp(self) -> None:
        self.redis = RedisServer()
        self.addCleanup(self.redis.close)
        self.redis.start()
        self.env = child_env(
            CELERY_BROKER_URL=self.redis.url(0),
            CELERY_RESULT_BACKEND=self.redis.url(1),
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        )
        over = make_brand("Over", "10", "1000", timezone=midday_zones()[0])
        under = make_brand("Under", "10", "1000", timezone=midday_zones()[0])
        Campaign.objects.create(brand=over, name="Over search")
        Campaign.objects.create(brand=under, name="Under search")
        BudgetService.record_spend(Campaign.objects.get(brand=over), Decimal("20.00"))
        # Both campaigns in the wrong state, as after writes that bypassed the rules.
        Campaign.objects.filter(brand=over).update(is_active=True)
        Campaign.objects.filter(brand=under).update(is_active=False)
        self.drifted = self.states()

    @staticmethod
    def states() -> dict[str, bool]:
        return dict(Campaign.objects.values_list("name", "is_active"))

    def start_worker(self, name: str) -> Child:
        worker = start_worker(self.env, name)
        self.addCleanup(worker.close)
        wait_for_worker(worker)
        return worker

    def test_the_task_is_delivered_again_and_ends_in_the_right_state(self) -> None:
        holder = hold_history_table(self)
        first = self.start_worker("first")
        with app.connection_for_write(self.redis.url(0)) as broker:
            task_id = enforce_budgets.apply_async(producer=Producer(broker)).id
        sent = time.monotonic()
        backend = 0

        def blocked() -> bool:
            nonlocal backend
            backend = blocked_history_writer() or 0
            return bool(backend)

        wait_until(blocked, 60, "the task to block on the history table")
        # Mid-task: both campaigns are switched in its open transaction.
        self.assertIn("ads_campaign", tables_written(backend))
        first.kill()
        holder.rollback()
        wait_for_session_end(backend)
        self.assertIn(f"[{task_id}] received", first.stderr())
        self.assertEqual(self.states(), self.drifted)
        self.assertFalse(CampaignStatusChange.objects.filter(cause=Cause.ENFORCE_BUDGETS).exists())

        # Redis hands the unacknowledged message out again once its visibility timeout is over;
        # a worker looks for such messages as it starts.
        wait_until(lambda: time.monotonic() > sent + VISIBILITY_TIMEOUT + 0.5, 10, "the timeout")
        second = self.start_worker("second")
        wait_until(
            lambda: f"[{task_id}] succeeded" in second.stderr() or not second.running(),
            60,
            "the redelivered task to finish",
        )
        self.assertIn(f"[{task_id}] succeeded", second.stderr(), second.describe())
        self.assertEqual(self.states(), {"Over search": False, "Under search": True})
        self.assertEqual(
            sorted(
                CampaignStatusChange.objects.filter(cause=Cause.ENFORCE_BUDGETS).values_list(
                    "campaign__name", "is_active"
                )
            ),
            [("Over search", False), ("Under search", True)],
        )


class ReconcileAfterCorruptionTests(TransactionTestCase):
    def setUp(self) -> None:
        zones = midday_zones()
        self.acme = make_brand("Acme", "100", "1000", timezone=zones[0])
        self.globex = make_brand("Globex", "100", "1000", timezone=zones[-1])
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
