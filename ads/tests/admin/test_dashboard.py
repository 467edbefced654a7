"""The admin's first page: the brands at risk first with amounts in their currency and times in
their zone, the riskiest brand's three charts as SVG, and the same queries for 2 or 20 brands."""

from datetime import UTC, datetime
from decimal import Decimal

import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.admin.charts import BarSpec, bar_chart, nice_step, running_totals
from ads.money import format_money
from ads.services import BudgetService
from ads.tests.admin.test_permissions import staff_user
from ads.tests.builders import make_brand, make_campaign

# Tuesday 2030-01-15 23:30 in New York (EST), 04:30 UTC on the 16th.
NOW = datetime(2030, 1, 16, 4, 30, tzinfo=UTC)


class FormatMoneyTests(TestCase):
    def test_thousands_separators_cents_and_the_code(self) -> None:
        self.assertEqual(format_money(Decimal("1234567.5"), "EUR"), "1,234,567.50 EUR")
        self.assertEqual(format_money(Decimal("0"), "JPY"), "0.00 JPY")
        self.assertEqual(format_money(Decimal("-12.3"), "USD"), "-12.30 USD")


class ChartLayoutTests(TestCase):
    def test_round_steps_and_the_budget_line(self) -> None:
        self.assertEqual(nice_step(Decimal("1234")), Decimal("500"))
        self.assertEqual(nice_step(Decimal("100")), Decimal("25"))
        self.assertEqual(
            running_totals([Decimal(1), Decimal(2), Decimal(3)]),
            [Decimal(1), Decimal(3), Decimal(6)],
        )
        chart = bar_chart(
            [BarSpec(Decimal("50"), "00:00", "half"), BarSpec(Decimal("150"), "", "over")],
            slug="c",
            title="t",
            caption="x",
            currency="EUR",
            budget=Decimal("100"),
        )
        self.assertEqual(
            [tick.label for tick in chart.y_ticks],
            ["0.00 EUR", "50.00 EUR", "100.00 EUR", "150.00 EUR"],
        )
        self.assertEqual(chart.budget_label, "Budget 100.00 EUR")
        # The budget line at 100 sits two thirds of the way up, the bars in proportion.
        self.assertEqual(chart.bars[1].height, 3 * chart.bars[0].height)
        assert chart.budget_y is not None
        self.assertAlmostEqual(chart.bottom - chart.budget_y, chart.bars[1].height * 2 / 3)
        self.assertEqual([tick.label for tick in chart.x_ticks], ["00:00"])

    def test_the_axis_reaches_above_the_highest_bar(self) -> None:
        chart = bar_chart(
            [BarSpec(Decimal("5550.50"), "", "")],
            slug="c",
            title="t",
            caption="x",
            currency="EUR",
            budget=Decimal("5000"),
        )
        self.assertEqual(chart.y_ticks[-1].label, "6,000.00 EUR")
        self.assertGreaterEqual(chart.bars[0].y, chart.top)
        assert chart.budget_y is not None
        self.assertGreaterEqual(chart.budget_y, chart.top)


@time_machine.travel(NOW, tick=False)
class DashboardPageTests(TestCase):
    def setUp(self) -> None:
        self.client.force_login(User.objects.create_superuser("ops", "ops@example.com", "pw"))

    def brand(self, name: str, spend: str, *, currency: str = "USD") -> None:
        brand = make_brand(name, daily="1000.00", monthly="20000.00", timezone="America/New_York")
        brand.currency = currency
        brand.save()
        BudgetService.record_spend(make_campaign(brand), spend)

    def test_the_brand_at_risk_first_in_its_currency_and_zone(self) -> None:
        self.brand("Calm", "100.00")
        self.brand("Hot", "1234.56", currency="EUR")
        page = self.client.get("/admin/").content.decode()
        self.assertLess(page.index(">Hot<"), page.index(">Calm<"))
        self.assertIn("1,234.56 EUR", page)
        self.assertIn("Tue 2030-01-15 23:30 EST (America/New_York)", page)
        self.assertIn("Local time, America/New_York (EST)", page)
        self.assertIn("Budget 1,000.00 EUR", page)
        self.assertIn("Budget 20,000.00 EUR", page)
        for chart in ("today", "days", "month"):
            self.assertIn('aria-labelledby="brand-', page)
            self.assertIn(f"-{chart}-title", page)
        # The app list is still there, below.
        self.assertIn('id="content-main"', page)
        self.assertLess(page.index("ads-dashboard"), page.index('id="content-main"'))

    def test_the_same_queries_for_2_or_20_brands(self) -> None:
        counts: list[int] = []
        for count in (2, 20):
            for index in range(len(counts) * 2, count):
                self.brand(f"Brand {index:02}", f"{index + 1}.00")
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get("/admin/")
            self.assertContains(response, "Brand 01")
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])

    def test_no_dashboard_for_who_may_not_see_brands(self) -> None:
        self.brand("Hot", "1234.56")
        self.client.force_login(staff_user("nobody"))
        page = self.client.get("/admin/").content.decode()
        self.assertNotIn("ads-dashboard", page)
