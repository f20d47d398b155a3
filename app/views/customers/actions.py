"""Acting on a customer from where one looks at them: the 360° view and the at-risk list.

Each action opens the dialog its own page uses, with the customer (and the chosen unit) filled in,
and runs the page's command through the operation helper. `CustomerActions` gives a surface its
buttons, the same shortcuts everywhere, and their state: a control the person may not use is
disabled with the reason as its tooltip (app.views.rights); after an action that changed something
the surface's `on_done` refreshes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models import now as wall_clock_now
from app.models.enums import CaseKind, ContactChannel, FollowUpKind, FollowUpPurpose, ReturnReason
from app.services import customers as customer_service
from app.services import followups as followup_service
from app.services.followups import ScheduleResult
from app.services.permissions import Permissions, Right
from app.services.reps import list_reps
from app.views import dialogs
from app.views.combos import filter_as_you_type
from app.views.dialogs import BaseDialog, plain_label
from app.views.events import CUSTOMERS, FOLLOW_UPS, RETURNS
from app.views.operations import Operation, perform, run_form
from app.views.rights import explain_refusal, gate, refusal_of

SCHEDULE, CASE, RETURN, CHECK, REASSIGN = "schedule", "case", "return", "check", "reassign"
ACTIONS = (SCHEDULE, CASE, RETURN, CHECK, REASSIGN)
# A manager's, about the person's data (issue 18): on the 360° view only, without shortcuts.
EXPORT_DATA, ERASE_DATA = "export_data", "erase_data"
PERSONAL_DATA_ACTIONS = (EXPORT_DATA, ERASE_DATA)
# Free on every page and in the window (Ctrl+N, Ctrl+E, Ctrl+F, Ctrl+I, Ctrl+R, Ctrl+P are taken).
SHORTCUTS = {
    SCHEDULE: "Ctrl+Shift+F",
    CASE: "Ctrl+Shift+C",
    RETURN: "Ctrl+Shift+R",
    CHECK: "Ctrl+Shift+U",
    REASSIGN: "Ctrl+Shift+A",
}


def _texts() -> dict[str, tuple[str, str]]:
    return {
        SCHEDULE: (_("Schedule follow-up…"), _("Schedule a call or visit with this customer ({key})")),
        CASE: (
            _("Open case…"),
            _("Record a complaint, claim, suggestion or compliment of this customer ({key})"),
        ),
        RETURN: (
            _("Open return…"),
            _("Open a warranty return (RMA) for one of this customer's units ({key})"),
        ),
        CHECK: (_("Run check…"), _("Run a correct-use check with this customer ({key})")),
        REASSIGN: (_("Reassign…"), _("Give this customer to another rep ({key})")),
    }


def _personal_data_texts() -> dict[str, tuple[str, str]]:
    return {
        EXPORT_DATA: (
            _("Export personal data…"),
            _("Write everything held about this customer to a JSON file and a readable PDF"),
        ),
        ERASE_DATA: (
            _("Erase personal data…"),
            _("Anonymise this customer everywhere, keeping the facts the statistics count"),
        ),
    }


@dataclass(frozen=True)
class CustomerTarget:
    """The customer an action is about, as the surface knows it."""

    id: int
    name: str  # what the dialogs' customer pickers show
    rep_id: int | None
    has_units: bool = True  # False when the surface knows the customer has no sold units
    code: str = ""  # the customer's code, where the surface offers the personal-data actions
    erased: bool = False  # the customer's personal data was erased


# --- the actions ---------------------------------------------------------------------------------


def schedule_follow_up(
    parent: QWidget,
    customer: CustomerTarget,
    acting_rep_id: int | None,
    *,
    purpose: FollowUpPurpose = FollowUpPurpose.COMMERCIAL,
    sold_unit_id: int | None = None,
    now: dt.datetime | None = None,
) -> ScheduleResult | None:
    """The new-follow-up dialog for the customer; the scheduled follow-up, or None (cancelled)."""
    from app.views.agenda.dialogs import (
        DEFAULT_DURATION,
        DEFAULT_DURATIONS,
        FollowUpDialog,
        FollowUpInput,
        default_follow_up_time,
    )

    moment = now or wall_clock_now()
    kind = FollowUpKind.CALL
    initial = FollowUpInput(
        customer.id,
        kind,
        purpose,
        default_follow_up_time(moment, kind),
        duration_minutes=DEFAULT_DURATIONS.get(kind, DEFAULT_DURATION),
        customer_text=customer.name,
        sold_unit_id=sold_unit_id,
    )

    def schedule(values: FollowUpInput) -> ScheduleResult:
        def command(confirm_past: bool) -> ScheduleResult:
            return followup_service.schedule_follow_up(
                values.customer_id,  # type: ignore[arg-type]  (the dialog insists on a customer)
                values.kind,
                values.purpose,
                values.scheduled_at,
                rep_id=values.rep_id,
                duration_minutes=values.duration_minutes,
                place=values.place,
                notes=values.notes,
                sold_unit_id=values.sold_unit_id,
                confirm_past=confirm_past,
                acting_rep_id=acting_rep_id,
                now=moment,
            )

        return dialogs.confirming_past(parent, command)

    outcome = run_form(
        parent,
        lambda values, errors: FollowUpDialog.ask(
            parent, initial=values or initial, errors=errors, now=moment
        ),
        lambda values: Operation(_("Schedule follow-up"), lambda: schedule(values), {FOLLOW_UPS}),
    )
    if outcome is None:
        return None
    result = outcome[1]
    if result.warnings:
        dialogs.inform(parent, "\n".join(result.warnings), _("Scheduled, but note"))
    return result


def open_case(
    parent: QWidget,
    customer: CustomerTarget,
    acting_rep_id: int | None,
    *,
    sold_unit_id: int | None = None,
    today: dt.date | None = None,
) -> int | None:
    """The new-case dialog for the customer; the received case's id, or None (cancelled)."""
    from app.views.cases.dialogs import NewCaseDialog, NewCaseInput
    from app.views.cases.page import receive_case
    from app.views.events import CASES

    day = today or dt.date.today()
    initial = NewCaseInput(
        customer.id,
        next(iter(CaseKind)),
        next(iter(ContactChannel)),
        day,
        "",
        sold_unit_id=sold_unit_id,
        customer_text=customer.name,
    )
    outcome = run_form(
        parent,
        lambda values, errors: NewCaseDialog.ask(parent, initial=values or initial, errors=errors, today=day),
        lambda values: Operation(
            _("Receive case"), lambda: receive_case(parent, values, acting_rep_id), {CASES}
        ),
    )
    return outcome[1] if outcome is not None else None


