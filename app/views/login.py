"""Logging in to the office server: the person's login and password, remembered in the OS keyring
when they ask (app.credentials), never in Postventa's settings or files."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from app import credentials
from app.i18n import _
from app.views.dialogs import BaseDialog, field_error_label, plain_label


@dataclass(frozen=True)
class LoginAnswer:
    login: str
    password: str
    remember: bool


def server_shown(target: str) -> tuple[str, str]:
    """(server, database) as the dialog names them: never the URL's user or password."""
    parts = urlsplit(target)
    host = parts.hostname or dict(parse_qsl(parts.query)).get("host") or "localhost"
    if parts.port:
        host = f"{host}:{parts.port}"
    return host, parts.path.lstrip("/")


class LoginDialog(BaseDialog):
    """Asks for the login and password of the office server at `target`."""

    ASKS_BEFORE_DISCARDING = False  # a password is not a draft worth keeping

    def __init__(self, target: str, login: str | None, problem: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Log in to the office server"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        server, database = server_shown(target)
        intro = plain_label(
            _(
                "Log in to the database {database} on the office server {server} with your own login and password."
            ).format(database=database, server=server),
            wrap=True,
        )
        layout.addWidget(intro)
        form = QFormLayout()
        self.login_edit = QLineEdit(login or "")
        self.login_edit.setMaxLength(63)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("&Login:"), self.login_edit)
        form.addRow(_("&Password:"), self.password_edit)
        layout.addLayout(form)
        self.remember_box = QCheckBox(_("&Remember the password in this computer's keyring"))
        if not credentials.keyring_available():
            self.remember_box.setEnabled(False)
            self.remember_box.setToolTip(
                _("This computer has no keyring Postventa can use: the password is asked at each start.")
            )
        layout.addWidget(self.remember_box)
        # Always there (its space kept), so the buttons do not move when a problem is shown.
        self.problem_label = field_error_label()
        self.problem_label.setText(problem or "")
        self.problem_label.setVisible(True)
        self.problem_label.setMinimumHeight(self.problem_label.fontMetrics().lineSpacing() * 2)
        layout.addWidget(self.problem_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Log &in"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password_edit if login else self.login_edit).setFocus()

    def _on_buttons_accepted(self) -> None:
        if not self.login_edit.text().strip():
            self.problem_label.setText(_("Type your login."))
            self.login_edit.setFocus()
            return
        if not self.password_edit.text():
            self.problem_label.setText(_("Type your password."))
            self.password_edit.setFocus()
            return
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, target: str, login: str | None, problem: str | None = None
    ) -> LoginAnswer | None:
        """The login, password and whether to remember it; None when the person cancels."""
        return cls(target, login, problem, parent).answer(
            lambda dialog: LoginAnswer(
                dialog.login_edit.text().strip(),
                dialog.password_edit.text(),
                dialog.remember_box.isEnabled() and dialog.remember_box.isChecked(),
            )
        )
