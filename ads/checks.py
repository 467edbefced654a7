"""System checks: `manage.py check` warns when the database no longer guards the ledger.

Migration 0004 installs a PostgreSQL trigger that refuses UPDATE and DELETE of spend rows. A
restore without triggers, a hand-run `DROP TRIGGER` or `ALTER TABLE ... DISABLE TRIGGER` would
leave only the ORM's guards, which `QuerySet.update()` and raw SQL go around, and nobody would
notice.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

from ads.sql.ledger_guard import FIRES, LEDGER_TRIGGER, ledger_trigger_state

LEDGER_MIGRATION = "0004_ledger_append_only"
W001 = "ads.W001"


@register()
def check_ledger_trigger(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    """Warn when the ledger's table exists on PostgreSQL without its trigger firing.

    Before the first migration there is no table, so nothing to warn about; a database that
    does not answer is reported by everything else, so this check then says nothing either.
    """
    from ads.models import SpendLog

    if app_configs is not None and SpendLog._meta.app_config not in app_configs:
        return []
    alias = router.db_for_write(SpendLog)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []  # SQLite, the newcomer's default: the ORM's guards are all there is
    table = SpendLog._meta.db_table
    try:
        table_exists, enabled = ledger_trigger_state(connection, table=table)
        if not table_exists or enabled in FIRES:
            return []
        hint = repair_hint(connection, table=table, enabled=enabled)
    except DatabaseError:
        return []
    state = "is missing" if enabled is None else "does not fire (disabled)"
    message = (
        f"The ledger's append-only trigger {LEDGER_TRIGGER} {state} on table {table} "
        f"(database {alias!r}): UPDATE and DELETE of spend rows are not refused."
    )
    return [Warning(message, hint=hint, obj=SpendLog, id=W001)]


def repair_hint(connection: BaseDatabaseWrapper, *, table: str, enabled: str | None) -> str:
    """What gives the trigger back: the migration when it has not run yet, else its SQL."""
    if enabled is not None:
        return f"Run in `manage.py dbshell`: ALTER TABLE {table} ENABLE TRIGGER {LEDGER_TRIGGER};"
    applied = MigrationRecorder(connection).migration_qs.filter(app="ads", name=LEDGER_MIGRATION)
    if not applied.exists():
        return "Apply the migrations: manage.py migrate"
    return (
        f"Migration ads.{LEDGER_MIGRATION} is recorded as applied, but the trigger is gone: "
        f"run the CREATE statements of ads/migrations/{LEDGER_MIGRATION}.py in "
        "`manage.py dbshell`."
    )
