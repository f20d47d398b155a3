"""The dashboard's cheap figures, gathered from the services that own them (Qt-free).

Customers at risk are loaded apart (see dashboard_risk): the first reading after many changes
computes the customers' stored profiles again (seconds on 100k customers), later ones read them.
Both follow the same rep rule: a rep sees their own figures (their follow-ups, returns, cases,
charter measurements and customers), a manager everyone's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.models.enums import CharterIndicator, FollowUpState, Segment
from app.services import cases, followups, returns
from app.services.customers import value
from app.services.customers.risk import RiskList, at_risk
from app.services.reporting import satisfaction
from app.services.reporting.satisfaction import SatisfactionKpis

RISK_ROWS = 10  # the dashboard lists the most valuable customers at risk


@dataclass(frozen=True)
class CommitmentStatus:
    """One commitment of an active charter measured over its current period (month/quarter/year to date)."""

    charter_title: str
    text: str  # the commitment as the charter words it
    indicator: CharterIndicator
    days: int | None
    target: float
    value: float | None  # None: nothing to measure yet in the period
    met: bool | None
    period_start: dt.date
    in_force: bool = True  # False: the charter version was not in force in the current period


@dataclass(frozen=True)
class ComplianceSummary:
    commitments: list[CommitmentStatus]

    @property
    def met(self) -> int:
        return sum(1 for c in self.commitments if c.met)

    @property
    def measured(self) -> int:
        return sum(1 for c in self.commitments if c.met is not None)

    @property
    def not_in_force(self) -> int:
        return sum(1 for c in self.commitments if not c.in_force)

    @property
    def not_met(self) -> list[CommitmentStatus]:
        return [c for c in self.commitments if c.met is False]


@dataclass(frozen=True)
class DashboardSummary:
    rep_id: int | None  # whose figures (None: everyone's)
    follow_ups_today: int  # planned follow-ups scheduled today
    follow_ups_overdue: int  # planned, time passed
    returns_open: int
    returns_overdue: int
    cases_open: int
    cases_overdue: int
    satisfaction_this_month: SatisfactionKpis | None  # None: no answers this month
    satisfaction_last_month: SatisfactionKpis | None
    segments: dict[Segment | None, int]  # non-archived customers per segment (None: not computed)
    compliance: ComplianceSummary | None = None  # None: no active charter with commitments

    @property
    def segments_computed(self) -> bool:
        return any(self.segments.get(s, 0) for s in Segment)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of day's month."""
    first = day.replace(day=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    return first, next_first - dt.timedelta(days=1)


def _answered(kpis: SatisfactionKpis) -> SatisfactionKpis | None:
    if kpis.satisfaction_answers == 0 and kpis.recommend_answers == 0:
        return None
    return kpis


def dashboard_summary(rep_id: int | None, today: dt.date, now: dt.datetime) -> DashboardSummary:
    """The figures of the dashboard's tiles for one rep (None: every rep).

    Satisfaction and segments are company-wide: surveys and segments belong to no rep.
    """
    start = dt.datetime.combine(today, dt.time.min)
    # Counted, not listed: the agenda's rows (joins, customers' details) cost 40 ms on 100k customers.
    today_window = followups.AgendaWindow(
        rep_id, start, start + dt.timedelta(days=1), states=(FollowUpState.PLANNED,)
    )
    this_first, this_last = month_bounds(today)
    last_first, last_last = month_bounds(this_first - dt.timedelta(days=1))
    return DashboardSummary(
        rep_id=rep_id,
        follow_ups_today=followups.count_agenda(today_window),
        follow_ups_overdue=followups.overdue_count(rep_id, now),
        returns_open=returns.count_returns(
            returns.ReturnFilter(states=returns.OPEN_STATES, rep_id=rep_id), today
        ),
        returns_overdue=returns.overdue_count(today, rep_id),
        cases_open=cases.count_cases(cases.CaseFilter(open_only=True, rep_id=rep_id), today=today),
        cases_overdue=cases.count_cases(
            cases.CaseFilter(open_only=True, overdue_only=True, rep_id=rep_id), today=today
        ),
        satisfaction_this_month=_answered(satisfaction.kpis(this_first, this_last)),
        satisfaction_last_month=_answered(satisfaction.kpis(last_first, last_last)),
        segments=value.segment_distribution(),
        compliance=charter_compliance_summary(rep_id, today),
    )


def charter_compliance_summary(rep_id: int | None, today: dt.date) -> ComplianceSummary | None:
    """The active charters' commitments, each over its current period; None without any."""
    from app.services.charters.indicators import charter_compliance, current_period

    rows = charter_compliance(None, None, rep_id=rep_id, today=today)
    if not rows:
        return None
    return ComplianceSummary(
        [
            CommitmentStatus(
                charter_title=row.charter_title,
                text=row.text,
                indicator=row.indicator,
                days=row.days,
                target=row.target,
                value=row.measurement.value,
                met=row.met,
                period_start=row.measured_from or current_period(row.period, today)[0],
                in_force=row.in_force,
            )
            for row in rows
        ]
    )


def dashboard_risk(rep_id: int | None, today: dt.date, limit: int = RISK_ROWS) -> RiskList:
    """The most valuable customers at risk and how many there are: the rep's own customers (None: all)."""
    return at_risk(today, rep_id=rep_id, limit=limit)
