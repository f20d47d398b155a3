"""Customer cases: complaints, claims, suggestions and compliments (seed 003's four-stage procedure).

Complaints and claims: reception → analysis (category and severity) → service (a proposed
solution; the case waits for the customer's answer). Accepted → the solution is carried out and
the case closes into the satisfaction analysis (a satisfaction follow-up is scheduled), then
closed. Rejected → internal negotiation (counter-proposals, each a CaseProposal round) → accepted,
or no agreement → external mediation (body, reference, date, then the outcome) → closed.
Suggestions and compliments: received → acknowledged → forwarded to a department → closed with
the department's response.

Numbers: the company's prefix of the case's series, the year of reception and a sequence per
series and year, taken inside the command's write transaction. Complaints and claims share one
series (the annual register's: no gaps, whatever suggestions and compliments arrive between them);
suggestions and compliments have one each. A number once given never changes (prefix settings
apply to new numbers; numbers from before schema 6 keep their CASE-).

`TRANSITIONS` is the one table of allowed stage changes per type; `allowed_actions` asks it (and
the recorded proposals) what the UI may offer. Every change is stamped in CaseStageChange.
*Overdue* is derived from the deadlines (`case_deadlines`), never stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from peewee import JOIN, IntegrityError, fn

from app.i18n import N_, _
from app.models import (
    Case,
    CaseProposal,
    CaseStageChange,
    Customer,
    FollowUp,
    Product,
    Rep,
    Sale,
    SatisfactionSurvey,
    SoldUnit,
    WarrantyReturn,
)
from app.models.base import max_length
from app.models.customers import fold_for_search
from app.models.dialect import days_between, lock_numbering
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseSeries,
    CaseStage,
    CharterIndicator,
    Choice,
    ContactChannel,
    FollowUpPurpose,
    FollowUpState,
    ProposalAnswer,
    Severity,
    SolutionType,
)
from app.models.sync_schema import provisional, provisional_label
from app.services import audit, charters, company
from app.services import followups as followup_service
from app.services.charters.indicators import Deadline, case_product_codes, cases_in
from app.services.errors import ConfirmationRequired, DomainError, NotFoundError, ValidationError
from app.services.inputs import choice_or_none, clean_text, date_error
from app.services.sorting import ListSort, choice_rank, ordering
from app.services.transactions import write_command, write_transaction

# --- types, stages and the one table of transitions -------------------------------------

COMPLAINT_KINDS = frozenset({CaseKind.COMPLAINT, CaseKind.CLAIM})
NOTE_KINDS = frozenset({CaseKind.SUGGESTION, CaseKind.COMPLIMENT})
# Channels where the customer speaks rather than writes: a claim is written (seed 000).
SPOKEN_CHANNELS = frozenset({ContactChannel.PHONE, ContactChannel.IN_PERSON})

_S = CaseStage
COMPLAINT_TRANSITIONS: dict[CaseStage, frozenset[CaseStage]] = {
    _S.RECEPTION: frozenset({_S.ANALYSIS}),
    _S.ANALYSIS: frozenset({_S.SERVICE}),
    _S.SERVICE: frozenset({_S.INTERNAL_NEGOTIATION, _S.SATISFACTION}),
    _S.INTERNAL_NEGOTIATION: frozenset({_S.EXTERNAL_MEDIATION, _S.SATISFACTION}),
    _S.EXTERNAL_MEDIATION: frozenset({_S.CLOSED}),
    _S.SATISFACTION: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
}
NOTE_TRANSITIONS: dict[CaseStage, frozenset[CaseStage]] = {
    _S.RECEIVED: frozenset({_S.ACKNOWLEDGED}),
    _S.ACKNOWLEDGED: frozenset({_S.FORWARDED}),
    _S.FORWARDED: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
}
TRANSITIONS: dict[CaseKind, dict[CaseStage, frozenset[CaseStage]]] = {
    CaseKind.COMPLAINT: COMPLAINT_TRANSITIONS,
    CaseKind.CLAIM: COMPLAINT_TRANSITIONS,
    CaseKind.SUGGESTION: NOTE_TRANSITIONS,
    CaseKind.COMPLIMENT: NOTE_TRANSITIONS,
}
COMPLAINT_STAGES = tuple(COMPLAINT_TRANSITIONS)
NOTE_STAGES = tuple(NOTE_TRANSITIONS)
# Stages in which a case is finished for the department (the satisfaction call may still be due).
FINISHED_STAGES = frozenset({_S.SATISFACTION, _S.CLOSED})


def first_stage(kind: CaseKind) -> CaseStage:
    return _S.RECEPTION if kind in COMPLAINT_KINDS else _S.RECEIVED


def stages_of(kind: CaseKind) -> tuple[CaseStage, ...]:
    return COMPLAINT_STAGES if kind in COMPLAINT_KINDS else NOTE_STAGES


def can_transition(kind: CaseKind, source: CaseStage | None, target: CaseStage) -> bool:
    table = TRANSITIONS[kind]
    if source is None:
        return target is first_stage(kind)
    return target in table.get(source, frozenset())


# Each category suggests a solution type (the seed: the category decides the solution).
SUGGESTED_SOLUTIONS: dict[CaseCategory, SolutionType] = {
    CaseCategory.PRODUCT_DEFECT: SolutionType.TECHNICAL_ASSISTANCE,
    CaseCategory.DELIVERY_DELAY: SolutionType.APOLOGY,
    CaseCategory.INSTALLATION: SolutionType.TECHNICAL_ASSISTANCE,
    CaseCategory.STAFF_CONDUCT: SolutionType.APOLOGY,
    CaseCategory.BILLING: SolutionType.DISCOUNT,
    CaseCategory.INFORMATION: SolutionType.APOLOGY,
    CaseCategory.OTHER: SolutionType.APOLOGY,
}
AMOUNT_SOLUTIONS = frozenset({SolutionType.GIFT, SolutionType.DISCOUNT})
RETURN_SOLUTIONS = frozenset({SolutionType.RETURN, SolutionType.EXCHANGE})


def suggested_solution(category: CaseCategory | None) -> SolutionType | None:
    return SUGGESTED_SOLUTIONS.get(category) if category is not None else None


class CaseAction(Choice):
    ANALYSE = "analyse", N_("Analyse…")
    PROPOSE = "propose", N_("Propose a solution…")
    RECORD_ANSWER = "answer", N_("Record the customer's answer…")
    COUNTER_PROPOSE = "counter", N_("Counter-proposal…")
    MEDIATE = "mediate", N_("Refer to external mediation…")
    CLOSE = "close", N_("Carry out and close…")
    CLOSE_MEDIATION = "close_mediation", N_("Record the outcome and close…")
    FINISH = "finish", N_("Finish the satisfaction analysis…")
    ACKNOWLEDGE = "acknowledge", N_("Acknowledge…")
    FORWARD = "forward", N_("Forward to a department…")
    CLOSE_NOTE = "close_note", N_("Record the response and close…")
    OPEN_RETURN = "open_return", N_("Open the warranty return…")


# Where each action may be taken, and the stage it leads to (None: the stage does not change).
# A stage change must also be allowed by TRANSITIONS; the recorded proposals narrow it further.
ACTIONS: dict[CaseAction, tuple[frozenset[CaseStage], CaseStage | None]] = {
    CaseAction.ANALYSE: (frozenset({_S.RECEPTION}), _S.ANALYSIS),
    CaseAction.PROPOSE: (frozenset({_S.ANALYSIS}), _S.SERVICE),
    # A rejection in service moves on to internal negotiation; other answers keep the stage.
    CaseAction.RECORD_ANSWER: (frozenset({_S.SERVICE, _S.INTERNAL_NEGOTIATION}), None),
    CaseAction.COUNTER_PROPOSE: (frozenset({_S.INTERNAL_NEGOTIATION}), None),
    CaseAction.MEDIATE: (frozenset({_S.INTERNAL_NEGOTIATION}), _S.EXTERNAL_MEDIATION),
    CaseAction.CLOSE: (frozenset({_S.SERVICE, _S.INTERNAL_NEGOTIATION}), _S.SATISFACTION),
    CaseAction.CLOSE_MEDIATION: (frozenset({_S.EXTERNAL_MEDIATION}), _S.CLOSED),
    CaseAction.FINISH: (frozenset({_S.SATISFACTION}), _S.CLOSED),
    CaseAction.ACKNOWLEDGE: (frozenset({_S.RECEIVED}), _S.ACKNOWLEDGED),
    CaseAction.FORWARD: (frozenset({_S.ACKNOWLEDGED}), _S.FORWARDED),
    CaseAction.CLOSE_NOTE: (frozenset({_S.FORWARDED}), _S.CLOSED),
    CaseAction.OPEN_RETURN: (frozenset({_S.SERVICE, _S.INTERNAL_NEGOTIATION, _S.SATISFACTION}), None),
}

# --- deadlines -----------------------------------------------------------------------------

DEFAULT_FIRST_ANSWER_DAYS = 10
DEFAULT_RESOLUTION_DAYS = 30
DEFAULT_SATISFACTION_DAYS = 7


@dataclass(frozen=True)
class CaseDeadlines:
    """A first answer within N days of reception, resolved (closed) within M days: the defaults,
    and the active charters' commitments, each over its own population (charters.Deadline)."""

    first_answer_days: int  # for a case no commitment is about
    resolution_days: int
    first_answer: Deadline | None = None  # None: the default for every case
    resolution: Deadline | None = None

    def answer_deadline(self) -> Deadline:
        return self.first_answer or Deadline(self.first_answer_days)

    def resolution_deadline(self) -> Deadline:
        return self.resolution or Deadline(self.resolution_days)

    def days_for(
        self, category: CaseCategory | None, channel: ContactChannel | None, case_id: int | None = None
    ) -> tuple[int, int]:
        """(first-answer N, resolution N) of a case (its product categories read when they decide)."""
        answer, resolution = self.answer_deadline(), self.resolution_deadline()
        codes: set[str] = set()
        if case_id is not None and (answer.by_products or resolution.by_products):
            codes = case_product_codes(case_id)
        return answer.days_for(category, channel, codes), resolution.days_for(category, channel, codes)


