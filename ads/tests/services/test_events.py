"""The outbox: each status change stored as an event, with its deliveries, in the change's
transaction; one statement per sync on PostgreSQL; the retry schedule; alerts as events."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from ads.models import BudgetAlert, Campaign, Delivery, DeliveryAttempt, Event, WebhookEndpoint
from ads.rules.webhooks import RETRY_FOR, retry_delay
from ads.services import BudgetService, CampaignService, Cause
from ads.services.events import record_alert_events
from ads.services.webhooks import cloudevent_body
from ads.tests.builders import make_brand, make_campaign, utc


def endpoint(types: list[str] | None = None, *, active: bool = True) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/hooks", secret="s3cret", event_types=types or [], is_active=active
    )


# Midday: a brand's local day cannot turn between its creation and its spends.
NOON = utc("2026-03-18T12:00:00")


@time_machine.travel(NOON, tick=True)
class StatusEventTests(TestCase):
    def test_a_pause_is_an_event_with_the_contracts_data_and_one_delivery_per_subscriber(
        self,
    ) -> None:
        campaign = make_campaign(make_brand(daily="10.00"))
        everything = endpoint()
        pauses = endpoint(["campaign.paused"])
        endpoint(["campaign.activated"])
        endpoint(active=False)

        BudgetService.record_spend(campaign, Decimal("10.00"))

        event = Event.objects.get(campaign_id=campaign.pk, type="campaign.paused")
        change = campaign.status_changes.latest("changed_at")
        self.assertEqual(
            event.data,
            {
                "campaign_id": campaign.pk,
                "brand_id": campaign.brand_id,
                "is_active": False,
                "reasons": ["Daily budget exceeded"],
                "cause": "spend",
                "changed_at": change.changed_at.isoformat(),
            },
        )
        self.assertEqual(event.time, change.changed_at)
        self.assertEqual(
            set(event.deliveries.values_list("endpoint_id", flat=True)),
            {everything.pk, pauses.pk},
        )
        self.assertEqual(set(event.deliveries.values_list("status", flat=True)), {"pending"})

    def test_each_event_of_a_sync_has_its_own_uuid_and_its_own_deliveries(self) -> None:
        everything = endpoint()
        brand = make_brand()
        Campaign.objects.bulk_create(
            Campaign(brand=brand, name=f"C{i}", is_active=True) for i in range(3)
        )
        campaigns = Campaign.objects.filter(brand=brand)

        CampaignService.set_enabled(campaigns, False)

        events = list(Event.objects.filter(campaign_id__in=campaigns.values("pk")))
        self.assertEqual(len({event.pk for event in events}), 3)
        for event in events:
            self.assertEqual(event.pk.version, 4)
            self.assertEqual(json.loads(cloudevent_body(event))["id"], str(event.pk))
            self.assertEqual(event.data["campaign_id"], event.campaign_id)
            self.assertEqual(
                list(event.deliveries.values_list("endpoint_id", flat=True)), [everything.pk]
            )

    def test_a_change_rolled_back_leaves_no_event(self) -> None:
        campaign = make_campaign()
        endpoint()
        before = Event.objects.count()
        with self.assertRaises(RuntimeError), transaction.atomic():
            CampaignService.set_enabled(Campaign.objects.filter(pk=campaign.pk), False)
            self.assertEqual(Event.objects.count(), before + 1)
            raise RuntimeError("the caller fails after the pause")
        self.assertEqual(Event.objects.count(), before)
        self.assertFalse(Delivery.objects.exists())

    def test_the_outbox_costs_the_same_statements_for_10_and_100_changes(self) -> None:
        endpoint()
        endpoint(["campaign.paused"])
        counts = {}
        for size in (10, 100):
            brand = make_brand(name=f"Brand {size}")
            Campaign.objects.bulk_create(
                Campaign(brand=brand, name=f"C{i}", is_active=True) for i in range(size)
            )
            Campaign.objects.filter(brand=brand).update(is_enabled=False)
            with CaptureQueriesContext(connection) as queries:
                result = CampaignService.sync(Campaign.objects.filter(brand=brand), Cause.OPERATOR)
            self.assertEqual(len(result.paused), size)
            self.assertEqual(Event.objects.filter(data__brand_id=brand.pk).count(), size)
            counts[size] = len(queries)
        self.assertEqual(counts[10], counts[100])

    @pytest.mark.postgresql(reason="SQLite has no INSERT in a WITH clause: it takes two")
    @override_settings(BUDGET_ALERT_THRESHOLDS=[])  # the pause's event alone, no alert's
    def test_a_pausing_spend_writes_the_pause_its_event_and_deliveries_in_one_statement(
        self,
    ) -> None:
        outbox_tables = ("ads_event", "ads_delivery", "ads_webhookendpoint")
        statements = {}
        for endpoints in (0, 3):
            for _ in range(endpoints):
                endpoint()
            campaign = make_campaign(make_brand(f"Brand {endpoints}", daily="10.00"))
            with CaptureQueriesContext(connection) as queries:
                BudgetService.record_spend(campaign, Decimal("10.00"))
            outbox = [q["sql"] for q in queries if any(t in q["sql"] for t in outbox_tables)]
            self.assertEqual(len(outbox), 1, outbox)
            # The campaign's state and its history row go in the same statement (the sync's).
            self.assertIn('UPDATE "ads_campaign"', outbox[0])
            self.assertIn('INSERT INTO "ads_campaignstatuschange"', outbox[0])
            self.assertIn("event AS (INSERT INTO ads_event", outbox[0])
            self.assertIn("INSERT INTO ads_delivery", outbox[0])
            self.assertEqual(
                Delivery.objects.filter(
                    event__campaign_id=campaign.pk, event__type="campaign.paused"
                ).count(),
                endpoints,
            )
            statements[endpoints] = len(queries)
        self.assertEqual(statements[0], statements[3])

    def test_deleting_an_endpoint_deletes_its_deliveries_and_their_attempts(self) -> None:
        # The database holds no foreign key for deliveries: Django's cascade is what deletes.
        campaign = make_campaign()
        kept, gone = endpoint(), endpoint()
        CampaignService.set_enabled(Campaign.objects.filter(pk=campaign.pk), False)
        DeliveryAttempt.objects.create(delivery=Delivery.objects.get(endpoint=gone))

        gone.delete()

        self.assertEqual(list(Delivery.objects.values_list("endpoint_id", flat=True)), [kept.pk])
        self.assertFalse(DeliveryAttempt.objects.exists())

    def test_events_outlive_a_campaign_deleted_without_spend(self) -> None:
        campaign = make_campaign()
        endpoint()
        CampaignService.set_enabled(Campaign.objects.filter(pk=campaign.pk), False)
        pk = campaign.pk

        campaign.delete()

        self.assertTrue(Event.objects.filter(campaign_id=pk, type="campaign.paused").exists())
        self.assertEqual(Delivery.objects.filter(event__campaign_id=pk).count(), 1)


class AlertEventTests(TestCase):
    def test_an_alert_is_a_budget_alert_event_with_the_alerts_fields(self) -> None:
        brand = make_brand()
        endpoint(["budget.alert"])
        alert = BudgetAlert.objects.create(
            brand=brand,
            kind="threshold",
            threshold=80,
            period="day",
            period_start=date(2026, 3, 18),
            message="Acme reached 80% of its daily budget.",
        )

        record_alert_events([alert])

        event = Event.objects.get()
        self.assertEqual(event.type, "budget.alert")
        self.assertEqual(event.data["alert_id"], alert.pk)
        self.assertEqual(event.data["threshold"], 80)
        self.assertEqual(event.data["period_start"], "2026-03-18")
        self.assertEqual(event.deliveries.count(), 1)

    def test_a_spend_that_crosses_a_threshold_publishes_the_alert_in_its_transaction(self) -> None:
        campaign = make_campaign(make_brand(daily="100.00"))
        endpoint(["budget.alert"])

        BudgetService.record_spend(campaign, Decimal("50.00"))

        event = Event.objects.get(type="budget.alert")
        alert = BudgetAlert.objects.get(period="day", threshold=50)
        self.assertEqual((event.data["alert_id"], event.data["kind"]), (alert.pk, "threshold"))
        self.assertEqual(event.deliveries.count(), 1)


class RetryScheduleTests(TestCase):
    def test_delays_grow_from_10_seconds_and_stop_after_at_least_a_day(self) -> None:
        delays: list[timedelta] = []
        while (delay := retry_delay(len(delays) + 1)) is not None:
            delays.append(delay)
        self.assertEqual(delays[:4], [timedelta(seconds=s) for s in (10, 20, 40, 80)])
        self.assertEqual(delays, sorted(delays))
        self.assertEqual(max(delays), timedelta(hours=1))
        self.assertGreaterEqual(sum(delays, timedelta()), RETRY_FOR)
        # The last wait is what crossed the day: one fewer would not reach it.
        self.assertLess(sum(delays[:-1], timedelta()), RETRY_FOR)
