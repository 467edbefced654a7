"""Campaign caps and the campaign's own totals: a cap pauses its campaign alone, at once.

A cap is reached when the campaign's spend is at or over it (0 allows none). Its totals
(`current_daily_spend` for the brand's current local day, `total_spend` all time) are the
ledger's sums after a single spend, a batch, a row created through the ORM, a rollover at local
midnight, the reset and `reconcile_spend --fix`.
"""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from ads.models import Campaign, CampaignStatusChange, SpendLog
from ads.rules.budgets import is_cap_reached
from ads.selectors import campaign_facts, reason_counts
from ads.selectors.budgets import CAMPAIGN_DAILY, CAMPAIGN_TOTAL, cap_reached
from ads.services import (
    DAILY_CAP_REACHED,
    DAILY_EXCEEDED,
    TOTAL_CAP_REACHED,
    BudgetService,
    CampaignService,
    SpendEntry,
)
from ads.tests.builders import is_active, make_brand, make_campaign, utc

NOW = utc("2026-03-18T12:00")
Cause = CampaignStatusChange.Cause


def campaign_totals(campaign: Campaign) -> tuple[Decimal, Decimal]:
    campaign.refresh_from_db()
    return campaign.current_daily_spend, campaign.total_spend


def set_caps(campaign: Campaign, *, daily: str | None = None, total: str | None = None) -> None:
    # The stubs type the custom money field as Decimal even when it is nullable.
    campaign.daily_cap = None if daily is None else Decimal(daily)  # type: ignore[assignment]
    campaign.total_cap = None if total is None else Decimal(total)  # type: ignore[assignment]
    campaign.save()


def reasons(campaign: Campaign) -> list[str]:
    return CampaignService.should_campaign_be_active(campaign)[1]


