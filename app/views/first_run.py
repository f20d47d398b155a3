"""First start on an empty database, and choosing who uses the app."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models import Rep, cipher
from app.models.base import max_length
from app.models.database import open_database_file
from app.models.enums import RepRole
from app.services import reps
from app.views.dialogs import BaseDialog, field_error_label
from app.views.operations import Operation


@dataclass(frozen=True)
class FirstRunChoice:
    load_demo: bool
    rep: reps.RepRow | None  # the user created when starting empty
    encrypt: bool = False  # encrypt the new database (its recovery key shown once)


def role_combo() -> QComboBox:
    combo = QComboBox()
    for role in RepRole:
        combo.addItem(role.label, role.value)
    return combo


class FirstRunDialog(BaseDialog):
    """Offers demo data or an empty start; for an empty start, asks who is using the app."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Welcome to Postventa"))
        self.choice: FirstRunChoice | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "This database is empty. You can explore Postventa with demo data "
                "(a fictitious company with customers, sales, follow-ups, returns and cases) "
                "or start with your own data."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.demo_radio = QRadioButton(_("Load demo data"))
        self.empty_radio = QRadioButton(_("Start empty"))
        group = QButtonGroup(self)
        group.addButton(self.demo_radio)
        group.addButton(self.empty_radio)
        self.empty_radio.setChecked(True)
        layout.addWidget(self.demo_radio)
        layout.addWidget(self.empty_radio)

        self._who = QWidget()
        form = QFormLayout(self._who)
        form.addRow(QLabel(_("Who is using Postventa on this computer?")))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("e.g. Lucía Fernández"))
        self.name_error = field_error_label(reserve=True)
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(_("e.g. LFE"))
        self.code_edit.setMaxLength(max_length(Rep.code))
        self.code_error = field_error_label(reserve=True)
        self.role_combo = role_combo()
        form.addRow(_("Your name:"), self.name_edit)
        form.addRow("", self.name_error)
        form.addRow(_("Short code:"), self.code_edit)
        form.addRow("", self.code_error)
        form.addRow(_("Role:"), self.role_combo)
        layout.addWidget(self._who)
        self.demo_radio.toggled.connect(lambda demo: self._who.setEnabled(not demo))

        self.encrypt_check = QCheckBox(_("Encrypt the database (recommended on a laptop)"))
        self.encrypt_check.setToolTip(
            _(
                "A lost or stolen laptop then shows nothing of your customers. The key is kept in this "
                "computer's keyring; a recovery key is shown once, to print and keep safe."
            )
        )
        # An SQLite file on a computer with a keyring (an office server is protected on the server).
        can_encrypt = open_database_file() is not None and cipher.available() and cipher.keyring_available()
        self.encrypt_check.setChecked(can_encrypt)
        if not can_encrypt:
            self.encrypt_check.setEnabled(False)
            self.encrypt_check.setToolTip(
                _("This computer has no keyring where Postventa could keep the key.")
            )
        layout.addWidget(self.encrypt_check)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(480, 380)

    def _on_buttons_accepted(self) -> None:
        if self.demo_radio.isChecked():
            self.choice = FirstRunChoice(load_demo=True, rep=None, encrypt=self.encrypt_check.isChecked())
            self.accept()
            return
        for label in (self.name_error, self.code_error):
            label.hide()
        # No window is open yet: nothing to announce.
        created = Operation(
            _("Create user"),
            lambda: reps.create_rep(
                self.code_edit.text(), self.name_edit.text(), RepRole(self.role_combo.currentData())
            ),
            field_errors=self._show_errors,
        ).run(self)
        if not created:
            return
        self.choice = FirstRunChoice(
            load_demo=False, rep=created.value, encrypt=self.encrypt_check.isChecked()
        )
        self.accept()

    def _show_errors(self, errors: dict[str, str]) -> None:
        for field, label in (("name", self.name_error), ("code", self.code_error)):
            if field in errors:
                label.setText(errors[field])
                label.show()

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> FirstRunChoice | None:
        return cls(parent).answer(lambda dialog: dialog.choice)


class UserPickerDialog(BaseDialog):
    """Picks the rep or manager using the app; no passwords on a single-user laptop database."""

    ASKS_BEFORE_DISCARDING = False  # a choice among people, nothing typed

    def __init__(self, parent: QWidget | None = None, current: reps.RepRow | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Who is using Postventa?"))
        layout = QVBoxLayout(self)
        text = QLabel(_("The agenda, the dashboard and new records default to the person you choose."))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.combo = QComboBox()
        for rep in reps.list_reps():
            self.combo.addItem(f"{rep.name} — {rep.role.label}", rep.id)
            if current is not None and rep.id == current.id:
                self.combo.setCurrentIndex(self.combo.count() - 1)
        layout.addWidget(self.combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def selected_rep(self) -> reps.RepRow | None:
        rep_id = self.combo.currentData()
        return reps.get_rep(rep_id) if rep_id is not None else None

    @classmethod
    def ask(cls, parent: QWidget | None = None, current: reps.RepRow | None = None) -> reps.RepRow | None:
        return cls(parent, current).answer(cls.selected_rep)
