"""Running a correct-use check (seed 002 §5.1.3) with a customer, and reading one check back.

A *check* starts as a draft with one unanswered answer per item; it is saved and resumed at will
and finished once every item is OK, Not OK or Not applicable. The score is OK over applicable
items (OK + Not OK); the check passes when no critical item is Not OK and the score reaches
`PASS_SCORE`. Finishing completes the follow-up the check came from; a failed check proposes a
training follow-up `training_days()` later, and a critical failure offers to open a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from peewee import JOIN

from app.i18n import _, format_date, format_percent
from app.models import (
    CheckAnswer,
    CheckItem,
    CheckTemplate,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Rep,
    SoldUnit,
    UsageCheck,
)
from app.models import now as wall_clock_now
from app.models.base import max_length
from app.models.enums import (
    CheckAnswerResult,
    CheckStatus,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    UnitStatus,
)
from app.services import audit
from app.services.checks.templates import template_for_unit
from app.services.company import load_company_settings, save_company_settings
from app.services.errors import ConfirmationRequired, DomainError, NotFoundError, ValidationError
from app.services.followups import (
    ScheduleResult,
    complete_follow_up,
    customer_address,
    placement,
    schedule_follow_up,
)
from app.services.inputs import clean_text
from app.services.transactions import write_command, write_transaction

# The share of applicable items that must be OK for a check to pass (the demo data uses it too).
PASS_SCORE = 0.8
# Days after a failed check that the training follow-up is proposed; a company setting.
DEFAULT_TRAINING_DAYS = 7
MAX_PRESENT = max_length(UsageCheck.present_people)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE


# --- settings ------------------------------------------------------------------------


def training_days() -> int:
    """Days after a failed check the training follow-up is proposed (company-wide, 1–90)."""
    days = load_company_settings().check_training_days
    return days if 1 <= days <= 90 else DEFAULT_TRAINING_DAYS


def _customer_code(customer_id: int) -> str:
    """How the audit names a check: its customer's code (never the name)."""
    return Customer.select(Customer.code).where(Customer.id == customer_id).scalar() or ""


@write_command
def set_training_days(days: int, acting_rep_id: int | None = None) -> None:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        raise ValidationError(
            {"training_days": _("The training follow-up must be between 1 and 90 days later.")}
        )
    save_company_settings(replace(load_company_settings(), check_training_days=days), acting_rep_id)


# --- running a check ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    item_id: int
    result: CheckAnswerResult | None
    note: str = ""
    trained_on_site: bool = False


@dataclass(frozen=True)
class AnswerRow:
    item_id: int
    position: int
    question: str
    guidance: str
    critical: bool
    result: CheckAnswerResult | None
    note: str
    trained_on_site: bool

    def to_input(self) -> AnswerInput:
        return AnswerInput(self.item_id, self.result, self.note, self.trained_on_site)


@dataclass(frozen=True)
class CheckDetail:
    id: int
    status: CheckStatus
    template_id: int
    template_name: str
    template_version: int
    customer_id: int
    customer_code: str
    customer_name: str
    customer_address: str
    sold_unit_id: int
    unit_status: UnitStatus
    product_name: str
    sku: str
    serial_number: str
    category_name: str
    rep_id: int | None
    rep_name: str
    follow_up_id: int | None
    follow_up_kind: FollowUpKind | None
    started_at: dt.datetime
    completed_at: dt.datetime | None
    present_people: str
    signature_png: bytes | None
    notes: str
    score: float | None
    passed: bool | None
    answers: tuple[AnswerRow, ...]

    @property
    def unanswered(self) -> tuple[AnswerRow, ...]:
        return tuple(a for a in self.answers if a.result is None)

    @property
    def critical_failures(self) -> tuple[AnswerRow, ...]:
        return tuple(a for a in self.answers if a.critical and a.result is NOT_OK)


def unit_warning(sold_unit_id: int) -> str | None:
    """Why checking this unit makes little sense (returned or replaced), or None."""
    row = (
        SoldUnit.select(SoldUnit.status, SoldUnit.serial_number, Product.name)
        .join(Product, on=(SoldUnit.product == Product.id))
        .where(SoldUnit.id == sold_unit_id)
        .tuples()
        .first()
    )
    if row is None:
        raise NotFoundError(_("The sold product no longer exists."))
    status, serial, product = row
    if status is UnitStatus.ACTIVE:
        return None
    what = f"{product} ({serial})" if serial else product
    return _("{product} is marked as {status}: the customer may no longer use it. Check it anyway?").format(
        product=what, status=status.label.lower()
    )


