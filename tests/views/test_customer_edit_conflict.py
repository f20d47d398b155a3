"""The customer dialog when someone else saved the customer after it was opened: reload, overwrite or cancel."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from app.models import Customer
from app.services import customers as customer_service
from app.services.customers import CustomerInput
from app.views.customers import customer_dialog
from app.views.customers.customer_dialog import CustomerDialog
from app.views.dialogs import EditConflict


@pytest.fixture
def customer_id(database):
    return customer_service.create_customer(
        CustomerInput(code="C-1", name="Peña Hermanos", city="Logroño"), None
    )


def someone_else_saves(customer_id: int, **changes) -> None:
    """Another window or laptop saves the customer while our dialog is open."""
    data = customer_service.get_customer(customer_id).to_input()
    for name, value in changes.items():
        setattr(data, name, value)
    customer_service.update_customer(customer_id, data, None)


@pytest.fixture
def answers(monkeypatch):
    """The user's answer to the conflict question, and the questions asked."""
    asked: list[str] = []
    chosen: list[EditConflict] = []

    def ask(parent, question):
        asked.append(question)
        return chosen.pop(0)

    monkeypatch.setattr(customer_dialog, "ask_edit_conflict", ask)
    return chosen, asked


def open_dialog(qtbot, customer_id: int) -> CustomerDialog:
    dialog = CustomerDialog(None, customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_saving_without_a_conflict_asks_nothing(qtbot, customer_id, answers):
    dialog = open_dialog(qtbot, customer_id)
    dialog.field("city").setText("Haro")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert answers[1] == []
    assert Customer.get_by_id(customer_id).city == "Haro"


def test_reload_shows_the_other_persons_values_and_saves_nothing_of_ours(qtbot, customer_id, answers):
    dialog = open_dialog(qtbot, customer_id)
    someone_else_saves(customer_id, name="Peña e Hijos")
    dialog.field("city").setText("Haro")
    answers[0].append(EditConflict.RELOAD)
    dialog.accept()
    assert len(answers[1]) == 1 and "Someone else saved this customer" in answers[1][0]
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.field("name").text() == "Peña e Hijos"
    assert dialog.field("city").text() == "Logroño"
    assert not dialog.has_typed_data()  # closing now loses nothing
    stored = Customer.get_by_id(customer_id)
    assert (stored.name, stored.city) == ("Peña e Hijos", "Logroño")
    # Editing on from the reloaded values saves without another question.
    dialog.field("city").setText("Haro")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = Customer.get_by_id(customer_id)
    assert (stored.name, stored.city) == ("Peña e Hijos", "Haro")
    assert len(answers[1]) == 1


def test_overwrite_saves_ours_over_theirs_on_purpose(qtbot, customer_id, answers):
    dialog = open_dialog(qtbot, customer_id)
    someone_else_saves(customer_id, name="Peña e Hijos")
    dialog.field("city").setText("Haro")
    answers[0].append(EditConflict.OVERWRITE)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = Customer.get_by_id(customer_id)
    assert (stored.name, stored.city) == ("Peña Hermanos", "Haro")  # the whole form as the user saw it
    assert stored.row_version == 3


def test_cancel_keeps_our_typing_in_the_form_and_theirs_in_the_database(
    qtbot, customer_id, answers, monkeypatch
):
    from app.views import dialogs

    monkeypatch.setattr(dialogs, "ask_unsaved_changes", lambda parent, question: dialogs.Unsaved.DISCARD)
    dialog = open_dialog(qtbot, customer_id)
    someone_else_saves(customer_id, name="Peña e Hijos")
    dialog.field("city").setText("Haro")
    answers[0].append(EditConflict.CANCEL)
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert (dialog.field("name").text(), dialog.field("city").text()) == ("Peña Hermanos", "Haro")
    stored = Customer.get_by_id(customer_id)
    assert (stored.name, stored.city) == ("Peña e Hijos", "Logroño")
    # Saving again asks again: the other person's change is still newer than the form.
    answers[0].append(EditConflict.CANCEL)
    dialog.accept()
    assert len(answers[1]) == 2
