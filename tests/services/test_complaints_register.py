"""The annual register of complaints and claims against a dataset built by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import Case, CaseProposal, Customer
from app.models.enums import CaseCategory, CaseKind, CaseStage, ContactChannel, ProposalAnswer, SolutionType
from app.services.complaints_register import RegisterOutcome, complaints_register

K, CH, CAT, A, SOL = CaseKind, ContactChannel, CaseCategory, ProposalAnswer, SolutionType
NASTY = 'Peña & <Hijos> "Ñandú" €'
TODAY = dt.date(2026, 11, 23)


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


def build_dataset() -> None:
    """Six complaints and claims in 2026 (four closed: accepted ×2, mediated, without agreement; two open),
    plus a suggestion, a compliment and a complaint of 2025 that the register leaves out.

    | number | type      | received | category | answered | closed | outcome                     |
    | 0001   | complaint | 10/01    | defect   | +2       | +10    | accepted (exchange)         |
    | 0002   | claim     | 25/01    | billing  | +5       | +20    | accepted in round 2 (50 €)  |
    | 0003   | claim     | 05/03    | defect   | +1       | +46    | mediation                   |
    | 0004   | complaint | 15/03    | staff    | +3       | +4     | closed without agreement    |
    | 0005   | suggestion, 0006 compliment: not in the register                               |
    | 0007   | claim     | 20/10    | delay    | +2       | open (34 days so far on 23/11)        |
    | 0008   | complaint | 01/11    | —        | open (22 days so far)  | open                  |
    """
    nasty = Customer.create(code="C-00017", name=NASTY)
    other = Customer.create(code="C-00002", name="Ana Ruiz")

    def case(sequence, kind, customer, channel, received, category=None, answered=None, closed=None,
             stage=CaseStage.CLOSED, proposals=(), year=2026, **extra):
        c = Case.create(
            number=f"CASE-{year}-{sequence:04d}", year=year, sequence=sequence, kind=kind, stage=stage,
            customer=customer, channel=channel, received_on=received, category=category,
            first_answer_on=answered, closed_on=closed, **extra,
        )
        for round_, (solution, detail, amount, answer) in enumerate(proposals, start=1):
            CaseProposal.create(case=c, round=round_, proposed_on=answered or received, solution_type=solution,
                                detail=detail, amount=amount, answer=answer)
        return c

    case(1, K.COMPLAINT, nasty, CH.EMAIL, d(1, 10), CAT.PRODUCT_DEFECT, d(1, 12), d(1, 20),
         proposals=[(SOL.EXCHANGE, "A new unit <same model>", None, A.ACCEPTED)])
    case(2, K.CLAIM, other, CH.POST, d(1, 25), CAT.BILLING, d(1, 30), d(2, 14),
         proposals=[(SOL.DISCOUNT, "5 % off", Decimal("20.00"), A.REJECTED),
                    (SOL.DISCOUNT, "10 % off the next purchase", Decimal("50.00"), A.ACCEPTED)])
    case(3, K.CLAIM, nasty, CH.WEB, d(3, 5), CAT.PRODUCT_DEFECT, d(3, 6), d(4, 20),
         proposals=[(SOL.TECHNICAL_ASSISTANCE, "Repair", None, A.REJECTED),
                    (SOL.GIFT, "A gift", Decimal("30.00"), A.REJECTED)],
         mediation_body="Junta Arbitral de Consumo", mediation_on=d(4, 1),
         mediation_outcome="Refund of half the price")
    case(4, K.COMPLAINT, other, CH.PHONE, d(3, 15), CAT.STAFF_CONDUCT, d(3, 18), d(3, 19),
         proposals=[(SOL.APOLOGY, "Letter", None, A.REJECTED)])
    case(5, K.SUGGESTION, other, CH.WEB, d(2, 1), answered=d(2, 2), closed=d(2, 5))
    case(6, K.COMPLIMENT, nasty, CH.EMAIL, d(6, 1), answered=d(6, 2), closed=d(6, 3))
    case(7, K.CLAIM, other, CH.EMAIL, d(10, 20), CAT.DELIVERY_DELAY, d(10, 22), None,
         stage=CaseStage.SERVICE, proposals=[(SOL.APOLOGY, "Apology", None, A.PENDING)])
    case(8, K.COMPLAINT, nasty, CH.IN_PERSON, d(11, 1), stage=CaseStage.RECEPTION)
    case(9, K.COMPLAINT, other, CH.EMAIL, d(12, 31, 2025), CAT.OTHER, d(1, 2), d(1, 5), year=2025)


@pytest.fixture
def dataset(database):
    build_dataset()


def test_every_complaint_and_claim_of_the_year_oldest_first(dataset):
    register = complaints_register(2026, TODAY)
    assert [e.number for e in register.entries] == [
        "CASE-2026-0001", "CASE-2026-0002", "CASE-2026-0003", "CASE-2026-0004", "CASE-2026-0007", "CASE-2026-0008"
    ]
    first = register.entries[0]
    assert (first.customer_name, first.customer_code, first.channel, first.category) == (
        NASTY, "C-00017", CH.EMAIL, CAT.PRODUCT_DEFECT
    )
    assert (register.year, register.start, register.end, register.issued_on) == (2026, d(1, 1), d(12, 31), TODAY)
    assert register.company_name == "My company"
    assert not register.is_empty


def test_solution_outcome_and_days(dataset):
    entries = {e.number[-4:]: e for e in complaints_register(2026, TODAY).entries}
    assert [(n, e.outcome) for n, e in entries.items()] == [
        ("0001", RegisterOutcome.ACCEPTED), ("0002", RegisterOutcome.ACCEPTED), ("0003", RegisterOutcome.MEDIATION),
        ("0004", RegisterOutcome.REJECTED), ("0007", RegisterOutcome.OPEN), ("0008", RegisterOutcome.OPEN),
    ]
    # The accepted proposal is the solution (the second round for 0002, with its amount).
    assert (entries["0001"].solution_type, entries["0001"].solution_detail) == (SOL.EXCHANGE, "A new unit <same model>")
    assert (entries["0002"].solution_type, entries["0002"].solution_detail, entries["0002"].solution_amount) == (
        SOL.DISCOUNT, "10 % off the next purchase", Decimal("50.00")
    )
    # Mediation: its outcome is the solution; no proposal is shown.
    assert entries["0003"].solution_type is None
    assert (entries["0003"].mediation_outcome, entries["0003"].mediation_body) == (
        "Refund of half the price", "Junta Arbitral de Consumo"
    )
    assert entries["0004"].solution_type is None and entries["0007"].solution_type is None
    days = {n: (e.days_to_first_answer, e.answered, e.days_to_close, e.is_open) for n, e in entries.items()}
    assert days == {
        "0001": (2, True, 10, False),
        "0002": (5, True, 20, False),
        "0003": (1, True, 46, False),
        "0004": (3, True, 4, False),
        "0007": (2, True, 34, True),  # 20/10 → 23/11, still open
        "0008": (22, False, 22, True),  # 01/11 → 23/11, not even answered
    }
    assert entries["0008"].category is None and entries["0008"].stage is CaseStage.RECEPTION


def test_totals_by_category(dataset):
    register = complaints_register(2026, TODAY)
    by_category = {item.category: item.totals for item in register.by_category}
    assert list(by_category) == [*CaseCategory, None]  # every category, then "not analysed yet"
    row = {c: (t.complaints, t.claims, t.total, t.open, t.mean_days_to_first_answer, t.mean_days_to_close)
           for c, t in by_category.items() if t.total}
    assert row == {
        CAT.PRODUCT_DEFECT: (1, 1, 2, 0, pytest.approx(1.5), pytest.approx(28.0)),
        CAT.BILLING: (0, 1, 1, 0, pytest.approx(5.0), pytest.approx(20.0)),
        CAT.STAFF_CONDUCT: (1, 0, 1, 0, pytest.approx(3.0), pytest.approx(4.0)),
        CAT.DELIVERY_DELAY: (0, 1, 1, 1, pytest.approx(2.0), None),
        None: (1, 0, 1, 1, None, None),
    }
    assert by_category[CAT.INSTALLATION].total == 0 and by_category[CAT.INSTALLATION].mean_days_to_close is None
    totals = register.totals
    assert (totals.complaints, totals.claims, totals.total, totals.open) == (3, 3, 6, 2)
    assert totals.mean_days_to_first_answer == pytest.approx(13 / 5)  # 2, 5, 1, 3, 2
    assert totals.mean_days_to_close == pytest.approx(20.0)  # 10, 20, 46, 4


def test_totals_by_month(dataset):
    months = complaints_register(2026, TODAY).by_month
    assert [m.month for m in months] == [d(m, 1) for m in range(1, 13)]
    row = {m.month.month: (m.totals.complaints, m.totals.claims, m.totals.open, m.totals.mean_days_to_first_answer,
                           m.totals.mean_days_to_close) for m in months if m.totals.total}
    assert row == {
        1: (1, 1, 0, pytest.approx(3.5), pytest.approx(15.0)),
        3: (1, 1, 0, pytest.approx(2.0), pytest.approx(25.0)),
        10: (0, 1, 1, pytest.approx(2.0), None),
        11: (1, 0, 1, None, None),
    }


def test_a_year_without_complaints_is_empty(dataset):
    register = complaints_register(2024, TODAY)
    assert register.is_empty and register.totals.total == 0
    assert [item.category for item in register.by_category] == list(CaseCategory)  # no "not analysed" row
    assert len(register.by_month) == 12 and all(m.totals.total == 0 for m in register.by_month)


def test_the_2025_register_holds_only_its_complaint(dataset):
    register = complaints_register(2025, TODAY)
    assert [(e.number, e.days_to_first_answer, e.days_to_close) for e in register.entries] == [
        ("CASE-2025-0009", 2, 5)
    ]
