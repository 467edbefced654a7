"""What the admin says about times, zones, overruns, and what its spend search finds."""

import re
from datetime import UTC, datetime, time
from decimal import Decimal

import time_machine
from django.urls import reverse

from ads.admin.search import NAMED_CAMPAIGN_IDS
from ads.models import Campaign, CampaignStatusChange
from ads.services import BudgetService
from ads.tests.admin.test_queries import SuperuserTestCase, list_url
from ads.tests.builders import make_brand, make_campaign, make_schedule

# Wednesday 2026-03-18 12:00 UTC, 08:00 in New York.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class AdminTimesTests(SuperuserTestCase):
    def test_schedule_times_are_local_to_the_schedule_without_the_server_time_note(self) -> None:
        page = self.client.get(reverse("admin:ads_campaign_add")).content.decode()

        found = re.search(r'<input[^>]*name="dayparting_schedule-0-start_time"[^>]*>', page)
        assert found is not None
        start = found.group()
        self.assertIn('type="time"', start)
        # The admin's clock widget (class vTimeField) is what adds "You are N hours behind
        # server time"; the browser test checks that no such note appears.
        self.assertNotIn("vTimeField", start)
        self.assertIn("local time in the schedule's time zone", page)

    def test_the_spend_timestamp_says_it_is_read_in_utc(self) -> None:
        brand = make_brand()
        campaign = make_campaign(brand)

        form = self.client.get(reverse("admin:ads_spendlog_add"))
        self.client.post(
            reverse("admin:ads_spendlog_add"),
            {
                "campaign": campaign.pk,
                "amount": "5.00",
                "timestamp_0": "2026-03-18",
                "timestamp_1": "09:30:00",
            },
        )

        self.assertContains(form, "Timestamp (UTC)")
        spend = campaign.spend_logs.get()
        self.assertEqual(spend.timestamp, datetime(2026, 3, 18, 9, 30, tzinfo=UTC))

    def test_every_time_shown_names_its_zone(self) -> None:
        brand = make_brand(timezone="America/New_York")
        campaign = make_campaign(brand)
        BudgetService.record_spend(campaign, "5.00", "click")
        change = CampaignStatusChange.objects.get(campaign=campaign)
        shown = "2026-03-18 12:00:00 UTC"

        for url in (
            list_url("spendlog"),
            list_url("campaignstatuschange"),
            reverse("admin:ads_campaign_change", args=[campaign.pk]),
            reverse("admin:ads_campaignstatuschange_change", args=[change.pk]),
        ):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), shown)


@time_machine.travel(NOW, tick=False)
class AdminBudgetAndSearchTests(SuperuserTestCase):
    def test_an_over_budget_brand_shows_by_how_much(self) -> None:
        brand = make_brand("Acme", "100.00", "1000.00")
        BudgetService.record_spend(make_campaign(brand), "349.00")

        page = self.client.get(list_url("brand")).content.decode()

        self.assertIn("349% · 249.00 over", page)
        self.assertIn("34% · 651.00 left", page)

    def test_a_brand_exactly_at_its_budget_has_nothing_left_and_nothing_over(self) -> None:
        brand = make_brand("Acme", "100.00", "1000.00")
        BudgetService.record_spend(make_campaign(brand), "100.00")

        self.assertContains(self.client.get(list_url("brand")), "100% · 0.00 left")

    def test_searching_spend_finds_brand_and_campaign_names(self) -> None:
        acme, globex = make_brand("Acme"), make_brand("Globex")
        BudgetService.record_spend(make_campaign(acme, "Search"), "1.00", "a")
        BudgetService.record_spend(make_campaign(globex, "Social"), "2.00", "b")
        BudgetService.record_spend(make_campaign(globex, "Video"), "3.00", "c")

        def found(term: str) -> list[Decimal]:
            response = self.client.get(list_url("spendlog"), {"q": term})
            return sorted(spend.amount for spend in response.context["cl"].result_list)

        self.assertEqual(found("Acme"), [Decimal("1.00")])
        self.assertEqual(found("Globex"), [Decimal("2.00"), Decimal("3.00")])
        self.assertEqual(found("Globex Video"), [Decimal("3.00")])

    def test_searching_spend_finds_its_own_text_and_phrases(self) -> None:
        acme = make_brand("Acme Corp")
        BudgetService.record_spend(make_campaign(acme, "Search"), "1.00", "spring sale")
        BudgetService.record_spend(make_campaign(acme, "Video"), "2.00", external_id="INV-77")
        BudgetService.record_spend(make_campaign(make_brand("Corp Acme"), "Ads"), "3.00", "x")

        self.assertEqual(self.found_spend("SALE"), [Decimal("1.00")])
        self.assertEqual(self.found_spend("inv-77"), [Decimal("2.00")])
        self.assertEqual(self.found_spend("acme video"), [Decimal("2.00")])
        self.assertEqual(self.found_spend('"Acme Corp"'), [Decimal("1.00"), Decimal("2.00")])
        self.assertEqual(
            self.found_spend("Acme Corp"), [Decimal("1.00"), Decimal("2.00"), Decimal("3.00")]
        )
        self.assertEqual(self.found_spend("nowhere"), [])

    def test_searching_spend_by_a_name_many_campaigns_share(self) -> None:
        brand = make_brand("Mass")
        Campaign.objects.bulk_create(
            Campaign(brand=brand, name=f"Bulk {number}") for number in range(NAMED_CAMPAIGN_IDS)
        )
        BudgetService.record_spend(Campaign.objects.get(name="Bulk 7"), "1.00")
        BudgetService.record_spend(make_campaign(make_brand("Other"), "Bulk extra"), "2.00")
        BudgetService.record_spend(make_campaign(make_brand("Third"), "Alone"), "4.00", "bulk")

        self.assertEqual(
            self.found_spend("bulk"), [Decimal("1.00"), Decimal("2.00"), Decimal("4.00")]
        )
        self.assertEqual(self.found_spend("bulk 7"), [Decimal("1.00")])

    def found_spend(self, term: str) -> list[Decimal]:
        response = self.client.get(list_url("spendlog"), {"q": term})
        return sorted(spend.amount for spend in response.context["cl"].result_list)


@time_machine.travel(NOW, tick=False)
class ScheduleFormTests(SuperuserTestCase):
    def test_a_schedule_saved_through_the_time_inputs_keeps_its_times(self) -> None:
        campaign = make_campaign()
        make_schedule(campaign, time(22), time(6))

        page = self.client.get(reverse("admin:ads_campaign_change", args=[campaign.pk]))

        self.assertContains(
            page, 'type="time" name="dayparting_schedule-0-start_time" value="22:00"'
        )
        self.assertContains(page, 'type="time" name="dayparting_schedule-0-end_time" value="06:00"')
