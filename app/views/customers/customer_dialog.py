"""Creating and editing a customer; the service's validation messages appear under each field."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.models import Customer
from app.models.base import max_length
from app.models.enums import ContactChannel, CustomerKind
from app.services import customers as customer_service
from app.services import undo
from app.services.customers import CustomerInput
from app.services.errors import ConcurrentEditError, NotFoundError
from app.services.inputs import date_range
from app.services.reps import get_rep, list_reps
from app.views.combos import filter_as_you_type
from app.views.dialogs import (
    BaseDialog,
    EditConflict,
    ask_edit_conflict,
    choice_combo,
    field_error_label,
    input_state,
    show_field_errors,
    with_error_label,
)
from app.views.operations import Operation
from app.views.rights import gate

DATE_FORMAT = "dd/MM/yyyy"
LANGUAGE_LABELS = {"es": N_("Spanish"), "en": N_("English")}


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class DateField(QDateEdit):
    """A date edit where Tab moves to the next field, as everywhere else in a form.

    Qt's date and time edits spend Tab on their own sections (day → month → year), so a time typed
    after Tab landed in the year. The sections are still reached with '/' (or ':'), the arrow keys
    and the mouse.
    """

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt override)
        return QWidget.focusNextPrevChild(self, next)


class TimeField(QTimeEdit):
    """A time edit where Tab moves to the next field (see DateField)."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt override)
        return QWidget.focusNextPrevChild(self, next)


def date_edit(value: dt.date | None = None, *, limited: bool = True) -> QDateEdit:
    """A date field with a calendar popup, shown as 23/11/2026; Tab leaves it.

    `limited`: only the dates the services accept (app.services.inputs.date_range: 2000 to the
    end of next year), so a slip such as 2206 cannot be typed. Planning dates (a charter's end)
    pass False."""
    edit = DateField()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    if limited:
        first, last = date_range()
        edit.setDateRange(to_qdate(first), to_qdate(last))
    edit.setDate(to_qdate(value or dt.date.today()))
    return edit


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,;\n]", text) if t.strip()]


