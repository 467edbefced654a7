"""What the database can store: text without NUL or lone surrogates, spend times from 2000 on."""

from datetime import UTC, datetime, timedelta, timezone

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from ads.validators import EARLIEST_SPEND, validate_spend_time, validate_text

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


class ValidateTextTests(SimpleTestCase):
    def test_ordinary_text_passes(self) -> None:
        for text in ["", "Google click", "Café – 東京 🚀", "tab\tand\nnewline", "x" * 10_000]:
            with self.subTest(text=text[:20]):
                validate_text(text)

    def test_a_nul_and_a_lone_surrogate_are_refused_with_where_they_are(self) -> None:
        cases = [
            ("a\x00b", "null_characters_not_allowed", "NUL character (\\x00) at position 1"),
            ("\x00", "null_characters_not_allowed", "at position 0"),
            ("ok\ud800", "surrogate", "'\\ud800' at position 2"),
            ("\udfff", "surrogate", "half of a surrogate pair"),
        ]
        for text, code, message in cases:
            with self.subTest(text=ascii(text)):
                with self.assertRaises(ValidationError) as caught:
                    validate_text(text)
                self.assertEqual(caught.exception.code, code)
                self.assertIn(message, caught.exception.messages[0])


class ValidateSpendTimeTests(SimpleTestCase):
    def assert_refused(self, value: datetime, code: str, message: str) -> None:
        with self.assertRaises(ValidationError) as caught:
            validate_spend_time(value, now=NOW)
        (error,) = caught.exception.error_dict["timestamp"]
        self.assertEqual(error.code, code)
        self.assertIn(message, error.message)

    def test_from_2000_utc_up_to_now_passes(self) -> None:
        plus_one = timezone(timedelta(hours=1))
        for value in [
            EARLIEST_SPEND,
            datetime(2000, 1, 1, 1, 0, tzinfo=plus_one),  # 2000-01-01 00:00 UTC
            NOW,
            NOW.astimezone(timezone(timedelta(hours=-23, minutes=-59))),
            datetime(2026, 3, 18, 17, 15, 14, tzinfo=timezone(timedelta(hours=5, seconds=915))),
        ]:
            with self.subTest(value=value):
                validate_spend_time(value, now=NOW)

    def test_before_2000_in_utc_is_refused_whatever_the_offset(self) -> None:
        plus_one = timezone(timedelta(hours=1))
        for value in [
            EARLIEST_SPEND - timedelta(microseconds=1),
            datetime(2000, 1, 1, 0, 30, tzinfo=plus_one),  # 1999-12-31 23:30 UTC
            datetime(1, 1, 1, tzinfo=plus_one),  # before year 1 in UTC: no datetime holds it
            datetime.min.replace(tzinfo=UTC),
            datetime(1970, 1, 1, tzinfo=UTC),
        ]:
            with self.subTest(value=value):
                self.assert_refused(value, "too_early", "is before 2000-01-01 00:00 UTC")

    def test_the_future_and_a_naive_time_are_refused(self) -> None:
        self.assert_refused(NOW + timedelta(microseconds=1), "future", "is in the future")
        far = datetime.max.replace(tzinfo=timezone(timedelta(hours=-23, minutes=-59)))
        self.assert_refused(far, "future", "is in the future")
        self.assert_refused(datetime(2026, 3, 18), "naive", "no time zone")
