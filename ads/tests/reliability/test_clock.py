"""Clocks: a missed midnight or month end, both DST changes, a DST jump over midnight itself, and
the last microsecond of a local day.

The expected local days and window states are written out as literals, worked out by hand from
each zone's rules, so these tests do not reuse the code's own time arithmetic as their oracle.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import time_machine
from django.test import TestCase

from ads.models import Brand, Campaign, CampaignStatusChange, DaypartingSchedule, SpendLog
from ads.services import BudgetService, CampaignService
from ads.tasks import enforce_dayparting, reset_daily_monthly_spends

Cause = CampaignStatusChange.Cause
ZONES = ("UTC", "America/New_York", "Pacific/Auckland", "Asia/Kolkata", "America/Santiago")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def spend_at(campaign: Campaign, instant: datetime, amount: Decimal) -> None:
    with time_machine.travel(instant, tick=False):
        BudgetService.record_spend(campaign, amount)


class BeatDownCatchUpTests(TestCase):
    """Beat missed the resets for days: the next single run rolls every brand over."""

    def make_brands(self, at: datetime, daily: str, monthly: str) -> list[Campaign]:
        campaigns = []
        with time_machine.travel(at, tick=False):
            for tz in ZONES:
                brand = Brand.objects.create(
                    name=tz,
                    daily_budget=Decimal(daily),
                    monthly_budget=Decimal(monthly),
                    timezone=tz,
                )
                campaigns.append(Campaign.objects.create(brand=brand, name="Search"))
        return campaigns

    def assert_caught_up(self, today: dict[str, date], monthly: dict[str, Decimal]) -> None:
        for brand in Brand.objects.all():
            with self.subTest(brand=brand.name):
                self.assertEqual(brand.spend_day, today[brand.name])
                self.assertEqual(brand.current_daily_spend, Decimal("0.00"))
                self.assertEqual(brand.current_monthly_spend, monthly[brand.name])
        self.assertFalse(Campaign.objects.filter(is_active=False).exists())

    def test_one_reset_after_two_missed_midnights_catches_up_every_brand(self) -> None:
        campaigns = self.make_brands(utc("2026-03-17T09:00:00"), "50", "100000")
        for campaign in campaigns:
            spend_at(campaign, utc("2026-03-17T09:30:00"), Decimal("60.00"))
        self.assertFalse(Campaign.objects.filter(is_active=True).exists())

        with time_machine.travel(utc("2026-03-19T09:00:00"), tick=False):
            reset_daily_monthly_spends()
            history = CampaignStatusChange.objects.count()
            reset_daily_monthly_spends()  # again: beat may fire the missed run and the due one

        # 09:30Z on the 17th is the 17th everywhere but Auckland (22:30, still the 17th).
        self.assert_caught_up(
            today={tz: date(2026, 3, 19) for tz in ZONES},
            monthly={tz: Decimal("60.00") for tz in ZONES},
        )
        reactivated = CampaignStatusChange.objects.filter(is_active=True, cause=Cause.RESET)
        self.assertEqual(reactivated.count(), len(ZONES))
        self.assertEqual(CampaignStatusChange.objects.count(), history)

    def test_one_reset_after_a_missed_month_end_starts_every_brand_new_month(self) -> None:
        campaigns = self.make_brands(utc("2026-01-31T09:00:00"), "100000", "70")
        # Jan 31 in every zone: 04:00 in New York, 22:00 in Auckland, 06:00 in Santiago.
        for campaign in campaigns:
            spend_at(campaign, utc("2026-01-31T09:00:00"), Decimal("70.00"))
        paused = Campaign.objects.filter(is_active=False).count()
        self.assertEqual(paused, len(ZONES))

        with time_machine.travel(utc("2026-02-02T09:00:00"), tick=False):
            reset_daily_monthly_spends()
            self.assertEqual(reset_daily_monthly_spends()["brands_rolled_over"], 0)

        self.assert_caught_up(
            today={tz: date(2026, 2, 2) for tz in ZONES},
            monthly={tz: Decimal("0.00") for tz in ZONES},
        )
        for brand in Brand.objects.all():
            self.assertEqual(brand.spend_month, date(2026, 2, 1))
        self.assertEqual(SpendLog.objects.count(), len(ZONES))


# (UTC instant, the brand's local day it belongs to), in time order. Amounts are powers of two,
# so every total names exactly the spends it contains.
BOUNDARIES: dict[str, tuple[str, list[tuple[str, date]]]] = {
    "New York spring forward (23-hour day)": (
        "America/New_York",
        [
            ("2026-03-08T04:59:59.999999", date(2026, 3, 7)),  # 23:59:59.999999 EST
            ("2026-03-08T05:00:00", date(2026, 3, 8)),  # 00:00 EST
            ("2026-03-08T06:59:59.999999", date(2026, 3, 8)),  # 01:59:59.999999 EST
            ("2026-03-08T07:00:00", date(2026, 3, 8)),  # 03:00 EDT: 02:xx never happens
            ("2026-03-09T03:59:59.999999", date(2026, 3, 8)),  # 23:59:59.999999 EDT
            ("2026-03-09T04:00:00", date(2026, 3, 9)),  # 00:00 EDT
        ],
    ),
    "New York fall back (25-hour day, also a month end)": (
        "America/New_York",
        [
            ("2026-11-01T03:59:59.999999", date(2026, 10, 31)),  # 23:59:59.999999 EDT
            ("2026-11-01T04:00:00", date(2026, 11, 1)),  # 00:00 EDT, new month
            ("2026-11-01T05:30:00", date(2026, 11, 1)),  # 01:30 EDT
            ("2026-11-01T06:30:00", date(2026, 11, 1)),  # 01:30 EST, the repeated hour
            ("2026-11-02T04:59:59.999999", date(2026, 11, 1)),  # 23:59:59.999999 EST
            ("2026-11-02T05:00:00", date(2026, 11, 2)),  # 00:00 EST
        ],
    ),
    "Santiago DST skips midnight (the day starts at 01:00)": (
        "America/Santiago",
        [
            ("2026-09-06T03:59:59.999999", date(2026, 9, 5)),  # 23:59:59.999999 -04
            ("2026-09-06T04:00:00", date(2026, 9, 6)),  # 01:00 -03: 00:00 never happens
            ("2026-09-07T02:59:59.999999", date(2026, 9, 6)),  # 23:59:59.999999 -03
            ("2026-09-07T03:00:00", date(2026, 9, 7)),  # 00:00 -03
        ],
    ),
    "Santiago DST ends at midnight (23:xx happens twice)": (
        "America/Santiago",
        [
            ("2026-04-05T02:59:59.999999", date(2026, 4, 4)),  # 23:59:59.999999 -03
            ("2026-04-05T03:30:00", date(2026, 4, 4)),  # 23:30 -04, the second time
            ("2026-04-05T04:00:00", date(2026, 4, 5)),  # 00:00 -04
        ],
    ),
    "Kolkata, half-hour offset": (
        "Asia/Kolkata",
        [
            ("2026-06-30T18:29:59.999999", date(2026, 6, 30)),  # 23:59:59.999999 IST
            ("2026-06-30T18:30:00", date(2026, 7, 1)),  # 00:00 IST, new month
        ],
    ),
}


class LocalDayBoundaryTests(TestCase):
    """A spend at 23:59:59.999999 local counts in that day; one at local midnight in the next."""

    def test_each_spend_counts_in_the_local_day_and_month_it_happened_in(self) -> None:
        for case, (tz, steps) in BOUNDARIES.items():
            with self.subTest(case=case):
                self.check_boundaries(tz, steps)

    def check_boundaries(self, tz: str, steps: list[tuple[str, date]]) -> None:
        with time_machine.travel(utc(steps[0][0]), tick=False):
            spender = Brand.objects.create(
                name=f"Spender {tz} {steps[0][0]}",
                daily_budget=Decimal("100000"),
                monthly_budget=Decimal("100000"),
                timezone=tz,
            )
            idle = Brand.objects.create(
                name=f"Idle {tz} {steps[0][0]}",
                daily_budget=Decimal("1"),
                monthly_budget=Decimal("1"),
                timezone=tz,
            )
            campaign = Campaign.objects.create(brand=spender, name="Search")
        recorded: list[tuple[date, Decimal]] = []
        for index, (instant, day) in enumerate(steps):
            amount = Decimal(2**index)
            spend_at(campaign, utc(instant), amount)
            recorded.append((day, amount))
            with time_machine.travel(utc(instant), tick=False):
                reset_daily_monthly_spends()
            spender.refresh_from_db()
            idle.refresh_from_db()
            with self.subTest(instant=instant):
                self.assertEqual(spender.spend_day, day)
                self.assertEqual(idle.spend_day, day)
                self.assertEqual(
                    spender.current_daily_spend, sum(a for d, a in recorded if d == day)
                )
                self.assertEqual(
                    spender.current_monthly_spend,
                    sum(a for d, a in recorded if d.replace(day=1) == day.replace(day=1)),
                )
        self.assertEqual(BudgetService.find_drift(), [])


# (start, end, days_of_week, schedule zone, [(UTC instant, open?)])
WINDOWS: dict[str, tuple[time, time, list[int], str, list[tuple[str, bool]]]] = {
    "01:00-03:00 across New York's spring forward": (
        time(1),
        time(3),
        list(range(7)),
        "America/New_York",
        [
            ("2026-03-08T05:59:59", False),  # 00:59:59 EST
            ("2026-03-08T06:00:00", True),  # 01:00 EST
            ("2026-03-08T06:59:59", True),  # 01:59:59 EST
            ("2026-03-08T07:00:00", False),  # 03:00 EDT: the window lost its second hour
        ],
    ),
    "02:00-02:30 on New York's spring-forward day never opens": (
        time(2),
        time(2, 30),
        list(range(7)),
        "America/New_York",
        [
            ("2026-03-08T06:59:59", False),  # 01:59:59 EST
            ("2026-03-08T07:00:00", False),  # 03:00 EDT
            ("2026-03-08T07:15:00", False),  # 03:15 EDT
            ("2026-03-09T06:15:00", True),  # Monday 02:15 EDT
        ],
    ),
    "Saturday 22:00-02:30 overnight across New York's spring forward": (
        time(22),
        time(2, 30),
        [5],
        "America/New_York",
        [
            ("2026-03-08T02:59:59", False),  # Sat 21:59:59 EST
            ("2026-03-08T03:00:00", True),  # Sat 22:00 EST
            ("2026-03-08T06:59:59", True),  # Sun 01:59:59 EST
            ("2026-03-08T07:00:00", False),  # Sun 03:00 EDT
        ],
    ),
    "01:00-02:00 across New York's fall back runs two real hours": (
        time(1),
        time(2),
        list(range(7)),
        "America/New_York",
        [
            ("2026-11-01T04:59:59", False),  # 00:59:59 EDT
            ("2026-11-01T05:00:00", True),  # 01:00 EDT
            ("2026-11-01T05:59:59", True),  # 01:59:59 EDT
            ("2026-11-01T06:00:00", True),  # 01:00 EST, the repeated hour
            ("2026-11-01T06:59:59", True),  # 01:59:59 EST
            ("2026-11-01T07:00:00", False),  # 02:00 EST
        ],
    ),
    "Sunday 00:00-00:30 in Santiago on the day midnight is skipped never opens": (
        time(0),
        time(0, 30),
        [6],
        "America/Santiago",
        [
            ("2026-09-06T03:59:59", False),  # Sat 23:59:59 -04
            ("2026-09-06T04:00:00", False),  # Sun 01:00 -03
            ("2026-09-06T04:15:00", False),  # Sun 01:15 -03
            ("2026-09-13T03:15:00", True),  # the next Sunday 00:15 -03
        ],
    ),
    "Saturday 23:00-01:30 overnight in Santiago across the skipped midnight": (
        time(23),
        time(1, 30),
        [5],
        "America/Santiago",
        [
            ("2026-09-06T02:59:59", False),  # Sat 22:59:59 -04
            ("2026-09-06T03:00:00", True),  # Sat 23:00 -04
            ("2026-09-06T04:00:00", True),  # Sun 01:00 -03
            ("2026-09-06T04:29:59", True),  # Sun 01:29:59 -03
            ("2026-09-06T04:30:00", False),  # Sun 01:30 -03
        ],
    ),
}


class DaypartingAcrossDstTests(TestCase):
    """A schedule is judged in its own zone's wall-clock time, whatever the brand's zone."""

    def test_windows_open_and_close_at_local_wall_clock_times(self) -> None:
        brand = Brand.objects.create(
            name="Acme", daily_budget=Decimal("100"), monthly_budget=Decimal("1000")
        )
        for number, (case, (start, end, days, tz, checks)) in enumerate(WINDOWS.items()):
            campaign = Campaign.objects.create(brand=brand, name=f"Campaign {number}")
            DaypartingSchedule.objects.create(
                campaign=campaign, start_time=start, end_time=end, days_of_week=days, timezone=tz
            )
            for instant, expected in checks:
                with self.subTest(case=case, instant=instant):
                    self.assert_window_state(campaign, utc(instant), expected)

    def test_a_blank_schedule_zone_follows_the_brand_zone(self) -> None:
        brand = Brand.objects.create(
            name="Globex",
            daily_budget=Decimal("100"),
            monthly_budget=Decimal("1000"),
            timezone="America/New_York",
        )
        campaign = Campaign.objects.create(brand=brand, name="Night")
        DaypartingSchedule.objects.create(campaign=campaign, start_time=time(1), end_time=time(2))
        for instant, expected in [("2026-11-01T06:30:00", True), ("2026-11-01T07:00:00", False)]:
            with self.subTest(instant=instant):
                self.assert_window_state(campaign, utc(instant), expected)

    def assert_window_state(self, campaign: Campaign, instant: datetime, expected: bool) -> None:
        with time_machine.travel(instant, tick=False):
            verdict, reasons = CampaignService.should_campaign_be_active(campaign)
            enforce_dayparting()
        campaign.refresh_from_db()
        self.assertEqual(verdict, expected, reasons)
        self.assertEqual(campaign.is_active, expected)
        self.assertEqual(reasons, [] if expected else ["Outside dayparting window"])
