"""The outbox's cost: spends that pause a campaign, with and without the webhook outbox.

Every spend here reaches its campaign's daily cap (a cap of one spend), so each one pauses a
campaign and its sync writes one status change. Three variants, interleaved round by round so
a busy machine weighs on each alike:

- *outbox off*: `status_events` giving none, the baseline of a spend without it;
- *no endpoint*: the outbox as shipped with no active endpoint (events, no deliveries);
- *1 endpoint*: an active endpoint subscribed to all events (events, deliveries, and after
  commit one `send_task` to the broker).

No network delivery: the endpoint points at a closed port on loopback, no worker runs, and the
after-commit request to the broker (`request_delivery`, one `send_task`) is counted, not sent:
its cost is one broker round trip after the commit, outside these figures.
Single spends (`record_spend`) and batches (`record_spends`, each entry pausing
another campaign) are measured; statements are counted with QueryCounter.
"""

import secrets
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any
from unittest import mock

from django.test.utils import override_settings

from ads.models import Brand, Campaign, Event, WebhookEndpoint
from ads.services import BudgetService, SpendEntry
from bench.database import throwaway_database
from bench.ingest import AMOUNT
from bench.measure import QueryCounter, percentile, timed_calls

VARIANTS = ("outbox off", "no endpoint", "1 endpoint")
BATCH = 100


@dataclass(frozen=True)
class OutboxScale:
    spends: int  # single spends per variant and round
    batches: int  # batches of BATCH per variant and round
    rounds: int


OUTBOX_SCALES = {
    "tiny": OutboxScale(spends=20, batches=1, rounds=1),
    "full": OutboxScale(spends=400, batches=5, rounds=3),
}


@dataclass
class Tally:
    """One variant and shape, summed over its rounds."""

    events: int = 0
    seconds: float = 0.0
    statements: int = 0
    inserts: int = 0
    changes: int = 0
    rates: list[float] | None = None
    latencies: list[float] | None = None


