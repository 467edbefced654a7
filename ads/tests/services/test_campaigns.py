"""The serving rule: a campaign is active exactly when it is enabled and every constraint is met,
with its blocking reasons in a fixed order, every change recorded with its cause, the operator's
switch never overridden, and a budget edit taking effect in the saving transaction."""

from datetime import date, time
from decimal import Decimal

import time_machine
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Brand, Campaign, CampaignStatusChange, DaypartingSchedule
from ads.services import BudgetService, CampaignService
from ads.services.campaigns import SWEEP_BATCH, SWEEP_BRANDS, _batches
from ads.tests.builders import is_active, make_brand, make_campaign, make_schedule, utc

Cause = CampaignStatusChange.Cause
# Wednesday 12:00 UTC: a 09:00-17:00 window is open, a 20:00-23:00 one is closed.
NOW = utc("2026-03-18T12:00:00")
DISABLED = "Disabled by operator"
DAILY = "Daily budget exceeded"
MONTHLY = "Monthly budget exceeded"
OUTSIDE = "Outside dayparting window"


def history(campaign: Campaign) -> list[tuple[bool, list[str], str]]:
    """The campaign's recorded changes, oldest first."""
    return [
        (change.is_active, change.reasons, change.cause)
        for change in campaign.status_changes.order_by("changed_at", "id")
    ]


@time_machine.travel(NOW, tick=False)
class ReasonTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="10.00", monthly="20.00")

    def verdict(self, campaign: Campaign) -> tuple[bool, list[str]]:
        return CampaignService.should_campaign_be_active(campaign)

    def test_each_reason_alone(self) -> None:
        disabled = make_campaign(self.brand, "Disabled", enabled=False)
        night = make_campaign(self.brand, "Night")
        make_schedule(night, time(20), time(23))
        self.assertEqual(self.verdict(disabled), (False, [DISABLED]))
        self.assertEqual(self.verdict(night), (False, [OUTSIDE]))

        daily_only = make_campaign(make_brand("Globex", daily="1.00", monthly="50.00"))
        monthly_only = make_campaign(make_brand("Initech", daily="50.00", monthly="1.00"))
        for campaign in (daily_only, monthly_only):
            BudgetService.record_spend(campaign, "1.00")
        self.assertEqual(self.verdict(daily_only), (False, [DAILY]))
        self.assertEqual(self.verdict(monthly_only), (False, [MONTHLY]))

    def test_all_reasons_come_in_their_fixed_order_budgets_before_dayparting(self) -> None:
        campaign = make_campaign(self.brand, enabled=False)
        make_schedule(campaign, time(20), time(23))
        BudgetService.record_spend(campaign, "20.00")
        self.assertEqual(self.verdict(campaign), (False, [DISABLED, DAILY, MONTHLY, OUTSIDE]))
        self.assertEqual(
            CampaignService.reasons_by_campaign(Campaign.objects.all()),
            {campaign.pk: [DISABLED, DAILY, MONTHLY, OUTSIDE]},
        )

    def test_an_enabled_campaign_inside_its_window_and_budgets_serves(self) -> None:
        campaign = make_campaign(self.brand)
        make_schedule(campaign, time(9), time(17))
        BudgetService.record_spend(campaign, "9.99")
        self.assertEqual(self.verdict(campaign), (True, []))
        self.assertTrue(is_active(campaign))

    def test_a_budget_of_zero_allows_no_spend(self) -> None:
        campaign = make_campaign(make_brand("Globex", daily="0.00"))
        self.assertEqual(self.verdict(campaign), (False, [DAILY]))
        self.assertFalse(is_active(campaign))
        self.assertEqual(history(campaign), [])  # created paused: no change to record


