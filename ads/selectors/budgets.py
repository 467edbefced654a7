"""The budget rule's one SQL form: spend at or over the budget (`ads.rules.budgets.is_exceeded`).

For the sweeps, which compare 100,000 brands' spend with their budgets in the database, and the
admin's filters. A test checks that it agrees with the Python form at every boundary.
"""

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, F, Q


@dataclass(frozen=True)
class BudgetColumns:
    """A brand's spend total and the budget it is held against."""

    spend: str
    budget: str


DAILY = BudgetColumns(spend="current_daily_spend", budget="daily_budget")
MONTHLY = BudgetColumns(spend="current_monthly_spend", budget="monthly_budget")
# A campaign's own caps (optional: NULL is no cap), held against the campaign's own totals.
CAMPAIGN_DAILY = BudgetColumns(spend="current_daily_spend", budget="daily_cap")
CAMPAIGN_TOTAL = BudgetColumns(spend="total_spend", budget="total_cap")


def exceeded(columns: BudgetColumns, *, prefix: str = "") -> Q:
    """Brands (or, with prefix="brand__", campaigns) whose spend is at or over the budget."""
    return Q(**{f"{prefix}{columns.spend}__gte": F(f"{prefix}{columns.budget}")})


def exceeded_flag(columns: BudgetColumns, *, prefix: str = "") -> "ExpressionWrapper[Q]":
    """`exceeded` as a boolean column, for an annotation."""
    return ExpressionWrapper(exceeded(columns, prefix=prefix), output_field=BooleanField())


def cap_reached(columns: BudgetColumns, *, prefix: str = "") -> Q:
    """Campaigns at or over a cap they have (`ads.rules.budgets.is_cap_reached`).

    A NULL cap is no cap: the IS NOT NULL makes the comparison false there, never NULL, so
    the flag below is a plain boolean to group and filter on.
    """
    return Q(**{f"{prefix}{columns.budget}__isnull": False}) & exceeded(columns, prefix=prefix)


def cap_reached_flag(columns: BudgetColumns, *, prefix: str = "") -> "ExpressionWrapper[Q]":
    """`cap_reached` as a boolean column, for an annotation."""
    return ExpressionWrapper(cap_reached(columns, prefix=prefix), output_field=BooleanField())
