"""A sync's writes to the campaigns it judged: whether each serves, its next check and when
that was worked out.

One statement for every row, whatever mix of pauses, activations and new next checks: the
ORM would need one UPDATE per distinct value (an `IN` list each) or `bulk_update`'s CASE,
whose arms the database tries one by one for every row. On PostgreSQL the rows come as one
typed array per column through `unnest` (a NULL next check keeps its type, which a VALUES
list of NULLs would lose), and the ids once more as `id = ANY(ids)`: the planner cannot see
how many rows `unnest` gives and may hash the whole table to join it, while an `ANY` over a
known array reads the rows through the primary key. On SQLite, which has no arrays, as a
VALUES list.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from ads.models import Campaign

# (campaign id, serves, next check, checked at): the values a row is to have.
State = tuple[int, bool, datetime | None, datetime]
_COLUMNS = ("id", "is_active", "next_check_at", "checked_at")


def write_states(states: Sequence[State]) -> None:
    """Set `is_active`, `next_check_at` and `checked_at` of each campaign in `states` (the
    caller holds its brand's lock, as every writer of a campaign does)."""
    if not states:
        return
    quote = connection.ops.quote_name
    table = quote(Campaign._meta.db_table)
    assignments = ", ".join(f"{quote(column)} = states.{column}" for column in _COLUMNS[1:])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} SET {assignments}"  # noqa: S608 - placeholders only
                " FROM unnest(%s::bigint[], %s::boolean[], %s::timestamptz[], %s::timestamptz[])"
                f" AS states({', '.join(_COLUMNS)})"
                f" WHERE {table}.{quote('id')} = states.id AND {table}.{quote('id')} = ANY(%s)",
                [*(list(column) for column in zip(*states, strict=True)), [s[0] for s in states]],
            )
            return
        size = max(connection.ops.bulk_batch_size(list(_COLUMNS), states), 1)
        adapt = connection.ops.adapt_datetimefield_value
        for start in range(0, len(states), size):
            chunk = states[start : start + size]
            cursor.execute(
                f"UPDATE {table} SET {assignments}"  # noqa: S608 - placeholders only
                f" FROM (SELECT column1 AS id, column2 AS is_active, column3 AS next_check_at,"
                f" column4 AS checked_at"
                f" FROM (VALUES {', '.join(['(%s, %s, %s, %s)'] * len(chunk))})) AS states"
                f" WHERE {table}.{quote('id')} = states.id",
                [
                    value
                    for pk, serves, due, checked in chunk
                    for value in (pk, serves, adapt(due), adapt(checked))
                ],
            )
