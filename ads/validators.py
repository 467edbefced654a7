"""What the database can store and read back: text, spend times and totals.

Each rule is here once, for the model fields, the services and the importers alike: a value that
breaks one would otherwise reach the driver and end in its error (or in a row that can never be
read again) instead of a ValidationError naming the field.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ads.database import vendor
from ads.money import MAX_TOTAL, MAX_TOTAL_FLOAT

# A spend before this is a typo or a corrupt feed, never a real event. Far enough from year 1
# that no UTC offset moves it out of the range a datetime (and so a database row) can hold.
EARLIEST_SPEND: Final = datetime(2000, 1, 1, tzinfo=UTC)


def validate_text(value: str) -> None:
    """Refuse a NUL (PostgreSQL text cannot hold one) and a lone surrogate (not UTF-8)."""
    position = value.find("\x00")
    if position >= 0:
        raise ValidationError(
            "Contains a NUL character (\\x00) at position %(position)s; remove it.",
            code="null_characters_not_allowed",
            params={"position": position},
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValidationError(
            "Contains %(char)s at position %(position)s, half of a surrogate pair, which is not "
            "a character.",
            code="surrogate",
            params={"char": ascii(value[error.start]), "position": error.start},
        ) from None


def validate_spend_time(value: datetime, *, now: datetime) -> None:
    """A spend time is aware, not before EARLIEST_SPEND and not after `now`."""
    if value.utcoffset() is None:
        message = "The timestamp has no time zone; give an aware datetime."
        raise ValidationError({"timestamp": ValidationError(message, code="naive")})
    if value < EARLIEST_SPEND:
        message = (
            f"{value.isoformat()} is before {EARLIEST_SPEND:%Y-%m-%d %H:%M} UTC, the earliest "
            "spend time accepted."
        )
        raise ValidationError({"timestamp": ValidationError(message, code="too_early")})
    if value > now:
        message = f"{value.isoformat()} is in the future."
        raise ValidationError({"timestamp": ValidationError(message, code="future")})


def largest_total() -> Decimal:
    """The largest total (or budget) the database in use keeps exactly.

    SQLite keeps a decimal column as a binary double, exact to 15 significant digits only; a
    larger value would come back a few cents off, and the totals would drift from the ledger.
    """
    return MAX_TOTAL_FLOAT if vendor() == "sqlite" else MAX_TOTAL


def validate_total(value: Decimal) -> None:
    """A budget the database keeps exactly (the column's digits are checked by the field)."""
    limit = largest_total()
    if value > limit:
        raise ValidationError(
            "%(value)s is more than %(limit)s, the largest amount this database keeps exactly.",
            code="too_large",
            params={"value": value, "limit": limit},
        )


def validate_currency(value: str) -> None:
    """An ISO 4217 code as written: three capital letters (the brand's amounts are shown in it)."""
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise ValidationError(
            "%(value)r is not an ISO 4217 currency code (three capital letters, e.g. EUR).",
            code="invalid_currency",
            params={"value": value},
        )


def validate_alert_thresholds(value: object) -> None:
    """A list of distinct whole percents from 1 to 1000 (100 is the budget itself)."""
    if not isinstance(value, list) or any(
        isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 1000
        for level in value
    ):
        raise ValidationError(
            "Give a list of whole percents from 1 to 1000, e.g. [50, 80, 100].",
            code="invalid_thresholds",
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each percent once.", code="repeated_threshold")


def validate_alert_emails(value: object) -> None:
    """A list of email addresses."""
    if not isinstance(value, list) or not all(isinstance(address, str) for address in value):
        raise ValidationError("Give a list of email addresses.", code="invalid_emails")
    for address in value:
        validate_email(address)
