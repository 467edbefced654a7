"""A row of the ledger as an importer receives it: text by column, and the checks of each value.

Rows come from a CSV file (`read_csv`) or from anywhere else (an HTTP body, a script) as
`Row(line, {column: text})`; the same checks apply to both. Every refusal names the row's line.

An optional `kind` column tells a spend (the default: a file without the column is all spend)
from a credit, a charge and a platform report; each kind has its own columns (`COLUMNS_OF`),
and a row leaves the others empty.
"""

import csv
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from ads.models import Campaign, SpendLog
from ads.models.ledger import SIGN_RULE, amount_fits_kind
from ads.money import Sign, parse_amount_text
from ads.services.entries import REASON_LENGTH, checked_text
from ads.validators import validate_spend_time, validate_text

Kind = SpendLog.Kind
REQUIRED = frozenset({"amount", "timestamp"})
OPTIONAL = frozenset({"external_id", "description"})
BY_NAME = frozenset({"brand", "campaign"})
KIND = "kind"

# Each kind's columns: those a row of it must have, and those it may fill.
COLUMNS_OF: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Kind.SPEND: (REQUIRED, OPTIONAL),
    Kind.CREDIT: (REQUIRED | {"reason"}, frozenset({"external_id"})),
    Kind.CHARGE: (REQUIRED | {"reason"}, frozenset({"external_id"})),
    Kind.REPORT: (frozenset({"day", "total", "source"}), frozenset()),
}
KIND_COLUMNS = frozenset().union(*(need | may for need, may in COLUMNS_OF.values()))
# A day as a file writes it: date.fromisoformat alone would also take "20260318" and "2026-W12".
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# How a row names its campaign: ("id", "42") or ("name", brand name, campaign name).
CampaignKey = tuple[str, ...]

# A campaign id as a file writes it: ASCII digits (str.isdigit would take "²" and "١٢").
CAMPAIGN_ID = re.compile(r"[0-9]+")


class SpendImportError(Exception):
    """Anything that stops an import; the message says what, for a person to fix."""


class RowError(SpendImportError):
    """A row that cannot be recorded: its line and what is wrong."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"line {line}: {detail}")
        self.line = line
        self.detail = detail


class ColumnsError(SpendImportError):
    """Columns no row can be imported with (a CSV header, or the keys of a row given directly)."""


class NotCsvError(SpendImportError):
    """A file that is not UTF-8 text or not CSV at all."""


@dataclass(frozen=True)
class Row:
    """One spend as text by column; `line` is what an error names (a file's line, an item's
    number)."""

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

    def timestamp(self) -> datetime:
        """The row's timestamp, in the range a spend may have (before it reaches any UTC
        arithmetic: year 1 at +01:00 is no instant a datetime can hold in UTC)."""
        text = self.values["timestamp"]
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise RowError(
                self.line, f"timestamp: {text!r} is not an ISO 8601 date and time."
            ) from None
        if moment.utcoffset() is None:
            raise RowError(
                self.line, f"timestamp: {text!r} has no UTC offset (write e.g. {text}+00:00)."
            )
        try:
            validate_spend_time(moment, now=timezone.now())
        except ValidationError as error:
            raise RowError(self.line, f"timestamp: {' '.join(error.messages)}") from None
        return moment

    def amount(self, kind: str = Kind.SPEND) -> Decimal:
        """The row's amount, written in plain decimal notation (no '1e3', '1_000', 'NaN'), with
        the sign of its kind."""
        if kind == Kind.SPEND:
            return self.parsed("amount", sign="positive")
        amount = self.parsed("amount", sign="nonzero")
        if not amount_fits_kind(kind, amount):
            raise RowError(self.line, f"amount: {amount} is no {kind}. {SIGN_RULE[kind]}")
        return amount

    def total(self) -> Decimal:
        """A report's total for its day: plain decimal notation, 0 or more."""
        return self.parsed("total", sign="non_negative")

    def parsed(self, column: str, *, sign: Sign) -> Decimal:
        try:
            return parse_amount_text(self.values[column], field=column, sign=sign)
        except ValidationError as error:
            raise RowError(self.line, f"{column}: {' '.join(error.messages)}") from None

    def kind(self) -> str:
        """The row's kind: spend when it has no kind column or leaves it empty."""
        kind = self.values.get(KIND) or Kind.SPEND
        if kind not in COLUMNS_OF:
            raise RowError(
                self.line, f"kind: {kind!r} is not a kind: spend, credit, charge or report."
            )
        return kind

    def check_fit(self, kind: str) -> None:
        """The row has its kind's columns and leaves empty those of other kinds."""
        need, may = COLUMNS_OF[kind]
        missing = need - self.values.keys()
        if missing:
            raise RowError(self.line, f"a {kind} row needs {', '.join(sorted(missing))}.")
        extra = sorted(
            column for column in KIND_COLUMNS - need - may if self.values.get(column, "") != ""
        )
        if extra:
            raise RowError(
                self.line,
                f"{extra[0]}: a {kind} row leaves it empty (its columns: "
                f"{', '.join(sorted(need | may))}).",
            )

    def reason(self, column: str) -> str:
        """A credit's or charge's reason, a report's source: text that is not blank."""
        text = self.values[column].strip()
        if not text:
            raise RowError(self.line, f"{column}: empty (a {self.kind()} needs one).")
        try:
            return checked_text(text, field=column, max_length=REASON_LENGTH)
        except ValidationError as error:
            raise RowError(self.line, f"{column}: {' '.join(error.messages)}") from None

    def day(self) -> date:
        """A report's day: a local date YYYY-MM-DD (whether it has begun is the brand's zone's)."""
        text = self.values["day"]
        try:
            if DAY.fullmatch(text):
                return date.fromisoformat(text)
        except ValueError:
            pass
        raise RowError(self.line, f"day: {text!r} is not a date (YYYY-MM-DD, e.g. 2026-03-18).")


