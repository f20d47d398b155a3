"""The cases' dialogs: a new case by keyboard, and one dialog per step of the procedure.

Each dialog only gathers input; the page runs the service's command with it, so `ask()` returns
plain values (or None when cancelled) and tests replace `ask` to drive the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_date, format_number, parse_decimal, pgettext
from app.markup import escape
from app.models import Case
from app.models.base import max_length
from app.models.enums import (
    CaseCategory,
    CaseKind,
    ContactChannel,
    ProposalAnswer,
    Severity,
    SolutionType,
)
from app.services import cases as case_service
from app.services.cases import AMOUNT_SOLUTIONS, DEFAULT_SATISFACTION_DAYS, CaseRow
from app.views.agenda.dialogs import CustomerPicker
from app.views.combos import filter_as_you_type
from app.views.customers.customer_dialog import date_edit, from_qdate, to_qdate
from app.views.dialogs import FormDialog, choice_combo, current_choice


def _text_edit(placeholder: str = "", height: int = 70) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(height)
    edit.setMaximumHeight(int(height * 1.6))
    return edit


def case_summary(row: CaseRow) -> QLabel:
    """'CASE-2026-0007 – Complaint – Peña Hermanos' in bold, then the reception and the stage."""
    title = _("{number} – {kind} – {customer}").format(
        number=row.number, kind=row.kind.label, customer=row.customer_name
    )
    facts = _("Received on {date} by {channel} · stage: {stage}").format(
        date=format_date(row.received_on), channel=row.channel.label.lower(), stage=row.stage.label
    )
    label = QLabel(f"<b>{escape(title)}</b><br>{escape(facts)}")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


class _FormDialog(FormDialog):
    """A form with an error label under each field, a general error line and OK/Cancel."""

    def __init__(self, parent: QWidget | None, title: str, ok_text: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._layout = QVBoxLayout(self)
        self.setMinimumWidth(500)
        # Ctrl+Enter saves from anywhere, also from a multi-line field.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.accept)

    def _finish_layout(self, header: QWidget | None = None) -> None:
        if header is not None:
            self._layout.addWidget(header)
        self._layout.addLayout(self._form, 1)
        self._layout.addWidget(self._general_error)
        self._layout.addWidget(self._buttons)


# --- a new case ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCaseInput:
    customer_id: int | None
    kind: CaseKind
    channel: ContactChannel
    received_on: dt.date
    customer_words: str
    requested_compensation: str = ""
    sold_unit_id: int | None = None
    customer_text: str = field(default="", compare=False)  # what the picker showed


class NewCaseDialog(_FormDialog):
    """Quick entry by keyboard: customer (type and pick), type, channel, date, their words."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        initial: NewCaseInput | None = None,
        errors: dict[str, str] | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(parent, _("New case"), _("Record"))
        today = today or dt.date.today()
        self._customer = CustomerPicker()
        self._kind = choice_combo(CaseKind)
        self._channel = choice_combo(ContactChannel)
        self._received = date_edit(today)
        self._received.setMaximumDate(to_qdate(today))
        self._words = _text_edit(_("What the customer says, in their words"), 90)
        self._compensation = _text_edit(_("What the customer asks for"), 50)
        self._unit = filter_as_you_type(QComboBox())
        self._unit.addItem(pgettext("product", "(none)"), None)
        self._customer_row = self._add_row("customer_id", _("Customer"), self._customer)
        self._add_row("kind", _("Type"), self._kind)
        self._add_row("channel", _("Channel"), self._channel)
        self._add_row("received_on", _("Received on"), self._received)
        self._add_row("customer_words", _("Customer's words"), self._words)
        self._compensation_label = self._add_row(
            "requested_compensation", _("Compensation asked"), self._compensation
        )
        self._add_row("sold_unit_id", _("Product"), self._unit)
        hint = QLabel(_("Ctrl+Enter records the case."))
        hint.setStyleSheet("color: palette(dark);")
        self._finish_layout()
        self._layout.insertWidget(self._layout.count() - 1, hint)
        self.setMinimumWidth(560)

        self._kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        self._customer.customer_changed.connect(self._on_customer_customer_changed)
        self._customer_shown: int | None = None
        if initial is not None:
            self.set_values(initial)
        self._on_kind_current_index_changed()
        if errors is not None:  # reopened after a refusal: it holds what the user typed
            self.show_errors(errors)

    @property
    def customer_picker(self) -> CustomerPicker:
        return self._customer

    def _on_kind_current_index_changed(self, *args) -> None:
        claim = current_choice(self._kind, CaseKind) is CaseKind.CLAIM
        self._compensation.setVisible(claim)
        self._compensation_label.setVisible(claim)

    def _on_customer_customer_changed(self, customer_id: int | None) -> None:
        self._fill_units(customer_id)
        if customer_id is not None:
            self.clear_error("customer_id")

    def _fill_units(self, customer_id: int | None, selected: int | None = None) -> None:
        if customer_id == self._customer_shown and selected is None:
            return
        self._customer_shown = customer_id
        self._unit.clear()
        self._unit.addItem(pgettext("product", "(none)"), None)
        if customer_id is not None:
            for unit in case_service.customer_units(customer_id):
                serial = (
                    _(" (serial {serial})").format(serial=unit.serial_number) if unit.serial_number else ""
                )
                text = _("{product}{serial} – sale {sale} of {date}").format(
                    product=unit.product_name,
                    serial=serial,
                    sale=unit.sale_number,
                    date=format_date(unit.sold_on),
                )
                self._unit.addItem(text, unit.id)
        self._unit.setCurrentIndex(max(0, self._unit.findData(selected)))

    def set_values(self, value: NewCaseInput) -> None:
        self._customer.set_customer(value.customer_id, value.customer_text)
        self._kind.setCurrentIndex(max(0, self._kind.findData(value.kind)))
        self._channel.setCurrentIndex(max(0, self._channel.findData(value.channel)))
        self._received.setDate(to_qdate(value.received_on))
        self._words.setPlainText(value.customer_words)
        self._compensation.setPlainText(value.requested_compensation)
        self._fill_units(value.customer_id, value.sold_unit_id)

    def values(self) -> NewCaseInput:
        kind = current_choice(self._kind, CaseKind)
        return NewCaseInput(
            customer_id=self._customer.customer_id(),
            kind=kind,
            channel=current_choice(self._channel, ContactChannel),
            received_on=from_qdate(self._received.date()),
            customer_words=self._words.toPlainText().strip(),
            requested_compensation=self._compensation.toPlainText().strip() if kind is CaseKind.CLAIM else "",
            sold_unit_id=self._unit.currentData(),
            customer_text=self._customer.text(),
        )

    def accept(self) -> None:
        if self._customer.customer_id() is None:
            self.show_errors(
                {"customer_id": _("Choose the customer from the list that appears as you type.")}
            )
            self._customer.setFocus()
            return
        super().accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        *,
        initial: NewCaseInput | None = None,
        errors: dict[str, str] | None = None,
        today: dt.date | None = None,
    ) -> NewCaseInput | None:
        return cls(parent, initial=initial, errors=errors, today=today).answer(cls.values)


