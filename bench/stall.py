"""`manage.py bench --workload stall`: do spends wait while the periodic tasks run? (issue 13, 1)

At two sizes, `record_spend` runs from several processes for a fixed time twice: alone, then
while another process runs the three periodic tasks back to back, through `ads.tasks` so that
the periodic-work lock is taken as in production. Every other round of that loop starts with a
half flip: a sweep under the same lock with the clock moved 36 hours (`SHIFT`), so every
dayparted campaign within budget switches; the next `enforce_budgets`, at the real clock,
switches them back. The figures: p50, p99 and events/s of each run, and the ratios of the run
with the tasks to the run without (target: p99 within 2x, at least half the throughput).
"""

import multiprocessing
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
    "full": StallScale((2_000, 10_000), 10, 12.0),
}


def _half_flip() -> dict[str, int]:
    """A sweep as `enforce_dayparting` runs it, but 36 hours from now: half the campaigns flip."""
    with periodic_work_lock():
        result = CampaignService.sweep(Cause.ENFORCE_DAYPARTING, now=timezone.now() + SHIFT)
    return {"activated": len(result.activated), "paused": len(result.paused)}


TASKS: tuple[Callable[[], dict[str, int]], ...] = (
    tasks.enforce_budgets,
    tasks.enforce_dayparting,
    tasks.reset_daily_monthly_spends,
)


def _round(number: int) -> list[Callable[[], dict[str, int]]]:
    return [_half_flip, *TASKS] if number % 2 == 0 else list(TASKS)


def _switched(counts: dict[str, int]) -> int:
    return counts.get("activated", 0) + counts.get("paused", 0)


def _sweep_back_to_back(ready: Event, stop: Event, report: "multiprocessing.Queue[Any]") -> None:
    """The other process: one settling round, then rounds of the tasks until told to stop.

    The stop is looked at between task runs, so the last run may end a little after the spends.
    """
    for task in TASKS:
        task()
    ready.set()
    runs = flips = switched = rounds = 0
    busy = 0.0
    while not stop.is_set():
        for task in _round(rounds):
            if stop.is_set():
                break
            before = time.perf_counter()
            switched += _switched(task())
            busy += time.perf_counter() - before
            runs += 1
            flips += task is _half_flip
        rounds += 1
    connections.close_all()
    report.put({"runs": runs, "half_flips": flips, "switched": switched, "busy_seconds": busy})


def _spend(campaigns: list[int], tag: str, seconds: float) -> Figure:
    runs = [Run(campaigns, f"{tag}-{n}", 0, seconds) for n in range(PROCESSES)]
    return ingest(f"record_spend, many brands, {tag}", runs)


def _with_sweeps(campaigns: list[int], tag: str, seconds: float) -> tuple[Figure, dict[str, Any]]:
    """Spends while a forked process runs the periodic tasks back to back."""
    connections.close_all()
    ready, stop, report = FORK.Event(), FORK.Event(), FORK.Queue()
    sweeper = FORK.Process(target=_sweep_back_to_back, args=(ready, stop, report))
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


def _measure_size(seconds: float, log: Callable[[str], None]) -> dict[str, Any]:
    shop = agency()
    size = shop.brands * shop.per_brand
    log(f"stall: {size} campaigns, spends alone")
    alone = _spend(shop.campaigns, f"alone-{size}", seconds)
    log(f"stall: {size} campaigns, spends while the periodic tasks run")
    during, sweeps = _with_sweeps(shop.campaigns, f"sweeps-{size}", seconds)
    p99_ratio = during.p99_ms / alone.p99_ms if alone.p99_ms else 0.0
    throughput_ratio = (
        during.events_per_second / alone.events_per_second if alone.events_per_second else 0.0
    )
    return {
        "brands": shop.brands,
        "campaigns": size,
        "alone": alone.as_dict(),
        "with_tasks": during.as_dict(),
        "tasks": sweeps,
        "p99_ratio": p99_ratio,
        "throughput_ratio": throughput_ratio,
        "met": p99_ratio <= P99_WITHIN and throughput_ratio >= THROUGHPUT_AT_LEAST,
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
        tasks_run = row["tasks"]
        rows.append([str(row["campaigns"]), "alone", *_spend_cells(row["alone"]), "", "", ""])
        rows.append(
            [
                str(row["campaigns"]),
                f"with tasks ({tasks_run['runs']} runs, {tasks_run['half_flips']} half flips, "
                f"{tasks_run['switched']} switches)",
                *_spend_cells(row["with_tasks"]),
                f"{row['p99_ratio']:.2f}x",
                f"{row['throughput_ratio']:.0%}",
                "met" if row["met"] else "missed",
            ]
        )
    headers = ["campaigns", "spends", "events", "events/s", "p50 ms", "p99 ms"]
    lines += _table([*headers, "p99 ratio", "throughput", "target"], rows)
    return "\n".join(lines)
