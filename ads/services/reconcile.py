"""Reconciliation: find brands and campaigns whose stored totals differ from the ledger, and
repair them.

What `manage.py reconcile_spend` runs. A brand's repair is recorded as a `TotalsCorrection`
(before and after); a campaign's (its own daily and all-time totals) is logged to the
`ads.reconcile` logger with before and after, and printed by the command, since
`TotalsCorrection` has no place for a campaign. The repaired campaigns (all those of a repaired
brand) are re-evaluated with cause `reconcile`.
"""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ads.models import Brand, Campaign, CampaignStatusChange, TotalsCorrection
from ads.selectors import stored_period_rules, with_campaign_ledger_totals, with_ledger_totals
from ads.selectors.brands import stored_days
from ads.services.campaigns import CampaignService, SyncResult
from ads.services.rollover import recount
from ads.sql.ledger import write_totals
from ads.sql.locks import lock_brands, lock_brands_of

Cause = CampaignStatusChange.Cause
logger = logging.getLogger("ads.reconcile")


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
    brands = with_ledger_totals(Brand.objects.all(), rules=stored_period_rules()).order_by("pk")
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


@dataclass(frozen=True)
class CampaignDrift:
    """A campaign whose own totals differ from the ledger: today's (its brand's stored day)
    or all time."""

    campaign_id: int
    name: str
    brand: str
    day: date
    stored_daily: Decimal
    ledger_daily: Decimal
    stored_total: Decimal
    ledger_total: Decimal


def find_campaign_drift() -> list[CampaignDrift]:
    """Campaigns whose daily or all-time totals differ from the ledger's: one read."""
    campaigns = (
        with_campaign_ledger_totals(Campaign.objects.all(), days=stored_days())
        .select_related("brand")
        .order_by("pk")
    )
    return [
        CampaignDrift(
            campaign_id=campaign.pk,
            name=campaign.name,
            brand=campaign.brand.name,
            day=campaign.brand.spend_day,
            stored_daily=campaign.current_daily_spend,
            ledger_daily=campaign.ledger_daily,
            stored_total=campaign.total_spend,
            ledger_total=campaign.ledger_total,
        )
        for campaign in campaigns
        if campaign.current_daily_spend != campaign.ledger_daily
        or campaign.total_spend != campaign.ledger_total
    ]


def fix_campaign_drift(drift: list[CampaignDrift]) -> SyncResult:
    """Set the drifted campaigns' totals to the ledger's, log each repair, re-evaluate them.

    Counted again under the locks (brands, then the campaign rows), so a spend committed since
    `find_campaign_drift` read is in the repair.
    """
    if not drift:
        return SyncResult()
    ids = [item.campaign_id for item in drift]
    with transaction.atomic():
        lock_brands_of(ids)
        now = timezone.now()
        campaigns = with_campaign_ledger_totals(
            Campaign.objects.filter(pk__in=ids), days=stored_days()
        ).order_by("pk")
        repaired = []
        for campaign in campaigns:
            logger.warning(
                "Campaign %s totals repaired to the ledger: today %s -> %s, total %s -> %s",
                campaign.pk,
                campaign.current_daily_spend,
                campaign.ledger_daily,
                campaign.total_spend,
                campaign.ledger_total,
            )
            campaign.current_daily_spend = campaign.ledger_daily
            campaign.total_spend = campaign.ledger_total
            repaired.append(campaign)
        write_totals(repaired, fields=("current_daily_spend", "total_spend"))
        return CampaignService.sync(Campaign.objects.filter(pk__in=ids), Cause.RECONCILE, now=now)
