"""The Usage checks page: checks done and drafted, checks due from the plans, the most failed items.

Filters (result, category, product, rep, period) narrow the list and the statistics in SQL; the
selected check's product and customer histories sit under the list. Running a check is the
dialog's flow (`run_usage_check`, `open_check`); the page refreshes on the change signal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_date, format_number, ngettext
from app.models import now as wall_clock_now
from app.services import checks as check_service
from app.services import exports
from app.services.checks import RESULT_DRAFT, RESULT_FAILED, RESULT_PASSED, CheckFilter, CheckRow
from app.services.exports import ListKind
from app.services.followups import AgendaRow
from app.services.followups.plans import list_categories
from app.services.reps import list_reps
from app.services.sales import list_products
from app.views.checks import dialog as check_dialogs
from app.views.checks.dialog import StartCheckDialog
from app.views.checks.table_models import (
    ChecksTableModel,
    DueChecksTableModel,
    FailedItemsTableModel,
    result_text,
    score_text,
    unit_text,
)
from app.views.combos import filter_as_you_type
from app.views.customers.customer_dialog import date_edit, from_qdate, to_qdate
from app.views.events import CHECKS, FOLLOW_UPS
from app.views.exports import export_button, export_list
from app.views.list_layout import ListLayout
from app.views.operations import perform
from app.views.pages.base import AppContext, Page, count_label
from app.views.rights import explain_refusal, gate

LIST, DUE, FAILED = range(3)
# Period presets: (label, days back; None = all time, -1 = this year, 0 = custom dates)
PERIODS = (
    (N_("Last 30 days"), 30),
    (N_("Last 90 days"), 90),
    (N_("Last 12 months"), 365),
    (N_("This year"), -1),
    (N_("All time"), None),
    (N_("Custom dates"), 0),
)
DEFAULT_PERIOD = 1
HISTORY_ROWS = 50


def _table(model, key: str) -> QTableView:
    """A list of the page with its columns' layout remembered under `key`."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    ListLayout(table, key, model.columns)  # the table keeps it (its parent)
    return table


