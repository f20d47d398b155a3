"""The Warranty returns page: the list with filters, a board by state, and the selected return's detail.

The actions offered are the transitions the returns service allows (`ReturnDetail.allowed`);
every command is the service's, followed by one change signal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.i18n import N_, _, format_number, ngettext
from app.models.enums import ReturnReason, ReturnState
from app.reports.return_receipt import build_return_receipt
from app.services import exports
from app.services import returns as return_service
from app.services.errors import NotFoundError
from app.services.exports import ListKind
from app.services.reps import list_reps
from app.services.returns import OPEN_STATES, OpenReturnExists, ReturnDetail, ReturnFilter
from app.views import dialogs
from app.views.combos import filter_as_you_type
from app.views.events import FOLLOW_UPS, RETURNS, SALES
from app.views.exports import export_button, export_list
from app.views.list_layout import ListLayout
from app.views.operations import Operation, perform, run_form
from app.views.pages.base import AppContext, Page, count_label, empty_state_label, search_timer
from app.views.reports.preview import show_built_pdf
from app.views.returns.board import ReturnsBoard
from app.views.returns.detail_panel import ReturnDetailPanel
from app.views.returns.dialogs import AdvanceReturnDialog, OpenReturnInput, ask_and_open_return
from app.views.returns.table_model import ReturnsTableModel

LIST, BOARD = range(2)
OPEN_ONLY = "open"
# Periods of the request date: (key, label, first day from today).
PERIODS: tuple[tuple[str, str], ...] = (
    ("", N_("Any time")),
    ("30", N_("Last 30 days")),
    ("90", N_("Last 90 days")),
    ("year", N_("This year")),
    ("last_year", N_("Last year")),
)


def inform(parent: QWidget | None, text: str, title: str | None = None) -> None:
    """A plain message after a command; tests replace it."""
    dialogs.inform(parent, text, title or _("Warranty returns"))


def period_bounds(key: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    if key == "year":
        return dt.date(today.year, 1, 1), None
    if key == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if key.isdigit():
        return today - dt.timedelta(days=int(key)), None
    return None, None


class ReturnsPage(Page):
    """Warranty returns (RMA): filters, the list or the board, and the selected return's detail."""

    data_kinds = frozenset({RETURNS})

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] | None = None,
        batch_size: int = 200,
    ):
        super().__init__(context, parent)
        self._today = today or dt.date.today
        self._model = ReturnsTableModel(self, batch_size=batch_size, today=self._today)

        self._tabs = QTabBar()
        self._tabs.setExpanding(False)
        self._tabs.setDrawBase(False)
        self._tabs.addTab(_("List"))
        self._tabs.addTab(_("Board by state"))
        self._state = QComboBox()
        self._state.addItem(_("Open returns"), OPEN_ONLY)
        self._state.addItem(_("All states"), "")
        for state in ReturnState:
            self._state.addItem(state.label, state)
        self._reason = QComboBox()
        self._reason.addItem(_("All reasons"), "")
        for reason in ReturnReason:
            self._reason.addItem(reason.label, reason)
        self._warranty = QComboBox()
        self._warranty.addItem(_("Under and out of warranty"), None)
        self._warranty.addItem(_("Under warranty"), True)
        self._warranty.addItem(_("Out of warranty"), False)
        self._period = QComboBox()
        for key, label in PERIODS:
            self._period.addItem(_(label), key)
        self._rep = filter_as_you_type(QComboBox())
        self._rep.addItem(_("All reps"), None)
        for rep in list_reps():
            self._rep.addItem(rep.name, rep.id)
        self._overdue = QCheckBox(_("Overdue only"))
        self._search = QLineEdit()
        self._search.setPlaceholderText(_("RMA number, customer or serial"))
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(160)
        self._search_timer = search_timer(self)
        self._count = count_label()
        self._overdue_label = QLabel()

        self._new_button = QPushButton(_("Open return…"))
        self._new_button.setToolTip(_("Open a warranty return for a customer's unit (Ctrl+N)"))
        self._export_button = export_button()

        self._table = QTableView()
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.verticalHeader().hide()
        self._layout = ListLayout(self._table, "returns", ReturnsTableModel.columns)
        self._empty = empty_state_label("")
        self._board = ReturnsBoard()
        self._stack = QStackedWidget()
        self._stack.addWidget(self._table)
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._board)
        self._detail = ReturnDetailPanel()
        self._detail.setMinimumWidth(300)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.addWidget(self._stack)
        self._splitter.addWidget(self._detail)
        self._splitter.setStretchFactor(0, 1)
        self._splitter.setStretchFactor(1, 0)
        self._splitter.setSizes([760, 300])
        self._splitter.setChildrenCollapsible(False)

        top = QHBoxLayout()
        top.addWidget(self._tabs)
        top.addSpacing(12)
        top.addWidget(self._overdue_label)
        top.addStretch(1)
        top.addWidget(self._export_button)
        top.addWidget(self._new_button)
        # Two rows, so every combo shows its whole text in Spanish too.
        filters = QHBoxLayout()
        for widget in (self._state, self._reason, self._warranty, self._period, self._rep):
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            filters.addWidget(widget)
        filters.addStretch(1)
        search_row = QHBoxLayout()
        search_row.addWidget(self._search, 1)
        search_row.addWidget(self._overdue)
        search_row.addWidget(self._count)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(search_row)
        layout.addWidget(self._splitter, 1)

        self._tabs.currentChanged.connect(self._on_filter_changed)
        for combo in (self._state, self._reason, self._warranty, self._period, self._rep):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self._overdue.toggled.connect(self._on_filter_changed)
        self._search.textChanged.connect(self._search_timer.start)
        self._search_timer.timeout.connect(self._on_filter_changed)
        self._table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self._board.return_selected.connect(self.select_return)
        self._new_button.clicked.connect(self.create_new)
        self._export_button.clicked.connect(self.export_list)
        self._detail.transition_requested.connect(self.advance_selected)
        self._detail.costs_submitted.connect(self.save_costs)
        self._detail.print_requested.connect(self.print_receipt)
        self._detail.open_customer_requested.connect(self.open_customer)
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)

        self._selected_id: int | None = None
        self.refresh()

    # --- for the main window and tests -----------------------------------------------------

    @property
    def model(self) -> ReturnsTableModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def board(self) -> ReturnsBoard:
        return self._board

    @property
    def detail_panel(self) -> ReturnDetailPanel:
        return self._detail

    @property
    def state_filter(self) -> QComboBox:
        return self._state

    @property
    def reason_filter(self) -> QComboBox:
        return self._reason

    @property
    def warranty_filter(self) -> QComboBox:
        return self._warranty

    @property
    def period_filter(self) -> QComboBox:
        return self._period

    @property
    def rep_filter(self) -> QComboBox:
        return self._rep

    @property
    def overdue_filter(self) -> QCheckBox:
        return self._overdue

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    def show_view(self, view: int) -> None:
        """LIST or BOARD."""
        self._tabs.setCurrentIndex(view)

    def apply_navigation(self, filters: dict) -> None:
        """{"overdue": bool}: the overdue returns; {"select": id}: that return selected in the list
        (the filters cleared when they hide it)."""
        if "overdue" in filters:
            self.show_view(LIST)
            self._overdue.setChecked(bool(filters["overdue"]))
        if filters.get("select") is not None:
            self.show_view(LIST)
            if not self.select_return(filters["select"]):
                self.clear_filters()
                self.select_return(filters["select"])

    def clear_filters(self) -> None:
        """Every return of every state: no filter, no search."""
        widgets = (
            self._state,
            self._reason,
            self._warranty,
            self._period,
            self._rep,
            self._overdue,
            self._search,
        )
        for widget in widgets:
            widget.blockSignals(True)
        self._state.setCurrentIndex(self._state.findData(""))
        for combo in (self._reason, self._warranty, self._period, self._rep):
            combo.setCurrentIndex(0)
        self._overdue.setChecked(False)
        self._search.clear()
        for widget in widgets:
            widget.blockSignals(False)
        self._search_timer.stop()
        self.refresh()

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        def first_selected() -> None:
            self.show_view(LIST)
            row = self._model.row_at(0)
            if row is not None:
                self.select_return(row.id)

        return [("detail", first_selected), ("board", lambda: self.show_view(BOARD))]

    def focus_search(self) -> bool:
        self._search.setFocus()
        self._search.selectAll()
        return True

    def selected_detail(self) -> ReturnDetail | None:
        return self._detail.detail()

    def empty_state_text(self) -> str:
        return self._empty.text() if self._stack.currentWidget() is self._empty else ""

    def export_list(self) -> bool:
        """Every return of the filters (the list's and the board's), as XLSX or CSV."""
        filters, today = self.filters(), self._today()
        export_list(self, ListKind.RETURNS, lambda: exports.returns_table(filters, today))
        return True

    def filters(self) -> ReturnFilter:
        state = self._state.currentData()
        if state == OPEN_ONLY:
            states = OPEN_STATES
        elif state:
            states = (ReturnState(state),)
        else:
            states = ()
        reason = self._reason.currentData()
        start, end = period_bounds(self._period.currentData() or "", self._today())
        return ReturnFilter(
            states=tuple(states),
            reason=ReturnReason(reason) if reason else None,
            overdue=True if self._overdue.isChecked() else None,
            under_warranty=self._warranty.currentData(),
            reported_from=start,
            reported_to=end,
            rep_id=self._rep.currentData(),
            text=self._search.text().strip(),
        )

    # --- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        filters = self.filters()
        today = self._today()
        selected = self._selected_id
        if self._tabs.currentIndex() == BOARD:
            self._board.load(filters, today)
            self._stack.setCurrentWidget(self._board)
            total = sum(
                n for s, n in self._board.counts().items() if not filters.states or s in filters.states
            )
        else:
            self._model.set_filters(filters)
            total = self._model.total_count()
            if total:
                self._stack.setCurrentWidget(self._table)
            else:
                self._empty.setText(
                    _("No return matches the filters.")
                    if filters != ReturnFilter(states=OPEN_STATES)
                    else _("No open returns. Use “Open return…” when a customer brings a unit back.")
                )
                self._stack.setCurrentWidget(self._empty)
        self._count.setText(
            ngettext("{count} return", "{count} returns", total).format(count=format_number(total))
        )
        overdue = return_service.overdue_count(today)
        if overdue:
            self._overdue_label.setText(
                "<span style='color: #b00020; font-weight: 600;'>"
                + ngettext("{count} overdue return", "{count} overdue returns", overdue).format(
                    count=format_number(overdue)
                )
                + "</span>"
            )
        else:
            self._overdue_label.setText("")
        if selected is not None:
            self.select_return(selected)
        else:
            self._show_detail(None)

    def select_return(self, return_id: int) -> bool:
        """Select the return in the list or board (loading rows as needed) and show its detail."""
        if self._tabs.currentIndex() == BOARD:
            found = self._board.select_return(return_id)
            self._show_detail(return_id)
            return found
        row = self._model.row_of(return_id)
        while row < 0 and self._model.canFetchMore():
            self._model.fetchMore()
            row = self._model.row_of(return_id)
        if row < 0:
            self._show_detail(return_id)
            return False
        self._table.selectRow(row)
        self._table.scrollTo(self._model.index(row, 0))
        self._show_detail(return_id)
        return True

    def _on_table_selection_changed(self, *args) -> None:
        rows = self._table.selectionModel().selectedRows()
        row = self._model.row_at(rows[0].row()) if rows else None
        if row is not None:
            self._show_detail(row.id)

    def _show_detail(self, return_id: int | None) -> None:
        self._selected_id = return_id
        detail = None
        if return_id is not None:
            try:
                detail = return_service.get_return(return_id, self._today())
            except NotFoundError:
                self._selected_id = None
        refusal = self.refusal_for(detail) if detail is not None else None
        self._detail.show_detail(detail, self._today(), refusal)

    def refusal_for(self, detail: ReturnDetail) -> str | None:
        """Why the person may not change this return (None: they may): a rep changes only what is theirs
        or their customer's. Opening a return stays open to everyone."""
        return self.context.change_refusal(detail.row.rep_id, detail.row.customer_rep_id)

    def _on_filter_changed(self, *args) -> None:
        self.refresh()

    # --- commands -----------------------------------------------------------------------------

    def _refresh_and_select(self, select_id: int | None) -> None:
        """After the page's own command: show it (the change signal refreshes the rest). A return the
        filters no longer list (closed, among the open ones) leaves the selection on the next."""
        listed = self._tabs.currentIndex() != BOARD and select_id is not None
        next_id = self._model.neighbour_id(select_id) if listed and select_id is not None else None
        self._selected_id = select_id
        self.refresh()
        if select_id is not None and not self.select_return(select_id) and next_id is not None:
            self.select_return(next_id)

    def create_new(self) -> bool:
        self.open_return_dialog()
        return True

    def open_return_dialog(self, initial: OpenReturnInput | None = None) -> int | None:
        """Ask for a return and open it; a unit with an open return takes the user to that one."""

        def open_return() -> int | OpenReturnExists | None:
            try:
                return ask_and_open_return(
                    self, self.context.acting_rep_id, initial=initial, today=self._today()
                )
            except OpenReturnExists as exc:  # not a failure: the user is taken to that return
                return exc

        done = Operation(
            _("Open warranty return"),
            open_return,
            lambda opened: {RETURNS} if isinstance(opened, int) else (),  # None: the user cancelled
        ).run(self)
        if not done or done.value is None:
            return None
        if isinstance(done.value, OpenReturnExists):
            inform(self, str(done.value))
            self._show_existing(done.value.return_id)
            return None
        self._refresh_and_select(done.value)
        return done.value

    def _show_existing(self, return_id: int) -> None:
        """The open return the user ran into, selected so they can carry on with it."""
        self._state.setCurrentIndex(self._state.findData(OPEN_ONLY))
        self._search.clear()
        self.refresh()
        self.select_return(return_id)

    def advance_selected(self, target: ReturnState) -> None:
        detail = self._detail.detail()
        if detail is None or target not in detail.allowed or self.refusal_for(detail) is not None:
            return
        kinds = {RETURNS}
        if target is ReturnState.CLOSED:
            kinds.add(FOLLOW_UPS)
        if target in (ReturnState.REPLACED, ReturnState.REFUNDED, ReturnState.CREDITED):
            kinds.add(SALES)  # the unit's status (and a new unit) changed
        outcome = run_form(
            self,
            lambda values, errors: AdvanceReturnDialog.ask(
                self, detail, target, initial=values, errors=errors
            ),
            lambda values: Operation(
                _("Mark return as {state}").format(state=target.label.lower()),
                lambda: return_service.advance_return(
                    detail.row.id,
                    target,
                    self.context.acting_rep_id,
                    values.note,
                    inspection_note=values.inspection_note,
                    replacement_serial=values.replacement_serial,
                    refund_amount=values.refund_amount,
                ),
                kinds,
                on_failure=lambda exc: self._show_detail(detail.row.id),  # as it is now
            ),
        )
        if outcome is None:
            return
        self._refresh_and_select(detail.row.id)
        if target is ReturnState.RECEIVED:
            inform(
                self, _("The unit is received. You can print the customer's receipt with “Print receipt…”.")
            )

    def save_costs(self, values: dict) -> None:
        detail = self._detail.detail()
        if detail is None or self.refusal_for(detail) is not None:
            return
        if Operation(
            _("Save costs"),
            lambda: return_service.set_return_costs(
                detail.row.id,
                values["cost_parts"],
                values["cost_labour"],
                values["cost_shipping"],
                self.context.acting_rep_id,
                expected_version=detail.row_version,  # someone else's change meanwhile is refused
            ),
            {RETURNS},
            field_errors=self._detail.show_cost_errors,
        ).run(self):
            self._refresh_and_select(detail.row.id)

    def print_receipt(self) -> None:
        detail = self._detail.detail()
        if detail is None:
            return
        found = perform(self, lambda: return_service.receipt_data(detail.row.id, self._today()))
        if not found:
            return
        data = found.value
        # The customer's language; built here (one page, fast): i18n's language is process-wide,
        # so a document is not written from a pool thread while the window is translating.
        language = (
            data.customer_language if data.customer_language in i18n.LANGUAGES else i18n.current_language()
        )
        # Shown in the same preview as every document, with Print… and Save as….
        show_built_pdf(
            self,
            lambda path: build_return_receipt(data, path, language),
            _("Warranty return {number}").format(number=data.number),
            f"{data.number}.pdf",
        )
