"""A real Celery worker for tests: in this process, on threads, against the broker and result
backend the settings name (the Redis of CELERY_BROKER_URL / CELERY_RESULT_BACKEND).

The worker's threads have their own database connections, so they see only committed rows:
tests that use it are TransactionTestCases.
"""

import importlib
from typing import Any, ClassVar

# celery-types has no stubs for celery.contrib.testing.
from celery.contrib.testing.worker import start_worker  # type: ignore[import-untyped]
from django.db import connection
from django.test import TransactionTestCase

from ads.sql.locks import AdvisoryLock
from budget_system.celery import app


class WorkerTestCase(TransactionTestCase):
    """Starts one worker for the class, with two threads so that two tasks can overlap.

    Messages left in the queue by an earlier, interrupted run are purged first: the broker's
    database is the test's own.
    """

    worker_concurrency: ClassVar[int] = 2

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        importlib.import_module("celery.contrib.testing.tasks")  # celery.ping, for start_worker
        app.control.purge()
        cls.enterClassContext(
            start_worker(
                app,
                pool="threads",
                concurrency=cls.worker_concurrency,
                perform_ping_check=True,
                # Heartbeat events, as a real worker sends them: Flower's sign of life.
                without_heartbeat=False,
                shutdown_timeout=30.0,
            )
        )

    def run_task(self, task: Any, timeout: float = 60) -> Any:
        """Send `task` with .delay() and return the summary the worker stored for it."""
        return task.delay().get(timeout=timeout)


def waiting_for_periodic_lock() -> int:
    """How many sessions are queued behind the periodic-work advisory lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            [AdvisoryLock.PERIODIC_WORK],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
