"""Survey recording and the satisfaction KPIs (average, CSAT, NPS) against a hand-built dataset."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import FollowUp, Rep, SatisfactionSurvey
from app.models.enums import DissatisfactionCause, FollowUpKind, FollowUpPurpose, ReturnState
from app.services.errors import ValidationError
from app.services.reporting.satisfaction import (
    cause_counts,
    customer_trend,
    kpis,
    kpis_per_category,
    kpis_per_month,
    kpis_per_rep,
    record_survey,
)
from tests.factories import customer, product, sale, warranty_return

JAN, FEB_END = dt.date(2026, 1, 1), dt.date(2026, 2, 28)
PRICE, PRODUCT = DissatisfactionCause.PRICE, DissatisfactionCause.PRODUCT


@pytest.fixture
def surveys(database):
    r1, r2 = Rep.create(code="R1", name="Ana"), Rep.create(code="R2", name="Luis")
    c = customer("C-1")
    x, y = product("PX", "X"), product("PY", "Y")
    unit_x = sale(c, dt.date(2025, 12, 1), (1, "10.00"), item=x)[0]
    unit_y = sale(c, dt.date(2025, 12, 1), (1, "10.00"), item=y)[0]
    call = FollowUp.create(
        customer=c,
        kind=FollowUpKind.CALL,
        purpose=FollowUpPurpose.SATISFACTION,
        scheduled_at=dt.datetime(2026, 1, 5, 10),
        sold_unit=unit_x,
    )
    rma = warranty_return(unit_y, ReturnState.CLOSED, None, dt.date(2026, 1, 2))

    def survey(day, sat, rec, rep, cause=None, **links):
        SatisfactionSurvey.create(
            customer=c, rep=rep, taken_on=day, satisfaction=sat, recommend=rec, cause=cause, **links
        )

    survey(dt.date(2026, 1, 5), 5, 10, r1, follow_up=call)
    survey(dt.date(2026, 1, 6), 4, 9, r1, follow_up=call)
    survey(dt.date(2026, 1, 20), 2, 3, r2, PRICE, warranty_return=rma)
    survey(dt.date(2026, 1, 31), None, 7, r2)
    survey(dt.date(2026, 2, 1), 3, None, r1, PRODUCT)
    survey(dt.date(2026, 2, 28), 1, None, r2, PRICE)
    survey(dt.date(2026, 3, 1), 5, 10, r1)  # outside the period
    return {"r1": r1.id, "r2": r2.id, "x": x.category_id, "y": y.category_id, "customer": c.id}


def test_period_figures(surveys):
    k = kpis(JAN, FEB_END)
    assert k.surveys == 6
    assert k.satisfaction_answers == 5  # 5, 4, 2, 3, 1
    assert k.average == pytest.approx(3.0)
    assert k.csat == pytest.approx(40.0)  # 2 of 5 are 4–5
    assert k.recommend_answers == 4  # 10, 9, 3, 7
    assert (k.promoters, k.detractors) == (2, 1)
    assert k.nps == pytest.approx(25.0)  # (2 − 1) / 4


def test_no_answers_give_none_not_zero(surveys):
    empty = kpis(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert (empty.surveys, empty.average, empty.csat, empty.nps) == (0, None, None, None)


def test_per_month(surveys):
    jan, feb = kpis_per_month(JAN, FEB_END)
    assert (jan.key, feb.key) == (dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert jan.surveys == 4
    assert jan.average == pytest.approx(11 / 3)
    assert jan.csat == pytest.approx(200 / 3)
    assert jan.nps == pytest.approx(25.0)
    assert feb.surveys == 2
    assert feb.average == pytest.approx(2.0)
    assert feb.csat == 0.0  # answered, none satisfied: a real 0
    assert feb.nps is None  # nobody answered the recommendation question


def test_per_rep(surveys):
    rows = {k.key: k for k in kpis_per_rep(JAN, FEB_END)}
    r1, r2 = rows[surveys["r1"]], rows[surveys["r2"]]
    assert (r1.surveys, r1.average, r1.nps) == (3, pytest.approx(4.0), pytest.approx(100.0))
    assert r1.csat == pytest.approx(200 / 3)
    assert (r2.surveys, r2.average, r2.csat, r2.nps) == (3, pytest.approx(1.5), 0.0, pytest.approx(-50.0))


def test_per_category_through_follow_up_or_return(surveys):
    rows = {k.key: k for k in kpis_per_category(JAN, FEB_END)}
    assert set(rows) == {surveys["x"], surveys["y"], None}
    assert (rows[surveys["x"]].surveys, rows[surveys["x"]].average) == (2, pytest.approx(4.5))
    assert (rows[surveys["y"]].surveys, rows[surveys["y"]].nps) == (1, pytest.approx(-100.0))
    assert rows[None].surveys == 3


def test_causes_of_dissatisfaction(surveys):
    assert cause_counts(JAN, FEB_END) == {PRICE: 2, PRODUCT: 1}


def test_record_survey_and_customer_trend(surveys):
    new_id = record_survey(
        surveys["customer"], 4, None, "  fine  ", None, surveys["r1"], taken_on=dt.date(2026, 3, 2)
    )
    trend = customer_trend(surveys["customer"])
    assert [row.taken_on for row in trend] == sorted(row.taken_on for row in trend)
    assert trend[-1].id == new_id
    assert (trend[-1].satisfaction, trend[-1].comment) == (4, "fine")


@pytest.mark.parametrize(
    ("sat", "rec", "field"),
    [
        (6, None, "satisfaction"),
        (0, None, "satisfaction"),
        (None, 11, "recommend"),
        (None, -1, "recommend"),
        (True, None, "satisfaction"),
        (None, None, "satisfaction"),
        (3.5, None, "satisfaction"),
    ],
)
def test_record_survey_validates_scores(surveys, sat, rec, field):
    with pytest.raises(ValidationError) as error:
        record_survey(surveys["customer"], sat, rec, "", None, None, taken_on=dt.date(2026, 3, 2))
    assert field in error.value.errors
    assert SatisfactionSurvey.select().count() == 7
