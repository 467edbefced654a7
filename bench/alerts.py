"""What pacing and alerts cost (issue 15), measured rather than argued.

Issue 15 claims three costs; each gets a figure here, in one throwaway database:

- *The alert check on a spend*: `record_spend`, and `record_spends` in batches of 100, on
  brands with alert levels ([50, 80, 100]) next to the same spends with no levels at all (the
  brand's list and the site's default both empty: an empty brand list alone means the site's
  default) and with the check itself off (`raise_threshold_alerts` replaced by a no-op: the
  spend as it was before alerts, the baseline). Two cases: *steady*, a spend that crosses no
  level (the usual spend), and *crossing*, a spend that crosses exactly one (its brand's 50%
  daily level, so one alert row). A fourth variant, *levels, no events*, has
  `record_alert_events` replaced by a no-op, to part the check's own statement from the
  outbox's budget.alert event. No webhook endpoint is
  active (checked), so no delivery is written, and the alert email's after-commit request to
  the broker is counted, not sent. Variants are interleaved round by round, every spend on a
  brand of its own; statements are counted with QueryCounter.
- *The stale-data check is set-based*: `raise_stale_data_alerts` (the body of the
  `check_stale_data` task) at two sizes of the agency of bench.data, one brand in
  STALE_EVERY stale, its first run of the day (raising) and a run again the same day (nothing
  new), next to the database reading the same set alone (the check's own SQL through a cursor)
  and a plain `SELECT count(*)` of the brand table.
- *Pacing on list pages adds no query per row*: the brand list (its pacing columns) and the
  admin index (the dashboard) fetched with Django's test Client as a superuser, as
  bench.admin_pages does, at sizes below and above a page of brands (more rows on the page,
  then more brands behind it): the same number of queries at each.
"""

import itertools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from ads.admin.brands import BrandAdmin
from ads.models import Brand, BudgetAlert, Campaign, Delivery, Event, WebhookEndpoint
from ads.periods import local_period, zone
from ads.selectors.alerts import stale_brands
from ads.services import BudgetService, SpendEntry
from ads.services.alerts import raise_stale_data_alerts
from bench.admin_pages import PLAIN_STATIC, PageFigure, _fetch
from bench.data import add_brands
from bench.database import BenchError, throwaway_database
from bench.ingest import AMOUNT
from bench.measure import QueryCounter, median, percentile, timed_calls
from bench.outbox import BATCH
from bench.report import _table
from bench.run import _vacuum, machine
from bench.task_cases import _timed

VARIANTS = ("check off", "no levels", "levels, no events", "levels")
CASES = ("steady", "crossing")
LEVELS = [50, 80, 100]
# A spend of AMOUNT takes a new brand with this daily budget to 50%: one level crossed.
CROSSING_BUDGET = AMOUNT * 2
LARGE_BUDGET = Decimal("1000000000.00")
# One brand in this many has no spend recorded since the cutoff (bench.data's number % it == 0).
STALE_EVERY = 10
FRESH_BATCH = 1_000
PAGES = (
    ("brand list", "admin:ads_brand_changelist"),
    ("admin index (the dashboard)", "admin:index"),
)
STALE_KIND = BudgetAlert.Kind.STALE_DATA


@dataclass(frozen=True)
class AlertScale:
    spends: int  # single spends per variant, case and round
    batches: int  # batches of BATCH per variant, case and round
    rounds: int
    per_brand: int  # campaigns per brand of the agency (stale check and pages)
    page_sizes: tuple[int, ...]  # brands at which the pages are fetched
    stale_sizes: tuple[int, int]  # brands at which the stale-data check runs
    repeats: int


ALERT_SCALES = {
    "tiny": AlertScale(
        spends=10,
        batches=1,
        rounds=1,
        per_brand=2,
        page_sizes=(5, 20),
        stale_sizes=(20, 60),
        repeats=1,
    ),
    "full": AlertScale(
        spends=300,
        batches=4,
        rounds=3,
        per_brand=10,
        page_sizes=(10, 100, 1_000),
        stale_sizes=(1_000, 10_000),
        repeats=5,
    ),
}


