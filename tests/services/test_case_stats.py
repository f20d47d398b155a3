"""The department's statistics against a dataset built by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import Case, CaseProposal, CaseStageChange, Customer
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    ContactChannel,
    ProposalAnswer,
    SolutionType,
)
from app.services.reporting.case_stats import case_statistics

K, CH, CAT, S, A = CaseKind, ContactChannel, CaseCategory, CaseStage, ProposalAnswer


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


@pytest.fixture
def dataset(database):
    customer = Customer.create(code="C-1", name="Peña")
    sequence = iter(range(1, 100))

    def case(kind, channel, received, category=None, answered=None, closed=None, answers=(), stages=()):
        n = next(sequence)
        c = Case.create(
            number=f"CASE-2026-{n:04d}",
            year=2026,
            sequence=n,
            kind=kind,
            stage=S.RECEPTION,
            customer=customer,
            channel=channel,
            received_on=received,
            category=category,
            first_answer_on=answered,
            closed_on=closed,
        )
        for round_, answer in enumerate(answers, start=1):
            CaseProposal.create(
                case=c,
                round=round_,
                proposed_on=received,
                solution_type=SolutionType.APOLOGY,
                answer=answer,
                answered_on=received,
            )
        for stage in stages:
            CaseStageChange.create(case=c, to_stage=stage)
        return c

    case(K.COMPLAINT, CH.EMAIL, d(1, 1), CAT.PRODUCT_DEFECT, d(1, 3), d(1, 11), [A.ACCEPTED])
    case(
        K.COMPLAINT,
        CH.PHONE,
        d(1, 10),
        CAT.BILLING,
        d(1, 14),
        d(2, 9),
        [A.REJECTED, A.ACCEPTED],
        [S.INTERNAL_NEGOTIATION],
    )
    case(
        K.CLAIM,
        CH.POST,
        d(1, 20),
        CAT.PRODUCT_DEFECT,
        d(1, 21),
        None,
        [A.REJECTED, A.REJECTED],
        [S.INTERNAL_NEGOTIATION, S.EXTERNAL_MEDIATION],
    )
    case(K.SUGGESTION, CH.WEB, d(2, 1), None, d(2, 2), d(2, 5))
    case(K.COMPLAINT, CH.EMAIL, d(2, 15), answers=[A.PENDING])
    case(K.COMPLAINT, CH.EMAIL, d(3, 1), CAT.OTHER, d(3, 2), d(3, 3), [A.ACCEPTED])  # outside the period


def test_counts_by_type_category_and_channel(dataset):
    stats = case_statistics(d(1, 1), d(2, 28))
    assert stats.total == 5
    assert stats.by_kind == {K.COMPLAINT: 3, K.CLAIM: 1, K.SUGGESTION: 1, K.COMPLIMENT: 0}
    assert {c: n for c, n in stats.by_category.items() if n} == {CAT.PRODUCT_DEFECT: 2, CAT.BILLING: 1}
    assert len(stats.by_category) == len(CaseCategory)
    assert {c: n for c, n in stats.by_channel.items() if n} == {
        CH.EMAIL: 2,
        CH.PHONE: 1,
        CH.POST: 1,
        CH.WEB: 1,
    }


def test_mean_and_median_days(dataset):
    stats = case_statistics(d(1, 1), d(2, 28))
    assert stats.answered == 4  # 2, 4, 1 and 1 days
    assert stats.mean_days_to_first_answer == pytest.approx(2.0)
    assert stats.median_days_to_first_answer == pytest.approx(1.5)
    assert stats.closed == 3  # 10, 30 and 4 days
    assert stats.mean_days_to_close == pytest.approx(44 / 3)
    assert stats.median_days_to_close == pytest.approx(10.0)


def test_shares_accepted_at_first_proposal_and_escalated(dataset):
    stats = case_statistics(d(1, 1), d(2, 28))
    assert stats.complaints == 4
    assert (stats.first_proposals_answered, stats.accepted_at_first_proposal) == (3, 1)
    assert stats.share_accepted_at_first_proposal == pytest.approx(1 / 3)
    assert (stats.escalated_internal, stats.escalated_external) == (2, 1)
    assert stats.share_escalated_internal == pytest.approx(0.5)
    assert stats.share_escalated_external == pytest.approx(0.25)


def test_per_month(dataset):
    months = case_statistics(d(1, 1), d(3, 31)).months
    assert [(m.month, m.received, m.complaints, m.closed) for m in months] == [
        (d(1, 1), 3, 3, 2),
        (d(2, 1), 2, 1, 1),
        (d(3, 1), 1, 1, 1),
    ]
    assert [m.mean_days_to_close for m in months] == [
        pytest.approx(20.0),
        pytest.approx(4.0),
        pytest.approx(2.0),
    ]


def test_an_empty_period_has_no_figures(dataset):
    stats = case_statistics(d(6, 1), d(6, 30))
    assert stats.total == 0 and stats.mean_days_to_close is None and stats.median_days_to_first_answer is None
    assert stats.share_accepted_at_first_proposal is None and stats.share_escalated_internal is None
    assert [(m.received, m.mean_days_to_close) for m in stats.months] == [(0, None)]


def test_one_reps_cases(dataset):
    from app.models import Rep

    rep = Rep.create(code="R1", name="Ana")
    Case.update(rep=rep).where(Case.kind == K.CLAIM).execute()
    mine = case_statistics(d(1, 1), d(2, 28), rep_id=rep.id)
    assert (mine.total, mine.complaints, mine.escalated_external) == (1, 1, 1)
    assert mine.by_kind[K.CLAIM] == 1 and mine.by_kind[K.COMPLAINT] == 0
    assert case_statistics(d(1, 1), d(2, 28)).total == 5