# --- the steps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepInput:
    """What every step records: its date and a note for the history; plus the step's own fields."""

    on: dt.date
    note: str = ""
    category: CaseCategory | None = None
    severity: Severity | None = None
    solution_type: SolutionType | None = None
    detail: str = ""
    amount: Decimal | None = None
    channel: ContactChannel | None = None
    answer: ProposalAnswer | None = None
    body: str = ""
    reference: str = ""
    outcome: str = ""
    department: str = ""
    response: str = ""
    satisfaction_days: int | None = None


class CaseStepDialog(_FormDialog):
    """One step of the procedure: the date (not before the reception), the step's fields, a note."""

    TITLE = ""
    OK_TEXT = ""

    def __init__(
        self,
        parent: QWidget | None,
        row: CaseRow,
        *,
        today: dt.date | None = None,
        initial: StepInput | None = None,
        errors: dict[str, str] | None = None,
    ):
        super().__init__(
            parent, _(self.TITLE) if self.TITLE else "", _(self.OK_TEXT) if self.OK_TEXT else _("Save")
        )
        self._row = row
        today = today or dt.date.today()
        self._date = date_edit(max(today, row.received_on))
        self._date.setMinimumDate(to_qdate(row.received_on))
        self._date.setToolTip(
            _("Not before the case was received ({date})").format(date=format_date(row.received_on))
        )
        self._note = _text_edit(_("Optional: what was said or done"), 50)
        self._build_fields()
        self._add_row("on", _("Date"), self._date)
        self._add_row("note", _("Note"), self._note)
        self._finish_layout(case_summary(row))
        if initial is not None:
            self.set_values(initial)
        if errors is not None:  # reopened after a refusal: it holds what the user typed
            self.show_errors(errors)

    def _build_fields(self) -> None:
        """Subclasses add their own rows first."""

    def set_values(self, value: StepInput) -> None:
        self._date.setDate(to_qdate(value.on))
        self._note.setPlainText(value.note)

    def _common(self) -> dict:
        return {"on": from_qdate(self._date.date()), "note": self._note.toPlainText().strip()}

    def values(self) -> StepInput:
        return StepInput(**self._common())

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        row: CaseRow,
        *,
        today: dt.date | None = None,
        initial: StepInput | None = None,
        errors: dict[str, str] | None = None,
    ) -> StepInput | None:
        return cls(parent, row, today=today, initial=initial, errors=errors).answer(cls.values)


