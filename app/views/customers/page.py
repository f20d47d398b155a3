"""The Customers page: search as you type, the lazily loaded list, and the actions on a customer."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_number, ngettext
from app.models.enums import Segment
from app.services import customers as customer_service
from app.services.value import compute_segments, formula_text
from app.views.customers.customer_360 import fit_columns
from app.views.customers.customer_dialog import CustomerDialog
from app.views.customers.sale_dialog import SaleDialog
from app.views.customers.table_model import NAME, SEGMENT, CustomerTableModel, SegmentBadgeDelegate
from app.views.dialogs import confirm
from app.views.errors import show_error
from app.views.events import CUSTOMERS, SALES, notify_changed
from app.views.pages.base import AppContext, Page, count_label, empty_state_label, search_timer
from app.views.tasks import run_in_background


class CustomerListPage(Page):
    data_kinds = frozenset({CUSTOMERS, SALES})

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, batch_size: int = 100):
        super().__init__(context, parent)
        self._model = CustomerTableModel(self, batch_size=batch_size)

        self._search = QLineEdit()
        self._search.setPlaceholderText(_("Search by name, code, tax ID, e-mail, phone or city"))
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(340)
        self._show_archived = QCheckBox(_("Show archived"))
        self._count = count_label()
        self._search_timer = search_timer(self)

        self._new_button = QPushButton(_("New customer"))
        self._new_button.setToolTip(_("Add a customer (Ctrl+N)"))
        self._edit_button = QPushButton(_("Edit"))
        self._archive_button = QPushButton(_("Archive"))
        self._sale_button = QPushButton(_("Record sale"))
        self._open_button = QPushButton(_("Open 360° view"))
        self._open_button.setToolTip(_("Everything about the customer (Enter or double click)"))
        self._segments_button = QPushButton(_("Recompute segments"))
        self._segments_button.setToolTip(formula_text())
        self._segments_button.clicked.connect(self._on_segments_button_clicked)

        self._table = QTableView()
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.verticalHeader().hide()
        self._table.setItemDelegateForColumn(SEGMENT, SegmentBadgeDelegate(self._table))
        header = self._table.horizontalHeader()
        header.setSortIndicator(NAME, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self._table.setSortingEnabled(True)

        self._empty = empty_state_label("")
        self._stack = QStackedWidget()
        self._stack.addWidget(self._table)
        self._stack.addWidget(self._empty)

        top = QHBoxLayout()
        top.addWidget(self._search, 1)
        top.addWidget(self._show_archived)
        top.addStretch(0)
        top.addWidget(self._count)
        buttons = QHBoxLayout()
        for button in (self._new_button, self._edit_button, self._archive_button, self._sale_button, self._open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self._segments_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self._stack, 1)

        self._search.textChanged.connect(self._search_timer.start)
        self._search.returnPressed.connect(self._on_search_return_pressed)
        self._search_timer.timeout.connect(self._apply_filter)
        self._show_archived.toggled.connect(self._apply_filter)
        header.sortIndicatorChanged.connect(self._on_header_sort_indicator_changed)
        self._table.doubleClicked.connect(self.open_selected)
        self._table.selectionModel().selectionChanged.connect(self._update_actions)
        self._model.modelReset.connect(self._on_model_reset)
        self._new_button.clicked.connect(self.create_new)
        self._edit_button.clicked.connect(self.edit_selected)
        self._archive_button.clicked.connect(self.toggle_archive_selected)
        self._sale_button.clicked.connect(self.record_sale_for_selected)
        self._open_button.clicked.connect(self.open_selected)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self._table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.open_selected)

        self._sized_columns = False
        self._apply_filter()

    # --- for the main window and tests ---------------------------------------

    @property
    def model(self) -> CustomerTableModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    @property
    def show_archived_box(self) -> QCheckBox:
        return self._show_archived

    def empty_state_text(self) -> str:
        """The sentence shown instead of the table, '' while the table is shown."""
        return self._empty.text() if self._stack.currentWidget() is self._empty else ""

    def focus_search(self) -> bool:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()
        return True

    def create_new(self) -> bool:
        rep = self.context.current_rep
        try:
            customer_id = CustomerDialog.ask(
                self,
                None,
                acting_rep_id=self.context.acting_rep_id,
                default_rep_id=rep.id if rep is not None and not rep.is_manager else None,
            )
        except Exception as exc:  # noqa: BLE001 (shown to the user)
            show_error(self, exc)
            return True
        if customer_id is not None:
            self._after_change({CUSTOMERS}, customer_id)
        return True

    def refresh(self) -> None:
        selected = self.selected_customer()
        self._model.reload()
        if selected is not None:
            self.select_customer(selected.id)

    def on_data_changed(self, kinds: frozenset[str], initiator: object) -> None:
        if initiator is self:
            return  # this page refreshed itself right after its own command
        super().on_data_changed(kinds, initiator)

    # --- selection --------------------------------------------------------------

    def selected_customer(self) -> customer_service.CustomerRow | None:
        rows = self._table.selectionModel().selectedRows()
        return self._model.customer_at(rows[0].row()) if rows else None

    def select_customer(self, customer_id: int) -> bool:
        """Select and show the customer's row, loading further batches if needed."""
        row = self._model.row_of(customer_id)
        while row < 0 and self._model.canFetchMore():
            self._model.fetchMore()
            row = self._model.row_of(customer_id)
        if row < 0:
            return False
        index = self._model.index(row, NAME)
        self._table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self._table.scrollTo(index)
        return True

    # --- actions ---------------------------------------------------------------

    def edit_selected(self) -> None:
        customer = self.selected_customer()
        if customer is None:
            return
        try:
            saved = CustomerDialog.ask(self, customer.id, acting_rep_id=self.context.acting_rep_id)
        except Exception as exc:  # noqa: BLE001 (e.g. deleted meanwhile; shown to the user)
            show_error(self, exc)
            return
        if saved is not None:
            self._after_change({CUSTOMERS}, customer.id)

    def toggle_archive_selected(self) -> None:
        customer = self.selected_customer()
        if customer is None:
            return
        if customer.archived:
            question = _("Restore {name}? The customer will appear in the list again.").format(name=customer.name)
            command = customer_service.restore_customer
        else:
            question = _(
                "Archive {name}? The customer leaves the list; sales and history are kept and "
                "the customer can be restored with “Show archived”."
            ).format(name=customer.name)
            command = customer_service.archive_customer
        if not confirm(self, question):
            return
        try:
            command(customer.id, self.context.acting_rep_id)
        except Exception as exc:  # noqa: BLE001 (shown to the user)
            show_error(self, exc)
            return
        self._after_change({CUSTOMERS}, customer.id)

    def record_sale_for_selected(self) -> None:
        customer = self.selected_customer()
        if customer is None:
            return
        try:
            sale_id = SaleDialog.ask(self, customer.id, rep_id=self.context.acting_rep_id)
        except Exception as exc:  # noqa: BLE001 (shown to the user)
            show_error(self, exc)
            return
        if sale_id is not None:
            self._after_change({SALES}, customer.id)

    def open_selected(self) -> None:
        customer = self.selected_customer()
        if customer is None:
            return
        self.open_customer(customer.id)

    # --- internals --------------------------------------------------------------

    def _on_segments_button_clicked(self) -> None:
        """ABC segmentation by value over the last 24 months, in the background (a second on 100k)."""
        today = dt.date.today()
        acting = self.context.acting_rep_id

        def done(summary) -> None:
            self._after_change({CUSTOMERS}, None)
            counts = ", ".join(
                f"{segment.value}: {format_number(summary.counts.get(segment, 0))}" for segment in Segment
            )
            message = _("Segments recomputed — {counts}").format(counts=counts)
            self._count.setToolTip(message)
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(message, 10000)

        run_in_background(
            lambda progress: compute_segments(today, acting_rep_id=acting),
            done,
            label=_("Recomputing customer segments…"),
            parent=self,
        )

    def _after_change(self, kinds: set[str], select_id: int | None) -> None:
        self.refresh()
        if select_id is not None and not self.select_customer(select_id):
            # Archived customers are hidden unless asked for: nothing to select then.
            self._update_actions()
        notify_changed(kinds, self)

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        selected = self.selected_customer()
        self._model.set_filter(self._search.text(), self._show_archived.isChecked())
        if selected is not None and self._model.row_of(selected.id) >= 0:
            self.select_customer(selected.id)  # still listed: keep it selected

    def _on_search_return_pressed(self) -> None:
        self._apply_filter()
        if self._model.rowCount() > 0:
            self._table.setFocus()
            if self.selected_customer() is None:
                self._table.selectRow(0)

    def _on_header_sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        if not self._model.is_sortable(column):
            # Only code, name, city, segment and rep sort in SQL; put the arrow back.
            header = self._table.horizontalHeader()
            QTimer.singleShot(0, lambda: header.setSortIndicator(self._model.sort_column(), self._model.sort_order()))

    def _on_model_reset(self) -> None:
        total = self._model.total_count()
        self._count.setText(
            ngettext("{count} customer", "{count} customers", total).format(count=format_number(total))
        )
        if total:
            self._stack.setCurrentWidget(self._table)
            if not self._sized_columns:
                fit_columns(self._table, NAME)
                self._table.setColumnWidth(SEGMENT, max(44, self._table.columnWidth(SEGMENT)))
                self._sized_columns = True
        else:
            self._empty.setText(self._empty_text())
            self._stack.setCurrentWidget(self._empty)
        self._update_actions()

    def _empty_text(self) -> str:
        text = self._model.filter_text.strip()
        if customer_service.count_customers("", include_archived=True) == 0:
            return _("There are no customers yet.\nPress “New customer” (Ctrl+N) to add the first one.")
        if text:
            message = _("No customer matches “{text}”.").format(text=text)
            if not self._model.include_archived:
                message += "\n" + _("Tick “Show archived” to search archived customers too.")
            return message
        return _("Every customer is archived. Tick “Show archived” to see them.")

    def _update_actions(self, *args) -> None:
        customer = self.selected_customer()
        has = customer is not None
        self._edit_button.setEnabled(has)
        self._archive_button.setEnabled(has)
        self._open_button.setEnabled(has)
        self._sale_button.setEnabled(has and not customer.archived)
        self._archive_button.setText(_("Restore") if has and customer.archived else _("Archive"))
