"""`manage.py import_spend` with a kind column: spends, credits, charges and reports, recorded in
file order; a row any writer would refuse names its line and nothing is imported.

The plain spend file (its rows, summary, header and the whole-file check) is tested in
`test_import_spend`, which this module takes its clock from.
"""

import io
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from ads.models import Campaign, SpendLog
from ads.services import BudgetService
from ads.tests.builders import is_active, make_brand, totals
from ads.tests.commands.test_import_spend import NOW

# A file with a kind column: spends, a credit and a charge on Acme today (daily budget 100, so
# the two spends pause Acme and the credit brings it back), and a platform's report for
# yesterday; the last row's kind is left empty, so it is a spend.
KINDS_HEADER = (
    "kind,brand,campaign,amount,timestamp,external_id,description,reason,day,total,source"
)
MIXED = f"""\
{KINDS_HEADER}
spend,Acme,Search,60.00,2026-03-18T09:00:00Z,,Google click,,,,
spend,Acme,Social,50.00,2026-03-18T10:00:00Z,,,,,,
credit,Acme,Search,-20.00,2026-03-18T11:00:00Z,,,invalid clicks,,,
charge,Acme,Social,5.00,2026-03-18T11:30:00Z,mg-1,,make-good,,,
report,Acme,Search,,,,,,2026-03-17,30.00,google_ads
,Acme,Search,1.00,2026-03-18T11:45:00Z,,,,,,
"""