@time_machine.travel(NOW, tick=False)
class HistoryTests(TestCase):
    """Every change of is_active leaves a row: when, the new state, the reasons and the cause."""

    def setUp(self) -> None:
        self.brand = make_brand(daily="10.00")
        self.campaign = make_campaign(self.brand)

    def test_the_operator_switch_is_recorded_both_ways(self) -> None:
        self.campaign.is_enabled = False
        self.campaign.save()
        self.assertFalse(self.campaign.is_active)  # the saved object is refreshed
        self.campaign.is_enabled = True
        self.campaign.save()
        self.assertEqual(
            history(self.campaign),
            [
                (True, [], Cause.OPERATOR),
                (False, [DISABLED], Cause.OPERATOR),
                (True, [], Cause.OPERATOR),
            ],
        )
        self.assertTrue(all(c.changed_at == NOW for c in self.campaign.status_changes.all()))

    def test_a_campaign_created_with_a_closed_window_never_logs_serving(self) -> None:
        # One operator edit in several saves (the admin's form): evaluated once, at its end.
        with transaction.atomic(), CampaignService.one_evaluation():
            campaign = make_campaign(self.brand, "Evening")
            make_schedule(campaign, time(20), time(23))
            self.assertEqual(history(campaign), [])  # nothing decided half-way
        self.assertFalse(is_active(campaign))
        self.assertEqual(history(campaign), [])  # created paused: no change to record
        with transaction.atomic(), CampaignService.one_evaluation():
            campaign = make_campaign(self.brand, "Lunch")
            make_schedule(campaign, time(11), time(14))
        self.assertEqual(history(campaign), [(True, [], Cause.OPERATOR)])

    def test_an_edit_that_fails_is_not_evaluated(self) -> None:
        with (
            self.assertRaises(RuntimeError),
            transaction.atomic(),
            CampaignService.one_evaluation(),
        ):
            campaign = make_campaign(self.brand, "Doomed")
            raise RuntimeError("the form's next save failed")
        self.assertFalse(Campaign.objects.filter(pk=campaign.pk).exists())
        self.assertFalse(CampaignStatusChange.objects.filter(campaign_id=campaign.pk).exists())

    def test_a_schedule_saved_or_deleted_takes_effect_at_once(self) -> None:
        schedule = make_schedule(self.campaign, time(20), time(23))
        self.assertFalse(is_active(self.campaign))
        schedule.start_time = time(11)
        schedule.save()
        self.assertTrue(is_active(self.campaign))
        schedule.end_time = time(11, 30)
        schedule.save()
        schedule.delete()
        self.assertEqual(
            history(self.campaign)[1:],
            [
                (False, [OUTSIDE], Cause.OPERATOR),
                (True, [], Cause.OPERATOR),
                (False, [OUTSIDE], Cause.OPERATOR),
                (True, [], Cause.OPERATOR),
            ],
        )

    def test_the_periodic_sweeps_record_their_own_cause(self) -> None:
        make_schedule(self.campaign, time(9), time(17))
        with time_machine.travel(utc("2026-03-18T17:00:00"), tick=False):
            result = CampaignService.sync_all(Cause.ENFORCE_DAYPARTING)
        self.assertEqual(result.paused, [self.campaign.pk])
        # Any sweep brings every rule in line: the budget one reopens the next morning's window.
        with time_machine.travel(utc("2026-03-19T09:00:00"), tick=False):
            result = CampaignService.sync_all(Cause.ENFORCE_BUDGETS)
        self.assertEqual(result.activated, [self.campaign.pk])
        self.assertEqual(
            history(self.campaign)[1:],
            [(False, [OUTSIDE], Cause.ENFORCE_DAYPARTING), (True, [], Cause.ENFORCE_BUDGETS)],
        )

    def test_a_sync_that_changes_nothing_records_nothing(self) -> None:
        before = CampaignStatusChange.objects.count()
        for cause in (Cause.ENFORCE_BUDGETS, Cause.ENFORCE_DAYPARTING, Cause.RESET):
            result = CampaignService.sync_all(cause)
            self.assertEqual((result.activated, result.paused), ([], []))
        self.assertEqual(CampaignStatusChange.objects.count(), before)


