"""The dashboard's figures against a hand-built dataset: exact counts, one rep vs everyone."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import SatisfactionSurvey
from app.models.enums import Segment
from app.services.reporting.dashboard import dashboard_summary, month_bounds
from tests.factories import DASHBOARD_NOW as NOW
from tests.factories import DASHBOARD_TODAY as TODAY
from tests.factories import build_dashboard_world, charter, customer, sale


@pytest.fixture
def world(database):
    return build_dashboard_world()


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
    for day, sat, rec in [
        (dt.date(2026, 11, 1), 5, 10),
        (dt.date(2026, 11, 30), 3, 5),
        (dt.date(2026, 10, 31), 4, 8),
        (dt.date(2026, 12, 1), 1, 0),
    ]:
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


def test_no_compliance_without_an_active_charter(world):
    from app.models.enums import CharterIndicator, CharterPeriod

    assert dashboard_summary(None, TODAY, NOW).compliance is None
    charter(False, (CharterIndicator.AVERAGE_SATISFACTION, 4, CharterPeriod.MONTH))  # a draft: not counted
    assert dashboard_summary(None, TODAY, NOW).compliance is None


def test_compliance_counts_the_commitments_met_in_their_current_period(world):
    from app.models.enums import CharterIndicator, CharterPeriod

    charter(
        True,
        (CharterIndicator.AVERAGE_SATISFACTION, 4, CharterPeriod.MONTH),
        (CharterIndicator.NPS, 50, CharterPeriod.MONTH),
        (CharterIndicator.AVERAGE_SATISFACTION, 4, CharterPeriod.QUARTER),
    )
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
    assert [c.period_start for c in compliance.commitments] == [dt.date(2026, 11, 1)] * 2 + [
        dt.date(2026, 10, 1)
    ]


def test_customers_at_risk_follow_the_rep_rule(world):
    from app.models import Customer
    from app.services.reporting.dashboard import dashboard_risk

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
