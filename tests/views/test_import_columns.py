"""File ▸ Import…, the columns page: each column's dates and numbers as found from its values (changeable,
asked when every value reads both ways), columns with a repeated or blank header, and a header row
set by hand that the next file of the same program finds again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtWidgets import QWizard

from app.models import Customer, Sale, SaleLine
from app.services.imports import ImportKind
from app.views import settings
from app.views.imports import wizard as wizard_module
from app.views.imports.wizard import FORMAT_ROW
from tests.imports.files import write_csv, write_xlsx
from tests.views.test_import_wizard import (
    WAIT_MS,
    catalogue,
    counts,
    fields,
    open_wizard,
    to_check,
    to_columns,
    wait_for_columns,
)

SALES = [
    ["Nº factura", "Fecha", "NIF cliente", "Referencia", "Cantidad", "Precio", "Fecha entrega", "Alta"],
    ["F-1", "01/02/2026", "B12345674", "CAB-10", "1", "1,234.50", "03/15/2026", "2026-01-30"],
    ["F-2", "03/04/2026", "12345678Z", "CAB-10", "2", "12.5", "04/05/2026", "2026-03-30"],
]


def next_enabled(wizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_formats_found_per_column_and_an_ambiguous_one_asked(qtbot, database, tmp_path):
    """Sale dates that read both ways, delivery dates month first, prices with a decimal point: each
    column shows its own writing; the ambiguous one asks and holds the page until answered."""
    catalogue(tmp_path)
    path = write_csv(tmp_path / "ventas.csv", SALES)
    wizard = open_wizard(qtbot, database)
    wizard.source_page.as_of_edit.setDate(dt.date(2026, 6, 1))
    wizard.source_page.follow_ups_check.setChecked(False)
    to_columns(qtbot, wizard, ImportKind.SALES, path)
    page = wizard.columns_page
    assert fields(wizard) == [
        "number",
        "sold_on",
        "customer",
        "product",
        "quantity",
        "unit_price",
        "delivered_on",
        "",
    ]
    assert page.table.verticalHeaderItem(FORMAT_ROW).text() == "Written as"
    # Text columns have no format; each date or number column its own.
    assert [page.format_of(c) for c in range(8)] == [None, "", None, None, "plain", "point", "mdy", None]
    combo = page.table.cellWidget(FORMAT_ROW, 1)
    assert combo.currentText() == "Both ways: choose…" and "reads both ways" in combo.toolTip()
    assert page.table.cellWidget(FORMAT_ROW, 6).toolTip() == (
        "Found from the column's values: month/day/year (11/23/2026)."
    )
    assert page.missing.isVisible() and "Choose how Fecha writes its dates or numbers" in page.missing.text()
    assert not next_enabled(wizard)
    # Mapping the ISO column to the delivery date: its format follows the field, found as ISO.
    page.set_field(7, "delivered_on")
    assert page.format_of(6) is None and page.format_of(7) == "iso"
    page.set_field(6, "delivered_on")  # back
    assert page.format_of(6) == "mdy" and page.format_of(7) is None
    page.set_format(1, "mdy")
    wait_for_columns(qtbot, wizard)
    assert not page.missing.isVisible() and next_enabled(wizard)
    assert page.formats() == {"Fecha": "mdy", "Precio": "point", "Fecha entrega": "mdy"}
    assert page.problem_cells() == {}
    to_check(qtbot, wizard)
    assert counts(wizard.check_page.summary) == (2, 0, 0, 0)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.import_page.summary is not None, timeout=WAIT_MS)
    first = Sale.get(Sale.number == "F-1")
    assert (first.sold_on, first.delivered_on) == (dt.date(2026, 1, 2), dt.date(2026, 3, 15))
    assert SaleLine.get(SaleLine.sale == first).unit_price == Decimal("1234.50")
    assert Sale.get(Sale.number == "F-2").sold_on == dt.date(2026, 3, 4)


def test_a_format_chosen_against_the_values_marks_the_cells(qtbot, database, tmp_path):
    catalogue(tmp_path)
    path = write_csv(tmp_path / "ventas.csv", SALES)
    wizard = open_wizard(qtbot, database)
    wizard.source_page.as_of_edit.setDate(dt.date(2026, 6, 1))
    to_columns(qtbot, wizard, ImportKind.SALES, path)
    page = wizard.columns_page
    page.set_format(1, "dmy")
    page.set_format(6, "dmy")  # '03/15/2026' is no day/month date
    page.set_format(5, "comma")  # '1,234.50' is no amount with a decimal comma
    wait_for_columns(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(page.problem_cells()), timeout=WAIT_MS)
    cells = page.problem_cells()
    assert cells[(2, 6)] == "Fecha entrega: 03/15/2026 is not a date of the calendar."
    assert cells[(2, 5)] == "Precio: 1,234.50 is not a number written as this column writes them (1.234,50)."


def test_repeated_and_blank_headers_are_named_and_mapped_apart(qtbot, database, tmp_path):
    header = ["Código", "Nombre", "Teléfono", "Teléfono", "", "E-mail"]
    path = write_xlsx(
        tmp_path / "clientes.xlsx",
        [
            header,
            ["00017", "Peña & Hijos, S.L.", 912345678, 600111222, "Cliente desde 1998", "pena@example.com"],
        ],
    )
    wizard = open_wizard(qtbot, database)
    to_columns(qtbot, wizard, ImportKind.CUSTOMERS, path)
    page = wizard.columns_page
    labels = [page.table.horizontalHeaderItem(c).text() for c in range(6)]
    assert labels == ["Código", "Nombre", "Teléfono", "Teléfono (2)", "Column 5", "E-mail"]
    assert fields(wizard) == ["code", "name", "phone", "", "", "email"]
    assert all(page.table.cellWidget(0, c).isEnabled() for c in range(6))
    page.set_field(3, "mobile")
    page.set_field(4, "notes")
    assert page.mapping() == {
        "Código": "code",
        "Nombre": "name",
        "Teléfono": "phone",
        "Teléfono (2)": "mobile",
        "Column 5": "notes",
        "E-mail": "email",
    }
    to_check(qtbot, wizard)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.import_page.summary is not None, timeout=WAIT_MS)
    pena = Customer.get(Customer.code == "00017")
    assert (pena.phone, pena.mobile, pena.notes) == ("912345678", "600111222", "Cliente desde 1998")


def test_a_header_row_set_by_hand_keeps_its_mapping_for_the_next_file(qtbot, database, tmp_path):
    """Headers no field knows under title rows: the person points at the row and names the columns;
    the next file of the same program opens on that row with those columns."""
    header = ["Ref. interna", "Titular", "Doc. fiscal", "Zona"]
    first = write_csv(
        tmp_path / "enero.csv",
        [header, ["00001", "Ana Ruiz", "12345678Z", "Toledo"]],
        titles=["Titulares del ERP", "Exportado el 02/01/2026"],
    )
    wizard = open_wizard(qtbot, database)
    to_columns(qtbot, wizard, ImportKind.CUSTOMERS, first)
    page = wizard.columns_page
    assert page.header_spin.value() == 1 and page.status.text().startswith(
        "No row of the file was recognised"
    )
    page.header_spin.setValue(4)
    qtbot.waitUntil(
        lambda: page.ready() and page.table.horizontalHeaderItem(0).text() == "Ref. interna", timeout=WAIT_MS
    )
    wait_for_columns(qtbot, wizard)
    assert fields(wizard) == ["", "", "", ""]
    for column, name in enumerate(["code", "name", "tax_id", "city"]):
        page.set_field(column, name)
    to_check(qtbot, wizard)
    wizard.reject()
    key = wizard_module.imports.headers_key(header)
    assert settings.import_mapping("customers", key) == {
        "Ref. interna": "code",
        "Titular": "name",
        "Doc. fiscal": "tax_id",
        "Zona": "city",
    }

    second = write_csv(
        tmp_path / "febrero.csv",
        [header[::-1], ["Cuenca", "B12345674", "Luis Gil", "00002"]],
        titles=["Titulares del ERP", "Exportado el 01/02/2026", "Página 1"],
    )
    again = open_wizard(qtbot, database)
    to_columns(qtbot, again, ImportKind.CUSTOMERS, second)
    page = again.columns_page
    assert page.header_spin.value() == 5 and not page.status.text().startswith("No row")
    assert fields(again) == ["city", "tax_id", "name", "code"]
    assert page.remembered_note.isVisible() and next_enabled(again)
    to_check(qtbot, again)
    again.next()
    qtbot.waitUntil(lambda: again.import_page.summary is not None, timeout=WAIT_MS)
    assert Customer.get(Customer.code == "00002").tax_id == "B12345674"
    assert Customer.get(Customer.code == "00002").city == "Cuenca"
    # Confirmed again as it was: still kept for the next file.
    assert settings.import_mapping("customers", key) is not None
