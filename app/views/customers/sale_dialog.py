"""Recording a sale: header dates and one line per product, with serial numbers for serialised ones."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from PySide6.QtCore import QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, format_datetime, format_money, ngettext
from app.models import Sale
from app.models.base import max_length
from app.services import sales as sale_service
from app.services.customers import get_customer
from app.services.errors import NotFoundError
from app.services.followups import AgendaRow
from app.services.reps import get_rep, list_reps
from app.services.sales import ProductRow, SaleLineInput
from app.views.combos import filter_as_you_type
from app.views.customers.customer_dialog import date_edit, from_qdate
from app.views.dialogs import BaseDialog, field_error_label, plain_label
from app.views.operations import Operation

# Grid columns of the product lines; captions sit in row 0, each line takes two rows.
_PRODUCT, _QUANTITY, _PRICE, _TOTAL, _SERIALS, _REMOVE = range(6)


def split_serials(text: str) -> list[str]:
    """Serial numbers typed one per line or separated by commas or semicolons."""
    return [s.strip() for s in re.split(r"[,;\n]", text) if s.strip()]


def currency_affixes() -> tuple[str, str]:
    """What goes before and after an amount in the current locale: ('€', '') or ('', ' €')."""
    sample = format_money(0)
    digits = [i for i, ch in enumerate(sample) if ch.isdigit()]
    return sample[: digits[0]], sample[digits[-1] + 1 :]


class SaleLineEditor(QObject):
    """One product line: product, quantity, unit price, line total and serial numbers.

    Its widgets sit in a row of the dialog's grid, so every column lines up with its caption;
    the error label spans the row below.
    """

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, products: list[ProductRow], parent: QObject | None = None):
        super().__init__(parent)
        self._products = {p.id: p for p in products}
        self.product = filter_as_you_type(QComboBox())
        for product in products:
            self.product.addItem(f"{product.name} ({product.sku})", product.id)
        self.product.setMinimumContentsLength(18)
        self.product.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.quantity = QSpinBox()
        self.quantity.setRange(1, 99_999)
        self.quantity.setValue(1)
        self.quantity.setMinimumWidth(70)
        self.price = QDoubleSpinBox()
        self.price.setDecimals(2)
        self.price.setRange(0, 9_999_999_999.99)
        prefix, suffix = currency_affixes()
        self.price.setPrefix(prefix)
        self.price.setSuffix(suffix)
        self.price.setLocale(QLocale(current_locale()))  # decimal comma in Spanish
        self.price.setMinimumWidth(120)
        self.total = QLabel()
        self.total.setMinimumWidth(100)
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total.setMinimumHeight(self.price.sizeHint().height())
        self.serials = QPlainTextEdit()
        self.serials.setTabChangesFocus(True)
        self.serials.setFixedHeight(self.serials.fontMetrics().lineSpacing() * 2 + 14)
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip(_("Remove this line"))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.error = field_error_label(reserve=True)

        self.product.currentIndexChanged.connect(self._on_product_changed)
        self.quantity.valueChanged.connect(self._on_amount_changed)
        self.price.valueChanged.connect(self._on_amount_changed)
        self.serials.textChanged.connect(self.error.hide)
        self._on_product_changed()

    def widgets(self) -> list[QWidget]:
        return [
            self.product,
            self.quantity,
            self.price,
            self.total,
            self.serials,
            self.remove_button,
            self.error,
        ]

    def place(self, grid: QGridLayout, row: int) -> None:
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(self.product, row, _PRODUCT, top)
        grid.addWidget(self.quantity, row, _QUANTITY, top)
        grid.addWidget(self.price, row, _PRICE, top)
        grid.addWidget(self.total, row, _TOTAL, top)
        grid.addWidget(self.serials, row, _SERIALS)
        grid.addWidget(self.remove_button, row, _REMOVE, top)
        grid.addWidget(self.error, row + 1, _PRODUCT, 1, _REMOVE + 1)

    def discard(self, grid: QGridLayout) -> None:
        for widget in self.widgets():
            grid.removeWidget(widget)
            widget.deleteLater()
        self.deleteLater()

    def selected_product(self) -> ProductRow | None:
        return self._products.get(self.product.currentData())

    def value(self) -> SaleLineInput:
        return SaleLineInput(
            product_id=self.product.currentData(),
            quantity=self.quantity.value(),
            unit_price=self.unit_price(),
            serial_numbers=split_serials(self.serials.toPlainText()) if self.serials.isEnabled() else [],
        )

    def unit_price(self) -> Decimal:
        return Decimal(str(round(self.price.value(), 2))).quantize(Decimal("0.01"))

    def line_total(self) -> Decimal:
        return self.unit_price() * self.quantity.value()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _on_product_changed(self) -> None:
        product = self.selected_product()
        if product is not None:
            self.price.setValue(float(product.price))
            self.serials.setEnabled(product.serialised)
            self.serials.setPlaceholderText(
                _("Optional; one per line or comma-separated") if product.serialised else _("Not serialised")
            )
            self.serials.setToolTip(
                _("Serial numbers, one per line or separated by commas (optional)")
                if product.serialised
                else _("No serial numbers for this product")
            )
        self.error.hide()
        self._on_amount_changed()

    def _on_amount_changed(self) -> None:
        self.total.setText(format_money(self.line_total()))
        self.changed.emit()


class SaleDialog(BaseDialog):
    """Record what a customer bought; the sale number is assigned unless typed in."""

    def __init__(
        self,
        parent: QWidget | None,
        customer_id: int,
        *,
        rep_id: int | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(parent)
        today = today or dt.date.today()
        self._customer_id = customer_id
        self._sale_id: int | None = None
        self._products = sale_service.list_products()
        self._lines: list[SaleLineEditor] = []
        customer = get_customer(customer_id)
        self.setWindowTitle(_("Record a sale for {name}").format(name=customer.name))
        self.resize(900, 520)

        self._number = QLineEdit()
        self._number.setMaxLength(max_length(Sale.number))
        self._number.setPlaceholderText(
            _("Assigned automatically ({example})").format(example=sale_service.next_sale_number(today.year))
        )
        self._rep = filter_as_you_type(QComboBox())
        self._fill_reps(rep_id if rep_id is not None else customer.rep_id)
        self._sold_on = date_edit(today)
        self._delivered = QCheckBox(_("Delivered on"))
        self._delivered.setToolTip(
            _("Warranties start on the delivery date; leave it unticked until delivery.")
        )
        self._delivered_on = date_edit(today)
        self._delivered_on.setEnabled(False)
        self._delivered.toggled.connect(self._delivered_on.setEnabled)
        self._notes = QPlainTextEdit()
        self._notes.setTabChangesFocus(True)
        self._notes.setFixedHeight(self._notes.fontMetrics().lineSpacing() * 3 + 14)
        self._errors = {
            key: field_error_label(reserve=True)
            for key in ("number", "rep_id", "sold_on", "delivered_on", "lines")
        }
        self._general_error = field_error_label()

        header = QFormLayout()
        header.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self._number.setMinimumWidth(300)
        self._rep.setMinimumWidth(300)
        header.addRow(_("Customer"), plain_label(f"{customer.name} ({customer.code})"))
        header.addRow(_("Sale number"), self._with_error(self._number, "number"))
        header.addRow(_("Rep"), self._with_error(self._rep, "rep_id"))
        header.addRow(_("Sale date"), self._with_error(self._sold_on, "sold_on"))
        delivery = QHBoxLayout()
        delivery.addWidget(self._delivered_on)
        delivery.addStretch(1)
        delivery_holder = QWidget()
        delivery_holder.setLayout(delivery)
        delivery.setContentsMargins(0, 0, 0, 0)
        header.addRow(self._delivered, self._with_error(delivery_holder, "delivered_on"))

        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(_PRODUCT, 3)
        self._grid.setColumnStretch(_SERIALS, 2)
        self._add_captions()
        self._next_grid_row = 1
        lines_widget = QWidget()
        lines_column = QVBoxLayout(lines_widget)
        lines_column.setContentsMargins(0, 0, 0, 0)
        lines_column.addLayout(self._grid)
        lines_column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(lines_widget)

        self._add_line_button = QPushButton(_("Add line"))
        self._add_line_button.clicked.connect(lambda: self.add_line())
        self._total = QLabel()
        self._total.setStyleSheet("font-weight: 600;")
        footer = QHBoxLayout()
        footer.addWidget(self._add_line_button)
        footer.addStretch(1)
        footer.addWidget(self._total)

        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        lines_title = QLabel(_("Products"))
        lines_title.setStyleSheet("font-weight: 600;")
        layout.addWidget(lines_title)
        layout.addWidget(scroll, 1)
        layout.addWidget(self._errors["lines"])
        layout.addLayout(footer)
        notes_form = QFormLayout()
        notes_form.addRow(_("Notes"), self._notes)
        layout.addLayout(notes_form)
        layout.addWidget(self._general_error)
        layout.addWidget(self._buttons)

        if self._products:
            self.add_line()
        else:
            self._add_line_button.setEnabled(False)
            self._errors["lines"].setText(_("There are no active products in the catalogue to sell."))
            self._errors["lines"].show()
        self._update_total()

    # --- building -------------------------------------------------------------

    def _with_error(self, widget: QWidget, key: str) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(self._errors[key])
        return holder

    def _add_captions(self) -> None:
        for column, text in [
            (_PRODUCT, _("Product")),
            (_QUANTITY, _("Quantity")),
            (_PRICE, _("Unit price")),
            (_TOTAL, _("Line total")),
            (_SERIALS, _("Serial numbers")),
        ]:
            caption = QLabel(text)
            caption.setStyleSheet("color: palette(dark);")
            if column == _TOTAL:
                caption.setAlignment(Qt.AlignmentFlag.AlignRight)
            self._grid.addWidget(caption, 0, column)

    def _fill_reps(self, selected: int | None) -> None:
        self._rep.addItem(_("(no rep)"), None)
        for rep in list_reps():
            self._rep.addItem(rep.name, rep.id)
        if selected is not None and self._rep.findData(selected) < 0:
            try:
                self._rep.addItem(_("{name} (inactive)").format(name=get_rep(selected).name), selected)
            except NotFoundError:
                selected = None
        self._rep.setCurrentIndex(max(0, self._rep.findData(selected)))

    # --- lines ----------------------------------------------------------------

    def add_line(self) -> SaleLineEditor:
        editor = SaleLineEditor(self._products, self)
        editor.changed.connect(self._update_total)
        editor.remove_requested.connect(self._on_line_remove_requested)
        editor.place(self._grid, self._next_grid_row)
        self._next_grid_row += 2
        self._lines.append(editor)
        self._errors["lines"].hide()
        self._update_total()
        editor.product.setFocus()
        return editor

    @property
    def lines(self) -> list[SaleLineEditor]:
        return list(self._lines)

    def _on_line_remove_requested(self, editor: SaleLineEditor) -> None:
        self._lines.remove(editor)
        editor.discard(self._grid)
        self._update_total()

    def _update_total(self) -> None:
        total = sum((line.line_total() for line in self._lines), Decimal("0"))
        count = len(self._lines)
        self._total.setText(
            ngettext("{count} line, total {total}", "{count} lines, total {total}", count).format(
                count=count, total=format_money(total)
            )
        )

    # --- saving ---------------------------------------------------------------

    def show_errors(self, errors: dict[str, str]) -> None:
        for label in [*self._errors.values(), self._general_error]:
            label.hide()
        for line in self._lines:
            line.show_error("")
        general: list[str] = []
        per_line: dict[int, list[str]] = {}
        for key, message in errors.items():
            if key in self._errors:
                self._errors[key].setText(message)
                self._errors[key].show()
            elif (match := re.fullmatch(r"lines\.(\d+)\.\w+", key)) and int(match[1]) < len(self._lines):
                per_line.setdefault(int(match[1]), []).append(message)
            else:
                general.append(message)
        for index, messages in per_line.items():
            self._lines[index].show_error("\n".join(messages))
        if general:
            self._general_error.setText("\n".join(general))
            self._general_error.show()

    def error_text(self, key: str) -> str:
        label = self._errors.get(key, self._general_error)
        return "" if label.isHidden() else label.text()

    def _write(self) -> None:
        self._sale_id = sale_service.record_sale(
            self._customer_id,
            self._rep.currentData(),
            from_qdate(self._sold_on.date()),
            from_qdate(self._delivered_on.date()) if self._delivered.isChecked() else None,
            [line.value() for line in self._lines],
            notes=self._notes.toPlainText(),
            number=self._number.text().strip() or None,
        )

    def accept(self) -> None:
        # The new sale is announced by the caller; a refusal stays in the form beside its fields.
        if Operation(_("Record sale"), self._write, field_errors=self.show_errors).run(self):
            super().accept()

    @property
    def sale_id(self) -> int | None:
        return self._sale_id

    @classmethod
    def ask(cls, parent: QWidget | None, customer_id: int, *, rep_id: int | None = None) -> int | None:
        """Open the dialog; the new sale's id, or None when cancelled."""
        return cls(parent, customer_id, rep_id=rep_id).answer(lambda dialog: dialog.sale_id)


