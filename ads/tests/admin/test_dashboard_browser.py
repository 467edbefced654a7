"""The dashboard in a real headless Chromium: an Ad ops member opens the admin and sees the brand
at risk first, its three charts with amounts in its currency and times in its zone, and the
brand's own page with its charts; no JavaScript error, and screenshots under
test-artifacts/screenshots/ for a person to look at."""

from datetime import timedelta

from django.contrib.auth.models import User
from playwright.sync_api import expect

from ads.models import Brand
from ads.services import BudgetService
from ads.tests.admin.browser import NOW, PASSWORD, SCREENSHOTS, BrowserTestCase, ad_ops_group
from ads.tests.admin.test_permissions import staff_user
from ads.tests.builders import make_brand, make_campaign


class DashboardBrowserTests(BrowserTestCase):
    """Tuesday 2030-01-15 23:30 in New York (the browser tests' clock), as an Ad ops member."""

    def sign_in(self) -> None:
        member: User = staff_user("olga", group=ad_ops_group())
        member.set_password(PASSWORD)
        member.save()
        self.log_in("olga")

    def brand(self, name: str, *spends: str, currency: str = "USD") -> Brand:
        brand = make_brand(name, daily="5000.00", monthly="60000.00", timezone="America/New_York")
        brand.currency = currency
        brand.save()
        campaign = make_campaign(brand)
        for hours_ago, amount in enumerate(spends):
            BudgetService.record_spend(
                campaign, amount, timestamp=NOW - timedelta(hours=3 * hours_ago, minutes=1)
            )
        return brand

    def test_the_brand_at_risk_first_and_its_charts(self) -> None:
        self.brand("Calm Co", "120.00")
        hot = self.brand("Hot Brand", "2500.00", "1800.00", "1250.50", currency="EUR")
        # Earlier days of the month and of the last 30 days.
        campaign = hot.campaigns.get()
        for days_ago in (3, 9, 20):
            BudgetService.record_adjustment(
                campaign, "100.00", "make-up charge", timestamp=NOW - timedelta(days=days_ago)
            )

        page = self.page
        page.goto(self.live_server_url + "/admin/")
        rows = page.locator(".ads-risk tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0).locator("th")).to_have_text("Hot Brand")
        expect(rows.nth(1).locator("th")).to_have_text("Calm Co")
        expect(rows.nth(0)).to_contain_text("5,550.50 EUR")
        expect(rows.nth(0)).to_contain_text("Tue 2030-01-15 23:30 EST (America/New_York)")
        expect(rows.nth(0).locator(".ads-pace-over")).to_have_count(1)

        charts = page.locator("#ads-dashboard figure.ads-chart")
        expect(charts).to_have_count(3)
        expect(charts.nth(0).locator("svg > title")).to_contain_text("Hot Brand: spend today")
        expect(charts.nth(0)).to_contain_text("Budget 5,000.00 EUR")
        expect(charts.nth(0).locator(".ads-chart-budget text")).to_be_visible()
        expect(charts.nth(0)).to_contain_text("Local time, America/New_York (EST)")
        expect(charts.nth(1)).to_contain_text("Local day, America/New_York")
        expect(charts.nth(2)).to_contain_text("Budget 60,000.00 EUR")
        expect(charts.nth(2)).to_contain_text("Day of January 2030, America/New_York")
        expect(charts.nth(0).locator("rect title").last).to_contain_text("Tue 2030-01-15 23:00 EST")
        # The app list is still below the dashboard.
        expect(page.locator("#content-main .app-ads")).to_be_visible()
        page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)

        page.locator(".ads-risk tbody tr").nth(0).locator("a").click()
        expect(page.locator("#ads-charts figure.ads-chart")).to_have_count(3)
        page.screenshot(path=SCREENSHOTS / "dashboard-brand-page.png", full_page=True)
