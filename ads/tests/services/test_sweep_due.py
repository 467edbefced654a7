"""The stored next check (`Campaign.next_check_at`, `checked_at`) and the sweeps that read it:
`sync` stores it for what it judges, `sweep_due` judges only what is due, the full `sweep`
repairs a wrong one, and the reset leaves the campaigns of the brands it rolls due. Clocks are
pinned with time_machine or passed as `now=`."""

from datetime import date, time, timedelta
from decimal import Decimal

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Campaign, CampaignStatusChange, DaypartingSchedule
from ads.services import BudgetService, CampaignService
from ads.tests.builders import make_brand, make_campaign, make_schedule, utc

Cause = CampaignStatusChange.Cause
# A Wednesday; New York is on EDT (UTC-4).
NOON = utc("2026-03-18T16:00")


def stored(campaign: Campaign) -> tuple[bool, object, object]:
    campaign.refresh_from_db()
    return campaign.is_active, campaign.next_check_at, campaign.checked_at


@time_machine.travel(NOON, tick=False)
class StoredNextCheckTests(TestCase):
    def test_a_save_stores_the_next_window_boundary_and_when_it_was_worked_out(self) -> None:
        brand = make_brand(timezone="America/New_York")
        office = make_campaign(brand, "Office")
        make_schedule(office, time(9), time(17))
        always = make_campaign(brand, "Always")
        self.assertEqual(stored(office), (True, utc("2026-03-18T21:00"), NOON))
        self.assertEqual(stored(always), (True, None, NOON))

    def test_a_flight_stores_its_start_in_the_brands_zone_across_spring_forward(self) -> None:
        brand = make_brand(timezone="America/New_York")
        with time_machine.travel(utc("2026-03-01T12:00"), tick=False):
            campaign = Campaign.objects.create(
                brand=brand, name="Spring", start_date=date(2026, 3, 9), end_date=date(2026, 3, 9)
            )
            self.assertEqual(stored(campaign)[:2], (False, utc("2026-03-09T04:00")))

    def test_a_budget_block_leaves_no_clock_check_and_a_raised_budget_brings_it_back(
        self,
    ) -> None:
        brand = make_brand(daily="10.00", timezone="America/New_York")
        campaign = make_campaign(brand)
        make_schedule(campaign, time(9), time(17))
        BudgetService.record_spend(campaign, Decimal("10.00"))
        self.assertEqual(stored(campaign), (False, None, NOON))

        brand.daily_budget = Decimal("50.00")
        brand.save()
        self.assertEqual(stored(campaign), (True, utc("2026-03-18T21:00"), NOON))


