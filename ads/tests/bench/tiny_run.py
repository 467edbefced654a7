"""One tiny run of a benchmark workload, shared by the tests of a class.

`manage.py bench --scale tiny --json` (with `--workload` when the class names one), run once
in `setUpClass`: its JSON result, and the databases it left behind (there must be none).
"""

import io
import json
from typing import Any, ClassVar

from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase


def databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {name for (name,) in cursor.fetchall()}


def tiny_run(workload: str | None = None) -> dict[str, Any]:
    """The JSON result of one tiny run of `workload` (None: the default one)."""
    out = io.StringIO()
    chosen = [] if workload is None else ["--workload", workload]
    call_command("bench", *chosen, "--scale", "tiny", "--json", stdout=out, stderr=io.StringIO())
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


class TinyRunTestCase(TransactionTestCase):
    """Tests of one tiny run of `workload`, made once for the class."""

    workload: ClassVar[str | None] = None
    result: dict[str, Any]
    leftovers: set[str]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        before = databases()
        cls.result = tiny_run(cls.workload)
        cls.leftovers = databases() - before
