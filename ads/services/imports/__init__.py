"""Importing spend rows: checked whole, then recorded in batches, counted once on a re-import.

    rows      a row as text by column (`Row`), `read_csv`, and the checks of each value
    entries   rows into SpendEntry: campaign by id or by brand and name, derived ids, month totals
    importer  `check_rows`, `import_rows` and `SpendImport` (the two steps apart)

For every caller: `manage.py import_spend` reads a file; an API gives `Row(line, {column: text})`.
Errors are SpendImportError subclasses; a RowError names the row's line.
"""

from ads.services.imports.importer import (
    ImportSummary,
    PartialImportError,
    SpendImport,
    check_rows,
    import_rows,
)
from ads.services.imports.rows import (
    ColumnsError,
    CsvFile,
    NotCsvError,
    Row,
    RowError,
    SpendImportError,
    read_csv,
)

__all__ = [
    "ColumnsError",
    "CsvFile",
    "ImportSummary",
    "NotCsvError",
    "PartialImportError",
    "Row",
    "RowError",
    "SpendImport",
    "SpendImportError",
    "check_rows",
    "import_rows",
    "read_csv",
]
