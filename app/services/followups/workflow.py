"""Follow-ups: the state machine and the commands a rep runs from the agenda (queries: `agenda`).

States: planned → done | missed | cancelled, and nothing leaves done, missed or cancelled
(`TRANSITIONS`, the one table of rules). *Overdue* is derived — planned and scheduled before
now — and never stored. A call that does not reach the customer is done with that outcome and
a retry is proposed on the next working day, up to `max_attempts()`; the attempt that exhausts
them is marked missed instead of done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum

from app.i18n import N_, _, format_datetime
from app.models import (
    Customer,
    FollowUp,
    Rep,
    SatisfactionSurvey,
    SoldUnit,
)
from app.models import now as wall_clock_now
from app.models.base import max_length
from app.models.enums import (
    Choice,
    DissatisfactionCause,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
)
from app.services import audit
from app.services.company import load_company_settings, save_company_settings
from app.services.errors import ConfirmationRequired, DomainError, NotFoundError, ValidationError
from app.services.followups import placement
from app.services.followups.consent import consent_warning, may_contact
from app.services.inputs import choice_or_none, clean_text, date_error
from app.services.transactions import check_version, write_command, write_transaction

# --- settings ----------------------------------------------------------------

# How many attempts a follow-up gets when the customer is not reached (the first included).
# Stored per company as the CompanySetting below; this is the value until someone changes it.
DEFAULT_MAX_ATTEMPTS = 3

# Time of day given to follow-ups created without one (plans, retries without a time).
DEFAULT_TIME_OF_DAY = dt.time(10, 0)
DEFAULT_TIMES_BY_KIND: dict[FollowUpKind, dt.time] = {FollowUpKind.VISIT: dt.time(11, 0)}

MAX_DURATION_MINUTES = 12 * 60


def default_time_of_day(kind: FollowUpKind) -> dt.time:
    return DEFAULT_TIMES_BY_KIND.get(kind, DEFAULT_TIME_OF_DAY)


def max_attempts() -> int:
    value = load_company_settings().follow_up_max_attempts
    return value if 1 <= value <= 10 else DEFAULT_MAX_ATTEMPTS


@write_command
def set_max_attempts(value: int, acting_rep_id: int | None = None) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10:
        raise ValidationError({"max_attempts": _("The number of attempts must be between 1 and 10.")})
    save_company_settings(replace(load_company_settings(), follow_up_max_attempts=value), acting_rep_id)


# --- the state machine ---------------------------------------------------------

# The one table of allowed state changes. Rescheduling keeps a follow-up planned.
TRANSITIONS: dict[FollowUpState, frozenset[FollowUpState]] = {
    FollowUpState.PLANNED: frozenset(
        {FollowUpState.PLANNED, FollowUpState.DONE, FollowUpState.MISSED, FollowUpState.CANCELLED}
    ),
    FollowUpState.DONE: frozenset(),
    FollowUpState.MISSED: frozenset(),
    FollowUpState.CANCELLED: frozenset(),
}

# Outcomes after which another attempt is proposed; all but CALL_LATER count toward max_attempts().
NOT_REACHED_OUTCOMES = frozenset(
    {FollowUpOutcome.NOT_REACHED, FollowUpOutcome.VOICEMAIL, FollowUpOutcome.WRONG_NUMBER}
)
RETRY_OUTCOMES = NOT_REACHED_OUTCOMES | {FollowUpOutcome.CALL_LATER}

# The outcomes each kind of contact can have: voicemail and a wrong number belong to the phone;
# a visit or an e-mail reaches the customer or not.
_O = FollowUpOutcome
_PHONE_OUTCOMES = (_O.REACHED, _O.NOT_REACHED, _O.VOICEMAIL, _O.WRONG_NUMBER, _O.CALL_LATER)
OUTCOMES_BY_KIND: dict[FollowUpKind, tuple[FollowUpOutcome, ...]] = {
    FollowUpKind.CALL: _PHONE_OUTCOMES,
    FollowUpKind.TELEMARKETING: _PHONE_OUTCOMES,
    FollowUpKind.VIDEO: (_O.REACHED, _O.NOT_REACHED, _O.CALL_LATER),
    FollowUpKind.VISIT: (_O.REACHED, _O.NOT_REACHED),
    FollowUpKind.EMAIL: (_O.REACHED, _O.NOT_REACHED),
}


def outcomes_for(kind: FollowUpKind) -> tuple[FollowUpOutcome, ...]:
    """The outcomes a follow-up of this kind can be completed with, in the order to offer them."""
    return OUTCOMES_BY_KIND.get(kind, _PHONE_OUTCOMES)


class FollowUpAction(Choice):
    COMPLETE = "complete", N_("Complete")
    RESCHEDULE = "reschedule", N_("Reschedule")
    CANCEL = "cancel", N_("Cancel")
    MARK_MISSED = "mark_missed", N_("Mark as missed")
    RETRY = "retry", N_("Schedule another attempt")


# The state each action leads to; an action is allowed when TRANSITIONS allows that change.
# (COMPLETE may also end in MISSED when the last attempt fails: also allowed from PLANNED.)
_ACTION_TARGETS: dict[FollowUpAction, FollowUpState] = {
    FollowUpAction.COMPLETE: FollowUpState.DONE,
    FollowUpAction.RESCHEDULE: FollowUpState.PLANNED,
    FollowUpAction.CANCEL: FollowUpState.CANCELLED,
    FollowUpAction.MARK_MISSED: FollowUpState.MISSED,
}


def can_transition(source: FollowUpState, target: FollowUpState) -> bool:
    return target in TRANSITIONS[source]


# Compensating changes, taken only by undo (`restore_follow_up` from app.services.undo): a follow-up
# completed, missed or cancelled by mistake goes back to planned. No person's action leads there, so
# they are not in TRANSITIONS; the audit log keeps the action and its undoing.
UNDO_TRANSITIONS: dict[FollowUpState, frozenset[FollowUpState]] = {
    FollowUpState.PLANNED: frozenset(),
    FollowUpState.DONE: frozenset({FollowUpState.PLANNED}),
    FollowUpState.MISSED: frozenset({FollowUpState.PLANNED}),
    FollowUpState.CANCELLED: frozenset({FollowUpState.PLANNED}),
}

# What undo puts back of a follow-up: its business fields (bookkeeping such as the row version and
# the update time moves on).
RESTORED_FIELDS = ("scheduled_at", "state", "outcome", "completed_at", "notes", "cancel_reason", "rep")


def _check_transition(follow_up: FollowUp, target: FollowUpState) -> None:
    if not can_transition(follow_up.state, target):
        raise DomainError(
            _("This follow-up is already {state}; it can no longer be changed.").format(
                state=follow_up.state.label.lower()
            )
        )


def _get(follow_up_id: int) -> FollowUp:
    follow_up = FollowUp.get_or_none(FollowUp.id == follow_up_id)
    if follow_up is None:
        raise NotFoundError(_("The follow-up no longer exists."))
    return follow_up


def _retry_allowed(follow_up: FollowUp, limit: int) -> bool:
    if follow_up.state is not FollowUpState.DONE or follow_up.outcome not in RETRY_OUTCOMES:
        return False
    if follow_up.outcome in NOT_REACHED_OUTCOMES and follow_up.attempt >= limit:
        return False
    return not FollowUp.select().where(FollowUp.retry_of == follow_up.id).exists()


def allowed_actions(follow_up_id: int) -> list[FollowUpAction]:
    """What the UI may offer for this follow-up, in a stable order."""
    follow_up = _get(follow_up_id)
    actions = [a for a, target in _ACTION_TARGETS.items() if can_transition(follow_up.state, target)]
    if _retry_allowed(follow_up, max_attempts()):
        actions.append(FollowUpAction.RETRY)
    return [a for a in FollowUpAction if a in actions]


# --- helpers shared with the plans ---------------------------------------------


def customer_address(address: str, postal_code: str, city: str) -> str:
    """'Calle Mayor 1, 28013 Madrid' from whichever parts are known. (Plain conditionals, not
    joins of generators: the agenda composes one per row, 1,500 for a busy week.)"""
    postal_code, city, address = postal_code.strip(), city.strip(), address.strip()
    town = f"{postal_code} {city}" if postal_code and city else postal_code or city
    return f"{address}, {town}" if address and town else address or town


def _address_of(customer: Customer) -> str:
    return customer_address(customer.address, customer.postal_code, customer.city)


@dataclass(frozen=True)
class ScheduleResult:
    follow_up_id: int
    warnings: tuple[str, ...] = ()


def _overlap_warnings(
    rep_id: int | None, start: dt.datetime, duration_minutes: int, exclude_id: int | None = None
) -> list[str]:
    """Warnings for the rep's planned visits that overlap [start, start + duration)."""
    if rep_id is None:
        return []
    end = start + dt.timedelta(minutes=duration_minutes)
    # The (rep, state, scheduled_at) index narrows to visits starting at most MAX_DURATION before.
    query = (
        FollowUp.select(FollowUp.scheduled_at, FollowUp.duration_minutes, Customer.name)
        .join(Customer, on=(FollowUp.customer == Customer.id))
        .where(
            (FollowUp.rep == rep_id)
            & (FollowUp.state == FollowUpState.PLANNED)
            & (FollowUp.scheduled_at > start - dt.timedelta(minutes=MAX_DURATION_MINUTES))
            & (FollowUp.scheduled_at < end)
            & (FollowUp.kind == FollowUpKind.VISIT)
        )
        .order_by(FollowUp.scheduled_at)
    )
    if exclude_id is not None:
        query = query.where(FollowUp.id != exclude_id)
    warnings = []
    for other_start, other_minutes, customer_name in query.tuples():
        if other_start + dt.timedelta(minutes=other_minutes) > start:
            warnings.append(
                _("This visit overlaps the visit to {customer} at {time}.").format(
                    customer=customer_name, time=format_datetime(other_start)
                )
            )
    return warnings


