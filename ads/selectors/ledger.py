"""What the ledger says: sums per brand over a local day and month, per campaign today, per day.

Every sum is a `MoneySum` (exact on SQLite too), and each is one statement whatever the number
of brands or campaigns: the local periods come in as a CASE over the time zones in use.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, DateTimeField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

from ads.models import Brand, Campaign, SpendLog
from ads.models.fields import MoneyTotalField
from ads.money import ZERO
from ads.periods import LocalPeriod, local_midnight, local_period, zone
from ads.sql.money import MoneySum

# (which brands, the period their totals are counted over)
PeriodRule = tuple[Q, LocalPeriod]


def _bound(rules: Iterable[PeriodRule], *, attribute: str) -> Case:
    return Case(
        *(When(condition, then=Value(getattr(period, attribute))) for condition, period in rules),
        output_field=DateTimeField(),
    )


def _ledger_sum(start: str, *, end: str) -> Coalesce:
    spends = (
        SpendLog.objects.filter(
            campaign__brand=OuterRef("pk"),
            timestamp__gte=OuterRef(start),
            timestamp__lt=OuterRef(end),
        )
        .order_by()
        .values("campaign__brand")
        .annotate(total=MoneySum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(spends), Value(ZERO), output_field=MoneyTotalField())


class LedgerTotals(TypedDict):
    period_day_start: datetime
    ledger_daily: Decimal
    ledger_monthly: Decimal


if TYPE_CHECKING:
    BrandWithLedger = WithAnnotations[Brand, LedgerTotals]


def with_ledger_totals(
    brands: QuerySet[Brand], *, rules: list[PeriodRule]
) -> "QuerySet[BrandWithLedger]":
    """Annotate `ledger_daily` and `ledger_monthly`: the ledger's sums over each brand's period.

    Brands are matched to periods by `rules` (a time zone, or a time zone and a stored day), so the
    whole set is counted in one statement whatever the number of brands.
    """
    rules = list(rules)
    return brands.annotate(
        period_day_start=_bound(rules, attribute="day_start"),
        period_day_end=_bound(rules, attribute="day_end"),
        period_month_start=_bound(rules, attribute="month_start"),
        period_month_end=_bound(rules, attribute="month_end"),
    ).annotate(
        ledger_daily=_ledger_sum("period_day_start", end="period_day_end"),
        ledger_monthly=_ledger_sum("period_month_start", end="period_month_end"),
    )


def _campaign_spend(spends: "QuerySet[SpendLog]") -> Coalesce:
    """The sum of `spends` per campaign as a subquery (correlated by the caller), 0 when none."""
    total = spends.order_by().values("campaign").annotate(total=MoneySum("amount")).values("total")
    return Coalesce(Subquery(total), Value(ZERO), output_field=MoneyTotalField())


class SpendToday(TypedDict):
    spend_today: Decimal


if TYPE_CHECKING:
    CampaignWithSpendToday = WithAnnotations[Campaign, SpendToday]


def with_spend_today(
    campaigns: QuerySet[Campaign], *, now: datetime | None = None
) -> "QuerySet[CampaignWithSpendToday]":
    """Annotate `spend_today`: each campaign's spend since midnight in its brand's time zone.

    A CASE over the time zones in use (read in one small query) keeps it a single statement
    whatever the number of campaigns: what a list page needs.
    """
    now = now or timezone.now()
    zones = Brand.objects.order_by().values_list("timezone", flat=True).distinct()
    day_start = Case(
        *(
            When(brand__timezone=name, then=Value(local_period(now, zone(name)).day_start))
            for name in zones
        ),
        output_field=DateTimeField(),
    )
    spends = SpendLog.objects.filter(
        campaign=OuterRef("pk"), timestamp__gte=OuterRef("day_start"), timestamp__lte=now
    )
    return campaigns.alias(day_start=day_start).annotate(spend_today=_campaign_spend(spends))


@dataclass(frozen=True)
class DaySpend:
    day: date
    amount: Decimal


def brand_spend_by_day(
    brand: Brand, *, days: int = 14, now: datetime | None = None
) -> list[DaySpend]:
    """The brand's spend on each of its last `days` local days, oldest first, today last.

    Days are the brand's local days (DST included); a day without spend is there with 0. One
    query: the ledger grouped by local date.
    """
    tz = zone(brand.timezone)
    today = local_period(now or timezone.now(), tz).day
    first = today - timedelta(days=days - 1)
    totals = dict(
        SpendLog.objects.filter(
            campaign__brand=brand,
            timestamp__gte=local_midnight(first, tz),
            timestamp__lt=local_midnight(today + timedelta(days=1), tz),
        )
        .annotate(day=TruncDate("timestamp", tzinfo=tz))
        .order_by()
        .values("day")
        .annotate(total=MoneySum("amount"))
        .values_list("day", "total")
    )
    return [
        DaySpend(day, totals.get(day, ZERO))
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]


def campaign_day_sum(
    campaign_id: int, period: LocalPeriod, *, kinds: Collection[str] | None = None
) -> Decimal:
    """The plain sum of a campaign's ledger entries (of `kinds`, or all) in `period`'s local day.

    Signed amounts added as they are: credits and downward reports count against spend. Read
    under the campaign's lock by a writer, it is the sum that writer's entry changes.
    """
    entries = SpendLog.objects.filter(
        campaign_id=campaign_id,
        timestamp__gte=period.day_start,
        timestamp__lt=period.day_end,
    )
    if kinds is not None:
        entries = entries.filter(kind__in=list(kinds))
    total = entries.aggregate(total=MoneySum("amount"))["total"]
    return ZERO if total is None else Decimal(total)


class CampaignLedgerDay(TypedDict):
    ledger_daily: Decimal


class CampaignLedgerTotals(CampaignLedgerDay):
    ledger_total: Decimal


if TYPE_CHECKING:
    CampaignWithLedgerDay = WithAnnotations[Campaign, CampaignLedgerDay]
    CampaignWithLedger = WithAnnotations[Campaign, CampaignLedgerTotals]


def with_campaign_day_spend(
    campaigns: QuerySet[Campaign], *, days: Iterable[tuple[str, date]]
) -> "QuerySet[CampaignWithLedgerDay]":
    """Annotate `ledger_daily`: the ledger over the brand's stored local day (brand.spend_day),
    what `Campaign.current_daily_spend` must equal.

    `days` names each (time zone, stored day) of the campaigns' brands; their bounds come in as
    a CASE, so the whole set is one statement, each sum an index range of one campaign.
    """
    days = sorted(set(days))
    bounds = {
        name: Case(
            *(
                When(
                    brand__timezone=tz,
                    brand__spend_day=day,
                    then=Value(local_midnight(day + timedelta(days=offset), zone(tz))),
                )
                for tz, day in days
            ),
            output_field=DateTimeField(),
        )
        for name, offset in (("ledger_day_start", 0), ("ledger_day_end", 1))
    }
    day_spends = SpendLog.objects.filter(
        campaign=OuterRef("pk"),
        timestamp__gte=OuterRef("ledger_day_start"),
        timestamp__lt=OuterRef("ledger_day_end"),
    )
    return campaigns.alias(**bounds).annotate(ledger_daily=_campaign_spend(day_spends))


def with_campaign_ledger_totals(
    campaigns: QuerySet[Campaign], *, days: Iterable[tuple[str, date]]
) -> "QuerySet[CampaignWithLedger]":
    """`with_campaign_day_spend` and `ledger_total`, the ledger all time (`total_spend`)."""
    every = SpendLog.objects.filter(campaign=OuterRef("pk"))
    return with_campaign_day_spend(campaigns, days=days).annotate(
        ledger_total=_campaign_spend(every)
    )