@time_machine.travel(NOW, tick=False)
class CapPausesItsCampaignAloneTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand("Acme", daily="1000.00", monthly="10000.00")
        self.capped = make_campaign(self.brand, "Capped")
        self.other = make_campaign(self.brand, "Other")

    def assert_only_capped_paused(self, reason: str) -> None:
        self.assertFalse(is_active(self.capped))
        self.assertTrue(is_active(self.other))
        self.assertEqual(reasons(self.capped), [reason])
        change = CampaignStatusChange.objects.filter(campaign=self.capped).latest("pk")
        self.assertEqual(
            (change.is_active, change.cause, change.reasons), (False, "spend", [reason])
        )

    def test_the_spend_that_reaches_the_daily_cap_pauses_that_campaign_at_once(self) -> None:
        set_caps(self.capped, daily="50.00")
        BudgetService.record_spend(self.capped, "49.99")
        self.assertTrue(is_active(self.capped))

        BudgetService.record_spend(self.capped, "0.01")

        self.assert_only_capped_paused(DAILY_CAP_REACHED)
        self.assertEqual(campaign_totals(self.capped), (Decimal("50.00"), Decimal("50.00")))
        self.assertEqual(campaign_totals(self.other), (Decimal("0.00"), Decimal("0.00")))

    def test_a_credit_below_the_cap_brings_the_capped_campaign_back_at_once(self) -> None:
        set_caps(self.capped, daily="50.00", total="80.00")
        BudgetService.record_spend(self.capped, "50.00")
        self.assert_only_capped_paused(DAILY_CAP_REACHED)

        BudgetService.record_adjustment(self.capped, "-5.00", "Invalid clicks")

        self.assertTrue(is_active(self.capped))
        self.assertEqual(campaign_totals(self.capped), (Decimal("45.00"), Decimal("45.00")))
        change = CampaignStatusChange.objects.filter(campaign=self.capped).latest("pk")
        self.assertEqual((change.is_active, change.cause), (True, "spend"))
        # The next 5.00 takes the day back to its cap: paused again, at once.
        BudgetService.record_spend(self.capped, "5.00")
        self.assert_only_capped_paused(DAILY_CAP_REACHED)

    def test_the_total_cap_counts_every_day_the_daily_total_only_today(self) -> None:
        set_caps(self.capped, total="100.00")
        BudgetService.record_spend(self.capped, "60.00", timestamp=NOW - timedelta(days=3))
        self.assertTrue(is_active(self.capped))

        BudgetService.record_spend(self.capped, "40.00")

        self.assert_only_capped_paused(TOTAL_CAP_REACHED)
        self.assertEqual(campaign_totals(self.capped), (Decimal("40.00"), Decimal("100.00")))

    def test_a_batch_pauses_the_campaign_its_entries_take_to_the_cap(self) -> None:
        set_caps(self.capped, daily="10.00")
        set_caps(self.other, daily="10.00")
        BudgetService.record_spends(
            [
                SpendEntry(self.capped, "6.00"),
                SpendEntry(self.other, "9.99"),
                SpendEntry(self.capped, "4.00"),
            ]
        )

        self.assert_only_capped_paused(DAILY_CAP_REACHED)
        self.assertEqual(campaign_totals(self.other), (Decimal("9.99"), Decimal("9.99")))

    def test_a_row_created_through_the_orm_pauses_too(self) -> None:
        set_caps(self.capped, daily="5.00")
        SpendLog.objects.create(campaign=self.capped, amount=Decimal("5.00"))

        self.assert_only_capped_paused(DAILY_CAP_REACHED)
        self.assertEqual(campaign_totals(self.capped), (Decimal("5.00"), Decimal("5.00")))

    def test_a_cap_of_0_allows_no_spend(self) -> None:
        set_caps(self.capped, daily="0.00")

        self.assertFalse(is_active(self.capped))
        self.assertEqual(reasons(self.capped), [DAILY_CAP_REACHED])
        set_caps(self.capped, total="0")
        self.assertEqual(reasons(self.capped), [TOTAL_CAP_REACHED])

    def test_raising_or_removing_the_cap_brings_the_campaign_back(self) -> None:
        set_caps(self.capped, daily="5.00")
        BudgetService.record_spend(self.capped, "5.00")
        self.assertFalse(is_active(self.capped))

        set_caps(self.capped, daily="5.01")
        self.assertTrue(is_active(self.capped))
        set_caps(self.capped, daily="5.00")
        set_caps(self.capped)
        self.assertTrue(is_active(self.capped))

    def test_spend_on_a_capped_campaign_is_still_counted(self) -> None:
        set_caps(self.capped, daily="1.00")
        BudgetService.record_spend(self.capped, "1.00")
        BudgetService.record_spend(self.capped, "2.50")

        self.assertEqual(campaign_totals(self.capped), (Decimal("3.50"), Decimal("3.50")))
        self.assertEqual(BudgetService.find_campaign_drift(), [])


@time_machine.travel(NOW, tick=False)
class CapsAndBrandBudgetsTests(TestCase):
    """Layered: whichever of the campaign's cap and the brand's budget runs out first pauses."""

    def setUp(self) -> None:
        self.brand = make_brand("Acme", daily="100.00", monthly="1000.00")
        self.capped = make_campaign(self.brand, "Capped")
        self.other = make_campaign(self.brand, "Other")

    def test_the_cap_first_pauses_one_campaign_then_the_budget_pauses_the_rest(self) -> None:
        set_caps(self.capped, daily="30.00")
        BudgetService.record_spend(self.capped, "30.00")
        self.assertEqual((is_active(self.capped), is_active(self.other)), (False, True))

        BudgetService.record_spend(self.other, "70.00")

        self.assertEqual((is_active(self.capped), is_active(self.other)), (False, False))
        self.assertEqual(reasons(self.capped), [DAILY_EXCEEDED, DAILY_CAP_REACHED])
        self.assertEqual(reasons(self.other), [DAILY_EXCEEDED])

    def test_the_budget_first_pauses_every_campaign_under_its_cap(self) -> None:
        set_caps(self.capped, daily="500.00", total="800.00")
        BudgetService.record_spend(self.other, "100.00")

        self.assertEqual((is_active(self.capped), is_active(self.other)), (False, False))
        self.assertEqual(reasons(self.capped), [DAILY_EXCEEDED])


