"""The next instant the clock alone changes a verdict (`ads.rules.transitions`): worked out by
hand at windows, flights and both 2026 DST changes in New York, and checked minute by minute
against the verdict itself (nothing flips before it, the verdict flips at it)."""

from datetime import UTC, date, datetime, time, timedelta

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from ads.rules.flights import Flight
from ads.rules.reasons import CampaignFacts, Window, blocking_reasons
from ads.rules.transitions import next_change, next_changes
from ads.tests.builders import utc

NEW_YORK = "America/New_York"
EVERY_DAY = frozenset(range(7))


def facts(
    *windows: Window,
    flight: Flight | None = None,
    enabled: bool = True,
    daily_exceeded: bool = False,
    monthly_exceeded: bool = False,
    daily_cap: bool = False,
    total_cap: bool = False,
) -> CampaignFacts:
    return CampaignFacts(
        pk=1,
        is_enabled=enabled,
        is_active=False,
        daily_exceeded=daily_exceeded,
        monthly_exceeded=monthly_exceeded,
        windows=windows,
        daily_cap_reached=daily_cap,
        total_cap_reached=total_cap,
        flight=flight,
    )


def window(start: time, end: time, days: frozenset[int] = EVERY_DAY, tz: str = NEW_YORK) -> Window:
    return Window(start, end, days, tz)


def serves(campaign: CampaignFacts, at: datetime) -> bool:
    return not blocking_reasons(campaign, now=at)


class HandWorkedTests(SimpleTestCase):
    def test_a_window_closes_then_opens(self) -> None:
        office = facts(window(time(9), time(17)))
        # 2026-03-18 is a Wednesday; New York is UTC-4 (EDT).
        self.assertEqual(next_change(office, now=utc("2026-03-18T14:00")), utc("2026-03-18T21:00"))
        self.assertEqual(next_change(office, now=utc("2026-03-18T21:00")), utc("2026-03-19T13:00"))

    def test_weekdays_only_skips_the_weekend(self) -> None:
        weekdays = facts(window(time(9), time(17), frozenset(range(5))))
        # Friday 17:00 EDT closes; the next opening is Monday 09:00.
        self.assertEqual(
            next_change(weekdays, now=utc("2026-03-20T21:30")), utc("2026-03-23T13:00")
        )

    def test_spring_forward_closes_a_window_at_the_jump_when_its_end_never_happens(self) -> None:
        # Saturday 22:00 to Sunday 02:30: 02:30 does not exist on 2026-03-08; at 07:00Z the
        # wall clock reads 03:00 EDT, past the end.
        night = facts(window(time(22), time(2, 30), frozenset({5})))
        self.assertEqual(next_change(night, now=utc("2026-03-08T04:00")), utc("2026-03-08T07:00"))

    def test_spring_forward_opens_a_window_at_the_jump_when_its_start_never_happens(self) -> None:
        late = facts(window(time(2, 30), time(5)))
        self.assertEqual(next_change(late, now=utc("2026-03-08T05:00")), utc("2026-03-08T07:00"))

    def test_fall_back_repeats_an_hour_so_a_window_in_it_opens_twice(self) -> None:
        # 01:00-01:30 on 2026-11-01: 01:00 EDT (05:00Z) to 01:30 EDT, then 01:00 EST (06:00Z)
        # to 01:30 EST (06:30Z).
        short = facts(window(time(1), time(1, 30)))
        walk = [utc("2026-11-01T04:00")]
        for _ in range(4):
            walk.append(next_change(short, now=walk[-1]) or walk[-1])
        self.assertEqual(
            walk[1:],
            [
                utc("2026-11-01T05:00"),
                utc("2026-11-01T05:30"),
                utc("2026-11-01T06:00"),
                utc("2026-11-01T06:30"),
            ],
        )

    def test_a_flight_starts_and_ends_at_local_midnight(self) -> None:
        flight = facts(flight=Flight(date(2026, 3, 8), date(2026, 11, 1), NEW_YORK))
        # Midnight EST before spring forward, midnight EST after fall back (a 25-hour 1 Nov).
        self.assertEqual(next_change(flight, now=utc("2026-01-01T00:00")), utc("2026-03-08T05:00"))
        self.assertEqual(next_change(flight, now=utc("2026-03-08T05:00")), utc("2026-11-02T05:00"))
        self.assertIsNone(next_change(flight, now=utc("2026-11-02T05:00")))

    def test_a_flight_that_starts_outside_its_window_waits_for_the_window(self) -> None:
        # Months away, past any 8 days from now: the walk starts again at the flight's start.
        flight = Flight(date(2026, 6, 1), None, NEW_YORK)
        campaign = facts(window(time(9), time(17)), flight=flight)
        self.assertEqual(
            next_change(campaign, now=utc("2026-01-10T15:00")), utc("2026-06-01T13:00")
        )

    def test_blocks_only_a_write_lifts_leave_no_next_change(self) -> None:
        office = window(time(9), time(17))
        for blocked in (
            facts(office, enabled=False),
            facts(office, daily_exceeded=True),
            facts(office, monthly_exceeded=True),
            facts(office, daily_cap=True),
            facts(office, total_cap=True),
            facts(office, flight=Flight(None, date(2026, 1, 1), NEW_YORK)),
        ):
            with self.subTest(blocked=blocked):
                self.assertIsNone(next_change(blocked, now=utc("2026-03-18T14:00")))

    def test_no_schedule_and_no_flight_never_change_by_the_clock(self) -> None:
        self.assertIsNone(next_change(facts(), now=utc("2026-03-18T14:00")))

    def test_touching_windows_that_cover_the_whole_week_never_close(self) -> None:
        always = facts(window(time(0), time(12)), window(time(12), time(0)))
        self.assertIsNone(next_change(always, now=utc("2026-03-18T14:00")))

    def test_many_campaigns_share_the_work_of_equal_facts(self) -> None:
        now = utc("2026-03-18T14:00")
        of = next_changes(now=now)
        office = window(time(9), time(17))
        self.assertEqual(of(facts(office)), next_change(facts(office), now=now))
        self.assertEqual(of(facts()), None)