class HistoryTable(QTableWidget):
    """A short read-only list of checks (a unit's or a customer's)."""

    def __init__(self, with_product: bool, parent: QWidget | None = None):
        super().__init__(0, 4, parent)
        self._with_product = with_product
        self.setHorizontalHeaderLabels(
            [_("Date"), _("Product") if with_product else _("Checklist"), _("Result"), _("Score")]
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setWordWrap(False)

    def set_rows(self, rows: list[CheckRow], current_id: int | None) -> None:
        rows = rows[:HISTORY_ROWS]
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            second = (
                unit_text(row.product_name, row.serial_number) if self._with_product else row.template_name
            )
            values = (
                format_date(row.when),
                second,
                result_text(row.status, row.passed),
                score_text(row.score),
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                if row.id == current_id:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.setItem(r, c, item)
        self.resizeColumnToContents(0)
        self.resizeColumnToContents(2)

    def texts(self) -> list[list[str]]:
        return [[self.item(r, c).text() for c in range(self.columnCount())] for r in range(self.rowCount())]


class UsageChecksPage(Page):
    """Checks with filters, the checks due, histories and the items customers most often get wrong."""

    # Follow-ups too: the checks due are planned correct-use follow-ups.
    data_kinds = frozenset({CHECKS, FOLLOW_UPS})

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
        today = self._clock().date()

        # Filters.
        self._result = QComboBox()
        for label, value in (
            (_("All results"), None),
            (_("Passed"), RESULT_PASSED),
            (_("Failed"), RESULT_FAILED),
            (_("Drafts"), RESULT_DRAFT),
        ):
            self._result.addItem(label, value)
        self._category = QComboBox()
        self._product = filter_as_you_type(QComboBox())
        self._product.setMinimumContentsLength(18)
        self._product.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._rep = filter_as_you_type(QComboBox())
        self._period = QComboBox()
        for label, _days in PERIODS:
            self._period.addItem(_(label))
        self._period.setCurrentIndex(DEFAULT_PERIOD)
        self._from = date_edit(today - dt.timedelta(days=90))
        self._to = date_edit(today)
        self._count = count_label()
        self._fill_categories()
        self._fill_products()
        self._fill_reps()
        self._apply_period(today)

        # Actions.
        self._new_button = QPushButton(_("New check…"))
        self._new_button.setToolTip(_("Run a checklist with a customer outside the plans (Ctrl+N)"))
        self._open_button = QPushButton(_("Open…"))
        self._open_button.setToolTip(_("Resume a draft, or see a finished check (Enter)"))
        self._print_button = QPushButton(_("Print record…"))
        self._print_button.setToolTip(_("Save the one-page PDF record of the check (Ctrl+P)"))
        self._run_button = QPushButton(_("Run check…"))
        self._run_button.setToolTip(_("Run the checklist of the planned visit or call (Enter)"))
        self._export_button = export_button()

        # Checks done and drafted, with the histories under them.
        self._model = ChecksTableModel(self, batch_size=batch_size)
        self._table = _table(self._model, "checks")
        self._unit_history = HistoryTable(with_product=False)
        self._customer_history = HistoryTable(with_product=True)
        self._unit_box = QGroupBox(_("This product's checks"))
        QVBoxLayout(self._unit_box).addWidget(self._unit_history)
        self._customer_box = QGroupBox(_("This customer's checks"))
        QVBoxLayout(self._customer_box).addWidget(self._customer_history)
        histories = QWidget()
        row = QHBoxLayout(histories)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._unit_box)
        row.addWidget(self._customer_box)
        self._splitter = QSplitter(Qt.Orientation.Vertical)
        self._splitter.addWidget(self._table)
        self._splitter.addWidget(histories)
        self._splitter.setSizes([480, 180])
        self._splitter.setChildrenCollapsible(False)

        # Checks due.
        self._due_model = DueChecksTableModel(self, batch_size=batch_size, clock=self._clock)
        self._due_table = _table(self._due_model, "checks.due")
        due = QWidget()
        due_layout = QVBoxLayout(due)
        due_layout.setContentsMargins(0, 0, 0, 0)
        due_hint = QLabel(_("Correct-use visits and calls planned after delivery; overdue ones are shaded."))
        due_hint.setStyleSheet("color: palette(dark);")
        due_layout.addWidget(due_hint)
        due_layout.addWidget(self._due_table, 1)

        # Most failed items.
        self._family = QComboBox()
        self._failed_model = FailedItemsTableModel(self)
        self._failed_table = _table(self._failed_model, "checks.failed")
        self._failed_table.setWordWrap(True)
        self._failed_model.modelReset.connect(self._failed_table.resizeRowsToContents)  # sorted too
        failed = QWidget()
        failed_layout = QVBoxLayout(failed)
        failed_layout.setContentsMargins(0, 0, 0, 0)
        family_row = QHBoxLayout()
        family_label = QLabel(_("Checklist"))
        family_label.setBuddy(self._family)
        family_row.addWidget(family_label)
        family_row.addWidget(self._family, 1)
        failed_hint = QLabel(
            _("Items answered Not OK in the checks finished in the period: what to explain better.")
        )
        failed_hint.setStyleSheet("color: palette(dark);")
        failed_hint.setWordWrap(True)
        family_row.addWidget(failed_hint, 2)
        failed_layout.addLayout(family_row)
        failed_layout.addWidget(self._failed_table, 1)

        self._tabs = QTabWidget()
        self._tabs.addTab(self._splitter, _("Checks"))
        self._tabs.addTab(due, _("Due"))
        self._tabs.addTab(failed, _("Most failed items"))

        # Two rows, so every combo shows its whole text in Spanish too.
        filters = QHBoxLayout()
        second_row = QHBoxLayout()
        rows = (
            (filters, _("Result"), self._result),
            (filters, _("Category"), self._category),
            (filters, _("Product"), self._product),
            (second_row, _("Rep"), self._rep),
            (second_row, _("Period"), self._period),
        )
        for row, caption, widget in rows:
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            label = QLabel(caption)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(4)
        filters.addStretch(1)
        second_row.addWidget(self._from)
        second_row.addWidget(self._to)
        second_row.addStretch(1)
        second_row.addWidget(self._count)
        buttons = QHBoxLayout()
        for button in (self._open_button, self._print_button, self._run_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self._export_button)
        buttons.addWidget(self._new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(second_row)
        layout.addLayout(buttons)
        layout.addWidget(self._tabs, 1)

        # Wiring.
        for combo in (self._result, self._product, self._rep, self._family):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self._category.currentIndexChanged.connect(self._on_category_current_index_changed)
        self._period.currentIndexChanged.connect(self._on_period_current_index_changed)
        self._from.dateChanged.connect(self._on_filter_changed)
        self._to.dateChanged.connect(self._on_filter_changed)
        self._tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._due_table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._table.doubleClicked.connect(self.open_selected)
        self._due_table.doubleClicked.connect(self.run_selected_due)
        self._new_button.clicked.connect(self.create_new)
        self._open_button.clicked.connect(self.open_selected)
        self._print_button.clicked.connect(self.print_selected)
        self._run_button.clicked.connect(self.run_selected_due)
        self._export_button.clicked.connect(self.export_list)
        for table, slot in ((self._table, self.open_selected), (self._due_table, self.run_selected_due)):
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shortcut = QShortcut(QKeySequence(key), table)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(slot)
        for sequence, slot in (("Ctrl+P", self.print_selected), ("F5", self.refresh)):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self.refresh()

    # --- for the main window and tests ---------------------------------------------------------

    @property
    def model(self) -> ChecksTableModel:
        return self._model

    @property
    def due_model(self) -> DueChecksTableModel:
        return self._due_model

    @property
    def failed_model(self) -> FailedItemsTableModel:
        return self._failed_model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def due_table(self) -> QTableView:
        return self._due_table

    @property
    def result_filter(self) -> QComboBox:
        return self._result

    @property
    def category_filter(self) -> QComboBox:
        return self._category

    @property
    def product_filter(self) -> QComboBox:
        return self._product

    @property
    def rep_filter(self) -> QComboBox:
        return self._rep

    @property
    def period_filter(self) -> QComboBox:
        return self._period

    @property
    def family_filter(self) -> QComboBox:
        return self._family

    @property
    def unit_history(self) -> HistoryTable:
        return self._unit_history

    @property
    def customer_history(self) -> HistoryTable:
        return self._customer_history

    def show_tab(self, tab: int) -> None:
        self._tabs.setCurrentIndex(tab)

    def current_tab(self) -> int:
        return self._tabs.currentIndex()

    def current_filter(self) -> CheckFilter:
        start, end = self._period_range()
        return CheckFilter(
            result=self._result.currentData(),
            category_id=self._category.currentData(),
            product_id=self._product.currentData(),
            rep_id=self._rep.currentData(),
            start=start,
            end=end,
        )

    def export_list(self) -> bool:
        """Every check of the filters (the Checks tab's list), as XLSX or CSV."""
        if self.current_tab() != LIST:
            return False
        filters = self.current_filter()
        export_list(self, ListKind.CHECKS, lambda: exports.checks_table(filters))
        return True

    def selected_check(self) -> CheckRow | None:
        rows = self._table.selectionModel().selectedRows()
        return self._model.row_at(rows[0].row()) if rows else None

    def selected_due(self):
        rows = self._due_table.selectionModel().selectedRows()
        return self._due_model.row_at(rows[0].row()) if rows else None

    def select_check(self, check_id: int) -> bool:
        row = self._model.row_of(check_id)
        while row < 0 and self._model.canFetchMore():
            self._model.fetchMore()
            row = self._model.row_of(check_id)
        if row < 0:
            return False
        self._table.selectionModel().setCurrentIndex(
            self._model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        return [("due", lambda: self.show_tab(DUE)), ("failed-items", lambda: self.show_tab(FAILED))]

    # --- Page ---------------------------------------------------------------------------------

    def activate(self) -> None:
        self.refresh()

    def create_new(self) -> bool:
        sold_unit_id = StartCheckDialog.ask(self)
        if sold_unit_id is not None:
            self._after(
                check_dialogs.run_usage_check(
                    self, sold_unit_id, self.context.acting_rep_id, clock=self._clock
                )
            )
        return True

    def refresh(self) -> None:
        selected = self.selected_check()
        self._fill_families()
        self._model.set_filter(self.current_filter())
        self._due_model.set_rep(self._rep.currentData())
        self._failed_model.set_rows(self._failed_rows())
        total = self._model.total_count()
        self._tabs.setTabText(LIST, _("Checks") + f" ({format_number(total)})")
        due = self._due_model.total_count()
        self._tabs.setTabText(DUE, _("Due") + f" ({format_number(due)})" if due else _("Due"))
        self._size_columns()
        if selected is not None:
            self.select_check(selected.id)
        self._update_count()
        self._on_selection_changed()

    # --- filters ------------------------------------------------------------------------------

    def _fill_categories(self) -> None:
        self._category.blockSignals(True)
        self._category.clear()
        self._category.addItem(_("All categories"), None)
        for category in list_categories():
            self._category.addItem(category.name, category.id)
        self._category.blockSignals(False)

    def _fill_products(self) -> None:
        current = self._product.currentData()
        self._product.blockSignals(True)
        self._product.clear()
        self._product.addItem(_("All products"), None)
        for product in list_products(active_only=False, category_id=self._category.currentData()):
            self._product.addItem(product.name, product.id)
        self._product.setCurrentIndex(max(0, self._product.findData(current)))
        self._product.blockSignals(False)

    def _fill_reps(self) -> None:
        rep = self.context.current_rep
        self._rep.blockSignals(True)
        self._rep.addItem(_("All reps"), None)
        for other in list_reps():
            self._rep.addItem(other.name, other.id)
        if rep is not None and self._rep.findData(rep.id) < 0:
            self._rep.addItem(rep.name, rep.id)
        default = rep.id if rep is not None and not self.context.is_manager else None
        self._rep.setCurrentIndex(max(0, self._rep.findData(default)))
        self._rep.blockSignals(False)

    def _fill_families(self) -> None:
        current = self._family.currentData()
        self._family.blockSignals(True)
        self._family.clear()
        self._family.addItem(_("All checklists"), None)
        for family in check_service.template_families():
            self._family.addItem(family.name, family.family)
        self._family.setCurrentIndex(max(0, self._family.findData(current)))
        self._family.blockSignals(False)

    def _apply_period(self, today: dt.date) -> None:
        days = PERIODS[self._period.currentIndex()][1]
        custom = days == 0
        self._from.setVisible(custom)
        self._to.setVisible(custom)
        if custom:
            return
        for edit in (self._from, self._to):
            edit.blockSignals(True)
        if days is None:
            self._from.setDate(to_qdate(dt.date(2000, 1, 1)))
        elif days == -1:
            self._from.setDate(to_qdate(dt.date(today.year, 1, 1)))
        else:
            self._from.setDate(to_qdate(today - dt.timedelta(days=days)))
        self._to.setDate(to_qdate(today))
        for edit in (self._from, self._to):
            edit.blockSignals(False)

    def _period_range(self) -> tuple[dt.date | None, dt.date | None]:
        days = PERIODS[self._period.currentIndex()][1]
        if days is None:
            return None, None
        return from_qdate(self._from.date()), from_qdate(self._to.date())

    def set_period(self, start: dt.date, end: dt.date) -> None:
        """Custom dates (for tests and callers that know the period)."""
        self._period.setCurrentIndex(len(PERIODS) - 1)
        for edit, value in ((self._from, start), (self._to, end)):
            edit.blockSignals(True)
            edit.setDate(to_qdate(value))
            edit.blockSignals(False)
        self.refresh()

    def _on_filter_changed(self, *args) -> None:
        self.refresh()

    def _on_category_current_index_changed(self, *args) -> None:
        self._fill_products()
        self.refresh()

    def _on_period_current_index_changed(self, *args) -> None:
        self._apply_period(self._clock().date())
        self.refresh()

    def _on_tabs_current_changed(self, *args) -> None:
        self._size_columns()
        self._update_count()
        self._on_selection_changed()

    def _failed_rows(self):
        f = self.current_filter()
        return check_service.most_failed_items(
            f.start, f.end, self._family.currentData(), category_id=f.category_id, rep_id=f.rep_id
        )

    def _update_count(self) -> None:
        tab = self.current_tab()
        if tab == LIST:
            total = self._model.total_count()
            text = ngettext("{count} check", "{count} checks", total).format(count=format_number(total))
        elif tab == DUE:
            total = self._due_model.total_count()
            text = ngettext("{count} check due", "{count} checks due", total).format(
                count=format_number(total)
            )
        else:
            total = self._failed_model.rowCount()
            text = ngettext("{count} item", "{count} items", total).format(count=format_number(total))
        self._count.setText(text)

    def _size_columns(self) -> None:
        """The columns' widths are the lists' own (app/views/list_layout.py); the wrapped items of the
        short most-failed list take the height they need."""
        if self.current_tab() == FAILED:
            self._failed_table.resizeRowsToContents()

    # --- selection and commands ---------------------------------------------------------------

    def _on_selection_changed(self, *args) -> None:
        tab = self.current_tab()
        row = self.selected_check()
        self._open_button.setVisible(tab == LIST)
        self._print_button.setVisible(tab == LIST)
        self._run_button.setVisible(tab == DUE)
        self._export_button.setVisible(tab == LIST)
        gate(self._open_button, self.open_refusal(row), enabled=row is not None)
        self._print_button.setEnabled(row is not None and row.completed_at is not None)
        due = self.selected_due()
        gate(self._run_button, self.run_refusal(due), enabled=due is not None)
        if row is None:
            self._unit_history.set_rows([], None)
            self._customer_history.set_rows([], None)
            return
        self._unit_box.setTitle(
            _("This product's checks: {product}").format(
                product=unit_text(row.product_name, row.serial_number)
            )
        )
        self._customer_box.setTitle(
            _("This customer's checks: {customer}").format(customer=row.customer_name)
        )
        self._unit_history.set_rows(check_service.unit_history(row.sold_unit_id), row.id)
        self._customer_history.set_rows(check_service.customer_history(row.customer_id), row.id)

    def _after(self, result) -> None:
        self.refresh()
        if result is not None:
            self.select_check(result.check_id)

    def open_refusal(self, row: CheckRow | None) -> str | None:
        """Why the person may not resume this draft (None: they may; a finished check only opens to
        be read): a rep changes only what is theirs or their customer's."""
        if row is None or row.completed_at is not None:
            return None
        return self.context.change_refusal(row.rep_id, row.customer_rep_id)

    def run_refusal(self, due: AgendaRow | None) -> str | None:
        """Why the person may not run the check of this planned follow-up: finishing it completes the
        follow-up, which a rep changes only when it is theirs or their customer's."""
        return self.context.change_refusal(due.rep_id, due.customer_rep_id) if due is not None else None

    def open_selected(self, *args) -> None:
        row = self.selected_check()
        if row is None:
            return
        if (refusal := self.open_refusal(row)) is not None:  # Enter or a double click
            explain_refusal(self, refusal)
            return
        result = check_dialogs.open_check(self, row.id, self.context.acting_rep_id, clock=self._clock)
        self.refresh()
        self.select_check(result.check_id if result is not None else row.id)

    def run_selected_due(self, *args) -> None:
        row = self.selected_due()
        if row is None or row.sold_unit_id is None:
            return
        if (refusal := self.run_refusal(row)) is not None:  # Enter or a double click
            explain_refusal(self, refusal)
            return
        self._after(
            check_dialogs.run_usage_check(
                self, row.sold_unit_id, self.context.acting_rep_id, follow_up_id=row.id, clock=self._clock
            )
        )

    def print_selected(self) -> None:
        row = self.selected_check()
        if row is None or row.completed_at is None:
            return
        perform(self, lambda: check_dialogs.print_check_record(self, row.id))