@time_machine.travel(NOON, tick=False)
class SweepDueTests(TestCase):
    def setUp(self) -> None:
        brand = make_brand(timezone="America/New_York")
        self.office = make_campaign(brand, "Office")
        make_schedule(self.office, time(9), time(17))
        self.late = make_campaign(brand, "Late")
        make_schedule(self.late, time(9), time(19))

    def test_it_switches_what_has_become_due_and_leaves_what_is_not(self) -> None:
        # 17:30 EDT: Office's window closed at 17:00; Late's closes at 19:00.
        result = CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING, now=utc("2026-03-18T21:30"))
        self.assertEqual(result.paused, [self.office.pk])
        self.assertEqual(result.activated, [])
        self.assertEqual(
            stored(self.office), (False, utc("2026-03-19T13:00"), utc("2026-03-18T21:30"))
        )
        self.assertEqual(stored(self.late), (True, utc("2026-03-18T23:00"), NOON))

    def test_a_campaign_not_due_is_not_read_even_when_its_state_is_wrong(self) -> None:
        Campaign.objects.filter(pk=self.late.pk).update(is_active=False)  # around the rules
        result = CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING, now=utc("2026-03-18T21:30"))
        self.assertEqual(result.activated, [])
        self.assertFalse(stored(self.late)[0])

    def test_a_clock_set_back_makes_what_was_judged_later_due(self) -> None:
        later = utc("2026-03-18T21:30")
        CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING, now=later)
        self.assertFalse(stored(self.office)[0])
        result = CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING, now=NOON)
        self.assertEqual(result.activated, [self.office.pk])
        self.assertEqual(stored(self.office), (True, utc("2026-03-18T21:00"), NOON))

    def test_a_steady_run_sends_one_statement_whatever_the_campaigns(self) -> None:
        with CaptureQueriesContext(connection) as few:
            CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING)
        brand = make_brand("Big", timezone="America/New_York")
        for number in range(30):
            make_schedule(make_campaign(brand, f"Campaign {number}"), time(9), time(17))
        with CaptureQueriesContext(connection) as many:
            result = CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING)
        self.assertEqual((result.activated, result.paused), ([], []))
        self.assertEqual(len(many.captured_queries), len(few.captured_queries))
        self.assertEqual(len(few.captured_queries), 1)

    def test_a_bulk_insert_is_due_at_once(self) -> None:
        (inserted,) = Campaign.objects.bulk_create([Campaign(brand=self.office.brand, name="Bulk")])
        DaypartingSchedule.objects.bulk_create(
            [DaypartingSchedule(campaign=inserted, start_time=time(9), end_time=time(17))]
        )
        result = CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING)
        self.assertEqual(result.activated, [inserted.pk])
        self.assertEqual(stored(inserted), (True, utc("2026-03-18T21:00"), NOON))


@time_machine.travel(NOON, tick=False)
class SafetyNetTests(TestCase):
    def test_the_full_sweep_repairs_a_wrong_next_check_and_the_state_it_hid(self) -> None:
        campaign = make_campaign(make_brand(timezone="America/New_York"))
        make_schedule(campaign, time(9), time(17))
        wrong = utc("2027-01-01T00:00")
        Campaign.objects.filter(pk=campaign.pk).update(next_check_at=wrong)
        evening = utc("2026-03-18T22:00")

        missed = CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING, now=evening)
        self.assertEqual(missed.paused, [])
        repaired = CampaignService.sweep(Cause.ENFORCE_BUDGETS, now=evening)

        self.assertEqual(repaired.paused, [campaign.pk])
        self.assertEqual(stored(campaign), (False, utc("2026-03-19T13:00"), evening))

    def test_the_full_sweep_repairs_a_next_check_alone(self) -> None:
        campaign = make_campaign(make_brand())
        Campaign.objects.filter(pk=campaign.pk).update(next_check_at=NOON + timedelta(hours=1))
        result = CampaignService.sweep(Cause.ENFORCE_BUDGETS)
        self.assertEqual((result.activated, result.paused), ([], []))
        self.assertEqual(stored(campaign), (True, None, NOON))
        self.assertFalse(CampaignStatusChange.objects.filter(cause=Cause.ENFORCE_BUDGETS).exists())


class ResetTests(TestCase):
    def test_the_reset_marks_a_rolled_brands_campaigns_due_and_judges_them(self) -> None:
        with time_machine.travel(utc("2026-03-18T20:00"), tick=False) as clock:
            brand = make_brand(daily="10.00", timezone="America/New_York")
            campaign = make_campaign(brand)
            BudgetService.record_spend(campaign, Decimal("10.00"))
            # Paused by the budget: no clock change lifts it, the roll-over does.
            self.assertEqual(stored(campaign)[:2], (False, None))

            # 01:00 EDT the next day: the day has turned.
            clock.move_to(utc("2026-03-19T05:00"))
            self.assertEqual(CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING).activated, [])
            result = BudgetService.reset_daily_monthly_spends()

        self.assertEqual(result.campaigns.activated, [campaign.pk])
        self.assertEqual(stored(campaign), (True, None, utc("2026-03-19T05:00")))
