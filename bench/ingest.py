"""Spend ingestion: `record_spend` from 1 and 4 OS processes, `record_spends` in batches.

Each process has its own connection; all of them start together at a barrier, so events/s is
the events of all processes over the span from the first start to the last finish.
"""

import math
import multiprocessing
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from multiprocessing.synchronize import Barrier
from typing import Any

from django.db import connections

from ads.models import Campaign
from ads.services import BudgetService, SpendEntry
from bench.measure import percentile

AMOUNT = Decimal("0.01")
FORK = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class Figure:
    """One row of the ingestion table."""

    label: str
    processes: int
    events: int
    events_per_second: float
    p50_ms: float
    p99_ms: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Run:
    """What one worker process does: spend on these campaigns, for so many events or seconds."""

    campaigns: list[int]
    tag: str
    events: int
    seconds: float | None = None
    batch_size: int = 1


_start_line: Barrier | None = None


def _join_start_line(barrier: Barrier) -> None:
    global _start_line  # one barrier per forked worker, set once
    _start_line = barrier


def _wait_for_the_others() -> None:
    if _start_line is None:
        raise RuntimeError("a worker must be started by ingest()")
    _start_line.wait(timeout=300)


def _keep_going(run: Run, done: int, deadline: float) -> bool:
    return time.monotonic() < deadline if run.seconds else done < run.events


def _record_spend(run: Run) -> tuple[float, float, list[float]]:
    """One process's part: record_spend one event at a time; (start, end, latencies)."""
    rng = random.Random(run.tag)
    campaigns = list(Campaign.objects.filter(pk__in=run.campaigns))
    _wait_for_the_others()
    latencies: list[float] = []
    started = time.monotonic()
    deadline = started + (run.seconds or math.inf)
    while _keep_going(run, len(latencies), deadline):
        campaign = rng.choice(campaigns)
        before = time.perf_counter()
        BudgetService.record_spend(campaign, AMOUNT, external_id=f"{run.tag}-{len(latencies)}")
        latencies.append(time.perf_counter() - before)
    finished = time.monotonic()
    connections.close_all()
    return started, finished, latencies


def _record_spends(run: Run) -> tuple[float, float, list[float]]:
    """One process's part: record_spends in batches; latencies are per batch."""
    rng = random.Random(run.tag)
    _wait_for_the_others()
    latencies: list[float] = []
    started = time.monotonic()
    for number in range(run.events // run.batch_size):
        entries = [
            SpendEntry(rng.choice(run.campaigns), AMOUNT, external_id=f"{run.tag}-{number}-{n}")
            for n in range(run.batch_size)
        ]
        before = time.perf_counter()
        BudgetService.record_spends(entries)
        latencies.append(time.perf_counter() - before)
    finished = time.monotonic()
    connections.close_all()
    return started, finished, latencies


def ingest(label: str, runs: list[Run], *, batched: bool = False) -> Figure:
    """Run `runs` in as many forked processes at once and sum up their events."""
    connections.close_all()
    worker = _record_spends if batched else _record_spend
    with FORK.Pool(
        len(runs), initializer=_join_start_line, initargs=(FORK.Barrier(len(runs)),)
    ) as pool:
        parts = pool.map(worker, runs, chunksize=1)
    latencies = [latency for _, _, part in parts for latency in part]
    per_event = [run.batch_size for run in runs]
    events = sum(len(part) * size for (_, _, part), size in zip(parts, per_event, strict=True))
    span = max(end for _, end, _ in parts) - min(start for start, _, _ in parts)
    return Figure(
        label=label,
        processes=len(runs),
        events=events,
        events_per_second=events / span if span else 0.0,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )
