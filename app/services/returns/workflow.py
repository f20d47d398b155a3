"""Warranty returns (RMA): opening, the state machine, costs, deadlines and the returns queries. No Qt.

States (`TRANSITIONS`, the one table of rules):
requested → received → inspected → approved | rejected; approved → repaired | replaced |
refunded | credited; repaired → returned to customer; replaced → returned to customer or
straight to closed (the replacement went out with its own delivery); refunded | credited →
closed; rejected → returned to customer → closed; requested | received → cancelled.

Numbers are RMA-YYYY-NNNN without gaps per year of the report date. The warranty status is
computed once, at opening, and kept. *Overdue* is derived, never stored: not resolved yet,
still open, and older than the target days of the active charter's returns commitment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from peewee import JOIN, IntegrityError, fn

from app.i18n import _, format_number, ngettext
from app.models import (
    Case,
    CompanySetting,
    Customer,
    Product,
    Rep,
    ReturnStatusChange,
    SoldUnit,
    WarrantyReturn,
)
from app.models import now as wall_clock_now
from app.models.base import max_length
from app.models.dialect import days_between, lock_numbering
from app.models.enums import (
    CharterIndicator,
    OutOfWarrantyReason,
    ReturnReason,
    ReturnState,
    UnitStatus,
)
from app.models.sync_schema import provisional, provisional_label
from app.services import audit, charters
from app.services.charters.indicators import Deadline, return_product_codes, returns_in
from app.services.company import load_company_settings
from app.services.errors import DomainError, NotFoundError, ValidationError
from app.services.inputs import clean_text, date_error
from app.services.sales import serial_taken_error
from app.services.sales.warranty import WarrantyStatus, warranty_end_date
from app.services.sorting import ListSort, choice_rank, ordering
from app.services.transactions import check_version, write_command, write_transaction

RS = ReturnState

# --- settings ----------------------------------------------------------------------------
# Company-wide values kept as CompanySetting rows under these keys (the same table as
# app.services.company); the defaults apply until someone stores another value.

TARGET_DAYS_KEY = "returns_target_days"
DEFAULT_TARGET_DAYS = 15  # used when no active charter has a returns commitment
SATISFACTION_DAYS_KEY = "returns_satisfaction_days"
DEFAULT_SATISFACTION_DAYS = 7  # satisfaction call this many days after closing
REPLACEMENT_WARRANTY_KEY = "returns_replacement_warranty"
REMAINING_WARRANTY = "remaining"  # the replacement keeps the faulty unit's warranty end
FRESH_WARRANTY = "fresh"  # the replacement gets the product's full warranty from the replacement day
DEFAULT_REPLACEMENT_WARRANTY = REMAINING_WARRANTY

NUMBER_ATTEMPTS = 5
_MAX_MONEY = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
_CENT = Decimal("0.01")


def _setting(key: str) -> str | None:
    row = CompanySetting.get_or_none(CompanySetting.key == key)
    return row.value if row is not None else None


def _store_setting(key: str, value: str, acting_rep_id: int | None) -> None:
    with write_transaction():
        previous = _setting(key)
        if previous == value:
            return
        CompanySetting.insert(key=key, value=value).on_conflict(
            conflict_target=[CompanySetting.key], update={CompanySetting.value: value}
        ).execute()
        audit.record("update", "company_settings", 0, acting_rep_id, changes={key: (previous, value)})


def _int_setting(key: str, default: int, low: int, high: int) -> int:
    try:
        value = int(_setting(key) or default)
    except ValueError:  # edited by hand
        return default
    return value if low <= value <= high else default


def default_target_days() -> int:
    """The returns deadline when no active charter states one."""
    return _int_setting(TARGET_DAYS_KEY, DEFAULT_TARGET_DAYS, 1, 365)


def target_days() -> int:
    """Days to resolve a return of no particular product: the active charters' commitment about
    every return, else the company setting."""
    return target_deadline().days_for()


def target_deadline() -> Deadline:
    """Days to resolve each return: the strictest active commitment whose product categories hold
    its unit's, else the company setting (charters.Deadline)."""
    return charters.commitment_deadline(CharterIndicator.RETURNS_RESOLVED, default_target_days())


def _days_to_resolve(return_id: int, deadline: Deadline) -> int:
    return deadline.days_for(product_codes=return_product_codes(return_id) if deadline.by_products else ())


def satisfaction_days() -> int:
    return _int_setting(SATISFACTION_DAYS_KEY, DEFAULT_SATISFACTION_DAYS, 0, 365)


def replacement_warranty_policy() -> str:
    value = _setting(REPLACEMENT_WARRANTY_KEY)
    return value if value in (REMAINING_WARRANTY, FRESH_WARRANTY) else DEFAULT_REPLACEMENT_WARRANTY