def case_deadlines() -> CaseDeadlines:
    """The active service charters' commitments when they have them, else the defaults."""
    answer = charters.commitment_deadline(CharterIndicator.CLAIMS_ANSWERED, DEFAULT_FIRST_ANSWER_DAYS)
    resolution = charters.commitment_deadline(CharterIndicator.COMPLAINTS_CLOSED, DEFAULT_RESOLUTION_DAYS)
    return CaseDeadlines(answer.days_for(), resolution.days_for(), answer, resolution)


def is_overdue(
    received_on: dt.date,
    first_answer_on: dt.date | None,
    closed_on: dt.date | None,
    today: dt.date,
    deadlines: CaseDeadlines | tuple[int, int],
) -> bool:
    """Past the first-answer target without an answer, or past the resolution target still open.
    `deadlines`: the case's own (first-answer N, resolution N), or deadlines whose defaults apply."""
    answer_days, resolution_days = (
        deadlines
        if isinstance(deadlines, tuple)
        else (deadlines.first_answer_days, deadlines.resolution_days)
    )
    late_answer = first_answer_on is None and today > received_on + dt.timedelta(days=answer_days)
    late_close = closed_on is None and today > received_on + dt.timedelta(days=resolution_days)
    return late_answer or late_close


def _overdue_condition(today: dt.date, deadlines: CaseDeadlines):
    answer_late = deadlines.answer_deadline().late(Case.received_on, today, cases_in)
    close_late = deadlines.resolution_deadline().late(Case.received_on, today, cases_in)
    return (Case.first_answer_on.is_null() & answer_late) | (Case.closed_on.is_null() & close_late)


# --- helpers -----------------------------------------------------------------------------


def _get(case_id: int) -> Case:
    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        raise NotFoundError(_("The case no longer exists."))
    return case


def _check_date(case: Case, on: dt.date | None, field: str = "on") -> dt.date:
    if on is None:
        raise ValidationError({field: _("Enter the date.")})
    if problem := date_error(on):
        raise ValidationError({field: problem})
    if on < case.received_on:
        raise ValidationError({field: _("The date cannot be before the case was received.")})
    return on


MAX_SATISFACTION_DAYS = 365


def _check_satisfaction_days(days: int | None) -> None:
    """None or a negative number: no satisfaction call; else at most a year after the closing."""
    if days is None:
        return
    if not isinstance(days, int) or isinstance(days, bool) or days > MAX_SATISFACTION_DAYS:
        raise ValidationError(
            {
                "satisfaction_days": _(
                    "The satisfaction call is at most {limit} days after the closing."
                ).format(limit=MAX_SATISFACTION_DAYS)
            }
        )


