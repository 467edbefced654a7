"""Whether the database guards the ledger: the state of migration 0004's trigger (PostgreSQL).

Hand-written: the system catalogue has no ORM model. `ads.checks` warns on what this reads.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

# The name migration 0004 gives the trigger (a migration is frozen: it keeps its own copy).
LEDGER_TRIGGER = "ads_spendlog_append_only"

# Whether the table exists, and its trigger's pg_trigger.tgenabled: NULL when absent, 'O' or
# 'A' when it fires, 'D' (disabled) or 'R' (replica sessions only) when ordinary writes pass.
_TRIGGER_STATE = """
SELECT to_regclass(%s) IS NOT NULL,
       (SELECT tgenabled FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgname = %s)
"""
FIRES = frozenset({"O", "A"})


def ledger_trigger_state(connection: BaseDatabaseWrapper, *, table: str) -> tuple[bool, str | None]:
    """(whether `table` exists, its trigger's tgenabled or None when there is no trigger)."""
    with connection.cursor() as cursor:
        cursor.execute(_TRIGGER_STATE, [table, table, LEDGER_TRIGGER])
        row = cursor.fetchone()
    return (bool(row[0]), row[1]) if row else (False, None)
