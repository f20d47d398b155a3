"""Dialog base: remembers its geometry; subclasses expose `ask(parent, …) -> Result | None`."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from enum import Enum, StrEnum
from pathlib import Path
from typing import Self, TypeVar

from PySide6.QtCore import QByteArray, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.outputs import with_extension
from app.services.errors import ConfirmationRequired
from app.views import settings

T = TypeVar("T")
E = TypeVar("E", bound=Enum)


def input_state(root: QWidget) -> tuple:
    """What the user can type or choose in `root`'s fields, to tell whether any of it changed."""
    values: list = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLineEdit):
            values.append(widget.text())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)) and not widget.isReadOnly():
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append((widget.currentIndex(), widget.currentText()))
        elif isinstance(widget, QAbstractSpinBox):
            values.append(widget.text())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
    return tuple(values)


class BaseDialog(QDialog):
    """Restores and saves its size and position under window/<ClassName>.

    Closing it without OK (Esc, Cancel, the window's close button) after the user typed or chose
    something asks first: save, discard or keep editing. "What was typed" is the fields' state
    compared with what the dialog showed when it opened (`input_state`); a dialog that shows data
    rather than gathering it sets ASKS_BEFORE_DISCARDING = False.
    """

    ASKS_BEFORE_DISCARDING = True

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._geometry_key = "geometry/" + type(self).__name__
        self._shown_state: tuple | None = None
        self._holds_refused_input = False

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        geometry = settings.window_state(self._geometry_key)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        super().showEvent(event)
        if self._shown_state is None:
            self._shown_state = input_state(self)

    def done(self, result: int) -> None:
        settings.save_window_state(self._geometry_key, self.saveGeometry())
        super().done(result)

    def answer(self, result: Callable[[Self], T], *, always: bool = False) -> T | None:
        """The body of every `ask`: run the dialog modally, then `result(self)` when it was accepted
        (or `always`), else None; the dialog is deleted afterwards."""
        try:
            accepted = self.exec() == QDialog.DialogCode.Accepted
            return result(self) if accepted or always else None
        finally:
            self.deleteLater()

    def mark_refused_input(self) -> None:
        """The form holds what the user typed and a command refused: closing it asks, typed or not."""
        self._holds_refused_input = True

    def has_typed_data(self) -> bool:
        """Whether closing now would throw away something the user typed or chose."""
        if not self.ASKS_BEFORE_DISCARDING:
            return False
        if self._holds_refused_input:
            return True
        return self._shown_state is not None and input_state(self) != self._shown_state

    def discard_question(self) -> str:
        return _("What you typed has not been saved. Save it?")

    def _save_as_ok(self) -> None:
        """Do what the OK button does (a form that refuses its values stays open with the reasons shown)."""
        for box in self.findChildren(QDialogButtonBox):
            for button in box.buttons():
                if box.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole and not button.isHidden():
                    if button.isEnabled():
                        button.click()
                        return
        self.accept()

    def reject(self) -> None:
        """Esc, Cancel or the close button: ask before throwing typed data away."""
        if self.has_typed_data():
            answer = ask_unsaved_changes(self, self.discard_question())
            if answer is Unsaved.SAVE:
                self._save_as_ok()
                return
            if answer is Unsaved.CANCEL:
                return
        super().reject()


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
        """The reasons beside the fields; the form now holds refused input (closing it asks)."""
        self.mark_refused_input()
        show_field_errors(errors, self._errors, self._general_error)

    def error_text(self, key: str) -> str:
        label = self._errors.get(key, self._general_error)
        return label.text() if not label.isHidden() else ""

    def clear_error(self, key: str) -> None:
        """The field was put right: its reason goes away."""
        label = self._errors.get(key)
        if label is not None:
            label.hide()


def choice_combo(choices, current=None) -> QComboBox:
    """A combo showing each choice's translated label and holding the choice itself."""
    combo = QComboBox()
    for choice in choices:
        combo.addItem(choice.label, choice)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def current_choice(combo: QComboBox, choices: type[E]) -> E | None:
    """The choice a combo of `choices` holds (Qt hands str enums back as plain str); None for an
    entry holding none ("All", "—")."""
    value = combo.currentData()
    return None if value is None or value == "" else choices(value)


def plain_label(text: str = "", *, wrap: bool = False, selectable: bool = False) -> QLabel:
    """A label showing `text` exactly as it is: user text is never read as markup (Qt guesses rich text)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def field_error_label(*, reserve: bool = False) -> QLabel:
    """A red label placed under a field to say why its value is refused (messages quote user text).

    `reserve`: the label keeps a line's room while hidden, so the form does not move under the
    pointer when a message appears or goes (a click would land on another field)."""
    label = plain_label()
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    if reserve:
        policy = label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        label.setSizePolicy(policy)
        label.setMinimumHeight(label.fontMetrics().height())
    label.hide()
    return label


def with_error_label(widget: QWidget) -> tuple[QWidget, QLabel]:
    """`widget` with a field_error_label under it, for a form row: (the row's widget, the label)."""
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    error = field_error_label(reserve=True)
    column.addWidget(error)
    return holder, error


class Unsaved(StrEnum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def message_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.NoButton,
) -> QMessageBox.StandardButton:
    """QMessageBox's static functions, but the text is plain: messages quote names and notes, and
    Qt would read "<b>Pepe</b> Pérez" as markup."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if default != QMessageBox.StandardButton.NoButton:
        box.setDefaultButton(default)
    box.exec()
    return box.standardButton(box.clickedButton()) if box.clickedButton() is not None else default


def inform(parent: QWidget | None, text: str, title: str) -> None:
    message_box(parent, QMessageBox.Icon.Information, title, text)


def ask_unsaved_changes(parent: QWidget | None, question: str) -> Unsaved:
    """Save, discard or keep editing (tests replace this)."""
    buttons = QMessageBox.StandardButton
    answer = message_box(
        parent,
        QMessageBox.Icon.Question,
        _("Unsaved changes"),
        question,
        buttons.Save | buttons.Discard | buttons.Cancel,
        buttons.Save,
    )
    if answer == buttons.Save:
        return Unsaved.SAVE
    if answer == buttons.Discard:
        return Unsaved.DISCARD
    return Unsaved.CANCEL


def confirm(
    parent: QWidget | None, question: str, title: str | None = None, *, default_yes: bool = False
) -> bool:
    """A Yes/No question. No is the default before something that cannot be undone;
    Yes (default_yes) when proposing a helpful next step."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    answer = message_box(
        parent,
        QMessageBox.Icon.Question,
        title or _("Please confirm"),
        question,
        yes | no,
        yes if default_yes else no,
    )
    return answer == yes


