"""Reconciliation: find brands whose stored totals differ from the ledger, and repair them.

What `manage.py reconcile_spend` runs. A repair is recorded as a `TotalsCorrection` (before and
after), and the repaired brands' campaigns are re-evaluated with cause `reconcile`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ads.models import Brand, Campaign, CampaignStatusChange, TotalsCorrection
from ads.selectors import stored_period_rules, with_ledger_totals
from ads.services.campaigns import CampaignService, SyncResult
from ads.services.rollover import recount
from ads.sql.locks import lock_brands

Cause = CampaignStatusChange.Cause


@dataclass(frozen=True)
class Drift:
    """A brand whose stored totals differ from the ledger for the day and month they belong to."""

    brand_id: int
    name: str
    day: date
    stored_daily: Decimal
    ledger_daily: Decimal
    stored_monthly: Decimal
    ledger_monthly: Decimal


def find_drift() -> list[Drift]:
    """Brands whose stored totals differ from the ledger's for the day and month they cover."""
    brands = with_ledger_totals(Brand.objects.all(), stored_period_rules()).order_by("pk")
    return [
        Drift(
            brand_id=brand.pk,
            name=brand.name,
            day=brand.spend_day,
            stored_daily=brand.current_daily_spend,
            ledger_daily=brand.ledger_daily,
            stored_monthly=brand.current_monthly_spend,
            ledger_monthly=brand.ledger_monthly,
        )
        for brand in brands
        if brand.current_daily_spend != brand.ledger_daily
        or brand.current_monthly_spend != brand.ledger_monthly
    ]


def fix_drift(drift: list[Drift]) -> SyncResult:
    """Set the drifted brands' totals to the ledger's and re-evaluate their campaigns."""
    if not drift:
        return SyncResult()
    ids = [item.brand_id for item in drift]
    with transaction.atomic():
        lock_brands(Brand.objects.filter(pk__in=ids))
        now = timezone.now()
        changed = recount(Brand.objects.filter(pk__in=ids), rules=stored_period_rules())
        TotalsCorrection.objects.bulk_create(
            TotalsCorrection(
                brand_id=after.pk,
                corrected_at=now,
                day=after.spend_day,
                daily_before=before.current_daily_spend,
                daily_after=after.current_daily_spend,
                monthly_before=before.current_monthly_spend,
                monthly_after=after.current_monthly_spend,
            )
            for before, after in changed
        )
        return CampaignService.sync(
            Campaign.objects.filter(brand_id__in=ids), Cause.RECONCILE, now=now
        )
