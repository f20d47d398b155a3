"""The Conflicts page: what a laptop's sync could not merge, with both sides, for a person to decide.

On a laptop it lists the laptop's own open conflicts and refusals (its copy of the office's list,
kept by each sync); at an office set up for laptops, every laptop's. Each shows the record and the
field in the user's words (app.sync.labels), the value both sides started from, the laptop's and
the office's. The decisions a conflict allows are the sync's (app.sync.conflicts.allowed_choices);
each is one command that announces what it changed. Everything is read in the background.

A database that does not sync (a standalone laptop, an office not set up for laptops) keeps the
entry: the page explains where conflicts come from. The window's pages are one fixed list (sidebar
order, Ctrl+1…9, the screenshots), and the explanation is what a person who wonders finds there.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_number, ngettext
from app.sync.conflicts import Choice, ConflictKind, resolve_conflict
from app.sync.labels import ConflictView, describe_conflict
from app.sync.status import keeps_conflicts, this_laptop, visible_conflicts
from app.views import dialogs
from app.views.conflicts.dialogs import TypeValueDialog, headings
from app.views.conflicts.table_model import FIELD, KIND, RECORD, ConflictsTableModel
from app.views.dialogs import plain_label
from app.views.events import EVERYTHING, Change
from app.views.operations import Operation
from app.views.pages.base import AppContext, Page, count_label, empty_state_label
from app.views.tasks import run_in_background

STATUS, LIST = range(2)
MINE_BACKGROUND = "#e8f0fe"
THEIRS_BACKGROUND = "#e6f4ea"

# What a decision on a record of each table changes, for the pages that show it.
TABLE_CHANGES: dict[str, Change] = {
    "company_setting": Change.SETTINGS,
    "rep": Change.REPS,
    "customer": Change.CUSTOMERS,
    "need_tag": Change.CUSTOMERS,
    "customer_need_tag": Change.CUSTOMERS,
    "product_category": Change.SALES,
    "product": Change.SALES,
    "sale": Change.SALES,
    "sale_line": Change.SALES,
    "sold_unit": Change.SALES,
    "case": Change.CASES,
    "case_proposal": Change.CASES,
    "case_stage_change": Change.CASES,
    "warranty_return": Change.RETURNS,
    "return_status_change": Change.RETURNS,
    "follow_up_plan": Change.FOLLOW_UPS,
    "follow_up_plan_step": Change.FOLLOW_UPS,
    "follow_up": Change.FOLLOW_UPS,
    "check_template": Change.CHECKS,
    "check_item": Change.CHECKS,
    "usage_check": Change.CHECKS,
    "check_answer": Change.CHECKS,
    "satisfaction_survey": Change.SURVEYS,
    "service_charter": Change.CHARTERS,
    "charter_commitment": Change.CHARTERS,
}


def changes_of(table: str) -> frozenset[Change]:
    kind = TABLE_CHANGES.get(table)
    return frozenset({Change.CONFLICTS, kind}) if kind is not None else EVERYTHING


def confirm_discard(parent: QWidget | None, question: str) -> bool:
    """Discard asks first, saying what is lost and that Edit ▸ Undo cannot bring it back (tests
    replace this)."""
    return dialogs.confirm(parent, question + "\n\n" + _("This cannot be undone."), _("Discard the change"))


@dataclass(frozen=True)
class ConflictsSnapshot:
    """What the page shows, read in the background: None when this database keeps no conflicts."""

    conflicts: list[ConflictView] | None
    at_office: bool


def load_conflicts() -> ConflictsSnapshot:
    """The open conflicts in the user's words (runs in a pool thread: plain data only)."""
    if not keeps_conflicts():
        return ConflictsSnapshot(None, at_office=False)
    here = this_laptop()
    return ConflictsSnapshot(
        [describe_conflict(c, here) for c in visible_conflicts()], at_office=here is None
    )