class CampaignTotalsAcrossMidnightTests(TestCase):
    """New York's midnight: the brand's day turns, the campaigns' daily totals with it."""

    def setUp(self) -> None:
        with time_machine.travel(utc("2026-03-18T12:00"), tick=False):
            self.brand = make_brand("NY", timezone="America/New_York")
            self.campaign = make_campaign(self.brand, "Search")
            set_caps(self.campaign, daily="10.00")
            BudgetService.record_spend(self.campaign, "10.00")
        self.assertFalse(is_active(self.campaign))

    def test_a_spend_after_local_midnight_counts_in_the_new_day_alone(self) -> None:
        # 00:00:01 EDT on 19 March is 04:00:01 UTC.
        with time_machine.travel(utc("2026-03-19T04:00:01"), tick=False):
            BudgetService.record_spend(self.campaign, "2.00")

        self.assertEqual(campaign_totals(self.campaign), (Decimal("2.00"), Decimal("12.00")))
        self.assertTrue(is_active(self.campaign))

    def test_a_spend_just_before_midnight_stays_in_the_old_day(self) -> None:
        with time_machine.travel(utc("2026-03-19T03:59:59"), tick=False):
            BudgetService.record_spend(self.campaign, "2.00")

        self.assertEqual(campaign_totals(self.campaign), (Decimal("12.00"), Decimal("12.00")))
        self.assertFalse(is_active(self.campaign))

    def test_the_reset_recounts_the_daily_totals_and_brings_the_campaign_back(self) -> None:
        with time_machine.travel(utc("2026-03-19T04:00"), tick=False):
            BudgetService.reset_daily_monthly_spends()

        self.assertEqual(campaign_totals(self.campaign), (Decimal("0.00"), Decimal("10.00")))
        self.assertTrue(is_active(self.campaign))
        self.assertEqual(BudgetService.find_campaign_drift(), [])

    def test_a_backdated_spend_after_the_rollover_counts_in_the_total_only(self) -> None:
        with time_machine.travel(utc("2026-03-19T05:00"), tick=False):
            BudgetService.reset_daily_monthly_spends()
            BudgetService.record_spend(self.campaign, "3.00", timestamp=utc("2026-03-19T03:00"))

        self.assertEqual(campaign_totals(self.campaign), (Decimal("0.00"), Decimal("13.00")))