def open_return(
    parent: QWidget,
    customer: CustomerTarget,
    acting_rep_id: int | None,
    *,
    sold_unit_id: int | None = None,
) -> int | None:
    """The open-return dialog for the customer (and unit); the return's id, or None (cancelled)."""
    from app.views.returns.dialogs import OpenReturnInput, ask_and_open_return

    initial = OpenReturnInput(
        customer.id,
        sold_unit_id,
        ReturnReason.FAILURE_IN_USE,
        "",
        dt.date.today(),
        customer_text=customer.name,
    )
    done = Operation(
        _("Open warranty return"),
        lambda: ask_and_open_return(parent, acting_rep_id, initial=initial),
        lambda opened: {RETURNS} if opened is not None else (),  # None: the user cancelled
    ).run(parent)
    return done.value if done else None


def run_check(
    parent: QWidget,
    customer: CustomerTarget,
    acting_rep_id: int | None,
    *,
    sold_unit_id: int | None = None,
) -> bool:
    """The new-check dialog for the customer (and unit), then the check; False when cancelled before
    it started (the check's own flow announces what it changed)."""
    from app.views.checks.dialog import StartCheckDialog, run_usage_check

    unit_id = StartCheckDialog.ask(
        parent, customer_id=customer.id, customer_text=customer.name, sold_unit_id=sold_unit_id
    )
    if unit_id is None:
        return False
    run_usage_check(parent, unit_id, acting_rep_id)
    return True


