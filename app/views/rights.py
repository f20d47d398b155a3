"""The one way the window withholds what the person may not change, and says why.

What may be changed is the service's word (app.services.permissions, through `AppContext.may`,
`refusal`, `may_change` and `change_refusal`); here is only how the window shows it:

- a control the person may not use stays where it is, disabled, with the refusal as its tooltip
  (`gate`): they see that it exists and, on hover, why it is not theirs to use; once allowed (the
  next record is theirs) it gets its own tooltip back;
- a dialog they may only read opens read-only with a one-line note at its top (`refusal_note`),
  and every control in it that would change something is gated the same way;
- a keyboard shortcut that reaches a refused command does nothing but say why in the status bar
  (`explain_refusal`).

On a laptop's file nothing is refused, so none of this changes a control there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from app.views.pages.base import AppContext

# Dynamic properties that remember a control's own tooltip while a refusal stands in for it.
_OWN_TIP = "postventaOwnToolTip"
_REFUSAL_TIP = "postventaRefusalToolTip"

REFUSAL_MESSAGE_MS = 6000


def audit_log_refusal(context: AppContext) -> str | None:
    """Why the person may not read the audit log (Settings ▸ Audit log…); None for a manager. Here, not
    in app.views.audit_log, so the window gates its menu without importing the dialog."""
    return None if context.is_manager else _("Only a manager can read the audit log.")


def gate(control: QWidget | QAction, refusal: str | None, *, enabled: bool = True) -> bool:
    """Enable `control` when `enabled` and nothing refuses it; a `refusal` disables it and becomes its
    tooltip (its own tooltip returns once it is allowed again). True when refused.

    Call it wherever the control's enabled state is decided, in place of `setEnabled`."""
    shown = control.toolTip()
    if shown != control.property(_REFUSAL_TIP):
        control.setProperty(_OWN_TIP, shown)  # the control's code set this tooltip itself
    own = control.property(_OWN_TIP) or ""
    if refusal:
        control.setEnabled(False)
        control.setToolTip(refusal)
        control.setProperty(_REFUSAL_TIP, refusal)
        return True
    control.setEnabled(enabled)
    control.setToolTip(own)
    control.setProperty(_REFUSAL_TIP, None)
    return False


def refusal_of(control: QWidget | QAction) -> str | None:
    """The refusal a control shows (None when it is not refused), for tests."""
    refusal = control.property(_REFUSAL_TIP)
    return refusal if refusal and not control.isEnabled() else None


def refusal_note(refusal: str) -> QLabel:
    """The one-line note at the top of a dialog opened read-only: why nothing in it can be changed."""
    note = QLabel()
    note.setObjectName("refusalNote")
    note.setTextFormat(Qt.TextFormat.PlainText)
    note.setText(refusal)
    note.setWordWrap(True)
    note.setStyleSheet(
        "QLabel#refusalNote { background: #fff4d6; color: #5c4300; border: 1px solid #e8cf8a; "
        "border-radius: 4px; padding: 6px 8px; }"
    )
    return note


def show_tooltips(menu: QMenu) -> QMenu:
    """A menu shows its actions' tooltips (a refused action's reason) only when told to."""
    menu.setToolTipsVisible(True)
    return menu


def explain_refusal(widget: QWidget, refusal: str) -> None:
    """A shortcut reached a refused command: say why in the main window's status bar, if there is one."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(refusal, REFUSAL_MESSAGE_MS)
