"""Property-based tests of the window rule against a brute-force model.

The model is independent of the code: it expands every start day into concrete [opens, closes)
intervals. The roll-up's properties are in ads/tests/services/test_rollup_properties.py.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ads.rules.windows import window_contains

EDGES = [time(0), time(0, 0, 0, 1), time(12), time(23, 59, 59, 999999)]


def brute_force_window(start: time, end: time, days: list[int], local: datetime) -> bool:
    """Open when `local` falls in [opens, closes) of a window started on a listed day near it."""
    for back in range(3):
        day = local.date() - timedelta(days=back)
        if day.weekday() not in days:
            continue
        opens = datetime.combine(day, start)
        closes = datetime.combine(day if start < end else day + timedelta(days=1), end)
        if opens <= local < closes:
            return True
    return False


@st.composite
def windows_and_moments(draw: st.DrawFn) -> tuple[time, time, list[int], datetime]:
    start = draw(st.one_of(st.sampled_from(EDGES), st.times()))
    end = draw(st.one_of(st.sampled_from(EDGES), st.times()))
    assume(start != end)
    days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
    day = draw(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
    # Often exactly at an edge of the window, where off-by-one mistakes live.
    clock = draw(st.one_of(st.times(), st.sampled_from([start, end, *EDGES])))
    return start, end, days, datetime.combine(day, clock)


class WindowRuleProperties(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(windows_and_moments())
    def test_window_contains_agrees_with_the_interval_model(
        self, case: tuple[time, time, list[int], datetime]
    ) -> None:
        start, end, days, local = case
        self.assertEqual(
            window_contains(start, end, days, local), brute_force_window(start, end, days, local)
        )

    @settings(max_examples=100, deadline=None)
    @given(windows_and_moments(), st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]))
    def test_an_aware_moment_is_judged_by_its_wall_clock(
        self, case: tuple[time, time, list[int], datetime], tz: str
    ) -> None:
        start, end, days, local = case
        aware = local.replace(tzinfo=ZoneInfo(tz))
        self.assertEqual(
            window_contains(start, end, days, aware), brute_force_window(start, end, days, local)
        )
