"""The editable steps of a follow-up plan: a table model and the editors of its cells.

The model holds plain drafts and accepts any whole number of days or minutes: the rules
(no negative offset, the first step counts from the delivery, …) live in app.services.plans;
the model only shows the messages the service returns, on the cells they concern.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QSpinBox, QStyledItemDelegate, QWidget

from app.i18n import N_, _
from app.models.enums import FollowUpKind, FollowUpPurpose, StepAnchor
from app.services.followups import MAX_DURATION_MINUTES
from app.services.followups.plans import MAX_OFFSET_DAYS, PlanStepInput

ERROR_BACKGROUND = "#fde7e9"

DAY, OFFSET, ANCHOR, KIND, PURPOSE, DURATION = range(6)
# (header, the PlanStepInput field edited in the column; None: computed)
COLUMNS: tuple[tuple[str, str | None], ...] = (
    (N_("When"), None),
    (N_("Days"), "offset_days"),
    (N_("After"), "anchor"),
    (N_("Contact"), "kind"),
    (N_("Purpose"), "purpose"),
    (N_("Minutes"), "duration_minutes"),
)
FIELD_COLUMNS = {name: column for column, (_title, name) in enumerate(COLUMNS) if name}
CHOICES = {ANCHOR: StepAnchor, KIND: FollowUpKind, PURPOSE: FollowUpPurpose}
# Short labels for the anchor column; the enum's own label is the tooltip.
# The header reads "Days | After": "15 | delivery", "30 | previous step".
ANCHOR_SHORT = {StepAnchor.DELIVERY: N_("delivery"), StepAnchor.PREVIOUS: N_("previous step")}


def new_step(previous: PlanStepInput | None = None) -> PlanStepInput:
    """What "Add step" inserts: a call counted from the previous step, or the delivery for the first."""
    if previous is None:
        return PlanStepInput(2, FollowUpKind.CALL, FollowUpPurpose.DELIVERY, StepAnchor.DELIVERY, 10)
    return PlanStepInput(30, FollowUpKind.CALL, FollowUpPurpose.SATISFACTION, StepAnchor.PREVIOUS, 15)


def day_numbers(steps: list[PlanStepInput]) -> list[int | None]:
    """The day after delivery each step falls on, before moving to a working day (None: unknown)."""
    days: list[int | None] = []
    previous: int | None = 0
    for step in steps:
        offset = step.offset_days if isinstance(step.offset_days, int) else None
        if offset is None:
            day = None
        elif step.anchor == StepAnchor.PREVIOUS:
            day = None if previous is None else previous + offset
        else:
            day = offset
        days.append(day)
        previous = day
    return days


@dataclass(frozen=True)
class _Problem:
    column: int  # -1: the whole row
    message: str


class PlanStepsTableModel(QAbstractTableModel):
    """The steps being edited, in order; every change emits `dataChanged` or a row signal."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._steps: list[PlanStepInput] = []
        self._days: list[int | None] = []
        self._problems: dict[int, list[_Problem]] = {}

    # --- content --------------------------------------------------------------

    def set_steps(self, steps) -> None:
        self.beginResetModel()
        self._steps = list(steps)
        self._problems = {}
        self._recount()
        self.endResetModel()

    def steps(self) -> list[PlanStepInput]:
        return list(self._steps)

    def step_at(self, row: int) -> PlanStepInput | None:
        return self._steps[row] if 0 <= row < len(self._steps) else None

    def insert_row(self, row: int, step: PlanStepInput | None = None) -> int:
        """Insert before `row` (at the end when out of range); returns the new row."""
        row = row if 0 <= row <= len(self._steps) else len(self._steps)
        step = step or new_step(self._steps[row - 1] if row > 0 else None)
        self.beginInsertRows(QModelIndex(), row, row)
        self._steps.insert(row, step)
        self._days.insert(row, None)  # recounted after the insertion: other rows change by dataChanged
        had_problems, self._problems = bool(self._problems), {}
        self.endInsertRows()
        if had_problems:
            self._refresh_all()
        self._refresh_days()
        return row

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self._steps):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._steps[row]
        del self._days[row]
        had_problems, self._problems = bool(self._problems), {}
        self.endRemoveRows()
        if had_problems:
            self._refresh_all()
        self._refresh_days()

    def move_row(self, row: int, delta: int) -> int:
        """Move one row up (-1) or down (+1); returns where it ended."""
        target = row + delta
        if delta not in (-1, 1) or not 0 <= row < len(self._steps) or not 0 <= target < len(self._steps):
            return row
        # Qt's destination is the row the moved row goes before, counted before the move.
        destination = target if delta < 0 else target + 1
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._steps.insert(target, self._steps.pop(row))
        self._days.insert(target, self._days.pop(row))
        had_problems, self._problems = bool(self._problems), {}
        self.endMoveRows()
        if had_problems:
            self._refresh_all()
        self._refresh_days()
        return target

    # --- the service's messages -------------------------------------------------

    def set_errors(self, errors: dict[str, str]) -> None:
        """Mark the cells named by the service's keys `steps.<index>.<field>`."""
        self._problems = {}
        for key, message in errors.items():
            parts = key.split(".")
            if len(parts) != 3 or parts[0] != "steps" or not parts[1].isdigit():
                continue
            column = FIELD_COLUMNS.get(parts[2], -1)
            self._problems.setdefault(int(parts[1]), []).append(_Problem(column, message))
        self._refresh_all()

    def clear_errors(self) -> None:
        if self._problems:
            self._problems = {}
            self._refresh_all()

    def has_errors(self) -> bool:
        return bool(self._problems)

    def _problem(self, row: int, column: int) -> str:
        return "\n".join(p.message for p in self._problems.get(row, []) if p.column in (column, -1))

    # --- the model interface ------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._steps)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._steps):
                return str(section + 1)
            return None
        if not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][0])
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                DAY: _("Day after delivery, before moving to the next working day"),
                OFFSET: _("Days after the delivery or after the previous step"),
                ANCHOR: _("What the days count from: the delivery or the previous step"),
                DURATION: _("Expected duration in minutes"),
            }.get(section)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() != DAY:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._steps):
            return None
        step, column = self._steps[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(index.row(), step, column)
        if role == Qt.ItemDataRole.EditRole:
            return None if column == DAY else getattr(step, COLUMNS[column][1])
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = self._problem(index.row(), column)
            if problem:
                return problem
            if column == ANCHOR and step.anchor in set(StepAnchor):
                return StepAnchor(step.anchor).label
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(ERROR_BACKGROUND)) if self._problem(index.row(), column) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (DAY, OFFSET, DURATION):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: int, step: PlanStepInput, column: int) -> str:
        if column == DAY:
            day = self._days[row]
            return "" if day is None else _("D+{days}").format(days=day)
        value = getattr(step, COLUMNS[column][1])
        if column == ANCHOR:
            return _(ANCHOR_SHORT[value]) if value in ANCHOR_SHORT else str(value)
        if column in CHOICES:
            return value.label if isinstance(value, CHOICES[column]) else str(value)
        return str(value)

    def setData(  # noqa: N802 (Qt override)
        self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() == DAY:
            return False
        if not 0 <= index.row() < len(self._steps):
            return False
        column = index.column()
        if column in CHOICES:
            try:
                value = CHOICES[column](value)
            except ValueError:
                return False
        elif isinstance(value, bool) or not isinstance(value, int):
            return False
        name = COLUMNS[column][1]
        step = self._steps[index.row()]
        if getattr(step, name) == value:
            return True
        self._steps[index.row()] = replace(step, **{name: value})
        row_problems = self._problems.pop(index.row(), [])
        if row_problems:  # the row's messages no longer describe what it holds
            self._problems_changed(index.row())
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        if column in (OFFSET, ANCHOR):
            self._refresh_days(index.row())
        return True

    # --- helpers --------------------------------------------------------------------

    def _recount(self) -> None:
        self._days = day_numbers(self._steps)

    def _refresh_days(self, first: int = 0) -> None:
        """Recompute the Day column from `first` down (later steps may count from it)."""
        self._recount()
        if first < len(self._steps):
            self.dataChanged.emit(
                self.index(first, DAY), self.index(len(self._steps) - 1, DAY), [Qt.ItemDataRole.DisplayRole]
            )

    def _problems_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _refresh_all(self) -> None:
        if self._steps:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._steps) - 1, len(COLUMNS) - 1))


