"""Writes: spend in, totals up, campaigns in line with their rules. One module per concern.

    entries     checking spend as it comes in (every entry point)
    spend       record_spend, record_spends: the ledger row and the roll-up in one transaction
    adjustments record_adjustment: credits and charges, with their reason
    reports     record_reported_spend: a platform's total for a day, as one report entry
    imports     rows of spend (a CSV file or an API body): checked whole, recorded in batches
    rollup      the one roll-up of new rows into totals, and the pause at once
    rollover    the recount into a new local day or month, and the reset
    reconcile   drift between totals and ledger, and its repair
    campaigns   CampaignService: the one writer of is_active and its history
    dayparting  DaypartingService: is a schedule's window open
    budget      BudgetService: the contract's names for the budget rules

The names people call from the shell, scripts and the API are importable from here.
"""

from ads.rules.reasons import (
    BEFORE_FLIGHT,
    DAILY_CAP_REACHED,
    DAILY_EXCEEDED,
    DISABLED,
    FLIGHT_ENDED,
    MONTHLY_EXCEEDED,
    OUTSIDE_WINDOW,
    TOTAL_CAP_REACHED,
)
from ads.services.budget import BudgetService
from ads.services.campaigns import CampaignService, Cause, SyncResult
from ads.services.dayparting import DaypartingService
from ads.services.entries import SpendEntry, SpendEntryInput
from ads.services.reconcile import CampaignDrift, Drift
from ads.services.rollover import ResetResult, RolledBrand
from ads.services.spend import SpendBatch

__all__ = [
    "BEFORE_FLIGHT",
    "DAILY_CAP_REACHED",
    "DAILY_EXCEEDED",
    "DISABLED",
    "FLIGHT_ENDED",
    "MONTHLY_EXCEEDED",
    "OUTSIDE_WINDOW",
    "TOTAL_CAP_REACHED",
    "BudgetService",
    "CampaignDrift",
    "CampaignService",
    "Cause",
    "DaypartingService",
    "Drift",
    "ResetResult",
    "RolledBrand",
    "SpendBatch",
    "SpendEntry",
    "SpendEntryInput",
    "SyncResult",
]
