"""The three periodic task bodies: seconds, statements and memory, each in a fresh process.

Two cases per task: "steady", nothing to change (the usual run), and "half flip", the clock
moved 36 hours so every dayparted campaign (half of them) flips and, for the reset, every brand
rolls into another day: the most one run can have to do.
"""

import multiprocessing
from dataclasses import dataclass
from typing import Any

from django.db import connection

from ads.models import Brand, Campaign
from bench.task_cases import TASKS
from bench.worker import measure_in_fresh_process

SPAWN = multiprocessing.get_context("spawn")


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


def measure_tasks(repeats: int, *, flips: bool = True) -> list[TaskFigure]:
    """Each task's cases, each task in a fresh process; the half flips only with `flips`."""
    brands, campaigns = Brand.objects.count(), Campaign.objects.count()
    database = str(connection.settings_dict["NAME"])
    figures = []
    for name in TASKS:
        with SPAWN.Pool(1) as pool:
            cases = pool.apply(measure_in_fresh_process, (name, repeats, database, flips))
        figures += [
            TaskFigure(name, brands, campaigns, case, seconds, queries, peak, rss)
            for case, seconds, queries, peak, rss in cases
        ]
    return figures
