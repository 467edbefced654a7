"""An ad-ops day in the admin, driven through a real headless Chromium.

The live server and the test share one clock, set by time-machine to a Tuesday night in New York,
inside a Mon–Fri 22:00–06:00 window; the browser is in New York too, the server in UTC. Every page
must load without a JavaScript error, and each main page is saved as a screenshot under
test-artifacts/screenshots/ for a person to look at.
"""

import csv
import re
from datetime import time
from decimal import Decimal
from typing import Any

import time_machine
from playwright.sync_api import (
    Locator,
    expect,
)

from ads.models import (
    Brand,
    Campaign,
    CampaignStatusChange,
    DaypartingSchedule,
    DaypartingWindow,
    SpendLog,
)
from ads.services import BudgetService
from ads.tests.admin.browser import NOW, PASSWORD, BrowserTestCase, ad_ops_group
from ads.tests.admin.test_permissions import staff_user
from ads.tests.builders import make_brand, make_campaign, make_schedule


@time_machine.travel(NOW, tick=True)
class AdminBrowserTests(BrowserTestCase):
    def add_brand(self, name: str, daily: str, monthly: str) -> None:
        page = self.open("/admin/ads/brand/add/")
        page.fill("#id_name", name)
        page.select_option("#id_timezone", "America/New_York")
        page.fill("#id_daily_budget", daily)
        page.fill("#id_monthly_budget", monthly)
        self.save()
        self.expect_message(f"“{name}” was added successfully")

    def pick(self, select: str | Locator, term: str, label: str) -> None:
        """Choose `label` in a searchable picker (select2) by typing `term`."""
        field = self.page.locator(select) if isinstance(select, str) else select
        field.locator("xpath=following-sibling::span[contains(@class, 'select2')][1]").click()
        self.page.fill(".select2-container--open .select2-search__field", term)
        option = self.page.locator(
            ".select2-results__option", has_text=re.compile(f"^{re.escape(label)}$")
        )
        option.click()

    def fill_schedule(self, start: str, end: str, days_off: tuple[int, ...]) -> None:
        prefix = "#id_dayparting_schedule-0-"
        self.page.fill(prefix + "start_time", start)
        self.page.fill(prefix + "end_time", end)
        for day in days_off:
            self.page.uncheck(f"{prefix}days_of_week_{day}")

    def campaign_row(self, name: str) -> Locator:
        self.open("/admin/ads/campaign/")
        return self.page.locator("#result_list tbody tr", has_text=name)

    def run_action(self, campaign: str, action: str) -> None:
        row = self.campaign_row(campaign)
        row.locator("input.action-select").check()
        self.page.select_option("select[name=action]", action)
        self.page.click("button[name=index]")

    def expect_serving(self, row: Locator, serving: bool, reasons: str) -> None:
        expect(row.locator("td.field-is_active img")).to_have_attribute("alt", str(serving))
        expect(row.locator("td.field-blocking_reasons")).to_have_text(reasons)

    def record_spend(self, label: str, amount: str, description: str = "") -> None:
        page = self.open("/admin/ads/spendlog/add/")
        self.pick("#id_campaign", label.split(" / ")[-1], label)
        page.fill("#id_amount", amount)
        page.fill("#id_description", description)
        self.save()

    # The tests.

    def test_an_ad_ops_day(self) -> None:
        self.add_brand("Acme", "100.00", "1000.00")

        page = self.open("/admin/ads/campaign/add/")
        self.pick("#id_brand", "Ac", "Acme")
        page.fill("#id_name", "Night owls")
        # Schedule times are the schedule's local times: no "N hours behind server time".
        expect(page.locator("#dayparting_schedule-group")).to_contain_text(
            "local time in the schedule's time zone"
        )
        expect(page.locator("#dayparting_schedule-group .timezonewarning")).to_have_count(0)
        self.fill_schedule("22:00", "06:00", days_off=(5, 6))
        self.save()
        self.expect_message("“Night owls” was added successfully")
        row = self.campaign_row("Night owls")
        self.expect_serving(row, True, "-")
        expect(row.locator("td.field-schedule")).to_have_text(
            "Mon–Fri 22:00–06:00 America/New_York"
        )

        # A bad amount is refused with the service's message, and nothing is recorded.
        self.record_spend("Acme / Night owls", "12.505")
        expect(self.page.locator(".errorlist")).to_contain_text("more than 2 decimal places")
        self.screenshot("spend-add-error")
        self.assertFalse(SpendLog.objects.exists())

        # A spend over the daily budget pauses the campaign at once, with its reason.
        self.page.fill("#id_amount", "150.00")
        self.page.fill("#id_description", "Late-night burst")
        self.save()
        self.expect_message("was added successfully")
        self.screenshot("spend-list")
        row = self.campaign_row("Night owls")
        self.expect_serving(row, False, "Daily budget exceeded")
        expect(row.locator("td.field-spend_today")).to_have_text("150.00")
        self.screenshot("campaign-list")

        self.open("/admin/ads/brand/")
        brand_row = self.page.locator("#result_list tbody tr", has_text="Acme")
        expect(brand_row.locator("td.field-spend_today .ads-usage-over")).to_have_count(1)
        expect(brand_row.locator("td.field-spend_today")).to_contain_text("150%")
        expect(brand_row.locator("td.field-campaigns_serving")).to_have_text("0 of 1")
        self.screenshot("brand-list")

        # Raising the budget on the brand page re-evaluates its campaigns on save.
        brand = Brand.objects.get(name="Acme")
        page = self.open(f"/admin/ads/brand/{brand.pk}/change/")
        expect(page.locator(".ads-summary")).to_contain_text("Daily budget exceeded")
        expect(page.locator(".ads-days")).to_contain_text("Tue 2030-01-15")
        self.screenshot("brand-page")
        page.fill("#id_daily_budget", "500.00")
        self.save()
        self.expect_message("was changed successfully")
        self.expect_serving(self.campaign_row("Night owls"), True, "-")

        # The operator's switch, through the actions.
        self.run_action("Night owls", "disable")
        self.expect_message("Disabled 1 campaign.")
        row = self.page.locator("#result_list tbody tr", has_text="Night owls")
        self.expect_serving(row, False, "Disabled by operator")
        expect(row.locator("td.field-is_enabled img")).to_have_attribute("alt", "False")

        self.run_action("Night owls", "enable")
        self.expect_message("Enabled 1 campaign.")
        self.expect_serving(
            self.page.locator("#result_list tbody tr", has_text="Night owls"), True, "-"
        )

        self.run_action("Night owls", "reevaluate")
        self.expect_message("Re-evaluated: 0 campaigns activated, 0 paused.")

        campaign = Campaign.objects.get(name="Night owls")
        page = self.open(f"/admin/ads/campaign/{campaign.pk}/change/")
        expect(page.locator("#status_changes-group")).to_contain_text("Disabled by operator")
        expect(page.locator("#spend_logs-group")).to_contain_text("Late-night burst")
        self.screenshot("campaign-page")

        self.open("/admin/ads/campaignstatuschange/")
        causes = [
            CampaignStatusChange.Cause(cause).label
            for cause in campaign.status_changes.order_by("-changed_at", "-id").values_list(
                "cause", flat=True
            )
        ]
        self.assertEqual(
            causes,
            [
                "Operator change",
                "Operator change",
                "Operator change",
                "Spend recorded",
                "Operator change",
            ],
        )
        expect(self.page.locator("#result_list tbody tr")).to_have_count(5)
        self.screenshot("history-list")

    def test_schedule_errors_show_in_the_campaign_form(self) -> None:
        self.add_brand("Acme", "100.00", "1000.00")

        page = self.open("/admin/ads/campaign/add/")
        self.pick("#id_brand", "Acme", "Acme")
        page.fill("#id_name", "Lunch")
        self.fill_schedule("12:00", "12:00", days_off=(0, 1, 2, 3, 4, 5, 6))
        page.select_option("#id_dayparting_schedule-0-timezone", "Europe/Paris")
        self.save()

        errors = page.locator("#dayparting_schedule-group .errorlist")
        expect(errors).to_contain_text(["must not start and end at the same time"])
        expect(errors).to_contain_text(["Pick at least one day."])
        self.screenshot("schedule-errors")
        self.assertFalse(Campaign.objects.exists())

        page.check("#id_dayparting_schedule-0-days_of_week_2")
        page.fill("#id_dayparting_schedule-0-end_time", "14:00")
        self.save()
        self.expect_message("“Lunch” was added successfully")
        schedule = DaypartingSchedule.objects.get()
        self.assertEqual(schedule.describe(), "Wed 12:00–14:00 Europe/Paris")

    def test_export_the_filtered_spend_as_csv(self) -> None:
        acme = Brand.objects.create(
            name="Acme", daily_budget=Decimal("100"), monthly_budget=Decimal("1000")
        )
        search = Campaign.objects.create(brand=acme, name="Search")
        social = Campaign.objects.create(brand=acme, name="Social")
        BudgetService.record_spend(search, "10.00", "click")
        BudgetService.record_spend(social, "2.50", "like")
        BudgetService.record_spend(social, "4.00", "share")

        page = self.open("/admin/ads/spendlog/")
        self.pick("#changelist-filter select[data-field-name=campaign]", "Soc", "Acme / Social")
        expect(page.locator("#result_list tbody tr")).to_have_count(2)
        expect(page.locator("#changelist-filter")).to_contain_text("Acme / Social")
        with page.expect_download() as download:
            page.click("a.ads-export")

        path = download.value.path()
        with path.open(newline="", encoding="utf-8") as handle:
            rows: list[dict[str, Any]] = list(csv.DictReader(handle))
        self.assertEqual(
            [(row["campaign"], row["amount"], row["description"]) for row in rows],
            [("Social", "4.00", "share"), ("Social", "2.50", "like")],
        )

    def test_ad_ops_deletes_a_campaign_without_spend(self) -> None:
        acme = Brand.objects.create(
            name="Acme", daily_budget=Decimal("100"), monthly_budget=Decimal("1000")
        )
        spent = Campaign.objects.create(brand=acme, name="Search")
        BudgetService.record_spend(spent, "10.00", "click")
        spare = Campaign.objects.create(brand=acme, name="Spare")
        # Inside its window at the pinned clock (see the module docstring).
        DaypartingSchedule.objects.create(campaign=spare, start_time=time(22), end_time=time(6))
        member = staff_user("olga", group=ad_ops_group())
        member.set_password(PASSWORD)
        member.save()
        self.page.context.clear_cookies()
        self.log_in("olga")

        page = self.open(f"/admin/ads/campaign/{spent.pk}/delete/")
        expect(page.locator("#content")).to_contain_text("the ledger keeps every spend for good")
        self.screenshot("campaign-delete-refused")

        page = self.open(f"/admin/ads/campaign/{spare.pk}/change/")
        page.click("a.deletelink")
        expect(page.locator("#content")).to_contain_text("Are you sure you want to delete")
        page.click("#content input[type=submit]")
        self.expect_message("“Spare” was deleted successfully")
        self.assertEqual(list(Campaign.objects.values_list("name", flat=True)), ["Search"])

    def test_windows_are_added_from_the_campaign_page_and_an_overlap_is_refused(self) -> None:
        campaign = make_campaign(make_brand("Acme", timezone="America/New_York"), "Search")
        make_schedule(campaign, time(9), time(12), [0, 1, 2, 3, 4])

        page = self.open(f"/admin/ads/campaign/{campaign.pk}/change/")
        page.click("text=Edit the windows (0 more)")
        page.fill("#id_extra_windows-0-start_time", "14:00")
        page.fill("#id_extra_windows-0-end_time", "16:00")
        page.click(".add-row a")
        page.fill("#id_extra_windows-1-start_time", "11:00")
        page.fill("#id_extra_windows-1-end_time", "13:00")
        for day in (0, 1, 3, 4, 5, 6):
            page.uncheck(f"#id_extra_windows-1-days_of_week_{day}")
        self.save()

        expect(page.locator(".errorlist")).to_contain_text(
            ["Mon–Fri 09:00–12:00 overlaps Wed 11:00–13:00"]
        )
        self.screenshot("windows-overlap-refused")
        self.assertFalse(DaypartingWindow.objects.exists())

        page.fill("#id_extra_windows-1-start_time", "12:00")
        self.save()
        self.expect_message("was changed successfully")
        row = self.campaign_row("Search")
        expect(row.locator("td.field-schedule")).to_have_text(
            "Mon–Fri 09:00–12:00 America/New_York +2 windows"
        )
        self.screenshot("windows-in-the-campaign-list")
