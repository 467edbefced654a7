"""What the dashboard reads: the brands at risk first, and one brand's spend by hour and by day.

Every read is one statement whatever the number of brands: the brands' local periods come in
as a CASE over the time zones in use (read in one small query), and the ledger is grouped once.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone

from ads.models import Brand, SpendLog
from ads.money import ZERO
from ads.periods import LocalPeriod, local_period, zone
from ads.rules.pacing import Elapsed, elapsed_share
from ads.selectors.ledger import DaySpend, brand_spend_by_day
from ads.selectors.pacing import BrandPace, brand_pace
from ads.sql.money import MoneySum

# How many brands the first page lists: the riskiest, whatever the number of brands.
AT_RISK_LIMIT = 20
# The ratio a brand with a budget of 0 and some spend ranks at: past any real pacing.
_NO_BUDGET_SPENT = Decimal("1000000")


def _ratio() -> "DecimalField[Decimal, Decimal]":
    """The type of a pacing ratio or share in SQL: a fresh field for each expression."""
    return DecimalField(max_digits=30, decimal_places=6)


@dataclass(frozen=True)
class HourSpend:
    """One hour of a local day: when it starts (aware, in the brand's zone) and its spend."""

    start: datetime
    amount: Decimal


def local_hours(period: LocalPeriod, tz_name: str) -> list[datetime]:
    """The starts of a local day's hours, in its zone: 24, or 23 and 25 on the DST days.

    Counted in real hours from local midnight, so the repeated 01:00 of a 25-hour day is two
    hours (EDT, then EST) and the skipped 02:00 of a 23-hour day is none.
    """
    tz = zone(tz_name)
    count = int((period.day_end - period.day_start) / timedelta(hours=1))
    return [(period.day_start + timedelta(hours=step)).astimezone(tz) for step in range(count)]


def brand_spend_by_hour(brand: Brand, *, now: datetime | None = None) -> list[HourSpend]:
    """The brand's spend in each hour of its local day so far and to come, oldest first.

    One GROUP BY over the ledger: each entry's hour is a CASE over the day's hour bounds (an
    entry counts in the hour it falls in, wherever DST puts it). Hours without spend are 0.
    """
    period = local_period(now or timezone.now(), zone(brand.timezone))
    hours = local_hours(period, brand.timezone)
    bucket = Case(
        *(
            # Bounds added in UTC: wall-clock arithmetic on local times would skip DST's change.
            When(timestamp__lt=period.day_start + timedelta(hours=index + 1), then=Value(index))
            for index in range(len(hours))
        ),
        output_field=IntegerField(),
    )
    totals = dict(
        SpendLog.objects.filter(
            campaign__brand=brand,
            timestamp__gte=period.day_start,
            timestamp__lt=period.day_end,
        )
        .annotate(hour=bucket)
        .order_by()
        .values("hour")
        .annotate(total=MoneySum("amount"))
        .values_list("hour", "total")
    )
    return [HourSpend(start, totals.get(index, ZERO)) for index, start in enumerate(hours)]


@dataclass(frozen=True)
class BrandDays:
    """A brand's last 30 local days and its month so far, from one read of the ledger."""

    last_30_days: list[DaySpend]
    month_so_far: list[DaySpend]


def brand_days(brand: Brand, *, now: datetime | None = None, days: int = 30) -> BrandDays:
    """The last `days` local days and the days of this local month up to today, both oldest
    first with empty days at 0: `brand_spend_by_day` once, over whichever reaches back further."""
    today = local_period(now or timezone.now(), zone(brand.timezone)).day
    reach = max(days, today.day)
    spent = brand_spend_by_day(brand, days=reach, now=now)
    return BrandDays(last_30_days=spent[-days:], month_so_far=spent[-today.day :])


@dataclass(frozen=True)
class BrandRisk:
    """A brand on the first page and its pace today and this month (`brand_pace`'s: the
    numbers `get_brand_summary` gives)."""

    brand: Brand
    pace: BrandPace


def _share(share: Elapsed) -> Decimal:
    return Decimal(share.elapsed) / Decimal(share.length) if share.length else ZERO


def _per_zone(values: dict[str, Decimal]) -> Case:
    """A CASE over the brands' zones: each zone's value (its share of the period elapsed)."""
    whens = [When(timezone=name, then=Value(value)) for name, value in values.items()]
    return Case(*whens, default=Value(ZERO), output_field=_ratio())


def _current(column: str, *, period_field: str, periods: dict[str, date]) -> Case:
    """The stored total `column` where it belongs to its zone's current period, else 0 (a
    brand not yet rolled into today has spent 0 today): `current_spend` in SQL."""
    whens = [
        When(timezone=name, **{period_field: value}, then=F(column))
        for name, value in periods.items()
    ]
    return Case(*whens, default=Value(ZERO), output_field=_ratio())


def _pacing_sql(spend: str, budget: str, share: str) -> Case:
    """spend / (budget x share elapsed), the pacing, in SQL: what the first page is ordered by.
    A budget of 0 with spend ranks above any pacing; no budget or no time elapsed ranks at 0."""
    return Case(
        When(Q(**{budget: 0}, **{f"{spend}__gt": 0}), then=Value(_NO_BUDGET_SPENT)),
        When(
            Q(**{f"{budget}__gt": 0}, **{f"{share}__gt": 0}),
            then=ExpressionWrapper(F(spend) / (F(budget) * F(share)), output_field=_ratio()),
        ),
        default=Value(ZERO),
        output_field=_ratio(),
    )


def brands_at_risk(*, now: datetime | None = None, limit: int = AT_RISK_LIMIT) -> list[BrandRisk]:
    """The `limit` brands furthest ahead of a budget, the furthest first.

    Ranked in SQL by the larger of the daily and the monthly pacing, from the stored totals and
    each zone's share of its day and month elapsed (real length: 23 or 25 hours on DST days),
    then by spend today and name: two statements (the zones in use, the page) whatever the
    number of brands. The numbers shown are `brand_pace`'s, from each row read.
    """
    now = now or timezone.now()
    zones = Brand.objects.order_by().values_list("timezone", flat=True).distinct()
    periods = {name: local_period(now, zone(name)) for name in zones}
    if not periods:
        return []  # no brands (and a CASE without a WHEN would be a constant to order by)
    ranked = (
        Brand.objects.alias(
            dash_spend_today=_current(
                "current_daily_spend",
                period_field="spend_day",
                periods={name: p.day for name, p in periods.items()},
            ),
            dash_spend_month=_current(
                "current_monthly_spend",
                period_field="spend_month",
                periods={name: p.month for name, p in periods.items()},
            ),
            dash_day_share=_per_zone(
                {
                    name: _share(elapsed_share(now, start=p.day_start, end=p.day_end))
                    for name, p in periods.items()
                }
            ),
            dash_month_share=_per_zone(
                {
                    name: _share(elapsed_share(now, start=p.month_start, end=p.month_end))
                    for name, p in periods.items()
                }
            ),
        )
        .alias(
            dash_risk=Greatest(
                _pacing_sql("dash_spend_today", "daily_budget", "dash_day_share"),
                _pacing_sql("dash_spend_month", "monthly_budget", "dash_month_share"),
            )
        )
        .order_by("-dash_risk", "-dash_spend_today", "name")
    )
    return [BrandRisk(brand, brand_pace(brand, now=now)) for brand in ranked[:limit]]
