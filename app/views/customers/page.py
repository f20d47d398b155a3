"""The Customers page: search as you type, the lazily loaded list, and the actions on a customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_money, format_number, ngettext
from app.models.customers import fold_for_search
from app.models.enums import FollowUpPurpose, Segment
from app.services import customers as customer_service
from app.services import exports, undo
from app.services.customers.risk import (
    RiskList,
    at_risk,
    loyalty,
    reasons_text,
    risk_list_summary,
    risk_weights_text,
)
from app.services.customers.value import compute_segments, formula_text, segment_distribution
from app.services.exports import ListKind
from app.services.permissions import Right
from app.services.reps import list_reps
from app.views import settings
from app.views.combos import filter_as_you_type
from app.views.customers.actions import CustomerActions, CustomerTarget
from app.views.customers.customer_dialog import CustomerDialog
from app.views.customers.sale_dialog import SaleDialog, show_scheduled_after_sale
from app.views.customers.table_model import (
    NAME,
    SEGMENT,
    SEGMENT_COLOURS,
    CustomerTableModel,
    SegmentBadgeDelegate,
)
from app.views.dialogs import confirm
from app.views.errors import show_error
from app.views.events import CASES, CUSTOMERS, RETURNS, SALES, SETTINGS, SURVEYS, Change
from app.views.exports import export_button, export_list
from app.views.list_layout import ColumnLayout, ListLayout, SortableItem, widget_layout
from app.views.operations import Operation, perform
from app.views.pages.base import AppContext, Page, count_label, empty_state_label, search_timer
from app.views.rights import gate
from app.views.tasks import run_in_background

SEGMENTS_AFTER_SALES_MS = 3000

# The page's lists: every customer (searchable, lazily loaded) and the two retention lists.
ALL, AT_RISK, LOYALTY = range(3)
RISK_ID_ROLE = Qt.ItemDataRole.UserRole  # the retention lists' customer id (on the segment cell)
# Segment, code, name, value, then last purchase and reasons (at risk) or the two satisfactions.
RISK_COLUMNS = ColumnLayout(widths=(3, 10, 26, 11, 11, 30), stretch=5)
LOYALTY_COLUMNS = ColumnLayout(widths=(3, 10, 30, 11, 16, 16), stretch=2)
LIST_LIMIT = 500  # the retention lists show the most valuable customers first, up to this many


class CustomerListPage(Page):
    data_kinds = frozenset({CUSTOMERS, SALES, SURVEYS, CASES, SETTINGS})
    navigate_requested = Signal(str, dict)  # (page key, filters): a new sale's follow-ups in the agenda

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        batch_size: int = 100,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        super().__init__(context, parent)
        self._today = today
        self._model = CustomerTableModel(self, batch_size=batch_size)
        self._mode = ALL
        self._risk_generation = 0
        self._reselect: int | None = None  # the retention list's customer to choose once reloaded
        self.risk_loading = False
        # Sales and refunds change customers' value: segments are recomputed in the background a
        # moment after the last of them (one recomputation for a burst of sales).
        self._segments_timer = QTimer(self)
        self._segments_timer.setSingleShot(True)
        self._segments_timer.setInterval(SEGMENTS_AFTER_SALES_MS)
        self._segments_timer.timeout.connect(lambda: self._recompute_segments(quiet=True))
        self._recomputing = False

        self._mode_bar = QTabBar()
        self._mode_bar.setDrawBase(False)
        self._mode_bar.setExpanding(False)
        self._mode_bar.addTab(_("All customers"))
        self._mode_bar.addTab(_("At risk"))
        self._mode_bar.setTabToolTip(
            AT_RISK,
            _(
                "A and B customers with no purchase for longer than usual, low satisfaction or a "
                "detractor score last time, or an open complaint or claim"
            ),
        )
        self._mode_bar.addTab(_("Loyalty programme candidates"))
        self._mode_bar.setTabToolTip(
            LOYALTY, _("A and B customers with good satisfaction (last or average 4 or 5) and no open claim")
        )
        self._mode_note = QLabel("")
        self._mode_note.setStyleSheet("color: palette(dark);")
        # Above the at-risk list: how many it shows and why in that order.
        self._risk_summary = QLabel("")
        self._risk_summary.setTextFormat(Qt.TextFormat.PlainText)
        self._risk_summary.setWordWrap(True)
        self._risk_summary.setToolTip(risk_weights_text())
        self._risk_summary.setVisible(False)

        self._tag_combo = filter_as_you_type(QComboBox())
        self._tag_combo.setToolTip(_("Only the customers with this need"))
        self._tag_combo.setMinimumContentsLength(14)
        self._segment_combo = QComboBox()
        self._segment_combo.setToolTip(_("Only the customers of this value segment"))
        self._segment_combo.addItem(_("All segments"), None)
        for segment in Segment:
            self._segment_combo.addItem(segment.label, segment)
        self._fill_tags()

        self._search = QLineEdit()
        self._search.setPlaceholderText(_("Search by name, code, tax ID, e-mail, phone or city"))
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(340)
        self._show_archived = QCheckBox(_("Show archived"))
        # Whose customers: a rep ticks "My customers", a manager picks any rep; remembered.
        self._mine = QCheckBox(_("My customers"))
        self._mine.setToolTip(_("Only the customers assigned to you"))
        self._owner_combo = filter_as_you_type(QComboBox())
        self._owner_combo.setToolTip(_("Only the customers assigned to this rep"))
        self._owner_combo.setMinimumContentsLength(20)  # "Todos los comerciales" whole
        self._owner_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
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
        self._export_button = export_button()
        self._export_button.clicked.connect(self.export_list)
        self._retention_button = QPushButton(_("Data retention…"))
        self._retention_button.setToolTip(
            _("Customers without activity for the retention years, due for anonymisation")
        )
        gate(self._retention_button, context.permissions.refusal(Right.PERSONAL_DATA))
        self._retention_button.clicked.connect(self.show_retention)
        # The retention lists' actions on the chosen customer (the 360° view has the same).
        self._actions = CustomerActions(
            self,
            self._list_target,
            acting_rep_id=context.acting_rep_id,
            permissions=context.permissions,
            on_done=self._on_actions_done,
            purpose=FollowUpPurpose.RECOVERY,
            shortcut_context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        # Their own row under the page's buttons, shown with the retention lists only.
        self._actions_bar = QWidget()
        actions_row = QHBoxLayout(self._actions_bar)
        actions_row.setContentsMargins(0, 0, 0, 0)
        for button in self._actions.buttons():
            actions_row.addWidget(button)
        actions_row.addStretch(1)
        self._actions_bar.setVisible(False)
        self._actions.set_enabled(False)

        self._table = QTableView()
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.verticalHeader().hide()
        self._table.setItemDelegateForColumn(SEGMENT, SegmentBadgeDelegate(self._table))
        self._layout = ListLayout(self._table, "customers", CustomerTableModel.columns)

        self._risk_table = QTableWidget(0, 6)
        self._risk_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._risk_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._risk_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._risk_table.setAlternatingRowColors(True)
        self._risk_table.setWordWrap(False)
        self._risk_table.verticalHeader().hide()
        self._risk_table.setItemDelegateForColumn(0, SegmentBadgeDelegate(self._risk_table))
        self._risk_layout = widget_layout(self._risk_table, "customers.at_risk", RISK_COLUMNS)

        self._empty = empty_state_label("")
        self._stack = QStackedWidget()
        self._stack.addWidget(self._table)
        self._stack.addWidget(self._risk_table)
        self._stack.addWidget(self._empty)

        modes = QHBoxLayout()
        modes.addWidget(self._mode_bar)
        modes.addWidget(self._mode_note, 1)
        modes.addWidget(self._owner_combo)  # here, where the filters' row has no room left at 1280 px
        modes.addWidget(self._mine)
        top = QHBoxLayout()
        top.addWidget(self._search, 1)
        top.addWidget(self._tag_combo)
        top.addWidget(self._segment_combo)
        top.addWidget(self._show_archived)
        top.addStretch(0)
        top.addWidget(self._count)
        buttons = QHBoxLayout()
        for button in (
            self._new_button,
            self._edit_button,
            self._archive_button,
            self._sale_button,
            self._open_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self._export_button)
        buttons.addWidget(self._retention_button)
        buttons.addWidget(self._segments_button)
        layout = QVBoxLayout(self)
        layout.addLayout(modes)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self._actions_bar)
        layout.addWidget(self._risk_summary)
        layout.addWidget(self._stack, 1)

        self._search.textChanged.connect(self._search_timer.start)
        self._search.returnPressed.connect(self._on_search_return_pressed)
        self._search_timer.timeout.connect(self._apply_filter)
        self._show_archived.toggled.connect(self._apply_filter)
        self._mine.toggled.connect(self._on_owner_filter_changed)
        self._owner_combo.currentIndexChanged.connect(self._on_owner_filter_changed)
        self._tag_combo.currentIndexChanged.connect(self._apply_filter)
        self._segment_combo.currentIndexChanged.connect(self._apply_filter)
        self._mode_bar.currentChanged.connect(self._on_mode_bar_current_changed)
        self._risk_table.doubleClicked.connect(self.open_selected)
        self._risk_table.itemSelectionChanged.connect(self._update_actions)
        self._table.doubleClicked.connect(self.open_selected)
        self._table.selectionModel().selectionChanged.connect(self._update_actions)
        self._model.modelReset.connect(self._on_model_reset)
        self._new_button.clicked.connect(self.create_new)
        self._edit_button.clicked.connect(self.edit_selected)
        self._archive_button.clicked.connect(self.toggle_archive_selected)
        self._sale_button.clicked.connect(self.record_sale_for_selected)
        self._open_button.clicked.connect(self.open_selected)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            for table in (self._table, self._risk_table):
                shortcut = QShortcut(QKeySequence(key), table)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(self.open_selected)

        self._fill_owner_filter()  # in the layout already: shown, never a window of its own
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

    @property
    def tag_combo(self) -> QComboBox:
        return self._tag_combo

    @property
    def segment_combo(self) -> QComboBox:
        return self._segment_combo

    @property
    def mode(self) -> int:
        """ALL, AT_RISK or LOYALTY."""
        return self._mode

    @property
    def mode_bar(self) -> QTabBar:
        return self._mode_bar

    @property
    def risk_table(self) -> QTableWidget:
        """The at-risk or loyalty list, shown instead of the customer table in those modes."""
        return self._risk_table

    def set_mode(self, mode: int) -> None:
        self._mode_bar.setCurrentIndex(mode)  # → _on_mode_bar_current_changed

    def apply_navigation(self, filters: dict) -> None:
        """{"at_risk": True}, {"loyalty": True}, {"segment": "A"} or {} (every customer, unfiltered)."""
        if filters.get("at_risk"):
            self.set_mode(AT_RISK)
            return
        if filters.get("loyalty"):
            self.set_mode(LOYALTY)
            return
        if filters.get("customer") is not None:
            self.show_customer(filters["customer"], sale_id=filters.get("sale"), unit_id=filters.get("unit"))
            return
        segment = filters.get("segment")
        self._segment_combo.blockSignals(True)
        self._segment_combo.setCurrentIndex(
            max(0, self._segment_combo.findData(Segment(segment) if segment else None))
        )
        self._segment_combo.blockSignals(False)
        self._tag_combo.blockSignals(True)
        self._tag_combo.setCurrentIndex(0)
        self._tag_combo.blockSignals(False)
        self._search.clear()
        if self._mode != ALL:
            self.set_mode(ALL)
        else:
            self._apply_filter()

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("at-risk", lambda: self.set_mode(AT_RISK)),
            ("loyalty", lambda: self.set_mode(LOYALTY)),
        ]

    def empty_state_text(self) -> str:
        """The sentence shown instead of the table, '' while the table is shown."""
        return self._empty.text() if self._stack.currentWidget() is self._empty else ""

    def focus_search(self) -> bool:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()
        return True

    def create_new(self) -> bool:
        rep = self.context.current_rep
        refusal = self.context.refusal(Right.CUSTOMER_ASSIGNMENT)
        if refusal is not None:  # a rep's new customer is theirs (or nobody's), never another's
            default_rep_id = self.context.permissions.rep_id
        else:
            default_rep_id = rep.id if rep is not None and not rep.is_manager else None
        done = Operation(
            _("New customer"),
            lambda: CustomerDialog.ask(
                self,
                None,
                acting_rep_id=self.context.acting_rep_id,
                default_rep_id=default_rep_id,
                assignment_refusal=refusal,
            ),
            lambda customer_id: {CUSTOMERS} if customer_id is not None else (),  # None: cancelled
        ).run(self)
        if done and done.value is not None:
            self._refresh_and_select(done.value)
        return True

    def export_list(self) -> bool:
        """Every customer of the list shown (search, filters and order), or the whole retention list."""
        search, model = self._search.text(), self._model
        if self._mode == ALL:
            shown = (model.filter_text, model.include_archived, model.rep_id, model.need_tag, model.segment)
            text, archived, rep, tag, segment = shown
            order, descending = model.sort_key(), model.sort_order() == Qt.SortOrder.DescendingOrder

            def build() -> exports.Table:
                return exports.customers_table(
                    text,
                    include_archived=archived,
                    rep_id=rep,
                    need_tag=tag,
                    segment=segment,
                    order_by=order,
                    descending=descending,
                )

            export_list(self, ListKind.CUSTOMERS, build)
        elif self._mode == AT_RISK:
            rep_id, today = self._rep_id(), self._today()
            export_list(
                self, ListKind.AT_RISK, lambda: exports.at_risk_table(today, rep_id=rep_id, search=search)
            )
        else:
            rep_id = self._rep_id()
            export_list(self, ListKind.LOYALTY, lambda: exports.loyalty_table(rep_id=rep_id, search=search))
        return True

    def refresh(self) -> None:
        self._fill_tags()
        if self._fill_owner_filter():  # another user, or reps added: whose customers may change
            self._apply_filter()
        self._segments_button.setToolTip(formula_text())  # the expected remaining years may have changed
        if self._mode != ALL:
            self._load_list()
            return
        selected = self.selected_customer()
        self._model.reload()
        if selected is not None:
            self.select_customer(selected.id)

    def on_data_changed(self, kinds: frozenset[Change], initiator: object) -> None:
        if kinds & {SALES, RETURNS}:
            self._segments_timer.start()
        if initiator is self:
            return  # this page refreshed itself right after its own command
        # Surveys, cases and settings change the retention lists, not the customer table.
        if kinds & ({CUSTOMERS, SALES} if self._mode == ALL else self.data_kinds):
            self.refresh()

    # --- selection --------------------------------------------------------------

    def selected_customer(self) -> customer_service.CustomerRow | None:
        """The chosen row of the customer table (None in the retention lists: see selected_customer_id)."""
        if self._mode != ALL:
            return None
        rows = self._table.selectionModel().selectedRows()
        return self._model.customer_at(rows[0].row()) if rows else None

    def selected_customer_id(self) -> int | None:
        if self._mode == ALL:
            customer = self.selected_customer()
            return customer.id if customer is not None else None
        rows = self._risk_table.selectionModel().selectedRows()
        item = self._risk_table.item(rows[0].row(), 0) if rows else None  # rows move when sorted
        return item.data(RISK_ID_ROLE) if item is not None else None

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
        if customer is None or not self.context.may_change(customer.rep_id):
            return
        done = Operation(  # a failure (e.g. deleted meanwhile) goes to the error dialog
            _("Edit customer"),
            lambda: CustomerDialog.ask(
                self,
                customer.id,
                acting_rep_id=self.context.acting_rep_id,
                assignment_refusal=self.context.refusal(Right.CUSTOMER_ASSIGNMENT),
            ),
            lambda saved: {CUSTOMERS} if saved is not None else (),  # None: cancelled
        ).run(self)
        if done and done.value is not None:
            self._refresh_and_select(customer.id)

    def toggle_archive_selected(self) -> None:
        customer = self.selected_customer()
        if customer is None or not self.context.may_change(customer.rep_id):
            return
        if customer.archived:
            question = _("Restore {name}? The customer will appear in the list again.").format(
                name=customer.name
            )
        else:
            question = _(
                "Archive {name}? The customer leaves the list; sales and history are kept and "
                "the customer can be restored with “Show archived”."
            ).format(name=customer.name)
        if not confirm(self, question):
            return
        next_id = self._model.neighbour_id(customer.id)
        if archive_operation(customer.id, self.context.acting_rep_id, archive=not customer.archived).run(
            self
        ):
            # An archived customer leaves the list (unless archived ones are shown): the next one
            # is selected then.
            self._refresh_and_select(customer.id, next_id)

    def record_sale_for_selected(self) -> None:
        customer_id = self.selected_customer_id()
        if customer_id is None:
            return
        done = Operation(
            _("Record sale"),
            lambda: SaleDialog.ask(self, customer_id, rep_id=self.context.acting_rep_id),
            lambda sale_id: {SALES} if sale_id is not None else (),  # None: cancelled
        ).run(self)
        if done and done.value is not None:
            self._refresh_and_select(customer_id)
            self._show_scheduled(done.value)

    def _show_scheduled(self, sale_id: int) -> None:
        """What the new sale's plans scheduled, with the way to its week in the agenda."""
        from app.services.followups import planned_for_sale

        found = perform(self, lambda: planned_for_sale(sale_id))
        if found and show_scheduled_after_sale(self, found.value) and found.value:
            first = found.value[0]
            self.navigate_requested.emit("agenda", {"week_of": first.scheduled_at.date(), "select": first.id})

    def show_retention(self) -> None:
        """The customers due for anonymisation under the retention setting (a manager's)."""
        from app.views.customers.privacy import RetentionDialog

        RetentionDialog.show_list(
            self, acting_rep_id=self.context.acting_rep_id, permissions=self.context.permissions
        )
        self._apply_filter()  # erasures archive customers

    def open_selected(self) -> None:
        customer_id = self.selected_customer_id()
        if customer_id is None:
            return
        self.open_customer(customer_id)

    # --- internals --------------------------------------------------------------

    def _on_segments_button_clicked(self) -> None:
        self._recompute_segments(quiet=False)

    def _recompute_segments(self, quiet: bool) -> None:
        """ABC segmentation by value over the window set in Preferences, in the background (seconds on 100k).

        Asked for (quiet=False): with a progress dialog and errors in a message box. After sales
        (quiet=True): no dialog; the outcome or the reason it could not be done goes to the status bar.
        """
        if self._recomputing:
            self._segments_timer.start()  # once the running one is done
            return
        self._recomputing = True
        today = self._today()
        acting = self.context.acting_rep_id

        def status(message: str) -> None:
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(message, 10000)

        def failed(exc: BaseException) -> None:  # after the error dialog, or instead of it when quiet
            self._recomputing = False
            if quiet:
                status(_("Segments not recomputed: {reason}").format(reason=exc))

        def done(summary) -> None:
            self._recomputing = False
            self._refresh_and_select(None)
            counts = ", ".join(
                f"{segment.value}: {format_number(summary.counts.get(segment, 0))}" for segment in Segment
            )
            message = _("Segments recomputed — {counts}").format(counts=counts)
            self._count.setToolTip(message)
            status(message)

        Operation(
            _("Recompute customer segments"),
            lambda: compute_segments(today, acting_rep_id=acting),
            {CUSTOMERS},
            on_success=done,
            on_failure=failed,
        ).run_in_background(
            self, progress=None if quiet else _("Recomputing customer segments…"), quiet=quiet
        )

    def _refresh_and_select(self, select_id: int | None, next_id: int | None = None) -> None:
        """After the page's own command (its changes are not passed back to it): show them now; when
        `select_id` is no longer listed, `next_id` (the row that followed it) is selected instead."""
        self.refresh()
        if self._mode != ALL:
            return
        if select_id is not None and not self.select_customer(select_id):
            if next_id is None or not self.select_customer(next_id):
                self._update_actions()

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        if self._mode != ALL:
            self._filter_list_rows()
            return
        selected = self.selected_customer()
        self._model.set_filter(
            self._search.text(),
            self._show_archived.isChecked(),
            rep_id=self.owner_rep_id(),
            need_tag=self._tag_combo.currentData(),
            segment=Segment(self._segment_combo.currentData()) if self._segment_combo.currentData() else None,
        )
        if selected is not None and self._model.row_of(selected.id) >= 0:
            self.select_customer(selected.id)  # still listed: keep it selected

    def _on_search_return_pressed(self) -> None:
        self._apply_filter()
        if self._model.rowCount() > 0:
            self._table.setFocus()
            if self.selected_customer() is None:
                self._table.selectRow(0)

    def _on_model_reset(self) -> None:
        if self._mode != ALL:
            return
        total = self._model.total_count()
        self._count.setText(
            ngettext("{count} customer", "{count} customers", total).format(count=format_number(total))
        )
        if total:
            self._stack.setCurrentWidget(self._table)
        else:
            self._empty.setText(self._empty_text())
            self._stack.setCurrentWidget(self._empty)
        self._update_actions()

    def _empty_text(self) -> str:
        text = self._model.filter_text.strip()
        if customer_service.count_customers("", include_archived=True) == 0:
            return _("There are no customers yet.\nPress “New customer” (Ctrl+N) to add the first one.")
        narrowed = [
            _("assigned to {rep}").format(rep=self._owner_name()) if self.owner_rep_id() is not None else "",
            _("with the need “{tag}”").format(tag=self._model.need_tag) if self._model.need_tag else "",
            _("in {segment}").format(segment=self._model.segment.label) if self._model.segment else "",
        ]
        narrowed = " ".join(part for part in narrowed if part)
        if text:
            message = _("No customer matches “{text}”.").format(text=text)
            if narrowed:
                message = _("No customer {filters} matches “{text}”.").format(filters=narrowed, text=text)
            if not self._model.include_archived:
                message += "\n" + _("Tick “Show archived” to search archived customers too.")
            return message
        if narrowed:
            return _("No customer {filters}.").format(filters=narrowed)
        return _("Every customer is archived. Tick “Show archived” to see them.")

    # --- whose customers ---------------------------------------------------------------

    @property
    def mine_box(self) -> QCheckBox:
        """A rep's "My customers" (hidden for a manager)."""
        return self._mine

    @property
    def owner_combo(self) -> QComboBox:
        """A manager's choice of rep (hidden for a rep)."""
        return self._owner_combo

    def owner_rep_id(self) -> int | None:
        """Whose customers the list shows; None: everyone's."""
        if self.context.is_manager:
            return self._owner_combo.currentData()
        return self.context.acting_rep_id if self._mine.isChecked() else None

    def _owner_name(self) -> str:
        if self.context.is_manager:
            return self._owner_combo.currentText()
        return self.context.current_rep.name if self.context.current_rep is not None else ""

    def _show_owner_filter(self, shown: bool = True) -> None:
        manager = self.context.is_manager
        self._owner_combo.setVisible(shown and manager)
        self._mine.setVisible(shown and not manager and self.context.acting_rep_id is not None)

    def _fill_owner_filter(self) -> bool:
        """The rep choices (a manager) or the remembered tick (a rep); True when the filter changed."""
        first = not self._owner_combo.count()
        before = None if first else self.owner_rep_id()
        if first:
            self._mine.blockSignals(True)
            self._mine.setChecked(settings.window_state("customers/mine") in (True, "true"))
            self._mine.blockSignals(False)
        current = settings.window_state("customers/rep") if first else self._owner_combo.currentData()
        self._owner_combo.blockSignals(True)
        self._owner_combo.clear()
        self._owner_combo.addItem(_("All reps"), None)
        for rep in list_reps(include_inactive=True):
            self._owner_combo.addItem(rep.name, rep.id)
        try:
            wanted = int(current) if current not in (None, "") else None
        except (TypeError, ValueError):
            wanted = None
        self._owner_combo.setCurrentIndex(
            max(0, self._owner_combo.findData(wanted)) if wanted is not None else 0
        )
        self._owner_combo.blockSignals(False)
        self._show_owner_filter(self._mode == ALL)
        return self.owner_rep_id() != before

    def _on_owner_filter_changed(self, *args) -> None:
        settings.save_window_state("customers/mine", self._mine.isChecked())
        rep_id = self._owner_combo.currentData()
        settings.save_window_state("customers/rep", "" if rep_id is None else rep_id)
        self._apply_filter()

    def show_customer(
        self, customer_id: int, *, sale_id: int | None = None, unit_id: int | None = None
    ) -> bool:
        """A search hit: the customer selected in the list (found by its code, archived or not);
        a sale or unit opens in its 360° view."""
        customer = customer_service.get_customer(customer_id)
        if self._mode != ALL:
            self.set_mode(ALL)
        filters = (self._search, self._tag_combo, self._segment_combo, self._show_archived, self._mine)
        filters += (self._owner_combo,)
        for widget in filters:
            widget.blockSignals(True)
        self._search.setText(customer.code)
        self._tag_combo.setCurrentIndex(0)
        self._segment_combo.setCurrentIndex(0)
        self._show_archived.setChecked(self._show_archived.isChecked() or customer.archived)
        if self.owner_rep_id() not in (None, customer.rep_id):  # another rep's customer: everyone's
            self._mine.setChecked(False)
            self._owner_combo.setCurrentIndex(0)
        for widget in filters:
            widget.blockSignals(False)
        self._on_owner_filter_changed()  # remembers whose customers, then lists them
        found = self.select_customer(customer_id)
        if sale_id is not None or unit_id is not None:
            self.open_customer(customer_id, sale_id=sale_id, unit_id=unit_id)
        return found

    def _fill_tags(self) -> None:
        """The need-tag filter: every tag in use, keeping the current choice when it still exists."""
        current = self._tag_combo.currentData()
        tags = customer_service.list_need_tags()
        if [self._tag_combo.itemData(i) for i in range(1, self._tag_combo.count())] == tags:
            return
        self._tag_combo.blockSignals(True)
        self._tag_combo.clear()
        self._tag_combo.addItem(_("All needs"), None)
        for tag in tags:
            self._tag_combo.addItem(tag, tag)
        self._tag_combo.setCurrentIndex(max(0, self._tag_combo.findData(current)) if current else 0)
        self._tag_combo.blockSignals(False)

    # --- the retention lists -----------------------------------------------------------

    def _on_mode_bar_current_changed(self, index: int) -> None:
        self._mode = index
        listing = index != ALL
        self._show_archived.setVisible(not listing)
        self._tag_combo.setVisible(not listing)
        self._segment_combo.setVisible(not listing)
        self._show_owner_filter(not listing)
        self._edit_button.setVisible(not listing)
        self._archive_button.setVisible(not listing)
        self._actions_bar.setVisible(listing)
        self._actions.set_enabled(listing)
        self._actions.purpose = FollowUpPurpose.RECOVERY if index == AT_RISK else FollowUpPurpose.COMMERCIAL
        self._search.setPlaceholderText(
            _("Filter this list by name or code")
            if listing
            else _("Search by name, code, tax ID, e-mail, phone or city")
        )
        if listing:
            self._load_list()
        else:
            self._mode_note.setText("")
            self._risk_summary.setVisible(False)
            self._model.reload()
            self._apply_filter()
        self._update_actions()

    def _rep_id(self) -> int | None:
        """A rep sees their own customers in the retention lists; a manager everyone's."""
        return None if self.context.is_manager else self.context.acting_rep_id

    def _load_list(self) -> None:
        self._risk_generation += 1
        generation, mode = self._risk_generation, self._mode
        rep_id, today = self._rep_id(), self._today()
        self.risk_loading = True
        self._count.setText(_("Loading…"))
        self._mode_note.setText("")
        self._risk_summary.setVisible(False)

        def op(_progress):
            if mode == AT_RISK:
                result = at_risk(today, rep_id=rep_id, limit=LIST_LIMIT)
            else:
                result = loyalty(rep_id=rep_id, limit=LIST_LIMIT)
            computed = bool(result.total) or any(segment_distribution().get(s, 0) for s in Segment)
            return result, computed

        def done(result) -> None:
            if generation == self._risk_generation and self._mode == mode:
                self._show_list(*result)

        def failed(exc: BaseException) -> None:
            if generation == self._risk_generation:
                self.risk_loading = False
                self._count.setText("")
                show_error(self, exc)

        run_in_background(op, done, failed, parent=self)

    def _show_list(self, result: RiskList, segments_computed: bool) -> None:
        self.risk_loading = False
        rows = result.rows
        risk = self._mode == AT_RISK
        headers = [_("Seg."), _("Code"), _("Name"), _("Value")]
        headers += (
            [_("Last purchase"), _("Reasons")]
            if risk
            else [_("Last satisfaction"), _("Average satisfaction")]
        )
        table = self._risk_table
        self._risk_layout.use(
            "customers.at_risk" if risk else "customers.loyalty", RISK_COLUMNS if risk else LOYALTY_COLUMNS
        )
        with self._risk_layout.refilling():  # sorted again by the header's column once filled
            table.clearContents()
            table.setRowCount(len(rows))
            table.setHorizontalHeaderLabels(headers)
            for r, row in enumerate(rows):
                segment = SortableItem(row.segment.value)
                segment.setBackground(QColor(SEGMENT_COLOURS[row.segment]))
                segment.setToolTip(row.segment.label)
                segment.setData(RISK_ID_ROLE, row.customer_id)
                value = SortableItem(format_money(row.value), float(row.value))
                value.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if risk:
                    fourth = format_date(row.last_purchase_on) if row.last_purchase_on else _("Never")
                    fourth_value = row.last_purchase_on.toordinal() if row.last_purchase_on else 0
                    fifth, fifth_value = reasons_text(row), None
                else:
                    fourth = (
                        _("{score} of 5").format(score=format_number(row.last_satisfaction))
                        if row.last_satisfaction is not None
                        else "—"
                    )
                    fourth_value = row.last_satisfaction if row.last_satisfaction is not None else -1
                    fifth = (
                        _("{score} of 5").format(score=format_number(row.average_satisfaction, 1))
                        if row.average_satisfaction is not None
                        else "—"
                    )
                    average = row.average_satisfaction
                    fifth_value = float(average) if average is not None else -1.0
                cells = [segment, SortableItem(row.code), SortableItem(row.name), value]
                cells += [SortableItem(fourth, fourth_value), SortableItem(fifth, fifth_value)]
                cells[-1].setToolTip(fifth.replace("; ", "\n") if risk else fifth)
                for c, item in enumerate(cells):
                    table.setItem(r, c, item)
        self._count.setText(
            ngettext("{count} customer", "{count} customers", result.total).format(
                count=format_number(result.total)
            )
        )
        note = ""
        if result.total > len(rows) and not risk:  # the at-risk list says so in its summary line
            note = _("The {shown} most valuable are listed.").format(shown=format_number(len(rows)))
        self._risk_summary.setText(risk_list_summary(result) if risk else "")
        self._risk_summary.setVisible(risk and bool(rows))
        if self._rep_id() is not None:
            note = (_("Your customers.") + " " + note).strip()
        self._mode_note.setText(note)
        if rows:
            self._stack.setCurrentWidget(table)
            self._filter_list_rows()
            reselect, self._reselect = self._reselect, None
            for r in range(table.rowCount()):
                if reselect is not None and table.item(r, 0).data(RISK_ID_ROLE) == reselect:
                    table.selectRow(r)
        else:
            if not segments_computed:
                text = _("The value segments are not computed yet: press “Recompute segments” first.")
            elif risk:
                text = _(
                    "No A or B customer is at risk: every valuable customer buys as usual, is satisfied "
                    "and has no open complaint or claim."
                )
            else:
                text = _(
                    "No loyalty programme candidates yet: no A or B customer has rated us 4 or 5 "
                    "without an open complaint or claim."
                )
            self._empty.setText(text)
            self._stack.setCurrentWidget(self._empty)
        self._update_actions()

    @property
    def actions(self) -> CustomerActions:
        """The retention lists' actions: schedule, case, return, check, reassign."""
        return self._actions

    def _list_target(self) -> CustomerTarget | None:
        """The retention list's chosen customer (its rep is read when reassigning)."""
        if self._mode == ALL:
            return None
        rows = self._risk_table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        table = self._risk_table
        return CustomerTarget(table.item(row, 0).data(RISK_ID_ROLE), table.item(row, 2).text(), None)

    def _on_actions_done(self, _action: str) -> None:
        """After an action from the list: the list again (a case or a reassignment may change it),
        the same customer chosen when it is still listed."""
        self._reselect = self.selected_customer_id()
        self.refresh()

    def _filter_list_rows(self) -> None:
        """The search box narrows the retention lists by name or code (accents ignored)."""
        terms = fold_for_search(self._search.text()).split()
        table = self._risk_table
        for r in range(table.rowCount()):
            text = fold_for_search(f"{table.item(r, 1).text()} {table.item(r, 2).text()}")
            table.setRowHidden(r, not all(term in text for term in terms))

    def _update_actions(self, *args) -> None:
        if self._mode != ALL:
            has = self.selected_customer_id() is not None
            self._open_button.setEnabled(has)
            self._sale_button.setEnabled(has)
            self._actions.update()
            return
        customer = self.selected_customer()
        has = customer is not None
        # A rep changes only their own customers (recording a sale stays open to everyone).
        refusal = self.context.change_refusal(customer.rep_id) if customer is not None else None
        gate(self._edit_button, refusal, enabled=has)
        gate(self._archive_button, refusal, enabled=has)
        self._open_button.setEnabled(has)
        self._sale_button.setEnabled(has and not customer.archived)
        self._archive_button.setText(_("Restore") if has and customer.archived else _("Archive"))


def archive_operation(customer_id: int, acting_rep_id: int | None, *, archive: bool) -> Operation[None]:
    """Archive or restore a customer, undoably (Edit ▸ Undo)."""
    label = _("Archive customer") if archive else _("Restore customer")
    recorder = undo.for_customer(label, customer_id, acting_rep_id)
    command = customer_service.archive_customer if archive else customer_service.restore_customer
    return Operation(
        label, lambda: recorder.run(lambda: command(customer_id, acting_rep_id)), {CUSTOMERS}, undo=recorder
    )
