"""Pruning the outbox (`prune_settled_events`, the hourly `ads.tasks.prune_events`): events
older than EVENT_RETENTION_DAYS whose deliveries are all settled go with their deliveries and
attempts; a pending delivery keeps its event however old; 0 days keeps everything; a run sends
a bounded number of statements whatever the outbox holds. Clocks are passed as `now=`."""

from datetime import timedelta
from unittest.mock import patch

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from ads.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from ads.services import webhooks
from ads.services.webhooks import prune_settled_events
from ads.tasks import prune_events
from ads.tests.builders import utc

NOW = utc("2026-03-18T12:00:00")
Status = Delivery.Status


class PruneSettledEventsTests(TestCase):
    def setUp(self) -> None:
        self.first = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/a", secret="s")
        self.second = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/b", secret="s")

    def event(self, *, days_old: float, statuses: tuple[str, ...]) -> Event:
        event = Event.objects.create(
            type=Event.Type.CAMPAIGN_PAUSED, time=NOW - timedelta(days=days_old), data={}
        )
        for endpoint, status in zip((self.first, self.second), statuses, strict=False):
            delivery = Delivery.objects.create(event=event, endpoint=endpoint, status=status)
            DeliveryAttempt.objects.create(delivery=delivery, attempted_at=event.time)
        return event

    def left(self) -> set[object]:
        return set(Event.objects.values_list("pk", flat=True))

    def test_settled_events_past_the_retention_go_with_their_deliveries_and_attempts(
        self,
    ) -> None:
        delivered = self.event(days_old=31, statuses=(Status.DELIVERED, Status.DELIVERED))
        failed = self.event(days_old=40, statuses=(Status.FAILED, Status.DELIVERED))
        unsent = self.event(days_old=45, statuses=())  # no endpoint wanted it
        pending = self.event(days_old=60, statuses=(Status.DELIVERED, Status.PENDING))
        recent = self.event(days_old=29, statuses=(Status.DELIVERED,))

        self.assertEqual(prune_settled_events(now=NOW), 3)

        self.assertEqual(self.left(), {pending.pk, recent.pk})
        gone = [delivered.pk, failed.pk, unsent.pk]
        self.assertFalse(Delivery.objects.filter(event_id__in=gone).exists())
        self.assertFalse(DeliveryAttempt.objects.filter(delivery__event_id__in=gone).exists())
        self.assertEqual(Delivery.objects.filter(event=pending).count(), 2)
        self.assertEqual(DeliveryAttempt.objects.filter(delivery__event=pending).count(), 2)
        self.assertEqual(prune_settled_events(now=NOW), 0)  # a second run finds nothing

    @override_settings(EVENT_RETENTION_DAYS=0)
    def test_zero_days_keeps_every_event(self) -> None:
        old = self.event(days_old=400, statuses=(Status.DELIVERED,))
        self.assertEqual(prune_settled_events(now=NOW), 0)
        self.assertEqual(self.left(), {old.pk})

    @override_settings(EVENT_RETENTION_DAYS=7)
    def test_the_retention_is_the_settings(self) -> None:
        week = self.event(days_old=8, statuses=(Status.DELIVERED,))
        kept = self.event(days_old=6, statuses=(Status.DELIVERED,))
        self.assertEqual(prune_settled_events(now=NOW), 1)
        self.assertEqual(self.left(), {kept.pk})
        self.assertFalse(Event.objects.filter(pk=week.pk).exists())

    def test_a_run_takes_a_bounded_number_of_statements_and_the_next_the_rest(self) -> None:
        for _ in range(14):
            self.event(days_old=31, statuses=(Status.DELIVERED, Status.FAILED))

        def one_run() -> tuple[int, int]:
            with (
                CaptureQueriesContext(connection) as captured,
                patch.multiple(webhooks, PRUNE_BATCH=2, PRUNE_BATCHES=3),
            ):
                pruned = prune_settled_events(now=NOW)
            return pruned, len(captured)

        first, second = one_run(), one_run()  # 14 events to walk, then 8
        self.assertEqual(first, (6, second[1]))
        self.assertEqual(second[0], 6)
        self.assertEqual(prune_settled_events(now=NOW), 2)
        self.assertEqual(self.left(), set())

    def test_the_task_reports_what_it_pruned(self) -> None:
        self.event(days_old=90, statuses=(Status.DELIVERED,))
        self.assertEqual(prune_events(), {"pruned": 1})
