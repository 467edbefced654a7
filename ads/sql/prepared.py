"""Server-side prepared statements: a single spend's two statements, planned once per connection.

Hand-written because psycopg2 sends every statement as text, so PostgreSQL parses and plans it
again each time, and for a spend that is about half of its database time: 0.23 ms of the lock
and insert's 0.43 ms, 0.08 ms of the totals' 0.19 ms (docs/BENCHMARKS.md, "Spend near the
database's speed"). A connection prepares each statement the first time it runs it, then only
sends `EXECUTE` with the values.

The PREPARE is its own statement, sent before the statement's first `EXECUTE`: if that
execution fails, the name is still known to exist (a rollback does not undo a PREPARE), so it
is never prepared twice. The names are remembered per DBAPI connection, so a reconnect
prepares again.

Not used on SQLite (it has none), nor when the database's `DISABLE_SERVER_SIDE_CURSORS` is set
(`DATABASE_TRANSACTION_POOLING=1`): that is the setting Django asks for behind a
transaction-pooling PgBouncer, where the next transaction may run on a server connection that
never saw the PREPARE.
"""

import functools
import hashlib
import re
import weakref
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from ads.database import vendor

# The statements each open DBAPI connection has prepared, by name.
_prepared: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()


def execute_prepared(cursor: CursorWrapper, sql: str, params: Sequence[Any]) -> None:
    """Run `sql` (with `%s` placeholders) with `params` as this connection's prepared statement,
    preparing it first if this connection has not; as plain text where prepared statements are
    not used.

    For statements whose text stays the same over thousands of runs: every distinct text is one
    more statement kept by each connection for its whole life.
    """
    # The cursor's own connection: Django's `connection` proxy costs a look-up each time.
    database = cursor.db
    if not uses_prepared_statements(database):
        cursor.execute(sql, params)
        return
    name, body = _prepared_form(sql)
    names = _prepared.setdefault(database.connection, set())
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {body}")
        names.add(name)
    cursor.execute(_execute_sql(name, len(params)), params)


def uses_prepared_statements(database: BaseDatabaseWrapper = connection) -> bool:
    """Whether `execute_prepared` prepares on `database` (see the module docstring)."""
    return vendor() == "postgresql" and not database.settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    )


@functools.lru_cache(maxsize=64)
def _prepared_form(sql: str) -> tuple[str, str]:
    """A statement's name (from its text, so different texts never share one) and its text with
    numbered parameters, as PREPARE takes it."""
    number = 0

    def numbered(match: re.Match[str]) -> str:
        nonlocal number
        if match.group(0) == "%%":
            return "%"
        number += 1
        return f"${number}"

    digest = hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
    return f"ads_{digest}", re.sub("%s|%%", numbered, sql)


@functools.lru_cache(maxsize=64)
def _execute_sql(name: str, count: int) -> str:
    return f"EXECUTE {name} ({', '.join(['%s'] * count)})"
