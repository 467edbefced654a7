"""Bad input at every entry point gets a clear error naming the problem and changes nothing.

Entry points: the services, the models (a row created in the shell), the admin's forms, the
management commands' options and the tasks' arguments. Each case compares a snapshot of every
table before and after. Odd values that once reached the database driver (a NUL, a lone
surrogate, an id past the column's range, a timestamp before year 1 in UTC) are among them.
"""

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import partial
from typing import Any

import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from ads.models import (
    Brand,
    Campaign,
    CampaignStatusChange,
    DaypartingSchedule,
    SpendLog,
    TotalsCorrection,
)
from ads.services import BudgetService, CampaignService, SpendEntry
from ads.tasks import enforce_budgets, enforce_dayparting, reset_daily_monthly_spends
from ads.validators import EARLIEST_SPEND

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


class ServiceBadInputTests(BadInputCase):
    def test_record_spend_rejects_each_bad_argument_by_name(self) -> None:
        future = NOW + timedelta(seconds=1)
        cases: list[tuple[str, dict[str, Any], *tuple[str, ...]]] = [
            ("zero", {"amount": 0}, "must be greater than 0"),
            ("negative", {"amount": "-1.00"}, "must be greater than 0"),
            ("not a number", {"amount": "12,50"}, "is not a number"),
            ("empty string", {"amount": ""}, "is not a number"),
            ("NaN", {"amount": Decimal("NaN")}, "is not a finite number"),
            ("infinite", {"amount": "Infinity"}, "is not a finite number"),
            ("float", {"amount": 12.5}, "is a float"),
            ("sub-cent", {"amount": "1.234"}, "more than 2 decimal places"),
            ("None amount", {"amount": None}, "is not an amount"),
            ("bool amount", {"amount": True}, "is not an amount"),
            ("too large", {"amount": 10**13}, "exceeds the largest amount"),
            ("huge int", {"amount": 10**400}, "exceeds the largest amount"),
            ("bytes amount", {"amount": b"1.00"}, "is not an amount"),
            ("future", {"timestamp": future}, "is in the future"),
            ("far future", {"timestamp": datetime.max.replace(tzinfo=UTC)}, "is in the future"),
            ("naive", {"timestamp": datetime(2026, 3, 18, 11)}, "no time zone"),
            ("text timestamp", {"timestamp": "2026-03-18"}, "is not a datetime"),
            ("bytes timestamp", {"timestamp": b"2026-03-18"}, "is not a datetime"),
            ("year 1 at +01:00", {"timestamp": YEAR_ONE}, "is before 2000-01-01 00:00 UTC"),
            ("datetime.min", {"timestamp": datetime.min.replace(tzinfo=UTC)}, "before 2000"),
            (
                "1999 in UTC",
                {"timestamp": datetime(2000, 1, 1, 0, 30, tzinfo=PLUS_ONE)},
                "before 2000",
            ),
            ("description type", {"description": 12}, "is not a string"),
            ("bytes description", {"description": b"click"}, "is not a string"),
            ("description length", {"description": "x" * 501}, "Longer than 500"),
            ("huge description", {"description": "x" * 10**6}, "Longer than 500"),
            ("NUL description", {"description": "a\x00b"}, "description", "NUL character"),
            ("surrogate description", {"description": "\ud800"}, "description", "surrogate"),
            ("external_id length", {"external_id": "x" * 201}, "Longer than 200"),
            ("external_id type", {"external_id": 7}, "is not a string"),
            ("bytes external_id", {"external_id": b"e-1"}, "is not a string"),
            ("NUL external_id", {"external_id": "e\x00"}, "external_id", "NUL character"),
            ("surrogate external_id", {"external_id": "e\udfff"}, "external_id", "surrogate"),
            ("unsaved campaign", {"campaign": Campaign(name="New")}, "is not a saved campaign"),
            ("campaign name", {"campaign": "Search"}, "is not a saved campaign"),
            ("campaign bool", {"campaign": True}, "is not a saved campaign"),
            ("campaign text pk", {"campaign": Campaign(pk="7")}, "is not a saved campaign"),
            ("campaign id 0", {"campaign": 0}, "Campaign 0 does not exist"),
            ("negative campaign id", {"campaign": -3}, "does not exist"),
            ("campaign id past bigint", {"campaign": 2**63}, "does not exist"),
            ("huge campaign id", {"campaign": 10**30}, "does not exist"),
            ("deleted campaign", {"campaign": deleted_campaign(self.brand)}, "does not exist"),
        ]
        for label, override, *messages in cases:
            arguments: dict[str, Any] = {"campaign": self.campaign, "amount": "1.00", **override}
            with self.subTest(label):
                self.assert_rejected(
                    partial(BudgetService.record_spend, **arguments), ValidationError, *messages
                )

    def test_record_spends_names_the_bad_entry_and_records_none_of_the_batch(self) -> None:
        good = SpendEntry(self.campaign, "5.00")
        cases: list[tuple[list[Any], str]] = [
            ([good, SpendEntry(self.campaign, "-5")], "entry 1: amount"),
            ([good, good, {"campaign": self.campaign, "amount": 1.5}], "entry 2: amount"),
            ([good, {"campaign": self.campaign, "price": "5"}], "entry 1: Not a spend entry"),
            ([good, SpendEntry(deleted_campaign(self.brand), "5")], "entry 1: campaign"),
            ([good, "5.00"], "entry 1"),
            ([good, ["5.00"]], "entry 1: ['5.00'] is not a SpendEntry"),
            ([good, (self.campaign, "5", "", None, None, "extra")], "entry 1: Not a spend entry"),
            ([good, {1: "5"}], "entry 1: Not a spend entry"),
            ([good, {"campaign": self.campaign, "amount": b"5"}], "entry 1: amount"),
            ([good, {"campaign": 2**64, "amount": "5"}], "entry 1: campaign"),
            ([good, SpendEntry(self.campaign, "5", "a\x00")], "entry 1: description: Contains"),
            ([good, SpendEntry(self.campaign, "5", external_id="\ud800")], "entry 1: external_id"),
            ([good, (self.campaign, "5", "", None, YEAR_ONE)], "entry 1: timestamp: 0001-01-01"),
        ]
        for entries, message in cases:
            with self.subTest(message):
                self.assert_rejected(
                    partial(BudgetService.record_spends, entries), ValidationError, message
                )

    def test_should_campaign_be_active_rejects_what_is_not_a_saved_campaign(self) -> None:
        cases: list[tuple[Any, str]] = [
            (Campaign(name="New"), "is not a saved campaign"),
            (self.brand, "is not a saved campaign"),
            (deleted_campaign(self.brand), "does not exist"),
        ]
        for campaign, message in cases:
            with self.subTest(message, campaign=campaign):
                self.assert_rejected(
                    partial(CampaignService.should_campaign_be_active, campaign),
                    ValidationError,
                    message,
                )

    def test_get_brand_summary_rejects_what_is_not_a_saved_brand(self) -> None:
        gone = Brand.objects.create(name="Gone", daily_budget=Decimal(1), monthly_budget=Decimal(1))
        Brand.objects.filter(pk=gone.pk).delete()
        cases: list[tuple[Any, str]] = [
            (Brand(name="New"), "is not a saved brand"),
            (self.campaign, "is not a saved brand"),
            ("Acme", "is not a saved brand"),
            (gone, "does not exist"),
        ]
        for brand, message in cases:
            with self.subTest(message, brand=brand):
                self.assert_rejected(
                    partial(BudgetService.get_brand_summary, brand), ValidationError, message
                )


