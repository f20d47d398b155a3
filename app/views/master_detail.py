"""The editor dialog shared by follow-up plans and correct-use checklists.

Left, a tree of records grouped under headings; right, an editor for the chosen record with a
form and an editable table of rows (steps, items). What is shared lives here: choosing a record
in the tree, the unsaved-changes question, errors shown next to the field or the rows they
concern, adding, removing and moving rows, installing the defaults, discarding changes and closing.

A subclass builds its widgets and sets `_tree`, `_table`, `_rows_model`, `_errors` (field key →
label), `_rows_error`, `_general_error`, `_saved_label`, `_right` (0: empty state, 1: editor) and
`_revert_button`; it provides `values()` (the form's values, the rows last), `reload(select_id)`,
`_load_record(record)`, `_write()`, `_update_buttons()` and `_on_new_button_clicked()`, and for its
"Install defaults" buttons `_install_defaults()` and `_defaults_outcome(created)`. The rows model
offers insert_row, remove_row, move_row, set_errors, clear_errors.

`RIGHT` names what the dialog changes (app.services.permissions): a person without it (a rep on
the office server) reads the records only. The dialog then says why in a note at its top, never
starts editing, and every button that would change something is gated with that refusal (subclasses
gate theirs in `_update_buttons` and `_show_empty_state`, with `self._refusal`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services.permissions import Right
from app.services.undo import Recorder
from app.views import dialogs
from app.views.dialogs import BaseDialog, Unsaved, field_error_label
from app.views.events import Change
from app.views.operations import Operation, Outcome
from app.views.pages.base import AppContext, empty_state_label
from app.views.rights import gate, refusal_note

T = TypeVar("T")

ID_ROLE = Qt.ItemDataRole.UserRole  # column 0: the record's id; column 1: its group's id


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """An information box (tests replace this)."""
    dialogs.inform(parent, text, title)


def muted(label: QLabel) -> QLabel:
    """A wrapped hint in the palette's quiet colour."""
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(mid);")
    return label


