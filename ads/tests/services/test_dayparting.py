"""DaypartingService: a schedule judged in its own time zone (DST included).

The pure window rule is in ads/tests/rules/test_windows.py.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.test import TestCase

from ads.services import DaypartingService
from ads.tests.builders import make_brand, make_campaign, make_schedule, utc


class ScheduleTimeZoneTests(TestCase):
    """A schedule is judged by the wall clock in its zone: 09:00–17:00 New York follows DST."""

    def setUp(self) -> None:
        self.campaign = make_campaign(make_brand(timezone="UTC"))
        self.schedule = make_schedule(self.campaign, time(9), time(17), timezone="America/New_York")

    def test_the_window_follows_new_york_across_both_2026_dst_changes(self) -> None:
        cases = [
            # Friday 2026-03-06, EST (UTC-5): opens 14:00Z.
            ("2026-03-06T13:59:59", False),
            ("2026-03-06T14:00:00", True),
            ("2026-03-06T21:59:59", True),
            ("2026-03-06T22:00:00", False),
            # Monday 2026-03-09, after spring forward, EDT (UTC-4): opens 13:00Z.
            ("2026-03-09T12:59:59", False),
            ("2026-03-09T13:00:00", True),
            ("2026-03-09T20:59:59", True),
            ("2026-03-09T21:00:00", False),
            # Monday 2026-11-02, after fall back, EST again: opens 14:00Z.
            ("2026-11-02T13:00:00", False),
            ("2026-11-02T14:00:00", True),
            ("2026-11-02T21:30:00", True),
            ("2026-11-02T22:00:00", False),
        ]
        for instant, expected in cases:
            with self.subTest(instant=instant):
                self.assertIs(
                    DaypartingService.is_within_window(self.schedule, utc(instant)), expected
                )

    def test_a_blank_zone_is_the_brands_and_a_set_one_overrides_it(self) -> None:
        brand = make_brand("Kolkata", timezone="Asia/Kolkata")
        schedule = make_schedule(make_campaign(brand), time(9), time(17))
        self.assertEqual(schedule.effective_timezone, "Asia/Kolkata")
        # 03:30Z is 09:00 in Kolkata and 22:30 (the day before) in New York.
        instant = utc("2026-03-18T03:30:00")
        self.assertTrue(DaypartingService.is_within_window(schedule, instant))
        schedule.timezone = "America/New_York"
        schedule.save()
        self.assertFalse(DaypartingService.is_within_window(schedule, instant))

    def test_an_aware_local_time_is_judged_on_its_wall_clock(self) -> None:
        tokyo = datetime(2026, 3, 18, 12, tzinfo=ZoneInfo("Asia/Tokyo"))
        self.assertTrue(DaypartingService.window_contains(time(9), time(17), range(7), tokyo))
        self.assertEqual(self.schedule.describe(), "Every day 09:00–17:00 America/New_York")
