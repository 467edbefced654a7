"""`manage.py import_spend FILE.csv`: record a file of spend events through `record_spends`.

The whole file is checked before anything is written, so a bad row imports nothing and the error
names its line: every row the writer could refuse (a bad value, an unknown campaign, a total past
what the database holds) is refused by the check. Rows are then recorded in batches (one
transaction each, so live spends on the same brands wait for one batch, never for the whole
file). Every row gets an external_id (its own, or one derived from its content), so importing the
same file again counts nothing twice.
"""

import csv
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from ads.models import Campaign
from ads.money import parse_amount_text
from ads.periods import LocalPeriod, local_period, zone
from ads.services import BudgetService, SpendEntry
from ads.validators import largest_total, validate_spend_time, validate_text

REQUIRED = frozenset({"amount", "timestamp"})
OPTIONAL = frozenset({"external_id", "description"})
BY_NAME = frozenset({"brand", "campaign"})

# How a row names its campaign: ("id", "42") or ("name", brand name, campaign name).
CampaignKey = tuple[str, ...]

# A campaign id as a file writes it: ASCII digits (str.isdigit would take "²" and "١٢").
CAMPAIGN_ID = re.compile(r"[0-9]+")


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
        """The campaign as the row names it, refused here if no campaign can have that name."""
        if "campaign_id" in self.values:
            text = self.values["campaign_id"]
            _, largest = connection.ops.integer_field_range(Campaign._meta.pk.get_internal_type())
            if not CAMPAIGN_ID.fullmatch(text) or int(text) > largest:
                raise RowError(
                    self.line, f"campaign_id: {text!r} is not a campaign id (digits, e.g. 42)."
                )
            return ("id", str(int(text)))
        for column in ("brand", "campaign"):
            self.check_text(column)
        return ("name", self.values["brand"], self.values["campaign"])

    def check_text(self, column: str) -> None:
        """A name the database can be asked about: not blank, no NUL (the driver refuses it)."""
        text = self.values[column]
        if not text:
            raise RowError(self.line, f"{column}: empty.")
        try:
            validate_text(text)
        except ValidationError as error:
            raise RowError(self.line, f"{column}: {' '.join(error.messages)}") from None


def read_rows(path: Path) -> Iterator[Row]:
    """The file's rows with their line numbers, after checking the header."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = [name.strip().lower() for name in next(reader, [])]
        check_header(header)
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                # A field over the size limit, a stray line break: this record, not the file.
                raise RowError(reader.line_num, f"not valid CSV ({error}).") from None
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
        numbers = [int(key[1]) for key in new if key[0] == "id"]
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
    """The row's timestamp, in the range a spend may have (before it reaches any UTC arithmetic:
    year 1 at +01:00 is no instant a datetime can hold in UTC)."""
    text = row.values["timestamp"]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(row.line, f"timestamp: {text!r} is not an ISO 8601 date and time.") from None
    if moment.utcoffset() is None:
        raise RowError(
            row.line, f"timestamp: {text!r} has no UTC offset (write e.g. {text}+00:00)."
        )
    try:
        validate_spend_time(moment, now=timezone.now())
    except ValidationError as error:
        raise RowError(row.line, f"timestamp: {' '.join(error.messages)}") from None
    return moment


def parse_amount(row: Row) -> Decimal:
    """The row's amount, written in plain decimal notation (no '1e3', '1_000', 'NaN')."""
    try:
        return parse_amount_text(row.values["amount"])
    except ValidationError as error:
        raise RowError(row.line, f"amount: {' '.join(error.messages)}") from None


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
        # The digest keeps the amount's text, as before: the same file gives the same ids.
        return SpendEntry(
            campaign=campaign_id,
            amount=parse_amount(row),
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


@dataclass
class MonthTotals:
    """Each brand's month total as the file leaves it, checked against the largest total.

    The writer refuses a spend that takes a total past what the database holds; this finds the
    row while the file is checked. A day lies within its month, so the month's total is the one
    that crosses first. Conservative on a re-import: a row already on record counts again here,
    which only a file within that much of the limit (10^18; 10^13 on SQLite) can notice.
    """

    brand_of: dict[int, int] = field(default_factory=dict)
    brands: dict[int, "BrandMonth"] = field(default_factory=dict)

    def add(self, rows: list[Row], entries: list[SpendEntry]) -> None:
        self.read_brands({cast(int, entry.campaign) for entry in entries})
        limit = largest_total()
        for row, entry in zip(rows, entries, strict=True):
            month = self.brands[self.brand_of[cast(int, entry.campaign)]]
            amount = cast(Decimal, entry.amount)
            if entry.timestamp is None or not month.period.contains_month(entry.timestamp):
                continue
            month.total += amount
            if month.total > limit:
                raise RowError(
                    row.line,
                    f"amount: {amount} would take the monthly total of brand {month.name!r} to "
                    f"{month.total}, past {limit}, the largest total the database holds.",
                )

    def read_brands(self, campaign_ids: set[int]) -> None:
        new = campaign_ids - self.brand_of.keys()
        if not new:
            return
        now = timezone.now()
        found = Campaign.objects.filter(pk__in=new).values_list(
            "pk",
            "brand_id",
            "brand__name",
            "brand__timezone",
            "brand__spend_month",
            "brand__current_monthly_spend",
        )
        for pk, brand_id, name, zone_name, spend_month, total in found:
            self.brand_of[pk] = brand_id
            if brand_id not in self.brands:
                period = local_period(now, zone(zone_name))
                # A brand still in an earlier month starts this one from nothing.
                start = total if spend_month == period.month else Decimal(0)
                self.brands[brand_id] = BrandMonth(name, period, start)


@dataclass
class BrandMonth:
    name: str
    period: LocalPeriod
    total: Decimal


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
        months = MonthTotals()
        total = 0
        for rows in batches(read_rows(path), size):
            entries = maker.entries(rows)
            try:
                BudgetService.check_spends(entries)
            except ValidationError as error:
                raise _row_error(rows, error) from None
            months.add(rows, entries)
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
