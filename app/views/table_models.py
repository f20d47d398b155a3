"""The base of every list model: rows read from SQL in batches as the view scrolls.

Qt's fetchmore example: the view asks canFetchMore/fetchMore when it nears the end;
filtering and sorting stay in SQL (the subclass's `_count` and `_fetch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.i18n import _

ParentIndex = QModelIndex | QPersistentModelIndex


class BatchedTableModel(QAbstractTableModel):
    """Rows are plain dataclasses with an `id`; subclasses say how to count and fetch them.

    Subclasses may set `column_titles` (N_() marked) and `header_tips` {column: N_() text}
    to get columnCount and headerData for free.
    """

    column_titles: Sequence[str] = ()
    header_tips: dict[int, str] = {}

    def __init__(self, parent=None, batch_size: int = 100):
        super().__init__(parent)
        self._batch_size = batch_size
        self._rows: list[Any] = []
        self._total = 0

    # --- what subclasses provide -------------------------------------------

    def _count(self) -> int:
        """How many rows match now (loaded or not)."""
        raise NotImplementedError

    def _fetch(self, offset: int, limit: int) -> list[Any]:
        """`limit` rows from `offset`, in the model's order."""
        raise NotImplementedError

    def _before_reload(self) -> None:
        """Hook run inside the reset, before counting (e.g. to fix "now")."""

    # --- loading ------------------------------------------------------------

    def reload(self) -> None:
        """Re-read from the database keeping as many rows loaded as before (scroll position)."""
        self._reload(max(self._batch_size, len(self._rows)))

    def _reload(self, count: int) -> None:
        self.beginResetModel()
        self._before_reload()
        self._total = self._count()
        self._rows = self._fetch(0, count) if self._total else []
        self.endResetModel()

    def canFetchMore(self, parent: ParentIndex = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: ParentIndex = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid():
            return
        start = len(self._rows)
        batch = self._fetch(start, min(self._batch_size, self._total - start))
        if not batch:  # rows went away meanwhile: stop asking
            self._total = start
            return
        self.beginInsertRows(QModelIndex(), start, start + len(batch) - 1)
        self._rows.extend(batch)
        self.endInsertRows()

    def rowCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.column_titles)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.column_titles):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self.column_titles[section])
        if role == Qt.ItemDataRole.ToolTipRole and section in self.header_tips:
            return _(self.header_tips[section])
        return None

    # --- reading ------------------------------------------------------------

    def total_count(self) -> int:
        return self._total

    def loaded_count(self) -> int:
        return len(self._rows)

    def row_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, row_id: int) -> int:
        """The row showing `row_id` among the loaded rows, -1 if it is not loaded."""
        return next((i for i, r in enumerate(self._rows) if r.id == row_id), -1)
