"""The main window: sidebar navigation, pages, menus and the status bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__, diagnostics
from app.i18n import _, format_number
from app.locations import display_target
from app.views import screens, settings
from app.views.events import EVERYTHING, Change, app_events
from app.views.pages.base import AppContext, Page
from app.views.pages.registry import PAGES
from app.views.rights import audit_log_refusal, gate, show_tooltips

if TYPE_CHECKING:
    from app.services.undo import UndoStack, UndoStep


# The longest the opening work waits for the window's first paint (a window shown but not exposed).
FIRST_PAINT_WAIT_MS = 500


class MainWindow(QMainWindow):
    """Holds one page per sidebar entry; asks its owner to switch database or language."""

    # The owner (app.views.app.Application) reopens the window on these.
    database_requested = Signal(str, bool)  # (path, fill with demo data)
    language_changed = Signal(str)
    restore_requested = Signal(str)  # the backup to restore into this window's database
    encryption_requested = Signal(bool)  # True: encrypt this window's database; False: decrypt it

    def __init__(
        self,
        context: AppContext | None = None,
        parent: QWidget | None = None,
        reminders=None,
        *,
        target: str | None = None,
    ):
        """The window on `context`'s database; without a context, the window's frame for `target`
        (menus, sidebar, status bar, "Opening…"), painted before the database opens and completed
        by `attach` (the first start: issue 19). Neither needs the models to be imported."""
        super().__init__(parent)
        target = context.database.target if context is not None else target
        if target is None:
            raise ValueError("MainWindow needs a context or the target it opens")
        self.context: AppContext = None  # type: ignore[assignment]  # set by `attach`
        self._reminders = None  # ReminderService owned by the Application, or None
        self._quitting = False
        self._disposing = False  # replaced by a new window: nothing to ask
        # What Edit ▸ Undo / Redo offer: this window's session on this database (another database
        # opens in a new window, with a new history). Made with the first step (`undo_stack`).
        self._undo_stack: UndoStack | None = None
        self.setWindowTitle(f"{APP_NAME} — {display_target(target)}")
        self.setMinimumSize(QSize(900, 600))
        # A page is built the first time it is shown or asked for (`_built`): the window opens
        # with one page, and every page loads its data in the background.
        self._pages: list[Page | None] = []
        # Background work the opening starts (the first page's loads, the sync's status, the
        # conflicts badge, the daily backup) waits for the first paint (`after_first_paint`); None
        # once it ran.
        self._waiting_for_paint: list[Callable[[], None]] | None = []

        self._sidebar = QListWidget()
        self._sidebar.setObjectName("sidebar")
        self._sidebar.setIconSize(QSize(20, 20))
        self._sidebar.setFixedWidth(200)
        self._sidebar.setStyleSheet("QListWidget#sidebar::item { padding: 8px 6px; }")
        self._stack = QStackedWidget()
        for spec in PAGES:
            item = QListWidgetItem(self.style().standardIcon(spec.icon), _(spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self._sidebar.addItem(item)
            self._pages.append(None)
            self._stack.addWidget(QWidget())  # the page's place until it is built
        self._sidebar.currentRowChanged.connect(self._on_sidebar_current_row_changed)

        # Search everything (Ctrl+K): typing here opens the search dialog with what was typed.
        self._search_box = QLineEdit()
        self._search_box.setObjectName("searchEverything")
        self._search_box.setPlaceholderText(_("Search everything (Ctrl+K)"))
        self._search_box.setToolTip(_("Customers, serial numbers, and RMA, case and sale numbers"))
        self._search_box.setFixedWidth(200)
        # Reached by a click or Ctrl+K: never the window's first focus (keys go to the page).
        self._search_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._search_box.textEdited.connect(self._on_search_box_text_edited)
        self._search_box.returnPressed.connect(lambda: self.search_everything(self._search_box.text()))
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(0)
        left.addWidget(self._search_box)
        left.addWidget(self._sidebar, 1)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(left)
        layout.addWidget(self._stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._database_label = QLabel(_("Database: {target}").format(target=display_target(target)))
        self._database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(self._database_label, 1)
        self._restore_geometry()
        if context is not None:
            self.attach(context, reminders)
            return
        # The frame: the page remembered shown as chosen, "Opening…" in its place, the menus off
        # until the database is open.
        self.menuBar().setEnabled(False)
        row = self._remembered_row()
        self._sidebar.blockSignals(True)
        self._sidebar.setCurrentRow(row)
        self._sidebar.blockSignals(False)
        opening = QLabel(_("Opening the database…"))
        opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        opening.setStyleSheet("color: palette(dark);")
        placeholder = self._stack.widget(row)
        self._stack.insertWidget(row, opening)
        self._stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self._stack.setCurrentIndex(row)
        self._start_waiting_work_at_the_latest()  # a frame never painted opens its database anyway

    def attach(self, context: AppContext, reminders=None) -> None:
        """The database is open: the window's commands, status and pages on it (a frame's second
        half; the constructor's when given the context)."""
        from app.views.sync_indicator import SyncController

        self.context = context
        self._reminders = reminders
        # On a laptop database: the status bar's sync indicator, File ▸ Sync now, automatic syncs.
        self.sync = SyncController(self, load_now=False)
        self._file_menu.insertAction(self._before_quit, self.sync.action)
        self._file_menu.insertSeparator(self._before_quit)
        if context.database.path is None:
            gate(self.backups_action, _("The office server is backed up on the server, with pg_dump."))
        self._gate_audit_log()
        self.menuBar().setEnabled(True)
        self._build_shortcuts()
        self._build_status_bar()
        app_events().data_changed.connect(self._on_app_events_data_changed)
        app_events().step_done.connect(self._on_app_events_step_done)
        if self._waiting_for_paint is None:  # the frame has painted: the page paints before its loads
            self._waiting_for_paint = []
            self.update()
        row = self._sidebar.currentRow()
        if row < 0:
            self.show_page(PAGES[self._remembered_row()].key)
        else:  # the frame's: the one remembered, or one clicked while the database opened
            self._on_sidebar_current_row_changed(row)
        self.after_first_paint(self.sync.reload_status)
        self.after_first_paint(self._count_conflicts)
        self._start_waiting_work_at_the_latest()

    # -- the opening ----------------------------------------------------------------------------

    def after_first_paint(self, work: Callable[[], None]) -> None:
        """Run `work` once the window has painted (at once after that): background work the opening
        starts (the first page's loads, importing services and querying in the pool, the daily
        backup's reading) would otherwise compete with the first paint (issue 19)."""
        if self._waiting_for_paint is None:
            work()
        else:
            self._waiting_for_paint.append(work)

    def _start_waiting_work_at_the_latest(self) -> None:
        """A window nobody shows (tests, a restore's reopening before show) starts its waiting work
        at the next turn of the event loop; a shown one at its paint, and never later than
        FIRST_PAINT_WAIT_MS (one never painted: started minimised, on another desktop)."""
        QTimer.singleShot(0, self, self._start_waiting_work_unless_shown)
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, self, self.start_waiting_work)

    def _start_waiting_work_unless_shown(self) -> None:
        if not self.isVisible():
            self.start_waiting_work()

    def start_waiting_work(self) -> None:
        """Start the opening's work waiting for the first paint now (what the paint does; tests). A
        window going away (replaced, its database closed) starts none."""
        waiting, self._waiting_for_paint = self._waiting_for_paint, None
        if self._disposing:
            return
        for work in waiting or ():
            work()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if self._waiting_for_paint is not None:  # painted once: the work starts at the next turn
            QTimer.singleShot(0, self, self.start_waiting_work)

    # -- navigation ---------------------------------------------------------------------------

    def page_keys(self) -> list[str]:
        return [spec.key for spec in PAGES]

    def page(self, key: str) -> Page:
        """The page, built now if it was never shown."""
        return self._built(self.page_keys().index(key))

    def built_pages(self) -> list[Page]:
        """The pages built so far (shown or asked for), in sidebar order."""
        return [page for page in self._pages if page is not None]

    def current_page(self) -> Page:
        return self._built(self._stack.currentIndex())

    def _built(self, row: int) -> Page:
        """The page of sidebar row `row`, built in place of its placeholder the first time."""
        page = self._pages[row]
        if page is not None:
            return page
        spec = PAGES[row]
        page = spec.build(self.context, self._stack)
        page.setObjectName(f"page_{spec.key}")
        placeholder = self._stack.widget(row)
        showing = self._stack.currentIndex()
        self._stack.insertWidget(row, page)
        self._stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self._stack.setCurrentIndex(showing)
        self._pages[row] = page
        if hasattr(page, "navigate_requested"):  # the dashboard's tiles
            page.navigate_requested.connect(self.navigate)
        if hasattr(page, "count_changed"):  # the Conflicts page: its count is the sidebar's badge
            page.count_changed.connect(lambda count, key=spec.key: self._set_badge(key, count))
        return page

    def show_page(self, key: str) -> Page:
        self._sidebar.setCurrentRow(self.page_keys().index(key))
        return self.current_page()

    def navigate(self, key: str, filters: dict) -> None:
        """Open a page showing what a dashboard tile (or a search hit) points at."""
        if key in self.page_keys():
            page = self.show_page(key)
            if page is self.page(key):  # not when the page shown keeps unsaved work
                page.apply_navigation(filters)

    def search_everything(self, text: str = "") -> None:
        """Ctrl+K: the search dialog; the hit the user opens is shown on its page."""
        if self.context is None:  # the frame: nothing to search yet
            return
        from app.views.search import SearchDialog

        self._search_box.clear()
        hit = SearchDialog.ask(self, text)
        if hit is not None:
            self.open_search_hit(hit)

    def open_search_hit(self, hit) -> None:
        """A customer selected on the Customers page; a sale or unit in its customer's 360° view;
        a return or case selected on its page."""
        from app.services.search import HitKind

        if hit.kind is HitKind.RETURN:
            self.navigate("returns", {"select": hit.record_id})
        elif hit.kind is HitKind.CASE:
            self.navigate("cases", {"select": hit.record_id})
        else:
            filters: dict = {"customer": hit.customer_id}
            if hit.kind is HitKind.SALE:
                filters["sale"] = hit.record_id
            elif hit.kind is HitKind.UNIT:
                filters["unit"] = hit.record_id
            self.navigate("customers", filters)

    def _on_search_box_text_edited(self, text: str) -> None:
        if text.strip():
            self.search_everything(text)

    def _on_sidebar_current_row_changed(self, row: int) -> None:
        if row < 0 or self.context is None:  # the frame: `attach` shows the row chosen by then
            return
        shown = self._pages[self._stack.currentIndex()]  # None before the first page is shown
        if row != self._stack.currentIndex() and shown is not None and not shown.can_leave():
            self._sidebar.blockSignals(True)
            self._sidebar.setCurrentRow(self._stack.currentIndex())  # stay on the unsaved work
            self._sidebar.blockSignals(False)
            return
        page = self._built(row)
        self._stack.setCurrentIndex(row)
        # Its loads, in the pool: at once, or after the window's first paint while it opens (pool
        # threads running Python hold the interpreter's lock the paint needs: issue 19).
        self.after_first_paint(lambda: self._activate_if_shown(page))
        settings.save_window_state("last_page", PAGES[row].key)

    def _activate_if_shown(self, page: Page) -> None:
        if self._stack.currentWidget() is page:
            page.activate()

    def _set_badge(self, key: str, count: int) -> None:
        """A page's count beside its sidebar title ("Conflicts (2)"); the title alone at zero."""
        row = self.page_keys().index(key)
        title = _(PAGES[row].title)
        self._sidebar.item(row).setText(f"{title} ({format_number(count)})" if count else title)

    def sidebar_text(self, key: str) -> str:
        return self._sidebar.item(self.page_keys().index(key)).text()

    def _on_app_events_data_changed(self, kinds: frozenset, initiator: object) -> None:
        for page in self.built_pages():  # a page built later loads what is there then
            page.on_data_changed(kinds, initiator)
        if Change.CONFLICTS in kinds:
            self._count_conflicts()
        if kinds >= EVERYTHING and self._undo_stack is not None:  # a sync, demo data…: start afresh
            self._undo_stack.clear()
            self._update_undo_actions()

    # -- undo -----------------------------------------------------------------------------------

    @property
    def undo_stack(self) -> UndoStack:
        """The session's steps. app.services.undo comes with the services its steps call: imported
        with the first step (or look), never on the way to the window's first paint."""
        if self._undo_stack is None:
            from app.services.undo import UndoStack

            self._undo_stack = UndoStack()
        return self._undo_stack

    def _on_app_events_step_done(self, step: UndoStep) -> None:
        self.undo_stack.push(step)
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        """Edit ▸ Undo "<action>" and Redo "<action>", disabled when there is nothing to take back."""
        stack = self._undo_stack
        step, redo = (stack.undo_step, stack.redo_step) if stack is not None else (None, None)
        self.undo_action.setText(_("&Undo “{action}”").format(action=step.name) if step else _("&Undo"))
        self.undo_action.setEnabled(step is not None)
        self.redo_action.setText(_("&Redo “{action}”").format(action=redo.name) if redo else _("&Redo"))
        self.redo_action.setEnabled(redo is not None)

    def undo(self) -> None:
        """Ctrl+Z: undo the newest action (a command of its own: refused when the record changed)."""
        step = self._undo_stack.undo_step if self._undo_stack is not None else None
        if step is not None:
            label = _("Undo “{action}”").format(action=step.name)
            self._run_undo(label, step, self.undo_stack.undo, _("Undone: {action}").format(action=step.name))

    def redo(self) -> None:
        """Ctrl+Shift+Z, Ctrl+Y: apply again the action undone last."""
        step = self._undo_stack.redo_step if self._undo_stack is not None else None
        if step is not None:
            label = _("Redo “{action}”").format(action=step.name)
            self._run_undo(label, step, self.undo_stack.redo, _("Redone: {action}").format(action=step.name))

    def _run_undo(self, label: str, step: UndoStep, command: Callable[[], UndoStep], done_text: str) -> None:
        from app.views.operations import Operation

        # The window is the initiator: every page showing the record refreshes, the one it was done on too.
        done = Operation(label, command, step.changes).run(self)
        self._update_undo_actions()  # a refused step has left the history
        if done:
            self.statusBar().showMessage(done_text, 5000)

    def _count_conflicts(self) -> None:
        """The Conflicts badge while its page is not built (once built, the page keeps it)."""
        if self._pages[self.page_keys().index("conflicts")] is not None:
            return
        from app.views.tasks import run_in_background

        def count_open(_progress) -> int:
            from app.sync.status import keeps_conflicts, visible_conflicts  # in the pool thread

            return len(visible_conflicts()) if keeps_conflicts() else 0

        def show(count: int) -> None:
            if self._pages[self.page_keys().index("conflicts")] is None:  # else the page said it
                self._set_badge("conflicts", count)

        run_in_background(count_open, show, parent=self)

    # -- menus and shortcuts ------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], None], shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self._file_menu = self.menuBar().addMenu(_("&File"))
        file_menu.addAction(self._action(_("&New database…"), self._on_new_database))
        file_menu.addAction(
            self._action(_("&Open database…"), self._on_open_database, QKeySequence.StandardKey.Open)
        )
        file_menu.addAction(self._action(_("Load &demo data…"), self._on_load_demo))
        file_menu.addSeparator()
        # Ctrl+I opens the selected record's customer on the pages.
        self.import_action = self._action(_("&Import…"), self._on_import, "Ctrl+Shift+I")
        file_menu.addAction(self.import_action)
        self.backups_action = self._action(_("&Backups…"), self._on_backups)
        file_menu.addAction(self.backups_action)
        show_tooltips(file_menu)  # the refusal on hover
        # File ▸ Sync now (shown on a laptop database only) goes here once the database is open.
        self._before_quit = file_menu.addSeparator()
        file_menu.addAction(self._action(_("&Quit"), self.quit, QKeySequence.StandardKey.Quit))

        # Edit ▸ Undo / Redo: the session's undoable actions (app.services.undo), newest first.
        edit_menu = self.menuBar().addMenu(_("&Edit"))
        self.undo_action = self._action(_("&Undo"), self.undo)
        self.undo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        self.redo_action = self._action(_("&Redo"), self.redo)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self._update_undo_actions()

        settings_menu = self.menuBar().addMenu(_("&Settings"))
        settings_menu.addAction(
            self._action(_("&Preferences…"), self._on_preferences, QKeySequence.StandardKey.Preferences)
        )
        settings_menu.addAction(self._action(_("Products and &categories…"), self._on_catalog))
        settings_menu.addAction(self._action(_("Follow-up &plans…"), self._on_plans))
        settings_menu.addAction(self._action(_("Correct-use chec&klists…"), self._on_checklists))
        settings_menu.addAction(self._action(_("&Reps and working hours…"), self._on_reps))
        settings_menu.addSeparator()
        self.audit_log_action = self._action(_("&Audit log…"), self._on_audit_log)
        settings_menu.addAction(self.audit_log_action)
        show_tooltips(settings_menu)  # the refusal on hover

        help_menu = self.menuBar().addMenu(_("&Help"))
        help_menu.addAction(self._action(_("Open &log folder"), self._on_open_log_folder))
        help_menu.addSeparator()
        help_menu.addAction(self._action(_("&About Postventa"), self._on_about))

    def _build_shortcuts(self) -> None:
        for index, spec in enumerate(PAGES[:9]):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda key=spec.key: self.show_page(key))
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self._on_find)
        QShortcut(QKeySequence.StandardKey.New, self).activated.connect(self._on_new)
        QShortcut(QKeySequence("Ctrl+E"), self).activated.connect(self._on_export)
        QShortcut(QKeySequence("Ctrl+K"), self).activated.connect(lambda: self.search_everything())

    def _on_find(self) -> None:
        if not self.current_page().focus_search():
            self.statusBar().showMessage(_("This page has no search box."), 3000)

    def _on_new(self) -> None:
        if not self.current_page().create_new():
            self.statusBar().showMessage(_("Nothing to create on this page."), 3000)

    def _on_export(self) -> None:
        if not self.current_page().export_list():
            self.statusBar().showMessage(_("Nothing to export on this page."), 3000)

    def _build_status_bar(self) -> None:
        user = self.context.current_rep
        permissions = self.context.permissions
        if permissions.enforced:  # the office server's login, not a choice in the app
            from app.models.enums import RepRole

            who = _("Logged in as {login} ({role})").format(
                login=permissions.login, role=RepRole(permissions.role).label
            )
            if user is not None:
                who += f" — {user.name}"
        elif user:
            who = _("User: {name} ({role})").format(name=user.name, role=user.role.label)
        else:
            who = _("No user chosen")
        self._user_label = QLabel(who)
        self._user_label.setTextFormat(Qt.TextFormat.PlainText)  # user text
        self.statusBar().addPermanentWidget(self.sync.indicator)
        self.statusBar().addPermanentWidget(self._user_label)
        if self.context.database.backup is not None:
            message = _("The database was upgraded; a backup copy was saved as {path}.").format(
                path=self.context.database.backup
            )
            # Once the window is shown: a message set before would be drawn over the database label.
            QTimer.singleShot(0, self, lambda: self.statusBar().showMessage(message, 15000))

    # -- state --------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = settings.window_state("geometry/MainWindow")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        # Within the screen with its title bar: a 1366×768 laptop, or a place remembered from a
        # bigger screen, never puts the status bar or the window's bottom out of sight.
        screens.fit_into(self, screens.available_area(self))

    def _remembered_row(self) -> int:
        """The sidebar row of the page shown last (the dashboard the first time)."""
        last = settings.window_state("last_page")
        return self.page_keys().index(last if last in self.page_keys() else "dashboard")

    def quit(self) -> None:
        """File ▸ Quit: really quit, even when closing the window would only hide it to the tray."""
        self._quitting = True
        if self.close():
            QApplication.quit()

    def dispose(self) -> None:
        """Close for good (the window is being replaced), never hiding to the tray."""
        self._quitting = True
        self._disposing = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self._disposing and self.context is not None and not self.current_page().can_leave():
            event.ignore()  # the user keeps editing
            self._quitting = False
            return
        settings.save_window_state("geometry/MainWindow", self.saveGeometry())
        if not self._quitting and self._reminders is not None and self._reminders.should_close_to_tray():
            # Reminders keep coming while the window is closed to the tray.
            event.ignore()
            self.hide()
            self._reminders.announce_hidden()
            return
        super().closeEvent(event)

    # -- menu slots ---------------------------------------------------------------------------

    def _database_file_filter(self) -> str:
        return _("Postventa databases (*.sqlite3 *.sqlite *.db);;All files (*)")

    def _on_new_database(self) -> None:
        if not self.current_page().can_leave():  # this window is about to be replaced
            return
        from PySide6.QtWidgets import QFileDialog  # the dialogs' classes after the first paint (issue 19)

        path, _filter = QFileDialog.getSaveFileName(
            self, _("New database"), "postventa.sqlite3", self._database_file_filter()
        )
        if path:
            self.database_requested.emit(path, False)

    def _on_open_database(self) -> None:
        if not self.current_page().can_leave():  # this window is about to be replaced
            return
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self, _("Open database"), "", self._database_file_filter()
        )
        if path:
            self.database_requested.emit(path, False)

    def _on_load_demo(self) -> None:
        if not self.current_page().can_leave():  # this window is about to be replaced
            return
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        QMessageBox.information(
            self,
            _("Load demo data"),
            _(
                "Demo data goes into a new database file, so your own data is never mixed with it. Choose where to save it."
            ),
        )
        path, _filter = QFileDialog.getSaveFileName(
            self, _("New demo database"), "postventa-demo.sqlite3", self._database_file_filter()
        )
        if path:
            self.database_requested.emit(path, True)

    def _on_import(self) -> None:
        from app.views.imports.wizard import ImportWizard

        ImportWizard.ask(self, self.context)  # the import announces what it changed: the pages refresh

    def _on_backups(self) -> None:
        from app.views.backups import BackupsDialog

        path = self.context.database.path
        if path is None:  # an office server: the action is refused
            return
        chosen = BackupsDialog.ask(self, path, settings.backups_folder())
        if chosen is not None and self.current_page().can_leave():  # this window is about to be replaced
            self.restore_requested.emit(str(chosen))

    def _on_preferences(self) -> None:
        from app.views.preferences import PreferencesDialog

        if not self.current_page().can_leave():  # a new language rebuilds the window
            return
        result = PreferencesDialog.ask(self, self.context)
        if result is None:
            return
        if result.encryption is not None:  # the window is replaced once the file is converted
            if result.user_changed:
                self.context.current_rep = result.rep
            if result.language_changed:
                self.language_changed.emit(result.language)
            self.encryption_requested.emit(result.encryption)
            return
        if result.language_changed:
            if result.user_changed:
                self.context.current_rep = result.rep
            self.language_changed.emit(result.language)  # the window is rebuilt in that language
        elif result.user_changed:
            from app.views.events import EVERYTHING
            from app.views.operations import Operation

            def switch_user() -> None:
                self.context.current_rep = result.rep
                self._user_label.setText(
                    _("User: {name} ({role})").format(name=result.rep.name, role=result.rep.role.label)
                )
                self._gate_audit_log()  # the audit log is a manager's

            # Another user sees other customers and agendas: every page reloads for them.
            Operation(_("Change user"), switch_user, EVERYTHING).run(self)

    def _on_catalog(self) -> None:
        from app.views.catalog.dialog import CatalogDialog

        CatalogDialog.ask(self, self.context)

    def _on_plans(self) -> None:
        from app.views.plans.dialog import PlansDialog

        PlansDialog.ask(self, self.context)

    def _on_checklists(self) -> None:
        from app.views.checks.templates_dialog import ChecklistTemplatesDialog

        ChecklistTemplatesDialog.ask(self, self.context)

    def _on_reps(self) -> None:
        from app.views.reps import RepsDialog

        RepsDialog.ask(self, self.context)

    def _gate_audit_log(self) -> None:
        gate(self.audit_log_action, audit_log_refusal(self.context))

    def _on_audit_log(self) -> None:
        from app.views.audit_log import AuditLogDialog

        AuditLogDialog.ask(self, self.context)

    def _on_open_log_folder(self) -> None:
        from app.views.errors import open_log_folder

        if not open_log_folder():
            self.statusBar().showMessage(
                _("The log folder could not be opened: {folder}").format(folder=diagnostics.log_folder()),
                8000,
            )

    def _on_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from app.markup import escape

        QMessageBox.about(
            self,
            _("About Postventa"),
            _(
                "<h3>Postventa {version}</h3><p>After-sales follow-up: calls and visits after each sale, "
                "correct-use checks, warranty returns, complaints and claims, satisfaction and service charters.</p>"
                "<p>Database: {target}</p><p>Log folder: {logs}</p>"
            ).format(
                version=escape(__version__),
                target=escape(display_target(self.context.database.target)),
                logs=escape(str(diagnostics.log_folder())),
            ),
        )