def _stamp(
    case: Case, target: CaseStage, rep_id: int | None, note: str, at: dt.datetime | None = None
) -> None:
    """Move the case to `target` and record it in the history; the table must allow it."""
    if not can_transition(case.kind, case.stage, target):
        raise DomainError(
            _("A case in stage “{stage}” cannot move to “{target}”.").format(
                stage=case.stage.label, target=target.label
            )
        )
    source = case.stage
    case.stage = target
    changes = audit.pending_changes(case)  # the stage and what the step set (category, severity…)
    case.save()
    note = clean_text(note)
    CaseStageChange.create(
        case=case.id,
        from_stage=source,
        to_stage=target,
        changed_at=at or _moment(None),
        rep=rep_id,
        note=note,
    )
    if note:
        changes["note"] = (None, note)
    audit.record("transition", "case", case.id, rep_id, label=case.number, changes=changes)


def _note_in_stage(case: Case, rep_id: int | None, note: str, at: dt.datetime) -> None:
    """A note typed with a step that keeps the stage (a counter-proposal, an answer in the
    negotiation) goes into the history as an entry that stays in the stage (from = to)."""
    note = clean_text(note)
    if note:
        CaseStageChange.create(
            case=case.id, from_stage=case.stage, to_stage=case.stage, changed_at=at, rep=rep_id, note=note
        )


def _moment(on: dt.date | None) -> dt.datetime:
    """The time stamped on a change: now, or the given (earlier) day at the current time."""
    from app.models import now as wall_clock_now

    current = wall_clock_now()
    return current if on is None or on == current.date() else dt.datetime.combine(on, current.time())


def _proposals(case_id: int) -> list[CaseProposal]:
    return list(CaseProposal.select().where(CaseProposal.case == case_id).order_by(CaseProposal.round))


def _last_proposal(case_id: int) -> CaseProposal | None:
    return (
        CaseProposal.select().where(CaseProposal.case == case_id).order_by(CaseProposal.round.desc()).first()
    )


def _accepted_proposal(case_id: int) -> CaseProposal | None:
    return (
        CaseProposal.select()
        .where((CaseProposal.case == case_id) & (CaseProposal.answer == ProposalAnswer.ACCEPTED))
        .order_by(CaseProposal.round.desc())
        .first()
    )


def _return_exists(case_id: int) -> bool:
    return WarrantyReturn.select().where(WarrantyReturn.case == case_id).exists()


def _action_allowed(case: Case, action: CaseAction, last: CaseProposal | None) -> bool:
    sources, target = ACTIONS[action]
    if case.stage not in sources or case.stage not in TRANSITIONS[case.kind]:
        return False
    if target is not None and not can_transition(case.kind, case.stage, target):
        return False
    answer = last.answer if last is not None else None
    if action is CaseAction.RECORD_ANSWER:
        return answer is ProposalAnswer.PENDING
    if action is CaseAction.COUNTER_PROPOSE or action is CaseAction.MEDIATE:
        return answer is ProposalAnswer.REJECTED
    if action is CaseAction.CLOSE:
        return answer is ProposalAnswer.ACCEPTED
    if action is CaseAction.OPEN_RETURN:
        accepted = _accepted_proposal(case.id)
        return (
            accepted is not None
            and accepted.solution_type in RETURN_SOLUTIONS
            and case.sold_unit_id is not None
            and not _return_exists(case.id)
        )
    return True


def allowed_actions(case_id: int) -> list[CaseAction]:
    """What the UI may offer for this case now, in a stable order."""
    case = _get(case_id)
    last = _last_proposal(case.id) if case.kind in COMPLAINT_KINDS else None
    return [action for action in CaseAction if _action_allowed(case, action, last)]


def _require(case: Case, action: CaseAction) -> None:
    last = _last_proposal(case.id) if case.kind in COMPLAINT_KINDS else None
    if _action_allowed(case, action, last):
        return
    if action in (CaseAction.CLOSE, CaseAction.CLOSE_MEDIATION) and case.kind in COMPLAINT_KINDS:
        if last is None or last.answer is ProposalAnswer.PENDING:
            raise DomainError(
                _(
                    "The case cannot be closed before a solution has been proposed and the customer has answered."
                )
            )
    raise DomainError(
        _("“{action}” is not possible for a {kind} in stage “{stage}”.").format(
            action=action.label.rstrip("…"), kind=case.kind.label.lower(), stage=case.stage.label
        )
    )


# --- numbering ---------------------------------------------------------------------------

_NUMBER_ATTEMPTS = 5


def case_number(prefix: str, year: int, sequence: int) -> str:
    """REC-2026-0007: the series' prefix (a company setting), the year, the sequence."""
    return f"{prefix}{year}-{sequence:04d}"


def _next_number(series: CaseSeries, prefix: str, year: int) -> tuple[int, str]:
    """(sequence, number) of a new case: one more than the highest of the series and year (call
    inside the write transaction); on a laptop a provisional one, counted below zero
    (REC-2026-L03-0002), which the office replaces with its next final number at the sync."""
    lock_numbering("case", series.value, year)  # PostgreSQL: one numbering writer per series and year
    of_series = (Case.series == series) & (Case.year == year)
    label = provisional_label()
    if label is None:
        sequence = (Case.select(fn.MAX(Case.sequence)).where(of_series).scalar() or 0) + 1
        return sequence, case_number(prefix, year, sequence)
    sequence = (Case.select(fn.MIN(Case.sequence)).where(of_series & (Case.sequence < 0)).scalar() or 0) - 1
    return sequence, provisional(f"{prefix}{year}-", label, -sequence, 4)


# --- commands: reception -------------------------------------------------------------------


