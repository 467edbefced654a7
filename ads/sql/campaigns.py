"""A sync's reads and writes of the campaigns it judges: the batch's facts, whether each
serves, its next check and when that was worked out, and (`write_sync`) the history and the
events of the switches, in one statement with them.

One UPDATE for every row, whatever mix of pauses, activations and new next checks: the ORM
would need one UPDATE per distinct value (an `IN` list each) or `bulk_update`'s CASE, whose
arms the database tries one by one for every row. On PostgreSQL the rows come as one typed
array per column through `unnest` (a NULL next check keeps its type, which a VALUES list of
NULLs would lose), and the ids once more as `id = ANY(ids)`: the planner cannot see how many
rows `unnest` gives and may hash the whole table to join it, while an `ANY` over a known
array reads the rows through the primary key. On SQLite, which has no arrays, as a VALUES
list.
"""

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from ads.database import vendor
from ads.models import Campaign
from ads.sql.arrays import array_text, row_chunks, row_params, rows_sql, text_size
from ads.sql.history import StatusChange, insert_status_changes, status_changes_sql
from ads.sql.outbox import NewEvent, Statement, insert_events
from ads.sql.prepared import execute_prepared

# (campaign id, serves, next check): the values a row is to have; `checked_at` is the sync's.
State = tuple[int, bool, datetime | None]
_FIELDS = {field.name: field for field in Campaign._meta.concrete_fields}
_STATE_FIELDS = tuple(_FIELDS[name] for name in ("id", "is_active", "next_check_at"))
# A query of campaign rows, compiled once for every batch (`read_batch`).
RowQuery = Callable[[QuerySet[Campaign]], "QuerySet[Campaign, tuple[Any, ...]]"]
# Where a batch's arrays go in the compiled statement's parameters.
_CAMPAIGN_IDS, _BRAND_IDS = object(), object()


def read_batch(
    query: RowQuery, *, campaign_ids: Sequence[int], brand_ids: Sequence[int]
) -> list[tuple[Any, ...]]:
    """The rows `query` gives for the campaigns `campaign_ids` of the brands `brand_ids`
    (PostgreSQL).

    `query` is compiled once, with the batch as two arrays (`id = ANY(…)`, the size of the
    batch never changes the text), and then sent as it is: the ORM would build and compile it
    again for each of a half flip's 475 batches, which cost more than the database spends
    running it. The text stays the ORM's, so the rules' SQL forms (`ads.selectors.budgets`)
    keep their one home.
    """
    sql, template = _compiled(query)
    values = {id(_CAMPAIGN_IDS): array_text(campaign_ids), id(_BRAND_IDS): array_text(brand_ids)}
    params = [values.get(id(param), param) for param in template]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@functools.cache
def _compiled(query: RowQuery) -> tuple[str, tuple[Any, ...]]:
    """`query` over a batch, compiled: its text and its parameters, the batch's arrays as
    markers that `read_batch` replaces."""
    quote = connection.ops.quote_name
    table = quote(Campaign._meta.db_table)
    batch = RawSQL(  # noqa: S611 - placeholders only
        f"{table}.{quote('id')} = ANY(%s) AND {table}.{quote('brand_id')} = ANY(%s)",
        (_CAMPAIGN_IDS, _BRAND_IDS),
        output_field=BooleanField(),
    )
    among = Campaign.objects.filter(batch)
    sql, params = query(among).query.sql_with_params()
    return sql, tuple(params)


def write_states(states: Sequence[State], *, checked_at: datetime) -> None:
    """Set `is_active` and `next_check_at` of each campaign in `states`, and `checked_at` (the
    caller holds its brand's lock, as every writer of a campaign does)."""
    with connection.cursor() as cursor:
        for chunk in row_chunks(states):
            cursor.execute(*_states_sql(chunk, checked_at=checked_at))


