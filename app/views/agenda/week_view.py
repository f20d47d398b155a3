"""The week grid: seven day columns (Monday to Sunday) of follow-up cards; drag a card to move it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QMimeData, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDrag, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_number, format_time, ngettext
from app.models.enums import FollowUpKind, FollowUpState
from app.services.followups import AgendaRow, can_transition
from app.views.agenda.table_model import (
    OVERDUE_BACKGROUND,
    OVERDUE_TEXT,
    contact_tooltip,
    kind_text,
    state_text,
)
from app.views.customers.table_model import SEGMENT_COLOURS

MIME_TYPE = "application/x-postventa-follow-up"
ID_ROLE = Qt.ItemDataRole.UserRole  # the follow-up id; 0 on the "and N more" item
MORE_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_COLOURS = {
    FollowUpKind.CALL: "#1565c0",
    FollowUpKind.VISIT: "#ef6c00",
    FollowUpKind.VIDEO: "#6a1b9a",
    FollowUpKind.EMAIL: "#00838f",
    FollowUpKind.TELEMARKETING: "#5d4037",
}


# A glyph per kind keeps the purpose readable in a narrow card (the stripe has the kind's colour).
KIND_GLYPHS = {
    FollowUpKind.CALL: "☎",
    FollowUpKind.VISIT: "⌂",
    FollowUpKind.VIDEO: "▶",
    FollowUpKind.EMAIL: "✉",
    FollowUpKind.TELEMARKETING: "☏",
}


# A rep's colour on the cards when several reps' agendas are shown: picked by the rep's id, so
# one rep keeps one colour from week to week.
REP_COLOURS = ("#37474f", "#ad1457", "#2e7d32", "#4527a0", "#c62828", "#00695c", "#6d4c41", "#283593")


def rep_initials(name: str) -> str:
    """ "Lucía Martín Peña" → "LM": the first letters of the first two words (one word: two letters)."""
    words = [word for word in name.split() if word[:1].isalpha()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()


def rep_colour(rep_id: int | None) -> str:
    return REP_COLOURS[(rep_id or 0) % len(REP_COLOURS)]


def two_lines(metrics: QFontMetrics, text: str, width: int) -> tuple[str, str]:
    """`text` broken at a space to fit two lines of `width`; the second line elided if needed."""
    if metrics.horizontalAdvance(text) <= width:
        return text, ""
    words = text.split(" ")
    first = words[0]
    rest_at = 1
    for index in range(1, len(words)):
        candidate = " ".join(words[: index + 1])
        if metrics.horizontalAdvance(candidate) > width:
            break
        first, rest_at = candidate, index + 1
    if metrics.horizontalAdvance(first) > width:  # one long word: cut it
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width), ""
    rest = " ".join(words[rest_at:])
    return first, metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def follow_up_mime(follow_up_id: int) -> QMimeData:
    mime = QMimeData()
    mime.setData(MIME_TYPE, QByteArray(str(follow_up_id).encode("ascii")))
    return mime


def follow_up_id_of(mime: QMimeData) -> int | None:
    if not mime.hasFormat(MIME_TYPE):
        return None
    try:
        return int(bytes(mime.data(MIME_TYPE).data()).decode("ascii"))
    except ValueError:
        return None


def can_move(row: AgendaRow) -> bool:
    """The service's transition table decides: only a follow-up that may stay planned moves."""
    return can_transition(row.state, FollowUpState.PLANNED)


def no_refusal(row: AgendaRow) -> str | None:
    return None


