"""Webhook delivery against a real HTTP receiver on loopback (ads.tests.webhook_receiver).

Signed CloudEvents in the order of the changes; a 500 retried once it is due; a receiver that
hangs holds neither a spend nor a sweep, and its attempt is recorded as a timeout; delivery by
a real Celery worker on the webhooks queue; with the broker down the spend still records and
the sweep delivers later.
"""

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import time_machine
from django.db import close_old_connections
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from ads.models import Campaign, Delivery, SpendLog, WebhookEndpoint
from ads.services import BudgetService, CampaignService, Cause
from ads.services.webhooks import send_due
from ads.tests.builders import make_brand, make_campaign, midday_zones
from ads.tests.celery_worker import WorkerTestCase
from ads.tests.processes import (
    broker_retry_watch,
    child_env,
    free_port,
    start_script,
    wait_until,
)
from ads.tests.webhook_receiver import HANG, Receiver
from budget_system.celery import app

SECRET = "whsec-test"


def subscribe(receiver: Receiver, *, types: list[str] | None = None) -> WebhookEndpoint:
    """An endpoint for `receiver`, subscribed to `types` (all when None)."""
    return WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET, event_types=types or [])


# A spend that pauses its campaign also crosses the budget's alert levels: these tests follow
# the campaign's events only.
CAMPAIGN_EVENTS = ["campaign.paused", "campaign.activated"]


def start_receiver(test: TransactionTestCase, script: list[int] | None = None) -> Receiver:
    receiver = Receiver(secret=SECRET, script=script or [])
    test.addCleanup(receiver.close)
    return receiver


def pause_and_resume(campaign: Campaign) -> None:
    one = Campaign.objects.filter(pk=campaign.pk)
    CampaignService.set_enabled(one, False)
    CampaignService.set_enabled(one, True)


class DeliveryTests(TransactionTestCase):
    def test_events_arrive_signed_as_cloudevents_in_the_order_of_the_changes(self) -> None:
        receiver = start_receiver(self)
        campaign = make_campaign()
        subscribe(receiver)
        pause_and_resume(campaign)
        CampaignService.set_enabled(Campaign.objects.filter(pk=campaign.pk), False)

        self.assertEqual(send_due(), 3)

        self.assertEqual(
            receiver.types(), ["campaign.paused", "campaign.activated", "campaign.paused"]
        )
        for item in receiver.received:
            self.assertTrue(item.signature_ok)
            self.assertEqual(item.content_type, "application/cloudevents+json")
            self.assertEqual(
                (item.document["specversion"], item.document["source"]), ("1.0", "budget_system")
            )
            self.assertEqual(item.document["data"]["campaign_id"], campaign.pk)
        self.assertEqual(set(Delivery.objects.values_list("status", flat=True)), {"delivered"})

    def test_a_500_is_retried_when_due_and_a_later_event_waits_for_it(self) -> None:
        receiver = start_receiver(self, [500])
        campaign = make_campaign()
        subscribe(receiver)
        with time_machine.travel(timezone.now(), tick=False) as clock:
            pause_and_resume(campaign)

            self.assertEqual(send_due(), 1)  # the pause, refused; the activation waits for it
            first = Delivery.objects.order_by("pk").first()
            assert first is not None
            self.assertEqual((first.status, first.attempts), ("pending", 1))
            self.assertEqual(first.next_attempt_at, timezone.now() + timedelta(seconds=10))
            self.assertEqual(send_due(), 0)  # not due yet

            clock.shift(timedelta(seconds=10))
            self.assertEqual(send_due(), 2)

        self.assertEqual(
            receiver.types(), ["campaign.paused", "campaign.paused", "campaign.activated"]
        )
        self.assertEqual(
            list(first.attempt_log.order_by("pk").values_list("status_code", flat=True)),
            [500, 200],
        )

    def test_after_a_day_of_failures_the_delivery_is_failed_and_the_next_event_goes(
        self,
    ) -> None:
        receiver = start_receiver(self, [503] * 100)
        campaign = make_campaign()
        subscribe(receiver)
        with time_machine.travel(timezone.now(), tick=False) as clock:
            started = timezone.now()
            pause_and_resume(campaign)
            first = Delivery.objects.order_by("pk").first()
            assert first is not None
            for _ in range(100):  # bounded: a delivery never claimed again must fail, not hang
                if first.status != "pending":
                    break
                clock.move_to(max(first.next_attempt_at, timezone.now()))
                self.assertGreaterEqual(send_due(), 1, "the due delivery was not claimed")
                first.refresh_from_db()
            self.assertEqual(first.status, "failed")
            self.assertGreaterEqual(timezone.now() - started, timedelta(hours=24))
            receiver.script.clear()
            send_due()
        self.assertEqual(receiver.types()[-1], "campaign.activated")
        self.assertEqual(first.attempt_log.count(), first.attempts)

    @override_settings(WEBHOOK_READ_TIMEOUT=1)
    def test_a_hanging_receiver_holds_no_spend_nor_sweep_and_its_attempt_times_out(
        self,
    ) -> None:
        receiver = start_receiver(self, [HANG])
        brand = make_brand(daily="10.00")
        campaign = make_campaign(brand)
        other = make_campaign(brand, name="Video")
        subscribe(receiver)
        CampaignService.set_enabled(Campaign.objects.filter(pk=campaign.pk), False)

        def sweep() -> None:
            try:
                send_due()
            finally:
                close_old_connections()

        sender = threading.Thread(target=sweep)
        sender.start()
        self.addCleanup(sender.join, 30)
        self.assertTrue(receiver.entered.wait(30))

        spend = BudgetService.record_spend(other, Decimal("10.00"))
        CampaignService.sync_all(Cause.ENFORCE_BUDGETS)

        # Both committed while the POST was still waiting for an answer.
        self.assertTrue(sender.is_alive())
        self.assertTrue(SpendLog.objects.filter(pk=spend.pk).exists())
        self.assertFalse(Campaign.objects.get(pk=other.pk).is_active)
        sender.join(30)
        attempt = Delivery.objects.order_by("pk").first().attempt_log.get()  # type: ignore[union-attr]
        self.assertEqual((attempt.status_code, attempt.error), (None, "Timed out"))


