"""Spend entries as they come in: checked exactly, field by field, before anything is written.

One set of checks for every way in (`record_spend`, `record_spends`, the CSV import, the admin,
the API): each bad value is a ValidationError naming its field, and a bad entry of a batch is
named by its index ("entry 17: amount: ...").
"""

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from ads.models import Campaign, SpendLog
from ads.money import AmountInput, parse_amount
from ads.validators import validate_spend_time, validate_text

DESCRIPTION_LENGTH = 500
EXTERNAL_ID_LENGTH = 200
REASON_LENGTH = 500
RECORDED_BY_LENGTH = 150


@dataclass(frozen=True)
class SpendEntry:
    """One spend for `BudgetService.record_spends`: the arguments `record_spend` takes."""

    campaign: Campaign | int
    amount: AmountInput
    description: str = ""
    external_id: str | None = None
    timestamp: datetime | None = None


# A SpendEntry, or its fields as a dict (keyword names) or a tuple (in order).
SpendEntryInput = SpendEntry | Mapping[str, Any] | tuple[Any, ...]


def campaign_id_of(campaign: object) -> int:
    """The id of a saved campaign, or of one given by id.

    An id no row can have is refused here: past the column's range it would reach the driver
    (SQLite: OverflowError) instead of reading "does not exist".
    """
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise ValidationError({"campaign": f"{campaign!r} is not a saved campaign."})
    if not 1 <= pk <= _largest_id():
        raise ValidationError({"campaign": f"Campaign {pk} does not exist."})
    return pk


@functools.cache
def _largest_id() -> int:
    """The largest campaign id the database's column holds, looked up once: every
    entry of a batch is checked against it."""
    _, largest = connection.ops.integer_field_range(Campaign._meta.pk.get_internal_type())
    return int(largest)


def spend_time(timestamp: object) -> datetime:
    """When a spend happened: now when not given; aware, from 2000 on and not in the future."""
    now = timezone.now()
    if timestamp is None:
        return now
    if not isinstance(timestamp, datetime):
        raise ValidationError({"timestamp": f"{timestamp!r} is not a datetime."})
    validate_spend_time(timestamp, now=now)
    return timestamp


def checked_text(value: object, *, field: str, max_length: int) -> str:
    """`value` as the database will store it: a str of at most `max_length` characters."""
    if not isinstance(value, str):
        raise ValidationError({field: f"{value!r} is not a string."})
    if len(value) > max_length:
        raise ValidationError({field: f"Longer than {max_length} characters."})
    try:
        validate_text(value)
    except ValidationError as error:
        raise ValidationError({field: error}) from None
    return value


def new_spend(
    campaign: object,
    amount: object,
    description: object = "",
    *,
    external_id: object = None,
    timestamp: object = None,
    recorded_by: object = "",
) -> SpendLog:
    """An unsaved spend row, every argument checked; a blank external id is no id."""
    return new_entry(
        campaign,
        parse_amount(amount),
        kind=SpendLog.Kind.SPEND,
        description=description,
        external_id=external_id,
        timestamp=timestamp,
        recorded_by=recorded_by,
    )


def new_entry(
    campaign: object,
    amount: Decimal,
    *,
    kind: str,
    description: object = "",
    reason: object = "",
    external_id: object = None,
    timestamp: object = None,
    recorded_by: object = "",
) -> SpendLog:
    """An unsaved ledger row of `kind` for an amount already parsed; the rest checked here.

    One place for the checks every kind of entry shares (spend, credit, charge, report).
    """
    when = spend_time(timestamp)
    text = checked_text(description, field="description", max_length=DESCRIPTION_LENGTH)
    why = checked_text(reason, field="reason", max_length=REASON_LENGTH)
    who = checked_text(recorded_by, field="recorded_by", max_length=RECORDED_BY_LENGTH)
    if external_id is not None:
        given = checked_text(external_id, field="external_id", max_length=EXTERNAL_ID_LENGTH)
        external_id = given.strip() or None
    return SpendLog(
        campaign_id=campaign_id_of(campaign),
        kind=kind,
        amount=amount,
        timestamp=when,
        description=text,
        reason=why,
        external_id=external_id,
        recorded_by=who,
    )


def entry_spend(entry: SpendEntryInput) -> SpendLog:
    """An unsaved ledger row for one entry, checked as `record_spend` checks its arguments."""
    try:
        if isinstance(entry, Mapping):
            entry = SpendEntry(**entry)
        elif isinstance(entry, tuple):
            entry = SpendEntry(*entry)
    except TypeError as error:
        raise ValidationError(f"Not a spend entry: {error}.") from None
    if not isinstance(entry, SpendEntry):
        raise ValidationError(f"{entry!r} is not a SpendEntry, a dict or a tuple.")
    return new_spend(
        entry.campaign,
        entry.amount,
        entry.description,
        external_id=entry.external_id,
        timestamp=entry.timestamp,
    )


def entry_error(index: int, *, error: ValidationError) -> ValidationError:
    """`error` restated as 'entry 17: amount: ...'; `params["index"]` points at the entry."""
    if hasattr(error, "error_dict"):
        details = [
            f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        details = list(error.messages)
    return ValidationError(
        "entry %(index)s: %(detail)s",
        code="invalid_entry",
        params={"index": index, "detail": "; ".join(details)},
    )


def entry_spends(entries: Iterable[SpendEntryInput]) -> list[SpendLog]:
    """One unsaved ledger row per entry; the first bad one raises, named by its index."""
    spends = []
    for index, entry in enumerate(entries):
        try:
            spends.append(entry_spend(entry))
        except ValidationError as error:
            raise entry_error(index, error=error) from None
    return spends
