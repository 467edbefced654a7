"""Pacing and projections worked out by hand, DST days included.

America/New_York: EST is UTC-5, EDT UTC-4. On 2026-03-08 the clocks jump from 02:00 EST to
03:00 EDT: the local day runs 05:00 UTC to 04:00 UTC next day, 23 hours. On 2026-11-01 they fall
back from 02:00 EDT to 01:00 EST: the day runs 04:00 UTC to 05:00 UTC next day, 25 hours.
"""

from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from ads.periods import local_period
from ads.rules.pacing import (
    Elapsed,
    band,
    elapsed_share,
    pacing,
    period_pace,
    projection,
    scheduled_share,
)
from ads.rules.reasons import Window
from ads.rules.windows import ALL_DAYS
from ads.tests.builders import utc

NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")
HOUR = 3_600_000_000  # microseconds


def day_share(now_utc: str, tz: ZoneInfo) -> Elapsed:
    period = local_period(utc(now_utc), tz)
    return elapsed_share(utc(now_utc), start=period.day_start, end=period.day_end)


def every_day(start: time, end: time, zone: str = "UTC") -> Window:
    return Window(start, end, frozenset(ALL_DAYS), zone)


class PacingTests(SimpleTestCase):
    def test_the_23_hour_day_counts_23_hours(self) -> None:
        # 12:00 EDT = 16:00 UTC; the day began 05:00 UTC: 11 of its 23 hours are gone.
        share = day_share("2026-03-08T16:00", NEW_YORK)
        self.assertEqual(share, Elapsed(elapsed=11 * HOUR, length=23 * HOUR))
        # pacing = 55 / (50 x 11/23) = 1265/550 = 2.30 (a 24-hour clock would say 2.20)
        self.assertEqual(pacing(Decimal("55.00"), Decimal("50.00"), share=share), Decimal("2.30"))
        # projection = 55 x 23/11 = 115.00 (not 110.00)
        self.assertEqual(projection(Decimal("55.00"), share=share), Decimal("115.00"))

    def test_the_25_hour_day_counts_25_hours(self) -> None:
        # 12:00 EST = 17:00 UTC; the day began 04:00 UTC: 13 of its 25 hours are gone.
        share = day_share("2026-11-01T17:00", NEW_YORK)
        self.assertEqual(share, Elapsed(elapsed=13 * HOUR, length=25 * HOUR))
        # pacing = 26 / (100 x 13/25) = 650/1300 = 0.50 (not 0.52)
        self.assertEqual(pacing(Decimal("26.00"), Decimal("100.00"), share=share), Decimal("0.50"))
        # projection = 26 x 25/13 = 50.00 (not 52.00)
        self.assertEqual(projection(Decimal("26.00"), share=share), Decimal("50.00"))

    def test_the_month_counts_its_real_hours(self) -> None:
        # March 2026 in New York: 2026-03-01 05:00 UTC to 2026-04-01 04:00 UTC = 31 x 24 - 1 =
        # 743 hours; at 2026-03-08 16:00 UTC 7 x 24 + 11 = 179 of them are gone.
        now = utc("2026-03-08T16:00")
        period = local_period(now, NEW_YORK)
        share = elapsed_share(now, start=period.month_start, end=period.month_end)
        self.assertEqual(share, Elapsed(elapsed=179 * HOUR, length=743 * HOUR))
        # pacing = 358 x 743 / (1000 x 179) = 1486/1000 = 1.486 -> 1.49
        self.assertEqual(
            pacing(Decimal("358.00"), Decimal("1000.00"), share=share), Decimal("1.49")
        )
        # projection = 358 x 743 / 179 = 2 x 743 = 1486.00
        self.assertEqual(projection(Decimal("358.00"), share=share), Decimal("1486.00"))

    def test_rounding_is_half_up(self) -> None:
        half = day_share("2026-03-18T12:00", UTC_ZONE)  # 12 of 24 hours
        # 100.50 / (200 x 1/2) = 1.005 -> 1.01 (half even would give 1.00)
        self.assertEqual(pacing(Decimal("100.50"), Decimal("200.00"), share=half), Decimal("1.01"))
        two_thirds = day_share("2026-03-18T16:00", UTC_ZONE)  # 16 of 24 hours
        # 0.03 x 24/16 = 0.045 -> 0.05 (half even would give 0.04)
        self.assertEqual(projection(Decimal("0.03"), share=two_thirds), Decimal("0.05"))

    def test_a_budget_of_0_has_no_pacing_but_a_projection(self) -> None:
        half = day_share("2026-03-18T12:00", UTC_ZONE)
        pace = period_pace(Decimal("10.00"), Decimal("0.00"), share=half)
        self.assertIsNone(pace.pacing)
        self.assertEqual(pace.projected, Decimal("20.00"))  # 10 x 24/12
        self.assertEqual(pace.overspend, Decimal("10.00"))  # max(10 - 0, 0)

    def test_at_local_midnight_no_time_has_elapsed(self) -> None:
        # 00:00 EDT on 2026-03-09 = 04:00 UTC: the new day's first instant.
        share = day_share("2026-03-09T04:00", NEW_YORK)
        self.assertEqual(share.elapsed, 0)
        pace = period_pace(Decimal("0.00"), Decimal("50.00"), share=share)
        self.assertEqual((pace.pacing, pace.projected, pace.overspend), (None, None, Decimal(0)))

    def test_overspend_is_what_is_above_the_budget(self) -> None:
        half = day_share("2026-03-18T12:00", UTC_ZONE)
        over = period_pace(Decimal("60.00"), Decimal("50.00"), share=half)
        under = period_pace(Decimal("40.00"), Decimal("50.00"), share=half)
        self.assertEqual((over.overspend, under.overspend), (Decimal("10.00"), Decimal("0.00")))

    def test_bands(self) -> None:
        cases = [("0.89", "under"), ("0.90", "on pace"), ("1.10", "on pace"), ("1.11", "over")]
        for value, expected in cases:
            self.assertEqual(band(Decimal(value)), expected, value)
        self.assertIsNone(band(None))


