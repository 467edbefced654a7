"""Reading a request body as JSON, refusing what is hostile before it reaches any rule.

Parsed here rather than by pydantic, so that a JSON number with a fraction is never turned into
a Decimal (or a float) silently: it stays a `Fraction` marker that the field checks refuse,
naming the field. Too large (413), not UTF-8, not JSON, NaN or too deeply nested (400) are
refused as such, never a 500.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from ads.api.errors import refused

# A batch of 1,000 spends with long descriptions fits: about 700 bytes an entry.
MAX_BODY_BYTES = 1_048_576


@dataclass(frozen=True)
class Fraction:
    """A JSON number written with a fraction or an exponent, as it was written."""

    text: str


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def raw_body(request: HttpRequest) -> bytes:
    """The body's bytes, refused with 413 past MAX_BODY_BYTES (read no further than that)."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        raise refused("Content-Length is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise refused(f"The body is larger than {MAX_BODY_BYTES} bytes.", status=413)
    try:
        return request.body
    except RequestDataTooBig:
        raise refused(f"The body is larger than {MAX_BODY_BYTES} bytes.", status=413) from None


def parse_json(body: bytes) -> Any:
    """The JSON document in `body`; numbers with a fraction come back as `Fraction`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise refused("The body is not UTF-8.") from None
    try:
        return json.loads(text, parse_float=Fraction, parse_constant=_no_constant)
    except RecursionError:
        raise refused("The body is nested too deeply.") from None
    except ValueError as error:  # JSONDecodeError, NaN, an integer of too many digits
        raise refused(f"The body is not valid JSON: {error}.") from None
