"""Flights: a campaign serves from local midnight of its first day to local midnight after its
last, in its brand's time zone, brought in line by the periodic work (every minute), DST too.

The instants are worked out by hand for America/New_York: EST is UTC-5, EDT UTC-4; on
2026-03-08 the clocks jump from 02:00 EST to 03:00 EDT (a 23-hour day), on 2026-11-01 they fall
back from 02:00 EDT to 01:00 EST (a 25-hour day).
"""

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Brand, Campaign, CampaignStatusChange, DaypartingSchedule
from ads.selectors import blocked_by, reason_counts
from ads.services import (
    BEFORE_FLIGHT,
    DAILY_CAP_REACHED,
    DISABLED,
    FLIGHT_ENDED,
    OUTSIDE_WINDOW,
    TOTAL_CAP_REACHED,
    BudgetService,
    CampaignService,
    Cause,
    SyncResult,
)
from ads.tasks import enforce_dayparting
from ads.tests.builders import is_active, make_brand, make_campaign, make_schedule, utc


def fly(campaign: Campaign, start: date | None, end: date | None) -> None:
    campaign.start_date, campaign.end_date = start, end
    campaign.save()


def reasons(campaign: Campaign) -> list[str]:
    return CampaignService.should_campaign_be_active(campaign)[1]


class FlightAcrossDstTests(TestCase):
    """A one-day flight on each DST change day: it opens and closes at local midnight."""

    def setUp(self) -> None:
        with time_machine.travel(utc("2026-03-01T12:00"), tick=False):
            self.brand = make_brand("NY", timezone="America/New_York")
            self.campaign = make_campaign(self.brand, "Search")

    def active_at(self, instant: str) -> bool:
        with time_machine.travel(utc(instant), tick=False):
            enforce_dayparting()
            found = reasons(self.campaign)
        active = is_active(self.campaign)
        self.assertEqual(active, not found)
        return active

    def test_the_spring_forward_day_runs_23_hours(self) -> None:
        with time_machine.travel(utc("2026-03-01T12:00"), tick=False):
            fly(self.campaign, date(2026, 3, 8), date(2026, 3, 8))
            self.assertEqual(reasons(self.campaign), [BEFORE_FLIGHT])
        # 2026-03-08 00:00 EST = 05:00 UTC; 2026-03-09 00:00 EDT = 04:00 UTC.
        self.assertFalse(self.active_at("2026-03-08T04:59:59"))
        self.assertTrue(self.active_at("2026-03-08T05:00:00"))
        self.assertTrue(self.active_at("2026-03-09T03:59:59"))
        self.assertFalse(self.active_at("2026-03-09T04:00:00"))
        self.assertEqual(reasons(self.campaign), [FLIGHT_ENDED])
        changes = CampaignStatusChange.objects.filter(campaign=self.campaign).order_by("pk")
        self.assertEqual(
            [(c.changed_at, c.is_active, c.cause, c.reasons) for c in changes][-3:],
            [
                (utc("2026-03-01T12:00"), False, Cause.OPERATOR, [BEFORE_FLIGHT]),
                (utc("2026-03-08T05:00"), True, Cause.ENFORCE_DAYPARTING, []),
                (utc("2026-03-09T04:00"), False, Cause.ENFORCE_DAYPARTING, [FLIGHT_ENDED]),
            ],
        )

    def test_the_fall_back_day_runs_25_hours(self) -> None:
        with time_machine.travel(utc("2026-10-20T12:00"), tick=False):
            fly(self.campaign, date(2026, 11, 1), date(2026, 11, 1))
        # 2026-11-01 00:00 EDT = 04:00 UTC; 2026-11-02 00:00 EST = 05:00 UTC.
        self.assertFalse(self.active_at("2026-11-01T03:59:59"))
        self.assertTrue(self.active_at("2026-11-01T04:00:00"))
        # 01:30 local happens twice that night (05:30 and 06:30 UTC): inside both times.
        self.assertTrue(self.active_at("2026-11-01T05:30:00"))
        self.assertTrue(self.active_at("2026-11-01T06:30:00"))
        self.assertTrue(self.active_at("2026-11-02T04:59:59"))
        self.assertFalse(self.active_at("2026-11-02T05:00:00"))
        self.assertEqual(reasons(self.campaign), [FLIGHT_ENDED])

    def test_an_open_ended_flight(self) -> None:
        with time_machine.travel(utc("2026-03-01T12:00"), tick=False):
            fly(self.campaign, None, date(2026, 3, 7))
        # 2026-03-08 00:00 EST = 05:00 UTC.
        self.assertTrue(self.active_at("2026-03-08T04:59:59"))
        self.assertFalse(self.active_at("2026-03-08T05:00:00"))
        with time_machine.travel(utc("2026-03-08T05:00"), tick=False):
            fly(self.campaign, date(2026, 3, 9), None)
        # 2026-03-09 00:00 EDT = 04:00 UTC, and no end.
        self.assertFalse(self.active_at("2026-03-09T03:59:59"))
        self.assertTrue(self.active_at("2026-03-09T04:00:00"))
        self.assertTrue(self.active_at("2030-01-01T00:00:00"))

    def test_the_brand_zone_decides_not_utc(self) -> None:
        tokyo = make_campaign(make_brand("Tokyo", timezone="Asia/Tokyo"), "Search")
        with time_machine.travel(utc("2026-03-01T12:00"), tick=False):
            fly(self.campaign, date(2026, 3, 10), None)
            fly(tokyo, date(2026, 3, 10), None)
        # 2026-03-10 00:00 JST = 2026-03-09 15:00 UTC, long before New York's 04:00 UTC.
        with time_machine.travel(utc("2026-03-09T15:00"), tick=False):
            enforce_dayparting()
        self.assertEqual((is_active(tokyo), is_active(self.campaign)), (True, False))


