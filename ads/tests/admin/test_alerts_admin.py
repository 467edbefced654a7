"""The alerts list: superusers and the Ad ops group read and filter it; nobody adds, changes
or deletes an alert (the system raises them); times read in the brand's zone; the page costs
the same number of queries for 2 alerts as for 20."""

from datetime import UTC, date, datetime

import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ads.models import Brand, BudgetAlert
from ads.tests.admin.test_permissions import staff_user
from ads.tests.builders import make_brand

# 08:00 in New York (daylight saving time began on March 8), 21:00 in Tokyo.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
ZONES = ("UTC", "America/New_York", "Asia/Tokyo")
LIST = reverse("admin:ads_budgetalert_changelist")


def raise_alert(brand: Brand, *, kind: str = "threshold", period: str = "day") -> BudgetAlert:
    """An alert as the system stores it (the admin never makes one)."""
    level = 80 if kind == BudgetAlert.Kind.THRESHOLD else 0
    return BudgetAlert.objects.create(
        brand=brand,
        kind=kind,
        threshold=level,
        period=period,
        period_start=date(2026, 3, 1) if period == "month" else NOW.date(),
        raised_at=NOW,
        message=f"{brand.name} {kind} {period}",
    )


@time_machine.travel(NOW, tick=False)
class AlertListTests(TestCase):
    brand: Brand
    alert: BudgetAlert
    root: User
    member: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.brand = make_brand("Acme", timezone="America/New_York")
        cls.alert = raise_alert(cls.brand)
        raise_alert(make_brand("Tokio", timezone="Asia/Tokyo"), kind="stale_data")
        cls.root = User.objects.create_superuser("root", "root@example.com", "pw-123-secret")
        cls.member = staff_user("olga", group="Ad ops")

    def test_superusers_and_ad_ops_see_the_list_with_its_filters(self) -> None:
        for user in (self.root, self.member):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(LIST)

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "2 budget alerts")
                titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
                self.assertEqual(titles, ["kind", "period", "brand"])
                self.assertContains(response, 'aria-label="Search brand"')
                self.assertContains(response, "?kind__exact=stale_data")
                self.assertContains(response, "?period__exact=month")

    def test_the_filters_narrow_the_list(self) -> None:
        raise_alert(self.brand, period="month")
        self.client.force_login(self.member)
        cases = {
            "?kind__exact=stale_data": ["Tokio stale_data day"],
            "?period__exact=month": ["Acme threshold month"],
            f"?brand__id__exact={self.brand.pk}": ["Acme threshold month", "Acme threshold day"],
        }
        for query, messages in cases.items():
            with self.subTest(query=query):
                response = self.client.get(LIST + query)
                shown = [alert.message for alert in response.context["cl"].result_list]
                self.assertCountEqual(shown, messages)

    def test_nobody_adds_changes_or_deletes_an_alert(self) -> None:
        change = reverse("admin:ads_budgetalert_change", args=[self.alert.pk])
        delete = reverse("admin:ads_budgetalert_delete", args=[self.alert.pk])
        for user in (self.root, self.member):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                self.assertEqual(
                    self.client.get(reverse("admin:ads_budgetalert_add")).status_code, 403
                )
                page = self.client.get(change)
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, 'name="_save"')
                self.assertEqual(self.client.post(change, {"message": "edited"}).status_code, 403)
                self.assertEqual(self.client.get(delete).status_code, 403)
                self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
                self.assertNotContains(self.client.get(LIST), "delete_selected")
                bulk = {"action": "delete_selected", "_selected_action": [self.alert.pk]}
                self.client.post(LIST, {**bulk, "post": "yes"})

        self.alert.refresh_from_db()
        self.assertEqual(self.alert.message, "Acme threshold day")
        self.assertEqual(BudgetAlert.objects.count(), 2)

    def test_raised_at_reads_in_the_brands_zone_named(self) -> None:
        self.client.force_login(self.member)

        response = self.client.get(LIST)

        self.assertContains(response, "2026-03-18 08:00:00 America/New_York")
        self.assertContains(response, "2026-03-18 21:00:00 Asia/Tokyo")
        self.assertNotContains(response, "2026-03-18 12:00:00")


@time_machine.travel(NOW, tick=False)
class AlertListQueryCountTests(TestCase):
    root: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.root = User.objects.create_superuser("root", "root@example.com", "pw-123-secret")

    def setUp(self) -> None:
        self.client.force_login(self.root)
        self.brands = 0

    def add_alerts(self, count: int) -> None:
        """`count` brands in assorted zones, each with a threshold and a stale-data alert."""
        for _ in range(count):
            number = self.brands = self.brands + 1
            brand = make_brand(f"Brand {number:02}", timezone=ZONES[number % len(ZONES)])
            raise_alert(brand, period="month" if number % 2 else "day")
            raise_alert(brand, kind="stale_data")

    def pages(self) -> list[str]:
        brand = Brand.objects.earliest("pk")
        queries = (
            "",
            "?kind__exact=threshold",
            "?period__exact=day",
            f"?brand__id__exact={brand.pk}",
            "?q=Brand",
            "?raised_at__year=2026&raised_at__month=3",
            "?_facets=True",
        )
        return [LIST + query for query in queries]

    def queries(self, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(captured)

    def test_the_list_does_not_grow_with_the_alerts_shown(self) -> None:
        self.add_alerts(2)
        for url in self.pages():
            self.queries(url)  # warm the caches a first request fills
        few = {url: self.queries(url) for url in self.pages()}

        self.add_alerts(18)
        many = {url: self.queries(url) for url in self.pages()}

        self.assertEqual(many, few)
        self.assertContains(self.client.get(LIST), "40 budget alerts")
