"""An import of ledger rows: every row checked before any is recorded, then recorded in batches.

A bad row anywhere imports nothing and its error names the line: every row a writer could refuse
by its values (a bad value, a sign wrong for its kind, an unknown campaign, a report's day not
begun, a total past what the database holds) is refused by the check. Rows are then recorded in
file order: consecutive spends in batches, one transaction each, so live spends on the same
brands wait for one batch, never for the whole import; each credit, charge and report in its
own (`record_adjustment`, `record_reported_spend`), after the rows before it, so a credit sees
the spend it refunds.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import cast

from django.core.exceptions import ValidationError

from ads.models import SpendLog
from ads.services.adjustments import record_adjustment
from ads.services.entries import SpendEntry, entry_error, new_entry
from ads.services.imports.entries import (
    Adjustment,
    CampaignLookup,
    Entry,
    EntryMaker,
    MonthTotals,
)
from ads.services.imports.rows import ColumnsError, Row, RowError, SpendImportError, check_columns
from ads.services.reports import record_reported_spend
from ads.services.spend import SpendBatch, check_spends, record_spend_batch

Kind = SpendLog.Kind

BATCH_SIZE = 1000


@dataclass
class ImportSummary:
    """What an import did: rows read, rows new to the ledger, and what the roll-up changed.

    `paused` and `activated` count what the spend batches' roll-ups changed; a credit's or a
    report's re-evaluation is its call's own (`record_adjustment` returns the entry alone).
    """

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

    def add_one(self, *, created: bool, brand_id: int) -> None:
        """A credit, charge or report row: new to the ledger, or already on record."""
        self.rows += 1
        if created:
            self.recorded += 1
            self.brand_ids.add(brand_id)


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
            for row, entry in zip(rows, entries, strict=True):
                try:
                    _check_entry(entry)
                except ValidationError as error:
                    raise _row_error([row], error) from None
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
                entries = maker.entries(rows)
            except RowError as error:
                raise PartialImportError(error, imported=summary.rows) from None
            for run_rows, run in _runs(rows, entries):
                try:
                    self.record_run(run, rows=len(run_rows), summary=summary)
                except ValidationError as error:
                    refused = _row_error(run_rows, error)
                    raise PartialImportError(refused, imported=summary.rows) from None
            if on_batch is not None:
                on_batch(len(rows))
        return summary

    def record_run(self, run: list[Entry], *, rows: int, summary: ImportSummary) -> None:
        """Record consecutive spends as one batch, or one credit, charge or report."""
        entry = run[0]
        if isinstance(entry, SpendEntry):
            summary.add(record_spend_batch(cast(list[SpendEntry], run)), rows=rows)
            return
        brand_id = self.lookup.brand_of[entry.campaign]
        try:
            if isinstance(entry, Adjustment):
                summary.add_one(created=_record_adjustment(entry), brand_id=brand_id)
            else:
                created = record_reported_spend(
                    entry.campaign, entry.day, entry.total, source=entry.source
                )
                summary.add_one(created=created is not None, brand_id=brand_id)
        except ValidationError as error:
            raise entry_error(0, error=error) from None

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


def _check_entry(entry: Entry) -> None:
    """Raise the ValidationError the entry's writer would raise for its values; write nothing.

    A report's values are all checked as the row is read (and its day by `MonthTotals`).
    """
    if isinstance(entry, SpendEntry):
        check_spends([entry])
    elif isinstance(entry, Adjustment):
        try:
            new_entry(
                entry.campaign,
                entry.amount,
                kind=Kind.CREDIT if entry.amount < 0 else Kind.CHARGE,
                reason=entry.reason,
                external_id=entry.external_id,
                timestamp=entry.timestamp,
            )
        except ValidationError as error:
            raise entry_error(0, error=error) from None


def _record_adjustment(entry: Adjustment) -> bool:
    """Record a credit or charge; whether it is new (its id not yet on record) for the summary."""
    known = SpendLog.objects.filter(
        campaign_id=entry.campaign, external_id=entry.external_id
    ).exists()
    record_adjustment(
        entry.campaign,
        entry.amount,
        entry.reason,
        external_id=entry.external_id,
        timestamp=entry.timestamp,
    )
    return not known


def _runs(rows: list[Row], entries: list[Entry]) -> Iterator[tuple[list[Row], list[Entry]]]:
    """The rows in file order: each stretch of spends together, every other entry alone."""
    run_rows: list[Row] = []
    run: list[Entry] = []
    for row, entry in zip(rows, entries, strict=True):
        if run and not (isinstance(entry, SpendEntry) and isinstance(run[-1], SpendEntry)):
            yield run_rows, run
            run_rows, run = [], []
        run_rows.append(row)
        run.append(entry)
    if run:
        yield run_rows, run


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
