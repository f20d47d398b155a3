"""The panel beside the returns list: the return, its timeline, its costs and its next actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, format_money, format_number, ngettext, parse_decimal
from app.markup import escape
from app.models.enums import ReturnState
from app.services.returns import COST_FIELDS, ReturnDetail, action_text
from app.services.sales.warranty import WarrantyStatus, warranty_text
from app.views.dialogs import with_error_label
from app.views.returns.dialogs import amount_format_error
from app.views.returns.table_model import OUT_OF_WARRANTY_TEXT, OVERDUE_TEXT, deadline_text, unit_text
from app.views.rights import gate

RS = ReturnState


class ReturnDetailPanel(QFrame):
    """Everything about the selected return; the buttons are the service's allowed transitions."""

    transition_requested = Signal(object)  # ReturnState
    costs_submitted = Signal(object)  # dict[str, Decimal]
    open_customer_requested = Signal(int)
    print_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("returnDetail")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._detail: ReturnDetail | None = None
        self._summary = self._rich_label()
        self._actions_box = QWidget()
        self._actions = QGridLayout(self._actions_box)
        self._actions.setContentsMargins(0, 0, 0, 0)
        self._actions_heading = QLabel(_("Next step"))
        self._actions_heading.setStyleSheet("font-weight: 600;")
        self._action_buttons: dict[ReturnState, QPushButton] = {}
        self._nothing_to_do = QLabel(_("Nothing more to do: the return is finished."))
        self._nothing_to_do.setStyleSheet("color: palette(dark);")
        self._actions.addWidget(self._nothing_to_do, 0, 0, 1, 2)
        self._timeline = self._rich_label()
        timeline_box = QGroupBox(_("History"))
        QVBoxLayout(timeline_box).addWidget(self._timeline)

        self._cost_edits: dict[str, QLineEdit] = {}
        self._cost_errors = {}
        costs_box = QGroupBox(_("Costs"))
        costs = QFormLayout(costs_box)
        for key, caption in zip(COST_FIELDS, (_("Parts"), _("Labour"), _("Shipping")), strict=True):
            edit = QLineEdit()
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(160)
            holder, self._cost_errors[key] = with_error_label(edit)
            costs.addRow(caption, holder)
            self._cost_edits[key] = edit
            edit.returnPressed.connect(self._on_save_costs_clicked)
        self._total = QLabel()
        self._save_costs = QPushButton(_("Save costs"))
        self._save_costs.clicked.connect(self._on_save_costs_clicked)
        total_row = QHBoxLayout()
        total_row.addWidget(self._total, 1)
        total_row.addWidget(self._save_costs)
        costs.addRow(total_row)

        self._open_customer = QPushButton(_("Customer 360°"))
        self._open_customer.clicked.connect(self._on_open_customer_clicked)
        self._print = QPushButton(_("Print receipt…"))
        self._print.setToolTip(_("The customer's receipt as a PDF, once the unit has been received"))
        self._print.clicked.connect(self.print_requested)
        links = QHBoxLayout()
        links.addWidget(self._open_customer)
        links.addWidget(self._print)
        links.addStretch(1)

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self._summary)
        column.addLayout(links)
        column.addSpacing(6)
        column.addWidget(self._actions_heading)
        column.addWidget(self._actions_box)
        column.addWidget(costs_box)
        column.addWidget(timeline_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(scroll)
        self._content = [
            self._actions_heading,
            self._actions_box,
            costs_box,
            timeline_box,
            self._open_customer,
            self._print,
        ]
        self.show_detail(None)

    @staticmethod
    def _rich_label() -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # --- for the page and tests --------------------------------------------------------

    def detail(self) -> ReturnDetail | None:
        return self._detail

    def text(self) -> str:
        return "\n".join(label.text() for label in (self._summary, self._timeline))

    def action_button(self, state: ReturnState) -> QPushButton | None:
        return self._action_buttons.get(state)

    def action_states(self) -> list[ReturnState]:
        return list(self._action_buttons)

    def cost_edit(self, key: str) -> QLineEdit:
        return self._cost_edits[key]

    def cost_error(self, key: str) -> str:
        label = self._cost_errors[key]
        return label.text() if not label.isHidden() else ""

    @property
    def save_costs_button(self) -> QPushButton:
        return self._save_costs

    @property
    def print_button(self) -> QPushButton:
        return self._print

    # --- showing ---------------------------------------------------------------------------

    def show_detail(
        self, detail: ReturnDetail | None, today: dt.date | None = None, refusal: str | None = None
    ) -> None:
        """`refusal`: why the person may not change this return; its next steps and costs are shown
        disabled (the costs read-only), saying why. Printing the receipt stays."""
        self._detail = detail
        for widget in self._content:
            widget.setVisible(detail is not None)
        self._clear_cost_errors()
        if detail is None:
            self._summary.setText(
                "<p style='color: palette(mid);'>"
                + escape(_("Select a return to see its progress and costs."))
                + "</p>"
            )
            self._timeline.setText("")
            self._set_actions([], None)
            return
        self._summary.setText(self._summary_html(detail, today or dt.date.today()))
        self._timeline.setText(self._timeline_html(detail))
        self._set_actions(detail.allowed, refusal)
        for key, value in zip(
            COST_FIELDS, (detail.cost_parts, detail.cost_labour, detail.cost_shipping), strict=True
        ):
            self._cost_edits[key].setText(format_number(value, 2))
            self._cost_edits[key].setReadOnly(refusal is not None)
        gate(self._save_costs, refusal)
        self._total.setText(_("Total: {amount}").format(amount=format_money(detail.total_cost)))
        self._print.setEnabled(detail.received)

    def _set_actions(self, states: list[ReturnState], refusal: str | None) -> None:
        for button in self._action_buttons.values():
            self._actions.removeWidget(button)
            button.deleteLater()
        self._action_buttons = {}
        for index, state in enumerate(states):
            button = QPushButton(action_text(state) + "…")
            if state is RS.CANCELLED:
                button.setStyleSheet(
                    f"QPushButton:enabled {{ color: {OVERDUE_TEXT}; }}"
                )  # greyed when refused
            button.clicked.connect(lambda _checked=False, s=state: self.transition_requested.emit(s))
            gate(button, refusal)
            self._actions.addWidget(button, 1 + index // 2, index % 2)
            self._action_buttons[state] = button
        self._nothing_to_do.setVisible(not states)

    @staticmethod
    def _summary_html(detail: ReturnDetail, today: dt.date) -> str:
        row = detail.row
        warranty = escape(warranty_text(WarrantyStatus(row.under_warranty, row.warranty_days)))
        if not row.under_warranty:
            accepted = (
                escape(_("accepted as {reason}").format(reason=detail.out_of_warranty_reason.label))
                if detail.out_of_warranty_reason is not None
                else ""
            )
            warranty = f"<span style='color: {OUT_OF_WARRANTY_TEXT};'>{warranty}</span> · {accepted}"
        deadline = escape(deadline_text(row, today))
        if row.overdue:
            deadline = f"<span style='color: {OVERDUE_TEXT}; font-weight: 600;'>{deadline}</span>"
        lines = [
            f"<div style='font-size: 15px; font-weight: 600;'>{escape(row.number)} · {escape(row.state.label)}</div>",
            f"<div style='font-weight: 600;'>{escape(row.customer_name)}</div>",
            escape(unit_text(row.product_name, row.serial_number)),
            escape(_("Reason: {reason}").format(reason=row.reason.label)),
            escape(
                ngettext(
                    "Requested on {date}, {days} day open",
                    "Requested on {date}, {days} days open",
                    row.days_open,
                ).format(
                    date=format_date(row.reported_on),
                    days=format_number(row.days_open),
                )
            ),
            deadline,
            warranty,
        ]
        if detail.replacement_serial is not None:
            lines.append(
                escape(_("Replaced by serial {serial}").format(serial=detail.replacement_serial or "—"))
            )
        if detail.refund_amount is not None:
            lines.append(
                escape(
                    _("Amount refunded or credited: {amount}").format(
                        amount=format_money(detail.refund_amount)
                    )
                )
            )
        if row.rep_name:
            lines.append(escape(_("Rep: {name}").format(name=row.rep_name)))
        if detail.description:
            heading = escape(_("Description"))
            lines.append(f"<b>{heading}</b><br>{escape(detail.description)}")
        if detail.inspection_note:
            heading = escape(_("Inspection"))
            lines.append(f"<b>{heading}</b><br>{escape(detail.inspection_note)}")
        return "<br>".join(lines)

    @staticmethod
    def _timeline_html(detail: ReturnDetail) -> str:
        items = []
        for change in reversed(detail.timeline):
            who = f" · {escape(change.rep_name)}" if change.rep_name else ""
            note = f"<br><i>{escape(change.note)}</i>" if change.note else ""
            items.append(
                f"<b>{escape(change.to_state.label)}</b> "
                f"<span style='color: palette(dark);'>{escape(format_datetime(change.changed_at))}{who}</span>{note}"
            )
        return "<br>".join(items)

    # --- costs -----------------------------------------------------------------------------

    def _clear_cost_errors(self) -> None:
        for label in self._cost_errors.values():
            label.hide()

    def show_cost_errors(self, errors: dict[str, str]) -> None:
        self._clear_cost_errors()
        for key, message in errors.items():
            label = self._cost_errors.get(key)
            if label is not None:
                label.setText(message)
                label.show()

    def _on_save_costs_clicked(self) -> None:
        if not self._save_costs.isEnabled():  # Enter in a read-only cost field
            return
        values: dict[str, Decimal] = {}
        errors: dict[str, str] = {}
        for key, edit in self._cost_edits.items():
            text = edit.text().strip() or "0"
            try:
                values[key] = parse_decimal(text)
            except ValueError:
                errors[key] = amount_format_error()
        if errors:
            self.show_cost_errors(errors)
            return
        self._clear_cost_errors()
        self.costs_submitted.emit(values)

    def _on_open_customer_clicked(self) -> None:
        if self._detail is not None:
            self.open_customer_requested.emit(self._detail.row.customer_id)
