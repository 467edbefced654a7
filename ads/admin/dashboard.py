"""The dashboard: the admin's first page lists the brands at risk first, then the riskiest
brand's pictures (today by hour, the last 30 days, the month so far, each against its budget);
a brand's own page shows its pictures too.

Every amount is `format_money`'s (thousands separators, the brand's currency) and every time is
the brand's local time with its zone named. Reads come from `ads.selectors.dashboard`: the page
costs the same queries whatever the number of brands.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from ads.admin.charts import BarSpec, Chart, bar_chart, running_totals
from ads.models import Brand
from ads.money import ZERO, format_money
from ads.periods import local_period, month_of, next_month, zone
from ads.rules.pacing import PeriodPace, band
from ads.selectors import DaySpend
from ads.selectors.dashboard import (
    BrandRisk,
    HourSpend,
    brand_days,
    brand_spend_by_hour,
    brands_at_risk,
)
from ads.selectors.pacing import current_spend


def _zones(hours: list[HourSpend]) -> str:
    """The abbreviations a day's hours are in, in order: "EST", or "EDT/EST" on a DST day."""
    return "/".join(dict.fromkeys(hour.start.strftime("%Z") for hour in hours))


def hour_chart(brand: Brand, hours: list[HourSpend], *, now: datetime) -> Chart:
    """Today's spend so far by the end of each local hour, against the daily budget."""
    current = [hour for hour in hours if hour.start <= now]
    totals = running_totals([hour.amount for hour in current])
    money = brand.currency
    bars = [
        BarSpec(
            value=total,
            label=f"{hour.start:%H:%M}" if index % 3 == 0 else "",
            title=f"{hour.start:%a %Y-%m-%d %H:%M %Z}: {format_money(hour.amount, money)} "
            f"in the hour, {format_money(total, money)} so far",
        )
        for index, (hour, total) in enumerate(zip(current, totals, strict=True))
    ]
    bars += [
        BarSpec(ZERO, f"{hour.start:%H:%M}" if index % 3 == 0 else "", "")
        for index, hour in enumerate(hours[len(current) :], start=len(current))
    ]
    return bar_chart(
        bars,
        slug=f"brand-{brand.pk}-today",
        title=f"{brand.name}: spend today by local hour ({brand.timezone}) against the daily "
        f"budget of {format_money(brand.daily_budget, money)}",
        caption=f"Local time, {brand.timezone} ({_zones(hours)})",
        currency=money,
        budget=brand.daily_budget,
    )


def days_chart(brand: Brand, days: list[DaySpend]) -> Chart:
    """Each of the last 30 local days' spend against the daily budget."""
    money = brand.currency
    bars = [
        BarSpec(
            value=day.amount,
            label=f"{day.day:%m-%d}" if index % 5 == 4 else "",
            title=f"{day.day:%a %Y-%m-%d}: {format_money(day.amount, money)}",
        )
        for index, day in enumerate(days)
    ]
    return bar_chart(
        bars,
        slug=f"brand-{brand.pk}-days",
        title=f"{brand.name}: spend on each of the last {len(days)} local days "
        f"({brand.timezone}) against the daily budget of {format_money(brand.daily_budget, money)}",
        caption=f"Local day, {brand.timezone}",
        currency=money,
        budget=brand.daily_budget,
    )


def month_chart(brand: Brand, days: list[DaySpend]) -> Chart:
    """The month so far by the end of each local day, over the whole month, against the
    monthly budget: the days still to come are the room left."""
    money = brand.currency
    month = month_of(days[-1].day)
    length = (next_month(month) - month).days
    totals = running_totals([day.amount for day in days])
    bars = [
        BarSpec(
            value=total,
            label=str(day.day.day) if day.day.day in (1, 5, 10, 15, 20, 25) else "",
            title=f"{day.day:%a %Y-%m-%d}: {format_money(day.amount, money)} that day, "
            f"{format_money(total, money)} this month",
        )
        for day, total in zip(days, totals, strict=True)
    ]
    bars += [
        BarSpec(ZERO, str(number) if number in (5, 10, 15, 20, 25) else "", "")
        for number in range(len(days) + 1, length + 1)
    ]
    return bar_chart(
        bars,
        slug=f"brand-{brand.pk}-month",
        title=f"{brand.name}: spend in {month:%B %Y} so far ({brand.timezone}) against the "
        f"monthly budget of {format_money(brand.monthly_budget, money)}",
        caption=f"Day of {month:%B %Y}, {brand.timezone}",
        currency=money,
        budget=brand.monthly_budget,
    )


def brand_charts(brand: Brand, *, now: datetime | None = None) -> str:
    """A brand's three pictures as SVG (two reads of the ledger)."""
    now = now or timezone.now()
    days = brand_days(brand, now=now)
    charts = [
        hour_chart(brand, brand_spend_by_hour(brand, now=now), now=now),
        days_chart(brand, days.last_30_days),
        month_chart(brand, days.month_so_far),
    ]
    return render_to_string("admin/ads/dashboard/charts.html", {"charts": charts})


@dataclass(frozen=True)
class RiskRow:
    """A row of the at-risk table, every amount and time already as a person reads it."""

    brand: Brand
    local_now: str
    day_resets: str
    periods: tuple[dict[str, str], dict[str, str]]


def _period_cells(spend: Decimal, budget: Decimal, pace: PeriodPace, money: str) -> dict[str, str]:
    return {
        "spend": format_money(spend, money),
        "budget": format_money(budget, money),
        "pacing": "-" if pace.pacing is None else f"{pace.pacing * 100:.0f}%",
        "band": (band(pace.pacing) or "none").replace(" ", "-"),
        "projected": "-" if pace.projected is None else format_money(pace.projected, money),
        "over": format_money(pace.overspend, money),
    }


def risk_row(risk: BrandRisk, *, now: datetime) -> RiskRow:
    """The brand's pace as read: amounts in its currency, its local time and zone named."""
    brand, pace = risk.brand, risk.pace
    tz = zone(brand.timezone)
    period = local_period(now, tz)
    daily, monthly = current_spend(brand, period=period)
    return RiskRow(
        brand=brand,
        local_now=f"{now.astimezone(tz):%a %Y-%m-%d %H:%M %Z} ({brand.timezone})",
        day_resets=f"{pace.day_resets_at:%a %Y-%m-%d %H:%M %Z}",
        periods=(
            _period_cells(daily, brand.daily_budget, pace.day, brand.currency),
            _period_cells(monthly, brand.monthly_budget, pace.month, brand.currency),
        ),
    )


def dashboard(*, now: datetime | None = None) -> str:
    """The first page's dashboard: the brands at risk, the riskiest first, and its pictures."""
    now = now or timezone.now()
    risks = brands_at_risk(now=now)
    context = {
        "rows": [risk_row(risk, now=now) for risk in risks],
        "charts": brand_charts(risks[0].brand, now=now) if risks else "",
        "first": risks[0].brand if risks else None,
    }
    return render_to_string("admin/ads/dashboard/index.html", context)
