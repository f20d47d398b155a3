"""The Agenda page: today's calls and visits, the week grid, what is overdue and what is coming.

The page shows what the follow-up service lists and offers only the actions the service allows
(`followups.allowed_actions`); every command is the service's, followed by one change signal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, format_number, ngettext
from app.models import now as wall_clock_now
from app.models.enums import FollowUpKind, FollowUpOutcome, FollowUpPurpose, FollowUpState
from app.services import company, exports, undo
from app.services import followups as followup_service
from app.services.errors import DomainError, NotFoundError
from app.services.exports import ListKind
from app.services.followups import (
    AgendaRow,
    FollowUpAction,
    ScheduleResult,
    calendar_export,
    working_days,
)
from app.services.followups.agenda import AgendaWindow, agenda_batch, count_agenda, count_by_day
from app.services.followups.placement import PlacementConflict
from app.services.reps import list_reps
from app.views import dialogs
from app.views.agenda.detail_panel import AgendaDetailPanel
from app.views.agenda.dialogs import (
    CancelFollowUpDialog,
    CompleteFollowUpDialog,
    FollowUpDialog,
    FollowUpInput,
    PlacementChoice,
    RescheduleDialog,
    RetryChoice,
    ask_placement,
    ask_retry,
)
from app.views.agenda.table_model import (
    CUSTOMER,
    DATE_AND_TIME,
    REP,
    SEGMENT,
    STATE,
    TIME_ONLY,
    WEEKDAY_AND_TIME,
    AgendaTableModel,
    column_layout,
)
from app.views.agenda.week_view import WeekView, monday_of
from app.views.combos import filter_as_you_type
from app.views.customers.table_model import SegmentBadgeDelegate
from app.views.dialogs import ask_save_file, confirm, confirming_past
from app.views.errors import BackToForm
from app.views.events import CHECKS, CUSTOMERS, FOLLOW_UPS, SURVEYS, Change
from app.views.exports import export_button, export_list
from app.views.list_layout import ListLayout
from app.views.operations import Operation, perform, run_form
from app.views.pages.base import AppContext, Page, count_label, empty_state_label, search_timer
from app.views.rights import explain_refusal, gate, show_tooltips

TODAY, WEEK, OVERDUE, UPCOMING = range(4)
UPCOMING_DAYS = 14
WEEK_DAY_LIMIT = 60  # cards per day column; the rest are counted ("and 12 more…")
# Each list tab's settings key and columns: the time column holds "10:30" today, "mar 24/11 10:30"
# in the coming days, "02/12/2026 10:30" overdue.
TAB_LAYOUTS = {
    TODAY: ("agenda.today", column_layout(6)),
    OVERDUE: ("agenda.overdue", column_layout(18)),
    UPCOMING: ("agenda.upcoming", column_layout(17)),
}


def inform(parent: QWidget | None, text: str, title: str | None = None) -> None:
    """A plain message after a command (warnings, results); tests replace it."""
    dialogs.inform(parent, text, title or _("Agenda"))


class AgendaPage(Page):
    """Today, This week, Overdue and Upcoming, filtered by rep, kind, purpose and customer."""

    data_kinds = frozenset({FOLLOW_UPS, CUSTOMERS})

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        batch_size: int = 200,
    ):
        super().__init__(context, parent)
        self._clock = clock or wall_clock_now
        self._model = AgendaTableModel(self, batch_size=batch_size, clock=self._clock)
        self._week_monday = monday_of(self._now().date())

        # Views and filters.
        self._tabs = QTabBar()
        self._tabs.setExpanding(False)
        self._tabs.setDrawBase(False)
        for tip in (
            _("Today's calls and visits, in order"),
            _("The week day by day; drag a card to another day to move it"),
            _("Planned follow-ups whose time has passed"),
            _("Planned follow-ups of the next {days} days").format(days=UPCOMING_DAYS),
        ):
            index = self._tabs.addTab("")
            self._tabs.setTabToolTip(index, tip)
        self._rep = filter_as_you_type(QComboBox())
        self._rep.setToolTip(_("Whose agenda to show"))
        self._kind = QComboBox()
        self._kind.addItem(_("All kinds"), "")
        for kind in FollowUpKind:
            self._kind.addItem(kind.label, kind)
        self._purpose = QComboBox()
        self._purpose.addItem(_("All purposes"), "")
        for purpose in FollowUpPurpose:
            self._purpose.addItem(purpose.label, purpose)
        self._search = QLineEdit()
        self._search.setPlaceholderText(_("Filter by customer"))
        self._search.setToolTip(_("Name, code, phone or city of the customer (Ctrl+F)"))
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(180)
        self._search_timer = search_timer(self)
        self._count = count_label()
        self._fill_reps()

        # Actions.
        self._complete_button = QPushButton(_("Complete…"))
        self._complete_button.setToolTip(_("Log the outcome of the call or visit (Enter)"))
        self._reschedule_button = QPushButton(_("Reschedule…"))
        self._reschedule_button.setToolTip(_("Move to another date or time (Ctrl+R)"))
        self._cancel_button = QPushButton(_("Cancel…"))
        self._cancel_button.setToolTip(_("Cancel the follow-up, saying why (Delete)"))
        self._retry_button = QPushButton(_("Try again…"))
        self._retry_button.setToolTip(
            _("Schedule another attempt of a contact that did not reach the customer")
        )
        self._customer_button = QPushButton(_("Customer 360°"))
        self._customer_button.setToolTip(_("Everything about the customer (Ctrl+I)"))
        self._new_button = QPushButton(_("New follow-up…"))
        self._new_button.setToolTip(_("Schedule a call or visit outside the plans (Ctrl+N)"))
        self._export_button = QPushButton(_("Export to calendar…"))
        self._export_button.setToolTip(
            _("Save the follow-ups shown as an .ics file for Outlook, Google or Apple Calendar")
        )
        self._export_list_button = export_button()

        # The list (Today, Overdue, Upcoming) and the week grid.
        self._table = QTableView()
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.verticalHeader().hide()
        self._table.setItemDelegateForColumn(SEGMENT, SegmentBadgeDelegate(self._table))
        self._table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # Each tab keeps its own widths and sort (the time column reads differently in each).
        self._layout = ListLayout(self._table, TAB_LAYOUTS[TODAY][0], TAB_LAYOUTS[TODAY][1])
        self._empty = empty_state_label("")
        self._week = WeekView(refusal_of=self.refusal_for)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._table)
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._week)
        self._detail = AgendaDetailPanel()
        # The details sit under the rows, so the list keeps its columns and the week its width.
        self._splitter = QSplitter(Qt.Orientation.Vertical)
        self._splitter.addWidget(self._stack)
        self._splitter.addWidget(self._detail)
        self._splitter.setStretchFactor(0, 1)
        self._splitter.setStretchFactor(1, 0)
        self._splitter.setSizes([520, 150])
        self._splitter.setChildrenCollapsible(False)

        top = QHBoxLayout()
        top.addWidget(self._tabs)
        top.addStretch(1)
        top.addWidget(self._new_button)
        top.addWidget(self._export_button)
        top.addWidget(self._export_list_button)
        filters = QHBoxLayout()
        for caption, widget in (
            (_("Rep"), self._rep),
            (_("Kind"), self._kind),
            (_("Purpose"), self._purpose),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addWidget(self._search, 1)
        filters.addWidget(self._count)
        buttons = QHBoxLayout()
        for button in (
            self._complete_button,
            self._reschedule_button,
            self._cancel_button,
            self._retry_button,
            self._customer_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self._splitter, 1)

        # Wiring.
        self._tabs.currentChanged.connect(self._on_tabs_current_changed)
        for combo in (self._rep, self._kind, self._purpose):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self._search.textChanged.connect(self._search_timer.start)
        self._search_timer.timeout.connect(self._on_filter_changed)
        self._table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._table.doubleClicked.connect(self._on_table_double_clicked)
        self._table.customContextMenuRequested.connect(
            lambda pos: self._show_context_menu(self._table.viewport().mapToGlobal(pos))
        )
        self._week.selection_changed.connect(self._on_selection_changed)
        self._week.follow_up_moved.connect(self.move_follow_up_to_day)
        self._week.week_requested.connect(self.show_week)
        self._week.follow_up_activated.connect(self._on_week_follow_up_activated)
        self._week.context_menu_requested.connect(self._show_context_menu)
        self._detail.open_customer_requested.connect(self.open_customer)
        self._complete_button.clicked.connect(self.complete_selected)
        self._reschedule_button.clicked.connect(self.reschedule_selected)
        self._cancel_button.clicked.connect(self.cancel_selected)
        self._retry_button.clicked.connect(self.retry_selected)
        self._customer_button.clicked.connect(self.open_customer_of_selected)
        self._new_button.clicked.connect(self.create_new)
        self._export_button.clicked.connect(self.export_calendar)
        self._export_list_button.clicked.connect(self.export_list)
        self._build_shortcuts()

        self._actions: list[FollowUpAction] = []
        self._overdue_total = 0
        self._shown_total = 0
        self.refresh()

    def _build_shortcuts(self) -> None:
        # Enter and Delete act on the list or a day column that has the focus, not on the filters.
        for widget in (self._table, *self._week.day_lists()):
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shortcut = QShortcut(QKeySequence(key), widget)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(self.complete_selected)
            shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), widget)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.cancel_selected)
        for sequence, slot in (
            ("Ctrl+R", self.reschedule_selected),
            ("Ctrl+I", self.open_customer_of_selected),
            ("F5", self.refresh),
        ):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- for the main window and tests ---------------------------------------------------

    @property
    def model(self) -> AgendaTableModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def week_view(self) -> WeekView:
        return self._week

    @property
    def detail_panel(self) -> AgendaDetailPanel:
        return self._detail

    @property
    def rep_filter(self) -> QComboBox:
        return self._rep

    @property
    def kind_filter(self) -> QComboBox:
        return self._kind

    @property
    def purpose_filter(self) -> QComboBox:
        return self._purpose

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    @property
    def tab_bar(self) -> QTabBar:
        return self._tabs

    def current_view(self) -> int:
        return self._tabs.currentIndex()

    def show_view(self, view: int) -> None:
        """TODAY, WEEK, OVERDUE or UPCOMING."""
        if self._tabs.currentIndex() == view:
            self.refresh()
        else:
            self._tabs.setCurrentIndex(view)

    def show_week(self, monday: dt.date) -> None:
        self._week_monday = monday_of(monday)
        if self._tabs.currentIndex() != WEEK:
            self._tabs.setCurrentIndex(WEEK)
        else:
            self.refresh()

    def shown_rows(self) -> list[AgendaRow]:
        """Every follow-up of the current view and filters (loaded or not)."""
        if self.current_view() == WEEK:
            return agenda_batch(self._week_window(), now=self._now())
        return self._model.all_rows()

    def empty_state_text(self) -> str:
        """The sentence shown instead of the rows, '' while there are rows."""
        if self.current_view() == WEEK:
            return self._week.empty_text()
        return self._empty.text() if self._stack.currentWidget() is self._empty else ""

    def selected_row(self) -> AgendaRow | None:
        if self.current_view() == WEEK:
            return self._week.selected_row()
        rows = self._table.selectionModel().selectedRows()
        return self._model.row_at(rows[0].row()) if rows else None

    def apply_navigation(self, filters: dict) -> None:
        """`view`: which tab; `week_of`: a day whose week to show; `select`: a follow-up to select."""
        views = {"today": TODAY, "week": WEEK, "overdue": OVERDUE, "upcoming": UPCOMING}
        if isinstance(filters.get("week_of"), dt.date):
            self.show_week(filters["week_of"])
        elif filters.get("view") in views:
            self.show_view(views[filters["view"]])
        if filters.get("select") is not None:
            self.select_follow_up(filters["select"])

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("week", lambda: self.show_view(WEEK)),
            ("overdue", lambda: self.show_view(OVERDUE)),
            ("upcoming", lambda: self.show_view(UPCOMING)),
        ]

    def select_follow_up(self, follow_up_id: int) -> bool:
        if self.current_view() == WEEK:
            return self._week.select_follow_up(follow_up_id)
        row = self._model.row_of(follow_up_id)
        while row < 0 and self._model.canFetchMore():
            self._model.fetchMore()
            row = self._model.row_of(follow_up_id)
        if row < 0:
            return False
        index = self._model.index(row, CUSTOMER)
        self._table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self._table.scrollTo(index)
        return True

    def allowed_actions(self) -> list[FollowUpAction]:
        """What the service allows for the selected follow-up (as the buttons show)."""
        return list(self._actions)

    def refusal_for(self, row: AgendaRow) -> str | None:
        """Why the person may not change this follow-up (None: they may): a rep changes only what is
        theirs or their customer's. Scheduling, a retry included, stays open to everyone."""
        return self.context.change_refusal(row.rep_id, row.customer_rep_id)

    # --- Page -----------------------------------------------------------------------------

    def activate(self) -> None:
        self.refresh()  # the day may have changed, and with it what is overdue

    def focus_search(self) -> bool:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()
        return True

    def on_data_changed(self, kinds: frozenset[Change], initiator: object) -> None:
        if initiator is self:
            return  # refreshed right after its own command
        super().on_data_changed(kinds, initiator)

    def refresh(self) -> None:
        selected = self.selected_row()
        self._search_timer.stop()
        now = self._now()
        base = self._base_window()
        today = dt.datetime.combine(now.date(), dt.time.min)
        today_open = count_agenda(self._window(today, today + dt.timedelta(days=1), (FollowUpState.PLANNED,)))
        self._overdue_total = count_agenda(self._overdue_window(now))
        self._tabs.setTabText(TODAY, self._tab_title(_("Today"), today_open))
        self._tabs.setTabText(
            WEEK, _("This week") if self._week_monday == monday_of(now.date()) else _("Week")
        )
        self._tabs.setTabText(OVERDUE, self._tab_title(_("Overdue"), self._overdue_total))
        self._tabs.setTabText(UPCOMING, _("Upcoming"))
        self._tabs.setTabTextColor(
            OVERDUE, Qt.GlobalColor.darkRed if self._overdue_total else self.palette().text().color()
        )

        view = self.current_view()
        if view == WEEK:
            self._load_week(now)
            self._stack.setCurrentWidget(self._week)
        else:
            window = {
                TODAY: self._today_window,
                OVERDUE: self._overdue_window,
                UPCOMING: self._upcoming_window,
            }[view](now)
            style = {TODAY: TIME_ONLY, OVERDUE: DATE_AND_TIME, UPCOMING: WEEKDAY_AND_TIME}[view]
            self._layout.use(*TAB_LAYOUTS[view])  # before loading: it may change the order
            # Overdue and Upcoming list planned follow-ups only: the state says nothing there.
            forced = {REP} if base.rep_id is not None else set()
            self._layout.force_hidden(forced | ({STATE} if view != TODAY else set()))
            self._model.set_window(window, time_style=style)
            self._after_list_load()
        if selected is not None:
            self.select_follow_up(selected.id)
        self._on_selection_changed()

    # --- loading --------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        return self._clock()

    def _base_window(self) -> AgendaWindow:
        # Qt hands str enums back as plain str: turn them into the choices again.
        kind, purpose = self._kind.currentData(), self._purpose.currentData()
        kind = FollowUpKind(kind) if kind else None
        purpose = FollowUpPurpose(purpose) if purpose else None
        return AgendaWindow(
            rep_id=self._rep.currentData(),
            start=None,
            end=None,
            kinds=(kind,) if kind else (),
            purposes=(purpose,) if purpose else (),
            text=self._search.text().strip(),
        )

    def _window(self, start, end, states) -> AgendaWindow:
        base = self._base_window()
        return AgendaWindow(base.rep_id, start, end, tuple(states), base.kinds, base.purposes, base.text)

    def _today_window(self, now: dt.datetime) -> AgendaWindow:
        today = dt.datetime.combine(now.date(), dt.time.min)
        return self._window(today, today + dt.timedelta(days=1), FollowUpState)

    def _overdue_window(self, now: dt.datetime) -> AgendaWindow:
        return self._window(None, now, (FollowUpState.PLANNED,))

    def _upcoming_window(self, now: dt.datetime) -> AgendaWindow:
        return self._window(now, now + dt.timedelta(days=UPCOMING_DAYS), (FollowUpState.PLANNED,))

    def _week_window(self) -> AgendaWindow:
        start = dt.datetime.combine(self._week_monday, dt.time.min)
        return self._window(start, start + dt.timedelta(days=7), FollowUpState)

    def _load_week(self, now: dt.datetime) -> None:
        window = self._week_window()
        counts = count_by_day(window)
        rows_by_day: dict[dt.date, list[AgendaRow]] = {}
        for offset in range(7):
            day = self._week_monday + dt.timedelta(days=offset)
            if counts.get(day):
                start = dt.datetime.combine(day, dt.time.min)
                rows_by_day[day] = agenda_batch(
                    window.with_range(start, start + dt.timedelta(days=1)), limit=WEEK_DAY_LIMIT, now=now
                )
        closed = set()
        for offset in range(7):
            day = self._week_monday + dt.timedelta(days=offset)
            try:
                if not working_days.is_working_day(day):
                    closed.add(day)
            except DomainError:  # unknown holiday region: only weekends are shaded
                if day.weekday() >= 5:
                    closed.add(day)
        one_rep = window.rep_id is not None
        self._week.set_week(
            self._week_monday,
            rows_by_day,
            counts,
            now.date(),
            closed,
            self._empty_text(WEEK),
            show_reps=not one_rep,
            capacity=company.load_company_settings().daily_capacity if one_rep else None,
        )
        self._shown_total = sum(counts.values())
        self._count.setText(self._count_text(self._shown_total))

    def _after_list_load(self) -> None:
        total = self._shown_total = self._model.total_count()
        self._count.setText(self._count_text(total))
        if total:
            self._stack.setCurrentWidget(self._table)
        else:
            self._empty.setText(self._empty_text(self.current_view()))
            self._stack.setCurrentWidget(self._empty)

    def _filtered(self) -> bool:
        base = self._base_window()
        return bool(base.kinds or base.purposes or base.text)

    def _empty_text(self, view: int) -> str:
        filtered = self._filtered()
        if view == TODAY:
            text = (
                _("No follow-up today matches the filters.") if filtered else _("Nothing planned for today.")
            )
            if self._overdue_total:
                text += "\n" + ngettext(
                    "{count} overdue follow-up is waiting in “Overdue”.",
                    "{count} overdue follow-ups are waiting in “Overdue”.",
                    self._overdue_total,
                ).format(count=format_number(self._overdue_total))
            return text
        if view == WEEK:
            return (
                _("No follow-up this week matches the filters.")
                if filtered
                else _("Nothing planned this week.")
            )
        if view == OVERDUE:
            return (
                _("No overdue follow-up matches the filters.")
                if filtered
                else _("Nothing is overdue. Well done!")
            )
        return (
            _("No follow-up in the next {days} days matches the filters.")
            if filtered
            else _("Nothing planned for the next {days} days.")
        ).format(days=UPCOMING_DAYS)

    @staticmethod
    def _tab_title(title: str, count: int) -> str:
        return f"{title} ({format_number(count)})" if count else title

    @staticmethod
    def _count_text(total: int) -> str:
        return ngettext("{count} follow-up", "{count} follow-ups", total).format(count=format_number(total))

    def _fill_reps(self) -> None:
        rep = self.context.current_rep
        self._rep.blockSignals(True)
        self._rep.clear()
        self._rep.addItem(_("All reps"), None)
        for other in list_reps():
            self._rep.addItem(other.name, other.id)
        if rep is not None and self._rep.findData(rep.id) < 0:
            self._rep.addItem(rep.name, rep.id)  # an inactive rep still sees their own work
        default = rep.id if rep is not None and not self.context.is_manager else None
        self._rep.setCurrentIndex(max(0, self._rep.findData(default)))
        self._rep.blockSignals(False)

    # --- selection and actions ------------------------------------------------------------

    def _on_tabs_current_changed(self, index: int) -> None:
        self.refresh()

    def _on_filter_changed(self, *args) -> None:
        self.refresh()

    def _on_selection_changed(self, *args) -> None:
        row = self.selected_row()
        self._detail.show_row(row, self._now())
        self._actions = []
        if row is not None:
            try:
                self._actions = followup_service.allowed_actions(row.id)
            except NotFoundError:
                self._actions = []
        allowed = set(self._actions)
        refusal = self.refusal_for(row) if row is not None else None
        gate(self._complete_button, refusal, enabled=FollowUpAction.COMPLETE in allowed)
        gate(self._reschedule_button, refusal, enabled=FollowUpAction.RESCHEDULE in allowed)
        gate(self._cancel_button, refusal, enabled=FollowUpAction.CANCEL in allowed)
        self._retry_button.setVisible(FollowUpAction.RETRY in allowed)
        self._customer_button.setEnabled(row is not None)
        self._export_button.setEnabled(self._shown_total > 0)
        self._export_list_button.setEnabled(self._shown_total > 0)

    def _on_table_double_clicked(self, *args) -> None:
        self._complete_or_open()

    def _on_week_follow_up_activated(self, follow_up_id: int) -> None:
        self._complete_or_open()

    def _complete_or_open(self) -> None:
        """Double click: log the outcome when that is still possible (and the person's to log), else
        show the customer."""
        row = self.selected_row()
        if FollowUpAction.COMPLETE in self._actions and row is not None and self.refusal_for(row) is None:
            self.complete_selected()
        else:
            self.open_customer_of_selected()

    def build_context_menu(self) -> QMenu | None:
        """The selected follow-up's menu: the actions the service allows, and the customer."""
        row = self.selected_row()
        if row is None:
            return None
        menu = show_tooltips(QMenu(self))
        refusal = self.refusal_for(row)
        entries: list[tuple[FollowUpAction | None, str, str, Callable[[], None]]] = [
            (FollowUpAction.COMPLETE, _("Complete…"), "Enter", self.complete_selected),
            (FollowUpAction.RESCHEDULE, _("Reschedule…"), "Ctrl+R", self.reschedule_selected),
            (FollowUpAction.RETRY, _("Try again…"), "", self.retry_selected),
            (FollowUpAction.MARK_MISSED, _("Mark as missed…"), "", self.mark_missed_selected),
            (FollowUpAction.CANCEL, _("Cancel…"), "Del", self.cancel_selected),
        ]
        for action, text, keys, slot in entries:
            if action in self._actions:
                item = QAction(text, menu)
                if keys:
                    item.setShortcut(QKeySequence(keys))
                item.triggered.connect(slot)
                if action is not FollowUpAction.RETRY:  # a retry is a new follow-up
                    gate(item, refusal)
                menu.addAction(item)
        if menu.actions():
            menu.addSeparator()
        item = QAction(_("Open customer 360°"), menu)
        item.setShortcut(QKeySequence("Ctrl+I"))
        item.triggered.connect(self.open_customer_of_selected)
        menu.addAction(item)
        return menu

    def _show_context_menu(self, global_pos: QPoint) -> None:
        menu = self.build_context_menu()
        if menu is not None:
            menu.exec(global_pos)
            menu.deleteLater()

    # --- commands ---------------------------------------------------------------------------

    def _selected_if(self, action: FollowUpAction) -> AgendaRow | None:
        """The selected follow-up when `action` is allowed on it and, unless it creates a new one (a
        retry), the person may change it; a shortcut reaching a refused one says why."""
        row = self.selected_row()
        if row is None or action not in self._actions:
            return None
        refusal = self.refusal_for(row) if action is not FollowUpAction.RETRY else None
        if refusal is not None:
            explain_refusal(self, refusal)
            return None
        return row

    def _refresh_and_select(self, select_id: int | None = None) -> None:
        """After the page's own command (its changes are not passed back to it): show them now."""
        self.refresh()
        if select_id is not None:
            self.select_follow_up(select_id)

    def _next_in_list(self, follow_up_id: int) -> int | None:
        """The follow-up listed after this one (before it, for the last): where the selection goes
        once a command finishes this one. None in the week grid."""
        return self._model.neighbour_id(follow_up_id) if self.current_view() != WEEK else None

    def _refresh_and_select_next(self, follow_up_id: int, next_id: int | None) -> None:
        """After completing, cancelling or missing a follow-up the selection moves on to the next one
        (the one itself stays selected when nothing follows it)."""
        self.refresh()
        if next_id is None or not self.select_follow_up(next_id):
            self.select_follow_up(follow_up_id)

    def complete_selected(self) -> None:
        row = self._selected_if(FollowUpAction.COMPLETE)
        if row is None:
            return
        values = CompleteFollowUpDialog.ask(self, row)
        if values is None:
            return
        if (
            values.outcome is FollowUpOutcome.REACHED
            and row.purpose is FollowUpPurpose.USAGE_CHECK
            and row.sold_unit_id is not None
        ):
            self._run_usage_check(row, values.notes)
            return
        now = self._now()
        next_id = self._next_in_list(row.id)
        recorder = self._undo_recorder(_("Complete follow-up"), row.id)
        done = Operation(
            _("Complete follow-up"),
            lambda: recorder.run(
                lambda: followup_service.complete_follow_up(
                    row.id,
                    values.outcome,
                    values.notes,
                    self.context.acting_rep_id,
                    values.satisfaction,
                    values.recommend,
                    now,
                    cause=values.cause,
                )
            ),
            lambda result: {FOLLOW_UPS} | ({SURVEYS} if result.survey_id is not None else set()),
            undo=recorder,
        ).run(self)
        if not done:
            return
        result = done.value
        self._refresh_and_select_next(row.id, next_id)
        if result.chain_missed:
            inform(
                self,
                ngettext(
                    "{customer} could not be reached after {count} attempt; the follow-up is marked as missed.",
                    "{customer} could not be reached after {count} attempts; the follow-up is marked as missed.",
                    row.attempt,
                ).format(customer=row.customer_name, count=row.attempt),
            )
        elif result.retry_proposed and result.retry_at is not None:
            choice = ask_retry(self, self._when(result.retry_at))
            if choice is RetryChoice.PROPOSED:
                retried = Operation(
                    _("Schedule another attempt"),
                    lambda: followup_service.retry_follow_up(
                        row.id, result.retry_at, acting_rep_id=self.context.acting_rep_id, now=now
                    ),
                    {FOLLOW_UPS},
                ).run(self)
                if retried:
                    self._refresh_and_select(retried.value)
            elif choice is RetryChoice.CHOOSE:
                self._retry_at_a_chosen_time(row, result.retry_at)

    def _run_usage_check(self, row: AgendaRow, notes: str) -> None:
        """A correct-use visit or call that reached the customer: the checklist is run, and
        finishing it completes the follow-up (a draft leaves it planned, to resume later)."""
        from app.views.checks.dialog import run_usage_check

        Operation(
            _("Run usage check"),
            lambda: run_usage_check(
                self,
                row.sold_unit_id,
                self.context.acting_rep_id,
                follow_up_id=row.id,
                clock=self._clock,
                notes=notes,
            ),
            {FOLLOW_UPS, CHECKS},
        ).run(self)
        self._refresh_and_select(row.id)

    def reschedule_selected(self) -> None:
        row = self._selected_if(FollowUpAction.RESCHEDULE)
        if row is None:
            return
        outcome = run_form(
            self,
            lambda when, errors: RescheduleDialog.ask(
                self, row, proposed=when, errors=errors, now=self._now()
            ),
            lambda when: self._reschedule_operation(row.id, when, row.row_version),
        )
        if outcome is not None:
            self._after_rescheduling(row.id, outcome[1])

    def move_follow_up_to_day(self, follow_up_id: int, day: dt.date) -> None:
        """A card dropped on another day: the same time of day on `day`."""
        found = perform(self, lambda: followup_service.get_follow_up(follow_up_id, self._now()))
        if not found:
            return
        row = found.value
        if row.scheduled_at.date() == day:
            return
        refusal = self.refusal_for(row)
        if refusal is not None:
            explain_refusal(self, refusal)
            return
        self._reschedule(follow_up_id, dt.datetime.combine(day, row.scheduled_at.time()))

    def _reschedule(self, follow_up_id: int, when: dt.datetime) -> None:
        # A declined confirmation (BackToForm) ends it quietly; a failure goes to the error dialog.
        done = self._reschedule_operation(follow_up_id, when).run(self)
        if done:
            self._after_rescheduling(follow_up_id, done.value)

    def _undo_recorder(self, label: str, follow_up_id: int) -> undo.Recorder:
        """What lets Edit ▸ Undo take the command back (app.services.undo)."""
        return undo.for_follow_up(label, follow_up_id, self.context.acting_rep_id, self.context.permissions)

    def _reschedule_operation(
        self, follow_up_id: int, when: dt.datetime, expected_version: int | None = None
    ) -> Operation[ScheduleResult]:
        """Reschedule (the dialog, a card dragged to another day), undoably; someone else's change
        meanwhile is refused, not overwritten (`expected_version`)."""
        recorder = self._undo_recorder(_("Reschedule follow-up"), follow_up_id)
        return Operation(
            _("Reschedule follow-up"),
            lambda: self._rescheduling(follow_up_id, when, expected_version, recorder),
            {FOLLOW_UPS},
            undo=recorder,
        )

    def _rescheduling(
        self,
        follow_up_id: int,
        when: dt.datetime,
        expected_version: int | None = None,
        recorder: undo.Recorder | None = None,
    ) -> ScheduleResult:
        """Reschedule, asking first about a time in the past, then about a slot the placement rules
        advise against: the next free slot instead, this one anyway, or back (BackToForm)."""

        def reschedule(
            at: dt.datetime, confirm_past: bool, confirm_placement: bool = False
        ) -> ScheduleResult:
            def command() -> ScheduleResult:
                return followup_service.reschedule_follow_up(
                    follow_up_id,
                    at,
                    acting_rep_id=self.context.acting_rep_id,
                    confirm_past=confirm_past,
                    confirm_placement=confirm_placement,
                    now=self._now(),
                    expected_version=expected_version,
                )

            return recorder.run(command) if recorder is not None else command()

        def placed(confirm_past: bool) -> ScheduleResult:
            try:
                return reschedule(when, confirm_past)
            except PlacementConflict as conflict:
                choice = ask_placement(self, conflict)
                if choice is PlacementChoice.CANCEL:
                    raise BackToForm from None
                # the proposed slot is never before today; a kept one was confirmed
                return reschedule(
                    conflict.proposed if choice is PlacementChoice.PROPOSED else when, True, True
                )

        return confirming_past(self, placed)

    def _after_rescheduling(self, follow_up_id: int, result: ScheduleResult) -> None:
        self._refresh_and_select(follow_up_id)
        if result.warnings:
            inform(self, "\n".join(result.warnings), _("Rescheduled, but note"))

    def cancel_selected(self) -> None:
        row = self._selected_if(FollowUpAction.CANCEL)
        if row is None:
            return
        reason = CancelFollowUpDialog.ask(self, row)
        if reason is None:
            return
        next_id = self._next_in_list(row.id)
        recorder = self._undo_recorder(_("Cancel follow-up"), row.id)
        if Operation(
            _("Cancel follow-up"),
            lambda: recorder.run(
                lambda: followup_service.cancel_follow_up(row.id, reason, self.context.acting_rep_id)
            ),
            {FOLLOW_UPS},
            undo=recorder,
        ).run(self):
            self._refresh_and_select_next(row.id, next_id)

    def mark_missed_selected(self) -> None:
        row = self._selected_if(FollowUpAction.MARK_MISSED)
        if row is None:
            return
        question = _("Mark the {kind} with {customer} as missed? It will not be attempted again.").format(
            kind=row.kind.label.lower(), customer=row.customer_name
        )
        if not confirm(self, question):
            return
        next_id = self._next_in_list(row.id)
        recorder = self._undo_recorder(_("Mark follow-up as missed"), row.id)
        if Operation(
            _("Mark follow-up as missed"),
            lambda: recorder.run(
                lambda: followup_service.mark_missed(
                    row.id, acting_rep_id=self.context.acting_rep_id, now=self._now()
                )
            ),
            {FOLLOW_UPS},
            undo=recorder,
        ).run(self):
            self._refresh_and_select_next(row.id, next_id)

    def retry_selected(self) -> None:
        row = self._selected_if(FollowUpAction.RETRY)
        if row is not None:
            self._retry_at_a_chosen_time(row)

    def _retry_at_a_chosen_time(self, row: AgendaRow, proposed: dt.datetime | None = None) -> None:
        """Another attempt at a day and time the person picks (starting from `proposed`)."""

        def retry(when: dt.datetime) -> ScheduleResult:
            return confirming_past(
                self,
                lambda confirm_past: ScheduleResult(
                    followup_service.retry_follow_up(
                        row.id,
                        when,
                        acting_rep_id=self.context.acting_rep_id,
                        confirm_past=confirm_past,
                        now=self._now(),
                    )
                ),
            )

        outcome = run_form(
            self,
            lambda when, errors: RescheduleDialog.ask(
                self,
                row,
                proposed=when or proposed,
                errors=errors,
                title=_("Schedule another attempt"),
                now=self._now(),
            ),
            lambda when: Operation(_("Schedule another attempt"), lambda: retry(when), {FOLLOW_UPS}),
        )
        if outcome is not None:
            self._refresh_and_select(outcome[1].follow_up_id)

    def create_new(self) -> bool:
        def schedule(values: FollowUpInput) -> ScheduleResult:
            return confirming_past(
                self,
                lambda confirm_past: followup_service.schedule_follow_up(
                    values.customer_id,
                    values.kind,
                    values.purpose,
                    values.scheduled_at,
                    rep_id=values.rep_id,
                    duration_minutes=values.duration_minutes,
                    place=values.place,
                    notes=values.notes,
                    sold_unit_id=values.sold_unit_id,
                    confirm_past=confirm_past,
                    acting_rep_id=self.context.acting_rep_id,
                    now=self._now(),
                ),
            )

        outcome = run_form(
            self,
            lambda values, errors: FollowUpDialog.ask(self, initial=values, errors=errors, now=self._now()),
            lambda values: Operation(_("Schedule follow-up"), lambda: schedule(values), {FOLLOW_UPS}),
        )
        if outcome is None:
            return True
        _values, result = outcome
        self._refresh_and_select(result.follow_up_id)
        if result.warnings:
            inform(self, "\n".join(result.warnings), _("Scheduled, but note"))
        return True

    def open_customer_of_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_customer(row.customer_id)

    def export_calendar(self) -> None:
        rows = self.shown_rows()
        if not rows:
            inform(self, _("There are no follow-ups to export in this view."))
            return
        path = self._ask_export_path()
        if not path:
            return
        # The user agreed in the save dialog to replace an existing file.
        exported = perform(self, lambda: calendar_export.export_ics(rows, path, force=True))
        if not exported:
            return
        count = exported.value
        inform(
            self,
            ngettext(
                "{count} follow-up exported to {file}.", "{count} follow-ups exported to {file}.", count
            ).format(count=format_number(count), file=Path(path).name),
            _("Export to calendar"),
        )

    def export_list(self) -> bool:
        """Every follow-up of the current view and filters (loaded or not), as XLSX or CSV."""
        window = self._week_window() if self.current_view() == WEEK else self._model.window()
        if window is None or not self._shown_total:
            return False
        now = self._now()
        export_list(self, ListKind.FOLLOW_UPS, lambda: exports.follow_ups_table(window, now))
        return True

    def _ask_export_path(self) -> str:
        suggested = f"agenda-{self._now().date().isoformat()}.ics"
        path = ask_save_file(self, _("Export to calendar"), suggested, _("iCalendar files (*.ics)"), ".ics")
        return str(path) if path is not None else ""

    @staticmethod
    def _when(moment: dt.datetime) -> str:
        """'Tuesday 24/11/2026 10:00' for questions about a date."""
        return f"{format_date(moment, 'EEEE')} {format_datetime(moment)}"
