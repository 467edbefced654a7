"""BudgetService.record_spend: exact amounts, the pause at once, idempotent external ids, spend on
paused campaigns, bad input that changes nothing; the brand summary and the fresh verdict."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import TestCase

from ads.models import Brand, Campaign, CampaignStatusChange, SpendLog
from ads.services import BudgetService, CampaignService
from ads.tests.builders import is_active, make_brand, make_campaign, totals, utc

Cause = CampaignStatusChange.Cause
NOW = utc("2026-03-18T12:00:00")


@time_machine.travel(NOW, tick=False)
class RecordSpendTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="100.00", monthly="1000.00")
        self.search = make_campaign(self.brand, "Search")
        self.video = make_campaign(self.brand, "Video")

    def test_decimal_int_and_string_amounts_are_counted_exactly(self) -> None:
        for amount in (Decimal("0.10"), "0.20", 3):
            BudgetService.record_spend(self.search, amount)
        self.assertEqual(totals(self.brand), (Decimal("3.30"), Decimal("3.30")))
        self.assertEqual(
            sorted(SpendLog.objects.values_list("amount", flat=True)),
            [Decimal("0.10"), Decimal("0.20"), Decimal("3.00")],
        )

    def test_the_returned_row_is_the_saved_ledger_entry(self) -> None:
        earlier = NOW - timedelta(hours=2)
        spend = BudgetService.record_spend(
            self.search, "12.50", "CPC batch", external_id="evt-1", timestamp=earlier
        )
        self.assertEqual(SpendLog.objects.get(), spend)
        self.assertEqual(
            (spend.campaign, spend.amount, spend.description, spend.external_id, spend.timestamp),
            (self.search, Decimal("12.50"), "CPC batch", "evt-1", earlier),
        )
        plain = BudgetService.record_spend(self.search, "1.00")
        self.assertEqual(plain.timestamp, NOW)
        self.assertIsNone(plain.external_id)

    def test_a_spend_that_exceeds_the_budget_pauses_every_campaign_of_the_brand_at_once(
        self,
    ) -> None:
        other = make_campaign(make_brand("Globex"), "Search")
        BudgetService.record_spend(self.search, "99.99")
        self.assertTrue(is_active(self.video))

        BudgetService.record_spend(self.search, "0.01")  # spend == budget: exceeded

        self.assertFalse(is_active(self.search))
        self.assertFalse(is_active(self.video))
        self.assertTrue(is_active(other))
        pauses = CampaignStatusChange.objects.filter(is_active=False)
        self.assertEqual(
            sorted(pauses.values_list("campaign__name", "cause", "reasons", "changed_at")),
            [
                ("Search", Cause.SPEND, ["Daily budget exceeded"], NOW),
                ("Video", Cause.SPEND, ["Daily budget exceeded"], NOW),
            ],
        )

    def test_a_campaign_serving_under_a_brand_already_over_is_paused_by_the_next_spend(
        self,
    ) -> None:
        BudgetService.record_spend(self.search, "100.00")
        # Switched back on around the rules (a queryset update), while the brand is over.
        Campaign.objects.filter(pk=self.video.pk).update(is_active=True)

        BudgetService.record_spend(self.search, "1.00")

        self.assertFalse(is_active(self.video))
        self.assertFalse(is_active(self.search))
        last = CampaignStatusChange.objects.filter(campaign=self.video).latest("pk")
        self.assertEqual((last.is_active, last.cause), (False, Cause.SPEND))

    def test_a_spend_that_exceeds_the_monthly_budget_names_it(self) -> None:
        brand = make_brand("Globex", daily="500.00", monthly="50.00")
        campaign = make_campaign(brand)
        BudgetService.record_spend(campaign, "60.00")
        self.assertEqual(
            CampaignService.should_campaign_be_active(campaign),
            (False, ["Monthly budget exceeded"]),
        )
        self.assertFalse(is_active(campaign))

    def test_spend_on_a_paused_or_disabled_campaign_is_still_counted(self) -> None:
        BudgetService.record_spend(self.search, "150.00")
        self.video.is_enabled = False
        self.video.save()
        BudgetService.record_spend(self.search, "5.00")
        BudgetService.record_spend(self.video, "7.00")
        self.assertEqual(totals(self.brand), (Decimal("162.00"), Decimal("162.00")))
        self.assertEqual(SpendLog.objects.count(), 3)

    def test_everything_a_spend_writes_is_undone_with_its_transaction(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            BudgetService.record_spend(self.search, "100.00")
            self.assertFalse(is_active(self.video))
            raise RuntimeError("the caller's transaction fails")
        self.assertFalse(SpendLog.objects.exists())
        self.assertEqual(totals(self.brand), (Decimal("0.00"), Decimal("0.00")))
        self.assertTrue(is_active(self.video))
        self.assertFalse(CampaignStatusChange.objects.filter(cause=Cause.SPEND).exists())


@time_machine.travel(NOW, tick=False)
class ExternalIdTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand()
        self.campaign = make_campaign(self.brand)

    def test_a_redelivered_event_returns_the_spend_on_record_and_counts_once(self) -> None:
        first = BudgetService.record_spend(self.campaign, "10.00", external_id="evt-1")
        again = BudgetService.record_spend(self.campaign, "10.00", external_id="evt-1")
        # Even a re-delivery with other values is the same event.
        altered = BudgetService.record_spend(self.campaign, "99.00", external_id=" evt-1 ")
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(altered.pk, first.pk)
        self.assertEqual(altered.amount, Decimal("10.00"))
        self.assertEqual(SpendLog.objects.count(), 1)
        self.assertEqual(totals(self.brand), (Decimal("10.00"), Decimal("10.00")))

    def test_the_same_id_on_another_campaign_is_another_event(self) -> None:
        other = make_campaign(self.brand, "Video")
        a = BudgetService.record_spend(self.campaign, "10.00", external_id="evt-1")
        b = BudgetService.record_spend(other, "10.00", external_id="evt-1")
        self.assertNotEqual(a.pk, b.pk)
        self.assertEqual(totals(self.brand), (Decimal("20.00"), Decimal("20.00")))

    def test_a_blank_id_is_no_id(self) -> None:
        for _ in range(2):
            spend = BudgetService.record_spend(self.campaign, "1.00", external_id="  ")
            self.assertIsNone(spend.external_id)
        self.assertEqual(SpendLog.objects.count(), 2)


def snapshot() -> list[Any]:
    return [
        list(SpendLog.objects.values_list("pk", "amount")),
        list(Brand.objects.values_list("current_daily_spend", "current_monthly_spend")),
        list(Campaign.objects.values_list("is_active", flat=True)),
        CampaignStatusChange.objects.count(),
    ]


@time_machine.travel(NOW, tick=False)
class BadSpendTests(TestCase):
    """Every refusal names the argument at fault and leaves the ledger, totals and states alone.

    ads/tests/reliability/test_bad_input.py checks the wording; this checks which argument each
    error is filed under.
    """

    def test_each_bad_argument_is_named_and_nothing_changes(self) -> None:
        brand = make_brand(daily="10.00")
        campaign = make_campaign(brand)
        BudgetService.record_spend(campaign, "9.00")
        gone = make_campaign(brand, "Gone")
        Campaign.objects.filter(pk=gone.pk).delete()
        cases: list[tuple[str, dict[str, Any], str]] = [
            ("negative", {"amount": Decimal("-5.00")}, "amount"),
            ("zero", {"amount": 0}, "amount"),
            ("NaN", {"amount": Decimal("NaN")}, "amount"),
            ("infinite", {"amount": Decimal("-Infinity")}, "amount"),
            ("3 decimals", {"amount": "5.001"}, "amount"),
            ("float", {"amount": 5.0}, "amount"),
            ("bool", {"amount": True}, "amount"),
            ("wrong type", {"amount": [5]}, "amount"),
            ("future", {"timestamp": NOW + timedelta(microseconds=1)}, "timestamp"),
            ("naive", {"timestamp": datetime(2026, 3, 18, 11)}, "timestamp"),
            ("no such campaign", {"campaign": gone}, "campaign"),
            ("no such campaign id", {"campaign": 10**9}, "campaign"),
            ("unsaved campaign", {"campaign": Campaign(brand=brand, name="New")}, "campaign"),
            ("not a campaign", {"campaign": brand}, "campaign"),
        ]
        for label, override, field in cases:
            # Each would exceed the budget if it were counted.
            arguments: dict[str, Any] = {"campaign": campaign, "amount": "5.00", **override}
            before = snapshot()
            with self.subTest(label), self.assertRaises(ValidationError) as caught:
                BudgetService.record_spend(**arguments)
            self.assertEqual(list(caught.exception.message_dict), [field], label)
            self.assertEqual(snapshot(), before, label)
        self.assertTrue(is_active(campaign))


@time_machine.travel(NOW, tick=False)
class BrandSummaryTests(TestCase):
    def test_the_summary_reads_the_database_not_the_object(self) -> None:
        brand = make_brand(daily="100.00", monthly="1000.00")
        stale = Brand.objects.get(pk=brand.pk)
        search = make_campaign(brand, "Search")
        make_campaign(brand, "Video", enabled=False)
        BudgetService.record_spend(search, "30.00")
        BudgetService.record_spend(search, "20.00", timestamp=NOW - timedelta(days=1))

        summary = BudgetService.get_brand_summary(stale)

        expected = {
            "name": "Acme",
            "daily_budget": Decimal("100.00"),
            "monthly_budget": Decimal("1000.00"),
            "current_daily_spend": Decimal("30.00"),
            "current_monthly_spend": Decimal("50.00"),
            "daily_remaining": Decimal("70.00"),
            "monthly_remaining": Decimal("950.00"),
            "daily_exceeded": False,
            "monthly_exceeded": False,
            "active_campaigns": 1,
            "total_campaigns": 2,
        }
        self.assertEqual({key: summary[key] for key in expected}, expected)

    def test_an_exceeded_brand_shows_nothing_remaining(self) -> None:
        brand = make_brand(daily="10.00")
        BudgetService.record_spend(make_campaign(brand), "12.00")
        summary = BudgetService.get_brand_summary(brand)
        self.assertEqual(summary["daily_remaining"], Decimal("0.00"))
        self.assertTrue(summary["daily_exceeded"])
        self.assertEqual(summary["active_campaigns"], 0)


@time_machine.travel(NOW, tick=False)
class FreshVerdictTests(TestCase):
    def test_a_campaign_loaded_before_a_spend_gets_the_up_to_date_verdict(self) -> None:
        brand = make_brand(daily="10.00")
        campaign = make_campaign(brand)
        loaded = Campaign.objects.select_related("brand").get(pk=campaign.pk)
        self.assertEqual(CampaignService.should_campaign_be_active(loaded), (True, []))

        BudgetService.record_spend(campaign, "10.00")

        self.assertTrue(loaded.is_active)  # the object is stale ...
        self.assertFalse(loaded.brand.is_daily_budget_exceeded)
        # ... the verdict is not.
        self.assertEqual(
            CampaignService.should_campaign_be_active(loaded), (False, ["Daily budget exceeded"])
        )

    def test_the_verdict_follows_an_operator_switch_made_elsewhere(self) -> None:
        campaign = make_campaign()
        CampaignService.set_enabled(Campaign.objects.filter(pk=campaign.pk), False)
        self.assertTrue(campaign.is_enabled)
        self.assertEqual(
            CampaignService.should_campaign_be_active(campaign), (False, ["Disabled by operator"])
        )
