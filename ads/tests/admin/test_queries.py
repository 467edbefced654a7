"""Admin pages cost the same number of queries for 2 brands as for 20."""

from datetime import UTC, datetime, time
from decimal import Decimal

import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Q
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ads.models import (
    Brand,
    Campaign,
    CampaignStatusChange,
    DaypartingSchedule,
    TotalsCorrection,
)
from ads.services import BudgetService
from ads.tests.builders import make_brand

# A Wednesday: 07:00 in New York, 21:00 in Tokyo, noon in London.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
ZONES = ("UTC", "America/New_York", "Asia/Tokyo")

LIST_PAGES = (
    "brand",
    "brand?budget=exceeded&timezone=UTC",
    "campaign",
    "campaign?reason=daily",
    "campaign?is_active__exact=0&o=7",
    "spendlog",
    "spendlog?timestamp__year=2026&timestamp__month=3",
    "spendlog?q=Brand+morning",
    "campaignstatuschange",
    "campaignstatuschange?cause__exact=spend",
    "totalscorrection",
    # "Show counts" on every list.
    "brand?_facets=True",
    "campaign?_facets=True",
    "spendlog?_facets=True",
    "campaignstatuschange?_facets=True",
    "totalscorrection?_facets=True",
)


def list_url(page: str) -> str:
    """'campaign?reason=daily' -> the campaign list with that query string."""
    model, _, query = page.partition("?")
    return reverse(f"admin:ads_{model}_changelist") + (f"?{query}" if query else "")


def picked_pages() -> tuple[str, ...]:
    """Lists filtered with the searchable pickers on the first brand and campaign, the form
    pages with a picker, and the searches the pickers send."""
    brand = Brand.objects.earliest("pk")
    campaign = Campaign.objects.earliest("pk")
    on_brand = f"campaign__brand__id__exact={brand.pk}"
    on_campaign = f"campaign__id__exact={campaign.pk}"
    search = "?term=Brand&app_label=ads&model_name="
    return (
        list_url(f"campaign?brand__id__exact={brand.pk}&_facets=True"),
        list_url(f"spendlog?{on_brand}&{on_campaign}&_facets=True"),
        list_url(f"campaignstatuschange?{on_campaign}"),
        list_url(f"totalscorrection?brand__id__exact={brand.pk}"),
        reverse("admin:ads_spendlog_add"),
        reverse("admin:ads_campaign_add"),
        reverse("admin:ads_campaign_search") + search + "spendlog&field_name=campaign",
        reverse("admin:autocomplete") + search + "campaign&field_name=brand",
    )


class SuperuserTestCase(TestCase):
    """A test client signed in as a superuser."""

    superuser: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.superuser = User.objects.create_superuser("root", "root@example.com", "pw-123-secret")

    def setUp(self) -> None:
        self.client.force_login(self.superuser)


