"""The dashboard's figures against a hand-built dataset: exact counts, one rep vs everyone."""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from app.models import Case, FollowUp, SatisfactionSurvey, WarrantyReturn
from app.models.enums import (
    CaseKind,
    CaseStage,
    ContactChannel,
    FollowUpKind,
    FollowUpPurpose,
    FollowUpState,
    RepRole,
    ReturnReason,
    ReturnState,
    Segment,
)
from app.services.dashboard import dashboard_summary, month_bounds
from app.services.reps import create_rep
from tests.services.test_value import customer, product, sale

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 12, 0)
_n = count(1)


def follow_up(who, rep, at, state=FollowUpState.PLANNED):
    FollowUp.create(customer=who, rep=rep, kind=FollowUpKind.CALL, purpose=FollowUpPurpose.COMMERCIAL,
                    scheduled_at=at, state=state)


def a_return(who, rep, reported_on, state=ReturnState.REQUESTED):
    n = next(_n)
    unit = sale(who, dt.date(2026, 1, 1), (1, "100.00"))[0]
    WarrantyReturn.create(number=f"RMA-2026-{n:04d}", year=2026, sequence=n, sold_unit=unit, customer=who, rep=rep,
                          reason=ReturnReason.FAILURE_IN_USE, reported_on=reported_on, state=state,
                          under_warranty=True, warranty_days=100)


def a_case(who, rep, received_on, closed_on=None, answered=None):
    n = next(_n)
    Case.create(number=f"CASE-2026-{n:04d}", year=2026, sequence=n, kind=CaseKind.COMPLAINT,
                stage=CaseStage.RECEPTION, customer=who, rep=rep, channel=ContactChannel.PHONE,
                received_on=received_on, closed_on=closed_on, first_answer_on=answered)


@pytest.fixture
def world(database):
    product()
    ana = create_rep("ANA", "Ana")
    bea = create_rep("BEA", "Bea")
    create_rep("BOSS", "Boss", RepRole.MANAGER)
    c1 = customer("C1", segment=Segment.A)
    c2 = customer("C2", segment=Segment.B)
    customer("C3", segment=Segment.C)
    customer("C4", segment=Segment.C)
    customer("C5")  # never segmented
    customer("C6", segment=Segment.A, archived=True)  # archived: not counted
    # Follow-ups: Ana has 2 planned today (one already past: also overdue), 1 done today, 1 overdue yesterday,
    # 1 tomorrow; Bea 1 planned today and 1 cancelled overdue (not counted).
    follow_up(c1, ana.id, dt.datetime(2026, 11, 23, 9, 0))
    follow_up(c1, ana.id, dt.datetime(2026, 11, 23, 17, 0))
    follow_up(c1, ana.id, dt.datetime(2026, 11, 23, 10, 0), FollowUpState.DONE)
    follow_up(c1, ana.id, dt.datetime(2026, 11, 22, 10, 0))
    follow_up(c1, ana.id, dt.datetime(2026, 11, 24, 0, 0))
    follow_up(c2, bea.id, dt.datetime(2026, 11, 23, 23, 59))
    follow_up(c2, bea.id, dt.datetime(2026, 11, 1, 10, 0), FollowUpState.CANCELLED)
    # Returns: Ana 1 open overdue, 1 open recent, 1 closed old; Bea 1 open overdue.
    a_return(c1, ana.id, TODAY - dt.timedelta(days=90))
    a_return(c1, ana.id, TODAY)
    a_return(c1, ana.id, TODAY - dt.timedelta(days=200), ReturnState.CLOSED)
    a_return(c2, bea.id, TODAY - dt.timedelta(days=90), ReturnState.RECEIVED)
    # Cases: Ana 1 open overdue (unanswered for months), 1 open on time, 1 closed; Bea 1 open on time.
    a_case(c1, ana.id, TODAY - dt.timedelta(days=120))
    a_case(c1, ana.id, TODAY, answered=TODAY)
    a_case(c1, ana.id, TODAY - dt.timedelta(days=120), closed_on=TODAY - dt.timedelta(days=100),
           answered=TODAY - dt.timedelta(days=119))
    a_case(c2, bea.id, TODAY - dt.timedelta(days=1))
    return {"ana": ana, "bea": bea}


def test_counts_for_one_rep(world):
    s = dashboard_summary(world["ana"].id, TODAY, NOW)
    assert (s.follow_ups_today, s.follow_ups_overdue) == (2, 2)
    assert (s.returns_open, s.returns_overdue) == (2, 1)
    assert (s.cases_open, s.cases_overdue) == (2, 1)


def test_counts_for_everyone(world):
    s = dashboard_summary(None, TODAY, NOW)
    assert (s.follow_ups_today, s.follow_ups_overdue) == (3, 2)
    assert (s.returns_open, s.returns_overdue) == (3, 2)
    assert (s.cases_open, s.cases_overdue) == (3, 1)
    assert s.rep_id is None


def test_segments_ignore_archived_and_count_the_unsegmented(world):
    s = dashboard_summary(None, TODAY, NOW)
    assert s.segments == {Segment.A: 1, Segment.B: 1, Segment.C: 2, None: 1}
    assert s.segments_computed


