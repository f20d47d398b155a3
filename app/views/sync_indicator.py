"""A laptop's sync in the window: the status bar's word on the office, File ▸ Sync now (F9) and a
sync every few minutes while the window is open. Nothing of this shows on a database that is not a
laptop's.

Every sync runs in the background (app.sync.status.sync_with_office); the window never waits. One
runs at a time. A sync the person asked for shows its progress, asks for the password when the
office wants one (the login dialog, remembered in the keyring when asked) and shows what went
wrong; an automatic one never opens a dialog: the indicator says offline, and why on hover. After a
sync the pages refresh (the operation announces what changed).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QMainWindow, QToolButton, QWidget

from app import credentials
from app.i18n import _, format_datetime, format_number, format_time, ngettext
from app.models.database import LoginRequiredError
from app.services.errors import DomainError
from app.views.errors import error_text, show_error
from app.views.events import EVERYTHING, Change, app_events
from app.views.login import LoginAnswer, LoginDialog, server_shown
from app.views.operations import Operation
from app.views.tasks import run_in_background

if TYPE_CHECKING:
    from app.sync.engine import SyncOutcome
    from app.sync.status import SyncStatus

AUTOMATIC_SYNC_MS = 5 * 60 * 1000  # while the window is open
FIRST_SYNC_MS = 3000  # after the window opens on a laptop database
STATUS_DELAY_MS = 400  # a burst of changes reloads the figures once
SHORTCUT = "F9"  # free in every page (Outlook's "send/receive")


class Link(StrEnum):
    """What the window knows of the office since it opened."""

    UNKNOWN = "unknown"  # not tried yet
    SYNCING = "syncing"
    ONLINE = "online"  # the last sync went through
    OFFLINE = "offline"  # the last sync could not reach the office, or failed
    LOGIN = "login"  # the office wants a password nobody gave


COLOURS = {
    Link.UNKNOWN: "#9aa0a6",
    Link.SYNCING: "#1a73e8",
    Link.ONLINE: "#1e8e3e",
    Link.OFFLINE: "#d93025",
    Link.LOGIN: "#f29900",
}


def sync_status() -> SyncStatus | None:
    """This laptop's standing with its office; None on a database that does not sync (in the pool
    thread: the sync's modules are imported there, never on the way to the window's first paint)."""
    from app.sync import status

    return status.sync_status()


def sync_with_office(login: str | None, password: str | None) -> SyncOutcome:
    from app.sync import status

    return status.sync_with_office(login, password)


def when_text(moment: dt.datetime | None, today: dt.date) -> str:
    if moment is None:
        return _("never")
    return format_time(moment) if moment.date() == today else format_datetime(moment)


def indicator_texts(
    status: SyncStatus, link: Link, reason: str | None, today: dt.date | None = None
) -> tuple[str, str]:
    """(the status bar's line, its tooltip) for a laptop's standing with its office."""
    today = today or dt.date.today()
    last = when_text(status.last_sync, today)
    if link is Link.SYNCING:
        parts = [_("Syncing with the office…")]
    elif link is Link.LOGIN:
        parts = [_("Offline — log in with Sync now")]
    else:
        state = {Link.ONLINE: _("Online"), Link.OFFLINE: _("Offline")}.get(link)
        parts = [state] if state else []
        parts.append(_("Last sync: {when}").format(when=last))
    if status.pending:
        parts.append(
            ngettext("{count} change to send", "{count} changes to send", status.pending).format(
                count=format_number(status.pending)
            )
        )
    if status.conflicts:
        parts.append(
            ngettext("{count} conflict", "{count} conflicts", status.conflicts).format(
                count=format_number(status.conflicts)
            )
        )
    server, database = server_shown(status.server)
    tip = [
        _("Office: the database {database} on {server}, as {login}").format(
            database=database, server=server, login=status.login
        ),
        _("Last sync: {when}").format(when=last),
        _("Changes waiting to be sent: {count}").format(count=format_number(status.pending)),
        _("Open conflicts: {count}").format(count=format_number(status.conflicts)),
    ]
    if reason and link in (Link.OFFLINE, Link.LOGIN):
        tip.append(_("Could not sync: {reason}").format(reason=reason))
    tip.append(
        _(
            "Postventa syncs by itself every {minutes} minutes while it is open. Click here or press {key} to sync now."
        ).format(minutes=AUTOMATIC_SYNC_MS // 60000, key=SHORTCUT)
    )
    return " · ".join(parts), "\n".join(tip)


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


def sync_changes(outcome: SyncOutcome) -> frozenset[Change]:
    """What a sync changed for the pages: everything when rows came from the office."""
    if outcome.pulled or outcome.deleted or outcome.left_scope:
        return EVERYTHING
    return frozenset({Change.CONFLICTS})


class SyncIndicator(QToolButton):
    """The status bar's line: online or offline, the last sync, changes to send, conflicts; a click syncs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("syncIndicator")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIconSize(QSize(12, 12))
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def show_status(self, status: SyncStatus, link: Link, reason: str | None) -> None:
        text, tip = indicator_texts(status, link, reason)
        self.setText(text)
        self.setToolTip(tip)
        self.setIcon(_dot(COLOURS[link]))


class SyncController(QObject):
    """Owns the indicator, the Sync now action and the timer of a window on a laptop database."""

    status_changed = Signal(object)  # SyncStatus | None
    sync_finished = Signal(bool)  # whether it went through

    def __init__(self, window: QMainWindow, *, load_now: bool = True):
        """`load_now` false: the owner calls `reload_status` when it wants the first status (the
        main window: once it has painted)."""
        super().__init__(window)
        self._window = window
        self.indicator = SyncIndicator(window)
        self.indicator.hide()
        self.indicator.clicked.connect(self.sync_now)
        self.action = QAction(_("&Sync now"), window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip(_("Send this laptop's changes to the office and bring the office's"))
        self.action.setVisible(False)
        self.action.triggered.connect(self.sync_now)
        window.addAction(self.action)  # its shortcut works while the menu is closed
        self._timer = QTimer(self)
        self._timer.setInterval(AUTOMATIC_SYNC_MS)
        self._timer.timeout.connect(self.sync_automatically)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(STATUS_DELAY_MS)
        self._status_timer.timeout.connect(self.reload_status)
        self.status: SyncStatus | None = None
        self.link = Link.UNKNOWN
        self.reason: str | None = None
        self.running = False
        self._started = False
        # What the person typed in the login dialog this session (never stored by Postventa itself).
        self._login: str | None = None
        self._password: str | None = None
        self._answer: LoginAnswer | None = None  # remembered in the keyring once a sync accepts it
        app_events().data_changed.connect(self._on_app_events_data_changed)
        if load_now:
            self.reload_status()

    # --- the figures --------------------------------------------------------------------------

    def reload_status(self) -> None:
        run_in_background(
            lambda _progress: sync_status(),
            self._on_status_loaded,
            self._on_status_failed,
            parent=self.indicator,
        )

    def _on_status_loaded(self, status: SyncStatus | None) -> None:
        self.status = status
        if status is None:
            self.indicator.hide()
            self.action.setVisible(False)
            self._timer.stop()
        else:
            self.indicator.show()
            self.action.setVisible(True)
            self._show()
            if not self._started:
                self._started = True
                self._timer.start()
                QTimer.singleShot(FIRST_SYNC_MS, self, self.sync_automatically)
        self.status_changed.emit(status)

    def _on_status_failed(self, exc: BaseException) -> None:
        """Logged by the task helper; the indicator keeps what it showed."""

    def _show(self) -> None:
        if self.status is not None:
            self.indicator.show_status(self.status, self.link, self.reason)

    def _on_app_events_data_changed(self, kinds: frozenset, initiator: object) -> None:
        self._status_timer.start()  # changes to send, conflicts decided

    # --- syncing ------------------------------------------------------------------------------

    def sync_now(self) -> None:
        """File ▸ Sync now, F9 or a click on the indicator."""
        if self.status is None:
            return
        if self.running:
            self._window.statusBar().showMessage(_("A sync with the office is already running."), 4000)
            return
        self._start(manual=True)

    def sync_automatically(self) -> None:
        """The timer's sync: quiet, and not while another runs."""
        if self.status is None or self.running:
            return
        self._start(manual=False)

    def _start(self, *, manual: bool) -> None:
        self.running = True
        self.link = Link.SYNCING
        self._show()
        login, password = self._login, self._password
        Operation(
            _("Sync with the office"),
            lambda: sync_with_office(login, password),
            sync_changes,
            on_success=lambda outcome: self._on_synced(outcome, manual),
            on_failure=lambda exc: self._on_sync_failed(exc, manual),
        ).run_in_background(
            self.indicator, progress=_("Syncing with the office…") if manual else None, quiet=True
        )

    def _on_synced(self, outcome: SyncOutcome, manual: bool) -> None:
        self.running = False
        self.link, self.reason = Link.ONLINE, None
        answer, self._answer = self._answer, None
        if answer is not None and self.status is not None:  # logged in through the dialog: as asked
            if answer.remember:
                credentials.remember_password(self.status.server, answer.login, answer.password)
            else:
                credentials.forget_password(self.status.server, answer.login)
        if manual:
            if outcome.conflicts or outcome.refused:
                count = outcome.conflicts + outcome.refused
                message = ngettext(
                    "Synced with the office: {count} new conflict waits on the Conflicts page.",
                    "Synced with the office: {count} new conflicts wait on the Conflicts page.",
                    count,
                ).format(count=format_number(count))
            else:
                message = _("Synced with the office: {sent} sent, {received} received.").format(
                    sent=format_number(outcome.pushed), received=format_number(outcome.pulled)
                )
            self._window.statusBar().showMessage(message, 8000)
        self.reload_status()
        self.sync_finished.emit(True)

    def _on_sync_failed(self, exc: BaseException, manual: bool) -> None:
        if isinstance(exc, LoginRequiredError):
            if exc.rejected:
                self._password = None
            self.link, self.reason = Link.LOGIN, str(exc)
            self._show()
            # Still "running" while the login dialog is open: the timer's sync waits for it.
            if manual and self._ask_login(exc):
                self._start(manual=True)
                return
            self.running = False
            self._answer = None
        else:
            from app.sync.errors import SyncError

            self.running = False
            self.link, self.reason = Link.OFFLINE, error_text(exc)
            self._show()
            if manual:
                show_error(self._window, DomainError(str(exc)) if isinstance(exc, SyncError) else exc)
        self.sync_finished.emit(False)

    def _ask_login(self, exc: LoginRequiredError) -> bool:
        """The office wants a password: ask for it; False when the person cancels."""
        assert self.status is not None
        answer = LoginDialog.ask(
            self._window,
            self.status.server,
            self._login or exc.login or self.status.login,
            str(exc) if exc.rejected else None,
        )
        if answer is None:
            return False
        self._login, self._password, self._answer = answer.login, answer.password, answer
        return True
