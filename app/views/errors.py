"""The one error dialog every user-visible error goes through, and the GUI's uncaught-error hook."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app import diagnostics
from app.i18n import _
from app.services.errors import DomainError, ValidationError


def error_text(exc: BaseException) -> str:
    """What the user reads: our own messages as they are, anything else explained."""
    from app.models.database import DatabaseFileError, translate_database_error  # not before the first paint

    if isinstance(exc, (DomainError, DatabaseFileError)):
        return str(exc)
    problem = translate_database_error(exc)  # damaged, disk full, read-only, met while reading rows
    if problem is not None:
        return str(problem)
    if isinstance(exc, OSError):
        return _("The file could not be used: {reason}").format(reason=exc.strerror or exc)
    return _("Something went wrong and the action was not completed: {reason}").format(reason=exc)


def open_log_folder() -> bool:
    """Show the log folder in the system's file manager (made first if nothing was logged yet)."""
    folder = diagnostics.log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class ErrorDialog(QDialog):
    """A refusal shows its message; a defect also its details, to copy or find in the log folder."""

    def __init__(self, parent: QWidget | None, exc: BaseException, title: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title or _("Postventa"))
        expected = diagnostics.is_expected(exc)
        self.details = "" if expected else diagnostics.error_details(exc)
        icon = QLabel()
        pixmap = (
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if expected
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        )
        icon.setPixmap(self.style().standardIcon(pixmap).pixmap(32, 32))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.message = QLabel(error_text(exc))
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setMinimumWidth(360)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Close if not expected else QDialogButtonBox.StandardButton.Ok
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.copy_button: QPushButton | None = None
        self.log_button: QPushButton | None = None
        if not expected:
            self.details_view = QPlainTextEdit(self.details)
            self.details_view.setReadOnly(True)
            self.details_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.details_view.setMinimumHeight(160)
            self.details_view.hide()
            layout.addWidget(self.details_view, 1)
            hint = QLabel(
                _(
                    "The error has been written to the log file. Send the details or the log to your support contact."
                )
            )
            hint.setWordWrap(True)
            layout.addWidget(hint)
            self.details_button = buttons.addButton(
                _("Show &details"), QDialogButtonBox.ButtonRole.ActionRole
            )
            self.details_button.setCheckable(True)
            self.details_button.toggled.connect(self._on_details_button_toggled)
            self.copy_button = buttons.addButton(_("&Copy details"), QDialogButtonBox.ButtonRole.ActionRole)
            self.copy_button.clicked.connect(self._on_copy_button_clicked)
            self.log_button = buttons.addButton(_("Open &log folder"), QDialogButtonBox.ButtonRole.ActionRole)
            self.log_button.clicked.connect(open_log_folder)
        layout.addWidget(buttons)

    def _on_details_button_toggled(self, shown: bool) -> None:
        self.details_view.setVisible(shown)
        self.details_button.setText(_("Hide &details") if shown else _("Show &details"))

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details)


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    diagnostics.log_error(exc, "Shown to the user")
    ErrorDialog(parent, exc, title).exec()


class _UncaughtErrorRelay(QObject):
    """Brings an uncaught error from any thread to the UI thread's error dialog."""

    raised = Signal(object)

    def __init__(self):
        super().__init__()
        self._showing = False
        self.raised.connect(self._on_raised, Qt.ConnectionType.QueuedConnection)

    def _on_raised(self, exc: BaseException) -> None:
        if self._showing:  # one dialog at a time; the rest are in the log
            return
        self._showing = True
        try:
            show_error(QApplication.activeWindow(), exc)
        finally:
            self._showing = False


_relay: _UncaughtErrorRelay | None = None


def install_gui_exception_hooks() -> None:
    """Errors raised in slots, timers and threads are logged and shown in the error dialog."""
    global _relay
    if _relay is None:
        _relay = _UncaughtErrorRelay()
    diagnostics.install_exception_hooks(report=_relay.raised.emit)


class BackToForm(Exception):
    """Raised by a form's command to reopen the form as the user left it (e.g. a confirmation declined)."""


def ask_until_valid(
    ask: Callable[[object | None, dict[str, str] | None], object | None],
    command: Callable[[object], object],
    on_error: Callable[[BaseException], None],
) -> tuple[object, object] | None:
    """Ask for values with `ask(previous values, errors)` and run `command` on them.

    Refused values reopen the form with the reasons beside the fields; BackToForm reopens it as it
    was. `errors` is None only the first time: a reopened form gets a dict (empty after BackToForm),
    so it knows it holds what the user typed. Returns (values, result), or None when the user
    cancelled or another failure went to `on_error`. Views use `operations.run_form`, built on this.
    """
    values, errors = None, None
    while True:
        values = ask(values, errors)
        if values is None:
            return None
        try:
            return values, command(values)
        except ValidationError as exc:
            errors = exc.errors
        except BackToForm:
            errors = {}
        except Exception as exc:  # noqa: BLE001 (every failure is shown)
            on_error(exc)
            return None
