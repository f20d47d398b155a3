"""Exporting lists to XLSX and CSV (issue 17). No Qt.

- `tables`: a list as typed columns over rows (`Table`, `Column`).
- `lists`: every list the app shows, read through its page's service query (`ListKind`,
  `customers_table`, …, `table_for` for the command line).
- `xlsx`, `delimited`: the two writers (a workbook with real dates and numbers; CSV for Excel).
- `running`: `export_list`, through app.outputs' safe writing.
"""

from typing import TYPE_CHECKING, Any

from app.services.exports.running import ExportFormat, ExportResult, export_list
from app.services.exports.tables import Column, ColumnType, Table

if TYPE_CHECKING:
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

# `lists` reads every page's service query, so it imports most of the services: it is imported when
# one of its names is first used (an export, the command line), not with the window (issue 19).
_FROM_LISTS = frozenset(
    {
        "ListKind",
        "at_risk_table",
        "cases_table",
        "checks_table",
        "customers_table",
        "follow_ups_table",
        "loyalty_table",
        "returns_table",
        "surveys_table",
        "table_for",
    }
)


def __getattr__(name: str) -> Any:
    if name in _FROM_LISTS:
        from app.services.exports import lists

        return getattr(lists, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
