"""Exporting lists to XLSX and CSV (issue 17). No Qt.

- `tables`: a list as typed columns over rows (`Table`, `Column`).
- `lists`: every list the app shows, read through its page's service query (`ListKind`,
  `customers_table`, …, `table_for` for the command line).
- `xlsx`, `delimited`: the two writers (a workbook with real dates and numbers; CSV for Excel).
- `running`: `export_list`, through app.outputs' safe writing.
"""

from app.services.exports.lists import (
    ListKind,
    at_risk_table,
    cases_table,
    checks_table,
    customers_table,
    follow_ups_table,
    loyalty_table,
    returns_table,
    surveys_table,
    table_for,
)
from app.services.exports.running import ExportFormat, ExportResult, export_list
from app.services.exports.tables import Column, ColumnType, Table

__all__ = [
    "Column",
    "ColumnType",
    "ExportFormat",
    "ExportResult",
    "ListKind",
    "Table",
    "at_risk_table",
    "cases_table",
    "checks_table",
    "customers_table",
    "export_list",
    "follow_ups_table",
    "loyalty_table",
    "returns_table",
    "surveys_table",
    "table_for",
]
