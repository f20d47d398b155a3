"""A customer's rights in the window (issue 18): export and erase from the 360° view (a manager's;
disabled with the reason for a rep), the erasure confirmed by typing the code, and the retention list."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt

from app.i18n import format_date
from app.models import AuditEntry, Customer, CustomerErasure, Sale
from app.models.enums import RepRole
from app.services.customers import CustomerInput, create_customer, privacy
from app.services.permissions import Permissions
from app.services.reps import create_rep
from app.views import dialogs
from app.views.customers import privacy as privacy_views
from app.views.customers.actions import ERASE_DATA, EXPORT_DATA
from app.views.customers.customer_360 import Customer360Dialog
from app.views.customers.privacy import EraseDialog, RetentionDialog
from app.views.rights import refusal_of

TODAY = dt.date(2026, 11, 23)
MANAGER = Permissions(role="manager", login="boss")


@pytest.fixture
def world(database):
    ana = create_rep("ana", "Ana García")
    create_rep("boss", "Marta Jefa", RepRole.MANAGER)
    pena = create_customer(
        CustomerInput(
            code="C-1", name="Zoraida Peña", email="zoraida@example.org", rep_id=ana.id, notes="Diabética"
        ),
        ana.id,
    )
    return {"ana": ana, "pena": pena, "rep": Permissions(role="rep", login="ana", rep_id=ana.id)}


def open_360(qtbot, world, permissions: Permissions) -> Customer360Dialog:
    dialog = Customer360Dialog(
        None, world["pena"], TODAY, acting_rep_id=world["ana"].id, permissions=permissions
    )
    qtbot.addWidget(dialog)
    return dialog


def test_a_rep_sees_the_personal_data_buttons_disabled_with_the_reason(qtbot, world):
    dialog = open_360(qtbot, world, world["rep"])
    for action in (EXPORT_DATA, ERASE_DATA):
        button = dialog.actions.button(action)
        assert not button.isEnabled()
        assert refusal_of(button) == "Only a manager can export or erase a customer's personal data."


def test_a_manager_erases_after_typing_the_code(qtbot, world, monkeypatch):
    asked: list[EraseDialog] = []

    def exec_(dialog) -> int:
        asked.append(dialog)
        assert not dialog.erase_button.isEnabled()
        qtbot.keyClicks(dialog.code_edit, "C-")
        assert not dialog.erase_button.isEnabled()
        qtbot.keyClicks(dialog.code_edit, "1")
        assert dialog.erase_button.isEnabled()
        return EraseDialog.DialogCode.Accepted

    monkeypatch.setattr(EraseDialog, "exec", exec_)
    dialog = open_360(qtbot, world, MANAGER)
    erase = dialog.actions.button(ERASE_DATA)
    assert erase.isEnabled()
    qtbot.mouseClick(erase, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    qtbot.waitUntil(lambda: not erase.isEnabled(), timeout=10000)  # erased in the background
    customer = Customer.get_by_id(world["pena"])
    assert (customer.name, customer.email, customer.notes) == (privacy.ERASED, "", "")
    assert AuditEntry.select().where(AuditEntry.action == "erase").count() == 1
    # The view was read again: the erase button says why it is off now.
    assert not erase.isEnabled()
    assert refusal_of(erase) == "This customer's personal data was already erased."


def test_cancelling_the_confirmation_erases_nothing(qtbot, world, monkeypatch):
    monkeypatch.setattr(EraseDialog, "exec", lambda dialog: EraseDialog.DialogCode.Rejected)
    dialog = open_360(qtbot, world, MANAGER)
    qtbot.mouseClick(dialog.actions.button(ERASE_DATA), Qt.MouseButton.LeftButton)
    assert Customer.get_by_id(world["pena"]).name == "Zoraida Peña"
    assert CustomerErasure.select().count() == 0


def test_a_manager_exports_the_json_and_the_pdf(qtbot, world, monkeypatch, tmp_path):
    chosen = tmp_path / "zoraida"
    monkeypatch.setattr(dialogs, "ask_save_file", lambda *args: chosen.with_suffix(".json"))
    told: list[str] = []
    monkeypatch.setattr(dialogs, "inform", lambda parent, text, title: told.append(text))
    dialog = open_360(qtbot, world, MANAGER)
    qtbot.mouseClick(dialog.actions.button(EXPORT_DATA), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    exported = json.loads((tmp_path / "zoraida.json").read_text("utf-8"))
    assert exported["customer"][0]["fields"]["name"] == "Zoraida Peña"
    assert (tmp_path / "zoraida.pdf").read_bytes().startswith(b"%PDF")
    assert str(tmp_path / "zoraida.pdf") in told[0]


def test_the_retention_list_shows_silent_customers_and_erases_one(qtbot, world, monkeypatch):
    old = Customer.create(code="C-OLD", name="Olvido Antiguo", created_at=dt.datetime(2015, 1, 1))
    Sale.create(number="V-OLD", customer=old, sold_on=dt.date(2017, 5, 4))
    monkeypatch.setattr(EraseDialog, "ask", classmethod(lambda cls, parent, customer: True))
    dialog = RetentionDialog(None, acting_rep_id=None, permissions=MANAGER, today=TODAY)
    qtbot.addWidget(dialog)
    assert [row.code for row in dialog.rows] == ["C-OLD"]
    assert dialog.table.item(0, 3).text() == format_date(dt.date(2017, 5, 4))
    dialog.years.setValue(12)  # nobody silent for 12 years
    assert dialog.rows == []
    dialog.years.setValue(6)
    dialog.table.selectRow(0)
    dialog._on_erase_clicked()
    qtbot.waitUntil(lambda: dialog.rows == [], timeout=10000)  # erased: no longer due
    assert Customer.get_by_id(old.id).name == privacy.ERASED


def test_a_rep_cannot_erase_from_the_retention_list(qtbot, world):
    Customer.create(code="C-OLD", name="Olvido Antiguo", created_at=dt.datetime(2015, 1, 1))
    dialog = RetentionDialog(None, acting_rep_id=None, permissions=world["rep"], today=TODAY)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    erase = next(
        b for b in dialog.findChildren(privacy_views.QPushButton) if b.text() == "Erase personal data…"
    )
    assert not erase.isEnabled()
    assert refusal_of(erase) == "Only a manager can export or erase a customer's personal data."
