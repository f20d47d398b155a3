"""The one error dialog every user-visible error goes through."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import _
from app.models.database import DatabaseOpenError
from app.services.errors import DomainError, ValidationError

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


def attempt(parent: QWidget | None, command: Callable[[], object], show_errors: Callable[[dict[str, str]], None]) -> bool:
    """Run a service command for a form: True when it went through.

    A ValidationError's messages go to `show_errors` (next to the fields); any other failure to the
    error dialog. Either way the form stays as the user typed it.
    """
    try:
        command()
    except ValidationError as exc:
        show_errors(exc.errors)
        return False
    except Exception as exc:  # noqa: BLE001 (every failure is shown, the input stays)
        show_error(parent, exc)
        return False
    return True


class BackToForm(Exception):  # noqa: N818 (a signal to reopen the form, not an error)
    """Raised by a form's command to reopen the form as the user left it (e.g. a confirmation declined)."""


def ask_until_valid(
    ask: Callable[[object | None, dict[str, str] | None], object | None],
    command: Callable[[object], object],
    on_error: Callable[[BaseException], None],
) -> tuple[object, object] | None:
    """Ask for values with `ask(previous values, errors)` and run `command` on them.

    Refused values reopen the form with the reasons beside the fields; BackToForm reopens it as it
    was. Returns (values, result), or None when the user cancelled or another failure went to
    `on_error`.
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
            errors = None
        except Exception as exc:  # noqa: BLE001 (every failure is shown)
            on_error(exc)
            return None
