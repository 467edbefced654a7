"""Dayparting windows, the pure rule: [start, end), overnight windows at their edges, the
weekday a window starts on, and how a set of days reads.

Random windows against a brute-force model are in test_window_properties.py, a schedule judged
in its own time zone in ads/tests/services/test_dayparting.py and the odd DST corners in
ads/tests/reliability/test_clock.py; these are the literal cases a person reads the rule from.
"""

from datetime import datetime, time

from django.test import SimpleTestCase

from ads.rules.windows import describe_days, window_contains

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
