"""Starting the GUI: the QApplication, translators, the open database and the main window.

The first start paints the window's frame before anything imports the models or opens the database
(issue 19): this module and what it imports at its top need neither; the rest is imported where used.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from app import APP_NAME, __version__, i18n
from app.i18n import _
from app.locations import sqlite_path_of
from app.models import cipher
from app.models.file_errors import DatabaseFileError, DatabaseOpenError
from app.models.window_lock import DatabaseInUseError
from app.package_data import resource_path
from app.views import settings
from app.views.garbage import collect_on_ui_thread, skip_collection_at_exit
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from app.views.qt_catalogs import install_qt_catalogs
from app.views.single_instance import DatabaseLock

if TYPE_CHECKING:
    from app.models.database import DatabaseInfo
    from app.services import backups  # imported where used: it brings most of the services
    from app.services.reps import RepRow
    from app.views.reminders import ReminderService
    from app.views.tasks import TaskProgress


def ensure_qapplication() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName(APP_NAME)
        app.setOrganizationName(APP_NAME)
        app.setApplicationVersion(__version__)
        app.setDesktopFileName("postventa")  # packaging/linux/postventa.desktop
        app.setWindowIcon(QIcon(str(resource_path("icons", "postventa.png"))))
        collect_on_ui_thread(app)  # never in a pool thread: it would destroy Qt objects there
    return app


def apply_language(language: str) -> None:
    """Switch our catalogs, Babel formats and Qt's own dialogs to `language`."""
    i18n.set_language(language)
    app = ensure_qapplication()
    QLocale.setDefault(QLocale(i18n.current_locale()))
    install_qt_catalogs(app, language)


def remembered_rep(database_target: str) -> RepRow | None:
    from app.services import reps

    rep_id = settings.qsettings().value(settings.current_rep_key(database_target))
    try:
        return reps.get_rep(int(rep_id)) if rep_id is not None else None
    except (ValueError, TypeError, reps.NotFoundError):
        return None


def remember_rep(database_target: str, rep: RepRow) -> None:
    settings.qsettings().setValue(settings.current_rep_key(database_target), rep.id)


