"""The activity report's figures against a small dataset built by hand (March 2026, today 20 March)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import (
    Case,
    CaseProposal,
    CaseStageChange,
    CharterCommitment,
    CheckAnswer,
    CheckItem,
    CheckTemplate,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Rep,
    ReturnStatusChange,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    ServiceCharter,
    SoldUnit,
    UsageCheck,
    WarrantyReturn,
)
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    CharterIndicator,
    CharterType,
    CheckAnswerResult,
    CheckStatus,
    ContactChannel,
    FollowUpKind,
    FollowUpPurpose,
    FollowUpState,
    ProposalAnswer,
    ReturnReason,
    ReturnState,
    SolutionType,
)
from app.services.activity import activity_report, previous_period
from app.services.errors import NotFoundError, ValidationError
from app.services.followup_stats import StateCounts

NASTY = 'Peña & <Hijos> "Ñandú" €'
TODAY = dt.date(2026, 3, 20)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
K, P, S = FollowUpKind, FollowUpPurpose, FollowUpState
OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE
RS = ReturnState


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


def build_activity_dataset() -> dict:
    """Two reps, follow-ups in every state, checks, returns with costs, cases, surveys, an active charter."""
    ana = Rep.create(code="ANA", name="Ana García")
    bob = Rep.create(code="BOB", name="Bob Smith")
    customer = Customer(code="C-1", name=NASTY, rep=ana)
    customer.save()
    other = Customer(code="C-2", name="Lucía Martín", rep=bob)
    other.save()
    category = ProductCategory.create(code="WASH", name="Lavadoras")
    washer = Product.create(sku="LV-1", name="Lavadora X", category=category)
    sale = Sale.create(number="V-1", customer=customer, rep=ana, sold_on=d(1, 10), delivered_on=d(1, 12))
    line = SaleLine.create(sale=sale, product=washer, quantity=1, unit_price=Decimal("499.00"))
    units = [SoldUnit.create(line=line, customer=customer, product=washer, serial_number=f"SN-{n}") for n in range(6)]

    def follow_up(rep, kind, purpose, when, state, completed=None, who=customer):
        return FollowUp.create(customer=who, rep=rep, kind=kind, purpose=purpose, scheduled_at=when, state=state,
                               completed_at=completed)

    # March (the period): 8 follow-ups.
    follow_up(ana, K.CALL, P.DELIVERY, at(3, 3), S.DONE, at(3, 3, 10, 10))
    follow_up(ana, K.CALL, P.DELIVERY, at(3, 5), S.MISSED)
    follow_up(ana, K.VISIT, P.USAGE_CHECK, at(3, 10), S.DONE, at(3, 12))
    follow_up(ana, K.CALL, P.SATISFACTION, at(3, 15), S.PLANNED)  # overdue
    follow_up(bob, K.CALL, P.COMMERCIAL, at(3, 18), S.CANCELLED, who=other)
    follow_up(bob, K.VISIT, P.USAGE_CHECK, at(3, 25), S.PLANNED, who=other)  # still to come
    follow_up(bob, K.CALL, P.SATISFACTION, at(3, 20, 9), S.PLANNED, who=other)  # today: not overdue yet
    follow_up(None, K.EMAIL, P.COMMERCIAL, at(3, 31, 23, 30), S.DONE, at(3, 19))
    # Previous period (29 Jan – 28 Feb) and outside both.
    follow_up(bob, K.CALL, P.DELIVERY, at(2, 28, 18), S.DONE, at(2, 28, 18, 5))
    follow_up(ana, K.CALL, P.DELIVERY, at(2, 10), S.MISSED)
    follow_up(ana, K.CALL, P.DELIVERY, at(4, 1, 0, 0), S.PLANNED)
    follow_up(ana, K.CALL, P.DELIVERY, at(1, 28, 23, 59), S.PLANNED)

    template = CheckTemplate.create(family="wash", name="Uso correcto: lavadoras", category=category)
    items = [
        CheckItem.create(template=template, position=1, question="Sabe programar un lavado", critical=True),
        CheckItem.create(template=template, position=2, question="Limpia el filtro"),
        CheckItem.create(template=template, position=3, question="La lavadora está nivelada"),
    ]

    def check(rep, completed, passed, score, answers, status=CheckStatus.COMPLETED):
        c = UsageCheck.create(template=template, sold_unit=units[0], customer=customer, rep=rep, status=status,
                              started_at=completed, completed_at=completed if status is CheckStatus.COMPLETED
                              else None, passed=passed, score=score)
        for item, result in zip(items, answers, strict=False):
            CheckAnswer.create(check=c, item=item, result=result)

    check(ana, at(3, 3), True, 1.0, [OK, OK, NA])
    check(ana, at(3, 10), False, 0.5, [NOT_OK, OK])
    check(bob, at(3, 12), False, 1 / 3, [NOT_OK, NOT_OK, OK])
    check(bob, at(3, 25), True, 1.0, [OK, OK, OK])
    check(ana, at(3, 15), None, None, [NOT_OK], status=CheckStatus.DRAFT)  # a draft: not counted
    check(ana, at(2, 20), True, 1.0, [OK, OK, OK])  # previous period

    sequence = iter(range(1, 100))

    def warranty_return(rep, unit, reason, reported, state, resolved=None, resolution=None, **money):
        n = next(sequence)
        r = WarrantyReturn.create(number=f"RMA-2026-{n:04d}", year=2026, sequence=n, sold_unit=unit,
                                  customer=customer, rep=rep, reason=reason, reported_on=reported, state=state,
                                  under_warranty=True, warranty_days=300, resolved_on=resolved, **money)
        ReturnStatusChange.create(warranty_return=r, to_state=RS.REQUESTED)
        if resolution is not None:
            ReturnStatusChange.create(warranty_return=r, from_state=RS.APPROVED, to_state=resolution)
        return r

    warranty_return(ana, units[1], ReturnReason.FAILURE_IN_USE, d(3, 2), RS.CLOSED, d(3, 12), RS.REPAIRED,
                    cost_parts=Decimal("100.50"), cost_labour=Decimal("40.00"), cost_shipping=Decimal("9.50"))
    warranty_return(ana, units[2], ReturnReason.DEFECT_ON_ARRIVAL, d(3, 5), RS.REFUNDED, d(3, 9), RS.REFUNDED,
                    refund_amount=Decimal("499.00"), cost_shipping=Decimal("12.00"))
    warranty_return(bob, units[3], ReturnReason.FAILURE_IN_USE, d(3, 15), RS.RECEIVED)
    warranty_return(None, units[4], ReturnReason.TRANSPORT_DAMAGE, d(3, 20), RS.CANCELLED)
    warranty_return(bob, units[5], ReturnReason.FAILURE_IN_USE, d(2, 10), RS.REPLACED, d(2, 20), RS.REPLACED,
                    cost_parts=Decimal("50.00"))

    case_numbers = iter(range(1, 100))

    def case(rep, kind, channel, received, category=None, answered=None, closed=None, answers=(), stages=()):
        n = next(case_numbers)
        c = Case.create(number=f"CASE-2026-{n:04d}", year=2026, sequence=n, kind=kind, stage=CaseStage.RECEPTION,
                        customer=customer, rep=rep, channel=channel, received_on=received, category=category,
                        first_answer_on=answered, closed_on=closed)
        for round_, answer in enumerate(answers, start=1):
            CaseProposal.create(case=c, round=round_, proposed_on=received, solution_type=SolutionType.APOLOGY,
                                answer=answer, answered_on=received)
        for stage in stages:
            CaseStageChange.create(case=c, to_stage=stage)

    case(ana, CaseKind.COMPLAINT, ContactChannel.EMAIL, d(3, 2), CaseCategory.PRODUCT_DEFECT, d(3, 4), d(3, 12),
         [ProposalAnswer.ACCEPTED])
    case(bob, CaseKind.CLAIM, ContactChannel.POST, d(3, 6), CaseCategory.BILLING, d(3, 16), None,
         [ProposalAnswer.REJECTED], [CaseStage.INTERNAL_NEGOTIATION])
    case(ana, CaseKind.SUGGESTION, ContactChannel.WEB, d(3, 10), None, d(3, 11), d(3, 13))
    case(bob, CaseKind.COMPLAINT, ContactChannel.PHONE, d(2, 15), CaseCategory.OTHER, d(2, 16))

    for rep, taken, sat, rec in ((ana, d(3, 5), 5, 10), (ana, d(3, 12), 4, 8), (bob, d(3, 20), 2, 3),
                                 (bob, d(2, 25), 3, 9)):
        SatisfactionSurvey.create(customer=customer, rep=rep, taken_on=taken, satisfaction=sat, recommend=rec)

    charter = ServiceCharter.create(type=CharterType.CUSTOMER_ATTENTION, title="Carta <atención> & más",
                                    valid_from=d(1, 1), active=True)
    CharterCommitment.create(charter=charter, position=1, text="Resolvemos las devoluciones en 7 días",
                             indicator=CharterIndicator.RETURNS_RESOLVED, days=7, target=50)
    CharterCommitment.create(charter=charter, position=2, text="Respondemos las reclamaciones en 5 días",
                             indicator=CharterIndicator.CLAIMS_ANSWERED, days=5, target=90)
    CharterCommitment.create(charter=charter, position=3, text="Llamamos tras cada entrega",
                             indicator=CharterIndicator.FIRST_CONTACT_AFTER_DELIVERY, days=2, target=90)
    old = ServiceCharter.create(type=CharterType.FINANCING, title="Vieja", valid_from=d(1, 1), active=False)
    CharterCommitment.create(charter=old, position=1, text="Old one", indicator=CharterIndicator.NPS, target=10)
    return {"ana": ana, "bob": bob, "customer": customer}


@pytest.fixture
def dataset(database):
    return build_activity_dataset()


def test_previous_period_has_the_same_length():
    assert previous_period(*MARCH) == (d(1, 29), d(2, 28))
    assert previous_period(d(1, 1), d(12, 31)) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert previous_period(d(3, 20), d(3, 20)) == (d(3, 19), d(3, 19))


def test_follow_ups_by_state_kind_purpose_and_rep(dataset):
    report = activity_report(*MARCH, today=TODAY)
    f = report.follow_ups
    assert f.totals == StateCounts(planned=3, overdue=1, done=3, missed=1, cancelled=1)
    assert f.totals.total == 8 and f.totals.done_rate == pytest.approx(3 / 5)
    assert f.by_kind == {
        K.CALL: StateCounts(planned=2, overdue=1, done=1, missed=1, cancelled=1),
        K.VISIT: StateCounts(planned=1, done=1),
        K.EMAIL: StateCounts(done=1),
    }
    assert f.by_purpose == {
        P.DELIVERY: StateCounts(done=1, missed=1),
        P.USAGE_CHECK: StateCounts(planned=1, done=1),
        P.SATISFACTION: StateCounts(planned=2, overdue=1),
        P.COMMERCIAL: StateCounts(done=1, cancelled=1),
    }
    assert [(r.rep_name, r.counts) for r in f.by_rep] == [
        ("Ana García", StateCounts(planned=1, overdue=1, done=2, missed=1)),
        ("Bob Smith", StateCounts(planned=2, cancelled=1)),
        ("", StateCounts(done=1)),
    ]


def test_checks_returns_cases_and_satisfaction(dataset):
    report = activity_report(*MARCH, today=TODAY)
    checks = report.checks
    assert (checks.completed, checks.passed, checks.failed) == (4, 2, 2)
    assert checks.pass_rate == pytest.approx(0.5)
    assert checks.mean_score == pytest.approx((1 + 0.5 + 1 / 3 + 1) / 4)
    assert [(i.question, i.not_ok, i.applicable) for i in checks.failed_items] == [
        ("Sabe programar un lavado", 2, 4), ("Limpia el filtro", 1, 4)
    ]

    r = report.returns
    assert r.total == 4 and r.resolved == 2
    assert r.by_state == {RS.RECEIVED: 1, RS.REFUNDED: 1, RS.CLOSED: 1, RS.CANCELLED: 1}
    assert r.by_reason == {ReturnReason.DEFECT_ON_ARRIVAL: 1, ReturnReason.FAILURE_IN_USE: 2,
                           ReturnReason.TRANSPORT_DAMAGE: 1}
    assert r.by_resolution == {RS.REPAIRED: 1, RS.REFUNDED: 1}
    assert r.mean_days_to_resolve == pytest.approx(7.0)  # 10 and 4 days
    assert r.median_days_to_resolve == pytest.approx(7.0)
    assert (r.cost_parts, r.cost_labour, r.cost_shipping, r.refunds) == (
        Decimal("100.50"), Decimal("40.00"), Decimal("21.50"), Decimal("499.00"))
    assert r.total_cost == Decimal("661.00")
    assert [(c.number, c.customer_name, c.total_cost) for c in r.costliest] == [
        ("RMA-2026-0002", NASTY, Decimal("511.00")), ("RMA-2026-0001", NASTY, Decimal("150.00"))
    ]

    c = report.cases
    assert (c.total, c.complaints, c.answered, c.closed) == (3, 2, 3, 2)
    assert c.mean_days_to_first_answer == pytest.approx(13 / 3)  # 2, 10 and 1 days
    assert c.median_days_to_close == pytest.approx(6.5)  # 10 and 3 days
    assert c.share_accepted_at_first_proposal == pytest.approx(0.5)
    assert (c.escalated_internal, c.escalated_external) == (1, 0)

    k = report.satisfaction
    assert k.surveys == 3
    assert k.average == pytest.approx(11 / 3)
    assert k.csat == pytest.approx(200 / 3)
    assert k.nps == pytest.approx(0.0)
    assert [m.key for m in report.satisfaction_months] == [d(3, 1)]


def test_headline_and_previous_period(dataset):
    report = activity_report(*MARCH, today=TODAY)
    assert (report.previous_start, report.previous_end) == (d(1, 29), d(2, 28))
    now, before = report.current, report.previous
    assert (now.follow_ups_scheduled, now.follow_ups_done, now.follow_ups_overdue) == (8, 3, 1)
    assert (before.follow_ups_scheduled, before.follow_ups_done, before.follow_ups_overdue) == (2, 1, 0)
    assert before.follow_ups_done_rate == pytest.approx(0.5)
    assert (now.checks_completed, before.checks_completed) == (4, 1)
    assert before.check_pass_rate == pytest.approx(1.0)
    assert (now.returns_reported, before.returns_reported) == (4, 1)
    assert before.returns_mean_days_to_resolve == pytest.approx(10.0)
    assert (now.returns_cost, before.returns_cost) == (Decimal("661.00"), Decimal("50.00"))
    assert (now.cases_received, before.cases_received) == (3, 1)
    assert before.cases_mean_days_to_close is None
    assert (now.csat, before.csat) == (pytest.approx(200 / 3), pytest.approx(0.0))
    assert before.nps == pytest.approx(100.0)


def test_charter_compliance_of_the_active_charter(dataset):
    report = activity_report(*MARCH, today=TODAY)
    rows = [(c.text, c.measurement.numerator, c.measurement.denominator, c.met) for c in report.compliance]
    assert rows == [
        ("Resolvemos las devoluciones en 7 días", 1, 2, True),  # 4 days met, 10 not; the one of 15 Mar is pending
        ("Respondemos las reclamaciones en 5 días", 1, 2, False),  # 2 days met, 10 not
        ("Llamamos tras cada entrega", 0, 0, None),  # nothing delivered in March
    ]


def test_one_reps_figures(dataset):
    ana = dataset["ana"]
    report = activity_report(*MARCH, rep_id=ana.id, today=TODAY)
    assert (report.rep_name, report.rep_code) == ("Ana García", "ANA")
    assert report.follow_ups.totals == StateCounts(planned=1, overdue=1, done=2, missed=1)
    assert [r.rep_name for r in report.follow_ups.by_rep] == ["Ana García"]
    assert (report.checks.completed, report.checks.passed) == (2, 1)
    assert report.returns.total == 2 and report.returns.total_cost == Decimal("661.00")
    assert report.cases.total == 2
    assert report.satisfaction.surveys == 2 and report.satisfaction.average == pytest.approx(4.5)
    assert report.previous.follow_ups_scheduled == 1  # Ana's missed call of 10 February
    assert [c.measurement.denominator for c in report.compliance][:2] == [2, 1]


def test_refusals(dataset):
    with pytest.raises(ValidationError):
        activity_report(d(3, 31), d(3, 1), today=TODAY)
    with pytest.raises(NotFoundError):
        activity_report(*MARCH, rep_id=999, today=TODAY)


def test_an_empty_period_has_no_figures(dataset):
    report = activity_report(d(7, 1), d(7, 31), today=TODAY)
    assert report.follow_ups.totals.total == 0 and report.follow_ups.totals.done_rate is None
    assert report.checks.completed == 0 and report.checks.pass_rate is None and report.checks.failed_items == []
    assert report.returns.total == 0 and report.returns.mean_days_to_resolve is None
    assert report.returns.total_cost == Decimal("0.00") and report.returns.costliest == []
    assert report.current.csat is None and report.satisfaction_months == []


def test_reps_are_listed_alphabetically_whatever_their_accents(dataset):
    Rep.update(name="Álvaro Ruiz").where(Rep.code == "BOB").execute()
    names = [r.rep_name for r in activity_report(*MARCH, today=TODAY).follow_ups.by_rep]
    assert names == ["Álvaro Ruiz", "Ana García", ""]
