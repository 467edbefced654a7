"""The three periodic task bodies: seconds, statements and memory, each in a fresh process.

Two cases per task: "steady", nothing to change (the usual run), and "half flip", the clock
moved 36 hours so every dayparted campaign (half of them) flips and, for the reset, every brand
rolls into another day: the most one run can have to do.
"""

import multiprocessing
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from ads.models import Brand, Campaign
from ads.services import BudgetService, CampaignService, Cause
from bench.measure import QueryCounter, median
from bench.worker import measure_in_fresh_process

TASKS: dict[str, Callable[[datetime], object]] = {
    "enforce_budgets": lambda now: CampaignService.sync_all(Cause.ENFORCE_BUDGETS, now=now),
    "enforce_dayparting": lambda now: CampaignService.sync_all(Cause.ENFORCE_DAYPARTING, now=now),
    "reset_daily_monthly_spends": lambda now: BudgetService.reset_daily_monthly_spends(now=now),
}
SHIFT = timedelta(hours=36)
SPAWN = multiprocessing.get_context("spawn")
MB = 1024 * 1024


@dataclass(frozen=True)
class TaskFigure:
    """One row of the periodic table. Memory: tracemalloc's peak of Python allocations during
    one run, and the peak RSS (ru_maxrss) of the fresh process that ran the task, Django and
    all, after the untraced runs of the case."""

    task: str
    brands: int
    campaigns: int
    case: str
    seconds: float
    queries: int
    traced_peak_mb: float
    peak_rss_mb: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


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


def measure(name: str, repeats: int) -> list[Case]:
    """(case, median seconds, statements, traced peak MB, peak RSS MB) of one task, here.

    Runs in a fresh process (bench.worker), so the peak RSS is the task's, not the builder's.
    """
    task = TASKS[name]
    here = timezone.now()
    there = here + SHIFT
    task(here)  # settle: from now on a run at `here` changes nothing
    steady = [_timed(task, here) for _ in range(repeats)]
    steady_rss = _peak_rss()
    flips = [_timed(task, there if n % 2 == 0 else here) for n in range(repeats)]
    flip_rss = _peak_rss()
    last = there if repeats % 2 else here
    steady_peak = _traced_peak(task, last)
    flip_peak = _traced_peak(task, here if last is there else there)
    return [
        ("steady", median([s for s, _ in steady]), steady[-1][1], steady_peak, steady_rss),
        ("half flip", median([s for s, _ in flips]), flips[-1][1], flip_peak, flip_rss),
    ]


def measure_tasks(repeats: int) -> list[TaskFigure]:
    brands, campaigns = Brand.objects.count(), Campaign.objects.count()
    database = str(connection.settings_dict["NAME"])
    figures = []
    for name in TASKS:
        with SPAWN.Pool(1) as pool:
            cases = pool.apply(measure_in_fresh_process, (name, repeats, database))
        figures += [
            TaskFigure(name, brands, campaigns, case, seconds, queries, peak, rss)
            for case, seconds, queries, peak, rss in cases
        ]
    return figures
