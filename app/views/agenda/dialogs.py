"""The agenda's dialogs: complete with an outcome, reschedule, cancel, and a new ad-hoc follow-up.

Each dialog only gathers input; the page runs the command with it, so `ask()` returns plain
values (or None when cancelled) and tests replace `ask` to drive the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from PySide6.QtCore import QStringListModel, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_date, format_datetime, format_time
from app.markup import escape
from app.models import FollowUp
from app.models import now as wall_clock_now
from app.models.base import max_length
from app.models.enums import (
    DissatisfactionCause,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
)
from app.services.customers import search_customers
from app.services.errors import DomainError
from app.services.followups import (
    MAX_DURATION_MINUTES,
    NOT_REACHED_OUTCOMES,
    RETRY_OUTCOMES,
    AgendaRow,
    default_time_of_day,
    outcomes_for,
    working_days,
)
from app.services.followups.placement import PlacementConflict
from app.services.reps import list_reps
from app.services.returns import units_of_customer
from app.views.agenda.table_model import kind_text, phones_text, product_text
from app.views.combos import filter_as_you_type
from app.views.customers.customer_dialog import TimeField, date_edit, from_qdate, to_qdate
from app.views.dialogs import (
    BaseDialog,
    FormDialog,
    ask_choice,
    choice_combo,
    current_choice,
    field_error_label,
)
from app.views.returns.table_model import unit_text

TIME_FORMAT = "HH:mm"
SATISFACTION_LABELS = {
    1: N_("1 – Very dissatisfied"),
    2: N_("2 – Dissatisfied"),
    3: N_("3 – Neutral"),
    4: N_("4 – Satisfied"),
    5: N_("5 – Very satisfied"),
}
CANCEL_REASONS = (
    N_("The customer asked to cancel"),
    N_("Already handled in another contact"),
    N_("Duplicate follow-up"),
    N_("The customer no longer has the product"),
)
# Minutes a new follow-up of each kind takes unless the user says otherwise.
DEFAULT_DURATIONS = {FollowUpKind.VISIT: 60, FollowUpKind.VIDEO: 30}
DEFAULT_DURATION = 15


def time_edit(value: dt.time) -> QTimeEdit:
    edit = TimeField(QTime(value.hour, value.minute))
    edit.setDisplayFormat(TIME_FORMAT)
    return edit


def follow_up_summary(row: AgendaRow) -> QLabel:
    """'Phone call – Peña Hermanos' in bold, then when, what for, phone and product."""
    facts = [
        f"{format_date(row.scheduled_at, 'EEEE dd/MM/yyyy')} {format_time(row.scheduled_at)}",
        row.purpose.label,
    ]
    phones = phones_text(row)
    if phones:
        facts.append(phones)
    product = product_text(row)
    if product:
        facts.append(product)
    title = _("{kind} – {customer}").format(kind=kind_text(row), customer=row.customer_name)
    label = QLabel(f"<b>{escape(title)}</b><br>{escape(' · '.join(facts))}")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


def _ok_cancel(dialog: BaseDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


# --- complete -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionInput:
    outcome: FollowUpOutcome
    notes: str = ""
    satisfaction: int | None = None  # 1–5
    recommend: int | None = None  # 0–10
    cause: DissatisfactionCause | None = None


class CompleteFollowUpDialog(BaseDialog):
    """What happened: the outcome, notes and, for a satisfaction survey, the customer's scores."""

    def __init__(self, parent: QWidget | None, row: AgendaRow):
        super().__init__(parent)
        self.setWindowTitle(_("Complete follow-up"))
        self._row = row
        self._outcome = choice_combo(outcomes_for(row.kind), FollowUpOutcome.REACHED)  # the service's rule
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        self._hint.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._hint.setStyleSheet("color: palette(dark);")
        self._notes = QPlainTextEdit()
        self._notes.setTabChangesFocus(True)
        self._notes.setPlaceholderText(_("What was said, what to do next"))
        self._notes.setMinimumHeight(90)

        self._satisfaction = QComboBox()
        self._satisfaction.addItem(_("Not asked"), None)
        for score, label in SATISFACTION_LABELS.items():
            self._satisfaction.addItem(_(label), score)
        self._recommend = QComboBox()
        self._recommend.addItem(_("Not asked"), None)
        for score in range(11):
            self._recommend.addItem(str(score), score)
        self._cause = QComboBox()
        self._cause.addItem(_("(none)"), None)
        for cause in DissatisfactionCause:
            self._cause.addItem(cause.label, cause)
        self._scores = QGroupBox(_("Satisfaction survey"))
        scores = QFormLayout(self._scores)
        scores.addRow(_("Satisfaction (1–5)"), self._satisfaction)
        scores.addRow(_("Would recommend us (0–10)"), self._recommend)
        scores.addRow(_("Main cause of dissatisfaction"), self._cause)
        self._scores.setVisible(row.purpose is FollowUpPurpose.SATISFACTION)

        form = QFormLayout()
        form.addRow(_("Outcome"), self._outcome)
        form.addRow("", self._hint)
        form.addRow(_("Notes"), self._notes)
        layout = QVBoxLayout(self)
        layout.addWidget(follow_up_summary(row))
        layout.addLayout(form, 1)
        layout.addWidget(self._scores)
        layout.addWidget(_ok_cancel(self, _("Complete")))
        self.setMinimumWidth(480)

        self._outcome.currentIndexChanged.connect(self._on_outcome_current_index_changed)
        self._on_outcome_current_index_changed()

    def _on_outcome_current_index_changed(self, *args) -> None:
        outcome = self.outcome()
        reached = outcome is FollowUpOutcome.REACHED
        self._scores.setEnabled(reached)
        if outcome in NOT_REACHED_OUTCOMES:
            self._hint.setText(_("Another attempt will be proposed, unless this was the last one."))
        elif outcome in RETRY_OUTCOMES:
            self._hint.setText(_("Another call will be proposed for the next working day."))
        elif self._row.purpose is FollowUpPurpose.SATISFACTION:
            self._hint.setText(_("Record the customer's scores below."))
        else:
            self._hint.setText("")
        self._hint.setVisible(bool(self._hint.text()))

    def outcome(self) -> FollowUpOutcome:
        # Qt hands a str enum back as a plain str: turn it into the choice again.
        return FollowUpOutcome(self._outcome.currentData())

    def outcome_choices(self) -> list[FollowUpOutcome]:
        return [FollowUpOutcome(self._outcome.itemData(i)) for i in range(self._outcome.count())]

    def set_values(self, value: CompletionInput) -> None:
        self._outcome.setCurrentIndex(max(0, self._outcome.findData(value.outcome)))
        self._notes.setPlainText(value.notes)
        self._satisfaction.setCurrentIndex(max(0, self._satisfaction.findData(value.satisfaction)))
        self._recommend.setCurrentIndex(max(0, self._recommend.findData(value.recommend)))
        self._cause.setCurrentIndex(max(0, self._cause.findData(value.cause)))

    def values(self) -> CompletionInput:
        outcome = self.outcome()
        with_scores = self._scores.isEnabled() and self._row.purpose is FollowUpPurpose.SATISFACTION
        return CompletionInput(
            outcome=outcome,
            notes=self._notes.toPlainText().strip(),
            satisfaction=self._satisfaction.currentData() if with_scores else None,
            recommend=self._recommend.currentData() if with_scores else None,
            cause=current_choice(self._cause, DissatisfactionCause) if with_scores else None,
        )

    @classmethod
    def ask(cls, parent: QWidget | None, row: AgendaRow) -> CompletionInput | None:
        return cls(parent, row).answer(cls.values)


