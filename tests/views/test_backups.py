"""File ▸ Backups…, the backups at start and at quit, restoring from the window, the backups folder preference."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from app.models import Customer
from app.models.backups import BackupKind, backup_name, backups_in
from app.models.database import close_database
from app.services import backups
from app.views import app as app_module
from app.views import backups as backups_view
from app.views import settings
from app.views.backups import CUSTOMERS, KIND, MADE, BackupsDialog
from app.views.first_run import FirstRunDialog, UserPickerDialog
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from app.views.preferences import PreferencesDialog
from app.views.rights import refusal_of
from tests.factories import demo_file

sqlite_files = pytest.mark.sqlite_only("backups and restores of SQLite files")
MORNING = dt.datetime(2026, 3, 10, 9, 0)


@pytest.fixture
def data(tmp_path) -> Path:
    return demo_file(tmp_path / "postventa.sqlite3", customers=8)


@pytest.fixture
def folder(tmp_path) -> Path:
    folder = tmp_path / "Copias de seguridad"
    settings.put(settings.BACKUPS_FOLDER, str(folder))
    return folder


def open_dialog(qtbot, data: Path, folder: Path, rows: int) -> BackupsDialog:
    dialog = BackupsDialog(data, folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(
        lambda: dialog.model.rowCount() == rows and dialog.status.text() != "Reading the backups…"
    )
    return dialog


def text(dialog: BackupsDialog, row: int, column: int) -> str:
    return dialog.model.index(row, column).data()


@sqlite_files
def test_the_dialog_lists_the_backups_newest_first(qtbot, qtmodeltester, data, folder):
    backups.write_backup(data, folder, BackupKind.DAILY, now=MORNING)
    backups.write_backup(data, folder, BackupKind.MANUAL, now=MORNING + dt.timedelta(hours=5))
    damaged = folder / backup_name(data, MORNING - dt.timedelta(days=1), BackupKind.DAILY)
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(200))

    dialog = open_dialog(qtbot, data, folder, rows=3)

    qtmodeltester.check(dialog.model)
    assert [text(dialog, row, MADE) for row in range(3)] == [
        "10/03/2026 14:00",
        "10/03/2026 09:00",
        "09/03/2026 09:00",
    ]
    assert [text(dialog, row, KIND) for row in range(3)] == ["On request", "Daily", "Daily"]
    assert text(dialog, 0, CUSTOMERS) == "8"
    assert text(dialog, 2, CUSTOMERS) == "cannot be restored"
    assert dialog.restore_button.isEnabled()  # the newest is selected
    dialog.table.selectRow(2)
    assert "damaged and cannot be restored" in refusal_of(dialog.restore_button)
    assert "damaged and cannot be restored" in dialog.status.text()


@sqlite_files
def test_an_empty_folder_says_so_and_back_up_now_adds_one(qtbot, data, folder):
    dialog = open_dialog(qtbot, data, folder, rows=0)
    assert dialog.status.text() == "No backups of this database yet."
    assert not dialog.restore_button.isEnabled() and not dialog.folder_button.isEnabled()

    dialog.back_up_button.click()
    assert not dialog.back_up_button.isEnabled()  # one at a time
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)

    [(written, name)] = backups_in(folder, data)
    assert name.kind is BackupKind.MANUAL
    assert dialog.status.text() == f"Backup written: {written.name}"
    assert dialog.back_up_button.isEnabled() and dialog.folder_button.isEnabled()


@sqlite_files
def test_restore_asks_first_and_hands_back_the_backup(qtbot, data, folder, monkeypatch):
    written = backups.back_up(data, folder, now=MORNING)
    dialog = open_dialog(qtbot, data, folder, rows=1)
    questions: list[str] = []
    answers = iter([False, True])
    monkeypatch.setattr(
        backups_view, "confirm", lambda parent, question, title: questions.append(question) or next(answers)
    )

    dialog.restore_button.click()
    assert dialog.chosen is None and dialog.isVisible()  # "No": nothing happens
    dialog.restore_button.click()
    assert dialog.chosen == written and dialog.result() == BackupsDialog.DialogCode.Accepted
    assert "Restore the backup made 10/03/2026 09:00?" in questions[0]
    assert "8 customers" in questions[0] and "kept in the backups folder first" in questions[0]


def test_the_backups_of_an_office_server_are_not_made_from_the_window(qtbot, database):
    window = MainWindow(AppContext(database=database, current_rep=None))
    qtbot.addWidget(window)
    refusal = refusal_of(window.backups_action)
    if database.path is None:  # POSTVENTA_TEST_ENGINE=postgresql
        assert refusal is not None and "pg_dump" in refusal
    else:
        assert refusal is None and window.backups_action.isEnabled()


# --- the application: start, restore ----------------------------------------------------------------------


@pytest.fixture
def application(qapp, monkeypatch):
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: pytest.fail(f"error shown: {exc}"))
    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(lambda parent=None: None))
    monkeypatch.setattr(UserPickerDialog, "ask", classmethod(lambda cls, parent=None, current=None: None))
    application = app_module.Application("en")
    yield application
    if application.window is not None:
        application.window.dispose()
    application.reminders.stop()
    close_database()


@sqlite_files
def test_the_days_backup_at_start_runs_while_the_window_is_in_use(
    application, data, folder, monkeypatch, qtbot
):
    gate = threading.Event()
    daily = backups.daily_backup
    monkeypatch.setattr(backups, "daily_backup", lambda *a, **k: gate.wait(10) and daily(*a, **k))

    assert application.open(str(data))
    assert application.window.isVisible() and backups_in(folder, data) == []  # not waiting for it
    gate.set()
    qtbot.waitUntil(lambda: len(backups_in(folder, data)) == 1, timeout=10000)
    assert backups_in(folder, data)[0][1].kind is BackupKind.DAILY


@sqlite_files
def test_a_restore_from_the_window_reopens_it_on_the_restored_data(
    application, data, folder, monkeypatch, qtbot
):
    monkeypatch.setattr(app_module.Application, "_back_up_if_due", lambda self: None)
    backup = backups.back_up(data, folder, now=MORNING)
    assert application.open(str(data))
    Customer.update(name="Changed after the backup").where(Customer.code == "C-00001").execute()
    old_window = application.window
    monkeypatch.setattr(
        BackupsDialog, "ask", classmethod(lambda cls, parent, database, chosen_folder: backup)
    )

    old_window.backups_action.trigger()

    qtbot.waitUntil(
        lambda: application.window is not None and application.window is not old_window, timeout=20000
    )
    window = application.window
    qtbot.waitUntil(lambda: "Backup restored." in window.statusBar().currentMessage())
    assert Customer.get(Customer.code == "C-00001").name != "Changed after the backup"
    kept = [path for path, name in backups_in(folder, data) if name.kind is BackupKind.BEFORE_RESTORE]
    assert len(kept) == 1 and str(kept[0]) in window.statusBar().currentMessage()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@sqlite_files
def test_a_refused_restore_shows_why_and_reopens_on_the_same_data(
    application, data, folder, monkeypatch, qtbot, tmp_path
):
    monkeypatch.setattr(app_module.Application, "_back_up_if_due", lambda self: None)
    not_a_backup = tmp_path / "letter.sqlite3"
    not_a_backup.write_text("Dear customer,\n")
    shown: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: shown.append(exc))
    assert application.open(str(data))
    old_window = application.window

    application._on_window_restore_requested(str(not_a_backup))

    qtbot.waitUntil(
        lambda: application.window is not None and application.window is not old_window, timeout=20000
    )
    assert len(shown) == 1 and "not an SQLite file" in str(shown[0])
    assert not_a_backup.read_text() == "Dear customer,\n"
    assert Customer.select().count() == 8
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# Starts the window on a database whose backup takes two seconds and quits at once (File ▸ Quit): the
# window goes (the event loop ends) at once; the process ends once the backup is written.
_QUIT_WITH_A_SLOW_BACKUP = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import QSettings, QTimer
    from app.models import backups
    from app.views import app as app_module
    from app.views.first_run import FirstRunDialog, UserPickerDialog

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
    copy = backups.copy_database

    def slow_copy(*args, **kwargs):
        time.sleep(2)
        return copy(*args, **kwargs)

    backups.copy_database = slow_copy
    FirstRunDialog.ask = staticmethod(lambda parent=None: None)
    UserPickerDialog.ask = classmethod(lambda cls, parent=None, current=None: None)
    app_module.Application._back_up_if_due = lambda self: None  # only the backup at quit
    application = app_module.Application("en")
    application.open(sys.argv[1])
    asked = []
    QTimer.singleShot(0, lambda: asked.append(time.monotonic()) or application.window.quit())
    code = application.qapp.exec()
    print(asked[0], time.monotonic(), flush=True)
    sys.exit(code)
    """
)


