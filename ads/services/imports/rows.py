"""A row of spend as an importer receives it: text by column, and the checks of each value.

Rows come from a CSV file (`read_csv`) or from anywhere else (an HTTP body, a script) as
`Row(line, {column: text})`; the same checks apply to both. Every refusal names the row's line.
"""

import csv
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from ads.models import Campaign
from ads.money import parse_amount_text
from ads.validators import validate_spend_time, validate_text

REQUIRED = frozenset({"amount", "timestamp"})
OPTIONAL = frozenset({"external_id", "description"})
BY_NAME = frozenset({"brand", "campaign"})

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

    def amount(self) -> Decimal:
        """The row's amount, written in plain decimal notation (no '1e3', '1_000', 'NaN')."""
        try:
            return parse_amount_text(self.values["amount"])
        except ValidationError as error:
            raise RowError(self.line, f"amount: {' '.join(error.messages)}") from None


def check_columns(names: Collection[str]) -> None:
    """Raise ColumnsError unless these columns name a spend: each once, the campaign one way."""
    unique = set(names)
    unknown = unique - REQUIRED - OPTIONAL - BY_NAME - {"campaign_id"}
    if unknown or len(unique) != len(names):
        raise ColumnsError(
            f"Bad header {list(names)}: columns are amount, timestamp, external_id, description "
            "and either campaign_id or brand and campaign, each once."
        )
    missing = REQUIRED - unique
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
