"""The budget rule in Python: spend at or over a budget exceeds it, so a budget of 0 allows none.

`ads.selectors.budgets` holds its one SQL form, for the sweeps and the admin's filters; a test
checks that the two agree at every boundary.
"""

from decimal import Decimal

from ads.money import ZERO


def is_exceeded(spend: Decimal, budget: Decimal) -> bool:
    return spend >= budget


def remaining(spend: Decimal, budget: Decimal) -> Decimal:
    """What is left of `budget`: never below 0."""
    return max(budget - spend, ZERO)


def overrun(spend: Decimal, budget: Decimal) -> Decimal:
    """How far `spend` is past `budget`: 0 when it is not."""
    return max(spend - budget, ZERO)


def is_cap_reached(spend: Decimal, cap: Decimal | None) -> bool:
    """A campaign's own cap, as a budget: reached at or over it, so a cap of 0 allows none.

    None is no cap. `ads.selectors.budgets.cap_reached` is its one SQL form.
    """
    return cap is not None and is_exceeded(spend, cap)