class ModelBadInputTests(BadInputCase):
    """A row made in the shell (objects.create) is validated as the services validate."""

    def test_text_the_database_cannot_store_is_refused_naming_the_field(self) -> None:
        cases: list[tuple[str, Callable[[], object], str]] = [
            ("brand name NUL", partial(make_brand_named, "Ac\x00me"), "name"),
            ("brand name surrogate", partial(make_brand_named, "Ac\ud800me"), "name"),
            (
                "campaign name NUL",
                partial(Campaign.objects.create, brand=self.brand, name="Se\x00arch"),
                "name",
            ),
            (
                "campaign name surrogate",
                partial(Campaign.objects.create, brand=self.brand, name="\udfff"),
                "name",
            ),
            (
                "spend description NUL",
                partial(
                    SpendLog.objects.create, campaign=self.campaign, amount=1, description="\x00"
                ),
                "description",
            ),
            (
                "spend external_id NUL",
                partial(
                    SpendLog.objects.create, campaign=self.campaign, amount=1, external_id="e\x00"
                ),
                "external_id",
            ),
        ]
        for label, call, field in cases:
            with self.subTest(label):
                self.assert_rejected(call, ValidationError, f"'{field}'")

    def test_a_spend_time_out_of_range_is_refused(self) -> None:
        for when, message in [
            (YEAR_ONE, "is before 2000-01-01 00:00 UTC"),
            (EARLIEST_SPEND - timedelta(microseconds=1), "is before 2000-01-01 00:00 UTC"),
            (NOW + timedelta(seconds=1), "is in the future"),
        ]:
            create = partial(
                SpendLog.objects.create, campaign=self.campaign, amount=1, timestamp=when
            )
            with self.subTest(when=when):
                self.assert_rejected(create, ValidationError, "'timestamp'", message)


