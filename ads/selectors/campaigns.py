"""The facts a campaign's verdict is drawn from, read set-based for sweeps and list pages."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, time
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from ads.database import vendor
from ads.models import Campaign, DaypartingWindow
from ads.models.campaign import parse_days, parse_extra_windows
from ads.rules.flights import Flight
from ads.rules.reasons import CampaignFacts, Window
from ads.selectors.budgets import (
    CAMPAIGN_DAILY,
    CAMPAIGN_TOTAL,
    DAILY,
    MONTHLY,
    cap_reached_flag,
    exceeded_flag,
)
from ads.sql.campaigns import read_batch

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@lru_cache(maxsize=4096)
def schedule_windows(
    start: time, end: time, *, days: frozenset[int], extras: str, zone: str
) -> tuple[Window, ...]:
    """Every window of a schedule, its own first, in its effective zone: built once per
    distinct schedule, not once per row (a sweep's campaigns share a few)."""
    own = Window(start, end, days, zone)
    return (own, *(Window(*fields, zone) for fields in parse_extra_windows(extras)))


def flight_of(start: date | None, end: date | None, *, zone: str) -> Flight | None:
    """A campaign's flight in its brand's zone; None when it has neither date."""
    return None if start is None and end is None else Flight(start, end, zone)


def campaign_facts(campaigns: QuerySet[Campaign]) -> Iterator[CampaignFacts]:
    """Stream the facts of every campaign in `campaigns` from a single query.

    Built for sweeps over 100,000 campaigns: the database compares spend with budget (two
    booleans instead of four Decimals per row), and the weekdays and the schedule's extra
    windows come as text in the same row, parsed once per distinct value rather than once per
    row: no query per campaign or per chunk.
    """
    return _facts_of(_fact_rows(campaigns).iterator(chunk_size=5000))


def slice_end(*, after_id: int, size: int) -> int | None:
    """The id of the `size`-th campaign after `after_id`, in id order: where a slice of the
    safety net's pass ends (an index read of `size` entries). None when no campaign is left
    after that one: the slice runs to the last campaign and the pass is complete (so a pass of
    exactly `size` campaigns ends in one run, not in a second, empty one)."""
    if size < 1:
        raise ValueError(f"A slice holds at least one campaign, not {size}.")
    ids = Campaign.objects.filter(pk__gt=after_id).order_by("pk").values_list("pk", flat=True)
    end_and_next = list(ids[size - 1 : size + 1])
    return end_and_next[0] if len(end_and_next) == 2 else None


def batch_facts(
    campaign_ids: Sequence[int], *, brand_ids: Sequence[int]
) -> Iterator[CampaignFacts]:
    """The facts of the campaigns `campaign_ids` that belong to one of `brand_ids`: a sweep's
    batch, read under those brands' locks. A campaign that moved to another brand since the
    sweep found it is left out (its move judged it, under both brands' locks).

    The query `campaign_facts` sends, compiled once (`ads.sql.campaigns.read_batch`): a half
    flip reads 475 batches, and building and compiling the query each time cost about as much
    as the database spends running it.
    """
    if vendor() != "postgresql":
        among = Campaign.objects.filter(pk__in=campaign_ids, brand_id__in=brand_ids)
        return campaign_facts(among)
    return _facts_of(read_batch(_fact_rows, campaign_ids=campaign_ids, brand_ids=brand_ids))


def _fact_rows(campaigns: QuerySet[Campaign]) -> "QuerySet[Campaign, tuple[Any, ...]]":
    """The one query of the facts of `campaigns`, a row each in `_facts_of`'s order."""
    return (
        campaigns.order_by("pk")
        .annotate(
            facts_daily_exceeded=exceeded_flag(DAILY, prefix="brand__"),
            facts_monthly_exceeded=exceeded_flag(MONTHLY, prefix="brand__"),
            facts_days=Cast("dayparting_schedule__days_of_week", TextField()),
            facts_daily_cap=cap_reached_flag(CAMPAIGN_DAILY),
            facts_total_cap=cap_reached_flag(CAMPAIGN_TOTAL),
        )
        .values_list(
            "pk",
            "is_enabled",
            "is_active",
            "facts_daily_exceeded",
            "facts_monthly_exceeded",
            "brand__timezone",
            "dayparting_schedule__start_time",
            "dayparting_schedule__end_time",
            "facts_days",
            "dayparting_schedule__timezone",
            "dayparting_schedule__extra_windows_text",
            "facts_daily_cap",
            "facts_total_cap",
            "start_date",
            "end_date",
            "brand_id",
            "next_check_at",
            "checked_at",
        )
    )


def _facts_of(rows: Iterable[Sequence[Any]]) -> Iterator[CampaignFacts]:
    """Each row of `_fact_rows` as the facts the rules judge."""
    for (
        pk,
        is_enabled,
        is_active,
        daily_exceeded,
        monthly_exceeded,
        brand_tz,
        start,
        end,
        days,
        schedule_tz,
        extras,
        daily_cap,
        total_cap,
        flight_start,
        flight_end,
        brand_id,
        next_check_at,
        checked_at,
    ) in rows:
        windows: tuple[Window, ...] = ()
        if start is not None:
            zone = schedule_tz or brand_tz
            windows = schedule_windows(start, end, days=parse_days(days), extras=extras, zone=zone)
        yield CampaignFacts(
            pk=pk,
            is_enabled=is_enabled,
            is_active=is_active,
            daily_exceeded=daily_exceeded,
            monthly_exceeded=monthly_exceeded,
            windows=windows,
            daily_cap_reached=daily_cap,
            total_cap_reached=total_cap,
            flight=flight_of(flight_start, flight_end, zone=brand_tz),
            brand_id=brand_id,
            next_check_at=next_check_at,
            checked_at=checked_at,
        )


class ExtraWindowCount(TypedDict):
    extra_windows: int


if TYPE_CHECKING:
    CampaignWithExtraWindows = WithAnnotations[Campaign, ExtraWindowCount]


def with_extra_window_count(campaigns: QuerySet[Campaign]) -> "QuerySet[CampaignWithExtraWindows]":
    """Annotate `extra_windows`: how many windows the campaign's schedule has besides its own.

    A subquery, so a list page shows it for every row in the page's one query.
    """
    count = (
        DaypartingWindow.objects.filter(schedule__campaign=OuterRef("pk"))
        .order_by()
        .values("schedule")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return campaigns.annotate(
        extra_windows=Coalesce(Subquery(count), Value(0), output_field=IntegerField())
    )
