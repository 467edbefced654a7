"""Races that only real row locks can show (PostgreSQL, one connection per thread).

- A reset that waited on a brand lock across local midnight must not roll the brand back into
  yesterday: its clock is read after the locks are held.
- A campaign must never move to another brand once it has spend, whichever of the move and the
  campaign's first spend takes the brand lock first.
- A sweep locks only the brands whose campaigns it switches: a spend holding another brand
  never makes it wait (nor it the spend).
- Pruning the outbox never deletes a delivery an operator made pending again ("deliver
  again") while the prune ran.

Each test holds one transaction open at a chosen point, starts the other writer, waits until the
database shows it blocked on a lock, and then lets the first one go: the interleaving is forced,
not hoped for.
"""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.models import Sum
from django.test import TransactionTestCase

from ads.models import (
    Brand,
    Campaign,
    CampaignStatusChange,
    Delivery,
    Event,
    SpendLog,
    WebhookEndpoint,
)
from ads.services import BudgetService, CampaignService
from ads.services.webhooks import deliver_again, prune_settled_events
from ads.tests.builders import make_brand, make_campaign, utc
from ads.tests.processes import wait_until

Cause = CampaignStatusChange.Cause


def sessions_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def in_thread(pool: ThreadPoolExecutor, work: Callable[[], Any]) -> "Future[Any]":
    """Run `work` on its own database connection, closed when it is done."""

    def run() -> Any:
        try:
            return work()
        finally:
            connections.close_all()

    return pool.submit(run)


@contextmanager
def held_open(
    pool: ThreadPoolExecutor, work: Callable[[], Any], then: Callable[[], Any] = lambda: None
) -> Iterator[None]:
    """Run `work` in a transaction on another thread and keep it open for the `with` block.

    The block is entered once `work` has run (its locks are held); leaving it runs `then` in the
    same transaction and commits.
    """
    done, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            work()
            done.set()
            if not release.wait(timeout=30):
                raise TimeoutError("never released")
            then()

    future = in_thread(pool, hold)
    if not done.wait(timeout=30):
        future.result(timeout=1)
        raise TimeoutError("the held transaction never got its locks")
    try:
        yield
    finally:
        release.set()
        future.result(timeout=30)


@pytest.mark.postgresql(reason="the interleavings are forced with PostgreSQL's row locks")
class ResetAcrossMidnightTests(TransactionTestCase):
    def test_a_reset_that_waited_over_midnight_does_not_roll_the_brand_back(self) -> None:
        # The brand last spent on the 17th: at 23:59:59.9 on the 18th the reset wants it.
        with time_machine.travel(utc("2026-03-17T23:00:00"), tick=False) as clock:
            brand = make_brand("Acme", daily="50.00", monthly="1000.00")
            campaign = make_campaign(brand)
            BudgetService.record_spend(campaign, "60.00")  # paused for the day
            clock.move_to(utc("2026-03-18T23:59:59.900000"))
            with ThreadPoolExecutor(2) as pool:
                # A spend holds the brand from just before the reset asks for it, and is
                # recorded at 00:00:00.3: it rolls the brand into the new day.
                lock = lambda: CampaignService.lock_brand(brand.pk)  # noqa: E731
                spend = lambda: BudgetService.record_spend(campaign, "1.00")  # noqa: E731
                with held_open(pool, lock, then=spend):
                    reset = in_thread(pool, BudgetService.reset_daily_monthly_spends)
                    wait_until(lambda: sessions_waiting_for_a_lock() == 1, 30, "reset blocked")
                    clock.move_to(utc("2026-03-19T00:00:00.300000"))
                result = reset.result(timeout=30)

        brand.refresh_from_db()
        self.assertEqual((brand.spend_day, brand.current_daily_spend), (date(2026, 3, 19), 1))
        self.assertEqual(brand.current_monthly_spend, Decimal("61.00"))
        self.assertEqual(result.rolled, [])
        campaign.refresh_from_db()
        self.assertTrue(campaign.is_active)
        # No history row stamped before the change that really happened.
        history = list(
            campaign.status_changes.order_by("id").values_list("is_active", "cause", "changed_at")
        )
        self.assertEqual(
            [(active, cause) for active, cause, _ in history],
            [(True, Cause.OPERATOR), (False, Cause.SPEND), (True, Cause.SPEND)],
        )
        self.assertTrue(all(when >= utc("2026-03-17T23:00:00") for *_, when in history))
        self.assertEqual(history[-1][2], utc("2026-03-19T00:00:00.300000"))


