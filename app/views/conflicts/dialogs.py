"""Typing a value for a conflict: the field's own editor (text, number, date, choice…), the two
values in conflict beside it for reference."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_number, parse_decimal
from app.models.sync_schema import BY_NAME
from app.sync.labels import ConflictView, ValueKind
from app.views.customers.customer_dialog import TimeField, date_edit, from_qdate
from app.views.dialogs import BaseDialog, field_error_label, plain_label

_INTEGER_LIMIT = 1_000_000_000


@dataclass(frozen=True)
class TypedValue:
    """What the person typed, as the column's Python value (None: no value)."""

    value: Any


def headings(view: ConflictView) -> tuple[str, str, str]:
    """The three sides' headings: before, the laptop's, the office's."""
    return _("Before"), view.laptop_heading, _("The office")


class TypeValueDialog(BaseDialog):
    """One field's value, typed in its own editor; OK converts it through the field."""

    def __init__(self, view: ConflictView, parent: QWidget | None = None):
        super().__init__(parent)
        assert view.column is not None and view.value_kind is not None
        self._view = view
        self._kind = view.value_kind
        self._field = BY_NAME[view.table].fields[view.column]
        self.setWindowTitle(_("Type a value for {field}").format(field=view.field))
        self.setMinimumWidth(520)

        title = plain_label(view.record, wrap=True)
        title.setStyleSheet("font-weight: 600;")
        reference = QGridLayout()
        reference.setHorizontalSpacing(16)
        line = view.lines[0]
        for column, (heading, value) in enumerate(
            zip(headings(view), (line.base, line.mine, line.theirs), strict=True)
        ):
            caption = QLabel(heading)
            caption.setStyleSheet("color: palette(dark);")
            reference.addWidget(caption, 0, column)
            shown = plain_label(value or "—", wrap=True, selectable=True)
            shown.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            reference.addWidget(shown, 1, column)
            reference.setColumnStretch(column, 1)

        self._empty: QCheckBox | None = None
        self.editor = self._make_editor(view.mine_value)
        row = QHBoxLayout()
        row.addWidget(self.editor, 1)
        nullable = self._field.null and self._kind not in (ValueKind.CHOICE, ValueKind.BOOLEAN)
        if nullable and self._kind not in (ValueKind.TEXT, ValueKind.LONG_TEXT):
            self._empty = QCheckBox(_("No value"))
            self._empty.toggled.connect(lambda on: self.editor.setEnabled(not on))
            self._empty.setChecked(view.mine_value is None)
            row.addWidget(self._empty)
        form = QFormLayout()
        caption = QLabel(view.field)
        form.addRow(caption, row)
        self._error = field_error_label()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Use this value"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(reference)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self._error)
        layout.addWidget(buttons)
        self.editor.setFocus()
        self.typed: TypedValue | None = None

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)  # the remembered size
        # Wrapped values: the height follows the width (a remembered or hinted height may be short).
        needed = self._layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    # --- the editor ---------------------------------------------------------------------------

    def _make_editor(self, start: Any) -> QWidget:
        field, kind = self._field, self._kind
        if kind is ValueKind.CHOICE:
            combo = QComboBox()
            if field.null:
                combo.addItem("—", None)
            for choice in self._choices():
                combo.addItem(getattr(choice, "label", str(choice)), choice.value)
            combo.setCurrentIndex(max(0, combo.findData(getattr(start, "value", start))))
            return combo
        if kind is ValueKind.BOOLEAN:
            combo = QComboBox()
            if field.null:
                combo.addItem("—", None)
            combo.addItem(_("Yes"), True)
            combo.addItem(_("No"), False)
            combo.setCurrentIndex(max(0, combo.findData(bool(start) if start is not None else None)))
            return combo
        if kind is ValueKind.DATE:
            return date_edit(start if isinstance(start, dt.date) else None, limited=False)
        if kind is ValueKind.DATETIME:
            moment = start if isinstance(start, dt.datetime) else dt.datetime.now().replace(second=0)
            holder = QWidget()
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            self._date = date_edit(moment.date(), limited=False)
            self._time = TimeField(QTime(moment.hour, moment.minute))
            self._time.setDisplayFormat("HH:mm")
            row.addWidget(self._date)
            row.addWidget(self._time)
            row.addStretch(1)
            return holder
        if kind is ValueKind.INTEGER:
            spin = QSpinBox()
            spin.setRange(-_INTEGER_LIMIT, _INTEGER_LIMIT)
            spin.setValue(int(start) if isinstance(start, int) else 0)
            return spin
        if kind in (ValueKind.DECIMAL, ValueKind.MONEY):
            edit = QLineEdit()
            if start is not None:
                edit.setText(format_number(Decimal(str(start)), self._decimal_places()))
            return edit
        if kind is ValueKind.LONG_TEXT:
            text = QPlainTextEdit(str(start or ""))
            text.setTabChangesFocus(True)
            text.setMinimumHeight(90)
            return text
        edit = QLineEdit(str(start or ""))
        max_length = getattr(field, "max_length", None)
        if max_length:
            edit.setMaxLength(max_length)
        return edit

    def _choices(self) -> type[Enum]:
        return self._field.enum_class  # type: ignore[attr-defined]  # a ChoiceField's

    def _decimal_places(self) -> int:
        return self._field.decimal_places  # type: ignore[attr-defined]  # a DecimalField's

    def value(self) -> TypedValue:
        """The editor's value as the column's Python value; ValueError with the reason when refused."""
        if self._empty is not None and self._empty.isChecked():
            return TypedValue(None)
        editor, kind, field = self.editor, self._kind, self._field
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            if kind is ValueKind.CHOICE and data is not None:
                return TypedValue(self._choices()(data))
            return TypedValue(data)
        if kind is ValueKind.DATE:
            return TypedValue(from_qdate(editor.date()))  # type: ignore[attr-defined]
        if kind is ValueKind.DATETIME:
            time = self._time.time()
            return TypedValue(
                dt.datetime.combine(from_qdate(self._date.date()), dt.time(time.hour(), time.minute()))
            )
        if isinstance(editor, QSpinBox):
            return TypedValue(editor.value())
        if kind in (ValueKind.DECIMAL, ValueKind.MONEY):
            assert isinstance(editor, QLineEdit)
            text = editor.text().strip()
            if not text:
                if field.null:
                    return TypedValue(None)
                raise ValueError(_("Enter the amount as a number."))
            try:
                number = parse_decimal(text)
            except ValueError:
                raise ValueError(_("Enter the amount as a number.")) from None
            if kind is ValueKind.MONEY and number < 0:
                raise ValueError(_("The amount cannot be negative."))
            return TypedValue(number.quantize(Decimal(1).scaleb(-self._decimal_places())))
        if isinstance(editor, QPlainTextEdit):
            text = editor.toPlainText().strip()
        else:
            assert isinstance(editor, QLineEdit)
            text = editor.text().strip()
        # A column that may hold nothing holds NULL, not "" (a unique tax id lets many customers have none).
        return TypedValue(text if text or not field.null else None)

    def _on_buttons_accepted(self) -> None:
        try:
            self.typed = self.value()
        except ValueError as exc:
            self._error.setText(str(exc))
            self._error.show()
            self.editor.setFocus()
            return
        self.accept()

    def error_text(self) -> str:
        return self._error.text() if not self._error.isHidden() else ""

    @classmethod
    def ask(cls, parent: QWidget | None, view: ConflictView) -> TypedValue | None:
        """The value typed, or None when the person cancels."""
        return cls(view, parent).answer(lambda dialog: dialog.typed)
