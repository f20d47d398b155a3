"""The annual register of complaints and claims (seed 000: "llevar un registro anual con las quejas y
reclamaciones gestionadas").

Every complaint and claim *received* in the year (suggestions and compliments are not part of it),
oldest first: number, reception, customer, channel, category, the solution (the accepted proposal,
or the outcome of the external mediation), the outcome, the closing date and the days to the first
answer and to closing. A case still open counts its days up to `today` and is marked open. The totals
by category and by month are SQL aggregates (GROUP BY); the document is app.reports.register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from app.i18n import N_, _
from app.models import Case, CaseProposal, Customer
from app.models.dialect import count_where, days_between, month_number
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    Choice,
    ContactChannel,
    ProposalAnswer,
    SolutionType,
)
from app.services.company import load_company_settings

REGISTER_KINDS = (CaseKind.COMPLAINT, CaseKind.CLAIM)


class RegisterOutcome(Choice):
    ACCEPTED = "accepted", N_("Solution accepted")
    REJECTED = "rejected", N_("Closed without agreement")
    MEDIATION = "mediation", N_("Settled by mediation")
    OPEN = "open", N_("Open")


@dataclass(frozen=True)
class RegisterEntry:
    number: str
    kind: CaseKind
    received_on: dt.date
    customer_name: str
    customer_code: str
    channel: ContactChannel
    category: CaseCategory | None  # None: not analysed yet
    stage: CaseStage
    outcome: RegisterOutcome
    solution_type: SolutionType | None  # the accepted proposal
    solution_detail: str
    solution_amount: Decimal | None
    mediation_body: str
    mediation_outcome: str  # the solution when the case was settled by mediation
    first_answer_on: dt.date | None
    closed_on: dt.date | None
    days_to_first_answer: int  # not answered yet: the days so far (`answered` is False)
    days_to_close: int  # still open: the days so far (`is_open` is True)

    @property
    def answered(self) -> bool:
        return self.first_answer_on is not None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


@dataclass(frozen=True)
class RegisterTotals:
    """One row of totals: a category, a month, or the whole year."""

    complaints: int
    claims: int
    open: int
    mean_days_to_first_answer: float | None  # of the answered ones
    mean_days_to_close: float | None  # of the closed ones

    @property
    def total(self) -> int:
        return self.complaints + self.claims


@dataclass(frozen=True)
class CategoryTotals:
    category: CaseCategory | None  # None: not analysed yet
    totals: RegisterTotals


@dataclass(frozen=True)
class MonthTotals:
    month: dt.date  # the first day of the month
    totals: RegisterTotals


@dataclass(frozen=True)
class ComplaintsRegister:
    year: int
    start: dt.date
    end: dt.date  # 31 December, or today while the year is in progress
    today: dt.date
    company_name: str
    logo_path: str
    issued_on: dt.date
    entries: list[RegisterEntry]
    by_category: list[
        CategoryTotals
    ]  # every category, zeros included; "not analysed" only when there are some
    by_month: list[MonthTotals]  # the months up to `end`
    totals: RegisterTotals

    @property
    def is_empty(self) -> bool:
        return not self.entries

    @property
    def in_progress(self) -> bool:
        """The year has not ended yet: the register runs up to today."""
        return self.end < dt.date(self.year, 12, 31)


def _days(later, earlier) -> object:
    return days_between(later, earlier)


def _aggregates() -> tuple:
    """COUNT/SUM/AVG columns for one totals row; open cases are those without a closing date."""
    return (
        count_where(Case.kind == CaseKind.COMPLAINT),
        count_where(Case.kind == CaseKind.CLAIM),
        count_where(Case.closed_on.is_null()),
        fn.AVG(_days(Case.first_answer_on, Case.received_on)),  # AVG skips the NULLs of unanswered cases
        fn.AVG(_days(Case.closed_on, Case.received_on)),
    )


def _totals(complaints, claims, open_, mean_answer, mean_close) -> RegisterTotals:
    return RegisterTotals(
        int(complaints or 0),
        int(claims or 0),
        int(open_ or 0),
        float(mean_answer) if mean_answer is not None else None,
        float(mean_close) if mean_close is not None else None,
    )


def _outcome(closed_on, mediation_on, accepted: bool) -> RegisterOutcome:
    if closed_on is None:
        return RegisterOutcome.OPEN
    if mediation_on is not None:
        return RegisterOutcome.MEDIATION
    return RegisterOutcome.ACCEPTED if accepted else RegisterOutcome.REJECTED


def complaints_register(year: int, today: dt.date) -> ComplaintsRegister:
    """The register of the complaints and claims received in `year` up to `today` (the year may be in
    progress); open cases count days up to `today`."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    in_year = Case.kind.in_(REGISTER_KINDS) & (Case.received_on >= start) & (Case.received_on <= end)

    # The accepted proposal of each case (the latest round, should there be more than one).
    accepted: dict[int, tuple] = {}
    for case_id, solution_type, detail, amount in (
        CaseProposal.select(
            CaseProposal.case, CaseProposal.solution_type, CaseProposal.detail, CaseProposal.amount
        )
        .join(Case, on=(CaseProposal.case == Case.id))
        .where(in_year & (CaseProposal.answer == ProposalAnswer.ACCEPTED))
        .order_by(CaseProposal.round)
        .tuples()
    ):
        accepted[case_id] = (solution_type, detail, amount)

    entries = []
    query = (
        Case.select(
            Case.id,
            Case.number,
            Case.kind,
            Case.received_on,
            Customer.name,
            Customer.code,
            Case.channel,
            Case.category,
            Case.stage,
            Case.first_answer_on,
            Case.closed_on,
            Case.mediation_on,
            Case.mediation_body,
            Case.mediation_outcome,
        )
        .join(Customer, on=(Case.customer == Customer.id))
        .where(in_year)
        .order_by(Case.received_on, Case.year, Case.sequence)
    )
    for (
        case_id,
        number,
        kind,
        received_on,
        customer_name,
        customer_code,
        channel,
        category,
        stage,
        first_answer_on,
        closed_on,
        mediation_on,
        mediation_body,
        mediation_outcome,
    ) in query.tuples():
        solution = accepted.get(case_id)
        outcome = _outcome(closed_on, mediation_on, solution is not None)
        if outcome is RegisterOutcome.MEDIATION:
            solution = None  # the mediation's outcome is the solution
        solution_type, detail, amount = solution or (None, "", None)
        entries.append(
            RegisterEntry(
                number=number,
                kind=kind,
                received_on=received_on,
                customer_name=customer_name,
                customer_code=customer_code,
                channel=channel,
                category=category,
                stage=stage,
                outcome=outcome,
                solution_type=solution_type,
                solution_detail=detail or "",
                solution_amount=amount,
                mediation_body=mediation_body or "",
                mediation_outcome=(mediation_outcome or "") if outcome is RegisterOutcome.MEDIATION else "",
                first_answer_on=first_answer_on,
                closed_on=closed_on,
                days_to_first_answer=max(0, ((first_answer_on or today) - received_on).days),
                days_to_close=max(0, ((closed_on or today) - received_on).days),
            )
        )

    per_category = {
        category: _totals(*values)
        for category, *values in Case.select(Case.category, *_aggregates())
        .where(in_year)
        .group_by(Case.category)
        .tuples()
    }
    by_category = [
        CategoryTotals(category, per_category.get(category, _totals(0, 0, 0, None, None)))
        for category in CaseCategory
    ]
    if None in per_category:
        by_category.append(CategoryTotals(None, per_category[None]))

    month = month_number(Case.received_on)
    per_month = {
        int(key): _totals(*values)
        for key, *values in Case.select(month, *_aggregates()).where(in_year).group_by(month).tuples()
    }
    by_month = [
        MonthTotals(dt.date(year, m, 1), per_month.get(m, _totals(0, 0, 0, None, None)))
        for m in range(1, end.month + 1)
    ]
    totals = _totals(*Case.select(*_aggregates()).where(in_year).tuples().get())

    company = load_company_settings()
    return ComplaintsRegister(
        year=year,
        start=start,
        end=end,
        today=today,
        company_name=_(company.name),
        logo_path=company.logo_path,
        issued_on=today,
        entries=entries,
        by_category=by_category,
        by_month=by_month,
        totals=totals,
    )
