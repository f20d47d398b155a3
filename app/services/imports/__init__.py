"""Importing customers, products and sales from the files a company already has. No Qt.

- `reading`: CSV (encoding and delimiter found) and workbooks (XLSX, XLS, ODS), the header row, rows streamed.
- `values`: cell values: text, dates, amounts, whole numbers, yes/no.
- `fields`: what each kind can fill in, columns recognised by their headers, mapping files.
- `running`: the import itself: one transaction, dry run, counts, rejected rows and the error file.
- `customers`, `products`, `sales`: each kind's matching and rules (the services' own validation).

The command line (`postventa import`) and the window's import wizard call `run_import`.
"""

from app.services.imports.fields import (
    FIELDS,
    ColumnMap,
    FieldSpec,
    ImportKind,
    MappingError,
    fields_of,
    load_mapping,
    map_columns,
)
from app.services.imports.reading import MAX_ROWS, ImportFileError, TableSource, open_source
from app.services.imports.running import (
    ErrorRows,
    ImportOptions,
    ImportSummary,
    OpenedFile,
    Rejection,
    open_for_import,
    run_import,
)

__all__ = [
    "FIELDS",
    "MAX_ROWS",
    "ColumnMap",
    "ErrorRows",
    "FieldSpec",
    "ImportFileError",
    "ImportKind",
    "ImportOptions",
    "ImportSummary",
    "MappingError",
    "OpenedFile",
    "Rejection",
    "TableSource",
    "fields_of",
    "load_mapping",
    "map_columns",
    "open_for_import",
    "open_source",
    "run_import",
]
