"""How a list's columns look: default widths declared by its model, the person's own widths, hidden
columns and sort remembered per list (and per tab) in the settings.

A model declares a `ColumnLayout`: each column's width in average characters and the column that
stretches (the name or description), which takes what is left so the list fits its page without
scrolling sideways. `ListLayout` applies it to a table once: widths the person dragged, columns they
hid (right click on the header) and the column they sorted by come back from the settings under
`window/lists/<key>`; `use(key, columns)` switches a table shared by tabs to another tab's layout.
Nothing is measured over the rows (no resizeColumnsToContents).

Sorting: clicking a header sorts when the model says the column sorts (`is_sortable`, in SQL for the
lazy lists) or, for a QTableWidget, always (the widget sorts its items; `SortableItem` sorts by a value
instead of the text). A click on a column that does not sort puts the arrow back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView, QTableWidget, QTableWidgetItem

from app.i18n import _
from app.models.customers import fold_for_search
from app.views import settings

SETTINGS_PREFIX = "lists/"
PADDING = 14  # a cell's margins, in pixels
SORT_ARROW = 16  # room for the header's sort arrow beside its title
SORT_ROLE = Qt.ItemDataRole.UserRole + 40  # a SortableItem's value to sort by


@dataclass(frozen=True)
class ColumnLayout:
    """A list's columns as they start: widths in average characters, the column that stretches, the
    columns hidden until the person shows them (what the detail beside the list says anyway), and the
    sort shown at first ((column, order); None: the service's own order, no arrow)."""

    widths: Sequence[int]
    stretch: int
    hidden: frozenset[int] = frozenset()
    sort: tuple[int, Qt.SortOrder] | None = None


@dataclass
class _State:
    widths: dict[int, int] = field(default_factory=dict)  # the person's own, in pixels
    hidden: set[int] | None = None  # None: the layout's defaults
    sort: tuple[int, Qt.SortOrder] | None = None
    sorted_by_person: bool = False

    def to_json(self, count: int) -> str:
        sort = [self.sort[0], int(self.sort[1] == Qt.SortOrder.DescendingOrder)] if self.sort else None
        return json.dumps(
            {
                "count": count,
                "widths": {str(c): w for c, w in self.widths.items()},
                "hidden": sorted(self.hidden) if self.hidden is not None else None,
                "sort": sort if self.sorted_by_person else None,
            }
        )

    @classmethod
    def from_json(cls, text: Any, count: int) -> _State:
        """What was saved for a list of `count` columns; nothing when unreadable or from another layout."""
        try:
            data = json.loads(text) if isinstance(text, str) and text else {}
            if not isinstance(data, dict) or data.get("count") != count:
                return cls()
            widths = {int(c): int(w) for c, w in (data.get("widths") or {}).items() if 0 <= int(c) < count}
            hidden = data.get("hidden")
            hidden = {int(c) for c in hidden if 0 <= int(c) < count} if isinstance(hidden, list) else None
            sort = data.get("sort")
            if isinstance(sort, list) and len(sort) == 2 and -1 <= int(sort[0]) < count:
                order = Qt.SortOrder.DescendingOrder if sort[1] else Qt.SortOrder.AscendingOrder
                return cls({c: w for c, w in widths.items() if w > 0}, hidden, (int(sort[0]), order), True)
            return cls({c: w for c, w in widths.items() if w > 0}, hidden)
        except (TypeError, ValueError, AttributeError):
            return cls()


class ListLayout(QObject):
    """Applies and remembers a table's column layout under a settings key; see the module's note.

    `sortable(column)`: whether clicking the column sorts (default: the model's `is_sortable`, or every
    column of a QTableWidget); `sorting=False` leaves the header unclickable.
    """

    def __init__(
        self,
        table: QTableView,
        key: str,
        columns: ColumnLayout,
        *,
        sortable: Callable[[int], bool] | None = None,
        sorting: bool = True,
    ):
        super().__init__(table)
        self._table = table
        self._key = key
        self._columns = columns
        self._state = _State()
        self._forced_hidden: set[int] = set()
        self._applying = False
        if sortable is None:
            model = table.model()
            sortable = getattr(model, "is_sortable", None) or (lambda column: True)
        self._sortable = sortable
        self._sorting = sorting
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        header.sectionResized.connect(self._on_header_section_resized)
        self._apply()
        if sorting:
            header.sortIndicatorChanged.connect(self._on_header_sort_indicator_changed)
            table.setSortingEnabled(True)  # sorts by the indicator set above

    # --- for pages and tests ------------------------------------------------------------------

    @property
    def key(self) -> str:
        return self._key

    def use(self, key: str, columns: ColumnLayout | None = None) -> None:
        """Show another tab's layout (its own widths, hidden columns and sort) in the same table."""
        if key == self._key and columns in (None, self._columns):
            return
        self._key = key
        self._columns = columns or self._columns
        self._apply()
        if self._sorting:
            self._sort_model()

    def force_hidden(self, columns: set[int]) -> None:
        """Columns the page hides whatever the person chose (e.g. the rep when one rep is shown)."""
        if columns != self._forced_hidden:
            self._forced_hidden = set(columns)
            self._apply_hidden()

    def default_width(self, column: int) -> int:
        """A column's starting width: its characters, and never less than its title with the sort arrow."""
        chars = self._columns.widths[column] if column < len(self._columns.widths) else 12
        # A digit's width: dates and numbers fill it exactly, names average about the same.
        char_width = self._table.fontMetrics().horizontalAdvance("0")
        title = self._table.model().headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        header_metrics = self._table.horizontalHeader().fontMetrics()
        title_width = header_metrics.horizontalAdvance(str(title or "")) + SORT_ARROW + PADDING
        return max(chars * char_width + PADDING, title_width)

    def reset(self) -> None:
        """Back to the list's declared widths, columns and order (forgetting the person's)."""
        settings.qsettings().remove("window/" + SETTINGS_PREFIX + self._key)
        self._apply()
        if self._sorting:
            self._sort_model()

    @contextmanager
    def refilling(self) -> Iterator[None]:
        """Fill a QTableWidget with sorting off (it would move rows while items are set), then sort."""
        self._table.setSortingEnabled(False)
        try:
            yield
        finally:
            if self._sorting:
                self._table.setSortingEnabled(True)

    # --- internals ------------------------------------------------------------------------------

    def _count(self) -> int:
        return self._table.horizontalHeader().count()

    def _apply(self) -> None:
        self._applying = True
        try:
            header = self._table.horizontalHeader()
            count = self._count()
            self._state = _State.from_json(settings.window_state(SETTINGS_PREFIX + self._key), count)
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            stretch = self._columns.stretch
            for column in range(count):
                if column != stretch:
                    header.resizeSection(column, self._state.widths.get(column) or self.default_width(column))
            if 0 <= stretch < count:
                header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
            self._apply_hidden()
            if self._sorting:
                column, order = self._state.sort or self._columns.sort or (-1, Qt.SortOrder.AscendingOrder)
                header.setSortIndicator(column, order)
        finally:
            self._applying = False

    def _hidden(self) -> set[int]:
        chosen = self._state.hidden if self._state.hidden is not None else set(self._columns.hidden)
        return (chosen | self._forced_hidden) - {self._columns.stretch}

    def _apply_hidden(self) -> None:
        applying, self._applying = self._applying, True
        try:
            hidden = self._hidden()
            for column in range(self._count()):
                self._table.setColumnHidden(column, column in hidden)
        finally:
            self._applying = applying

    def _sort_model(self) -> None:
        header = self._table.horizontalHeader()
        self._table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def _save(self) -> None:
        settings.save_window_state(SETTINGS_PREFIX + self._key, self._state.to_json(self._count()))

    def _on_header_section_resized(self, column: int, old: int, new: int) -> None:
        if self._applying or new <= 0 or column == self._columns.stretch:
            return
        if self._table.isColumnHidden(column):
            return
        self._state.widths[column] = new
        self._save()

    def _on_header_sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        if self._applying:
            return
        if column >= 0 and not self._sortable(column):
            previous = self._state.sort or self._columns.sort or (-1, Qt.SortOrder.AscendingOrder)
            header = self._table.horizontalHeader()

            def put_back() -> None:
                self._applying = True
                try:
                    header.setSortIndicator(*previous)
                finally:
                    self._applying = False

            QTimer.singleShot(0, put_back)
            return
        self._state.sort = (column, order)
        self._state.sorted_by_person = True
        self._save()

    def build_header_menu(self) -> QMenu:
        """Right click on the header: each column shown or hidden, and the list's defaults back."""
        menu = QMenu(self._table)
        model = self._table.model()
        hidden = self._hidden()
        for column in range(self._count()):
            if column == self._columns.stretch or column in self._forced_hidden:
                continue
            title = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
            action = QAction(str(title or ""), menu)
            action.setCheckable(True)
            action.setChecked(column not in hidden)
            action.toggled.connect(lambda shown, c=column: self._set_column_shown(c, shown))
            menu.addAction(action)
        menu.addSeparator()
        reset = QAction(_("Default columns and order"), menu)
        reset.triggered.connect(self.reset)
        menu.addAction(reset)
        return menu

    def _set_column_shown(self, column: int, shown: bool) -> None:
        chosen = set(self._state.hidden if self._state.hidden is not None else self._columns.hidden)
        if shown:
            chosen.discard(column)
        else:
            chosen.add(column)
        self._state.hidden = chosen
        self._apply_hidden()
        if shown and self._table.columnWidth(column) <= 0:
            self._table.setColumnWidth(column, self._state.widths.get(column) or self.default_width(column))
        self._save()

    def _on_header_context_menu_requested(self, pos: QPoint) -> None:
        menu = self.build_header_menu()
        menu.exec(self._table.horizontalHeader().mapToGlobal(pos))
        menu.deleteLater()


class SortableItem(QTableWidgetItem):
    """A QTableWidget cell that sorts by a value (a date, an amount) instead of its text."""

    def __init__(self, text: str, sort_value: Any = None):
        super().__init__(text)
        if sort_value is not None:
            self.setData(SORT_ROLE, sort_value)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is not None and theirs is not None:
            try:
                return bool(mine < theirs)
            except TypeError:
                pass
        return folded(self.text()) < folded(other.text())


def folded(text: str) -> str:
    """Text as lists compare it: case and accents ignored ('Álvaro' beside 'Alvaro')."""
    return fold_for_search(text)


def widget_layout(table: QTableWidget, key: str, columns: ColumnLayout) -> ListLayout:
    """The layout of a QTableWidget list: every column sorts in the widget."""
    return ListLayout(table, key, columns, sortable=lambda column: True)
