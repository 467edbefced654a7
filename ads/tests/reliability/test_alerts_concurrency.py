"""Eight real OS processes crossing alert levels at the same moment, on PostgreSQL: each level
is raised once. The spends serialise on the brand's lock; the stale-data check takes no lock
at all, so there the unique constraint (INSERT ... ON CONFLICT DO NOTHING) does the work."""

import json
import time
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from django.db import connection
from django.test import TransactionTestCase

from ads.models import BudgetAlert, Campaign, SpendLog
from ads.services import BudgetService
from ads.services.alerts import raise_stale_data_alerts
from ads.tests.builders import make_brand, make_campaign, midday_zones
from ads.tests.processes import child_env, start_script, wait_until

PROCESSES = 8


def _wait_for_go(folder: str) -> None:
    go = Path(folder) / "go"
    while not go.exists():
        time.sleep(0.01)


def spend_at_once(campaign_id: int, folder: str) -> dict[str, Any]:
    """Child: wait for the go, then record one spend."""
    campaign = Campaign.objects.get(pk=campaign_id)
    connection.ensure_connection()
    print(json.dumps({"ready": True}), flush=True)
    _wait_for_go(folder)
    BudgetService.record_spend(campaign, Decimal("30.00"))
    return {"done": True}


def check_at_once(folder: str) -> dict[str, Any]:
    """Child: wait for the go, then run the stale-data check."""
    connection.ensure_connection()
    print(json.dumps({"ready": True}), flush=True)
    _wait_for_go(folder)
    return {"raised": len(raise_stale_data_alerts())}


class EightProcessesTests(TransactionTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        if connection.vendor != "postgresql":
            raise RuntimeError("These tests race real processes on PostgreSQL: run ./test.sh.")
        super().setUpClass()

    def race(self, target: str, env: dict[str, str] | None = None, **kwargs: Any) -> list[Any]:
        """Start PROCESSES children of `target`, release them together, return their results."""
        folder = TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        children = [
            start_script(f"{__name__}:{target}", env, folder=folder.name, **kwargs)
            for _ in range(PROCESSES)
        ]
        for child in children:
            self.addCleanup(child.close)
        wait_until(
            lambda: all('"ready"' in child.stdout() for child in children), 120, "the children"
        )
        (Path(folder.name) / "go").touch()
        return [child.result(timeout=120) for child in children]

    def test_eight_spends_crossing_together_raise_each_level_once(self) -> None:
        brand = make_brand(daily="100.00", monthly="100000.00", timezone=midday_zones()[0])
        campaign = make_campaign(brand)
        self.assertEqual(self.race("spend_at_once", campaign_id=campaign.pk),
                         [{"done": True}] * PROCESSES)  # fmt: skip
        self.assertEqual(SpendLog.objects.count(), PROCESSES)
        self.assertEqual(
            sorted(BudgetAlert.objects.values_list("threshold", flat=True)), [50, 80, 100]
        )

    def test_eight_stale_data_checks_at_once_raise_one_alert(self) -> None:
        make_campaign(make_brand(timezone=midday_zones()[0]))
        # Stale at once: no entry since the brand was made.
        results = self.race("check_at_once", child_env(BUDGET_STALE_AFTER="0"))
        self.assertEqual(sum(result["raised"] for result in results), 1)
        self.assertEqual(BudgetAlert.objects.filter(kind="stale_data").count(), 1)