# --- reschedule -------------------------------------------------------------------------


class RescheduleDialog(BaseDialog):
    """A new date and time for a follow-up (also used for another attempt)."""

    def __init__(
        self,
        parent: QWidget | None,
        row: AgendaRow,
        *,
        proposed: dt.datetime | None = None,
        title: str | None = None,
        now: dt.datetime | None = None,
        errors: dict[str, str] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title or _("Reschedule follow-up"))
        now = now or wall_clock_now()
        self._now = now
        start = proposed or row.scheduled_at
        if proposed is None and start < now:
            # Overdue: offer the next working day at the same time instead of a past time.
            start = dt.datetime.combine(self._next_working_day(now.date()), start.time())
        self._date = date_edit(start.date())
        self._time = time_edit(start.time())
        self._date.setToolTip(_("Past dates ask for confirmation"))
        quick = QHBoxLayout()
        for text, tip, move in (
            (_("Tomorrow"), _("The same time tomorrow"), lambda d: now.date() + dt.timedelta(days=1)),
            (
                _("Next working day"),
                _("Skips weekends and public holidays"),
                lambda d: self._next_working_day(now.date()),
            ),
            (_("+1 week"), _("One week later than the date shown"), lambda d: d + dt.timedelta(days=7)),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, move=move: self._move_to(move))
            quick.addWidget(button)
        quick.addStretch(1)

        form = QFormLayout()
        form.addRow(_("Date"), self._date)
        form.addRow(_("Time"), self._time)
        form.addRow("", quick)
        self._error = field_error_label(reserve=True)
        layout = QVBoxLayout(self)
        layout.addWidget(follow_up_summary(row))
        layout.addLayout(form)
        layout.addWidget(self._error)
        layout.addWidget(_ok_cancel(self, _("Reschedule") if title is None else _("Schedule")))
        self.setMinimumWidth(440)
        if errors is not None:  # reopened after a refusal or a declined confirmation: it holds what was typed
            self.mark_refused_input()
            if errors:
                self._error.setText("\n".join(errors.values()))
                self._error.show()

    def error_text(self) -> str:
        return self._error.text() if not self._error.isHidden() else ""

    @staticmethod
    def _next_working_day(day: dt.date) -> dt.date:
        try:
            return working_days.next_working_day(day)
        except DomainError:  # unknown holiday region: plain next day
            return day + dt.timedelta(days=1)

    def _move_to(self, move) -> None:
        self._date.setDate(to_qdate(move(from_qdate(self._date.date()))))

    def set_value(self, value: dt.datetime) -> None:
        self._date.setDate(to_qdate(value.date()))
        self._time.setTime(QTime(value.hour, value.minute))

    def value(self) -> dt.datetime:
        time = self._time.time()
        return dt.datetime.combine(from_qdate(self._date.date()), dt.time(time.hour(), time.minute()))

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        row: AgendaRow,
        *,
        proposed: dt.datetime | None = None,
        title: str | None = None,
        now: dt.datetime | None = None,
        errors: dict[str, str] | None = None,
    ) -> dt.datetime | None:
        """The new moment, or None when cancelled; `errors` (with `proposed`) reopen it after a refusal."""
        return cls(parent, row, proposed=proposed, title=title, now=now, errors=errors).answer(cls.value)


