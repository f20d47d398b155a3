"""Follow-ups made by every path (plans, retries, cases, returns, ad-hoc) go through one creator:
satisfaction calls land on working days and skip archived customers (defect 7 of issue 13), and
a customer never gets two follow-ups of the same kind and purpose on one day (defect 8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import Case, Customer, FollowUp, Product, ProductCategory, Rep, Sale, SaleLine, SoldUnit
from app.models.enums import (
    CaseCategory,
    CaseKind,
    ContactChannel,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    ProposalAnswer,
    Severity,
    SolutionType,
)
from app.services import cases, followups
from app.services.errors import ValidationError
from app.services.followups import DuplicateFollowUpError, plans
from app.services.followups.plans import PlanStepInput
from app.services.followups.working_days import WorkingCalendar

CALL, VISIT = FollowUpKind.CALL, FollowUpKind.VISIT
NOW = dt.datetime(2026, 12, 1, 9, 0)
CLOSED_ON = dt.date(2026, 12, 6)  # a Sunday; seven days later is Sunday 13/12/2026


@pytest.fixture
def shop(database):
    ana = Rep.create(code="ANA", name="Ana García")
    customer = Customer.create(
        code="C-1", name="Peña Hermanos", rep=ana, address="Calle Mayor 1", city="Madrid"
    )
    return {"ana": ana, "customer": customer}


def _case_ready_to_close(shop) -> int:
    rep, on = shop["ana"].id, dt.date(2026, 12, 1)
    case_id = cases.receive_case(
        CaseKind.COMPLAINT, shop["customer"].id, ContactChannel.EMAIL, on, "No funciona", rep
    )
    cases.analyse_case(case_id, CaseCategory.BILLING, Severity.LOW, rep, on=on)
    cases.propose_solution(case_id, SolutionType.APOLOGY, "Perdón", ContactChannel.EMAIL, rep, on=on)
    cases.record_answer(case_id, ProposalAnswer.ACCEPTED, rep, on=on)
    return case_id


# --- defect 7: one satisfaction call for cases and returns ------------------------------------


def test_a_case_satisfaction_call_lands_on_a_working_day(shop):
    case_id = _case_ready_to_close(shop)
    result = cases.close_case(case_id, shop["ana"].id, on=CLOSED_ON, satisfaction_days=7)
    call = FollowUp.get_by_id(result.satisfaction_follow_up_id)
    nominal = CLOSED_ON + dt.timedelta(days=7)
    assert nominal.weekday() == 6  # the day the copy in cases.py used to pick
    assert call.scheduled_at.date() == WorkingCalendar().to_working_day(nominal) > nominal
    assert call.scheduled_at.time() == followups.default_time_of_day(CALL)
    assert (call.kind, call.purpose, call.case_id) == (CALL, FollowUpPurpose.SATISFACTION, case_id)


def test_closing_a_case_of_an_archived_customer_schedules_no_call(shop):
    case_id = _case_ready_to_close(shop)
    Customer.update(archived=True).where(Customer.id == shop["customer"].id).execute()
    result = cases.close_case(case_id, shop["ana"].id, on=CLOSED_ON, satisfaction_days=7)
    assert result.satisfaction_follow_up_id is None
    assert Case.get_by_id(case_id).closed_on == CLOSED_ON  # the closing stands
    assert FollowUp.select().count() == 0


def test_cases_and_returns_schedule_through_the_same_function():
    """Both closings call followups.schedule_satisfaction_call (no private copy left to drift)."""
    import inspect

    from app.services.cases import workflow as cases
    from app.services.returns import workflow as returns

    for module in (cases, returns):
        assert "schedule_satisfaction_call" in inspect.getsource(module._schedule_satisfaction)
        assert "to_working_day" not in inspect.getsource(module)


# --- defect 8: never two follow-ups of the same kind and purpose for a customer on one day ----


def _product(code: str) -> Product:
    category = ProductCategory.create(code=code, name=code.title())
    steps = [
        PlanStepInput(2, CALL, FollowUpPurpose.DELIVERY),
        PlanStepInput(15, VISIT, FollowUpPurpose.USAGE_CHECK),
    ]
    plans.create_plan(f"Plan {code}", category.id, None, steps)
    return Product.create(sku=f"{code}-1", name=f"{code} 1", category=category, price=Decimal("300"))


def test_a_sale_of_two_planned_categories_gives_one_delivery_call(shop):
    washer, dryer = _product("WASH"), _product("DRY")
    sale = Sale.create(
        number="V-1",
        customer=shop["customer"],
        sold_on=dt.date(2026, 12, 1),
        delivered_on=dt.date(2026, 12, 14),
    )
    for index, product in enumerate((washer, dryer)):
        line = SaleLine.create(sale=sale, product=product, unit_price=Decimal("300"))
        SoldUnit.create(line=line, customer=shop["customer"], product=product, serial_number=f"SN{index}")
    assert plans.apply_plans_for_sale(sale.id) == 2  # one delivery call, one visit: not four
    rows = [(f.kind, f.purpose, f.scheduled_at) for f in FollowUp.select().order_by(FollowUp.scheduled_at)]
    assert len(rows) == len(set(rows)) == 2
    assert plans.apply_plans_for_sale(sale.id) == 0  # applying again still adds nothing


def test_an_ad_hoc_twin_on_the_same_day_is_refused_with_the_reason(shop):
    customer = shop["customer"].id
    at = dt.datetime(2026, 12, 15, 10, 0)
    first = followups.schedule_follow_up(customer, CALL, FollowUpPurpose.COMMERCIAL, at, now=NOW).follow_up_id
    with pytest.raises(DuplicateFollowUpError, match="Peña Hermanos already has a phone call"):
        followups.schedule_follow_up(customer, CALL, FollowUpPurpose.COMMERCIAL, at.replace(hour=17), now=NOW)
    assert FollowUp.select().count() == 1
    # Another day, another purpose or another kind is no twin; nor is a cancelled one.
    followups.schedule_follow_up(
        customer, CALL, FollowUpPurpose.COMMERCIAL, at + dt.timedelta(days=1), now=NOW
    )
    followups.schedule_follow_up(customer, CALL, FollowUpPurpose.WARRANTY, at, now=NOW)
    followups.schedule_follow_up(customer, VISIT, FollowUpPurpose.COMMERCIAL, at, now=NOW)
    followups.cancel_follow_up(first, "Duplicado")
    followups.schedule_follow_up(customer, CALL, FollowUpPurpose.COMMERCIAL, at, now=NOW)
    assert FollowUp.select().count() == 5


def test_a_retry_onto_a_planned_twin_is_refused_by_hand_and_skipped_when_automatic(shop):
    customer = shop["customer"].id
    today = dt.datetime(2026, 12, 15, 9, 0)
    tried = followups.schedule_follow_up(
        customer, CALL, FollowUpPurpose.DELIVERY, today, now=NOW
    ).follow_up_id
    twin = followups.schedule_follow_up(
        customer, CALL, FollowUpPurpose.DELIVERY, dt.datetime(2026, 12, 16, 12, 0), now=NOW
    ).follow_up_id
    result = followups.complete_follow_up(
        tried, FollowUpOutcome.NOT_REACHED, "", None, now=today, schedule_retry=True
    )
    assert result.retry_at.date() == dt.date(2026, 12, 16) and result.retry_id == twin
    assert FollowUp.select().where(FollowUp.state == FollowUpState.PLANNED).count() == 1
    with pytest.raises(DuplicateFollowUpError):
        followups.retry_follow_up(tried, dt.datetime(2026, 12, 16, 17, 0), now=today)


def test_a_call_later_retry_the_same_day_is_allowed(shop):
    customer = shop["customer"].id
    at = dt.datetime(2026, 12, 15, 9, 0)
    call = followups.schedule_follow_up(customer, CALL, FollowUpPurpose.COMMERCIAL, at, now=NOW).follow_up_id
    followups.complete_follow_up(call, FollowUpOutcome.CALL_LATER, "Después de comer", None, now=at)
    retry = followups.retry_follow_up(call, at.replace(hour=16), now=at)
    assert FollowUp.get_by_id(retry).scheduled_at == at.replace(hour=16)


def test_two_closings_on_one_day_give_the_customer_one_satisfaction_call(shop):
    first, second = _case_ready_to_close(shop), _case_ready_to_close(shop)
    one = cases.close_case(first, shop["ana"].id, on=CLOSED_ON, satisfaction_days=7)
    two = cases.close_case(second, shop["ana"].id, on=CLOSED_ON, satisfaction_days=7)
    assert one.satisfaction_follow_up_id == two.satisfaction_follow_up_id is not None
    assert FollowUp.select().where(FollowUp.purpose == FollowUpPurpose.SATISFACTION).count() == 1


# --- issue 21: an ad-hoc follow-up about one of the customer's products --------------------------


def _unit_of(customer: Customer, serial: str) -> int:
    category = ProductCategory.get_or_create(code="LAV", defaults={"name": "Lavado"})[0]
    product = Product.get_or_create(sku="LAV-1", defaults={"name": "Lavadora", "category": category})[0]
    sale = Sale.create(number=f"V-{serial}", customer=customer, sold_on=dt.date(2026, 3, 2))
    line = SaleLine.create(sale=sale, product=product, quantity=1, unit_price=Decimal("499.00"))
    return SoldUnit.create(line=line, customer=customer, product=product, serial_number=serial).id


def test_an_ad_hoc_follow_up_can_be_about_one_of_the_customer_s_units(shop):
    unit_id = _unit_of(shop["customer"], "WM-1")
    result = followups.schedule_follow_up(
        shop["customer"].id,
        CALL,
        FollowUpPurpose.USAGE_CHECK,
        dt.datetime(2026, 12, 2, 10),
        sold_unit_id=unit_id,
        now=NOW,
    )
    row = followups.get_follow_up(result.follow_up_id, NOW)
    assert (row.sold_unit_id, row.product_name, row.serial_number) == (unit_id, "Lavadora", "WM-1")
    plain = followups.schedule_follow_up(
        shop["customer"].id, CALL, FollowUpPurpose.COMMERCIAL, dt.datetime(2026, 12, 2, 11), now=NOW
    )
    assert FollowUp.get_by_id(plain.follow_up_id).sold_unit_id is None  # optional


def test_a_unit_of_another_customer_is_refused_with_the_reason(shop):
    other = Customer.create(code="C-2", name="Bodegas Haro")
    unit_id = _unit_of(other, "FR-3")
    with pytest.raises(ValidationError) as refused:
        followups.schedule_follow_up(
            shop["customer"].id,
            CALL,
            FollowUpPurpose.USAGE_CHECK,
            dt.datetime(2026, 12, 2, 10),
            sold_unit_id=unit_id,
            now=NOW,
        )
    assert refused.value.errors == {"sold_unit_id": "The product is not one this customer bought."}
    assert FollowUp.select().count() == 0
