"""A kanban-like board: one column per open state with its count and its oldest returns as cards."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_number, ngettext
from app.models.enums import ReturnState
from app.services.returns import (
    FINISHED_STATES,
    OPEN_STATES,
    ReturnFilter,
    ReturnRow,
    counts_by_state,
    list_returns,
)
from app.views.returns.table_model import OVERDUE_BACKGROUND, OVERDUE_TEXT

CARDS_PER_COLUMN = 40
FINISHED_STATES_IN_ORDER = tuple(s for s in ReturnState if s in FINISHED_STATES)
COLUMN_WIDTH = 190
ID_ROLE = Qt.ItemDataRole.UserRole


class ReturnsBoard(QWidget):
    """Columns for the open states; closed and cancelled are counted under the board."""

    return_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._headers: dict[ReturnState, QLabel] = {}
        self._lists: dict[ReturnState, QListWidget] = {}
        self._counts: dict[ReturnState, int] = {}
        columns = QHBoxLayout()
        columns.setSpacing(6)
        for state in OPEN_STATES:
            header = QLabel()
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            header.setWordWrap(True)
            header.setStyleSheet("font-weight: 600; padding: 4px; background: palette(alternate-base);")
            cards = QListWidget()
            cards.setWordWrap(True)
            cards.setSpacing(2)
            cards.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            cards.currentItemChanged.connect(self._on_cards_current_item_changed)
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(header)
            column.addWidget(cards, 1)
            holder = QWidget()
            holder.setLayout(column)
            holder.setFixedWidth(COLUMN_WIDTH)
            columns.addWidget(holder)
            self._headers[state] = header
            self._lists[state] = cards
        columns.addStretch(1)
        inner = QWidget()
        inner.setLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        self._finished = QLabel()
        self._finished.setStyleSheet("color: palette(dark);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self._finished)

    def load(self, filters: ReturnFilter, today: dt.date) -> None:
        """Fill the columns: each state's count and its oldest returns (waiting longest first)."""
        self._counts = counts_by_state(replace(filters, states=()), today)  # every column counted
        for state in OPEN_STATES:
            cards = self._lists[state]
            cards.blockSignals(True)
            cards.clear()
            hidden = bool(filters.states) and state not in filters.states
            rows: list[ReturnRow] = (
                []
                if hidden
                else list_returns(
                    replace(filters, states=(state,)), 0, CARDS_PER_COLUMN, today, oldest_first=True
                )
            )
            for row in rows:
                item = QListWidgetItem(self._card_text(row))
                item.setData(ID_ROLE, row.id)
                item.setToolTip(f"{row.number} · {row.customer_name}\n{row.product_name} {row.serial_number}")
                if row.overdue:
                    item.setBackground(QBrush(QColor(OVERDUE_BACKGROUND)))
                    item.setForeground(QBrush(QColor(OVERDUE_TEXT)))
                cards.addItem(item)
            rest = (0 if hidden else self._counts.get(state, 0)) - len(rows)
            if rest > 0:
                more = QListWidgetItem(_("and {count} more…").format(count=format_number(rest)))
                more.setFlags(Qt.ItemFlag.NoItemFlags)
                cards.addItem(more)
            cards.blockSignals(False)
            self._headers[state].setText(f"{state.label}\n{format_number(self._counts.get(state, 0))}")
        finished = ", ".join(
            _("{state}: {count}").format(state=s.label, count=format_number(self._counts.get(s, 0)))
            for s in FINISHED_STATES_IN_ORDER
        )
        self._finished.setText(_("Finished returns – {list}").format(list=finished))

    @staticmethod
    def _card_text(row: ReturnRow) -> str:
        days = ngettext("{count} day", "{count} days", row.days_open).format(
            count=format_number(row.days_open)
        )
        return f"{row.number} · {days}\n{row.customer_name}\n{row.product_name}"

    def counts(self) -> dict[ReturnState, int]:
        return dict(self._counts)

    def header_text(self, state: ReturnState) -> str:
        return self._headers[state].text()

    def card_ids(self, state: ReturnState) -> list[int]:
        cards = self._lists[state]
        return [
            cards.item(i).data(ID_ROLE)
            for i in range(cards.count())
            if cards.item(i).data(ID_ROLE) is not None
        ]

    def select_return(self, return_id: int) -> bool:
        for cards in self._lists.values():
            for i in range(cards.count()):
                if cards.item(i).data(ID_ROLE) == return_id:
                    cards.setCurrentRow(i)
                    return True
        return False

    def _on_cards_current_item_changed(self, current: QListWidgetItem | None, previous) -> None:
        if current is None or current.data(ID_ROLE) is None:
            return
        sender = self.sender()
        for cards in self._lists.values():  # one selection across the board
            if cards is not sender:
                cards.blockSignals(True)
                cards.setCurrentRow(-1)
                cards.clearSelection()
                cards.blockSignals(False)
        self.return_selected.emit(current.data(ID_ROLE))