# --- cancel ------------------------------------------------------------------------------


class CancelFollowUpDialog(BaseDialog):
    """Why the follow-up will not take place; the reason is required."""

    def __init__(self, parent: QWidget | None, row: AgendaRow):
        super().__init__(parent)
        self.setWindowTitle(_("Cancel follow-up"))
        self._reason = QComboBox()
        self._reason.setEditable(True)
        self._reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._reason.addItem("")
        for reason in CANCEL_REASONS:
            self._reason.addItem(_(reason))
        self._reason.setCurrentIndex(0)
        self._reason.lineEdit().setPlaceholderText(_("Choose or type the reason"))
        self._buttons = _ok_cancel(self, _("Cancel follow-up"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Keep it"))
        note = QLabel(_("The reason is kept with the follow-up and shown in the customer's history."))
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(dark);")
        form = QFormLayout()
        form.addRow(_("Reason"), self._reason)
        layout = QVBoxLayout(self)
        layout.addWidget(follow_up_summary(row))
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self._buttons)
        self.setMinimumWidth(480)
        self._reason.currentTextChanged.connect(self._update_ok)
        self._update_ok()

    def _update_ok(self, *args) -> None:
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason()))

    def set_reason(self, text: str) -> None:
        self._reason.setEditText(text)

    def reason(self) -> str:
        return self._reason.currentText().strip()

    def accept(self) -> None:
        if self.reason():
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, row: AgendaRow) -> str | None:
        return cls(parent, row).answer(cls.reason)


