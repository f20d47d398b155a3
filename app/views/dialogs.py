"""Dialog base: remembers its geometry; subclasses expose `ask(parent, …) -> Result | None`."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.i18n import _
from app.views import settings


class BaseDialog(QDialog):
    """Restores and saves its size and position under window/<ClassName>."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._geometry_key = "geometry/" + type(self).__name__

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        geometry = settings.window_state(self._geometry_key)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        super().showEvent(event)

    def done(self, result: int) -> None:
        settings.save_window_state(self._geometry_key, self.saveGeometry())
        super().done(result)


def show_field_errors(
    errors: dict[str, str],
    labels: dict[str, QLabel],
    general: QLabel,
    fields: dict[str, QWidget] | None = None,
) -> None:
    """Each message under its field's label, messages for no field together on the general line;
    with `fields`, the first field at fault takes the focus."""
    for label in [*labels.values(), general]:
        label.hide()
    others: list[str] = []
    first: QWidget | None = None
    for key, message in errors.items():
        label = labels.get(key)
        if label is None:
            others.append(message)
            continue
        label.setText(message)
        label.show()
        if fields is not None:
            first = first or fields.get(key)
    if others:
        general.setText("\n".join(others))
        general.show()
    if first is not None:
        first.setFocus()


class FormDialog(BaseDialog):
    """A form whose fields show the service's per-field errors under them, others on one line."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._errors: dict[str, QLabel] = {}
        self._rows: dict[str, QWidget] = {}
        self._general_error = field_error_label()
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def _add_row(self, key: str, caption: str, widget: QWidget) -> QLabel:
        holder, self._errors[key] = with_error_label(widget)
        label = QLabel(caption)
        label.setBuddy(widget)
        self._form.addRow(label, holder)
        self._rows[key] = holder
        return label

    def _set_row_visible(self, key: str, visible: bool) -> None:
        self._form.setRowVisible(self._rows[key], visible)

    def show_errors(self, errors: dict[str, str]) -> None:
        show_field_errors(errors, self._errors, self._general_error)

    def error_text(self, key: str) -> str:
        label = self._errors.get(key, self._general_error)
        return label.text() if not label.isHidden() else ""


def field_error_label() -> QLabel:
    """A red label placed under a field to say why its value is refused."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


def with_error_label(widget: QWidget) -> tuple[QWidget, QLabel]:
    """`widget` with a field_error_label under it, for a form row: (the row's widget, the label)."""
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    error = field_error_label()
    column.addWidget(error)
    return holder, error


class Unsaved(StrEnum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved_changes(parent: QWidget | None, question: str) -> Unsaved:
    """Save, discard or keep editing (tests replace this)."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent, _("Unsaved changes"), question, buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save
    )
    if answer == buttons.Save:
        return Unsaved.SAVE
    if answer == buttons.Discard:
        return Unsaved.DISCARD
    return Unsaved.CANCEL


def confirm(parent: QWidget | None, question: str, title: str | None = None, *, default_yes: bool = False) -> bool:
    """A Yes/No question. No is the default before something that cannot be undone;
    Yes (default_yes) when proposing a helpful next step."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, title or _("Please confirm"), question, yes | no, yes if default_yes else no)
    return answer == yes