class ScheduledShareTests(SimpleTestCase):
    def share(self, now_utc: str, tz: ZoneInfo, *windows: Window) -> Elapsed:
        period = local_period(utc(now_utc), tz)
        return scheduled_share(
            windows, now=utc(now_utc), start=period.day_start, end=period.day_end
        )

    def test_two_windows_count_only_their_hours(self) -> None:
        # 09-12 and 14-18: 3 + 4 = 7 scheduled hours; at 15:00, 3 + 1 = 4 are gone.
        share = self.share(
            "2026-03-18T15:00",
            UTC_ZONE,
            every_day(time(9), time(12)),
            every_day(time(14), time(18)),
        )
        self.assertEqual(share, Elapsed(elapsed=4 * HOUR, length=7 * HOUR))
        # A cap of 70: spend 50 against 70 x 4/7 = 40 -> 1.25 over the scheduled time.
        self.assertEqual(pacing(Decimal("50.00"), Decimal("70.00"), share=share), Decimal("1.25"))

    def test_an_overnight_window_counts_both_ends_of_the_day(self) -> None:
        # 22:00-06:00: 00:00-06:00 (yesterday's start) and 22:00-24:00 today = 8 hours; at
        # 12:00 the first 6 are gone.
        share = self.share("2026-03-18T12:00", UTC_ZONE, every_day(time(22), time(6)))
        self.assertEqual(share, Elapsed(elapsed=6 * HOUR, length=8 * HOUR))

    def test_a_window_across_the_spring_jump_is_an_hour_shorter(self) -> None:
        # 01:00-04:00 on 2026-03-08: 01:00 EST = 06:00 UTC to 04:00 EDT = 08:00 UTC, 2 hours;
        # at 03:30 EDT = 07:30 UTC, 1.5 of them are gone.
        window = every_day(time(1), time(4), "America/New_York")
        share = self.share("2026-03-08T07:30", NEW_YORK, window)
        self.assertEqual(share, Elapsed(elapsed=3 * HOUR // 2, length=2 * HOUR))

    def test_a_window_across_the_autumn_fall_back_is_an_hour_longer(self) -> None:
        # 00:30-02:00 on 2026-11-01: 00:30 EDT = 04:30 UTC to 02:00 EST = 07:00 UTC, 2.5 hours.
        window = every_day(time(0, 30), time(2), "America/New_York")
        share = self.share("2026-11-01T12:00", NEW_YORK, window)
        self.assertEqual(share, Elapsed(elapsed=5 * HOUR // 2, length=5 * HOUR // 2))

    def test_no_windows_is_the_whole_day_and_a_day_off_has_none(self) -> None:
        self.assertEqual(
            self.share("2026-03-18T06:00", UTC_ZONE), Elapsed(elapsed=6 * HOUR, length=24 * HOUR)
        )
        # 2026-03-18 is a Wednesday (2); a Monday-only window schedules nothing today.
        monday = Window(time(9), time(17), frozenset({0}), "UTC")
        share = self.share("2026-03-18T12:00", UTC_ZONE, monday)
        self.assertEqual(share, Elapsed(elapsed=0, length=0))
        self.assertIsNone(pacing(Decimal("1.00"), Decimal("10.00"), share=share))
