"""The usage checks page's lists: checks done and drafted, checks due, and the most failed items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.i18n import N_, _, format_date, format_datetime, format_number, format_percent
from app.models import now as wall_clock_now
from app.models.customers import fold_for_search
from app.models.enums import CheckStatus
from app.services import checks as check_service
from app.services.checks import CheckFilter, CheckRow, FailedItemRow, result_text
from app.services.followups import AgendaRow
from app.views.list_layout import ColumnLayout
from app.views.table_models import BatchedTableModel, ParentIndex

ID_ROLE = Qt.ItemDataRole.UserRole
PASS_COLOUR = "#1e7b34"
FAIL_COLOUR = "#b00020"
OVERDUE_BACKGROUND = "#fdecea"


def score_text(score: float | None) -> str:
    return format_percent(score, 0) if score is not None else ""


def unit_text(product: str, serial: str) -> str:
    return _("{product} (serial {serial})").format(product=product, serial=serial) if serial else product


def _header(titles, section: int, orientation: Qt.Orientation, role: int):
    if (
        orientation == Qt.Orientation.Horizontal
        and role == Qt.ItemDataRole.DisplayRole
        and 0 <= section < len(titles)
    ):
        return _(titles[section])
    return None


# --- checks done and drafted ---------------------------------------------------------------

DATE, CUSTOMER, PRODUCT, CHECKLIST, REP, RESULT, SCORE = range(7)
CHECK_COLUMNS = (
    N_("Date"),
    N_("Customer"),
    N_("Product"),
    N_("Checklist"),
    N_("Rep"),
    N_("Result"),
    N_("Score"),
)


class ChecksTableModel(BatchedTableModel):
    """Checks matching a `CheckFilter`, newest first, read in batches."""

    columns = ColumnLayout(
        widths=(17, 24, 26, 18, 15, 9, 6), stretch=PRODUCT, sort=(DATE, Qt.SortOrder.DescendingOrder)
    )
    sort_keys = {
        DATE: "date",
        CUSTOMER: "customer",
        PRODUCT: "product",
        CHECKLIST: "checklist",
        REP: "rep",
        RESULT: "result",
        SCORE: "score",
    }

    def __init__(self, parent=None, batch_size: int = 200):
        super().__init__(parent, batch_size)
        self._filter: CheckFilter | None = None

    def set_filter(self, check_filter: CheckFilter | None) -> None:
        self._filter = check_filter
        self._reload(self._batch_size)

    @property
    def check_filter(self) -> CheckFilter | None:
        return self._filter

    def _count(self) -> int:
        return check_service.count_checks(self._filter) if self._filter is not None else 0

    def _fetch(self, offset: int, limit: int) -> list[CheckRow]:
        if self._filter is None:
            return []
        return check_service.list_checks(self._filter, offset, limit, sort=self.list_sort())

    def columnCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(CHECK_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        return _header(CHECK_COLUMNS, section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: CheckRow = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == CUSTOMER:
                return f"{row.customer_name} ({row.customer_code})"
            if column == PRODUCT:
                return unit_text(row.product_name, row.serial_number)
            if column == CHECKLIST:
                return _("{name} (version {version})").format(
                    name=row.template_name, version=row.template_version
                )
            return None
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == RESULT
            and row.status is CheckStatus.COMPLETED
        ):
            return QBrush(QColor(PASS_COLOUR if row.passed else FAIL_COLOUR))
        if role == Qt.ItemDataRole.FontRole and column == RESULT:
            font = QFont()
            font.setBold(row.status is CheckStatus.COMPLETED and not row.passed)
            font.setItalic(row.status is CheckStatus.DRAFT)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SCORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: CheckRow, column: int) -> str:
        if column == DATE:
            return format_datetime(row.when)
        if column == CUSTOMER:
            return row.customer_name
        if column == PRODUCT:
            return unit_text(row.product_name, row.serial_number)
        if column == CHECKLIST:
            return row.template_name
        if column == REP:
            return row.rep_name
        if column == RESULT:
            return result_text(row.status, row.passed)
        return score_text(row.score)


# --- checks due -------------------------------------------------------------------------------

DUE_WHEN, DUE_CUSTOMER, DUE_PRODUCT, DUE_KIND, DUE_REP = range(5)
DUE_COLUMNS = (N_("Planned for"), N_("Customer"), N_("Product"), N_("Kind"), N_("Rep"))


class DueChecksTableModel(BatchedTableModel):
    """Planned correct-use follow-ups (from the plans), oldest first; overdue ones are shaded."""

    columns = ColumnLayout(
        widths=(17, 26, 30, 14, 16), stretch=DUE_PRODUCT, sort=(DUE_WHEN, Qt.SortOrder.AscendingOrder)
    )
    sort_keys = {
        DUE_WHEN: "time",
        DUE_CUSTOMER: "customer",
        DUE_PRODUCT: "product",
        DUE_KIND: "kind",
        DUE_REP: "rep",
    }

    def __init__(self, parent=None, batch_size: int = 200, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(parent, batch_size)
        self._clock = clock or wall_clock_now
        self._rep_id: int | None = None
        self._loaded = False
        self._now = self._clock()

    def set_rep(self, rep_id: int | None) -> None:
        self._rep_id = rep_id
        self._loaded = True
        self._reload(self._batch_size)

    def _before_reload(self) -> None:
        self._now = self._clock()

    def _count(self) -> int:
        return check_service.count_checks_due(self._rep_id) if self._loaded else 0

    def _fetch(self, offset: int, limit: int) -> list[AgendaRow]:
        if not self._loaded:
            return []
        return check_service.checks_due(self._rep_id, None, offset, limit, self._now, sort=self.list_sort())

    def columnCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(DUE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        return _header(DUE_COLUMNS, section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: AgendaRow = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == DUE_WHEN:
                return format_datetime(row.scheduled_at)
            if column == DUE_CUSTOMER:
                return row.customer_name
            if column == DUE_PRODUCT:
                return unit_text(row.product_name, row.serial_number)
            if column == DUE_KIND:
                return row.kind.label
            return row.rep_name
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.BackgroundRole and row.overdue:
            return QBrush(QColor(OVERDUE_BACKGROUND))
        if role == Qt.ItemDataRole.ToolTipRole and column == DUE_WHEN and row.overdue:
            return _("Overdue since {date}").format(date=format_date(row.scheduled_at))
        return None


# --- most failed items -----------------------------------------------------------------------

F_CHECKLIST, F_ITEM, F_NOT_OK, F_RATE, F_TRAINED = range(5)
FAILED_COLUMNS = (N_("Checklist"), N_("Item"), N_("Not OK"), N_("Failure rate"), N_("Trained on site"))


class FailedItemsTableModel(QAbstractTableModel):
    """The items answered Not OK most often (a short list: no batches needed, sorted here)."""

    columns = ColumnLayout(widths=(22, 40, 9, 9, 10), stretch=F_ITEM)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._given: list[FailedItemRow] = []  # the service's order: most failed first
        self._rows: list[FailedItemRow] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: list[FailedItemRow]) -> None:
        self.beginResetModel()
        self._given = list(rows)
        self._rows = self._sorted()
        self.endResetModel()

    @staticmethod
    def is_sortable(column: int) -> bool:
        return 0 <= column < len(FAILED_COLUMNS)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order) if self.is_sortable(column) else None
        self.beginResetModel()
        self._rows = self._sorted()
        self.endResetModel()

    def _sorted(self) -> list[FailedItemRow]:
        if self._sort is None:
            return list(self._given)
        column, order = self._sort
        keys = {
            F_CHECKLIST: lambda r: fold_for_search(r.template_name),
            F_ITEM: lambda r: fold_for_search(r.question),
            F_NOT_OK: lambda r: r.not_ok,
            F_RATE: lambda r: r.failure_rate,
            F_TRAINED: lambda r: r.trained,
        }
        return sorted(self._given, key=keys[column], reverse=order == Qt.SortOrder.DescendingOrder)

    def row_at(self, row: int) -> FailedItemRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(FAILED_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        return _header(FAILED_COLUMNS, section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == F_CHECKLIST:
                return row.template_name
            if column == F_ITEM:
                return (
                    _("{question} (critical)").format(question=row.question) if row.critical else row.question
                )
            if column == F_NOT_OK:
                return _("{count} of {total}").format(
                    count=format_number(row.not_ok), total=format_number(row.applicable)
                )
            if column == F_RATE:
                return format_percent(row.failure_rate, 0)
            return format_number(row.trained)
        if role == Qt.ItemDataRole.ToolTipRole and column == F_ITEM:
            return row.question
        if role == Qt.ItemDataRole.ForegroundRole and column == F_ITEM and row.critical:
            return QBrush(QColor(FAIL_COLOUR))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (F_NOT_OK, F_RATE, F_TRAINED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