ZONES = st.sampled_from([NEW_YORK, "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC"])
TIMES = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
# Around both 2026 DST changes in New York and London, and Sydney's April one.
STARTS = st.sampled_from(
    [
        utc(text)
        for text in ("2026-03-07", "2026-03-27T12:00", "2026-04-04", "2026-10-24", "2026-10-31")
    ]
)


@st.composite
def campaigns(draw: st.DrawFn) -> CampaignFacts:
    windows = []
    for _ in range(draw(st.integers(0, 2))):
        start, end = draw(TIMES), draw(TIMES)
        if start != end:
            days = frozenset(draw(st.sets(st.integers(0, 6), min_size=1)))
            windows.append(window(start, end, days, draw(ZONES)))
    flight = None
    if draw(st.booleans()):
        first = date(2026, 3, 1) + timedelta(days=draw(st.integers(0, 70)))
        last = first + timedelta(days=draw(st.integers(0, 5)))
        flight = Flight(first, last, draw(ZONES))
    return facts(*windows, flight=flight)


class AgainstTheVerdictTests(SimpleTestCase):
    """Minute by minute over two days: the verdict holds until the next change and flips there.
    (Windows overlapping each other are allowed here: the rule must not care.)"""

    @settings(max_examples=60, deadline=None)
    @given(campaign=campaigns(), start=STARTS, offset=st.integers(0, 24 * 60))
    def test_nothing_flips_before_the_next_change_and_the_verdict_flips_at_it(
        self, campaign: CampaignFacts, start: datetime, offset: int
    ) -> None:
        now = start + timedelta(minutes=offset)
        change = next_change(campaign, now=now)
        before = serves(campaign, now)
        end = now + timedelta(days=2)
        minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        while minute < end and (change is None or minute < change):
            self.assertEqual(serves(campaign, minute), before, (minute, change))
            minute += timedelta(minutes=1)
        if change is not None:
            self.assertGreater(change, now)
            self.assertNotEqual(serves(campaign, change), before)
            self.assertEqual(change.tzinfo, UTC)
