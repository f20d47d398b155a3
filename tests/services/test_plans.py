"""Follow-up plans: validation, defaults, the segment variant, applying them and delivery changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import (
    AuditEntry,
    Customer,
    FollowUp,
    FollowUpPlan,
    Product,
    ProductCategory,
    Rep,
    Sale,
    SaleLine,
    SoldUnit,
)
from app.models.enums import (
    FollowUpKind,
    FollowUpPurpose,
    FollowUpState,
    Segment,
    StepAnchor,
    UnitStatus,
)
from app.services.errors import NotFoundError, ValidationError
from app.services.followups import plans
from app.services.followups.plans import PlanStepInput
from app.services.followups.working_days import is_working_day

CALL, VISIT = FollowUpKind.CALL, FollowUpKind.VISIT
DELIVERY, USAGE, SATISFACTION = (
    FollowUpPurpose.DELIVERY,
    FollowUpPurpose.USAGE_CHECK,
    FollowUpPurpose.SATISFACTION,
)


@pytest.fixture
def shop(database):
    """Two reps, a category with a product, a customer of rep Ana who consents to commercial contact
    (plans leave commercial steps out without it: tests/services/test_privacy.py)."""
    ana = Rep.create(code="ANA", name="Ana García")
    luis = Rep.create(code="LUIS", name="Luis Pérez")
    category = ProductCategory.create(code="KITCHEN", name="Cocinas")
    product = Product.create(sku="OVEN-1", name="Horno H1", category=category, price=Decimal("500"))
    customer = Customer(
        code="C-1",
        name="Peña Hermanos",
        rep=ana,
        address="Calle Mayor 1",
        postal_code="28013",
        city="Madrid",
        contact_consent=True,
    )
    customer.save()
    return {"ana": ana, "luis": luis, "category": category, "product": product, "customer": customer}


def make_sale(customer, product, delivered_on, *, rep=None, units=1, number="V-1") -> Sale:
    sale = Sale.create(
        number=number, customer=customer, rep=rep, sold_on=dt.date(2026, 12, 1), delivered_on=delivered_on
    )
    line = SaleLine.create(sale=sale, product=product, quantity=units, unit_price=Decimal("500"))
    for index in range(units):
        SoldUnit.create(line=line, customer=customer, product=product, serial_number=f"{number}-SN{index}")
    return sale


def follow_ups_of(sale: Sale) -> list[FollowUp]:
    return list(
        FollowUp.select()
        .join(SoldUnit)
        .join(SaleLine)
        .where(SaleLine.sale == sale.id)
        .order_by(FollowUp.scheduled_at, FollowUp.id)
    )


STANDARD = [
    PlanStepInput(2, CALL, DELIVERY, duration_minutes=10),
    PlanStepInput(15, VISIT, USAGE, duration_minutes=60),
    PlanStepInput(90, CALL, SATISFACTION),
]


# --- editing -------------------------------------------------------------------


def test_a_plan_without_steps_is_refused(shop):
    with pytest.raises(ValidationError) as info:
        plans.create_plan("Standard", shop["category"].id, None, [])
    assert info.value.errors == {"steps": "A plan needs at least one step."}
    assert FollowUpPlan.select().count() == 0


def test_a_negative_offset_is_refused_with_the_step_number(shop):
    steps = [PlanStepInput(2, CALL, DELIVERY), PlanStepInput(-5, CALL, SATISFACTION)]
    with pytest.raises(ValidationError) as info:
        plans.create_plan("Standard", shop["category"].id, None, steps)
    assert info.value.errors == {"steps.1.offset_days": "Step 2: the number of days cannot be negative."}
    assert "Step 2" in str(info.value)


def test_other_bad_plans_are_refused(shop):
    bad = [PlanStepInput(3, CALL, DELIVERY, anchor=StepAnchor.PREVIOUS, duration_minutes=0)]
    with pytest.raises(ValidationError) as info:
        plans.create_plan("  ", 999, None, bad)
    assert set(info.value.errors) == {"name", "category_id", "steps.0.anchor", "steps.0.duration_minutes"}


def test_one_active_plan_per_category_and_segment(shop):
    plans.create_plan("Standard", shop["category"].id, None, STANDARD)
    with pytest.raises(ValidationError) as info:
        plans.create_plan("Again", shop["category"].id, None, STANDARD)
    assert "already an active plan" in info.value.errors["segment"]
    variant = plans.create_plan("Top", shop["category"].id, "A", STANDARD)
    assert variant.segment is Segment.A


def test_create_and_update_steps_keep_step_identity(shop):
    plan = plans.create_plan("Standard", shop["category"].id, None, STANDARD)
    assert [s.offset_days for s in plan.steps] == [2, 15, 90]
    assert plan.category_name == "Cocinas"
    first_id = plan.steps[0].id
    updated = plans.update_plan_steps(
        plan.id, [PlanStepInput(3, CALL, DELIVERY), PlanStepInput(20, VISIT, USAGE)]
    )
    assert [(s.position, s.offset_days) for s in updated.steps] == [(0, 3), (1, 20)]
    assert updated.steps[0].id == first_id
    with pytest.raises(ValidationError):
        plans.update_plan_steps(plan.id, [])
    assert len(plans.get_plan(plan.id).steps) == 2
    assert AuditEntry.select().where(AuditEntry.entity == "follow_up_plan").count() == 2


def test_install_default_plans_is_idempotent(shop):
    ProductCategory.create(code="TV", name="Televisores")
    assert plans.install_default_plans() == 4
    assert plans.install_default_plans() == 0
    general = plans.plan_for(shop["category"].id, None)
    assert [(s.offset_days, s.kind, s.purpose) for s in general.steps] == [
        (2, CALL, DELIVERY),
        (15, VISIT, USAGE),
        (90, CALL, SATISFACTION),
        (330, CALL, FollowUpPurpose.WARRANTY),
    ]
    top = plans.plan_for(shop["category"].id, Segment.A)
    assert top.segment is Segment.A
    assert (90, VISIT, SATISFACTION) in [(s.offset_days, s.kind, s.purpose) for s in top.steps]
    # A plan switched off is not brought back.
    plans.set_plan_active(top.id, False)
    assert plans.install_default_plans() == 0
    assert plans.plan_for(shop["category"].id, Segment.A).id == general.id


def test_plan_for_prefers_the_segment_variant_then_the_general_plan(shop):
    assert plans.plan_for(shop["category"].id, Segment.A) is None
    general = plans.create_plan("Standard", shop["category"].id, None, STANDARD)
    top = plans.create_plan("Top", shop["category"].id, Segment.A, STANDARD)
    assert plans.plan_for(shop["category"].id, Segment.A).id == top.id
    assert plans.plan_for(shop["category"].id, Segment.B).id == general.id
    assert plans.plan_for(shop["category"].id, None).id == general.id
    other = ProductCategory.create(code="TV", name="Televisores")
    assert plans.plan_for(other.id, Segment.A) is None
    catch_all = plans.create_plan("Any product", None, None, STANDARD)
    assert plans.plan_for(other.id, Segment.A).id == catch_all.id


# --- applying ------------------------------------------------------------------


def test_apply_creates_the_steps_on_working_days_for_the_customers_rep(shop):
    plans.install_default_plans()
    sale = make_sale(shop["customer"], shop["product"], dt.date(2026, 12, 23), rep=shop["luis"])
    assert plans.apply_plans_for_sale(sale.id) == 4
    rows = follow_ups_of(sale)
    assert [(f.scheduled_at, f.kind, f.purpose) for f in rows] == [
        (dt.datetime(2026, 12, 28, 10, 0), CALL, DELIVERY),  # D+2 = Christmas (Friday) → Monday
        (dt.datetime(2027, 1, 7, 11, 0), VISIT, USAGE),  # visits at 11:00
        (dt.datetime(2027, 3, 23, 10, 0), CALL, SATISFACTION),
        (dt.datetime(2027, 11, 18, 10, 0), CALL, FollowUpPurpose.WARRANTY),
    ]
    assert all(is_working_day(f.scheduled_at.date()) for f in rows)
    assert {f.rep_id for f in rows} == {shop["ana"].id}
    assert {f.state for f in rows} == {FollowUpState.PLANNED}
    assert rows[1].place == "Calle Mayor 1, 28013 Madrid"
    assert rows[0].place == ""
    assert rows[1].duration_minutes == 60
    assert AuditEntry.get(AuditEntry.action == "apply_plan").entity_id == sale.id


def test_reapplying_never_duplicates(shop):
    plans.install_default_plans()
    sale = make_sale(shop["customer"], shop["product"], dt.date(2026, 12, 23))
    assert plans.apply_plans_for_sale(sale.id) == 4
    assert plans.apply_plans_for_sale(sale.id) == 0
    # Even after a step was done and the plan gained a step: only the new step is added.
    first = follow_ups_of(sale)[0]
    first.state = FollowUpState.DONE
    first.save()
    general = plans.plan_for(shop["category"].id, None)
    plans.update_plan_steps(
        general.id,
        [s.to_input() for s in general.steps] + [PlanStepInput(400, CALL, FollowUpPurpose.COMMERCIAL)],
    )
    assert plans.apply_plans_for_sale(sale.id) == 1
    assert FollowUp.select().count() == 5


def test_several_units_of_one_plan_get_one_set_of_follow_ups(shop):
    plans.install_default_plans()
    sale = make_sale(shop["customer"], shop["product"], dt.date(2026, 12, 23), units=3)
    assert plans.apply_plans_for_sale(sale.id) == 4
    first_unit = SoldUnit.select().order_by(SoldUnit.id).first()
    assert {f.sold_unit_id for f in follow_ups_of(sale)} == {first_unit.id}
    # That unit comes back: re-applying still finds the steps through the other units.
    first_unit.status = UnitStatus.RETURNED
    first_unit.save()
    assert plans.apply_plans_for_sale(sale.id) == 0


def test_segment_a_customers_get_the_variant(shop):
    plans.install_default_plans()
    customer = shop["customer"]
    customer.segment = Segment.A
    customer.save()
    sale = make_sale(customer, shop["product"], dt.date(2026, 12, 23))
    assert plans.apply_plans_for_sale(sale.id) == 5
    kinds = [(f.kind, f.purpose) for f in follow_ups_of(sale)]
    assert (VISIT, SATISFACTION) in kinds
    assert (CALL, SATISFACTION) not in kinds


def test_without_a_customer_rep_the_sales_rep_gets_them(shop):
    plans.install_default_plans()
    customer = Customer(code="C-2", name="Sin Comercial")
    customer.save()
    sale = make_sale(customer, shop["product"], dt.date(2026, 12, 23), rep=shop["luis"], number="V-2")
    plans.apply_plans_for_sale(sale.id)
    assert {f.rep_id for f in follow_ups_of(sale)} == {shop["luis"].id}
    # A visit without an address has no place: the agenda shows it missing.
    assert {f.place for f in follow_ups_of(sale)} == {""}


def test_nothing_is_planned_before_delivery_or_without_a_plan(shop):
    sale = make_sale(shop["customer"], shop["product"], None)
    assert plans.apply_plans_for_sale(sale.id) == 0  # no plan at all
    plans.install_default_plans()
    assert plans.apply_plans_for_sale(sale.id) == 0  # not delivered
    sale.delivered_on = dt.date(2026, 12, 23)
    sale.save()
    assert plans.reschedule_for_delivery_change(sale.id, None) == 4  # first delivery: applied
    with pytest.raises(NotFoundError):
        plans.apply_plans_for_sale(12345)


def test_skip_before_leaves_out_steps_already_past(shop):
    plans.install_default_plans()
    sale = make_sale(shop["customer"], shop["product"], dt.date(2026, 12, 23))
    assert plans.apply_plans_for_sale(sale.id, skip_before=dt.date(2027, 2, 1)) == 2
    assert [f.purpose for f in follow_ups_of(sale)] == [SATISFACTION, FollowUpPurpose.WARRANTY]


def test_steps_anchored_on_the_previous_step(shop):
    steps = [
        PlanStepInput(2, CALL, DELIVERY),
        PlanStepInput(1, CALL, FollowUpPurpose.COMMERCIAL, anchor=StepAnchor.PREVIOUS),
    ]
    plans.create_plan("Chained", shop["category"].id, None, steps)
    sale = make_sale(shop["customer"], shop["product"], dt.date(2026, 12, 23))
    plans.apply_plans_for_sale(sale.id)
    # D+2 → Monday 28/12; one day after the previous step's working day → Tuesday 29/12.
    assert [f.scheduled_at.date() for f in follow_ups_of(sale)] == [
        dt.date(2026, 12, 28),
        dt.date(2026, 12, 29),
    ]


def test_a_delivery_change_moves_only_planned_follow_ups(shop):
    plans.install_default_plans()
    sale = make_sale(shop["customer"], shop["product"], dt.date(2026, 12, 23))
    plans.apply_plans_for_sale(sale.id)
    delivery, usage, satisfaction, warranty = follow_ups_of(sale)
    delivery.state = FollowUpState.DONE
    delivery.save()
    satisfaction.state = FollowUpState.CANCELLED
    satisfaction.save()
    # Moved by hand one day later, to 16:00.
    warranty.scheduled_at = dt.datetime(2027, 11, 19, 16, 0)
    warranty.save()

    sale.delivered_on = dt.date(2027, 1, 11)
    sale.save()
    assert plans.reschedule_for_delivery_change(sale.id, dt.date(2026, 12, 23)) == 2

    after = {f.id: f for f in FollowUp.select()}
    assert after[delivery.id].scheduled_at == dt.datetime(2026, 12, 28, 10, 0)  # done: untouched
    assert after[satisfaction.id].scheduled_at == dt.datetime(2027, 3, 23, 10, 0)  # cancelled: untouched
    assert after[usage.id].scheduled_at == dt.datetime(2027, 1, 26, 11, 0)  # new D+15
    # Hand-moved: shifted by the 19 days of the delivery change, onto a working day, same time.
    assert after[warranty.id].scheduled_at == dt.datetime(2027, 12, 9, 16, 0)  # 8/12 is a holiday
    assert FollowUp.select().count() == 4
    assert AuditEntry.select().where(AuditEntry.action == "reschedule_plan").count() == 1


def test_removing_the_delivery_date_removes_only_planned_ones(shop):
    plans.install_default_plans()
    sale = make_sale(shop["customer"], shop["product"], dt.date(2026, 12, 23))
    plans.apply_plans_for_sale(sale.id)
    done = follow_ups_of(sale)[0]
    done.state = FollowUpState.DONE
    done.save()
    sale.delivered_on = None
    sale.save()
    assert plans.reschedule_for_delivery_change(sale.id, dt.date(2026, 12, 23)) == 3
    assert [f.id for f in FollowUp.select()] == [done.id]
    # Delivered again: the missing steps come back, the done one is not repeated.
    sale.delivered_on = dt.date(2026, 12, 23)
    sale.save()
    assert plans.reschedule_for_delivery_change(sale.id, None) == 3
    assert FollowUp.select().count() == 4
