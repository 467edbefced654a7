"""Brands into their new local day and month: the recount from the ledger, and the reset.

A brand's totals are always the ledger's sums for the local day and month they belong to. When
its day turns (the reset, a spend after midnight, a new time zone) the new totals are counted
from the ledger, never carried over, so a backdated spend is in the day it happened in.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ads.models import Brand, Campaign, CampaignStatusChange
from ads.periods import local_period, zone
from ads.selectors import (
    PeriodRule,
    current_periods,
    with_campaign_day_spend,
    with_ledger_totals,
)
from ads.services.campaigns import CampaignService, SyncResult
from ads.sql.ledger import write_campaign_days, write_totals
from ads.sql.locks import TOTAL_FIELDS, lock_brands

Cause = CampaignStatusChange.Cause


@dataclass(frozen=True)
class RolledBrand:
    name: str
    old_day: date
    new_day: date
    new_month: bool
    daily_spend: Decimal
    monthly_spend: Decimal


@dataclass
class ResetResult:
    rolled: list[RolledBrand]
    campaigns: SyncResult


def recount(brands: QuerySet[Brand], *, rules: list[PeriodRule]) -> list[tuple[Brand, Brand]]:
    """Set the totals of `brands` to the ledger's sums for the periods in `rules`.

    The caller holds the brands' locks. A brand whose stored day or totals changed (a new
    local day, a new time zone, a repair) has its campaigns' daily totals recounted for that day
    too. Returns (before, after) pairs for the brands whose stored state changed.
    """
    changed: list[tuple[Brand, Brand]] = []
    for brand in with_ledger_totals(brands, rules=rules).order_by("pk"):
        before = Brand(
            pk=brand.pk, name=brand.name, **{name: getattr(brand, name) for name in TOTAL_FIELDS}
        )
        period_start = brand.period_day_start.astimezone(zone(brand.timezone))
        brand.spend_day = period_start.date()
        brand.spend_month = period_start.date().replace(day=1)
        brand.current_daily_spend = brand.ledger_daily
        brand.current_monthly_spend = brand.ledger_monthly
        if any(getattr(before, name) != getattr(brand, name) for name in TOTAL_FIELDS):
            changed.append((before, brand))
    write_totals([after for _, after in changed], fields=TOTAL_FIELDS)
    recount_campaign_days([after for _, after in changed])
    return changed


def recount_campaign_days(brands: list[Brand]) -> None:
    """Set the daily totals of `brands`' campaigns to the ledger's sums over the brands' stored
    days (already written): one statement, whatever the number of campaigns.

    The caller holds the brands' locks, which every writer of a campaign's totals takes first.
    """
    if not brands:
        return
    days = {(brand.timezone, brand.spend_day) for brand in brands}
    campaigns = Campaign.objects.filter(brand_id__in=[brand.pk for brand in brands])
    write_campaign_days(with_campaign_day_spend(campaigns, days=days))


def refresh_brand(brand: Brand, *, cause: str = Cause.OPERATOR) -> None:
    """Recount a brand from the ledger and re-evaluate its campaigns.

    Runs whenever a brand is saved: a new budget or time zone takes effect at once.
    """
    with transaction.atomic():
        lock_brands(Brand.objects.filter(pk=brand.pk))
        now = timezone.now()
        period = local_period(now, zone(brand.timezone))
        recount(Brand.objects.filter(pk=brand.pk), rules=[(Q(pk=brand.pk), period)])
        CampaignService.sync(Campaign.objects.filter(brand_id=brand.pk), cause, now=now)
    brand.refresh_from_db(fields=TOTAL_FIELDS)


def reset_daily_monthly_spends(*, now: datetime | None = None) -> ResetResult:
    """Start the new day's (month's) totals of every brand whose local day has turned.

    The rolled brands' campaigns are marked due in the same transaction (their budgets and
    daily caps were just recounted), so the sweep of the due campaigns that follows
    (`CampaignService.sweep_due`) reactivates those whose constraints have all cleared, and a
    crash between the two leaves them due for the minute's sweep. A spend after midnight rolls
    its brand and re-evaluates its campaigns itself. Only the brands that roll are locked, and
    only while they roll: a steady run takes no lock, so spends never wait for it. A fixed
    number of queries; idempotent; after any downtime one run catches up.
    """
    behind = _brands_behind(now or timezone.now())
    with transaction.atomic():
        lock_brands(Brand.objects.filter(pk__in=behind))
        # The clock is read once the locks are held: a spend that took a brand into the new
        # day while this waited is then seen, and no brand's day moves backwards.
        at = now or timezone.now()
        periods = current_periods(at)
        stale = Q(pk__in=[])
        for name, period in periods.items():
            stale |= Q(timezone=name, spend_day__lt=period.day)
        rules = [(Q(timezone=name), period) for name, period in periods.items()]
        changed = recount(Brand.objects.filter(stale, pk__in=behind), rules=rules)
        if changed:
            brand_ids = [after.pk for _, after in changed]
            Campaign.objects.filter(brand_id__in=brand_ids).update(next_check_at=at)
    campaigns = CampaignService.sweep_due(Cause.RESET, now=now)
    rolled = [
        RolledBrand(
            name=after.name,
            old_day=before.spend_day,
            new_day=after.spend_day,
            new_month=before.spend_month != after.spend_month,
            daily_spend=after.current_daily_spend,
            monthly_spend=after.current_monthly_spend,
        )
        for before, after in changed
        if before.spend_day != after.spend_day
    ]
    return ResetResult(rolled=rolled, campaigns=campaigns)


def _brands_behind(now: datetime) -> list[int]:
    """The brands whose stored day is before their zone's local day at `now`, read unlocked.

    A brand that falls behind after this read is rolled by a spend or by the next run.
    """
    stale = Q(pk__in=[])
    for name, period in current_periods(now).items():
        stale |= Q(timezone=name, spend_day__lt=period.day)
    return list(Brand.objects.filter(stale).order_by("pk").values_list("pk", flat=True))
