"""The returns dialogs: open a return, and move one to its next state.

Each dialog only gathers input; the page runs the command, so `ask()` returns plain values
(or None when cancelled) and tests replace `ask` to drive the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_number, parse_decimal
from app.markup import escape
from app.models import SoldUnit
from app.models.base import max_length
from app.models.enums import OutOfWarrantyReason, ReturnReason, ReturnState
from app.services.errors import ValidationError
from app.services.returns import (
    ReturnableUnit,
    ReturnDetail,
    action_text,
    open_return,
    units_of_customer,
)
from app.services.sales.warranty import WarrantyStatus, warranty_text
from app.views.agenda.dialogs import CustomerPicker
from app.views.combos import filter_as_you_type
from app.views.customers.customer_dialog import date_edit, from_qdate, to_qdate
from app.views.dialogs import FormDialog, choice_combo, current_choice
from app.views.returns.table_model import OVERDUE_TEXT, unit_text

RS = ReturnState


class _FormDialog(FormDialog):
    """A form whose fields show the service's per-field errors under them."""

    def _buttons(self, ok_text: str) -> QDialogButtonBox:
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons


# --- open a return -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenReturnInput:
    customer_id: int | None
    sold_unit_id: int | None
    reason: ReturnReason
    description: str
    reported_on: dt.date
    out_of_warranty_reason: OutOfWarrantyReason | None = None
    customer_text: str = field(default="", compare=False)


