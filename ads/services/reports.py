"""Platform reports: a day's cumulative spend as the ad platform counts it, made the ledger's.

Platforms report a campaign's spend per day late, again every few minutes, and restate it for
weeks. Each report becomes at most one "report" entry: the difference between the reported
total and what the ledger already has for that day, so the same report again adds nothing and a
restatement adds only the change. The entry goes through the one roll-up like any spend.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ads.models import Brand, Campaign, SpendLog
from ads.money import MAX_AMOUNT, AmountInput, parse_amount
from ads.periods import LocalPeriod, local_midnight, local_period, zone
from ads.selectors.ledger import campaign_day_sum
from ads.services.entries import REASON_LENGTH, campaign_id_of, checked_text, new_entry
from ads.services.rollup import roll_up
from ads.sql.ledger import insert_entries
from ads.sql.locks import lock_brand_of

Kind = SpendLog.Kind
# What a platform's total for a day covers: the spend it reported and counted, not the credits
# and charges people recorded, which stay as they are.
REPORTED_KINDS = (Kind.SPEND, Kind.REPORT)


def record_reported_spend(
    campaign: Campaign | int,
    day: date,
    total: AmountInput,
    *,
    source: str,
    recorded_by: str = "",
) -> SpendLog | None:
    """Make the campaign's spend and report entries of local `day` sum to `total`.

    Appends the one "report" entry of the difference and returns it; None when the ledger
    already agrees. The sum is read under the campaign's and brand's locks, so two identical
    reports at once append one entry. A report that would take the day's whole sum (credits
    included) below 0 is refused: no total ever goes below 0. `source` (the platform) is the
    entry's reason.
    """
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationError({"day": f"{day!r} is not a date."})
    value = parse_amount(total, field="total", sign="non_negative")
    source = checked_text(source, field="source", max_length=REASON_LENGTH).strip()
    if not source:
        raise ValidationError({"source": "Name the platform that sent the report."})
    campaign_id = campaign_id_of(campaign)
    with transaction.atomic():
        brand = lock_brand_of(campaign_id)
        period = _day_period(brand, day)
        difference = value - campaign_day_sum(campaign_id, period, kinds=REPORTED_KINDS)
        if difference == 0:
            return None
        _refuse_unrecordable(campaign_id, period, difference)
        entry = new_entry(
            campaign_id,
            difference,
            kind=Kind.REPORT,
            reason=source,
            timestamp=report_time(period),
            recorded_by=recorded_by,
        )
        insert_entries([entry])
        roll_up([entry], brand_of={campaign_id: brand})
    return entry


def report_time(period: LocalPeriod) -> datetime:
    """When a report entry for `period`'s day is dated: inside that local day, never ahead.

    A past day's entry takes the day's last microsecond (the instant before local midnight,
    DST days included, as `local_midnight` bounds them): after every entry it corrects, so the
    ledger reads in order, and in no other day. Today's takes now: the end of today is still in
    the future, which no ledger entry may be, and now is inside today.
    """
    now = timezone.now()
    if period.contains_day(now):
        return now
    return period.day_end - timedelta(microseconds=1)


def _day_period(brand: Brand, day: date) -> LocalPeriod:
    """The local period of `day` in the brand's zone; a day not yet begun there is refused."""
    tz = zone(brand.timezone)
    if day > local_period(timezone.now(), tz).day:
        raise ValidationError({"day": f"{day} has not begun yet in {brand.timezone}."})
    if day.year < 2000:
        raise ValidationError({"day": f"{day} is before 2000, the ledger's first year."})
    return local_period(local_midnight(day, tz), tz)


def _refuse_unrecordable(campaign_id: int, period: LocalPeriod, difference: Decimal) -> None:
    """Refuse a difference no entry can hold, or that takes the day's whole sum below 0."""
    if abs(difference) > MAX_AMOUNT:
        raise ValidationError(
            {"total": f"The change of {difference} exceeds the largest entry, {MAX_AMOUNT}."}
        )
    day_sum = campaign_day_sum(campaign_id, period)
    if day_sum + difference < 0:
        raise ValidationError(
            {
                "total": ValidationError(
                    f"With the credits and charges recorded on {period.day}, the campaign's day "
                    f"would total {day_sum + difference} (below 0).",
                    code="below_zero",
                )
            }
        )
