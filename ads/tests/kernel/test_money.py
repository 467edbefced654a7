"""Amounts: a Decimal, an int or a decimal string is taken exactly; anything else is refused.

Text from outside (a form, a file, the API) is held to plain decimal notation on top.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from ads.money import MAX_AMOUNT, MAX_TOTAL, MAX_TOTAL_FLOAT, parse_amount, parse_amount_text


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

    def test_code_may_still_pass_what_python_decimal_reads(self) -> None:
        # The shell and scripts keep taking strings as Decimal reads them (README, CONTRACT).
        self.assertEqual(parse_amount("1_000"), Decimal("1000.00"))
        self.assertEqual(parse_amount("1e3"), Decimal("1000.00"))


class ParseAmountTextTests(SimpleTestCase):
    def test_plain_decimal_notation_is_taken_exactly(self) -> None:
        cases = [
            ("12.50", "12.50"),
            ("7", "7.00"),
            ("0.01", "0.01"),
            (" 3.99 ", "3.99"),
            ("12.", "12.00"),
            (".5", "0.50"),
            ("0012.50", "12.50"),
            ("1.230", "1.23"),
            (str(MAX_AMOUNT), str(MAX_AMOUNT)),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(str(parse_amount_text(text)), expected)

    def test_anything_but_plain_notation_is_refused_with_a_message(self) -> None:
        not_plain = "is not a plain decimal amount"
        cases = [
            # What Python's Decimal reads, but a person or a file should not write.
            ("1e3", "not_plain", not_plain),
            ("1E+2", "not_plain", not_plain),
            ("-1e3", "not_positive", "must be greater than 0"),
            ("1_000", "not_plain", not_plain),
            ("١٢", "not_plain", not_plain),  # Arabic-Indic digits
            ("１２", "not_plain", not_plain),  # fullwidth digits
            ("+5", "not_plain", not_plain),
            # No number at all: the message says so.
            ("NaN", "not_finite", "is not a finite number"),
            ("sNaN", "not_finite", "is not a finite number"),
            ("Infinity", "not_finite", "is not a finite number"),
            ("-inf", "not_finite", "is not a finite number"),
            ("²", "invalid", "is not a number"),
            ("½", "invalid", "is not a number"),
            ("1 000", "invalid", "is not a number"),
            ("12 .50", "invalid", "is not a number"),
            ("1\u00a0000", "invalid", "is not a number"),  # a no-break space inside
            ("1,000", "invalid", "is not a number"),
            ("0x10", "invalid", "is not a number"),
            ("", "invalid", "is not a number"),
            ("   ", "invalid", "is not a number"),
            (".", "invalid", "is not a number"),
            ("--5", "invalid", "is not a number"),
        ]
        for text, code, message in cases:
            with self.subTest(text=text):
                with self.assertRaises(ValidationError) as caught:
                    parse_amount_text(text)
                (error,) = caught.exception.error_dict["amount"]
                self.assertEqual(error.code, code)
                self.assertIn(message, error.message)

    def test_a_plain_but_bad_amount_gets_the_rule_it_breaks(self) -> None:
        cases = [
            ("-5", "not_positive"),
            ("0", "not_positive"),
            ("-0.00", "not_positive"),
            ("1.234", "too_precise"),
            ("1000000000000", "too_large"),
            ("9" * 10_000, "too_large"),
        ]
        for text, code in cases:
            with self.subTest(text=text[:20]):
                with self.assertRaises(ValidationError) as caught:
                    parse_amount_text(text)
                self.assertEqual(caught.exception.error_dict["amount"][0].code, code)

    def test_only_text_is_text(self) -> None:
        for value in [Decimal("1"), 5, b"5", None, 5.0]:
            with self.subTest(value=value):
                with self.assertRaises(ValidationError) as caught:
                    parse_amount_text(value, field="price")
                self.assertEqual(caught.exception.error_dict["price"][0].code, "invalid_type")


class TotalSizeTests(SimpleTestCase):
    def test_totals_hold_real_currencies_and_sqlite_keeps_what_a_double_holds_exactly(
        self,
    ) -> None:
        # A month of 10^12 (IDR, VND) is ordinary: a total holds a million of the largest spends.
        self.assertGreaterEqual(MAX_TOTAL, MAX_AMOUNT * 1_000_000)
        self.assertEqual(MAX_TOTAL_FLOAT, Decimal("9999999999999.99"))
        # 15 significant digits survive a binary double; one more would not.
        self.assertEqual(Decimal(repr(float(MAX_TOTAL_FLOAT))), MAX_TOTAL_FLOAT)
        self.assertNotEqual(
            Decimal(repr(float(Decimal("99999999999999.99")))), Decimal("99999999999999.99")
        )
