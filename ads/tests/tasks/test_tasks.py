"""The periodic tasks: sent with .delay() to a real worker on the real Redis, their effect read
from the database and their summary from the result backend; set-based query counts; repeated,
overlapping and late runs; and spend recording with the broker down."""

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from itertools import cycle
from typing import Any

import time_machine
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Brand, Campaign, CampaignStatusChange, DaypartingSchedule
from ads.periods import local_period, zone
from ads.services import BudgetService
from ads.services.campaigns import SWEEP_BRANDS
from ads.sql.locks import AdvisoryLock
from ads.tasks import enforce_budgets, enforce_dayparting, reset_daily_monthly_spends
from ads.tests.celery_worker import (
    WorkerTestCase,
    waiting_for_periodic_lock,
)
from ads.tests.processes import (
    child_env,
    free_port,
    start_script,
    wait_until,
)

Cause = CampaignStatusChange.Cause
ZONES = ("UTC", "America/New_York")
NOON = datetime(2026, 3, 18, 12, tzinfo=UTC)
CAMPAIGNS_PER_BRAND = 5


def make_brand(name: str, daily: str = "100.00", tz: str = "UTC") -> Brand:
    return Brand.objects.create(
        name=name, daily_budget=Decimal(daily), monthly_budget=Decimal("1000.00"), timezone=tz
    )


def history(cause: str) -> list[tuple[str, bool]]:
    return list(
        CampaignStatusChange.objects.filter(cause=cause)
        .order_by("changed_at", "campaign__name")
        .values_list("campaign__name", "is_active")
    )