class MasterDetailDialog(BaseDialog):
    ASKS_BEFORE_DISCARDING = False  # done() asks about the editor's record itself
    ROWS_KEY = "rows"  # the service's error key for the table ("steps", "items"; "items.3.question")
    NEW_ROW_EDIT_COLUMN: int | None = None  # a new row opens this cell's editor
    RIGHT: Right | None = None  # what changing these records needs (None: anyone may)

    def __init__(self, context: AppContext | None, parent: QWidget | None, title: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        rep = context.current_rep if context is not None else None
        self._acting_rep_id = rep.id if rep is not None else None
        self._records: dict[int, object] = {}
        self._record_id: int | None = None  # in the editor; None: a new one (or none shown)
        self._editing = False
        self._baseline: tuple | None = None
        self._changed = False
        self._recorder: Recorder[Any] | None = None  # the undo of the edit being saved (see save)
        self._suggested_name = ""
        # Why the person may only read these records (None: they may change them).
        self._refusal = context.refusal(self.RIGHT) if context is not None and self.RIGHT else None
        self._read_only = self._refusal is not None

    # --- what subclasses say -------------------------------------------------------

    def unsaved_question(self) -> str:
        raise NotImplementedError

    def changed_kinds(self) -> set[Change]:
        raise NotImplementedError

    def values(self) -> tuple:
        raise NotImplementedError

    def reload(self, select_id: int | None = None) -> None:
        raise NotImplementedError

    def _write(self) -> tuple[int, str]:
        """Save the form through the service: (the saved record's id, the message to show)."""
        raise NotImplementedError

    def _load_record(self, record) -> None:
        raise NotImplementedError

    def _update_buttons(self) -> None:
        raise NotImplementedError

    def _on_new_button_clicked(self) -> None:
        raise NotImplementedError

    def _install_defaults(self) -> int:
        """Create the default records the groups lack, through the service; how many were created."""
        raise NotImplementedError

    def _defaults_outcome(self, created: int) -> tuple[str, str]:
        """The title and text of the box telling what installing the defaults did."""
        raise NotImplementedError

    # --- building ------------------------------------------------------------------

    def _lay_out(self, master: QWidget, detail: QWidget, sizes: tuple[int, int]) -> None:
        """Tree and editor side by side above a Close button."""
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(master)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes(list(sizes))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if self._refusal is not None:
            layout.addWidget(refusal_note(self._refusal))
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    def _empty_state_page(self, defaults_text: str, new_text: str) -> QWidget:
        """The right side while there is no record: `_empty_label` (its text set by the subclass's
        `_show_empty_state`) over the "Install defaults" and "New" buttons."""
        page = QWidget()
        column = QVBoxLayout(page)
        column.addStretch(1)
        self._empty_label = empty_state_label("")
        column.addWidget(self._empty_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self._empty_defaults_button = QPushButton(defaults_text)
        self._empty_defaults_button.clicked.connect(self._on_defaults_button_clicked)
        self._empty_new_button = QPushButton(new_text)
        self._empty_new_button.clicked.connect(self._on_new_button_clicked)
        for button in (self._empty_defaults_button, self._empty_new_button):
            gate(button, self._refusal)
        row.addWidget(self._empty_defaults_button)
        row.addWidget(self._empty_new_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(2)
        return page

    def _rows_table(self, model, object_name: str) -> QTableView:
        """The editable table of rows: one row selected at a time, edited in place."""
        self._rows_model = model
        self._table = QTableView()
        self._table.setObjectName(object_name)
        self._table.setModel(model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._table.setAlternatingRowColors(True)
        self._table.verticalHeader().setDefaultSectionSize(28)
        if self._refusal is not None:
            self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        return self._table

    def _editor_page(
        self,
        top: list[QWidget],
        form: QFormLayout,
        rows_caption: str,
        rows_hint: str,
        row_buttons: tuple[str, str],
        save_text: str,
        bottom: list[QWidget] = (),
    ) -> QWidget:
        """Heading and notes, the form, the rows table with its buttons, errors, then Discard / Save."""
        table_row = QHBoxLayout()
        table_row.addWidget(self._table, 1)
        table_row.addLayout(self._row_buttons(*row_buttons))
        caption = QLabel(rows_caption)
        caption.setStyleSheet("font-weight: 600;")
        self._rows_error = field_error_label()
        self._rows_error.setObjectName("rowsError")
        self._general_error = field_error_label()
        self._saved_label = muted(QLabel())
        self._saved_label.setTextFormat(Qt.TextFormat.PlainText)  # the message names the record
        self._revert_button = QPushButton(_("Discard changes"))
        self._revert_button.clicked.connect(self._on_revert_button_clicked)
        self._save_button = QPushButton(save_text)
        self._save_button.setDefault(True)
        self._save_button.clicked.connect(self.save)
        for button in (self._revert_button, self._save_button):
            gate(button, self._refusal)
        save_row = QHBoxLayout()
        save_row.addWidget(self._saved_label, 1)
        save_row.addWidget(self._revert_button)
        save_row.addWidget(self._save_button)

        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 0, 0, 0)
        for widget in top:
            column.addWidget(widget)
        column.addLayout(form)
        column.addSpacing(6)
        column.addWidget(caption)
        column.addWidget(muted(QLabel(rows_hint)))
        column.addLayout(table_row, 1)
        for widget in (self._rows_error, self._general_error, *bottom):
            column.addWidget(widget)
        column.addLayout(save_row)
        return page

    def _row_buttons(self, add_text: str, remove_text: str) -> QVBoxLayout:
        """Add / Remove / Move up / Move down beside the rows table, kept enabled as the rows allow."""
        self._add_row_button = QPushButton(add_text)
        self._add_row_button.clicked.connect(self._add_row)
        self._remove_row_button = QPushButton(remove_text)
        self._remove_row_button.clicked.connect(self._remove_row)
        self._up_button = QPushButton(_("Move up"))
        self._up_button.clicked.connect(lambda: self._move_row(-1))
        self._down_button = QPushButton(_("Move down"))
        self._down_button.clicked.connect(lambda: self._move_row(1))
        column = QVBoxLayout()
        for button in (self._add_row_button, self._remove_row_button, self._up_button, self._down_button):
            column.addWidget(button)
        column.addStretch(1)
        self._table.selectionModel().currentRowChanged.connect(self._update_row_buttons)
        rows = self._rows_model
        for signal in (rows.rowsInserted, rows.rowsRemoved, rows.rowsMoved, rows.modelReset):
            signal.connect(self._update_row_buttons)
        self._rows_model.dataChanged.connect(self._on_rows_changed)
        return column

    # --- the tree ------------------------------------------------------------------

    def _records_tree(self, object_name: str, headers: list[str]) -> QTreeWidget:
        """The list on the left: records under bold group lines, a second narrow column."""
        self._tree = QTreeWidget()
        self._tree.setObjectName(object_name)
        self._tree.setColumnCount(2)
        self._tree.setHeaderLabels(headers)
        self._tree.setRootIsDecorated(False)
        self._tree.setIndentation(14)
        self._tree.setUniformRowHeights(True)
        self._tree.setStyleSheet("QTreeWidget::item { padding: 3px 0px; }")
        header = self._tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        return self._tree

    def _add_group(self, text: str, group_id: int | None) -> QTreeWidgetItem:
        """A bold heading line (column 1 keeps the group's id, e.g. the category "New" starts in)."""
        group = QTreeWidgetItem([text, ""])
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = QFont(group.font(0))
        font.setBold(True)
        group.setFont(0, font)
        group.setData(0, ID_ROLE, None)
        group.setData(1, ID_ROLE, group_id)
        self._tree.addTopLevelItem(group)
        group.setFirstColumnSpanned(True)
        group.setExpanded(True)
        return group

    def _add_record(
        self, group: QTreeWidgetItem, texts: list[str], record_id: int, tip: str, dimmed: bool
    ) -> None:
        """A record's line; `dimmed` (inactive, retired) in quiet italics."""
        item = QTreeWidgetItem(texts)
        item.setData(0, ID_ROLE, record_id)
        item.setData(1, ID_ROLE, group.data(1, ID_ROLE))
        for column in (0, 1):
            item.setToolTip(column, tip)
            if dimmed:
                self._quiet(item, column)
        group.addChild(item)

    def _add_hint(self, group: QTreeWidgetItem, text: str, tip: str) -> None:
        """A line saying the group has no record yet; choosing it picks the group for "New"."""
        hint = QTreeWidgetItem([text, ""])
        hint.setFlags(Qt.ItemFlag.ItemIsEnabled)
        hint.setData(1, ID_ROLE, group.data(1, ID_ROLE))
        hint.setToolTip(0, tip)
        self._quiet(hint, 0)
        group.addChild(hint)
        hint.setFirstColumnSpanned(True)

    @staticmethod
    def _quiet(item: QTreeWidgetItem, column: int) -> None:
        colour = QGuiApplication.palette().color(
            QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText
        )
        italic = QFont(item.font(column))
        italic.setItalic(True)
        item.setForeground(column, QBrush(colour))
        item.setFont(column, italic)

    def _ids_in_tree_order(self) -> list[int]:
        ids = []
        for top in range(self._tree.topLevelItemCount()):
            group = self._tree.topLevelItem(top)
            for child in range(group.childCount()):
                record_id = group.child(child).data(0, ID_ROLE)
                if record_id is not None:
                    ids.append(record_id)
        return ids

    def _tree_item_of(self, record_id: int) -> QTreeWidgetItem | None:
        for top in range(self._tree.topLevelItemCount()):
            group = self._tree.topLevelItem(top)
            for child in range(group.childCount()):
                if group.child(child).data(0, ID_ROLE) == record_id:
                    return group.child(child)
        return None

    def _select_in_tree(self, record_id: int | None) -> None:
        self._tree.blockSignals(True)
        item = self._tree_item_of(record_id) if record_id is not None else None
        if item is None:
            self._tree.setCurrentItem(None)
            self._tree.clearSelection()
        else:
            self._tree.setCurrentItem(
                item,
                0,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self._tree.scrollToItem(item)
        self._tree.blockSignals(False)

    def _select_record(self, record_id: int) -> bool:
        """Show `record_id` as if clicked in the list; False when the user kept editing."""
        item = self._tree_item_of(record_id)
        if item is None:
            return False
        self._tree.setCurrentItem(item)
        return self._record_id == record_id

    def _show_first_or_empty(self, select_id: int | None) -> None:
        """After a reload: the requested (or current) record, a new one being written, the first, or the empty state."""
        target = select_id if select_id is not None else self._record_id
        if target is not None and target in self._records:
            self._select_in_tree(target)
            self._load_record(self._records[target])
        elif self._editing and self._record_id is None:
            pass  # a new record being written stays
        elif order := self._ids_in_tree_order():
            self._select_in_tree(order[0])
            self._load_record(self._records[order[0]])
        else:
            self._show_empty_state()
        self._update_buttons()

    def _show_empty_state(self) -> None:
        self._record_id, self._editing, self._baseline = None, False, None
        self._right.setCurrentIndex(0)

    @staticmethod
    def _index_of(values: list, value) -> int:
        try:
            return values.index(value)
        except ValueError:
            return 0 if values else -1

    # --- changes -------------------------------------------------------------------

    def _snapshot(self) -> tuple:
        *fields, rows = self.values()
        return (*fields, tuple(rows))

    def _start_editing(self) -> None:
        """The form now holds a record: remember it as saved, show the editor."""
        self._clear_errors()
        self._editing = not self._read_only
        self._baseline = self._snapshot()
        self._right.setCurrentIndex(1)
        if self._rows_model.rowCount():
            self._table.selectRow(0)
        self._update_row_buttons()

    def has_unsaved_changes(self) -> bool:
        if not self._editing:
            return False
        self._commit_editor()
        return self._snapshot() != self._baseline

    def _is_dirty(self) -> bool:
        return self._editing and self._snapshot() != self._baseline

    def _commit_editor(self) -> None:
        """Let an open cell editor hand its value to the model (Qt does so when the current cell moves)."""
        if self._table.state() == QAbstractItemView.State.EditingState:
            current = self._table.currentIndex()
            self._table.setCurrentIndex(QModelIndex())
            self._table.setCurrentIndex(current)

    def save(self) -> bool:
        """Write the editor's record; False (errors shown, input kept) when refused."""
        if not self._editing:
            return True
        self._commit_editor()
        self._clear_errors()
        self._recorder = self._undo_recorder()
        saved = self._run_command(_("Save"), self._write, field_errors=self.show_errors, undo=self._recorder)
        if not saved:
            return False
        record_id, message = saved.value
        self.reload(record_id)
        self._saved_label.setText(message)
        return True

    def _run_command(
        self,
        label: str,
        command: Callable[[], T],
        *,
        changed: Callable[[T], bool] | None = None,
        field_errors: Callable[[dict[str, str]], object] | None = None,
        undo: Recorder[Any] | None = None,
    ) -> Outcome[T]:
        """Run one of the editor's commands as an operation changing `changed_kinds()`.

        `changed(result)` False: nothing was changed after all (nothing is announced). The editor
        remembers that something changed, for `ask`'s answer. `undo`: the recorder the command runs
        through, for Edit ▸ Undo.
        """

        def did_change(result: T) -> bool:
            return changed is None or changed(result)

        def succeeded(result: T) -> None:
            if did_change(result):
                self._changed = True

        return Operation(
            label,
            command,
            lambda result: self.changed_kinds() if did_change(result) else (),
            on_success=succeeded,
            field_errors=field_errors,
            undo=undo,
        ).run(self)

    def _undo_recorder(self) -> Recorder[Any] | None:
        """The recorder `_write` runs an edit of an existing record through (app.services.undo), so
        Edit ▸ Undo can take it back; None where edits cannot be undone."""
        return None

    def _resolve_unsaved(self) -> bool:
        """True when the editor may show something else: nothing to save, saved, or discarded."""
        if not self.has_unsaved_changes():
            return True
        answer = dialogs.ask_unsaved_changes(self, self.unsaved_question())
        if answer is Unsaved.SAVE:
            return self.save()
        return answer is Unsaved.DISCARD

    def done(self, result: int) -> None:
        if not self._resolve_unsaved():
            return
        super().done(result)

    # --- errors --------------------------------------------------------------------

    def _error_key(self, key: str) -> str:
        """The field a service error key is shown at (a subclass may redirect one)."""
        return key

    def _clear_errors(self) -> None:
        for label in [*self._errors.values(), self._rows_error, self._general_error]:
            label.hide()
            label.clear()
        self._rows_model.clear_errors()

    def show_errors(self, errors: dict[str, str]) -> None:
        self._clear_errors()
        rows, general = [], []
        first: QWidget | None = None
        for key, message in errors.items():
            key = self._error_key(key)
            if key in self._errors:
                self._errors[key].setText(message)
                self._errors[key].show()
                first = first or self.field(key)
            elif key == self.ROWS_KEY or key.startswith(self.ROWS_KEY + "."):
                rows.append(message)
                first = first or self._table
            else:
                general.append(message)
        if rows:
            self._rows_error.setText("\n".join(rows))
            self._rows_error.show()
            self._rows_model.set_errors(errors)
        if general:
            self._general_error.setText("\n".join(general))
            self._general_error.show()
        if first is not None:
            first.setFocus()

    def error_text(self, key: str) -> str:
        """The message shown for a field key, the rows key or `general`; '' if none."""
        label = {self.ROWS_KEY: self._rows_error, "general": self._general_error}.get(key) or self._errors[
            key
        ]
        return label.text() if not label.isHidden() else ""

    # --- rows ----------------------------------------------------------------------

    def _add_row(self) -> None:
        if self._read_only:
            return
        current = self._table.currentIndex()
        row = current.row() + 1 if current.isValid() else self._rows_model.rowCount()
        row = self._rows_model.insert_row(row)
        self._rows_error.hide()
        self._table.selectRow(row)
        self._table.setFocus()
        if self.NEW_ROW_EDIT_COLUMN is not None:
            self._table.edit(self._rows_model.index(row, self.NEW_ROW_EDIT_COLUMN))

    def _remove_row(self) -> None:
        current = self._table.currentIndex()
        if self._read_only or not current.isValid():
            return
        self._rows_model.remove_row(current.row())
        self._rows_error.hide()
        if self._rows_model.rowCount():
            self._table.selectRow(min(current.row(), self._rows_model.rowCount() - 1))

    def _move_row(self, delta: int) -> None:
        current = self._table.currentIndex()
        if self._read_only or not current.isValid():
            return
        row = self._rows_model.move_row(current.row(), delta)
        self._rows_error.hide()
        self._table.selectRow(row)

    def _update_row_buttons(self, *args) -> None:
        current = self._table.currentIndex()
        rows = self._rows_model.rowCount()
        row = current.row() if current.isValid() else -1
        editable = not self._read_only
        gate(self._add_row_button, self._refusal, enabled=editable)
        gate(self._remove_row_button, self._refusal, enabled=editable and row >= 0)
        gate(self._up_button, self._refusal, enabled=editable and row > 0)
        gate(self._down_button, self._refusal, enabled=editable and 0 <= row < rows - 1)
        self._update_buttons()

    def _on_rows_changed(self, *args) -> None:
        self._update_buttons()

    # --- slots ---------------------------------------------------------------------

    def _on_tree_current_item_changed(self, current: QTreeWidgetItem | None, previous) -> None:
        record_id = current.data(0, ID_ROLE) if current is not None else None
        if record_id is None or record_id == self._record_id:
            return
        if not self._resolve_unsaved():
            self._select_in_tree(self._record_id)  # stay on the record being edited
            return
        record = self._records.get(record_id)
        if record is None:  # the list was rebuilt by a save meanwhile
            self.reload(record_id)
            return
        self._select_in_tree(record_id)
        self._load_record(record)
        self._update_buttons()

    def _on_defaults_button_clicked(self) -> None:
        if not self._resolve_unsaved():
            return
        installed = self._run_command(
            self._defaults_button.text(), self._install_defaults, changed=lambda created: created > 0
        )
        if not installed:
            return
        title, text = self._defaults_outcome(installed.value)
        if self._editing and self._record_id is None:
            self._editing = False  # the discarded new record
        self.reload()
        inform(self, title, text)

    def _on_revert_button_clicked(self) -> None:
        if self._record_id is not None and self._record_id in self._records:
            self._load_record(self._records[self._record_id])
        else:
            self._editing = False
            self.reload()

    # --- opening -------------------------------------------------------------------

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext | None = None) -> bool:
        """Open the editor; True when anything was created or changed."""
        return cls(context, parent).answer(lambda dialog: dialog._changed, always=True)