def _check_not_past(when: dt.datetime, now: dt.datetime, confirm_past: bool) -> None:
    if when < now and not confirm_past:
        raise ConfirmationRequired(
            _("{time} is in the past. Do you want to schedule the follow-up anyway?").format(
                time=format_datetime(when)
            )
        )


class DuplicateFollowUpError(DomainError):
    """The customer already has a follow-up of this kind and purpose that day."""


class OnDuplicate(Enum):
    """What creating a follow-up does when the customer already has its twin that day."""

    SKIP = "skip"  # automatic follow-ups (plans, retries, satisfaction calls): the twin serves
    REFUSE = "refuse"  # one a person asked for: DuplicateFollowUpError says why


def _same_day_twin(
    customer_id: int,
    kind: FollowUpKind,
    purpose: FollowUpPurpose,
    at: dt.datetime,
    exclude_id: int | None,
    states: Iterable[FollowUpState],
) -> FollowUp | None:
    """The customer's follow-up of this kind and purpose on `at`'s day, in one of `states`."""
    start = dt.datetime.combine(at.date(), dt.time.min)
    # The (customer, scheduled_at) index narrows to the customer's day.
    query = FollowUp.select().where(
        (FollowUp.customer == customer_id)
        & (FollowUp.scheduled_at >= start)
        & (FollowUp.scheduled_at < start + dt.timedelta(days=1))
        & (FollowUp.kind == kind)
        & (FollowUp.purpose == purpose)
        & (FollowUp.state.in_(list(states)))
    )
    if exclude_id is not None:
        query = query.where(FollowUp.id != exclude_id)
    return query.order_by(FollowUp.scheduled_at, FollowUp.id).first()


