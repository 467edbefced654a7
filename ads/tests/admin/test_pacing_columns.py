"""The brand list's pacing columns and the campaign list's "resumes at", read from the page's
rows: the same queries for 2 brands as for 20."""

from datetime import time
from decimal import Decimal

import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ads.models import Campaign
from ads.services import BudgetService
from ads.tests.builders import make_brand, make_campaign, make_schedule, utc

# A Wednesday, 12:00 in UTC, 08:00 EDT in New York.
NOW = utc("2026-03-18T12:00")


@time_machine.travel(NOW, tick=False)
class PacingColumnsTests(TestCase):
    def setUp(self) -> None:
        user = User.objects.create_superuser("root", "root@example.com", "pw-123-secret")
        self.client.force_login(user)

    def add_brands(self, count: int) -> None:
        start = Campaign.objects.count()
        for number in range(start, start + count):
            brand = make_brand(f"Brand {number:02}", daily="10.00", timezone="America/New_York")
            campaign = make_campaign(brand, f"Campaign {number:02}")
            make_schedule(campaign, start=time(9), end=time(17))
            BudgetService.record_spend(campaign, "10.00")

    def page(self, model: str) -> str:
        response = self.client.get(reverse(f"admin:ads_{model}_changelist"))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_brand_list_shows_pacing_in_its_band_projection_and_overspend(self) -> None:
        # UTC: noon, half the day gone. 40 / (100 x 1/2) = 0.80: under; 60 -> 1.20: over.
        for name, spend in (("Slow", "40.00"), ("Fast", "60.00")):
            BudgetService.record_spend(make_campaign(make_brand(name)), spend)
        html = self.page("brand")
        self.assertIn('<span class="ads-pace ads-pace-under"', html)
        self.assertIn("80% under", html)
        self.assertIn('<span class="ads-pace ads-pace-over"', html)
        self.assertIn("120% over", html)
        self.assertIn("day 120.00", html)  # 60 x 24/12
        self.assertIn("day resets 2026-03-19 00:00 UTC (UTC)", html)

    def test_the_campaign_list_shows_when_it_resumes_in_the_brands_zone(self) -> None:
        self.add_brands(1)  # daily budget spent, window 09:00-17:00 New York
        html = self.page("campaign")
        # Midnight resets the day, then the window opens at 09:00 EDT.
        self.assertIn("2026-03-19 09:00 EDT (America/New_York)", html)

    def test_the_campaign_list_paces_the_daily_cap_over_scheduled_time(self) -> None:
        brand = make_brand("Capped")
        campaign = make_campaign(brand)
        make_schedule(campaign, start=time(10), end=time(14))
        Campaign.objects.filter(pk=campaign.pk).update(daily_cap=Decimal("100.00"))
        BudgetService.record_spend(campaign, "50.00")
        # 2 of the 4 scheduled hours gone at 12:00: 50 / (100 x 2/4) = 1.00, on pace.
        self.assertIn("100% on pace", self.page("campaign"))

    def test_the_same_queries_for_2_brands_as_for_20(self) -> None:
        counts = {}
        for total in (2, 20):
            self.add_brands(total - Campaign.objects.count())
            for model in ("brand", "campaign"):
                with CaptureQueriesContext(connection) as queries:
                    self.page(model)
                counts[model, total] = len(queries)
        self.assertEqual(counts["brand", 2], counts["brand", 20], counts)
        self.assertEqual(counts["campaign", 2], counts["campaign", 20], counts)