@pytest.mark.postgresql(reason="the interleavings are forced with PostgreSQL's row locks")
class CampaignMoveRaceTests(TransactionTestCase):
    def setUp(self) -> None:
        self.old = make_brand("Old")
        self.new = make_brand("New")
        self.campaign = make_campaign(self.old)

    def move(self) -> None:
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        campaign.brand = Brand.objects.get(pk=self.new.pk)
        campaign.save()

    def assert_totals_equal_the_ledger(self) -> None:
        for brand in Brand.objects.all():
            ledger = SpendLog.objects.filter(campaign__brand=brand).aggregate(sum=Sum("amount"))
            with self.subTest(brand=brand.name):
                self.assertEqual(brand.current_daily_spend, ledger["sum"] or 0)
                self.assertEqual(brand.current_monthly_spend, ledger["sum"] or 0)

    def test_a_move_that_waited_for_the_first_spend_is_refused(self) -> None:
        with ThreadPoolExecutor(2) as pool:
            spend = lambda: BudgetService.record_spend(self.campaign, "5.00")  # noqa: E731
            with held_open(pool, spend):
                move = in_thread(pool, self.move)
                wait_until(lambda: sessions_waiting_for_a_lock() == 1, 30, "the move blocked")
            with self.assertRaises(ValidationError) as caught:
                move.result(timeout=30)
        self.assertIn("brand", caught.exception.message_dict)
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).brand_id, self.old.pk)
        self.assert_totals_equal_the_ledger()

    def test_a_first_spend_that_waited_for_a_move_goes_to_the_new_brand(self) -> None:
        with ThreadPoolExecutor(2) as pool:
            with held_open(pool, self.move):
                spend = in_thread(pool, lambda: BudgetService.record_spend(self.campaign, "5.00"))
                wait_until(lambda: sessions_waiting_for_a_lock() == 1, 30, "the spend blocked")
            spend.result(timeout=30)
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).brand_id, self.new.pk)
        self.assertEqual(Brand.objects.get(pk=self.new.pk).current_daily_spend, Decimal("5.00"))
        self.assert_totals_equal_the_ledger()

    def test_a_campaign_with_spend_never_moves(self) -> None:
        BudgetService.record_spend(self.campaign, "5.00")
        with self.assertRaises(ValidationError):
            self.move()
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).brand_id, self.old.pk)
        self.assert_totals_equal_the_ledger()


@pytest.mark.postgresql(reason="row locks are PostgreSQL's")
class SweepLocksOnlyWhatItChangesTests(TransactionTestCase):
    """A sweep never waits on a brand it does not change, so it never makes those spends wait."""

    def setUp(self) -> None:
        self.busy = make_brand("Busy")
        self.busy_campaign = make_campaign(self.busy)
        self.drifted = make_brand("Drifted")
        self.drifted_campaign = make_campaign(self.drifted)

    def test_a_steady_sweep_and_reset_finish_while_a_spend_holds_a_brand(self) -> None:
        with ThreadPoolExecutor(2) as pool:
            lock = lambda: CampaignService.lock_brand(self.busy.pk)  # noqa: E731
            with held_open(pool, lock):
                sweep = in_thread(pool, lambda: CampaignService.sync_all(Cause.ENFORCE_BUDGETS))
                self.assertEqual(sweep.result(timeout=20).paused, [])
                reset = in_thread(pool, BudgetService.reset_daily_monthly_spends)
                self.assertEqual(reset.result(timeout=20).rolled, [])

    def test_a_sweep_switches_another_brands_campaign_while_a_spend_holds_a_brand(self) -> None:
        Campaign.objects.filter(pk=self.drifted_campaign.pk).update(is_active=False)
        with ThreadPoolExecutor(2) as pool:
            lock = lambda: CampaignService.lock_brand(self.busy.pk)  # noqa: E731
            with held_open(pool, lock):
                sweep = in_thread(pool, lambda: CampaignService.sync_all(Cause.ENFORCE_BUDGETS))
                self.assertEqual(sweep.result(timeout=20).activated, [self.drifted_campaign.pk])
        self.assertTrue(Campaign.objects.get(pk=self.drifted_campaign.pk).is_active)


@pytest.mark.postgresql(reason="row locks are PostgreSQL's")
class PruneAndDeliverAgainTests(TransactionTestCase):
    def test_a_delivery_made_pending_while_the_prune_waits_keeps_its_event(self) -> None:
        endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/", secret="s")
        now = utc("2026-03-18T12:00:00")
        event = Event.objects.create(
            type=Event.Type.CAMPAIGN_PAUSED, time=utc("2026-01-01T00:00:00"), data={}
        )
        delivery = Delivery.objects.create(
            event=event, endpoint=endpoint, status=Delivery.Status.FAILED
        )
        with ThreadPoolExecutor(2) as pool:
            again = lambda: deliver_again(Delivery.objects.filter(pk=delivery.pk))  # noqa: E731
            with held_open(pool, again):
                prune = in_thread(pool, lambda: prune_settled_events(now=now))
                wait_until(lambda: sessions_waiting_for_a_lock() == 1, 30, "the prune blocked")
            self.assertEqual(prune.result(timeout=30), 0)
        self.assertEqual(Delivery.objects.get(pk=delivery.pk).status, Delivery.Status.PENDING)
        self.assertTrue(Event.objects.filter(pk=event.pk).exists())
