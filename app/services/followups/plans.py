"""Follow-up plans: editing them, the default plans, and applying them to a delivered sale.

A plan is an ordered list of steps (offset in days from the delivery or from the previous
step, kind, purpose, duration) for a product category, optionally for one customer segment.
Applying a plan to a sale creates the steps' follow-ups for the customer's rep, on working
days; applying it again never duplicates (one follow-up per sale, plan and step).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from peewee import JOIN

from app.i18n import _
from app.models import (
    Customer,
    FollowUp,
    FollowUpPlan,
    FollowUpPlanStep,
    Product,
    ProductCategory,
    Sale,
    SaleLine,
    SoldUnit,
)
from app.models.base import max_length
from app.models.enums import (
    FollowUpKind,
    FollowUpPurpose,
    FollowUpState,
    Segment,
    StepAnchor,
    UnitStatus,
)
from app.services import audit
from app.services.errors import NotFoundError, ValidationError
from app.services.followups import placement
from app.services.followups.consent import may_contact
from app.services.followups.workflow import (
    MAX_DURATION_MINUTES,
    OnDuplicate,
    create_follow_up,
    customer_address,
)
from app.services.followups.working_days import WorkingCalendar
from app.services.transactions import check_version, write_command, write_transaction

MAX_OFFSET_DAYS = 3650


@dataclass(frozen=True)
class PlanStepInput:
    offset_days: int
    kind: FollowUpKind
    purpose: FollowUpPurpose
    anchor: StepAnchor = StepAnchor.DELIVERY
    duration_minutes: int = 15


@dataclass(frozen=True)
class PlanStepRow:
    id: int
    position: int
    offset_days: int
    anchor: StepAnchor
    kind: FollowUpKind
    purpose: FollowUpPurpose
    duration_minutes: int

    def to_input(self) -> PlanStepInput:
        return PlanStepInput(self.offset_days, self.kind, self.purpose, self.anchor, self.duration_minutes)


@dataclass(frozen=True)
class PlanRow:
    id: int
    name: str
    category_id: int | None
    category_name: str
    segment: Segment | None
    active: bool
    steps: tuple[PlanStepRow, ...]
    row_version: int = 1  # what an edit started from this row passes as expected_version


# --- reading -----------------------------------------------------------------


def _steps_of(plan_ids: Sequence[int]) -> dict[int, list[PlanStepRow]]:
    steps: dict[int, list[PlanStepRow]] = {pid: [] for pid in plan_ids}
    query = (
        FollowUpPlanStep.select()
        .where(FollowUpPlanStep.plan.in_(list(plan_ids)))
        .order_by(FollowUpPlanStep.plan, FollowUpPlanStep.position)
    )
    for s in query:
        steps[s.plan_id].append(
            PlanStepRow(s.id, s.position, s.offset_days, s.anchor, s.kind, s.purpose, s.duration_minutes)
        )
    return steps


def _plans(query) -> list[PlanRow]:
    plans = list(query.objects())
    steps = _steps_of([p.id for p in plans]) if plans else {}
    return [
        PlanRow(
            p.id,
            p.name,
            p.category_id,
            p.category_name or "",
            p.segment,
            p.active,
            tuple(steps[p.id]),
            p.row_version,
        )
        for p in plans
    ]


def _plan_query():
    return FollowUpPlan.select(FollowUpPlan, ProductCategory.name.alias("category_name")).join(
        ProductCategory, JOIN.LEFT_OUTER, on=(FollowUpPlan.category == ProductCategory.id)
    )


def list_plans(include_inactive: bool = True) -> list[PlanRow]:
    # Plans for every category and the standard plan (no segment) first, on both engines (PostgreSQL
    # puts NULL last unless told).
    query = _plan_query().order_by(
        ProductCategory.name.asc(nulls="FIRST"), FollowUpPlan.segment.asc(nulls="FIRST"), FollowUpPlan.name
    )
    if not include_inactive:
        query = query.where(FollowUpPlan.active == True)  # noqa: E712 (peewee expression)
    return _plans(query)


def get_plan(plan_id: int) -> PlanRow:
    rows = _plans(_plan_query().where(FollowUpPlan.id == plan_id))
    if not rows:
        raise NotFoundError(_("The follow-up plan no longer exists."))
    return rows[0]


def plan_for(category_id: int | None, segment: Segment | None) -> PlanRow | None:
    """The active plan for a category and segment: the segment's variant if there is one, else
    the category's general plan, else a plan for every category (same order of preference)."""
    candidates = []
    for category in dict.fromkeys([category_id, None]):
        for seg in dict.fromkeys([segment, None]):
            candidates.append((category, seg))
    plans = {
        (p.category_id, p.segment): p
        for p in _plans(_plan_query().where(FollowUpPlan.active == True))  # noqa: E712
    }
    for key in candidates:
        if key in plans and plans[key].steps:
            return plans[key]
    return None


