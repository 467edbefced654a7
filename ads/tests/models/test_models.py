"""The models' promises: budget properties, validation on save and in the database, system fields
never written back by a save, undeletable history and the append-only ledger."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import SimpleTestCase, TestCase, TransactionTestCase

from ads.models import Brand, Campaign, CampaignStatusChange, DaypartingSchedule, SpendLog
from ads.services import BudgetService
from ads.tests.builders import is_active, make_brand, make_campaign, make_schedule, totals, utc

NOW = utc("2026-03-18T12:00:00")


def brand_with(daily: str, spent: str) -> Brand:
    return Brand(
        daily_budget=Decimal(daily),
        monthly_budget=Decimal(daily),
        current_daily_spend=Decimal(spent),
        current_monthly_spend=Decimal(spent),
    )


class BudgetPropertyTests(SimpleTestCase):
    def test_remaining_is_budget_minus_spend_and_never_below_zero(self) -> None:
        cases = [("100.00", "30.50", "69.50"), ("100.00", "100.00", "0.00"), ("50", "80", "0.00")]
        for budget, spent, remaining in cases:
            with self.subTest(budget=budget, spent=spent):
                brand = brand_with(budget, spent)
                self.assertEqual(brand.daily_budget_remaining, Decimal(remaining))
                self.assertEqual(brand.monthly_budget_remaining, Decimal(remaining))

    def test_a_budget_is_exceeded_once_spend_reaches_it(self) -> None:
        cases = [("100.00", "99.99", False), ("100.00", "100.00", True), ("100", "100.01", True)]
        for budget, spent, exceeded in cases:
            with self.subTest(budget=budget, spent=spent):
                brand = brand_with(budget, spent)
                self.assertIs(brand.is_daily_budget_exceeded, exceeded)
                self.assertIs(brand.is_monthly_budget_exceeded, exceeded)

    def test_a_budget_of_zero_is_exceeded_before_any_spend(self) -> None:
        brand = brand_with("0.00", "0.00")
        self.assertTrue(brand.is_daily_budget_exceeded)
        self.assertTrue(brand.is_monthly_budget_exceeded)
        self.assertEqual(brand.daily_budget_remaining, Decimal("0.00"))


@time_machine.travel(NOW, tick=False)
class SystemFieldTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="100.00")
        self.campaign = make_campaign(self.brand)

    def test_a_new_brand_starts_empty_in_its_current_local_day(self) -> None:
        # 12:00Z on the 18th is already 00:45 on the 19th in Chatham (UTC+12:45 in March).
        brand = make_brand("Chatham", timezone="Pacific/Chatham")
        self.assertEqual(str(brand.spend_day), "2026-03-19")
        self.assertEqual(str(brand.spend_month), "2026-03-01")
        self.assertEqual(totals(brand), (Decimal("0.00"), Decimal("0.00")))

    def test_the_time_zone_defaults_to_the_sites(self) -> None:
        with self.settings(TIME_ZONE="Asia/Kolkata"):
            brand = Brand.objects.create(
                name="Default", daily_budget=Decimal(1), monthly_budget=Decimal(1)
            )
        self.assertEqual(brand.timezone, "Asia/Kolkata")
        self.assertEqual(str(brand.spend_day), "2026-03-18")  # 17:30 there

    def test_saving_a_stale_brand_keeps_the_spend_recorded_since_it_was_loaded(self) -> None:
        stale = Brand.objects.get(pk=self.brand.pk)
        BudgetService.record_spend(self.campaign, "40.00")
        stale.name = "Acme Corp"
        stale.save()
        self.assertEqual(totals(self.brand), (Decimal("40.00"), Decimal("40.00")))
        self.assertEqual(self.brand.name, "Acme Corp")
        # The saved object itself now shows the stored totals, not its stale copy.
        self.assertEqual(stale.current_daily_spend, Decimal("40.00"))

    def test_totals_set_on_the_object_are_not_written(self) -> None:
        self.brand.current_daily_spend = Decimal("99.00")
        self.brand.current_monthly_spend = Decimal("99.00")
        self.brand.save()
        self.assertEqual(totals(self.brand), (Decimal("0.00"), Decimal("0.00")))
        self.assertTrue(is_active(self.campaign))

    def test_saving_a_stale_campaign_keeps_the_serving_state_the_system_set(self) -> None:
        stale = Campaign.objects.get(pk=self.campaign.pk)
        self.assertTrue(stale.is_active)
        BudgetService.record_spend(self.campaign, "100.00")  # pauses it
        stale.name = "Search (EU)"
        stale.save()
        self.assertFalse(is_active(self.campaign))
        self.assertEqual(self.campaign.name, "Search (EU)")

    def test_is_active_set_on_the_object_is_not_written(self) -> None:
        self.campaign.is_active = False
        self.campaign.save()
        self.assertTrue(is_active(self.campaign))


class BrandValidationTests(TestCase):
    def assert_invalid(self, field: str, **fields: Any) -> None:
        before = Brand.objects.count()
        values = {"name": "Globex", "daily_budget": "10", "monthly_budget": "10", **fields}
        with self.assertRaises(ValidationError) as caught:
            Brand.objects.create(**values)
        self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(Brand.objects.count(), before)

    def test_a_negative_budget_is_refused_by_name(self) -> None:
        self.assert_invalid("daily_budget", daily_budget=Decimal("-0.01"))
        self.assert_invalid("monthly_budget", monthly_budget=Decimal("-5"))

    def test_a_budget_with_sub_cent_precision_is_refused(self) -> None:
        self.assert_invalid("daily_budget", daily_budget=Decimal("1.005"))

    def test_a_float_budget_is_refused_not_rounded(self) -> None:
        self.assert_invalid("daily_budget", daily_budget=10.005)
        self.assert_invalid("monthly_budget", monthly_budget=100.0)
        brand = make_brand(daily="100.00")
        brand.daily_budget = 0.1 + 0.2  # type: ignore[assignment]
        with self.assertRaises(ValidationError) as caught:
            brand.save()
        self.assertIn("is a float", str(caught.exception.message_dict["daily_budget"]))
        brand.refresh_from_db()
        self.assertEqual(brand.daily_budget, Decimal("100.00"))

    def test_an_unknown_time_zone_is_refused(self) -> None:
        for name in ("Mars/Olympus_Mons", "", "GMT+5:30"):
            with self.subTest(name=name):
                self.assert_invalid("timezone", timezone=name)

    def test_an_edit_to_a_negative_budget_is_refused_and_changes_nothing(self) -> None:
        brand = make_brand(daily="100.00")
        brand.daily_budget = Decimal("-1.00")
        with self.assertRaises(ValidationError):
            brand.save()
        brand.refresh_from_db()
        self.assertEqual(brand.daily_budget, Decimal("100.00"))

    def test_the_database_refuses_a_negative_budget_written_around_the_model(self) -> None:
        brand = make_brand()
        for field in ("daily_budget", "monthly_budget"):
            with (
                self.subTest(field=field),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                Brand.objects.filter(pk=brand.pk).update(**{field: Decimal("-1")})
        brand.refresh_from_db()
        self.assertEqual(brand.daily_budget, Decimal("100.00"))

    def test_names_are_unique(self) -> None:
        make_brand("Acme")
        self.assert_invalid("name", name="Acme")


class CampaignValidationTests(TestCase):
    def test_a_name_is_unique_within_its_brand_only(self) -> None:
        acme = make_brand("Acme")
        make_campaign(acme, "Search")
        make_campaign(make_brand("Globex"), "Search")
        with self.assertRaises(ValidationError):
            make_campaign(acme, "Search")
        self.assertEqual(Campaign.objects.filter(name="Search").count(), 2)

    def test_a_campaign_with_spend_cannot_move_to_another_brand(self) -> None:
        campaign = make_campaign(make_brand("Acme"))
        BudgetService.record_spend(campaign, "5.00")
        campaign.brand = make_brand("Globex")
        with self.assertRaises(ValidationError) as caught:
            campaign.save()
        self.assertIn("brand", caught.exception.message_dict)
        campaign.refresh_from_db()
        self.assertEqual(campaign.brand.name, "Acme")

    def test_a_float_cap_is_refused_and_changes_nothing(self) -> None:
        campaign = make_campaign(make_brand("Acme"))
        for field in ("daily_cap", "total_cap"):
            with self.subTest(field=field):
                setattr(campaign, field, 1.5)
                with self.assertRaises(ValidationError) as caught:
                    campaign.save()
                self.assertIn(field, caught.exception.message_dict)
                campaign.refresh_from_db()
                self.assertIsNone(getattr(campaign, field))


class ScheduleValidationTests(TestCase):
    def setUp(self) -> None:
        self.campaign = make_campaign()

    def assert_invalid(self, field: str, **fields: Any) -> None:
        values = {"start_time": time(9), "end_time": time(17), **fields}
        schedule = DaypartingSchedule(campaign=self.campaign, **values)
        with self.assertRaises(ValidationError) as caught:
            schedule.save()
        self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(DaypartingSchedule.objects.exists())

    def test_a_window_that_ends_when_it_starts_is_refused(self) -> None:
        self.assert_invalid("end_time", start_time=time(22), end_time=time(22))

    def test_the_database_refuses_an_empty_window_written_around_the_model(self) -> None:
        schedule = make_schedule(self.campaign, time(9), time(17))
        with self.assertRaises(IntegrityError), transaction.atomic():
            DaypartingSchedule.objects.filter(pk=schedule.pk).update(end_time=time(9))

    def test_bad_days_of_week_are_refused(self) -> None:
        bad: list[Any] = [[], [7], [-1], [0, 0], [True], ["1"], [1.0], "0,1", None, {"mon": 0}]
        for days in bad:
            with self.subTest(days=days):
                self.assert_invalid("days_of_week", days_of_week=days)

    def test_an_unknown_time_zone_is_refused(self) -> None:
        self.assert_invalid("timezone", timezone="Mars/Olympus_Mons")

    def test_days_are_kept_sorted_and_default_to_every_day(self) -> None:
        schedule = make_schedule(self.campaign, days=[6, 0, 3])
        schedule.refresh_from_db()
        self.assertEqual(schedule.days_of_week, [0, 3, 6])
        other = make_schedule(make_campaign(self.campaign.brand, "Video"))
        self.assertEqual(other.days_of_week, [0, 1, 2, 3, 4, 5, 6])

    def test_a_campaign_has_at_most_one_schedule(self) -> None:
        make_schedule(self.campaign)
        with self.assertRaises(ValidationError) as caught:
            make_schedule(self.campaign, time(20), time(23))
        self.assertIn("campaign", caught.exception.message_dict)
        self.assertEqual(DaypartingSchedule.objects.count(), 1)


class DeletionTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand()
        self.campaign = make_campaign(self.brand)

    def test_a_brand_or_campaign_with_spend_cannot_be_deleted(self) -> None:
        spend = BudgetService.record_spend(self.campaign, "5.00")
        for target in (self.brand, self.campaign):
            with (
                self.subTest(target=type(target).__name__),
                self.assertRaises(ProtectedError),
                transaction.atomic(),
            ):
                target.delete()
        self.assertTrue(Brand.objects.filter(pk=self.brand.pk).exists())
        self.assertTrue(Campaign.objects.filter(pk=self.campaign.pk).exists())
        self.assertTrue(SpendLog.objects.filter(pk=spend.pk).exists())

    def test_a_brand_or_campaign_without_spend_can_be_deleted(self) -> None:
        # The schedule's window (09:00-17:00) closed and open: the cascade must work at both.
        for moment in ("2026-03-18T20:00:00", "2026-03-18T12:00:00"):
            with self.subTest(at=moment), time_machine.travel(utc(moment), tick=False):
                brand = make_brand(f"Brand at {moment}")
                scheduled = make_campaign(brand, "Search")
                make_schedule(scheduled)
                other = make_campaign(brand, "Video")
                make_schedule(other)
                other.delete()
                self.assertFalse(Campaign.objects.filter(pk=other.pk).exists())
                brand.delete()
                self.assertFalse(Brand.objects.filter(pk=brand.pk).exists())
                self.assertFalse(
                    DaypartingSchedule.objects.filter(campaign__brand_id=brand.pk).exists()
                )
                self.assertFalse(CampaignStatusChange.objects.filter(campaign=scheduled).exists())

    @time_machine.travel(utc("2026-03-18T20:00:00"), tick=False)
    def test_a_schedule_deleted_on_its_own_frees_its_campaign(self) -> None:
        for how in ("instance", "queryset"):
            with self.subTest(how=how):
                campaign = make_campaign(self.brand, f"Deleted as {how}")
                schedule = make_schedule(campaign)
                self.assertFalse(is_active(campaign))
                if how == "instance":
                    schedule.delete()
                else:
                    DaypartingSchedule.objects.filter(pk=schedule.pk).delete()
                self.assertTrue(is_active(campaign))


class LedgerTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand()
        self.campaign = make_campaign(self.brand)
        self.spend = BudgetService.record_spend(self.campaign, "5.00", "click")

    def test_a_spend_reads_as_amount_campaign_and_utc_time(self) -> None:
        paris = datetime(2026, 3, 19, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
        spend = BudgetService.record_spend(self.campaign, "7.25", timestamp=paris)
        self.assertEqual(
            str(spend), f"7.25 on campaign #{self.campaign.pk} at 2026-03-19 08:30 UTC"
        )

    def test_a_recorded_spend_cannot_be_edited(self) -> None:
        self.spend.amount = Decimal("1.00")
        with self.assertRaisesMessage(ValidationError, "append-only"):
            self.spend.save()
        self.spend.refresh_from_db()
        self.assertEqual(self.spend.amount, Decimal("5.00"))
        self.assertEqual(totals(self.brand), (Decimal("5.00"), Decimal("5.00")))

    def test_a_recorded_spend_cannot_be_deleted(self) -> None:
        with self.assertRaisesMessage(ValidationError, "append-only"):
            self.spend.delete()
        self.assertTrue(SpendLog.objects.filter(pk=self.spend.pk).exists())

    def test_the_database_refuses_a_non_positive_amount(self) -> None:
        for amount in (Decimal("0"), Decimal("-1.00")):
            with (
                self.subTest(amount=amount),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                SpendLog.objects.bulk_create([SpendLog(campaign=self.campaign, amount=amount)])
        self.assertEqual(SpendLog.objects.count(), 1)

    def test_the_database_allows_each_external_id_once_per_campaign(self) -> None:
        def row(campaign: Campaign, external_id: str | None) -> SpendLog:
            return SpendLog(campaign=campaign, amount=Decimal("1"), external_id=external_id)

        other = make_campaign(self.brand, "Video")
        SpendLog.objects.bulk_create(
            [row(self.campaign, "evt-1"), row(other, "evt-1"), row(self.campaign, None)]
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            SpendLog.objects.bulk_create([row(self.campaign, "evt-1")])
        self.assertEqual(SpendLog.objects.filter(external_id="evt-1").count(), 2)

    @time_machine.travel(NOW, tick=False)
    def test_a_row_created_directly_is_checked_as_record_spend_checks_it(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"timestamp": NOW + timedelta(seconds=1)}, "timestamp"),
            ({"timestamp": datetime(2026, 3, 18, 11)}, "timestamp"),
            ({"amount": Decimal("1.234")}, "amount"),
            ({"amount": Decimal("0.00")}, "amount"),
        ]
        for override, field in cases:
            values: dict[str, Any] = {"campaign": self.campaign, "amount": Decimal("1"), **override}
            with self.subTest(override=override), self.assertRaises(ValidationError) as caught:
                SpendLog.objects.create(**values)
            self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(SpendLog.objects.count(), 1)
        self.assertEqual(totals(self.brand), (Decimal("5.00"), Decimal("5.00")))


class ShellSpendTests(TransactionTestCase):
    """Outside any transaction, as in `manage.py shell`, a new row commits with its roll-up."""

    def test_a_row_created_in_autocommit_mode_is_rolled_up_and_pauses(self) -> None:
        brand = make_brand(daily="10.00")
        campaign = make_campaign(brand)
        SpendLog.objects.create(campaign=campaign, amount=Decimal("4.00"))
        SpendLog.objects.create(campaign=campaign, amount=Decimal("6.00"))
        self.assertEqual(totals(brand), (Decimal("10.00"), Decimal("10.00")))
        self.assertFalse(is_active(campaign))
        self.assertEqual(BudgetService.find_drift(), [])