@write_command
def receive_case(
    kind: CaseKind,
    customer_id: int,
    channel: ContactChannel,
    received_on: dt.date,
    customer_words: str,
    acting_rep_id: int | None,
    *,
    sold_unit_id: int | None = None,
    sale_id: int | None = None,
    origin_follow_up_id: int | None = None,
    requested_compensation: str = "",
    confirm_spoken_claim: bool = False,
) -> int:
    """Register a case received from the customer; returns its id. Numbered in its kind's series:
    REC-YYYY-NNNN for complaints and claims (one gapless sequence a year), SUG- and FEL- for
    suggestions and compliments, with the company's prefixes.

    A claim is written and asks for compensation: through a spoken channel (phone, in person)
    it raises ConfirmationRequired (confirm, or enter it as a complaint) unless confirmed.
    """
    kind_value = choice_or_none(CaseKind, kind)
    channel_value = choice_or_none(ContactChannel, channel)
    errors: dict[str, str] = {}
    customer = Customer.get_or_none(Customer.id == customer_id) if customer_id is not None else None
    if customer is None:
        errors["customer_id"] = _("Choose the customer.")
    elif customer.archived:
        errors["customer_id"] = _("The customer is archived; restore it before recording a case.")
    if kind_value is None:
        errors["kind"] = _("Choose the type of case.")
    if channel_value is None:
        errors["channel"] = _("Choose the channel the case came through.")
    if received_on is None:
        errors["received_on"] = _("Enter the date the case was received.")
    elif received_on > dt.date.today():
        errors["received_on"] = _("The date of reception cannot be in the future.")
    elif problem := date_error(received_on):
        errors["received_on"] = problem
    words = clean_text(customer_words)
    if not words:
        errors["customer_words"] = _("Write what the customer says, in their words.")
    compensation = clean_text(requested_compensation)
    if kind_value is CaseKind.CLAIM and not compensation:
        errors["requested_compensation"] = _(
            "A claim asks for compensation: write what the customer asks for."
        )
    if customer is not None:
        if sold_unit_id is not None and not (
            SoldUnit.select()
            .where((SoldUnit.id == sold_unit_id) & (SoldUnit.customer == customer.id))
            .exists()
        ):
            errors["sold_unit_id"] = _("The product is not one this customer bought.")
        if sale_id is not None and not (
            Sale.select().where((Sale.id == sale_id) & (Sale.customer == customer.id)).exists()
        ):
            errors["sale_id"] = _("The sale is not one of this customer's.")
        if origin_follow_up_id is not None and not (
            FollowUp.select()
            .where((FollowUp.id == origin_follow_up_id) & (FollowUp.customer == customer.id))
            .exists()
        ):
            errors["origin_follow_up_id"] = _("The follow-up is not one of this customer's.")
    if errors:
        raise ValidationError(errors)
    if kind_value is CaseKind.CLAIM and channel_value in SPOKEN_CHANNELS and not confirm_spoken_claim:
        raise ConfirmationRequired(
            _(
                "A claim is a written request for compensation, but this one came through “{channel}”. "
                "Record it as a claim anyway, or change it to a complaint?"
            ).format(channel=channel_value.label)
        )
    if sale_id is None and sold_unit_id is not None:
        sale_id = _sale_of_unit(sold_unit_id)
    stage = first_stage(kind_value)
    series = CaseSeries.of(kind_value)
    for attempt in range(_NUMBER_ATTEMPTS):
        try:
            with write_transaction():  # the command's transaction holds the lock: MAX is current
                prefix = company.case_number_prefix(series)
                sequence, number = _next_number(series, prefix, received_on.year)
                case = Case.create(
                    number=number,
                    year=received_on.year,
                    series=series,
                    sequence=sequence,
                    kind=kind_value,
                    stage=stage,
                    customer=customer.id,
                    rep=customer.rep_id or acting_rep_id,
                    channel=channel_value,
                    received_on=received_on,
                    customer_words=words,
                    requested_compensation=compensation if kind_value is CaseKind.CLAIM else "",
                    sale=sale_id,
                    sold_unit=sold_unit_id,
                    origin_follow_up=origin_follow_up_id,
                )
                CaseStageChange.create(
                    case=case.id,
                    from_stage=None,
                    to_stage=stage,
                    changed_at=_moment(received_on),
                    rep=acting_rep_id,
                    note="",
                )
                audit.record(
                    "create",
                    "case",
                    case.id,
                    acting_rep_id,
                    label=case.number,
                    kind=kind_value,
                    stage=stage,
                    customer=customer.id,
                    rep=case.rep_id,
                    channel=channel_value,
                    received_on=received_on,
                    customer_words=words,
                    requested_compensation=case.requested_compensation,
                    sale=sale_id,
                    sold_unit=sold_unit_id,
                )
                return case.id
        except IntegrityError:
            # Someone else took the number meanwhile: read the highest again.
            if attempt == _NUMBER_ATTEMPTS - 1:
                raise DomainError(_("The case could not be numbered; please try again.")) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _sale_of_unit(sold_unit_id: int) -> int | None:
    from app.models import SaleLine

    return (
        SaleLine.select(SaleLine.sale)
        .join(SoldUnit, on=(SoldUnit.line == SaleLine.id))
        .where(SoldUnit.id == sold_unit_id)
        .scalar()
    )


# --- commands: complaints and claims --------------------------------------------------------


@write_command
def analyse_case(
    case_id: int,
    category: CaseCategory,
    severity: Severity,
    acting_rep_id: int | None,
    *,
    note: str = "",
    on: dt.date | None = None,
) -> SolutionType:
    """Reception → analysis: the category and severity. Returns the solution the category suggests."""
    case = _get(case_id)
    _require(case, CaseAction.ANALYSE)
    errors = {}
    category_value = choice_or_none(CaseCategory, category)
    severity_value = choice_or_none(Severity, severity)
    if category_value is None:
        errors["category"] = _("Choose the category.")
    if severity_value is None:
        errors["severity"] = _("Choose the severity.")
    if errors:
        raise ValidationError(errors)
    if on is not None:
        _check_date(case, on)
    with write_transaction():
        case.category = category_value
        case.severity = severity_value
        _stamp(case, _S.ANALYSIS, acting_rep_id, note, _moment(on))
    return SUGGESTED_SOLUTIONS[category_value]


def _amount(solution: SolutionType, amount) -> Decimal | None:
    if solution not in AMOUNT_SOLUTIONS:
        return None
    if amount is None or amount == "":
        raise ValidationError({"amount": _("Enter the amount of the gift or discount.")})
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Enter the amount as a number.")}) from None
    if not value.is_finite():
        raise ValidationError({"amount": _("Enter the amount as a number.")})
    if value <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if value > Decimal("9999999999.99"):  # CaseProposal.amount: DecimalField(max_digits=12, decimal_places=2)
        raise ValidationError({"amount": _("The amount is too large.")})
    return value