# --- editing -----------------------------------------------------------------


def _segment(value) -> Segment | None:
    """'A' or Segment.A → Segment.A; empty → None; anything else is left for _validate to refuse."""
    if value is None or value == "":
        return None
    try:
        return Segment(value)
    except ValueError:
        return value


def _validate(
    name: str,
    category_id: int | None,
    segment: Segment | None,
    steps: Sequence[PlanStepInput],
    plan_id: int | None = None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("The name is required.")
    elif len(name) > max_length(FollowUpPlan.name):
        errors["name"] = _("Too long: at most {limit} characters.").format(
            limit=max_length(FollowUpPlan.name)
        )
    if (
        category_id is not None
        and not ProductCategory.select().where(ProductCategory.id == category_id).exists()
    ):
        errors["category_id"] = _("The chosen product category no longer exists.")
    if segment is not None and not isinstance(segment, Segment):
        errors["segment"] = _("Choose a customer segment or none.")
    else:
        others = FollowUpPlan.select().where(
            (FollowUpPlan.active == True)  # noqa: E712
            & (
                FollowUpPlan.category.is_null()
                if category_id is None
                else FollowUpPlan.category == category_id
            )
            & (FollowUpPlan.segment.is_null() if segment is None else FollowUpPlan.segment == segment)
        )
        if plan_id is not None:
            others = others.where(FollowUpPlan.id != plan_id)
        if others.exists():
            errors["segment"] = _("There is already an active plan for this category and segment.")
    errors.update(_validate_steps(steps))
    return errors


def _validate_steps(steps: Sequence[PlanStepInput]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not steps:
        errors["steps"] = _("A plan needs at least one step.")
        return errors

    def problem(index: int, field: str, text: str) -> None:
        errors[f"steps.{index}.{field}"] = _("Step {number}: {problem}").format(
            number=index + 1, problem=text
        )

    for index, step in enumerate(steps):
        offset = step.offset_days
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            problem(index, "offset_days", _("the number of days cannot be negative."))
        elif offset > MAX_OFFSET_DAYS:
            problem(index, "offset_days", _("at most {limit} days.").format(limit=MAX_OFFSET_DAYS))
        if step.kind not in set(FollowUpKind):
            problem(index, "kind", _("choose how to contact the customer."))
        if step.purpose not in set(FollowUpPurpose):
            problem(index, "purpose", _("choose the purpose."))
        if step.anchor not in set(StepAnchor):
            problem(index, "anchor", _("choose what the days count from."))
        elif index == 0 and StepAnchor(step.anchor) is StepAnchor.PREVIOUS:
            problem(index, "anchor", _("the first step counts from the delivery."))
        minutes = step.duration_minutes
        if (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= MAX_DURATION_MINUTES
        ):
            problem(
                index,
                "duration_minutes",
                _("the duration must be between 1 and {limit} minutes.").format(limit=MAX_DURATION_MINUTES),
            )
    return errors


def _write_steps(plan_id: int, steps: Sequence[PlanStepInput]) -> None:
    """Update steps in place by position, so follow-ups already made keep pointing at their step
    (re-applying the plan then still finds them); extra old steps are removed."""
    existing = {s.position: s for s in FollowUpPlanStep.select().where(FollowUpPlanStep.plan == plan_id)}
    for position, step in enumerate(steps):
        values = dict(
            offset_days=step.offset_days,
            anchor=StepAnchor(step.anchor),
            kind=FollowUpKind(step.kind),
            purpose=FollowUpPurpose(step.purpose),
            duration_minutes=step.duration_minutes,
        )
        if position in existing:
            FollowUpPlanStep.update(**values).where(FollowUpPlanStep.id == existing[position].id).execute()
        else:
            FollowUpPlanStep.create(plan=plan_id, position=position, **values)
    FollowUpPlanStep.delete().where(
        (FollowUpPlanStep.plan == plan_id) & (FollowUpPlanStep.position >= len(steps))
    ).execute()


def _steps_detail(steps: Sequence[PlanStepInput]) -> list[dict]:
    return [
        {
            "offset_days": s.offset_days,
            "anchor": StepAnchor(s.anchor).value,
            "kind": FollowUpKind(s.kind).value,
            "purpose": FollowUpPurpose(s.purpose).value,
            "duration_minutes": s.duration_minutes,
        }
        for s in steps
    ]


@write_command
def create_plan(
    name: str,
    category_id: int | None,
    segment: Segment | None,
    steps: Sequence[PlanStepInput],
    acting_rep_id: int | None = None,
) -> PlanRow:
    """A new active plan; refused without steps, with a negative offset or when the category and
    segment already have an active plan."""
    name, segment = (name or "").strip(), _segment(segment)
    errors = _validate(name, category_id, segment, steps)
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        plan = FollowUpPlan.create(name=name, category=category_id, segment=segment)
        _write_steps(plan.id, steps)
        audit.record(
            "create",
            "follow_up_plan",
            plan.id,
            acting_rep_id,
            label=name,
            name=name,
            category=category_id,
            segment=segment,
            steps=_steps_detail(steps),
        )
    return get_plan(plan.id)


def _stored_steps(plan_id: int) -> list[dict]:
    query = (
        FollowUpPlanStep.select(
            FollowUpPlanStep.offset_days,
            FollowUpPlanStep.anchor,
            FollowUpPlanStep.kind,
            FollowUpPlanStep.purpose,
            FollowUpPlanStep.duration_minutes,
        )
        .where(FollowUpPlanStep.plan == plan_id)
        .order_by(FollowUpPlanStep.position)
    )
    return _steps_detail([PlanStepInput(o, k, p, a, d) for o, a, k, p, d in query.tuples()])


def _sale_number(sale_id: int) -> str:
    return Sale.select(Sale.number).where(Sale.id == sale_id).scalar() or ""


@write_command
def update_plan(
    plan_id: int,
    name: str,
    category_id: int | None,
    segment: Segment | None,
    steps: Sequence[PlanStepInput],
    acting_rep_id: int | None = None,
    *,
    expected_version: int | None = None,
    audit_action: str = "update",
) -> PlanRow:
    """Change everything about a plan. Follow-ups already created stay as they are.

    `expected_version` is the row version the edit started from (ConcurrentEditError if it moved on).
    `audit_action`: "undo" or "redo" when app.services.undo puts an edit back.
    """
    plan = FollowUpPlan.get_or_none(FollowUpPlan.id == plan_id)
    if plan is None:
        raise NotFoundError(_("The follow-up plan no longer exists."))
    check_version(plan, expected_version, lambda: get_plan(plan_id))
    name, segment = (name or "").strip(), _segment(segment)
    errors = _validate(name, category_id, segment, steps, plan_id) if plan.active else _validate_steps(steps)
    if not plan.active and not name:
        errors["name"] = _("The name is required.")
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        plan.name, plan.category, plan.segment = name, category_id, segment
        changes = audit.pending_changes(plan)
        changes.update(audit.differences({"steps": _stored_steps(plan.id)}, {"steps": _steps_detail(steps)}))
        plan.save()
        _write_steps(plan.id, steps)
        audit.record(audit_action, "follow_up_plan", plan.id, acting_rep_id, label=name, changes=changes)
    return get_plan(plan.id)


@write_command
def update_plan_steps(
    plan_id: int,
    steps: Sequence[PlanStepInput],
    acting_rep_id: int | None = None,
    *,
    expected_version: int | None = None,
) -> PlanRow:
    """Replace a plan's steps (for future applications; follow-ups already created stay)."""
    plan = FollowUpPlan.get_or_none(FollowUpPlan.id == plan_id)
    if plan is None:
        raise NotFoundError(_("The follow-up plan no longer exists."))
    check_version(plan, expected_version, lambda: get_plan(plan_id))
    errors = _validate_steps(steps)
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        changes = audit.differences({"steps": _stored_steps(plan.id)}, {"steps": _steps_detail(steps)})
        _write_steps(plan.id, steps)
        plan.save(only=[FollowUpPlan.updated_at])  # its steps changed: updated_at and a new row version
        audit.record("update", "follow_up_plan", plan.id, acting_rep_id, label=plan.name, changes=changes)
    return get_plan(plan.id)


@write_command
def set_plan_active(plan_id: int, active: bool, acting_rep_id: int | None = None) -> PlanRow:
    """Switch a plan off (kept for history) or on again (if its category and segment are free)."""
    plan = FollowUpPlan.get_or_none(FollowUpPlan.id == plan_id)
    if plan is None:
        raise NotFoundError(_("The follow-up plan no longer exists."))
    if active and not plan.active:
        current = get_plan(plan_id)
        errors = _validate(
            current.name, current.category_id, current.segment, [s.to_input() for s in current.steps], plan_id
        )
        if errors:
            raise ValidationError(errors)
    with write_transaction():
        changes = audit.differences({"active": plan.active}, {"active": active})
        plan.active = active
        plan.save()
        audit.record("update", "follow_up_plan", plan.id, acting_rep_id, label=plan.name, changes=changes)
    return get_plan(plan.id)


# --- default plans -------------------------------------------------------------

_CALL, _VISIT, _VIDEO = FollowUpKind.CALL, FollowUpKind.VISIT, FollowUpKind.VIDEO

DEFAULT_STEPS: tuple[PlanStepInput, ...] = (
    PlanStepInput(2, _CALL, FollowUpPurpose.DELIVERY, duration_minutes=10),
    PlanStepInput(15, _VISIT, FollowUpPurpose.USAGE_CHECK, duration_minutes=60),
    PlanStepInput(90, _CALL, FollowUpPurpose.SATISFACTION, duration_minutes=15),
    PlanStepInput(330, _CALL, FollowUpPurpose.WARRANTY, duration_minutes=15),
)
# Top-value customers (seed 002 §5.1.1): a visit where others get a call, and an offers call.
DEFAULT_A_STEPS: tuple[PlanStepInput, ...] = (
    PlanStepInput(2, _CALL, FollowUpPurpose.DELIVERY, duration_minutes=10),
    PlanStepInput(15, _VISIT, FollowUpPurpose.USAGE_CHECK, duration_minutes=60),
    PlanStepInput(90, _VISIT, FollowUpPurpose.SATISFACTION, duration_minutes=45),
    PlanStepInput(180, _VIDEO, FollowUpPurpose.COMMERCIAL, duration_minutes=30),
    PlanStepInput(330, _VISIT, FollowUpPurpose.WARRANTY, duration_minutes=45),
)


@dataclass(frozen=True)
class CategoryRow:
    id: int
    name: str
    code: str = ""
    # Filled by app.services.sales.catalog.list_categories_with_counts (inactive products included).
    product_count: int = 0
    # Months its products last before the next purchase is expected (None: no cycle), idem.
    replacement_months: int | None = None


def list_categories() -> list[CategoryRow]:
    """Product categories by name: what plans are chosen by."""
    query = ProductCategory.select(ProductCategory.id, ProductCategory.name, ProductCategory.code).order_by(
        ProductCategory.name
    )
    return [CategoryRow(c.id, c.name, c.code) for c in query]


@write_command
def install_default_plans(
    acting_rep_id: int | None = None, category_ids: Collection[int] | None = None
) -> int:
    """A general plan and an A-segment plan for every category (or each of `category_ids`) that has
    none yet (active or not); returns how many plans were created. Safe to run again."""
    created = 0
    with write_transaction():
        taken = {
            (p.category_id, p.segment)
            for p in FollowUpPlan.select(FollowUpPlan.category, FollowUpPlan.segment)
        }
        categories = ProductCategory.select().order_by(ProductCategory.name)
        if category_ids is not None:
            categories = categories.where(ProductCategory.id.in_(list(category_ids)))
        for category in categories:
            variants = (
                (None, _("Standard follow-up – {category}"), DEFAULT_STEPS),
                (Segment.A, _("Top customers (A) – {category}"), DEFAULT_A_STEPS),
            )
            for segment, name, steps in variants:
                if (category.id, segment) in taken:
                    continue
                plan = FollowUpPlan.create(
                    name=name.format(category=category.name)[:120], category=category.id, segment=segment
                )
                _write_steps(plan.id, steps)
                audit.record(
                    "create",
                    "follow_up_plan",
                    plan.id,
                    acting_rep_id,
                    label=plan.name,
                    name=plan.name,
                    category=category.id,
                    segment=segment,
                    steps=_steps_detail(steps),
                    context={"default": True},
                )
                created += 1
    return created


# --- applying plans to a sale ----------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    id: int
    category_id: int


def _sale_units(sale_id: int, active_only: bool) -> list[_Unit]:
    query = (
        SoldUnit.select(SoldUnit.id, Product.category)
        .join(SaleLine, on=(SoldUnit.line == SaleLine.id))
        .join_from(SoldUnit, Product, on=(SoldUnit.product == Product.id))
        .where(SaleLine.sale == sale_id)
        .order_by(SoldUnit.id)
    )
    if active_only:
        query = query.where(SoldUnit.status == UnitStatus.ACTIVE)
    return [_Unit(unit_id, category_id) for unit_id, category_id in query.tuples()]


def step_dates(
    steps: Sequence[PlanStepRow], delivered_on: dt.date, calendar: WorkingCalendar
) -> dict[int, dt.date]:
    """Each step's working day: offset from the delivery, or from the previous step's (moved) day."""
    dates: dict[int, dt.date] = {}
    previous = delivered_on
    for step in steps:
        base = previous if step.anchor is StepAnchor.PREVIOUS else delivered_on
        day = calendar.to_working_day(base + dt.timedelta(days=step.offset_days))
        dates[step.id] = day
        previous = day
    return dates


@write_command
def apply_plans_for_sale(
    sale_id: int, acting_rep_id: int | None = None, *, skip_before: dt.date | None = None
) -> int:
    """Create the plan follow-ups of a delivered sale; returns how many were created.

    One follow-up per plan step and sale (linked to the sale's first in-use unit of that plan),
    so ten chairs do not mean ten delivery calls; steps already created are skipped, so this can
    run again after any change. For the customer's rep, else the sale's rep. Nothing happens
    before the sale is delivered. Steps falling before `skip_before` (e.g. today, when a sale is
    recorded long after its delivery) are not created.
    """
    sale = Sale.get_or_none(Sale.id == sale_id)
    if sale is None:
        raise NotFoundError(_("The sale no longer exists."))
    if sale.delivered_on is None:
        return 0
    customer = Customer.get_by_id(sale.customer_id)
    rep_id = customer.rep_id or sale.rep_id
    units = _sale_units(sale_id, active_only=True)
    if not units:
        return 0
    all_unit_ids = [u.id for u in _sale_units(sale_id, active_only=False)]
    places = placement.book()
    calendar = places.rules.calendar
    address = customer_address(customer.address, customer.postal_code, customer.city)

    # The first in-use unit of each plan carries the plan's follow-ups.
    carriers: dict[int, tuple[PlanRow, int]] = {}
    plans_by_category: dict[int, PlanRow | None] = {}
    for unit in units:
        if unit.category_id not in plans_by_category:
            plans_by_category[unit.category_id] = plan_for(unit.category_id, customer.segment)
        plan = plans_by_category[unit.category_id]
        if plan is not None and plan.id not in carriers:
            carriers[plan.id] = (plan, unit.id)
    if not carriers:
        return 0

    created = 0
    with write_transaction():
        done_steps = {
            step_id
            for (step_id,) in FollowUp.select(FollowUp.plan_step)
            .where(FollowUp.sold_unit.in_(all_unit_ids) & FollowUp.plan_step.is_null(False))
            .tuples()
        }
        wanted: list[tuple[PlanStepRow, int, dt.date]] = []
        for plan, unit_id in carriers.values():
            dates = step_dates(plan.steps, sale.delivered_on, calendar)
            for step in plan.steps:
                day = dates[step.id]
                if step.id in done_steps or (skip_before is not None and day < skip_before):
                    continue
                if not may_contact(step.kind, step.purpose, customer.contact_consent):
                    continue  # no commercial contact without the customer's consent
                wanted.append((step, unit_id, day))
        places.prepare(rep_id, [day for _step, _unit, day in wanted])  # one query for the sale's days
        for step, unit_id, day in wanted:
            # On a working day within hours, on the next day with room when the rep's is full.
            scheduled_at = places.place(rep_id, day, step.kind, step.duration_minutes, skip_before)
            # Two plans of one sale (a washer and a dryer) may both call about the delivery on one
            # day: the customer gets one call, the other plan's step is left out.
            _follow_up, made = create_follow_up(
                OnDuplicate.SKIP,
                count_done=True,
                customer=customer.id,
                rep=rep_id,
                kind=step.kind,
                purpose=step.purpose,
                scheduled_at=scheduled_at,
                duration_minutes=step.duration_minutes,
                place=address if step.kind is FollowUpKind.VISIT else "",
                sold_unit=unit_id,
                plan_step=step.id,
            )
            if made:
                places.note(rep_id, scheduled_at, step.kind, step.duration_minutes)
            created += made
        if created:
            audit.record(
                "apply_plan",
                "sale",
                sale_id,
                acting_rep_id,
                label=_sale_number(sale_id),
                context={"follow_ups": created},
            )
    return created


@write_command
def reschedule_for_delivery_change(
    sale_id: int,
    old_delivered_on: dt.date | None,
    acting_rep_id: int | None = None,
    *,
    skip_before: dt.date | None = None,
) -> int:
    """Follow the sale's new delivery date (already saved) with its plan follow-ups still planned.

    Done, missed and cancelled ones stay. A follow-up still on its plan day moves to the new plan
    day; one moved by hand shifts by the same number of days (onto a working day), keeping its
    time. No delivery date any more: the planned ones are removed (they are made again on
    delivery). No delivery date before: the plans are applied. Returns how many were moved,
    removed or created. Steps created now skip those before `skip_before` (apply_plans_for_sale).
    """
    sale = Sale.get_or_none(Sale.id == sale_id)
    if sale is None:
        raise NotFoundError(_("The sale no longer exists."))
    new_delivered_on = sale.delivered_on
    if old_delivered_on is None:
        return apply_plans_for_sale(sale_id, acting_rep_id, skip_before=skip_before)
    if new_delivered_on == old_delivered_on:
        return 0
    unit_ids = [u.id for u in _sale_units(sale_id, active_only=False)]
    planned = list(
        FollowUp.select()
        .where(
            FollowUp.sold_unit.in_(unit_ids)
            & FollowUp.plan_step.is_null(False)
            & (FollowUp.state == FollowUpState.PLANNED)
        )
        .order_by(FollowUp.id)
    )
    with write_transaction():
        if new_delivered_on is None:
            ids = [f.id for f in planned]
            if ids:
                FollowUp.delete().where(FollowUp.id.in_(ids)).execute()
                audit.record(
                    "remove_plan",
                    "sale",
                    sale_id,
                    acting_rep_id,
                    label=_sale_number(sale_id),
                    context={"follow_ups": len(ids)},
                )
            return len(ids)
        calendar = WorkingCalendar()
        steps_by_plan: dict[int, list[PlanStepRow]] = {}
        step_plan = {
            s.id: s.plan_id
            for s in FollowUpPlanStep.select(FollowUpPlanStep.id, FollowUpPlanStep.plan).where(
                FollowUpPlanStep.id.in_([f.plan_step_id for f in planned])
            )
        }
        if step_plan:
            for plan_id, steps in _steps_of(sorted(set(step_plan.values()))).items():
                steps_by_plan[plan_id] = steps
        shift = new_delivered_on - old_delivered_on
        moved = 0
        for follow_up in planned:
            steps = steps_by_plan[step_plan[follow_up.plan_step_id]]
            old_day = step_dates(steps, old_delivered_on, calendar)[follow_up.plan_step_id]
            current = follow_up.scheduled_at
            if current.date() == old_day:
                day = step_dates(steps, new_delivered_on, calendar)[follow_up.plan_step_id]
            else:
                day = calendar.to_working_day(current.date() + shift)
            new_time = dt.datetime.combine(day, current.time())
            if new_time != current:
                follow_up.scheduled_at = new_time
                follow_up.save()
                moved += 1
                placement.changed_in_batch(follow_up.rep_id)
        if moved:
            audit.record(
                "reschedule_plan",
                "sale",
                sale_id,
                acting_rep_id,
                label=_sale_number(sale_id),
                changes={"delivered_on": (old_delivered_on, new_delivered_on)},
                context={"follow_ups": moved},
            )
        # Units delivered now may need steps created before (e.g. a plan added meanwhile).
        return moved + apply_plans_for_sale(sale_id, acting_rep_id, skip_before=skip_before)