def confirming_past(parent: QWidget | None, command: Callable[[bool], T]) -> T:
    """Run a scheduling command as `command(confirm_past)`: unconfirmed first; when the time is in the
    past (ConfirmationRequired) the person is asked, and it runs again confirmed, or the form they
    came from reopens (BackToForm)."""
    try:
        return command(False)
    except ConfirmationRequired as exc:
        if not confirm(parent, str(exc), _("A time in the past")):
            from app.views.errors import BackToForm  # the error dialog's module: not before the first paint

            raise BackToForm from None
        return command(True)


def documents_folder() -> Path:
    """The user's Documents folder (their home folder where there is none): where Save dialogs start."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    return folder if folder.is_dir() else Path.home()


def ask_save_file(
    parent: QWidget | None, caption: str, suggested: str | os.PathLike, filters: str, extension: str
) -> Path | None:
    """The system's Save dialog; the file chosen, with `extension` (".pdf") added when missing, or None.

    The file returned may be replaced (pass force=True to app.outputs): Qt's dialog asks before an
    existing file is chosen, and when the extension was added here and that file exists, this asks.
    """
    chosen, _filter = QFileDialog.getSaveFileName(parent, caption, os.fspath(suggested), filters)
    if not chosen:
        return None
    return _replacing_asked(parent, caption, chosen, extension)


def ask_save_file_of_types(
    parent: QWidget | None, caption: str, suggested: str | os.PathLike, types: Sequence[tuple[str, str]]
) -> tuple[Path, str] | None:
    """The system's Save dialog offering several file types, each (filter, extension) as in
    ask_save_file ("Excel workbooks (*.xlsx)", ".xlsx"); the first is chosen at first. Returns the
    file and its extension — the one the typed name ends with, else the chosen filter's, added — or
    None. An existing file has been asked about, as in ask_save_file."""
    filters = ";;".join(name for name, _extension in types)
    chosen, selected = QFileDialog.getSaveFileName(
        parent, caption, os.fspath(suggested), filters, types[0][0]
    )
    if not chosen:
        return None
    extension = next(
        (ext for _name, ext in types if chosen.lower().endswith(ext.lower())),
        next((ext for name, ext in types if name == selected), types[0][1]),
    )
    target = _replacing_asked(parent, caption, chosen, extension)
    return (target, extension) if target is not None else None


def _replacing_asked(parent: QWidget | None, caption: str, chosen: str, extension: str) -> Path | None:
    """`chosen` with `extension` added when missing; when that made another name and the file exists,
    asks before it is replaced (Qt's dialog asked about the name it returned)."""
    target = with_extension(chosen, extension)
    if target != Path(chosen) and target.exists():
        question = _("{file} already exists. Do you want to replace it?").format(file=target.name)
        if not confirm(parent, question, caption):
            return None
    return target


class EditConflict(StrEnum):
    RELOAD = "reload"
    OVERWRITE = "overwrite"
    CANCEL = "cancel"


def ask_choice(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    choices: list[tuple[str | QMessageBox.StandardButton, QMessageBox.ButtonRole, T]],
    *,
    default: T,
    escape: T,
) -> T:
    """A question with buttons of its own: each choice is (its text, or a standard button; its role;
    the value it answers). Returns the clicked button's value; `escape`'s when the box is closed."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # questions name user text
    buttons = []
    for label, role, value in choices:
        if isinstance(label, QMessageBox.StandardButton):
            buttons.append((box.addButton(label), value))
        else:
            buttons.append((box.addButton(label, role), value))
    box.setDefaultButton(next(button for button, value in buttons if value == default))
    box.setEscapeButton(next(button for button, value in buttons if value == escape))
    box.exec()
    clicked = box.clickedButton()
    return next((value for button, value in buttons if button is clicked), escape)


def ask_edit_conflict(parent: QWidget | None, question: str) -> EditConflict:
    """Someone else saved the record being edited: reload theirs, overwrite with ours, or keep editing
    (tests replace this)."""
    role = QMessageBox.ButtonRole
    return ask_choice(
        parent,
        QMessageBox.Icon.Warning,
        _("Changed by someone else"),
        question,
        [
            (_("&Reload their version"), role.ResetRole, EditConflict.RELOAD),
            (_("&Overwrite with mine"), role.DestructiveRole, EditConflict.OVERWRITE),
            (QMessageBox.StandardButton.Cancel, role.RejectRole, EditConflict.CANCEL),
        ],
        default=EditConflict.RELOAD,
        escape=EditConflict.CANCEL,
    )
