"""Encryption at rest in the window: the recovery key shown once (printable), and the recovery-key
prompt for an encrypted database whose key this computer does not hold. The commands are
app.services.encryption's; the Application closes and reopens the database around a change."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.markup import escape
from app.models import cipher
from app.services import encryption
from app.views.dialogs import BaseDialog, field_error_label, plain_label
from app.views.operations import Operation

# Shown beside the key and printed with it.
RECOVERY_EXPLANATION = N_(
    "The database is encrypted: a lost or stolen laptop shows nothing of your customers. Its key is kept "
    "in this computer's keyring. This recovery key opens the database on another computer, or if the "
    "keyring loses the key. Print it or write it down and keep it safe, away from the laptop: it is "
    "shown only this once, and without it nobody, not even Postventa's makers, can open the data."
)


def _key_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(font.pointSizeF() * 1.3 if font.pointSizeF() > 0 else 13)
    font.setBold(True)
    return font


def recovery_sheet_html(recovery_key: str, database: str) -> str:
    """The printed sheet: what the key is for, the database it opens, the key in large type."""
    title = _("Postventa recovery key")
    which = _("Database: {name}").format(name=database)
    explanation = _(RECOVERY_EXPLANATION)
    return (
        f"<h2>{escape(title)}</h2><p>{escape(which)}</p>"
        f"<p style='font-family: monospace; font-size: 16pt; font-weight: bold'>{escape(recovery_key)}</p>"
        f"<p>{escape(explanation)}</p>"
    )


class RecoveryKeyDialog(BaseDialog):
    """The recovery key of a database just encrypted, shown once: Print… and Copy."""

    ASKS_BEFORE_DISCARDING = False

    def __init__(self, recovery_key: str, database: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Recovery key"))
        self._key = recovery_key
        self._database = database
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(_(RECOVERY_EXPLANATION), wrap=True))
        layout.addWidget(plain_label(_("Database: {name}").format(name=database), wrap=True))
        groups = recovery_key.split("-")
        half = (len(groups) + 1) // 2  # two lines of groups, never broken inside one
        shown = "-".join(groups[:half]) + "-\n" + "-".join(groups[half:])
        self.key_label = plain_label(shown, selectable=True)
        self.key_label.setFont(_key_font())
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setStyleSheet("padding: 12px; border: 1px solid palette(mid);")
        layout.addWidget(self.key_label)
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        print_button = QPushButton(_("Print…"))
        print_button.clicked.connect(self._on_print_clicked)
        copy_button = QPushButton(_("Copy"))
        copy_button.clicked.connect(self._on_copy_clicked)
        buttons.addButton(print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        done = buttons.addButton(_("I have kept it"), QDialogButtonBox.ButtonRole.AcceptRole)
        done.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(620, 320)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._key)

    def _on_print_clicked(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        document = QTextDocument()
        document.setHtml(recovery_sheet_html(self._key, self._database))
        document.print_(printer)

    @classmethod
    def ask(cls, parent: QWidget | None, recovery_key: str, database: str) -> None:
        cls(recovery_key, database, parent).answer(lambda _dialog: None)


class UnlockDialog(BaseDialog):
    """An encrypted database whose key this computer lacks: the recovery key, checked against it."""

    def __init__(self, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Encrypted database"))
        self._path = path
        self.unlocked = False
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                _(
                    "{name} is encrypted and its key is not on this computer (the keyring lost it, or the "
                    "database comes from another computer). Type its recovery key, the one printed when it "
                    "was encrypted. The file is not changed."
                ).format(name=path.name),
                wrap=True,
            )
        )
        self.key_edit = QLineEdit()
        self.key_edit.setPlaceholderText("XXXX-XXXX-XXXX-…")
        self.key_edit.setFont(_key_font())
        layout.addWidget(self.key_edit)
        self.key_error = field_error_label(reserve=True)
        layout.addWidget(self.key_error)
        self.remember_check = QCheckBox(_("Keep the key in this computer's keyring"))
        keyring = cipher.keyring_available()
        self.remember_check.setChecked(keyring)
        self.remember_check.setEnabled(keyring)
        if not keyring:
            self.remember_check.setToolTip(
                _("This computer has no keyring: the key is asked for at every start.")
            )
        layout.addWidget(self.remember_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Open"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 240)

    def _on_buttons_accepted(self) -> None:
        self.key_error.hide()
        done = Operation(
            _("Open with the recovery key"),
            lambda: encryption.unlock_database(
                self._path, self.key_edit.text(), remember=self.remember_check.isChecked()
            ),
            field_errors=self._show_errors,
        ).run(self)
        if done:
            self.unlocked = True
            self.accept()

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.key_error.setText(errors.get("recovery_key", ""))
        self.key_error.show()

    @classmethod
    def ask(cls, parent: QWidget | None, path: Path) -> bool:
        return bool(cls(path, parent).answer(lambda dialog: dialog.unlocked))


def encryption_status_text(status: encryption.EncryptionStatus) -> str:
    """One line for Preferences: whether the database is encrypted and where its key is."""
    if status.encrypted:
        if status.key_in_keyring:
            return _("Encrypted; its key is in this computer's keyring.")
        return _("Encrypted; opened with its recovery key (the key is not in this computer's keyring).")
    return _("Not encrypted. Recommended on a laptop: a lost laptop then shows nothing of your customers.")
