"""How each column of a file writes its dates and numbers, found from the column's own values.

One file may hold dates written day first in one column and month first in another, or amounts with
a decimal comma beside amounts with a decimal point: each column is judged alone, from its first
DETECT_ROWS data rows. A value decides when it reads one way only ('23/11/2026' is day first,
'1.234,50' has a decimal comma, '12.50' a decimal point); a column whose values all read both ways
with different results ('01/02/2026', '1.234') is ambiguous: the window says so and asks, the command
line takes the Spanish way (day first, decimal comma). Values that read the same either way
('05/05/2026', '12') decide nothing. The person's choice for a column (`ImportOptions.formats`, by
the column's name) overrides what was found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.i18n import N_, _
from app.services.imports.values import (
    _AMOUNT_NOISE_RE,
    _THOUSANDS_RE,
    _YEAR_MONTH_DAY_RE,
    DateOrder,
    DecimalMark,
    is_blank,
)

DETECT_ROWS = 1000  # the data rows each column's formats are judged from
# Excel day numbers taken as a sign of dates: 1 January 1950 … 31 December 2099 (a quantity of 12 is none).
_LIKELY_SERIALS = range(18264, 73051)
_SLASHED_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_NUMBER_RE = re.compile(r"^[+-]?\(?[\d.,]+\)?$")


class DateFormat(StrEnum):
    """How a column's dates are written, as found (or chosen)."""

    DAY_FIRST = "dmy"  # 23/11/2026
    MONTH_FIRST = "mdy"  # 11/23/2026
    ISO = "iso"  # 2026-11-23
    SERIAL = "serial"  # 46349: Excel's day numbers
    CELLS = "cells"  # a workbook's date cells

    @property
    def order(self) -> DateOrder:
        return DateOrder.MONTH_FIRST if self is DateFormat.MONTH_FIRST else DateOrder.DAY_FIRST

    @property
    def label(self) -> str:
        return _(_DATE_LABELS[self])


_DATE_LABELS = {
    DateFormat.DAY_FIRST: N_("day/month/year (23/11/2026)"),
    DateFormat.MONTH_FIRST: N_("month/day/year (11/23/2026)"),
    DateFormat.ISO: N_("year-month-day (2026-11-23)"),
    DateFormat.SERIAL: N_("Excel day numbers (46349)"),
    DateFormat.CELLS: N_("dates of the workbook"),
}


class NumberFormat(StrEnum):
    """How a column's numbers are written, as found (or chosen)."""

    COMMA = "comma"  # 1.234,50
    POINT = "point"  # 1,234.50
    PLAIN = "plain"  # no decimals nor thousands written (12, 1234, number cells): nothing to decide

    @property
    def mark(self) -> DecimalMark | None:
        return {NumberFormat.COMMA: DecimalMark.COMMA, NumberFormat.POINT: DecimalMark.POINT}.get(self)

    @property
    def label(self) -> str:
        return _(_NUMBER_LABELS[self])


_NUMBER_LABELS = {
    NumberFormat.COMMA: N_("decimal comma (1.234,50)"),
    NumberFormat.POINT: N_("decimal point (1,234.50)"),
    NumberFormat.PLAIN: N_("whole numbers (1234)"),
}

# What a person may choose for a column: the ways that read its values differently.
DATE_CHOICES = (DateFormat.DAY_FIRST, DateFormat.MONTH_FIRST)
NUMBER_CHOICES = (NumberFormat.COMMA, NumberFormat.POINT)


@dataclass(frozen=True)
class ColumnFormat:
    """What a column's values say about their writing. `dates`/`numbers` None: no value looks like
    one; `…_ambiguous`: every value that decides reads both ways (the default is then taken: day
    first, decimal comma); `…_mixed`: some values read one way only and others the other way only
    (the way most of them read is taken; the others will be rejected, each saying why)."""

    dates: DateFormat | None = None
    dates_ambiguous: bool = False
    dates_mixed: bool = False
    numbers: NumberFormat | None = None
    numbers_ambiguous: bool = False
    numbers_mixed: bool = False


@dataclass(frozen=True)
class ParseFormat:
    """How a column's cells are parsed: the order of day and month, the decimal mark (None: each
    value decides, values.parse_decimal)."""

    order: DateOrder = DateOrder.DAY_FIRST
    mark: DecimalMark | None = None


