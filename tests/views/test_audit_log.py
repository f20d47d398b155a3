"""Settings ▸ Audit log: a manager reads who changed what (old → new), filters it and exports it;
a rep cannot open it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.i18n import using_language
from app.models import AuditEntry
from app.models.enums import RepRole
from app.services import customers
from app.services.reps import create_rep
from app.views import audit_log
from app.views.audit_log import CHANGES, RECORD, WHO, AuditLogDialog, AuditTableModel
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from app.views.rights import refusal_of


@pytest.fixture
def people(database):
    return {
        "boss": create_rep("JEFA", "Marta Jefa", role=RepRole.MANAGER),
        "ana": create_rep("ANA", "Ana García"),
    }


@pytest.fixture
def log(people):
    """Two customers by Ana, one edited by the manager on another day."""
    ana, boss = people["ana"], people["boss"]
    first = customers.create_customer(customers.CustomerInput(code="C-1", name="Peña", rep_id=ana.id), ana.id)
    customers.create_customer(customers.CustomerInput(code="C-22", name="Haro", rep_id=ana.id), ana.id)
    data = customers.get_customer(first).to_input()
    data.city = "Ávila"
    customers.update_customer(first, data, boss.id)
    AuditEntry.update(at=dt.datetime(2026, 1, 10, 9, 0)).where(AuditEntry.rep == ana.id).execute()
    return first


def make_dialog(qtbot, database, rep) -> AuditLogDialog:
    dialog = AuditLogDialog(AppContext(database=database, current_rep=rep))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def column(dialog: AuditLogDialog, index: int) -> list[str]:
    model = dialog.model
    return [model.index(row, index).data() for row in range(model.rowCount())]


def test_the_model_passes_qt_s_model_tester(qtmodeltester, log, people):
    model = AuditTableModel(batch_size=2)
    model.set_filter(audit_log.AuditFilter(entity="customer"))
    assert model.total_count() == 3 and model.loaded_count() == 2  # the first batch only
    model.fetchMore()
    assert model.loaded_count() == 3 and not model.canFetchMore()
    qtmodeltester.check(model)


def test_a_manager_reads_the_changes_newest_first_and_filters_them(qtbot, database, log, people):
    with using_language("en"):
        dialog = make_dialog(qtbot, database, people["boss"])
        kind, text, person, action = (dialog.filters()[k] for k in ("kind", "text", "person", "action"))
        kind.setCurrentIndex(kind.findData("customer"))
        assert column(dialog, RECORD) == ["C-1", "C-22", "C-1"]
        assert column(dialog, WHO) == ["Marta Jefa", "Ana García", "Ana García"]
        assert column(dialog, CHANGES)[0] == "City: — → Ávila"
        assert dialog.count_text == "3 entries"

        dialog.table.selectRow(0)
        assert dialog.detail_text.splitlines()[2:] == ["City: — → Ávila"]
        assert "Changed · Customer C-1" in dialog.detail_text.splitlines()[0]

        qtbot.keyClicks(text, "c-2")
        qtbot.waitUntil(lambda: column(dialog, RECORD) == ["C-22"])
        text.clear()
        person.setCurrentIndex(person.findData(people["boss"].id))
        assert column(dialog, RECORD) == ["C-1"]
        person.setCurrentIndex(0)
        action.setCurrentIndex(action.findData("create"))
        assert column(dialog, RECORD) == ["C-22", "C-1"]
        action.setCurrentIndex(0)
        dialog.set_period(dt.date(2026, 1, 10), dt.date(2026, 1, 10))
        assert column(dialog, RECORD) == ["C-22", "C-1"]
        dialog.set_period(dt.date(2026, 1, 1), dt.date(2026, 1, 9))
        assert dialog.model.rowCount() == 0
        assert dialog.empty_text == "No entry matches these filters."
        assert not dialog.export_button.isEnabled()


def test_the_changes_show_in_spanish_with_the_choices_labels(qtbot, database, people):
    ana = people["ana"]
    customer_id = customers.create_customer(customers.CustomerInput(code="C-1", name="Peña"), ana.id)
    data = customers.get_customer(customer_id).to_input()
    data.preferred_channel = "email"
    customers.update_customer(customer_id, data, ana.id)
    with using_language("es"):
        dialog = make_dialog(qtbot, database, people["boss"])
        assert column(dialog, CHANGES)[0] == "Canal preferido: Teléfono → Correo electrónico"


def test_a_rep_cannot_open_the_log(qtbot, database, people, monkeypatch):
    opened = []
    monkeypatch.setattr(AuditLogDialog, "answer", lambda self, *a, **k: opened.append(self))
    window = MainWindow(AppContext(database=database, current_rep=people["ana"]))
    qtbot.addWidget(window)
    with using_language("en"):
        assert refusal_of(window.audit_log_action) == "Only a manager can read the audit log."
        AuditLogDialog.ask(window, window.context)
        assert opened == []
        assert window.statusBar().currentMessage() == "Only a manager can read the audit log."
        AuditLogDialog.ask(window, AppContext(database=database, current_rep=people["boss"]))
    assert len(opened) == 1


def test_the_manager_s_menu_opens_it(qtbot, database, people, monkeypatch):
    opened = []
    monkeypatch.setattr(AuditLogDialog, "answer", lambda self, *a, **k: opened.append(self))
    window = MainWindow(AppContext(database=database, current_rep=people["boss"]))
    qtbot.addWidget(window)
    assert refusal_of(window.audit_log_action) is None
    window.audit_log_action.trigger()
    assert len(opened) == 1


def test_an_empty_log_says_so(qtbot, database):
    with using_language("en"):
        dialog = make_dialog(qtbot, database, None)
        assert dialog.empty_text == "Nothing has been recorded yet."
        assert not dialog.export_button.isEnabled()


def test_export_writes_what_the_filters_show(qtbot, database, log, people, monkeypatch, tmp_path):
    target = tmp_path / "audit.xlsx"
    asked: dict[str, object] = {}

    def ask_save_file(parent, caption, suggested, filters, extension):
        asked["suggested"] = Path(suggested)
        return target

    informed: list[str] = []
    monkeypatch.setattr(audit_log, "ask_save_file", ask_save_file)
    monkeypatch.setattr(audit_log, "inform", lambda parent, text, title: informed.append(text))
    with using_language("en"):
        dialog = make_dialog(qtbot, database, people["boss"])
        person, kind = dialog.filters()["person"], dialog.filters()["kind"]
        person.setCurrentIndex(person.findData(people["ana"].id))
        kind.setCurrentIndex(kind.findData("customer"))
        dialog.export_button.click()
        qtbot.waitUntil(lambda: bool(informed), timeout=10000)
    assert informed == ["2 entries exported to audit.xlsx."]
    assert asked["suggested"].suffix == ".xlsx" and asked["suggested"].name.startswith("audit-log-")
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert [row[4] for row in rows[1:]] == ["C-22", "C-1"]
    assert {row[1] for row in rows[1:]} == {"Ana García"}
