"""Migration 0013 fills `next_check_at` of the campaigns that existed before it with the instant
it ran: each is due at once, so the first `enforce_dayparting` judges it and stores its real
next check."""

from datetime import date

import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django.utils import timezone

from ads.models import Campaign
from ads.services import CampaignService, Cause
from ads.tests.builders import utc

BEFORE = [("ads", "0012_schedule_extra_windows_text")]
AFTER = [("ads", "0013_campaign_next_check")]
# Mid-day, so the brand's local day cannot turn while the test runs (CI runs at any hour).
NOON = utc("2026-03-18T12:00:00")


@time_machine.travel(NOON, tick=True)
class FillTests(TransactionTestCase):
    def tearDown(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for the rest

    def test_existing_campaigns_are_due_at_once_and_the_first_sweep_judges_them(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        today = timezone.now().date()
        brand = old.get_model("ads", "Brand").objects.create(
            name="Acme",
            daily_budget=100,
            monthly_budget=1000,
            timezone="UTC",
            spend_day=today,
            spend_month=today.replace(day=1),
        )
        # Its flight is over: the stored state is wrong until a sweep judges it.
        campaign = old.get_model("ads", "Campaign").objects.create(
            brand=brand, name="Office", is_active=True, end_date=date(2000, 1, 1)
        )
        before = timezone.now()

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

        due, checked = Campaign.objects.values_list("next_check_at", "checked_at").get(
            pk=campaign.pk
        )
        assert due is not None
        self.assertTrue(before <= due <= timezone.now(), due)
        self.assertIsNone(checked)
        result = CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING)
        self.assertEqual(result.paused, [campaign.pk])
        self.assertIsNone(Campaign.objects.get(pk=campaign.pk).next_check_at)
