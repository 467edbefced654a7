"""Money: one precision for every amount, and the parsing of amounts given by people and scripts."""

from decimal import Decimal, InvalidOperation
from typing import Final

from django.core.exceptions import ValidationError

MAX_DIGITS: Final = 14
DECIMAL_PLACES: Final = 2
ZERO: Final = Decimal("0.00")
CENT: Final = Decimal("0.01")
MAX_AMOUNT: Final = Decimal(10 ** (MAX_DIGITS - DECIMAL_PLACES)) - Decimal("0.01")

AmountInput = Decimal | int | str


def _refused(field: str, message: str, code: str) -> ValidationError:
    """An error on `field` that keeps its code (a dict of plain messages would drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def parse_amount(value: object, *, field: str = "amount") -> Decimal:
    """Turn a Decimal, an int or a decimal string into an exact, positive amount of cents.

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
    if amount <= 0:
        raise _refused(field, f"{value} must be greater than 0.", "not_positive")
    if amount > MAX_AMOUNT:
        raise _refused(field, f"{value} exceeds the largest amount, {MAX_AMOUNT}.", "too_large")
    cents = amount.quantize(CENT)
    if cents != amount:
        raise _refused(
            field, f"{value} has more than {DECIMAL_PLACES} decimal places.", "too_precise"
        )
    return cents
