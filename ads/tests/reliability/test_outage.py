"""Outages: Redis stopped, and PostgreSQL restarted in the middle of an ingestion.

Each test stops a server of its own (ads.tests.processes), never the shared ones.
"""

import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import InterfaceError, OperationalError, close_old_connections
from django.test import Client, TransactionTestCase
from django.test.utils import setup_test_environment
from kombu import Producer

from ads.models import Brand, Campaign, CampaignStatusChange
from ads.services import BudgetService, SpendEntry
from ads.tasks import enforce_budgets
from ads.tests.builders import midday_zones
from ads.tests.processes import (
    Child,
    PostgresCluster,
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


def spend_and_open_the_admin(campaign_id: int) -> dict[str, Any]:
    """Child, whose broker is down: record a spend, then list brands in the admin."""
    setup_test_environment()  # lets the test client's "testserver" host in
    spend = BudgetService.record_spend(Campaign.objects.get(pk=campaign_id), Decimal("12.50"))
    client = Client()
    client.force_login(User.objects.create_superuser("ops", "ops@example.com", "unused-here"))
    response = client.get("/admin/ads/brand/")
    return {
        "spend": str(spend.amount),
        "admin_status": response.status_code,
        "brand_listed": "Acme" in response.content.decode(),
        "paused": not Campaign.objects.get(pk=campaign_id).is_active,
    }


class RedisOutageTests(TransactionTestCase):
    def test_spend_and_admin_work_without_redis_and_tasks_run_once_it_is_back(self) -> None:
        redis = RedisServer()
        self.addCleanup(redis.close)
        redis.start()
        env = child_env(CELERY_BROKER_URL=redis.url(0), CELERY_RESULT_BACKEND=redis.url(1))
        worker = start_worker(env, "outage")
        self.addCleanup(worker.close)
        wait_for_worker(worker)
        brand = Brand.objects.create(
            name="Acme",
            daily_budget=Decimal("10"),
            monthly_budget=Decimal("1000"),
            timezone=midday_zones()[0],
        )
        search = Campaign.objects.create(brand=brand, name="Search")
        other = Campaign.objects.create(brand=brand, name="Video")

        redis.stop()
        child = start_script(f"{__name__}:spend_and_open_the_admin", env, campaign_id=search.pk)
        self.addCleanup(child.close)
        self.assertEqual(
            child.result(timeout=120),
            {"spend": "12.50", "admin_status": 200, "brand_listed": True, "paused": True},
        )
        # A state only a task repairs, so that the task's run is visible.
        Campaign.objects.filter(pk=other.pk).update(is_active=True)

        redis.start()
        # The worker reconnects by itself (its second "Connected to" line) and runs new work.
        wait_until(
            lambda: worker.stderr().count("Connected to redis://") >= 2,
            90,
            "the worker to reconnect to Redis",
        )
        with app.connection_for_write(redis.url(0)) as broker:
            task_id = enforce_budgets.apply_async(producer=Producer(broker)).id
        wait_until(lambda: f"[{task_id}] succeeded" in worker.stderr(), 60, "the task to run")
        self.assertFalse(Campaign.objects.get(pk=other.pk).is_active)
        self.assertTrue(
            CampaignStatusChange.objects.filter(
                campaign=other, cause=Cause.ENFORCE_BUDGETS, is_active=False
            ).exists()
        )


BATCHES = 10
PER_BATCH = 5
AMOUNT = Decimal("3.00")
BUDGET = Decimal("100.00")  # batch 6 (0-based) takes the brand over: 7 x 15.00 = 105.00
OVER_BUDGET_BATCH = 6


def wait_for_file(path: Path) -> None:
    wait_until(path.exists, 120, f"{path.name} from the test")


def ingest_across_a_restart(signals: str) -> dict[str, Any]:
    """Child: an ingester that retries a failed batch, as a real one would.

    It sets up its brand, waits for "go", then records BATCHES batches with external ids. On a
    database error it reports the error, tries once more (the server is still down then) and
    waits for "resume" before retrying for good.
    """
    folder = Path(signals)
    brand = Brand.objects.create(
        name="Feed", daily_budget=BUDGET, monthly_budget=Decimal(10**5), timezone=midday_zones()[0]
    )
    campaign = Campaign.objects.create(brand=brand, name="Feed")
    print(json.dumps({"campaign": campaign.pk}), flush=True)
    wait_for_file(folder / "go")
    errors: list[str] = []
    for batch in range(BATCHES):
        entries = [
            SpendEntry(campaign.pk, AMOUNT, external_id=f"{batch}-{n}") for n in range(PER_BATCH)
        ]
        while True:
            try:
                BudgetService.record_spends(entries)
                break
            except (OperationalError, InterfaceError) as error:
                errors.append(f"{type(error).__name__}: {str(error).strip().splitlines()[0]}")
                print(json.dumps({"error": errors[-1]}), flush=True)
                close_old_connections()  # what Django does between requests
                if len(errors) == 2:
                    wait_for_file(folder / "resume")
                if len(errors) > 10:
                    raise
                time.sleep(0.2)
    return {
        "errors": errors,
        "drift": len(BudgetService.find_drift()),
        "summary": {
            key: str(value) for key, value in BudgetService.get_brand_summary(brand).items()
        },
    }


class PostgresRestartTests(TransactionTestCase):
    """A throwaway cluster, restarted while a batch is half-written, then brought back."""

    def setUp(self) -> None:
        self.cluster = PostgresCluster()
        self.addCleanup(self.cluster.close)
        self.cluster.init()
        self.cluster.start()
        self.cluster.create_database("ingest")
        self.env = child_env(self.cluster.url("ingest"))
        migrate = start_manage("migrate", "--verbosity", "0", env=self.env)
        self.addCleanup(migrate.close)
        self.assertEqual(migrate.wait(timeout=180), 0, migrate.describe())

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        conn = self.cluster.connect("ingest")
        try:
            cursor = conn.cursor()
            cursor.execute(statement)
            return list(cursor.fetchall())
        finally:
            conn.close()

    def messages(self, child: Child, key: str) -> list[Any]:
        lines = [json.loads(line) for line in child.stdout().splitlines() if line.startswith("{")]
        return [line[key] for line in lines if key in line]

    def test_the_caller_gets_a_database_error_no_partial_batch_and_work_resumes(self) -> None:
        signals = Path(self.cluster.directory) / "signals"
        signals.mkdir()
        child = start_script(f"{__name__}:ingest_across_a_restart", self.env, signals=str(signals))
        self.addCleanup(child.close)
        wait_until(lambda: bool(self.messages(child, "campaign")), 60, "the ingester's setup")

        # The over-budget batch pauses the campaign in the statement that writes its history
        # (the sync's one write): hold it there.
        holder = self.cluster.connect("ingest")
        self.addCleanup(holder.close)
        holder.autocommit = False
        holder.cursor().execute("LOCK TABLE ads_campaignstatuschange IN SHARE MODE")
        (signals / "go").touch()
        wait_until(
            lambda: bool(
                self.sql(
                    "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%INSERT INTO \"ads_campaignstatuschange\"%'"
                )
            ),
            60,
            "the over-budget batch to block",
        )

        self.cluster.stop("immediate")
        wait_until(lambda: len(self.messages(child, "error")) >= 2, 60, "the ingester's errors")
        self.cluster.start()
        # Nothing of the interrupted batch: the batches before it, and their totals, only.
        before = OVER_BUDGET_BATCH * PER_BATCH * AMOUNT
        self.assertEqual(
            self.sql(
                "SELECT count(*), sum(amount), (SELECT current_daily_spend FROM ads_brand), "
                "(SELECT bool_and(is_active) FROM ads_campaign), "
                "(SELECT count(*) FROM ads_campaignstatuschange WHERE NOT is_active) "
                "FROM ads_spendlog"
            ),
            [(OVER_BUDGET_BATCH * PER_BATCH, before, before, True, 0)],
        )

        (signals / "resume").touch()
        result = child.result(timeout=120)
        for error in result["errors"]:
            self.assertRegex(error, r"^(OperationalError|InterfaceError): \S")
        self.assertEqual(len(result["errors"]), 2, result["errors"])
        total = str(BATCHES * PER_BATCH * AMOUNT)
        self.assertEqual(result["drift"], 0)
        self.assertEqual(result["summary"]["current_daily_spend"], total)
        self.assertEqual(result["summary"]["active_campaigns"], "0")
        self.assertEqual(
            self.sql("SELECT count(*), count(DISTINCT external_id), sum(amount) FROM ads_spendlog"),
            [(BATCHES * PER_BATCH, BATCHES * PER_BATCH, Decimal(total))],
        )
