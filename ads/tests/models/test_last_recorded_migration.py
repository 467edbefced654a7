"""Migration 0020 fills each brand's `last_recorded_at` from the ledger it already has: the
stale-data check reads that column from then on, so a brand that spent an hour before the
upgrade must not read as never having spent."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from ads.models import Brand
from ads.tests.builders import utc

BEFORE = [("ads", "0019_prune_events_task")]
AFTER = [("ads", "0020_brand_last_recorded_at")]
NOON = utc("2026-03-18T12:00:00")


@time_machine.travel(NOON, tick=False)
class FillTests(TransactionTestCase):
    def tearDown(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for the rest

    def test_each_brand_gets_its_newest_entrys_recording_time_and_a_brand_with_none_none(
        self,
    ) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        brands, campaigns = old.get_model("ads", "Brand"), old.get_model("ads", "Campaign")
        ledger = old.get_model("ads", "SpendLog")
        today = NOON.date()

        def brand(name: str) -> object:
            return brands.objects.create(
                name=name, daily_budget=100, monthly_budget=1000, timezone="UTC",
                spend_day=today, spend_month=today.replace(day=1),
            )  # fmt: skip

        spent, idle = brand("Spent"), brand("Idle")
        search = campaigns.objects.create(brand=spent, name="Search")
        display = campaigns.objects.create(brand=spent, name="Display")
        campaigns.objects.create(brand=idle, name="Search")
        for campaign, hours_ago in ((search, 3), (display, 1), (search, 2)):
            with time_machine.travel(NOON - timedelta(hours=hours_ago), tick=False):
                ledger.objects.create(campaign=campaign, amount=1, timestamp=NOON)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

        recorded = dict(Brand.objects.values_list("name", "last_recorded_at"))
        self.assertEqual(recorded, {"Spent": NOON - timedelta(hours=1), "Idle": None})
