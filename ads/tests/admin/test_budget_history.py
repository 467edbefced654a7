"""Budget history and who: the brand's and campaign's pages say who changed which budget, cap or
flight date, when and from what to what; the status history names the operator who caused it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ads.models import Brand, Campaign, CampaignStatusChange, SpendLog
from ads.selectors import FieldChange, brand_budget_history, campaign_budget_history
from ads.services import BudgetService, CampaignService
from ads.services.rollover import reset_daily_monthly_spends
from ads.tests.builders import make_brand, make_campaign

Cause = CampaignStatusChange.Cause

# A Wednesday, noon in UTC: 08:00 (EDT) in New York.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
NEW_YORK = "America/New_York"


def change_form_data(response: Any) -> dict[str, Any]:
    """What the admin's change form would post back unchanged: its fields and every inline's."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


@time_machine.travel(NOW, tick=False)
class BudgetHistoryTestCase(TestCase):
    """Alice, an operator signed in to the admin; a New York brand made from the shell."""

    alice: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = User.objects.create_superuser("alice", "alice@example.com", "pw-123-secret")

    def setUp(self) -> None:
        self.client.force_login(self.alice)
        self.brand = make_brand("Acme", "100.00", "1000.00", timezone=NEW_YORK)
        self.campaign = make_campaign(self.brand, "Search")

    def edit(self, obj: Brand | Campaign, **changes: str) -> None:
        """Change fields of `obj` through its admin change form, as Alice would."""
        url = reverse(f"admin:ads_{obj._meta.model_name}_change", args=[obj.pk])
        data = {**change_form_data(self.client.get(url)), **changes}
        response = self.client.post(url, data)
        errors = response.context["errors"] if response.status_code == 200 else None
        self.assertEqual(response.status_code, 302, errors)

    def page(self, obj: Brand | Campaign) -> str:
        url = reverse(f"admin:ads_{obj._meta.model_name}_change", args=[obj.pk])
        return self.client.get(url).content.decode()


class BrandHistoryTests(BudgetHistoryTestCase):
    def test_a_budget_changed_in_the_admin_shows_who_when_and_from_what_to_what(self) -> None:
        with time_machine.travel(NOW + timedelta(hours=1), tick=False):
            self.edit(self.brand, daily_budget="150.00")

        first, *created = brand_budget_history(self.brand, limit=20)
        at_nine = datetime(2026, 3, 18, 13, 0, tzinfo=UTC)
        self.assertEqual(
            first,
            FieldChange(
                at_nine, NEW_YORK, "alice", "daily budget", Decimal("100.00"), Decimal(150)
            ),
        )
        self.assertEqual(first.when.utcoffset(), timedelta(hours=-4))
        # The brand was made from the shell: its creation names nobody.
        self.assertEqual(
            [(c.who, c.field, c.old, c.new) for c in created],
            [("", "daily budget", None, Decimal(100)), ("", "monthly budget", None, Decimal(1000))],
        )
        page = self.page(self.brand)
        self.assertInHTML(
            "<tr><td>2026-03-18 09:00:00 America/New_York</td><td>alice</td>"
            "<td>daily budget</td><td>100.00</td><td>150.00</td></tr>",
            page,
        )
        self.assertIn("— (shell or script)", page)

    def test_a_budget_changed_from_the_shell_names_nobody(self) -> None:
        self.brand.monthly_budget = Decimal("900.00")
        self.brand.save()

        latest = brand_budget_history(self.brand, limit=20)[0]
        self.assertEqual(
            (latest.who, latest.field, latest.old, latest.new),
            ("", "monthly budget", Decimal("1000.00"), Decimal("900.00")),
        )

    def test_a_save_that_changes_no_budget_shows_no_change(self) -> None:
        self.edit(self.brand, name="Acme Corp")

        self.assertEqual(len(brand_budget_history(self.brand, limit=20)), 2)  # the creation

    def test_totals_moving_with_spends_and_resets_write_no_history(self) -> None:
        before = (self.brand.history.count(), self.campaign.history.count())

        BudgetService.record_spend(self.campaign, "60.00", "morning")
        BudgetService.record_spend(self.campaign, "50.00", "noon")  # pauses: over the budget
        with time_machine.travel(NOW + timedelta(days=1), tick=False):
            reset_daily_monthly_spends()

        self.assertEqual((self.brand.history.count(), self.campaign.history.count()), before)
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.total_spend, Decimal("110.00"))

    def test_only_brands_and_campaigns_are_historied_never_the_ledger(self) -> None:
        historied = {m.__name__ for m in apps.get_app_config("ads").get_models()}
        self.assertEqual(
            {name for name in historied if name.startswith("Historical")},
            {"HistoricalBrand", "HistoricalCampaign"},
        )
        self.assertFalse(hasattr(SpendLog, "history"))
        BudgetService.record_spend(self.campaign, "10.00", "click")
        self.edit(self.brand, daily_budget="5.00")
        self.assertEqual(SpendLog.objects.count(), 1)

    def test_a_limit_that_is_not_a_positive_whole_number_is_refused(self) -> None:
        for limit in (0, -1, True, "20"):
            with self.subTest(limit=limit), self.assertRaises(ValidationError):
                brand_budget_history(self.brand, limit=limit)  # type: ignore[arg-type]
        with self.assertRaises(ValidationError):
            brand_budget_history(Brand(name="unsaved"), limit=20)


