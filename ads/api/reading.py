"""The API's bodies read into the values the services take, every problem named at once."""

from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ValidationError

from ads.api import fields
from ads.api.errors import ApiError, Problem, problems_of, refused
from ads.models import Campaign
from ads.services import SpendEntry
from ads.services.entries import entry_spend

MAX_BATCH = 1000
SPEND_FIELDS = (("campaign_id", "amount"), ("timestamp", "external_id", "description"))
ADJUSTMENT_FIELDS = (("campaign_id", "amount", "reason"), ("external_id", "timestamp"))
REPORT_FIELDS = (("campaign_id", "day", "total", "source"), ())


# A body's fields: (required, optional), and how each is read into a service's argument.
Reader = tuple[str, Callable[[Any], Any]]


def read_fields(
    value: object, spec: tuple[tuple[str, ...], tuple[str, ...]], readers: dict[str, Reader]
) -> dict[str, Any]:
    """The service's arguments from a body; every field's problem raised together.

    `readers` maps each body field to (argument name, reader of its JSON value); a field
    absent from the body is read as None (each reader knows its default).
    """
    required, optional = spec
    problems = fields.unexpected(value, required=required, optional=optional)
    body = cast(dict[str, Any], value)  # unexpected() refused anything else
    values: dict[str, Any] = {}
    for field, (argument, read) in readers.items():
        if field in problems:
            continue
        try:
            values[argument] = read(body.get(field))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.setdefault(name, []).extend(messages)
    if problems:
        raise ValidationError(problems)
    return values


def _text(field: str, *, default: str | None = None) -> Reader:
    def read(value: object) -> str | None:
        if value is None and default is not None:
            return default
        return fields.optional_text(value, field=field)

    return field, read


SPEND_READERS: dict[str, Reader] = {
    "campaign_id": ("campaign", fields.campaign_id),
    "amount": ("amount", fields.amount),
    "timestamp": ("timestamp", fields.timestamp),
    "external_id": _text("external_id"),
    "description": _text("description", default=""),
}
ADJUSTMENT_READERS: dict[str, Reader] = {
    "campaign_id": ("campaign", fields.campaign_id),
    "amount": ("amount", lambda value: fields.amount(value, sign="nonzero")),
    "reason": ("reason", lambda value: fields.text(value, field="reason")),
    "external_id": _text("external_id"),
    "timestamp": ("timestamp", fields.timestamp),
}
REPORT_READERS: dict[str, Reader] = {
    "campaign_id": ("campaign", fields.campaign_id),
    "day": ("day", fields.day),
    "total": ("total", lambda value: fields.amount(value, field="total", sign="non_negative")),
    "source": ("source", lambda value: fields.text(value, field="source")),
}


def spend_entry(value: object) -> SpendEntry:
    """One spend object as a SpendEntry, checked as `record_spend` checks its arguments."""
    entry = SpendEntry(**read_fields(value, SPEND_FIELDS, SPEND_READERS))
    entry_spend(entry)
    return entry


def spend_entries(document: object) -> tuple[list[SpendEntry], bool]:
    """The body's spends and whether it was one object (True) or a list; 400 naming each."""
    single = isinstance(document, dict)
    if single:
        items: list[object] = [document]
    elif isinstance(document, list) and 1 <= len(document) <= MAX_BATCH:
        items = document
    else:
        raise refused(
            f"Give one spend object or a list of 1 to {MAX_BATCH} of them, "
            f"not a {fields.json_type(document)}"
            + (f" of {len(document)}." if isinstance(document, list) else ".")
        )
    entries, problems = [], []
    for index, item in enumerate(items):
        try:
            entries.append(spend_entry(item))
        except ValidationError as error:
            problems.extend(problems_of(error, entry=None if single else index))
    if not problems:
        problems = unknown_campaigns(entries, single=single)
    if problems:
        raise ApiError(400, problems)
    return entries, single


def unknown_campaigns(entries: list[SpendEntry], *, single: bool) -> list[Problem]:
    """A problem for each entry whose campaign does not exist (read once for the batch)."""
    ids = {entry.campaign for entry in entries}
    known = set(Campaign.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return [
        Problem(
            f"Campaign {entry.campaign} does not exist.",
            field="campaign_id",
            entry=None if single else index,
        )
        for index, entry in enumerate(entries)
        if entry.campaign not in known
    ]


def adjustment(value: object) -> dict[str, Any]:
    """The arguments of `record_adjustment` (amount of either sign, never 0)."""
    return read_fields(value, ADJUSTMENT_FIELDS, ADJUSTMENT_READERS)


def report(value: object) -> dict[str, Any]:
    """The arguments of `record_reported_spend` (a total >= 0 for a local day)."""
    return read_fields(value, REPORT_FIELDS, REPORT_READERS)
