"""Sales imported in batches (recording.record_validated_sales): the same records, audit entries,
warranties and follow-ups as the sale dialog's record_sale, each row's own reasons, and nothing kept of
an import that stops halfway — over more sales than one batch holds."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import AuditEntry, FollowUp, Sale, SaleLine, SoldUnit
from app.services.imports import ImportKind, ImportOptions, open_for_import, run_import
from app.services.imports.sales import _BATCH
from app.services.sales import recording
from app.services.sales.recording import SaleLineInput
from tests.imports.files import write_csv

TODAY = dt.date(2026, 11, 23)
SALES = _BATCH * 2 + 50  # three batches
HEADER = ["Nº factura", "Fecha", "Cliente", "Referencia", "Nº serie", "Fecha entrega"]


def run(kind, path, **options):
    opts = ImportOptions(kind, **options)
    return run_import(open_for_import(path, opts), opts)


@pytest.fixture
def shop(database, tmp_path):
    run(
        ImportKind.CUSTOMERS,
        write_csv(
            tmp_path / "c.csv", [["Código", "Nombre"], *[[f"{i:05d}", f"Cliente {i}"] for i in range(SALES)]]
        ),
    )
    products = [["Referencia", "Descripción", "Familia", "Garantía (meses)", "Con número de serie"]]
    products.append(["LAV-001", "Lavadora", "Lavadoras", "36", "sí"])
    run(ImportKind.PRODUCTS, write_csv(tmp_path / "p.csv", products))
    # A unit sold before the import, by the sale dialog's command: its serial number is taken.
    customer_id = 1
    product_id = 1
    recording.record_sale(
        customer_id,
        None,
        dt.date(2026, 1, 5),
        None,
        [SaleLineInput(product_id, 1, serial_numbers=["SN-TAKEN"])],
        number="A-1",
        today=TODAY,
    )


def sales_file(tmp_path, *, bad_at: int | None = None):
    rows = [HEADER]
    for i in range(SALES):
        serial = f"SN-{i:05d}"
        if i == bad_at:
            serial = "SN-TAKEN"
        rows.append(
            [f"F-{i:05d}", "10/11/2026", f"{i:05d}", "LAV-001", serial, "12/11/2026" if i % 2 else ""]
        )
    rows.append(["F-99999", "10/11/2026", "00001", "LAV-001", "SN-00003", ""])  # a serial of row 5
    return write_csv(tmp_path / "ventas.csv", rows)


def test_many_sales_in_batches_as_the_sale_dialog_records_them(shop, tmp_path):
    summary = run(ImportKind.SALES, sales_file(tmp_path, bad_at=SALES - 1), as_of=TODAY)
    assert (summary.created, summary.rejected) == (SALES - 1, 2)
    reasons = {r.row: r.reasons for r in summary.rejections}
    assert reasons[SALES + 1] == (
        "Nº serie: Line 1: the serial number SN-TAKEN already belongs to Cliente 0 (Lavadora).",
    )
    assert reasons[SALES + 2] == ("Nº serie: the same as row 5, which comes first; this row is left out.",)
    assert Sale.select().count() == SALES  # A-1 and the imported ones
    sale = Sale.get(Sale.number == "F-00001")
    unit = SoldUnit.get(SoldUnit.serial_number == "SN-00001")
    assert (sale.number_key, unit.serial_key) == ("f-00001", "sn-00001")
    assert unit.line.sale == sale and unit.customer_id == sale.customer_id
    assert unit.warranty_ends_on == dt.date(2029, 11, 11)  # 36 months from the delivery (its last day)
    assert SoldUnit.get(SoldUnit.serial_number == "SN-00002").warranty_ends_on is None  # not delivered
    assert SaleLine.select().count() == SALES and SoldUnit.select().count() == SALES
    audited = AuditEntry.select().where((AuditEntry.entity == "sale") & (AuditEntry.action == "create"))
    assert audited.count() == SALES
    assert AuditEntry.get(AuditEntry.label == "F-00001").entity_id == sale.id
    # The delivered sales got their plan's follow-ups, from --as-of on; the others none yet.
    followed = {s for (s,) in FollowUp.select(SaleLine.sale).join(SoldUnit).join(SaleLine).tuples()}
    delivered = {s.id for s in Sale.select().where(Sale.delivered_on.is_null(False))}
    assert followed and followed <= delivered
    assert min(f.scheduled_at.date() for f in FollowUp.select()) >= TODAY
    # Importing the file again changes nothing.
    again = run(ImportKind.SALES, sales_file(tmp_path, bad_at=SALES - 1), as_of=TODAY)
    assert (again.created, again.unchanged) == (0, SALES - 1)


def test_an_import_stopped_in_its_third_batch_leaves_nothing(shop, tmp_path):
    opts = ImportOptions(ImportKind.SALES, as_of=TODAY)
    opened = open_for_import(sales_file(tmp_path), opts)
    before = (
        Sale.select().count(),
        SoldUnit.select().count(),
        AuditEntry.select().count(),
        FollowUp.select().count(),
    )

    def progress(done):
        if done >= _BATCH * 2 + 20:
            raise KeyboardInterrupt  # the window's Cancel, a process stopping

    with pytest.raises(KeyboardInterrupt):
        run_import(opened, opts, progress=progress)
    after = (
        Sale.select().count(),
        SoldUnit.select().count(),
        AuditEntry.select().count(),
        FollowUp.select().count(),
    )
    assert after == before