class OperatorSwitchTests(TestCase):
    """Only a person flips is_enabled; no sweep, reset or spend turns a disabled campaign on."""

    def test_a_disabled_campaign_stays_off_through_reset_and_every_sweep(self) -> None:
        with time_machine.travel(NOW, tick=False):
            brand = make_brand(daily="10.00")
            on = make_campaign(brand, "On")
            off = make_campaign(brand, "Off")
            CampaignService.set_enabled(Campaign.objects.filter(pk=off.pk), False)
            BudgetService.record_spend(on, "10.00")
        with time_machine.travel(utc("2026-03-19T00:05:00"), tick=False):
            BudgetService.reset_daily_monthly_spends()
            for cause in (Cause.ENFORCE_BUDGETS, Cause.ENFORCE_DAYPARTING):
                CampaignService.sync_all(cause)
            BudgetService.record_spend(on, "1.00")
        self.assertTrue(is_active(on))  # its budget cleared with the new day
        self.assertFalse(is_active(off))
        self.assertFalse(off.is_enabled)
        self.assertEqual(history(off)[-1], (False, [DISABLED], Cause.OPERATOR))

    @time_machine.travel(NOW, tick=False)
    def test_set_enabled_flips_many_and_counts_only_real_changes(self) -> None:
        brand = make_brand()
        campaigns = [make_campaign(brand, f"Campaign {n}") for n in range(3)]
        make_campaign(make_brand("Globex"), "Untouched")
        self.assertEqual(
            CampaignService.set_enabled(Campaign.objects.filter(brand=brand), False), 3
        )
        self.assertEqual(
            CampaignService.set_enabled(Campaign.objects.filter(brand=brand), False), 0
        )
        self.assertEqual(
            CampaignService.set_enabled(Campaign.objects.filter(is_enabled=False), True), 3
        )
        for campaign in campaigns:
            self.assertEqual(
                history(campaign),
                [
                    (True, [], Cause.OPERATOR),
                    (False, [DISABLED], Cause.OPERATOR),
                    (True, [], Cause.OPERATOR),
                ],
            )


