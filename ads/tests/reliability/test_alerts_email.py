"""Alert emails through a real SMTP server (aiosmtpd on loopback), sent by a real Celery worker
after the spend commits; with no mail server, and with the broker down, the spend still
records and the sweep sends the email later."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import time_machine
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from ads.models import BudgetAlert, Campaign, SpendLog
from ads.services import BudgetService
from ads.tasks import send_pending_alert_emails
from ads.tests.builders import make_brand, make_campaign, midday_zones
from ads.tests.celery_worker import WorkerTestCase
from ads.tests.processes import (
    broker_retry_watch,
    child_env,
    free_port,
    start_script,
    wait_until,
)
from ads.tests.smtp_server import SmtpServer

EXPECTED_SUBJECT = "Acme: 80% of the daily budget reached"


def alerting_campaign() -> Campaign:
    brand = make_brand(daily="10000.00", monthly="1000000.00", timezone=midday_zones()[0])
    brand.currency = "EUR"
    brand.alert_thresholds = [80]
    brand.alert_emails = ["ops@example.com"]
    brand.save()
    return make_campaign(brand)


class EmailByWorkerTests(WorkerTestCase):
    def test_the_alert_reaches_a_real_smtp_server_after_commit(self) -> None:
        server = SmtpServer()
        server.start()
        self.addCleanup(server.stop)
        campaign = alerting_campaign()
        with override_settings(**server.settings()):
            BudgetService.record_spend(campaign, Decimal("8500.00"))
            wait_until(lambda: bool(server.received), 60, "the alert email")
            wait_until(
                lambda: BudgetAlert.objects.filter(emailed_at__isnull=False).exists(),
                30,
                "the alert marked as emailed",
            )
        [(recipients, message)] = server.received
        self.assertEqual(recipients, ["ops@example.com"])
        self.assertEqual(message["Subject"], EXPECTED_SUBJECT)
        body = message.get_payload()
        self.assertIn("8,500.00 EUR spent of 10,000.00 EUR", body)
        self.assertEqual(BudgetAlert.objects.get().email_attempts, 1)


class NoMailServerTests(TransactionTestCase):
    def test_the_spend_records_and_the_sweep_sends_once_the_server_is_up(self) -> None:
        server = SmtpServer()  # its port is free: nothing listens there yet
        campaign = alerting_campaign()
        with override_settings(**server.settings()):
            BudgetService.record_spend(campaign, Decimal("8500.00"))
            self.assertEqual(SpendLog.objects.count(), 1)
            alert = BudgetAlert.objects.get()
            with self.assertRaises(OSError):
                _sweep_later()
            self.assertIsNone(BudgetAlert.objects.get().emailed_at)
            server.start()
            self.addCleanup(server.stop)
            self.assertEqual(_sweep_later(), {"emailed": 1})
        self.assertEqual(server.received[0][1]["Subject"], EXPECTED_SUBJECT)
        self.assertEqual(BudgetAlert.objects.get(pk=alert.pk).email_attempts, 2)


def _sweep_later() -> Any:
    """The sweep, run once the alert's own task has had its time (EMAIL_TASK_WINDOW)."""
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        return send_pending_alert_emails()


def spend_with_the_broker_down(campaign_id: int) -> dict[str, Any]:
    """Child, whose broker is a closed port: record a spend that raises an alert (its email
    and its event's delivery are both queued after the commit)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    with broker_retry_watch() as watch:
        spend = BudgetService.record_spend(campaign, Decimal("8500.00"))
    return {
        "spend": str(spend.amount),
        "alerts": BudgetAlert.objects.count(),
        "broker_retried": watch.retried,
    }


class BrokerDownTests(TransactionTestCase):
    def test_the_spend_records_and_the_sweep_sends_the_email(self) -> None:
        campaign = alerting_campaign()
        closed = f"redis://127.0.0.1:{free_port()}/0"
        env = child_env(CELERY_BROKER_URL=closed, CELERY_RESULT_BACKEND=closed)
        child = start_script(f"{__name__}:spend_with_the_broker_down", env, campaign_id=campaign.pk)
        self.addCleanup(child.close)
        self.assertEqual(
            child.result(timeout=120), {"spend": "8500.00", "alerts": 1, "broker_retried": False}
        )
        self.assertIn("Could not queue the email of alerts", child.stderr())
        # Nothing waited on the result backend (it retried for 20 s a task, in the spend's call).
        self.assertNotIn("Connection to Redis lost", child.stderr())
        server = SmtpServer()
        server.start()
        self.addCleanup(server.stop)
        with override_settings(**server.settings()):
            self.assertEqual(_sweep_later(), {"emailed": 1})
        self.assertEqual(server.received[0][0], ["ops@example.com"])