@time_machine.travel(utc("2026-06-15T16:00"), tick=False)
class FlightReasonOrderTests(TestCase):
    def test_reasons_come_in_the_contract_order(self) -> None:
        brand = make_brand("Acme", daily="0.00", monthly="0.00")
        campaign = make_campaign(brand, "Search", enabled=False)
        campaign.daily_cap = Decimal("0.00")
        campaign.total_cap = Decimal("0.00")
        fly(campaign, date(2026, 6, 20), None)
        make_schedule(campaign, start=time(1), end=time(2))

        self.assertEqual(
            reasons(campaign),
            [
                DISABLED,
                BEFORE_FLIGHT,
                "Daily budget exceeded",
                "Monthly budget exceeded",
                DAILY_CAP_REACHED,
                TOTAL_CAP_REACHED,
                OUTSIDE_WINDOW,
            ],
        )
        fly(campaign, None, date(2026, 6, 14))
        self.assertEqual(reasons(campaign)[:2], [DISABLED, FLIGHT_ENDED])

    def test_the_reason_filter_finds_campaigns_by_their_flight_in_their_brands_zone(self) -> None:
        new_york = make_brand("NY", timezone="America/New_York")
        tokyo = make_brand("Tokyo", timezone="Asia/Tokyo")
        # 16:00 UTC on 15 June: 12:00 in New York (the 15th), 01:00 in Tokyo (the 16th).
        waiting = make_campaign(new_york, "Waiting")
        fly(waiting, date(2026, 6, 16), None)
        started = make_campaign(tokyo, "Started")
        fly(started, date(2026, 6, 16), None)
        make_campaign(new_york, "No flight")

        now = utc("2026-06-15T16:00")
        before = blocked_by(Campaign.objects.all(), BEFORE_FLIGHT, now=now)
        self.assertEqual(list(before.values_list("name", flat=True)), ["Waiting"])
        self.assertEqual(
            reason_counts(Campaign.objects.all(), [BEFORE_FLIGHT, FLIGHT_ENDED, None], now=now),
            {BEFORE_FLIGHT: 1, FLIGHT_ENDED: 0, None: 2},
        )


