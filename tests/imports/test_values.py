"""Cell values as Spanish files hold them: dates, amounts, codes with leading zeros, numeric phones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.services.imports.values import (
    header_key,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_text,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("23/11/2026", dt.date(2026, 11, 23)),
        ("3/2/2026", dt.date(2026, 2, 3)),  # day first, as Spain writes it
        ("23-11-2026", dt.date(2026, 11, 23)),
        ("23.11.2026", dt.date(2026, 11, 23)),
        ("23/11/26", dt.date(2026, 11, 23)),
        ("2026-11-23", dt.date(2026, 11, 23)),
        ("2026-11-23 00:00:00", dt.date(2026, 11, 23)),
        ("23/11/2026 10:30", dt.date(2026, 11, 23)),
        ("46349", dt.date(2026, 11, 23)),  # an Excel serial number saved as text
        (46349.0, dt.date(2026, 11, 23)),  # a number cell in a date column
        (46349.75, dt.date(2026, 11, 23)),  # a date and time
        (dt.datetime(2026, 11, 23, 9, 0), dt.date(2026, 11, 23)),
        (dt.date(2026, 11, 23), dt.date(2026, 11, 23)),
    ],
)
def test_dates(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["31/02/2026", "mañana", "11/23/2026", "0", "2026/13/01", True])
def test_not_dates(cell):
    with pytest.raises(ValueError):
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1234,5", "1234.5"),
        ("12.50", "12.50"),
        ("1.234", "1234"),  # a point grouping thousands, as Spanish writes 1.234 €
        ("0.500", "0.500"),
        ("12.345.678", "12345678"),
        ("1,234,567", "1234567"),
        ("1.234,50 €", "1234.50"),
        ("€ 1.234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("-12,5", "-12.5"),
        ("(12,50)", "-12.50"),
        (549.9, "549.9"),  # a float cell, by its shortest repr
        (3, "3"),
    ],
)
def test_amounts(cell, expected):
    assert parse_decimal(cell) == Decimal(expected)


@pytest.mark.parametrize("cell", ["doce", "1.2,5", "1,2,3.4", "", "1..2", "12,34,5"])
def test_not_amounts(cell):
    with pytest.raises(ValueError):
        parse_decimal(cell)


def test_whole_numbers():
    assert parse_integer("24") == 24
    assert parse_integer("24,0") == 24
    assert parse_integer(36.0) == 36
    with pytest.raises(ValueError):
        parse_integer("2,5")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("00017", "00017"),  # text keeps its leading zeros
        (600123456.0, "600123456"),  # a phone a spreadsheet made a number: no .0
        (34600123456.0, "34600123456"),  # no exponent either
        (1e15, "1000000000000000"),
        (12.5, "12.5"),
        (dt.date(2026, 11, 23), "23/11/2026"),
        ("  Peña\x00 ", "Peña"),
        (None, ""),
    ],
)
def test_text(cell, expected):
    assert parse_text(cell) == expected


def test_yes_no():
    assert parse_yes_no("Sí") is True and parse_yes_no("x") is True and parse_yes_no(True) is True
    assert parse_yes_no("NO") is False and parse_yes_no("0") is False
    with pytest.raises(ValueError):
        parse_yes_no("quizás")


@pytest.mark.parametrize(
    ("header", "key"),
    [("N.I.F.", "nif"), ("CIF/NIF", "cif nif"), ("Código Postal", "codigo postal"), ("  E-MAIL ", "e mail")],
)
def test_header_keys(header, key):
    assert header_key(header) == key
