"""What every page of the main window shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app.views.events import Change

if TYPE_CHECKING:  # the models: imported once the window has painted (issue 19)
    from app.models.database import DatabaseInfo
    from app.services.permissions import Permissions, Right
    from app.services.reps import RepRow


def _unrestricted() -> Permissions:
    from app.services.permissions import UNRESTRICTED

    return UNRESTRICTED


@dataclass
class AppContext:
    """The open database and who is using the app; handed to every page.

    On an office server `permissions` are the logged-in person's (the server's word, see
    app.services.permissions) and `current_rep` their rep record; on a laptop's file nothing is
    enforced and `current_rep` is whoever was chosen in the "who is using the app" picker."""

    database: DatabaseInfo
    current_rep: RepRow | None = None
    permissions: Permissions = field(default_factory=_unrestricted)

    @property
    def acting_rep_id(self) -> int | None:
        """Who the audit log names as the author of a command."""
        return self.current_rep.id if self.current_rep is not None else None

    @property
    def is_manager(self) -> bool:
        if self.permissions.enforced:
            return self.permissions.is_manager
        return self.current_rep is None or self.current_rep.is_manager

    @property
    def identity_from_server(self) -> bool:
        """The person is who they logged in as: the "who is using the app" picker does not apply."""
        return self.permissions.enforced

    def may(self, right: Right) -> bool:
        return self.permissions.may(right)

    def refusal(self, right: Right) -> str | None:
        """Why the person may not, for a disabled control's tooltip; None when they may."""
        return self.permissions.refusal(right)

    def may_change(self, record_rep_id: int | None, customer_rep_id: int | None = None) -> bool:
        return self.permissions.may_change(record_rep_id, customer_rep_id)

    def change_refusal(self, record_rep_id: int | None, customer_rep_id: int | None = None) -> str | None:
        return self.permissions.change_refusal(record_rep_id, customer_rep_id)


class Page(QWidget):
    """A page of the main window. Subclasses set `data_kinds` to what they show."""

    data_kinds: frozenset[Change] = frozenset()

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context

    def activate(self) -> None:
        """Called whenever the page is shown."""

    def on_data_changed(self, kinds: frozenset[Change], initiator: object) -> None:
        """An operation changed `kinds` (`initiator` ran it): refresh when the page shows any of them."""
        if kinds & self.data_kinds:
            self.refresh()

    def refresh(self) -> None:
        """Reload what the page shows from the database."""

    def focus_search(self) -> bool:
        """Ctrl+F: put the cursor in the page's search box; False where there is none."""
        return False

    def create_new(self) -> bool:
        """Ctrl+N: start a new record of the page's kind; False where there is none."""
        return False

    def export_list(self) -> bool:
        """Ctrl+E: export the list the page shows (app/views/exports.py); False where there is none."""
        return False

    def can_leave(self) -> bool:
        """Before the window shows another page or closes: False keeps the user here (unsaved work)."""
        return True

    def apply_navigation(self, filters: dict) -> None:
        """Show what a dashboard tile points at, e.g. {"overdue": True}; unknown keys are ignored."""

    def open_customer(
        self, customer_id: int, *, sale_id: int | None = None, unit_id: int | None = None
    ) -> None:
        """The customer 360° view, from any page that lists something of a customer (on a sale or a
        sold unit, chosen, when given)."""
        from app.views.customers.customer_360 import Customer360Dialog
        from app.views.operations import perform

        # The view announces what its own commands change.
        perform(
            self,
            lambda: Customer360Dialog.show_customer(
                self,
                customer_id,
                acting_rep_id=self.context.acting_rep_id,
                permissions=self.context.permissions,
                sale_id=sale_id,
                unit_id=unit_id,
            ),
        )

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        """Further states worth a picture in `postventa screenshots`: (suffix, switch to it)."""
        return []


# Typing pauses this long before a list is filtered again.
SEARCH_DELAY_MS = 250


def search_timer(parent: QWidget) -> QTimer:
    """The single-shot timer that debounces a search box (start it on textChanged)."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(SEARCH_DELAY_MS)
    return timer


def count_label() -> QLabel:
    """The muted "N rows" label beside a list's filters."""
    label = QLabel()
    label.setStyleSheet("color: palette(dark);")
    return label


def empty_state_label(text: str) -> QLabel:
    """A centred, muted message for a list or page that has nothing to show (plain: it may quote a search)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setObjectName("emptyState")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(mid); font-size: 15px; padding: 40px;")
    return label
