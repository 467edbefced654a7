"""`manage.py bench`: how fast ingestion and the periodic tasks are, next to pgbench.

Runs in a PostgreSQL database it creates and drops (bench_<pid>), never in the configured one.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import admin_pages, alerts, api, outbox, stall
from bench.database import BenchError, require_postgresql
from bench.pgbench import find_pgbench
from bench.report import format_table
from bench.run import SCALES, run


class Command(BaseCommand):
    help = (
        "Benchmark spend ingestion (record_spend from 1 and 4 processes, record_spends in "
        "batches) against pgbench doing the same INSERT and UPDATEs in raw SQL, and the periodic "
        "tasks at two sizes. Needs PostgreSQL and pgbench; works in a throwaway database "
        "bench_<pid> on the configured server. See docs/BENCHMARKS.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="full",
            help="tiny: seconds, for CI; full (default): 1,000 and 10,000 brands × 10 campaigns.",
        )
        parser.add_argument(
            "--workload",
            choices=("spend", "admin", "stall", "api", "outbox", "alerts"),
            default="spend",
            help="spend (default): ingestion and the periodic tasks, next to pgbench; admin: "
            "server time and HTML size of every admin page, at the scale's larger size; stall: "
            "spends from 4 processes alone and while the periodic tasks run back to back; api: "
            "POST /api/v1/spend through gunicorn next to in-process; outbox: spends that pause "
            "campaigns with and without the webhook outbox; alerts: what pacing and alerts "
            "cost (the alert check on a spend, the stale-data check at two sizes, the brand "
            "list and dashboard at two sizes).",
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument("--pgbench", default="pgbench", help="The pgbench executable.")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = SCALES[options["scale"]]
        table = format_table
        try:
            require_postgresql()
            if options["workload"] == "admin":
                table = admin_pages.format_table
                result = admin_pages.run(
                    brands=scale.brands[1],
                    per_brand=scale.per_brand,
                    repeats=scale.repeats,
                    log=self.log,
                )
            elif options["workload"] == "stall":
                table = stall.format_table
                result = stall.run(options["scale"], log=self.log)
            elif options["workload"] == "api":
                table = api.format_table
                result = api.run(api.API_SCALES[options["scale"]], log=self.log)
            elif options["workload"] == "outbox":
                table = outbox.format_table
                result = outbox.run(outbox.OUTBOX_SCALES[options["scale"]], log=self.log)
            elif options["workload"] == "alerts":
                table = alerts.format_table
                result = alerts.run(alerts.ALERT_SCALES[options["scale"]], log=self.log)
            else:
                result = run(scale, find_pgbench(options["pgbench"]), self.log)
        except BenchError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result, indent=2) if options["json"] else table(result))

    def log(self, message: str) -> None:
        self.stderr.write(f"bench: {message}")
