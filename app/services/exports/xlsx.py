"""XLSX exports: one sheet, real dates and numbers, a bold frozen header row with an autofilter,
money in euros, column widths from the header and the first rows. No Qt.

Written with XlsxWriter in its constant-memory mode: each row goes to the file as it comes from the
database, so 100,000 customers never sit in memory (openpyxl's write-only mode builds a cell object
per value and took most of issue 17's 20 s for 100,000 customers before any query ran). Values are
written by their column's type, never guessed: text that looks like a formula, a number or a link
stays text. The tests read the files back with openpyxl (types, formats, frozen pane, autofilter).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path

from app.i18n import format_date, format_datetime, format_money, format_number
from app.services.exports.tables import Column, ColumnType, Table

# Excel's limits: a cell holds at most 32,767 characters; a sheet name 31, without []:*?/\.
CELL_LIMIT = 32767
SHEET_NAME_LIMIT = 31
WIDTH_SAMPLE = 200  # rows looked at for the column widths (the rest are streamed unseen)
MIN_WIDTH, MAX_WIDTH = 6, 60

# Characters XML 1.0 does not allow (a control character in a note would make Excel refuse the file).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

DATE_FORMAT = "dd/mm/yyyy"  # the app's dates (DOMAIN.md), the same in Spanish and English
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MONEY_FORMAT = '#,##0.00\\ "€"'  # Excel puts the reader's own separators in place of , and .
NUMBER_FORMATS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00", 3: "#,##0.000"}  # places → format


def sheet_name(title: str) -> str:
    """A title Excel accepts as a sheet name."""
    name = re.sub(r"[\[\]:*?/\\]", " ", _ILLEGAL.sub("", title)).strip().strip("'")
    return name[:SHEET_NAME_LIMIT] or "Sheet1"


def _clean_text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return value[:CELL_LIMIT]


def _finite_number(value) -> float | None:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


CellWriter = Callable[[int, int, object], object]


def _cell_writer(sheet, column: Column, formats: dict[str, object]) -> CellWriter:
    """How a value of this column is written at (row, column); anything not of the column's type is
    written as text, so nothing is ever lost or mistyped."""
    kind = column.type

    def as_text(row: int, col: int, value: object) -> object:
        return sheet.write_string(row, col, _clean_text(value if isinstance(value, str) else str(value)))

    if kind in (ColumnType.DATE, ColumnType.DATETIME):
        shown = formats["date" if kind is ColumnType.DATE else "datetime"]

        def dated(row: int, col: int, value: object) -> object:
            if isinstance(value, dt.date):
                if isinstance(value, dt.datetime):
                    value = value.date() if kind is ColumnType.DATE else value.replace(tzinfo=None)
                return sheet.write_datetime(row, col, value, shown)
            return as_text(row, col, value)

        return dated
    if kind is ColumnType.TEXT and column.wrap:
        wrapped = formats["wrap"]

        def lines(row: int, col: int, value: object) -> object:
            return sheet.write_string(
                row, col, _clean_text(value if isinstance(value, str) else str(value)), wrapped
            )

        return lines
    if kind is ColumnType.TEXT:
        return as_text
    if kind is ColumnType.MONEY:
        shown = formats["money"]
    else:
        places = column.decimals if kind is ColumnType.NUMBER else 0
        shown = formats[f"number{places if places in NUMBER_FORMATS else 0}"]

    def numeric(row: int, col: int, value: object) -> object:
        number = _finite_number(value)
        if number is None:
            return as_text(row, col, value)
        return sheet.write_number(row, col, number, shown)

    return numeric


def _shown_width(column: Column, value) -> int:
    """About how many characters the value takes on screen, formatted as the column shows it."""
    if value is None:
        return 0
    kind = column.type
    if kind is ColumnType.DATE and isinstance(value, dt.date):
        return len(format_date(value))
    if kind is ColumnType.DATETIME and isinstance(value, dt.datetime):
        return len(format_datetime(value))
    if kind is ColumnType.MONEY and isinstance(value, (int, float, Decimal)):
        return len(format_money(value)) + 1
    if kind in (ColumnType.INTEGER, ColumnType.NUMBER) and isinstance(value, (int, float, Decimal)):
        return len(format_number(value, column.shown_decimals))
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(columns: tuple[Column, ...], header: list[str], sample: list[list]) -> list[float]:
    """A width per column: the widest of its header (bold, with the filter's arrow) and sampled values."""
    widths = []
    for index, column in enumerate(columns):
        widest = max([len(header[index]) + 4, *(_shown_width(column, row[index]) + 2 for row in sample)])
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, widest))))
    return widths


def write_xlsx(
    table: Table, path: Path, progress: Callable[[int, int], None] | None = None, *, every: int = 1000
) -> int:
    """Write `table` to `path` as an XLSX workbook of one sheet; returns the number of data rows.
    `progress(done, total)` is called every `every` rows (it may raise to stop: nothing is left then
    but the temporary file, which app.outputs removes)."""
    columns = table.columns
    header = table.header()
    getters = [column.value for column in columns]
    rows: Iterator[list] = ([get(row) for get in getters] for row in table.rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    # Imported here, not with the module: 0.1 s the window's start would pay for an export nobody asked for.
    import xlsxwriter  # type: ignore[import-untyped]  # no type information shipped

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet(sheet_name(table.title))
    formats = {
        "header": workbook.add_format({"bold": True}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
        "money": workbook.add_format({"num_format": MONEY_FORMAT}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        **{f"number{places}": workbook.add_format({"num_format": f}) for places, f in NUMBER_FORMATS.items()},
    }
    for index, width in enumerate(column_widths(columns, header, sample)):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    for index, title in enumerate(header):
        sheet.write_string(0, index, _clean_text(title), formats["header"])
    writers = [_cell_writer(sheet, column, formats) for column in columns]
    count = 0
    for values in chain(sample, rows):
        count += 1
        for index, (write, value) in enumerate(zip(writers, values, strict=True)):
            if value is not None and value != "":
                write(count, index, value)
        if progress is not None and count % every == 0:
            progress(count, max(table.total, count))
    if columns:
        sheet.autofilter(0, 0, count, len(columns) - 1)
    workbook.close()
    if progress is not None:
        progress(count, max(table.total, count))
    return count
