"""Local days and months: an instant's day and month in a zone, and their bounds in UTC.

Expected bounds are hand-worked literals (Kolkata is UTC+05:30, Kathmandu UTC+05:45).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from ads.periods import local_midnight, local_period, next_month, validate_timezone, zone
from ads.tests.builders import utc


class LocalPeriodTests(SimpleTestCase):
    def test_half_and_three_quarter_hour_zones_turn_at_their_own_midnight(self) -> None:
        cases = [
            # (zone, UTC instant, local day, UTC start of that day)
            ("Asia/Kolkata", "2026-03-18T18:29:59", date(2026, 3, 18), "2026-03-17T18:30:00"),
            ("Asia/Kolkata", "2026-03-18T18:30:00", date(2026, 3, 19), "2026-03-18T18:30:00"),
            ("Asia/Kathmandu", "2026-03-18T18:14:59", date(2026, 3, 18), "2026-03-17T18:15:00"),
            ("Asia/Kathmandu", "2026-03-18T18:15:00", date(2026, 3, 19), "2026-03-18T18:15:00"),
            ("UTC", "2026-03-18T23:59:59", date(2026, 3, 18), "2026-03-18T00:00:00"),
        ]
        for name, instant, day, start in cases:
            with self.subTest(zone=name, instant=instant):
                period = local_period(utc(instant), zone(name))
                self.assertEqual(period.day, day)
                self.assertEqual(period.day_start, utc(start))
                self.assertTrue(period.contains_day(utc(instant)))

    def test_a_month_end_starts_a_new_month_at_local_midnight(self) -> None:
        tz = zone("Asia/Kathmandu")
        before = local_period(utc("2026-03-31T18:14:59"), tz)
        after = local_period(utc("2026-03-31T18:15:00"), tz)
        self.assertEqual((before.day, before.month), (date(2026, 3, 31), date(2026, 3, 1)))
        self.assertEqual((after.day, after.month), (date(2026, 4, 1), date(2026, 4, 1)))
        self.assertEqual(before.month_start, utc("2026-02-28T18:15:00"))
        self.assertEqual(before.month_end, utc("2026-03-31T18:15:00"))
        self.assertEqual(after.month_start, before.month_end)
        self.assertFalse(before.contains_month(utc("2026-03-31T18:15:00")))

    def test_day_and_month_bounds_are_half_open(self) -> None:
        period = local_period(utc("2026-02-15T12:00:00"), zone("UTC"))
        self.assertTrue(period.contains_day(utc("2026-02-15T00:00:00")))
        self.assertFalse(period.contains_day(utc("2026-02-16T00:00:00")))
        self.assertFalse(period.contains_day(utc("2026-02-14T23:59:59")))
        self.assertTrue(period.contains_month(utc("2026-02-28T23:59:59")))
        self.assertFalse(period.contains_month(utc("2026-03-01T00:00:00")))

    def test_new_york_days_are_23_and_25_hours_on_the_dst_changes(self) -> None:
        tz = zone("America/New_York")
        spring = local_period(utc("2026-03-08T12:00:00"), tz)
        autumn = local_period(utc("2026-11-01T12:00:00"), tz)
        self.assertEqual((spring.day_end - spring.day_start).total_seconds(), 23 * 3600)
        self.assertEqual((autumn.day_end - autumn.day_start).total_seconds(), 25 * 3600)
        self.assertEqual(local_midnight(date(2026, 11, 1), tz), utc("2026-11-01T04:00:00"))

    def test_next_month_turns_the_year(self) -> None:
        self.assertEqual(next_month(date(2026, 12, 1)), date(2027, 1, 1))
        self.assertEqual(next_month(date(2026, 1, 1)), date(2026, 2, 1))


class TimeZoneNameTests(SimpleTestCase):
    def test_iana_names_pass_and_anything_else_is_refused_by_name(self) -> None:
        for name in ("UTC", "Asia/Kathmandu", "America/Argentina/Buenos_Aires"):
            validate_timezone(name)
        for name in ("Mars/Olympus_Mons", "", "utc ", "../etc/passwd", "+05:30"):
            with self.subTest(name=name), self.assertRaises(ValidationError) as caught:
                validate_timezone(name)
            self.assertIn("is not an IANA time zone name", caught.exception.messages[0])

    def test_zone_refuses_an_unknown_name_with_a_validation_error(self) -> None:
        with self.assertRaisesMessage(ValidationError, "is not an IANA time zone name"):
            zone("Mars/Olympus_Mons")