def create_follow_up(
    on_duplicate: OnDuplicate, *, exclude_id: int | None = None, count_done: bool = False, **fields
) -> tuple[FollowUp, bool]:
    """The one place a follow-up row is made (ad-hoc, plans, retries, cases, returns, checks).

    Never two planned follow-ups of the same kind and purpose for one customer on one day
    (`exclude_id`: the attempt a retry repeats). `count_done`: one done or missed that day counts
    too (plan steps: an automatic contact never repeats one that happened; a person may still ask
    for another, and a "call me later" retry is another call that day). On a twin, SKIP returns it
    unchanged and REFUSE raises DuplicateFollowUpError. Returns (the follow-up, whether it was
    created). Call it inside the command's write transaction, so two writers cannot both miss it.
    """
    states = [FollowUpState.PLANNED] + ([FollowUpState.DONE, FollowUpState.MISSED] if count_done else [])
    twin = _same_day_twin(
        fields["customer"], fields["kind"], fields["purpose"], fields["scheduled_at"], exclude_id, states
    )
    if twin is not None:
        if on_duplicate is OnDuplicate.SKIP:
            return twin, False
        raise DuplicateFollowUpError(
            _("{customer} already has a {kind} about {purpose} on {time}; change that one instead.").format(
                customer=Customer.get_by_id(twin.customer_id).name,
                kind=twin.kind.label.lower(),
                purpose=twin.purpose.label.lower(),
                time=format_datetime(twin.scheduled_at),
            )
        )
    return FollowUp.create(**fields), True