class ReassignDialog(BaseDialog):
    """Which rep the customer goes to (a manager's choice)."""

    def __init__(self, parent: QWidget | None, customer: CustomerTarget):
        super().__init__(parent)
        self.setWindowTitle(_("Reassign customer"))
        self._rep = filter_as_you_type(QComboBox())
        for rep in list_reps():
            self._rep.addItem(rep.name, rep.id)
        self._rep.setCurrentIndex(max(0, self._rep.findData(customer.rep_id)))
        self._current_rep_id = customer.rep_id
        question = plain_label(
            _("Which rep looks after {name} from now on?").format(name=customer.name), wrap=True
        )
        note = plain_label(
            _("Follow-ups already planned keep their rep; move them in the agenda if needed."), wrap=True
        )
        note.setStyleSheet("color: palette(dark);")
        form = QFormLayout()
        form.addRow(_("Rep"), self._rep)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._ok.setText(_("Reassign"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self._rep.currentIndexChanged.connect(self._on_rep_current_index_changed)
        self._on_rep_current_index_changed()

    @property
    def rep_combo(self) -> QComboBox:
        return self._rep

    def _on_rep_current_index_changed(self, *args) -> None:
        self._ok.setEnabled(self._rep.currentData() not in (None, self._current_rep_id))

    def rep_id(self) -> int | None:
        return self._rep.currentData()

    @classmethod
    def ask(cls, parent: QWidget | None, customer: CustomerTarget) -> int | None:
        """The new rep's id, or None when cancelled."""
        return cls(parent, customer).answer(cls.rep_id)


def reassign(
    parent: QWidget, customer: CustomerTarget, acting_rep_id: int | None, permissions: Permissions
) -> bool:
    """Ask a manager for the customer's new rep and reassign it (audited); True when reassigned."""
    refusal = permissions.refusal(Right.CUSTOMER_ASSIGNMENT)
    if refusal is not None:  # a shortcut reached it: say why nothing happens
        explain_refusal(parent, refusal)
        return False
    current = perform(parent, lambda: customer_service.get_customer(customer.id))  # its rep now
    if not current or current.value is None:
        return False
    rep_id = ReassignDialog.ask(parent, replace(customer, rep_id=current.value.rep_id))
    if rep_id is None:
        return False
    done = Operation(
        _("Reassign customer"),
        lambda: customer_service.reassign_customer(
            customer.id, rep_id, acting_rep_id, permissions=permissions
        ),
        lambda changed: {CUSTOMERS} if changed else (),
    ).run(parent)
    return bool(done and done.value)


# --- the buttons and shortcuts -----------------------------------------------------------------


class CustomerActions(QObject):
    """The actions' buttons on one surface and their shortcuts (on `host`).

    `target()` is the customer acted on (None: no row chosen), `unit()` the chosen sold unit if any,
    `on_done(action)` refreshes the surface after an action that may have changed something.
    """

    def __init__(
        self,
        host: QWidget,
        target: Callable[[], CustomerTarget | None],
        *,
        acting_rep_id: int | None,
        permissions: Permissions,
        on_done: Callable[[str], object],
        unit: Callable[[], int | None] = lambda: None,
        purpose: FollowUpPurpose = FollowUpPurpose.COMMERCIAL,
        shortcut_context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
        personal_data: bool = False,
    ):
        super().__init__(host)
        self._host = host
        self._target = target
        self._unit = unit
        self._acting_rep_id = acting_rep_id
        self._permissions = permissions
        self._on_done = on_done
        self.purpose = purpose  # of a scheduled follow-up (the at-risk list: recovery)
        self._buttons: dict[str, QPushButton] = {}
        self._shortcuts: list[QShortcut] = []
        for action, (text, tip) in _texts().items():
            button = QPushButton(text)
            button.setAutoDefault(False)  # Enter in the 360° view does not start an action
            button.setToolTip(tip.format(key=SHORTCUTS[action]))  # as the other pages write keys
            button.clicked.connect(lambda _checked=False, a=action: self.trigger(a))
            self._buttons[action] = button
            shortcut = QShortcut(QKeySequence(SHORTCUTS[action]), host)
            shortcut.setContext(shortcut_context)
            shortcut.activated.connect(lambda a=action: self.trigger(a))
            self._shortcuts.append(shortcut)
        if personal_data:  # `personal_data_buttons()`: export and erase, a manager's
            for action, (text, tip) in _personal_data_texts().items():
                button = QPushButton(text)
                button.setAutoDefault(False)
                button.setToolTip(tip)
                button.clicked.connect(lambda _checked=False, a=action: self.trigger(a))
                self._buttons[action] = button
        self.update()

    def button(self, action: str) -> QPushButton:
        return self._buttons[action]

    def buttons(self) -> list[QPushButton]:
        return [self._buttons[action] for action in ACTIONS]

    def personal_data_buttons(self) -> list[QPushButton]:
        """Export and erase the customer's personal data (only when made with `personal_data`)."""
        return [self._buttons[action] for action in PERSONAL_DATA_ACTIONS if action in self._buttons]

    def set_enabled(self, enabled: bool) -> None:
        """Shortcuts answer only while the surface shows the actions (e.g. the at-risk tab)."""
        for shortcut in self._shortcuts:
            shortcut.setEnabled(enabled)

    def update(self) -> None:
        """Each button's state for the chosen customer: none chosen, no units, or not theirs to use."""
        customer = self._target()
        has = customer is not None
        no_units = _("This customer has no products recorded.") if has and not customer.has_units else None
        for action, button in self._buttons.items():
            if action == REASSIGN:
                gate(button, self._permissions.refusal(Right.CUSTOMER_ASSIGNMENT), enabled=has)
            elif action in PERSONAL_DATA_ACTIONS:
                refusal = self._permissions.refusal(Right.PERSONAL_DATA)
                if refusal is None and action == ERASE_DATA and has and customer.erased:
                    refusal = _("This customer's personal data was already erased.")
                gate(button, refusal, enabled=has)
            elif action in (RETURN, CHECK):
                gate(button, no_units, enabled=has)
            else:
                gate(button, None, enabled=has)

    def trigger(self, action: str) -> bool:
        """Run an action on the chosen customer; True when it may have changed something."""
        customer = self._target()
        button = self._buttons[action]
        if customer is None:
            return False
        if not button.isEnabled():  # a shortcut reached a refused action: say why
            refusal = refusal_of(button)
            if refusal:
                explain_refusal(self._host, refusal)
            return False
        host, acting = self._host, self._acting_rep_id
        if action == SCHEDULE:
            changed = (
                schedule_follow_up(host, customer, acting, purpose=self.purpose, sold_unit_id=self._unit())
                is not None
            )
        elif action == CASE:
            changed = open_case(host, customer, acting, sold_unit_id=self._unit()) is not None
        elif action == RETURN:
            changed = open_return(host, customer, acting, sold_unit_id=self._unit()) is not None
        elif action == CHECK:
            changed = run_check(host, customer, acting, sold_unit_id=self._unit())
        elif action == EXPORT_DATA:
            from app.views.customers.privacy import PersonalDataTarget, export_personal_data

            export_personal_data(
                host, PersonalDataTarget(customer.id, customer.code, customer.name), self._permissions
            )
            changed = False  # a file written, nothing changed
        elif action == ERASE_DATA:
            from app.views.customers.privacy import PersonalDataTarget, erase_personal_data

            target = PersonalDataTarget(customer.id, customer.code, customer.name)
            erase_personal_data(
                host, target, acting, self._permissions, on_erased=lambda: self._on_done(ERASE_DATA)
            )
            changed = False  # erased in the background: `on_done` runs when it is
        else:
            changed = reassign(host, customer, acting, self._permissions)
        if changed:
            self._on_done(action)
        return changed
