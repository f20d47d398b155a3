"""The one error dialog: refusals say what to fix; defects are logged and can be copied or found."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from app import diagnostics
from app.services.errors import DomainError
from app.views import errors
from app.views.errors import ErrorDialog
from app.views.tasks import run_in_background


@pytest.fixture
def log_file(tmp_path):
    return diagnostics.setup_logging(tmp_path / "logs")


def logged(path) -> str:
    for handler in diagnostics.log.handlers:
        handler.flush()
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.fixture
def shown(monkeypatch):
    """Error dialogs that would have been shown: (message, details, has copy button)."""
    dialogs = []

    def record(self):
        dialogs.append((self.message.text(), self.details, self.copy_button is not None))
        return 0

    monkeypatch.setattr(ErrorDialog, "exec", record)
    return dialogs


@pytest.fixture
def gui_hooks():
    saved = sys.excepthook, threading.excepthook
    errors.install_gui_exception_hooks()
    yield
    sys.excepthook, threading.excepthook = saved


def test_a_defect_offers_its_details_to_copy_and_the_log_folder(qtbot, monkeypatch, log_file):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    try:
        raise RuntimeError("disk on fire")
    except RuntimeError as exc:
        dialog = ErrorDialog(None, exc)
    qtbot.addWidget(dialog)
    assert "disk on fire" in dialog.message.text()
    dialog.copy_button.click()
    clipboard = QGuiApplication.clipboard().text()
    assert "RuntimeError: disk on fire" in clipboard and "Traceback" in clipboard
    dialog.log_button.click()
    assert opened == [str(diagnostics.log_folder())]
    dialog.show()
    assert not dialog.details_view.isVisible() and dialog.details_button.text() == "Show &details"
    dialog.details_button.click()
    assert dialog.details_view.isVisible() and dialog.details_button.text() == "Hide &details"


def test_a_refusal_shows_its_message_only(qtbot):
    dialog = ErrorDialog(None, DomainError("The return is closed."))
    qtbot.addWidget(dialog)
    assert dialog.message.text() == "The return is closed."
    assert dialog.copy_button is None and dialog.log_button is None


@pytest.mark.qt_no_exception_capture
def test_an_error_raised_in_a_slot_is_logged_and_shown(qtbot, log_file, shown, gui_hooks):
    def broken_slot():
        raise ZeroDivisionError("deliberate error in a slot")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: len(shown) == 1)
    message, details, can_copy = shown[0]
    assert "deliberate error in a slot" in message and can_copy
    assert "ZeroDivisionError: deliberate error in a slot" in details
    text = logged(log_file)
    assert "Uncaught error: unexpected ZeroDivisionError" in text and "broken_slot" in text


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_thread_reaches_the_dialog_on_the_ui_thread(qtbot, log_file, shown, gui_hooks):
    thread = threading.Thread(target=lambda: {}["missing key"], name="sync-worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "KeyError" in shown[0][1]
    assert "Uncaught error in thread sync-worker: unexpected KeyError" in logged(log_file)


def test_an_error_in_a_background_task_is_logged_and_shown(qtbot, log_file, shown):
    def op(progress):
        raise ValueError("deliberate error in a background task")

    run_in_background(op, lambda result: None)
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "deliberate error in a background task" in shown[0][0]
    assert "unexpected ValueError" in logged(log_file)
    assert "deliberate error in a background task" in logged(log_file)


def test_help_menu_opens_the_log_folder_and_about_names_version_database_and_logs(
    qtbot, database, monkeypatch
):
    from app.views.main_window import MainWindow
    from app.views.pages.base import AppContext

    window = MainWindow(AppContext(database=database, current_rep=None))
    qtbot.addWidget(window)
    opened, about = [], []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: about.append(text))
    actions = {
        a.text().replace("&", ""): a for menu in window.menuBar().actions() for a in menu.menu().actions()
    }
    actions["Open log folder"].trigger()
    assert opened == [str(diagnostics.log_folder())]
    actions["About Postventa"].trigger()
    assert diagnostics.__version__ in about[0]
    assert database.target in about[0] and str(diagnostics.log_folder()) in about[0]


def test_a_session_handling_customers_leaves_none_of_their_names_or_e_mails_in_the_log(
    qtbot, database, monkeypatch, shown, log_file
):
    from app.demo import generate_demo
    from app.models import Customer
    from app.views.main_window import MainWindow
    from app.views.pages.base import AppContext

    generate_demo(customers=30)
    people = list(Customer.select(Customer.name, Customer.email, Customer.phone))
    window = MainWindow(AppContext(database=database, current_rep=None))
    qtbot.addWidget(window)
    window.show()
    for key in window.page_keys():
        window.show_page(key)
        qtbot.wait(50)
    customer = people[0]

    def failing_op(progress):  # a defect whose message quotes the customer's contact details
        raise RuntimeError(f"could not notify {customer.email} / {customer.phone}")

    run_in_background(failing_op, lambda result: None)
    qtbot.waitUntil(lambda: len(shown) == 1)
    errors.show_error(window, DomainError(f"{customer.name} already has an open claim"))
    text = logged(log_file)
    assert "unexpected RuntimeError" in text and "already has an open claim" not in text
    leaked = [v for person in people for v in (person.name, person.email, person.phone) if v and v in text]
    assert leaked == []
