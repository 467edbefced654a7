"""Credits and charges: corrections of the ledger, rolled into the totals like spend.

A credit (amount < 0: a refund for invalid clicks, a make-good) or a charge (amount > 0) is one
ledger row of its kind, counted in every total of its timestamp's day and month by the one
roll-up (`ads.services.rollup`), which re-evaluates the brand's campaigns when a total went down:
a credit brings a paused campaign back in the same transaction.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from ads.models import Campaign, SpendLog
from ads.money import AmountInput, parse_amount
from ads.periods import local_period, zone
from ads.selectors.ledger import campaign_day_sum
from ads.services.entries import new_entry
from ads.services.rollup import roll_up
from ads.sql.ledger import insert_entries, known_spends
from ads.sql.locks import lock_brand_of

Kind = SpendLog.Kind
ADJUSTMENT_KINDS = (Kind.CREDIT, Kind.CHARGE)


def record_adjustment(
    campaign: Campaign | int,
    amount: AmountInput,
    reason: str,
    *,
    external_id: str | None = None,
    timestamp: datetime | None = None,
    recorded_by: str = "",
) -> SpendLog:
    """Record a credit (amount < 0) or a charge (amount > 0), with the reason it was made.

    Amounts follow `record_spend`'s rules except the sign; 0 is refused. A credit larger than
    the campaign's spend in its local day (the ledger's plain sum of the campaign's entries in
    the brand's local day of `timestamp`, read under the campaign's and brand's locks) is
    refused, so no total ever goes below 0. A known `external_id` returns the credit or
    charge already recorded under it and counts nothing twice.
    """
    value = parse_amount(amount, sign="nonzero")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": "A credit or charge needs a reason."})
    entry = new_entry(
        campaign,
        value,
        kind=Kind.CREDIT if value < 0 else Kind.CHARGE,
        reason=reason.strip(),
        external_id=external_id,
        timestamp=timestamp,
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        brand = lock_brand_of(entry.campaign_id)
        if entry.external_id is not None:
            existing = known_spends([entry]).get((entry.campaign_id, entry.external_id))
            if existing is not None:
                return _same_kind(existing)
        if value < 0:
            period = local_period(entry.timestamp, zone(brand.timezone))
            day_sum = campaign_day_sum(entry.campaign_id, period)
            if day_sum + value < 0:
                message = (
                    f"A credit of {-value} is more than the campaign's spend on {period.day} "
                    f"({day_sum}): no total may go below 0."
                )
                raise ValidationError({"amount": ValidationError(message, code="over_credit")})
        insert_entries([entry])
        roll_up([entry], brand_of={entry.campaign_id: brand})
    return entry


def _same_kind(existing: SpendLog) -> SpendLog:
    """The row on record under the external id, which must itself be a credit or charge."""
    if existing.kind not in ADJUSTMENT_KINDS:
        raise ValidationError(
            {"external_id": f"This campaign already has a {existing.kind} with this id."}
        )
    return existing
