"""Windows of one schedule on the week's timeline: the field rules both kinds of window share,
the half-open intervals a window covers, and which windows overlap.

The overlap rule is checked against a brute-force model: the set of minutes of the week each
window is open, read minute by minute from the window rule itself (`window_contains`).
"""

from datetime import datetime, time, timedelta

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from ads.rules.windows import (
    DAY,
    DAYS_RULE,
    WEEK,
    WeeklyWindow,
    overlap_messages,
    overlapping_pairs,
    week_intervals,
    window_contains,
    window_errors,
)

HOUR = DAY // 24
MONDAY = datetime(2026, 3, 16)  # a Monday


def w(start: str, end: str, *days: int) -> WeeklyWindow:
    return WeeklyWindow(time.fromisoformat(start), time.fromisoformat(end), days)


class WindowFieldRuleTests(SimpleTestCase):
    def test_an_empty_window_and_bad_days_are_named_by_field(self) -> None:
        self.assertEqual(window_errors(time(9), time(12), [0, 1]), {})
        self.assertEqual(
            window_errors(time(9), time(9), [0]),
            {"end_time": "The window must not start and end at the same time."},
        )
        for days in ([], [0, 0], [7], [-1], [True], "0,1", None, [1.0]):
            with self.subTest(days=days):
                self.assertEqual(
                    window_errors(time(9), time(12), days), {"days_of_week": DAYS_RULE}
                )


class WeekIntervalTests(SimpleTestCase):
    def test_a_daytime_window_is_one_interval_per_day(self) -> None:
        self.assertEqual(
            week_intervals(w("09:00", "12:00", 0, 2)),
            [(9 * HOUR, 12 * HOUR), (2 * DAY + 9 * HOUR, 2 * DAY + 12 * HOUR)],
        )

    def test_an_overnight_window_on_sunday_wraps_to_monday(self) -> None:
        self.assertEqual(
            week_intervals(w("22:00", "06:00", 5, 6)),
            [
                (5 * DAY + 22 * HOUR, 6 * DAY + 6 * HOUR),
                (6 * DAY + 22 * HOUR, WEEK),
                (0, 6 * HOUR),
            ],
        )


class OverlapTests(SimpleTestCase):
    def test_the_literal_cases(self) -> None:
        cases = [
            # Touching at 12:00 (half-open): no overlap.
            (w("09:00", "12:00", 0), w("12:00", "14:00", 0), False),
            (w("09:00", "12:00", 0, 1, 2, 3, 4), w("11:00", "13:00", 2), True),
            # Same hours, other days.
            (w("09:00", "12:00", 0), w("09:00", "12:00", 1), False),
            # Friday night runs into Saturday morning.
            (w("22:00", "06:00", 4), w("05:00", "07:00", 5), True),
            (w("22:00", "06:00", 4), w("06:00", "07:00", 5), False),
            # Sunday night runs into Monday morning: the week wraps.
            (w("22:00", "06:00", 6), w("05:59", "08:00", 0), True),
            (w("22:00", "06:00", 6), w("06:00", "08:00", 0), False),
            # One minute inside another.
            (w("00:00", "23:59", 3), w("12:00", "12:01", 3), True),
        ]
        for first, second, expected in cases:
            with self.subTest(first=str(first), second=str(second)):
                self.assertEqual(bool(overlapping_pairs([first, second])), expected)
                self.assertEqual(bool(overlapping_pairs([second, first])), expected)

    def test_each_overlapping_pair_is_named_with_both_windows(self) -> None:
        windows = [
            w("09:00", "12:00", 0, 1, 2, 3, 4),
            w("14:00", "18:00", 0),
            w("11:00", "13:00", 2),
        ]
        self.assertEqual(overlapping_pairs(windows), [(0, 2)])
        self.assertEqual(
            overlap_messages(windows), ["Mon–Fri 09:00–12:00 overlaps Wed 11:00–13:00"]
        )

    def test_six_windows_a_day_in_fifteen_minute_steps_do_not_overlap(self) -> None:
        every_day = tuple(range(7))
        slots = [
            ("00:00", "00:15"),
            ("00:15", "04:45"),
            ("06:00", "06:15"),
            ("12:30", "12:45"),
            ("18:00", "20:15"),
            ("23:45", "00:00"),
        ]
        self.assertEqual(overlapping_pairs([w(a, b, *every_day) for a, b in slots]), [])


minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@st.composite
def weekly_windows(draw: st.DrawFn) -> WeeklyWindow:
    start = draw(minutes)
    end = draw(minutes.filter(lambda t: t != start))
    days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
    return WeeklyWindow(start, end, tuple(days))


def open_minutes(window: WeeklyWindow) -> set[int]:
    """The brute-force model: every minute of a week the window rule says is open."""
    return {
        minute
        for minute in range(7 * 24 * 60)
        if window_contains(
            window.start, window.end, window.days_of_week, MONDAY + timedelta(minutes=minute)
        )
    }


class OverlapPropertyTests(SimpleTestCase):
    @settings(max_examples=150, deadline=None)
    @given(st.lists(weekly_windows(), min_size=2, max_size=3))
    def test_windows_overlap_exactly_when_they_share_a_minute_of_the_week(
        self, windows: list[WeeklyWindow]
    ) -> None:
        opened = [open_minutes(window) for window in windows]
        expected = [
            (i, j)
            for i in range(len(windows))
            for j in range(i + 1, len(windows))
            if opened[i] & opened[j]
        ]
        self.assertEqual(overlapping_pairs(windows), expected)

    @settings(max_examples=100, deadline=None)
    @given(weekly_windows())
    def test_the_intervals_cover_exactly_the_minutes_the_window_is_open(
        self, window: WeeklyWindow
    ) -> None:
        covered = {
            minute
            for opens, closes in week_intervals(window)
            for minute in range(opens // (DAY // 1440), closes // (DAY // 1440))
        }
        self.assertEqual(covered, open_minutes(window))