def build_portfolio(campaigns: int, start: int = 0) -> None:
    """`campaigns` campaigns in brands of five, bulk-inserted (no signals): every other brand has
    a budget of 0 (always exceeded), every other campaign an all-day dayparting window, and the
    zones alternate. `drift` then puts every campaign in the wrong state."""
    now = datetime.now(UTC)
    brands = []
    for number, tz in zip(range(start, start + campaigns // CAMPAIGNS_PER_BRAND), cycle(ZONES)):
        period = local_period(now, zone(tz))
        brands.append(
            Brand(
                name=f"Brand {number}",
                daily_budget=Decimal(0 if number % 2 else 100),
                monthly_budget=Decimal(1000),
                timezone=tz,
                spend_day=period.day,
                spend_month=period.month,
            )
        )
    Brand.objects.bulk_create(brands)
    created = Campaign.objects.bulk_create(
        Campaign(brand=brand, name=f"Campaign {index}")
        for brand in brands
        for index in range(CAMPAIGNS_PER_BRAND)
    )
    DaypartingSchedule.objects.bulk_create(
        DaypartingSchedule(campaign=campaign, start_time=time(0), end_time=time(23, 59, 59))
        for campaign in created[::2]
    )


def drift() -> None:
    """Every campaign the opposite of what the rules say (as after writes that bypassed them),
    and due, so the minute's sweep of the due campaigns judges them all too."""
    Campaign.objects.filter(brand__daily_budget=0).update(is_active=True)
    Campaign.objects.exclude(brand__daily_budget=0).update(is_active=False)
    Campaign.objects.update(next_check_at=datetime.now(UTC))
    Brand.objects.update(spend_day=date(2000, 1, 1), spend_month=date(2000, 1, 1))


# Noon: the portfolios' 00:00-23:59:59 windows are open, and no day turns during a test.
@time_machine.travel(NOON, tick=True)
class TaskQueryCountTests(TestCase):
    """Each task body sends the same statements for each batch of `SWEEP_BRANDS` brands it
    switches, none per campaign: 2 brands of five campaigns in one batch, 2 + SWEEP_BRANDS in
    two, 5 x SWEEP_BRANDS in five."""

    def queries(self, task: Any) -> int:
        drift()
        with CaptureQueriesContext(connection) as captured:
            summary = task()
        self.assertGreater(summary["paused"], 0)
        self.assertGreater(summary["activated"], 0)
        return len(captured.captured_queries)

    def test_the_same_queries_per_batch_at_one_two_and_five_batches(self) -> None:
        per_brand, batch = CAMPAIGNS_PER_BRAND, SWEEP_BRANDS
        for task in (enforce_budgets, enforce_dayparting, reset_daily_monthly_spends):
            with self.subTest(task=task.name), transaction.atomic():
                before = Campaign.objects.count()
                build_portfolio(2 * per_brand)
                one_batch = self.queries(task)
                build_portfolio(batch * per_brand, start=2)
                per_batch = self.queries(task) - one_batch
                build_portfolio((4 * batch - 2) * per_brand, start=2 + batch)
                self.assertEqual(Campaign.objects.count(), before + 5 * batch * per_brand)
                self.assertEqual(self.queries(task), one_batch + 4 * per_batch)
                transaction.set_rollback(True)  # the next task starts from nothing again


@time_machine.travel(NOON, tick=True)
class SteadyTaskQueryCountTests(TestCase):
    """A run with nothing to change sends the same statements at 10 and at 500 campaigns: the
    minute's sweep and the reset read only what is due, the safety net (every 5 minutes)
    streams every campaign in one statement."""

    def steady_queries(self, task: Any) -> int:
        task()  # settle: every campaign judged, its next check stored
        with CaptureQueriesContext(connection) as captured:
            summary = task()
        self.assertEqual((summary["activated"], summary["paused"]), (0, 0))
        return len(captured.captured_queries)

    def test_the_same_queries_at_10_and_500_campaigns(self) -> None:
        for task in (enforce_budgets, enforce_dayparting, reset_daily_monthly_spends):
            with self.subTest(task=task.name), transaction.atomic():
                build_portfolio(10)
                few = self.steady_queries(task)
                build_portfolio(490, start=2)
                self.assertEqual(self.steady_queries(task), few)
                transaction.set_rollback(True)


@time_machine.travel(NOON, tick=True)
class TaskWorkerTests(WorkerTestCase):
    """Each task through the broker: the worker's change in the database, its summary back."""

    def test_enforce_budgets_pauses_and_activates_and_reports_counts(self) -> None:
        over = make_brand("Over", daily="0.00")
        under = make_brand("Under")
        Campaign.objects.create(brand=over, name="Over search")
        Campaign.objects.create(brand=under, name="Under search")
        drift()  # the states are swapped behind the rules' back

        summary = self.run_task(enforce_budgets)

        self.assertEqual(summary, {"activated": 1, "paused": 1})
        self.assertEqual(
            dict(Campaign.objects.values_list("name", "is_active")),
            {"Over search": False, "Under search": True},
        )
        self.assertEqual(
            history(Cause.ENFORCE_BUDGETS), [("Over search", False), ("Under search", True)]
        )

    def test_enforce_dayparting_follows_the_clock(self) -> None:
        with time_machine.travel(datetime(2025, 3, 3, 10, tzinfo=UTC), tick=True) as clock:
            campaign = Campaign.objects.create(brand=make_brand("Shop"), name="Office hours")
            DaypartingSchedule.objects.create(
                campaign=campaign, start_time=time(9), end_time=time(17), timezone="UTC"
            )
            campaign.refresh_from_db()
            self.assertTrue(campaign.is_active)

            clock.move_to(datetime(2025, 3, 3, 17, 30, tzinfo=UTC))
            self.assertEqual(self.run_task(enforce_dayparting), {"activated": 0, "paused": 1})
            campaign.refresh_from_db()
            self.assertFalse(campaign.is_active)

            clock.move_to(datetime(2025, 3, 4, 9, 0, 5, tzinfo=UTC))
            self.assertEqual(self.run_task(enforce_dayparting), {"activated": 1, "paused": 0})
        campaign.refresh_from_db()
        self.assertTrue(campaign.is_active)
        self.assertEqual(
            history(Cause.ENFORCE_DAYPARTING), [("Office hours", False), ("Office hours", True)]
        )

    def test_reset_after_hours_of_downtime_catches_up_in_one_run(self) -> None:
        # New York, Friday 31 January 15:00: the daily budget is spent.
        with time_machine.travel(datetime(2025, 1, 31, 20, tzinfo=UTC), tick=True) as clock:
            brand = make_brand("Late", daily="50.00", tz="America/New_York")
            campaign = Campaign.objects.create(brand=brand, name="Search")
            BudgetService.record_spend(campaign, Decimal("60.00"))
            campaign.refresh_from_db()
            self.assertFalse(campaign.is_active)

            # Beat and the worker were down for 40 hours: two local midnights and a month end.
            clock.move_to(datetime(2025, 2, 2, 12, tzinfo=UTC))
            summary = self.run_task(reset_daily_monthly_spends)

        self.assertEqual(summary, {"brands_rolled_over": 1, "activated": 1, "paused": 0})
        brand.refresh_from_db()
        campaign.refresh_from_db()
        self.assertEqual((brand.spend_day, brand.spend_month), (date(2025, 2, 2), date(2025, 2, 1)))
        self.assertEqual(
            (brand.current_daily_spend, brand.current_monthly_spend), (Decimal(0), Decimal(0))
        )
        self.assertTrue(campaign.is_active)
        self.assertEqual(history(Cause.RESET), [("Search", True)])

    def test_repeated_runs_change_nothing_more(self) -> None:
        build_portfolio(20)
        drift()
        self.assertEqual(
            self.run_task(reset_daily_monthly_spends),
            {"brands_rolled_over": 4, "activated": 10, "paused": 10},
        )
        state = sorted(Campaign.objects.values_list("pk", "is_active"))
        changes = CampaignStatusChange.objects.count()

        for task in (reset_daily_monthly_spends, enforce_budgets, enforce_dayparting) * 2:
            with self.subTest(task=task.name):
                self.assertEqual(self.run_task(task)["activated"], 0)
        self.assertEqual(sorted(Campaign.objects.values_list("pk", "is_active")), state)
        self.assertEqual(CampaignStatusChange.objects.count(), changes)

    def test_overlapping_runs_end_as_one_run(self) -> None:
        build_portfolio(20)
        drift()
        # Hold the periodic-work lock while two runs start on the worker's two threads, so
        # both are certainly in flight at once; then let them go.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AdvisoryLock.PERIODIC_WORK])
            results = [enforce_budgets.delay(), reset_daily_monthly_spends.delay()]
            wait_until(lambda: waiting_for_periodic_lock() == 2, 30, "two runs at the lock")
        summaries = [result.get(timeout=60) for result in results]

        self.assertEqual(sum(summary["paused"] for summary in summaries), 10)
        self.assertEqual(sum(summary["activated"] for summary in summaries), 10)
        self.assertEqual(
            dict(Campaign.objects.values_list("pk", "is_active")),
            {
                pk: budget > 0
                for pk, budget in Campaign.objects.values_list("pk", "brand__daily_budget")
            },
        )
        # One history row per campaign: no run repeated the other's changes.
        self.assertEqual(CampaignStatusChange.objects.count(), 20)
        self.assertFalse(Brand.objects.filter(spend_day=date(2000, 1, 1)).exists())


def record_spend_with_broker_down() -> dict[str, Any]:
    """Child script: record a spend that exceeds the budget, in a process whose broker is a
    closed port; report whether the campaign paused and what sending a task does there."""
    from django.db import transaction as tx

    from ads.tasks import enforce_budgets as task

    with tx.atomic():
        brand = make_brand("No broker", daily="10.00")
        campaign = Campaign.objects.create(brand=brand, name="Search")
        active_before = Campaign.objects.get(pk=campaign.pk).is_active
        BudgetService.record_spend(campaign, Decimal("12.50"))
    campaign.refresh_from_db()
    try:
        task.apply_async(retry=False)
        broker_error = ""
    except Exception as error:  # whatever kombu raises is the evidence
        broker_error = type(error).__name__
    return {
        "active_before": active_before,
        "active_after": campaign.is_active,
        "daily_spend": str(Brand.objects.get(pk=brand.pk).current_daily_spend),
        "broker_error": broker_error,
    }


class BrokerDownTests(TransactionTestCase):
    """Recording a spend never needs Redis: the pause happens in the spend's transaction."""

    def test_spend_pauses_at_once_with_the_broker_unreachable(self) -> None:
        closed = f"redis://127.0.0.1:{free_port()}/0"
        env = child_env(CELERY_BROKER_URL=closed)
        child = start_script("ads.tests.tasks.test_tasks:record_spend_with_broker_down", env=env)
        self.addCleanup(child.close)
        result = child.result(timeout=120)
        self.assertEqual(
            result,
            {
                "active_before": True,
                "active_after": False,
                "daily_spend": "12.50",
                "broker_error": "OperationalError",
            },
            msg=json.dumps(result),
        )