def _customer_code(customer_id: int) -> str:
    """How the audit names a follow-up or a survey: its customer's code (never the name)."""
    return Customer.select(Customer.code).where(Customer.id == customer_id).scalar() or ""


def _save_audited(action: str, follow_up: FollowUp, acting_rep_id: int | None) -> None:
    """Save a follow-up's changed fields and record each one's old and new value."""
    changes = audit.pending_changes(follow_up)
    follow_up.save()
    audit.record(
        action,
        "follow_up",
        follow_up.id,
        acting_rep_id,
        label=_customer_code(follow_up.customer_id),
        changes=changes,
    )


# --- commands ----------------------------------------------------------------


@write_command
def schedule_follow_up(
    customer_id: int,
    kind: FollowUpKind,
    purpose: FollowUpPurpose,
    scheduled_at: dt.datetime,
    *,
    rep_id: int | None = None,
    duration_minutes: int = 15,
    place: str | None = None,
    notes: str = "",
    sold_unit_id: int | None = None,
    case_id: int | None = None,
    warranty_return_id: int | None = None,
    confirm_past: bool = False,
    acting_rep_id: int | None = None,
    now: dt.datetime | None = None,
    on_duplicate: OnDuplicate = OnDuplicate.REFUSE,
) -> ScheduleResult:
    """Create an ad-hoc follow-up for the customer's rep (or `rep_id`).

    A time in the past raises ConfirmationRequired unless `confirm_past`; a visit without an
    address and a visit overlapping another of the rep's visits are saved with warnings. The
    customer's follow-up of the same kind and purpose that day is refused (DuplicateFollowUpError),
    or returned instead with `on_duplicate=SKIP` (automatic follow-ups).
    """
    now = now or wall_clock_now()
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFoundError(_("The customer no longer exists."))
    errors: dict[str, str] = {}
    kind_value = choice_or_none(FollowUpKind, kind)
    purpose_value = choice_or_none(FollowUpPurpose, purpose)
    if customer.archived:
        errors["customer_id"] = _("The customer is archived; restore it before scheduling a follow-up.")
    if kind_value is None:
        errors["kind"] = _("Choose how to contact the customer.")
    if purpose_value is None:
        errors["purpose"] = _("Choose the purpose of the follow-up.")
    if scheduled_at is None:
        errors["scheduled_at"] = _("Enter the date and time.")
    elif problem := date_error(scheduled_at):
        errors["scheduled_at"] = problem
    if not isinstance(duration_minutes, int) or not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = _("The duration must be between 1 and {limit} minutes.").format(
            limit=MAX_DURATION_MINUTES
        )
    if rep_id is None:
        rep_id = customer.rep_id
    elif not Rep.select().where(Rep.id == rep_id).exists():
        errors["rep_id"] = _("The chosen rep no longer exists.")
    if sold_unit_id is not None and not (
        SoldUnit.select().where((SoldUnit.id == sold_unit_id) & (SoldUnit.customer == customer_id)).exists()
    ):
        errors["sold_unit_id"] = _("The product is not one this customer bought.")
    place = clean_text(place)
    notes = clean_text(notes)
    if len(place) > max_length(FollowUp.place):
        errors["place"] = _("Too long: at most {limit} characters.").format(limit=max_length(FollowUp.place))
    if errors:
        raise ValidationError(errors)
    scheduled_at = scheduled_at.replace(second=0, microsecond=0)
    _check_not_past(scheduled_at, now, confirm_past)

    warnings: list[str] = []
    if not may_contact(kind_value, purpose_value, customer.contact_consent):
        warnings.append(consent_warning())
    if kind_value is FollowUpKind.VISIT:
        place = place or _address_of(customer)
        if not place:
            warnings.append(_("The customer has no address: add it before the visit."))
        warnings += _overlap_warnings(rep_id, scheduled_at, duration_minutes)
    with write_transaction():
        follow_up, created = create_follow_up(
            on_duplicate,
            customer=customer_id,
            rep=rep_id,
            kind=kind_value,
            purpose=purpose_value,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            place=place,
            notes=notes.strip(),
            sold_unit=sold_unit_id,
            case=case_id,
            warranty_return=warranty_return_id,
        )
        if not created:
            return ScheduleResult(follow_up.id)
        audit.record(
            "create",
            "follow_up",
            follow_up.id,
            acting_rep_id,
            label=customer.code,
            customer=customer_id,
            rep=rep_id,
            kind=kind_value,
            purpose=purpose_value,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            place=place,
            notes=notes.strip(),
            case=case_id,
            warranty_return=warranty_return_id,
        )
    return ScheduleResult(follow_up.id, tuple(warnings))