@time_machine.travel(NOW, tick=False)
class ReconcileCampaignTotalsTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand("Acme")
        self.campaign = make_campaign(self.brand, "Search")
        set_caps(self.campaign, total="20.00")
        BudgetService.record_spend(self.campaign, "20.00", timestamp=NOW - timedelta(days=2))
        BudgetService.record_spend(self.campaign, "5.00")
        self.assertFalse(is_active(self.campaign))

    def drift(self) -> None:
        """Totals off the ledger, written behind the services' back (and is_active with them)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ads_campaign SET current_daily_spend = 1, total_spend = 2, "
                "is_active = %s WHERE id = %s",
                [True, self.campaign.pk],
            )

    def test_drift_is_reported_and_the_command_exits_non_zero(self) -> None:
        self.drift()
        [found] = BudgetService.find_campaign_drift()
        self.assertEqual(
            (found.stored_daily, found.ledger_daily, found.stored_total, found.ledger_total),
            (Decimal("1.00"), Decimal("5.00"), Decimal("2.00"), Decimal("25.00")),
        )
        with self.assertRaisesMessage(CommandError, "0 brand(s) drift from the ledger, and 1"):
            call_command("reconcile_spend", stdout=StringIO())
        self.assertEqual(campaign_totals(self.campaign), (Decimal("1.00"), Decimal("2.00")))

    def test_fix_repairs_the_totals_and_re_evaluates_the_campaign(self) -> None:
        self.drift()
        with self.assertLogs("ads.reconcile", "WARNING") as logged:
            call_command("reconcile_spend", "--fix", stdout=StringIO())

        self.assertEqual(campaign_totals(self.campaign), (Decimal("5.00"), Decimal("25.00")))
        self.assertIn("total 2.00 -> 25.00", logged.output[0])
        self.assertFalse(is_active(self.campaign))
        change = CampaignStatusChange.objects.filter(campaign=self.campaign).latest("pk")
        self.assertEqual((change.cause, change.reasons), ("reconcile", [TOTAL_CAP_REACHED]))
        self.assertEqual(BudgetService.find_campaign_drift(), [])


@time_machine.travel(NOW, tick=False)
class CapValidationTests(TestCase):
    def setUp(self) -> None:
        self.campaign = make_campaign(make_brand("Acme"), "Search")
        set_caps(self.campaign, daily="10.00", total="100.00")

    def test_a_negative_cap_is_refused_and_nothing_changes(self) -> None:
        for field in ("daily_cap", "total_cap"):
            with self.subTest(field=field):
                campaign = Campaign.objects.get(pk=self.campaign.pk)
                setattr(campaign, field, Decimal("-0.01"))
                with self.assertRaises(ValidationError) as caught:
                    campaign.save()
                self.assertIn(field, caught.exception.message_dict)
                self.assertIn("greater than or equal to 0", str(caught.exception))
                self.assertEqual(
                    Campaign.objects.values_list("daily_cap", "total_cap").get(),
                    (Decimal("10.00"), Decimal("100.00")),
                )

    def test_a_cap_past_the_largest_total_or_with_fractions_of_a_cent_is_refused(self) -> None:
        for value in ("0.001", "1" + "0" * 20):
            with self.subTest(value=value):
                self.campaign.daily_cap = Decimal(value)
                with self.assertRaises(ValidationError) as caught:
                    self.campaign.save()
                self.assertIn("daily_cap", caught.exception.message_dict)
        self.assertEqual(Campaign.objects.get().daily_cap, Decimal("10.00"))


@time_machine.travel(NOW, tick=False)
class CapRuleFormsAgreeTests(TestCase):
    """The cap rule's Python form and its one SQL form agree at every boundary."""

    CASES = (
        ("0.00", "0.00"),
        ("0.00", "0.01"),
        ("99.99", "100.00"),
        ("100.00", "100.00"),
        ("100.01", "100.00"),
        ("5.00", None),
    )

    def test_python_and_sql_agree(self) -> None:
        brand = make_brand("Acme", daily="1000000.00", monthly="10000000.00")
        expected = {}
        for number, (spend, cap) in enumerate(self.CASES):
            campaign = make_campaign(brand, f"C{number}")
            set_caps(campaign, daily=cap, total=cap)
            if spend != "0.00":
                BudgetService.record_spend(campaign, spend)
            cap_value = None if cap is None else Decimal(cap)
            expected[campaign.pk] = is_cap_reached(Decimal(spend), cap_value)

        for columns in (CAMPAIGN_DAILY, CAMPAIGN_TOTAL):
            reached = set(
                Campaign.objects.filter(cap_reached(columns)).values_list("pk", flat=True)
            )
            self.assertEqual(reached, {pk for pk, hit in expected.items() if hit})
        facts = {f.pk: f for f in campaign_facts(Campaign.objects.all())}
        self.assertEqual({pk: f.daily_cap_reached for pk, f in facts.items()}, expected)
        self.assertEqual({pk: f.total_cap_reached for pk, f in facts.items()}, expected)
        counts = reason_counts(
            Campaign.objects.all(), [DAILY_CAP_REACHED, TOTAL_CAP_REACHED], now=timezone.now()
        )
        hits = sum(expected.values())
        self.assertEqual(counts, {DAILY_CAP_REACHED: hits, TOTAL_CAP_REACHED: hits})


class CampaignTotalsAfterANewTimeZoneTests(TestCase):
    def test_a_new_zone_on_the_same_date_recounts_the_campaigns_day(self) -> None:
        with time_machine.travel(utc("2026-03-18T12:00"), tick=False):
            brand = make_brand("Acme", timezone="UTC")
            campaign = make_campaign(brand, "Search")
            # 23:30 UTC on the 17th is 00:30 on the 18th in Paris (UTC+1 in March).
            BudgetService.record_spend(campaign, "10.00", timestamp=utc("2026-03-17T23:30"))
            BudgetService.record_spend(campaign, "5.00")
            self.assertEqual(campaign_totals(campaign), (Decimal("5.00"), Decimal("15.00")))

            brand.timezone = "Europe/Paris"
            brand.save()

        brand.refresh_from_db()
        self.assertEqual((brand.spend_day, brand.current_daily_spend), (NOW.date(), Decimal(15)))
        self.assertEqual(campaign_totals(campaign), (Decimal("15.00"), Decimal("15.00")))
