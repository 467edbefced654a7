"""One periodic task body measured in this process: seconds, statements and memory.

Run in a fresh process spawned by `bench.periodic` (through `bench.worker`), so that the peak
RSS is the task's own, not that of the process that built the data.
"""

import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from ads.services import BudgetService, CampaignService, Cause
from bench.measure import QueryCounter, median

TASKS: dict[str, Callable[[datetime], object]] = {
    "enforce_budgets": lambda now: CampaignService.safety_net(Cause.ENFORCE_BUDGETS, now=now),
    "enforce_dayparting": lambda now: CampaignService.sweep_due(Cause.ENFORCE_DAYPARTING, now=now),
    "reset_daily_monthly_spends": lambda now: BudgetService.reset_daily_monthly_spends(now=now),
}
SHIFT = timedelta(hours=36)
MB = 1024 * 1024


def _peak_rss() -> float:
    """The peak resident set size of this process so far (ru_maxrss, KiB on Linux), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB


def _timed(task: Callable[[datetime], object], now: datetime) -> tuple[float, int]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        before = time.perf_counter()
        task(now)
        seconds = time.perf_counter() - before
    return seconds, counter.count


def _traced_peak(task: Callable[[datetime], object], now: datetime) -> float:
    tracemalloc.start()
    try:
        task(now)
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


Case = tuple[str, float, int, float, float]


def measure(name: str, repeats: int, *, flips: bool = True) -> list[Case]:
    """(case, median seconds, statements, traced peak MB, peak RSS MB) of one task, here.

    Runs in a fresh process (bench.worker), so the peak RSS is the task's, not the builder's.
    Without `flips`, the steady case only.
    """
    task = TASKS[name]
    here = timezone.now()
    there = here + SHIFT
    task(here)  # settle: from now on a run at `here` changes nothing
    steady = [_timed(task, here) for _ in range(repeats)]
    steady_rss = _peak_rss()
    if not flips:
        return [
            (
                "steady",
                median([s for s, _ in steady]),
                steady[-1][1],
                _traced_peak(task, here),
                steady_rss,
            )
        ]
    flipped = [_timed(task, there if n % 2 == 0 else here) for n in range(repeats)]
    flip_rss = _peak_rss()
    last = there if repeats % 2 else here
    steady_peak = _traced_peak(task, last)
    flip_peak = _traced_peak(task, here if last is there else there)
    return [
        ("steady", median([s for s, _ in steady]), steady[-1][1], steady_peak, steady_rss),
        ("half flip", median([s for s, _ in flipped]), flipped[-1][1], flip_peak, flip_rss),
    ]