class Application:
    """Owns the main window; reopens it when the database or the language changes."""

    def __init__(self, language: str, database_lock: DatabaseLock | None = None):
        self.qapp = ensure_qapplication()
        self.language = language
        apply_language(language)
        self.window = None
        # One window per database file: later starts on the file this window has open come here.
        self.database_lock = database_lock or DatabaseLock()
        self.database_lock.raise_requested.connect(self._on_database_lock_raise_requested)
        self.qapp.aboutToQuit.connect(self.database_lock.release_all)
        self.qapp.aboutToQuit.connect(
            _close_database
        )  # a clean close: the next start need not check the file
        self.qapp.aboutToQuit.connect(self._back_up_at_quit)
        self._reminders: ReminderService | None = None
        self.first_open_failed = False

    @property
    def reminders(self) -> ReminderService:
        """Owned here, not by the window, so reminders survive window rebuilds and run in the tray.
        Made with the first window on an open database (they need the models)."""
        if self._reminders is None:
            from app.views.reminders import ReminderService

            self._reminders = ReminderService()
            self._reminders.follow_up_requested.connect(self._on_reminders_follow_up_requested)
            self._reminders.agenda_requested.connect(self._on_reminders_agenda_requested)
            self._reminders.show_window_requested.connect(self._raise_window)
            self._reminders.quit_requested.connect(self._on_reminders_quit_requested)
            if self._reminders.tray_available:
                self.qapp.setQuitOnLastWindowClosed(False)
        return self._reminders

    def start(self, target: str) -> int:
        """The first window on `target`, then the event loop: its exit code, 2 when the database
        was not opened (refused, or the person cancelled). The GUI's exception hooks (errors in
        slots reach the dialog) are installed once the window's frame has painted."""

        def install_hooks() -> None:
            from app.views.errors import install_gui_exception_hooks  # not before the frame's paint

            install_gui_exception_hooks()

        self.show_first_window(target, before_opening=install_hooks, on_failure=lambda: self.qapp.exit(2))
        return self.qapp.exec()

    def show_first_window(
        self,
        target: str,
        *,
        before_opening: Callable[[], None] | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> MainWindow:
        """The window's frame shown now, painted at once (issue 19); then `before_opening` is called
        and `target` opened, with the login, the unlocking and the first-run questions over it. When
        the database is not opened, `first_open_failed` is set and `on_failure` called."""
        frame = MainWindow(target=target)
        self._connect_window(frame)
        self.window = frame
        frame.show()
        frame.after_first_paint(lambda: self._open_in_frame(target, before_opening, on_failure))
        return frame

    def _open_in_frame(
        self,
        target: str,
        before_opening: Callable[[], None] | None,
        on_failure: Callable[[], None] | None,
    ) -> None:
        if before_opening is not None:
            before_opening()
        from app.views.operations import Operation

        # An unexpected error (a server's, reading the person's rights) is shown, and the start ends.
        opened = Operation(_("Open the database"), lambda: self.open(target, self.window)).run(self.window)
        if not (opened and opened.value):
            self.first_open_failed = True
            if on_failure is not None:
                on_failure()

    def open(self, target: str, parent: QWidget | None = None) -> bool:
        try:
            self.database_lock.claim(target)  # refused while another window has the file open
        except DatabaseInUseError as exc:
            show_error(parent, exc)
            return False
        opened = self._open(target, parent)
        # Hold only the file the window shows: the new one, or the one it stays on (none at a failed start).
        shown = self.window.context if self.window is not None else None
        stays_on = shown.database.target if shown is not None else None
        self.database_lock.keep_only(target if opened else stays_on)
        return opened

    def _open(self, target: str, parent: QWidget | None) -> bool:
        try:
            return self._open_database(target, parent)
        except DatabaseFileError as exc:  # e.g. a damaged page met by the first queries
            show_error(parent, exc)
            return False

    def _open_database(self, target: str, parent: QWidget | None) -> bool:
        from app.services import reps
        from app.services.company import database_is_empty
        from app.services.permissions import current_permissions

        info = self._open_logged_in(target, parent)
        if info is None:  # the person cancelled the login
            return False
        settings.put(settings.LAST_DATABASE, target)
        permissions = current_permissions()
        if permissions.enforced:  # the office server says who this is: no picker
            rep = reps.get_rep(permissions.rep_id) if permissions.rep_id is not None else None
            self._show_window(AppContext(database=info, current_rep=rep, permissions=permissions))
            return True
        context = AppContext(database=info, current_rep=remembered_rep(target))
        if database_is_empty():
            from app.views.first_run import FirstRunDialog

            choice = FirstRunDialog.ask(parent)
            if choice is None:  # closed: start with an empty database, ask again next time
                pass
            elif choice.load_demo:
                if not self._load_demo(parent):
                    return False
            elif choice.rep is not None:
                context.current_rep = choice.rep
            if choice is not None and choice.encrypt and info.path is not None:
                if not self._encrypt_new_database(info, parent):
                    return False
                context = AppContext(database=replace(info, encrypted=True), current_rep=context.current_rep)
        if context.current_rep is None and reps.rep_count() > 0:
            from app.views.first_run import UserPickerDialog

            context.current_rep = UserPickerDialog.ask(parent)
        if context.current_rep is not None:
            remember_rep(target, context.current_rep)
        self._show_window(context)
        assert self.window is not None
        self.window.after_first_paint(self._back_up_if_due)  # the copy's reading, not the window's paint
        return True

    def _open_logged_in(self, target: str, parent: QWidget | None) -> DatabaseInfo | None:
        """Open `target`; an office server that asks for a password gets it from the keyring or the
        login dialog (asked again while refused). None when the person cancels."""
        from app.models.database import (
            DatabaseLockedError,
            LoginRequiredError,
            forget_credentials,
            open_database,
            use_credentials,
        )

        path = sqlite_path_of(target)
        if path is not None:
            while True:
                try:
                    return open_database(target, backups_folder=settings.backups_folder())
                except DatabaseLockedError:
                    from app.views.encryption import UnlockDialog

                    # The recovery key, checked against the file; the file is never touched meanwhile.
                    if not UnlockDialog.ask(parent, path):
                        return None
        from urllib.parse import urlsplit

        from app import credentials
        from app.views.login import LoginDialog

        login = urlsplit(target).username or settings.qsettings().value(settings.last_login_key(target))
        remembered = credentials.remembered_password(target, login) if login else None
        if remembered and not urlsplit(target).password:
            use_credentials(target, login, remembered)
        answer = None
        while True:
            try:
                info = open_database(target)
            except LoginRequiredError as exc:
                if remembered and exc.rejected:  # changed since: forget it, ask
                    credentials.forget_password(target, login)
                    remembered = None
                forget_credentials(target)
                shown = str(exc) if exc.rejected else None
                answer = LoginDialog.ask(
                    parent, target, answer.login if answer else exc.login or login, shown
                )
                if answer is None:
                    return None
                login = answer.login
                use_credentials(target, answer.login, answer.password)
                continue
            break
        if answer is not None:  # logged in through the dialog: remember as asked
            settings.qsettings().setValue(settings.last_login_key(target), answer.login)
            if answer.remember:
                credentials.remember_password(target, answer.login, answer.password)
            else:
                credentials.forget_password(target, answer.login)
        return info

    def _load_demo(self, parent: QWidget | None) -> bool:
        """Fill the open (empty) database with demo data, with a progress dialog."""
        from PySide6.QtCore import QEventLoop

        from app.demo import generate_demo
        from app.views.tasks import run_in_background

        loop = QEventLoop()
        outcome: dict[str, object] = {}

        def op(progress):
            return generate_demo(progress=progress.report)

        def done(result):
            outcome["ok"] = result
            loop.quit()

        def failed(exc):
            outcome["error"] = exc
            loop.quit()

        run_in_background(op, done, failed, label=_("Creating demo data…"), parent=parent)
        loop.exec()
        if "error" in outcome:
            show_error(parent, outcome["error"])
            return False
        return True

    def _connect_window(self, window: MainWindow) -> None:
        window.database_requested.connect(self._on_window_database_requested)
        window.restore_requested.connect(self._on_window_restore_requested)
        window.encryption_requested.connect(self._on_window_encryption_requested)
        window.language_changed.connect(self._on_window_language_changed)

    def _show_window(self, context: AppContext) -> None:
        old = self.window
        if old is not None and old.context is None:  # the first start's frame: completed in place
            old.attach(context, reminders=self.reminders)
            self.reminders.set_context(context)
            self.reminders.retranslate()
            self.reminders.start()
            return
        self.window = MainWindow(context, reminders=self.reminders)
        self._connect_window(self.window)
        if old is not None:
            self.window.setGeometry(old.geometry())
            old.dispose()
            old.deleteLater()
        self.window.show()
        if old is None or old.context is not context:  # another database, not just a language switch
            self.reminders.set_context(context)
        self.reminders.retranslate()
        self.reminders.start()

    def _on_database_lock_raise_requested(self) -> None:
        """Another start on this database: bring the user here, also from the tray or minimised."""
        if self.window is None or self.window.context is None:  # still opening: a question may be up
            self._raise_window()
            dialog = self.qapp.activeModalWidget()
            if dialog is not None:
                dialog.raise_()
                dialog.activateWindow()
            return
        self.window.setWindowState(self.window.windowState() & ~Qt.WindowState.WindowMinimized)
        self._raise_window()

    def _raise_window(self) -> None:
        if self.window is not None:
            self.window.show()
            self.window.raise_()
            self.window.activateWindow()

    def _on_reminders_agenda_requested(self) -> None:
        self._raise_window()
        if self.window is not None:
            self.window.show_page("agenda")

    def _on_reminders_follow_up_requested(self, follow_up_id: int) -> None:
        self._on_reminders_agenda_requested()
        page = self.window.current_page() if self.window is not None else None
        if page is not None and hasattr(page, "select_follow_up"):
            page.select_follow_up(follow_up_id)

    def _on_reminders_quit_requested(self) -> None:
        if self.window is not None:
            self.window.quit()
        else:
            self.qapp.quit()

    def _on_window_database_requested(self, path: str, with_demo: bool) -> None:
        from app.demo import generate_demo  # noqa: F401 (fail early if missing)

        try:
            self.database_lock.claim(path)  # before demo data is written into it
        except DatabaseInUseError as exc:
            show_error(self.window, exc)
            return
        if with_demo:
            from app.models.database import open_database
            from app.services.company import database_is_empty

            try:
                info = open_database(path)
            except DatabaseFileError as exc:
                show_error(self.window, exc)
                return
            if not database_is_empty():
                show_error(
                    self.window,
                    DatabaseOpenError(
                        _("{path} already holds data; choose a new file for the demo.").format(
                            path=info.target
                        )
                    ),
                )
                self.open(self.window.context.database.target, self.window)
                return
            if not self._load_demo(self.window):
                return
        if not self.open(path, self.window):
            # Stay on the database that was open before.
            self.open(self.window.context.database.target, self.window)

    # -- backups ------------------------------------------------------------------------------

    def _back_up_if_due(self) -> None:
        """The day's backup of an SQLite file when none was made today, in the background: the window
        is usable meanwhile, and quitting stops it (the backup at quit then makes it)."""
        window = self.window
        path = window.context.database.path if window is not None else None
        if path is None:  # an office server: backed up on the server
            return
        folder = settings.backups_folder()
        from app.views.tasks import run_in_background

        def back_up(progress: TaskProgress) -> object:
            from app.services import backups  # in the pool thread: not on the way to the first paint

            return backups.daily_backup(path, folder, progress=progress.report)

        run_in_background(
            back_up,
            lambda _written: None,
            lambda exc: self._on_daily_backup_failed(window, exc),
            parent=window,
        )

    def _on_daily_backup_failed(self, window: QWidget, exc: BaseException) -> None:
        # Logged by the task helper; a dialog at every start would nag while a USB drive is unplugged.
        from app.views.errors import error_text

        message = _("The daily backup could not be made: {reason}").format(reason=error_text(exc))
        window.statusBar().showMessage(message, 30000)

    def _back_up_at_quit(self) -> None:
        """The day's backup when none was made today (the app ran past midnight, or quit before the one
        at start ended), in a thread the process waits for once the window has gone: closing is never
        delayed by it."""
        context = self.window.context if self.window is not None else None  # None: quit while opening
        path = context.database.path if context is not None else None
        if path is None:
            return
        folder = settings.backups_folder()
        from app.services import backups

        threading.Thread(
            target=backups.daily_backup_at_quit, args=(path, folder), name="postventa-backup-at-quit"
        ).start()

    def _on_window_restore_requested(self, backup: str) -> None:
        """Restore `backup` into the window's database, then reopen the window on the restored data.

        The restore needs the file to itself: the window goes first (its pages and sync stop querying),
        the reminders pause, and every connection of this process to the file is closed."""
        window = self.window
        assert window is not None and window.context.database.path is not None
        target, path = window.context.database.target, window.context.database.path
        folder = settings.backups_folder()
        self.reminders.stop()
        self.qapp.setQuitOnLastWindowClosed(False)  # no window while the file is replaced: no reason to quit
        window.dispose()
        window.deleteLater()
        self.window = None
        from app.models.database import close_database
        from app.services import backups
        from app.views.tasks import run_in_background, settle_background_tasks

        settle_background_tasks()
        close_database()

        def restore(progress: TaskProgress) -> backups.RestoreOutcome:
            close_database()  # this pool thread's own connection
            return backups.restore_backup(path, Path(backup), folder, progress=progress.report)

        run_in_background(
            restore,
            lambda outcome: self._reopen_after_restore(target, outcome),
            lambda exc: self._reopen_after_restore(target, None, exc),
            label=_("Restoring the backup…"),
        )

    def _reopen_after_restore(
        self, target: str, outcome: backups.RestoreOutcome | None, error: BaseException | None = None
    ) -> None:
        if error is not None:
            show_error(None, error)  # nothing was restored: the window comes back on the data as it was
        reopened = self.open(target)
        self.qapp.setQuitOnLastWindowClosed(not self.reminders.tray_available)  # as __init__ set it
        if not reopened:
            self.qapp.quit()
            return
        window = self.window
        if outcome is not None and window is not None:
            message = _("Backup restored.")
            if outcome.kept is not None:
                message += " " + _("The data it replaced was kept as {path}.").format(path=outcome.kept)
            QTimer.singleShot(0, window, lambda: window.statusBar().showMessage(message, 30000))

    # -- encryption ---------------------------------------------------------------------------

    def _encrypt_new_database(self, info: DatabaseInfo, parent: QWidget | None) -> bool:
        """Encrypt the database made at first start (small: on the spot), reopen it, show the recovery key."""
        from app.models.database import close_database, open_database
        from app.services import encryption
        from app.views.encryption import RecoveryKeyDialog
        from app.views.operations import Operation

        path = info.path
        assert path is not None
        close_database()
        done = Operation(
            _("Encrypt the database"),
            lambda: encryption.encrypt_database(path, settings.backups_folder()),
        ).run(parent)
        open_database(info.target, backups_folder=settings.backups_folder())
        if not done:
            return True  # refused (no keyring…): the person was told; the database stays as it was
        RecoveryKeyDialog.ask(parent, done.value.recovery_key or "", path.name)
        return True

    def _on_window_encryption_requested(self, encrypt: bool) -> None:
        """Encrypt or decrypt the window's database, then reopen the window on it (and show the new
        recovery key). As a restore does, the window goes first and every connection is closed."""
        from app.models.database import close_database
        from app.services import encryption
        from app.views.tasks import run_in_background, settle_background_tasks

        window = self.window
        assert window is not None and window.context.database.path is not None
        target, path = window.context.database.target, window.context.database.path
        folder = settings.backups_folder()
        self.reminders.stop()
        self.qapp.setQuitOnLastWindowClosed(False)
        window.dispose()
        window.deleteLater()
        self.window = None
        settle_background_tasks()
        close_database()

        def change(progress: TaskProgress) -> encryption.EncryptionOutcome:
            close_database()  # this pool thread's own connection
            command = encryption.encrypt_database if encrypt else encryption.decrypt_database
            return command(path, folder, progress=progress.report)

        run_in_background(
            change,
            lambda outcome: self._reopen_after_encryption(target, outcome),
            lambda exc: self._reopen_after_encryption(target, None, exc),
            label=_("Encrypting the database…") if encrypt else _("Decrypting the database…"),
        )

    def _reopen_after_encryption(self, target: str, outcome, error: BaseException | None = None) -> None:
        from app.views.encryption import RecoveryKeyDialog

        if error is not None:
            show_error(None, error)  # the file was not changed: the window comes back on it as it was
        reopened = self.open(target)
        self.qapp.setQuitOnLastWindowClosed(not self.reminders.tray_available)
        if not reopened:
            self.qapp.quit()
            return
        if outcome is not None and outcome.recovery_key:
            RecoveryKeyDialog.ask(self.window, outcome.recovery_key, Path(target).name)
        if outcome is not None and outcome.backups_not_converted and self.window is not None:
            show_error(
                self.window,
                DatabaseOpenError(
                    _("These backups could not be encrypted and are still readable: {paths}").format(
                        paths=", ".join(str(p) for p in outcome.backups_not_converted)
                    )
                ),
            )

    def _on_window_language_changed(self, language: str) -> None:
        self.language = language
        settings.put(settings.LANGUAGE, language)
        apply_language(language)
        context = self.window.context
        self._show_window(context)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """The error dialog (app.views.errors, imported when an error is first shown: its dialog's Qt
    classes are not on the way to the window's first paint)."""
    from app.views.errors import show_error as show

    show(parent, exc)


def _close_database() -> None:
    from app.models.database import close_database

    close_database()


def run_gui(target: str, language: str | None) -> int:
    cipher.look_up_key_early(sqlite_path_of(target))  # an encrypted file's key, while Qt starts
    language = language or settings.get(settings.LANGUAGE)
    if language not in i18n.LANGUAGES:
        language = i18n.DEFAULT_LANGUAGE
    apply_language(language)  # a refusal speaks the user's language
    database_lock = DatabaseLock()
    try:
        database_lock.claim(target, bring_to_front=True)
    except DatabaseInUseError as exc:
        if exc.brought_to_front:
            print(exc)
            return 0
        print(f"postventa: {exc}", file=sys.stderr)
        show_error(None, exc)
        return 1
    application = Application(language, database_lock)
    status = application.start(target)
    skip_collection_at_exit()
    return status


@dataclass(frozen=True)
class StartupTimes:
    """Seconds from the start (`measure_startup`)."""

    painted: float  # the window painted: its frame, before the database opens
    ready: float  # the database open and its first page painted (its figures still loading)


def measure_startup(target: str) -> StartupTimes:
    """A start on `target` as the first start makes it, timed (for benchmarks): the frame painted,
    then the database opened and the first page built and painted.

    Then the window closes as at a quit: background work is abandoned and the database closed
    cleanly (its in-use marker removed), so the next run starts as after a clean quit, not as after
    a crash (which checks the whole file first: seconds on a large database)."""
    from PySide6.QtCore import QEventLoop

    def paint(window: MainWindow) -> None:
        loop = QEventLoop()
        QTimer.singleShot(0, loop.quit)
        loop.exec()
        window.repaint()
        qapp.processEvents()

    started = time.perf_counter()
    cipher.look_up_key_early(sqlite_path_of(target))  # while Qt starts
    qapp = ensure_qapplication()
    apply_language(i18n.DEFAULT_LANGUAGE)
    database_lock = DatabaseLock()  # one window per file, as run_gui
    database_lock.claim(target, bring_to_front=True)
    window = MainWindow(target=target)
    window.show()
    paint(window)
    painted = time.perf_counter() - started
    from app.models.database import close_database, open_database
    from app.views.tasks import stop_background_tasks

    window.attach(AppContext(database=open_database(target), current_rep=None))
    paint(window)
    ready = time.perf_counter() - started
    window.close()
    stop_background_tasks()  # what quitting does (aboutToQuit): nobody reads the pages' loads now
    database_lock.release_all()
    close_database()
    skip_collection_at_exit()  # as run_gui after the event loop
    return StartupTimes(painted, ready)
