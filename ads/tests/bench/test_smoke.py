"""`manage.py bench --scale tiny`: every row measured, in a database of its own, then gone.

No timing assertions: only that the benchmark runs end to end and reports sensible figures.
"""

from ads.models import Brand, SpendLog
from ads.services.campaigns import SWEEP_BRANDS
from ads.tests.bench.tiny_run import TinyRunTestCase
from bench.report import format_table

INGESTION = [
    ("record_spend, hot brand", 1),
    ("record_spend, many brands", 1),
    ("record_spend, hot brand", 4),
    ("record_spend, many brands", 4),
    ("record_spends ×100, many brands", 1),
]
REFERENCES = [
    ("pgbench INSERT + 2 UPDATEs, hot brand", 1),
    ("pgbench INSERT + 2 UPDATEs, many brands", 1),
    ("pgbench INSERT + 2 UPDATEs, hot brand", 4),
    ("pgbench INSERT + 2 UPDATEs, many brands", 4),
    ("pgbench INSERT + 2 UPDATEs ×100, many brands", 1),
]
TASKS = ["enforce_budgets", "enforce_dayparting", "reset_daily_monthly_spends"]


class BenchSmokeTests(TinyRunTestCase):
    """One run of the benchmark, shared by the tests (it takes a few seconds)."""

    def test_the_tiny_benchmark_reports_every_row(self) -> None:
        result = self.result
        self.assertEqual(result["scale"], "tiny")
        self.assertEqual(
            [(row["label"], row["processes"]) for row in result["ingestion"]], INGESTION
        )
        for row in result["ingestion"] + result["reference"]:
            for key in ("events", "events_per_second", "p50_ms", "p99_ms"):
                self.assertGreater(row[key], 0, (row["label"], key))
        self.assertEqual(
            [(row["label"], row["processes"]) for row in result["reference"]], REFERENCES
        )
        # Each of ours is compared with the pgbench run of the same shape.
        for ours, (reference, _) in zip(result["ingestion"], REFERENCES, strict=True):
            self.assertEqual(ours["reference"], reference)
            self.assertGreater(ours["ratio"], 0)
        periodic = [(row["task"], row["brands"], row["case"]) for row in result["periodic"]]
        self.assertEqual(
            periodic,
            [
                (task, brands, case)
                for brands in (20, 200)
                for task in TASKS
                for case in ("steady", "half flip")
            ],
        )
        for row in result["periodic"]:
            self.assertEqual(row["campaigns"], row["brands"] * 3)
            for key in ("seconds", "queries", "traced_peak_mb", "peak_rss_mb"):
                self.assertGreater(row[key], 0, (row["task"], key))

    def test_the_query_count_of_each_task_does_not_grow_with_the_campaigns(self) -> None:
        """Steady runs send the same statements at every size; a half flip the same statements
        for each batch of `SWEEP_BRANDS` brands it switches, none per campaign."""
        queries = {
            (row["task"], row["case"], row["brands"]): row["queries"]
            for row in self.result["periodic"]
        }
        small, large = sorted({brands for _, _, brands in queries})
        self.assertLessEqual(small, SWEEP_BRANDS)  # the small agency switches in one batch
        # One batch's statements: a half flip of the small agency beyond its steady run.
        batch = queries["enforce_budgets", "half flip", small]
        batch -= queries["enforce_budgets", "steady", small]
        for task in TASKS:
            with self.subTest(task=task):
                steady = queries[task, "steady", small]
                self.assertEqual(queries[task, "steady", large], steady)
                grown = queries[task, "half flip", large] - queries[task, "half flip", small]
                self.assertEqual(grown % batch, 0, (grown, batch))
                self.assertLessEqual(grown // batch, -(-large // SWEEP_BRANDS) - 1)

    def test_it_worked_in_a_throwaway_database_and_dropped_it(self) -> None:
        self.assertEqual(self.leftovers, set())
        self.assertFalse(Brand.objects.exists())
        self.assertFalse(SpendLog.objects.exists())

    def test_the_table_shows_every_row(self) -> None:
        table = format_table(self.result)
        for label, _ in INGESTION:
            self.assertIn(label, table)
        for task in TASKS:
            self.assertIn(task, table)
        for label, _ in REFERENCES:
            self.assertIn(label, table)
        self.assertIn("PostgreSQL", table)