class FollowUpCardDelegate(QStyledItemDelegate):
    """A card per follow-up: time and segment badge, customer, kind; overdue cards in red."""

    PADDING = 6

    def __init__(self, row_of: Callable[[int], AgendaRow | None], parent: QWidget | None = None):
        super().__init__(parent)
        self._row_of = row_of  # items hold ids; the rows stay in Python (no objects in QVariants)
        self.show_rep = False  # several reps' agendas shown: each card says whose it is

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802 (Qt override)
        metrics = QFontMetrics(option.font)
        if index.data(MORE_ROLE):
            return QSize(80, metrics.height() + 10)
        return QSize(80, metrics.height() * 4 + 2 * self.PADDING + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        row = self._row_of(index.data(ID_ROLE))
        if row is None:
            super().paint(painter, option, index)
            return
        palette = option.palette
        card = option.rect.adjusted(3, 2, -3, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        finished = row.state is not FollowUpState.PLANNED
        if row.overdue:
            fill = QColor(OVERDUE_BACKGROUND)
        elif finished:
            fill = palette.color(QPalette.ColorRole.Window)
        else:
            fill = palette.color(QPalette.ColorRole.Base)
        border = (
            palette.color(QPalette.ColorRole.Highlight) if selected else palette.color(QPalette.ColorRole.Mid)
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(card, 5, 5)
        stripe = QRect(card.left(), card.top(), 5, card.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(OVERDUE_TEXT if row.overdue else KIND_COLOURS.get(row.kind, "#757575")))
        painter.drawRoundedRect(stripe, 2, 2)

        inner = card.adjusted(self.PADDING + 5, self.PADDING - 2, -self.PADDING, -self.PADDING + 2)
        metrics = QFontMetrics(option.font)
        line = metrics.height()
        text_colour = palette.color(
            QPalette.ColorGroup.Disabled if finished else QPalette.ColorGroup.Active, QPalette.ColorRole.Text
        )
        # Line 1: time (red when overdue) and the segment badge on the right.
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(OVERDUE_TEXT) if row.overdue else text_colour)
        top = QRect(inner.left(), inner.top(), inner.width(), line)
        status = ""
        if row.state is FollowUpState.DONE:
            status = " ✓"
        elif row.state in (FollowUpState.CANCELLED, FollowUpState.MISSED):
            status = " ✗"
        painter.drawText(
            top,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            format_time(row.scheduled_at) + status,
        )
        if row.segment is not None:
            side = line
            badge = QRect(inner.right() - side + 1, inner.top(), side, side)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(SEGMENT_COLOURS[row.segment]))
            painter.drawRoundedRect(badge, 3, 3)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, row.segment.value)
        # Lines 2–3: the customer; line 4: kind glyph and purpose, muted.
        name_font = QFont(option.font)
        name_font.setStrikeOut(row.state is FollowUpState.CANCELLED)
        painter.setFont(name_font)
        painter.setPen(text_colour)
        for number, text in enumerate(two_lines(metrics, row.customer_name, inner.width()), start=1):
            if text:
                painter.drawText(
                    QRect(inner.left(), inner.top() + number * (line + 1), inner.width(), line),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.9))
        painter.setFont(small)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        last = QRect(inner.left(), inner.top() + 3 * (line + 1), inner.width(), line)
        room = inner.width()
        if self.show_rep and row.rep_name:
            # Whose card: the rep's initials in the rep's colour, at the end of the last line.
            initials = rep_initials(row.rep_name)
            pill = QRect(0, 0, QFontMetrics(small).horizontalAdvance(initials) + 8, line)
            pill.moveTopRight(last.topRight())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(rep_colour(row.rep_id)))
            painter.drawRoundedRect(pill, 3, 3)
            painter.setPen(QColor("white"))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, initials)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            room -= pill.width() + 4
        detail = f"{KIND_GLYPHS.get(row.kind, '•')} {row.purpose.label}"
        painter.drawText(
            QRect(last.left(), last.top(), room, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(small).elidedText(detail, Qt.TextElideMode.ElideRight, room),
        )
        painter.restore()


class DayList(QListWidget):
    """One day's cards; accepts cards dragged from another day."""

    follow_up_dropped = Signal(int, object)  # (follow-up id, the date of this column)

    def __init__(
        self,
        day: dt.date,
        parent: QWidget | None = None,
        refusal_of: Callable[[AgendaRow], str | None] = no_refusal,
    ):
        super().__init__(parent)
        self.day = day
        self.refusal_of = refusal_of  # why the person may not move a card (None: they may)
        self._rows: dict[int, AgendaRow] = {}
        self.setItemDelegate(FollowUpCardDelegate(self._rows.get, self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSpacing(0)
        self.setMinimumWidth(96)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def set_rows(self, rows: list[AgendaRow], more: int) -> None:
        self.clear()
        self._rows.clear()
        for row in rows:
            self._rows[row.id] = row
            item = QListWidgetItem()
            item.setData(ID_ROLE, row.id)
            item.setData(MORE_ROLE, False)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{format_time(row.scheduled_at)} {row.customer_name}"
            )
            item.setToolTip(self._tooltip(row))
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if self._movable(row):
                flags |= Qt.ItemFlag.ItemIsDragEnabled
            item.setFlags(flags)
            self.addItem(item)
        if more > 0:
            item = QListWidgetItem(
                ngettext("and {count} more…", "and {count} more…", more).format(count=format_number(more))
            )
            item.setData(MORE_ROLE, True)
            item.setData(ID_ROLE, 0)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setToolTip(
                _("Choose a rep or a filter, or use the Today or Upcoming list, to see them all.")
            )
            self.addItem(item)

    def _movable(self, row: AgendaRow) -> bool:
        return can_move(row) and self.refusal_of(row) is None

    def _tooltip(self, row: AgendaRow) -> str:
        lines = [
            f"{format_time(row.scheduled_at)} · {kind_text(row)} · {row.purpose.label}",
            contact_tooltip(row),
            _("State: {state}").format(state=state_text(row)),
        ]
        if row.rep_name:
            lines.append(_("Rep: {name}").format(name=row.rep_name))
        if can_move(row):
            refusal = self.refusal_of(row)
            lines.append(refusal or _("Drag to another day to reschedule at the same time."))
        return "\n".join(lines)

    def row_of_item(self, item: QListWidgetItem | None) -> AgendaRow | None:
        return self._rows.get(item.data(ID_ROLE)) if item is not None else None

    def rows(self) -> list[AgendaRow]:
        return [r for i in range(self.count()) if (r := self.row_of_item(self.item(i))) is not None]

    def selected_row(self) -> AgendaRow | None:
        items = self.selectedItems()
        return self.row_of_item(items[0]) if items else None

    def select_follow_up(self, follow_up_id: int) -> bool:
        for i in range(self.count()):
            row = self.row_of_item(self.item(i))
            if row is not None and row.id == follow_up_id:
                self.setCurrentRow(i)
                self.scrollToItem(self.item(i))
                return True
        return False

    # --- drag and drop --------------------------------------------------------

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt override)
        return [MIME_TYPE]

    def mimeData(self, items) -> QMimeData:  # noqa: N802 (Qt override)
        rows = [row for item in items if (row := self.row_of_item(item)) is not None]
        return follow_up_mime(rows[0].id) if rows else QMimeData()

    def startDrag(self, supported_actions) -> None:  # noqa: N802 (Qt override)
        row = self.row_of_item(self.currentItem())
        if row is None or not self._movable(row):
            return
        drag = QDrag(self)
        drag.setMimeData(follow_up_mime(row.id))
        # The grid is rebuilt from the database after the move: Qt must not remove the item itself.
        drag.exec(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, Qt.DropAction.CopyAction)

    def _accepts(self, mime: QMimeData) -> bool:
        return follow_up_id_of(mime) is not None

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._accepts(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._accepts(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt override)
        follow_up_id = follow_up_id_of(event.mimeData())
        if follow_up_id is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        # Finish the drag before the page asks questions (past date) or rebuilds the grid.
        QTimer.singleShot(0, lambda: self.follow_up_dropped.emit(follow_up_id, self.day))

    def drop_mime(self, mime: QMimeData) -> bool:
        """What a drop does, callable directly: announce the follow-up moved onto this day."""
        follow_up_id = follow_up_id_of(mime)
        if follow_up_id is None:
            return False
        self.follow_up_dropped.emit(follow_up_id, self.day)
        return True


class WeekView(QWidget):
    """Monday to Sunday side by side, with week navigation; the page feeds it rows."""

    week_requested = Signal(object)  # the Monday of the week to show
    follow_up_moved = Signal(int, object)  # (follow-up id, new date)
    selection_changed = Signal()
    follow_up_activated = Signal(int)  # double click
    context_menu_requested = Signal(object)  # global QPoint

    def __init__(
        self, parent: QWidget | None = None, refusal_of: Callable[[AgendaRow], str | None] = no_refusal
    ):
        """`refusal_of(row)`: why the person may not move that follow-up (None: they may drag it)."""
        super().__init__(parent)
        self._monday = monday_of(dt.date.today())
        self._today = dt.date.today()
        self._previous = QPushButton("‹ " + _("Previous week"))
        self._current = QPushButton(_("This week"))
        self._next = QPushButton(_("Next week") + " ›")
        self._title = QLabel()
        self._title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self._notice = QLabel()
        self._notice.setStyleSheet("color: palette(dark);")
        self._notice.setWordWrap(True)
        navigation = QHBoxLayout()
        navigation.addWidget(self._previous)
        navigation.addWidget(self._current)
        navigation.addWidget(self._next)
        navigation.addSpacing(12)
        navigation.addWidget(self._title)
        navigation.addStretch(1)
        navigation.addWidget(self._notice)

        self._headers: list[QLabel] = []
        self._lists: list[DayList] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        for column in range(7):
            header = QLabel()
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            header.setTextFormat(Qt.TextFormat.RichText)
            day_list = DayList(self._monday + dt.timedelta(days=column), refusal_of=refusal_of)
            day_list.follow_up_dropped.connect(self.follow_up_moved)
            day_list.itemSelectionChanged.connect(
                lambda day_list=day_list: self._on_day_list_selection_changed(day_list)
            )
            day_list.itemDoubleClicked.connect(self._on_day_list_item_double_clicked)
            day_list.customContextMenuRequested.connect(
                lambda pos, day_list=day_list: self.context_menu_requested.emit(
                    day_list.viewport().mapToGlobal(pos)
                )
            )
            grid.addWidget(header, 0, column)
            grid.addWidget(day_list, 1, column)
            grid.setColumnStretch(column, 1)
            self._headers.append(header)
            self._lists.append(day_list)
        grid.setRowStretch(1, 1)
        self._empty = QLabel()
        self._empty.setTextFormat(Qt.TextFormat.PlainText)  # user text
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setStyleSheet("color: palette(mid); font-size: 15px; padding: 8px;")
        self._empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(navigation)
        layout.addWidget(self._empty)
        layout.addLayout(grid, 1)

        self._previous.clicked.connect(lambda: self.week_requested.emit(self._monday - dt.timedelta(days=7)))
        self._next.clicked.connect(lambda: self.week_requested.emit(self._monday + dt.timedelta(days=7)))
        self._current.clicked.connect(lambda: self.week_requested.emit(monday_of(self._today)))
        self._previous.setToolTip(_("Show the week before"))
        self._next.setToolTip(_("Show the week after"))

    # --- filling ------------------------------------------------------------------

    @property
    def monday(self) -> dt.date:
        return self._monday

    def days(self) -> list[dt.date]:
        return [self._monday + dt.timedelta(days=n) for n in range(7)]

    def set_week(
        self,
        monday: dt.date,
        rows_by_day: dict[dt.date, list[AgendaRow]],
        counts: dict[dt.date, int],
        today: dt.date,
        closed_days: set[dt.date] | frozenset[dt.date] = frozenset(),
        empty_text: str = "",
        *,
        show_reps: bool = False,
        capacity: int | None = None,
    ) -> None:
        """`show_reps`: several reps' agendas are shown, each card says whose it is. `capacity`: one
        rep's agenda, each day's planned follow-ups are shown against it (the placement's limit)."""
        self._monday, self._today = monday, today
        sunday = monday + dt.timedelta(days=6)
        self._title.setText(
            _("{first} – {last}").format(
                first=format_date(monday, "d MMM"), last=format_date(sunday, "d MMM yyyy")
            )
        )
        self._current.setEnabled(monday != monday_of(today))
        total = sum(counts.get(day, 0) for day in self.days())
        shown = sum(len(rows_by_day.get(day, [])) for day in self.days())
        self._notice.setText(
            _("Showing {shown} of {total} follow-ups: choose a rep or a filter to see fewer.").format(
                shown=format_number(shown), total=format_number(total)
            )
            if shown < total
            else ""
        )
        self._empty.setText(empty_text if total == 0 else "")
        self._empty.setVisible(total == 0 and bool(empty_text))
        for day, header, day_list in zip(self.days(), self._headers, self._lists, strict=True):
            day_list.day = day
            day_list.itemDelegate().show_rep = show_reps  # type: ignore[attr-defined]
            rows = rows_by_day.get(day, [])
            day_list.set_rows(rows, counts.get(day, 0) - len(rows))
            count = counts.get(day, 0)
            weekday = format_date(day, "EEE d MMM")
            count_text = (
                f" <span style='color: palette(dark); font-weight: 400;'>· {format_number(count)}</span>"
                if count
                else ""
            )
            load = ""
            if capacity is not None and day not in closed_days and day >= today:
                planned = sum(1 for row in rows if row.state is FollowUpState.PLANNED)
                colour = "#c62828" if planned > capacity else "palette(dark)"
                load = (
                    f"<br/><span style='color: {colour}; font-weight: 400; font-size: 11px;'>"
                    + _("{planned} of {capacity} planned").format(
                        planned=format_number(planned), capacity=format_number(capacity)
                    )
                    + "</span>"
                )
            header.setText(f"<b>{weekday}</b>{count_text}{load}")
            if day == today:
                header.setStyleSheet(
                    "background: palette(highlight); color: palette(highlighted-text); border-radius: 4px; padding: 3px;"
                )
                header.setText(f"<b>{weekday}</b>" + (f" · {format_number(count)}" if count else "") + load)
            elif day in closed_days:
                header.setStyleSheet("color: palette(mid); padding: 3px;")
            else:
                header.setStyleSheet("padding: 3px;")
            header.setToolTip(_("Holiday or weekend") if day in closed_days else "")
            day_list.setStyleSheet(
                "QListWidget { background: palette(window); }" if day in closed_days else ""
            )

    # --- access for the page and tests --------------------------------------------

    def day_list(self, day: dt.date) -> DayList:
        return self._lists[(day - self._monday).days]

    def day_lists(self) -> list[DayList]:
        return list(self._lists)

    def header_text(self, day: dt.date) -> str:
        return self._headers[(day - self._monday).days].text()

    def rows(self) -> list[AgendaRow]:
        return [row for day_list in self._lists for row in day_list.rows()]

    def empty_text(self) -> str:
        return self._empty.text() if not self._empty.isHidden() else ""

    def selected_row(self) -> AgendaRow | None:
        for day_list in self._lists:
            row = day_list.selected_row()
            if row is not None:
                return row
        return None

    def select_follow_up(self, follow_up_id: int) -> bool:
        return any(day_list.select_follow_up(follow_up_id) for day_list in self._lists)

    def focus_list(self) -> None:
        target = next((d for d in self._lists if d.selectedItems()), None)
        target = target or next((d for d in self._lists if d.day == self._today), self._lists[0])
        target.setFocus()

    # --- slots ----------------------------------------------------------------------

    def _on_day_list_selection_changed(self, source: DayList) -> None:
        if source.selectedItems():
            for other in self._lists:
                if other is not source and other.selectedItems():
                    other.blockSignals(True)
                    other.clearSelection()
                    other.blockSignals(False)
                    other.viewport().update()
        self.selection_changed.emit()

    def _on_day_list_item_double_clicked(self, item: QListWidgetItem) -> None:
        follow_up_id = item.data(ID_ROLE)
        if follow_up_id:
            self.follow_up_activated.emit(follow_up_id)
