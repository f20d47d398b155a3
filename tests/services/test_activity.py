"""The activity report's figures against a small dataset built by hand (March 2026, today 20 March)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import Rep, db
from app.models.enums import (
    CheckAnswerResult,
    FollowUpKind,
    FollowUpPurpose,
    FollowUpState,
    ReturnReason,
    ReturnState,
)
from app.services.errors import NotFoundError, ValidationError
from app.services.reporting import activity
from app.services.reporting.activity import Comparison, activity_report, previous_period
from app.services.reporting.followup_stats import StateCounts
from tests.factories import ACTIVITY_MARCH as MARCH
from tests.factories import ACTIVITY_TODAY as TODAY
from tests.factories import NASTY, build_activity_dataset

K, P, S = FollowUpKind, FollowUpPurpose, FollowUpState
OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE
RS = ReturnState


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


@pytest.fixture
def dataset(database):
    return build_activity_dataset()


def previous(start, end, requested_end=None):
    found = previous_period(start, end, requested_end)
    return found.start, found.end, found.comparison


def test_a_calendar_month_quarter_or_year_compares_with_the_previous_one():
    assert previous(*MARCH) == (d(2, 1), d(2, 28), Comparison.MONTH)
    assert previous(d(10, 1), d(10, 31)) == (d(9, 1), d(9, 30), Comparison.MONTH)
    assert previous(d(1, 1), d(1, 31)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31), Comparison.MONTH)
    assert previous(d(4, 1), d(6, 30)) == (d(1, 1), d(3, 31), Comparison.QUARTER)
    assert previous(d(1, 1), d(3, 31)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31), Comparison.QUARTER)
    assert previous(d(1, 1), d(12, 31)) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31), Comparison.YEAR)
    assert previous(dt.date(2028, 3, 1), dt.date(2028, 3, 31)) == (
        dt.date(2028, 2, 1),
        dt.date(2028, 2, 29),
        Comparison.MONTH,
    )


def test_a_span_so_far_compares_with_the_same_days_of_the_previous_unit():
    # Year to date (the "this year" on 6 December), also within January: year on year.
    assert previous(d(1, 1), d(12, 6)) == (dt.date(2025, 1, 1), dt.date(2025, 12, 6), Comparison.YEAR_SO_FAR)
    assert previous(d(1, 1), d(1, 15)) == (dt.date(2025, 1, 1), dt.date(2025, 1, 15), Comparison.YEAR_SO_FAR)
    assert previous(dt.date(2028, 1, 1), dt.date(2028, 2, 29)) == (
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 28),
        Comparison.YEAR_SO_FAR,
    )
    # Month and quarter so far: the smallest unit that holds the span.
    assert previous(d(10, 1), d(10, 15)) == (d(9, 1), d(9, 15), Comparison.MONTH_SO_FAR)
    assert previous(d(3, 1), d(3, 31 - 1)) == (d(2, 1), d(2, 28), Comparison.MONTH_SO_FAR)
    assert previous(d(4, 1), d(5, 31)) == (d(1, 1), d(2, 28), Comparison.QUARTER_SO_FAR)


def test_a_period_cut_at_today_compares_like_the_unit_asked_for():
    assert previous(*(d(3, 1), TODAY), requested_end=d(3, 31)) == (d(2, 1), d(2, 20), Comparison.MONTH_SO_FAR)
    assert previous(d(10, 1), d(10, 15), d(12, 31)) == (d(7, 1), d(7, 15), Comparison.QUARTER_SO_FAR)
    assert previous(d(1, 1), d(1, 15), d(1, 31)) == (
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 15),
        Comparison.MONTH_SO_FAR,
    )


def test_other_spans_compare_with_the_same_length_just_before():
    assert previous(d(3, 20), d(3, 20)) == (d(3, 19), d(3, 19), Comparison.SAME_LENGTH)
    assert previous(d(3, 10), d(3, 19)) == (d(2, 28), d(3, 9), Comparison.SAME_LENGTH)
    assert previous(d(2, 1), d(4, 30)) == (
        dt.date(2025, 11, 4),
        d(1, 31),
        Comparison.SAME_LENGTH,
    )  # not a quarter
    assert previous(d(3, 2), d(3, 31)) == (d(1, 31), d(3, 1), Comparison.SAME_LENGTH)


def test_follow_ups_by_state_kind_purpose_and_rep(dataset):
    report = activity_report(*MARCH, today=TODAY)
    f = report.follow_ups
    assert f.totals == StateCounts(planned=3, overdue=1, done=3, missed=1, cancelled=1)
    assert f.totals.total == 8 and f.totals.done_rate == pytest.approx(3 / 5)
    assert f.by_kind == {
        K.CALL: StateCounts(planned=2, overdue=1, done=1, missed=1, cancelled=1),
        K.VISIT: StateCounts(planned=1, done=1),
        K.EMAIL: StateCounts(done=1),
    }
    assert f.by_purpose == {
        P.DELIVERY: StateCounts(done=1, missed=1),
        P.USAGE_CHECK: StateCounts(planned=1, done=1),
        P.SATISFACTION: StateCounts(planned=2, overdue=1),
        P.COMMERCIAL: StateCounts(done=1, cancelled=1),
    }
    assert [(r.rep_name, r.counts) for r in f.by_rep] == [
        ("Ana García", StateCounts(planned=1, overdue=1, done=2, missed=1)),
        ("Bob Smith", StateCounts(planned=2, cancelled=1)),
        ("", StateCounts(done=1)),
    ]


def test_checks_returns_cases_and_satisfaction(dataset):
    report = activity_report(*MARCH, today=TODAY)
    checks = report.checks
    assert (checks.completed, checks.passed, checks.failed) == (4, 2, 2)
    assert checks.pass_rate == pytest.approx(0.5)
    assert checks.mean_score == pytest.approx((1 + 0.5 + 1 / 3 + 1) / 4)
    assert [(i.question, i.not_ok, i.applicable) for i in checks.failed_items] == [
        ("Sabe programar un lavado", 2, 4),
        ("Limpia el filtro", 1, 4),
    ]

    r = report.returns
    assert r.total == 4 and r.resolved == 2
    assert r.by_state == {RS.RECEIVED: 1, RS.REFUNDED: 1, RS.CLOSED: 1, RS.CANCELLED: 1}
    assert r.by_reason == {
        ReturnReason.DEFECT_ON_ARRIVAL: 1,
        ReturnReason.FAILURE_IN_USE: 2,
        ReturnReason.TRANSPORT_DAMAGE: 1,
    }
    assert r.by_resolution == {RS.REPAIRED: 1, RS.REFUNDED: 1}
    assert r.mean_days_to_resolve == pytest.approx(7.0)  # 10 and 4 days
    assert r.median_days_to_resolve == pytest.approx(7.0)
    assert (r.cost_parts, r.cost_labour, r.cost_shipping, r.refunds) == (
        Decimal("100.50"),
        Decimal("40.00"),
        Decimal("21.50"),
        Decimal("499.00"),
    )
    assert r.total_cost == Decimal("661.00")
    assert [(c.number, c.customer_name, c.total_cost) for c in r.costliest] == [
        ("RMA-2026-0002", NASTY, Decimal("511.00")),
        ("RMA-2026-0001", NASTY, Decimal("150.00")),
    ]

    c = report.cases
    assert (c.total, c.complaints, c.answered, c.closed) == (3, 2, 3, 2)
    assert c.mean_days_to_first_answer == pytest.approx(13 / 3)  # 2, 10 and 1 days
    assert c.median_days_to_close == pytest.approx(6.5)  # 10 and 3 days
    assert c.share_accepted_at_first_proposal == pytest.approx(0.5)
    assert (c.escalated_internal, c.escalated_external) == (1, 0)

    k = report.satisfaction
    assert k.surveys == 3
    assert k.average == pytest.approx(11 / 3)
    assert k.csat == pytest.approx(200 / 3)
    assert k.nps == pytest.approx(0.0)
    assert [m.key for m in report.satisfaction_months] == [d(3, 1)]


def test_headline_and_previous_period(dataset):
    report = activity_report(*MARCH, today=TODAY)
    assert (report.previous_start, report.previous_end, report.comparison) == (
        d(2, 1),
        d(2, 28),
        Comparison.MONTH,
    )
    assert not report.in_progress
    now, before = report.current, report.previous
    assert (now.follow_ups_scheduled, now.follow_ups_done, now.follow_ups_overdue) == (8, 3, 1)
    assert (before.follow_ups_scheduled, before.follow_ups_done, before.follow_ups_overdue) == (2, 1, 0)
    assert before.follow_ups_done_rate == pytest.approx(0.5)
    assert (now.checks_completed, before.checks_completed) == (4, 1)
    assert before.check_pass_rate == pytest.approx(1.0)
    assert (now.returns_reported, before.returns_reported) == (4, 1)
    assert before.returns_mean_days_to_resolve == pytest.approx(10.0)
    assert (now.returns_cost, before.returns_cost) == (Decimal("661.00"), Decimal("50.00"))
    assert (now.cases_received, before.cases_received) == (3, 1)
    assert before.cases_mean_days_to_close is None
    assert (now.csat, before.csat) == (pytest.approx(200 / 3), pytest.approx(0.0))
    assert before.nps == pytest.approx(100.0)


def test_charter_compliance_of_the_active_charter(dataset):
    report = activity_report(*MARCH, today=TODAY)
    rows = [(c.text, c.measurement.numerator, c.measurement.denominator, c.met) for c in report.compliance]
    assert rows == [
        (
            "Resolvemos las devoluciones en 7 días",
            1,
            2,
            True,
        ),  # 4 days met, 10 not; the one of 15 Mar is pending
        ("Respondemos las reclamaciones en 5 días", 1, 2, False),  # 2 days met, 10 not
        ("Llamamos tras cada entrega", 0, 0, None),  # nothing delivered in March
    ]


def test_one_reps_figures(dataset):
    ana = dataset["ana"]
    report = activity_report(*MARCH, rep_id=ana.id, today=TODAY)
    assert (report.rep_name, report.rep_code) == ("Ana García", "ANA")
    assert report.follow_ups.totals == StateCounts(planned=1, overdue=1, done=2, missed=1)
    assert [r.rep_name for r in report.follow_ups.by_rep] == ["Ana García"]
    assert (report.checks.completed, report.checks.passed) == (2, 1)
    assert report.returns.total == 2 and report.returns.total_cost == Decimal("661.00")
    assert report.cases.total == 2
    assert report.satisfaction.surveys == 2 and report.satisfaction.average == pytest.approx(4.5)
    assert report.previous.follow_ups_scheduled == 1  # Ana's missed call of 10 February
    assert [c.measurement.denominator for c in report.compliance][:2] == [2, 1]


def test_refusals(dataset):
    with pytest.raises(ValidationError):
        activity_report(d(3, 31), d(3, 1), today=TODAY)
    with pytest.raises(NotFoundError):
        activity_report(*MARCH, rep_id=999, today=TODAY)


def test_an_empty_period_has_no_figures(dataset):
    report = activity_report(d(7, 1), d(7, 31), today=TODAY)
    assert report.follow_ups.totals.total == 0 and report.follow_ups.totals.done_rate is None
    assert (
        report.checks.completed == 0 and report.checks.pass_rate is None and report.checks.failed_items == []
    )
    assert report.returns.total == 0 and report.returns.mean_days_to_resolve is None
    assert report.returns.total_cost == Decimal("0.00") and report.returns.costliest == []
    assert report.current.csat is None and report.satisfaction_months == []


def test_reps_are_listed_alphabetically_whatever_their_accents(dataset):
    Rep.update(name="Álvaro Ruiz").where(Rep.code == "BOB").execute()
    names = [r.rep_name for r in activity_report(*MARCH, today=TODAY).follow_ups.by_rep]
    assert names == ["Álvaro Ruiz", "Ana García", ""]


def test_reps_are_listed_in_spanish_collation(dataset):
    """Issue 22: the report orders names as the lists do (ñ after n, not among the n's)."""
    Rep.update(name="Ñúñez Pardo").where(Rep.code == "BOB").execute()
    Rep.update(name="Nuria Sanz").where(Rep.code != "BOB").execute()
    names = [r.rep_name for r in activity_report(*MARCH, today=TODAY).follow_ups.by_rep]
    assert names == ["Nuria Sanz", "Ñúñez Pardo", ""]


@pytest.mark.sqlite_only("the page cache is SQLite's")
def test_the_report_reads_with_a_large_page_cache_and_gives_it_back(dataset, monkeypatch):
    def cache() -> int:
        return db.execute_sql("PRAGMA cache_size").fetchone()[0]

    before = cache()
    during: list[int] = []
    statistics = activity.follow_up_statistics

    def counting(*args, **kwargs):
        during.append(cache())
        return statistics(*args, **kwargs)

    monkeypatch.setattr(activity, "follow_up_statistics", counting)
    report = activity_report(*MARCH, today=TODAY)
    # the period and the previous one both read with it: their scans share the pages
    assert during == [-activity.REPORT_CACHE_KIB] * 2 and cache() == before
    assert report.follow_ups.totals.total == 8

    def failing(*args, **kwargs):
        raise ValidationError({"end": "stop"})

    monkeypatch.setattr(activity, "follow_up_statistics", failing)
    with pytest.raises(ValidationError):
        activity_report(*MARCH, today=TODAY)
    assert cache() == before
