"""`manage.py bench --workload stall --scale tiny`: every row measured, then the database gone.

No timing assertions: only that both sizes ran spends alone, with the periodic tasks running and
with steady tasks only (the control), that the tasks did run (half flips included in the first)
while the spends did, and that the table shows it.
"""

from ads.models import Brand
from ads.tests.bench.tiny_run import TinyRunTestCase
from bench.stall import PROCESSES, STALL_SCALES, format_table


class StallBenchTests(TinyRunTestCase):
    """One tiny run of the stall workload, shared by the tests."""

    workload = "stall"

    def test_every_size_is_measured_alone_and_with_the_tasks(self) -> None:
        scale = STALL_SCALES["tiny"]
        rows = self.result["stall"]
        self.assertEqual(
            [row["campaigns"] for row in rows], [b * scale.per_brand for b in scale.brands]
        )
        for row in rows:
            for run in ("alone", "with_tasks", "with_steady_tasks"):
                figure = row[run]
                self.assertEqual(figure["processes"], PROCESSES)
                for key in ("events", "events_per_second", "p50_ms", "p99_ms"):
                    self.assertGreater(figure[key], 0, (row["campaigns"], run, key))
            self.assertGreater(row["p99_ratio"], 0)
            self.assertGreater(row["throughput_ratio"], 0)
            self.assertIsInstance(row["met"], bool)
            self.assertGreater(row["steady"]["p99_ratio"], 0)
            self.assertGreater(row["steady"]["throughput_ratio"], 0)
            self.assertEqual(set(row["load_average"]), {"alone", "with_tasks", "with_steady_tasks"})

    def test_the_tasks_ran_half_flips_while_the_spends_ran(self) -> None:
        for row in self.result["stall"]:
            tasks = row["tasks"]
            self.assertGreaterEqual(tasks["half_flips"], 1, row["campaigns"])
            self.assertGreater(tasks["runs"], tasks["half_flips"], row["campaigns"])
            # A half flip switches every dayparted campaign within budget (one in two).
            self.assertGreater(tasks["switched"], 0, row["campaigns"])
            # The control run: the same tasks with no half flip, so no brand is locked.
            steady = row["steady_tasks"]
            self.assertEqual(steady["half_flips"], 0, row["campaigns"])
            self.assertGreater(steady["runs"], 0, row["campaigns"])

    def test_it_worked_in_a_throwaway_database_and_dropped_it(self) -> None:
        self.assertEqual(self.leftovers, set())
        self.assertFalse(Brand.objects.exists())

    def test_the_table_shows_every_row(self) -> None:
        table = format_table(self.result)
        for row in self.result["stall"]:
            self.assertIn(str(row["campaigns"]), table)
        self.assertIn("alone", table)
        self.assertIn("half flips", table)
        self.assertIn("steady tasks only", table)
        self.assertIn("p99 ratio", table)
