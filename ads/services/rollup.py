"""The roll-up: new ledger rows into their brands' totals, and the pause the moment one is over.

One implementation for a single spend, a batch and a row created through the ORM (the SpendLog
signal calls `roll_up_new_row`). Brand totals are written as absolute values: every brand here
was read under this transaction's lock. Campaign totals are added in one UPDATE on campaign
rows locked with their brands, which returns what a campaign's caps are judged on.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from decimal import Decimal
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from ads.models import Brand, Campaign, CampaignStatusChange, SpendLog
from ads.money import ZERO
from ads.periods import LocalPeriod, local_period, zone
from ads.rules.budgets import is_cap_reached
from ads.services.alerts import SpendChange, raise_threshold_alerts
from ads.services.campaigns import CampaignService, SyncResult
from ads.services.entries import entry_error
from ads.services.rollover import recount
from ads.sql.campaigns import serving_campaign_ids
from ads.sql.ledger import CampaignTotals, write_roll_up, write_totals
from ads.sql.locks import lock_brand_of
from ads.validators import largest_total

Cause = CampaignStatusChange.Cause


def roll_up(
    spends: Sequence[SpendLog],
    *,
    brand_of: Mapping[int, Brand],
    entries: Sequence[SpendLog] | None = None,
) -> SyncResult:
    """Add `spends` (new ledger rows) to their brands' totals; pause what is now over budget.

    `brand_of` maps each spend's campaign to its brand, locked and read by the caller. A brand
    still dated to an earlier local day is recounted from the ledger instead (the new rows are
    already in it), so a spend after local midnight never lands in yesterday's total. A spend
    that would take a total past what the database holds is refused, named by its index in
    `entries` when given (the whole batch as checked). Then the campaigns of the brands that
    rolled over or are now over budget, or whose totals a credit or downward report lowered (all
    their campaigns: one may be back), are re-evaluated, once for the whole call. The levels
    of the budgets the new totals crossed raise their alerts (`raise_threshold_alerts`).
    """
    now = timezone.now()
    added: dict[Brand, list[SpendLog]] = defaultdict(list)
    for spend in spends:
        added[brand_of[spend.campaign_id]].append(spend)
    updated, rolled, over, lowered = [], [], [], []
    changes: list[SpendChange] = []
    periods: dict[str, LocalPeriod] = {}
    for brand, new in added.items():
        _stamp(brand, new)
        if brand.timezone not in periods:
            periods[brand.timezone] = local_period(now, zone(brand.timezone))
        period = periods[brand.timezone]
        if brand.spend_day != period.day or brand.spend_month != period.month:
            rolled.append(brand)
            continue
        change = _change(brand, new=new, period=period)
        brand.current_daily_spend += change.daily_added
        brand.current_monthly_spend += change.monthly_added
        changes.append(change)
        _refuse_overflow(brand, new, period, entries=entries)
        _refuse_below_zero(brand)
        updated.append(brand)
        if any(spend.amount < 0 for spend in new):
            # A credit or a downward report: a total went down, a paused campaign may be back.
            lowered.append(brand.pk)
        if brand.is_daily_budget_exceeded or brand.is_monthly_budget_exceeded:
            over.append(brand.pk)
    # The brands' totals and the campaigns' in one write (one statement on PostgreSQL).
    after = write_roll_up(
        updated,
        fields=("current_daily_spend", "current_monthly_spend", "last_recorded_at"),
        added=_campaign_additions(
            spends, brand_of=brand_of, periods=periods, rolled={brand.pk for brand in rolled}
        ),
    )
    capped = _at_cap(after, spends=spends, entries=entries)
    if rolled:
        write_totals(rolled, fields=("last_recorded_at",))
        zones = {brand.timezone for brand in rolled}
        recounted = recount(
            Brand.objects.filter(pk__in=[brand.pk for brand in rolled]),
            rules=[(Q(timezone=name), periods[name]) for name in zones],
        )
        changes += [
            _change(after, new=added[after], period=periods[after.timezone])
            for _, after in recounted
        ]
    # Alerts for the levels these totals crossed (a statement only when one was).
    raise_threshold_alerts(changes, now=now)
    # Of a brand over budget, only what still serves: mostly nothing, the brand was over already.
    serving = serving_campaign_ids(over)
    if not rolled and not lowered and not serving and not capped:
        return SyncResult()
    campaigns = Campaign.objects.filter(
        Q(brand_id__in=[brand.pk for brand in rolled] + lowered) | Q(pk__in=serving + capped)
    )
    return CampaignService.sync(campaigns, Cause.SPEND, now=now)


def _campaign_additions(
    spends: Sequence[SpendLog],
    *,
    brand_of: Mapping[int, Brand],
    periods: Mapping[str, LocalPeriod],
    rolled: AbstractSet[int],
) -> list[tuple[int, Decimal, Decimal]]:
    """What `spends` add to their campaigns' own totals: (campaign id, to today, to all time).

    Today's total counts the spends of the brand's current local day; a brand that rolls over
    is recounted from the ledger instead (`recount`), so only its all-time totals are added
    here (`rolled`: those brands' ids, a set, as every spend of a batch looks its brand up in
    it). In campaign pk order, the order every writer locks them in.
    """
    today: dict[int, Decimal] = defaultdict(lambda: ZERO)
    total: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for spend in spends:
        brand = brand_of[spend.campaign_id]
        total[spend.campaign_id] += spend.amount
        if brand.pk not in rolled and periods[brand.timezone].contains_day(spend.timestamp):
            today[spend.campaign_id] += spend.amount
    return sorted((pk, today[pk], total[pk]) for pk in total)


def _at_cap(
    after: Sequence[CampaignTotals],
    *,
    spends: Sequence[SpendLog],
    entries: Sequence[SpendLog] | None,
) -> list[int]:
    """The serving campaigns now at a cap; totals that do not fit their columns are refused."""
    for campaign in after:
        _refuse_campaign_totals(campaign, spends=spends, entries=entries)
    return [
        campaign.pk
        for campaign in after
        if campaign.is_active
        and (
            is_cap_reached(campaign.current_daily_spend, campaign.daily_cap)
            or is_cap_reached(campaign.total_spend, campaign.total_cap)
        )
    ]


def _refuse_campaign_totals(
    campaign: CampaignTotals,
    *,
    spends: Sequence[SpendLog],
    entries: Sequence[SpendLog] | None,
) -> None:
    """Refuse the new rows when `campaign`'s totals (as they would be) do not fit: past what
    the database holds, or below 0 (a credit created in the shell: the services check each
    campaign's day first). Named by the campaign's last new row's index in `entries`, if given.
    """
    limit = largest_total()
    if campaign.total_spend > limit:
        message = (
            f"This would take campaign {campaign.pk}'s total to {campaign.total_spend}, "
            f"past {limit}, the largest total the database holds."
        )
        code = "total_too_large"
    elif campaign.current_daily_spend < 0 or campaign.total_spend < 0:
        which, total = (
            ("daily total", campaign.current_daily_spend)
            if campaign.current_daily_spend < 0
            else ("total", campaign.total_spend)
        )
        message = f"This would take campaign {campaign.pk}'s {which} to {total}, below 0."
        code = "below_zero"
    else:
        return
    last = [spend for spend in spends if spend.campaign_id == campaign.pk][-1]
    _refuse(ValidationError(message, code=code), spend=last, entries=entries)


def _refuse(
    error: ValidationError, *, spend: SpendLog, entries: Sequence[SpendLog] | None
) -> NoReturn:
    """Raise `error` on the amount, as `spend`'s entry of `entries` ("entry 17: amount: ...")
    when the caller gave the entries it checked (a batch)."""
    refused = ValidationError({"amount": error})
    if entries is None:
        raise refused
    raise entry_error(next(i for i, entry in enumerate(entries) if entry is spend), error=refused)


def _stamp(brand: Brand, new: Sequence[SpendLog]) -> None:
    """Keep `brand.last_recorded_at` the newest recording time of its ledger (the stale-data
    check reads it): `new`'s newest, unless the brand's is later (another server's clock)."""
    newest = max(spend.recorded_at for spend in new)
    if brand.last_recorded_at is None or newest > brand.last_recorded_at:
        brand.last_recorded_at = newest


def _change(brand: Brand, *, new: Sequence[SpendLog], period: LocalPeriod) -> SpendChange:
    """How much of `new` counts in `brand`'s current local day and month."""
    return SpendChange(
        brand,
        daily_added=sum((s.amount for s in new if period.contains_day(s.timestamp)), ZERO),
        monthly_added=sum((s.amount for s in new if period.contains_month(s.timestamp)), ZERO),
    )


def roll_up_new_row(spend: SpendLog) -> None:
    """Roll up a row created outside the services (the SpendLog signal): lock, then roll up."""
    roll_up([spend], brand_of={spend.campaign_id: lock_brand_of(spend.campaign_id)})


def _refuse_below_zero(brand: Brand) -> None:
    """Refuse new rows that take a total of `brand` below 0 (the services check first, per
    campaign and day; this holds for a row created through the ORM too)."""
    for label, total in (
        ("daily", brand.current_daily_spend),
        ("monthly", brand.current_monthly_spend),
    ):
        if total < 0:
            message = f"This would take the brand's {label} total to {total}, below 0."
            raise ValidationError({"amount": ValidationError(message, code="below_zero")})


def _refuse_overflow(
    brand: Brand,
    new: Sequence[SpendLog],
    period: LocalPeriod,
    *,
    entries: Sequence[SpendLog] | None,
) -> None:
    """Refuse the first of `new` that takes a total of `brand` past what the database holds.

    `brand`'s totals already include `new`. Raised inside the caller's transaction, so the new
    ledger rows go with it and nothing changes: a total past its column would otherwise be a
    DataError on this and every later spend (SQLite: a total no longer exact).
    """
    limit = largest_total()
    for label, total, counts in (
        ("daily", brand.current_daily_spend, period.contains_day),
        ("monthly", brand.current_monthly_spend, period.contains_month),
    ):
        if total <= limit:
            continue
        running = total - sum((s.amount for s in new if counts(s.timestamp)), ZERO)
        for spend in new:
            running += spend.amount if counts(spend.timestamp) else ZERO
            if running > limit:
                message = (
                    f"{spend.amount} would take the brand's {label} total to {running}, "
                    f"past {limit}, the largest total the database holds."
                )
                error = ValidationError(message, code="total_too_large")
                _refuse(error, spend=spend, entries=entries)
