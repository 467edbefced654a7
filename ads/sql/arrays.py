"""Arrays sent to PostgreSQL as one text literal each (`'{1,2,3}'::bigint[]`).

psycopg2 sends a Python list as an `ARRAY[…]` constructor, one literal per element, which the
server parses and casts element by element: for a sweep's batch of 100 campaigns (ids twice,
states, next checks, reasons) that parse cost more than running the statements. The text
form is read by the array type's own input function in one pass.
"""

from collections.abc import Sequence
from datetime import datetime


def array_text(values: Sequence[int | bool | str | datetime | None]) -> str:
    """The text form of an array of `values` (ints, booleans, text, aware datetimes, NULLs).

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


def _element(value: int | bool | str | datetime | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, datetime) else value
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
