"""Arrays sent to PostgreSQL as one text literal each (`'{1,2,3}'::bigint[]`).

psycopg2 sends a Python list as an `ARRAY[…]` constructor, one literal per element, which the
server parses and casts element by element: for a sweep's batch of 100 campaigns (ids twice,
states, next checks, reasons) that parse cost more than running the statements. The text
form is read by the array type's own input function in one pass.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

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
