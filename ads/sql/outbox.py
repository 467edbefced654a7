"""The claim of due webhook deliveries: the outbox's one row lock.

A sender claims the deliveries that are due by moving their `next_attempt_at` past the time it
needs to send them (a lease) and commits before it sends anything: no network call inside a
transaction, and a sender that dies mid-send leaves its rows to be claimed again when the lease
runs out (at least once). `skip_locked` lets two senders claim side by side without waiting.

Events of one campaign reach an endpoint in order: a delivery is claimable only when no earlier
pending delivery of the same campaign to the same endpoint exists (earlier by id: the rows of
one campaign are written under its brand's lock, so their ids follow the changes). A delivery
being sent is still pending, so the next one waits for it too. An endpoint switched off keeps
its deliveries pending until it is switched on again.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from ads.models import Delivery

Status = Delivery.Status


def claim_due(*, now: datetime, lease_until: datetime, limit: int) -> list[int]:
    """Claim up to `limit` due deliveries, oldest first; return their ids (committed)."""
    earlier = Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        event__campaign_id=OuterRef("event__campaign_id"),
        status=Status.PENDING,
        pk__lt=OuterRef("pk"),
    )
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(
                status=Status.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
            )
            .exclude(Exists(earlier))
            .order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=lease_until)
    return ids
