"""`ads.services.imports` called directly, with rows that come from no file (as an API would).

The file-level behaviour (header, CSV quirks, the command's messages) is tested through the
command in ads/tests/commands/test_import_spend.py; these tests hold the service to the same rules.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import time_machine
from django.test import TestCase

from ads.models import Campaign, SpendLog
from ads.services import BudgetService
from ads.services.imports import (
    PartialImportError,
    Row,
    RowError,
    SpendImport,
    check_rows,
    import_rows,
)
from ads.tests.builders import make_brand, totals

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class ImportRowsTests(TestCase):
    def setUp(self) -> None:
        self.acme = make_brand("Acme", "100", "1000")
        self.search = Campaign.objects.create(brand=self.acme, name="Search")
        self.social = Campaign.objects.create(brand=self.acme, name="Social")

    def rows(self) -> list[Row]:
        """Three rows naming campaigns by brand and name; the last two identical, no ids."""
        values = [
            {"brand": "Acme", "campaign": "Search", "amount": "10.00",
             "timestamp": "2026-03-18T09:00:00+01:00", "external_id": "g-1"},
            {"brand": "Acme", "campaign": "Social", "amount": "2.50",
             "timestamp": "2026-03-18T10:30:00Z"},
            {"brand": "Acme", "campaign": "Social", "amount": "2.50",
             "timestamp": "2026-03-18T10:30:00Z"},
        ]  # fmt: skip
        return [Row(number, row) for number, row in enumerate(values, start=1)]

    def test_good_rows_are_recorded_and_summed_up(self) -> None:
        heard: list[int] = []

        summary = import_rows(self.rows(), batch_size=2, on_batch=heard.append)

        self.assertEqual(
            (summary.rows, summary.recorded, summary.already_known, summary.brand_ids),
            (3, 3, 0, {self.acme.pk}),
        )
        self.assertEqual(heard, [2, 1])
        self.assertEqual(
            list(SpendLog.objects.order_by("pk").values_list("campaign_id", "amount", "timestamp")),
            [
                (self.search.pk, Decimal("10.00"), datetime(2026, 3, 18, 8, tzinfo=UTC)),
                (self.social.pk, Decimal("2.50"), datetime(2026, 3, 18, 10, 30, tzinfo=UTC)),
                (self.social.pk, Decimal("2.50"), datetime(2026, 3, 18, 10, 30, tzinfo=UTC)),
            ],
        )
        self.assertEqual(totals(self.acme), (Decimal("15.00"), Decimal("15.00")))
        self.assertEqual(BudgetService.find_drift(), [])

    def test_campaigns_by_id_and_a_pause_counted(self) -> None:
        rows = [
            Row(7, {"campaign_id": str(self.search.pk), "amount": "60",
                    "timestamp": "2026-03-18T11:00:00+00:00"}),
            Row(8, {"campaign_id": f"00{self.social.pk}", "amount": "40.00",
                    "timestamp": "2026-03-18T11:30:00+00:00"}),
        ]  # fmt: skip

        summary = import_rows(rows)

        self.assertEqual((summary.recorded, summary.paused, summary.activated), (2, 2, 0))
        self.assertFalse(Campaign.objects.filter(brand=self.acme, is_active=True).exists())

    def test_a_bad_row_names_its_line_and_nothing_is_imported(self) -> None:
        rows = [*self.rows(), Row(4, self.rows()[0].values | {"amount": "1.005"})]

        with self.assertRaises(RowError) as caught:
            import_rows(rows, batch_size=1)

        self.assertEqual(caught.exception.line, 4)
        self.assertEqual(
            str(caught.exception), "line 4: amount: 1.005 has more than 2 decimal places."
        )
        self.assertFalse(SpendLog.objects.exists())
        self.assertEqual(totals(self.acme), (Decimal("0.00"), Decimal("0.00")))

    def test_an_unknown_campaign_and_missing_or_non_text_columns(self) -> None:
        good = self.rows()[1].values
        # Any: a row given directly may hold what no file does (a JSON number).
        cases: list[tuple[dict[str, Any], str]] = [
            (good | {"campaign": "Video"}, "campaign: no campaign 'Video' in brand 'Acme'."),
            ({k: v for k, v in good.items() if k != "timestamp"}, "The header lacks timestamp."),
            (good | {"amount": 2.5}, "amount: 2.5 is not text."),
        ]
        for values, message in cases:
            with self.subTest(message=message), self.assertRaises(RowError) as caught:
                import_rows([*self.rows(), Row(9, values)])
            self.assertEqual(str(caught.exception), f"line 9: {message}")
        self.assertFalse(SpendLog.objects.exists())

    def test_importing_the_same_rows_again_counts_nothing_twice(self) -> None:
        import_rows(self.rows(), batch_size=3)

        summary = import_rows(self.rows(), batch_size=2)

        self.assertEqual(
            (summary.rows, summary.recorded, summary.already_known, summary.brand_ids),
            (3, 0, 3, set()),
        )
        self.assertEqual(SpendLog.objects.count(), 3)
        self.assertEqual(totals(self.acme), (Decimal("15.00"), Decimal("15.00")))

    def test_check_rows_counts_and_writes_nothing(self) -> None:
        self.assertEqual(check_rows(iter(self.rows()), batch_size=2), 3)
        self.assertFalse(SpendLog.objects.exists())

    def test_an_iterator_is_refused_before_anything_is_recorded(self) -> None:
        with self.assertRaises(TypeError):
            import_rows(iter(self.rows()))
        self.assertFalse(SpendLog.objects.exists())

    def test_a_row_refused_after_the_check_leaves_the_batches_before_it(self) -> None:
        going = Campaign.objects.create(brand=self.acme, name="Going")
        rows = [*self.rows(), Row(4, self.rows()[1].values | {"campaign": "Going"})]
        spend_import = SpendImport(rows, batch_size=3)
        self.assertEqual(spend_import.check(), 4)
        gone = going.pk
        going.delete()

        with self.assertRaises(PartialImportError) as caught:
            spend_import.record()

        self.assertEqual((caught.exception.error.line, caught.exception.imported), (4, 3))
        self.assertIn(f"line 4: campaign: Campaign {gone} does not exist.", str(caught.exception))
        self.assertEqual(SpendLog.objects.count(), 3)
        self.assertEqual(BudgetService.find_drift(), [])

    def test_rows_of_each_kind_with_their_own_columns(self) -> None:
        """Rows given directly need only their kind's keys: a report has no amount or time."""
        rows = [
            Row(1, {"campaign_id": str(self.search.pk), "amount": "40.00",
                    "timestamp": "2026-03-18T09:00:00Z"}),
            Row(2, {"kind": "credit", "campaign_id": str(self.search.pk), "amount": "-15.00",
                    "timestamp": "2026-03-18T10:00:00Z", "reason": "invalid clicks"}),
            Row(3, {"kind": "report", "campaign_id": str(self.social.pk), "day": "2026-03-18",
                    "total": "7.50", "source": "meta_ads"}),
            Row(4, {"kind": "report", "campaign_id": str(self.social.pk), "day": "2026-03-18",
                    "total": "7.50", "source": "meta_ads"}),
        ]  # fmt: skip

        self.assertEqual(check_rows(rows), 4)
        summary = import_rows(rows, batch_size=3)

        # The same report twice appends one entry: the second finds the ledger agreeing.
        self.assertEqual((summary.rows, summary.recorded, summary.already_known), (4, 3, 1))
        self.assertEqual(
            list(SpendLog.objects.order_by("pk").values_list("kind", "amount")),
            [
                ("spend", Decimal("40.00")),
                ("credit", Decimal("-15.00")),
                ("report", Decimal("7.50")),
            ],
        )
        self.assertEqual(totals(self.acme), (Decimal("32.50"), Decimal("32.50")))
        again = import_rows(rows)
        self.assertEqual((again.recorded, again.already_known), (0, 4))
        self.assertEqual(BudgetService.find_drift(), [])
