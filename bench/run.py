"""The whole benchmark: build the agency, measure, compare with pgbench, return the figures."""

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django
from django.db import connection
from django.test.utils import override_settings

from bench.data import add_brands, agency
from bench.database import throwaway_database
from bench.ingest import Figure, Run, ingest
from bench.periodic import measure_tasks
from bench.pgbench import pgbench


@dataclass(frozen=True)
class Scale:
    name: str
    # The ingestion runs on the first; the periodic tasks are measured at each.
    brands: tuple[int, ...]
    per_brand: int
    # Each record_spend run lasts `seconds`, or `events` per process when seconds is None.
    seconds: float | None
    events: int
    batch_size: int
    batches: int
    repeats: int
    # Half flips are measured up to this many brands (None: at every size); the ingestion
    # runs only when `ingestion` is set.
    flips_up_to: int | None = None
    ingestion: bool = True


SCALES = {
    "tiny": Scale("tiny", (20, 200), 3, None, 50, 100, 3, 1),
    "full": Scale("full", (1_000, 10_000), 10, 8.0, 0, 1_000, 40, 3),
    # Issue 13, target 2: steady runs at 10,000 and 1,000,000 campaigns, the half flip at
    # 100,000 (at 1,000,000 it would switch 475,000 campaigns a run); no ingestion.
    "million": Scale("million", (1_000, 10_000, 100_000), 10, 8.0, 0, 1_000, 40, 3, 10_000, False),
}


def machine() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone() or ("?",)
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory / 1024**3, 1),
        "postgresql": server,
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
    }


def _vacuum() -> None:
    """VACUUM ANALYZE after seeding and before each measured run, so that no run pays for the
    dead rows the one before it left (a reference's 250,000 updates of the same 1,000 brands
    and 10,000 campaigns, or ours)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _pair(ours: Figure, reference: Figure) -> dict[str, Any]:
    """Our figure next to pgbench's at the same concurrency, brand spread and batch size."""
    ratio = ours.events_per_second / reference.events_per_second
    return {**ours.as_dict(), "reference": reference.label, "ratio": ratio}


def _ingestion(scale: Scale, pgbench_path: str, log: Callable[[str], None]) -> dict[str, Any]:
    shop = agency()
    workloads = {"hot brand": shop.hot_campaigns, "many brands": shop.campaigns}
    pairs = []
    for processes in (1, 4):
        for where, campaigns in workloads.items():
            log(f"pgbench and record_spend, {where}, {processes} processes")
            _vacuum()
            reference = pgbench(
                pgbench_path,
                f"pgbench INSERT + 2 UPDATEs, {where}",
                processes,
                campaigns,
                seconds=scale.seconds,
                transactions=scale.events,
            )
            runs = [
                Run(campaigns, f"p{processes}-{where}-{n}", scale.events, scale.seconds)
                for n in range(processes)
            ]
            _vacuum()
            pairs.append((ingest(f"record_spend, {where}", runs), reference))
    size = scale.batch_size
    log(f"pgbench and record_spends, batches of {size}")
    _vacuum()
    reference = pgbench(
        pgbench_path,
        f"pgbench INSERT + 2 UPDATEs ×{size}, many brands",
        1,
        shop.campaigns,
        seconds=scale.seconds,
        transactions=scale.batches,
        batch=size,
    )
    batched = Run(shop.campaigns, "batches", size * scale.batches, batch_size=size)
    _vacuum()
    ours = ingest(f"record_spends ×{size}, many brands", [batched], batched=True)
    pairs.append((ours, reference))
    return {
        "ingestion": [_pair(ours, reference) for ours, reference in pairs],
        "reference": [reference.as_dict() for _, reference in pairs],
    }


def run(scale: Scale, pgbench_path: str, log: Callable[[str], None]) -> dict[str, Any]:
    """Everything, in a throwaway database; returns the figures (see bench.report).

    DEBUG is off while measuring, as in production: with it on, Django logs every query.
    """
    with override_settings(DEBUG=False), throwaway_database() as name:
        result: dict[str, Any] = {"scale": scale.name, "machine": machine()}
        periodic = []
        built = 0
        for brands in scale.brands:
            log(f"{name}: {brands} brands × {scale.per_brand} campaigns")
            add_brands(built, brands - built, scale.per_brand)
            _vacuum()
            if not built and scale.ingestion:
                result.update(_ingestion(scale, pgbench_path, log))
                _vacuum()
            built = brands
            flips = scale.flips_up_to is None or brands <= scale.flips_up_to
            log("periodic tasks")
            periodic += measure_tasks(scale.repeats, flips=flips)
        result["periodic"] = [figure.as_dict() for figure in periodic]
    return result