# --- new follow-up -----------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpInput:
    customer_id: int | None
    kind: FollowUpKind
    purpose: FollowUpPurpose
    scheduled_at: dt.datetime
    duration_minutes: int = DEFAULT_DURATION
    place: str = ""
    notes: str = ""
    rep_id: int | None = None  # None: the customer's rep
    customer_text: str = field(default="", compare=False)  # what the picker showed
    sold_unit_id: int | None = None  # the customer's product (and serial) it is about, if any


class CustomerPicker(QLineEdit):
    """Type part of a name, code, phone or city; pick the customer from the list that drops down.

    `customer_changed` says when the chosen customer changes (its id, or None). Listen to it, not to
    textChanged: picking from the list by keyboard or mouse sets the text before the choice is known.
    """

    MATCHES = 20
    customer_changed = Signal(object)  # the chosen customer's id, or None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText(_("Type a name, code, phone or city"))
        self.setClearButtonEnabled(True)
        self._ids: dict[str, int] = {}
        self._customer_id: int | None = None
        self._list = QStringListModel(self)
        self._completer = QCompleter(self._list, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setMaxVisibleItems(12)
        self.setCompleter(self._completer)
        self.textEdited.connect(self._on_text_edited)
        self._completer.activated[str].connect(self._on_completer_activated)

    def customer_id(self) -> int | None:
        return self._customer_id

    def set_customer(self, customer_id: int | None, text: str = "") -> None:
        if text:
            self._ids[text] = customer_id
        self.setText(text)
        self._set_customer_id(customer_id)

    def _set_customer_id(self, customer_id: int | None) -> None:
        if customer_id != self._customer_id:
            self._customer_id = customer_id
            self.customer_changed.emit(customer_id)

    def matches(self) -> list[str]:
        return self._list.stringList()

    def search(self, text: str) -> list[str]:
        """Fill the drop-down with the customers matching `text`; returns their lines."""
        self._ids = {}
        if text.strip():
            for customer in search_customers(text, limit=self.MATCHES):
                details = ", ".join(p for p in (customer.code, customer.city) if p)
                self._ids[f"{customer.name} ({details})"] = customer.id
        self._list.setStringList(list(self._ids))
        return self.matches()

    def choose(self, line: str) -> None:
        self.setText(line)
        self._set_customer_id(self._ids.get(line))

    def _on_text_edited(self, text: str) -> None:
        self._set_customer_id(self._ids.get(text))
        if self._customer_id is None:
            self.search(text)
            if self._ids:
                self._completer.complete()

    def _on_completer_activated(self, line: str) -> None:
        self.choose(line)


def default_follow_up_time(now: dt.datetime, kind: FollowUpKind) -> dt.datetime:
    """A new follow-up's time: later today on the next half hour, or tomorrow at the kind's usual
    time after 18:00."""
    rounded = (now + dt.timedelta(minutes=29)).replace(second=0, microsecond=0)
    rounded = rounded.replace(minute=0 if rounded.minute < 30 else 30)
    if rounded.date() == now.date() and rounded.time() <= dt.time(18, 0):
        return rounded
    return dt.datetime.combine(now.date() + dt.timedelta(days=1), default_time_of_day(kind))


class FollowUpDialog(FormDialog):
    """A follow-up outside any plan: customer, kind, purpose, the customer's product it is about
    (optional), when, how long, where."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        initial: FollowUpInput | None = None,
        errors: dict[str, str] | None = None,
        now: dt.datetime | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(_("New follow-up"))
        now = now or wall_clock_now()
        self._customer = CustomerPicker()
        self._kind = choice_combo(FollowUpKind)
        self._purpose = choice_combo(FollowUpPurpose, FollowUpPurpose.COMMERCIAL)
        self._unit = QComboBox()
        self._unit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._unit.setMinimumContentsLength(30)
        self._date = date_edit(now.date())
        self._time = time_edit(dt.time(10, 0))
        self._duration = QSpinBox()
        self._duration.setRange(1, MAX_DURATION_MINUTES)
        self._duration.setSingleStep(15)
        self._duration.setSuffix(" " + _("min"))
        self._duration.setValue(DEFAULT_DURATION)
        self._place = QLineEdit()
        self._place.setMaxLength(max_length(FollowUp.place))
        self._rep = filter_as_you_type(QComboBox())
        self._rep.addItem(_("The customer's rep"), None)
        for rep in list_reps():
            self._rep.addItem(rep.name, rep.id)
        self._notes = QPlainTextEdit()
        self._notes.setTabChangesFocus(True)
        self._notes.setMinimumHeight(70)
        when = QHBoxLayout()
        when.addWidget(self._date, 1)
        when.addWidget(self._time)
        when_holder = QWidget()
        when_holder.setLayout(when)
        when.setContentsMargins(0, 0, 0, 0)

        for key, caption, widget in (
            ("customer_id", _("Customer"), self._customer),
            ("kind", _("Kind"), self._kind),
            ("purpose", _("Purpose"), self._purpose),
            ("sold_unit_id", _("Product"), self._unit),
            ("scheduled_at", _("Date and time"), when_holder),
            ("duration_minutes", _("Duration"), self._duration),
            ("place", _("Place"), self._place),
            ("rep_id", _("Rep"), self._rep),
            ("notes", _("Notes"), self._notes),
        ):
            label = self._add_row(key, caption, widget)
            if widget is when_holder:
                label.setBuddy(self._date)
        self._buttons = _ok_cancel(self, _("Schedule"))
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addWidget(self._general_error)
        layout.addWidget(self._buttons)
        self.setMinimumWidth(520)

        self._kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        self._customer.textChanged.connect(self._update_ok)
        self._customer.customer_changed.connect(self._on_customer_customer_changed)
        self._unit.currentIndexChanged.connect(self._on_unit_current_index_changed)
        self._load_units(None)
        self._last_kind = current_choice(self._kind, FollowUpKind)
        if initial is not None:
            self.set_values(initial)
        else:
            self._set_default_time(now)
        self._on_kind_current_index_changed()
        if errors is not None:  # reopened after a refusal: it holds what the user typed
            self.show_errors(errors)

    def _set_default_time(self, now: dt.datetime) -> None:
        when = default_follow_up_time(now, current_choice(self._kind, FollowUpKind))
        self._date.setDate(to_qdate(when.date()))
        self._time.setTime(QTime(when.hour, when.minute))

    def _on_kind_current_index_changed(self, *args) -> None:
        kind = current_choice(self._kind, FollowUpKind)
        if self._duration.value() == DEFAULT_DURATIONS.get(self._last_kind, DEFAULT_DURATION):
            self._duration.setValue(DEFAULT_DURATIONS.get(kind, DEFAULT_DURATION))
        self._last_kind = kind
        if kind is FollowUpKind.VISIT:
            self._place.setPlaceholderText(_("Empty: the customer's address"))
        elif kind is FollowUpKind.VIDEO:
            self._place.setPlaceholderText(_("Meeting link (optional)"))
        else:
            self._place.setPlaceholderText(_("Optional"))
        self._update_ok()

    def _update_ok(self, *args) -> None:
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self._customer.text().strip())
        )

    @property
    def customer_picker(self) -> CustomerPicker:
        return self._customer

    def _on_customer_customer_changed(self, customer_id: int | None) -> None:
        self._load_units(customer_id)

    def _load_units(self, customer_id: int | None, select: int | None = None) -> None:
        """The chosen customer's sold units to pick from; none chosen by default."""
        self._unit.clear()
        units = units_of_customer(customer_id) if customer_id is not None else []
        if customer_id is None:
            self._unit.addItem(_("Find the customer first."), None)
        elif not units:
            self._unit.addItem(_("This customer has no units on record"), None)
        else:
            self._unit.addItem(_("None in particular"), None)
        for unit in units:
            text = _("{unit} – sale {sale}").format(
                unit=unit_text(unit.product_name, unit.serial_number), sale=unit.sale_number
            )
            self._unit.addItem(text, unit.id)
        self._unit.setEnabled(bool(units))
        self._unit.setCurrentIndex(max(0, self._unit.findData(select)) if select is not None else 0)
        # Long names and serials: the list that drops down is as wide as they are, and the field's
        # tooltip is the whole line of the product chosen.
        self._unit.view().setMinimumWidth(self._unit.view().sizeHintForColumn(0) + 24)
        self._on_unit_current_index_changed()

    def _on_unit_current_index_changed(self, *args) -> None:
        self._unit.setToolTip(self._unit.currentText() if self._unit.currentData() is not None else "")
        self.clear_error("sold_unit_id")

    def unit_texts(self) -> list[str]:
        return [self._unit.itemText(i) for i in range(self._unit.count())]

    def select_unit(self, unit_id: int | None) -> None:
        self._unit.setCurrentIndex(max(0, self._unit.findData(unit_id)))

    def set_values(self, value: FollowUpInput) -> None:
        self._customer.set_customer(value.customer_id, value.customer_text)
        self._load_units(value.customer_id, value.sold_unit_id)
        self._kind.setCurrentIndex(max(0, self._kind.findData(value.kind)))
        self._last_kind = value.kind
        self._purpose.setCurrentIndex(max(0, self._purpose.findData(value.purpose)))
        self._date.setDate(to_qdate(value.scheduled_at.date()))
        self._time.setTime(QTime(value.scheduled_at.hour, value.scheduled_at.minute))
        self._duration.setValue(value.duration_minutes)
        self._place.setText(value.place)
        self._rep.setCurrentIndex(max(0, self._rep.findData(value.rep_id)))
        self._notes.setPlainText(value.notes)

    def values(self) -> FollowUpInput:
        time = self._time.time()
        return FollowUpInput(
            customer_id=self._customer.customer_id(),
            kind=current_choice(self._kind, FollowUpKind),
            purpose=current_choice(self._purpose, FollowUpPurpose),
            scheduled_at=dt.datetime.combine(
                from_qdate(self._date.date()), dt.time(time.hour(), time.minute())
            ),
            duration_minutes=self._duration.value(),
            place=self._place.text().strip(),
            notes=self._notes.toPlainText().strip(),
            rep_id=self._rep.currentData(),
            customer_text=self._customer.text(),
            sold_unit_id=self._unit.currentData(),
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
        initial: FollowUpInput | None = None,
        errors: dict[str, str] | None = None,
        now: dt.datetime | None = None,
    ) -> FollowUpInput | None:
        """The follow-up to schedule, or None when cancelled; `errors` come from a refused attempt."""
        return cls(parent, initial=initial, errors=errors, now=now).answer(cls.values)


class PlacementChoice(StrEnum):
    PROPOSED = "proposed"  # move to the next free slot instead
    KEEP = "keep"  # keep the chosen slot anyway
    CANCEL = "cancel"  # back to choosing


class RetryChoice(StrEnum):
    PROPOSED = "proposed"  # try again at the slot the service proposed
    CHOOSE = "choose"  # pick the day and time
    LATER = "later"  # not now ("Try again…" stays offered)


def ask_retry(parent: QWidget | None, proposed: str) -> RetryChoice:
    """A contact was not reached: try again at the proposed slot, at a day and time the person
    picks, or not now (tests replace this)."""
    role = QMessageBox.ButtonRole
    return ask_choice(
        parent,
        QMessageBox.Icon.Question,
        _("Another attempt"),
        _("Schedule a retry on {date}?").format(date=proposed),
        [
            (_("&Yes"), role.AcceptRole, RetryChoice.PROPOSED),
            (_("&Choose day and time…"), role.ActionRole, RetryChoice.CHOOSE),
            (_("&Not now"), role.RejectRole, RetryChoice.LATER),
        ],
        default=RetryChoice.PROPOSED,
        escape=RetryChoice.LATER,
    )


def ask_placement(parent: QWidget | None, conflict: PlacementConflict) -> PlacementChoice:
    """The chosen slot breaks the placement rules (a non-working day, outside the hours, a full day,
    another visit that hour): take the next free slot, keep it anyway, or go back (tests replace this)."""
    role = QMessageBox.ButtonRole
    return ask_choice(
        parent,
        QMessageBox.Icon.Warning,
        _("Not a free slot"),
        str(conflict),
        [
            (
                _("&Move to {time}").format(time=format_datetime(conflict.proposed)),
                role.AcceptRole,
                PlacementChoice.PROPOSED,
            ),
            (_("&Keep this time"), role.DestructiveRole, PlacementChoice.KEEP),
            (QMessageBox.StandardButton.Cancel, role.RejectRole, PlacementChoice.CANCEL),
        ],
        default=PlacementChoice.PROPOSED,
        escape=PlacementChoice.CANCEL,
    )