class CampaignHistoryTests(BudgetHistoryTestCase):
    def test_a_cap_and_a_flight_date_changed_in_the_admin_show_on_the_campaign_page(self) -> None:
        self.edit(self.campaign, daily_cap="40.00")
        self.edit(self.campaign, daily_cap="25.50", end_date="2026-04-30")

        changes = [
            (c.who, c.field, c.old, c.new) for c in campaign_budget_history(self.campaign, limit=20)
        ]
        self.assertEqual(
            changes,
            [
                ("alice", "daily cap", Decimal("40.00"), Decimal("25.50")),
                ("alice", "flight end", None, date(2026, 4, 30)),
                ("alice", "daily cap", None, Decimal("40.00")),
            ],
        )
        page = self.page(self.campaign)
        self.assertInHTML(
            "<tr><td>2026-03-18 08:00:00 America/New_York</td><td>alice</td>"
            "<td>flight end</td><td>none</td><td>2026-04-30</td></tr>",
            page,
        )
        self.assertInHTML(
            "<tr><td>2026-03-18 08:00:00 America/New_York</td><td>alice</td>"
            "<td>daily cap</td><td>40.00</td><td>25.50</td></tr>",
            page,
        )

    def test_a_cap_changed_from_the_shell_names_nobody(self) -> None:
        self.campaign.total_cap = Decimal("500.00")
        self.campaign.save()

        (latest,) = campaign_budget_history(self.campaign, limit=20)
        self.assertEqual(
            (latest.who, latest.field, latest.old, latest.new),
            ("", "total cap", None, Decimal("500.00")),
        )

    def test_a_campaign_with_no_cap_or_flight_changes_shows_none(self) -> None:
        self.assertEqual(campaign_budget_history(self.campaign, limit=20), [])
        self.assertIn("No changes recorded yet.", self.page(self.campaign))


class HistoryPageQueryTests(BudgetHistoryTestCase):
    def queries(self, obj: Brand | Campaign) -> int:
        url = reverse(f"admin:ads_{obj._meta.model_name}_change", args=[obj.pk])
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)

    def test_the_pages_cost_the_same_queries_for_2_history_rows_as_for_20(self) -> None:
        for obj in (self.brand, self.campaign):
            with self.subTest(obj._meta.model_name):
                self.queries(obj)
                few = self.queries(obj)
                for step in range(20):
                    if isinstance(obj, Brand):
                        obj.daily_budget = Decimal(200 + step)
                    else:
                        obj.total_cap = Decimal(200 + step)
                    obj.save()
                self.assertEqual(self.queries(obj), few)