@sqlite_files
@pytest.mark.slow
def test_the_backup_at_quit_never_delays_closing_the_window(data, folder, qsettings_in_the_settings_folder):
    finished = subprocess.run(
        [
            sys.executable,
            "-c",
            _QUIT_WITH_A_SLOW_BACKUP,
            str(data),
            str(qsettings_in_the_settings_folder / "qsettings"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    ended = time.monotonic()
    assert finished.returncode == 0 and finished.stderr == "", finished.stderr
    asked, window_gone = (float(word) for word in finished.stdout.split())
    assert window_gone - asked < 0.5  # the window went at once
    assert ended - window_gone >= 1.5  # and the process waited for the backup
    [(written, name)] = backups_in(folder, data)
    assert name.kind is BackupKind.DAILY and written.stat().st_size > 0


def test_the_backups_folder_is_a_preference_of_this_computer(qtbot, database, tmp_path):
    dialog = PreferencesDialog(AppContext(database=database, current_rep=None))
    qtbot.addWidget(dialog)
    assert dialog.backups_edit.text() == "" and dialog.backups_edit.placeholderText().endswith("backups")
    dialog.backups_edit.setText("relative/folder")
    dialog._on_buttons_accepted()
    assert dialog.result_value is None and "whole path" in dialog.backups_error.text()
    chosen = tmp_path / "USB" / "Postventa"
    dialog.backups_edit.setText(str(chosen))
    dialog._on_buttons_accepted()
    assert dialog.result_value is not None
    assert settings.backups_folder() == chosen