def _new_proposal(
    case: Case,
    solution_type: SolutionType,
    detail: str,
    channel: ContactChannel | None,
    amount,
    on: dt.date,
) -> CaseProposal:
    solution = choice_or_none(SolutionType, solution_type)
    channel_value = choice_or_none(ContactChannel, channel)
    errors = {}
    if solution is None:
        errors["solution_type"] = _("Choose the solution.")
    if channel_value is None:
        errors["channel"] = _("Choose the channel agreed with the customer.")
    detail = clean_text(detail)
    if not detail:
        errors["detail"] = _("Describe the solution proposed.")
    if errors:
        raise ValidationError(errors)
    value = _amount(solution, amount)
    last = _last_proposal(case.id)
    if last is not None and last.answered_on is not None and on < last.answered_on:
        raise ValidationError({"on": _("The date cannot be before the customer's last answer.")})
    return CaseProposal.create(
        case=case.id,
        round=(last.round + 1) if last is not None else 1,
        proposed_on=on,
        solution_type=solution,
        detail=detail.strip(),
        amount=value,
        channel=channel_value,
    )


def _proposal_label(case: Case, proposal: CaseProposal) -> str:
    """A proposal in the audit: its case's number and its round ("REC-2026-0007/2")."""
    return f"{case.number}/{proposal.round}"


def _audit_proposal(case: Case, proposal: CaseProposal, acting_rep_id: int | None) -> None:
    audit.record(
        "create",
        "case_proposal",
        proposal.id,
        acting_rep_id,
        label=_proposal_label(case, proposal),
        context={"case_id": case.id},
        round=proposal.round,
        proposed_on=proposal.proposed_on,
        solution_type=proposal.solution_type,
        detail=proposal.detail,
        amount=proposal.amount,
        channel=proposal.channel,
    )


@write_command
def propose_solution(
    case_id: int,
    solution_type: SolutionType,
    detail: str,
    channel: ContactChannel,
    acting_rep_id: int | None,
    *,
    amount: Decimal | None = None,
    on: dt.date | None = None,
    note: str = "",
) -> int:
    """Analysis → service: the solution communicated through the channel agreed with the customer.

    The first proposal is the case's first answer. Returns the proposal id.
    """
    case = _get(case_id)
    _require(case, CaseAction.PROPOSE)
    on = _check_date(case, on or dt.date.today())
    with write_transaction():
        proposal = _new_proposal(case, solution_type, detail, channel, amount, on)
        case.agreed_channel = proposal.channel
        if case.first_answer_on is None:
            case.first_answer_on = on
        _stamp(case, _S.SERVICE, acting_rep_id, note or proposal.detail, _moment(on))
        _audit_proposal(case, proposal, acting_rep_id)
    return proposal.id


@write_command
def counter_propose(
    case_id: int,
    solution_type: SolutionType,
    detail: str,
    channel: ContactChannel,
    acting_rep_id: int | None,
    *,
    amount: Decimal | None = None,
    on: dt.date | None = None,
    note: str = "",
) -> int:
    """Internal negotiation: another proposal after a rejection (a new round). Returns its id.

    The note, if any, is kept in the history."""
    case = _get(case_id)
    _require(case, CaseAction.COUNTER_PROPOSE)
    on = _check_date(case, on or dt.date.today())
    with write_transaction():
        proposal = _new_proposal(case, solution_type, detail, channel, amount, on)
        case.agreed_channel = proposal.channel
        changes = audit.pending_changes(case)
        case.save()
        if changes:
            audit.record("update", "case", case.id, acting_rep_id, label=case.number, changes=changes)
        _audit_proposal(case, proposal, acting_rep_id)
        _note_in_stage(case, acting_rep_id, note, _moment(on))
    return proposal.id


@write_command
def record_answer(
    case_id: int,
    answer: ProposalAnswer,
    acting_rep_id: int | None,
    *,
    on: dt.date | None = None,
    note: str = "",
) -> CaseStage:
    """The customer's answer to the pending proposal. A rejection in service opens the internal
    negotiation; an acceptance lets the solution be carried out and the case closed. Returns the stage."""
    case = _get(case_id)
    _require(case, CaseAction.RECORD_ANSWER)
    value = choice_or_none(ProposalAnswer, answer)
    note = clean_text(note)
    if value not in (ProposalAnswer.ACCEPTED, ProposalAnswer.REJECTED):
        raise ValidationError({"answer": _("Choose whether the customer accepts or rejects the proposal.")})
    on = _check_date(case, on or dt.date.today())
    proposal = _last_proposal(case.id)
    if on < proposal.proposed_on:
        raise ValidationError({"on": _("The answer cannot be before the proposal was made.")})
    with write_transaction():
        proposal.answer = value
        proposal.answered_on = on
        changes = audit.pending_changes(proposal)
        proposal.save()
        case.save(only=[Case.updated_at])  # the case changed through its proposal: a new row version
        if note.strip():
            changes["note"] = (None, note.strip())
        audit.record(
            "answer",
            "case_proposal",
            proposal.id,
            acting_rep_id,
            label=_proposal_label(case, proposal),
            changes=changes,
            context={"case_id": case.id},
        )
        if value is ProposalAnswer.REJECTED and case.stage is _S.SERVICE:
            _stamp(case, _S.INTERNAL_NEGOTIATION, acting_rep_id, note, _moment(on))
        else:  # the stage stays (a later rejection, or an acceptance): the note is kept all the same
            _note_in_stage(case, acting_rep_id, note, _moment(on))
    return case.stage


@write_command
def refer_to_mediation(
    case_id: int,
    body: str,
    reference: str,
    on: dt.date,
    acting_rep_id: int | None,
    *,
    note: str = "",
) -> None:
    """No agreement in the internal negotiation: an external body (consumer arbitration…) mediates."""
    case = _get(case_id)
    _require(case, CaseAction.MEDIATE)
    errors = {}
    body, reference = clean_text(body), clean_text(reference)
    if not body:
        errors["body"] = _("Enter the mediating body.")
    elif len(body.strip()) > 200:
        errors["body"] = _("Too long: at most {limit} characters.").format(limit=200)
    if len((reference or "").strip()) > 100:
        errors["reference"] = _("Too long: at most {limit} characters.").format(limit=100)
    if errors:
        raise ValidationError(errors)
    on = _check_date(case, on)
    with write_transaction():
        case.mediation_body = body.strip()
        case.mediation_reference = (reference or "").strip()
        case.mediation_on = on
        _stamp(case, _S.EXTERNAL_MEDIATION, acting_rep_id, note, _moment(on))


