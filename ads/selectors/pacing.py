"""A brand's pacing, projections and overspend for its current local day and month.

Drawn from the brand's row alone (budgets, stored totals and the day they belong to), so a
list page paces every brand it shows without a query per row. The totals count only if they
belong to the current local period: a brand not yet rolled into today has spent 0 today (and 0
this month once the month has turned too).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ads.models import Brand
from ads.money import ZERO
from ads.periods import LocalPeriod, local_period, zone
from ads.rules.pacing import PeriodPace, elapsed_share, period_pace


@dataclass(frozen=True)
class BrandPace:
    day: PeriodPace
    month: PeriodPace
    # The next local midnight and the next local first of the month, in the brand's zone.
    day_resets_at: datetime
    month_resets_at: datetime

    def as_summary(self) -> dict[str, Any]:
        """The contract's keys of `get_brand_summary`."""
        return {
            "daily_pacing": self.day.pacing,
            "monthly_pacing": self.month.pacing,
            "projected_daily_spend": self.day.projected,
            "projected_monthly_spend": self.month.projected,
            "daily_overspend": self.day.overspend,
            "monthly_overspend": self.month.overspend,
            "day_resets_at": self.day_resets_at,
            "month_resets_at": self.month_resets_at,
        }


def current_spend(brand: Brand, *, period: LocalPeriod) -> tuple[Decimal, Decimal]:
    """The brand's (daily, monthly) spend in `period`: 0 where its totals are of an older one."""
    daily = brand.current_daily_spend if brand.spend_day == period.day else ZERO
    monthly = brand.current_monthly_spend if brand.spend_month == period.month else ZERO
    return daily, monthly


def brand_pace(brand: Brand, *, now: datetime) -> BrandPace:
    tz = zone(brand.timezone)
    period = local_period(now, tz)
    daily, monthly = current_spend(brand, period=period)
    day_share = elapsed_share(now, start=period.day_start, end=period.day_end)
    month_share = elapsed_share(now, start=period.month_start, end=period.month_end)
    return BrandPace(
        day=period_pace(daily, brand.daily_budget, share=day_share),
        month=period_pace(monthly, brand.monthly_budget, share=month_share),
        day_resets_at=period.day_end.astimezone(tz),
        month_resets_at=period.month_end.astimezone(tz),
    )
