"""The one error dialog every user-visible error goes through."""

from __future__ import annotations

import logging
import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import _
from app.models.database import DatabaseOpenError
from app.services.errors import DomainError

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    """What the user reads: our own messages as they are, anything else explained."""
    if isinstance(exc, (DomainError, DatabaseOpenError)):
        return str(exc)
    if isinstance(exc, OSError):
        return _("The file could not be used: {reason}").format(reason=exc.strerror or exc)
    return _("Something went wrong and the action was not completed: {reason}").format(reason=exc)


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    expected = isinstance(exc, (DomainError, DatabaseOpenError, OSError))
    if not expected:
        log.error("Unexpected error", exc_info=exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if expected else QMessageBox.Icon.Critical)
    box.setWindowTitle(title or _("Postventa"))
    box.setText(error_text(exc))
    if not expected:
        box.setDetailedText("".join(traceback.format_exception(exc)))
    box.exec()