# --- 1. The alert check on a spend ------------------------------------------------------------


def _names_any(*tables: str) -> re.Pattern[str]:
    """Matches SQL naming any of `tables`, quoted (the ORM) or not (hand-written SQL)."""
    return re.compile(r"\b(?:" + "|".join(tables) + r")\b")


class TableCounter(QueryCounter):
    """Counts statements and, among them, the INSERTs and SELECTs of the alerts table and the
    statements on the outbox's tables (events, deliveries, endpoints)."""

    ALERTS = _names_any(BudgetAlert._meta.db_table)
    OUTBOX = _names_any(*(m._meta.db_table for m in (Event, Delivery, WebhookEndpoint)))

    def __init__(self) -> None:
        super().__init__()
        self.alert_inserts = 0
        self.alert_selects = 0
        self.outbox = 0

    def __call__(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if self.OUTBOX.search(sql):
            self.outbox += 1
        elif self.ALERTS.search(sql):
            verb = sql.lstrip()[:6].upper()
            self.alert_inserts += verb == "INSERT"
            self.alert_selects += verb == "SELECT"
        return super().__call__(execute, sql, *args)


@dataclass
class Tally:
    """One shape, case and variant, summed over its rounds."""

    entries: int = 0
    statements: int = 0
    alert_inserts: int = 0
    alert_selects: int = 0
    outbox_statements: int = 0
    alerts: int = 0
    rates: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


_names = itertools.count()


def _campaigns(count: int, *, case: str, variant: str) -> list[Campaign]:
    """`count` new brands (UTC, nothing spent) of one serving campaign each."""
    period = local_period(timezone.now(), zone("UTC"))
    brands = Brand.objects.bulk_create(
        Brand(
            name=f"alerts-{next(_names):07d}",
            daily_budget=CROSSING_BUDGET if case == "crossing" else LARGE_BUDGET,
            monthly_budget=LARGE_BUDGET,
            timezone="UTC",
            alert_thresholds=LEVELS if variant.startswith("levels") else [],
            spend_day=period.day,
            spend_month=period.month,
        )
        for _ in range(count)
    )
    return Campaign.objects.bulk_create(
        Campaign(brand=brand, name="campaign", is_active=True) for brand in brands
    )


def _calls(shape: str, count: int, *, case: str, variant: str) -> list[Callable[[], object]]:
    """`count` spends (or batches of BATCH spends), each entry on a brand of its own."""
    if shape == "record_spend":
        return [
            partial(BudgetService.record_spend, campaign, AMOUNT)
            for campaign in _campaigns(count, case=case, variant=variant)
        ]
    return [
        partial(
            BudgetService.record_spends,
            [SpendEntry(c.pk, AMOUNT) for c in _campaigns(BATCH, case=case, variant=variant)],
        )
        for _ in range(count)
    ]


@contextmanager
def _variant(name: str) -> Iterator[None]:
    """No check for `check off`, no site default for `no levels`, no budget.alert event for
    `levels, no events`."""
    no_check = mock.patch("ads.services.rollup.raise_threshold_alerts", return_value=[])
    no_default = override_settings(BUDGET_ALERT_THRESHOLDS=[])
    no_events = mock.patch("ads.services.alerts.record_alert_events", return_value=[])
    with (
        no_check if name == "check off" else nullcontext(),
        no_default if name == "no levels" else nullcontext(),
        no_events if name == "levels, no events" else nullcontext(),
    ):
        yield


def _measure(tally: Tally, calls: list[Callable[[], object]], *, per_call: int) -> None:
    counter = TableCounter()
    alerts_before = BudgetAlert.objects.count()
    seconds, latencies = timed_calls(calls, counter)
    entries = len(calls) * per_call
    tally.entries += entries
    tally.statements += counter.count
    tally.alert_inserts += counter.alert_inserts
    tally.alert_selects += counter.alert_selects
    tally.outbox_statements += counter.outbox
    tally.alerts += BudgetAlert.objects.count() - alerts_before
    tally.rates.append(entries / seconds)
    tally.latencies += latencies


def _check(shape: str, case: str, variant: str, tally: Tally) -> None:
    """Sanity, not timing: one alert per crossing entry with levels, none otherwise."""
    expected = tally.entries if case == "crossing" and variant.startswith("levels") else 0
    if tally.alerts != expected:
        raise BenchError(f"{shape}, {case}, {variant}: {tally.alerts} alerts, not {expected}")


def _spend_row(key: tuple[str, str, str], tally: Tally, baseline: Tally) -> dict[str, Any]:
    shape, case, variant = key
    rate, base_rate = median(tally.rates), median(baseline.rates)
    return {
        "shape": shape,
        "case": case,
        "variant": variant,
        "entries": tally.entries,
        "events_per_second": rate,
        "p50_ms": percentile(tally.latencies, 0.50) * 1000,
        "p99_ms": percentile(tally.latencies, 0.99) * 1000,
        "statements_per_entry": tally.statements / tally.entries,
        "extra_statements_per_entry": (tally.statements - baseline.statements) / tally.entries,
        "alert_inserts_per_entry": tally.alert_inserts / tally.entries,
        "alert_selects_per_entry": tally.alert_selects / tally.entries,
        "outbox_statements_per_entry": tally.outbox_statements / tally.entries,
        "alerts_per_entry": tally.alerts / tally.entries,
        "ratio": rate / base_rate if base_rate else 0.0,
    }


def measure_spends(scale: AlertScale) -> list[dict[str, Any]]:
    """Every variant for both cases and shapes, interleaved round by round."""
    if WebhookEndpoint.objects.filter(is_active=True).exists():
        raise BenchError("an active webhook endpoint would add deliveries to the alerts")
    shapes = {"record_spend": (scale.spends, 1), f"record_spends ×{BATCH}": (scale.batches, BATCH)}
    keys = [(s, c, v) for s in shapes for c in CASES for v in VARIANTS]
    tallies = {key: Tally() for key in keys}
    for _ in range(scale.rounds):
        for shape, case, variant in keys:
            count, per_call = shapes[shape]
            calls = _calls(shape, count, case=case, variant=variant)
            with _variant(variant):
                _measure(tallies[shape, case, variant], calls, per_call=per_call)
    for key in keys:
        _check(*key, tallies[key])
    return [_spend_row(key, tallies[key], tallies[(*key[:2], VARIANTS[0])]) for key in keys]


# --- 2. The stale-data check --------------------------------------------------------------------


def _freshen() -> None:
    """One spend now for every brand of bench.data but one in STALE_EVERY (on a serving
    campaign: a brand with none is never stale anyway)."""
    campaigns = (
        Campaign.objects.filter(brand__name__startswith="bench-brand-", is_active=True)
        .order_by("brand_id", "pk")
        .distinct("brand_id")
        .values_list("pk", "brand__name")
    )
    entries = [SpendEntry(pk, AMOUNT) for pk, name in campaigns if _number(name) % STALE_EVERY != 0]
    for start in range(0, len(entries), FRESH_BATCH):
        BudgetService.record_spends(entries[start : start + FRESH_BATCH])


def _number(name: str) -> int:
    return int(name.rsplit("-", 1)[1])


def _read_alone(cutoff: datetime) -> Callable[[datetime], object]:
    """The check's own read, run as SQL through a cursor: the database's part of the check."""
    sql, params = stale_brands(cutoff=cutoff).query.sql_with_params()

    def read(_: datetime) -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return read


def _count_brands(_: datetime) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {Brand._meta.db_table}")
        return cursor.fetchone()


def _check_at(now: datetime) -> object:
    return raise_stale_data_alerts(now=now)


def _stale_runs(cutoff: datetime, repeats: int) -> dict[str, tuple[float, int]]:
    """(median seconds, statements) of each run, at `now` = cutoff + BUDGET_STALE_AFTER."""
    now = cutoff + timedelta(seconds=settings.BUDGET_STALE_AFTER)
    first = []
    for _ in range(repeats):
        # As on the day's first run: no alert of today's yet (the delete is not timed).
        BudgetAlert.objects.filter(kind=STALE_KIND).delete()
        first.append(_timed(_check_at, now))
    runs = {
        "raise_stale_data_alerts, first run of the day": first,
        "raise_stale_data_alerts, again the same day": [
            _timed(_check_at, now) for _ in range(repeats)
        ],
        "the same read alone, SQL through a cursor": [
            _timed(_read_alone(cutoff), now) for _ in range(repeats)
        ],
        f"SELECT count(*) FROM {Brand._meta.db_table}": [
            _timed(_count_brands, now) for _ in range(repeats)
        ],
    }
    return {label: (median([s for s, _ in t]), t[-1][1]) for label, t in runs.items()}


def measure_stale(cutoff: datetime, repeats: int) -> list[dict[str, Any]]:
    """The stale-data check on the agency as it is, with its two references."""
    brands, campaigns = Brand.objects.count(), Campaign.objects.count()
    runs = _stale_runs(cutoff, repeats)
    stale = BudgetAlert.objects.filter(kind=STALE_KIND).count()
    expected = len(range(0, brands, STALE_EVERY))
    if stale != expected:
        raise BenchError(f"{brands} brands: {stale} stale-data alerts, not {expected}")
    read = runs["the same read alone, SQL through a cursor"][0]
    return [
        {
            "brands": brands,
            "campaigns": campaigns,
            "stale": stale,
            "run": label,
            "seconds": seconds,
            "statements": statements,
            "us_per_brand": seconds / brands * 1e6,
            "ratio_to_read": seconds / read if read else 0.0,
        }
        for label, (seconds, statements) in runs.items()
    ]


# --- 3. Pacing on list pages ----------------------------------------------------------------------


def _signed_in() -> Client:
    user = User.objects.create_superuser("bench-alerts", "bench@example.com", None)
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    client.force_login(user)
    return client


def measure_pages(client: Client, repeats: int) -> list[dict[str, Any]]:
    """Each page fetched once to warm caches, then `repeats` times (median server time)."""
    brands = Brand.objects.count()
    rows = []
    for label, name in PAGES:
        url = reverse(name)
        _fetch(client, url)
        runs = [_fetch(client, url) for _ in range(repeats)]
        status, _, size, queries = runs[-1]
        if status != 200:
            raise BenchError(f"{url} answered {status}")
        figure = PageFigure(label, url, status, median([r[1] for r in runs]), size / 1000, queries)
        shown = min(brands, BrandAdmin.list_per_page) if name.endswith("changelist") else None
        rows.append({**figure.as_dict(), "brands": brands, "rows": shown})
    return rows


# --- The workload -------------------------------------------------------------------------------


@contextmanager
def _no_broker() -> Iterator[mock.MagicMock]:
    """The alert email's after-commit request to the broker, counted but not sent."""
    with mock.patch("ads.services.alerts.queue_alert_email") as request:
        yield request


def _grow(scale: AlertScale, log: Callable[[str], None]) -> dict[str, list[dict[str, Any]]]:
    """Build the agency size by size; at each, the pages and the stale-data check it is for."""
    found: dict[str, list[dict[str, Any]]] = {"stale": [], "pages": []}
    client = _signed_in()
    built = 0
    for size in sorted({*scale.page_sizes, *scale.stale_sizes}):
        log(f"{size} brands × {scale.per_brand} campaigns")
        add_brands(built, size - built, scale.per_brand)
        built = size
        cutoff = timezone.now()
        _freshen()
        _vacuum()
        if size in scale.page_sizes:
            found["pages"] += measure_pages(client, scale.repeats)
        if size in scale.stale_sizes:
            found["stale"] += measure_stale(cutoff, scale.repeats)
    return found


def run(scale: AlertScale, *, log: Callable[[str], None]) -> dict[str, Any]:
    """The alerts workload in a throwaway database; returns its figures (format_table)."""
    started = datetime.now(UTC)
    load = os.getloadavg()
    storages = {**settings.STORAGES, "staticfiles": PLAIN_STATIC}
    with (
        override_settings(DEBUG=False, STORAGES=storages),
        throwaway_database() as name,
        _no_broker() as request,
    ):
        log(f"{name}: the pages and the stale-data check, size by size")
        result: dict[str, Any] = {"machine": machine(), **_grow(scale, log)}
        log("spends with and without alert levels")
        result["spends"] = measure_spends(scale)
        result["email_requests"] = request.call_count
    result["started_utc"] = f"{started:%Y-%m-%d %H:%M}"
    result["minutes"] = (datetime.now(UTC) - started).total_seconds() / 60
    result["load_average"] = {"start": list(load), "end": list(os.getloadavg())}
    return result


# --- The tables ---------------------------------------------------------------------------------


def _spend_table(rows: list[dict[str, Any]]) -> list[str]:
    headers = ["shape", "case", "variant", "entries", "events/s", "p50 ms", "p99 ms"]
    headers += ["stmts", "+stmts", "alert ins", "alert sel", "outbox", "alerts", "ratio"]
    return _table(
        headers,
        [
            [
                row["shape"],
                row["case"],
                row["variant"],
                str(row["entries"]),
                f"{row['events_per_second']:,.0f}",
                f"{row['p50_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                f"{row['statements_per_entry']:.2f}",
                f"{row['extra_statements_per_entry']:.2f}",
                f"{row['alert_inserts_per_entry']:.2f}",
                f"{row['alert_selects_per_entry']:.2f}",
                f"{row['outbox_statements_per_entry']:.2f}",
                f"{row['alerts_per_entry']:.2f}",
                f"{row['ratio']:.0%}",
            ]
            for row in rows
        ],
    )


def _stale_table(rows: list[dict[str, Any]]) -> list[str]:
    headers = ["run", "brands", "campaigns", "stale", "ms", "stmts", "µs/brand", "× read"]
    return _table(
        headers,
        [
            [
                row["run"],
                f"{row['brands']:,}",
                f"{row['campaigns']:,}",
                f"{row['stale']:,}",
                f"{row['seconds'] * 1000:.1f}",
                str(row["statements"]),
                f"{row['us_per_brand']:.2f}",
                f"{row['ratio_to_read']:.2f}",
            ]
            for row in rows
        ],
    )


def _page_table(rows: list[dict[str, Any]]) -> list[str]:
    return _table(
        ["page", "brands", "rows", "status", "ms", "KB", "queries"],
        [
            [
                row["page"],
                f"{row['brands']:,}",
                "" if row["rows"] is None else str(row["rows"]),
                str(row["status"]),
                f"{row['seconds'] * 1000:.1f}",
                f"{row['kilobytes']:.1f}",
                str(row["queries"]),
            ]
            for row in rows
        ],
    )


def format_table(result: dict[str, Any]) -> str:
    load = result["load_average"]
    return "\n".join(
        [
            f"Run {result['started_utc']} UTC, {result['minutes']:.1f} min, "
            f"{result['machine']['cpus']} CPUs, load average {load['start'][0]:.2f} at the "
            f"start, {load['end'][0]:.2f} at the end",
            "",
            "1. The alert check on a spend (per entry: statements, +stmts beyond check off, "
            "INSERTs and SELECTs of the alerts table, statements on the outbox's tables, "
            "alerts raised; p50/p99 per call; ratio: "
            f"events/s to check off; email requests counted, not sent: "
            f"{result['email_requests']})",
            *_spend_table(result["spends"]),
            "",
            "2. The stale-data check (median of the runs; × read: time over the same read alone)",
            *_stale_table(result["stale"]),
            "",
            "3. Pacing on list pages (median server time; rows: brands on the page)",
            *_page_table(result["pages"]),
        ]
    )
