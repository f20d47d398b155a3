"""Recording (or correcting) when a sale was delivered, from the customer 360° view.

Saving calls `sales.set_delivery_date`, which recomputes the units' warranty ends and re-plans
the sale's follow-ups; its refusals (a date before the sale date) appear under the date and the
dialog stays open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.i18n import _, format_date
from app.services import sales as sale_service
from app.services.customers import SaleSummary
from app.views.customers.customer_dialog import date_edit, from_qdate
from app.views.dialogs import BaseDialog, field_error_label, plain_label
from app.views.operations import Operation


@dataclass(frozen=True)
class DeliveryDateSaved:
    """What was saved: the delivery date, or None for "not delivered yet"."""

    delivered_on: dt.date | None


class DeliveryDateDialog(BaseDialog):
    def __init__(
        self,
        parent: QWidget | None,
        sale: SaleSummary,
        *,
        acting_rep_id: int | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(parent)
        self._sale = sale
        self._acting_rep_id = acting_rep_id
        self._saved: DeliveryDateSaved | None = None
        today = today or dt.date.today()
        self.setWindowTitle(_("Delivery of sale {number}").format(number=sale.number))

        self._date = date_edit(sale.delivered_on or max(today, sale.sold_on))
        self._not_delivered = QCheckBox(_("Not delivered yet"))
        self._not_delivered.setToolTip(
            _("Clears the delivery date: warranties wait for it and the planned follow-ups are removed.")
        )
        self._not_delivered.toggled.connect(self._on_not_delivered_toggled)
        self._error = field_error_label(reserve=True)
        self._date.dateChanged.connect(self._error.hide)
        self._not_delivered.toggled.connect(self._error.hide)

        form = QFormLayout()
        form.addRow(
            _("Sale"),
            plain_label(_("{number} of {date}").format(number=sale.number, date=format_date(sale.sold_on))),
        )
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self._date)
        column.addWidget(self._not_delivered)
        column.addWidget(self._error)
        caption = QLabel(_("Delivered on"))
        caption.setBuddy(self._date)
        form.addRow(caption, holder)
        hint = QLabel(
            _("Warranties start on the delivery date, and the follow-up plan is scheduled from it.")
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(mid);")

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    @property
    def date_field(self):
        return self._date

    @property
    def not_delivered_box(self) -> QCheckBox:
        return self._not_delivered

    def error_text(self) -> str:
        return "" if self._error.isHidden() else self._error.text()

    def value(self) -> dt.date | None:
        return None if self._not_delivered.isChecked() else from_qdate(self._date.date())

    def _on_not_delivered_toggled(self, checked: bool) -> None:
        self._date.setEnabled(not checked)

    def accept(self) -> None:
        delivered_on = self.value()
        if delivered_on == self._sale.delivered_on:
            super().accept()  # nothing to change: `saved` stays None
            return
        # A refusal is shown in the dialog, any other failure in the error dialog; either way it stays
        # open. What changed is announced by the caller, which knows whether anything was saved.
        if not Operation(
            _("Set delivery date"),
            lambda: sale_service.set_delivery_date(self._sale.id, delivered_on, self._acting_rep_id),
            field_errors=self._show_errors,
        ).run(self):
            return
        self._saved = DeliveryDateSaved(delivered_on)
        super().accept()

    def _show_errors(self, errors: dict[str, str]) -> None:
        self._error.setText("\n".join(errors.values()))
        self._error.show()

    @property
    def saved(self) -> DeliveryDateSaved | None:
        return self._saved

    @classmethod
    def ask(
        cls, parent: QWidget | None, sale: SaleSummary, *, acting_rep_id: int | None = None
    ) -> DeliveryDateSaved | None:
        """Open the dialog; what was saved, or None when cancelled or left as it was."""
        return cls(parent, sale, acting_rep_id=acting_rep_id).answer(lambda dialog: dialog.saved)
