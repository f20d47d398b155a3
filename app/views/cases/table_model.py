"""The cases list as a table model loaded batch by batch; filters and order are the service's SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from app.i18n import N_, _, format_date, ngettext
from app.models.enums import CaseStage
from app.services.cases import CaseDeadlines, CaseFilter, CaseRow, case_deadlines, count_cases, list_cases
from app.views.agenda.table_model import OVERDUE_BACKGROUND, OVERDUE_TEXT
from app.views.list_layout import ColumnLayout
from app.views.table_models import BatchedTableModel

ID_ROLE = Qt.ItemDataRole.UserRole

NUMBER, RECEIVED, KIND, STAGE, DAYS, CUSTOMER, CATEGORY, CHANNEL, REP = range(9)
COLUMN_TITLES = (
    N_("Number"),
    N_("Received"),
    N_("Type"),
    N_("Stage"),
    N_("Days"),
    N_("Customer"),
    N_("Category"),
    N_("Channel"),
    N_("Rep"),
)


def stage_text(row: CaseRow) -> str:
    """'Service', 'Closed': the stage's label, never its code."""
    return row.stage.label


def deadline_text(row: CaseRow, today: dt.date) -> str:
    """Why a case is late, or when its next target falls."""
    if row.first_answer_on is None:
        due, what = row.first_answer_due, _("first answer")
    elif row.closed_on is None:
        due, what = row.resolution_due, _("resolution")
    else:
        return ngettext("Closed in {count} day", "Closed in {count} days", row.days_open).format(
            count=row.days_open
        )
    late = (today - due).days
    if late > 0:
        return ngettext(
            "Overdue: {what} was due on {date}, {count} day ago",
            "Overdue: {what} was due on {date}, {count} days ago",
            late,
        ).format(what=what, date=format_date(due), count=late)
    return _("Target for the {what}: {date}").format(what=what, date=format_date(due))


class CaseTableModel(BatchedTableModel):
    """The cases matching a CaseFilter, newest first, `batch_size` rows at a time."""

    column_titles = COLUMN_TITLES
    header_tips = {DAYS: N_("Days since reception (until closing)")}
    # Beside the detail panel: category, channel and rep (in the detail) start hidden.
    columns = ColumnLayout(
        widths=(13, 10, 11, 18, 3, 24, 14, 12, 14),
        stretch=CUSTOMER,
        hidden=frozenset({CATEGORY, CHANNEL, REP}),
        sort=(RECEIVED, Qt.SortOrder.DescendingOrder),
    )
    sort_keys = {
        NUMBER: "number",
        RECEIVED: "received",
        KIND: "kind",
        STAGE: "stage",
        DAYS: "days",
        CUSTOMER: "customer",
        CATEGORY: "category",
        CHANNEL: "channel",
        REP: "rep",
    }

    def __init__(self, parent=None, batch_size: int = 100, today: Callable[[], dt.date] | None = None):
        super().__init__(parent, batch_size)
        self._today_source = today or dt.date.today
        self._today = self._today_source()
        self._filter = CaseFilter()
        self._deadlines: CaseDeadlines | None = None

    def set_filter(self, filters: CaseFilter) -> None:
        self._filter = filters
        self._reload(self._batch_size)

    @property
    def filter(self) -> CaseFilter:
        return self._filter

    @property
    def today(self) -> dt.date:
        return self._today

    def _before_reload(self) -> None:
        self._today = self._today_source()  # overdue is judged against the day of this reading
        self._deadlines = case_deadlines()

    def _count(self) -> int:
        return count_cases(self._filter, today=self._today, deadlines=self._deadlines)

    def _fetch(self, offset: int, limit: int) -> list[CaseRow]:
        return list_cases(
            self._filter,
            today=self._today,
            offset=offset,
            limit=limit,
            deadlines=self._deadlines,
            sort=self.list_sort(),
        )

    # --- the model interface ------------------------------------------------

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: CaseRow = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (DAYS, STAGE, RECEIVED):
                return deadline_text(row, self._today)
            if column == CUSTOMER:
                return f"{row.customer_name} ({row.customer_code})"
            if column == NUMBER and row.customer_words:
                return row.customer_words
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.overdue and column in (NUMBER, STAGE, DAYS):
                return QBrush(QColor(OVERDUE_TEXT))
            if row.stage is CaseStage.CLOSED:
                palette = QGuiApplication.palette()
                return QBrush(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(OVERDUE_BACKGROUND)) if row.overdue else None
        if role == Qt.ItemDataRole.FontRole and row.overdue and column in (NUMBER, STAGE, DAYS):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DAYS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    @staticmethod
    def _display(row: CaseRow, column: int) -> str:
        if column == NUMBER:
            return row.number
        if column == RECEIVED:
            return format_date(row.received_on)
        if column == KIND:
            return row.kind.label
        if column == STAGE:
            return stage_text(row)
        if column == CUSTOMER:
            return row.customer_name
        if column == CATEGORY:
            return row.category.label if row.category is not None else ""
        if column == CHANNEL:
            return row.channel.label
        if column == DAYS:
            return str(row.days_open)
        return row.rep_name
