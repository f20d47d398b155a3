"""The base of every list model: rows read from SQL in batches as the view scrolls.

Qt's fetchmore example: the view asks canFetchMore/fetchMore when it nears the end;
filtering and sorting stay in SQL (the subclass's `_count` and `_fetch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.i18n import _
from app.services.sorting import ListSort
from app.views.list_layout import ColumnLayout

ParentIndex = QModelIndex | QPersistentModelIndex


class BatchedTableModel(QAbstractTableModel):
    """Rows are plain dataclasses with an `id`; subclasses say how to count and fetch them.

    Subclasses may set `column_titles` (N_() marked) and `header_tips` {column: N_() text}
    to get columnCount and headerData for free, `columns` (the list's default widths, see
    app/views/list_layout.py) and `sort_keys` {column: the service's sort key}: clicking such a
    column's header sorts in SQL (`_fetch` passes `list_sort()` to the service).
    """

    column_titles: Sequence[str] = ()
    header_tips: dict[int, str] = {}
    columns: ColumnLayout | None = None
    sort_keys: dict[int, str] = {}

    def __init__(self, parent=None, batch_size: int = 100):
        super().__init__(parent)
        self._batch_size = batch_size
        self._rows: list[Any] = []
        self._total = 0
        self._loaded = False
        self._sort: tuple[int, Qt.SortOrder] | None = None  # None: the service's own order

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
        self._loaded = True
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

    # --- sorting (in SQL) ----------------------------------------------------

    def is_sortable(self, column: int) -> bool:
        return column in self.sort_keys

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column of `sort_keys` (-1: the service's own order); other columns keep the order."""
        if column >= 0 and not self.is_sortable(column):
            return
        wanted = (column, order) if column >= 0 else None
        if wanted == self._sort:
            return
        self._sort = wanted
        if self._loaded:
            self._reload(self._batch_size)

    def sort_column(self) -> int:
        return self._sort[0] if self._sort is not None else -1

    def sort_order(self) -> Qt.SortOrder:
        return self._sort[1] if self._sort is not None else Qt.SortOrder.AscendingOrder

    def list_sort(self) -> ListSort | None:
        """What the service sorts by (None: its own order)."""
        if self._sort is None:
            return None
        column, order = self._sort
        return ListSort(self.sort_keys[column], descending=order == Qt.SortOrder.DescendingOrder)

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

    def neighbour_id(self, row_id: int) -> int | None:
        """The id of the row after `row_id`'s (the one before it for the last row), None without one:
        where the selection goes once an action takes `row_id` off the list or finishes it."""
        row = self.row_of(row_id)
        if row < 0:
            return None
        neighbour = self.row_at(row + 1) or (self.row_at(row - 1) if row > 0 else None)
        return neighbour.id if neighbour is not None else None
