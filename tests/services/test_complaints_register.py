"""The annual register of complaints and claims against a dataset built by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models.enums import CaseCategory, CaseKind, CaseStage, ContactChannel, ProposalAnswer, SolutionType
from app.services.reporting.complaints_register import RegisterOutcome, complaints_register
from tests.factories import NASTY, build_register_dataset
from tests.factories import REGISTER_TODAY as TODAY

K, CH, CAT, A, SOL = CaseKind, ContactChannel, CaseCategory, ProposalAnswer, SolutionType


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


@pytest.fixture
def dataset(database):
    build_register_dataset()


def test_every_complaint_and_claim_of_the_year_oldest_first(dataset):
    register = complaints_register(2026, TODAY)
    assert [e.number for e in register.entries] == [
        "CASE-2026-0001",
        "CASE-2026-0002",
        "CASE-2026-0003",
        "CASE-2026-0004",
        "CASE-2026-0007",
        "CASE-2026-0008",
    ]
    first = register.entries[0]
    assert (first.customer_name, first.customer_code, first.channel, first.category) == (
        NASTY,
        "C-00017",
        CH.EMAIL,
        CAT.PRODUCT_DEFECT,
    )
    # The year is in progress on 23 November: the register runs up to today.
    assert (register.year, register.start, register.end, register.issued_on) == (2026, d(1, 1), TODAY, TODAY)
    assert register.in_progress
    assert register.company_name == "My company"
    assert not register.is_empty


def test_solution_outcome_and_days(dataset):
    entries = {e.number[-4:]: e for e in complaints_register(2026, TODAY).entries}
    assert [(n, e.outcome) for n, e in entries.items()] == [
        ("0001", RegisterOutcome.ACCEPTED),
        ("0002", RegisterOutcome.ACCEPTED),
        ("0003", RegisterOutcome.MEDIATION),
        ("0004", RegisterOutcome.REJECTED),
        ("0007", RegisterOutcome.OPEN),
        ("0008", RegisterOutcome.OPEN),
    ]
    # The accepted proposal is the solution (the second round for 0002, with its amount).
    assert (entries["0001"].solution_type, entries["0001"].solution_detail) == (
        SOL.EXCHANGE,
        "A new unit <same model>",
    )
    assert (
        entries["0002"].solution_type,
        entries["0002"].solution_detail,
        entries["0002"].solution_amount,
    ) == (SOL.DISCOUNT, "10 % off the next purchase", Decimal("50.00"))
    # Mediation: its outcome is the solution; no proposal is shown.
    assert entries["0003"].solution_type is None
    assert (entries["0003"].mediation_outcome, entries["0003"].mediation_body) == (
        "Refund of half the price",
        "Junta Arbitral de Consumo",
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
    row = {
        c: (t.complaints, t.claims, t.total, t.open, t.mean_days_to_first_answer, t.mean_days_to_close)
        for c, t in by_category.items()
        if t.total
    }
    assert row == {
        CAT.PRODUCT_DEFECT: (1, 1, 2, 0, pytest.approx(1.5), pytest.approx(28.0)),
        CAT.BILLING: (0, 1, 1, 0, pytest.approx(5.0), pytest.approx(20.0)),
        CAT.STAFF_CONDUCT: (1, 0, 1, 0, pytest.approx(3.0), pytest.approx(4.0)),
        CAT.DELIVERY_DELAY: (0, 1, 1, 1, pytest.approx(2.0), None),
        None: (1, 0, 1, 1, None, None),
    }
    assert (
        by_category[CAT.INSTALLATION].total == 0 and by_category[CAT.INSTALLATION].mean_days_to_close is None
    )
    totals = register.totals
    assert (totals.complaints, totals.claims, totals.total, totals.open) == (3, 3, 6, 2)
    assert totals.mean_days_to_first_answer == pytest.approx(13 / 5)  # 2, 5, 1, 3, 2
    assert totals.mean_days_to_close == pytest.approx(20.0)  # 10, 20, 46, 4


def test_totals_by_month(dataset):
    months = complaints_register(2026, TODAY).by_month
    assert [m.month for m in months] == [d(m, 1) for m in range(1, 12)]  # up to November, today's month
    row = {
        m.month.month: (
            m.totals.complaints,
            m.totals.claims,
            m.totals.open,
            m.totals.mean_days_to_first_answer,
            m.totals.mean_days_to_close,
        )
        for m in months
        if m.totals.total
    }
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
    assert register.end == dt.date(2025, 12, 31) and not register.in_progress
