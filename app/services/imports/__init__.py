"""Importing customers, products and sales from the files a company already has. No Qt.

- `reading`: CSV (encoding and delimiter found) and workbooks (XLSX, XLS, ODS), the header row, rows streamed.
- `values`: cell values: text, dates, amounts, whole numbers, yes/no.
- `formats`: each column's writing of dates (day or month first, ISO, Excel day numbers) and numbers
  (decimal comma or point), found from its values; the person's choice overrides it.
- `fields`: what each kind can fill in, columns recognised by their headers, mapping files.
- `running`: the import itself: one transaction, dry run, counts, rejected rows and the error file.
- `customers`, `products`, `sales`: each kind's matching and rules (the services' own validation).

The command line (`postventa import`) and the window's import wizard (`app/views/imports/`) call
`run_import`; the wizard also `read_for_import` (a file whose columns are still to be named) and
`preview_import` (its first rows checked as the import checks them).
"""

from app.services.imports.fields import (
    FIELDS,
    ColumnMap,
    FieldSpec,
    ImportKind,
    MappingError,
    fields_of,
    headers_key,
    load_mapping,
    map_columns,
    write_mapping,
)
from app.services.imports.reading import (
    MAX_ROWS,
    HeaderNotFoundError,
    ImportFileError,
    TableSource,
    open_source,
)
from app.services.imports.running import (
    FORMAT_NAMES,
    PREVIEW_ROWS,
    ErrorRows,
    ImportOptions,
    ImportSummary,
    OpenedFile,
    PreviewRow,
    Reason,
    Rejection,
    chosen_formats,
    missing_fields,
    open_for_import,
    preview_import,
    read_for_import,
    run_import,
)

__all__ = [
    "FIELDS",
    "FORMAT_NAMES",
    "MAX_ROWS",
    "PREVIEW_ROWS",
    "ColumnMap",
    "ErrorRows",
    "FieldSpec",
    "HeaderNotFoundError",
    "ImportFileError",
    "ImportKind",
    "ImportOptions",
    "ImportSummary",
    "MappingError",
    "OpenedFile",
    "PreviewRow",
    "Reason",
    "Rejection",
    "TableSource",
    "chosen_formats",
    "fields_of",
    "headers_key",
    "load_mapping",
    "map_columns",
    "missing_fields",
    "open_for_import",
    "open_source",
    "preview_import",
    "read_for_import",
    "run_import",
    "write_mapping",
]
