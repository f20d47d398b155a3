"""Acting on a customer from the 360° view and the at-risk list: each action opens its page's dialog
with the customer filled in and creates the record; reassigning is a manager's (and audited)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QLabel

from app.models import (
    AuditEntry,
    Case,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Sale,
    SaleLine,
    SoldUnit,
    UsageCheck,
    WarrantyReturn,
)
from app.models.enums import FollowUpKind, FollowUpPurpose, OutOfWarrantyReason, RepRole, Segment
from app.models.server_rights import MANAGER, REP
from app.services import checks
from app.services import customers as customer_service
from app.services.checks import ItemInput
from app.services.customers import CustomerInput, create_customer
from app.services.errors import DomainError
from app.services.exports import ExportFormat
from app.services.permissions import Permissions
from app.services.reps import create_rep
from app.views import dialogs as dialogs_module
from app.views import exports as exports_module
from app.views.agenda.dialogs import FollowUpDialog
from app.views.cases.dialogs import NewCaseDialog
from app.views.checks import dialog as check_dialogs
from app.views.checks.dialog import StartCheckDialog
from app.views.customers.actions import CASE, CHECK, REASSIGN, RETURN, SCHEDULE, SHORTCUTS, ReassignDialog
from app.views.customers.customer_360 import Customer360Dialog
from app.views.customers.page import AT_RISK, CustomerListPage
from app.views.pages.base import AppContext
from app.views.returns.dialogs import OpenReturnDialog
from app.views.rights import refusal_of
from tests.helpers import working_slot

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def world(database):
    ana = create_rep("ana", "Ana García")
    luis = create_rep("luis", "Luis Pérez")
    boss = create_rep("boss", "Marta Jefa", RepRole.MANAGER)
    coffee = ProductCategory.create(code="coffee", name="Coffee machines")
    barista = Product.create(
        sku="BAR", name="Barista 3000", category=coffee, warranty_months=24, price=Decimal("300")
    )
    checks.create_template("Correct use: coffee", [ItemInput("Fills the tank")], category_id=coffee.id)
    # Consents to commercial contact: the actions' follow-ups (offers, recovery) need it (issue 18).
    pena = create_customer(
        CustomerInput(
            code="C-1",
            name="Peña Hermanos",
            rep_id=ana.id,
            contact_consent=True,
            consent_date=dt.date(2020, 1, 1),
        ),
        ana.id,
    )
    Customer.update(segment=Segment.A).where(Customer.id == pena).execute()
    sale = Sale.create(
        number="V-1", customer=pena, rep=ana.id, sold_on=dt.date(2020, 1, 1), delivered_on=dt.date(2020, 1, 5)
    )
    line = SaleLine.create(sale=sale.id, product=barista.id, unit_price=Decimal("900"))
    unit = SoldUnit.create(
        line=line.id,
        customer=pena,
        product=barista.id,
        serial_number="SN-1",
        warranty_ends_on=dt.date(2022, 1, 5),
    )
    return {"ana": ana, "luis": luis, "boss": boss, "pena": pena, "unit": unit}


def accept_with(monkeypatch, dialog_class, fill=lambda dialog: None) -> list:
    """The dialog is shown (built for real, with what the action filled in) and accepted after `fill`."""
    shown: list = []

    def exec_(dialog) -> int:
        shown.append(dialog)
        fill(dialog)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialog_class, "exec", exec_)
    return shown


def open_360(qtbot, world, permissions: Permissions | None = None) -> Customer360Dialog:
    dialog = Customer360Dialog(
        None, world["pena"], TODAY, acting_rep_id=world["ana"].id, permissions=permissions or Permissions()
    )
    qtbot.addWidget(dialog)
    return dialog


def test_360_schedules_a_follow_up_for_the_customer(qtbot, world, monkeypatch):
    when = working_slot(3)
    shown = accept_with(
        monkeypatch,
        FollowUpDialog,
        lambda dialog: dialog.set_values(
            replace(dialog.values(), scheduled_at=when, notes="Offer the new model")
        ),
    )
    dialog = open_360(qtbot, world)
    assert dialog.tabs.tabText(2) == "Follow-ups"

    qtbot.mouseClick(dialog.actions.button(SCHEDULE), Qt.MouseButton.LeftButton)

    assert shown[0].customer_picker.customer_id() == world["pena"]
    assert shown[0].customer_picker.text() == "Peña Hermanos"
    follow_up = FollowUp.get(FollowUp.customer == world["pena"])
    assert (follow_up.kind, follow_up.purpose, follow_up.scheduled_at) == (
        FollowUpKind.CALL,
        FollowUpPurpose.COMMERCIAL,
        when,
    )
    assert follow_up.rep_id == world["ana"].id  # the customer's rep
    assert dialog.tabs.tabText(2) == "Follow-ups (1)"  # the view was read again


def test_360_asks_before_scheduling_in_the_past_and_reopens_the_form_when_declined(qtbot, world, monkeypatch):
    last_week = dt.datetime.combine(dt.date.today() - dt.timedelta(days=7), dt.time(10, 0))
    shown = accept_with(
        monkeypatch,
        FollowUpDialog,
        lambda dialog: dialog.set_values(replace(dialog.values(), scheduled_at=last_week)),
    )
    answers, questions = [False, True], []
    monkeypatch.setattr(
        dialogs_module,
        "confirm",
        lambda parent, question, title=None: questions.append((title, question)) or answers.pop(0),
    )
    dialog = open_360(qtbot, world)

    qtbot.mouseClick(dialog.actions.button(SCHEDULE), Qt.MouseButton.LeftButton)

    assert len(shown) == 2  # declined: the form came back; accepted again: confirmed
    assert [title for title, _question in questions] == ["A time in the past"] * 2
    assert "in the past" in questions[0][1]
    follow_up = FollowUp.get(FollowUp.customer == world["pena"])
    assert follow_up.scheduled_at == last_week


def test_360_opens_a_case_about_the_chosen_unit(qtbot, world, monkeypatch):
    shown = accept_with(
        monkeypatch,
        NewCaseDialog,
        lambda dialog: dialog.set_values(replace(dialog.values(), customer_words="It leaks water")),
    )
    dialog = open_360(qtbot, world)
    dialog.tabs.setCurrentIndex(1)
    dialog._units_table.selectRow(0)

    dialog.actions.trigger(CASE)

    assert shown[0].customer_picker.customer_id() == world["pena"]
    assert shown[0].values().sold_unit_id == world["unit"].id
    case = Case.get(Case.customer == world["pena"])
    assert (case.customer_words, case.sold_unit_id) == ("It leaks water", world["unit"].id)
    assert dialog.tabs.tabText(5) == "Cases (1)"


def test_360_opens_a_return_on_one_of_the_customers_units(qtbot, world, monkeypatch):
    def fill(dialog: OpenReturnDialog) -> None:
        preset.append(dialog.values())
        dialog.set_values(replace(dialog.values(), description="Does not heat"))
        if dialog.out_of_warranty_shown():  # bought in 2020 with two years' warranty
            dialog.set_out_of_warranty_reason(next(iter(OutOfWarrantyReason)))

    preset: list = []

    shown = accept_with(monkeypatch, OpenReturnDialog, fill)
    dialog = open_360(qtbot, world)

    dialog.tabs.setCurrentIndex(1)
    dialog._units_table.selectRow(0)

    qtbot.mouseClick(dialog.actions.button(RETURN), Qt.MouseButton.LeftButton)

    assert shown and (preset[0].customer_id, preset[0].sold_unit_id) == (world["pena"], world["unit"].id)
    opened = WarrantyReturn.get(WarrantyReturn.sold_unit == world["unit"].id)
    assert opened.description == "Does not heat"
    assert dialog.tabs.tabText(4) == "Returns (1)"


def test_360_runs_a_check_on_the_chosen_unit(qtbot, world, monkeypatch):
    shown = accept_with(monkeypatch, StartCheckDialog)
    checked = []
    monkeypatch.setattr(
        check_dialogs.CheckDialog,
        "ask",
        classmethod(lambda cls, parent, check_id, *a, **k: checked.append(check_id)),  # closed: a draft
    )
    dialog = open_360(qtbot, world)
    dialog.tabs.setCurrentIndex(1)
    dialog._units_table.selectRow(0)

    dialog.actions.trigger(CHECK)

    assert shown[0].customer_picker.customer_id() == world["pena"]
    assert shown[0].sold_unit_id() == world["unit"].id
    check = UsageCheck.get(UsageCheck.sold_unit == world["unit"].id)
    assert checked == [check.id] and check.customer_id == world["pena"]
    assert dialog.tabs.tabText(3) == "Usage checks (1)"


def test_360_without_units_offers_no_return_or_check_and_says_why(qtbot, world):
    bare = create_customer(CustomerInput(code="C-2", name="Sin Compras"), None)
    dialog = Customer360Dialog(None, bare, TODAY)
    qtbot.addWidget(dialog)
    for action in (RETURN, CHECK):
        assert refusal_of(dialog.actions.button(action)) == "This customer has no products recorded."
    assert dialog.actions.button(SCHEDULE).isEnabled() and dialog.actions.button(CASE).isEnabled()


def test_reassign_is_refused_for_a_rep(qtbot, world, monkeypatch):
    asked = []
    monkeypatch.setattr(ReassignDialog, "ask", classmethod(lambda cls, *a: asked.append(a)))
    rep = Permissions(role=REP, login="ana", rep_id=world["ana"].id)
    dialog = open_360(qtbot, world, rep)
    button = dialog.actions.button(REASSIGN)
    assert refusal_of(button) == "Only a manager can assign customers to reps."

    assert not dialog.actions.trigger(REASSIGN)  # what the shortcut does: nothing is asked
    assert asked == []
    with pytest.raises(DomainError, match="Only a manager"):  # nor does the service let it through
        customer_service.reassign_customer(world["pena"], world["luis"].id, world["ana"].id, permissions=rep)
    assert Customer.get_by_id(world["pena"]).rep_id == world["ana"].id


def test_a_manager_reassigns_the_customer_and_it_is_audited(qtbot, world, monkeypatch):
    shown = accept_with(
        monkeypatch,
        ReassignDialog,
        lambda dialog: dialog.rep_combo.setCurrentIndex(dialog.rep_combo.findData(world["luis"].id)),
    )
    manager = Permissions(role=MANAGER, login="boss", rep_id=world["boss"].id)
    dialog = Customer360Dialog(
        None, world["pena"], TODAY, acting_rep_id=world["boss"].id, permissions=manager
    )
    qtbot.addWidget(dialog)
    assert dialog.actions.button(REASSIGN).isEnabled()

    dialog.actions.trigger(REASSIGN)

    assert shown[0].rep_combo.currentData() == world["luis"].id
    assert Customer.get_by_id(world["pena"]).rep_id == world["luis"].id
    entry = AuditEntry.select().where(AuditEntry.action == "reassign").get()
    assert (entry.entity, entry.entity_id, entry.rep_id) == ("customer", world["pena"], world["boss"].id)
    assert json.loads(entry.changes) == {"rep": [world["ana"].id, world["luis"].id]}
    headers = [label.text() for label in dialog.findChildren(QLabel) if "Rep: " in label.text()]
    assert headers and all("Rep: Luis Pérez" in text for text in headers)  # the header read again


def test_the_action_shortcuts_are_the_same_everywhere():
    assert SHORTCUTS == {
        SCHEDULE: "Ctrl+Shift+F",
        CASE: "Ctrl+Shift+C",
        RETURN: "Ctrl+Shift+R",
        CHECK: "Ctrl+Shift+U",
        REASSIGN: "Ctrl+Shift+A",
    }
    assert all(not QKeySequence(key).isEmpty() for key in SHORTCUTS.values())


# --- the at-risk list ---------------------------------------------------------------------------


@pytest.fixture
def at_risk_page(qtbot, database, world):
    context = AppContext(database=database, current_rep=None)  # a manager: everyone's customers
    page = CustomerListPage(context, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1280, 600)
    page.show()
    page.set_mode(AT_RISK)
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=5000)
    return page


def test_the_at_risk_list_shows_the_actions_only_there(qtbot, at_risk_page):
    page = at_risk_page
    assert page.risk_table.rowCount() == 1
    assert all(button.isVisible() and not button.isEnabled() for button in page.actions.buttons())
    page.risk_table.selectRow(0)
    assert all(button.isEnabled() for button in page.actions.buttons())
    page.set_mode(0)
    assert not any(button.isVisible() for button in page.actions.buttons())


def test_schedule_a_recovery_call_from_the_at_risk_list(qtbot, world, at_risk_page, monkeypatch):
    page = at_risk_page
    when = working_slot(2)
    shown = accept_with(
        monkeypatch,
        FollowUpDialog,
        lambda dialog: dialog.set_values(replace(dialog.values(), scheduled_at=when)),
    )
    page.risk_table.selectRow(0)
    page.risk_table.setFocus()

    qtbot.keyClick(
        page.risk_table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )

    assert shown and shown[0].customer_picker.customer_id() == world["pena"]
    follow_up = FollowUp.get(FollowUp.customer == world["pena"])
    assert (follow_up.purpose, follow_up.scheduled_at) == (FollowUpPurpose.RECOVERY, when)
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=5000)
    assert page.selected_customer_id() == world["pena"]  # still chosen after the list was read again


def test_export_the_at_risk_list(qtbot, at_risk_page, monkeypatch, tmp_path):
    page = at_risk_page
    target = tmp_path / "en riesgo.csv"
    monkeypatch.setattr(exports_module, "ask_export_file", lambda parent, kind: (target, ExportFormat.CSV))
    monkeypatch.setattr(
        exports_module, "_last_folder", None
    )  # restored after: other tests start in Documents
    messages = []
    monkeypatch.setattr(exports_module, "inform", lambda parent, text, title: messages.append(text))

    qtbot.mouseClick(page._export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)

    assert messages == [f"1 row exported to {target}"]
    text = target.read_text(encoding="utf-8-sig")
    assert "Peña Hermanos" in text and "C-1" in text
