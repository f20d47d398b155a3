"""Follow-ups: the state rules, scheduling checks, outcomes, the retry policy and the agenda queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import (
    AuditEntry,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Rep,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    SoldUnit,
)
from app.models.enums import FollowUpKind, FollowUpOutcome, FollowUpPurpose, FollowUpState, Segment
from app.services import followups as svc
from app.services.errors import DomainError, NotFoundError, ValidationError
from app.services.followups import ConfirmationRequired, FollowUpAction
from app.services.followups.placement import PlacementConflict

NOW = dt.datetime(2026, 12, 21, 9, 0)  # a Monday
CALL, VISIT, VIDEO = FollowUpKind.CALL, FollowUpKind.VISIT, FollowUpKind.VIDEO
P, D, M, C = FollowUpState.PLANNED, FollowUpState.DONE, FollowUpState.MISSED, FollowUpState.CANCELLED


@pytest.fixture
def people(database):
    ana = Rep.create(code="ANA", name="Ana García")
    luis = Rep.create(code="LUIS", name="Luis Pérez")
    customer = Customer(
        code="C-1",
        name="Peña Hermanos",
        rep=ana,
        phone="911 222 333",
        email="pena@example.com",
        address="Calle Mayor 1",
        postal_code="28013",
        city="Madrid",
        segment=Segment.B,
    )
    customer.save()
    return {"ana": ana, "luis": luis, "customer": customer}


def new_customer(code, name, segment=None, rep=None, address="") -> Customer:
    customer = Customer(code=code, name=name, segment=segment, rep=rep, address=address)
    customer.save()
    return customer


def planned(customer, at, kind=CALL, purpose=FollowUpPurpose.COMMERCIAL, rep=None, **fields) -> FollowUp:
    return FollowUp.create(
        customer=customer, rep=rep or customer.rep, kind=kind, purpose=purpose, scheduled_at=at, **fields
    )


# --- the state machine -------------------------------------------------------------

ALLOWED = {(P, P), (P, D), (P, M), (P, C)}


@pytest.mark.parametrize("source", list(FollowUpState))
@pytest.mark.parametrize("target", list(FollowUpState))
def test_transition_table(source, target):
    assert svc.can_transition(source, target) == ((source, target) in ALLOWED)


def test_allowed_actions_of_a_planned_follow_up(people):
    follow_up = planned(people["customer"], NOW)
    assert svc.allowed_actions(follow_up.id) == [
        FollowUpAction.COMPLETE,
        FollowUpAction.RESCHEDULE,
        FollowUpAction.CANCEL,
        FollowUpAction.MARK_MISSED,
    ]
    with pytest.raises(NotFoundError):
        svc.allowed_actions(999)


@pytest.mark.parametrize("state", [D, M, C])
def test_nothing_leaves_a_final_state(people, state):
    follow_up = planned(
        people["customer"], NOW, state=state, outcome=FollowUpOutcome.REACHED if state is D else None
    )
    assert svc.allowed_actions(follow_up.id) == []
    commands = [
        lambda: svc.complete_follow_up(follow_up.id, FollowUpOutcome.REACHED, "", None, now=NOW),
        lambda: svc.reschedule_follow_up(follow_up.id, NOW + dt.timedelta(days=1), now=NOW),
        lambda: svc.cancel_follow_up(follow_up.id, "No longer needed"),
        lambda: svc.mark_missed(follow_up.id, now=NOW),
    ]
    for command in commands:
        with pytest.raises(DomainError, match=f"already {state.label.lower()}"):
            command()
    assert FollowUp.get_by_id(follow_up.id).state is state


def test_every_allowed_transition_through_the_commands(people):
    customer = people["customer"]
    a, b, c, d = (planned(customer, NOW + dt.timedelta(hours=h)) for h in range(1, 5))
    svc.complete_follow_up(a.id, FollowUpOutcome.REACHED, "All fine", people["ana"].id, now=NOW)
    svc.mark_missed(b.id, "Customer on holiday", people["ana"].id, now=NOW)
    svc.cancel_follow_up(c.id, "Sale cancelled", people["ana"].id)
    svc.reschedule_follow_up(d.id, NOW + dt.timedelta(days=2), now=NOW)
    states = {f.id: f for f in FollowUp.select()}
    assert states[a.id].state is D and states[a.id].outcome is FollowUpOutcome.REACHED
    assert states[a.id].completed_at == NOW and states[a.id].notes == "All fine"
    assert states[b.id].state is M
    assert states[c.id].state is C and states[c.id].cancel_reason == "Sale cancelled"
    assert states[d.id].state is P and states[d.id].scheduled_at == NOW + dt.timedelta(days=2)
    assert AuditEntry.select().where(AuditEntry.entity == "follow_up").count() == 4


def test_cancelling_needs_a_reason(people):
    follow_up = planned(people["customer"], NOW)
    with pytest.raises(ValidationError) as info:
        svc.cancel_follow_up(follow_up.id, "   ")
    assert info.value.errors == {"reason": "Say why the follow-up is cancelled."}
    assert FollowUp.get_by_id(follow_up.id).state is P


# --- scheduling ----------------------------------------------------------------------


def test_scheduling_in_the_past_asks_for_confirmation(people):
    past = NOW - dt.timedelta(hours=1)
    with pytest.raises(ConfirmationRequired, match="in the past"):
        svc.schedule_follow_up(people["customer"].id, CALL, FollowUpPurpose.DELIVERY, past, now=NOW)
    assert FollowUp.select().count() == 0
    result = svc.schedule_follow_up(
        people["customer"].id, CALL, FollowUpPurpose.DELIVERY, past, confirm_past=True, now=NOW
    )
    follow_up = FollowUp.get_by_id(result.follow_up_id)
    assert follow_up.rep_id == people["ana"].id  # the customer's rep by default
    assert follow_up.scheduled_at == past
    assert result.warnings == ()
    # Rescheduling into the past asks too.
    with pytest.raises(ConfirmationRequired):
        svc.reschedule_follow_up(follow_up.id, past - dt.timedelta(days=1), now=NOW)


def test_scheduling_validates_its_input(people):
    with pytest.raises(ValidationError) as info:
        svc.schedule_follow_up(
            people["customer"].id, "fax", "gossip", NOW, duration_minutes=0, rep_id=999, now=NOW
        )
    assert set(info.value.errors) == {"kind", "purpose", "duration_minutes", "rep_id"}
    with pytest.raises(NotFoundError):
        svc.schedule_follow_up(999, CALL, FollowUpPurpose.DELIVERY, NOW, now=NOW)


def test_a_visit_takes_the_customers_address_or_warns_without_one(people):
    later = NOW + dt.timedelta(days=1)
    result = svc.schedule_follow_up(people["customer"].id, VISIT, FollowUpPurpose.USAGE_CHECK, later, now=NOW)
    assert result.warnings == ()
    assert FollowUp.get_by_id(result.follow_up_id).place == "Calle Mayor 1, 28013 Madrid"
    nowhere = new_customer("C-2", "Sin Dirección", rep=people["ana"])
    result = svc.schedule_follow_up(
        nowhere.id, VISIT, FollowUpPurpose.USAGE_CHECK, later + dt.timedelta(hours=3), now=NOW
    )
    assert result.warnings == ("The customer has no address: add it before the visit.",)
    assert FollowUp.get_by_id(result.follow_up_id).state is P  # saved all the same


def test_overlapping_visits_of_the_same_rep_are_reported(people):
    other = new_customer("C-2", "Talleres Ruiz", rep=people["ana"], address="Calle Sol 2")
    ten = dt.datetime(2026, 12, 22, 10, 0)
    planned(other, ten, kind=VISIT, duration_minutes=60)
    customer = people["customer"]
    result = svc.schedule_follow_up(
        customer.id, VISIT, FollowUpPurpose.USAGE_CHECK, ten.replace(minute=30), now=NOW
    )
    assert len(result.warnings) == 1
    assert "overlaps the visit to Talleres Ruiz" in result.warnings[0]
    # Back to back, another rep, or a call: no warning.
    assert (
        svc.schedule_follow_up(
            customer.id,
            VISIT,
            FollowUpPurpose.TRAINING,  # another purpose: the same one that day would be a duplicate
            ten.replace(hour=11),
            duration_minutes=30,
            now=NOW,
        ).warnings
        == ()
    )
    luis = people["luis"].id
    assert (
        svc.schedule_follow_up(
            customer.id, VISIT, FollowUpPurpose.WARRANTY, ten, rep_id=luis, now=NOW
        ).warnings
        == ()
    )
    assert svc.schedule_follow_up(customer.id, CALL, FollowUpPurpose.DELIVERY, ten, now=NOW).warnings == ()
    # Moving a visit onto another one asks first (the placement rules), is reported when kept anyway,
    # but never against itself.
    with pytest.raises(PlacementConflict):
        svc.reschedule_follow_up(result.follow_up_id, ten.replace(minute=45), now=NOW)
    moved = svc.reschedule_follow_up(
        result.follow_up_id, ten.replace(minute=45), now=NOW, confirm_placement=True
    )
    assert len(moved.warnings) == 1
    alone = planned(customer, dt.datetime(2026, 12, 23, 10), kind=VISIT)
    assert svc.reschedule_follow_up(alone.id, dt.datetime(2026, 12, 23, 10, 5), now=NOW).warnings == ()


# --- outcomes and surveys ------------------------------------------------------------------


def test_a_satisfaction_call_with_scores_creates_a_survey(people):
    follow_up = planned(people["customer"], NOW, purpose=FollowUpPurpose.SATISFACTION)
    result = svc.complete_follow_up(
        follow_up.id,
        FollowUpOutcome.REACHED,
        "Happy with the oven",
        people["ana"].id,
        satisfaction=4,
        recommend=9,
        now=NOW,
    )
    assert result.state is D and not result.retry_proposed
    survey = SatisfactionSurvey.get_by_id(result.survey_id)
    assert (survey.satisfaction, survey.recommend, survey.follow_up_id) == (4, 9, follow_up.id)
    assert survey.customer_id == people["customer"].id and survey.rep_id == people["ana"].id
    assert survey.taken_on == NOW.date() and survey.comment == "Happy with the oven"


def test_completing_without_scores_creates_no_survey(people):
    follow_up = planned(people["customer"], NOW, purpose=FollowUpPurpose.SATISFACTION)
    result = svc.complete_follow_up(follow_up.id, FollowUpOutcome.REACHED, "", None, now=NOW)
    assert result.survey_id is None
    assert SatisfactionSurvey.select().count() == 0


@pytest.mark.parametrize(
    ("satisfaction", "recommend", "field"),
    [
        (0, None, "satisfaction"),
        (6, None, "satisfaction"),
        (None, -1, "recommend"),
        (None, 11, "recommend"),
        (3.5, None, "satisfaction"),
    ],
)
def test_scores_out_of_range_are_refused(people, satisfaction, recommend, field):
    follow_up = planned(people["customer"], NOW, purpose=FollowUpPurpose.SATISFACTION)
    with pytest.raises(ValidationError) as info:
        svc.complete_follow_up(
            follow_up.id, FollowUpOutcome.REACHED, "", None, satisfaction, recommend, now=NOW
        )
    assert set(info.value.errors) == {field}
    assert FollowUp.get_by_id(follow_up.id).state is P


def test_scores_need_the_customer_reached(people):
    follow_up = planned(people["customer"], NOW, purpose=FollowUpPurpose.SATISFACTION)
    with pytest.raises(ValidationError, match="reached"):
        svc.complete_follow_up(follow_up.id, FollowUpOutcome.VOICEMAIL, "", None, satisfaction=3, now=NOW)


# --- retries -------------------------------------------------------------------------------


def test_not_reached_retries_on_the_next_working_day_then_the_chain_is_missed(people):
    ana = people["ana"].id
    first = planned(people["customer"], dt.datetime(2026, 12, 24, 10, 30))
    christmas_eve = dt.datetime(2026, 12, 24, 10, 35)  # Thursday; the 25th is a holiday

    result = svc.complete_follow_up(
        first.id, FollowUpOutcome.NOT_REACHED, "No answer", ana, now=christmas_eve
    )
    assert (result.state, result.retry_proposed, result.chain_missed) == (D, True, False)
    assert result.retry_at == dt.datetime(2026, 12, 28, 10, 30)
    assert result.retry_id is None  # only proposed
    assert FollowUpAction.RETRY in svc.allowed_actions(first.id)

    second_id = svc.retry_follow_up(first.id, acting_rep_id=ana, now=christmas_eve)
    second = FollowUp.get_by_id(second_id)
    assert (second.attempt, second.retry_of_id, second.state) == (2, first.id, P)
    assert second.scheduled_at == dt.datetime(2026, 12, 28, 10, 30)
    assert second.plan_step_id is None
    with pytest.raises(DomainError, match="already scheduled"):
        svc.retry_follow_up(first.id, now=christmas_eve)
    assert FollowUpAction.RETRY not in svc.allowed_actions(first.id)

    monday = dt.datetime(2026, 12, 28, 10, 31)
    result = svc.complete_follow_up(
        second_id, FollowUpOutcome.VOICEMAIL, "", ana, now=monday, schedule_retry=True
    )
    assert result.state is D and result.retry_id is not None
    third = FollowUp.get_by_id(result.retry_id)
    assert (third.attempt, third.scheduled_at) == (3, dt.datetime(2026, 12, 29, 10, 30))

    result = svc.complete_follow_up(
        third.id, FollowUpOutcome.NOT_REACHED, "", ana, now=dt.datetime(2026, 12, 29, 10, 31)
    )
    assert (result.state, result.retry_proposed, result.chain_missed) == (M, False, True)
    last = FollowUp.get_by_id(third.id)
    assert (last.state, last.outcome) == (M, FollowUpOutcome.NOT_REACHED)
    assert svc.allowed_actions(third.id) == []
    with pytest.raises(DomainError):
        svc.retry_follow_up(third.id, now=dt.datetime(2026, 12, 29, 11))
    assert FollowUp.select().count() == 3


def test_max_attempts_is_a_company_setting(people):
    assert svc.max_attempts() == svc.DEFAULT_MAX_ATTEMPTS == 3
    svc.set_max_attempts(1)
    assert svc.max_attempts() == 1
    follow_up = planned(people["customer"], NOW)
    result = svc.complete_follow_up(follow_up.id, FollowUpOutcome.WRONG_NUMBER, "", None, now=NOW)
    assert result.chain_missed and result.state is M
    with pytest.raises(ValidationError):
        svc.set_max_attempts(0)


def test_reached_proposes_no_retry_and_call_later_does(people):
    reached = planned(people["customer"], NOW)
    result = svc.complete_follow_up(reached.id, FollowUpOutcome.REACHED, "", None, now=NOW)
    assert not result.retry_proposed
    with pytest.raises(DomainError, match="without reaching"):
        svc.retry_follow_up(reached.id, now=NOW)
    later = planned(people["customer"], NOW)
    result = svc.complete_follow_up(later.id, FollowUpOutcome.CALL_LATER, "After lunch", None, now=NOW)
    assert result.retry_proposed and result.state is D
    retry_id = svc.retry_follow_up(later.id, dt.datetime(2026, 12, 21, 16, 0), now=NOW)
    assert FollowUp.get_by_id(retry_id).scheduled_at == dt.datetime(2026, 12, 21, 16, 0)


# --- agenda queries ------------------------------------------------------------------------


@pytest.fixture
def day_of_work(people):
    """Ana's Tuesday 22/12/2026 plus some of Luis's, across customers of every segment."""
    ana, luis = people["ana"], people["luis"]
    category = ProductCategory.create(code="K", name="Cocinas")
    product = Product.create(sku="OVEN-1", name="Horno H1", category=category)
    b = people["customer"]  # segment B
    a = new_customer("C-A", "Zapatería Alta", Segment.A, ana)
    c = new_customer("C-C", "Ana Baja", Segment.C, ana)
    none = new_customer("C-N", "Aaron Nuevo", None, ana)
    sale = Sale.create(
        number="V-1", customer=b, sold_on=dt.date(2026, 12, 1), delivered_on=dt.date(2026, 12, 3)
    )
    line = SaleLine.create(sale=sale, product=product, unit_price=Decimal("1"))
    unit = SoldUnit.create(line=line, customer=b, product=product, serial_number="SN-42")
    ten = dt.datetime(2026, 12, 22, 10, 0)
    rows = {
        "none": planned(none, ten),
        "c": planned(c, ten),
        "b": planned(b, ten, kind=VISIT, purpose=FollowUpPurpose.USAGE_CHECK, sold_unit=unit),
        "a": planned(a, ten),
        "early": planned(c, ten.replace(hour=9), purpose=FollowUpPurpose.SATISFACTION),
        "done": planned(a, ten.replace(hour=12), state=D, outcome=FollowUpOutcome.REACHED),
        "luis": planned(b, ten, rep=luis),
        "old": planned(a, dt.datetime(2026, 12, 18, 10, 0)),  # overdue
        "next_week": planned(a, dt.datetime(2026, 12, 29, 10, 0)),
    }
    return rows


def ids(rows) -> list[int]:
    return [r.id for r in rows]


def test_agenda_orders_by_time_then_customer_value(people, day_of_work):
    w = day_of_work
    day = dt.datetime(2026, 12, 22)
    rows = svc.agenda(people["ana"].id, day, day + dt.timedelta(days=1), now=dt.datetime(2026, 12, 22, 9, 30))
    assert ids(rows) == [w[k].id for k in ("early", "a", "b", "c", "none", "done")]
    first, visit = rows[0], rows[2]
    assert first.overdue and not rows[1].overdue and not rows[-1].overdue  # 9:00 is past at 9:30; done never
    assert (visit.customer_name, visit.segment, visit.phone, visit.email) == (
        "Peña Hermanos",
        Segment.B,
        "911 222 333",
        "pena@example.com",
    )
    assert (visit.product_name, visit.serial_number, visit.kind, visit.state) == (
        "Horno H1",
        "SN-42",
        VISIT,
        P,
    )
    assert visit.address == "Calle Mayor 1, 28013 Madrid" and visit.location == visit.address
    assert visit.rep_code == "ANA" and visit.ends_at == visit.scheduled_at + dt.timedelta(minutes=15)
    assert rows[1].location == ""  # calls have no location


def test_agenda_filters(people, day_of_work):
    w = day_of_work
    day, next_day = dt.datetime(2026, 12, 22), dt.datetime(2026, 12, 23)
    every_rep = svc.agenda(None, day, next_day, now=NOW)
    assert w["luis"].id in ids(every_rep) and len(every_rep) == 7
    assert ids(svc.agenda(people["ana"].id, day, next_day, kinds=[VISIT], now=NOW)) == [w["b"].id]
    assert ids(
        svc.agenda(people["ana"].id, day, next_day, purposes=[FollowUpPurpose.SATISFACTION], now=NOW)
    ) == [w["early"].id]
    assert w["done"].id not in ids(svc.agenda(people["ana"].id, day, next_day, states=[P], now=NOW))


def test_overdue_and_upcoming(people, day_of_work):
    w = day_of_work
    ana = people["ana"].id
    at_eleven = dt.datetime(2026, 12, 22, 11, 0)
    overdue = svc.overdue_follow_ups(ana, at_eleven)
    assert ids(overdue) == [w[k].id for k in ("old", "early", "a", "b", "c", "none")]
    assert all(r.overdue for r in overdue)
    assert svc.overdue_count(ana, at_eleven) == 6
    assert svc.overdue_count(None, at_eleven) == 7  # with Luis's
    assert ids(svc.upcoming(ana, at_eleven, days=6)) == []  # next week's is 6 days and 23 h away
    assert ids(svc.upcoming(ana, at_eleven, days=7)) == [w["next_week"].id]
    assert ids(svc.upcoming(ana, dt.datetime(2026, 12, 22, 9, 30), days=1)) == [
        w[k].id for k in ("a", "b", "c", "none")
    ]
    assert svc.get_follow_up(w["b"].id, now=at_eleven).overdue


@pytest.mark.sqlite_only("SQLite's query planner (EXPLAIN QUERY PLAN)")
def test_agenda_uses_the_indexes(people, day_of_work):
    """The rep's agenda walks (rep, state, scheduled_at); all reps' walks (state, scheduled_at)."""
    from app.models import db

    start, end = dt.datetime(2026, 12, 22), dt.datetime(2026, 12, 23)
    for rep_id, index in (
        (people["ana"].id, "follow_up_rep_id_state_scheduled_at"),
        (None, "follow_up_state_scheduled_at"),
    ):
        query = svc.agenda_query(rep_id, svc.ALL_STATES, None, None).where(
            (FollowUp.scheduled_at >= start) & (FollowUp.scheduled_at < end)
        )
        sql, params = query.sql()
        plan = " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        assert f"USING INDEX {index}" in plan, plan


# --- issue 13 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when", [dt.datetime(9999, 12, 31, 10), dt.datetime(1, 1, 1, 10), dt.datetime(2206, 5, 4, 10)]
)
def test_follow_up_dates_are_limited_to_a_sensible_range(people, when):
    """Defect 14: a date the arithmetic cannot survive (9999-12-31) or a slip (2206) is refused."""
    expected = {"scheduled_at": f"Choose a date between 2000 and {dt.date.today().year + 1}."}
    with pytest.raises(ValidationError) as refused:
        svc.schedule_follow_up(
            people["customer"].id, CALL, FollowUpPurpose.COMMERCIAL, when, confirm_past=True, now=NOW
        )
    assert refused.value.errors == expected
    follow_up = planned(people["customer"], NOW)
    with pytest.raises(ValidationError) as refused:
        svc.reschedule_follow_up(follow_up.id, when, confirm_past=True, now=NOW)
    assert refused.value.errors == expected


def test_a_visit_cannot_end_with_a_phone_outcome(people):
    follow_up = planned(people["customer"], NOW, kind=VISIT)
    assert svc.outcomes_for(FollowUpKind.VISIT) == (FollowUpOutcome.REACHED, FollowUpOutcome.NOT_REACHED)
    for outcome in (FollowUpOutcome.VOICEMAIL, FollowUpOutcome.WRONG_NUMBER, FollowUpOutcome.CALL_LATER):
        with pytest.raises(ValidationError) as refused:
            svc.complete_follow_up(follow_up.id, outcome, "", None, now=NOW)
        assert "outcome" in refused.value.errors
    assert FollowUp.get_by_id(follow_up.id).state is FollowUpState.PLANNED
    svc.complete_follow_up(follow_up.id, FollowUpOutcome.NOT_REACHED, "Nobody there", None, now=NOW)
