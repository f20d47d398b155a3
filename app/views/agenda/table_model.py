"""The agenda list (Today, Overdue, Upcoming) as a table model loaded batch by batch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from app.i18n import N_, _, format_date, format_datetime, format_time, ngettext
from app.models import now as wall_clock_now
from app.models.enums import FollowUpState
from app.services.followups import AgendaRow
from app.services.followups.agenda import AgendaWindow, agenda_batch, count_agenda
from app.views.customers.table_model import SEGMENT_COLOURS
from app.views.list_layout import ColumnLayout
from app.views.table_models import BatchedTableModel

ID_ROLE = Qt.ItemDataRole.UserRole
OVERDUE_TEXT = "#b00020"
OVERDUE_BACKGROUND = "#fdecea"

TIME, SEGMENT, CUSTOMER, PHONE, KIND, PURPOSE, PRODUCT, STATE, REP = range(9)
COLUMN_TITLES = (
    N_("Time"),
    N_("Seg."),
    N_("Customer"),
    N_("Phone"),
    N_("Kind"),
    N_("Purpose"),
    N_("Product"),
    N_("State"),
    N_("Rep"),
)

SORT_KEYS = {
    TIME: "time",
    SEGMENT: "segment",
    CUSTOMER: "customer",
    PHONE: "phone",
    KIND: "kind",
    PURPOSE: "purpose",
    PRODUCT: "product",
    STATE: "state",
    REP: "rep",
}


def column_layout(time_chars: int) -> ColumnLayout:
    """The list's columns for a tab whose time column holds `time_chars` characters ("10:30" today,
    "02/12/2026 10:30" overdue): each tab keeps its own widths."""
    return ColumnLayout(
        widths=(time_chars, 3, 24, 13, 13, 17, 18, 13, 15),
        stretch=CUSTOMER,
        sort=(TIME, Qt.SortOrder.AscendingOrder),
    )


# --- texts shared by the list, the week grid and the detail panel ----------------------


def phones_text(row: AgendaRow) -> str:
    return " / ".join(p for p in (row.phone, row.mobile) if p)


def product_text(row: AgendaRow) -> str:
    if row.product_name and row.serial_number:
        return _("{product} (serial {serial})").format(product=row.product_name, serial=row.serial_number)
    return row.product_name or row.serial_number


def kind_text(row: AgendaRow) -> str:
    if row.attempt > 1:
        return _("{kind} (attempt {number})").format(kind=row.kind.label, number=row.attempt)
    return row.kind.label


def state_text(row: AgendaRow) -> str:
    """'Overdue', 'Planned', 'Done – Not reached', 'Cancelled': labels, never codes."""
    if row.overdue:
        return _("Overdue")
    if row.outcome is not None and row.state in (FollowUpState.DONE, FollowUpState.MISSED):
        return _("{state} – {outcome}").format(state=row.state.label, outcome=row.outcome.label)
    return row.state.label


# How the time column shows a follow-up's moment.
TIME_ONLY, WEEKDAY_AND_TIME, DATE_AND_TIME = "time", "weekday", "date"


def when_text(row: AgendaRow, style: str) -> str:
    """'10:30' (today), 'Tue 24/11 10:30' (the coming days) or '09/09/2024 10:30' (long ago)."""
    if style == TIME_ONLY:
        return format_time(row.scheduled_at)
    if style == WEEKDAY_AND_TIME:
        return f"{format_date(row.scheduled_at, 'EEE dd/MM')} {format_time(row.scheduled_at)}"
    return format_datetime(row.scheduled_at)


def lateness_text(row: AgendaRow, now: dt.datetime) -> str:
    days = (now.date() - row.scheduled_at.date()).days
    if days <= 0:
        return _("Planned for {time}, earlier today").format(time=format_time(row.scheduled_at))
    return ngettext(
        "Planned for {time}, {count} day ago", "Planned for {time}, {count} days ago", days
    ).format(time=format_datetime(row.scheduled_at), count=days)


def contact_tooltip(row: AgendaRow) -> str:
    """Phone, e-mail and address of the customer on separate lines."""
    lines = [row.customer_name]
    phones = phones_text(row)
    if phones:
        lines.append(_("Phone: {phone}").format(phone=phones))
    if row.email:
        lines.append(_("E-mail: {email}").format(email=row.email))
    if row.address:
        lines.append(_("Address: {address}").format(address=row.address))
    return "\n".join(lines)


def is_finished(row: AgendaRow) -> bool:
    return row.state is not FollowUpState.PLANNED


# --- the model ------------------------------------------------------------------------------


class AgendaTableModel(BatchedTableModel):
    """The follow-ups of an `AgendaWindow`, fetched `batch_size` rows at a time as the view scrolls."""

    sort_keys = SORT_KEYS

    def __init__(self, parent=None, batch_size: int = 200, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(parent, batch_size)
        self._clock = clock or wall_clock_now
        self._window: AgendaWindow | None = None
        self._now = self._clock()
        self._time_style = DATE_AND_TIME

    # --- what is shown ------------------------------------------------------

    def set_window(self, window: AgendaWindow | None, *, time_style: str = DATE_AND_TIME) -> None:
        """Show the window's follow-ups from the top; `time_style` says how the time column reads."""
        self._window = window
        self._time_style = time_style
        self._reload(self._batch_size)

    def _before_reload(self) -> None:
        self._now = self._clock()  # overdue is judged against the time of this reading

    def _count(self) -> int:
        return count_agenda(self._window) if self._window is not None else 0

    def _fetch(self, offset: int, limit: int) -> list[AgendaRow]:
        if self._window is None:
            return []
        return agenda_batch(self._window, offset, limit, self._now, sort=self.list_sort())

    @property
    def window(self) -> AgendaWindow | None:
        return self._window

    def all_rows(self) -> list[AgendaRow]:
        """Every row of the window, loading what is not loaded yet (for the calendar export)."""
        while self.canFetchMore():
            self.fetchMore()
        return list(self._rows)

    # --- the model interface ------------------------------------------------

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMN_TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMN_TITLES):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMN_TITLES[section])
        if role == Qt.ItemDataRole.ToolTipRole and section == SEGMENT:
            return _("Segment by customer value: A top, B middle, C low")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == SEGMENT:
                return QBrush(QColor("white")) if row.segment else None
            if row.overdue and column in (TIME, STATE):
                return QBrush(QColor(OVERDUE_TEXT))
            if is_finished(row):
                palette = QGuiApplication.palette()
                return QBrush(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == SEGMENT:
                return QBrush(QColor(SEGMENT_COLOURS[row.segment])) if row.segment else None
            return QBrush(QColor(OVERDUE_BACKGROUND)) if row.overdue else None
        if role == Qt.ItemDataRole.FontRole:
            if column == SEGMENT or (row.overdue and column in (TIME, STATE)):
                font = QFont()
                font.setBold(True)
                return font
            if row.state is FollowUpState.CANCELLED:
                font = QFont()
                font.setStrikeOut(column == CUSTOMER)
                font.setItalic(True)
                return font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SEGMENT:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _display(self, row: AgendaRow, column: int) -> str:
        if column == TIME:
            return when_text(row, self._time_style)
        if column == SEGMENT:
            return row.segment.value if row.segment else ""
        if column == CUSTOMER:
            return row.customer_name
        if column == PHONE:
            return row.phone or row.mobile  # both in the tooltip and the detail panel
        if column == KIND:
            return kind_text(row)
        if column == PURPOSE:
            return row.purpose.label
        if column == PRODUCT:
            return product_text(row)
        if column == STATE:
            return state_text(row)
        return row.rep_name

    def _tooltip(self, row: AgendaRow, column: int) -> str | None:
        if column == SEGMENT:
            return row.segment.label if row.segment else _("No segment computed yet")
        if column in (CUSTOMER, PHONE):
            return contact_tooltip(row)
        if column == TIME:
            return lateness_text(row, self._now) if row.overdue else format_datetime(row.scheduled_at)
        if column == STATE and row.overdue:
            return lateness_text(row, self._now)
        if column == STATE and row.state is FollowUpState.CANCELLED and row.cancel_reason:
            return _("Cancelled: {reason}").format(reason=row.cancel_reason)
        if column == STATE and row.notes:
            return row.notes
        return None
