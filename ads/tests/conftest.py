"""Tests marked `postgresql` are skipped, each with its reason, when the database is another.

`./test.sh` runs the whole suite on PostgreSQL, where nothing is skipped, and the money, roll-up
and reconcile tests again on SQLite, the zero-setup default; there only what proves a PostgreSQL
behaviour (row locks, its statement counts) is skipped, and pytest counts and names each skip.
"""

import pytest
from django.db import connection


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("postgresql")
        if marker is None:
            continue
        if "reason" not in marker.kwargs:
            raise pytest.UsageError(f"{item.nodeid}: say why, @pytest.mark.postgresql(reason=...)")
        if connection.vendor != "postgresql":
            why = f"needs PostgreSQL, not {connection.vendor}: {marker.kwargs['reason']}"
            item.add_marker(pytest.mark.skip(reason=why))
