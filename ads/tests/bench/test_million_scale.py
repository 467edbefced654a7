"""`manage.py bench --scale million` (issue 13, target 2): what it measures, and its table.

Too long for the suite to run (about 10 minutes); the tiny run (test_smoke) goes through the
same code at two sizes.
"""

from django.test import SimpleTestCase

from bench.report import format_table
from bench.run import SCALES

MACHINE = {"cpus": 2, "memory_gb": 1, "postgresql": "15", "python": "3.11", "django": "5.2"}


def row(task: str, campaigns: int, case: str, seconds: float) -> dict[str, object]:
    return {
        "task": task,
        "brands": campaigns // 10,
        "campaigns": campaigns,
        "case": case,
        "seconds": seconds,
        "queries": 1,
        "traced_peak_mb": 1.0,
        "peak_rss_mb": 90.0,
    }


class MillionScaleTests(SimpleTestCase):
    def test_steady_runs_up_to_a_million_and_half_flips_up_to_a_hundred_thousand(self) -> None:
        scale = SCALES["million"]
        self.assertEqual(
            [brands * scale.per_brand for brands in scale.brands], [10_000, 100_000, 1_000_000]
        )
        self.assertEqual((scale.flips_up_to or 0) * scale.per_brand, 100_000)
        self.assertFalse(scale.ingestion)

    def test_the_table_has_no_ingestion_and_compares_the_steady_runs(self) -> None:
        periodic = [
            row("enforce_dayparting", 10_000, "steady", 0.002),
            row("enforce_dayparting", 10_000, "half flip", 1.0),
            row("enforce_dayparting", 1_000_000, "steady", 0.003),
        ]
        table = format_table({"scale": "million", "machine": MACHINE, "periodic": periodic})
        self.assertNotIn("Ingestion", table)
        self.assertIn("Steady runs at 1000000 campaigns against 10000", table)
        self.assertIn("enforce_dayparting: 1.50x", table)
