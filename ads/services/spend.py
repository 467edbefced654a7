"""Spend in: one event or a batch, into the ledger and the totals in one transaction.

Both paths check every value first (`ads.services.entries`), lock the brands (the locking rule),
give the row already on record for a known (campaign, external_id), insert the new rows and
hand them to the one roll-up (`ads.services.rollup`), which pauses at once what went over.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from ads.models import Campaign, SpendLog
from ads.money import AmountInput
from ads.services.campaigns import SyncResult
from ads.services.entries import SpendEntryInput, entry_error, entry_spends, new_spend
from ads.services.rollup import roll_up
from ads.sql.ledger import entry_pair, insert_unless_known, known_spends
from ads.sql.locks import lock_brand_of_spend, lock_brands_of


@dataclass
class SpendBatch:
    """What one `BudgetService.record_spend_batch` call did."""

    # One row per entry, in input order; a known (campaign, external_id) gives the row on record.
    spends: list[SpendLog]
    # The rows this call added to the ledger.
    created: list[SpendLog]
    # The brands whose totals the new rows went into.
    brand_ids: list[int]
    # The campaigns paused (or, after a brand rolled into a new day, reactivated).
    campaigns: SyncResult


def record_spend(
    campaign: Campaign,
    amount: AmountInput,
    description: str = "",
    *,
    external_id: str | None = None,
    timestamp: datetime | None = None,
    recorded_by: str = "",
) -> SpendLog:
    """Record one spend: ledger row, brand totals and any pause, in one transaction.

    Spend on a paused campaign is still recorded: the money was spent. A known `external_id`
    returns the spend already recorded under it and counts nothing twice. `recorded_by` is the
    username of the person who entered it (the admin); empty for the shell, scripts and API.
    """
    spend = new_spend(
        campaign,
        amount,
        description,
        external_id=external_id,
        timestamp=timestamp,
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        brand, inserted = lock_brand_of_spend(spend)
        if not inserted:
            return known_spends([spend])[entry_pair(spend)]
        # The insert sends no post_save: the roll-up is called here, with the locked brand.
        roll_up([spend], brand_of={spend.campaign_id: brand})
    return spend


def check_spends(entries: Iterable[SpendEntryInput]) -> None:
    """Raise the ValidationError `record_spends` would raise for these values; write nothing.

    Lets an importer reject a whole file before recording any of it. Whether each campaign
    exists is left to `record_spends`, which reads it under the brand lock.
    """
    entry_spends(entries)


def record_spend_batch(entries: Iterable[SpendEntryInput]) -> SpendBatch:
    """`record_spends`, also telling which rows are new and what the roll-up changed."""
    spends = entry_spends(entries)
    if not spends:
        return SpendBatch([], [], [], SyncResult())
    with transaction.atomic():
        brand_of = lock_brands_of(spend.campaign_id for spend in spends)
        for index, spend in enumerate(spends):
            if spend.campaign_id not in brand_of:
                message = f"Campaign {spend.campaign_id} does not exist."
                raise entry_error(index, error=ValidationError({"campaign": message}))
        # A repeat of a pair earlier in the batch is the same row: the first is inserted.
        row_of: dict[tuple[int, str], SpendLog] = {}
        distinct = [
            spend
            for spend in spends
            if spend.external_id is None or row_of.setdefault(entry_pair(spend), spend) is spend
        ]
        # A pair already in the ledger gives the row on record.
        row_of.update(known_spends(insert_unless_known(distinct)))
        rows = [
            spend if spend.external_id is None else row_of[entry_pair(spend)] for spend in spends
        ]
        created = [spend for spend in distinct if spend.pk is not None]
        campaigns = roll_up(created, brand_of=brand_of, entries=spends)
    brand_ids = sorted({brand_of[spend.campaign_id].pk for spend in created})
    return SpendBatch(rows, created, brand_ids, campaigns)


def record_spends(entries: Iterable[SpendEntryInput]) -> list[SpendLog]:
    """Record many spends in one transaction: one ledger row per entry, in input order.

    Each entry (a SpendEntry, or its fields as a dict or a tuple) is checked as `record_spend`
    checks its arguments; a bad one rejects the whole batch with a ValidationError naming its
    index ("entry 17: amount: ...") and nothing changes. A known (campaign, external_id), in
    the ledger or earlier in the batch, gives the row on record and counts once. Totals roll up
    once per brand, and a budget exceeded pauses the brand's campaigns at once, as with
    `record_spend`, in a fixed number of queries.
    """
    return record_spend_batch(entries).spends