def _get_check(check_id: int) -> UsageCheck:
    check = UsageCheck.get_or_none(UsageCheck.id == check_id)
    if check is None:
        raise NotFoundError(_("The check no longer exists."))
    return check


def draft_for(sold_unit_id: int, follow_up_id: int | None = None) -> int | None:
    """The draft check of this unit (of this follow-up, when given) to resume, if any."""
    query = UsageCheck.select(UsageCheck.id).where(
        (UsageCheck.sold_unit == sold_unit_id) & (UsageCheck.status == CheckStatus.DRAFT)
    )
    if follow_up_id is not None:
        query = query.where((UsageCheck.follow_up == follow_up_id) | UsageCheck.follow_up.is_null())
    return query.order_by(UsageCheck.started_at.desc(), UsageCheck.id.desc()).limit(1).scalar()


@write_command
def start_check(
    sold_unit_id: int,
    acting_rep_id: int | None,
    *,
    follow_up_id: int | None = None,
    confirm_unit_status: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Start (or resume: the unit's draft is returned) a check of a sold unit; returns its id.

    A returned or replaced unit raises ConfirmationRequired unless `confirm_unit_status`.
    """
    now = now or wall_clock_now()
    unit = SoldUnit.get_or_none(SoldUnit.id == sold_unit_id)
    if unit is None:
        raise NotFoundError(_("The sold product no longer exists."))
    follow_up = None
    if follow_up_id is not None:
        follow_up = FollowUp.get_or_none(FollowUp.id == follow_up_id)
        if follow_up is None:
            raise NotFoundError(_("The follow-up no longer exists."))
        if follow_up.customer_id != unit.customer_id:
            raise DomainError(_("The follow-up is about another customer."))
        if follow_up.state in (FollowUpState.CANCELLED, FollowUpState.MISSED):
            raise DomainError(
                _("This follow-up is already {state}; it can no longer be changed.").format(
                    state=follow_up.state.label.lower()
                )
            )
    existing = draft_for(sold_unit_id, follow_up_id)
    if existing is not None:
        if follow_up_id is not None:
            UsageCheck.update(follow_up=follow_up_id).where(UsageCheck.id == existing).execute()
        return existing
    warning = unit_warning(sold_unit_id)
    if warning and not confirm_unit_status:
        raise ConfirmationRequired(warning)
    template = template_for_unit(sold_unit_id)
    if template is None:
        product = Product.get_by_id(unit.product_id)
        raise DomainError(
            _("There is no checklist for {product} or its category yet: create one first.").format(
                product=product.name
            )
        )
    customer = Customer.get_by_id(unit.customer_id)
    with write_transaction():
        check = UsageCheck.create(
            template=template.id,
            sold_unit=unit.id,
            customer=unit.customer_id,
            rep=acting_rep_id or (follow_up.rep_id if follow_up else None) or customer.rep_id,
            follow_up=follow_up_id,
            status=CheckStatus.DRAFT,
            started_at=now,
        )
        CheckAnswer.insert_many([{"check": check.id, "item": item.id} for item in template.items]).execute()
        audit.record(
            "create",
            "usage_check",
            check.id,
            acting_rep_id,
            label=customer.code,
            context={"template_id": template.id, "follow_up_id": follow_up_id},
            customer=unit.customer_id,
            sold_unit=unit.id,
            rep=check.rep_id,
            status=CheckStatus.DRAFT,
        )
    return check.id


@write_command
def save_answers(
    check_id: int,
    answers: Iterable[AnswerInput],
    present_people: str,
    signature_png: bytes | None = None,
    notes: str = "",
    acting_rep_id: int | None = None,
) -> None:
    """Save the draft as it stands (some items may be unanswered). The signature saved is the one
    given: None means there is none."""
    check = _get_check(check_id)
    if check.status is not CheckStatus.DRAFT:
        raise DomainError(_("This check is finished; its answers can no longer be changed."))
    present_people = " ".join(clean_text(present_people).split())
    notes = clean_text(notes)
    errors: dict[str, str] = {}
    if len(present_people) > MAX_PRESENT:
        errors["present_people"] = _("Too long: at most {limit} characters.").format(limit=MAX_PRESENT)
    if signature_png is not None and not bytes(signature_png).startswith(PNG_MAGIC):
        errors["signature_png"] = _("The signature is not a PNG image.")
    item_ids = {
        i for (i,) in CheckItem.select(CheckItem.id).where(CheckItem.template == check.template_id).tuples()
    }
    answers = [replace(answer, note=clean_text(answer.note)) for answer in answers]
    for answer in answers:
        if answer.item_id not in item_ids:
            errors["answers"] = _("An answer is for a question of another checklist.")
        elif answer.result is not None and not isinstance(answer.result, CheckAnswerResult):
            try:
                CheckAnswerResult(answer.result)
            except ValueError:
                errors["answers"] = _("An answer is neither OK, Not OK nor Not applicable.")
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        for answer in answers:
            result = None if answer.result is None else CheckAnswerResult(answer.result)
            CheckAnswer.insert(
                check=check.id,
                item=answer.item_id,
                result=result,
                note=(answer.note or "").strip(),
                trained_on_site=bool(answer.trained_on_site),
            ).on_conflict(
                conflict_target=[CheckAnswer.check, CheckAnswer.item],
                update={
                    CheckAnswer.result: result,
                    CheckAnswer.note: (answer.note or "").strip(),
                    CheckAnswer.trained_on_site: bool(answer.trained_on_site),
                },
            ).execute()
        check.present_people = present_people
        check.signature_png = bytes(signature_png) if signature_png is not None else None
        check.notes = (notes or "").strip()
        changes = audit.pending_changes(check)
        check.save()
        audit.record(
            "update",
            "usage_check",
            check.id,
            acting_rep_id,
            label=_customer_code(check.customer_id),
            changes=changes,
            context={"answered": sum(1 for a in answers if a.result is not None)},
        )


class UnansweredItemsError(ValidationError):
    """Finishing refused: `missing` lists the unanswered items as '3. question'."""

    def __init__(self, missing: Sequence[str]):
        self.missing = tuple(missing)
        ValidationError.__init__(
            self,
            {
                "answers": "\n".join(
                    [_("Answer every item before finishing. Still unanswered:")]
                    + [f"• {m}" for m in self.missing]
                )
            },
        )


@dataclass(frozen=True)
class CheckResult:
    check_id: int
    score: float | None  # OK over applicable items; None when nothing applied
    passed: bool
    ok: int
    not_ok: int
    not_applicable: int
    failed_items: tuple[str, ...]
    critical_failures: tuple[str, ...]
    started_at: dt.datetime
    completed_at: dt.datetime
    follow_up_completed: bool
    training_at: dt.datetime | None  # proposed when failed: confirm with schedule_training
    offer_case: bool  # a critical item failed: the UI offers to open a case (open_case_for_check)

    @property
    def minutes(self) -> int:
        return max(0, int((self.completed_at - self.started_at).total_seconds() // 60))

    @property
    def training_proposed(self) -> bool:
        return self.training_at is not None


def score_and_pass(answers: Iterable[tuple[CheckAnswerResult | None, bool]]) -> tuple[float | None, bool]:
    """(score, passed) for (result, critical) pairs: the one place the rules are written."""
    ok = not_ok = 0
    critical_failed = False
    for result, critical in answers:
        if result is OK:
            ok += 1
        elif result is NOT_OK:
            not_ok += 1
            critical_failed = critical_failed or critical
    score = round(ok / (ok + not_ok), 4) if ok + not_ok else None
    return score, not critical_failed and (score is None or score >= PASS_SCORE)


def _result_summary(score: float | None, passed: bool) -> str:
    verdict = _("passed") if passed else _("failed")
    if score is None:
        return _("Correct-use check {verdict}.").format(verdict=verdict)
    return _("Correct-use check {verdict} ({score} OK).").format(
        verdict=verdict, score=format_percent(score, 0)
    )


def _training_minutes(kind: FollowUpKind) -> int:
    return 30 if kind is FollowUpKind.VIDEO else 45


def _training_time(kind: FollowUpKind, after: dt.date, days: int, rep_id: int | None) -> dt.datetime:
    """`days` after `after`, placed by the placement rules (a working day with room, a free hour)."""
    return placement.place_follow_up(
        rep_id, after + dt.timedelta(days=days), kind, _training_minutes(kind), after
    )


def _training_kind(check: UsageCheck) -> FollowUpKind:
    if check.follow_up_id is not None:
        kind = FollowUp.select(FollowUp.kind).where(FollowUp.id == check.follow_up_id).scalar()
        if kind in (FollowUpKind.VISIT, FollowUpKind.VIDEO):
            return FollowUpKind(kind)
    return FollowUpKind.VISIT


@write_command
def finish_check(check_id: int, acting_rep_id: int | None, now: dt.datetime | None = None) -> CheckResult:
    """Score and close the check; complete the follow-up it came from. Unanswered items refuse it."""
    now = now or wall_clock_now()
    check = _get_check(check_id)
    if check.status is not CheckStatus.DRAFT:
        raise DomainError(_("This check is already finished."))
    detail = get_check(check_id)
    if detail.unanswered:
        raise UnansweredItemsError([f"{a.position}. {a.question}" for a in detail.unanswered])
    score, passed = score_and_pass((a.result, a.critical) for a in detail.answers)
    failed = tuple(a.question for a in detail.answers if a.result is NOT_OK)
    critical = tuple(a.question for a in detail.critical_failures)
    follow_up_completed = False
    with write_transaction():
        check.status = CheckStatus.COMPLETED
        check.completed_at = now
        check.score = score
        check.passed = passed
        if check.rep_id is None:
            check.rep = acting_rep_id
        changes = audit.pending_changes(check)
        check.save()
        audit.record(
            "finish",
            "usage_check",
            check.id,
            acting_rep_id,
            label=_customer_code(check.customer_id),
            changes=changes,
            context={"failed": len(failed), "critical_failed": len(critical)},
        )
        if check.follow_up_id is not None:
            state = FollowUp.select(FollowUp.state).where(FollowUp.id == check.follow_up_id).scalar()
            if state == FollowUpState.PLANNED:
                complete_follow_up(
                    check.follow_up_id,
                    FollowUpOutcome.REACHED,
                    _result_summary(score, passed),
                    acting_rep_id,
                    now=now,
                )
                follow_up_completed = True
    training_at = (
        None if passed else _training_time(_training_kind(check), now.date(), training_days(), check.rep_id)
    )
    return CheckResult(
        check.id,
        score,
        passed,
        sum(1 for a in detail.answers if a.result is OK),
        len(failed),
        sum(1 for a in detail.answers if a.result is NA),
        failed,
        critical,
        check.started_at,
        now,
        follow_up_completed,
        training_at,
        bool(critical),
    )


@write_command
def schedule_training(
    check_id: int,
    acting_rep_id: int | None = None,
    *,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ScheduleResult:
    """Create the training follow-up a failed check proposed (by default `training_days()` after it)."""
    now = now or wall_clock_now()
    check = _get_check(check_id)
    if check.status is not CheckStatus.COMPLETED or check.passed:
        raise DomainError(_("Only a failed check leads to a training follow-up."))
    planned = (
        FollowUp.select(FollowUp.scheduled_at)
        .where(
            (FollowUp.sold_unit == check.sold_unit_id)
            & (FollowUp.purpose == FollowUpPurpose.TRAINING)
            & (FollowUp.state == FollowUpState.PLANNED)
        )
        .scalar()
    )
    if planned is not None:
        raise DomainError(
            _("A training follow-up for this product is already planned on {date}.").format(
                date=format_date(planned)
            )
        )
    kind = _training_kind(check)
    after = max(check.completed_at.date(), now.date())
    when = at or _training_time(kind, after, training_days(), check.rep_id)
    failed = [
        q
        for (q,) in CheckItem.select(CheckItem.question)
        .join(CheckAnswer, on=(CheckAnswer.item == CheckItem.id))
        .where((CheckAnswer.check == check.id) & (CheckAnswer.result == NOT_OK))
        .order_by(CheckItem.position)
        .tuples()
    ]
    notes = "\n".join(
        [_("Training after the correct-use check of {date}:").format(date=format_date(check.completed_at))]
        + [f"• {q}" for q in failed]
    )
    duration = _training_minutes(kind)
    return schedule_follow_up(
        check.customer_id,
        kind,
        FollowUpPurpose.TRAINING,
        when,
        rep_id=check.rep_id,
        duration_minutes=duration,
        notes=notes,
        sold_unit_id=check.sold_unit_id,
        acting_rep_id=acting_rep_id,
        now=now,
        confirm_past=at is None,
    )


@write_command
def open_case_for_check(check_id: int, acting_rep_id: int | None, *, today: dt.date | None = None) -> int:
    """Open a complaint case about a check's critical failures (app.services.cases); returns its id."""
    from app.models.enums import CaseKind, ContactChannel

    try:
        from app.services.cases import receive_case
    except ImportError as exc:
        raise DomainError(_("Cases cannot be opened from here yet: record it on the Cases page.")) from exc
    detail = get_check(check_id)
    if detail.status is not CheckStatus.COMPLETED or not detail.critical_failures:
        raise DomainError(_("Only a check with a critical item Not OK leads to a case."))
    channel = (
        ContactChannel.IN_PERSON
        if detail.follow_up_kind in (None, FollowUpKind.VISIT)
        else ContactChannel.PHONE
    )
    lines = [
        _("Correct-use check of {product} on {date}: critical items not OK.").format(
            product=_unit_text(detail.product_name, detail.serial_number),
            date=format_date(detail.completed_at),
        )
    ]
    for answer in detail.critical_failures:
        lines.append(f"• {answer.question}" + (f" — {answer.note}" if answer.note else ""))
    return receive_case(
        CaseKind.COMPLAINT,
        detail.customer_id,
        channel,
        today or detail.completed_at.date(),
        "\n".join(lines),
        acting_rep_id,
        sold_unit_id=detail.sold_unit_id,
        origin_follow_up_id=detail.follow_up_id,
    )


def _unit_text(product: str, serial: str) -> str:
    return _("{product} (serial {serial})").format(product=product, serial=serial) if serial else product


# --- reading one check ---------------------------------------------------------------------


def get_check(check_id: int) -> CheckDetail:
    row = (
        UsageCheck.select(
            UsageCheck,
            CheckTemplate.name.alias("template_name"),
            CheckTemplate.version.alias("template_version"),
            Customer.code.alias("customer_code"),
            Customer.name.alias("customer_name"),
            Customer.address.alias("address"),
            Customer.postal_code.alias("postal_code"),
            Customer.city.alias("city"),
            SoldUnit.status.alias("unit_status"),
            SoldUnit.serial_number.alias("serial_number"),
            Product.name.alias("product_name"),
            Product.sku.alias("sku"),
            ProductCategory.name.alias("category_name"),
            Rep.name.alias("rep_name"),
            FollowUp.kind.alias("follow_up_kind"),
        )
        .join(CheckTemplate, on=(UsageCheck.template == CheckTemplate.id))
        .join_from(UsageCheck, Customer, on=(UsageCheck.customer == Customer.id))
        .join_from(UsageCheck, SoldUnit, on=(UsageCheck.sold_unit == SoldUnit.id))
        .join_from(SoldUnit, Product, on=(SoldUnit.product == Product.id))
        .join_from(Product, ProductCategory, JOIN.LEFT_OUTER, on=(Product.category == ProductCategory.id))
        .join_from(UsageCheck, Rep, JOIN.LEFT_OUTER, on=(UsageCheck.rep == Rep.id))
        .join_from(UsageCheck, FollowUp, JOIN.LEFT_OUTER, on=(UsageCheck.follow_up == FollowUp.id))
        .where(UsageCheck.id == check_id)
        .objects()
        .first()
    )
    if row is None:
        raise NotFoundError(_("The check no longer exists."))
    answers = tuple(
        AnswerRow(
            a.item_id, a.position, a.question, a.guidance, a.critical, a.result, a.note, a.trained_on_site
        )
        for a in CheckAnswer.select(
            CheckAnswer.item,
            CheckAnswer.result,
            CheckAnswer.note,
            CheckAnswer.trained_on_site,
            CheckItem.position,
            CheckItem.question,
            CheckItem.guidance,
            CheckItem.critical,
        )
        .join(CheckItem, on=(CheckAnswer.item == CheckItem.id))
        .where(CheckAnswer.check == check_id)
        .order_by(CheckItem.position)
        .objects()
    )
    return CheckDetail(
        id=row.id,
        status=row.status,
        template_id=row.template_id,
        template_name=row.template_name,
        template_version=row.template_version,
        customer_id=row.customer_id,
        customer_code=row.customer_code,
        customer_name=row.customer_name,
        customer_address=customer_address(row.address, row.postal_code, row.city),
        sold_unit_id=row.sold_unit_id,
        unit_status=UnitStatus(row.unit_status),
        product_name=row.product_name,
        sku=row.sku,
        serial_number=row.serial_number or "",
        category_name=row.category_name or "",
        rep_id=row.rep_id,
        rep_name=row.rep_name or "",
        follow_up_id=row.follow_up_id,
        follow_up_kind=FollowUpKind(row.follow_up_kind) if row.follow_up_kind else None,
        started_at=row.started_at,
        completed_at=row.completed_at,
        present_people=row.present_people,
        signature_png=bytes(row.signature_png) if row.signature_png else None,
        notes=row.notes,
        score=row.score,
        passed=row.passed,
        answers=answers,
    )


@dataclass(frozen=True)
class CheckRecord:
    """What the one-page PDF record prints (app.reports.check_record)."""

    company_name: str
    logo_path: str
    check: CheckDetail
    issued_on: dt.date
    customer_language: str = "es"  # the language the record is printed in by default


def check_record(check_id: int, today: dt.date | None = None) -> CheckRecord:
    company = load_company_settings()
    check = get_check(check_id)
    language = Customer.select(Customer.language).where(Customer.id == check.customer_id).scalar()
    return CheckRecord(
        _(company.name),
        company.logo_path,
        check,
        today or dt.date.today(),
        customer_language=language or "es",
    )
