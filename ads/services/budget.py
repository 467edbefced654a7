"""`BudgetService`: the budget rules under the names the contract gives them.

A facade: each name is one function of the module that owns the rule (spend, roll-up, rollover,
reconciliation, the brand summary). People call these from the shell, scripts and the API.
"""

from ads.selectors import brand_summary
from ads.services import adjustments, reconcile, reports, rollover, rollup, spend


class BudgetService:
    """Spend in, totals up, campaigns paused the moment a budget is exceeded."""

    record_spend = staticmethod(spend.record_spend)
    record_spends = staticmethod(spend.record_spends)
    record_spend_batch = staticmethod(spend.record_spend_batch)
    check_spends = staticmethod(spend.check_spends)
    record_adjustment = staticmethod(adjustments.record_adjustment)
    record_reported_spend = staticmethod(reports.record_reported_spend)
    # The SpendLog signal's hook for a row created outside the services.
    apply_spend = staticmethod(rollup.roll_up_new_row)
    refresh_brand = staticmethod(rollover.refresh_brand)
    reset_daily_monthly_spends = staticmethod(rollover.reset_daily_monthly_spends)
    find_drift = staticmethod(reconcile.find_drift)
    fix_drift = staticmethod(reconcile.fix_drift)
    find_campaign_drift = staticmethod(reconcile.find_campaign_drift)
    fix_campaign_drift = staticmethod(reconcile.fix_campaign_drift)
    get_brand_summary = staticmethod(brand_summary)
