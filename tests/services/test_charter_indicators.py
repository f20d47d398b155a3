"""Charter indicators measured against a dataset built by hand (March 2026, today 31/03/2026)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import (
    Case,
    CharterCommitment,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Rep,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    ServiceCharter,
    SoldUnit,
    WarrantyReturn,
)
from app.models.enums import (
    CaseKind,
    CaseStage,
    CharterIndicator,
    CharterPeriod,
    CharterType,
    ContactChannel,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    ReturnReason,
    ReturnState,
)
from app.services.charters.indicators import (
    charter_compliance,
    current_period,
    indicator_text,
    is_share,
    measure,
)

CI = CharterIndicator
TODAY = dt.date(2026, 3, 31)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour)


@pytest.fixture
def data(database):
    r1 = Rep.create(code="R1", name="Ana")
    r2 = Rep.create(code="R2", name="Luis")
    c1 = Customer.create(code="C-1", name="Peña & <Hijos>", rep=r1)
    c2 = Customer.create(code="C-2", name="Ñandú", rep=r2)
    category = ProductCategory.create(code="clima", name="Clima")
    product = Product.create(sku="AC-1", name="Aire", category=category)
    sequence = iter(range(1, 100))

    def sale(customer, rep, delivered):
        n = next(sequence)
        s = Sale.create(
            number=f"V-{n}", customer=customer, rep=rep, sold_on=delivered, delivered_on=delivered
        )
        line = SaleLine.create(sale=s, product=product, quantity=1, unit_price=100)
        return SoldUnit.create(line=line, customer=customer, product=product, serial_number=f"SN{n}")

    def follow_up(customer, rep, scheduled, state, completed=None, outcome=None):
        return FollowUp.create(
            customer=customer,
            rep=rep,
            kind=FollowUpKind.CALL,
            purpose=FollowUpPurpose.DELIVERY,
            scheduled_at=scheduled,
            state=state,
            completed_at=completed,
            outcome=outcome,
        )

    # Deliveries: Thursday 5 March + 2 working days → Monday 9 March.
    unit = sale(c1, r1, d(3, 5))
    follow_up(c1, r1, at(3, 9, 9), FollowUpState.DONE, at(3, 9), FollowUpOutcome.REACHED)  # met
    sale(c2, r2, d(3, 5))
    follow_up(c2, r2, at(3, 6, 9), FollowUpState.DONE, at(3, 6), FollowUpOutcome.NOT_REACHED)
    follow_up(c2, r2, at(3, 10, 9), FollowUpState.DONE, at(3, 10), FollowUpOutcome.REACHED)  # too late
    sale(c1, r1, d(3, 30))  # deadline 1 April: pending on 31 March
    sale(c2, r2, d(2, 27))  # outside the period

    # Other follow-ups scheduled in March (the three above are done on their day).
    follow_up(c1, r1, at(3, 10, 9), FollowUpState.DONE, at(3, 10, 15))  # on time
    follow_up(c1, r1, at(3, 11, 9), FollowUpState.DONE, at(3, 12))  # a day late
    follow_up(c1, r1, at(3, 12, 9), FollowUpState.MISSED)
    follow_up(c1, r2, at(3, 13, 9), FollowUpState.PLANNED)  # overdue
    follow_up(c1, r1, at(3, 31, 9), FollowUpState.PLANNED)  # due today: pending
    follow_up(c1, r1, at(3, 16, 9), FollowUpState.CANCELLED)

    def case(kind, received, answered=None, closed=None, rep=r1):
        n = next(sequence)
        Case.create(
            number=f"CASE-2026-{n:04d}",
            year=2026,
            sequence=n,
            kind=kind,
            stage=CaseStage.RECEPTION,
            customer=c1,
            rep=rep,
            channel=ContactChannel.EMAIL,
            received_on=received,
            first_answer_on=answered,
            closed_on=closed,
        )

    case(CaseKind.CLAIM, d(3, 1), d(3, 5), d(3, 20))  # answered in 4, closed in 19
    case(CaseKind.COMPLAINT, d(3, 2), d(3, 20), rep=r2)  # answered in 18: late; closing still pending
    case(CaseKind.COMPLAINT, d(3, 25))  # both pending
    case(CaseKind.SUGGESTION, d(3, 3), d(3, 30))  # not a complaint
    case(CaseKind.CLAIM, d(3, 10))  # no answer after 21 days: late; closing pending

    def ret(reported, resolved=None, state=ReturnState.RECEIVED, rep=r1):
        n = next(sequence)
        WarrantyReturn.create(
            number=f"RMA-2026-{n:04d}",
            year=2026,
            sequence=n,
            sold_unit=unit,
            customer=c1,
            rep=rep,
            reason=ReturnReason.FAILURE_IN_USE,
            reported_on=reported,
            state=state,
            under_warranty=True,
            warranty_days=300,
            resolved_on=resolved,
        )

    ret(d(3, 1), d(3, 10), ReturnState.REPAIRED)  # 9 days
    ret(d(3, 2), d(3, 25), ReturnState.REPAIRED, rep=r2)  # 23 days
    ret(d(3, 5))  # unresolved after 26 days
    ret(d(3, 20))  # pending
    ret(d(3, 3), state=ReturnState.CANCELLED)

    for taken, score, recommend, rep in [
        (d(3, 2), 5, 10, r1),
        (d(3, 9), 4, 8, r1),
        (d(3, 20), 2, 3, r2),
        (d(2, 20), 1, 0, r1),
    ]:
        SatisfactionSurvey.create(
            customer=c1, rep=rep, taken_on=taken, satisfaction=score, recommend=recommend
        )
    return {"r1": r1.id, "r2": r2.id}


def test_first_contact_within_working_days(data):
    m = measure(CI.FIRST_CONTACT_AFTER_DELIVERY, 2, *MARCH, today=TODAY)
    assert (m.numerator, m.denominator) == (1, 2)
    assert m.value == pytest.approx(50.0)
    # Three working days reach Tuesday 10 March: the second delivery is met too.
    assert measure(CI.FIRST_CONTACT_AFTER_DELIVERY, 3, *MARCH, today=TODAY).numerator == 2
    # On 2 April the delivery of 30 March is late too.
    assert measure(CI.FIRST_CONTACT_AFTER_DELIVERY, 2, *MARCH, today=d(4, 2)).denominator == 3
    mine = measure(CI.FIRST_CONTACT_AFTER_DELIVERY, 2, *MARCH, rep_id=data["r1"], today=TODAY)
    assert (mine.numerator, mine.denominator, mine.value) == (1, 1, 100.0)


def test_claims_answered_and_complaints_closed(data):
    answered = measure(CI.CLAIMS_ANSWERED, 10, *MARCH, today=TODAY)
    assert (answered.numerator, answered.denominator) == (1, 3)
    assert answered.value == pytest.approx(100 / 3)
    closed = measure(CI.COMPLAINTS_CLOSED, 30, *MARCH, today=TODAY)
    assert (closed.numerator, closed.denominator) == (1, 1)
    assert measure(CI.CLAIMS_ANSWERED, 10, *MARCH, rep_id=data["r2"], today=TODAY).value == 0.0


def test_returns_resolved(data):
    m = measure(CI.RETURNS_RESOLVED, 15, *MARCH, today=TODAY)
    assert (m.numerator, m.denominator) == (1, 3)
    assert measure(CI.RETURNS_RESOLVED, 30, *MARCH, today=TODAY).numerator == 2


def test_follow_ups_on_time(data):
    m = measure(CI.FOLLOW_UPS_ON_TIME, None, *MARCH, today=TODAY)
    # Met: the three delivery contacts and the one done on its day; late, missed and overdue fail.
    assert (m.numerator, m.denominator) == (4, 7)
    assert measure(CI.FOLLOW_UPS_ON_TIME, 1, *MARCH, today=TODAY).numerator == 5


def test_satisfaction_average_and_nps(data):
    average = measure(CI.AVERAGE_SATISFACTION, None, *MARCH, today=TODAY)
    assert average.value == pytest.approx(11 / 3)
    assert (average.numerator, average.denominator) == (None, 3)
    nps = measure(CI.NPS, None, *MARCH, today=TODAY)
    assert nps.value == pytest.approx(0.0)  # one promoter, one detractor, one passive
    assert measure(CI.NPS, None, *MARCH, rep_id=data["r1"], today=TODAY).value == pytest.approx(50.0)


def test_nothing_to_measure_is_none_not_zero(database):
    for indicator in CI:
        days = 5 if indicator is not CI.FOLLOW_UPS_ON_TIME else None
        assert measure(indicator, days, *MARCH, today=TODAY).value is None


def test_compliance_of_the_active_charters_only(data):
    active = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION, title="Carta", valid_from=d(1, 1), active=True
    )
    CharterCommitment.create(
        charter=active,
        position=2,
        text="Respondemos",
        indicator=CI.CLAIMS_ANSWERED,
        days=10,
        target=90,
        period=CharterPeriod.MONTH,
    )
    CharterCommitment.create(
        charter=active,
        position=1,
        text="Satisfechos",
        indicator=CI.AVERAGE_SATISFACTION,
        days=None,
        target=3.5,
        period=CharterPeriod.YEAR,
    )
    old = ServiceCharter.create(type=CharterType.FINANCING, title="Vieja", valid_from=d(1, 1), active=False)
    CharterCommitment.create(charter=old, position=1, text="x", indicator=CI.NPS, target=10)

    rows = charter_compliance(*MARCH, today=TODAY)
    assert [(r.text, r.met) for r in rows] == [("Satisfechos", True), ("Respondemos", False)]
    assert rows[1].measurement.value == pytest.approx(100 / 3)
    # Each in its own current period: the yearly average includes February's 1 → (1+5+4+2)/4 = 3.0.
    own = charter_compliance(None, None, today=TODAY)
    assert own[0].measurement.value == pytest.approx(3.0) and own[0].met is False


def test_periods_and_texts():
    assert current_period(CharterPeriod.MONTH, d(5, 17)) == (d(5, 1), d(5, 17))
    assert current_period(CharterPeriod.QUARTER, d(5, 17)) == (d(4, 1), d(5, 17))
    assert current_period(CharterPeriod.YEAR, d(5, 17)) == (d(1, 1), d(5, 17))
    assert indicator_text(CI.RETURNS_RESOLVED, 15) == "Warranty returns resolved within 15 days"
    assert indicator_text(CI.NPS, None) == "Net promoter score"
    assert is_share(CI.FOLLOW_UPS_ON_TIME) and not is_share(CI.NPS)


def test_measured_values_round_half_up_with_the_digit_a_near_miss_needs():
    from app.services.charters.indicators import format_measurement, reaches

    # Without a target: rounded half up to the shown precision, like every other figure.
    assert format_measurement(CI.CLAIMS_ANSWERED, 54.6875) == "54.7 %"
    assert format_measurement(CI.CLAIMS_ANSWERED, 94.96) == "95.0 %"
    assert format_measurement(CI.AVERAGE_SATISFACTION, 4.125) == "4.13"
    assert format_measurement(CI.NPS, 12.5) == "+13"
    assert format_measurement(CI.NPS, -12.5) == "−13"
    assert format_measurement(CI.NPS, -0.4) == "0"
    # A rounded value that would hide a miss gets the digits it takes to fall below the target.
    assert not reaches(94.96, 95) and format_measurement(CI.CLAIMS_ANSWERED, 94.96, 95) == "94.96 %"
    assert format_measurement(CI.CLAIMS_ANSWERED, 94.996, 95) == "94.996 %"
    assert format_measurement(CI.AVERAGE_SATISFACTION, 4.1999, Decimal("4.2")) == "4.1999"
    assert format_measurement(CI.NPS, 39.6, 40) == "+39.6"
    # A value that meets or clearly misses the target keeps the usual precision.
    assert reaches(95.0, 95) and format_measurement(CI.CLAIMS_ANSWERED, 95.0, 95) == "95.0 %"
    assert format_measurement(CI.CLAIMS_ANSWERED, 94.94, 95) == "94.9 %"
    assert format_measurement(CI.NPS, 40.4, 40) == "+40"
    # A met value that would round below a two-decimal target shows the digit too.
    assert reaches(92.22, Decimal("92.21"))
    assert format_measurement(CI.CLAIMS_ANSWERED, 92.22, Decimal("92.21")) == "92.22 %"
    assert format_measurement(CI.CLAIMS_ANSWERED, 92.24, Decimal("92.25")) == "92.2 %"
    assert format_measurement(CI.NPS, None) == "—"