@dataclass(frozen=True)
class ClosingResult:
    stage: CaseStage
    satisfaction_follow_up_id: int | None


def _schedule_satisfaction(
    case: Case, closed_on: dt.date, days: int, acting_rep_id: int | None
) -> int | None:
    return followup_service.schedule_satisfaction_call(
        case.customer_id,
        closed_on,
        days,
        rep_id=case.rep_id,
        notes=_("Satisfaction after case {number}").format(number=case.number),
        sold_unit_id=case.sold_unit_id,
        case_id=case.id,
        acting_rep_id=acting_rep_id,
    )


@write_command
def close_case(
    case_id: int,
    acting_rep_id: int | None,
    *,
    on: dt.date | None = None,
    note: str = "",
    satisfaction_days: int | None = DEFAULT_SATISFACTION_DAYS,
) -> ClosingResult:
    """The accepted solution is carried out: the case closes into the satisfaction analysis and a
    satisfaction call is scheduled `satisfaction_days` later (None: none). Refused without a
    proposed solution and the customer's acceptance."""
    case = _get(case_id)
    _require(case, CaseAction.CLOSE)
    _check_satisfaction_days(satisfaction_days)
    on = _check_date(case, on or dt.date.today())
    accepted = _accepted_proposal(case.id)
    if accepted.answered_on is not None and on < accepted.answered_on:
        raise ValidationError({"on": _("The case cannot close before the customer accepted the solution.")})
    with write_transaction():
        case.closed_on = on
        _stamp(case, _S.SATISFACTION, acting_rep_id, note, _moment(on))
        follow_up_id = _schedule_satisfaction(case, on, satisfaction_days, acting_rep_id)
    return ClosingResult(case.stage, follow_up_id)


@write_command
def close_after_mediation(
    case_id: int,
    outcome: str,
    acting_rep_id: int | None,
    *,
    on: dt.date | None = None,
    note: str = "",
    satisfaction_days: int | None = DEFAULT_SATISFACTION_DAYS,
) -> ClosingResult:
    """External mediation → closed with its outcome; a satisfaction call is scheduled as well."""
    case = _get(case_id)
    _require(case, CaseAction.CLOSE_MEDIATION)
    outcome = clean_text(outcome)
    if not outcome:
        raise ValidationError({"outcome": _("Write the outcome of the mediation.")})
    _check_satisfaction_days(satisfaction_days)
    on = _check_date(case, on or dt.date.today())
    if case.mediation_on is not None and on < case.mediation_on:
        raise ValidationError({"on": _("The case cannot close before the mediation started.")})
    with write_transaction():
        case.mediation_outcome = outcome.strip()
        case.closed_on = on
        _stamp(case, _S.CLOSED, acting_rep_id, note or outcome, _moment(on))
        follow_up_id = _schedule_satisfaction(case, on, satisfaction_days, acting_rep_id)
    return ClosingResult(case.stage, follow_up_id)


@write_command
def finish_satisfaction(
    case_id: int, acting_rep_id: int | None, *, note: str = "", on: dt.date | None = None
) -> None:
    """The satisfaction analysis is done (the survey is linked to the case): the case is closed."""
    case = _get(case_id)
    _require(case, CaseAction.FINISH)
    on = _check_date(case, on or dt.date.today())
    with write_transaction():
        _stamp(case, _S.CLOSED, acting_rep_id, note, _moment(on))


# --- commands: suggestions and compliments ---------------------------------------------------


@write_command
def acknowledge_case(
    case_id: int, acting_rep_id: int | None, *, on: dt.date | None = None, note: str = ""
) -> None:
    """Received → acknowledged to the customer (its first answer)."""
    case = _get(case_id)
    _require(case, CaseAction.ACKNOWLEDGE)
    on = _check_date(case, on or dt.date.today())
    with write_transaction():
        if case.first_answer_on is None:
            case.first_answer_on = on
        _stamp(case, _S.ACKNOWLEDGED, acting_rep_id, note, _moment(on))


@write_command
def forward_case(
    case_id: int, department: str, acting_rep_id: int | None, *, on: dt.date | None = None, note: str = ""
) -> None:
    """Acknowledged → forwarded to the department that can act on it."""
    case = _get(case_id)
    _require(case, CaseAction.FORWARD)
    department = clean_text(department)
    if not department:
        raise ValidationError({"department": _("Enter the department.")})
    if len(department) > max_length(Case.department):
        raise ValidationError(
            {
                "department": _("Too long: at most {limit} characters.").format(
                    limit=max_length(Case.department)
                )
            }
        )
    on = _check_date(case, on or dt.date.today())
    with write_transaction():
        case.department = department
        _stamp(case, _S.FORWARDED, acting_rep_id, note, _moment(on))


@write_command
def close_note(
    case_id: int, response: str, acting_rep_id: int | None, *, on: dt.date | None = None, note: str = ""
) -> None:
    """Forwarded → closed with the department's response."""
    case = _get(case_id)
    _require(case, CaseAction.CLOSE_NOTE)
    response = clean_text(response)
    if not response:
        raise ValidationError({"response": _("Write the department's response.")})
    on = _check_date(case, on or dt.date.today())
    with write_transaction():
        case.department_response = response.strip()
        case.closed_on = on
        _stamp(case, _S.CLOSED, acting_rep_id, note, _moment(on))


# --- the warranty return from a case -----------------------------------------------------------


@dataclass(frozen=True)
class ReturnRequest:
    """What a warranty return opened from a case starts with; the user completes the rest."""

    case_id: int
    customer_id: int
    sold_unit_id: int | None
    description: str


def return_request_for_case(case_id: int) -> ReturnRequest:
    """The case's unit and words for its warranty return; refused unless the stage allows one."""
    case = _get(case_id)
    _require(case, CaseAction.OPEN_RETURN)
    accepted = _accepted_proposal(case.id)
    description = "\n".join(p for p in (case.customer_words, accepted.detail) if p)
    return ReturnRequest(case.id, case.customer_id, case.sold_unit_id, description)


