"""`manage.py bench --workload api|outbox --scale tiny`: every row measured, then gone.

No timing assertions: only that gunicorn served every request (a non-201 stops the workload),
that each API shape stands next to its in-process twin, and that the outbox rows count what
the outbox writes.
"""

from typing import Any

from django.test import TransactionTestCase

from ads.models import ApiKey, Brand, Event
from ads.tests.bench.tiny_run import tiny_run
from bench.api import API_SCALES, BATCH_SIZES
from bench.api import format_table as api_table
from bench.outbox import OUTBOX_SCALES, VARIANTS
from bench.outbox import format_table as outbox_table


class ApiBenchTests(TransactionTestCase):
    result: dict[str, Any]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.result = tiny_run("api")

    def test_every_shape_is_measured_through_gunicorn_and_in_process(self) -> None:
        scale = API_SCALES["tiny"]
        shapes = [(row["api"]["label"], row["api"]["processes"]) for row in self.result["api"]]
        self.assertEqual(
            shapes,
            [("POST /api/v1/spend, one spend", 1), ("POST /api/v1/spend, one spend", 4)]
            + [(f"POST /api/v1/spend, ×{size}", 1) for size in BATCH_SIZES],
        )
        for row in self.result["api"]:
            # Same events on both sides, so the ratio compares like with like.
            self.assertEqual(row["api"]["events"], row["in_process"]["events"])
            for side in ("api", "in_process"):
                for key in ("events", "events_per_second", "p50_ms", "p99_ms"):
                    self.assertGreater(row[side][key], 0, (row[side]["label"], key))
            self.assertGreater(row["ratio"], 0)
        batches = [row["api"]["events"] for row in self.result["api"][2:]]
        self.assertEqual(batches, [size * scale.batches for size in BATCH_SIZES])

    def test_the_table_shows_every_row_and_the_database_is_gone(self) -> None:
        table = api_table(self.result)
        self.assertIn("record_spends ×1000", table)
        self.assertIn("POST /api/v1/spend, ×100", table)
        self.assertFalse(Brand.objects.exists())
        self.assertFalse(ApiKey.objects.exists())


class OutboxBenchTests(TransactionTestCase):
    result: dict[str, Any]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.result = tiny_run("outbox")

    def test_each_variant_is_measured_for_single_spends_and_batches(self) -> None:
        rows = self.result["outbox"]
        self.assertEqual(
            [(row["shape"], row["variant"]) for row in rows],
            [(shape, v) for shape in ("record_spend", "record_spends ×100") for v in VARIANTS],
        )
        for row in rows:
            self.assertGreater(row["events_per_second"], 0, row)
            self.assertGreater(row["ratio"], 0, row)

    def test_the_outbox_adds_no_statement_to_a_status_change(self) -> None:
        single = {row["variant"]: row for row in self.result["outbox"][:3]}
        self.assertEqual(single["outbox off"]["extra_inserts_per_change"], 0)
        # Events, then events and their deliveries: in the statement that writes the change
        # and its history (`ads.sql.campaigns.write_sync`), and nothing else.
        for variant in ("no endpoint", "1 endpoint"):
            self.assertEqual(single[variant]["extra_inserts_per_change"], 0, variant)
            self.assertEqual(single[variant]["extra_statements_per_change"], 0, variant)
        batch = {row["variant"]: row for row in self.result["outbox"][3:]}
        self.assertLessEqual(batch["1 endpoint"]["extra_inserts_per_change"], 1 / 100)
        # One request to the broker per committed spend or batch with deliveries, none sent.
        scale = OUTBOX_SCALES["tiny"]
        self.assertEqual(self.result["delivery_requests"], scale.spends + scale.batches)

    def test_the_table_shows_every_variant_and_the_database_is_gone(self) -> None:
        table = outbox_table(self.result)
        for variant in VARIANTS:
            self.assertIn(variant, table)
        self.assertFalse(Event.objects.exists())
