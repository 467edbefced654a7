"""`manage.py bench --workload stall`: do spends wait while the periodic tasks run? (issue 13, 1)

At two sizes, `record_spend` runs from several processes for a fixed time twice: alone, then
while another process runs the three periodic tasks back to back, through `ads.tasks` so that
the periodic-work lock is taken as in production. Every other round of that loop starts with a
half flip: a sweep under the same lock with the clock moved 36 hours (`SHIFT`), so every
dayparted campaign within budget switches; the next `enforce_budgets`, at the real clock,
switches them back. The figures: p50, p99 and events/s of each run, and the ratios of the run
with the tasks to the run without (target: p99 within 2x, at least half the throughput).
A third run, with the tasks but no half flip, locks nothing at all: it tells what the spends
lose to sharing the machine with the tasks from what they lose waiting on the sweeps' locks.
"""

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import Any

from django.db import connection, connections
from django.test.utils import override_settings
from django.utils import timezone

from ads import tasks
from ads.services import CampaignService, Cause
from ads.sql.locks import periodic_work_lock
from bench.data import add_brands, agency
from bench.database import throwaway_database
from bench.ingest import FORK, Figure, Run, ingest
from bench.report import _table
from bench.run import machine
from bench.task_cases import SHIFT

PROCESSES = 4
P99_WITHIN = 2.0
THROUGHPUT_AT_LEAST = 0.5


@dataclass(frozen=True)
class StallScale:
    """Brands at each size (`per_brand` campaigns each) and how long each spend run lasts."""

    brands: tuple[int, ...]
    per_brand: int
    seconds: float


STALL_SCALES = {
    "tiny": StallScale((20, 60), 3, 1.0),
    # Long enough at 100,000 campaigns for a half flip and the run that switches back (~20 s each).
    "full": StallScale((2_000, 10_000), 10, 30.0),
}


def _half_flip() -> dict[str, int]:
    """A sweep as `enforce_dayparting` runs it, but 36 hours from now: half the campaigns flip."""
    with periodic_work_lock():
        result = CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING, now=timezone.now() + SHIFT)
    return {"activated": len(result.activated), "paused": len(result.paused)}


TASKS: tuple[Callable[[], dict[str, int]], ...] = (
    tasks.enforce_budgets,
    tasks.enforce_dayparting,
    tasks.reset_daily_monthly_spends,
)


def _round(number: int, *, flips: bool) -> list[Callable[[], dict[str, int]]]:
    return [_half_flip, *TASKS] if flips and number % 2 == 0 else list(TASKS)


def _switched(counts: dict[str, int]) -> int:
    return counts.get("activated", 0) + counts.get("paused", 0)


def _sweep_back_to_back(
    ready: Event, stop: Event, report: "multiprocessing.Queue[Any]", flips: bool
) -> None:
    """The other process: one settling round, then rounds of the tasks until told to stop.

    The stop is looked at between task runs, so the last run may end a little after the spends.
    Without `flips` nothing changes, so no brand is ever locked: what the spends lose then is
    the CPU and the database the tasks share with them, not a wait on a lock.
    """
    for task in TASKS:
        task()
    ready.set()
    runs = flipped = switched = rounds = 0
    busy = flipping = 0.0
    while not stop.is_set():
        for task in _round(rounds, flips=flips):
            if stop.is_set():
                break
            before = time.perf_counter()
            switched += _switched(task())
            seconds = time.perf_counter() - before
            busy += seconds
            runs += 1
            if task is _half_flip:
                flipped += 1
                flipping += seconds
        rounds += 1
    connections.close_all()
    report.put(
        {
            "runs": runs,
            "half_flips": flipped,
            "switched": switched,
            "busy_seconds": busy,
            "half_flip_seconds": flipping,
        }
    )


def _spend(campaigns: list[int], tag: str, seconds: float) -> Figure:
    runs = [Run(campaigns, f"{tag}-{n}", 0, seconds) for n in range(PROCESSES)]
    return ingest(f"record_spend, many brands, {tag}", runs)


def _with_sweeps(
    campaigns: list[int], tag: str, seconds: float, *, flips: bool
) -> tuple[Figure, dict[str, Any]]:
    """Spends while a forked process runs the periodic tasks back to back."""
    connections.close_all()
    ready, stop, report = FORK.Event(), FORK.Event(), FORK.Queue()
    sweeper = FORK.Process(target=_sweep_back_to_back, args=(ready, stop, report, flips))
    sweeper.start()
    try:
        if not ready.wait(timeout=600):
            raise RuntimeError("the periodic tasks did not settle within 10 minutes")
        figure = _spend(campaigns, tag, seconds)
    finally:
        stop.set()
    sweeps: dict[str, Any] = report.get(timeout=600)
    sweeper.join(timeout=60)
    return figure, sweeps