@write_command
def open_return_from_case(
    case_id: int,
    acting_rep_id: int | None,
    *,
    opener: Callable[..., int] | None = None,
    today: dt.date | None = None,
) -> int:
    """Open the return of a case without asking anything (reason: failure in use); returns its id.

    The Cases page asks the user instead (reason, out-of-warranty reason) from return_request_for_case.
    """
    request = return_request_for_case(case_id)
    if opener is None:
        from app.services.returns import open_return as opener
    from app.models.enums import ReturnReason

    return opener(
        request.sold_unit_id,
        ReturnReason.FAILURE_IN_USE,
        request.description,
        today or dt.date.today(),
        acting_rep_id,
        case_id=request.case_id,
        today=today,
    )


# --- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    kind: CaseKind | None = None
    stage: CaseStage | None = None
    category: CaseCategory | None = None
    channel: ContactChannel | None = None
    overdue_only: bool = False
    open_only: bool = False
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    rep_id: int | None = None
    text: str = ""  # case number or the customer's name or code


@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    kind: CaseKind
    stage: CaseStage
    customer_id: int
    customer_code: str
    customer_name: str
    rep_id: int | None
    rep_name: str
    channel: ContactChannel
    received_on: dt.date
    category: CaseCategory | None
    severity: Severity | None
    first_answer_on: dt.date | None
    closed_on: dt.date | None
    customer_words: str
    first_answer_due: dt.date
    resolution_due: dt.date
    days_open: int  # from reception to closing (or today while open)
    overdue: bool  # derived from the deadlines, never stored
    customer_rep_id: int | None = None  # the customer's rep: with rep_id, who may change the case

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


def _conditions(filters: CaseFilter, today: dt.date, deadlines: CaseDeadlines) -> list:
    conditions = []
    if filters.kind is not None:
        conditions.append(Case.kind == filters.kind)
    if filters.stage is not None:
        conditions.append(Case.stage == filters.stage)
    if filters.category is not None:
        conditions.append(Case.category == filters.category)
    if filters.channel is not None:
        conditions.append(Case.channel == filters.channel)
    if filters.overdue_only:
        conditions.append(_overdue_condition(today, deadlines))
    if filters.open_only:
        conditions.append(Case.closed_on.is_null())
    if filters.received_from is not None:
        conditions.append(Case.received_on >= filters.received_from)
    if filters.received_to is not None:
        conditions.append(Case.received_on <= filters.received_to)
    if filters.rep_id is not None:
        conditions.append(Case.rep == filters.rep_id)
    text = filters.text.strip()
    for term in fold_for_search(text).split():
        conditions.append(
            Case.number.contains(term)
            | Case.provisional_number.contains(term)
            | Customer.search_text.contains(term)
        )
    return conditions


def _base_query(columns, filters: CaseFilter, today: dt.date, deadlines: CaseDeadlines):
    query = (
        Case.select(*columns)
        .join(Customer, on=(Case.customer == Customer.id))
        .join_from(Case, Rep, JOIN.LEFT_OUTER, on=(Case.rep == Rep.id))
    )
    conditions = _conditions(filters, today, deadlines)
    if conditions:
        condition = conditions[0]
        for other in conditions[1:]:
            condition &= other
        query = query.where(condition)
    return query


def _row(record, today: dt.date, deadlines: CaseDeadlines) -> CaseRow:
    received = record.received_on
    answer_days, resolution_days = deadlines.days_for(record.category, record.channel, record.id)
    return CaseRow(
        id=record.id,
        number=record.number,
        kind=record.kind,
        stage=record.stage,
        customer_id=record.customer_id,
        customer_code=record.customer_code,
        customer_name=record.customer_name,
        rep_id=record.rep_id,
        rep_name=record.rep_name or "",
        channel=record.channel,
        received_on=received,
        category=record.category,
        severity=record.severity,
        first_answer_on=record.first_answer_on,
        closed_on=record.closed_on,
        customer_words=record.customer_words,
        first_answer_due=received + dt.timedelta(days=answer_days),
        resolution_due=received + dt.timedelta(days=resolution_days),
        days_open=max(0, ((record.closed_on or today) - received).days),
        overdue=is_overdue(
            received, record.first_answer_on, record.closed_on, today, (answer_days, resolution_days)
        ),
        customer_rep_id=record.customer_rep_id,
    )


_ROW_COLUMNS = (
    Case.id,
    Case.number,
    Case.kind,
    Case.stage,
    Case.customer,
    Customer.code.alias("customer_code"),
    Customer.name.alias("customer_name"),
    Customer.rep.alias("customer_rep_id"),
    Case.rep,
    Rep.name.alias("rep_name"),
    Case.channel,
    Case.received_on,
    Case.category,
    Case.severity,
    Case.first_answer_on,
    Case.closed_on,
    Case.customer_words,
)


def _case_sort_keys(today: dt.date) -> dict:
    """What the cases list sorts by: its columns (stages in the procedure's order)."""
    return {
        "number": Case.number,
        "received": Case.received_on,
        "kind": choice_rank(Case.kind, CaseKind),
        "stage": choice_rank(Case.stage, CaseStage, by_label=False),
        "days": days_between(fn.COALESCE(Case.closed_on, today), Case.received_on),
        "customer": Customer.sort_key,  # the names' collation order (app.models.collation)
        "category": choice_rank(Case.category, CaseCategory),
        "channel": choice_rank(Case.channel, ContactChannel),
        "rep": Rep.name,
    }


def list_cases(
    filters: CaseFilter | None = None,
    *,
    today: dt.date | None = None,
    offset: int = 0,
    limit: int | None = None,
    deadlines: CaseDeadlines | None = None,
    sort: ListSort | None = None,
) -> list[CaseRow]:
    """The cases matching `filters`, newest reception first or sorted by `sort` (a key of
    `_case_sort_keys`), filtered and paged in SQL."""
    filters = filters or CaseFilter()
    today = today or dt.date.today()
    deadlines = deadlines or case_deadlines()
    order = ordering(sort, _case_sort_keys(today), (Case.received_on.desc(), Case.id.desc()), Case.id)
    query = _base_query(_ROW_COLUMNS, filters, today, deadlines).order_by(*order)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    elif offset:
        query = query.limit(-1).offset(offset)
    return [_row(r, today, deadlines) for r in query.objects()]