def _check_placement(follow_up: FollowUp, at: dt.datetime, now: dt.datetime) -> None:
    """PlacementConflict when `at` breaks the placement rules for this follow-up."""
    places = placement.book()
    problems = places.problems(
        follow_up.rep_id, at, follow_up.kind, follow_up.duration_minutes, exclude_id=follow_up.id
    )
    if problems:
        proposed = places.place(
            follow_up.rep_id,
            at,
            follow_up.kind,
            follow_up.duration_minutes,
            now.date(),
            exclude_id=follow_up.id,
        )
        raise placement.PlacementConflict(problems, proposed)


@write_command
def reschedule_follow_up(
    follow_up_id: int,
    new_time: dt.datetime,
    *,
    acting_rep_id: int | None = None,
    confirm_past: bool = False,
    confirm_placement: bool = False,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ScheduleResult:
    """Move a planned follow-up; the same confirmation and overlap rules as scheduling.

    A slot on a non-working day, outside the working hours, on a day the rep has full or in an hour
    of another of the rep's visits raises PlacementConflict (a ConfirmationRequired naming the
    problems and the next free slot) unless `confirm_placement`.
    `expected_version` is the row version the edit started from (ConcurrentEditError if it moved on).
    """
    now = now or wall_clock_now()
    follow_up = _get(follow_up_id)
    check_version(follow_up, expected_version)
    _check_transition(follow_up, FollowUpState.PLANNED)
    if new_time is None:
        raise ValidationError({"scheduled_at": _("Enter the date and time.")})
    if problem := date_error(new_time):
        raise ValidationError({"scheduled_at": problem})
    new_time = new_time.replace(second=0, microsecond=0)
    _check_not_past(new_time, now, confirm_past)
    if not confirm_placement:
        _check_placement(follow_up, new_time, now)
    warnings: list[str] = []
    if follow_up.kind is FollowUpKind.VISIT:
        warnings += _overlap_warnings(follow_up.rep_id, new_time, follow_up.duration_minutes, follow_up.id)
    with write_transaction():
        follow_up.scheduled_at = new_time
        _save_audited("update", follow_up, acting_rep_id)
    return ScheduleResult(follow_up.id, tuple(warnings))


@write_command
def cancel_follow_up(follow_up_id: int, reason: str, acting_rep_id: int | None = None) -> None:
    follow_up = _get(follow_up_id)
    _check_transition(follow_up, FollowUpState.CANCELLED)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the follow-up is cancelled.")})
    with write_transaction():
        follow_up.state = FollowUpState.CANCELLED
        follow_up.cancel_reason = reason
        _save_audited("transition", follow_up, acting_rep_id)


def follow_up_fields(follow_up: FollowUp) -> dict[str, object]:
    """The business fields undo puts back (RESTORED_FIELDS; the rep as its id)."""
    values = {name: getattr(follow_up, name) for name in RESTORED_FIELDS if name != "rep"}
    values["rep"] = follow_up.rep_id
    return values


@write_command
def restore_follow_up(
    follow_up_id: int,
    values: dict[str, object],
    acting_rep_id: int | None,
    *,
    expected_version: int | None,
    audit_action: str,
) -> int:
    """Undo's and redo's command: give the follow-up these business fields again; returns its new
    row version. A change of state must be one TRANSITIONS allows (redo) or one of UNDO_TRANSITIONS
    (undo back to planned); only the fields that differ are written, audited as `audit_action`."""
    follow_up = _get(follow_up_id)
    check_version(follow_up, expected_version)
    target = FollowUpState(values.get("state", follow_up.state))
    if target is not follow_up.state and not (
        can_transition(follow_up.state, target) or target in UNDO_TRANSITIONS[follow_up.state]
    ):
        _check_transition(follow_up, target)
    with write_transaction():
        for name, value in values.items():
            current = follow_up.rep_id if name == "rep" else getattr(follow_up, name)
            if current != value:
                setattr(follow_up, name, value)
        _save_audited(audit_action, follow_up, acting_rep_id)
    return FollowUp.select(FollowUp.row_version).where(FollowUp.id == follow_up_id).scalar()


@write_command
def mark_missed(
    follow_up_id: int, notes: str = "", acting_rep_id: int | None = None, now: dt.datetime | None = None
) -> None:
    """The contact did not happen and will not be attempted again."""
    follow_up = _get(follow_up_id)
    _check_transition(follow_up, FollowUpState.MISSED)
    with write_transaction():
        follow_up.state = FollowUpState.MISSED
        follow_up.completed_at = now or wall_clock_now()
        follow_up.notes = _join_notes(follow_up.notes, notes)
        _save_audited("transition", follow_up, acting_rep_id)


@dataclass(frozen=True)
class CompletionResult:
    follow_up_id: int
    state: FollowUpState  # DONE, or MISSED when the last allowed attempt failed
    survey_id: int | None = None
    retry_proposed: bool = False  # the UI asks "try again on <retry_at>?" → retry_follow_up
    retry_at: dt.datetime | None = None
    retry_id: int | None = None  # set when complete_follow_up(schedule_retry=True) created it
    chain_missed: bool = False


def _join_notes(old: str, new: str) -> str:
    new = clean_text(new)
    return f"{old}\n{new}".strip() if old and new else (new or old)


def validate_scores(satisfaction, recommend, outcome: FollowUpOutcome) -> None:
    errors = {}

    def whole(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if satisfaction is not None and not (whole(satisfaction) and 1 <= satisfaction <= 5):
        errors["satisfaction"] = _("Satisfaction is a score from 1 to 5.")
    if recommend is not None and not (whole(recommend) and 0 <= recommend <= 10):
        errors["recommend"] = _("The recommendation score goes from 0 to 10.")
    if (satisfaction is not None or recommend is not None) and outcome is not FollowUpOutcome.REACHED:
        errors.setdefault("outcome", _("Scores can only be recorded when the customer was reached."))
    if errors:
        raise ValidationError(errors)


def _retry_time(follow_up: FollowUp, after: dt.date) -> dt.datetime:
    """The slot proposed for the next attempt: from the day after `after`, at the attempt's time of
    day, placed by the placement rules (a working day with room, inside the working hours)."""
    day = after + dt.timedelta(days=1)
    return placement.book().place(
        follow_up.rep_id,
        dt.datetime.combine(day, follow_up.scheduled_at.time()),
        follow_up.kind,
        follow_up.duration_minutes,
        day,
    )


@write_command
def complete_follow_up(
    follow_up_id: int,
    outcome: FollowUpOutcome,
    notes: str,
    acting_rep_id: int | None,
    satisfaction: int | None = None,
    recommend: int | None = None,
    now: dt.datetime | None = None,
    *,
    cause: DissatisfactionCause | None = None,
    schedule_retry: bool = False,
) -> CompletionResult:
    """Log what happened. Scores (1–5, 0–10) create a satisfaction survey linked to the follow-up.

    Not reached / voicemail / wrong number: done with that outcome and a retry is proposed on the
    next working day (created at once with `schedule_retry=True`); on the last allowed attempt the
    follow-up is marked missed instead. Asked to call later: done, and a retry is proposed.
    """
    now = now or wall_clock_now()
    follow_up = _get(follow_up_id)
    _check_transition(follow_up, FollowUpState.DONE)
    outcome_value = choice_or_none(FollowUpOutcome, outcome)
    if outcome_value is None:
        raise ValidationError({"outcome": _("Choose the outcome of the contact.")})
    if outcome_value not in outcomes_for(follow_up.kind):
        raise ValidationError(
            {
                "outcome": _("“{outcome}” is not an outcome of a follow-up of this kind ({kind}).").format(
                    outcome=outcome_value.label, kind=follow_up.kind.label.lower()
                )
            }
        )
    validate_scores(satisfaction, recommend, outcome_value)
    notes = clean_text(notes)
    if cause is not None and choice_or_none(DissatisfactionCause, cause) is None:
        raise ValidationError({"cause": _("Choose a cause from the list.")})

    limit = max_attempts()
    exhausted = outcome_value in NOT_REACHED_OUTCOMES and follow_up.attempt >= limit
    target = FollowUpState.MISSED if exhausted else FollowUpState.DONE
    _check_transition(follow_up, target)
    survey_id = retry_id = None
    with write_transaction():
        follow_up.state = target
        follow_up.outcome = outcome_value
        follow_up.completed_at = now
        follow_up.notes = _join_notes(follow_up.notes, notes)
        if follow_up.rep_id is None:
            follow_up.rep = acting_rep_id
        _save_audited("transition", follow_up, acting_rep_id)
        if satisfaction is not None or recommend is not None:
            survey = SatisfactionSurvey.create(
                customer=follow_up.customer_id,
                rep=acting_rep_id or follow_up.rep_id,
                taken_on=now.date(),
                satisfaction=satisfaction,
                recommend=recommend,
                comment=(notes or "").strip(),
                cause=cause,
                follow_up=follow_up.id,
                case=follow_up.case_id,
                warranty_return=follow_up.warranty_return_id,
            )
            survey_id = survey.id
            audit.record(
                "create",
                "survey",
                survey.id,
                acting_rep_id,
                label=_customer_code(follow_up.customer_id),
                context={"follow_up_id": follow_up.id},
                satisfaction=satisfaction,
                recommend=recommend,
                comment=survey.comment,
                cause=cause,
            )
        proposed = _retry_allowed(follow_up, limit)
        retry_at = _retry_time(follow_up, now.date()) if proposed else None
        if proposed and schedule_retry:
            retry_id = _create_retry(follow_up, retry_at, acting_rep_id, OnDuplicate.SKIP)
    return CompletionResult(
        follow_up.id, target, survey_id, proposed, retry_at, retry_id, chain_missed=exhausted
    )


def _create_retry(
    follow_up: FollowUp, at: dt.datetime, acting_rep_id: int | None, on_duplicate: OnDuplicate
) -> int:
    """The next attempt; the customer's twin that day (another call about the same) serves instead."""
    retry, created = create_follow_up(
        on_duplicate,
        exclude_id=follow_up.id,
        customer=follow_up.customer_id,
        rep=follow_up.rep_id,
        kind=follow_up.kind,
        purpose=follow_up.purpose,
        scheduled_at=at,
        duration_minutes=follow_up.duration_minutes,
        place=follow_up.place,
        attempt=follow_up.attempt + 1,
        sold_unit=follow_up.sold_unit_id,
        case=follow_up.case_id,
        warranty_return=follow_up.warranty_return_id,
        # plan_step stays empty: the (sold_unit, plan_step) pair belongs to the first attempt.
        retry_of=follow_up.id,
    )
    if not created:
        return retry.id
    audit.record(
        "create",
        "follow_up",
        retry.id,
        acting_rep_id,
        label=_customer_code(follow_up.customer_id),
        context={"retry_of": follow_up.id},
        kind=retry.kind,
        purpose=retry.purpose,
        attempt=retry.attempt,
        scheduled_at=at,
    )
    return retry.id


@write_command
def retry_follow_up(
    follow_up_id: int,
    at: dt.datetime | None = None,
    *,
    acting_rep_id: int | None = None,
    confirm_past: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Schedule the next attempt of a follow-up done without reaching the customer; returns its id.

    By default on the next working day after today, at the same time of day as the attempt.
    """
    now = now or wall_clock_now()
    follow_up = _get(follow_up_id)
    limit = max_attempts()
    if not _retry_allowed(follow_up, limit):
        if FollowUp.select().where(FollowUp.retry_of == follow_up.id).exists():
            raise DomainError(_("Another attempt of this follow-up is already scheduled."))
        if follow_up.state is FollowUpState.DONE and follow_up.outcome in NOT_REACHED_OUTCOMES:
            raise DomainError(_("This follow-up has had its {count} attempts already.").format(count=limit))
        raise DomainError(_("Only a follow-up done without reaching the customer can be tried again."))
    at = (at or _retry_time(follow_up, now.date())).replace(second=0, microsecond=0)
    if problem := date_error(at):
        raise ValidationError({"scheduled_at": problem})
    _check_not_past(at, now, confirm_past)
    with write_transaction():
        return _create_retry(follow_up, at, acting_rep_id, OnDuplicate.REFUSE)


def schedule_satisfaction_call(
    customer_id: int,
    closed_on: dt.date,
    days: int | None,
    *,
    rep_id: int | None,
    notes: str,
    sold_unit_id: int | None = None,
    case_id: int | None = None,
    warranty_return_id: int | None = None,
    acting_rep_id: int | None = None,
    now: dt.datetime | None = None,
) -> int | None:
    """The satisfaction call after a case or a return closed; returns its id, None when there is none.

    `days` after the closing (None or negative: no call), moved to a working day of the company's
    region, at the usual time for calls. An archived customer gets none: the closing stands. When
    the customer already has a satisfaction call that day, that one serves (its id is returned).
    A closing recorded late still gets its call, even if its day has passed.
    """
    if days is None or days < 0:
        return None
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None or customer.archived:
        return None
    day = closed_on + dt.timedelta(days=days)
    duration = 15  # schedule_follow_up's usual call
    try:
        at = placement.book().place(rep_id or customer.rep_id, day, FollowUpKind.CALL, duration)
    except DomainError:  # the company's holiday region is unknown: the plain day
        at = dt.datetime.combine(day, default_time_of_day(FollowUpKind.CALL))
    result = schedule_follow_up(
        customer_id,
        FollowUpKind.CALL,
        FollowUpPurpose.SATISFACTION,
        at,
        duration_minutes=duration,
        rep_id=rep_id,
        notes=notes,
        sold_unit_id=sold_unit_id,
        case_id=case_id,
        warranty_return_id=warranty_return_id,
        confirm_past=True,
        acting_rep_id=acting_rep_id,
        now=now,
        on_duplicate=OnDuplicate.SKIP,
    )
    return result.follow_up_id
