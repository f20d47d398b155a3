"""File ▸ Import…: the wizard driven end to end over the import core (files as Spanish companies save them)."""

from __future__ import annotations

import csv
import datetime as dt
import threading

import openpyxl
import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QWizard

from app.models import AuditEntry, Customer, FollowUp, Sale, SoldUnit
from app.services.imports import ImportKind, ImportOptions, load_mapping, open_for_import, run_import
from app.views import dialogs, settings
from app.views.events import CUSTOMERS, FOLLOW_UPS, SALES, app_events
from app.views.imports import wizard as wizard_module
from app.views.imports.wizard import CHECK, COLUMNS, IMPORT, ImportWizard, RejectionsModel
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from tests.helpers import run
from tests.imports.files import write_csv

HEADER = ["Código", "Razón social", "CIF/NIF", "Teléfono", "E-mail", "C.P.", "Población"]
GOOD = [
    ["00017", "Peña & Hijos, S.L.", "B-12.345.674", "912345678", "pena@example.com", "08001", "Barcelona"],
    ["00018", "José Núñez Ávila", "12345678Z", "+34 600 12 34 57", "jose@example.com", "26001", "Logroño"],
]
BAD = [
    ["00019", "NIF equivocado", "12345678A", "600123458", "mal@example.com", "28013", "Madrid"],
    ["00017", "Repetido", "", "600123459", "", "28013", "Madrid"],
]
WAIT_MS = 30000


@pytest.fixture
def customers_csv(tmp_path):
    """cp1252, `;`, CRLF and a title row and a blank line above the headers (on row 3)."""
    return write_csv(tmp_path / "clientes.csv", [HEADER, *GOOD, *BAD], titles=["Clientes a 23/11/2026"])


@pytest.fixture
def documents(tmp_path, monkeypatch):
    folder = tmp_path / "Documentos"
    folder.mkdir()
    monkeypatch.setattr(wizard_module, "documents_folder", lambda: folder)
    return folder


def open_wizard(qtbot, database) -> ImportWizard:
    wizard = ImportWizard(AppContext(database=database))
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def to_columns(qtbot, wizard: ImportWizard, kind: ImportKind, path) -> None:
    wizard.source_page.select_kind(kind)
    wizard.source_page.file_edit.setText(str(path))
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentId() == COLUMNS
    wait_for_columns(qtbot, wizard)


def wait_for_columns(qtbot, wizard: ImportWizard) -> None:
    page = wizard.columns_page
    qtbot.waitUntil(lambda: page.ready() and not page.is_busy(), timeout=WAIT_MS)


def to_check(qtbot, wizard: ImportWizard) -> None:
    wizard.next()
    assert wizard.currentId() == CHECK
    qtbot.waitUntil(lambda: wizard.check_page.summary is not None, timeout=WAIT_MS)


def fields(wizard: ImportWizard) -> list[str]:
    page = wizard.columns_page
    return [page.field_of(column) for column in range(page.table.columnCount())]


def counts(summary):
    return summary.created, summary.updated, summary.unchanged, summary.rejected