def write_sync(
    states: Sequence[State],
    *,
    changes: Sequence[StatusChange],
    events: Sequence[NewEvent],
    changed_at: datetime,
    cause: str,
    changed_by_id: int | None,
    deliveries_due: datetime,
) -> int:
    """A sync's writes: `states` (`write_states`), the history of its `changes`
    (`ads.sql.history`) and their `events` with their deliveries (`ads.sql.outbox`, due at
    `deliveries_due`); how many deliveries.

    On PostgreSQL one statement, the UPDATE and the history's INSERT as data-modifying WITH
    queries of the outbox's: a sweep's batch pays one round trip and one plan for its writes
    instead of three, with its brands locked. SQLite (no INSERT or UPDATE inside WITH) runs
    them one after the other.
    """
    if vendor() != "postgresql":
        write_states(states, checked_at=changed_at)
        insert_status_changes(
            changes, changed_at=changed_at, cause=cause, changed_by_id=changed_by_id
        )
        return insert_events(events, now=deliveries_due)
    before = {"state": _states_sql(states, checked_at=changed_at)} if states else {}
    if changes:
        before["change"] = status_changes_sql(
            changes, changed_at=changed_at, cause=cause, changed_by_id=changed_by_id
        )
    return insert_events(events, now=deliveries_due, before=before)


def _states_sql(states: Sequence[State], *, checked_at: datetime) -> Statement:
    """`write_states`' UPDATE of `states` (one statement's worth), and its parameters: the rows
    as `ads.sql.arrays.rows_sql` sends them, and on PostgreSQL their ids once more as
    `id = ANY(ids)` (see the module docstring)."""
    quote = connection.ops.quote_name
    table = quote(Campaign._meta.db_table)
    pk = f"{table}.{quote('id')}"
    adapt = connection.ops.adapt_datetimefield_value
    values = [(campaign, serves, adapt(due)) for campaign, serves, due in states]
    assignments = ", ".join(
        f"{quote(field.column)} = states.column{number}"
        for number, field in enumerate(_STATE_FIELDS[1:], start=2)
    )
    rows = rows_sql(name="states", fields=_STATE_FIELDS, count=text_size(values))
    sql = (
        f"UPDATE {table} SET {quote('checked_at')} = %s, {assignments}"  # noqa: S608 - placeholders only
        f" FROM {rows} WHERE {pk} = states.column1"
    )
    params = [adapt(checked_at), *row_params(values)]
    if vendor() == "postgresql":
        sql += f" AND {pk} = ANY(%s::bigint[])"
        params.append(array_text([campaign for campaign, _, _ in states]))
    return sql, params


def serving_campaign_ids(brand_ids: Sequence[int]) -> list[int]:
    """The ids of the serving campaigns of the brands `brand_ids`, in id order.

    A spend asks it of each brand it took over budget: mostly the answer is none (the brand
    was over already, its campaigns paused by the spend that took it there), and the spend
    then re-evaluates nothing. A single spend's one brand is a prepared statement
    (`ads.sql.prepared`): through the ORM, compiling the question cost about as much as the
    rest of the spend's Python. A batch's brands go through the ORM, compiled once a batch.
    The caller holds the brands' locks, so no campaign of theirs starts serving meanwhile.
    """
    if not brand_ids:
        return []
    if len(brand_ids) > 1:
        serving = Campaign.objects.filter(brand_id__in=brand_ids, is_active=True)
        return list(serving.order_by("pk").values_list("pk", flat=True))
    quote = connection.ops.quote_name
    table, pk = quote(Campaign._meta.db_table), quote("id")
    brand, active = quote(_FIELDS["brand"].column), quote(_FIELDS["is_active"].column)
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            f"SELECT {pk} FROM {table} WHERE {active} AND {brand} = %s ORDER BY {pk}",  # noqa: S608 - placeholders only
            brand_ids,
        )
        return [campaign_id for (campaign_id,) in cursor.fetchall()]
