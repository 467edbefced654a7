"""An import of spend rows: every row checked before any is recorded, then recorded in batches.

A bad row anywhere imports nothing and its error names the line: every row the writer could
refuse (a bad value, an unknown campaign, a total past what the database holds) is refused by the
check. Rows are then recorded in batches, one transaction each, so live spends on the same brands
wait for one batch, never for the whole import.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import cast

from django.core.exceptions import ValidationError

from ads.services.imports.entries import CampaignLookup, EntryMaker, MonthTotals
from ads.services.imports.rows import ColumnsError, Row, RowError, SpendImportError, check_columns
from ads.services.spend import SpendBatch, check_spends, record_spend_batch

BATCH_SIZE = 1000


@dataclass
class ImportSummary:
    """What an import did: rows read, rows new to the ledger, and what the roll-up changed."""

    rows: int = 0
    recorded: int = 0
    brand_ids: set[int] = field(default_factory=set)
    paused: int = 0
    activated: int = 0

    @property
    def already_known(self) -> int:
        return self.rows - self.recorded

    def add(self, batch: SpendBatch, *, rows: int) -> None:
        self.rows += rows
        self.recorded += len(batch.created)
        self.brand_ids.update(batch.brand_ids)
        self.paused += len(batch.campaigns.paused)
        self.activated += len(batch.campaigns.activated)


class PartialImportError(SpendImportError):
    """A row refused while recording, after the check passed (the rows changed, or a campaign
    went, in between): the batches before it are recorded; importing again counts them once."""

    def __init__(self, error: RowError, *, imported: int) -> None:
        super().__init__(f"{error} The {imported} rows before it were imported.")
        self.error = error
        self.imported = imported


class SpendImport:
    """One import in its two steps, for a caller that reports between them (a progress bar
    needs the total); `import_rows` is both at once. The rows are read once per step."""

    def __init__(self, rows: Iterable[Row], *, batch_size: int = BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1.")
        self.rows = rows
        self.batch_size = batch_size
        self.lookup = CampaignLookup()
        self.checked = False

    def check(self) -> int:
        """Check every row as `record_spends` would; return how many there are. Writes nothing."""
        maker = EntryMaker(self.lookup)
        months = MonthTotals()
        total = 0
        for rows in self.batches():
            entries = maker.entries(rows)
            try:
                check_spends(entries)
            except ValidationError as error:
                raise _row_error(rows, error) from None
            months.add(rows, entries)
            total += len(rows)
        self.checked = True
        return total

    def record(self, *, on_batch: Callable[[int], object] | None = None) -> ImportSummary:
        """Record the checked rows batch by batch; `on_batch` hears each batch's row count."""
        if not self.checked:
            raise RuntimeError("check() the rows before recording them.")
        if iter(self.rows) is self.rows:
            raise TypeError("An iterator of rows is spent by the check: give a list or read_csv.")
        maker = EntryMaker(self.lookup)
        summary = ImportSummary()
        for rows in self.batches():
            try:
                batch = record_spend_batch(maker.entries(rows))
            except ValidationError as error:
                raise PartialImportError(_row_error(rows, error), imported=summary.rows) from None
            except RowError as error:
                raise PartialImportError(error, imported=summary.rows) from None
            summary.add(batch, rows=len(rows))
            if on_batch is not None:
                on_batch(len(rows))
        return summary

    def batches(self) -> Iterator[list[Row]]:
        """The rows in batches, each row's columns and values checked for shape first."""
        shapes: set[frozenset[str]] = set()
        rows = iter(self.rows)
        while batch := list(islice(rows, self.batch_size)):
            for row in batch:
                _check_shape(row, known=shapes)
            yield batch


def check_rows(rows: Iterable[Row], *, batch_size: int = BATCH_SIZE) -> int:
    """How many rows there are, after checking each as an import would; writes nothing.

    Raises RowError for the first bad row.
    """
    return SpendImport(rows, batch_size=batch_size).check()


def import_rows(
    rows: Iterable[Row],
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], object] | None = None,
) -> ImportSummary:
    """Check every row, then record them all (rows already on record count once).

    `rows` is read twice: a list, or `read_csv(path)`. Raises RowError, having written nothing,
    for a bad row; PartialImportError if a row is refused after the check.
    """
    spend_import = SpendImport(rows, batch_size=batch_size)
    spend_import.check()
    return spend_import.record(on_batch=on_batch)


def _check_shape(row: Row, *, known: set[frozenset[str]]) -> None:
    """Columns that name a spend (checked once per set of columns) and text in each."""
    columns = frozenset(row.values)
    if columns not in known:
        try:
            check_columns(list(row.values))
        except ColumnsError as error:
            raise RowError(row.line, str(error)) from None
        known.add(columns)
    for column, value in row.values.items():
        if not isinstance(value, str):
            raise RowError(row.line, f"{column}: {value!r} is not text.")


def _row_error(rows: list[Row], error: ValidationError) -> RowError:
    """The writer's error for an entry of a batch ("entry 3: ..."), as the error of its row."""
    params: Mapping[str, object] = getattr(error, "params", None) or {}
    if "index" not in params:
        return RowError(rows[0].line, "; ".join(error.messages))
    return RowError(rows[cast(int, params["index"])].line, str(params["detail"]))
