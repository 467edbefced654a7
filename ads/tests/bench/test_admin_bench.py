"""`manage.py bench --workload admin --scale tiny`: every admin page measured, then gone.

No timing assertions: only that the workload fetches every page it lists, each answering 200
(so the figures in docs/BENCHMARKS.md are of working pages), within the size bound.
"""

import io
import json
from typing import Any

from django.core.management import call_command
from django.test import TransactionTestCase

from ads.models import Brand
from bench.admin_pages import MAX_BYTES, format_table

LISTS = ("brand", "campaign", "spendlog", "campaignstatuschange", "totalscorrection")


class BenchAdminSmokeTests(TransactionTestCase):
    result: dict[str, Any]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        out = io.StringIO()
        call_command(
            "bench",
            "--workload",
            "admin",
            "--scale",
            "tiny",
            "--json",
            stdout=out,
            stderr=io.StringIO(),
        )
        cls.result = json.loads(out.getvalue())

    def test_every_page_answers_within_the_size_bound(self) -> None:
        self.assertEqual((self.result["brands"], self.result["campaigns"]), (200, 600))
        for row in self.result["admin"]:
            with self.subTest(page=row["page"]):
                self.assertEqual(row["status"], 200, row["url"])
                self.assertLess(row["kilobytes"] * 1000, MAX_BYTES)
                self.assertGreater(row["queries"], 0)

    def test_every_list_and_form_page_is_measured(self) -> None:
        pages = {row["page"] for row in self.result["admin"]}
        for model in LISTS:
            self.assertIn(f"{model} list", pages)
            self.assertIn(f"{model} list, show counts", pages)
            self.assertIn(f"{model} change", pages)
        for model in ("brand", "campaign", "spendlog"):
            self.assertIn(f"{model} add", pages)

    def test_it_worked_in_a_throwaway_database(self) -> None:
        self.assertFalse(Brand.objects.exists())
        self.assertIn("spendlog add", format_table(self.result))