def test_customers_csv_end_to_end_with_the_error_file(qtbot, database, customers_csv, documents, monkeypatch):
    wizard = open_wizard(qtbot, database)
    to_columns(qtbot, wizard, ImportKind.CUSTOMERS, customers_csv)
    page = wizard.columns_page
    # How the file reads: found, shown, and the header row can be changed.
    assert page.read_as.text() == "Windows-1252 text, columns separated by semicolons (;)"
    assert page.header_spin.value() == 3 and page.sheet_combo.isHidden()
    assert fields(wizard) == ["code", "name", "tax_id", "phone", "email", "postal_code", "city"]
    # The first rows as the import checks them: the bad cells marked with the reasons.
    assert page.problem_cells() == {
        (
            6,
            2,
        ): "CIF/NIF: This is not a valid Spanish NIF, NIE or CIF: check the digits and the control letter.",
        (7, 0): "Código: the same as row 4, which comes first; this row is left out.",
    }
    assert page.table.verticalHeaderItem(4).text() == "6" and page.table.item(4, 2).text() == "12345678A"
    assert page.status.text().startswith("2 of the first 4 rows have a problem")
    assert Customer.select().count() == 0  # the preview was a rolled-back dry run

    to_check(qtbot, wizard)
    check = wizard.check_page
    assert counts(check.summary) == (2, 0, 0, 2)
    assert [check.view.model.index(r, 0).data() for r in range(2)] == ["6", "7"]
    assert wizard.button(QWizard.WizardButton.CommitButton).text() == "&Import"
    assert Customer.select().count() == 0 and AuditEntry.select().count() == 0

    with qtbot.waitSignal(app_events().data_changed, timeout=WAIT_MS) as announced:
        wizard.next()
        assert wizard.currentId() == IMPORT
    assert announced.args[0] == frozenset({CUSTOMERS})
    done = wizard.import_page
    qtbot.waitUntil(lambda: done.summary is not None, timeout=WAIT_MS)
    assert counts(done.summary) == (2, 0, 0, 2)
    assert sorted(c.code for c in Customer.select()) == ["00017", "00018"]
    assert Customer.get(Customer.code == "00018").city == "Logroño"  # cp1252 read as such
    assert done.view.counts.text() == "Created: 2 · Updated: 0 · Unchanged: 0 · Rejected: 2"
    assert done.view.save_button.isVisible()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()

    # "Save error file…": the save dialog starts in Documents; the rejected rows read back.
    asked = {}

    def save_dialog(parent, caption, suggested, filters):
        asked["suggested"] = suggested
        return str(documents / "rechazadas"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    written = done.view.save_error_file()
    assert asked["suggested"] == str(documents / "clientes-rejected.csv")
    assert written == documents / "rechazadas.csv"
    raw = written.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel in Spanish opens it right
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == [*HEADER, "Reasons for rejection"]
    assert rows[1][:7] == BAD[0] and "control letter" in rows[1][7]
    assert rows[2][:7] == BAD[1] and rows[2][7].startswith("Código: the same as row 4")
    assert done.view.status.text() == f"Rejected rows written to {written}"

    # A file that exists is replaced only when the person says so (the extension added here: asked here).
    questions = []
    monkeypatch.setattr(
        dialogs, "confirm", lambda parent, question, title=None, **kw: questions.append(question)
    )
    written.write_text("mine")
    assert done.view.save_error_file() is None
    assert questions == ["rechazadas.csv already exists. Do you want to replace it?"]
    assert written.read_text() == "mine"

    wizard.accept()
    assert not wizard.isVisible()


def test_header_row_changed_by_hand(qtbot, database, customers_csv):
    wizard = open_wizard(qtbot, database)
    to_columns(qtbot, wizard, ImportKind.CUSTOMERS, customers_csv)
    page = wizard.columns_page
    page.header_spin.setValue(4)  # the first data row taken as the headers: nothing is recognised
    qtbot.waitUntil(
        lambda: page.ready() and page.table.horizontalHeaderItem(0).text() == "00017", timeout=WAIT_MS
    )
    wait_for_columns(qtbot, wizard)
    assert fields(wizard) == [""] * 7
    assert page.missing.isVisible() and page.missing.text() == "Choose the column of: Name."
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.header_spin.setValue(3)
    qtbot.waitUntil(
        lambda: page.ready() and page.table.horizontalHeaderItem(0).text() == "Código", timeout=WAIT_MS
    )
    wait_for_columns(qtbot, wizard)
    assert (
        fields(wizard)[:2] == ["code", "name"] and wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    )


def sales_workbook(path):
    """Two sheets: notes first (nothing to import), the sales on the second; real date and number cells."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notas"
    notes["A1"] = "Ventas exportadas del programa de facturación"
    sales = book.create_sheet("Ventas")
    sales.append(
        [
            "Nº factura",
            "Fecha",
            "NIF cliente",
            "Referencia",
            "Nº serie",
            "Cantidad",
            "Precio",
            "Fecha entrega",
        ]
    )
    sales.append(
        ["F-2026-001", dt.date(2026, 3, 2), "B12345674", "LAV-001", "SN-0001", 1, 549.9, dt.date(2026, 3, 5)]
    )
    sales.append(
        ["F-2026-001", dt.date(2026, 3, 2), "B12345674", "LAV-001", "SN-0002", 1, 549.9, dt.date(2026, 3, 5)]
    )
    sales.append(["F-2026-002", dt.date(2026, 4, 10), "12345678Z", "CAB-10", None, 3, 12.5, None])
    sales.append(["F-2026-003", dt.date(2026, 4, 11), "00000000T", "CAB-10", None, 1, 12.5, None])
    book.save(path)
    return path


def catalogue(tmp_path):
    """The customers and products the sales name, imported by the core."""
    customers = write_csv(
        tmp_path / "c.csv",
        [["Código", "Nombre", "NIF"], ["00017", "Peña", "B12345674"], ["00018", "José", "12345678Z"]],
    )
    products = write_csv(
        tmp_path / "p.csv",
        [
            ["Referencia", "Descripción", "Familia", "Garantía (meses)", "Con número de serie"],
            ["LAV-001", "Lavadora", "Lavadoras", "36", "sí"],
            ["CAB-10", "Cable HDMI", "Accesorios", "24", "no"],
        ],
    )
    for kind, path in ((ImportKind.CUSTOMERS, customers), (ImportKind.PRODUCTS, products)):
        options = ImportOptions(kind)
        run_import(open_for_import(path, options), options).close()


def test_sales_workbook_with_a_sheet_chosen_as_of_and_no_follow_ups(qtbot, database, tmp_path):
    catalogue(tmp_path)
    path = sales_workbook(tmp_path / "ventas.xlsx")
    wizard = open_wizard(qtbot, database)
    source = wizard.source_page
    source.select_kind(ImportKind.SALES)
    assert source.as_of_edit.isVisible() and source.follow_ups_check.isVisible()
    source.as_of_edit.setDate(QDate(2026, 3, 1))
    source.follow_ups_check.setChecked(False)
    to_columns(qtbot, wizard, ImportKind.SALES, path)
    page = wizard.columns_page
    # The first sheet holds no table: headers taken from row 1, the person is told to choose.
    assert page.sheet_combo.isVisible() and not page.read_as.isVisible()
    assert [page.sheet_combo.itemText(i) for i in range(page.sheet_combo.count())] == ["Notas", "Ventas"]
    assert page.status.text().startswith("No row of the file was recognised as its headers")
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()

    page.sheet_combo.setCurrentIndex(1)
    page.sheet_combo.activated.emit(1)
    qtbot.waitUntil(lambda: page.ready() and page.sheet_combo.currentText() == "Ventas", timeout=WAIT_MS)
    wait_for_columns(qtbot, wizard)
    assert fields(wizard) == [
        "number",
        "sold_on",
        "customer",
        "product",
        "serial_number",
        "quantity",
        "unit_price",
        "delivered_on",
    ]
    assert page.table.item(2, 1).text() == "02/03/2026"  # a real date cell, shown as the error file writes it
    assert page.problem_cells() == {(5, 2): "NIF cliente: no customer has the code or tax ID 00000000T."}

    to_check(qtbot, wizard)
    assert counts(wizard.check_page.summary) == (3, 0, 0, 1)
    with qtbot.waitSignal(app_events().data_changed, timeout=WAIT_MS) as announced:
        wizard.next()
    assert announced.args[0] == frozenset({SALES, FOLLOW_UPS, CUSTOMERS})
    qtbot.waitUntil(lambda: wizard.import_page.summary is not None, timeout=WAIT_MS)
    assert counts(wizard.import_page.summary) == (3, 0, 0, 1)
    assert sorted(s.number for s in Sale.select()) == ["F-2026-001", "F-2026-002"]
    assert sorted(u.serial_number or "" for u in SoldUnit.select()) == ["", "SN-0001", "SN-0002"]
    assert FollowUp.select().count() == 0  # "Plan the follow-ups" unchecked


def test_cancel_during_the_import_leaves_nothing(qtbot, database, tmp_path, monkeypatch):
    rows = [
        [f"{n:05d}", f"Cliente {n}", "", f"6{n:08d}", f"c{n}@example.com", "28013", "Madrid"]
        for n in range(1, 1201)
    ]
    path = write_csv(tmp_path / "muchos.csv", [HEADER, *rows])
    wizard = open_wizard(qtbot, database)
    to_columns(qtbot, wizard, ImportKind.CUSTOMERS, path)
    to_check(qtbot, wizard)
    assert counts(wizard.check_page.summary) == (1200, 0, 0, 0)

    # The import stops at its first progress report (row 500, written inside its transaction) until
    # the person has pressed Cancel.
    reached, resume = threading.Event(), threading.Event()
    report = wizard_module._Pass.report

    def held(self, done):
        if not reached.is_set():
            reached.set()
            resume.wait(WAIT_MS / 1000)
        report(self, done)

    monkeypatch.setattr(wizard_module._Pass, "report", held)
    announced = []
    app_events().data_changed.connect(lambda kinds, initiator: announced.append(kinds))
    wizard.next()
    qtbot.waitUntil(reached.is_set, timeout=WAIT_MS)
    wizard.reject()  # Cancel
    cancel = wizard.button(QWizard.WizardButton.CancelButton)
    assert wizard.isVisible() and not cancel.isEnabled()
    assert wizard.import_page.progress_label.text() == "Cancelling: nothing will be imported…"
    resume.set()
    qtbot.waitUntil(lambda: wizard.import_page.cancelled, timeout=WAIT_MS)
    assert wizard.import_page.progress_label.text() == "The import was cancelled: nothing was imported."
    assert Customer.select().count() == 0 and AuditEntry.select().count() == 0
    assert announced == [] and wizard.import_page.summary is None
    assert cancel.isEnabled() and cancel.text() == "Close"
    wizard.reject()
    assert not wizard.isVisible()


def test_a_confirmed_mapping_is_remembered_and_usable_from_the_command_line(
    qtbot, database, tmp_path, documents, monkeypatch, capsys
):
    header = ["Código", "Razón social", "Apodo", "Población"]
    first = write_csv(tmp_path / "enero.csv", [header, ["00001", "Ana Ruiz", "la de Toledo", "Toledo"]])
    wizard = open_wizard(qtbot, database)
    to_columns(qtbot, wizard, ImportKind.CUSTOMERS, first)
    page = wizard.columns_page
    assert fields(wizard) == ["code", "name", "", "city"]
    assert not page.remembered_note.isVisible() and not page.automatic_button.isVisible()
    page.set_field(2, "notes")  # "Apodo" is not a column Postventa knows: the person names it
    page.set_field(3, "")  # and leaves the town out
    wait_for_columns(qtbot, wizard)
    assert page.automatic_button.isVisible()
    assert page.mapping() == {"Código": "code", "Razón social": "name", "Apodo": "notes", "Población": ""}

    # "Save mapping…" writes the file `postventa import --mapping` reads.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(documents / "clientes"), ""))
    saved = page.save_mapping()
    assert saved == documents / "clientes.json"
    assert load_mapping(saved) == page.mapping()
    assert page.saved_status.text() == f"Mapping saved to {saved}."
    to_check(qtbot, wizard)  # Next confirms the mapping
    wizard.reject()  # and nothing is imported
    assert Customer.select().count() == 0

    # The next file with the same headers (in another order, other case) gets the mapping again.
    second = write_csv(
        tmp_path / "febrero.csv",
        [["POBLACIÓN", "apodo", "Razón Social", "código"], ["Cuenca", "el de Cuenca", "Luis Gil", "00002"]],
    )
    again = open_wizard(qtbot, database)
    to_columns(qtbot, again, ImportKind.CUSTOMERS, second)
    page = again.columns_page
    assert fields(again) == ["", "notes", "name", "code"]
    assert page.remembered_note.isVisible() and page.automatic_button.isVisible()
    # The person can still change it: back to the automatic matching, which is then not remembered.
    page.automatic_button.click()
    wait_for_columns(qtbot, again)
    assert fields(again) == ["city", "", "name", "code"]
    assert not page.remembered_note.isVisible() and not page.automatic_button.isVisible()
    page.set_field(1, "notes")
    to_check(qtbot, again)
    again.next()
    qtbot.waitUntil(lambda: again.import_page.summary is not None, timeout=WAIT_MS)
    luis = Customer.get(Customer.code == "00002")
    assert (luis.notes, luis.city) == ("el de Cuenca", "Cuenca")
    remembered = settings.import_mapping("customers", wizard_module.imports.headers_key(header))
    assert remembered == {"POBLACIÓN": "city", "apodo": "notes", "Razón Social": "name", "código": "code"}

    # The saved mapping works from the command line.
    code, out, err = run(
        capsys, "import", "customers", str(first), "--db", database.target, "--mapping", str(saved), "--json"
    )
    assert code == 0, err
    ana = Customer.get(Customer.code == "00001")
    assert (ana.notes, ana.city) == ("la de Toledo", "")


def test_a_file_that_cannot_be_read_is_explained_on_the_page(qtbot, database, tmp_path):
    path = tmp_path / "foto.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    wizard = open_wizard(qtbot, database)
    wizard.source_page.file_edit.setText(str(tmp_path / "missing.csv"))
    assert wizard.source_page.file_error.isVisible()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.source_page.file_edit.setText(str(path))
    wizard.next()
    page = wizard.columns_page
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=WAIT_MS)
    assert (
        page.status.text() == f"{path} is not a CSV file (it holds binary data, like an image or a program)."
    )
    assert not page.ready() and not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_rejections_model_passes_the_model_tester(qtmodeltester, database, customers_csv):
    options = ImportOptions(ImportKind.CUSTOMERS, dry_run=True)
    summary = run_import(open_for_import(customers_csv, options), options)
    summary.close()
    model = RejectionsModel()
    model.set_rows(summary.rejections)
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.index(1, 1).data().startswith("Código: the same as row 4")


def test_file_import_in_the_menu_opens_the_wizard(qtbot, database, monkeypatch):
    window = MainWindow(AppContext(database=database))
    qtbot.addWidget(window)
    opened = []
    monkeypatch.setattr(ImportWizard, "ask", classmethod(lambda cls, parent, context: opened.append(context)))
    action = window.import_action
    assert action.text() == "&Import…" and action.shortcut() == QKeySequence("Ctrl+Shift+I")
    assert action in window.menuBar().actions()[0].menu().actions()
    action.trigger()
    assert opened == [window.context]