def spend_with_the_broker_down(campaign_id: int) -> dict[str, Any]:
    """Child, whose broker is a closed port: a spend that pauses its campaign."""
    campaign = Campaign.objects.get(pk=campaign_id)
    with broker_retry_watch() as watch:
        spend = BudgetService.record_spend(campaign, Decimal("10.00"))
    return {"spend": str(spend.amount), "broker_retried": watch.retried}


class BrokerDownTests(TransactionTestCase):
    def test_the_spend_records_without_redis_and_the_sweep_delivers_later(self) -> None:
        receiver = start_receiver(self)
        campaign = make_campaign(make_brand(daily="10.00", timezone=midday_zones()[0]))
        subscribe(receiver, types=CAMPAIGN_EVENTS)
        dead = f"redis://127.0.0.1:{free_port()}/0"
        env = child_env(CELERY_BROKER_URL=dead, CELERY_RESULT_BACKEND=dead)

        child = start_script(f"{__name__}:spend_with_the_broker_down", env, campaign_id=campaign.pk)
        self.addCleanup(child.close)

        self.assertEqual(child.result(timeout=120), {"spend": "10.00", "broker_retried": False})
        # Nothing waited on the result backend (it retried for 20 s a task, in the spend's call).
        self.assertNotIn("Connection to Redis lost", child.stderr())
        self.assertEqual(receiver.received, [])
        self.assertEqual(send_due(), 1)
        self.assertEqual(receiver.types(), ["campaign.paused"])


class WorkerDeliveryTests(WorkerTestCase):
    def test_the_worker_delivers_after_commit_on_the_webhooks_queue(self) -> None:
        router = cast(Any, app.amqp).router  # celery-types has no AMQP.router
        self.assertEqual(router.route({}, "ads.tasks.deliver_webhooks")["queue"].name, "webhooks")
        receiver = start_receiver(self)
        campaign = make_campaign(make_brand(daily="10.00", timezone=midday_zones()[0]))
        subscribe(receiver, types=CAMPAIGN_EVENTS)

        BudgetService.record_spend(campaign, Decimal("10.00"))

        wait_until(lambda: len(receiver.received) == 1, 60, "the worker's delivery")
        self.assertEqual(receiver.types(), ["campaign.paused"])
        self.assertTrue(receiver.received[0].signature_ok)
        wait_until(
            lambda: Delivery.objects.filter(status="delivered").count() == 1, 30, "delivered"
        )
