"""The activity report / memo (memoria de actividades) for a period, optionally for one rep.

Gathers the figures every section prints from the services that own them, so the report and the
dashboard share one computation: follow-ups (app.services.reporting.followup_stats), correct-use checks
(app.services.checks), warranty returns (app.services.reporting.return_stats), cases
(app.services.reporting.case_stats), satisfaction (app.services.reporting.satisfaction) and charter compliance
(app.services.charters.indicators). Every figure is an SQL aggregate. The headline figures are
computed for the period and for the previous one (`previous_period`: the previous calendar month,
quarter or year, or the same days of it, else the same length before), for the comparison on the
summary page.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from peewee import fn

from app.i18n import _
from app.models import Rep, UsageCheck
from app.models.dialect import count_where, large_page_cache
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
# SQLite's page cache while the report reads (dialect.large_page_cache), in KiB. A year on the 100k
# demo scans ~170 MiB of indexes (follow-ups, check answers, deliveries), then scans them again for
# the previous year: with the connection's own cache (64 MiB encrypted, 32 MiB plain) each page falls
# out before it is read again, and an encrypted file decrypts and checks it at every read (the year
# report 1.6× the plain one's time; 1.2× with this cache, what remains is SQLite 3.53 against 3.40).
# Filled only as pages are read, and given back when the report is done.
REPORT_CACHE_KIB = 262144


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
    end: dt.date  # the last day measured: the day asked for, or today when the period is in progress
    in_progress: bool  # the period asked for ends after today and was cut at today
    previous_start: dt.date
    previous_end: dt.date
    comparison: Comparison  # what the previous period is
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


class Comparison(Enum):
    """What the previous period is: the previous calendar unit (or the same part of it), or the same length."""

    SAME_LENGTH = "same_length"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    MONTH_SO_FAR = "month_so_far"
    QUARTER_SO_FAR = "quarter_so_far"
    YEAR_SO_FAR = "year_so_far"


_WHOLE = {1: Comparison.MONTH, 3: Comparison.QUARTER, 12: Comparison.YEAR}
_SO_FAR = {1: Comparison.MONTH_SO_FAR, 3: Comparison.QUARTER_SO_FAR, 12: Comparison.YEAR_SO_FAR}


@dataclass(frozen=True)
class PreviousPeriod:
    start: dt.date
    end: dt.date
    comparison: Comparison


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, or that month's last day (31 May − 3 months → 28 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def _units(start: dt.date) -> list[int]:
    """The calendar units (in months: month, quarter, year) that begin on `start`, smallest first."""
    if start.day != 1:
        return []
    return [months for months in (1, 3, 12) if (start.month - 1) % months == 0]


def previous_period(start: dt.date, end: dt.date, requested_end: dt.date | None = None) -> PreviousPeriod:
    """The period start…end is compared with.

    A calendar month, quarter or year compares with the previous one (October → September, Q2 → Q1).
    One cut at today (`requested_end` is the end asked for) compares with the same part of the previous
    unit (October cut at 15 October → 1–15 September). So does a span from the first day of a month or
    quarter into it (the smallest unit that holds it), or from 1 January into the year: year to date
    (1 Jan–6 Dec 2026 → 1 Jan–6 Dec 2025). Any other span compares with the same number of days just
    before it (10–19 Mar → 28 Feb–9 Mar).
    """
    asked = requested_end or end
    for months in _units(start):
        if asked == _months_before(start, -months) - dt.timedelta(days=1):  # a whole unit was asked for
            if asked == end:
                return PreviousPeriod(
                    _months_before(start, months), start - dt.timedelta(days=1), _WHOLE[months]
                )
            return PreviousPeriod(_months_before(start, months), _months_before(end, months), _SO_FAR[months])
    # So far: from 1 January year on year (seasons compare), else the smallest unit that holds the span.
    for months in [12] if (start.month, start.day) == (1, 1) else _units(start):
        if end < _months_before(start, -months):
            return PreviousPeriod(_months_before(start, months), _months_before(end, months), _SO_FAR[months])
    previous_end = start - dt.timedelta(days=1)
    return PreviousPeriod(previous_end - (end - start), previous_end, Comparison.SAME_LENGTH)


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
    start: dt.date,
    end: dt.date,
    *,
    rep_id: int | None = None,
    today: dt.date,
    requested_end: dt.date | None = None,
) -> ActivityReport:
    """Everything the activity report prints for start…end (inclusive), for one rep or everyone.

    `requested_end`: the end asked for when it was after today and the period was cut at `end` (today);
    the report then says the period is in progress and compares it with the same part of the previous
    month, quarter or year it belongs to.
    """
    if start > end:
        raise ValidationError({"end": _("The period ends before it starts.")})
    rep = None
    if rep_id is not None:
        rep = Rep.get_or_none(Rep.id == rep_id)
        if rep is None:
            raise NotFoundError(_("The rep no longer exists."))
    with large_page_cache(kib=REPORT_CACHE_KIB):
        return _activity_report(start, end, rep, today=today, requested_end=requested_end)


def _activity_report(
    start: dt.date, end: dt.date, rep: Rep | None, *, today: dt.date, requested_end: dt.date | None
) -> ActivityReport:
    from app.services.charters import (
        indicators as charter_indicators,  # written alongside; imported late on purpose
    )

    rep_id = rep.id if rep is not None else None
    company = load_company_settings()
    previous = previous_period(start, end, requested_end)
    previous_start, previous_end = previous.start, previous.end

    follow_ups = follow_up_statistics(start, end, rep_id=rep_id, today=today)
    checks = check_figures(start, end, rep_id=rep_id)
    returns = return_statistics(start, end, rep_id=rep_id)
    cases = case_statistics(start, end, rep_id=rep_id)
    kpis = satisfaction.kpis(start, end, rep_id=rep_id)
    current = _headline(start, end, follow_ups, checks, returns, cases, kpis)
    before = _headline(
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
        in_progress=requested_end is not None and requested_end > end,
        previous_start=previous_start,
        previous_end=previous_end,
        comparison=previous.comparison,
        issued_on=today,
        company_name=company.name,  # translated at display (the default is N_("My company"))
        company_address=company.address,
        company_tax_id=company.tax_id,
        logo_path=company.logo_path,
        rep_id=rep_id,
        rep_name=rep.name if rep else None,
        rep_code=rep.code if rep else None,
        current=current,
        previous=before,
        follow_ups=follow_ups,
        checks=checks,
        returns=returns,
        cases=cases,
        satisfaction=kpis,
        satisfaction_months=satisfaction.kpis_per_month(start, end, rep_id=rep_id),
        compliance=charter_indicators.charter_compliance(start, end, rep_id=rep_id, today=today),
    )