@write_command
def set_returns_settings(
    acting_rep_id: int | None,
    *,
    target: int | None = None,
    satisfaction: int | None = None,
    replacement_warranty: str | None = None,
) -> None:
    errors = {}
    if target is not None and not (isinstance(target, int) and 1 <= target <= 365):
        errors["target"] = _("The deadline must be between 1 and 365 days.")
    if satisfaction is not None and not (isinstance(satisfaction, int) and 0 <= satisfaction <= 365):
        errors["satisfaction"] = _("The days before the satisfaction call must be between 0 and 365.")
    if replacement_warranty is not None and replacement_warranty not in (REMAINING_WARRANTY, FRESH_WARRANTY):
        errors["replacement_warranty"] = _("Choose how a replacement's warranty is computed.")
    if errors:
        raise ValidationError(errors)
    if target is not None:
        _store_setting(TARGET_DAYS_KEY, str(target), acting_rep_id)
    if satisfaction is not None:
        _store_setting(SATISFACTION_DAYS_KEY, str(satisfaction), acting_rep_id)
    if replacement_warranty is not None:
        _store_setting(REPLACEMENT_WARRANTY_KEY, replacement_warranty, acting_rep_id)


# --- the state machine -------------------------------------------------------------------

# The one table of allowed state changes.
TRANSITIONS: dict[ReturnState, frozenset[ReturnState]] = {
    RS.REQUESTED: frozenset({RS.RECEIVED, RS.CANCELLED}),
    RS.RECEIVED: frozenset({RS.INSPECTED, RS.CANCELLED}),
    RS.INSPECTED: frozenset({RS.APPROVED, RS.REJECTED}),
    RS.APPROVED: frozenset({RS.REPAIRED, RS.REPLACED, RS.REFUNDED, RS.CREDITED}),
    RS.REJECTED: frozenset({RS.RETURNED_TO_CUSTOMER}),
    RS.REPAIRED: frozenset({RS.RETURNED_TO_CUSTOMER}),
    RS.REPLACED: frozenset({RS.RETURNED_TO_CUSTOMER, RS.CLOSED}),
    RS.REFUNDED: frozenset({RS.CLOSED}),
    RS.CREDITED: frozenset({RS.CLOSED}),
    RS.RETURNED_TO_CUSTOMER: frozenset({RS.CLOSED}),
    RS.CLOSED: frozenset(),
    RS.CANCELLED: frozenset(),
}
# Entering one of these is the return's resolution (the deadline is about reaching one).
RESOLUTION_STATES = frozenset({RS.REJECTED, RS.REPAIRED, RS.REPLACED, RS.REFUNDED, RS.CREDITED})
FINISHED_STATES = frozenset({RS.CLOSED, RS.CANCELLED})
OPEN_STATES = tuple(s for s in RS if s not in FINISHED_STATES)
# The order of the kanban's columns and of the state filter.
STATE_ORDER = tuple(RS)


def can_transition(source: ReturnState, target: ReturnState) -> bool:
    return target in TRANSITIONS[source]


def _get(return_id: int) -> WarrantyReturn:
    record = WarrantyReturn.get_or_none(WarrantyReturn.id == return_id)
    if record is None:
        raise NotFoundError(_("The return no longer exists."))
    return record


def allowed_transitions(return_id: int) -> list[ReturnState]:
    """The states the return may move to now, in the order of the states."""
    state = _get(return_id).state
    return [s for s in STATE_ORDER if can_transition(state, s)]


def action_text(state: ReturnState) -> str:
    """The button that moves a return into `state`: 'Mark as received', 'Approve'…"""
    texts = {
        RS.RECEIVED: _("Mark as received"),
        RS.INSPECTED: _("Record inspection"),
        RS.APPROVED: _("Approve"),
        RS.REJECTED: _("Reject"),
        RS.REPAIRED: _("Mark as repaired"),
        RS.REPLACED: _("Replace unit"),
        RS.REFUNDED: _("Refund"),
        RS.CREDITED: _("Credit"),
        RS.RETURNED_TO_CUSTOMER: _("Return to customer"),
        RS.CLOSED: _("Close return"),
        RS.CANCELLED: _("Cancel return"),
    }
    return texts.get(state, state.label)


# --- opening -------------------------------------------------------------------------------


def format_number_of(year: int, sequence: int) -> str:
    return f"RMA-{year}-{sequence:04d}"