@time_machine.travel(NOW, tick=False)
class BudgetEditTests(TestCase):
    """Saving a brand with a new budget re-evaluates its campaigns in the same transaction."""

    def setUp(self) -> None:
        self.brand = make_brand(daily="50.00", monthly="1000.00")
        self.search = make_campaign(self.brand, "Search")
        self.night = make_campaign(self.brand, "Night")
        make_schedule(self.night, time(20), time(23))
        self.off = make_campaign(self.brand, "Off", enabled=False)
        BudgetService.record_spend(self.search, "60.00")

    def test_raising_the_budget_reactivates_only_what_the_budget_alone_paused(self) -> None:
        self.brand.daily_budget = Decimal("100.00")
        self.brand.save()
        self.assertTrue(is_active(self.search))
        self.assertFalse(is_active(self.night))
        self.assertFalse(is_active(self.off))
        self.assertEqual(history(self.search)[-1], (True, [], Cause.OPERATOR))

    def test_lowering_the_budget_below_the_spend_pauses(self) -> None:
        self.brand.daily_budget = Decimal("100.00")
        self.brand.save()
        self.brand.daily_budget = Decimal("60.00")  # == spend: exceeded
        self.brand.save()
        self.assertFalse(is_active(self.search))
        self.assertEqual(history(self.search)[-1], (False, [DAILY], Cause.OPERATOR))

    def test_the_re_evaluation_commits_or_rolls_back_with_the_budget(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.brand.daily_budget = Decimal("100.00")
            self.brand.save()
            self.assertTrue(is_active(self.search))  # already, inside the transaction
            raise RuntimeError("the admin's request fails after the save")
        self.brand.refresh_from_db()
        self.assertEqual(self.brand.daily_budget, Decimal("50.00"))
        self.assertFalse(is_active(self.search))

    def test_a_new_time_zone_moves_the_brand_into_its_local_day_at_once(self) -> None:
        # 20:00Z on the 18th is 01:30 on the 19th in Kolkata: today's 60.00 was yesterday there.
        with time_machine.travel(utc("2026-03-18T20:00:00"), tick=False):
            self.brand.timezone = "Asia/Kolkata"
            self.brand.save()
        self.assertEqual(str(self.brand.spend_day), "2026-03-19")
        self.assertEqual(self.brand.current_daily_spend, Decimal("0.00"))
        self.assertEqual(self.brand.current_monthly_spend, Decimal("60.00"))
        self.assertTrue(is_active(self.search))

    def test_a_stale_brand_saved_with_a_new_budget_judges_by_the_ledger(self) -> None:
        stale = Brand.objects.get(pk=self.brand.pk)
        BudgetService.record_spend(self.search, "50.00")  # 110.00 today
        stale.daily_budget = Decimal("100.00")
        stale.save()
        self.assertFalse(is_active(self.search))
        self.assertEqual(stale.current_daily_spend, Decimal("110.00"))


def build_campaigns(count: int) -> None:
    """`count` campaigns in brands of five, bulk-inserted, each in the wrong state for the rules:
    every other brand has a budget of 0, every third campaign a window that is closed now."""
    period_day = date(2026, 3, 18)
    offset = Brand.objects.count()
    brands = Brand.objects.bulk_create(
        Brand(
            name=f"Brand {offset + n}",
            daily_budget=Decimal(0 if n % 2 else 100),
            monthly_budget=Decimal(1000),
            timezone=("UTC", "Asia/Kolkata")[n % 2],
            spend_day=period_day,
            spend_month=period_day.replace(day=1),
        )
        for n in range(count // 5)
    )
    campaigns = Campaign.objects.bulk_create(
        Campaign(brand=brand, name=f"Campaign {n}", is_active=brand.daily_budget == 0)
        for brand in brands
        for n in range(5)
    )
    DaypartingSchedule.objects.bulk_create(
        DaypartingSchedule(campaign=campaign, start_time=time(20), end_time=time(23))
        for campaign in campaigns[::3]
    )


@time_machine.travel(NOW, tick=False)
class SyncQueryCountTests(TestCase):
    def queries_to_sync_all(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = CampaignService.sync_all(Cause.ENFORCE_BUDGETS)
        self.assertTrue(result.activated)
        self.assertTrue(result.paused)
        self.assertEqual(CampaignService.sync_all(Cause.ENFORCE_BUDGETS).paused, [])
        return len(captured.captured_queries)

    def test_sync_all_does_the_same_number_of_queries_for_10_and_100_campaigns(self) -> None:
        build_campaigns(10)
        small = self.queries_to_sync_all()
        Campaign.objects.update(is_active=False)
        build_campaigns(5 * SWEEP_BRANDS - 10)  # one batch of the sweep in all
        self.assertEqual(Campaign.objects.count(), 5 * SWEEP_BRANDS)
        self.assertEqual(self.queries_to_sync_all(), small)

    def test_a_sweep_switches_a_batch_of_brands_per_transaction_in_fixed_queries(self) -> None:
        build_campaigns(5 * (2 * SWEEP_BRANDS + 5))  # brands of five: two batches and a few
        with CaptureQueriesContext(connection) as captured:
            result = CampaignService.sync_all(Cause.ENFORCE_BUDGETS)
        switched = Campaign.objects.filter(pk__in=result.activated + result.paused)
        brands = switched.values("brand_id").distinct().count()
        self.assertGreater(brands, 2 * SWEEP_BRANDS)
        # Inside the test's transaction each batch's is a savepoint: not a statement of its own.
        sent = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
        locks = [sql for sql in sent if sql.startswith('SELECT "id" FROM "ads_brand" WHERE')]
        self.assertEqual(len(locks), 3)  # one transaction each: a batch, a batch, the rest
        if connection.vendor == "postgresql":  # SQLite splits inserts at 999 parameters
            self.assertEqual(sum("campaignstatuschange" in sql for sql in sent), 3)
            # The unlocked read, then three statements per batch: locks, facts, the write.
            self.assertEqual(len(sent), 1 + 3 * 3)


class SweepBatchTests(TestCase):
    def test_batches_keep_a_brands_campaigns_together_within_both_bounds(self) -> None:
        by_brand = {n: [n * 10 + i for i in range(n % 4 + 1)] for n in range(50)}
        by_brand[50] = list(range(1000, 1000 + SWEEP_BATCH + 5))  # one brand too big
        batches = list(_batches(by_brand))
        self.assertEqual(
            sorted(pk for _, batch in batches for pk in batch),
            sorted(pk for ids in by_brand.values() for pk in ids),
        )
        brand_of = {pk: n for n, ids in by_brand.items() for pk in ids}
        for brands, batch in batches:
            self.assertEqual(brands, sorted({brand_of[pk] for pk in batch}))
            self.assertLessEqual(len(brands), SWEEP_BRANDS)
            self.assertLessEqual(len(batch), SWEEP_BATCH)
        for n in range(50):  # each brand in one batch
            ids = set(by_brand[n])
            self.assertEqual(sum(1 for _, batch in batches if ids & set(batch)), 1, n)
