"""Small measuring tools shared by the workloads."""

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (nearest rank) of `samples`; 0 for none."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else 0.0


class QueryCounter:
    """Counts the statements Django sends (connection.execute_wrapper); fetches not included."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def timed_calls(
    calls: Sequence[Callable[[], object]], counter: QueryCounter
) -> tuple[float, list[float]]:
    """Run `calls` one after another with `counter` counting their statements: the seconds
    they took in all, and each one's."""
    latencies = []
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        for call in calls:
            before = time.perf_counter()
            call()
            latencies.append(time.perf_counter() - before)
        seconds = time.perf_counter() - started
    return seconds, latencies
