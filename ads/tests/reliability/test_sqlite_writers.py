"""Local mode on the SQLite file: a spend waits for another process's write instead of failing.

start.sh's local mode runs the web server, the worker, beat and the user's shell on one
db.sqlite3. SQLite lets one writer in at a time, and a transaction that read before it wrote
cannot wait its turn: it fails at once with "database is locked" (waiting could deadlock), the
busy timeout notwithstanding. A spend reads its brand first, so it failed whenever the worker
happened to be writing (CI caught `seed_demo` failing that way beside a running worker). Every
transaction now takes the write lock when it begins, where SQLite does wait.

Real processes on a real SQLite file: one holds the write lock for a while, another records a
spend meanwhile.
"""

import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase

from ads.tests.processes import (
    BASE_DIR,
    PYTHON,
    child_env,
    real_monotonic,
    start_script,
    wait_until,
)

HOLD_SECONDS = 1.5


def hold_write_lock(path: str, held: str, seconds: float) -> str:
    """Child: take SQLite's write lock on `path`, say so by creating `held`, keep it `seconds`."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    Path(held).touch()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()
    return "released"


def make_campaign() -> int:
    """Child: a brand with one campaign; the campaign's pk."""
    from ads.tests.builders import make_brand, make_campaign

    return make_campaign(make_brand(name="Local Mode Brand")).pk


def record_one_spend(campaign_id: int) -> dict[str, Any]:
    """Child: record a spend of 12.34 on the campaign; how long it took and the brand's total."""
    from ads.models import Campaign
    from ads.services import BudgetService

    campaign = Campaign.objects.get(pk=campaign_id)
    started = time.monotonic()
    BudgetService.record_spend(campaign, "12.34", "while the worker writes")
    seconds = time.monotonic() - started
    campaign.brand.refresh_from_db()
    return {"seconds": seconds, "daily_spend": str(campaign.brand.current_daily_spend)}


class SpendBesideAnotherWriterTests(SimpleTestCase):
    def setUp(self) -> None:
        directory = Path(tempfile.mkdtemp(prefix="sqlite-writers-"))
        self.database = directory / "db.sqlite3"
        self.held = directory / "held"
        self.env = child_env(f"sqlite:///{self.database}")
        subprocess.run(
            [PYTHON, str(BASE_DIR / "manage.py"), "migrate", "--noinput"],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=180,
        )

    def run_child(self, target: str, **kwargs: Any) -> Any:
        child = start_script(f"{__name__}:{target}", self.env, **kwargs)
        self.addCleanup(child.close)
        return child.result(timeout=60)

    def test_a_spend_waits_for_the_write_lock_and_is_recorded(self) -> None:
        campaign_id = self.run_child("make_campaign")
        holder = start_script(
            f"{__name__}:hold_write_lock",
            self.env,
            path=str(self.database),
            held=str(self.held),
            seconds=HOLD_SECONDS,
        )
        self.addCleanup(holder.close)
        wait_until(self.held.exists, 30, "the other process to hold the write lock")
        waited_from = real_monotonic()

        spend = self.run_child("record_one_spend", campaign_id=campaign_id)

        self.assertEqual(holder.result(timeout=30), "released")
        self.assertEqual(spend["daily_spend"], "12.34")
        # It did wait for the other writer (it could not have gone in while the lock was held).
        self.assertGreater(real_monotonic() - waited_from, HOLD_SECONDS * 0.9)