class StatusHistoryNamesTheOperatorTests(BudgetHistoryTestCase):
    def act(self, action: str) -> None:
        response = self.client.post(
            reverse("admin:ads_campaign_changelist"),
            {"action": action, "_selected_action": [str(self.campaign.pk)]},
        )
        self.assertEqual(response.status_code, 302)

    def latest(self) -> CampaignStatusChange:
        return CampaignStatusChange.objects.filter(campaign=self.campaign).latest("pk")

    def test_disable_and_enable_in_the_admin_name_the_person(self) -> None:
        self.act("disable")
        paused = self.latest()
        self.act("enable")
        serving = self.latest()

        self.assertEqual((paused.is_active, paused.changed_by), (False, self.alice))
        self.assertEqual((serving.is_active, serving.changed_by), (True, self.alice))
        listed = self.client.get(reverse("admin:ads_campaignstatuschange_changelist"))
        self.assertContains(listed, '<td class="field-changed_by nowrap">alice</td>', count=2)
        alice = reverse("admin:auth_user_change", args=[self.alice.pk])
        inline = f'<td class="field-changed_by"><p><a href="{alice}">alice</a></p></td>'
        self.assertInHTML(inline, self.page(self.campaign), count=2)

    def test_reevaluate_in_the_admin_names_the_person(self) -> None:
        Campaign.objects.filter(pk=self.campaign.pk).update(is_active=False)  # out of line

        self.act("reevaluate")

        self.assertEqual((self.latest().is_active, self.latest().changed_by), (True, self.alice))

    def test_an_edit_in_the_admin_names_the_person(self) -> None:
        BudgetService.record_spend(self.campaign, "60.00", "morning")

        self.edit(self.brand, daily_budget="50.00")  # the brand's edit pauses its campaign
        paused = self.latest()
        self.edit(self.campaign, is_enabled="")  # an unticked box posts nothing
        self.edit(self.brand, daily_budget="100.00")  # disabled: still paused, no change

        self.assertEqual(
            (paused.is_active, paused.cause, paused.changed_by), (False, Cause.OPERATOR, self.alice)
        )
        self.assertEqual(self.latest(), paused)

    def test_the_shell_and_the_sweeps_name_nobody(self) -> None:
        CampaignService.set_enabled(Campaign.objects.all(), False)
        disabled = self.latest()
        Campaign.objects.update(is_enabled=True)
        with CampaignService.one_evaluation(by=self.alice):
            CampaignService.sync_all(Cause.ENFORCE_BUDGETS)  # a sweep, even inside an edit
        swept = self.latest()

        self.assertEqual((disabled.is_active, disabled.changed_by), (False, None))
        self.assertEqual(
            (swept.is_active, swept.cause, swept.changed_by), (True, Cause.ENFORCE_BUDGETS, None)
        )

    def test_a_person_given_with_a_sweeps_cause_or_unsaved_is_refused_and_changes_nothing(
        self,
    ) -> None:
        with self.assertRaises(ValidationError):
            CampaignService.sync(Campaign.objects.all(), Cause.RESET, by=self.alice)
        with self.assertRaises(ValidationError):
            CampaignService.set_enabled(Campaign.objects.all(), False, by=User(username="ghost"))

        self.campaign.refresh_from_db()
        self.assertTrue(self.campaign.is_enabled)
        self.assertEqual(CampaignStatusChange.objects.filter(campaign=self.campaign).count(), 1)


class BaselineMigrationTests(TransactionTestCase):
    """Brands and campaigns made before the history began: their first change says from what."""

    BEFORE = ("ads", "0006_campaign_caps_flights_windows_ledger_kinds")

    def test_the_first_change_after_the_migration_shows_the_value_it_replaced(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([self.BEFORE])
        old = executor.loader.project_state([self.BEFORE]).apps
        brand = old.get_model("ads", "Brand").objects.create(
            name="Old",
            daily_budget=Decimal("80.00"),
            monthly_budget=Decimal("800.00"),
            timezone="UTC",
            spend_day=date(2026, 3, 18),
            spend_month=date(2026, 3, 1),
        )
        old.get_model("ads", "Campaign").objects.create(
            brand_id=brand.pk, name="Old", daily_cap=Decimal("5.00")
        )
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        # Nothing has changed yet: the baseline is not a change.
        self.assertEqual(brand_budget_history(Brand.objects.get(), limit=20), [])
        campaign = Campaign.objects.get()
        self.assertEqual(campaign_budget_history(campaign, limit=20), [])
        campaign.daily_cap = Decimal("7.00")
        campaign.save()
        changes = campaign_budget_history(campaign, limit=20)
        self.assertEqual(
            [(c.who, c.field, c.old, c.new) for c in changes],
            [("", "daily cap", Decimal("5.00"), Decimal("7.00"))],
        )
