"""A sync's status changes, inserted in one statement the ORM would build slowly.

`bulk_create` of the 1,000 changes of a sweep's batch spends longer building its statement in
Python (six prepared values per row) than PostgreSQL spends running it, and that time is spent
with the batch's brands locked. On PostgreSQL the rows go in as one array per column through
`unnest`; on SQLite, which has no arrays, through `bulk_create`.
"""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from ads.models import CampaignStatusChange

# Each column and its PostgreSQL type, in the order of the arrays.
_COLUMNS = (
    ("campaign_id", "bigint"),
    ("changed_at", "timestamptz"),
    ("is_active", "boolean"),
    ("reasons", "jsonb"),
    ("cause", "varchar"),
    ("changed_by_id", "integer"),
)


def insert_status_changes(changes: Sequence[CampaignStatusChange]) -> None:
    """Insert `changes` (unsaved; their ids are not read back)."""
    if not changes:
        return
    if connection.vendor != "postgresql":
        CampaignStatusChange.objects.bulk_create(changes)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column, _ in _COLUMNS)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in _COLUMNS)
    sql = (
        f"INSERT INTO {quote(CampaignStatusChange._meta.db_table)} ({columns})"  # noqa: S608 - placeholders only
        f" SELECT * FROM unnest({arrays})"
    )
    params: list[Any] = [
        [change.campaign_id for change in changes],
        [change.changed_at for change in changes],
        [change.is_active for change in changes],
        [json.dumps(change.reasons) for change in changes],
        [change.cause for change in changes],
        [change.changed_by_id for change in changes],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
