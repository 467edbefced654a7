"""Arrays sent to PostgreSQL as one text literal each (`'{1,2,3}'::bigint[]`).

psycopg2 sends a Python list as an `ARRAY[…]` constructor, one literal per element, which the
server parses and casts element by element: for a sweep's batch of 100 campaigns (ids twice,
states, next checks, reasons) that parse cost more than running the statements. The text
form is read by the array type's own input function in one pass.

The rows of an UPDATE … FROM (`rows_sql`, `row_chunks`, `row_params`) live here too, for every
writer of many rows (the ledger's totals, a sync's states): one array per column through
`unnest` on PostgreSQL, a single row as typed values (`as_arrays`), and VALUES lists within
SQLite's limit on parameters.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection

from ads.database import vendor

if TYPE_CHECKING:
    from django.db.models import Field

Element = int | bool | str | Decimal | date | None


def array_text(values: Sequence[Element]) -> str:
    """The text form of an array of `values` (ints, booleans, text, Decimals, dates, aware
    datetimes, NULLs).

    Ids are joined in C; any other value is written once per distinct value (a batch's next
    checks and reasons are a few values repeated)."""
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    written: dict[tuple[type, object], str] = {}
    parts = []
    for value in values:
        key = (type(value), value)
        text = written.get(key)
        if text is None:
            text = written[key] = _element(value)
        parts.append(text)
    return "{" + ",".join(parts) + "}"


def _element(value: Element) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)  # exact: a Decimal's digits as they are
    text = value.isoformat() if isinstance(value, date) else value
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# `text_size` of a statement whose rows go in as arrays: its text is the same for any number.
ARRAYS = 0


def as_arrays(count: int) -> bool:
    """Whether `count` rows go to the database as arrays: on PostgreSQL, more than one.

    One row (a single spend's) goes as plain values: its statements are prepared
    (`ads.sql.prepared`), and with array parameters PostgreSQL finds a generic plan dearer than
    planning each run for the values given, so it would plan every run.
    """
    return vendor() == "postgresql" and count > 1


def rows_sql(*, name: str, fields: Sequence["Field[Any, Any]"], count: int) -> str:
    """Rows for an UPDATE … FROM, as `name`(column1, column2, …), one column per field;
    `count` as `text_size` gives it.

    On PostgreSQL, many rows go in as one array per column (`unnest`), each sent as text
    (`array_text`): the same statement for any number of rows, read in one pass per
    column, where a VALUES list of 1,000 rows is 3,000 values to parse. One row goes in as
    typed values (`as_arrays`): typed, so that a prepared statement's values are not taken as
    text. On SQLite, which has no arrays, a VALUES list of `count` rows.
    """
    if vendor() == "postgresql" and count == ARRAYS:
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        names = ", ".join(f"column{number}" for number in range(1, len(fields) + 1))
        return f"unnest({arrays}) AS {name}({names})"
    if vendor() == "postgresql":
        row = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in fields) + ")"
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return f"(VALUES {', '.join([row] * count)}) AS {name}"


def row_chunks(rows: Sequence[tuple[Any, ...]]) -> list[Sequence[tuple[Any, ...]]]:
    """`rows` in statements: all in one on PostgreSQL, as many as SQLite's limit on parameters
    needs there."""
    if not rows:
        return []
    if vendor() == "postgresql":
        return [rows]
    size = max(connection.ops.bulk_batch_size(["column"] * len(rows[0]), rows), 1)
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def text_size(chunk: Sequence[tuple[Any, ...]]) -> int:
    """The number of rows a statement's text is built for (see `rows_sql`): `ARRAYS` (any
    number) for arrays on PostgreSQL, else the rows themselves."""
    return ARRAYS if as_arrays(len(chunk)) else len(chunk)


def row_params(chunk: Sequence[tuple[Any, ...]]) -> list[Any]:
    """The parameters of `rows_sql`: one array text per column, or every value row by row."""
    if text_size(chunk) == ARRAYS:
        return [array_text(list(column)) for column in zip(*chunk, strict=True)]
    return [value for row in chunk for value in row]