@time_machine.travel(NOW, tick=False)
class ListPageQueryCountTests(SuperuserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.brands = 0

    def add_brands(self, count: int) -> None:
        """Brands over budget, each with a scheduled and an unscheduled campaign, spend,
        history and a correction: every column of every list page has something to show."""
        for _ in range(count):
            number = self.brands = self.brands + 1
            brand = make_brand(
                f"Brand {number:02}",
                "100.00",
                "1000.00",
                timezone=ZONES[number % len(ZONES)],
            )
            night = Campaign.objects.create(brand=brand, name="Night")
            DaypartingSchedule.objects.create(
                campaign=night, start_time=time(22), end_time=time(6), days_of_week=[0, 1, 2]
            )
            day = Campaign.objects.create(brand=brand, name="Day")
            BudgetService.record_spend(day, "60.00", "morning")
            BudgetService.record_spend(night, "60.00", "evening")
            TotalsCorrection.objects.create(
                brand=brand,
                day=NOW.date(),
                daily_before=Decimal("0"),
                daily_after=Decimal("120.00"),
                monthly_before=Decimal("0"),
                monthly_after=Decimal("120.00"),
            )

    def queries(self, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(captured)

    def pages(self) -> tuple[str, ...]:
        return (*(list_url(page) for page in LIST_PAGES), *picked_pages())

    def test_list_pages_do_not_grow_with_the_rows_shown(self) -> None:
        self.add_brands(2)
        for url in self.pages():
            self.queries(url)  # warm the caches a first request fills
        few = {url: self.queries(url) for url in self.pages()}

        self.add_brands(18)
        many = {url: self.queries(url) for url in self.pages()}

        self.assertEqual(many, few)

    def test_the_pages_show_every_row(self) -> None:
        self.add_brands(30)

        self.assertContains(self.client.get(list_url("brand")), "30 brands")
        campaigns = self.client.get(list_url("campaign")).content.decode()
        self.assertIn("60 campaigns", campaigns)
        self.assertIn("Mon–Wed 22:00–06:00 Asia/Tokyo", campaigns)
        reasons = '<td class="field-blocking_reasons">Daily budget exceeded'
        self.assertEqual(campaigns.count(reasons), 60)
        self.assertContains(self.client.get(list_url("spendlog")), "60 spend logs")

    def test_brand_page_does_not_grow_with_its_campaigns(self) -> None:
        self.add_brands(1)
        brand = Brand.objects.get()
        url = reverse("admin:ads_brand_change", args=[brand.pk])
        self.queries(url)
        few = self.queries(url)

        for number in range(30):
            Campaign.objects.create(brand=brand, name=f"Extra {number}")

        self.assertEqual(self.queries(url), few)

    def test_campaign_page_does_not_grow_with_its_history(self) -> None:
        self.add_brands(1)
        campaign = Campaign.objects.get(name="Night")
        url = reverse("admin:ads_campaign_change", args=[campaign.pk])
        self.queries(url)
        few = self.queries(url)

        for number in range(30):
            BudgetService.record_spend(campaign, "1.00", f"click {number}")
            CampaignStatusChange.objects.create(
                campaign=campaign, is_active=number % 2 == 0, cause="enforce_dayparting"
            )

        self.assertEqual(self.queries(url), few)


@time_machine.travel(NOW, tick=False)
class CampaignActionQueryTests(SuperuserTestCase):
    def add_campaigns(self, count: int) -> None:
        start = Campaign.objects.count()
        for number in range(start, start + count):
            brand = make_brand(f"Brand {number:02}", "100.00", "1000.00")
            Campaign.objects.create(brand=brand, name="Search")

    def run_on_all(self, action: str, query: str) -> int:
        """Run `action` on every campaign the filtered list holds ("select all"); count queries."""
        url = reverse("admin:ads_campaign_changelist") + query
        data = {"action": action, "select_across": "1", "index": "0", "_selected_action": ["0"]}
        with CaptureQueriesContext(connection) as captured:
            response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        return len(captured)

    def flip_all(self) -> tuple[int, int]:
        # Lists filtered on the switch itself: the action must still re-evaluate what it flipped.
        disable = self.run_on_all("disable", "?is_enabled__exact=1")
        self.assertFalse(Campaign.objects.filter(Q(is_enabled=True) | Q(is_active=True)).exists())
        enable = self.run_on_all("enable", "?is_enabled__exact=0")
        self.assertFalse(Campaign.objects.filter(Q(is_enabled=False) | Q(is_active=False)).exists())
        return disable, enable

    def test_enable_and_disable_do_not_grow_with_the_campaigns_selected(self) -> None:
        self.add_campaigns(3)
        self.flip_all()
        few = self.flip_all()

        self.add_campaigns(27)
        many = self.flip_all()

        self.assertEqual(many, few)
        paused = CampaignStatusChange.objects.filter(is_active=False, cause="operator")
        self.assertEqual(paused.count(), 3 + 3 + 30)
        reasons = {tuple(found) for found in paused.values_list("reasons", flat=True)}
        self.assertEqual(reasons, {("Disabled by operator",)})