def count_cases(
    filters: CaseFilter | None = None, *, today: dt.date | None = None, deadlines: CaseDeadlines | None = None
) -> int:
    filters = filters or CaseFilter()
    today = today or dt.date.today()
    deadlines = deadlines or case_deadlines()
    return _base_query((Case.id,), filters, today, deadlines).count()


def get_case_row(case_id: int, *, today: dt.date | None = None) -> CaseRow:
    today = today or dt.date.today()
    deadlines = case_deadlines()
    record = (
        _base_query(_ROW_COLUMNS, CaseFilter(), today, deadlines).where(Case.id == case_id).objects().first()
    )
    if record is None:
        raise NotFoundError(_("The case no longer exists."))
    return _row(record, today, deadlines)


@dataclass(frozen=True)
class StageChangeRow:
    changed_at: dt.datetime
    from_stage: CaseStage | None
    to_stage: CaseStage
    rep_name: str
    note: str


@dataclass(frozen=True)
class ProposalRow:
    id: int
    round: int
    proposed_on: dt.date
    solution_type: SolutionType
    detail: str
    amount: Decimal | None
    channel: ContactChannel | None
    answer: ProposalAnswer
    answered_on: dt.date | None


@dataclass(frozen=True)
class CaseFollowUpRow:
    id: int
    scheduled_at: dt.datetime
    purpose: FollowUpPurpose
    state: FollowUpState


@dataclass(frozen=True)
class CaseSurveyRow:
    id: int
    taken_on: dt.date
    satisfaction: int | None
    recommend: int | None
    comment: str


@dataclass(frozen=True)
class CaseDetail:
    row: CaseRow
    requested_compensation: str
    sale_number: str
    product_name: str
    serial_number: str
    origin_follow_up_id: int | None
    agreed_channel: ContactChannel | None
    mediation_body: str
    mediation_reference: str
    mediation_on: dt.date | None
    mediation_outcome: str
    department: str
    department_response: str
    timeline: list[StageChangeRow]
    proposals: list[ProposalRow]
    follow_ups: list[CaseFollowUpRow]
    surveys: list[CaseSurveyRow]
    return_numbers: list[str]
    row_version: int = 1  # the case's row version when this detail was read

    @property
    def suggested_solution(self) -> SolutionType | None:
        return suggested_solution(self.row.category)


def get_case(case_id: int, *, today: dt.date | None = None) -> CaseDetail:
    """One case with its history (timeline), proposals, follow-ups, surveys and returns."""
    row = get_case_row(case_id, today=today)
    case = _get(case_id)
    sale_number = Sale.select(Sale.number).where(Sale.id == case.sale_id).scalar() if case.sale_id else None
    product_name = serial = ""
    if case.sold_unit_id:
        unit = (
            SoldUnit.select(SoldUnit.serial_number, Product.name.alias("product_name"))
            .join(Product, on=(SoldUnit.product == Product.id))
            .where(SoldUnit.id == case.sold_unit_id)
            .objects()
            .first()
        )
        if unit is not None:
            product_name, serial = unit.product_name, unit.serial_number or ""
    timeline = [
        StageChangeRow(h.changed_at, h.from_stage, h.to_stage, h.rep_name or "", h.note)
        for h in CaseStageChange.select(CaseStageChange, Rep.name.alias("rep_name"))
        .join(Rep, JOIN.LEFT_OUTER, on=(CaseStageChange.rep == Rep.id))
        .where(CaseStageChange.case == case_id)
        .order_by(CaseStageChange.changed_at, CaseStageChange.id)
        .objects()
    ]
    proposals = [
        ProposalRow(
            p.id,
            p.round,
            p.proposed_on,
            p.solution_type,
            p.detail,
            Decimal(str(p.amount)) if p.amount is not None else None,
            p.channel,
            p.answer,
            p.answered_on,
        )
        for p in _proposals(case_id)
    ]
    follow_ups = [
        CaseFollowUpRow(f.id, f.scheduled_at, f.purpose, f.state)
        for f in FollowUp.select(FollowUp.id, FollowUp.scheduled_at, FollowUp.purpose, FollowUp.state)
        .where(FollowUp.case == case_id)
        .order_by(FollowUp.scheduled_at)
    ]
    surveys = [
        CaseSurveyRow(s.id, s.taken_on, s.satisfaction, s.recommend, s.comment)
        for s in SatisfactionSurvey.select()
        .where(SatisfactionSurvey.case == case_id)
        .order_by(SatisfactionSurvey.taken_on)
    ]
    returns = [
        r.number
        for r in WarrantyReturn.select(WarrantyReturn.number)
        .where(WarrantyReturn.case == case_id)
        .order_by(WarrantyReturn.id)
    ]
    return CaseDetail(
        row=row,
        requested_compensation=case.requested_compensation,
        sale_number=sale_number or "",
        product_name=product_name,
        serial_number=serial,
        origin_follow_up_id=case.origin_follow_up_id,
        agreed_channel=case.agreed_channel,
        mediation_body=case.mediation_body,
        mediation_reference=case.mediation_reference,
        mediation_on=case.mediation_on,
        mediation_outcome=case.mediation_outcome,
        department=case.department,
        department_response=case.department_response,
        timeline=timeline,
        proposals=proposals,
        follow_ups=follow_ups,
        surveys=surveys,
        return_numbers=returns,
        row_version=case.row_version,
    )


@dataclass(frozen=True)
class CaseUnitChoice:
    """A product the customer bought, to link a new case to."""

    id: int
    product_name: str
    serial_number: str
    sale_number: str
    sold_on: dt.date


def customer_units(customer_id: int) -> list[CaseUnitChoice]:
    """The customer's sold units, newest sale first."""
    from app.models import SaleLine

    query = (
        SoldUnit.select(
            SoldUnit.id,
            SoldUnit.serial_number,
            Product.name.alias("product_name"),
            Sale.number.alias("sale_number"),
            Sale.sold_on,
        )
        .join(Product, on=(SoldUnit.product == Product.id))
        .join_from(SoldUnit, SaleLine, on=(SoldUnit.line == SaleLine.id))
        .join(Sale, on=(SaleLine.sale == Sale.id))
        .where(SoldUnit.customer == customer_id)
        .order_by(Sale.sold_on.desc(), SoldUnit.id)
    )
    return [
        CaseUnitChoice(u.id, u.product_name, u.serial_number or "", u.sale_number, u.sold_on)
        for u in query.objects()
    ]