class PlanStepDelegate(QStyledItemDelegate):
    """Spin boxes for days and minutes, combos showing labels for the choices.

    Columns are as wide as their widest choice plus the editor's arrow, so opening an editor
    never clips its text and the table does not jump while editing.
    """

    EDITOR_ROOM = 40  # combo or spin arrows and frame

    def sizeHint(self, option, index: QModelIndex):  # noqa: N802
        size = super().sizeHint(option, index)
        column = index.column()
        metrics = option.fontMetrics
        if column in CHOICES:
            labels = [_(ANCHOR_SHORT[c]) if column == ANCHOR else c.label for c in CHOICES[column]]
            size.setWidth(
                max(size.width(), max(metrics.horizontalAdvance(t) for t in labels) + self.EDITOR_ROOM)
            )
        elif column in (OFFSET, DURATION):
            widest = str(MAX_OFFSET_DAYS if column == OFFSET else MAX_DURATION_MINUTES)
            size.setWidth(max(size.width(), metrics.horizontalAdvance(widest) + self.EDITOR_ROOM))
        return size

    def createEditor(self, parent: QWidget, option, index: QModelIndex):  # noqa: N802
        column = index.column()
        if column in CHOICES:
            combo = QComboBox(parent)
            for choice in CHOICES[column]:
                label = _(ANCHOR_SHORT[choice]) if column == ANCHOR else choice.label
                combo.addItem(label, choice)
                if column == ANCHOR:
                    combo.setItemData(combo.count() - 1, choice.label, Qt.ItemDataRole.ToolTipRole)
            return combo
        if column in (OFFSET, DURATION):
            spin = QSpinBox(parent)
            if column == OFFSET:
                spin.setRange(0, MAX_OFFSET_DAYS)
            else:
                spin.setRange(1, MAX_DURATION_MINUTES)
                spin.setSingleStep(5)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            return spin
        return None

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QSpinBox) and isinstance(value, int):
            editor.setValue(value)

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QSpinBox):
            editor.interpretText()
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
