"""Where automatic follow-ups land (issue 21): working days of the region, working hours, a daily
capacity per rep and free hours for visits, by one function that every creator uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from app.models import Customer, FollowUp, Product, ProductCategory, Sale, SaleLine, SoldUnit
from app.models.enums import (
    CaseCategory,
    CaseKind,
    ContactChannel,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    ProposalAnswer,
    ReturnReason,
    ReturnState,
    Severity,
    SolutionType,
)
from app.services import cases, followups
from app.services.company import load_company_settings, save_company_settings
from app.services.errors import ValidationError
from app.services.followups import placement, plans
from app.services.followups.placement import PlacementBook, PlacementConflict, PlacementRules, place_follow_up
from app.services.followups.plans import PlanStepInput
from app.services.followups.working_days import WorkingCalendar
from app.services.reps import RepInput, create_rep, update_rep
from app.services.returns import advance_return, open_return
from app.services.sales import SaleLineInput, record_sale

CALL, VISIT = FollowUpKind.CALL, FollowUpKind.VISIT
WEDNESDAY = dt.date(2026, 11, 11)  # in the past: cases and returns refuse future dates
THURSDAY, FRIDAY = WEDNESDAY + dt.timedelta(days=1), WEDNESDAY + dt.timedelta(days=2)
SUNDAY, MONDAY = WEDNESDAY + dt.timedelta(days=4), WEDNESDAY + dt.timedelta(days=5)


def rules(capacity: int = 3, start=dt.time(9), end=dt.time(18), country="ES", subdivision="MD"):
    return PlacementRules(WorkingCalendar(country, subdivision), start, end, capacity)


@pytest.fixture
def shop(database):
    ana, luis = create_rep("ANA", "Ana García"), create_rep("LUIS", "Luis Pérez")
    customer = Customer.create(code="C-1", name="Peña Hermanos", rep=ana.id, address="Calle Mayor 1")
    return {"ana": ana, "luis": luis, "customer": customer}


def planned(shop, at: dt.datetime, kind=CALL, minutes=15, rep=None, state=FollowUpState.PLANNED) -> FollowUp:
    return FollowUp.create(
        customer=shop["customer"].id,
        rep=(rep or shop["ana"]).id,
        kind=kind,
        purpose=FollowUpPurpose.COMMERCIAL,
        scheduled_at=at,
        duration_minutes=minutes,
        state=state,
    )


def fill(shop, day: dt.date, count: int, rep=None) -> None:
    for index in range(count):
        planned(shop, dt.datetime.combine(day, dt.time(9 + index % 8, 5)), rep=rep)


# --- the function on its own ---------------------------------------------------------------------


def test_a_weekend_or_a_holiday_moves_to_the_next_working_day(shop):
    book = PlacementBook(rules())
    ana = shop["ana"].id
    # The kind's usual time: 10:00 for a call, 11:00 for a visit.
    assert book.place(ana, SUNDAY, CALL, 15) == dt.datetime.combine(MONDAY, dt.time(10))
    saturday = SUNDAY - dt.timedelta(days=1)
    assert book.place(ana, saturday, VISIT, 60) == dt.datetime.combine(MONDAY, dt.time(11))
    # Maundy Thursday and Good Friday 2027 (25 and 26 March) are holidays in Madrid: Monday 29.
    assert book.place(ana, dt.date(2027, 3, 25), CALL, 15).date() == dt.date(2027, 3, 29)


def test_the_holidays_are_the_regions(shop):
    # 30 May 2028 (a Tuesday) is the Canary Islands' day: a working day in Madrid.
    canary, madrid = PlacementBook(rules(country="ES", subdivision="CN")), PlacementBook(rules())
    tuesday = dt.date(2028, 5, 30)
    assert madrid.place(shop["ana"].id, tuesday, CALL, 15).date() == tuesday
    assert canary.place(shop["ana"].id, tuesday, CALL, 15).date() == tuesday + dt.timedelta(days=1)


def test_times_are_kept_inside_the_working_hours(shop):
    book = PlacementBook(rules(start=dt.time(9), end=dt.time(14)))
    ana = shop["ana"].id
    at = dt.datetime.combine(WEDNESDAY, dt.time(7, 30))
    assert book.place(ana, at, CALL, 15) == dt.datetime.combine(WEDNESDAY, dt.time(9))
    assert book.place(ana, at.replace(hour=16), CALL, 15) == dt.datetime.combine(WEDNESDAY, dt.time(13, 45))
    noon = dt.datetime.combine(WEDNESDAY, dt.time(12))
    assert book.place(ana, noon, VISIT, 90) == noon
    assert book.place(ana, noon.replace(hour=13), VISIT, 90) == noon.replace(minute=30)  # ends at 14:00


def test_a_full_day_sends_the_follow_up_to_the_next_working_day_with_room(shop):
    ana = shop["ana"].id
    fill(shop, WEDNESDAY, 3)
    fill(shop, THURSDAY, 3)
    fill(shop, FRIDAY, 2)
    planned(shop, dt.datetime.combine(FRIDAY, dt.time(12)), state=FollowUpState.CANCELLED)  # not counted
    planned(shop, dt.datetime.combine(FRIDAY, dt.time(13)), state=FollowUpState.DONE)  # nor this
    book = PlacementBook(rules(capacity=3))
    slot = book.place(ana, WEDNESDAY, CALL, 15)
    assert slot == dt.datetime.combine(FRIDAY, dt.time(10))
    book.note(ana, slot, CALL, 15)  # Friday is full now
    assert book.place(ana, WEDNESDAY, CALL, 15).date() == MONDAY
    # Another rep's days are their own.
    assert book.place(shop["luis"].id, WEDNESDAY, CALL, 15).date() == WEDNESDAY
    # A follow-up for nobody is only kept to working days and hours.
    assert book.place(None, WEDNESDAY, CALL, 15).date() == WEDNESDAY


def test_never_before_today(shop):
    book = PlacementBook(rules())
    slot = book.place(shop["ana"].id, dt.date(2026, 10, 1), CALL, 15, MONDAY)
    assert slot == dt.datetime.combine(MONDAY, dt.time(10))


def test_two_visits_of_one_rep_never_share_an_hour(shop):
    ana = shop["ana"].id
    planned(shop, dt.datetime.combine(WEDNESDAY, dt.time(11)), VISIT, 60)
    planned(shop, dt.datetime.combine(WEDNESDAY, dt.time(12, 30)), VISIT, 30)
    planned(shop, dt.datetime.combine(WEDNESDAY, dt.time(11)), CALL, 15)  # a call does not take the hour
    book = PlacementBook(rules(capacity=20))
    taken = []
    for _index in range(7):  # 9:00–18:00 has room for nine one-hour visits; two hours are taken
        slot = book.place(ana, WEDNESDAY, VISIT, 60)
        book.note(ana, slot, VISIT, 60)
        taken.append(slot)
    hours = [slot.hour for slot in taken]
    assert hours == [13, 14, 15, 16, 17, 10, 9]  # after the wanted 11:00 first, then before it
    assert all(slot.minute == 0 and slot.date() == WEDNESDAY for slot in taken)
    assert book.place(ana, WEDNESDAY, VISIT, 60) == dt.datetime.combine(THURSDAY, dt.time(11))
    # A call still fits that day; another rep's visit at 11:00 too.
    assert book.place(ana, WEDNESDAY, CALL, 15).date() == WEDNESDAY
    assert book.place(shop["luis"].id, WEDNESDAY, VISIT, 60) == dt.datetime.combine(WEDNESDAY, dt.time(11))


def test_a_full_year_end_moves_into_the_next_year(shop):
    # Thursday 31/12/2026 full; 1/1/2027 is a holiday, then a weekend: Monday 4/1/2027.
    fill(shop, dt.date(2026, 12, 31), 3)
    book = PlacementBook(rules(capacity=3))
    assert book.place(shop["ana"].id, dt.date(2026, 12, 31), CALL, 15) == dt.datetime(2027, 1, 4, 10)


def test_a_command_reads_a_reps_days_in_one_query(shop):
    book = PlacementBook(rules())
    days = [WEDNESDAY, WEDNESDAY + dt.timedelta(days=90), WEDNESDAY + dt.timedelta(days=330)]
    book.prepare(shop["ana"].id, days)
    for day in days:
        book.place(shop["ana"].id, day, CALL, 15)
    assert book.queries == 1


def test_a_batch_reads_each_window_once_for_many_sales(shop):
    category = ProductCategory.create(code="WASH", name="Lavadoras")
    steps = [
        PlanStepInput(2, CALL, FollowUpPurpose.DELIVERY),
        PlanStepInput(90, CALL, FollowUpPurpose.SATISFACTION),
    ]
    plans.create_plan("Plan", category.id, None, steps)
    product = Product.create(sku="W-1", name="Lavadora", category=category, price=Decimal("300"))
    sales = []
    for n in range(20):  # twenty customers of Ana's (one customer's twin calls would be skipped)
        customer = Customer.create(code=f"C-{n + 2}", name=f"Cliente {n}", rep=shop["ana"].id)
        sales.append(_sale(dict(shop, customer=customer), product, f"V-{n}", WEDNESDAY))
    with placement.batch() as book:
        for sale_id in sales:
            assert plans.apply_plans_for_sale(sale_id) == 2
    assert book.queries <= 4  # the two steps' windows, and the days after the first full ones
    by_day = {}
    for follow_up in FollowUp.select():
        by_day[follow_up.scheduled_at.date()] = by_day.get(follow_up.scheduled_at.date(), 0) + 1
    assert max(by_day.values()) <= load_company_settings().daily_capacity


def test_the_settings_are_validated(database):
    settings = load_company_settings()
    assert (settings.working_hours_start, settings.working_hours_end, settings.daily_capacity) == (
        "08:00",
        "20:00",
        40,
    )
    with pytest.raises(ValidationError) as refused:
        save_company_settings(
            replace(settings, working_hours_start="9h", working_hours_end="25:00", daily_capacity=0)
        )
    assert set(refused.value.errors) >= {"working_hours_start", "working_hours_end", "daily_capacity"}
    with pytest.raises(ValidationError) as refused:
        save_company_settings(replace(settings, working_hours_start="13:30", working_hours_end="14:00"))
    assert "an hour after" in refused.value.errors["working_hours_end"]
    save_company_settings(
        replace(settings, working_hours_start="9:00", working_hours_end="14:00", daily_capacity=5)
    )
    stored = PlacementRules.from_settings()
    assert (stored.start, stored.end, stored.capacity) == (dt.time(9), dt.time(14), 5)


# --- every creator places through the same function ------------------------------------------------


def _sale(shop, product, number: str, delivered_on: dt.date) -> int:
    sale = Sale.create(
        number=number, customer=shop["customer"], sold_on=delivered_on, delivered_on=delivered_on
    )
    line = SaleLine.create(sale=sale, product=product, unit_price=Decimal("300"))
    SoldUnit.create(line=line, customer=shop["customer"], product=product, serial_number=f"SN-{number}")
    return sale.id


def by_plan(shop, wanted: dt.date) -> int:
    category = ProductCategory.create(code="OVEN", name="Hornos")
    plans.create_plan("Plan", category.id, None, [PlanStepInput(0, CALL, FollowUpPurpose.DELIVERY)])
    product = Product.create(sku="H-1", name="Horno", category=category, price=Decimal("300"))
    sale_id = _sale(shop, product, "V-1", wanted)
    plans.apply_plans_for_sale(sale_id)
    return FollowUp.get(FollowUp.plan_step.is_null(False)).id


def _not_reached(shop, wanted: dt.date) -> tuple[int, dt.datetime]:
    """A call the day before `wanted`, done without reaching the customer that day."""
    before = dt.datetime.combine(wanted - dt.timedelta(days=1), dt.time(10))
    call = FollowUp.create(
        customer=shop["customer"].id,
        rep=shop["ana"].id,
        kind=CALL,
        purpose=FollowUpPurpose.DELIVERY,
        scheduled_at=before,
    )
    return call.id, before.replace(hour=12)


def by_proposed_retry(shop, wanted: dt.date) -> int:
    call_id, now = _not_reached(shop, wanted)
    result = followups.complete_follow_up(
        call_id, FollowUpOutcome.NOT_REACHED, "", None, now=now, schedule_retry=True
    )
    assert result.retry_at == FollowUp.get_by_id(result.retry_id).scheduled_at
    return result.retry_id


def by_retry_command(shop, wanted: dt.date) -> int:
    call_id, now = _not_reached(shop, wanted)
    followups.complete_follow_up(call_id, FollowUpOutcome.VOICEMAIL, "", None, now=now)
    return followups.retry_follow_up(call_id, now=now)


def by_case(shop, wanted: dt.date) -> int:
    rep, on = shop["ana"].id, wanted - dt.timedelta(days=7)
    case_id = cases.receive_case(
        CaseKind.COMPLAINT, shop["customer"].id, ContactChannel.EMAIL, on, "Ruido", rep
    )
    cases.analyse_case(case_id, CaseCategory.BILLING, Severity.LOW, rep, on=on)
    cases.propose_solution(case_id, SolutionType.APOLOGY, "Perdón", ContactChannel.EMAIL, rep, on=on)
    cases.record_answer(case_id, ProposalAnswer.ACCEPTED, rep, on=on)
    return cases.close_case(case_id, rep, on=on, satisfaction_days=7).satisfaction_follow_up_id


def by_return(shop, wanted: dt.date) -> int:
    closed = dt.datetime.combine(wanted - dt.timedelta(days=7), dt.time(17))  # seven days: the default
    category = ProductCategory.create(code="WASH", name="Lavadoras")
    product = Product.create(sku="L-1", name="Lavadora", category=category, warranty_months=24)
    delivered = closed.date() - dt.timedelta(days=30)
    line = SaleLineInput(product.id, 1, Decimal("499.00"), ["SN-R"])
    record_sale(shop["customer"].id, shop["ana"].id, delivered, delivered, [line], today=delivered)
    unit_id = SoldUnit.get(SoldUnit.serial_number == "SN-R").id
    reported = closed.date() - dt.timedelta(days=5)
    return_id = open_return(
        unit_id, ReturnReason.FAILURE_IN_USE, "No centrifuga", reported, None, today=reported
    )
    RS = ReturnState
    advance_return(return_id, RS.RECEIVED, None, at=closed - dt.timedelta(days=4))
    advance_return(return_id, RS.INSPECTED, None, inspection_note="Correa", at=closed - dt.timedelta(days=3))
    for step, state in enumerate((RS.APPROVED, RS.REPAIRED, RS.RETURNED_TO_CUSTOMER)):
        advance_return(return_id, state, None, at=closed - dt.timedelta(days=2, hours=-step))
    advance_return(return_id, RS.CLOSED, None, at=closed)
    return FollowUp.get(FollowUp.warranty_return == return_id).id


CREATORS = [by_plan, by_proposed_retry, by_retry_command, by_case, by_return]


@pytest.fixture
def small_capacity(shop):
    save_company_settings(replace(load_company_settings(), daily_capacity=3))
    return shop


@pytest.mark.parametrize("create", CREATORS, ids=lambda f: f.__name__)
def test_every_creator_moves_off_a_full_day(small_capacity, create):
    shop = small_capacity
    fill(shop, WEDNESDAY, 3)
    fill(shop, THURSDAY, 3)
    created = FollowUp.get_by_id(create(shop, WEDNESDAY))
    assert created.rep_id == shop["ana"].id
    assert created.scheduled_at.date() == FRIDAY  # the next working day with room


@pytest.mark.parametrize("create", CREATORS, ids=lambda f: f.__name__)
def test_every_creator_moves_a_sunday_to_monday(small_capacity, create):
    created = FollowUp.get_by_id(create(small_capacity, SUNDAY))
    assert created.scheduled_at.date() == MONDAY
    assert dt.time(8) <= created.scheduled_at.time() <= dt.time(20)


@pytest.mark.parametrize("create", CREATORS, ids=lambda f: f.__name__)
def test_every_creator_calls_the_one_placement(small_capacity, create, monkeypatch):
    """The table above passes because each creator asks PlacementBook.place, not a copy of it."""
    asked = []
    original = PlacementBook.place

    def spy(self, rep_id, wanted, kind, minutes, today=None, **kwargs):
        asked.append((rep_id, kind))
        return original(self, rep_id, wanted, kind, minutes, today, **kwargs)

    monkeypatch.setattr(PlacementBook, "place", spy)
    create(small_capacity, WEDNESDAY)
    assert asked and asked[-1] == (small_capacity["ana"].id, CALL)


def test_plan_visits_of_one_rep_never_share_an_hour(shop):
    category = ProductCategory.create(code="SOFA", name="Sofás")
    plans.create_plan("Plan", category.id, None, [PlanStepInput(0, VISIT, FollowUpPurpose.USAGE_CHECK)])
    product = Product.create(sku="S-1", name="Sofá", category=category, price=Decimal("900"))
    for number in range(4):
        customer = Customer.create(code=f"C-{number + 2}", name=f"Cliente {number}", rep=shop["ana"].id)
        sale = Sale.create(number=f"V-{number}", customer=customer, sold_on=WEDNESDAY, delivered_on=WEDNESDAY)
        line = SaleLine.create(sale=sale, product=product, unit_price=Decimal("900"))
        SoldUnit.create(line=line, customer=customer, product=product, serial_number=f"SN-{number}")
        plans.apply_plans_for_sale(sale.id)
    starts = sorted(f.scheduled_at for f in FollowUp.select())
    assert starts == [dt.datetime.combine(WEDNESDAY, dt.time(hour)) for hour in (11, 12, 13, 14)]


def test_place_follow_up_reads_the_company_settings(shop):
    save_company_settings(replace(load_company_settings(), working_hours_start="12:00", daily_capacity=1))
    fill(shop, WEDNESDAY, 1)
    assert place_follow_up(shop["ana"].id, WEDNESDAY, CALL, 15) == dt.datetime.combine(THURSDAY, dt.time(12))


# --- rescheduling warns ------------------------------------------------------------------------------


def test_rescheduling_onto_a_bad_slot_warns_and_proposes_the_next_free_one(small_capacity):
    shop = small_capacity
    now = dt.datetime(2026, 11, 3, 9)
    call = planned(shop, dt.datetime.combine(WEDNESDAY, dt.time(10)))
    visit = planned(shop, dt.datetime.combine(WEDNESDAY, dt.time(11)), VISIT, 60)
    cases_ = [
        (
            call,
            dt.datetime.combine(SUNDAY, dt.time(10)),
            "not a working day",
            dt.datetime.combine(MONDAY, dt.time(10)),
        ),
        (
            call,
            dt.datetime.combine(THURSDAY, dt.time(21)),
            "outside the working hours",
            dt.datetime.combine(THURSDAY, dt.time(19, 45)),
        ),
        (
            visit,
            dt.datetime.combine(WEDNESDAY, dt.time(10, 30)),
            None,
            None,
        ),  # its own hour: no clash with itself
    ]
    for follow_up, at, problem, proposed in cases_:
        if problem is None:
            followups.reschedule_follow_up(follow_up.id, at, now=now)
            continue
        with pytest.raises(PlacementConflict) as warned:
            followups.reschedule_follow_up(follow_up.id, at, now=now)
        assert problem in str(warned.value) and warned.value.proposed == proposed
        assert FollowUp.get_by_id(follow_up.id).scheduled_at.date() == WEDNESDAY  # nothing moved
    # A full day and another visit's hour.
    fill(shop, FRIDAY, 3)
    with pytest.raises(PlacementConflict, match="already has 3 follow-ups") as warned:
        followups.reschedule_follow_up(call.id, dt.datetime.combine(FRIDAY, dt.time(10)), now=now)
    assert warned.value.proposed == dt.datetime.combine(MONDAY, dt.time(10))
    other = planned(shop, dt.datetime.combine(THURSDAY, dt.time(16)), VISIT, 60)
    with pytest.raises(PlacementConflict, match="visit in that hour") as warned:
        followups.reschedule_follow_up(visit.id, dt.datetime.combine(THURSDAY, dt.time(16, 30)), now=now)
    assert warned.value.proposed == dt.datetime.combine(THURSDAY, dt.time(17))
    # Confirmed, it goes ahead anyway.
    followups.reschedule_follow_up(
        visit.id, dt.datetime.combine(THURSDAY, dt.time(16, 30)), now=now, confirm_placement=True
    )
    assert FollowUp.get_by_id(visit.id).scheduled_at == dt.datetime.combine(THURSDAY, dt.time(16, 30))
    assert other.id


# --- a rep's own working hours -----------------------------------------------------------------------


def test_a_rep_with_hours_of_her_own_gets_follow_ups_inside_them(shop):
    """Ana works 14:00–19:00; Luis the company's 08:00–20:00 (the settings' defaults)."""
    ana, luis = shop["ana"].id, shop["luis"].id
    update_rep(ana, RepInput("Ana García", working_hours_start=dt.time(14), working_hours_end=dt.time(19)))
    stored = PlacementRules.from_settings()
    assert stored.hours(ana) == (dt.time(14), dt.time(19))
    assert stored.hours(luis) == stored.hours(None) == (dt.time(8), dt.time(20))
    book = PlacementBook(stored)
    morning = dt.datetime.combine(WEDNESDAY, dt.time(10))
    assert book.place(ana, morning, CALL, 15) == dt.datetime.combine(WEDNESDAY, dt.time(14))
    assert book.place(luis, morning, CALL, 15) == morning
    # The usual time of a day's visit (11:00) moves into her afternoon; one ending after 19:00 starts earlier.
    assert book.place(ana, WEDNESDAY, VISIT, 60) == dt.datetime.combine(WEDNESDAY, dt.time(14))
    evening = dt.datetime.combine(WEDNESDAY, dt.time(18, 30))
    assert book.place(ana, evening, VISIT, 60) == dt.datetime.combine(WEDNESDAY, dt.time(18))
    assert book.place(luis, evening, VISIT, 60) == evening
    # Her visits' free hours are looked for within her hours only: 14–19 full, the next working day.
    for hour in range(14, 19):
        planned(shop, dt.datetime.combine(THURSDAY, dt.time(hour)), VISIT, 60)
    assert PlacementBook(stored).place(ana, dt.datetime.combine(THURSDAY, dt.time(15)), VISIT, 60) == (
        dt.datetime.combine(FRIDAY, dt.time(15))
    )
    # Every creator asks the same rules: a plan's call for her lands in her hours.
    assert place_follow_up(ana, dt.datetime.combine(FRIDAY, dt.time(9)), CALL, 15) == dt.datetime.combine(
        FRIDAY, dt.time(14)
    )


def test_rescheduling_outside_a_rep_s_own_hours_names_them(shop):
    now = dt.datetime(2026, 11, 3, 9)
    ana = shop["ana"].id
    update_rep(ana, RepInput("Ana García", working_hours_start=dt.time(14), working_hours_end=dt.time(19)))
    call = planned(shop, dt.datetime.combine(WEDNESDAY, dt.time(15)))
    with pytest.raises(PlacementConflict) as warned:
        followups.reschedule_follow_up(call.id, dt.datetime.combine(THURSDAY, dt.time(9)), now=now)
    message = str(warned.value)
    assert "09:00 is outside the rep's own working hours (14:00–19:00)." in message
    assert warned.value.proposed == dt.datetime.combine(THURSDAY, dt.time(14))
    # 9:00 is inside the company's hours: a rep without hours of her own moves there silently.
    luis_call = planned(shop, dt.datetime.combine(WEDNESDAY, dt.time(15)), rep=shop["luis"])
    followups.reschedule_follow_up(luis_call.id, dt.datetime.combine(THURSDAY, dt.time(9)), now=now)
    # Back to the company's hours: the same slot is fine for her too.
    update_rep(ana, RepInput("Ana García"))
    followups.reschedule_follow_up(call.id, dt.datetime.combine(THURSDAY, dt.time(9)), now=now)
    assert FollowUp.get_by_id(call.id).scheduled_at == dt.datetime.combine(THURSDAY, dt.time(9))
