"""Statistics of the customer-service department for a period (seed 000: detect anomalies and trends).

Every figure is an SQL aggregate over the cases *received* in the period (inclusive): counts by
type, category and channel; mean and median days to the first answer and to closing; the share
accepted at the first proposal; the share escalated to internal negotiation and to external
mediation; and the same counts month by month. The activity report and the dashboard reuse them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from app.models import Case, CaseProposal, CaseStageChange
from app.models.dialect import count_where, days_between, month_key
from app.models.enums import CaseCategory, CaseKind, CaseStage, ContactChannel, ProposalAnswer

COMPLAINT_KINDS = (CaseKind.COMPLAINT, CaseKind.CLAIM)


@dataclass(frozen=True)
class MonthStatistics:
    month: dt.date  # the first day of the month
    received: int
    complaints: int  # complaints and claims among them
    closed: int  # of those received in the month, how many are closed
    mean_days_to_close: float | None


@dataclass(frozen=True)
class CaseStatistics:
    start: dt.date
    end: dt.date
    total: int
    by_kind: dict[CaseKind, int]  # every type, zeros included
    by_category: dict[CaseCategory, int]  # analysed complaints and claims, zeros included
    by_channel: dict[ContactChannel, int]  # every channel, zeros included
    answered: int  # cases with a first answer
    mean_days_to_first_answer: float | None
    median_days_to_first_answer: float | None
    closed: int
    mean_days_to_close: float | None
    median_days_to_close: float | None
    complaints: int  # complaints and claims
    first_proposals_answered: int  # complaints and claims whose first proposal has an answer
    accepted_at_first_proposal: int
    escalated_internal: int  # complaints and claims that went to internal negotiation
    escalated_external: int  # … and to external mediation
    months: list[MonthStatistics]

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def share_accepted_at_first_proposal(self) -> float | None:
        """Of the complaints and claims whose first proposal was answered, the share accepted."""
        return self._share(self.accepted_at_first_proposal, self.first_proposals_answered)

    @property
    def share_escalated_internal(self) -> float | None:
        """Of all complaints and claims received, the share that needed internal negotiation."""
        return self._share(self.escalated_internal, self.complaints)

    @property
    def share_escalated_external(self) -> float | None:
        """Of all complaints and claims received, the share referred to external mediation."""
        return self._share(self.escalated_external, self.complaints)


def _in_period(start: dt.date, end: dt.date, rep_id: int | None = None):
    condition = (Case.received_on >= start) & (Case.received_on <= end)
    if rep_id is not None:
        condition &= Case.rep == rep_id
    return condition


def _days(later) -> object:
    return days_between(later, Case.received_on)


def _counts(column, condition) -> dict:
    query = Case.select(column, fn.COUNT(Case.id)).where(condition).group_by(column)
    return dict(query.tuples())


def _mean(days, condition) -> float | None:
    value = Case.select(fn.AVG(days)).where(condition).scalar()
    return float(value) if value is not None else None


def _median(days, condition, count: int) -> float | None:
    """The middle value (or the mean of the two middle values), read with ORDER BY … LIMIT in SQL."""
    if not count:
        return None
    middle = (
        Case.select(days.alias("days"))
        .where(condition)
        .order_by(days)
        .limit(2 - count % 2)
        .offset((count - 1) // 2)
    )
    values = [float(v) for (v,) in middle.tuples()]
    return sum(values) / len(values)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def case_statistics(start: dt.date, end: dt.date, *, rep_id: int | None = None) -> CaseStatistics:
    """The department's figures for the cases received between `start` and `end` (inclusive).

    With `rep_id`, only the cases that rep handles.
    """
    period = _in_period(start, end, rep_id)
    complaints = period & Case.kind.in_(COMPLAINT_KINDS)

    kinds = _counts(Case.kind, period)
    categories = _counts(Case.category, complaints & Case.category.is_null(False))
    channels = _counts(Case.channel, period)

    answered_condition = period & Case.first_answer_on.is_null(False)
    answer_days = _days(Case.first_answer_on)
    answered = Case.select().where(answered_condition).count()
    closed_condition = period & Case.closed_on.is_null(False)
    close_days = _days(Case.closed_on)
    closed = Case.select().where(closed_condition).count()

    first_round = (
        CaseProposal.select(
            fn.COUNT(CaseProposal.id),
            count_where(CaseProposal.answer == ProposalAnswer.ACCEPTED),
        )
        .join(Case, on=(CaseProposal.case == Case.id))
        .where(complaints & (CaseProposal.round == 1) & (CaseProposal.answer != ProposalAnswer.PENDING))
    )
    first_answered, first_accepted = first_round.tuples().get()

    def escalated(stage: CaseStage) -> int:
        reached = CaseStageChange.select(CaseStageChange.case).where(CaseStageChange.to_stage == stage)
        return Case.select().where(complaints & Case.id.in_(reached)).count()

    month = month_key(Case.received_on)
    monthly = {
        key: (received, complaint_count or 0, closed_count or 0, mean)
        for key, received, complaint_count, closed_count, mean in Case.select(
            month,
            fn.COUNT(Case.id),
            count_where(Case.kind.in_(COMPLAINT_KINDS)),
            fn.COUNT(Case.closed_on),
            fn.AVG(close_days),
        )
        .where(period)
        .group_by(month)
        .tuples()
    }
    months = []
    cursor = _month_start(start)
    while cursor <= end:
        received, complaint_count, closed_count, mean = monthly.get(cursor.strftime("%Y-%m"), (0, 0, 0, None))
        months.append(
            MonthStatistics(
                cursor, received, complaint_count, closed_count, float(mean) if mean is not None else None
            )
        )
        cursor = _next_month(cursor)

    return CaseStatistics(
        start=start,
        end=end,
        total=sum(kinds.values()),
        by_kind={kind: kinds.get(kind, 0) for kind in CaseKind},
        by_category={category: categories.get(category, 0) for category in CaseCategory},
        by_channel={channel: channels.get(channel, 0) for channel in ContactChannel},
        answered=answered,
        mean_days_to_first_answer=_mean(answer_days, answered_condition),
        median_days_to_first_answer=_median(answer_days, answered_condition, answered),
        closed=closed,
        mean_days_to_close=_mean(close_days, closed_condition),
        median_days_to_close=_median(close_days, closed_condition, closed),
        complaints=Case.select().where(complaints).count(),
        first_proposals_answered=first_answered or 0,
        accepted_at_first_proposal=first_accepted or 0,
        escalated_internal=escalated(CaseStage.INTERNAL_NEGOTIATION),
        escalated_external=escalated(CaseStage.EXTERNAL_MEDIATION),
        months=months,
    )