class CustomerDialog(BaseDialog):
    """Edit one customer (or a new one); Save stays in the dialog until the service accepts."""

    def __init__(
        self,
        parent: QWidget | None = None,
        customer_id: int | None = None,
        *,
        acting_rep_id: int | None = None,
        default_rep_id: int | None = None,
        assignment_refusal: str | None = None,
    ):
        """`assignment_refusal`: why the person may not choose the customer's rep (a rep on the office
        server); the rep field then stays as it is (a new customer: `default_rep_id`), disabled."""
        super().__init__(parent)
        self._customer_id = customer_id
        self._acting_rep_id = acting_rep_id
        self._recorder: undo.Recorder | None = None  # an edit's undo (made when saving)
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}

        self._code = QLineEdit()
        self._code.setMaxLength(max_length(Customer.code))
        self._kind = choice_combo(CustomerKind)
        self._name = QLineEdit()
        self._name.setMaxLength(max_length(Customer.name))
        self._tax_id = QLineEdit()
        self._tax_id.setMaxLength(24)
        self._tax_id.setPlaceholderText(_("NIF, NIE or CIF"))
        self._email = QLineEdit()
        self._email.setPlaceholderText(_("name@example.com"))
        self._phone = QLineEdit()
        self._phone.setPlaceholderText(_("+34 600 123 456"))
        self._mobile = QLineEdit()
        self._channel = choice_combo(ContactChannel)
        self._language = QComboBox()
        for code, label in LANGUAGE_LABELS.items():
            self._language.addItem(_(label), code)
        self._consent = QCheckBox(_("The customer agrees to be contacted"))
        self._consent_date = date_edit()
        self._consent_date.setMaximumDate(to_qdate(dt.date.today()))
        self._address = QLineEdit()
        self._postal_code = QLineEdit()
        self._postal_code.setMaxLength(max_length(Customer.postal_code))
        self._city = QLineEdit()
        self._province = QLineEdit()
        self._country = QLineEdit()
        self._country.setMaxLength(max_length(Customer.country))
        self._country.setValidator(
            QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,2}"), self._country)
        )
        self._country.textEdited.connect(lambda text: self._country.setText(text.upper()))
        self._country.setToolTip(_("Two-letter country code, such as ES, PT or FR"))
        self._rep = filter_as_you_type(QComboBox())
        self._need_tags = QLineEdit()
        self._need_tags.setPlaceholderText(_("e.g. needs installation, price sensitive"))
        self._need_tags.setToolTip(_("Needs of the customer, separated by commas"))
        self._notes = QPlainTextEdit()
        self._notes.setTabChangesFocus(True)
        self._notes.setMinimumHeight(70)
        self._general_error = field_error_label()

        identity = self._group(
            _("Customer"),
            [
                ("code", _("Code"), self._code),
                ("kind", _("Type"), self._kind),
                ("name", _("Name"), self._name),
                ("tax_id", _("Tax ID"), self._tax_id),
            ],
        )
        contact = self._group(
            _("Contact"),
            [
                ("email", _("E-mail"), self._email),
                ("phone", _("Phone"), self._phone),
                ("mobile", _("Mobile"), self._mobile),
                ("preferred_channel", _("Preferred channel"), self._channel),
                ("language", _("Language"), self._language),
                ("contact_consent", _("Consent"), self._consent),
                ("consent_date", _("Consent date"), self._consent_date),
            ],
        )
        address = self._group(
            _("Address"),
            [
                ("address", _("Street"), self._address),
                ("postal_code", _("Postal code"), self._postal_code),
                ("city", _("City"), self._city),
                ("province", _("Province"), self._province),
                ("country", _("Country"), self._country),
            ],
        )
        follow_up = self._group(
            _("Follow-up"),
            [
                ("rep_id", _("Rep"), self._rep),
                ("need_tags", _("Needs"), self._need_tags),
                ("notes", _("Notes"), self._notes),
            ],
        )
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(identity, 0, 0)
        grid.addWidget(contact, 1, 0)
        grid.addWidget(address, 0, 1)
        grid.addWidget(follow_up, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self._general_error)
        layout.addWidget(self._buttons)
        self.setMinimumWidth(760)
        self.resize(900, 540)

        self._consent.toggled.connect(self._on_consent_toggled)
        self._load(customer_id, default_rep_id)
        gate(self._rep, assignment_refusal)
        self._connect_error_clearing()

    # --- building -------------------------------------------------------------

    def _group(self, title: str, rows: list[tuple[str, str, QWidget]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for key, label, widget in rows:
            holder, self._errors[key] = with_error_label(widget)
            self._fields[key] = widget
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addRow(caption, holder)
        return box

    def _connect_error_clearing(self) -> None:
        for key, widget in self._fields.items():
            hide = self._errors[key].hide
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(hide)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(hide)
            elif isinstance(widget, QDateEdit):
                widget.dateChanged.connect(hide)
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(hide)
                widget.toggled.connect(self._errors["consent_date"].hide)

    def _fill_reps(self, selected: int | None) -> None:
        self._rep.clear()
        self._rep.addItem(_("(no rep)"), None)
        for rep in list_reps():
            self._rep.addItem(rep.name, rep.id)
        if selected is not None and self._rep.findData(selected) < 0:
            try:  # an inactive rep still assigned to this customer
                rep = get_rep(selected)
                self._rep.addItem(_("{name} (inactive)").format(name=rep.name), rep.id)
            except NotFoundError:
                selected = None
        self._rep.setCurrentIndex(max(0, self._rep.findData(selected)))

    def _load(self, customer_id: int | None, default_rep_id: int | None) -> None:
        # The version the edit starts from: saving refuses (and asks) when someone saved meanwhile.
        self._row_version: int | None = None
        if customer_id is None:
            self.setWindowTitle(_("New customer"))
            data = CustomerInput(code=customer_service.next_customer_code(), name="", rep_id=default_rep_id)
        else:
            detail = customer_service.get_customer(customer_id)
            self.setWindowTitle(_("Edit customer {code}").format(code=detail.code))
            self._row_version = detail.row_version
            data = detail.to_input()
        self.set_values(data)

    # --- values ---------------------------------------------------------------

    def set_values(self, data: CustomerInput) -> None:
        self._code.setText(data.code)
        self._kind.setCurrentIndex(max(0, self._kind.findData(data.kind)))
        self._name.setText(data.name)
        self._tax_id.setText(data.tax_id)
        self._email.setText(data.email)
        self._phone.setText(data.phone)
        self._mobile.setText(data.mobile)
        self._channel.setCurrentIndex(max(0, self._channel.findData(data.preferred_channel)))
        index = self._language.findData(data.language)
        if index < 0:
            self._language.addItem(data.language, data.language)
            index = self._language.count() - 1
        self._language.setCurrentIndex(index)
        self._consent.setChecked(data.contact_consent)
        if data.consent_date:
            self._consent_date.setDate(to_qdate(data.consent_date))
        self._consent_date.setEnabled(data.contact_consent)
        self._address.setText(data.address)
        self._postal_code.setText(data.postal_code)
        self._city.setText(data.city)
        self._province.setText(data.province)
        self._country.setText(data.country)
        self._fill_reps(data.rep_id)
        self._need_tags.setText(", ".join(data.need_tags))
        self._notes.setPlainText(data.notes)

    def values(self) -> CustomerInput:
        """What the form holds now, as the service takes it (not validated)."""
        consent = self._consent.isChecked()
        return CustomerInput(
            code=self._code.text(),
            kind=self._kind.currentData(),
            name=self._name.text(),
            tax_id=self._tax_id.text(),
            email=self._email.text(),
            phone=self._phone.text(),
            mobile=self._mobile.text(),
            address=self._address.text(),
            postal_code=self._postal_code.text(),
            city=self._city.text(),
            province=self._province.text(),
            country=self._country.text(),
            preferred_channel=self._channel.currentData(),
            language=self._language.currentData(),
            rep_id=self._rep.currentData(),
            notes=self._notes.toPlainText(),
            contact_consent=consent,
            consent_date=from_qdate(self._consent_date.date()) if consent else None,
            need_tags=split_tags(self._need_tags.text()),
        )

    @property
    def customer_id(self) -> int | None:
        """The saved customer's id (set once Save succeeded for a new customer)."""
        return self._customer_id

    def field(self, key: str) -> QWidget:
        return self._fields[key]

    def error_text(self, key: str) -> str:
        """The message shown under a field, '' when there is none."""
        label = self._errors.get(key, self._general_error)
        return label.text() if not label.isHidden() else ""

    # --- saving ---------------------------------------------------------------

    def _on_consent_toggled(self, checked: bool) -> None:
        self._consent_date.setEnabled(checked)

    def show_errors(self, errors: dict[str, str]) -> None:
        show_field_errors(errors, self._errors, self._general_error, self._fields)

    def _write(self) -> bool:
        """Save; False when the user chose not to save after all (another person's change came first)."""
        data = self.values()
        if self._customer_id is None:
            self._customer_id = customer_service.create_customer(data, self._acting_rep_id)
            return True
        customer_id, recorder = self._customer_id, self._recorder
        assert recorder is not None  # made by accept() for an existing customer
        while True:
            try:
                recorder.run(
                    lambda: customer_service.update_customer(
                        customer_id, data, self._acting_rep_id, expected_version=self._row_version
                    )
                )
                return True
            except ConcurrentEditError as conflict:
                choice = ask_edit_conflict(
                    self,
                    _(
                        "Someone else saved this customer after you opened it. Reload to see their values "
                        "(what you typed is discarded), overwrite them with yours, or cancel to keep editing."
                    ),
                )
                if choice is EditConflict.OVERWRITE:
                    self._row_version = (
                        conflict.current_version
                    )  # saving again from their version, on purpose
                    continue
                if choice is EditConflict.RELOAD and conflict.current is not None:
                    self._show_current(conflict.current)
                return False

    def _show_current(self, detail: customer_service.CustomerDetail) -> None:
        """The customer as saved by the other person: the form shows it and edits start from it."""
        self._row_version = detail.row_version
        self.set_values(detail.to_input())
        self.show_errors({})
        if self._shown_state is not None:
            self._shown_state = input_state(self)  # nothing typed yet over the reloaded values

    def accept(self) -> None:
        # Changes are announced by the caller (the customers page), which knows what was saved.
        # An edit of an existing customer can be undone (Edit ▸ Undo "Edit customer").
        self._recorder = (
            undo.for_customer(_("Edit customer"), self._customer_id, self._acting_rep_id)
            if self._customer_id is not None
            else None
        )
        done = Operation(
            _("Save customer"), self._write, field_errors=self.show_errors, undo=self._recorder
        ).run(self)
        if done and done.value is True:
            super().accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        customer_id: int | None = None,
        *,
        acting_rep_id: int | None = None,
        default_rep_id: int | None = None,
        assignment_refusal: str | None = None,
    ) -> int | None:
        """Open the dialog; the saved customer's id, or None when cancelled."""
        dialog = cls(
            parent,
            customer_id,
            acting_rep_id=acting_rep_id,
            default_rep_id=default_rep_id,
            assignment_refusal=assignment_refusal,
        )
        return dialog.answer(lambda dialog: dialog.customer_id)
