"""`manage.py import_spend`: a CSV file of spend, checked whole, recorded once."""

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