def make_brand_named(name: str) -> Brand:
    return Brand.objects.create(name=name, daily_budget=Decimal(1), monthly_budget=Decimal(1))


class AdminFormBadInputTests(BadInputCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(
            User.objects.create_superuser("admin", "admin@example.com", "not-a-real-password")
        )

    def assert_form_rejected(self, url: str, data: dict[str, str], field: str) -> None:
        """The form comes back (200, not a redirect) with an error on `field`; nothing changed."""
        before = database_state()
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        self.assertIn(field, errors, errors)
        self.assertTrue(all(str(message).strip() for message in errors[field]))
        self.assertEqual(database_state(), before)

    def brand_form(self, **override: str) -> dict[str, str]:
        return {
            "name": "Globex",
            "daily_budget": "100.00",
            "monthly_budget": "1000.00",
            "timezone": "UTC",
            **override,
        }

    def test_brand_forms_reject_a_negative_budget_and_an_unknown_time_zone(self) -> None:
        add = reverse("admin:ads_brand_add")
        change = reverse("admin:ads_brand_change", args=[self.brand.pk])
        for url in (add, change):
            for field, value in [
                ("daily_budget", "-1.00"),
                ("monthly_budget", "-0.01"),
                ("daily_budget", "ten"),
                ("timezone", "Mars/Olympus_Mons"),
                ("timezone", ""),
            ]:
                with self.subTest(url=url, field=field, value=value):
                    self.assert_form_rejected(url, self.brand_form(**{field: value}), field)

    def test_schedule_inline_rejects_a_window_that_starts_when_it_ends(self) -> None:
        url = reverse("admin:ads_campaign_change", args=[self.schedule_campaign.pk])
        # Every inline formset posted empty, then the schedule's with one window.
        data = {
            f"{inline.formset.prefix}-{key}": "0"
            for inline in self.client.get(url).context["inline_admin_formsets"]
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        }
        data |= {
            "brand": str(self.brand.pk),
            "name": self.schedule_campaign.name,
            "is_enabled": "on",
            "dayparting_schedule-TOTAL_FORMS": "1",
            "dayparting_schedule-0-start_time": "22:00",
            "dayparting_schedule-0-end_time": "22:00",
            "dayparting_schedule-0-days_of_week": "4",
            "dayparting_schedule-0-timezone": "",
        }
        before = database_state()
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        (schedule,) = [
            inline.formset
            for inline in response.context["inline_admin_formsets"]
            if inline.formset.prefix == "dayparting_schedule"
        ]
        self.assertIn("end_time", schedule.errors[0], schedule.errors)
        self.assertIn("must not start and end at the same time", str(schedule.errors[0]))
        self.assertEqual(database_state(), before)

    def spend_form(self, **override: str) -> dict[str, str]:
        return {
            "campaign": str(self.campaign.pk),
            "amount": "1.00",
            "timestamp_0": "2026-03-18",
            "timestamp_1": "11:00:00",
            "description": "typo",
            "external_id": "",
            **override,
        }

    def test_spend_form_rejects_a_bad_amount(self) -> None:
        for amount in ("-5.00", "0", "1.234", "twelve", "", "1000000000000"):
            with self.subTest(amount=amount):
                self.assert_form_rejected(
                    reverse("admin:ads_spendlog_add"), self.spend_form(amount=amount), "amount"
                )

    def test_spend_form_takes_plain_decimal_notation_only(self) -> None:
        for amount, message in [
            ("1e3", "is not a plain decimal amount"),
            ("1E+2", "is not a plain decimal amount"),
            ("1_000", "is not a plain decimal amount"),
            ("١٢", "is not a plain decimal amount"),
            ("+5", "is not a plain decimal amount"),
            ("NaN", "is not a finite number"),
            ("Infinity", "is not a finite number"),
            ("1 000", "is not a number"),
            ("1,000", "is not a number"),
        ]:
            with self.subTest(amount=amount):
                self.assert_form_rejected(
                    reverse("admin:ads_spendlog_add"), self.spend_form(amount=amount), "amount"
                )
                response = self.client.post(
                    reverse("admin:ads_spendlog_add"), self.spend_form(amount=amount)
                )
                self.assertContains(response, message)

    def test_spend_form_rejects_a_time_before_2000_or_text_the_database_cannot_store(
        self,
    ) -> None:
        cases = [
            ({"timestamp_0": "0001-01-01", "timestamp_1": "00:00:00"}, "timestamp"),
            ({"timestamp_0": "1999-12-31", "timestamp_1": "23:59:59"}, "timestamp"),
            ({"timestamp_0": "2026-03-18", "timestamp_1": "12:00:01"}, "timestamp"),
            ({"description": "click\x00"}, "description"),
            ({"external_id": "e\x00"}, "external_id"),
        ]
        for override, field in cases:
            with self.subTest(override=override):
                self.assert_form_rejected(
                    reverse("admin:ads_spendlog_add"), self.spend_form(**override), field
                )

    def test_brand_and_campaign_forms_reject_a_nul_in_a_name(self) -> None:
        self.assert_form_rejected(
            reverse("admin:ads_brand_add"), self.brand_form(name="Glo\x00bex"), "name"
        )

    def test_admin_searches_with_a_nul_answer_without_a_server_error(self) -> None:
        for model in ("brand", "campaign", "spendlog", "campaignstatuschange"):
            with self.subTest(model=model):
                response = self.client.get(reverse(f"admin:ads_{model}_changelist"), {"q": "a\x00"})
                self.assertLess(response.status_code, 500)


class CommandBadInputTests(BadInputCase):
    def test_an_unknown_option_names_itself_and_changes_nothing(self) -> None:
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        for command in ("reconcile_spend", "reset_budgets"):
            with self.subTest(command, form="command line"):
                self.assert_rejected(
                    partial(call_command, command, "--bogus", **quiet),
                    CommandError,
                    "unrecognized arguments: --bogus",
                )
            with self.subTest(command, form="keyword"):
                self.assert_rejected(
                    partial(call_command, command, bogus=True, **quiet),
                    TypeError,
                    "Unknown option(s)",
                    "bogus",
                )


class TaskBadInputTests(BadInputCase):
    def test_a_task_given_arguments_it_does_not_take_raises_type_error_and_runs_nothing(
        self,
    ) -> None:
        # A state every task would repair if it ran: the over-budget campaign still serving.
        BudgetService.record_spend(self.campaign, Decimal("95.00"))
        Campaign.objects.filter(pk=self.campaign.pk).update(is_active=True)
        tasks: list[Any] = [enforce_budgets, enforce_dayparting, reset_daily_monthly_spends]
        # Typed as Any: these calls are wrong on purpose, and mypy refuses them as it should.
        for task in tasks:
            calls: list[tuple[str, Callable[[], object], str]] = [
                ("call", partial(task, "x"), "takes 0 positional arguments"),
                ("call", partial(task, now="2026-03-18"), "unexpected keyword argument 'now'"),
                ("delay", partial(task.delay, 7), "takes 0 positional arguments"),
                (
                    "apply_async",
                    partial(task.apply_async, kwargs={"brand": 1}),
                    "unexpected keyword argument 'brand'",
                ),
            ]
            for how, call, message in calls:
                with self.subTest(task=task.name, how=how):
                    self.assert_rejected(call, TypeError, task.name.rsplit(".")[-1], message)