def _next_return_number(year: int) -> tuple[int, str]:
    """(sequence, number) of a new return (inside the write transaction, after lock_numbering):
    the next of the year; on a laptop a provisional one, counted below zero (RMA-2026-L03-0002),
    which the office replaces with the next final number when the laptop syncs."""
    label = provisional_label()
    if label is None:
        highest = (
            WarrantyReturn.select(fn.MAX(WarrantyReturn.sequence)).where(WarrantyReturn.year == year).scalar()
        )
        sequence = (highest or 0) + 1
        return sequence, format_number_of(year, sequence)
    lowest = (
        WarrantyReturn.select(fn.MIN(WarrantyReturn.sequence))
        .where((WarrantyReturn.year == year) & (WarrantyReturn.sequence < 0))
        .scalar()
    )
    sequence = (lowest or 0) - 1
    return sequence, provisional(f"RMA-{year}-", label, -sequence, 4)


def open_return_of_unit(sold_unit_id: int) -> tuple[int, str] | None:
    """(id, number) of the unit's return that is still open, if any."""
    row = (
        WarrantyReturn.select(WarrantyReturn.id, WarrantyReturn.number)
        .where((WarrantyReturn.sold_unit == sold_unit_id) & WarrantyReturn.state.in_(OPEN_STATES))
        .order_by(WarrantyReturn.id.desc())
        .first()
    )
    return (row.id, row.number) if row is not None else None


class OpenReturnExists(DomainError):
    """The unit already has an open return; `return_id` and `number` say which."""

    def __init__(self, return_id: int, number: str):
        self.return_id = return_id
        self.number = number
        super().__init__(
            _("This unit already has an open return, {number}. Continue with that one.").format(number=number)
        )


@write_command
def open_return(
    sold_unit_id: int,
    reason: ReturnReason,
    description: str,
    reported_on: dt.date,
    acting_rep_id: int | None,
    *,
    case_id: int | None = None,
    out_of_warranty_reason: OutOfWarrantyReason | None = None,
    today: dt.date | None = None,
) -> int:
    """Open a return of a delivered unit; returns its id (number RMA-YYYY-NNNN of the report year).

    The warranty status on `reported_on` is computed and kept; a unit out of warranty needs
    `out_of_warranty_reason`. A unit with an open return raises OpenReturnExists (a DomainError).
    """
    today = today or dt.date.today()
    unit = SoldUnit.get_or_none(SoldUnit.id == sold_unit_id)
    if unit is None:
        raise NotFoundError(_("The sold unit no longer exists."))
    errors: dict[str, str] = {}
    try:
        reason = ReturnReason(reason)
    except ValueError:
        errors["reason"] = _("Choose the reason for the return.")
    description = clean_text(description)
    if not description:
        errors["description"] = _("Describe what the customer reports.")
    if reported_on is None:
        errors["reported_on"] = _("Enter the date of the request.")
    elif reported_on > today:
        errors["reported_on"] = _("The request date cannot be in the future.")
    elif problem := date_error(reported_on, today):
        errors["reported_on"] = problem
    if out_of_warranty_reason is not None:
        try:
            out_of_warranty_reason = OutOfWarrantyReason(out_of_warranty_reason)
        except ValueError:
            errors["out_of_warranty_reason"] = _("Choose why a unit out of warranty is accepted.")
    if case_id is not None:
        case_customer = Case.select(Case.customer).where(Case.id == case_id).scalar()
        if case_customer is None:
            errors["case_id"] = _("The case no longer exists.")
        elif case_customer != unit.customer_id:
            errors["case_id"] = _("The case belongs to another customer.")
    if acting_rep_id is not None and not Rep.select().where(Rep.id == acting_rep_id).exists():
        errors["acting_rep_id"] = _("The rep no longer exists.")
    if errors:
        raise ValidationError(errors)
    existing = open_return_of_unit(sold_unit_id)
    if existing is not None:
        raise OpenReturnExists(*existing)
    if unit.warranty_ends_on is None:
        raise DomainError(
            _("The unit has not been delivered yet; record the delivery before opening a return.")
        )
    warranty = WarrantyStatus.on(unit.warranty_ends_on, reported_on)
    if warranty.under_warranty:
        out_of_warranty_reason = None
    elif out_of_warranty_reason is None:
        raise ValidationError(
            {
                "out_of_warranty_reason": ngettext(
                    "The unit's warranty expired {days} day before the request: say why the return is accepted.",
                    "The unit's warranty expired {days} days before the request: say why the return is accepted.",
                    warranty.days,
                ).format(days=format_number(warranty.days))
            }
        )
    customer = Customer.get_by_id(unit.customer_id)
    rep_id = customer.rep_id if customer.rep_id is not None else acting_rep_id
    year = reported_on.year
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            # The command's write transaction holds the lock before MAX is read, so a second
            # laptop or thread waits (busy_timeout) instead of reading the same MAX.
            with write_transaction():
                lock_numbering("return", year)  # PostgreSQL: one numbering writer per year
                sequence, number = _next_return_number(year)
                record = WarrantyReturn.create(
                    number=number,
                    year=year,
                    sequence=sequence,
                    sold_unit=unit.id,
                    customer=unit.customer_id,
                    rep=rep_id,
                    case=case_id,
                    reason=reason,
                    description=description,
                    reported_on=reported_on,
                    state=RS.REQUESTED,
                    under_warranty=warranty.under_warranty,
                    warranty_days=warranty.days,
                    out_of_warranty_reason=out_of_warranty_reason,
                )
                ReturnStatusChange.create(
                    warranty_return=record.id,
                    from_state=None,
                    to_state=RS.REQUESTED,
                    changed_at=wall_clock_now(),
                    rep=acting_rep_id,
                    note="",
                )
                audit.record(
                    "create",
                    "warranty_return",
                    record.id,
                    acting_rep_id,
                    label=record.number,
                    state=RS.REQUESTED,
                    customer=unit.customer_id,
                    sold_unit=unit.id,
                    rep=rep_id,
                    case=case_id,
                    reason=reason,
                    description=description,
                    reported_on=reported_on,
                    under_warranty=warranty.under_warranty,
                    out_of_warranty_reason=out_of_warranty_reason,
                )
            return record.id
        except IntegrityError as exc:
            if "UNIQUE" not in str(exc).upper():
                raise  # not a number taken meanwhile: a real fault, not to be retried
            if attempt == NUMBER_ATTEMPTS - 1:
                raise DomainError(_("The return could not be numbered; please try again.")) from None
    raise AssertionError("unreachable")  # pragma: no cover


