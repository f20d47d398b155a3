"""What an export writes: a table of typed columns over the rows of a list. No Qt.

A `Column` has a title (English source text marked with N_(), translated when the file is written),
a type and a function from a row to its value. The value is plain data — text, a date, a datetime,
an int, a Decimal or float — or None for an empty cell; choices are turned into their translated
labels by the column's function (`row.state.label`), never written as codes. The writers decide how
each type looks: a real date or number cell in a workbook, the locale's writing in a CSV file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from app.i18n import _

Value = str | int | float | Decimal | dt.date | dt.datetime | None


class ColumnType(Enum):
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    INTEGER = "integer"
    NUMBER = "number"  # with `decimals` places
    MONEY = "money"  # euros, two places


@dataclass(frozen=True)
class Column:
    title: str  # N_() marked, translated when written
    type: ColumnType
    value: Callable[[Any], Value]
    decimals: int = 0  # NUMBER columns: the places shown
    wrap: bool = False  # TEXT columns of several lines (one item a line): wrapped in a workbook

    @property
    def shown_decimals(self) -> int:
        if self.type is ColumnType.MONEY:
            return 2
        return self.decimals if self.type is ColumnType.NUMBER else 0


@dataclass
class Table:
    """A list ready to be written: its title (translated: the sheet's name), columns and rows (read
    once, lazily), and how many rows there are (for the progress; rows come in batches from the
    database)."""

    title: str
    columns: tuple[Column, ...]
    rows: Iterable[Any]
    total: int

    def header(self) -> list[str]:
        return [_(column.title) for column in self.columns]


def text(value: Callable[[Any], Value], title: str, *, wrap: bool = False) -> Column:
    return Column(title, ColumnType.TEXT, value, wrap=wrap)


def date(value: Callable[[Any], Value], title: str) -> Column:
    return Column(title, ColumnType.DATE, value)


def datetime(value: Callable[[Any], Value], title: str) -> Column:
    return Column(title, ColumnType.DATETIME, value)


def integer(value: Callable[[Any], Value], title: str) -> Column:
    return Column(title, ColumnType.INTEGER, value)


def number(value: Callable[[Any], Value], title: str, decimals: int) -> Column:
    return Column(title, ColumnType.NUMBER, value, decimals)


def money(value: Callable[[Any], Value], title: str) -> Column:
    return Column(title, ColumnType.MONEY, value)


def yes_no(value: bool | None) -> str:
    """A yes/no fact as the user's word ("" when unknown)."""
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def label(choice) -> str:
    """A stored choice's translated label ("" for none)."""
    return choice.label if choice is not None else ""