def show_scheduled_after_sale(parent: QWidget | None, rows: list[AgendaRow]) -> bool:
    """What the sale's plans scheduled, after it was recorded; True when the person asks to see it
    in the agenda (tests replace this). Nothing scheduled (no delivery date yet, no plan): says so."""
    box = QMessageBox(parent)
    box.setWindowTitle(_("Sale recorded"))
    box.setIcon(QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.PlainText)  # customer and product names are user text
    if not rows:
        box.setText(
            _(
                "The sale was recorded. No follow-up was scheduled: its plans start on the delivery "
                "date, or its products' categories have no plan."
            )
        )
        box.exec()
        return False
    box.setText(
        ngettext(
            "The sale was recorded and its plans scheduled {count} follow-up:",
            "The sale was recorded and its plans scheduled {count} follow-ups:",
            len(rows),
        ).format(count=len(rows))
        + "\n\n"
        + "\n".join(
            f"{format_datetime(row.scheduled_at)} · {row.kind.label} · {row.purpose.label}"
            + (f" · {row.rep_name}" if row.rep_name else "")
            for row in rows[:12]
        )
        + (
            "\n"
            + ngettext("and {count} more", "and {count} more", len(rows) - 12).format(count=len(rows) - 12)
            if len(rows) > 12
            else ""
        )
    )
    box.setStyleSheet("QLabel#qt_msgbox_label { min-width: 600px; }")  # one line per follow-up
    agenda = box.addButton(_("Show in the &agenda"), QMessageBox.ButtonRole.AcceptRole)
    close = box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    box.exec()
    return box.clickedButton() is agenda
