"""Webhook delivery: claim what is due, POST it outside any transaction, record the attempt.

Three steps, each its own short transaction or none: `claim_due` (ads.sql.outbox) leases the
due rows and commits; the POST runs with short connect and read timeouts and no transaction
open; the attempt is then recorded, and a failure is scheduled again in the database
(`next_attempt_at`, see `ads.rules.webhooks.retry_delay`), never as a Celery countdown. A
receiver that hangs costs one worker thread its timeout, never a spend or a sweep: those only
write rows and go on.
"""

import http.client
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ads.models import Delivery, DeliveryAttempt, Event
from ads.rules.webhooks import retry_delay, signature_header
from ads.services.events import request_delivery
from ads.sql.outbox import claim_due

Status = Delivery.Status
CONTENT_TYPE = "application/cloudevents+json"
SOURCE = "budget_system"
# Rows claimed at once, and how long they stay claimed: longer than sending all of them at
# the worst timeouts, so a live sender never sees its rows claimed by another.
BATCH = 10
LEASE = timedelta(minutes=5)
# A receiver's answer is read up to this size: its status is what counts.
MAX_ANSWER = 64 * 1024
# Old events go a batch at a time, at most PRUNE_BATCHES batches a run: a run costs a bounded
# number of statements whatever the outbox holds, and the next run takes what is left.
PRUNE_BATCH = 1000
PRUNE_BATCHES = 50


@dataclass(frozen=True)
class Outcome:
    """What one POST came to."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def send_due(*, max_seconds: float = 60.0) -> int:
    """Send every due delivery, batch by batch, for up to `max_seconds`; return how many.

    What is left (or becomes due while waiting for an earlier event of its campaign) is sent
    by the next call: the periodic sweep, or the request made after the next change commits.
    """
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < max_seconds:
        now = timezone.now()
        ids = claim_due(now=now, lease_until=now + LEASE, limit=BATCH)
        if not ids:
            break
        claimed = Delivery.objects.filter(pk__in=ids).select_related("event", "endpoint")
        for delivery in claimed.order_by("pk"):
            _record(delivery, outcome=_post(delivery), attempted_at=timezone.now())
            sent += 1
    return sent


def deliver_again(deliveries: QuerySet[Delivery]) -> int:
    """Send `deliveries` again as soon as possible (an operator's action); return how many.

    Each starts a fresh series of retries; its earlier attempts stay in the log.
    """
    with transaction.atomic():
        count = deliveries.update(
            status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), delivered_at=None
        )
        if count:
            transaction.on_commit(request_delivery)
    return count


def cloudevent_body(event: Event) -> bytes:
    """The contract's CloudEvents 1.0 JSON document of `event`, as sent."""
    document = {
        "specversion": "1.0",
        "id": str(event.pk),
        "source": SOURCE,
        "type": event.type,
        "time": event.time.isoformat(),
        "datacontenttype": "application/json",
        "data": event.data,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _post(delivery: Delivery) -> Outcome:
    """POST the delivery's event once; no transaction may be open here."""
    body = cloudevent_body(delivery.event)
    headers = {
        "Content-Type": CONTENT_TYPE,
        "Budget-Signature": signature_header(
            secret=delivery.endpoint.secret, timestamp=int(time.time()), body=body
        ),
        "User-Agent": "budget_system-webhooks",
    }
    started = time.monotonic()
    try:
        status_code: int | None = _http_post(delivery.endpoint.url, body=body, headers=headers)
        error = "" if 200 <= (status_code or 0) < 300 else f"HTTP {status_code}"
    except TimeoutError:
        status_code, error = None, "Timed out"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        status_code, error = None, f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(status_code=status_code, error=error, duration_ms=duration_ms)


def _http_post(url: str, *, body: bytes, headers: dict[str, str]) -> int:
    """One POST with the settings' connect and read timeouts; no redirects, no proxies."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    connection = connection_class(
        parts.hostname, parts.port, timeout=settings.WEBHOOK_CONNECT_TIMEOUT
    )
    try:
        connection.connect()
        if connection.sock is not None:
            connection.sock.settimeout(settings.WEBHOOK_READ_TIMEOUT)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(MAX_ANSWER)
        return answer.status
    finally:
        connection.close()


def _record(delivery: Delivery, *, outcome: Outcome, attempted_at: datetime) -> None:
    """Log the attempt and settle the delivery: delivered, due again later, or failed."""
    changes: dict[str, object] = {"attempts": F("attempts") + 1, "last_error": outcome.error}
    if outcome.delivered:
        changes.update(status=Status.DELIVERED, delivered_at=attempted_at)
    else:
        delay = retry_delay(delivery.attempts + 1)
        if delay is None:
            changes.update(status=Status.FAILED)
        else:
            changes.update(next_attempt_at=attempted_at + delay)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
        )
        # Still pending: an operator's "deliver again" meanwhile starts its own series.
        Delivery.objects.filter(pk=delivery.pk, status=Status.PENDING).update(**changes)


def prune_settled_events(*, now: datetime | None = None) -> int:
    """Delete the events older than `EVENT_RETENTION_DAYS` whose every delivery is settled
    (delivered or failed), with their deliveries and attempts; how many events went.

    The outbox keeps what is still to be sent, and the recent history the admin shows, not
    every event ever written: unpruned, it grows with every switch and alert, and so do the
    reads that walk it. An event with a pending delivery stays, however old (an operator's
    "deliver again" makes a failed one pending). 0 days keeps everything.
    """
    days = settings.EVENT_RETENTION_DAYS
    if days == 0:
        return 0
    before = (now or timezone.now()) - timedelta(days=days)
    pruned = 0
    for _ in range(PRUNE_BATCHES):
        old = (
            Event.objects.filter(time__lt=before)
            .exclude(deliveries__status=Status.PENDING)
            .order_by("time")
            .values_list("pk", flat=True)
        )
        ids = list(old[:PRUNE_BATCH])
        if not ids:
            break
        with transaction.atomic():
            # Pending again since the read (a "deliver again"): kept. The deliveries are locked
            # before they are judged, so one made pending by a transaction still open is seen
            # once it commits (unlocked, it was read as settled and deleted when it committed);
            # a "deliver again" that comes later waits, then finds nothing to send.
            statuses = (
                Delivery.objects.filter(event_id__in=ids)
                .order_by("pk")
                .select_for_update()
                .values_list("event_id", "status")
            )
            kept = {event_id for event_id, status in statuses if status == Status.PENDING}
            ids = [pk for pk in ids if pk not in kept]
            DeliveryAttempt.objects.filter(delivery__event_id__in=ids).delete()
            Delivery.objects.filter(event_id__in=ids).delete()
            pruned += Event.objects.filter(pk__in=ids).delete()[1].get(Event._meta.label, 0)
    return pruned
