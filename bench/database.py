"""A throwaway PostgreSQL database on the configured server, migrated, dropped at the end."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections


class BenchError(Exception):
    """The benchmark cannot run here; the message says why and what to do."""


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BenchError(
            f"The benchmark needs PostgreSQL, and DATABASE_URL points at {connection.vendor}: "
            "its figures would say nothing about production. Set DATABASE_URL to a PostgreSQL "
            "server where this user may CREATE DATABASE, or run ./bench.sh."
        )
    if connection.in_atomic_block:
        raise BenchError("The benchmark cannot run inside a transaction (CREATE DATABASE).")


def _point_default_at(name: str) -> None:
    """Repoint the default alias, as Django's test runner does for the test database."""
    connections.close_all()
    connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Create `bench_<pid>` next to the configured database, use it, and drop it afterwards.

    Every query of the block (and of processes forked inside it) goes to the new database.
    """
    require_postgresql()
    original = connection.settings_dict["NAME"]
    name = f"bench_{os.getpid()}"
    # The server's maintenance database, as Django's test runner does: the configured database
    # need not even exist.
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        _point_default_at(name)
        call_command("migrate", verbosity=0, interactive=False)
        yield name
    finally:
        _point_default_at(original)
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