# --- transitions ---------------------------------------------------------------------------


def _money_or_error(value, errors: dict[str, str], key: str, *, positive: bool = False) -> Decimal | None:
    """A Decimal of cents from a Decimal, int or plain '12.50' text; records the field error."""
    if isinstance(value, bool):
        amount = None
    else:
        try:
            amount = Decimal(str(value).strip()) if value is not None and str(value).strip() else None
        except (InvalidOperation, ValueError):
            amount = None
    if amount is None or not amount.is_finite():
        errors[key] = _("Enter an amount.")
        return None
    if amount < 0 or (positive and amount == 0):
        errors[key] = (
            _("The amount must be greater than zero.") if positive else _("The amount cannot be negative.")
        )
        return None
    if amount > _MAX_MONEY:
        errors[key] = _("The amount is too large.")
        return None
    return amount.quantize(_CENT)


def _replacement_unit(record: WarrantyReturn, serial: str, on: dt.date) -> int:
    faulty = SoldUnit.get_by_id(record.sold_unit_id)
    product = Product.get_by_id(faulty.product_id)
    if replacement_warranty_policy() == FRESH_WARRANTY:
        ends_on = warranty_end_date(on, product.warranty_months)
    else:
        ends_on = faulty.warranty_ends_on
    replacement = SoldUnit.create(
        line=faulty.line_id,
        customer=faulty.customer_id,
        product=faulty.product_id,
        serial_number=serial or None,
        quantity=1,
        warranty_extension_months=0,
        warranty_ends_on=ends_on,
        replaces=faulty.id,
    )
    SoldUnit.update(status=UnitStatus.REPLACED).where(SoldUnit.id == faulty.id).execute()
    return replacement.id