def _load() -> float:
    """The machine's 1-minute load average: other work on a shared machine skews a run."""
    return os.getloadavg()[0]


def _ratios(alone: Figure, during: Figure) -> dict[str, Any]:
    p99 = during.p99_ms / alone.p99_ms if alone.p99_ms else 0.0
    throughput = (
        during.events_per_second / alone.events_per_second if alone.events_per_second else 0.0
    )
    return {
        "p99_ratio": p99,
        "throughput_ratio": throughput,
        "met": p99 <= P99_WITHIN and throughput >= THROUGHPUT_AT_LEAST,
    }


def _measure_size(seconds: float, log: Callable[[str], None]) -> dict[str, Any]:
    """Spends alone, with the tasks (half flips included), and with steady tasks only.

    The steady-only run locks nothing: the gap between it and the run with half flips is what
    the locks cost the spends; the gap between it and the run alone is the shared machine's.
    """
    shop = agency()
    size = shop.brands * shop.per_brand
    log(f"stall: {size} campaigns, spends alone")
    load = {"alone": _load()}
    alone = _spend(shop.campaigns, f"alone-{size}", seconds)
    log(f"stall: {size} campaigns, spends while the periodic tasks run")
    load["with_tasks"] = _load()
    during, sweeps = _with_sweeps(shop.campaigns, f"sweeps-{size}", seconds, flips=True)
    log(f"stall: {size} campaigns, spends while steady periodic tasks run (no locks)")
    load["with_steady_tasks"] = _load()
    steady, steady_sweeps = _with_sweeps(shop.campaigns, f"steady-{size}", seconds, flips=False)
    return {
        "brands": shop.brands,
        "campaigns": size,
        "alone": alone.as_dict(),
        "with_tasks": during.as_dict(),
        "tasks": sweeps,
        **_ratios(alone, during),
        "with_steady_tasks": steady.as_dict(),
        "steady_tasks": steady_sweeps,
        "steady": _ratios(alone, steady),
        "load_average": load,
    }


def _vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def run(scale_name: str, *, log: Callable[[str], None]) -> dict[str, Any]:
    """The stall workload at each size of the scale, in a throwaway database; the figures."""
    scale = STALL_SCALES.get(scale_name, STALL_SCALES["full"])
    with override_settings(DEBUG=False), throwaway_database() as name:
        result: dict[str, Any] = {
            "scale": scale_name,
            "machine": machine(),
            "processes": PROCESSES,
            "seconds": scale.seconds,
            "stall": [],
        }
        built = 0
        for brands in scale.brands:
            log(f"{name}: {brands} brands × {scale.per_brand} campaigns")
            add_brands(built, brands - built, scale.per_brand)
            built = brands
            _vacuum()
            result["stall"].append(_measure_size(scale.seconds, log))
    return result


def _spend_cells(figure: dict[str, Any]) -> list[str]:
    return [
        str(figure["events"]),
        f"{figure['events_per_second']:,.0f}",
        f"{figure['p50_ms']:.2f}",
        f"{figure['p99_ms']:.2f}",
    ]


def _with_row(
    row: dict[str, Any],
    label: str,
    figure: dict[str, Any],
    tasks_run: dict[str, Any],
    ratios: dict[str, Any],
) -> list[str]:
    return [
        str(row["campaigns"]),
        f"{label} ({tasks_run['runs']} runs, {tasks_run['half_flips']} half flips, "
        f"{tasks_run['switched']} switches)",
        *_spend_cells(figure),
        f"{ratios['p99_ratio']:.2f}x",
        f"{ratios['throughput_ratio']:.0%}",
        "met" if ratios["met"] else "missed",
    ]


def format_table(result: dict[str, Any]) -> str:
    info = result["machine"]
    lines = [
        f"Scale {result['scale']}: {info['cpus']} CPUs, {info['memory_gb']} GB, PostgreSQL "
        f"{info['postgresql']}, Python {info['python']}, Django {info['django']}",
        "",
        f"No stall: record_spend from {result['processes']} processes for "
        f"{result['seconds']:g} s, alone and while the periodic tasks run back to back "
        f"(target: p99 within {P99_WITHIN:g}x, throughput at least {THROUGHPUT_AT_LEAST:.0%})",
    ]
    rows = []
    for row in result["stall"]:
        rows.append([str(row["campaigns"]), "alone", *_spend_cells(row["alone"]), "", "", ""])
        rows.append(_with_row(row, "with tasks", row["with_tasks"], row["tasks"], row))
        rows.append(
            _with_row(
                row,
                "steady tasks only",
                row["with_steady_tasks"],
                row["steady_tasks"],
                row["steady"],
            )
        )
    headers = ["campaigns", "spends", "events", "events/s", "p50 ms", "p99 ms"]
    lines += _table([*headers, "p99 ratio", "throughput", "target"], rows)
    return "\n".join(line.rstrip() for line in lines)
