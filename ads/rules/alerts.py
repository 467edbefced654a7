"""Alert rules: which threshold levels a change of spend crosses, and how an alert reads.

Pure values in, values out: the roll-up decides from a brand's totals before and after a spend
which levels it crossed, so the database is asked to store alerts only when one was crossed.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from ads.money import format_money

PERIOD_NAMES = {"day": "daily", "month": "monthly"}


def crossed_levels(
    before: Decimal, after: Decimal, *, budget: Decimal, levels: Sequence[int]
) -> list[int]:
    """The levels (percents of `budget`) that spend moving from `before` to `after` reaches.

    A level is reached when spend >= budget x level / 100, so it is crossed by the change
    that takes spend from below that line to it or past it: one spend past several lines
    crosses each of them. A budget of 0 has no levels (every spend would be past all of
    them); spend that stays or goes down (a credit) crosses none. Compared in whole
    multiples, with no division, so 80% of 33.33 is exact.
    """
    if budget <= 0 or after <= before:
        return []
    return sorted(level for level in set(levels) if before * 100 < budget * level <= after * 100)


def threshold_message(
    *,
    brand: str,
    level: int,
    period: str,
    period_start: date,
    spend: Decimal,
    budget: Decimal,
    currency: str,
) -> str:
    """What a threshold alert says: who, which level of which budget, for when, how much."""
    when = f"{period_start:%B %Y}" if period == "month" else f"{period_start:%Y-%m-%d}"
    return (
        f"{brand} reached {level}% of its {PERIOD_NAMES[period]} budget for {when}: "
        f"{format_money(spend, currency)} spent of {format_money(budget, currency)}."
    )
