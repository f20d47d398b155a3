"""`postventa import --format COLUMN=FORMAT`: a column whose every value reads both ways (01/02/2026,
1.234) is read as the person says instead of the Spanish way; a column named by its header (accents,
case and dots ignored) or by its field; an unknown column, an unknown format, a format that does not fit
the column or a badly written option is a usage error (exit 2, one line, stdout empty, nothing saved)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from app.models import Sale, SaleLine
from app.models.database import close_database, open_database
from tests.helpers import one_line_error, run
from tests.imports.files import write_csv

CUSTOMERS = [["Código", "Nombre", "NIF"], ["00017", "Peña & Hijos, S.L.", "B12345674"]]
PRODUCTS = [["Referencia", "Descripción", "Familia"], ["LAV-001", "Lavadora", "Lavadoras"]]
# Every date reads both ways, every price too ('1,250': one and a quarter, or a thousand and some).
SALES = [
    ["Nº factura", "Fecha", "Cliente", "Referencia", "Cantidad", "Precio"],
    ["F-1", "01/02/2026", "00017", "LAV-001", "1", "1,250"],
    ["F-2", "03/04/2026", "00017", "LAV-001", "1", "2,500"],
]


@pytest.fixture
def shop(capsys, new_database, tmp_path):
    """A database with a customer and a product, and the sales file to import into it."""
    target = new_database("shop")
    for kind, rows in (("customers", CUSTOMERS), ("products", PRODUCTS)):
        path = write_csv(tmp_path / f"{kind}.csv", rows)
        code, _out, err = run(capsys, "import", kind, str(path), "--db", target, "--json")
        assert code == 0, err
    return target, write_csv(tmp_path / "ventas.csv", SALES)


def _sales(target: str) -> dict[str, tuple[dt.date, Decimal]]:
    open_database(target)
    try:
        return {
            line.sale.number: (line.sale.sold_on, Decimal(line.unit_price))
            for line in SaleLine.select().join(Sale)
        }
    finally:
        close_database()


def _import_sales(capsys, target, path, *options):
    return run(
        capsys,
        "import",
        "sales",
        str(path),
        "--db",
        target,
        "--as-of",
        "2026-12-01",
        "--no-follow-ups",
        "--json",
        "--lang",
        "en",
        *options,
    )


def test_without_the_option_ambiguous_columns_are_read_the_spanish_way(capsys, shop):
    target, path = shop
    code, out, err = _import_sales(capsys, target, path)
    assert code == 0, err
    assert json.loads(out)["created"] == 2
    assert _sales(target) == {
        "F-1": (dt.date(2026, 2, 1), Decimal("1.25")),
        "F-2": (dt.date(2026, 4, 3), Decimal("2.50")),
    }


def test_the_chosen_formats_are_used(capsys, shop):
    target, path = shop
    code, out, err = _import_sales(
        capsys, target, path, "--format", "fecha=mdy", "--format", "unit_price=decimal-point"
    )
    assert code == 0, err
    assert json.loads(out)["created"] == 2
    assert _sales(target) == {
        "F-1": (dt.date(2026, 1, 2), Decimal("1250.00")),
        "F-2": (dt.date(2026, 3, 4), Decimal("2500.00")),
    }


def test_a_chosen_format_also_rejects_what_does_not_fit(capsys, shop, tmp_path):
    target, _path = shop
    rows = [SALES[0][:5], ["F-9", "23/11/2026", "00017", "LAV-001", "1"]]
    path = write_csv(tmp_path / "dia-primero.csv", rows)
    code, out, err = _import_sales(capsys, target, path, "--format", "Fecha=MDY", "--dry-run")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["rejections"] == [
        {"row": 2, "reasons": ["Fecha: 23/11/2026 is not a date of the calendar."]}
    ]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "Nope=mdy",
            "--format: The file has no column Nope (its columns: Nº factura, Fecha, Cliente, Referencia, "
            "Cantidad, Precio).",
        ),
        ("Fecha=iso", "--format: iso is not a format; write one of: dmy, mdy, decimal-comma, decimal-point."),
        (
            "Fecha=decimal-comma",
            "--format: The column Fecha holds dates (Sale date): choose dmy or mdy for it.",
        ),
        (
            "Precio=dmy",
            "--format: The column Precio holds numbers (Unit price): choose decimal-comma or decimal-point "
            "for it.",
        ),
        (
            "Cliente=dmy",
            "--format: The column Cliente (Customer (code or tax ID)) holds neither dates nor numbers, so it "
            "has no format to choose.",
        ),
        ("Fecha", "--format Fecha: write the column and its format, like --format Fecha=mdy."),
        ("=mdy", "--format =mdy: write the column and its format, like --format Fecha=mdy."),
    ],
)
def test_a_format_that_does_not_fit_is_a_usage_error(capsys, shop, option, message):
    target, path = shop
    code, out, err = _import_sales(capsys, target, path, "--format", option)
    assert (code, out) == (2, "")
    assert one_line_error(err) == f"postventa: {message}"
    assert _sales(target) == {}


def test_a_column_not_imported_has_no_format(capsys, shop, tmp_path):
    target, _path = shop
    rows = [[*SALES[0], "Notas internas"], [*SALES[1], "01/02/2026"]]
    path = write_csv(tmp_path / "con-notas.csv", rows)
    code, out, err = _import_sales(capsys, target, path, "--format", "notas internas=dmy")
    assert (code, out) == (2, "")
    assert one_line_error(err) == (
        "postventa: --format: The column Notas internas is not imported, so it has no format to choose."
    )
