"""Amounts: a Decimal, an int or a decimal string is taken exactly; anything else is refused."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from ads.money import MAX_AMOUNT, parse_amount


class ParseAmountTests(SimpleTestCase):
    def test_decimal_int_and_string_are_taken_exactly_as_cents(self) -> None:
        cases: list[tuple[Decimal | int | str, str]] = [
            (Decimal("12.50"), "12.50"),
            (Decimal("0.01"), "0.01"),
            (7, "7.00"),
            ("12.5", "12.50"),
            (" 3.99 ", "3.99"),
            ("1E+2", "100.00"),
            ("1.230", "1.23"),  # trailing zeros are not extra precision
            (MAX_AMOUNT, str(MAX_AMOUNT)),
        ]
        for value, expected in cases:
            with self.subTest(value=value):
                amount = parse_amount(value)
                self.assertIsInstance(amount, Decimal)
                self.assertEqual(str(amount), expected)

    def test_sums_of_parsed_amounts_are_exact(self) -> None:
        # The classic float trap: 0.1 + 0.2 != 0.3 in binary.
        self.assertEqual(parse_amount("0.10") + parse_amount("0.20"), parse_amount("0.30"))

    def test_each_bad_amount_is_refused_with_a_message_naming_the_problem(self) -> None:
        cases: list[tuple[object, str, str]] = [
            (Decimal("-1.00"), "not_positive", "must be greater than 0"),
            ("-0.01", "not_positive", "must be greater than 0"),
            (0, "not_positive", "must be greater than 0"),
            (Decimal("0.00"), "not_positive", "must be greater than 0"),
            (Decimal("NaN"), "not_finite", "is not a finite number"),
            ("sNaN", "not_finite", "is not a finite number"),
            (Decimal("Infinity"), "not_finite", "is not a finite number"),
            ("-inf", "not_finite", "is not a finite number"),
            ("1.234", "too_precise", "more than 2 decimal places"),
            (Decimal("0.001"), "too_precise", "more than 2 decimal places"),
            (12.5, "float", "pass a Decimal"),
            (0.1, "float", "is a float"),
            (True, "invalid_type", "is not an amount"),
            (False, "invalid_type", "is not an amount"),
            (None, "invalid_type", "is not an amount"),
            ([1], "invalid_type", "is not an amount"),
            (b"12.50", "invalid_type", "is not an amount"),
            ("twelve", "invalid", "is not a number"),
            ("12,50", "invalid", "is not a number"),
            ("", "invalid", "is not a number"),
        ]
        for value, code, message in cases:
            with self.subTest(value=value):
                with self.assertRaises(ValidationError) as caught:
                    parse_amount(value)
                errors = caught.exception.error_dict
                self.assertEqual(list(errors), ["amount"])
                self.assertEqual(errors["amount"][0].code, code)
                self.assertIn(message, " ".join(caught.exception.message_dict["amount"]))

    def test_an_amount_beyond_the_columns_precision_is_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "exceeds the largest amount"):
            parse_amount(MAX_AMOUNT + Decimal("0.01"))

    def test_the_error_names_the_field_it_was_given(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            parse_amount("-5", field="daily_budget")
        self.assertEqual(list(caught.exception.message_dict), ["daily_budget"])
