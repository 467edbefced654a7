"""The benchmark's agency: brands in several time zones, campaigns, schedules and some spend."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from ads.models import Brand, Campaign, DaypartingSchedule, SpendLog
from ads.periods import local_period, zone
from ads.rules.reasons import blocking_reasons
from ads.rules.transitions import next_change
from ads.selectors import campaign_facts
from ads.sql.campaigns import write_states

ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
HOT_BRAND = "bench-brand-000000"
SPEND = Decimal("1.00")
CHUNK = 5000
WITHIN_BUDGET = Decimal("1000000000.00")


@dataclass(frozen=True)
class Agency:
    """Ids the workloads draw from: the hot brand's campaigns and the campaigns within budget."""

    hot_brand: int
    hot_campaigns: list[int]
    campaigns: list[int]
    brands: int
    per_brand: int


# An SQL expression and its parameters.
Sql = tuple[str, list[Any]]


def _insert_select(model: type[Model], template: Model, source: Sql, **varying: Sql) -> None:
    """INSERT INTO the model's table SELECT … FROM `source`: one statement for any number of rows.

    Every column but the id takes the value `template` would be saved with (its defaults, its
    auto_now), except those in `varying`, SQL expressions over `source`. Hand-written because
    the ORM builds one object per row: this seeds 1,000,000 campaigns in under a minute where
    bulk_create and a sync of them all took tens of minutes.
    """
    quote = connection.ops.quote_name
    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        expression, values_params = varying.get(field.attname) or (
            "%s",
            [field.get_db_prep_save(field.pre_save(template, add=True), connection)],
        )
        values.append(expression)
        params += values_params
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)})"
        f" SELECT {', '.join(values)} FROM {source[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *source[1]])


def _per_zone(values: Sequence[object], kind: str) -> Sql:
    """The value of the brand's zone (brand number `n`, zone `ZONES[n % 8]`)."""
    return f"(%s::{kind}[])[n %% {len(ZONES)} + 1]", [list(values)]


def _brands(first: int, count: int, per_brand: int, now: datetime) -> None:
    """Brands `first`..`first + count - 1`: zone by number, one in 20 over its daily budget,
    the totals of `per_brand` spends of 1.00 today, recorded `now` (as the ledger rows are)."""
    periods = [local_period(now, zone(name)) for name in ZONES]
    spent = SPEND * per_brand
    template = Brand(
        name="",
        daily_budget=WITHIN_BUDGET,
        monthly_budget=Decimal("10000000000.00"),
        current_daily_spend=spent,
        current_monthly_spend=spent,
        last_recorded_at=now,
    )
    _insert_select(
        Brand,
        template,
        ("generate_series(%s, %s) AS n", [first, first + count - 1]),
        name=("'bench-brand-' || lpad(n::text, 6, '0')", []),
        # One brand in 20 has spent its day: its campaigns stay paused, as in real life.
        daily_budget=("CASE WHEN n %% 20 = 19 THEN %s ELSE %s END", [SPEND, WITHIN_BUDGET]),
        timezone=_per_zone(ZONES, "text"),
        spend_day=_per_zone([period.day for period in periods], "date"),
        spend_month=_per_zone([period.month for period in periods], "date"),
    )


