"""The campaign pages with caps and flights: the list shows each campaign's caps next to its
spend today and in total (no query per row), the reason filter finds capped and out-of-flight
campaigns, and the add form takes caps and flight dates, refusing bad ones with nothing saved."""

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ads.models import Campaign
from ads.services import BudgetService
from ads.tests.admin.test_queries import SuperuserTestCase
from ads.tests.builders import make_brand, make_campaign

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class CampaignListCapsTests(SuperuserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.brand = make_brand("Acme", daily="1000.00", monthly="10000.00")

    def add_campaigns(self, count: int, *, start: int = 0) -> None:
        for n in range(start, start + count):
            campaign = make_campaign(self.brand, f"C{n}")
            campaign.daily_cap = Decimal("25.00")
            campaign.total_cap = Decimal("40.00")
            campaign.save()
            BudgetService.record_spend(campaign, "30.00")

    def list_page(self, query: str = "") -> tuple[str, int]:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(reverse("admin:ads_campaign_changelist") + query)
        self.assertEqual(response.status_code, 200)
        return response.content.decode(), len(captured.captured_queries)

    def test_the_caps_stand_next_to_the_spend_today_and_in_total(self) -> None:
        self.add_campaigns(1)
        html, _ = self.list_page()
        for header in ("spend today", "daily cap", "spend in total", "total cap"):
            self.assertIn(header, html.lower())
        for value in ("30.00", "25.00", "40.00"):
            self.assertIn(value, html)
        self.assertIn("Campaign daily cap reached", html)

    def test_no_query_per_row(self) -> None:
        self.add_campaigns(2)
        _, small = self.list_page()
        self.add_campaigns(20, start=2)
        _, large = self.list_page()
        self.assertEqual(small, large)

    def test_the_reason_filter_finds_capped_and_out_of_flight_campaigns(self) -> None:
        self.add_campaigns(1)
        waiting = make_campaign(self.brand, "Waiting")
        waiting.start_date = date(2026, 3, 19)
        waiting.save()
        make_campaign(self.brand, "Free")

        for query, names in (
            ("?reason=daily_cap", ["C0"]),
            ("?reason=total_cap", []),
            ("?reason=before_flight", ["Waiting"]),
            ("?reason=none", ["Free"]),
        ):
            with self.subTest(query=query):
                response = self.client.get(reverse("admin:ads_campaign_changelist") + query)
                shown = [c.name for c in response.context["cl"].result_list]
                self.assertEqual(shown, names)


@time_machine.travel(NOW, tick=False)
class CampaignFormCapsFlightsTests(SuperuserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.brand = make_brand("Acme")

    def post(self, **fields: str) -> tuple[int, str]:
        response = self.client.post(
            reverse("admin:ads_campaign_add"),
            {
                "brand": str(self.brand.pk),
                "name": "Search",
                "is_enabled": "on",
                "dayparting_schedule-TOTAL_FORMS": "0",
                "dayparting_schedule-INITIAL_FORMS": "0",
                "dayparting_schedule-MIN_NUM_FORMS": "0",
                "dayparting_schedule-MAX_NUM_FORMS": "1",
                **fields,
            },
        )
        return response.status_code, response.content.decode()

    def test_caps_and_a_flight_are_saved_and_judged(self) -> None:
        status, _ = self.post(
            daily_cap="0", total_cap="500.00", start_date="2026-03-18", end_date="2026-03-31"
        )
        self.assertEqual(status, 302)
        campaign = Campaign.objects.get()
        self.assertEqual((campaign.daily_cap, campaign.total_cap), (Decimal(0), Decimal(500)))
        self.assertEqual(
            (campaign.start_date, campaign.end_date), (date(2026, 3, 18), date(2026, 3, 31))
        )
        self.assertFalse(campaign.is_active)

    def test_bad_caps_and_dates_are_refused_with_nothing_saved(self) -> None:
        for fields, message in (
            ({"daily_cap": "-1"}, "greater than or equal to 0"),
            ({"total_cap": "1.001"}, "decimal places"),
            ({"start_date": "2026-03-20", "end_date": "2026-03-19"}, "cannot end before it starts"),
        ):
            with self.subTest(fields=fields):
                status, html = self.post(**fields)
                self.assertEqual(status, 200)
                self.assertIn(message, html)
                self.assertFalse(Campaign.objects.exists())
