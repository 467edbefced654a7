"""A sync's status changes, inserted in one statement the ORM would build slowly.

`bulk_create` of the 1,000 changes of a sweep's batch spends longer building its statement in
Python (six prepared values per row) than PostgreSQL spends running it, and that time is spent
with the batch's brands locked; so does building a model object per change (0.9 s of a half
flip's 47,500). The changes come as tuples; on PostgreSQL they go in as one array per varying
column through `unnest`, with the sync's time, cause and person once, inside the sync's one
statement; on SQLite, which has no arrays, through `bulk_create`.
"""

import json
from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from ads.models import CampaignStatusChange
from ads.sql.arrays import array_text
from ads.sql.outbox import Statement

# (campaign id, serves now, the reasons it may not): one change of a sync.
StatusChange = tuple[int, bool, list[str]]


def insert_status_changes(
    changes: Sequence[StatusChange],
    *,
    changed_at: datetime,
    cause: str,
    changed_by_id: int | None,
) -> None:
    """Insert `changes`, all made at `changed_at` for `cause` by `changed_by_id`, through
    `bulk_create`: SQLite's way, where a sync's statements cannot be one (PostgreSQL's is
    `status_changes_sql`, a WITH query of `ads.sql.campaigns.write_sync`)."""
    CampaignStatusChange.objects.bulk_create(
        CampaignStatusChange(
            campaign_id=pk,
            changed_at=changed_at,
            is_active=serves,
            reasons=reasons,
            cause=cause,
            changed_by_id=changed_by_id,
        )
        for pk, serves, reasons in changes
    )


def status_changes_sql(
    changes: Sequence[StatusChange],
    *,
    changed_at: datetime,
    cause: str,
    changed_by_id: int | None,
) -> Statement:
    """The INSERT of `changes` on PostgreSQL, and its parameters: a WITH query of a sync's one
    statement (`ads.sql.campaigns.write_sync`)."""
    quote = connection.ops.quote_name
    columns = ("campaign_id", "changed_at", "is_active", "reasons", "cause", "changed_by_id")
    sql = (
        f"INSERT INTO {quote(CampaignStatusChange._meta.db_table)}"  # noqa: S608 - placeholders only
        f" ({', '.join(quote(column) for column in columns)})"
        " SELECT change.campaign_id, %s::timestamptz, change.is_active, change.reasons,"
        " %s::varchar, %s::integer"
        " FROM unnest(%s::bigint[], %s::boolean[], %s::jsonb[])"
        " AS change(campaign_id, is_active, reasons)"
    )
    # A sync's changes share a few lists of reasons: each dumped once, not once per change.
    dumped: dict[tuple[str, ...], str] = {}
    texts = []
    for _, _, reasons in changes:
        key = tuple(reasons)
        if key not in dumped:
            dumped[key] = json.dumps(reasons)
        texts.append(dumped[key])
    return sql, [
        changed_at,
        cause,
        changed_by_id,
        array_text([pk for pk, _, _ in changes]),
        array_text([serves for _, serves, _ in changes]),
        array_text(texts),
    ]
