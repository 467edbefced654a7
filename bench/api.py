"""The HTTP API's cost: POST /api/v1/spend through gunicorn on loopback, next to in-process.

In a throwaway database with the agency of bench.data, it starts `gunicorn budget_system.wsgi`
(2 workers, 127.0.0.1, a free port, DEBUG off, plain HTTP) and posts spends with an `ingest`
key: one spend per request from 1 and 4 client threads (each with its own keep-alive
`requests.Session`), and batches of 100 and 1,000 from one thread. Each shape is set next to
`record_spend` / `record_spends` on the same database, same campaigns, from as many processes
(bench.ingest), and given as the ratio API / in-process.
"""

import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from ads.services.api_keys import create_key
from bench.data import add_brands, agency
from bench.database import BenchError, throwaway_database
from bench.ingest import AMOUNT, Figure, Run, ingest
from bench.measure import percentile

WORKERS = 2
STARTUP_SECONDS = 60.0
BATCH_SIZES = (100, 1_000)


@dataclass(frozen=True)
class ApiScale:
    brands: int
    per_brand: int
    # Single-spend requests per client thread, and batches of each size.
    requests: int
    batches: int


API_SCALES = {
    "tiny": ApiScale(brands=20, per_brand=3, requests=30, batches=2),
    "full": ApiScale(brands=1_000, per_brand=10, requests=1_500, batches=20),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _database_url() -> str:
    """The URL of the database the block works in (the throwaway one), for gunicorn's workers."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _server_environment() -> dict[str, str]:
    """Production's settings (DEBUG off, fresh key), but plain HTTP on 127.0.0.1."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def _wait_until_it_answers(server: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode} before answering")
        try:
            if requests.get(f"{base}/api/v1/openapi.json", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still booting
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer on {base} within {STARTUP_SECONDS:.0f} s")


@contextmanager
def gunicorn() -> Iterator[str]:
    """gunicorn serving the app on the block's database; its base URL. Stopped at the end."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "budget_system.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--keep-alive",
            "30",
        ],
        cwd=settings.BASE_DIR,
        env=_server_environment(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_it_answers(server, base)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass(frozen=True)
class Poster:
    """What one client thread posts: `bodies` to /api/v1/spend, one request each."""

    base: str
    key: str
    bodies: list[Any]


def _post_all(poster: Poster, barrier: threading.Barrier) -> tuple[float, float, list[float]]:
    """One client thread: post its bodies on one keep-alive session; (start, end, latencies)."""
    url = f"{poster.base}/api/v1/spend"
    latencies = []
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {poster.key}"
        barrier.wait(timeout=300)
        started = time.monotonic()
        for body in poster.bodies:
            before = time.perf_counter()
            response = session.post(url, json=body, timeout=120)
            latencies.append(time.perf_counter() - before)
            if response.status_code != 201:
                raise BenchError(f"POST /api/v1/spend: {response.status_code} {response.text}")
        return started, time.monotonic(), latencies


def _spends(campaigns: list[int], tag: str, count: int) -> list[dict[str, Any]]:
    rng = random.Random(tag)
    return [
        {"campaign_id": rng.choice(campaigns), "amount": str(AMOUNT), "external_id": f"{tag}-{n}"}
        for n in range(count)
    ]


def post(label: str, posters: list[Poster], *, batch_size: int = 1) -> Figure:
    """Run `posters` in as many threads at once; events/s over the span of all of them."""
    barrier = threading.Barrier(len(posters))
    parts: list[tuple[float, float, list[float]]] = [(0.0, 0.0, [])] * len(posters)
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            parts[number] = _post_all(posters[number], barrier)
        except BaseException as error:  # re-raised below, in the caller's thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(posters))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    latencies = [latency for _, _, part in parts for latency in part]
    span = max(end for _, end, _ in parts) - min(start for start, _, _ in parts)
    events = len(latencies) * batch_size
    return Figure(
        label=label,
        processes=len(posters),
        events=events,
        events_per_second=events / span if span else 0.0,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )


def _pair(api: Figure, local: Figure) -> dict[str, Any]:
    return {
        "api": api.as_dict(),
        "in_process": local.as_dict(),
        "ratio": api.events_per_second / local.events_per_second,
    }


def _singles(scale: ApiScale, base: str, key: str, campaigns: list[int]) -> list[dict[str, Any]]:
    pairs = []
    for clients in (1, 4):
        count = scale.requests // clients
        posters = [
            Poster(base, key, _spends(campaigns, f"api-{clients}-{n}", count))
            for n in range(clients)
        ]
        api = post("POST /api/v1/spend, one spend", posters)
        runs = [Run(campaigns, f"local-{clients}-{n}", count) for n in range(clients)]
        pairs.append(_pair(api, ingest("record_spend", runs)))
    return pairs


def _batches(scale: ApiScale, base: str, key: str, campaigns: list[int]) -> list[dict[str, Any]]:
    pairs = []
    for size in BATCH_SIZES:
        bodies = [_spends(campaigns, f"api-batch-{size}-{n}", size) for n in range(scale.batches)]
        api = post(f"POST /api/v1/spend, ×{size}", [Poster(base, key, bodies)], batch_size=size)
        run = Run(campaigns, f"local-batch-{size}", size * scale.batches, batch_size=size)
        local = ingest(f"record_spends ×{size}", [run], batched=True)
        pairs.append(_pair(api, local))
    return pairs


def run(scale: ApiScale, *, log: Callable[[str], None]) -> dict[str, Any]:
    """The API workload in a throwaway database; returns its figures (format_table)."""
    with override_settings(DEBUG=False), throwaway_database() as name:
        log(f"{name}: {scale.brands} brands × {scale.per_brand} campaigns, for the API")
        add_brands(0, scale.brands, scale.per_brand)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        campaigns = agency().campaigns
        key = create_key("bench", scopes=["ingest"]).key
        with gunicorn() as base:
            # Each worker's first requests load code and open its connection: not measured.
            post("warm-up", [Poster(base, key, _spends(campaigns, "warm", 10))] * WORKERS)
            log(f"gunicorn on {base}, {WORKERS} workers: single spends")
            rows = _singles(scale, base, key, campaigns)
            log("batches")
            rows += _batches(scale, base, key, campaigns)
        return {"brands": scale.brands, "campaigns": len(campaigns), "api": rows}


def _cells(figure: dict[str, Any]) -> list[str]:
    return [
        str(figure["processes"]),
        str(figure["events"]),
        f"{figure['events_per_second']:,.0f}",
        f"{figure['p50_ms']:.2f}",
        f"{figure['p99_ms']:.2f}",
    ]


def format_table(result: dict[str, Any]) -> str:
    lines = [
        f"The HTTP API through gunicorn ({WORKERS} workers) on loopback, next to in-process, "
        f"{result['brands']:,} brands, {result['campaigns']:,} campaigns within budget "
        "(procs: client threads or processes; p50/p99 per request or call)",
        "",
        f"{'workload':<34} {'procs':>5} {'events':>7} {'events/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8}  API / in-process",
    ]
    for row in result["api"]:
        for side in ("api", "in_process"):
            figure = row[side]
            procs, events, rate, p50, p99 = _cells(figure)
            ratio = f"{row['ratio']:.0%}" if side == "api" else ""
            lines.append(
                f"{figure['label']:<34} {procs:>5} {events:>7} {rate:>9} {p50:>8} {p99:>8}  {ratio}"
            )
    return "\n".join(lines)
