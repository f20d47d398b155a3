"""The activity report / memo (memoria de actividades) for a period, optionally for one rep.

Gathers the figures every section prints from the services that own them, so the report and the
dashboard share one computation: follow-ups (app.services.reporting.followup_stats), correct-use checks
(app.services.checks), warranty returns (app.services.reporting.return_stats), cases
(app.services.reporting.case_stats), satisfaction (app.services.reporting.satisfaction) and charter compliance
(app.services.charters.indicators). Every figure is an SQL aggregate. The headline figures are
computed for the period and for the previous period of the same length, for the comparison on the
summary page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from app.i18n import _
from app.models import Rep, UsageCheck
from app.models.dialect import count_where
from app.models.enums import CheckStatus
from app.services.checks import FailedItemRow, most_failed_items
from app.services.company import load_company_settings
from app.services.errors import NotFoundError, ValidationError
from app.services.reporting import satisfaction
from app.services.reporting.case_stats import CaseStatistics, case_statistics
from app.services.reporting.followup_stats import FollowUpStatistics, follow_up_statistics
from app.services.reporting.return_stats import ReturnStatistics, return_statistics
from app.services.reporting.satisfaction import SatisfactionKpis

FAILED_ITEMS_SHOWN = 10


@dataclass(frozen=True)
class CheckFigures:
    completed: int  # checks finished in the period
    passed: int
    mean_score: float | None  # 0–1
    failed_items: list[FailedItemRow]  # the items answered Not OK most often

    @property
    def failed(self) -> int:
        return self.completed - self.passed

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.completed if self.completed else None


@dataclass(frozen=True)
class Headline:
    """The summary page's figures for one period (rates 0–1; satisfaction as the satisfaction module gives it)."""

    start: dt.date
    end: dt.date
    follow_ups_scheduled: int
    follow_ups_done: int
    follow_ups_overdue: int
    follow_ups_done_rate: float | None  # of those due (done, missed, overdue), the share done
    checks_completed: int
    check_pass_rate: float | None
    returns_reported: int
    returns_mean_days_to_resolve: float | None
    returns_cost: Decimal
    cases_received: int
    complaints_received: int  # complaints and claims
    cases_mean_days_to_first_answer: float | None
    cases_mean_days_to_close: float | None
    average_satisfaction: float | None  # 1–5
    csat: float | None  # %
    nps: float | None  # −100…100


@dataclass(frozen=True)
class ActivityReport:
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    issued_on: dt.date
    company_name: str
    company_address: str
    company_tax_id: str
    logo_path: str
    rep_id: int | None
    rep_name: str | None  # None: every rep
    rep_code: str | None
    current: Headline
    previous: Headline
    follow_ups: FollowUpStatistics
    checks: CheckFigures
    returns: ReturnStatistics
    cases: CaseStatistics
    satisfaction: SatisfactionKpis  # the whole period
    satisfaction_months: list[SatisfactionKpis]  # months with surveys, in order
    compliance: list  # of charter_indicators.CommitmentCompliance


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before start…end (e.g. 1–31 Mar → 29 Jan–28 Feb)."""
    previous_end = start - dt.timedelta(days=1)
    return previous_end - (end - start), previous_end


def check_figures(
    start: dt.date, end: dt.date, *, rep_id: int | None = None, items: int = FAILED_ITEMS_SHOWN
) -> CheckFigures:
    """Correct-use checks completed in the period: how many, how many passed, the mean score."""
    condition = (
        (UsageCheck.status == CheckStatus.COMPLETED)
        & (UsageCheck.completed_at >= dt.datetime.combine(start, dt.time.min))
        & (UsageCheck.completed_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    )
    if rep_id is not None:
        condition &= UsageCheck.rep == rep_id
    completed, passed, mean_score = (
        UsageCheck.select(
            fn.COUNT(UsageCheck.id),
            count_where(UsageCheck.passed == True),  # noqa: E712 (peewee builds SQL from ==)
            fn.AVG(UsageCheck.score),
        )
        .where(condition)
        .tuples()
        .get()
    )
    failed_items = most_failed_items(start, end, limit=items, rep_id=rep_id) if items and completed else []
    return CheckFigures(
        completed or 0, passed or 0, float(mean_score) if mean_score is not None else None, failed_items
    )


def _headline(
    start,
    end,
    follow_ups: FollowUpStatistics,
    checks: CheckFigures,
    returns: ReturnStatistics,
    cases: CaseStatistics,
    kpis: SatisfactionKpis,
) -> Headline:
    return Headline(
        start=start,
        end=end,
        follow_ups_scheduled=follow_ups.totals.total,
        follow_ups_done=follow_ups.totals.done,
        follow_ups_overdue=follow_ups.totals.overdue,
        follow_ups_done_rate=follow_ups.totals.done_rate,
        checks_completed=checks.completed,
        check_pass_rate=checks.pass_rate,
        returns_reported=returns.total,
        returns_mean_days_to_resolve=returns.mean_days_to_resolve,
        returns_cost=returns.total_cost,
        cases_received=cases.total,
        complaints_received=cases.complaints,
        cases_mean_days_to_first_answer=cases.mean_days_to_first_answer,
        cases_mean_days_to_close=cases.mean_days_to_close,
        average_satisfaction=kpis.average,
        csat=kpis.csat,
        nps=kpis.nps,
    )


def activity_report(
    start: dt.date, end: dt.date, *, rep_id: int | None = None, today: dt.date
) -> ActivityReport:
    """Everything the activity report prints for start…end (inclusive), for one rep or everyone."""
    if start > end:
        raise ValidationError({"end": _("The period ends before it starts.")})
    rep = None
    if rep_id is not None:
        rep = Rep.get_or_none(Rep.id == rep_id)
        if rep is None:
            raise NotFoundError(_("The rep no longer exists."))
    from app.services.charters import (
        indicators as charter_indicators,  # written alongside; imported late on purpose
    )

    company = load_company_settings()
    previous_start, previous_end = previous_period(start, end)

    follow_ups = follow_up_statistics(start, end, rep_id=rep_id, today=today)
    checks = check_figures(start, end, rep_id=rep_id)
    returns = return_statistics(start, end, rep_id=rep_id)
    cases = case_statistics(start, end, rep_id=rep_id)
    kpis = satisfaction.kpis(start, end, rep_id=rep_id)
    current = _headline(start, end, follow_ups, checks, returns, cases, kpis)
    previous = _headline(
        previous_start,
        previous_end,
        follow_up_statistics(previous_start, previous_end, rep_id=rep_id, today=today),
        check_figures(previous_start, previous_end, rep_id=rep_id, items=0),
        return_statistics(previous_start, previous_end, rep_id=rep_id),
        case_statistics(previous_start, previous_end, rep_id=rep_id),
        satisfaction.kpis(previous_start, previous_end, rep_id=rep_id),
    )
    return ActivityReport(
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        issued_on=today,
        company_name=company.name,  # translated at display (the default is N_("My company"))
        company_address=company.address,
        company_tax_id=company.tax_id,
        logo_path=company.logo_path,
        rep_id=rep_id,
        rep_name=rep.name if rep else None,
        rep_code=rep.code if rep else None,
        current=current,
        previous=previous,
        follow_ups=follow_ups,
        checks=checks,
        returns=returns,
        cases=cases,
        satisfaction=kpis,
        satisfaction_months=satisfaction.kpis_per_month(start, end, rep_id=rep_id),
        compliance=charter_indicators.charter_compliance(start, end, rep_id=rep_id, today=today),
    )
