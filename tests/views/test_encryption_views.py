"""Encryption in the window: offered at first start (the recovery key shown once), the Preferences row,
the recovery-key prompt for an encrypted database whose key this computer lacks (the file untouched
until the right key is typed)."""

from __future__ import annotations

import keyring
import pytest
from PySide6.QtWidgets import QCheckBox

from app.models import Customer, cipher
from app.models.database import close_database, open_database
from app.models.enums import RepRole
from app.services import reps
from app.views import app as app_module
from app.views.encryption import RecoveryKeyDialog, UnlockDialog
from app.views.first_run import FirstRunChoice, FirstRunDialog, UserPickerDialog
from app.views.pages.base import AppContext
from app.views.preferences import PreferencesDialog
from tests.helpers import memory_keyring

pytestmark = [
    pytest.mark.sqlite_only("SQLCipher encrypts SQLite files"),
    pytest.mark.usefixtures("no_known_keys"),
]


@pytest.fixture
def application(qapp, monkeypatch):
    errors: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: errors.append(exc))
    application = app_module.Application("en")
    application.errors = errors
    yield application
    if application.window is not None:
        application.window.dispose()
    application.reminders.stop()
    close_database()


def test_first_start_offers_encryption_and_shows_the_recovery_key_once(application, tmp_path, monkeypatch):
    target = tmp_path / "laptop.sqlite3"
    shown = []

    def start_encrypted(parent=None):
        return FirstRunChoice(False, reps.create_rep("LFE", "Lucia Fernandez", RepRole.MANAGER), encrypt=True)

    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(start_encrypted))
    monkeypatch.setattr(RecoveryKeyDialog, "ask", staticmethod(lambda parent, key, name: shown.append(key)))
    assert application.open(str(target)), application.errors
    assert cipher.is_encrypted(target)
    assert len(shown) == 1 and cipher.parse_recovery_key(shown[0])
    assert application.window.context.database.encrypted
    assert application.window.context.current_rep.code == "LFE"


def test_the_first_run_dialog_ticks_encryption_when_a_keyring_is_there(qtbot, tmp_path):
    open_database(str(tmp_path / "new.sqlite3"))
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    box = dialog.findChild(QCheckBox)
    assert box is dialog.encrypt_check and box.isEnabled() and box.isChecked()


def test_an_encrypted_database_without_its_key_asks_for_the_recovery_key(application, tmp_path, monkeypatch):
    target = tmp_path / "secret.sqlite3"
    info = open_database(str(target), encrypt=True)
    reps.create_rep("LFE", "Lucia Fernandez", RepRole.MANAGER)
    Customer.create(code="C1", name="Rosa Quintana", email="rosa@example.org")
    close_database()
    keyring.set_keyring(memory_keyring())  # another computer
    cipher.forget_known_keys()
    before = (target.read_bytes(), target.stat().st_mtime_ns)

    # Cancelled: nothing opens, the file is untouched.
    monkeypatch.setattr(UnlockDialog, "ask", staticmethod(lambda parent, path: False))
    assert not application.open(str(target))
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before

    # The right recovery key, typed in the dialog: it opens, and the keyring keeps the key.
    asked = []

    def type_the_key(parent, path):
        asked.append(path)
        dialog = UnlockDialog(path)
        dialog.key_edit.setText("AAAA-BBBB")
        dialog._on_buttons_accepted()
        assert not dialog.unlocked and dialog.key_error.isVisibleTo(dialog)
        dialog.key_edit.setText(info.recovery_key)
        dialog._on_buttons_accepted()
        return dialog.unlocked

    monkeypatch.setattr(UnlockDialog, "ask", staticmethod(type_the_key))
    monkeypatch.setattr(UserPickerDialog, "ask", staticmethod(lambda *a, **k: reps.list_reps()[0]))
    assert application.open(str(target)), application.errors
    assert asked == [target]
    assert Customer.get(Customer.code == "C1").email == "rosa@example.org"
    assert cipher.key_in_keyring(cipher.file_salt(target))


def test_preferences_show_the_encryption_and_ask_for_the_change(qtbot, tmp_path, monkeypatch):
    info = open_database(str(tmp_path / "plain.sqlite3"))
    rep = reps.create_rep("LFE", "Lucia Fernandez", RepRole.MANAGER)
    dialog = PreferencesDialog(AppContext(database=info, current_rep=rep))
    qtbot.addWidget(dialog)
    assert dialog.encryption_label.text().startswith("Not encrypted")
    assert dialog.encryption_button.text() == "Encrypt…" and dialog.encryption_button.isEnabled()
    monkeypatch.setattr("app.views.dialogs.confirm", lambda *args, **kwargs: True)
    dialog.encryption_button.click()
    assert dialog.result_value is not None and dialog.result_value.encryption is True


def test_preferences_encrypt_then_reopen_through_the_application(application, tmp_path, monkeypatch, qtbot):
    target = tmp_path / "data.sqlite3"
    open_database(str(target))
    reps.create_rep("LFE", "Lucia Fernandez", RepRole.MANAGER)
    Customer.create(code="C1", name="Rosa Quintana", email="rosa@example.org")
    close_database()
    monkeypatch.setattr(UserPickerDialog, "ask", staticmethod(lambda *a, **k: reps.list_reps()[0]))
    assert application.open(str(target))
    shown = []
    monkeypatch.setattr(RecoveryKeyDialog, "ask", staticmethod(lambda parent, key, name: shown.append(key)))
    application.window.encryption_requested.emit(True)
    qtbot.waitUntil(lambda: application.window is not None and bool(shown), timeout=20000)
    assert cipher.is_encrypted(target) and b"rosa@example.org" not in target.read_bytes()
    assert Customer.get(Customer.code == "C1").email == "rosa@example.org"