def add_brands(first: int, count: int, per_brand: int) -> None:
    """Brands `first`..`first + count - 1`, each with `per_brand` campaigns and one spend each.

    Every other campaign has a 12-hour dayparting window (08:00–20:00 local); each campaign
    spent 1.00 at its brand's local midnight, and the brand's and campaign's totals say so.
    Set-based (`_insert_select`), then each campaign's state and next check are those the rules
    give one campaign of its kind (zone, budget, window): what a sync of each would store.
    """
    now = timezone.now()
    since = Campaign.objects.aggregate(last=Max("pk"))["last"] or 0
    before = Brand.objects.aggregate(last=Max("pk"))["last"] or 0
    _brands(first, count, per_brand, now)
    brands = f"(SELECT id, timezone FROM {Brand._meta.db_table} WHERE id > %s) AS b"
    _insert_select(
        Campaign,
        Campaign(name="", current_daily_spend=SPEND, total_spend=SPEND),
        (
            f"{brands} CROSS JOIN generate_series(0, %s) AS n ORDER BY b.id, n",
            [before, per_brand - 1],
        ),
        brand_id=("b.id", []),
        name=("'campaign-' || n", []),
    )
    new = f"(SELECT id, row_number() OVER (ORDER BY id) AS k FROM {Campaign._meta.db_table}"
    _insert_select(
        DaypartingSchedule,
        DaypartingSchedule(start_time=time(8), end_time=time(20)),
        (f"{new} WHERE id > %s) AS c WHERE c.k %% 2 = 1", [since]),
        campaign_id=("c.id", []),
    )
    midnights = {name: local_period(now, zone(name)).day_start for name in ZONES}
    _insert_select(
        SpendLog,
        SpendLog(amount=SPEND, timestamp=now),
        (
            f"{Campaign._meta.db_table} AS c JOIN {Brand._meta.db_table} AS b"
            " ON b.id = c.brand_id WHERE c.id > %s",
            [since],
        ),
        campaign_id=("c.id", []),
        timestamp=(
            "(%s::timestamptz[])[array_position(%s::text[], b.timezone)]",
            [list(midnights.values()), list(midnights)],
        ),
    )
    _store_states(since, now)


def _store_states(since: int, now: datetime) -> None:
    """Set `is_active`, `next_check_at` and `checked_at` of the campaigns after `since` to what
    the rules give the first campaign of each kind (its brand's zone and budget, a window or
    not) at `now`: a sync of those few (`write_states`, no history), then one UPDATE copying
    theirs to the rest of their kind."""
    quote = connection.ops.quote_name
    campaign, brand = quote(Campaign._meta.db_table), quote(Brand._meta.db_table)
    schedule = quote(DaypartingSchedule._meta.db_table)
    kinds = (
        f"SELECT c.id, b.timezone, b.daily_budget, EXISTS (SELECT 1 FROM {schedule} AS s"
        f" WHERE s.campaign_id = c.id) AS windowed FROM {campaign} AS c"
        f" JOIN {brand} AS b ON b.id = c.brand_id WHERE c.id > %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT min(id) FROM ({kinds}) AS k GROUP BY timezone, daily_budget, windowed",
            [since],
        )
        firsts = [pk for (pk,) in cursor.fetchall()]
    write_states(
        [
            (facts.pk, not blocking_reasons(facts, now=now), next_change(facts, now=now))
            for facts in campaign_facts(Campaign.objects.filter(pk__in=firsts))
        ],
        checked_at=now,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH kinds AS ({kinds}) UPDATE {campaign} AS target SET"
            " is_active = first.is_active, next_check_at = first.next_check_at,"
            " checked_at = first.checked_at"
            " FROM kinds AS k JOIN kinds AS f ON (f.timezone, f.daily_budget, f.windowed)"
            " = (k.timezone, k.daily_budget, k.windowed)"
            f" JOIN {campaign} AS first ON first.id = f.id"
            " WHERE target.id = k.id AND f.id = ANY(%s) AND target.id <> f.id",
            [since, firsts],
        )


def agency() -> Agency:
    """What is in the database now, for the workloads to pick from."""
    hot = Brand.objects.get(name=HOT_BRAND)
    within_budget = Campaign.objects.filter(brand__daily_budget__gt=SPEND * 1000)
    brands = Brand.objects.count()
    return Agency(
        hot_brand=hot.pk,
        hot_campaigns=list(hot.campaigns.order_by("pk").values_list("pk", flat=True)),
        campaigns=list(within_budget.order_by("pk").values_list("pk", flat=True)),
        brands=brands,
        per_brand=Campaign.objects.count() // brands,
    )
