"""Customers at risk (each reason) and loyalty-programme candidates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import Case, SatisfactionSurvey
from app.models.enums import CaseKind, CaseStage, ContactChannel, Segment
from app.services.customers.risk import RiskReason, customers_at_risk, loyalty_candidates
from tests.factories import customer, product, sale

TODAY = dt.date(2026, 11, 23)
R = RiskReason


@pytest.fixture
def people(database):
    product()
    n = iter(range(1, 100))

    def person(code, segment, purchases, price, scores=(), archived=False):
        c = customer(code, segment=segment, archived=archived)
        for day in purchases:
            sale(c, day, (1, price))
        for i, (sat, rec) in enumerate(scores):  # oldest first
            SatisfactionSurvey.create(
                customer=c,
                taken_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
                satisfaction=sat,
                recommend=rec,
            )
        return c

    def case(c, kind, closed_on=None):
        k = next(n)
        Case.create(
            number=f"CASE-2026-{k:04d}",
            year=2026,
            sequence=k,
            kind=kind,
            stage=CaseStage.RECEPTION,
            customer=c,
            channel=ContactChannel.PHONE,
            received_on=dt.date(2026, 11, 1),
            closed_on=closed_on,
        )

    recent = [dt.date(2026, 11, 1)]
    # Gaps 59 and 61 days: usual interval 60; 206 days since the last purchase.
    person("R1", Segment.A, [dt.date(2026, 1, 1), dt.date(2026, 3, 1), dt.date(2026, 5, 1)], "333.34")
    person("R2", Segment.B, [dt.date(2026, 10, 1)], "200.00", [(5, 10), (1, 10)])  # last satisfaction 1
    # One purchase 387 days ago (> 365 by default), detractor last time (6) after a promoter answer.
    person("R3", Segment.A, [dt.date(2025, 11, 1)], "3000.00", [(None, 10), (None, 6)])
    r4 = person("R4", Segment.B, recent, "400.00", [(5, 10)])
    case(r4, CaseKind.COMPLAINT)  # open claim
    case(r4, CaseKind.CLAIM, closed_on=dt.date(2026, 11, 5))
    r5 = person("R5", Segment.A, recent, "5000.00", [(2, 9), (4, None)])  # last satisfaction 4
    case(r5, CaseKind.SUGGESTION)  # an open suggestion is not a claim
    person("R6", Segment.B, recent, "300.00", [(5, 9), (5, 9), (3, 8)])  # average 4.33
    r7 = person("R7", Segment.C, [dt.date(2020, 1, 1)], "10.00", [(1, 0)])  # C: never listed
    case(r7, CaseKind.COMPLAINT)
    person("R8", Segment.A, [dt.date(2020, 1, 1)], "90000.00", [(1, 0)], archived=True)
    person("R9", Segment.A, [dt.date(2026, 10, 1), dt.date(2026, 10, 31)], "100.00", [(3, 7)])  # 23 days < 30


def test_each_reason_and_order_by_risk(people):
    rows = customers_at_risk(TODAY)
    # Value × weights: R3 3000 × (1 + 2), R4 400 × 3 (an open claim), R1 1000.02 × 1, R2 200 × 2.
    assert [(r.code, r.reasons, r.risk) for r in rows] == [
        ("R3", (R.NO_RECENT_PURCHASE, R.DETRACTOR), Decimal("9000.00")),
        ("R4", (R.OPEN_CLAIM,), Decimal("1200.00")),
        ("R1", (R.NO_RECENT_PURCHASE,), Decimal("1000.02")),
        ("R2", (R.LOW_SATISFACTION,), Decimal("400.00")),
    ]
    r1 = rows[2]
    assert r1.usual_interval_days == 60.0
    assert r1.value == Decimal("1000.02")
    assert r1.segment is Segment.A
    assert rows[0].usual_interval_days == 365
    assert rows[1].open_claims == 1


def test_reasons_have_labels():
    assert all(reason.label for reason in RiskReason)


def test_loyalty_candidates(people):
    rows = loyalty_candidates()
    assert [(r.code, r.last_satisfaction) for r in rows] == [("R5", 4), ("R6", 3)]
    assert rows[1].average_satisfaction == pytest.approx(13 / 3)


def test_risk_settings_change_the_list(people):
    from dataclasses import replace

    from app.services.company import load_company_settings, save_company_settings

    # Low satisfaction up to 3: R9 (last 3) joins; one purchase is "late" only after 400 days: R3 keeps
    # the detractor reason alone.
    save_company_settings(
        replace(load_company_settings(), risk_low_satisfaction_max=3, risk_default_interval_days=400)
    )
    rows = {r.code: r for r in customers_at_risk(TODAY)}
    assert rows["R9"].reasons == (R.LOW_SATISFACTION,)
    assert rows["R3"].reasons == (R.DETRACTOR,)
    assert rows["R3"].usual_interval_days == 400


def test_limit_and_total(people):
    from app.services.customers.risk import at_risk, loyalty

    result = at_risk(TODAY, limit=2)
    assert [r.code for r in result.rows] == ["R3", "R4"]
    assert result.total == 4
    assert loyalty(limit=1).total == 2


def test_a_rep_sees_only_their_customers(people):
    from app.models import Customer
    from app.services.reps import create_rep

    ana, bea = create_rep("ANA", "Ana"), create_rep("BEA", "Bea")
    Customer.update(rep=ana.id).where(Customer.code.in_(["R1", "R5"])).execute()
    Customer.update(rep=bea.id).where(Customer.code == "R4").execute()
    assert [r.code for r in customers_at_risk(TODAY, rep_id=ana.id)] == ["R1"]
    assert [r.code for r in customers_at_risk(TODAY, rep_id=bea.id)] == ["R4"]
    assert [r.code for r in loyalty_candidates(rep_id=ana.id)] == ["R5"]
    assert len(customers_at_risk(TODAY)) == 4  # everyone's, for a manager


def test_reasons_read_as_sentences_with_the_customers_figures(people):
    from app.services.customers.risk import reasons_text

    rows = {r.code: r for r in customers_at_risk(TODAY)}
    assert (
        reasons_text(rows["R1"]) == "No purchase since 01/05/2026 (the next one was expected by 30/06/2026)"
    )
    assert reasons_text(rows["R3"]) == (
        "No purchase since 01/11/2025 (the next one was expected by 01/11/2026);"
        " Would not recommend us last time (6 of 10)"
    )
    assert reasons_text(rows["R2"]) == "Low satisfaction last time (1 of 5)"
    assert reasons_text(rows["R4"]) == "1 open complaint or claim"


def test_a_customer_at_risk_for_satisfaction_is_no_loyalty_candidate(database):
    product()
    happy, detractor, low = (customer(code, segment=Segment.A) for code in ("H1", "D1", "L1"))
    for c, scores in ((happy, [(5, 10)]), (detractor, [(5, 10), (5, 3)]), (low, [(5, 10), (5, 10), (2, 9)])):
        sale(c, dt.date(2026, 11, 1), (1, "100.00"))
        for i, (sat, rec) in enumerate(scores):
            SatisfactionSurvey.create(
                customer=c,
                taken_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
                satisfaction=sat,
                recommend=rec,
            )
    # The detractor's average is 5 and the low scorer's 4: good, but their last answer puts them at risk.
    assert [r.code for r in loyalty_candidates()] == ["H1"]
    assert {r.code for r in customers_at_risk(TODAY)} == {"D1", "L1"}
