"""CSV for a spreadsheet program: `;`-separated, UTF-8 with a BOM, CRLF, values as the locale writes
them. No Qt.

Excel in Spanish splits on `;` (`,` is its decimal mark) and reads UTF-8 only after a BOM; numbers
are written without thousands separators and with the locale's decimal mark ("1234,50" in
Spanish, "1234.50" in English), dates as the app shows them (dd/mm/yyyy), so Excel reads them as
numbers and dates. A text that Excel would take for a formula gets a leading apostrophe, the usual
defence against formula injection: one starting with =, @, a tab or a carriage return, or with + or -
followed by more than a number or phone is made of ("+34 600 123 456" and "-12,5" stay as they are,
so the file still carries the phone numbers another program imports).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from app.i18n import format_date, format_datetime, format_number
from app.services.exports.tables import Column, ColumnType, Table

DELIMITER = ";"
FORMULA_STARTS = ("=", "@", "\t", "\r")
SIGNS = ("+", "-")
_NUMBER_OR_PHONE = re.compile(r"[+-][\d\s.,()/-]*")


def _text(value: object) -> str:
    shown = value if isinstance(value, str) else str(value)
    if shown.startswith(FORMULA_STARTS) or (
        shown.startswith(SIGNS) and not _NUMBER_OR_PHONE.fullmatch(shown)
    ):
        return "'" + shown
    return shown


def _field_writer(column: Column) -> Callable[[object], str]:
    kind = column.type
    if kind is ColumnType.DATE:
        return lambda value: format_date(value) if isinstance(value, dt.date) else _text(value)
    if kind is ColumnType.DATETIME:
        return lambda value: format_datetime(value) if isinstance(value, dt.datetime) else _text(value)
    if kind is ColumnType.TEXT:
        return _text
    decimals = column.shown_decimals

    def numeric(value: object) -> str:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return format_number(value, decimals, grouping=False)
        return _text(value)

    return numeric


def write_csv(
    table: Table, path: Path, progress: Callable[[int, int], None] | None = None, *, every: int = 1000
) -> int:
    """Write `table` to `path` as CSV (see the module's docstring); returns the number of data rows."""
    getters = [column.value for column in table.columns]
    writers = [_field_writer(column) for column in table.columns]
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        out = csv.writer(stream, delimiter=DELIMITER, lineterminator="\r\n")
        out.writerow(table.header())
        for row in table.rows:
            fields = []
            for get, write in zip(getters, writers, strict=True):
                value = get(row)
                fields.append("" if value is None else write(value))
            out.writerow(fields)
            count += 1
            if progress is not None and count % every == 0:
                progress(count, max(table.total, count))
    if progress is not None:
        progress(count, max(table.total, count))
    return count
