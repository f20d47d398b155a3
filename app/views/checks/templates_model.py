"""The editable items of a checklist template: question, guidance for the rep, critical flag.

The model holds plain ItemInput drafts; every rule (no items, duplicate questions, length) lives
in app.services.checks and the model only shows its messages on the rows they concern.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.i18n import N_, _
from app.services.checks import ItemInput

ERROR_BACKGROUND = "#fde7e9"
QUESTION, GUIDANCE, CRITICAL = range(3)
COLUMNS = (N_("Question"), N_("Guidance for the rep"), N_("Critical"))
FIELDS = {QUESTION: "question", GUIDANCE: "guidance"}


class TemplateItemsTableModel(QAbstractTableModel):
    """The items being edited, in order; every change emits `dataChanged` or a row signal."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list[ItemInput] = []
        self._read_only = False
        self._problems: dict[int, str] = {}

    # --- content ------------------------------------------------------------------

    def set_items(self, items, read_only: bool = False) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._read_only = read_only
        self._problems = {}
        self.endResetModel()

    def items(self) -> list[ItemInput]:
        return list(self._items)

    def insert_row(self, row: int, item: ItemInput | None = None) -> int:
        row = row if 0 <= row <= len(self._items) else len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.insert(row, item or ItemInput(""))
        self._problems = {}
        self.endInsertRows()
        self._refresh_all()
        return row

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self._items):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self._problems = {}
        self.endRemoveRows()
        self._refresh_all()

    def move_row(self, row: int, delta: int) -> int:
        target = row + delta
        if delta not in (-1, 1) or not 0 <= row < len(self._items) or not 0 <= target < len(self._items):
            return row
        destination = target if delta < 0 else target + 1
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._items.insert(target, self._items.pop(row))
        self._problems = {}
        self.endMoveRows()
        self._refresh_all()
        return target

    # --- the service's messages -----------------------------------------------------

    def set_errors(self, errors: dict[str, str]) -> None:
        """Mark the rows named by the service's keys `items.<index>.<field>`."""
        self._problems = {}
        for key, message in errors.items():
            parts = key.split(".")
            if len(parts) >= 2 and parts[0] == "items" and parts[1].isdigit():
                self._problems[int(parts[1])] = message
        self._refresh_all()

    def clear_errors(self) -> None:
        if self._problems:
            self._problems = {}
            self._refresh_all()

    def problem(self, row: int) -> str:
        return self._problems.get(row, "")

    # --- the model interface ----------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._items):
                return str(section + 1)
            return None
        if not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                QUESTION: _("What the rep verifies with the customer"),
                GUIDANCE: _("What the rep shows or explains when it is not right"),
                CRITICAL: _("A critical item answered Not OK fails the whole check"),
            }.get(section)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._read_only:
            return flags
        if index.column() == CRITICAL:
            return flags | Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemIsEditable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item, column = self._items[index.row()], index.column()
        if column == CRITICAL:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if item.critical else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.problem(index.row()) or _("A critical item answered Not OK fails the whole check")
        elif role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return getattr(item, FIELDS[column])
        elif role == Qt.ItemDataRole.ToolTipRole:
            return self.problem(index.row()) or getattr(item, FIELDS[column]) or None
        if role == Qt.ItemDataRole.BackgroundRole and self.problem(index.row()):
            return QBrush(QColor(ERROR_BACKGROUND))
        return None

    def setData(  # noqa: N802 (Qt override)
        self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if self._read_only or not index.isValid() or not 0 <= index.row() < len(self._items):
            return False
        item, column = self._items[index.row()], index.column()
        if column == CRITICAL and role == Qt.ItemDataRole.CheckStateRole:
            state = value.value if isinstance(value, Qt.CheckState) else value
            new = replace(item, critical=state == Qt.CheckState.Checked.value)
        elif column in FIELDS and role == Qt.ItemDataRole.EditRole and isinstance(value, str):
            new = replace(item, **{FIELDS[column]: value})
        else:
            return False
        if new == item:
            return True
        self._items[index.row()] = new
        if self._problems.pop(index.row(), None):
            self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        self.dataChanged.emit(index, index)
        return True

    def _refresh_all(self) -> None:
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(COLUMNS) - 1))