@write_command
def advance_return(
    return_id: int,
    to_state: ReturnState,
    acting_rep_id: int | None,
    note: str = "",
    *,
    inspection_note: str | None = None,
    replacement_serial: str | None = None,
    refund_amount: Decimal | str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Move a return to `to_state` when TRANSITIONS allows it, stamping time, rep and note.

    Inspected and approved/rejected need an inspection note (given now or recorded before);
    replaced needs the replacement's serial number for a serialised product; refunded and
    credited need the amount; cancelled needs a note saying why. Closing schedules the
    satisfaction call `satisfaction_days()` later.
    """
    at = (at or wall_clock_now()).replace(microsecond=0)
    record = _get(return_id)
    try:
        to_state = ReturnState(to_state)
    except ValueError:
        raise DomainError(_("Unknown state for a return.")) from None
    if not can_transition(record.state, to_state):
        if record.state in FINISHED_STATES:
            message = _("Return {number} is {state}; it can no longer change.")
        elif to_state is RS.CANCELLED:
            message = _("Return {number} has been inspected already; it can no longer be cancelled.")
        else:
            message = _("Return {number} is {state}; it cannot become {target} from there.")
        raise DomainError(
            message.format(
                number=record.number, state=record.state.label.lower(), target=to_state.label.lower()
            )
        )
    note = clean_text(note)
    errors: dict[str, str] = {}
    if problem := date_error(at):
        errors["at"] = problem
    inspection = clean_text(inspection_note)
    if to_state in (RS.INSPECTED, RS.APPROVED, RS.REJECTED) and not (inspection or record.inspection_note):
        errors["inspection_note"] = _("Write what the inspection found before deciding.")
    serial = clean_text(replacement_serial)
    product = None
    if to_state is RS.REPLACED:
        product = Product.get_by_id(SoldUnit.get_by_id(record.sold_unit_id).product_id)
        if product.serialised and not serial:
            errors["replacement_serial"] = _("Enter the serial number of the replacement unit.")
        elif len(serial) > max_length(SoldUnit.serial_number):
            errors["replacement_serial"] = _("Too long: at most {limit} characters.").format(
                limit=max_length(SoldUnit.serial_number)
            )
        elif serial and (problem := serial_taken_error([serial])):
            errors["replacement_serial"] = problem[:1].upper() + problem[1:]
    amount = None
    if to_state in (RS.REFUNDED, RS.CREDITED):
        amount = _money_or_error(refund_amount, errors, "refund_amount", positive=True)
    if to_state is RS.CANCELLED and not note:
        errors["note"] = _("Say why the return is cancelled.")
    if errors:
        raise ValidationError(errors)

    with write_transaction():
        previous = record.state
        record.state = to_state
        if inspection:
            record.inspection_note = inspection
        if to_state in RESOLUTION_STATES:
            record.resolved_on = at.date()
        if to_state is RS.REPLACED:
            record.replacement_unit = _replacement_unit(record, serial, at.date())
        if amount is not None:
            record.refund_amount = amount
            SoldUnit.update(status=UnitStatus.RETURNED).where(SoldUnit.id == record.sold_unit_id).execute()
        if to_state in FINISHED_STATES:
            record.closed_on = at.date()
        changes = audit.pending_changes(record)
        record.save()
        ReturnStatusChange.create(
            warranty_return=record.id,
            from_state=previous,
            to_state=to_state,
            changed_at=at,
            rep=acting_rep_id,
            note=note,
        )
        if note:
            changes["note"] = (None, note)
        audit.record(
            "transition", "warranty_return", record.id, acting_rep_id, label=record.number, changes=changes
        )
        if to_state is RS.CLOSED:
            _schedule_satisfaction(record, at, acting_rep_id)


def _schedule_satisfaction(
    record: WarrantyReturn, closed_at: dt.datetime, acting_rep_id: int | None
) -> int | None:
    from app.services import followups

    return followups.schedule_satisfaction_call(
        record.customer_id,
        closed_at.date(),
        satisfaction_days(),
        rep_id=record.rep_id,
        notes=_("How did the return {number} go for the customer?").format(number=record.number),
        sold_unit_id=record.sold_unit_id,
        warranty_return_id=record.id,
        acting_rep_id=acting_rep_id,
        now=closed_at,
    )


COST_FIELDS = ("cost_parts", "cost_labour", "cost_shipping")


@write_command
def set_return_costs(
    return_id: int, parts, labour, shipping, acting_rep_id: int | None, *, expected_version: int | None = None
) -> None:
    """Record what the return costs: parts, labour and shipping, each zero or more.

    `expected_version` is the row version the edit started from (ConcurrentEditError if it moved on).
    """
    record = _get(return_id)
    check_version(record, expected_version)
    errors: dict[str, str] = {}
    values = {
        key: _money_or_error(value, errors, key)
        for key, value in zip(COST_FIELDS, (parts, labour, shipping), strict=True)
    }
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        stored = (
            WarrantyReturn.select(*(getattr(WarrantyReturn, key) for key in COST_FIELDS))
            .where(WarrantyReturn.id == record.id)
            .dicts()
            .get()
        )
        WarrantyReturn.update(
            updated_at=wall_clock_now(), row_version=WarrantyReturn.row_version + 1, **values
        ).where(WarrantyReturn.id == record.id).execute()
        changes = audit.differences(stored, values)
        if changes:
            audit.record(
                "update", "warranty_return", record.id, acting_rep_id, label=record.number, changes=changes
            )


# --- queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnFilter:
    states: tuple[ReturnState, ...] = ()  # empty: every state
    reason: ReturnReason | None = None
    overdue: bool | None = None  # True: only overdue; False: only not overdue
    under_warranty: bool | None = None
    reported_from: dt.date | None = None
    reported_to: dt.date | None = None
    rep_id: int | None = None
    text: str = ""  # RMA number, customer name or code, serial number


@dataclass(frozen=True)
class ReturnRow:
    id: int
    number: str
    reported_on: dt.date
    customer_id: int
    customer_name: str
    product_name: str
    serial_number: str
    reason: ReturnReason
    state: ReturnState
    under_warranty: bool
    warranty_days: int
    rep_name: str
    resolved_on: dt.date | None
    closed_on: dt.date | None
    due_on: dt.date
    days_open: int
    overdue: bool
    rep_id: int | None = None
    customer_rep_id: int | None = None  # with rep_id, who may change the return


@dataclass(frozen=True)
class StatusChangeRow:
    changed_at: dt.datetime
    from_state: ReturnState | None
    to_state: ReturnState
    rep_name: str
    note: str


@dataclass(frozen=True)
class ReturnDetail:
    row: ReturnRow
    customer_code: str
    sku: str
    sold_unit_id: int
    description: str
    out_of_warranty_reason: OutOfWarrantyReason | None
    inspection_note: str
    replacement_serial: str | None
    replacement_unit_id: int | None
    refund_amount: Decimal | None
    cost_parts: Decimal
    cost_labour: Decimal
    cost_shipping: Decimal
    case_id: int | None
    timeline: list[StatusChangeRow]
    allowed: list[ReturnState]
    target_days: int
    row_version: int = 1  # what an edit started from this detail passes as expected_version

    @property
    def total_cost(self) -> Decimal:
        return self.cost_parts + self.cost_labour + self.cost_shipping

    @property
    def received(self) -> bool:
        return any(change.to_state is RS.RECEIVED for change in self.timeline)


def _overdue_condition(today: dt.date, target: Deadline):
    return (
        WarrantyReturn.resolved_on.is_null()
        & WarrantyReturn.state.in_(OPEN_STATES)
        & target.late(WarrantyReturn.reported_on, today, returns_in)
    )


def _conditions(filters: ReturnFilter, today: dt.date, target: Deadline) -> list:
    W = WarrantyReturn
    conditions = []
    if filters.states:
        conditions.append(W.state.in_(list(filters.states)))
    if filters.reason is not None:
        conditions.append(W.reason == filters.reason)
    if filters.overdue is True:
        conditions.append(_overdue_condition(today, target))
    elif filters.overdue is False:
        conditions.append(~_overdue_condition(today, target))
    if filters.under_warranty is not None:
        conditions.append(W.under_warranty == filters.under_warranty)
    if filters.reported_from is not None:
        conditions.append(W.reported_on >= filters.reported_from)
    if filters.reported_to is not None:
        conditions.append(W.reported_on <= filters.reported_to)
    if filters.rep_id is not None:
        conditions.append(W.rep == filters.rep_id)
    text = filters.text.strip()
    if text:
        from app.models.customers import fold_for_search

        conditions.append(
            W.number.contains(text)
            | W.provisional_number.contains(text)
            | Customer.search_text.contains(fold_for_search(text))
            | SoldUnit.serial_number.contains(text)
        )
    return conditions


def _base_query(*columns):
    W = WarrantyReturn
    return (
        W.select(*columns)
        .join(Customer, on=(W.customer == Customer.id))
        .join_from(W, SoldUnit, on=(W.sold_unit == SoldUnit.id))
        .join(Product, on=(SoldUnit.product == Product.id))
        .join_from(W, Rep, JOIN.LEFT_OUTER, on=(W.rep == Rep.id))
    )


def _where(query, conditions: list):
    for condition in conditions:
        query = query.where(condition)
    return query


def _row(r, today: dt.date, target: Deadline) -> ReturnRow:
    due_on = r.reported_on + dt.timedelta(days=_days_to_resolve(r.id, target))
    end = r.closed_on or today
    overdue = r.resolved_on is None and r.state not in FINISHED_STATES and today > due_on
    return ReturnRow(
        r.id,
        r.number,
        r.reported_on,
        r.customer_id,
        r.customer_name,
        r.product_name,
        r.serial_number or "",
        r.reason,
        r.state,
        r.under_warranty,
        r.warranty_days,
        r.rep_name or "",
        r.resolved_on,
        r.closed_on,
        due_on,
        max(0, (end - r.reported_on).days),
        overdue,
        rep_id=r.rep_id,
        customer_rep_id=r.customer_rep_id,
    )


_ROW_COLUMNS = (
    WarrantyReturn.id,
    WarrantyReturn.number,
    WarrantyReturn.reported_on,
    WarrantyReturn.customer,
    WarrantyReturn.reason,
    WarrantyReturn.state,
    WarrantyReturn.under_warranty,
    WarrantyReturn.warranty_days,
    WarrantyReturn.resolved_on,
    WarrantyReturn.closed_on,
    WarrantyReturn.rep,
    Customer.rep.alias("customer_rep_id"),
    Customer.name.alias("customer_name"),
    Product.name.alias("product_name"),
    SoldUnit.serial_number,
    Rep.name.alias("rep_name"),
)


def _return_sort_keys(today: dt.date) -> dict:
    """What the returns list sorts by: its columns (states in the workflow's order)."""
    return {
        "number": WarrantyReturn.number,
        "reported": WarrantyReturn.reported_on,
        "days_open": days_between(fn.COALESCE(WarrantyReturn.closed_on, today), WarrantyReturn.reported_on),
        "state": choice_rank(WarrantyReturn.state, STATE_ORDER, by_label=False),
        "customer": Customer.sort_key,  # the names' collation order (app.models.collation)
        "product": (Product.name, SoldUnit.serial_number),
        "reason": choice_rank(WarrantyReturn.reason, ReturnReason),
        "warranty": WarrantyReturn.under_warranty,
        "rep": Rep.name,
    }


def list_returns(
    filters: ReturnFilter = ReturnFilter(),
    offset: int = 0,
    limit: int | None = None,
    today: dt.date | None = None,
    *,
    oldest_first: bool = False,
    sort: ListSort | None = None,
) -> list[ReturnRow]:
    """Returns matching `filters`, newest request first (then the highest number), oldest first, or
    sorted by `sort` (a key of `_return_sort_keys`)."""
    today = today or dt.date.today()
    target = target_deadline()
    order = ordering(
        sort,
        _return_sort_keys(today),
        (WarrantyReturn.reported_on, WarrantyReturn.id)
        if oldest_first
        else (WarrantyReturn.reported_on.desc(), WarrantyReturn.id.desc()),
        WarrantyReturn.id,
    )
    query = _where(_base_query(*_ROW_COLUMNS), _conditions(filters, today, target)).order_by(*order)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    elif offset:
        query = query.offset(offset)
    return [_row(r, today, target) for r in query.objects()]


def count_returns(filters: ReturnFilter = ReturnFilter(), today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    return _where(_base_query(WarrantyReturn.id), _conditions(filters, today, target_deadline())).count()


def counts_by_state(
    filters: ReturnFilter = ReturnFilter(), today: dt.date | None = None
) -> dict[ReturnState, int]:
    """How many returns each state holds (every state present, zero included): the kanban's headers."""
    today = today or dt.date.today()
    query = _where(
        _base_query(WarrantyReturn.state, fn.COUNT(WarrantyReturn.id).alias("n")),
        _conditions(filters, today, target_deadline()),
    ).group_by(WarrantyReturn.state)
    counts = dict.fromkeys(STATE_ORDER, 0)
    for state, n in query.tuples():
        counts[ReturnState(state)] = n
    return counts


def overdue_count(today: dt.date | None = None, rep_id: int | None = None) -> int:
    return count_returns(ReturnFilter(overdue=True, rep_id=rep_id), today)


def get_return(return_id: int, today: dt.date | None = None) -> ReturnDetail:
    today = today or dt.date.today()
    target = target_deadline()
    found = (
        _base_query(
            *_ROW_COLUMNS,
            Customer.code.alias("customer_code"),
            Product.sku,
            WarrantyReturn.sold_unit,
            WarrantyReturn.description,
            WarrantyReturn.out_of_warranty_reason,
            WarrantyReturn.inspection_note,
            WarrantyReturn.replacement_unit,
            WarrantyReturn.refund_amount,
            WarrantyReturn.cost_parts,
            WarrantyReturn.cost_labour,
            WarrantyReturn.cost_shipping,
            WarrantyReturn.case,
            WarrantyReturn.row_version,
        )
        .where(WarrantyReturn.id == return_id)
        .objects()
        .first()
    )
    if found is None:
        raise NotFoundError(_("The return no longer exists."))
    replacement_serial = None
    if found.replacement_unit_id is not None:
        replacement_serial = (
            SoldUnit.select(SoldUnit.serial_number).where(SoldUnit.id == found.replacement_unit_id).scalar()
            or ""
        )
    timeline = [
        StatusChangeRow(c.changed_at, c.from_state, c.to_state, c.rep_name or "", c.note)
        for c in ReturnStatusChange.select(ReturnStatusChange, Rep.name.alias("rep_name"))
        .join(Rep, JOIN.LEFT_OUTER, on=(ReturnStatusChange.rep == Rep.id))
        .where(ReturnStatusChange.warranty_return == return_id)
        .order_by(ReturnStatusChange.changed_at, ReturnStatusChange.id)
        .objects()
    ]

    def money(value) -> Decimal:
        return Decimal(str(value or 0)).quantize(_CENT)

    return ReturnDetail(
        row=_row(found, today, target),
        customer_code=found.customer_code,
        sku=found.sku,
        sold_unit_id=found.sold_unit_id,
        description=found.description,
        out_of_warranty_reason=found.out_of_warranty_reason,
        inspection_note=found.inspection_note,
        replacement_serial=replacement_serial,
        replacement_unit_id=found.replacement_unit_id,
        refund_amount=money(found.refund_amount) if found.refund_amount is not None else None,
        cost_parts=money(found.cost_parts),
        cost_labour=money(found.cost_labour),
        cost_shipping=money(found.cost_shipping),
        case_id=found.case_id,
        timeline=timeline,
        allowed=[s for s in STATE_ORDER if can_transition(found.state, s)],
        target_days=_days_to_resolve(found.id, target),
        row_version=found.row_version,
    )


# --- picking a unit to return ------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnableUnit:
    id: int
    product_name: str
    sku: str
    serial_number: str
    sale_number: str
    delivered_on: dt.date | None
    warranty_ends_on: dt.date | None
    status: UnitStatus
    open_return_number: str | None


def units_of_customer(customer_id: int) -> list[ReturnableUnit]:
    """The customer's sold units, newest sale first, with the open return of each (if any)."""
    from app.models import Sale, SaleLine

    open_returns = {
        unit_id: number
        for unit_id, number in WarrantyReturn.select(WarrantyReturn.sold_unit, WarrantyReturn.number)
        .where((WarrantyReturn.customer == customer_id) & WarrantyReturn.state.in_(OPEN_STATES))
        .tuples()
    }
    query = (
        SoldUnit.select(
            SoldUnit.id,
            SoldUnit.serial_number,
            SoldUnit.warranty_ends_on,
            SoldUnit.status,
            Product.name.alias("product_name"),
            Product.sku,
            Sale.number.alias("sale_number"),
            Sale.delivered_on,
        )
        .join(Product, on=(SoldUnit.product == Product.id))
        .join_from(SoldUnit, SaleLine, on=(SoldUnit.line == SaleLine.id))
        .join(Sale, on=(SaleLine.sale == Sale.id))
        .where(SoldUnit.customer == customer_id)
        .order_by(Sale.sold_on.desc(), SoldUnit.id)
    )
    return [
        ReturnableUnit(
            u.id,
            u.product_name,
            u.sku,
            u.serial_number or "",
            u.sale_number,
            u.delivered_on,
            u.warranty_ends_on,
            u.status,
            open_returns.get(u.id),
        )
        for u in query.objects()
    ]


# --- the receipt ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnReceiptData:
    """Everything the customer's receipt prints; built by `receipt_data`."""

    company_name: str
    company_logo: str
    company_address: str
    company_tax_id: str
    number: str
    customer_name: str
    customer_code: str
    customer_address: str
    product_name: str
    sku: str
    serial_number: str
    reason: ReturnReason
    description: str
    under_warranty: bool
    warranty_days: int
    out_of_warranty_reason: OutOfWarrantyReason | None
    reported_on: dt.date
    received_on: dt.date | None
    expected_resolution_on: dt.date
    issued_on: dt.date
    customer_language: str = "es"  # the language the receipt is printed in by default
    # Where the return stands when the receipt is printed: the receipt's closing words follow it.
    state: ReturnState = RS.RECEIVED
    resolution: ReturnState | None = None  # the RESOLUTION_STATES one it reached, if any
    resolved_on: dt.date | None = None
    returned_on: dt.date | None = None  # the unit went back to the customer
    closed_on: dt.date | None = None  # closed or cancelled


def receipt_data(return_id: int, today: dt.date | None = None) -> ReturnReceiptData:
    """The receipt of a return whose unit has been received."""
    from app.services.followups import customer_address

    today = today or dt.date.today()
    detail = get_return(return_id, today)
    received = next((c.changed_at.date() for c in detail.timeline if c.to_state is RS.RECEIVED), None)
    if received is None:
        raise DomainError(
            _(
                "Return {number} has not been received yet; the receipt is printed when the unit arrives."
            ).format(number=detail.row.number)
        )
    customer = Customer.get_by_id(detail.row.customer_id)
    company = load_company_settings()
    return ReturnReceiptData(
        company_name=_(company.name),
        company_logo=company.logo_path,
        company_address=company.address,
        company_tax_id=company.tax_id,
        number=detail.row.number,
        customer_name=customer.name,
        customer_code=customer.code,
        customer_address=customer_address(customer.address, customer.postal_code, customer.city),
        product_name=detail.row.product_name,
        sku=detail.sku,
        serial_number=detail.row.serial_number,
        reason=detail.row.reason,
        description=detail.description,
        under_warranty=detail.row.under_warranty,
        warranty_days=detail.row.warranty_days,
        out_of_warranty_reason=detail.out_of_warranty_reason,
        reported_on=detail.row.reported_on,
        received_on=received,
        expected_resolution_on=detail.row.due_on,
        issued_on=today,
        customer_language=customer.language or "es",
        state=detail.row.state,
        resolution=next(
            (c.to_state for c in reversed(detail.timeline) if c.to_state in RESOLUTION_STATES), None
        ),
        resolved_on=detail.row.resolved_on,
        returned_on=next(
            (c.changed_at.date() for c in detail.timeline if c.to_state is RS.RETURNED_TO_CUSTOMER), None
        ),
        closed_on=detail.row.closed_on,
    )
