"""Bad input at every entry point gets a clear error naming the problem and changes nothing.

Here the services and the models (a row created in the shell); the admin's forms are in
`test_bad_input_admin`, the management commands' options and the tasks' arguments in
`test_bad_input_commands`, and what they share (the snapshot of every table, `BadInputCase`) in
`bad_input`. Each case compares a snapshot of every table before and after. Odd values that once
reached the database driver (a NUL, a lone surrogate, an id past the column's range, a timestamp
before year 1 in UTC) are among them.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError

from ads.models import Brand, Campaign, SpendLog
from ads.services import BudgetService, CampaignService, SpendEntry
from ads.tests.reliability.bad_input import NOW, PLUS_ONE, YEAR_ONE, BadInputCase, deleted_campaign
from ads.validators import EARLIEST_SPEND


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
