"""The returns list as a table model loaded batch by batch, and the texts shared by the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from app.i18n import N_, _, format_date, format_number, ngettext
from app.services.returns import (
    FINISHED_STATES,
    ReturnFilter,
    ReturnRow,
    count_returns,
    list_returns,
)
from app.services.sales.warranty import WarrantyStatus, warranty_text
from app.views.list_layout import ColumnLayout
from app.views.table_models import BatchedTableModel

ID_ROLE = Qt.ItemDataRole.UserRole
OVERDUE_TEXT = "#b00020"
OVERDUE_BACKGROUND = "#fdecea"
OUT_OF_WARRANTY_TEXT = "#8a5a00"

NUMBER, REPORTED, DAYS_OPEN, STATE, CUSTOMER, PRODUCT, REASON, WARRANTY, REP = range(9)
COLUMN_TITLES = (
    N_("Number"),
    N_("Requested"),
    N_("Days open"),
    N_("State"),
    N_("Customer"),
    N_("Product"),
    N_("Reason"),
    N_("Warranty"),
    N_("Rep"),
)


def unit_text(product_name: str, serial_number: str) -> str:
    if product_name and serial_number:
        return _("{product} (serial {serial})").format(product=product_name, serial=serial_number)
    return product_name or serial_number


def short_warranty_text(row: ReturnRow) -> str:
    return _("Under warranty") if row.under_warranty else _("Out of warranty")


def days_open_text(row: ReturnRow) -> str:
    return format_number(row.days_open)


def deadline_text(row: ReturnRow, today: dt.date) -> str:
    """'Due 05/12/2026 (12 days left)', 'Overdue since 05/12/2026', 'Resolved on …'."""
    if row.state in FINISHED_STATES or row.resolved_on is not None:
        if row.resolved_on is not None:
            return _("Resolved on {date}").format(date=format_date(row.resolved_on))
        return _("Closed on {date}").format(date=format_date(row.closed_on))
    if row.overdue:
        late = (today - row.due_on).days
        return ngettext(
            "Overdue: due {date}, {count} day ago", "Overdue: due {date}, {count} days ago", late
        ).format(date=format_date(row.due_on), count=format_number(late))
    left = (row.due_on - today).days
    return ngettext("Due {date} ({count} day left)", "Due {date} ({count} days left)", left).format(
        date=format_date(row.due_on), count=format_number(left)
    )


class ReturnsTableModel(BatchedTableModel):
    """Returns matching a ReturnFilter, newest request first, fetched `batch_size` rows at a time."""

    column_titles = COLUMN_TITLES
    header_tips = {DAYS_OPEN: N_("Days since the request (until closing); overdue returns are highlighted")}
    # Beside the detail panel: reason, warranty and rep (in the detail) start hidden.
    columns = ColumnLayout(
        widths=(13, 10, 4, 14, 24, 18, 14, 12, 14),
        stretch=CUSTOMER,
        hidden=frozenset({REASON, WARRANTY, REP}),
        sort=(REPORTED, Qt.SortOrder.DescendingOrder),
    )
    sort_keys = {
        NUMBER: "number",
        REPORTED: "reported",
        DAYS_OPEN: "days_open",
        STATE: "state",
        CUSTOMER: "customer",
        PRODUCT: "product",
        REASON: "reason",
        WARRANTY: "warranty",
        REP: "rep",
    }

    def __init__(self, parent=None, batch_size: int = 200, today: Callable[[], dt.date] | None = None):
        super().__init__(parent, batch_size)
        self._today_source = today or dt.date.today
        self._today = self._today_source()
        self._filters = ReturnFilter()

    def set_filters(self, filters: ReturnFilter) -> None:
        self._filters = filters
        self._reload(self._batch_size)

    @property
    def filters(self) -> ReturnFilter:
        return self._filters

    def _before_reload(self) -> None:
        self._today = self._today_source()

    def _count(self) -> int:
        return count_returns(self._filters, self._today)

    def _fetch(self, offset: int, limit: int) -> list[ReturnRow]:
        return list_returns(self._filters, offset, limit, self._today, sort=self.list_sort())

    # --- the model interface ------------------------------------------------

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: ReturnRow = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == WARRANTY:
                return warranty_text(WarrantyStatus(row.under_warranty, row.warranty_days))
            if column in (DAYS_OPEN, STATE):
                return deadline_text(row, self._today)
            if column == PRODUCT:
                return unit_text(row.product_name, row.serial_number)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.overdue and column in (DAYS_OPEN, STATE):
                return QBrush(QColor(OVERDUE_TEXT))
            if column == WARRANTY and not row.under_warranty:
                return QBrush(QColor(OUT_OF_WARRANTY_TEXT))
            if row.state in FINISHED_STATES:
                palette = QGuiApplication.palette()
                return QBrush(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(OVERDUE_BACKGROUND)) if row.overdue else None
        if role == Qt.ItemDataRole.FontRole and row.overdue and column in (DAYS_OPEN, STATE):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DAYS_OPEN:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def _display(self, row: ReturnRow, column: int) -> str:
        if column == NUMBER:
            return row.number
        if column == REPORTED:
            return format_date(row.reported_on)
        if column == CUSTOMER:
            return row.customer_name
        if column == PRODUCT:
            return unit_text(row.product_name, row.serial_number)
        if column == REASON:
            return row.reason.label
        if column == STATE:
            return _("{state} – overdue").format(state=row.state.label) if row.overdue else row.state.label
        if column == WARRANTY:
            return short_warranty_text(row)
        if column == DAYS_OPEN:
            return days_open_text(row)
        return row.rep_name