def detect_formats(rows: Iterable[Sequence[object]], width: int) -> list[ColumnFormat]:
    """Each of `width` columns' formats, from `rows` (the first data rows' cells)."""
    dates = [_DateVotes() for _ in range(width)]
    numbers = [_NumberVotes() for _ in range(width)]
    for cells in rows:
        for index, cell in enumerate(cells[:width]):
            if is_blank(cell):
                continue
            dates[index].add(cell)
            numbers[index].add(cell)
    return [ColumnFormat(*d.verdict(), *n.verdict()) for d, n in zip(dates, numbers, strict=True)]


class _DateVotes:
    def __init__(self) -> None:
        self.day_first = self.month_first = self.both = self.neutral = 0
        self.iso = self.serial = self.cells = 0

    def add(self, cell: object) -> None:
        if isinstance(cell, dt.date):
            self.cells += 1
        elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
            self.serial += float(cell).is_integer() and int(cell) in _LIKELY_SERIALS
        elif isinstance(cell, str):
            text = cell.strip()
            if match := _SLASHED_RE.match(text):
                first, second = int(match[1]), int(match[2])
                day_first = 1 <= first <= 31 and 1 <= second <= 12
                month_first = 1 <= second <= 31 and 1 <= first <= 12
                if day_first and month_first:
                    if first == second:
                        self.neutral += 1
                    else:
                        self.both += 1
                elif day_first:
                    self.day_first += 1
                elif month_first:
                    self.month_first += 1
            elif _YEAR_MONTH_DAY_RE.match(text):
                self.iso += 1
            elif text.isdigit() and int(text) in _LIKELY_SERIALS:
                self.serial += 1

    def verdict(self) -> tuple[DateFormat | None, bool, bool]:
        if self.day_first or self.month_first:
            mixed = bool(self.day_first and self.month_first)
            if self.month_first > self.day_first:
                return DateFormat.MONTH_FIRST, False, mixed
            return DateFormat.DAY_FIRST, False, mixed
        if self.both:
            return DateFormat.DAY_FIRST, True, False
        if self.neutral:
            return DateFormat.DAY_FIRST, False, False
        if self.iso:
            return DateFormat.ISO, False, False
        if self.cells:
            return DateFormat.CELLS, False, False
        if self.serial:
            return DateFormat.SERIAL, False, False
        return None, False, False


class _NumberVotes:
    def __init__(self) -> None:
        self.comma = self.point = self.both = self.plain = 0

    def add(self, cell: object) -> None:
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            self.plain += 1
            return
        if not isinstance(cell, str):
            return
        text = _AMOUNT_NOISE_RE.sub("", cell)
        if not _NUMBER_RE.match(text) or not any(ch.isdigit() for ch in text):
            return
        text = text.strip("+-()")
        commas, points = text.count(","), text.count(".")
        if commas and points:
            if text.rfind(",") > text.rfind("."):
                self.comma += 1
            else:
                self.point += 1
        elif commas or points:
            sign = "," if commas else "."
            groups = bool(_THOUSANDS_RE[sign].match(text))
            if (commas or points) > 1:  # several: they group thousands
                if groups:
                    self.point += sign == ","
                    self.comma += sign == "."
            elif groups:  # '1.234', '1,234': a thousand and some, or one and a bit
                self.both += 1
            else:  # '12,50', '0.75': the sign is the decimals'
                self.comma += sign == ","
                self.point += sign == "."
        else:
            self.plain += 1

    def verdict(self) -> tuple[NumberFormat | None, bool, bool]:
        if self.comma or self.point:
            mixed = bool(self.comma and self.point)
            if self.point > self.comma:
                return NumberFormat.POINT, False, mixed
            return NumberFormat.COMMA, False, mixed
        if self.both:
            return NumberFormat.COMMA, True, False
        if self.plain:
            return NumberFormat.PLAIN, False, False
        return None, False, False


def parse_formats(
    found: Sequence[ColumnFormat], names: Sequence[str], chosen: Mapping[str, str] | None
) -> dict[int, ParseFormat]:
    """Each column's parsing: the person's choice for it (by column name: a DateFormat or
    NumberFormat code), else what was found."""
    chosen = chosen or {}
    formats = {}
    for index, name in enumerate(names):
        column = found[index] if index < len(found) else ColumnFormat()
        dates = column.dates
        numbers = column.numbers
        choice = chosen.get(name)
        if choice in {f.value for f in DateFormat}:
            dates = DateFormat(choice)
        elif choice in {f.value for f in NumberFormat}:
            numbers = NumberFormat(choice)
        order = dates.order if dates is not None else DateOrder.DAY_FIRST
        mark = numbers.mark if numbers is not None else None
        formats[index] = ParseFormat(order, mark)
    return formats
