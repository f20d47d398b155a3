"""Edit ▸ Undo / Redo in the window: Ctrl+Z takes back the last action (a reschedule dragged in the
agenda, an archived customer), Ctrl+Shift+Z and Ctrl+Y apply it again, a record changed meanwhile
is refused with a message, and the history starts afresh when the database's data all change."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.models import AuditEntry, Customer, FollowUp
from app.models.enums import FollowUpKind, FollowUpPurpose
from app.services import customers as customer_service
from app.services import followups as followup_service
from app.services.reps import create_rep
from app.services.undo import UndoRefused
from app.views import errors as errors_module
from app.views.agenda import page as agenda_module
from app.views.events import EVERYTHING, app_events
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from tests.helpers import working_slots


@pytest.fixture
def shown(monkeypatch) -> list[BaseException]:
    record: list[BaseException] = []
    monkeypatch.setattr(errors_module, "show_error", lambda parent, exc, title=None: record.append(exc))
    return record


@pytest.fixture
def window(qtbot, database, shown, monkeypatch) -> MainWindow:
    # A slot the placement rules advise against is kept as dropped (no question in a test).
    monkeypatch.setattr(
        agenda_module, "ask_placement", lambda parent, conflict: agenda_module.PlacementChoice.KEEP
    )
    ana = create_rep("ANA", "Ana García")
    window = MainWindow(AppContext(database=database, current_rep=ana))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def follow_up(database) -> FollowUp:
    customer = Customer.create(code="C-1", name="Peña Hermanos", city="Madrid")
    first, _second = working_slots(2, days_ahead=3)
    return FollowUp.create(
        customer=customer, kind=FollowUpKind.CALL, purpose=FollowUpPurpose.COMMERCIAL, scheduled_at=first
    )


def key(window: MainWindow, key: Qt.Key, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
    """A key press through the window, where Qt's shortcut map sees it."""
    QTest.keyClick(window.windowHandle(), key, modifiers)


def time_of(follow_up: FollowUp) -> dt.datetime:
    return FollowUp.get_by_id(follow_up.id).scheduled_at


def test_the_edit_menu_offers_nothing_before_an_action(window):
    assert not window.undo_action.isEnabled() and window.undo_action.text() == "&Undo"
    assert not window.redo_action.isEnabled() and window.redo_action.text() == "&Redo"
    shortcuts = {s.toString() for s in window.undo_action.shortcuts()} | {
        s.toString() for s in window.redo_action.shortcuts()
    }
    assert {"Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y"} <= shortcuts


def test_ctrl_z_undoes_a_reschedule_dragged_in_the_agenda_and_ctrl_shift_z_redoes_it(window, follow_up):
    before = time_of(follow_up)
    _first, later = working_slots(2, days_ahead=3)
    page = window.show_page("agenda")
    page.move_follow_up_to_day(follow_up.id, later.date())  # what a dropped card does
    after = time_of(follow_up)
    assert after == dt.datetime.combine(later.date(), before.time())
    assert window.undo_action.isEnabled()
    assert window.undo_action.text() == "&Undo “Reschedule follow-up”"

    key(window, Qt.Key.Key_Z)
    assert time_of(follow_up) == before
    assert not window.undo_action.isEnabled()
    assert window.redo_action.text() == "&Redo “Reschedule follow-up”"
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert time_of(follow_up) == after
    key(window, Qt.Key.Key_Z)
    key(window, Qt.Key.Key_Y)
    assert time_of(follow_up) == after
    entries = AuditEntry.select().where(
        (AuditEntry.entity == "follow_up") & (AuditEntry.entity_id == follow_up.id)
    )
    assert [e.action for e in entries.order_by(AuditEntry.id)] == ["update", "undo", "redo", "undo", "redo"]


def test_an_undo_refused_because_the_record_changed_says_so_and_leaves_the_menu(window, follow_up, shown):
    _first, later = working_slots(2, days_ahead=3)
    window.show_page("agenda").move_follow_up_to_day(follow_up.id, later.date())
    elsewhere = dt.datetime.combine(later.date(), dt.time(12, 0))
    followup_service.reschedule_follow_up(follow_up.id, elsewhere, confirm_placement=True)  # someone else
    key(window, Qt.Key.Key_Z)
    assert len(shown) == 1 and isinstance(shown[0], UndoRefused)
    assert "changed after it" in str(shown[0])
    assert time_of(follow_up) == elsewhere
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()


