"""The outbox's SQL: events written with their deliveries, and the claim of due deliveries.

`insert_events` writes events and a pending delivery to each active endpoint subscribed to
the event's type (an endpoint with no types takes them all): on PostgreSQL in one statement,
so a spend that pauses a campaign pays one round trip for its event, whatever the endpoints.

The claim is the outbox's one row lock.

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

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from ads.database import vendor
from ads.models import Delivery, Event, WebhookEndpoint

Status = Delivery.Status

# An active endpoint takes an event when it lists the event's type, or lists none.
_SUBSCRIBED = {
    "postgresql": "(jsonb_array_length(endpoint.event_types) = 0"
    " OR endpoint.event_types ? event.type)",
    "sqlite": "(json_array_length(endpoint.event_types) = 0 OR EXISTS (SELECT 1"
    " FROM json_each(endpoint.event_types) WHERE json_each.value = event.type))",
}


# A statement and its parameters.
Statement = tuple[str, list[Any]]


class NewEvent(NamedTuple):
    """An event to store: a tuple, not an `Event`, as a model instance costs more to build
    than the row costs to insert. Its id is given when it is inserted."""

    type: str
    time: datetime
    campaign_id: int | None
    data: dict[str, Any]


def insert_events(
    events: Sequence[NewEvent], *, now: datetime, before: Mapping[str, Statement] | None = None
) -> int:
    """Insert `events` and their deliveries, due at `now`; how many deliveries.

    On PostgreSQL the events' INSERT feeds the deliveries' INSERT … SELECT through a CTE: one
    round trip. The events go in as one JSON document (`jsonb_to_recordset`) and PostgreSQL
    gives each its id (`gen_random_uuid()`): an array per column (100 literals each for the
    server to parse) and a `uuid4()` and `str()` per event in Python cost about 1.7 ms more
    per 100 events (docs/BENCHMARKS.md, "The outbox"). `before`: the caller's own writes of
    the same change (a sync's UPDATE and history), run by name as data-modifying WITH queries
    of the same statement, so the whole change costs one round trip (PostgreSQL only). On SQLite (no
    INSERT inside WITH) the events' bulk insert, then the same INSERT … SELECT over their ids.
    """
    if vendor() != "postgresql" and before:
        raise ValueError("Only PostgreSQL runs other writes inside the outbox's statement.")
    ctes = [(name, sql, params) for name, (sql, params) in (before or {}).items()]
    if not events:
        if not ctes:
            return 0
        *ctes, (_, last, last_params) = ctes
        with connection.cursor() as cursor:
            cursor.execute(_with(ctes) + last, [*_with_params(ctes), *last_params])
        return 0
    if vendor() == "postgresql":
        # The events of one sync share one time: formatted once, not once per event (about a
        # microsecond each).
        stamps = {time: time.isoformat() for time in {event.time for event in events}}
        rows = [
            {
                "type": event.type,
                "time": stamps[event.time],
                "campaign_id": event.campaign_id,
                "data": event.data,
            }
            for event in events
        ]
        ctes.append(
            (
                "event",
                f"INSERT INTO {Event._meta.db_table} (id, type, time, campaign_id, data)"  # noqa: S608 - placeholders only
                " SELECT gen_random_uuid(), new.* FROM jsonb_to_recordset(%s::jsonb)"
                " AS new(type varchar, time timestamptz, campaign_id bigint, data jsonb)"
                " RETURNING id, type",
                [json.dumps(rows)],
            )
        )
        source = "event"
        after: list[Any] = []
    else:
        stored = Event.objects.bulk_create(Event(**event._asdict()) for event in events)
        ids = ", ".join(["%s"] * len(stored))
        source = f"(SELECT id, type FROM {Event._meta.db_table} WHERE id IN ({ids}))"  # noqa: S608 - placeholders only
        after = [event.pk.hex for event in stored]
    sql = (
        f"{_with(ctes)}INSERT INTO {Delivery._meta.db_table}"  # noqa: S608 - placeholders only
        " (event_id, endpoint_id, status, attempts, next_attempt_at, delivered_at, last_error)"
        f" SELECT event.id, endpoint.id, %s, 0, %s, NULL, '' FROM {source} AS event"
        f" JOIN {WebhookEndpoint._meta.db_table} AS endpoint"
        f" ON endpoint.is_active AND {_SUBSCRIBED[vendor()]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_with_params(ctes), Status.PENDING, now, *after])
        return int(cursor.rowcount)


def _with(ctes: Sequence[tuple[str, str, list[Any]]]) -> str:
    """The WITH clause of named statements (empty for none)."""
    if not ctes:
        return ""
    return "WITH " + ", ".join(f"{name} AS ({sql})" for name, sql, _ in ctes) + " "


def _with_params(ctes: Sequence[tuple[str, str, list[Any]]]) -> list[Any]:
    return [param for _, _, params in ctes for param in params]


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
