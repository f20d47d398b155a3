"""The open conflicts as a list: the record, the field and what happened."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.i18n import N_, _
from app.sync.labels import ConflictView

ParentIndex = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole

RECORD, FIELD, KIND = range(3)
COLUMN_TITLES = (N_("Which record"), N_("Field"), N_("Kind"))


class ConflictsTableModel(QAbstractTableModel):
    """A few rows (one a conflict), read whole in a background task and handed over with `set_rows`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ConflictView] = []

    def set_rows(self, rows: list[ConflictView]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ConflictView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, conflict_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == conflict_id), -1)

    def rowCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMN_TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMN_TITLES):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMN_TITLES[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.record, row.field, row.kind_label)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.record_kind}: {row.record}\n{row.when}\n{row.explanation}"
        if role == ID_ROLE:
            return row.id
        return None
