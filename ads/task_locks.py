"""One periodic task at a time: a PostgreSQL advisory lock held for the task's transaction.

The services already lock brand rows in pk order, so overlapping runs reach the same state
without deadlock. This lock adds two things: runs of the periodic tasks queue up behind each
other as a whole instead of waiting on brand after brand, and a late duplicate does its reading
after the first run has committed, so it finds nothing left to change. A transaction-level
advisory lock is released by the commit, the rollback, or the death of the connection, so a
crashed worker never leaves it held.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

# An arbitrary constant naming "the periodic budget work" among the database's advisory locks.
PERIODIC_WORK_LOCK = 7_245_310_481


@contextmanager
def periodic_work_lock() -> Iterator[None]:
    """A transaction holding the periodic-work lock; waits for a run already holding it.

    On databases without advisory locks (the newcomer's SQLite, which serialises writers
    anyway) it is a plain transaction.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PERIODIC_WORK_LOCK])
        yield
