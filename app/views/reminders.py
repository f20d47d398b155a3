"""Reminders: a tray icon, a notification before each follow-up, and a morning summary.

The decisions are plain functions, testable without a tray, in app.services.followups.reminders:
which follow-ups to announce at a given minute (`due_reminders`), what a notification says
(`reminder_notification`), the morning summary (`morning_summary_text`, `summary_due`); whether
closing the window hides it (`should_close_to_tray`) is here. `ReminderService` is the thin Qt
shell around them: a one-minute timer, the tray icon with its menu, and signals the application
connects to its window.

Reminders are for the rep using the app (`context.current_rep`); with nobody chosen there are
none. The queries are app.services.followups' own (Qt-free) agenda queries.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon

from app import APP_NAME
from app.i18n import _
from app.models import now as wall_clock_now
from app.views import settings
from app.views.operations import perform
from app.views.pages.base import AppContext

if TYPE_CHECKING:
    # The follow-ups' services come with the first check, once the window has painted (issue 19).
    from app.services.followups.reminders import Notification

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 60_000
FIRST_CHECK_MS = 1000  # after start: the window paints first, its pages load, then the first check
MESSAGE_MS = 15_000

# TODO: declare beside REMINDER_LEAD_MINUTES in app/views/settings.py (the one place for options).


# --- decisions (no Qt): app.services.followups.reminders, plus the window's own -------------


def should_close_to_tray(tray_available: bool, preference: bool) -> bool:
    """Closing the main window hides it (reminders keep coming) only with a tray to come back from."""
    return tray_available and preference


# --- the Qt shell ----------------------------------------------------------------------------


class ReminderService(QObject):
    """Checks every minute for the current rep's follow-ups and announces them in the tray.

    Without a system tray (e.g. offscreen) nothing is shown, but `notification_shown` is still
    emitted so the window can show the text elsewhere.
    """

    follow_up_requested = Signal(int)  # a reminder was clicked: open this follow-up
    agenda_requested = Signal()  # the summary or "Agenda for today" was clicked
    show_window_requested = Signal()  # "Show Postventa" or a click on the icon
    quit_requested = Signal()  # "Quit" in the tray menu
    notification_shown = Signal(object)  # Notification, after it was shown (or would have been)

    def __init__(
        self,
        context: AppContext | None = None,
        parent: QObject | None = None,
        *,
        now: Callable[[], dt.datetime] | None = None,
        use_tray: bool | None = None,
        interval_ms: int = CHECK_INTERVAL_MS,
    ):
        super().__init__(parent)
        self._context = context
        self._now = now or wall_clock_now
        self._notified: set[tuple[int, dt.datetime]] = set()
        self._last_summary_on: dt.date | None = None
        self._last: Notification | None = None
        self._failing = False
        self._hidden_announced = False

        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

        if use_tray is None:
            use_tray = QSystemTrayIcon.isSystemTrayAvailable()
        self._tray: QSystemTrayIcon | None = None
        self._menu: QMenu | None = None
        if use_tray:
            self._build_tray()

    # --- the tray ---------------------------------------------------------------------------

    def _build_tray(self) -> None:
        app = QApplication.instance()
        icon = app.windowIcon() if app is not None else QIcon()
        if icon.isNull() and app is not None:
            icon = app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        self._tray = QSystemTrayIcon(icon, self)
        self._menu = QMenu()
        self._show_action = QAction(self._menu)
        self._show_action.triggered.connect(self.show_window_requested)
        self._agenda_action = QAction(self._menu)
        self._agenda_action.triggered.connect(self.agenda_requested)
        self._quit_action = QAction(self._menu)
        self._quit_action.triggered.connect(self.quit_requested)
        self._menu.addAction(self._show_action)
        self._menu.addAction(self._agenda_action)
        self._menu.addSeparator()
        self._menu.addAction(self._quit_action)
        self._tray.setContextMenu(self._menu)
        self._tray.messageClicked.connect(self._on_tray_message_clicked)
        self._tray.activated.connect(self._on_tray_activated)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the menu texts in the current language (call after a language switch)."""
        if self._tray is None:
            return
        self._show_action.setText(_("Show Postventa"))
        self._agenda_action.setText(_("Agenda for today"))
        self._quit_action.setText(_("Quit"))
        self._tray.setToolTip(APP_NAME)

    @property
    def tray_available(self) -> bool:
        return self._tray is not None

    @property
    def tray_icon(self) -> QSystemTrayIcon | None:
        return self._tray

    @property
    def tray_menu(self) -> QMenu | None:
        return self._menu

    def should_close_to_tray(self) -> bool:
        """Whether the main window's closeEvent should hide it instead of quitting."""
        return should_close_to_tray(self.tray_available, settings.get(settings.CLOSE_TO_TRAY))

    def announce_hidden(self) -> None:
        """Once per session, after the window was hidden to the tray: say where the app went."""
        if self._tray is None or self._hidden_announced:
            return
        self._hidden_announced = True
        self._tray.showMessage(
            APP_NAME,
            _(
                "Postventa keeps running here and reminds you of your calls and visits. Quit from this icon's menu."
            ),
            QSystemTrayIcon.MessageIcon.Information,
            MESSAGE_MS,
        )
        self._last = None

    # --- running ------------------------------------------------------------------------------

    def set_context(self, context: AppContext | None) -> None:
        """Another database or user: forget what was announced (ids belong to one database)."""
        self._context = context
        self._notified.clear()
        self._last_summary_on = None

    def start(self) -> None:
        """Show the icon, check in a moment (the window opening paints first), then every minute."""
        if self._tray is not None:
            self._tray.show()
        self._timer.start()
        QTimer.singleShot(min(FIRST_CHECK_MS, self._timer.interval()), self, self._on_first_check)

    def _on_first_check(self) -> None:
        if self.is_running():  # not stopped meanwhile
            self.check()

    def stop(self) -> None:
        self._timer.stop()
        if self._tray is not None:
            self._tray.hide()

    def is_running(self) -> bool:
        return self._timer.isActive()

    def lead_minutes(self) -> int:
        return max(0, settings.get(settings.REMINDER_LEAD_MINUTES))

    def summary_hour(self) -> int:
        return min(23, max(0, settings.get(settings.REMINDER_SUMMARY_HOUR)))

    def _rep_id(self) -> int | None:
        rep = self._context.current_rep if self._context is not None else None
        return rep.id if rep is not None else None

    def check(self) -> list[Notification]:
        """One tick: the morning summary when due, then the follow-ups about to start."""
        rep_id = self._rep_id()
        if rep_id is None:
            return []
        now = self._now()
        # Quiet: a reminder tick must not pop a dialog every minute; the first failure is logged.
        collected = perform(
            None, lambda: self._collect(rep_id, now), on_failure=self._on_check_failed, quiet=True
        )
        if not collected:
            return []
        self._failing = False
        notifications = collected.value
        for notification in notifications:
            self._show(notification)
        return notifications

    def _on_check_failed(self, exc: BaseException) -> None:
        if not self._failing:
            log.warning("Reminders could not be checked; trying again each minute", exc_info=exc)
        self._failing = True

    def _collect(self, rep_id: int, now: dt.datetime) -> list[Notification]:
        from app.models.enums import FollowUpState
        from app.services import followups
        from app.services.followups.reminders import (
            GRACE_MINUTES,
            due_reminders,
            morning_summary,
            reminder_key,
            reminder_notification,
            summary_due,
        )

        notifications = []
        if summary_due(now, self.summary_hour(), self._last_summary_on):
            start_of_day = dt.datetime.combine(now.date(), dt.time())
            today = followups.agenda(
                rep_id,
                start_of_day,
                start_of_day + dt.timedelta(days=1),
                states=[FollowUpState.PLANNED],
                now=now,
            )
            # Counted, not read: a rep may have a long tail of old planned follow-ups.
            overdue = followups.overdue_count(rep_id, now=start_of_day)
            self._last_summary_on = now.date()
            summary = morning_summary(today, now, overdue)
            if summary is not None:
                notifications.append(summary)
        lead = self.lead_minutes()
        rows = followups.agenda(
            rep_id,
            now - dt.timedelta(minutes=GRACE_MINUTES),
            now + dt.timedelta(minutes=lead, seconds=1),
            states=[FollowUpState.PLANNED],
            now=now,
        )
        due = due_reminders(rows, now, lead, self._notified)
        if due:
            self._forget_old(now)
            self._notified.update(reminder_key(row) for row in due)
            notifications.append(reminder_notification(due, now))
        return notifications

    def _forget_old(self, now: dt.datetime) -> None:
        limit = now - dt.timedelta(days=1)
        self._notified = {key for key in self._notified if key[1] >= limit}

    def _show(self, notification: Notification) -> None:
        self._last = notification
        if self._tray is not None:
            self._tray.showMessage(
                notification.title, notification.text, QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS
            )
        self.notification_shown.emit(notification)

    def open_notification(self, notification: Notification) -> None:
        """What a click on `notification` does: open its follow-up, or the agenda."""
        if notification.follow_up_id is not None:
            self.follow_up_requested.emit(notification.follow_up_id)
        else:
            self.agenda_requested.emit()

    # --- slots ----------------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        self.check()

    def _on_tray_message_clicked(self) -> None:
        if self._last is not None:
            self.open_notification(self._last)
        else:
            self.show_window_requested.emit()

    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window_requested.emit()
