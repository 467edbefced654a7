"""The outbox: events written in the transaction of the change they tell of.

A status change or an alert is stored as an `Event`, with one `Delivery` per active endpoint
subscribed to its type, inside the caller's transaction: a change that rolls back leaves no
event, and one that commits cannot lose its event. Set-based: one statement per call on
PostgreSQL (`ads.sql.outbox.insert_events`), whatever the number of changes and endpoints; a
sync's events go in the statement of its changes (`status_events`).
After commit, a delivery task is asked for on the "webhooks" queue; when the broker is down
that request is dropped with a warning and the periodic sweep (`ads.services.webhooks.send_due`)
sends the rows later.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ads.models import BudgetAlert, Event
from ads.services.broker import queue_task
from ads.sql.history import StatusChange
from ads.sql.outbox import NewEvent, insert_events

# The task that sends what is due; by name, as services do not import the task layer.
DELIVER_TASK = "ads.tasks.deliver_webhooks"
Type = Event.Type


def status_events(
    changes: Sequence[StatusChange],
    *,
    changed_at: datetime,
    cause: str,
    brand_of: Mapping[int, int],
) -> list[NewEvent]:
    """`changes` (one sync's, made at `changed_at` for `cause`) as campaign.paused/activated
    events, for the sync to write with its changes (`ads.sql.campaigns.write_sync`, then
    `published`); `brand_of` maps each changed campaign to its brand, as the sync read it."""
    # A sync's changes share one time: formatted once, not once per change (about a
    # microsecond each).
    stamp = changed_at.isoformat()
    return [
        NewEvent(
            type=Type.CAMPAIGN_ACTIVATED if serves else Type.CAMPAIGN_PAUSED,
            time=changed_at,
            campaign_id=pk,
            data={
                "campaign_id": pk,
                "brand_id": brand_of[pk],
                "is_active": serves,
                "reasons": list(reasons),
                "cause": cause,
                "changed_at": stamp,
            },
        )
        for pk, serves, reasons in changes
    ]


def published(deliveries: int) -> None:
    """Ask for a sender once the transaction commits, if events were stored with
    `deliveries` deliveries (none: no endpoint takes them)."""
    if deliveries:
        transaction.on_commit(request_delivery)


def record_alert_events(alerts: Iterable[BudgetAlert]) -> None:
    """Store each raised alert (saved, in the caller's transaction) as a budget.alert event."""
    events = [
        NewEvent(
            type=Type.BUDGET_ALERT,
            time=alert.raised_at,
            campaign_id=None,
            data={
                "alert_id": alert.pk,
                "brand_id": alert.brand_id,
                "campaign_id": alert.campaign_id,
                "kind": alert.kind,
                "threshold": alert.threshold,
                "period": alert.period,
                "period_start": alert.period_start.isoformat(),
                "raised_at": alert.raised_at.isoformat(),
                "message": alert.message,
            },
        )
        for alert in alerts
    ]
    if events:
        _publish(events)


def _publish(events: list[NewEvent]) -> None:
    """Insert `events` and their deliveries; ask for a sender once the transaction commits."""
    published(insert_events(events, now=timezone.now()))


def request_delivery() -> None:
    """Ask the worker to send what is due now (after the commit); never raises, and with the
    broker down the sweep sends it (`ads.services.broker`)."""
    queue_task(DELIVER_TASK, unqueued="Could not ask for webhook delivery; the sweep will send it")
