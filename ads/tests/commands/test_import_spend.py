"""`manage.py import_spend`: a CSV file of spend, checked whole, recorded once.

A bad row anywhere (also one the database would have refused: a NUL, an odd digit, a time no
datetime holds in UTC) is a CommandError naming its line, and nothing of the file is imported,
whatever the batch size. A file with a kind column (credits, charges, reports) is tested in
`test_import_spend_kinds`.
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
from ads.tests.builders import make_brand

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)

BY_NAME = """\
brand,campaign,amount,timestamp,external_id,description
Acme,Search,10.00,2026-03-18T09:00:00+01:00,g-1,Google click
Acme,Social,2.50,2026-03-18T10:30:00Z,,
Globex,Video,7,2026-03-17T23:00:00-05:00,,Prime time
Acme,Social,2.50,2026-03-18T10:30:00Z,,
"""


@time_machine.travel(NOW, tick=False)
class ImportSpendTests(TestCase):
    def setUp(self) -> None:
        self.acme = make_brand("Acme", "100", "1000")
        self.globex = make_brand("Globex", "100", "1000", timezone="America/New_York")
        self.search = Campaign.objects.create(brand=self.acme, name="Search")
        self.social = Campaign.objects.create(brand=self.acme, name="Social")
        self.video = Campaign.objects.create(brand=self.globex, name="Video")
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, text: str, name: str = "spend.csv") -> Path:
        path = self.directory / name
        path.write_text(text, encoding="utf-8")
        return path

    def run_import(self, path: Path, *args: str) -> str:
        out = io.StringIO()
        call_command("import_spend", str(path), *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    def assert_rejected(self, text: str, message: str) -> None:
        with self.assertRaises(CommandError) as caught:
            self.run_import(self.write(text), "--batch-size", "2")
        self.assertIn(message, str(caught.exception))
        self.assertFalse(SpendLog.objects.exists())

    def test_records_every_row_and_prints_a_summary(self) -> None:
        output = self.run_import(self.write(BY_NAME))

        self.assertIn(
            "Rows read: 4; recorded: 4; already known: 0; brands touched: 2; "
            "campaigns paused: 0; campaigns reactivated: 0.",
            output,
        )
        rows = SpendLog.objects.order_by("pk")
        self.assertEqual(
            [(row.campaign_id, row.amount, row.timestamp) for row in rows],
            [
                (self.search.pk, Decimal("10.00"), datetime(2026, 3, 18, 8, tzinfo=UTC)),
                (self.social.pk, Decimal("2.50"), datetime(2026, 3, 18, 10, 30, tzinfo=UTC)),
                (self.video.pk, Decimal("7.00"), datetime(2026, 3, 18, 4, tzinfo=UTC)),
                (self.social.pk, Decimal("2.50"), datetime(2026, 3, 18, 10, 30, tzinfo=UTC)),
            ],
        )
        self.assertEqual(rows[0].external_id, "g-1")
        self.assertEqual(rows[0].description, "Google click")
        # Rows without an id get one from their content; identical rows stay two events.
        self.assertTrue(rows[1].external_id.startswith("csv:"))  # type: ignore[union-attr]
        self.assertNotEqual(rows[1].external_id, rows[3].external_id)
        self.acme.refresh_from_db()
        self.globex.refresh_from_db()
        self.assertEqual(self.acme.current_daily_spend, Decimal("15.00"))
        self.assertEqual(self.globex.current_daily_spend, Decimal("7.00"))
        self.assertEqual(BudgetService.find_drift(), [])

    def test_importing_the_same_file_again_counts_nothing_twice(self) -> None:
        path = self.write(BY_NAME)
        self.run_import(path, "--batch-size", "3")

        output = self.run_import(path, "--batch-size", "2")

        self.assertIn("Rows read: 4; recorded: 0; already known: 4; brands touched: 0;", output)
        self.assertEqual(SpendLog.objects.count(), 4)
        self.acme.refresh_from_db()
        self.assertEqual(self.acme.current_daily_spend, Decimal("15.00"))

    def test_campaigns_by_id_and_a_pause_in_the_summary(self) -> None:
        text = (
            "campaign_id,amount,timestamp\n"
            f"{self.search.pk},60,2026-03-18T11:00:00+00:00\n"
            f"{self.social.pk},40.00,2026-03-18T11:30:00+00:00\n"
        )

        output = self.run_import(self.write(text), "--no-progress")

        self.assertIn("recorded: 2;", output)
        self.assertIn("campaigns paused: 2;", output)
        self.assertFalse(Campaign.objects.filter(brand=self.acme, is_active=True).exists())

    def test_a_bad_row_anywhere_imports_nothing_and_names_its_line(self) -> None:
        self.assert_rejected(
            BY_NAME + "Acme,Search,1.005,2026-03-18T09:00:00+00:00,,\n",
            "line 6: amount: 1.005 has more than 2 decimal places. Nothing was imported.",
        )

    def test_a_naive_or_malformed_timestamp_is_rejected(self) -> None:
        self.assert_rejected(
            BY_NAME + "Acme,Search,1,2026-03-18T09:00:00,,\n",
            "line 6: timestamp: '2026-03-18T09:00:00' has no UTC offset",
        )
        self.assert_rejected(
            BY_NAME + "Acme,Search,1,yesterday,,\n",
            "line 6: timestamp: 'yesterday' is not an ISO 8601 date and time.",
        )
        self.assert_rejected(
            BY_NAME + "Acme,Search,1,2026-03-18T12:00:01+00:00,,\n",
            "line 6: timestamp: 2026-03-18T12:00:01+00:00 is in the future.",
        )

    def test_an_unknown_campaign_is_rejected(self) -> None:
        self.assert_rejected(
            BY_NAME + "Globex,Search,1,2026-03-18T09:00:00+00:00,,\n",
            "line 6: campaign: no campaign 'Search' in brand 'Globex'.",
        )
        self.assert_rejected(
            "campaign_id,amount,timestamp\n9999,1,2026-03-18T09:00:00+00:00\n",
            "line 2: campaign_id: no campaign '9999'.",
        )

    def test_the_header_is_checked(self) -> None:
        self.assert_rejected("", "The file is empty: it needs a header row.")
        self.assert_rejected(
            "Acme,Search,1,2026-03-18T09:00:00+00:00\n", "Bad header ['acme', 'search'"
        )
        self.assert_rejected("campaign_id,amount\n1,2\n", "The header lacks timestamp.")
        self.assert_rejected(
            "campaign_id,brand,campaign,amount,timestamp\n",
            "Name each row's campaign by campaign_id, or by brand and campaign.",
        )
        self.assert_rejected(
            "brand,amount,timestamp\n",
            "Name each row's campaign by campaign_id, or by brand and campaign.",
        )

    def test_a_row_with_more_fields_than_the_header(self) -> None:
        self.assert_rejected(
            "campaign_id,amount,timestamp\n1,2,2026-03-18T09:00:00+00:00,extra\n",
            "line 2: 4 fields, the header has 3.",
        )

    def test_a_missing_file_and_a_bad_batch_size(self) -> None:
        with self.assertRaisesMessage(CommandError, "no such file"):
            self.run_import(self.directory / "missing.csv")
        with self.assertRaisesMessage(CommandError, "--batch-size must be at least 1."):
            self.run_import(self.write(BY_NAME), "--batch-size", "0")

    def assert_refused_in_every_column(self, cases: list[tuple[str, str, str]]) -> None:
        """Each (column, value, message): a file whose last row has that value imports nothing."""
        columns = ["brand", "campaign", "amount", "timestamp", "external_id", "description"]
        values = ["Acme", "Search", "1.00", "2026-03-18T09:00:00+00:00", "", ""]
        good = dict(zip(columns, values, strict=True))
        for column, value, message in cases:
            row = good | {column: value}
            text = BY_NAME + ",".join(f'"{row[name]}"' for name in columns) + "\n"
            with self.subTest(column=column, value=ascii(value)[:40]):
                self.assert_rejected(text, f"line 6: {message}")

    def test_text_the_database_cannot_store_is_refused_by_the_check(self) -> None:
        self.assert_refused_in_every_column(
            [
                ("description", "Google\x00click", "description: Contains a NUL character"),
                ("external_id", "g-\x00", "external_id: Contains a NUL character"),
                ("brand", "Ac\x00me", "brand: Contains a NUL character"),
                ("campaign", "\x00", "campaign: Contains a NUL character"),
                ("brand", "", "brand: empty."),
                ("campaign", "   ", "campaign: empty."),
                ("description", "x" * 501, "description: Longer than 500 characters."),
                ("external_id", "x" * 201, "external_id: Longer than 200 characters."),
            ]
        )

    def test_an_amount_is_plain_decimal_notation(self) -> None:
        self.assert_refused_in_every_column(
            [
                ("amount", value, "amount: " + repr(value) + " is not a plain decimal amount")
                for value in ["1e3", "1_000", "١٢", "+5"]
            ]
            + [
                ("amount", "NaN", "amount: 'NaN' is not a finite number."),
                ("amount", "Infinity", "amount: 'Infinity' is not a finite number."),
                ("amount", "1 000", "amount: '1 000' is not a number."),
                ("amount", "", "amount: '' is not a number."),
                ("amount", "-5", "amount: -5 must be greater than 0."),
                ("amount", "1000000000000", "amount: 1000000000000 exceeds the largest amount"),
            ]
        )

    def test_a_timestamp_before_2000_in_utc_is_refused(self) -> None:
        early = "is before 2000-01-01 00:00 UTC, the earliest spend time accepted."
        self.assert_refused_in_every_column(
            [
                (
                    "timestamp",
                    "0001-01-01T00:00:00+01:00",
                    f"timestamp: 0001-01-01T00:00:00+01:00 {early}",
                ),
                (
                    "timestamp",
                    "1999-12-31T23:59:59Z",
                    "timestamp: 1999-12-31T23:59:59+00:00 is before",
                ),
                (
                    "timestamp",
                    "2000-01-01T00:30:00+01:00",
                    "timestamp: 2000-01-01T00:30:00+01:00 is before",
                ),
                (
                    "timestamp",
                    "9999-12-31T23:59:59-23:59",
                    "timestamp: 9999-12-31T23:59:59-23:59 is in the future.",
                ),
                (
                    "timestamp",
                    "2026-03-18T09:00:00+24:00",
                    "timestamp: '2026-03-18T09:00:00+24:00' is not an ISO 8601 date",
                ),
            ]
        )

    def test_a_campaign_id_is_ascii_digits_within_the_column(self) -> None:
        for value in ["²", "١٢", "-1", "1.0", "", "0x1F", "99999999999999999999999"]:
            text = f"campaign_id,amount,timestamp\n{self.search.pk},1,2026-03-18T09:00:00Z\n"
            text += f'"{value}",1,2026-03-18T09:00:00Z\n'
            with self.subTest(value=value):
                self.assert_rejected(
                    text, f"line 3: campaign_id: {value!r} is not a campaign id (digits, e.g. 42)."
                )

    def test_a_campaign_id_with_leading_zeros_names_the_same_campaign(self) -> None:
        text = f"campaign_id,amount,timestamp\n00{self.search.pk},1,2026-03-18T09:00:00Z\n"
        self.run_import(self.write(text))
        self.assertEqual(
            list(SpendLog.objects.values_list("campaign_id", flat=True)), [self.search.pk]
        )

    def test_a_record_the_csv_reader_cannot_read_names_its_line(self) -> None:
        self.assert_rejected(
            BY_NAME + "Acme,Search,1,2026-03-18T09:00:00Z,," + "x" * 200_000 + "\n",
            "line 6: not valid CSV (field larger than field limit",
        )
