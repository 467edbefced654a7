"""The fields of the API's bodies, read strictly: JSON types as the contract names them.

Each reader returns the value a service takes, or raises a ValidationError on its field; the
services then check the value itself (sign, size, places, length, time) as for every caller.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from ads.api.body import Fraction
from ads.money import Sign, parse_amount, parse_amount_text

# RFC 3339: a full date, "T" (or a space), a full time, an offset ("Z" or +hh:mm).
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def json_type(value: object) -> str:
    """A value's JSON type name, for messages."""
    if isinstance(value, Fraction):
        return "number"
    names = {bool: "boolean", int: "integer", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def campaign_id(value: object, *, field: str = "campaign_id") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(field, f"Give the campaign's id as an integer, not a {json_type(value)}.")
    return value


def amount(value: object, *, field: str = "amount", sign: Sign = "positive") -> Decimal:
    """A decimal string ("12.50") or an integer; a JSON number with a fraction is refused."""
    if isinstance(value, Fraction):
        message = (
            f"{value.text} is a JSON number with a fraction: send amounts as a decimal "
            f'string, e.g. "{value.text}", or an integer, so no binary rounding can change them.'
        )
        raise _bad(field, message)
    if isinstance(value, str):
        return parse_amount_text(value, field=field, sign=sign)
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_amount(value, field=field, sign=sign)
    raise _bad(field, f"Give a decimal string or an integer, not a {json_type(value)}.")


def text(value: object, *, field: str) -> str:
    if not isinstance(value, str):
        raise _bad(field, f"Give a string, not a {json_type(value)}.")
    return value


def optional_text(value: object, *, field: str) -> str | None:
    return None if value is None else text(value, field=field)


def timestamp(value: object, *, field: str = "timestamp") -> datetime | None:
    """An RFC 3339 date and time with its offset; None (absent) means now."""
    if value is None:
        return None
    given = text(value, field=field)
    if not _RFC3339.fullmatch(given):
        message = f"{given!r} is not an RFC 3339 time with an offset, e.g. 2026-03-18T12:00:00Z."
        raise _bad(field, message)
    try:
        return datetime.fromisoformat(given.upper().replace(" ", "T"))
    except ValueError:
        raise _bad(field, f"{given!r} is no such time.") from None


def day(value: object, *, field: str = "day") -> date:
    given = text(value, field=field)
    try:
        if not _DAY.fullmatch(given):
            raise ValueError
        return date.fromisoformat(given)
    except ValueError:
        raise _bad(field, f"{given!r} is not a date such as 2026-03-18.") from None


def unexpected(
    value: object, *, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, list[str]]:
    """What is wrong with `value`'s shape: a required field missing, an unknown one given."""
    if not isinstance(value, dict):
        raise ValidationError(f"Give a JSON object, not a {json_type(value)}.")
    problems = {name: ["This field is required."] for name in required if name not in value}
    for name in value:
        if name not in required and name not in optional:
            problems[str(name)] = ["Not a field of this request."]
    return problems