@time_machine.travel(NOW, tick=False)
class ImportKindsTests(TestCase):
    """`import_spend` with a kind column: credits, charges and reports in file order."""

    def setUp(self) -> None:
        self.acme = make_brand("Acme", "100", "1000")
        self.search = Campaign.objects.create(brand=self.acme, name="Search")
        self.social = Campaign.objects.create(brand=self.acme, name="Social")
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def run_import(self, text: str, *args: str) -> str:
        path = self.directory / "ledger.csv"
        path.write_text(text, encoding="utf-8")
        out = io.StringIO()
        call_command("import_spend", str(path), *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    def ledger(self) -> list[tuple[str, int, Decimal, datetime, str]]:
        rows = SpendLog.objects.order_by("pk")
        return list(rows.values_list("kind", "campaign_id", "amount", "timestamp", "reason"))

    def test_a_mixed_file_records_each_kind_in_file_order(self) -> None:
        self.assert_mixed_file_imported(batch_size="2")

    def test_a_mixed_file_in_one_batch(self) -> None:
        self.assert_mixed_file_imported(batch_size="1000")

    def assert_mixed_file_imported(self, *, batch_size: str) -> None:
        output = self.run_import(MIXED, "--batch-size", batch_size)

        self.assertIn("Rows read: 6; recorded: 6; already known: 0; brands touched: 1;", output)
        yesterday_end = datetime(2026, 3, 17, 23, 59, 59, 999999, tzinfo=UTC)
        at = NOW.replace
        self.assertEqual(
            self.ledger(),
            [
                ("spend", self.search.pk, Decimal("60.00"), at(hour=9), ""),
                ("spend", self.social.pk, Decimal("50.00"), at(hour=10), ""),
                ("credit", self.search.pk, Decimal("-20.00"), at(hour=11), "invalid clicks"),
                (
                    "charge",
                    self.social.pk,
                    Decimal("5.00"),
                    at(hour=11, minute=30),
                    "make-good",
                ),
                ("report", self.search.pk, Decimal("30.00"), yesterday_end, "google_ads"),
                ("spend", self.search.pk, Decimal("1.00"), at(hour=11, minute=45), ""),
            ],
        )
        # Today: 60 + 50 - 20 + 5 + 1; the month adds yesterday's report.
        self.assertEqual(totals(self.acme), (Decimal("96.00"), Decimal("126.00")))
        # The spends paused Acme at 110; the credit took the day back under 100.
        self.assertTrue(is_active(self.search))
        self.assertTrue(is_active(self.social))
        self.assertEqual(SpendLog.objects.get(kind="charge").external_id, "mg-1")
        self.assertEqual(BudgetService.find_drift(), [])

        again = self.run_import(MIXED, "--batch-size", "4")

        self.assertIn("Rows read: 6; recorded: 0; already known: 6; brands touched: 0;", again)
        self.assertEqual(SpendLog.objects.count(), 6)
        self.assertEqual(totals(self.acme), (Decimal("96.00"), Decimal("126.00")))

    def test_a_row_any_writer_would_refuse_names_its_line_and_imports_nothing(self) -> None:
        cases = [
            ("credit,Acme,Search,5.00,2026-03-18T11:00:00Z,,,refund,,,",
             "amount: 5.00 is no credit. A credit must be less than 0."),
            ("charge,Acme,Search,-5.00,2026-03-18T11:00:00Z,,,fee,,,",
             "amount: -5.00 is no charge. A charge must be greater than 0."),
            ("spend,Acme,Search,-5.00,2026-03-18T11:00:00Z,,,,,,",
             "amount: -5.00 must be greater than 0."),
            ("credit,Acme,Search,0,2026-03-18T11:00:00Z,,,refund,,,", "amount: 0 must not be 0."),
            ("credit,Acme,Search,-5.00,2026-03-18T11:00:00Z,,,,,,",
             "reason: empty (a credit needs one)."),
            ("charge,Acme,Search,5.00,2026-03-18T11:00:00Z,,,\"x\x00\",,,",
             "reason: Contains a NUL character"),
            ("credit,Acme,Search,-5.00,2026-03-18T12:00:01Z,,,refund,,,",
             "timestamp: 2026-03-18T12:00:01+00:00 is in the future."),
            ("report,Acme,Search,,,,,,2026-3-17,30.00,google_ads",
             "day: '2026-3-17' is not a date (YYYY-MM-DD, e.g. 2026-03-18)."),
            ("report,Acme,Search,,,,,,2026-02-30,30.00,google_ads",
             "day: '2026-02-30' is not a date"),
            ("report,Acme,Search,,,,,,2026-03-19,30.00,google_ads",
             "day: 2026-03-19 has not begun yet in UTC."),
            ("report,Acme,Search,,,,,,1999-12-31,30.00,google_ads",
             "day: 1999-12-31 is before 2000"),
            ("report,Acme,Search,,,,,,2026-03-17,-1.00,google_ads",
             "total: -1.00 must not be negative."),
            ("report,Acme,Search,,,,,,2026-03-17,1e3,google_ads",
             "total: '1e3' is not a plain decimal amount"),
            ("report,Acme,Search,,,,,,2026-03-17,30.00,",
             "source: empty (a report needs one)."),
            ("refund,Acme,Search,-5.00,2026-03-18T11:00:00Z,,,x,,,",
             "kind: 'refund' is not a kind: spend, credit, charge or report."),
            ("report,Acme,Search,30.00,,,,,2026-03-17,30.00,google_ads",
             "amount: a report row leaves it empty (its columns: day, source, total)."),
            ("spend,Acme,Search,1.00,2026-03-18T11:00:00Z,,,why,,,",
             "reason: a spend row leaves it empty"),
            ("credit,Acme,Search,-1.00,2026-03-18T11:00:00Z,,note,why,,,",
             "description: a credit row leaves it empty"),
            ("credit,Acme,Search,-1.00,2026-03-18T11:00:00Z,,,why,2026-03-17,,",
             "day: a credit row leaves it empty"),
        ]  # fmt: skip
        for row, message in cases:
            with self.subTest(row=ascii(row)):
                self.assert_refused(MIXED + row + "\n", f"line 8: {message}")

    def test_a_kind_needs_its_columns_in_the_header(self) -> None:
        text = "kind,campaign_id,amount,timestamp\n"
        self.assert_refused(
            text + f"spend,{self.search.pk},1,2026-03-18T09:00:00Z\nreport,{self.search.pk},,\n",
            "line 3: a report row needs day, source, total.",
        )
        self.assert_refused(
            text + f"charge,{self.search.pk},1,2026-03-18T09:00:00Z\n",
            "line 2: a charge row needs reason.",
        )

    def test_a_credit_refused_while_recording_ends_the_import_naming_its_line(self) -> None:
        """A credit before the spend it would refund finds no spend that day: the rows before
        it stay imported, and the message says so."""
        text = (
            f"{KINDS_HEADER}\n"
            "spend,Acme,Social,10.00,2026-03-18T09:00:00Z,,,,,,\n"
            "credit,Acme,Search,-20.00,2026-03-18T11:00:00Z,,,invalid clicks,,,\n"
            "spend,Acme,Search,60.00,2026-03-18T10:00:00Z,,,,,,\n"
        )

        with self.assertRaises(CommandError) as caught:
            self.run_import(text, "--batch-size", "1000")

        message = str(caught.exception)
        self.assertIn(
            "line 3: amount: A credit of 20.00 is more than the campaign's spend on 2026-03-18",
            message,
        )
        self.assertIn(
            "The 1 rows before it were imported; importing the file again counts them once.",
            message,
        )
        self.assertEqual(
            [(kind, amount) for kind, _, amount, *_ in self.ledger()],
            [("spend", Decimal("10.00"))],
        )
        self.assertEqual(totals(self.acme), (Decimal("10.00"), Decimal("10.00")))

    def assert_refused(self, text: str, message: str) -> None:
        with self.assertRaises(CommandError) as caught:
            self.run_import(text, "--batch-size", "2")
        self.assertIn(f"{message}", str(caught.exception))
        self.assertIn("Nothing was imported.", str(caught.exception))
        self.assertFalse(SpendLog.objects.exists())
        self.assertEqual(totals(self.acme), (Decimal("0.00"), Decimal("0.00")))