class AnalysisDialog(CaseStepDialog):
    TITLE = N_("Analyse the case")
    OK_TEXT = N_("Save analysis")

    def _build_fields(self) -> None:
        self._category = choice_combo(CaseCategory)
        self._severity = choice_combo(Severity, Severity.MEDIUM)
        self._suggestion = QLabel()
        self._suggestion.setStyleSheet("color: palette(dark);")
        self._add_row("category", _("Category"), self._category)
        self._add_row("severity", _("Severity"), self._severity)
        self._form.addRow("", self._suggestion)
        self._category.currentIndexChanged.connect(self._on_category_current_index_changed)
        self._on_category_current_index_changed()

    def _on_category_current_index_changed(self, *args) -> None:
        solution = case_service.suggested_solution(current_choice(self._category, CaseCategory))
        self._suggestion.setText(
            _("Suggested solution: {solution}").format(solution=solution.label) if solution else ""
        )

    def suggestion_text(self) -> str:
        return self._suggestion.text()

    def set_values(self, value: StepInput) -> None:
        super().set_values(value)
        self._category.setCurrentIndex(max(0, self._category.findData(value.category)))
        self._severity.setCurrentIndex(max(0, self._severity.findData(value.severity)))

    def values(self) -> StepInput:
        return StepInput(
            **self._common(),
            category=current_choice(self._category, CaseCategory),
            severity=current_choice(self._severity, Severity),
        )


class ProposalDialog(CaseStepDialog):
    """The solution offered, with the amount of a gift or discount, and the agreed channel."""

    TITLE = N_("Propose a solution")
    OK_TEXT = N_("Record proposal")

    def __init__(
        self, parent, row, *, today=None, initial=None, errors=None, suggested: SolutionType | None = None
    ):
        self._suggested = suggested
        super().__init__(parent, row, today=today, initial=initial, errors=errors)

    def _build_fields(self) -> None:
        self._solution = choice_combo(SolutionType, self._suggested)
        self._detail = _text_edit(_("What exactly is offered"), 60)
        self._amount = QLineEdit()
        self._amount.setPlaceholderText(format_number(Decimal("50.00"), 2))
        self._channel = choice_combo(ContactChannel)
        self._add_row("solution_type", _("Solution"), self._solution)
        self._add_row("detail", _("Detail"), self._detail)
        self._amount_label = self._add_row("amount", _("Amount (€)"), self._amount)
        self._add_row("channel", _("Agreed channel"), self._channel)
        self._solution.currentIndexChanged.connect(self._on_solution_current_index_changed)
        self._on_solution_current_index_changed()

    def _on_solution_current_index_changed(self, *args) -> None:
        with_amount = current_choice(self._solution, SolutionType) in AMOUNT_SOLUTIONS
        self._amount.setVisible(with_amount)
        self._amount_label.setVisible(with_amount)

    def set_channel(self, channel: ContactChannel | None) -> None:
        if channel is not None:
            self._channel.setCurrentIndex(max(0, self._channel.findData(channel)))

    def set_values(self, value: StepInput) -> None:
        super().set_values(value)
        self._solution.setCurrentIndex(max(0, self._solution.findData(value.solution_type)))
        self._detail.setPlainText(value.detail)
        self._amount.setText(format_number(value.amount, 2) if value.amount is not None else "")
        self.set_channel(value.channel)

    def accept(self) -> None:
        try:
            self._parsed_amount()
        except ValueError:
            self.show_errors({"amount": _("Enter the amount as a number.")})
            self._amount.setFocus()
            return
        super().accept()

    def _parsed_amount(self) -> Decimal | None:
        solution = current_choice(self._solution, SolutionType)
        text = self._amount.text().strip()
        if solution not in AMOUNT_SOLUTIONS or not text:
            return None
        return parse_decimal(text)

    def values(self) -> StepInput:
        try:
            amount = self._parsed_amount()
        except ValueError:
            amount = None
        return StepInput(
            **self._common(),
            solution_type=current_choice(self._solution, SolutionType),
            detail=self._detail.toPlainText().strip(),
            amount=amount,
            channel=current_choice(self._channel, ContactChannel),
        )

    @classmethod
    def ask(cls, parent, row, *, today=None, initial=None, errors=None, suggested=None, title=None):
        dialog = cls(parent, row, today=today, initial=initial, errors=errors, suggested=suggested)
        if title:
            dialog.setWindowTitle(title)
        return dialog.answer(cls.values)


