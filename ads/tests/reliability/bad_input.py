"""What the bad-input suites share: the clock, the odd timestamps, a snapshot of every table
and the case that compares it before and after a refused call.

The suites: `test_bad_input` (the services and the models), `test_bad_input_admin` (the admin's
forms) and `test_bad_input_commands` (the management commands' options and the tasks'
arguments); `test_large_totals` takes `database_state` from here too.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import time_machine
from django.test import TestCase

from ads.models import (
    Brand,
    Campaign,
    CampaignStatusChange,
    DaypartingSchedule,
    SpendLog,
    TotalsCorrection,
)
from ads.services import BudgetService

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
PLUS_ONE = timezone(timedelta(hours=1))
YEAR_ONE = datetime(1, 1, 1, tzinfo=PLUS_ONE)  # before year 1 in UTC


def database_state() -> dict[str, Any]:
    """Everything a bad input could touch."""
    return {
        "brands": list(
            Brand.objects.order_by("pk").values_list(
                "name",
                "daily_budget",
                "monthly_budget",
                "timezone",
                "current_daily_spend",
                "current_monthly_spend",
                "spend_day",
            )
        ),
        "campaigns": list(
            Campaign.objects.order_by("pk").values_list(
                "brand_id", "name", "is_enabled", "is_active"
            )
        ),
        "schedules": list(
            DaypartingSchedule.objects.order_by("pk").values_list(
                "campaign_id", "start_time", "end_time", "days_of_week", "timezone"
            )
        ),
        "spends": list(SpendLog.objects.order_by("pk").values_list("pk", "amount")),
        "history": CampaignStatusChange.objects.count(),
        "corrections": TotalsCorrection.objects.count(),
    }


class BadInputCase(TestCase):
    def setUp(self) -> None:
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.brand = Brand.objects.create(
            name="Acme", daily_budget=Decimal("100"), monthly_budget=Decimal("1000")
        )
        self.campaign = Campaign.objects.create(brand=self.brand, name="Search")
        self.schedule_campaign = Campaign.objects.create(brand=self.brand, name="Night")
        BudgetService.record_spend(self.campaign, Decimal("10.00"), external_id="known")

    def assert_rejected(
        self, call: Callable[[], object], error: type[Exception], *fragments: str
    ) -> None:
        """`call` raises `error` whose text contains every fragment, and nothing changed."""
        before = database_state()
        with self.assertRaises(error) as caught:
            call()
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        self.assertEqual(database_state(), before)


def deleted_campaign(brand: Brand) -> Campaign:
    campaign = Campaign.objects.create(brand=brand, name="Gone")
    Campaign.objects.filter(pk=campaign.pk).delete()
    return campaign
