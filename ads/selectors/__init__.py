"""Reads: what the ledger says, the facts a campaign's verdict is drawn from, a brand's summary.

Selectors never write. One module per concern; the names people and the admin use are
importable from here.
"""

from ads.selectors.brands import brand_summary, current_periods, stored_period_rules
from ads.selectors.budgets import DAILY, MONTHLY, exceeded, exceeded_flag
from ads.selectors.campaigns import campaign_facts, with_extra_window_count
from ads.selectors.history import FieldChange, brand_budget_history, campaign_budget_history
from ads.selectors.ledger import (
    DaySpend,
    PeriodRule,
    brand_spend_by_day,
    with_campaign_day_spend,
    with_campaign_ledger_totals,
    with_ledger_totals,
    with_spend_today,
)
from ads.selectors.reasons import blocked_by, reason_counts

__all__ = [
    "DAILY",
    "MONTHLY",
    "DaySpend",
    "FieldChange",
    "PeriodRule",
    "blocked_by",
    "brand_budget_history",
    "brand_spend_by_day",
    "brand_summary",
    "campaign_budget_history",
    "campaign_facts",
    "current_periods",
    "exceeded",
    "exceeded_flag",
    "reason_counts",
    "stored_period_rules",
    "with_campaign_day_spend",
    "with_campaign_ledger_totals",
    "with_extra_window_count",
    "with_ledger_totals",
    "with_spend_today",
]