class AnswerDialog(CaseStepDialog):
    """The customer's answer to the pending proposal."""

    TITLE = N_("The customer's answer")
    OK_TEXT = N_("Record answer")

    def _build_fields(self) -> None:
        self._answer = QComboBox()
        for answer in (ProposalAnswer.ACCEPTED, ProposalAnswer.REJECTED):
            self._answer.addItem(answer.label, answer)
        self._add_row("answer", _("Answer"), self._answer)

    def set_values(self, value: StepInput) -> None:
        super().set_values(value)
        self._answer.setCurrentIndex(max(0, self._answer.findData(value.answer)))

    def values(self) -> StepInput:
        return StepInput(**self._common(), answer=current_choice(self._answer, ProposalAnswer))


class MediationDialog(CaseStepDialog):
    TITLE = N_("Refer to external mediation")
    OK_TEXT = N_("Refer")

    def _build_fields(self) -> None:
        self._body = QComboBox()
        self._body.setEditable(True)
        self._body.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for body in ("", _("Consumer arbitration board"), _("Municipal consumer information office (OMIC)")):
            self._body.addItem(body)
        self._body.lineEdit().setPlaceholderText(_("Choose or type the body"))
        self._body.lineEdit().setMaxLength(max_length(Case.mediation_body))
        self._reference = QLineEdit()
        self._reference.setMaxLength(max_length(Case.mediation_reference))
        self._add_row("body", _("Mediating body"), self._body)
        self._add_row("reference", _("Reference"), self._reference)

    def set_values(self, value: StepInput) -> None:
        super().set_values(value)
        self._body.setEditText(value.body)
        self._reference.setText(value.reference)

    def values(self) -> StepInput:
        return StepInput(
            **self._common(), body=self._body.currentText().strip(), reference=self._reference.text().strip()
        )


class CloseCaseDialog(CaseStepDialog):
    """The accepted solution carried out: close, and call the customer about it N days later."""

    TITLE = N_("Carry out and close")
    OK_TEXT = N_("Close case")

    def _build_fields(self) -> None:
        self._days = QSpinBox()
        self._days.setRange(0, 365)
        self._days.setValue(DEFAULT_SATISFACTION_DAYS)
        self._days.setSuffix(" " + _("days later"))
        explanation = QLabel(_("A satisfaction call is scheduled; its survey is linked to the case."))
        explanation.setWordWrap(True)
        explanation.setStyleSheet("color: palette(dark);")
        self._add_row("satisfaction_days", _("Satisfaction call"), self._days)
        self._form.addRow("", explanation)

    def set_values(self, value: StepInput) -> None:
        super().set_values(value)
        if value.satisfaction_days is not None:
            self._days.setValue(value.satisfaction_days)

    def values(self) -> StepInput:
        return StepInput(**self._common(), satisfaction_days=self._days.value())


class MediationOutcomeDialog(CloseCaseDialog):
    TITLE = N_("Outcome of the mediation")
    OK_TEXT = N_("Close case")

    def _build_fields(self) -> None:
        self._outcome = _text_edit(_("What the mediation decided"), 60)
        self._add_row("outcome", _("Outcome"), self._outcome)
        super()._build_fields()

    def set_values(self, value: StepInput) -> None:
        super().set_values(value)
        self._outcome.setPlainText(value.outcome)

    def values(self) -> StepInput:
        return StepInput(
            **self._common(),
            outcome=self._outcome.toPlainText().strip(),
            satisfaction_days=self._days.value(),
        )


class FinishSatisfactionDialog(CaseStepDialog):
    TITLE = N_("Finish the satisfaction analysis")
    OK_TEXT = N_("Close case")


class AcknowledgeDialog(CaseStepDialog):
    TITLE = N_("Acknowledge to the customer")
    OK_TEXT = N_("Acknowledge")


class ForwardDialog(CaseStepDialog):
    TITLE = N_("Forward to a department")
    OK_TEXT = N_("Forward")

    def _build_fields(self) -> None:
        self._department = QLineEdit()
        self._department.setMaxLength(max_length(Case.department))
        self._department.setPlaceholderText(_("e.g. Logistics, Technical service"))
        self._add_row("department", _("Department"), self._department)

    def set_values(self, value: StepInput) -> None:
        super().set_values(value)
        self._department.setText(value.department)

    def values(self) -> StepInput:
        return StepInput(**self._common(), department=self._department.text().strip())


class DepartmentResponseDialog(CaseStepDialog):
    TITLE = N_("The department's response")
    OK_TEXT = N_("Close case")

    def _build_fields(self) -> None:
        self._response = _text_edit(_("What the department answered or decided"), 70)
        self._add_row("response", _("Response"), self._response)

    def set_values(self, value: StepInput) -> None:
        super().set_values(value)
        self._response.setPlainText(value.response)

    def values(self) -> StepInput:
        return StepInput(**self._common(), response=self._response.toPlainText().strip())