class InsertCounter(QueryCounter):
    """Counts statements and, among them, those that insert: an INSERT, or a WITH whose
    statements insert (the outbox writes its events and deliveries in one)."""

    def __init__(self) -> None:
        super().__init__()
        self.inserts = 0

    def __call__(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        text = sql.lstrip().upper()
        if text.startswith("INSERT") or (text.startswith("WITH") and "INSERT INTO" in text):
            self.inserts += 1
        return super().__call__(execute, sql, *args)


_brands = iter(range(1_000_000))


def _capped_campaigns(count: int) -> list[Campaign]:
    """`count` serving campaigns of a new brand, each paused by its first spend of AMOUNT."""
    brand = Brand.objects.create(
        name=f"outbox-{next(_brands)}",
        daily_budget=Decimal("1000000000.00"),
        monthly_budget=Decimal("10000000000.00"),
    )
    return Campaign.objects.bulk_create(
        Campaign(brand=brand, name=f"c{n}", daily_cap=AMOUNT, is_active=True) for n in range(count)
    )


@contextmanager
def _variant(name: str) -> Iterator[None]:
    """The outbox as `name` says, for the block."""
    endpoint = None
    if name == "1 endpoint":
        # A closed port: nothing is sent anyway, as no worker runs.
        endpoint = WebhookEndpoint.objects.create(
            url="http://127.0.0.1:9/", secret=secrets.token_hex(16)
        )
    off = mock.patch("ads.services.campaigns.status_events", return_value=[])
    with off if name == "outbox off" else nullcontext():
        yield
    if endpoint is not None:
        endpoint.delete()


def _measure(tally: Tally, calls: list[Callable[[], object]], *, per_call: int) -> None:
    counter = InsertCounter()
    events_before = Event.objects.count()
    seconds, latencies = timed_calls(calls, counter)
    events = len(calls) * per_call
    tally.events += events
    tally.seconds += seconds
    tally.statements += counter.count
    tally.inserts += counter.inserts
    tally.changes += events  # every spend pauses its own campaign
    tally.rates = [*(tally.rates or []), events / seconds]
    tally.latencies = [*(tally.latencies or []), *latencies]
    # Sanity, not timing: the variant wrote what it says.
    written = Event.objects.count() - events_before
    if written not in (0, events):
        raise RuntimeError(f"expected 0 or {events} events, found {written}")


def _single_calls(count: int) -> list[Callable[[], object]]:
    return [
        partial(BudgetService.record_spend, campaign, AMOUNT)
        for campaign in _capped_campaigns(count)
    ]


def _batch_calls(count: int) -> list[Callable[[], object]]:
    calls: list[Callable[[], object]] = []
    for _ in range(count):
        entries = [SpendEntry(c.pk, AMOUNT) for c in _capped_campaigns(BATCH)]
        calls.append(partial(BudgetService.record_spends, entries))
    return calls


def _row(shape: str, variant: str, tally: Tally, baseline: Tally) -> dict[str, Any]:
    rate = statistics.median(tally.rates or [0.0])
    base_rate = statistics.median(baseline.rates or [0.0])
    return {
        "shape": shape,
        "variant": variant,
        "events": tally.events,
        "events_per_second": rate,
        "p50_ms": percentile(tally.latencies or [], 0.50) * 1000,
        "p99_ms": percentile(tally.latencies or [], 0.99) * 1000,
        "statements_per_change": tally.statements / tally.changes,
        "inserts_per_change": tally.inserts / tally.changes,
        "extra_statements_per_change": (tally.statements - baseline.statements) / tally.changes,
        "extra_inserts_per_change": (tally.inserts - baseline.inserts) / tally.changes,
        "ratio": rate / base_rate if base_rate else 0.0,
    }


@contextmanager
def _no_broker() -> Iterator[mock.MagicMock]:
    """The after-commit request to the broker, counted but not sent: no network at all."""
    with mock.patch("ads.services.events.request_delivery") as request:
        yield request


def measure(scale: OutboxScale) -> tuple[list[dict[str, Any]], int]:
    """Every variant for single spends and batches, interleaved by round."""
    shapes: dict[str, tuple[Callable[[int], list[Callable[[], object]]], int, int]] = {
        "record_spend": (_single_calls, scale.spends, 1),
        f"record_spends ×{BATCH}": (_batch_calls, scale.batches, BATCH),
    }
    tallies = {(shape, variant): Tally() for shape in shapes for variant in VARIANTS}
    with _no_broker() as request:
        # Uncounted: the connection's first spend prepares a spend's statements
        # (ads.sql.prepared), which no later spend sends again.
        with _variant("outbox off"):
            for call in _single_calls(1):
                call()
        for _ in range(scale.rounds):
            for shape, (build, count, per_call) in shapes.items():
                for variant in VARIANTS:
                    calls = build(count)
                    with _variant(variant):
                        _measure(tallies[shape, variant], calls, per_call=per_call)
        requests = request.call_count
    rows = [
        _row(shape, variant, tallies[shape, variant], tallies[shape, VARIANTS[0]])
        for shape in shapes
        for variant in VARIANTS
    ]
    return rows, requests


def run(scale: OutboxScale, *, log: Callable[[str], None]) -> dict[str, Any]:
    """The outbox workload in a throwaway database; returns its figures (format_table)."""
    with override_settings(DEBUG=False), throwaway_database() as name:
        log(f"{name}: spends that pause campaigns, with and without the outbox")
        rows, requests = measure(scale)
        return {"outbox": rows, "delivery_requests": requests}


def format_table(result: dict[str, Any]) -> str:
    lines = [
        "The outbox: spends that each pause a campaign (statements and INSERTs per status "
        "change; extra: beyond outbox off; ratio: events/s to outbox off)",
        "",
        f"{'shape':<18} {'variant':<12} {'events':>6} {'events/s':>9} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'stmts':>6} {'inserts':>7} {'+stmts':>6} {'+ins':>5} {'ratio':>6}",
    ]
    for row in result["outbox"]:
        lines.append(
            f"{row['shape']:<18} {row['variant']:<12} {row['events']:>6} "
            f"{row['events_per_second']:>9,.0f} {row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} "
            f"{row['statements_per_change']:>6.2f} {row['inserts_per_change']:>7.2f} "
            f"{row['extra_statements_per_change']:>6.2f} {row['extra_inserts_per_change']:>5.2f} "
            f"{row['ratio']:>6.0%}"
        )
    return "\n".join(lines)