def test_undoing_an_archive_from_the_customers_page(window, monkeypatch):
    from app.views.customers import page as customers_module

    monkeypatch.setattr(customers_module, "confirm", lambda parent, question, title=None: True)
    customer = Customer.create(code="C-1", name="Peña Hermanos")
    page = window.show_page("customers")
    page.refresh()
    assert page.select_customer(customer.id)
    page.toggle_archive_selected()
    assert customer_service.get_customer(customer.id).archived
    assert window.undo_action.text() == "&Undo “Archive customer”"
    window.undo()
    assert not customer_service.get_customer(customer.id).archived


def test_the_history_starts_afresh_when_everything_changed(window, follow_up):
    _first, later = working_slots(2, days_ahead=3)
    window.show_page("agenda").move_follow_up_to_day(follow_up.id, later.date())
    assert window.undo_action.isEnabled()
    app_events().data_changed.emit(EVERYTHING, None)  # e.g. a sync brought the office's changes
    assert not window.undo_action.isEnabled() and window.undo_stack.undo_step is None


def test_undoing_a_customer_edit_made_in_the_customer_dialog(window, qtbot):
    from app.views.customers.customer_dialog import CustomerDialog

    customer = Customer.create(code="C-1", name="Peña Hermanos", city="Logroño")
    dialog = CustomerDialog(window, customer.id, acting_rep_id=window.context.acting_rep_id)
    qtbot.addWidget(dialog)
    dialog.field("city").setText("Haro")
    dialog.accept()
    assert customer_service.get_customer(customer.id).city == "Haro"
    assert window.undo_action.text() == "&Undo “Edit customer”"
    window.undo()
    assert customer_service.get_customer(customer.id).city == "Logroño"
    window.redo()
    assert customer_service.get_customer(customer.id).city == "Haro"


def test_undoing_a_completion_from_the_agenda(window, follow_up, monkeypatch, qtbot):
    from app.models.enums import FollowUpOutcome, FollowUpState
    from app.views.agenda.dialogs import CompleteFollowUpDialog, CompletionInput

    monkeypatch.setattr(
        CompleteFollowUpDialog,
        "ask",
        staticmethod(lambda parent, row: CompletionInput(FollowUpOutcome.REACHED, "All fine")),
    )
    FollowUp.update(rep=window.context.acting_rep_id).where(FollowUp.id == follow_up.id).execute()  # Ana's
    page = window.show_page("agenda")
    page.show_view(agenda_module.UPCOMING)
    page.refresh()
    qtbot.waitUntil(lambda: page.select_follow_up(follow_up.id))
    page.complete_selected()
    assert FollowUp.get_by_id(follow_up.id).state is FollowUpState.DONE
    assert window.undo_action.text() == "&Undo “Complete follow-up”"
    key(window, Qt.Key.Key_Z)
    undone = FollowUp.get_by_id(follow_up.id)
    assert (undone.state, undone.outcome, undone.completed_at, undone.notes) == (
        FollowUpState.PLANNED,
        None,
        None,
        "",
    )


def test_undoing_a_plan_edit_after_the_plans_dialog_closed(window, qtbot):
    from app.models import ProductCategory
    from app.services.followups import plans
    from app.views.plans.dialog import PlansDialog
    from app.views.plans.steps_model import OFFSET

    category = ProductCategory.create(code="OVENS", name="Ovens")
    plan = plans.create_plan(
        "Ovens", category.id, None, [plans.PlanStepInput(2, FollowUpKind.CALL, FollowUpPurpose.DELIVERY)]
    )
    dialog = PlansDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.current_plan_id == plan.id
    dialog.steps_model.setData(dialog.steps_model.index(0, OFFSET), 9)
    assert dialog.save()
    dialog.close()
    assert [s.offset_days for s in plans.get_plan(plan.id).steps] == [9]
    assert window.undo_action.text() == "&Undo “Edit follow-up plan”"
    window.undo()
    assert [s.offset_days for s in plans.get_plan(plan.id).steps] == [2]
