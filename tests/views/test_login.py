"""Logging in to the office server from the window: the login dialog, the keyring, and the window
saying who is logged in (the server's login, not a picker). The dialog's own behaviour runs on
either engine; the whole log-in needs a real PostgreSQL with password logins."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from app import credentials
from app.models.database import close_database, forget_credentials
from app.views import app as app_module
from app.views.first_run import FirstRunDialog, UserPickerDialog
from app.views.login import LoginDialog, server_shown
from tests.server_office import PASSWORD, set_up_office
from tests.views.conftest import _finish_background_work

URL = "postgresql://ana:s3cret@office.example:5433/postventa?sslmode=require"


def test_the_dialog_names_the_server_without_login_or_password(qtbot):
    assert server_shown(URL) == ("office.example:5433", "postventa")
    dialog = LoginDialog(URL, "ana", None)
    qtbot.addWidget(dialog)
    assert dialog.login_edit.text() == "ana"
    assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.problem_label)))
    assert "s3cret" not in texts and "database postventa on the office server office.example:5433" in texts


def test_empty_fields_are_refused_in_place(qtbot):
    dialog = LoginDialog(URL, "", None)
    qtbot.addWidget(dialog)
    height = dialog.sizeHint().height()
    dialog.ok_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.problem_label.text() == "Type your login."
    dialog.login_edit.setText("ana")
    dialog.ok_button.click()
    assert dialog.problem_label.text() == "Type your password."
    assert dialog.sizeHint().height() == height  # the problem's space was there from the start


def test_without_a_keyring_the_password_cannot_be_remembered(qtbot, monkeypatch):
    monkeypatch.setattr(credentials, "keyring_available", lambda: False)
    dialog = LoginDialog(URL, "ana", None)
    qtbot.addWidget(dialog)
    assert not dialog.remember_box.isEnabled()
    assert "no keyring" in dialog.remember_box.toolTip()


def _scripted_logins(monkeypatch, answers: list[tuple[str, bool] | None], seen: list[str]) -> None:
    """Each LoginDialog shown takes the next answer: (password, remember), or None to cancel;
    `seen` collects the problem each one showed."""

    def exec_(self):
        seen.append(self.problem_label.text())
        answer = answers.pop(0)
        if answer is None:
            return QDialog.DialogCode.Rejected
        self.password_edit.setText(answer[0])
        self.remember_box.setChecked(answer[1])
        self._on_buttons_accepted()
        return self.result()

    monkeypatch.setattr(LoginDialog, "exec", exec_)


@pytest.fixture
def application(qapp, monkeypatch):
    errors: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: errors.append(exc))
    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(lambda *a, **k: pytest.fail("first-run asked")))
    monkeypatch.setattr(UserPickerDialog, "ask", staticmethod(lambda *a, **k: pytest.fail("picker asked")))
    application = app_module.Application("en")
    application.errors = errors
    yield application
    _finish_background_work()  # while show_error still collects: a failure shows in `errors`
    assert not application.errors, application.errors
    if application.window is not None:
        application.window.dispose()
    application.reminders.stop()
    close_database()


@pytest.mark.postgresql_only("a login with a password on a real office server")
def test_a_rep_logs_in_is_named_by_the_server_and_is_remembered_when_asked(
    application, new_database, monkeypatch, capsys, keyring_in_memory
):
    office = set_up_office(new_database("office"), monkeypatch, capsys)
    target = office.url_of(office.rep)
    seen: list[str] = []
    _scripted_logins(monkeypatch, [("wrong-one", False), (PASSWORD, True)], seen)
    assert application.open(target)
    assert seen == ["", f"The office server did not accept the login {office.rep} with that password."]
    window = application.window
    assert window.context.permissions.role == "rep"
    assert window.context.current_rep.id == office.rep_id
    assert window._user_label.text().startswith(f"Logged in as {office.rep} (Sales rep) — ")
    shown = window.windowTitle() + window._database_label.text()
    assert PASSWORD not in shown and "wrong-one" not in shown
    assert credentials.remembered_password(target, office.rep) == PASSWORD

    # Next start: the keyring's password, no dialog.
    forget_credentials(target)
    _scripted_logins(monkeypatch, [], seen)
    assert application.open(target)
    assert application.window.context.permissions.login == office.rep

    # A password changed since is forgotten and asked for; cancelling opens nothing.
    _finish_background_work()  # the window's own work ends, under its login, before it is gone
    keyring_in_memory.set_password(credentials.SERVICE, credentials.server_key(target, office.rep), "old")
    forget_credentials(target)
    application.window.dispose()
    application.window = None
    _scripted_logins(monkeypatch, [None], seen)
    assert not application.open(target)
    assert application.window is None and not application.errors
    assert credentials.remembered_password(target, office.rep) is None