@time_machine.travel(utc("2026-06-15T16:00"), tick=False)
class FlightValidationTests(TestCase):
    def setUp(self) -> None:
        self.campaign = make_campaign(make_brand("Acme"), "Search")
        fly(self.campaign, date(2026, 6, 1), date(2026, 6, 30))

    def test_an_end_before_the_start_is_refused_and_nothing_changes(self) -> None:
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        campaign.start_date, campaign.end_date = date(2026, 7, 2), date(2026, 7, 1)
        with self.assertRaisesMessage(ValidationError, "The flight cannot end before it starts"):
            campaign.save()
        self.assertEqual(
            Campaign.objects.values_list("start_date", "end_date").get(),
            (date(2026, 6, 1), date(2026, 6, 30)),
        )

    def test_a_one_day_flight_is_valid(self) -> None:
        fly(self.campaign, date(2026, 6, 15), date(2026, 6, 15))
        self.assertTrue(is_active(self.campaign))

    def test_a_date_that_is_no_date_is_refused(self) -> None:
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        campaign.start_date = "15 June"
        with self.assertRaises(ValidationError) as caught:
            campaign.save()
        self.assertIn("start_date", caught.exception.message_dict)

    def test_a_datetime_is_refused_not_cut_to_its_utc_date_and_nothing_changes(self) -> None:
        # 2026-07-01 01:00 in Tokyo is still 2026-06-30 in UTC: Django alone would keep the
        # UTC date, a day off in the brand's zone.
        tokyo = datetime(2026, 7, 1, 1, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
        for field in ("start_date", "end_date"):
            with self.subTest(field=field):
                campaign = Campaign.objects.get(pk=self.campaign.pk)
                setattr(campaign, field, tokyo)
                with self.assertRaises(ValidationError) as caught:
                    campaign.save()
                self.assertEqual(
                    [e.code for e in caught.exception.error_dict[field]], ["datetime_not_date"]
                )
        self.assertEqual(
            Campaign.objects.values_list("start_date", "end_date").get(),
            (date(2026, 6, 1), date(2026, 6, 30)),
        )


def build_portfolio(count: int, *, start: int = 0) -> None:
    """Campaigns with caps (some reached), flights (before, during, after) and windows."""
    brands = [
        make_brand(f"Brand {start}-{n}", timezone=zone)
        for n, zone in enumerate(("America/New_York", "Asia/Tokyo"))
    ]
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            brand=brands[n % 2],
            name=f"C{n}",
            is_active=n % 2 == 0,
            daily_cap=Decimal(n % 3),
            total_cap=None if n % 4 else Decimal("100.00"),
            current_daily_spend=Decimal(n % 5),
            total_spend=Decimal(n % 7),
            start_date=(date(2026, 6, 1), date(2026, 6, 20), None)[n % 3],
            end_date=(date(2026, 6, 10), None, date(2026, 6, 30))[n % 3],
        )
        for n in range(start * 1000, start * 1000 + count)
    )
    DaypartingSchedule.objects.bulk_create(
        DaypartingSchedule(campaign=campaign, start_time=time(9), end_time=time(17))
        for campaign in campaigns[::4]
    )


@pytest.mark.postgresql(
    reason="SQLite's limit of 999 parameters splits the updates of 500 campaigns into several"
)
@time_machine.travel(utc("2026-06-15T16:00"), tick=False)
class FlightSweepQueryCountTests(TestCase):
    """The sweeps judge caps and flights from the same rows: as many queries for 10 campaigns
    as for 500, and the reset recounts every campaign's day in as many too."""

    def queries(self, work: Callable[[], SyncResult]) -> int:
        Campaign.objects.update(is_active=True)
        Brand.objects.update(spend_day=date(2026, 6, 1))
        with CaptureQueriesContext(connection) as captured:
            result = work()
        self.assertTrue(result.paused)
        return len(captured.captured_queries)

    def counts(self) -> dict[str, int]:
        return {
            "sync_all": self.queries(lambda: CampaignService.sync_all(Cause.ENFORCE_DAYPARTING)),
            "reset": self.queries(lambda: BudgetService.reset_daily_monthly_spends().campaigns),
        }

    def test_sync_all_and_the_reset_are_flat_at_10_and_500_campaigns(self) -> None:
        build_portfolio(10)
        small = self.counts()
        build_portfolio(490, start=1)
        self.assertEqual(Campaign.objects.count(), 500)
        self.assertEqual(self.counts(), small)