class ConflictsPage(Page):
    """The open conflicts on the left; the chosen one's values side by side and the decisions."""

    data_kinds = frozenset({Change.CONFLICTS})
    count_changed = Signal(int)  # open conflicts now (the sidebar's badge)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._generation = 0
        self._at_office = False
        self.loading = False
        self._model = ConflictsTableModel(self)

        self._stack = QStackedWidget()
        self._status = empty_state_label(_("Loading…"))
        self._stack.addWidget(self._status)

        heading = QLabel(_("Conflicts"))
        heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self._count = count_label()
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self._count)
        self._table = QTableView()
        self._table.setObjectName("conflictTable")
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._table.verticalHeader().hide()
        header = self._table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(RECORD, QHeaderView.ResizeMode.Stretch)
        for column in (FIELD, KIND):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self._table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addLayout(top)
        left_column.addWidget(self._table, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self._build_detail())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([560, 640])
        self._stack.addWidget(splitter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._stack)
        self.refresh()

    # --- building -----------------------------------------------------------------------------

    def _build_detail(self) -> QWidget:
        detail = QWidget()
        column = QVBoxLayout(detail)
        column.setContentsMargins(8, 0, 0, 0)
        self.record_label = plain_label(wrap=True, selectable=True)
        self.record_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.what_label = plain_label(wrap=True)
        self.what_label.setStyleSheet("color: palette(dark);")
        self.explanation_label = plain_label(wrap=True)
        column.addWidget(self.record_label)
        column.addWidget(self.what_label)
        column.addSpacing(4)
        column.addWidget(self.explanation_label)
        column.addSpacing(8)

        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._values_grid = self._new_values_grid()
        column.addWidget(self._scroll, 1)

        self.mine_button = QPushButton()
        self.mine_button.clicked.connect(lambda: self._decide(Choice.MINE))
        self.theirs_button = QPushButton(_("Keep the office's"))
        self.theirs_button.setToolTip(_("The record keeps the value it has at the office"))
        self.theirs_button.clicked.connect(lambda: self._decide(Choice.THEIRS))
        self.type_button = QPushButton(_("Type a value…"))
        self.type_button.clicked.connect(self._on_type_button_clicked)
        self.discard_button = QPushButton(_("Discard…"))
        self.discard_button.clicked.connect(self._on_discard_button_clicked)
        buttons = QHBoxLayout()
        for button in (self.mine_button, self.theirs_button, self.type_button, self.discard_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        return detail

    # --- loading ------------------------------------------------------------------------------

    def on_data_changed(self, kinds: frozenset[Change], initiator: object) -> None:
        if initiator is self:
            return  # refreshed right after its own decision
        super().on_data_changed(kinds, initiator)

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.loading = True

        def done(snapshot: ConflictsSnapshot) -> None:
            if generation == self._generation:
                self._show(snapshot)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.loading = False
                self._status.setText(_("Could not load the list: {error}").format(error=exc))
                self._stack.setCurrentIndex(STATUS)

        run_in_background(lambda _progress: load_conflicts(), done, failed, parent=self)

    def _show(self, snapshot: ConflictsSnapshot) -> None:
        self.loading = False
        self._at_office = snapshot.at_office
        selected = self.selected()
        row = max(0, self._table.currentIndex().row())
        rows = snapshot.conflicts or []
        self._model.set_rows(rows)
        self.count_changed.emit(len(rows))
        if snapshot.conflicts is None:
            self._status.setText(
                _(
                    "This database does not sync with an office. Conflicts appear on laptop databases made "
                    "with “postventa sync --init”: when a change made offline meets a different change at "
                    "the office, both values are kept here until someone chooses."
                )
            )
            self._stack.setCurrentIndex(STATUS)
            return
        if not rows:
            self._status.setText(
                _("No conflicts: every change from the laptops reached the office.")
                if snapshot.at_office
                else _("No conflicts: everything you changed reached the office.")
            )
            self._stack.setCurrentIndex(STATUS)
            return
        self._count.setText(
            ngettext("{count} open conflict", "{count} open conflicts", len(rows)).format(
                count=format_number(len(rows))
            )
        )
        self._stack.setCurrentIndex(LIST)
        again = self._model.row_of(selected.id) if selected is not None else -1
        self._select_row(again if again >= 0 else min(row, len(rows) - 1))

    def _select_row(self, row: int) -> None:
        index = self._model.index(row, 0)
        self._table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self._show_detail(self._model.row_at(row))

    def _on_table_current_row_changed(self, current, _previous) -> None:
        self._show_detail(self._model.row_at(current.row()))

    # --- the detail ---------------------------------------------------------------------------

    def selected(self) -> ConflictView | None:
        return self._model.row_at(self._table.currentIndex().row())

    def _new_values_grid(self) -> QGridLayout:
        """A fresh grid for the values (the scroll area deletes the previous one)."""
        values = QWidget()
        grid = QGridLayout(values)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        self._scroll.setWidget(values)
        return grid

    def _show_detail(self, view: ConflictView | None) -> None:
        self._values_grid = self._new_values_grid()
        for button in (self.mine_button, self.theirs_button, self.type_button, self.discard_button):
            button.setVisible(False)
        if view is None:
            for label in (self.record_label, self.what_label, self.explanation_label):
                label.setText("")
            return
        self.record_label.setText(view.record)
        self.what_label.setText(f"{view.record_kind} · {view.field} · {view.kind_label} · {view.when}")
        self.explanation_label.setText(view.explanation)
        self._fill_values(view)
        if view.kind is ConflictKind.DELETED and view.mine_deleted:
            self.mine_button.setText(_("Delete it anyway"))
            self.mine_button.setToolTip(_("The record is deleted, as on {laptop}").format(laptop=view.laptop))
        elif view.kind is ConflictKind.DELETED:
            self.mine_button.setText(_("Record it again"))
            self.mine_button.setToolTip(
                _(
                    "The record is written again as {laptop} had it; it reaches the office at the next sync"
                ).format(laptop=view.laptop)
            )
        else:
            self.mine_button.setText(_("Keep the laptop's") if self._at_office else _("Keep mine"))
            self.mine_button.setToolTip(
                _("The record takes the value from {laptop}; it reaches the office at the next sync").format(
                    laptop=view.laptop
                )
            )
        self.mine_button.setVisible(Choice.MINE in view.choices)
        self.theirs_button.setVisible(Choice.THEIRS in view.choices)
        self.type_button.setVisible(Choice.TYPED in view.choices)
        self.type_button.setEnabled(view.value_kind is not None)
        self.type_button.setToolTip(
            _("Type the value the record should have")
            if view.value_kind is not None
            else _("This field points to another record: keep one of the two values")
        )
        self.discard_button.setVisible(Choice.DISCARD in view.choices)

    def _fill_values(self, view: ConflictView) -> None:
        grid = self._values_grid
        sides = [
            (heading, getter, background)
            for heading, getter, background in zip(
                headings(view),
                (lambda line: line.base, lambda line: line.mine, lambda line: line.theirs),
                ("", MINE_BACKGROUND, THEIRS_BACKGROUND),
                strict=True,
            )
            if any(getter(line) is not None for line in view.lines)
        ]
        for column, (heading, _getter, _background) in enumerate(sides, start=1):
            caption = QLabel(heading)
            caption.setStyleSheet("font-weight: 600; padding: 0px 4px;")
            grid.addWidget(caption, 0, column)
            grid.setColumnStretch(column, 1)
        for row, line in enumerate(view.lines, start=1):
            name = plain_label(line.label)
            name.setStyleSheet("color: palette(dark); padding: 2px 0px;")
            name.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
            grid.addWidget(name, row, 0)
            for column, (_heading, getter, background) in enumerate(sides, start=1):
                value = getter(line)
                cell = plain_label("" if value is None else value, wrap=True, selectable=True)
                cell.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                if background and line.differs:
                    cell.setStyleSheet(f"background: {background}; color: #202124; padding: 2px 4px;")
                else:
                    cell.setStyleSheet("padding: 2px 4px;")
                grid.addWidget(cell, row, column)
        grid.setRowStretch(len(view.lines) + 1, 1)

    def values_shown(self) -> list[list[str]]:
        """The values grid as text, row by row (headings first), for tests."""
        grid = self._values_grid
        rows: list[list[str]] = []
        for row in range(grid.rowCount()):
            cells = []
            for column in range(grid.columnCount()):
                item = grid.itemAtPosition(row, column)
                widget = item.widget() if item is not None else None
                cells.append(widget.text() if isinstance(widget, QLabel) else "")
            if any(cells):
                rows.append(cells)
        return rows

    # --- decisions ----------------------------------------------------------------------------

    def _decide(self, choice: Choice, typed=None) -> None:
        view = self.selected()
        if view is None:
            return
        labels = {
            Choice.MINE: _("Keep my value"),
            Choice.THEIRS: _("Keep the office's value"),
            Choice.TYPED: _("Use a typed value"),
            Choice.DISCARD: _("Discard the change"),
        }
        Operation(
            labels[choice],
            lambda: resolve_conflict(view.id, choice, typed),
            changes_of(view.table),
            on_success=lambda _result: self.refresh(),
            on_failure=lambda _exc: self.refresh(),  # decided elsewhere meanwhile, say
        ).run(self)

    def _on_type_button_clicked(self) -> None:
        view = self.selected()
        if view is None or view.value_kind is None:
            return
        typed = TypeValueDialog.ask(self, view)
        if typed is not None:
            self._decide(Choice.TYPED, typed.value)

    def _on_discard_button_clicked(self) -> None:
        view = self.selected()
        if view is None:
            return
        question = _("Discard this change to {record}?").format(record=view.record) + "\n\n" + view.lost
        if confirm_discard(self, question):
            self._decide(Choice.DISCARD)
