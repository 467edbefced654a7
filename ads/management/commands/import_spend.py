"""`manage.py import_spend FILE.csv`: record a file of spend events through `record_spends`.

The whole file is checked before anything is written, so a bad row imports nothing and the error
names its line. Rows are then recorded in batches (one transaction each, so live spends on the
same brands wait for one batch, never for the whole file). Every row gets an external_id (its
own, or one derived from its content), so importing the same file again counts nothing twice.
"""

import csv
import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ads.models import Campaign
from ads.services import BudgetService, SpendEntry

REQUIRED = frozenset({"amount", "timestamp"})
OPTIONAL = frozenset({"external_id", "description"})
BY_NAME = frozenset({"brand", "campaign"})

# How a row names its campaign: ("id", "42") or ("name", brand name, campaign name).
CampaignKey = tuple[str, ...]


class RowError(Exception):
    """A row that cannot be recorded: its line and what is wrong."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"line {line}: {detail}")
        self.line = line


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def campaign_key(self) -> CampaignKey:
        if "campaign_id" in self.values:
            return ("id", self.values["campaign_id"])
        return ("name", self.values["brand"], self.values["campaign"])


def read_rows(path: Path) -> Iterator[Row]:
    """The file's rows with their line numbers, after checking the header."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = [name.strip().lower() for name in next(reader, [])]
        check_header(header)
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header):
                raise RowError(
                    reader.line_num, f"{len(values)} fields, the header has {len(header)}."
                )
            padded = values + [""] * (len(header) - len(values))
            yield Row(reader.line_num, {n: v.strip() for n, v in zip(header, padded, strict=True)})


def check_header(header: list[str]) -> None:
    if not header:
        raise CommandError("The file is empty: it needs a header row.")
    names = set(header)
    unknown = names - REQUIRED - OPTIONAL - BY_NAME - {"campaign_id"}
    if unknown or len(names) != len(header):
        raise CommandError(
            f"Bad header {header}: columns are amount, timestamp, external_id, description and "
            "either campaign_id or brand and campaign, each once."
        )
    missing = REQUIRED - names
    if missing:
        raise CommandError(f"The header lacks {', '.join(sorted(missing))}.")
    by_name = names & BY_NAME
    by_id = "campaign_id" in names
    if (by_id and by_name) or (not by_id and by_name != BY_NAME):
        raise CommandError("Name each row's campaign by campaign_id, or by brand and campaign.")


@dataclass
class CampaignLookup:
    """Campaign ids for the keys rows give, one query per batch of rows for keys not seen yet."""

    ids: dict[CampaignKey, int | None] = field(default_factory=dict)

    def resolve(self, keys: set[CampaignKey]) -> None:
        new = keys - self.ids.keys()
        if not new:
            return
        self.ids.update(dict.fromkeys(new))
        numbers = [int(key[1]) for key in new if key[0] == "id" and key[1].isdigit()]
        for pk in Campaign.objects.filter(pk__in=numbers).values_list("pk", flat=True):
            self.ids[("id", str(pk))] = pk
        named = [key for key in new if key[0] == "name"]
        if named:
            found = Campaign.objects.filter(
                brand__name__in={key[1] for key in named}, name__in={key[2] for key in named}
            )
            for brand, name, pk in found.order_by().values_list("brand__name", "name", "pk"):
                if ("name", brand, name) in new:
                    self.ids[("name", brand, name)] = pk

    def campaign_id(self, row: Row) -> int:
        pk = self.ids[row.campaign_key()]
        if pk is not None:
            return pk
        if "campaign_id" in row.values:
            raise RowError(row.line, f"campaign_id: no campaign {row.values['campaign_id']!r}.")
        raise RowError(
            row.line,
            f"campaign: no campaign {row.values['campaign']!r} in brand {row.values['brand']!r}.",
        )


def parse_timestamp(row: Row) -> datetime:
    text = row.values["timestamp"]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(row.line, f"timestamp: {text!r} is not an ISO 8601 date and time.") from None
    if moment.utcoffset() is None:
        raise RowError(
            row.line, f"timestamp: {text!r} has no UTC offset (write e.g. {text}+00:00)."
        )
    return moment


