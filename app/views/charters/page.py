"""The Service charters page: every charter version by type on the left, the editor on the right.

The list groups the versions under their type (the active one in green, old versions greyed);
choosing one opens it in the `CharterEditor` (app.views.charters.editor), which asks about unsaved
changes first. The rules — which version is edited in place, which one makes version N+1, one
active charter per type — are the service's (app.services.charters); the page only asks and shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, pgettext
from app.models.enums import CharterType
from app.services import charters as charter_service
from app.services.charters import CharterDetail, CharterRow
from app.services.permissions import Right
from app.views.charters.editor import MET_COLOUR, CharterEditor
from app.views.events import CASES, CHARTERS, FOLLOW_UPS, RETURNS, SALES, SURVEYS, Change
from app.views.operations import perform
from app.views.pages.base import AppContext, Page, empty_state_label
from app.views.rights import explain_refusal, gate


def validity_text(valid_from: dt.date, valid_to: dt.date | None) -> str:
    if valid_to is None:
        return _("from {start}").format(start=format_date(valid_from))
    return _("{start} – {end}").format(start=format_date(valid_from), end=format_date(valid_to))


def status_text(row: CharterRow | CharterDetail) -> str:
    if row.active:
        return pgettext("charter", "Active")
    if row.read_only:
        return _("Old version")
    if row.issued:
        return _("Issued, not active")
    return _("Draft")


class ChartersPage(Page):
    """List of charter versions by type and the editor of one."""

    data_kinds = frozenset({CHARTERS, CASES, RETURNS, FOLLOW_UPS, SURVEYS, SALES})
    charter_saved = Signal(int)

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        super().__init__(context, parent)
        self._today = today
        self._rows: dict[int, CharterRow] = {}
        self._selecting = False
        self.editor = CharterEditor(context, today, lambda charter_id: self._rows.get(charter_id))
        self.editor.charter_opened.connect(self._on_editor_charter_opened)
        self.editor.charters_changed.connect(self._reload_list)
        self.editor.charter_saved.connect(self.charter_saved)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([260, 1020])  # the editor needs the room; titles elide in the list
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.editor.save)
        self.refresh()

    # --- building -----------------------------------------------------------------

    def _build_list(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(_("Service charters"))
        heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self._new_button = QPushButton(_("New charter"))
        self._new_button.setToolTip(_("Start a new service charter (Ctrl+N)"))
        self._new_button.clicked.connect(self._on_new_clicked)
        gate(self._new_button, self.context.refusal(Right.CHARTERS))
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(self._new_button)
        column.addLayout(top)
        self._tree = QTreeWidget()
        self._tree.setObjectName("charterTree")
        self._tree.setColumnCount(3)
        # Validity is in each line's tooltip and in the editor: the titles need the width.
        self._tree.setHeaderLabels([_("Charter"), _("Version"), _("Status")])
        self._tree.setRootIsDecorated(True)
        self._tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # titles often share their start
        self._tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self._tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for section in (1, 2):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self._tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        column.addWidget(self._tree, 1)
        return box

    def _build_right(self) -> QWidget:
        self._stack = QStackedWidget()
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        self._empty_label = empty_state_label(
            _(
                "There are no service charters yet. A charter tells customers what the company commits to after "
                "the sale — with measurable commitments — and how to reach it. Press “New charter” to write the "
                "first one."
            )
        )
        empty_layout.addWidget(self._empty_label)
        start = QPushButton(_("New charter"))
        start.clicked.connect(self._on_new_clicked)
        gate(start, self.context.refusal(Right.CHARTERS))
        self._empty_new_button = start
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(start)
        row.addStretch(1)
        empty_layout.addLayout(row)
        empty_layout.addStretch(2)
        self._stack.addWidget(empty)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        self._stack.addWidget(scroll)
        return self._stack

    # --- the list -----------------------------------------------------------------

    def _reload_list(self) -> list[CharterRow] | None:
        listed = perform(self, charter_service.list_charters)
        if not listed:
            return None
        rows = listed.value
        self._rows = {row.id: row for row in rows}
        self._fill_tree(rows, self.editor.current_charter_id())
        return rows

    def refresh(self) -> None:
        """Reload the list; the editor keeps what it shows (reloaded when it has no changes)."""
        rows = self._reload_list()
        if rows is None:
            return
        editor = self.editor
        if not editor.is_editing():
            self._stack.setCurrentIndex(0 if not rows else 1)
            if rows:
                first = next((r for r in rows if r.active), rows[0])
                editor.load(first.id)
                self._select_in_tree(first.id)
        elif editor.current_charter_id() is not None and not editor.is_modified():
            if editor.current_charter_id() in self._rows:
                editor.load(editor.current_charter_id())
            else:
                editor.close_charter()
                self.refresh()

    def _fill_tree(self, rows: list[CharterRow], current_id: int | None) -> None:
        self._selecting = True
        try:
            self._tree.clear()
            groups: dict[CharterType, QTreeWidgetItem] = {}
            for row in rows:
                group = groups.get(row.type)
                if group is None:
                    group = QTreeWidgetItem([row.type.label])
                    font = group.font(0)
                    font.setBold(True)
                    group.setFont(0, font)
                    group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    self._tree.addTopLevelItem(group)
                    group.setFirstColumnSpanned(True)
                    groups[row.type] = group
                item = QTreeWidgetItem([row.title, str(row.version), status_text(row)])
                item.setData(0, Qt.ItemDataRole.UserRole, row.id)
                tip = f"{row.title}\n{validity_text(row.valid_from, row.valid_to)}"
                for c in range(3):
                    item.setToolTip(c, tip)
                if row.active:
                    font = item.font(2)
                    font.setBold(True)
                    item.setFont(2, font)
                    item.setForeground(2, QBrush(MET_COLOUR))
                elif row.read_only:
                    for c in range(3):
                        item.setForeground(c, QBrush(QColor("#777777")))
                group.addChild(item)
            self._tree.expandAll()
            if current_id is not None:
                self._select_in_tree(current_id)
        finally:
            self._selecting = False

    def _select_in_tree(self, charter_id: int | None) -> None:
        self._selecting = True
        try:
            target = self._tree_item(charter_id)
            if target is None:
                self._tree.setCurrentItem(None)
                self._tree.clearSelection()
            else:
                self._tree.setCurrentItem(target)
        finally:
            self._selecting = False

    def _tree_item(self, charter_id: int | None) -> QTreeWidgetItem | None:
        for g in range(self._tree.topLevelItemCount()):
            group = self._tree.topLevelItem(g)
            for c in range(group.childCount()):
                item = group.child(c)
                if item.data(0, Qt.ItemDataRole.UserRole) == charter_id:
                    return item
        return None

    def _on_tree_current_item_changed(self, current: QTreeWidgetItem | None, previous) -> None:
        if self._selecting or current is None:
            return
        charter_id = current.data(0, Qt.ItemDataRole.UserRole)
        if charter_id is None or (
            self.editor.current_charter_id() == charter_id and self.editor.is_editing()
        ):
            return
        if not self.editor.may_leave():
            self._select_in_tree(self.editor.current_charter_id())
            return
        self.editor.load(charter_id)

    def _on_editor_charter_opened(self) -> None:
        self._stack.setCurrentIndex(1)

    def open_charter(self, charter_id: int) -> bool:
        """Show one charter in the editor (after the unsaved-changes question); False when cancelled."""
        if not self.editor.may_leave():
            return False
        self.editor.load(charter_id)
        self._select_in_tree(charter_id)
        return True

    # --- commands -------------------------------------------------------------------

    def create_new(self) -> bool:
        refusal = self.context.refusal(Right.CHARTERS)
        if refusal is not None:  # Ctrl+N: say why nothing happens
            explain_refusal(self, refusal)
            return True
        self._on_new_clicked()
        return True

    def _on_new_clicked(self) -> None:
        if not self.context.may(Right.CHARTERS) or not self.editor.may_leave():
            return
        taken = {row.type for row in self._rows.values()}
        charter_type = next((t for t in CharterType if t not in taken), CharterType.CUSTOMER_ATTENTION)
        found = perform(
            self,
            lambda: (
                charter_service.new_charter_input(charter_type, today=self._today()),
                charter_service.next_version(charter_type),
            ),
        )
        if not found:
            return
        data, version = found.value
        self._select_in_tree(None)
        self.editor.start_new(data, version)

    # --- page hooks -----------------------------------------------------------------

    def on_data_changed(self, kinds: frozenset[Change], initiator: object) -> None:
        if initiator is self or initiator is self.editor:
            return
        if CHARTERS in kinds:
            self.refresh()
        elif kinds & self.data_kinds and self.editor.is_editing():
            self.editor.update_measurements()

    def can_leave(self) -> bool:
        """Before the window shows another page: ask about unsaved changes; False to stay here."""
        return self.editor.may_leave()

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        views = []
        old = next((r for r in self._rows.values() if r.read_only), None)
        if old is not None:
            views.append(("old-version", lambda: self.open_charter(old.id)))
        return views

    def current_charter_id(self) -> int | None:
        return self.editor.current_charter_id()
