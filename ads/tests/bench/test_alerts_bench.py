"""`manage.py bench --workload alerts --scale tiny`: issue 15's cost claims, held by a tiny run.

No timing assertions, but the statement counts are the claims themselves, so a regression
fails here: a spend that crosses no level sends at most one statement more than with the check
off (none, as built), a crossing one sends one alert INSERT; the stale-data check sends as
many statements at both sizes; the brand list and the dashboard as many queries at both sizes.
"""

from typing import Any

from ads.models import Brand
from ads.tests.bench.tiny_run import TinyRunTestCase
from bench.alerts import ALERT_SCALES, CASES, PAGES, VARIANTS, format_table
from bench.outbox import BATCH

SHAPES = ("record_spend", f"record_spends ×{BATCH}")


class AlertsBenchTests(TinyRunTestCase):
    """One tiny run of the alerts workload, shared by the tests."""

    workload = "alerts"

    def spends(self, shape: str, case: str) -> dict[str, dict[str, Any]]:
        return {
            row["variant"]: row
            for row in self.result["spends"]
            if row["shape"] == shape and row["case"] == case
        }

    def test_every_shape_case_and_variant_is_timed(self) -> None:
        rows = self.result["spends"]
        self.assertEqual(
            [(row["shape"], row["case"], row["variant"]) for row in rows],
            [(s, c, v) for s in SHAPES for c in CASES for v in VARIANTS],
        )
        for row in rows:
            for key in ("entries", "events_per_second", "p50_ms", "p99_ms", "ratio"):
                self.assertGreater(row[key], 0, (row["shape"], row["case"], row["variant"], key))

    def test_a_spend_that_crosses_no_level_adds_at_most_one_statement(self) -> None:
        # At most one per call: a batch may not pay a statement per entry.
        for shape, per_call in zip(SHAPES, (1, BATCH), strict=True):
            rows = self.spends(shape, "steady")
            for variant in VARIANTS[1:]:
                extra = rows[variant]["extra_statements_per_entry"]
                self.assertLessEqual(extra, 1 / per_call, (shape, variant))
                self.assertEqual(rows[variant]["alerts_per_entry"], 0, (shape, variant))

    def test_a_crossing_spend_raises_its_alert_in_one_insert(self) -> None:
        for shape, per_call in zip(SHAPES, (1, BATCH), strict=True):
            rows = self.spends(shape, "crossing")
            for variant in ("check off", "no levels"):
                self.assertEqual(rows[variant]["alerts_per_entry"], 0, shape)
            for variant in ("levels, no events", "levels"):
                self.assertEqual(rows[variant]["alerts_per_entry"], 1, shape)
                self.assertEqual(rows[variant]["alert_inserts_per_entry"], 1 / per_call, shape)
            # The check alone (no budget.alert event): that one INSERT and nothing else.
            extra = rows["levels, no events"]["extra_statements_per_entry"]
            self.assertLessEqual(extra, 1 / per_call, shape)

    def test_the_stale_data_check_sends_as_many_statements_at_both_sizes(self) -> None:
        scale = ALERT_SCALES["tiny"]
        by_run: dict[str, dict[int, int]] = {}
        for row in self.result["stale"]:
            by_run.setdefault(row["run"], {})[row["brands"]] = row["statements"]
        self.assertEqual(len(by_run), 4)
        for run, counts in by_run.items():
            self.assertEqual(set(counts), set(scale.stale_sizes), run)
            self.assertEqual(len(set(counts.values())), 1, (run, counts))
        stale = [row["stale"] for row in self.result["stale"]]
        self.assertTrue(all(stale), stale)

    def test_the_brand_list_and_dashboard_query_as_often_at_both_sizes(self) -> None:
        scale = ALERT_SCALES["tiny"]
        for label, _ in PAGES:
            rows = [row for row in self.result["pages"] if row["page"] == label]
            self.assertEqual([row["brands"] for row in rows], list(scale.page_sizes), label)
            self.assertEqual({row["status"] for row in rows}, {200}, label)
            self.assertEqual(len({row["queries"] for row in rows}), 1, (label, rows))
        brand_list = [row["rows"] for row in self.result["pages"] if row["page"] == "brand list"]
        self.assertEqual(brand_list, list(scale.page_sizes))  # one row per brand on the page

    def test_it_worked_in_a_throwaway_database_and_dropped_it(self) -> None:
        self.assertEqual(self.leftovers, set())
        self.assertFalse(Brand.objects.exists())

    def test_the_table_shows_every_part(self) -> None:
        table = format_table(self.result)
        for text in ("1. The alert check", "2. The stale-data check", "3. Pacing", *VARIANTS):
            self.assertIn(text, table)