def test_no_segments_computed(database):
    customer("X1")
    s = dashboard_summary(None, TODAY, NOW)
    assert s.segments == {None: 1} and not s.segments_computed


def test_satisfaction_this_month_vs_last_and_none_without_answers(world):
    c = customer("S1")
    s = dashboard_summary(None, TODAY, NOW)
    assert s.satisfaction_this_month is None and s.satisfaction_last_month is None
    for day, sat, rec in [(dt.date(2026, 11, 1), 5, 10), (dt.date(2026, 11, 30), 3, 5),
                          (dt.date(2026, 10, 31), 4, 8), (dt.date(2026, 12, 1), 1, 0)]:
        SatisfactionSurvey.create(customer=c, taken_on=day, satisfaction=sat, recommend=rec)
    SatisfactionSurvey.create(customer=c, taken_on=dt.date(2026, 9, 30))  # unanswered, September
    s = dashboard_summary(None, TODAY, NOW)
    this, last = s.satisfaction_this_month, s.satisfaction_last_month
    assert (this.satisfaction_answers, this.csat, this.average, this.nps) == (2, 50.0, 4.0, 0.0)
    assert (last.satisfaction_answers, last.csat, last.average, last.nps) == (1, 100.0, 4.0, 0.0)
    # A month whose only survey has no answer is "no surveys", not zeros.
    assert dashboard_summary(None, dt.date(2026, 9, 15), NOW).satisfaction_this_month is None


def test_month_bounds():
    assert month_bounds(dt.date(2026, 12, 31)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert month_bounds(dt.date(2024, 2, 10)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


# --- charter compliance and customers at risk ----------------------------------------------


def charter(active: bool, *commitments) -> None:
    from app.models import CharterCommitment, ServiceCharter
    from app.models.enums import CharterType

    record = ServiceCharter.create(type=CharterType.CUSTOMER_ATTENTION, title="Attention", valid_from=TODAY,
                                   active=active)
    for position, (indicator, target, period, *days) in enumerate(commitments, 1):
        CharterCommitment.create(charter=record, position=position, text=f"We commit #{position}",
                                 indicator=indicator, target=target, period=period, days=days[0] if days else None)


def test_no_compliance_without_an_active_charter(world):
    from app.models.enums import CharterIndicator, CharterPeriod

    assert dashboard_summary(None, TODAY, NOW).compliance is None
    charter(False, (CharterIndicator.AVERAGE_SATISFACTION, 4, CharterPeriod.MONTH))  # a draft: not counted
    assert dashboard_summary(None, TODAY, NOW).compliance is None


def test_compliance_counts_the_commitments_met_in_their_current_period(world):
    from app.models.enums import CharterIndicator, CharterPeriod

    charter(True,
            (CharterIndicator.AVERAGE_SATISFACTION, 4, CharterPeriod.MONTH),
            (CharterIndicator.NPS, 50, CharterPeriod.MONTH),
            (CharterIndicator.AVERAGE_SATISFACTION, 4, CharterPeriod.QUARTER))
    c = customer("S1")
    # November: average (5 + 4 + 4) / 3 = 4.33 ≥ 4 met; NPS (2 promoters − 1 detractor) / 3 = 33 < 50 not met.
    for sat, rec in [(5, 10), (4, 9), (4, 6)]:
        SatisfactionSurvey.create(customer=c, taken_on=dt.date(2026, 11, 2), satisfaction=sat, recommend=rec)
    # September is outside both the month and the quarter (October–December): ignored.
    SatisfactionSurvey.create(customer=c, taken_on=dt.date(2026, 9, 30), satisfaction=1, recommend=0)
    compliance = dashboard_summary(None, TODAY, NOW).compliance
    assert (compliance.met, compliance.measured, len(compliance.commitments)) == (2, 3, 3)
    [missed] = compliance.not_met
    assert missed.indicator is CharterIndicator.NPS
    assert missed.value == pytest.approx(100 / 3)
    assert [c.period_start for c in compliance.commitments] == [dt.date(2026, 11, 1)] * 2 + [dt.date(2026, 10, 1)]


def test_customers_at_risk_follow_the_rep_rule(world):
    from app.models import Customer
    from app.services.dashboard import dashboard_risk

    # At risk: C1 (Ana's, open complaints), C2 (Bea's, open complaint) and R (nobody's, one purchase in 2020).
    ana, bea = world["ana"], world["bea"]
    Customer.update(rep=ana.id).where(Customer.code == "C1").execute()
    Customer.update(rep=bea.id).where(Customer.code == "C2").execute()
    for code in ("C1", "C2"):
        sale(Customer.get(Customer.code == code), dt.date(2020, 1, 1), (1, "10.00"))
    sale(customer("R", segment=Segment.A), dt.date(2020, 1, 1), (1, "5000.00"))
    everyone = dashboard_risk(None, TODAY)
    assert [r.code for r in everyone.rows] == ["R", "C1", "C2"]  # by value: 5,000; 3 × 100 + 10; 100 + 10
    assert everyone.total == 3
    assert [r.code for r in dashboard_risk(ana.id, TODAY).rows] == ["C1"]
    assert dashboard_risk(bea.id, TODAY, limit=1).total == 1
    assert len(dashboard_risk(None, TODAY, limit=2).rows) == 2
