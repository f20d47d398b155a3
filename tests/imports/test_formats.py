"""Each column's dates and numbers read in the column's own writing, found from its values: files that
mix day-first and month-first dates, decimal commas and points, ISO dates and Excel day numbers
across their columns; ambiguous columns; the person's choice for a column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import Product, Sale, SaleLine
from app.services.imports import ImportKind, ImportOptions, open_for_import, run_import
from app.services.imports.formats import ColumnFormat, DateFormat, NumberFormat, detect_formats
from app.services.imports.values import DecimalMark, parse_decimal
from tests.imports.files import write_csv, write_xlsx

CUSTOMERS = [["Código", "Nombre", "NIF"], ["00017", "Peña & Hijos, S.L.", "B12345674"]]
PRODUCTS = [
    ["Referencia", "Descripción", "Familia", "Garantía (meses)", "PVP"],
    ["LAV-001", "Lavadora", "Lavadoras", "36", "549,90"],
    ["SEC-002", "Secadora", "Secadoras", "24", "1.234,50"],
]
SALE_HEADER = ["Nº factura", "Fecha", "Cliente", "Referencia", "Cantidad", "Precio", "Fecha entrega"]


def run(kind, path, **options):
    opts = ImportOptions(kind, **options)
    return run_import(open_for_import(path, opts), opts)


def found(path, kind=ImportKind.SALES) -> dict[str, ColumnFormat]:
    source = open_for_import(path, ImportOptions(kind, as_of=dt.date(2026, 12, 1))).source
    return dict(zip(source.headers, source.formats, strict=True))


@pytest.fixture
def catalogue(database, tmp_path):
    run(ImportKind.CUSTOMERS, write_csv(tmp_path / "clientes.csv", CUSTOMERS))
    summary = run(ImportKind.PRODUCTS, write_csv(tmp_path / "articulos.csv", PRODUCTS))
    assert summary.created == 2 and Product.get(Product.sku == "SEC-002").price == Decimal("1234.50")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["23/11/2026", "01/02/2026"], ColumnFormat(dates=DateFormat.DAY_FIRST)),
        (["11/23/2026", "01/02/2026"], ColumnFormat(dates=DateFormat.MONTH_FIRST)),
        (["01/02/2026", "03/04/26"], ColumnFormat(dates=DateFormat.DAY_FIRST, dates_ambiguous=True)),
        (["05/05/2026", "1/1/2026"], ColumnFormat(dates=DateFormat.DAY_FIRST)),  # the same either way
        (
            ["23/11/2026", "11/24/2026", "11/25/2026"],
            ColumnFormat(dates=DateFormat.MONTH_FIRST, dates_mixed=True),
        ),
        (["2026-11-23", "2026-01-02"], ColumnFormat(dates=DateFormat.ISO)),
        ([46349, 46350.0], ColumnFormat(dates=DateFormat.SERIAL, numbers=NumberFormat.PLAIN)),
        ([dt.datetime(2026, 11, 23)], ColumnFormat(dates=DateFormat.CELLS)),
        (["1.234,50", "12"], ColumnFormat(numbers=NumberFormat.COMMA)),
        (["12,5", "1.234"], ColumnFormat(numbers=NumberFormat.COMMA)),  # the comma decides, '1.234' follows
        (["1,234.50", "0.75 €"], ColumnFormat(numbers=NumberFormat.POINT)),
        (["1,234,567"], ColumnFormat(numbers=NumberFormat.POINT)),  # commas grouping thousands
        (["1.234", "12.345"], ColumnFormat(numbers=NumberFormat.COMMA, numbers_ambiguous=True)),
        (["1,234", "-2,500"], ColumnFormat(numbers=NumberFormat.COMMA, numbers_ambiguous=True)),
        (["12", "1234"], ColumnFormat(numbers=NumberFormat.PLAIN)),
        (["Peña", "", None], ColumnFormat()),
    ],
)
def test_a_column_is_judged_by_its_own_values(values, expected):
    assert detect_formats([[value] for value in values], 1) == [expected]


def test_columns_are_judged_apart():
    rows = [["23/11/2026", "11/23/2026", "1.234,50", "1,234.50"], ["01/02/2026", "01/02/2026", "7", "7"]]
    assert [(f.dates, f.numbers) for f in detect_formats(rows, 4)] == [
        (DateFormat.DAY_FIRST, None),
        (DateFormat.MONTH_FIRST, None),
        (None, NumberFormat.COMMA),
        (None, NumberFormat.POINT),
    ]


def test_an_amount_in_a_column_of_the_other_writing_is_refused():
    assert parse_decimal("1.234,50", DecimalMark.COMMA) == Decimal("1234.50")
    assert parse_decimal("1,234.50", DecimalMark.POINT) == Decimal("1234.50")
    assert parse_decimal("1.234", DecimalMark.POINT) == Decimal("1.234")
    assert parse_decimal("1.234", DecimalMark.COMMA) == Decimal("1234")
    with pytest.raises(
        ValueError, match=r"12\.50 is not a number written as this column writes them \(1\.234,50\)"
    ):
        parse_decimal("12.50", DecimalMark.COMMA)
    with pytest.raises(ValueError, match="1,234.5"):
        parse_decimal("1.23,4", DecimalMark.POINT)


def test_a_csv_mixing_formats_across_columns(catalogue, tmp_path):
    """Sale dates day first, delivery dates month first (an export from a US tool pasted beside),
    prices with a decimal point and thousands commas: each column read in its own writing."""
    path = write_csv(
        tmp_path / "ventas.csv",
        [
            SALE_HEADER,
            ["F-1", "23/11/2026", "00017", "LAV-001", "1", "1,234.50", "11/25/2026"],
            ["F-2", "02/03/2026", "00017", "SEC-002", "2", "549.90", "03/04/2026"],
            ["F-3", "13/01/2026", "00017", "SEC-002", "1,000", "12.5", "01/13/2026"],
        ],
    )
    formats = found(path)
    assert formats["Fecha"].dates is DateFormat.DAY_FIRST
    assert formats["Fecha entrega"].dates is DateFormat.MONTH_FIRST
    assert formats["Precio"].numbers is NumberFormat.POINT and not formats["Precio"].numbers_ambiguous
    assert formats["Cantidad"].numbers_ambiguous  # '1,000' alone: a thousand or one
    summary = run(ImportKind.SALES, path, as_of=dt.date(2026, 12, 1), follow_ups=False)
    assert (summary.created, summary.rejected) == (3, 0), summary.rejections
    sales = {s.number: s for s in Sale.select()}
    assert (sales["F-1"].sold_on, sales["F-1"].delivered_on) == (dt.date(2026, 11, 23), dt.date(2026, 11, 25))
    assert (sales["F-2"].sold_on, sales["F-2"].delivered_on) == (dt.date(2026, 3, 2), dt.date(2026, 3, 4))
    assert (sales["F-3"].sold_on, sales["F-3"].delivered_on) == (dt.date(2026, 1, 13), dt.date(2026, 1, 13))
    lines = {line.sale.number: line for line in SaleLine.select()}
    assert lines["F-1"].unit_price == Decimal("1234.50") and lines["F-2"].unit_price == Decimal("549.90")
    # The quantity column was ambiguous: the Spanish reading, '1,000' with a decimal comma is 1.
    assert lines["F-3"].quantity == 1 and lines["F-3"].unit_price == Decimal("12.50")


def test_a_workbook_mixing_date_cells_day_numbers_iso_text_and_decimal_commas(catalogue, tmp_path):
    path = write_xlsx(
        tmp_path / "ventas.xlsx",
        [
            ["Nº factura", "Fecha", "Cliente", "Referencia", "Precio", "Fecha entrega", "Alta"],
            ["F-1", dt.datetime(2026, 11, 23), "00017", "LAV-001", "1.234,50", 46351, "2026-11-20"],
            ["F-2", dt.datetime(2026, 3, 2), "00017", "SEC-002", "549,9", 46085, "2026-03-01"],
        ],
    )
    formats = found(path)
    assert formats["Fecha"].dates is DateFormat.CELLS
    assert formats["Fecha entrega"].dates is DateFormat.SERIAL
    assert formats["Alta"].dates is DateFormat.ISO
    assert formats["Precio"].numbers is NumberFormat.COMMA
    summary = run(ImportKind.SALES, path, as_of=dt.date(2026, 12, 1), follow_ups=False)
    assert (summary.created, summary.rejected) == (2, 0), summary.rejections
    sale = Sale.get(Sale.number == "F-1")
    assert (sale.sold_on, sale.delivered_on) == (dt.date(2026, 11, 23), dt.date(2026, 11, 25))
    assert SaleLine.get(SaleLine.sale == sale).unit_price == Decimal("1234.50")
    assert Sale.get(Sale.number == "F-2").delivered_on == dt.date(2026, 3, 4)


def test_an_ambiguous_column_is_read_day_first_unless_the_person_says_otherwise(catalogue, tmp_path):
    rows = [
        SALE_HEADER[:5],
        ["F-1", "01/02/2026", "00017", "LAV-001", "1"],
        ["F-2", "03/04/2026", "00017", "LAV-001", "1"],
    ]
    path = write_csv(tmp_path / "ventas.csv", rows)
    assert found(path)["Fecha"] == ColumnFormat(dates=DateFormat.DAY_FIRST, dates_ambiguous=True)
    dry = run(ImportKind.SALES, path, as_of=dt.date(2026, 12, 1), dry_run=True)
    assert dry.created == 2 and not Sale.select().exists()
    run(ImportKind.SALES, path, as_of=dt.date(2026, 12, 1), formats={"Fecha": "mdy"}, follow_ups=False)
    assert {s.number: s.sold_on for s in Sale.select()} == {
        "F-1": dt.date(2026, 1, 2),
        "F-2": dt.date(2026, 3, 4),
    }


def test_a_choice_against_the_values_rejects_the_rows_that_do_not_fit(catalogue, tmp_path):
    rows = [
        SALE_HEADER[:6],
        ["F-1", "23/11/2026", "00017", "LAV-001", "1", "12.50"],
        ["F-2", "01/02/2026", "00017", "LAV-001", "1", "1.234,50"],
    ]
    path = write_csv(tmp_path / "ventas.csv", rows)
    summary = run(
        ImportKind.SALES, path, as_of=dt.date(2026, 12, 1), formats={"Fecha": "mdy", "Precio": "point"}
    )
    assert summary.created == 0
    assert [(r.row, r.reasons) for r in summary.rejections] == [
        (2, ("Fecha: 23/11/2026 is not a date of the calendar.",)),
        (3, ("Precio: 1.234,50 is not a number written as this column writes them (1,234.50).",)),
    ]
    assert not Sale.select().exists()
