"""Importing products (categories made as the catalogue makes them) and sales (whole, with warranties
and follow-ups from --as-of on), and importing them again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import FollowUp, FollowUpPlan, Product, ProductCategory, Sale, SaleLine, SoldUnit
from app.services.imports import ImportKind, ImportOptions, open_for_import, run_import
from tests.imports.files import DATA, write_csv

PRODUCTS = [
    ["Referencia", "Descripción", "Familia", "Garantía (meses)", "PVP", "Con número de serie"],
    ["LAV-001", "Lavadora Ñ 8 kg", "Lavadoras", "36", "549,90", "sí"],
    ["CAB-10", "Cable HDMI 2 m", "Accesorios", "24", "12,50", "no"],
    ["lav-001", "Repetida", "Lavadoras", "36", "1", "sí"],
    ["X-1", "Sin familia", "", "", "", ""],
]
CUSTOMERS = [
    ["Código", "Nombre", "NIF"],
    ["00017", "Peña & Hijos, S.L.", "B12345674"],
    ["00018", "José Núñez", "12345678Z"],
]
SALE_HEADER = [
    "Nº factura",
    "Fecha",
    "Cliente",
    "Referencia",
    "Nº serie",
    "Cantidad",
    "Precio",
    "Fecha entrega",
]


def run(kind, path, **options):
    opts = ImportOptions(kind, **options)
    return run_import(open_for_import(path, opts), opts)


def counts(summary):
    return summary.created, summary.updated, summary.unchanged, summary.rejected


@pytest.fixture
def catalogue(database, tmp_path):
    run(ImportKind.CUSTOMERS, write_csv(tmp_path / "clientes.csv", CUSTOMERS))
    return run(ImportKind.PRODUCTS, write_csv(tmp_path / "articulos.csv", PRODUCTS))


def test_products_with_new_categories(catalogue):
    assert counts(catalogue) == (2, 0, 0, 2)
    assert [(r.row, r.reasons) for r in catalogue.rejections] == [
        (4, ("Referencia: the same as row 2, which comes first; this row is left out.",)),
        (5, ("Familia: Choose a category.",)),
    ]
    washer = Product.get(Product.sku == "LAV-001")
    assert (washer.name, washer.warranty_months, washer.price, washer.serialised) == (
        "Lavadora Ñ 8 kg",
        36,
        Decimal("549.90"),
        True,
    )
    assert Product.get(Product.sku == "CAB-10").serialised is False
    categories = {c.name: c for c in ProductCategory.select()}
    assert set(categories) == {"Lavadoras", "Accesorios"} and categories["Lavadoras"].code == "LAVADORAS"
    # As a category made in the catalogue: its default plans (a standard one and one for A customers).
    assert FollowUpPlan.select().where(FollowUpPlan.category == categories["Lavadoras"]).count() == 2


def test_products_reimported_then_changed(catalogue, tmp_path):
    assert counts(run(ImportKind.PRODUCTS, write_csv(tmp_path / "again.csv", PRODUCTS[:3]))) == (0, 0, 2, 0)
    changed = [PRODUCTS[0], [*PRODUCTS[1][:4], "499", "sí"], PRODUCTS[2]]
    assert counts(run(ImportKind.PRODUCTS, write_csv(tmp_path / "v2.csv", changed))) == (0, 1, 1, 0)
    assert Product.get(Product.sku == "LAV-001").price == Decimal("499.00")
    assert ProductCategory.select().count() == 2


@pytest.mark.parametrize("name", ["sales.ods", "sales.xls"])
def test_sales_from_a_workbook_with_warranties_and_follow_ups_from_as_of(catalogue, name):
    summary = run(ImportKind.SALES, DATA / name, as_of=dt.date(2026, 3, 1))
    assert counts(summary) == (3, 0, 0, 0)
    sale = Sale.get(Sale.number == "F-2026-001")
    assert (sale.sold_on, sale.delivered_on, sale.customer.code) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 5),
        "00017",
    )
    units = list(SoldUnit.select().join(SaleLine).where(SaleLine.sale == sale).order_by(SoldUnit.id))
    assert [(u.serial_number, u.warranty_ends_on) for u in units] == [
        ("SN-0001", dt.date(2029, 3, 4)),  # delivered 5 March 2026 + 36 months, last covered day
        ("SN-0002", dt.date(2029, 3, 4)),
    ]
    assert [line.unit_price for line in sale.lines] == [Decimal("549.90"), Decimal("549.90")]
    cable = Sale.get(Sale.number == "F-2026-002")
    [unit] = SoldUnit.select().join(SaleLine).where(SaleLine.sale == cable)
    assert (cable.customer.code, unit.quantity, unit.warranty_ends_on) == (
        "00018",
        3,
        None,
    )  # not delivered yet
    planned = FollowUp.select().where(FollowUp.customer == sale.customer)
    assert planned.count() > 0
    assert min(f.scheduled_at.date() for f in planned) >= dt.date(2026, 3, 1)


def test_follow_ups_only_for_steps_from_as_of(catalogue):
    run(ImportKind.SALES, DATA / "sales.ods", as_of=dt.date(2026, 11, 23))  # delivered in March
    late = [f.scheduled_at.date() for f in FollowUp.select()]
    assert late and min(late) >= dt.date(2026, 11, 23)


def test_no_follow_ups_when_asked(catalogue):
    assert counts(run(ImportKind.SALES, DATA / "sales.xls", as_of=dt.date(2026, 3, 1), follow_ups=False)) == (
        3,
        0,
        0,
        0,
    )
    assert FollowUp.select().count() == 0


def test_sales_reimported_then_delivered(catalogue, tmp_path):
    rows = [
        SALE_HEADER,
        ["F-1", "02/03/2026", "B12345674", "LAV-001", "SN-1", "1", "549,90", "05/03/2026"],
        ["F-1", "02/03/2026", "B12345674", "CAB-10", "", "2", "", "05/03/2026"],
        ["F-2", "10/04/2026", "00018", "CAB-10", "", "3", "12,50", ""],
    ]
    path = write_csv(tmp_path / "ventas.csv", rows)
    assert counts(run(ImportKind.SALES, path, as_of=dt.date(2026, 3, 1))) == (3, 0, 0, 0)
    assert SaleLine.select().join(Sale).where(Sale.number == "F-1").order_by(SaleLine.id)[
        1
    ].unit_price == Decimal("12.50")
    follow_ups = FollowUp.select().count()
    assert counts(run(ImportKind.SALES, path, as_of=dt.date(2026, 3, 1))) == (0, 0, 3, 0)
    assert FollowUp.select().count() == follow_ups and Sale.select().count() == 2
    rows[3][7] = "20/04/2026"
    summary = run(ImportKind.SALES, write_csv(tmp_path / "v2.csv", rows), as_of=dt.date(2026, 3, 1))
    assert counts(summary) == (0, 1, 2, 0)
    [unit] = SoldUnit.select().join(SaleLine).join(Sale).where(Sale.number == "F-2")
    assert unit.warranty_ends_on == dt.date(2028, 4, 19)


def test_a_sale_goes_in_whole_or_not_at_all(catalogue, tmp_path):
    rows = [
        SALE_HEADER,
        ["F-1", "02/03/2026", "B12345674", "LAV-001", "SN-1", "1", "", ""],
        ["F-1", "02/03/2026", "B12345674", "NOPE", "", "1", "", ""],
        ["F-2", "02/03/2026", "NADIE", "CAB-10", "", "1", "", ""],
        ["F-3", "02/03/2026", "00018", "LAV-001", "SN-1", "1", "", ""],
        ["F-1", "02/03/2026", "B12345674", "CAB-10", "", "1", "", ""],
        ["F-4", "02/03/2026", "00018", "CAB-10", "", "1", "", "01/03/2026"],
    ]
    summary = run(ImportKind.SALES, write_csv(tmp_path / "v.csv", rows), as_of=dt.date(2026, 3, 1))
    assert counts(summary) == (0, 0, 0, 6)
    reasons = {r.row: r.reasons for r in summary.rejections}
    assert reasons[2] == ("Row 3 of the same sale was rejected: a sale is imported whole or not at all.",)
    assert reasons[3] == ("Referencia: no product has the reference NOPE.",)
    assert reasons[4] == ("Cliente: no customer has the code or tax ID NADIE.",)
    assert reasons[5] == ("Nº serie: the same as row 2, which comes first; this row is left out.",)
    assert reasons[6] == (
        "Nº factura: sale F-1 already appeared at row 2; the lines of a sale go one after another.",
    )
    assert reasons[7] == ("Fecha entrega: The delivery date cannot be before the sale date.",)
    assert Sale.select().count() == 0


def test_a_recorded_sale_is_not_changed_by_an_import(catalogue, tmp_path):
    rows = [SALE_HEADER, ["F-1", "02/03/2026", "B12345674", "CAB-10", "", "2", "12,50", ""]]
    run(ImportKind.SALES, write_csv(tmp_path / "a.csv", rows), as_of=dt.date(2026, 3, 1))
    rows[1][5] = "5"
    rows.append(["F-1", "02/03/2026", "B12345674", "CAB-10", "", "1", "12,50", ""])
    summary = run(ImportKind.SALES, write_csv(tmp_path / "b.csv", rows), as_of=dt.date(2026, 3, 1))
    assert counts(summary) == (0, 0, 0, 2)
    assert summary.rejections[0].reasons == (
        "Cantidad: sale F-1 is recorded with 2 here; an import does not change a recorded sale's lines.",
    )
    assert summary.rejections[1].reasons == (
        "Sale F-1 is already recorded without this line; an import does not add lines to it.",
    )
