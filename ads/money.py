"""Money: one precision for every amount, and the parsing of amounts given by people and scripts."""

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from django.core.exceptions import ValidationError

DECIMAL_PLACES: Final = 2
ZERO: Final = Decimal("0.00")
CENT: Final = Decimal("0.01")


def _largest(digits: int) -> Decimal:
    """The largest amount of cents written with `digits` digits."""
    return Decimal(10 ** (digits - DECIMAL_PLACES)) - CENT


# One spend: up to 999,999,999,999.99.
MAX_DIGITS: Final = 14
MAX_AMOUNT: Final = _largest(MAX_DIGITS)
# Budgets and totals: many spends add up, and a month of 10^12 is ordinary in IDR or VND.
TOTAL_DIGITS: Final = 20
MAX_TOTAL: Final = _largest(TOTAL_DIGITS)
# What a binary double (SQLite's decimal column) holds exactly: 15 significant digits.
MAX_TOTAL_FLOAT: Final = _largest(15)

# How a person or a file writes an amount: ASCII digits, an optional point, an optional minus
# (so that "-5" is told it must be positive rather than that it is malformed).
_PLAIN_AMOUNT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

AmountInput = Decimal | int | str

# Which amounts a caller takes: a spend's (> 0), a credit's or charge's (either sign, never 0), a
# reported day's total (>= 0).
Sign = Literal["positive", "nonzero", "non_negative"]
_SIGN_RULES: Final[dict[str, tuple[Callable[[Decimal], bool], str, str]]] = {
    "positive": (lambda amount: amount > 0, "must be greater than 0", "not_positive"),
    "nonzero": (lambda amount: amount != 0, "must not be 0", "zero"),
    "non_negative": (lambda amount: amount >= 0, "must not be negative", "negative"),
}


def _refused(field: str, message: str, code: str) -> ValidationError:
    """An error on `field` that keeps its code (a dict of plain messages would drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def parse_amount(value: object, *, field: str = "amount", sign: Sign = "positive") -> Decimal:
    """Turn a Decimal, an int or a decimal string into an exact amount of cents.

    Positive by default (a spend); `sign` takes a credit or charge ("nonzero") or a reported
    total ("non_negative") through the same checks, the size bound applying to the magnitude.
    Floats are refused rather than rounded: 0.1 + 0.2 is not 0.3 in binary, and money must add up.
    """
    if isinstance(value, float):
        raise _refused(
            field,
            f"{value!r} is a float; pass a Decimal or a string such as Decimal('12.50').",
            "float",
        )
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _refused(
            field,
            f"{value!r} is not an amount; pass a Decimal, an int or a decimal string.",
            "invalid_type",
        )
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise _refused(field, f"{value!r} is not a number.", "invalid") from None
    if not amount.is_finite():
        raise _refused(field, f"{value!r} is not a finite number.", "not_finite")
    fits, rule, code = _SIGN_RULES[sign]
    if not fits(amount):
        raise _refused(field, f"{value} {rule}.", code)
    if abs(amount) > MAX_AMOUNT:
        raise _refused(field, f"{value} exceeds the largest amount, {MAX_AMOUNT}.", "too_large")
    cents = amount.quantize(CENT)
    if cents != amount:
        raise _refused(
            field, f"{value} has more than {DECIMAL_PLACES} decimal places.", "too_precise"
        )
    return cents


def parse_amount_text(text: object, *, field: str = "amount", sign: Sign = "positive") -> Decimal:
    """An amount typed in a form or written in a file: plain decimal notation only.

    `parse_amount` takes what Python's Decimal takes, which suits code but not text from
    outside: "1e3", "1_000", "+5" and non-ASCII digits such as "١٢" would all pass. Text that is
    no number at all ("abc", "NaN") gets `parse_amount`'s own message. Surrounding whitespace is
    ignored; whitespace inside is not.
    """
    if not isinstance(text, str):
        raise _refused(field, f"{text!r} is not text.", "invalid_type")
    plain = text.strip()
    if _PLAIN_AMOUNT.fullmatch(plain):
        return parse_amount(plain, field=field, sign=sign)
    parse_amount(plain, field=field, sign=sign)  # raises "is not a number", "is not finite", ...
    raise _refused(
        field,
        f"{text!r} is not a plain decimal amount: write digits with an optional decimal point, "
        "e.g. 1250.50 (no exponent, sign, separators or non-ASCII digits).",
        "not_plain",
    )


def format_money(amount: Decimal, currency: str) -> str:
    """An amount as people read it: thousands separators, its cents, then its ISO 4217 code.

    "12,345.67 EUR", "-5.00 USD": the code after the number, the same in every currency (a
    symbol such as "$" names several), never converted. Amounts are kept to the cent whatever
    the currency, so two places are always shown.
    """
    return f"{Decimal(amount).quantize(CENT):,.2f} {currency}"
