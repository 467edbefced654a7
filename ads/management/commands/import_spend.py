"""`manage.py import_spend FILE.csv`: record a file of spend events through `ads.services.imports`,
and with a `kind` column credits, charges and platform reports too.

The whole file is checked before anything is written, so a bad row imports nothing and the error
names its line; rows are then recorded in batches, and importing the same file again counts
nothing twice (the rules are the service's). This shell reads the arguments, shows progress and
words the service's errors for the file.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ads.services.imports import (
    ColumnsError,
    ImportSummary,
    NotCsvError,
    PartialImportError,
    RowError,
    SpendImport,
    read_csv,
)


class Command(BaseCommand):
    help = (
        "Record the spend events of a CSV file. Header row required; columns: amount, timestamp "
        "(ISO 8601 with a UTC offset), external_id and description (optional), and either "
        "campaign_id or brand and campaign (names). An optional kind column (spend when "
        "absent or empty) also takes credit rows (amount below 0) and charge rows (above 0), each "
        "with a reason, and report rows (day YYYY-MM-DD in the brand's zone, total, source "
        "instead of amount and timestamp). The whole file is checked first: a bad row imports "
        "nothing. A row without external_id is identified by its content, so importing the "
        "same file twice counts every row once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Rows recorded per transaction (default 1000).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (none off a terminal)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        size: int = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        spend_import = SpendImport(read_csv(path), batch_size=size)
        try:
            total = spend_import.check()
        except ColumnsError as error:
            raise CommandError(str(error)) from None
        except RowError as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from None
        except NotCsvError as error:
            raise CommandError(f"{path}: {error}") from None
        quiet = options["no_progress"] or not sys.stderr.isatty()
        with tqdm(total=total, unit="row", file=sys.stderr, disable=quiet) as progress:
            try:
                summary = spend_import.record(on_batch=progress.update)
            except PartialImportError as error:
                raise CommandError(
                    f"{path}: {error.error} The {error.imported} rows before it were imported; "
                    "importing the file again counts them once."
                ) from None
        self.stdout.write(self.style.SUCCESS(describe(summary)))


def describe(summary: ImportSummary) -> str:
    return (
        f"Rows read: {summary.rows}; recorded: {summary.recorded}; already known: "
        f"{summary.already_known}; brands touched: {len(summary.brand_ids)}; campaigns "
        f"paused: {summary.paused}; campaigns reactivated: {summary.activated}."
    )
