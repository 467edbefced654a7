"""The periodic work, run by Celery beat from django-celery-beat's tables (migration 0002).

Tasks are thin: each calls one set-based service under the periodic-work lock and returns a
small JSON summary (counts), which the result backend stores and Flower shows. They take no
arguments and are idempotent, so a late, repeated or redelivered run (acks_late) is harmless.
Delivery settings common to every task (acks_late, time limits, prefetch) live in settings.
"""

from collections.abc import Callable
from smtplib import SMTPException
from typing import TypeVar

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from ads.models import CampaignStatusChange
from ads.services import BudgetService, CampaignService, SyncResult
from ads.services.alerts import email_alerts, email_pending_alerts, raise_stale_data_alerts
from ads.services.webhooks import prune_settled_events, send_due
from ads.sql.locks import periodic_work_lock

Cause = CampaignStatusChange.Cause

_R = TypeVar("_R")


def periodic_task(run: Callable[[], _R]) -> "Task[[], _R]":
    """Register `run` as the task `ads.tasks.<name>`, retried on database trouble.

    A lost connection or a deadlock victim is worth another try a few seconds later; a bug is
    not. Retry countdowns stay far below the broker's visibility timeout.
    """
    return shared_task(
        autoretry_for=(OperationalError, InterfaceError),
        retry_backoff=2,
        retry_backoff_max=60,
        retry_jitter=True,
        max_retries=5,
    )(run)


def _counts(result: SyncResult) -> dict[str, int]:
    return {"activated": len(result.activated), "paused": len(result.paused)}


@periodic_task
def enforce_budgets() -> dict[str, int]:
    """The safety net (every 5 minutes): what is due, and the next slice of a rolling pass that
    re-evaluates every campaign against its brand's budgets and every other rule and stores its
    next check again. Spends pause at once and the minute's sweep follows the clock; this
    repairs what was written around the rules, at the same cost at any scale."""
    with periodic_work_lock():
        return _counts(CampaignService.safety_net(Cause.ENFORCE_BUDGETS))


@periodic_task
def enforce_dayparting() -> dict[str, int]:
    """Open and close dayparting windows and flights: the campaigns whose next check has come
    re-evaluated against the clock (an index read: nothing due, nearly nothing done)."""
    with periodic_work_lock():
        return _counts(CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING))


@periodic_task
def reset_daily_monthly_spends() -> dict[str, int]:
    """Roll brands whose local day or month has turned; reactivate what has cleared."""
    with periodic_work_lock():
        result = BudgetService.reset_daily_monthly_spends()
    return {"brands_rolled_over": len(result.rolled), **_counts(result.campaigns)}


@periodic_task
def deliver_webhooks() -> dict[str, int]:
    """Send the webhook deliveries that are due (queue "webhooks"; asked for after each commit
    that wrote some, and every minute by beat for what was left or is due for a retry)."""
    return {"sent": send_due()}


@periodic_task
def prune_events() -> dict[str, int]:
    """Delete the events past EVENT_RETENTION_DAYS whose deliveries are settled (hourly), a
    bounded number a run: the outbox keeps what is to be sent and a month of history."""
    return {"pruned": prune_settled_events()}


@periodic_task
def check_stale_data() -> dict[str, int]:
    """Raise a stale-data alert for brands that serve with no spend recorded lately."""
    return {"alerts_raised": len(raise_stale_data_alerts())}


@shared_task(
    autoretry_for=(SMTPException, OSError, OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def send_alert_email(alert_ids: list[int]) -> dict[str, int]:
    """Email alerts just raised (queued after their commit); a mail server that is down is
    tried again with growing delays (about 15 minutes), then left to the sweep."""
    return {"emailed": email_alerts(alert_ids)}


@periodic_task
def send_pending_alert_emails() -> dict[str, int]:
    """The sweep: email the alerts their own task could not (broker or mail server down)."""
    return {"emailed": email_pending_alerts()}