class OpenReturnDialog(_FormDialog):
    """Customer → sold unit, reason, what the customer reports, when; out of warranty says why."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        initial: OpenReturnInput | None = None,
        errors: dict[str, str] | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(_("Open warranty return"))
        self._today = today or dt.date.today()
        self._units: list[ReturnableUnit] = []
        self._customer = CustomerPicker()
        self._unit = filter_as_you_type(QComboBox())
        self._unit.setMinimumContentsLength(30)
        self._unit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._warranty = QLabel()
        self._warranty.setWordWrap(True)
        self._warranty.setTextFormat(Qt.TextFormat.RichText)
        self._reason = choice_combo(ReturnReason, ReturnReason.FAILURE_IN_USE)
        self._description = QPlainTextEdit()
        self._description.setTabChangesFocus(True)
        self._description.setPlaceholderText(_("What the customer reports, in their words"))
        self._description.setMinimumHeight(80)
        self._reported = date_edit(self._today)
        self._reported.setMaximumDate(to_qdate(self._today))
        self._out_reason = QComboBox()
        self._out_reason.addItem(_("Choose…"), None)
        for reason in OutOfWarrantyReason:
            self._out_reason.addItem(reason.label, reason)
        for key, caption, widget in (
            ("customer_id", _("Customer"), self._customer),
            ("sold_unit_id", _("Unit"), self._unit),
            ("warranty", _("Warranty"), self._warranty),
            ("out_of_warranty_reason", _("Accepted as"), self._out_reason),
            ("reason", _("Reason"), self._reason),
            ("description", _("Description"), self._description),
            ("reported_on", _("Requested on"), self._reported),
        ):
            self._add_row(key, caption, widget)
        self._buttons_box = self._buttons(_("Open return"))
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addWidget(self._general_error)
        layout.addWidget(self._buttons_box)
        self.setMinimumWidth(640)

        self._customer.customer_changed.connect(self._on_customer_customer_changed)
        self._unit.currentIndexChanged.connect(self._update_warranty)
        self._reported.dateChanged.connect(self._update_warranty)
        if initial is not None:
            self.set_values(initial)
        self._update_warranty()
        if errors is not None:  # reopened after a refusal: it holds what the user typed
            self.show_errors(errors)

    # --- the customer's units --------------------------------------------------------

    @property
    def customer_picker(self) -> CustomerPicker:
        return self._customer

    def _on_customer_customer_changed(self, customer_id: int | None) -> None:
        self.load_units(customer_id)
        if customer_id is not None:
            self.clear_error("customer_id")

    def load_units(self, customer_id: int | None, select_unit: int | None = None) -> None:
        current = select_unit if select_unit is not None else self._unit.currentData()
        self._units = units_of_customer(customer_id) if customer_id is not None else []
        self._unit.blockSignals(True)
        self._unit.clear()
        if customer_id is not None and not self._units:
            self._unit.addItem(_("This customer has no units on record"), None)
        for unit in self._units:
            text = unit_text(unit.product_name, unit.serial_number)
            text = _("{unit} – sale {sale}").format(unit=text, sale=unit.sale_number)
            if unit.open_return_number:
                text += " · " + _("open return {number}").format(number=unit.open_return_number)
            self._unit.addItem(text, unit.id)
        self._unit.setCurrentIndex(max(0, self._unit.findData(current)))
        self._unit.blockSignals(False)
        self._update_warranty()

    def unit_texts(self) -> list[str]:
        return [self._unit.itemText(i) for i in range(self._unit.count())]

    def select_unit(self, unit_id: int) -> None:
        self._unit.setCurrentIndex(max(0, self._unit.findData(unit_id)))

    def _selected_unit(self) -> ReturnableUnit | None:
        unit_id = self._unit.currentData()
        return next((u for u in self._units if u.id == unit_id), None)

    def _update_warranty(self, *args) -> None:
        unit = self._selected_unit()
        out_of_warranty = False
        self._errors["sold_unit_id"].hide()
        if unit is None:
            self._warranty.setText("")
        elif unit.open_return_number:
            self._warranty.setText("")
            self.show_errors(
                {
                    "sold_unit_id": _(
                        "This unit already has an open return, {number}. Continue with that one."
                    ).format(number=unit.open_return_number)
                }
            )
        elif unit.warranty_ends_on is None:
            self._warranty.setText(_e_muted(_("Not delivered yet: a return cannot be opened.")))
        else:
            status = WarrantyStatus.on(unit.warranty_ends_on, from_qdate(self._reported.date()))
            text = escape(warranty_text(WarrantyStatus(status.under_warranty, status.days)))
            ends = escape(_("last day {date}").format(date=format_date(unit.warranty_ends_on)))
            if status.under_warranty:
                self._warranty.setText(f"{text} · <span style='color: palette(dark);'>{ends}</span>")
            else:
                out_of_warranty = True
                warning = escape(_("Say why the return is accepted anyway."))
                self._warranty.setText(
                    f"<span style='color: {OVERDUE_TEXT}; font-weight: 600;'>⚠ {text}</span> · {ends}<br>{warning}"
                )
        self._set_row_visible("out_of_warranty_reason", out_of_warranty)
        self._out_of_warranty = out_of_warranty
        ok = self._buttons_box.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(unit is not None and not unit.open_return_number and unit.warranty_ends_on is not None)

    def warranty_text(self) -> str:
        return self._warranty.text()

    def out_of_warranty_shown(self) -> bool:
        return self._out_of_warranty

    # --- values ---------------------------------------------------------------------------

    def set_values(self, value: OpenReturnInput) -> None:
        self._customer.blockSignals(True)
        self._customer.set_customer(value.customer_id, value.customer_text)
        self._customer.blockSignals(False)
        self._reported.setDate(to_qdate(value.reported_on))
        self.load_units(value.customer_id, value.sold_unit_id)
        self._reason.setCurrentIndex(max(0, self._reason.findData(value.reason)))
        self._description.setPlainText(value.description)
        self._out_reason.setCurrentIndex(max(0, self._out_reason.findData(value.out_of_warranty_reason)))

    def set_description(self, text: str) -> None:
        self._description.setPlainText(text)

    def set_out_of_warranty_reason(self, reason: OutOfWarrantyReason) -> None:
        self._out_reason.setCurrentIndex(max(0, self._out_reason.findData(reason)))

    def values(self) -> OpenReturnInput:
        return OpenReturnInput(
            customer_id=self._customer.customer_id(),
            sold_unit_id=self._unit.currentData(),
            reason=ReturnReason(self._reason.currentData()),
            description=self._description.toPlainText().strip(),
            reported_on=from_qdate(self._reported.date()),
            out_of_warranty_reason=(
                current_choice(self._out_reason, OutOfWarrantyReason) if self._out_of_warranty else None
            ),
            customer_text=self._customer.text(),
        )

    def accept(self) -> None:
        if self._customer.customer_id() is None:
            self.show_errors(
                {"customer_id": _("Choose the customer from the list that appears as you type.")}
            )
            return
        if self._unit.currentData() is None:
            self.show_errors({"sold_unit_id": _("Choose the unit the customer returns.")})
            return
        if self._out_of_warranty and self._out_reason.currentData() is None:
            self.show_errors({"out_of_warranty_reason": _("Say why a unit out of warranty is accepted.")})
            return
        super().accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        *,
        initial: OpenReturnInput | None = None,
        errors: dict[str, str] | None = None,
        today: dt.date | None = None,
    ) -> OpenReturnInput | None:
        return cls(parent, initial=initial, errors=errors, today=today).answer(cls.values)


def amount_format_error() -> str:
    """'Enter the amount as a number, such as 1.234,50.' in the current locale's format."""
    return _("Enter the amount as a number, such as {example}.").format(
        example=format_number(Decimal("1234.5"), 2)
    )


def _e_muted(text: str) -> str:
    return f"<span style='color: palette(dark);'>{escape(text)}</span>"


# --- advance a return ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdvanceInput:
    note: str = ""
    inspection_note: str | None = None
    replacement_serial: str | None = None
    refund_amount: Decimal | None = None


