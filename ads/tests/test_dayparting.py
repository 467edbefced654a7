"""Dayparting windows: [start, end), overnight windows at their edges, the weekday a window starts
on, and a schedule judged in its own time zone (DST included).

Random windows against a brute-force model are in test_properties.py and the odd DST corners in
test_reliability_clock.py; these are the literal cases a person reads the rule from.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase, TestCase

from ads.rules.windows import describe_days, window_contains
from ads.services import DaypartingService
from ads.tests.builders import make_brand, make_campaign, make_schedule, utc

# 2026-03-16 is a Monday; 2026-03-20 a Friday.
MONDAY = 16


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A local wall-clock moment in the week of Monday 2026-03-16."""
    return datetime(2026, 3, day, hour, minute, second)


class WindowRuleTests(SimpleTestCase):
    def test_a_daytime_window_opens_at_start_and_closes_at_end(self) -> None:
        cases = [
            (at(MONDAY, 8, 59, 59), False),
            (at(MONDAY, 9), True),
            (at(MONDAY, 16, 59, 59), True),
            (at(MONDAY, 17), False),
            (at(MONDAY, 23), False),
        ]
        for local, expected in cases:
            with self.subTest(local=local):
                self.assertIs(window_contains(time(9), time(17), range(7), local), expected)

    def test_an_overnight_window_at_its_edges(self) -> None:
        cases = [
            (time(21, 59, 59), False),
            (time(22), True),
            (time(23, 30), True),
            (time(0), True),
            (time(5, 59), True),
            (time(5, 59, 59, 999999), True),
            (time(6), False),
            (time(12), False),
        ]
        for clock, expected in cases:
            with self.subTest(clock=clock):
                local = datetime.combine(datetime(2026, 3, 18).date(), clock)
                self.assertIs(window_contains(time(22), time(6), range(7), local), expected)

    def test_an_overnight_window_belongs_to_the_day_it_starts(self) -> None:
        friday = MONDAY + 4
        cases = [
            (at(friday - 1, 23), False),  # Thursday night: no window starts on Thursday
            (at(friday, 5), False),  # Friday morning is Thursday's window
            (at(friday, 21, 59), False),
            (at(friday, 22), True),
            (at(friday, 23, 59, 59), True),
            (at(friday + 1, 0), True),  # Saturday, still Friday's window
            (at(friday + 1, 5, 59, 59), True),
            (at(friday + 1, 6), False),
            (at(friday + 1, 22), False),  # Saturday night: none starts on Saturday
        ]
        for local, expected in cases:
            with self.subTest(local=local.strftime("%a %H:%M:%S")):
                self.assertIs(window_contains(time(22), time(6), [4], local), expected)

    def test_a_sunday_overnight_window_runs_into_monday(self) -> None:
        sunday = MONDAY + 6
        self.assertTrue(window_contains(time(22), time(6), [6], at(sunday, 23)))
        self.assertTrue(window_contains(time(22), time(6), [6], at(MONDAY + 7, 1)))
        self.assertFalse(window_contains(time(22), time(6), [6], at(sunday, 1)))  # Saturday's

    def test_a_daytime_window_only_on_its_days(self) -> None:
        weekdays = [0, 1, 2, 3, 4]
        self.assertTrue(window_contains(time(9), time(17), weekdays, at(MONDAY + 4, 12)))
        self.assertFalse(window_contains(time(9), time(17), weekdays, at(MONDAY + 5, 12)))

    def test_days_read_as_a_person_writes_them(self) -> None:
        cases = [
            (range(7), "Every day"),
            ([0, 1, 2, 3, 4], "Mon–Fri"),
            ([5, 6], "Sat, Sun"),
            ([0, 2, 3, 4], "Mon, Wed–Fri"),
            ([4], "Fri"),
        ]
        for days, expected in cases:
            with self.subTest(days=days):
                self.assertEqual(describe_days(days), expected)


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