def check_columns(names: Collection[str]) -> None:
    """Raise ColumnsError unless these columns name entries: each once, the campaign one way,
    and amount and timestamp unless a kind column says which columns each row needs."""
    unique = set(names)
    unknown = unique - KIND_COLUMNS - BY_NAME - {"campaign_id", KIND}
    if unknown or len(unique) != len(names):
        raise ColumnsError(
            f"Bad header {list(names)}: columns are amount, timestamp, external_id, description "
            "and either campaign_id or brand and campaign, each once; with a kind column also "
            "reason, day, total and source."
        )
    missing = set() if KIND in unique else REQUIRED - unique
    if missing:
        raise ColumnsError(f"The header lacks {', '.join(sorted(missing))}.")
    by_name = unique & BY_NAME
    by_id = "campaign_id" in unique
    if (by_id and by_name) or (not by_id and by_name != BY_NAME):
        raise ColumnsError("Name each row's campaign by campaign_id, or by brand and campaign.")


@dataclass(frozen=True)
class CsvFile:
    """The rows of a CSV file, read afresh on each iteration (an import reads them twice:
    checked whole, then recorded), so a file of any size stays out of memory."""

    path: Path

    def __iter__(self) -> Iterator[Row]:
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as file:
                yield from _csv_rows(file)
        except (UnicodeDecodeError, csv.Error) as error:
            raise NotCsvError(f"not a UTF-8 CSV file ({error}).") from None


def read_csv(path: Path) -> CsvFile:
    """The file's rows with their line numbers, after checking the header (on iteration)."""
    return CsvFile(path)


def _csv_rows(file: TextIO) -> Iterator[Row]:
    """Rows after the header, blank lines skipped, short rows padded, fields stripped."""
    reader = csv.reader(file)
    header = [name.strip().lower() for name in next(reader, [])]
    if not header:
        raise ColumnsError("The file is empty: it needs a header row.")
    check_columns(header)
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
            raise RowError(reader.line_num, f"{len(values)} fields, the header has {len(header)}.")
        padded = values + [""] * (len(header) - len(values))
        yield Row(reader.line_num, {n: v.strip() for n, v in zip(header, padded, strict=True)})