class AdvanceReturnDialog(_FormDialog):
    """The note for a state change, plus what that change needs (inspection, serial, amount)."""

    def __init__(
        self,
        parent: QWidget | None,
        detail: ReturnDetail,
        target: ReturnState,
        *,
        initial: AdvanceInput | None = None,
        errors: dict[str, str] | None = None,
    ):
        super().__init__(parent)
        self._target = target
        row = detail.row
        self.setWindowTitle(_("{action} – {number}").format(action=action_text(target), number=row.number))
        summary = QLabel(
            f"<b>{escape(row.number)} · {escape(row.customer_name)}</b><br>"
            + escape(
                _("{unit} · now {state}, next {target}").format(
                    unit=unit_text(row.product_name, row.serial_number),
                    state=row.state.label.lower(),
                    target=target.label.lower(),
                )
            )
        )
        summary.setTextFormat(Qt.TextFormat.RichText)
        summary.setWordWrap(True)
        self._inspection = QPlainTextEdit()
        self._inspection.setTabChangesFocus(True)
        self._inspection.setPlaceholderText(_("What the inspection found"))
        self._inspection.setMinimumHeight(70)
        self._inspection.setPlainText(detail.inspection_note)
        self._serial = QLineEdit()
        self._serial.setMaxLength(max_length(SoldUnit.serial_number))
        self._serial.setPlaceholderText(_("Serial number of the unit handed over"))
        self._amount = QLineEdit()
        self._amount.setPlaceholderText(_("Amount in €"))
        self._note = QPlainTextEdit()
        self._note.setTabChangesFocus(True)
        self._note.setMinimumHeight(60)
        self._note.setPlaceholderText(
            _("Why the return is cancelled (required)") if target is RS.CANCELLED else _("Optional")
        )
        self._add_row("inspection_note", _("Inspection"), self._inspection)
        self._add_row("replacement_serial", _("Replacement serial"), self._serial)
        self._add_row("refund_amount", _("Amount"), self._amount)
        self._add_row("note", _("Note"), self._note)
        self._set_row_visible("inspection_note", target in (RS.INSPECTED, RS.APPROVED, RS.REJECTED))
        self._set_row_visible("replacement_serial", target is RS.REPLACED)
        self._set_row_visible("refund_amount", target in (RS.REFUNDED, RS.CREDITED))
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addLayout(self._form)
        layout.addWidget(self._general_error)
        layout.addWidget(self._buttons(action_text(target)))
        self.setMinimumWidth(480)
        if initial is not None:
            self.set_values(initial)
        if errors is not None:  # reopened after a refusal: it holds what the user typed
            self.show_errors(errors)

    def set_values(self, value: AdvanceInput) -> None:
        self._note.setPlainText(value.note)
        if value.inspection_note is not None:
            self._inspection.setPlainText(value.inspection_note)
        self._serial.setText(value.replacement_serial or "")
        self._amount.setText("" if value.refund_amount is None else str(value.refund_amount))

    def set_amount_text(self, text: str) -> None:
        self._amount.setText(text)

    def values(self) -> AdvanceInput:
        target = self._target
        amount = None
        if target in (RS.REFUNDED, RS.CREDITED) and self._amount.text().strip():
            amount = parse_decimal(self._amount.text())
        return AdvanceInput(
            note=self._note.toPlainText().strip(),
            inspection_note=(
                self._inspection.toPlainText().strip()
                if target in (RS.INSPECTED, RS.APPROVED, RS.REJECTED)
                else None
            ),
            replacement_serial=self._serial.text().strip() if target is RS.REPLACED else None,
            refund_amount=amount,
        )

    def accept(self) -> None:
        if self._target in (RS.REFUNDED, RS.CREDITED):
            try:
                parse_decimal(self._amount.text())
            except ValueError:
                self.show_errors({"refund_amount": amount_format_error()})
                return
        super().accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        detail: ReturnDetail,
        target: ReturnState,
        *,
        initial: AdvanceInput | None = None,
        errors: dict[str, str] | None = None,
    ) -> AdvanceInput | None:
        return cls(parent, detail, target, initial=initial, errors=errors).answer(cls.values)


# --- the whole "open a return" step, for the page and the customer 360° view ---------------------


def ask_and_open_return(
    parent: QWidget | None,
    acting_rep_id: int | None,
    *,
    initial: OpenReturnInput | None = None,
    today: dt.date | None = None,
    case_id: int | None = None,
) -> int | None:
    """Ask for the return and open it; returns its id, or None when the user cancels.

    `initial` pre-fills the dialog (the customer 360° view passes the customer and unit);
    `case_id` links the return to the complaint it comes from.

    A refusal reopens the dialog with the reasons under the fields. A unit with an open return
    raises OpenReturnExists (its message names the RMA; `return_id` says which one); any other
    failure is raised for the caller's show_error.
    """
    values, errors = initial, None
    while True:
        values = OpenReturnDialog.ask(parent, initial=values, errors=errors, today=today)
        if values is None:
            return None
        try:
            return open_return(
                values.sold_unit_id,
                values.reason,
                values.description,
                values.reported_on,
                acting_rep_id,
                case_id=case_id,
                out_of_warranty_reason=values.out_of_warranty_reason,
                today=today,
            )
        except ValidationError as exc:
            errors = exc.errors
