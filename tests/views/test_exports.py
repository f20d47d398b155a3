"""Export… on the list pages: the Save dialog (Documents folder, XLSX or CSV), the list as shown
written in the background, the message saying where, a replaced file asked about, failures shown."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.views import dialogs
from app.views import exports as exports_view
from app.views.customers.page import AT_RISK, CustomerListPage
from app.views.pages.base import AppContext
from app.views.reports.page import ReportsPage, documents_folder
from app.views.returns.page import ReturnsPage
from tests.factories import EXPORT_TODAY, NASTY, build_export_world

CSV_FILTER, XLSX_FILTER = exports_view.FILE_TYPES[1][0], exports_view.FILE_TYPES[0][0]


@pytest.fixture
def world(database):
    return build_export_world()


@pytest.fixture
def context(database, world):
    return AppContext(database=database, current_rep=world["ana"])


@pytest.fixture
def save_dialog(monkeypatch, tmp_path):
    """Qt's Save dialog answering `answer["name"]` with `answer["filter"]`; the calls are kept."""
    answer = {"name": str(tmp_path / "lista"), "filter": XLSX_FILTER}
    calls: list[tuple] = []

    def get_save_file_name(parent, caption, folder, filters, selected=""):
        calls.append((caption, folder, filters, selected))
        return answer["name"], answer["filter"]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    answer["calls"] = calls
    return answer


@pytest.fixture
def messages(monkeypatch):
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(exports_view, "inform", lambda parent, text, title: said.append((text, title)))
    return said


def read_csv(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data[3:].decode(), newline=""), delimiter=";"))


def test_customers_page_exports_the_search_shown_to_csv(qtbot, context, save_dialog, messages, tmp_path):
    page = CustomerListPage(context, today=lambda: EXPORT_TODAY)
    qtbot.addWidget(page)
    page.search_box.setText("ramón")
    qtbot.waitUntil(lambda: page.model.total_count() == 1, timeout=3000)
    save_dialog["filter"] = CSV_FILTER

    qtbot.mouseClick(page._export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)

    caption, folder, filters, selected = save_dialog["calls"][0]
    assert caption == "Export “Customers”"
    assert Path(folder).parent == documents_folder()  # the Documents folder at first
    assert Path(folder).name == f"Customers {dt.date.today().isoformat()}.xlsx"
    assert filters.split(";;") == [XLSX_FILTER, CSV_FILTER] and selected == XLSX_FILTER
    written = tmp_path / "lista.csv"  # the chosen type's extension added
    assert messages == [(f"1 row exported to {written}", "Export “Customers”")]
    assert [row["Name"] for row in read_csv(written)] == ["Ramón Núñez"]


def test_customers_page_exports_the_whole_at_risk_list_to_xlsx(
    qtbot, context, save_dialog, messages, tmp_path
):
    page = CustomerListPage(context, today=lambda: EXPORT_TODAY)
    qtbot.addWidget(page)
    page.set_mode(AT_RISK)
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=3000)

    assert page.export_list()  # what Ctrl+E does
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)

    sheet = openpyxl.load_workbook(tmp_path / "lista.xlsx").active
    assert sheet.title == "Customers at risk"
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, (cell.value for cell in sheet[2]), strict=True))
    assert (values["Name"], values["Value"]) == (NASTY, 1234.5)
    assert sheet.max_row == 2


def test_returns_page_exports_its_filters(qtbot, context, save_dialog, messages, tmp_path):
    page = ReturnsPage(context, today=lambda: EXPORT_TODAY)
    qtbot.addWidget(page)
    save_dialog["name"] = str(tmp_path / "devoluciones.xlsx")  # typed with its extension
    save_dialog["filter"] = CSV_FILTER  # the name's extension wins over the filter

    qtbot.mouseClick(page._export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)

    sheet = openpyxl.load_workbook(tmp_path / "devoluciones.xlsx").active
    assert [cell.value for cell in sheet[2]][:3] == ["RMA-2026-0001", dt.datetime(2026, 11, 2), "Requested"]
    assert not (tmp_path / "devoluciones.xlsx.csv").exists()


def test_an_existing_file_is_replaced_only_after_asking(
    qtbot, context, save_dialog, messages, monkeypatch, tmp_path
):
    page = ReturnsPage(context, today=lambda: EXPORT_TODAY)
    qtbot.addWidget(page)
    existing = tmp_path / "lista.xlsx"
    existing.write_bytes(b"mine")
    asked: list[str] = []

    def no(parent, question, title=None, **kwargs):
        asked.append(question)
        return False

    monkeypatch.setattr(dialogs, "confirm", no)
    assert page.export_list()
    assert asked == ["lista.xlsx already exists. Do you want to replace it?"]
    qtbot.wait(100)
    assert existing.read_bytes() == b"mine" and messages == []


def test_a_failure_goes_to_the_error_dialog(qtbot, context, save_dialog, messages, monkeypatch, tmp_path):
    page = ReturnsPage(context, today=lambda: EXPORT_TODAY)
    qtbot.addWidget(page)
    save_dialog["name"] = str(tmp_path / "missing" / "lista.xlsx")
    shown: list[BaseException] = []
    monkeypatch.setattr(exports_view, "show_error", lambda parent, exc: shown.append(exc))

    page.export_list()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "does not exist" in str(shown[0]) and messages == []


def test_reports_page_exports_the_surveys_of_the_period(qtbot, context, save_dialog, messages, tmp_path):
    page = ReportsPage(context, today=lambda: EXPORT_TODAY)
    qtbot.addWidget(page)
    page.set_period(dt.date(2026, 11, 6), dt.date(2026, 11, 30))
    page.language_combo.setCurrentIndex(page.language_combo.findData("es"))  # the document's language
    assert not page.export_surveys_button.isHidden()

    qtbot.mouseClick(page.export_surveys_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)

    sheet = openpyxl.load_workbook(tmp_path / "lista.xlsx").active
    assert (sheet.title, sheet["C1"].value, sheet["G1"].value) == ("Encuestas", "Cliente", "Comentario")
    assert sheet.max_row == 2 and sheet["C2"].value == "Ramón Núñez"
    assert messages[0][1] == "Export “Surveys”"  # the window speaks its own language
