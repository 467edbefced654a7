"""The window rule's two Python forms agree: `window_contains` (is a window open at an instant,
read by every verdict) and pacing's `window_spans` (the intervals in which it is open, read by
the scheduled share of a period). An instant is inside a span exactly when the window contains
its wall-clock time, DST days included: pacing's spans are walked with `window_contains`
itself, at each edge in both readings and each change of the zone's offset."""

from datetime import UTC, datetime, time, timedelta

from django.test import SimpleTestCase
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ads.periods import zone
from ads.rules.pacing import window_spans
from ads.rules.reasons import Window
from ads.rules.windows import window_contains

EDGES = [time(0), time(1, 30), time(2, 30), time(12), time(23, 59, 59, 999999)]
ZONES = ["UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe"]
# Around the DST changes of 2026 in New York and Paris, and anywhere else in the decade.
NEAR_CHANGES = [datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)]


@st.composite
def windows_and_instants(draw: st.DrawFn) -> tuple[Window, datetime]:
    start = draw(st.one_of(st.sampled_from(EDGES), st.times()))
    end = draw(st.one_of(st.sampled_from(EDGES), st.times()))
    assume(start != end)
    days = frozenset(draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True)))
    window = Window(start=start, end=end, days_of_week=days, timezone=draw(st.sampled_from(ZONES)))
    base = draw(
        st.one_of(
            st.sampled_from(NEAR_CHANGES),
            st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
        )
    )
    seconds = draw(st.integers(-2 * 86_400, 2 * 86_400))
    return window, base + timedelta(seconds=seconds)


class WindowFormsAgree(SimpleTestCase):
    @settings(max_examples=1000, deadline=None)
    @given(windows_and_instants())
    def test_an_instant_is_in_a_span_exactly_when_the_window_contains_it(
        self, case: tuple[Window, datetime]
    ) -> None:
        window, instant = case
        spans = window_spans(
            window, start=instant - timedelta(days=2), end=instant + timedelta(days=2)
        )
        in_a_span = any(opens <= instant < closes for opens, closes in spans)
        local = instant.astimezone(zone(window.timezone))
        contains = window_contains(window.start, window.end, window.days_of_week, local)
        self.assertEqual(in_a_span, contains, (window, instant, local))


class DstEdges(SimpleTestCase):
    """The two cases where the forms disagreed before `window_spans` was walked with the rule
    (found by the audit of issue 12): an edge on a wall time that DST skips or repeats. Spans
    read a skipped edge with the offset before the jump (an hour late) and a repeated one at
    its first reading only, while `window_contains` judges the wall clock."""

    def agree(self, window: Window, instant: datetime) -> None:
        spans = window_spans(
            window, start=instant - timedelta(days=2), end=instant + timedelta(days=2)
        )
        local = instant.astimezone(zone(window.timezone))
        self.assertEqual(
            any(opens <= instant < closes for opens, closes in spans),
            window_contains(window.start, window.end, window.days_of_week, local),
        )

    def test_an_edge_in_the_spring_gap_closes_the_window_at_the_jump(self) -> None:
        # Sunday 00:00-02:30 in New York on 2026-03-08: 02:00-03:00 does not exist; at 03:00
        # EDT (07:00 UTC) the wall clock is past 02:30, so the window is closed.
        window = Window(time(0), time(2, 30), frozenset({6}), "America/New_York")
        self.agree(window, datetime(2026, 3, 8, 7, tzinfo=UTC))

    def test_an_edge_in_the_autumn_repeat_is_crossed_both_times_round(self) -> None:
        # Sunday 00:00-01:30 in New York on 2026-11-01: 01:00-02:00 comes twice; at the second
        # 01:00 (06:00 UTC) the wall clock is before 01:30 again, so the window is open.
        window = Window(time(0), time(1, 30), frozenset({6}), "America/New_York")
        self.agree(window, datetime(2026, 11, 1, 6, tzinfo=UTC))