@dataclass
class EntryMaker:
    """Turns rows into SpendEntry objects; the same file always gives the same external_ids."""

    lookup: CampaignLookup
    seen: Counter[str] = field(default_factory=Counter)

    def entries(self, rows: list[Row]) -> list[SpendEntry]:
        self.lookup.resolve({row.campaign_key() for row in rows})
        return [self.entry(row) for row in rows]

    def entry(self, row: Row) -> SpendEntry:
        campaign_id = self.lookup.campaign_id(row)
        timestamp = parse_timestamp(row)
        values = row.values
        description = values.get("description", "")
        return SpendEntry(
            campaign=campaign_id,
            amount=values["amount"],
            description=description,
            external_id=values.get("external_id")
            or self.derived_id(campaign_id, values["amount"], timestamp, description),
            timestamp=timestamp,
        )

    def derived_id(self, campaign_id: int, amount: str, when: datetime, description: str) -> str:
        """A digest of the row's content; the n-th identical row in a file gets its own id."""
        content = "\x1f".join(
            (str(campaign_id), amount, when.astimezone(UTC).isoformat(), description)
        )
        self.seen[content] += 1
        content += f"\x1f{self.seen[content]}"
        return "csv:" + hashlib.sha256(content.encode()).hexdigest()[:40]


def batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


@dataclass
class Summary:
    rows: int = 0
    recorded: int = 0
    brands: set[int] = field(default_factory=set)
    paused: int = 0
    activated: int = 0

    def __str__(self) -> str:
        return (
            f"Rows read: {self.rows}; recorded: {self.recorded}; already known: "
            f"{self.rows - self.recorded}; brands touched: {len(self.brands)}; campaigns "
            f"paused: {self.paused}; campaigns reactivated: {self.activated}."
        )


class Command(BaseCommand):
    help = (
        "Record the spend events of a CSV file. Header row required; columns: amount, timestamp "
        "(ISO 8601 with a UTC offset), external_id and description (optional), and either "
        "campaign_id or brand and campaign (names). The whole file is checked first: a bad row "
        "imports nothing. A row without external_id is identified by its content, so importing "
        "the same file twice counts every row once."
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
        lookup = CampaignLookup()
        try:
            total = self.check_file(path, size, lookup)
        except RowError as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from None
        except (UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"{path}: not a UTF-8 CSV file ({error}).") from None
        quiet = options["no_progress"] or not sys.stderr.isatty()
        with tqdm(total=total, unit="row", file=sys.stderr, disable=quiet) as progress:
            summary = self.record_file(path, size, lookup, progress.update)
        self.stdout.write(self.style.SUCCESS(str(summary)))

    @staticmethod
    def check_file(path: Path, size: int, lookup: CampaignLookup) -> int:
        """Check every row as record_spends would; return how many there are."""
        maker = EntryMaker(lookup)
        total = 0
        for rows in batches(read_rows(path), size):
            try:
                BudgetService.check_spends(maker.entries(rows))
            except ValidationError as error:
                raise _row_error(rows, error) from None
            total += len(rows)
        return total

    @staticmethod
    def record_file(
        path: Path, size: int, lookup: CampaignLookup, advance: Callable[[int], object]
    ) -> Summary:
        maker = EntryMaker(lookup)
        summary = Summary()
        for rows in batches(read_rows(path), size):
            try:
                batch = BudgetService.record_spend_batch(maker.entries(rows))
            except (ValidationError, RowError) as error:
                # The file changed, or a campaign went, since the check.
                problem = _row_error(rows, error) if isinstance(error, ValidationError) else error
                raise CommandError(
                    f"{path}: {problem} The {summary.rows} rows before it were imported; "
                    "importing the file again counts them once."
                ) from None
            summary.rows += len(rows)
            summary.recorded += len(batch.created)
            summary.brands.update(batch.brand_ids)
            summary.paused += len(batch.campaigns.paused)
            summary.activated += len(batch.campaigns.activated)
            advance(len(rows))
        return summary


def _row_error(rows: list[Row], error: ValidationError) -> RowError:
    params = getattr(error, "params", None) or {}
    if "index" not in params:
        return RowError(rows[0].line, "; ".join(error.messages))
    return RowError(rows[params["index"]].line, str(params["detail"]))
