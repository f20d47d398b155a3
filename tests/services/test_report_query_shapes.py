"""The activity report's figures rewritten for speed (issue 19) are the figures the earlier queries gave.

The most-failed check items now count the answers per item first, then per family and question; a
delivery's first contact is a range of the stored moment instead of the day of each follow-up. The
earlier shapes are kept here, as they were written, and both are run on the demo's data (many
checks, families, reps and deliveries) and on hand-built moments at the edges of a deadline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from peewee import Case, ValuesList, fn

from app.demo import generate_demo
from app.models import CheckAnswer, CheckItem, CheckTemplate, FollowUp, Rep, Sale, UsageCheck
from app.models.dialect import any_true, count_where, date_of
from app.models.enums import (
    CheckAnswerResult,
    CheckStatus,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
)
from app.services.charters.indicators import CI, measure
from app.services.checks import FailedItemRow, most_failed_items
from app.services.followups.working_days import WorkingCalendar
from app.services.reporting.activity import activity_report
from tests import factories

TODAY = dt.date(2026, 11, 23)
OK, NOT_OK = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK


def most_failed_items_as_before(start, end, family=None, limit=50, *, category_id=None, rep_id=None):
    """The query of commit f7380ff: every answer joined to its item and template, grouped by text."""
    not_ok = fn.SUM(Case(None, ((CheckAnswer.result == NOT_OK, 1),), 0))
    applicable = fn.SUM(Case(None, ((CheckAnswer.result.in_([OK, NOT_OK]), 1),), 0))
    trained = fn.SUM(
        Case(None, (((CheckAnswer.result == NOT_OK) & (CheckAnswer.trained_on_site == True), 1),), 0)  # noqa: E712
    )
    query = (
        CheckAnswer.select(
            CheckTemplate.family,
            fn.MAX(CheckTemplate.name).alias("template_name"),
            CheckItem.question,
            any_true(CheckItem.critical).alias("critical"),
            not_ok.alias("not_ok"),
            applicable.alias("applicable"),
            trained.alias("trained"),
        )
        .join(UsageCheck, on=(CheckAnswer.check == UsageCheck.id))
        .join_from(CheckAnswer, CheckItem, on=(CheckAnswer.item == CheckItem.id))
        .join_from(CheckItem, CheckTemplate, on=(CheckItem.template == CheckTemplate.id))
        .where(UsageCheck.status == CheckStatus.COMPLETED)
        .group_by(CheckTemplate.family, CheckItem.question)
        .having(not_ok > 0)
        .order_by(not_ok.desc(), (not_ok * 1.0 / applicable).desc(), CheckItem.question)
    )
    if start is not None:
        query = query.where(UsageCheck.completed_at >= dt.datetime.combine(start, dt.time.min))
    if end is not None:
        query = query.where(
            UsageCheck.completed_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
        )
    if family:
        query = query.where(CheckTemplate.family == family)
    if category_id is not None:
        query = query.where(CheckTemplate.category == category_id)
    if rep_id is not None:
        query = query.where(UsageCheck.rep == rep_id)
    if limit is not None:
        query = query.limit(limit)
    return [
        FailedItemRow(
            r["family"],
            r["template_name"],
            r["question"],
            bool(r["critical"]),
            int(r["not_ok"]),
            int(r["applicable"]),
            int(r["trained"] or 0),
        )
        for r in query.dicts()
    ]


def first_contacts_as_before(days, start, end, rep_id, today) -> tuple[int, int]:
    """(met, measured) as commit f7380ff counted them: the day of each follow-up against the deadline."""
    calendar = WorkingCalendar()

    def deadline(day: dt.date) -> dt.date:
        result = calendar.to_working_day(day)
        for _step in range(days):
            result = calendar.next_working_day(result)
        return result

    rows = [
        (day.isoformat(), deadline(day).isoformat())
        for day in (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    ]
    deadlines = ValuesList(rows).cte("deadline", columns=("day", "due"))
    day, due = date_of(deadlines.c.day), date_of(deadlines.c.due)
    contacted = FollowUp.select(FollowUp.id).where(
        (FollowUp.customer == Sale.customer)
        & (FollowUp.state == FollowUpState.DONE)
        & (FollowUp.outcome == FollowUpOutcome.REACHED)
        & (date_of(FollowUp.completed_at) >= Sale.delivered_on)
        & (date_of(FollowUp.completed_at) <= due)
    )
    met = fn.EXISTS(contacted)
    query = (
        Sale.select(count_where(met), count_where((due < today.isoformat()) | met))
        .join(deadlines, on=(Sale.delivered_on == day))
        .where((Sale.delivered_on >= start) & (Sale.delivered_on <= end))
        .with_cte(deadlines)
    )
    if rep_id is not None:
        query = query.where(Sale.rep == rep_id)
    met_count, measured = query.tuples().get()
    return int(met_count or 0), int(measured or 0)


@pytest.fixture
def demo(database):
    generate_demo(customers=60, seed=5, today=TODAY)
    return [rep.id for rep in Rep.select().order_by(Rep.id)]


PERIODS = [
    (dt.date(2026, 1, 1), dt.date(2026, 11, 23)),
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    (dt.date(2026, 10, 1), dt.date(2026, 11, 30)),  # runs past today: deadlines still ahead
]


def test_most_failed_items_are_counted_as_before(demo):
    some = 0
    for start, end in [*PERIODS, (None, None)]:
        for rep_id in (None, *demo):
            rows = most_failed_items(start, end, limit=None, rep_id=rep_id)
            assert rows == most_failed_items_as_before(start, end, limit=None, rep_id=rep_id)
            some += len(rows)
    assert some > 20  # the demo fails items in every period: the comparison compared something
    families = {row.family for row in most_failed_items(None, None, limit=None)}
    assert len(families) > 1
    for family in families:
        assert most_failed_items(None, None, family, limit=3) == most_failed_items_as_before(
            None, None, family, limit=3
        )
    for category_id in {t.category_id for t in CheckTemplate.select() if t.category_id is not None}:
        assert most_failed_items(None, None, category_id=category_id) == most_failed_items_as_before(
            None, None, category_id=category_id
        )


def test_first_contacts_are_counted_as_before(demo):
    counted = 0
    for start, end in PERIODS:
        for days in (0, 1, 2, 5):
            for rep_id in (None, demo[0]):
                m = measure(CI.FIRST_CONTACT_AFTER_DELIVERY, days, start, end, rep_id=rep_id, today=TODAY)
                assert (m.numerator, m.denominator) == first_contacts_as_before(
                    days, start, end, rep_id, TODAY
                )
                counted += m.numerator
    assert counted > 0


def test_a_first_contact_at_the_edges_of_its_deadline(database):
    """Delivered Monday 2 March 2026; two working days reach Wednesday 4 March (no holiday then).
    One sale at a time is delivered in March, with one contact at the moment named."""
    moments = {
        "the evening before the delivery": dt.datetime(2026, 3, 1, 23, 59, 59),
        "the delivery day at midnight": dt.datetime(2026, 3, 2, 0, 0),
        "the deadline's last microsecond": dt.datetime(2026, 3, 4, 23, 59, 59, 999999),
        "midnight after the deadline": dt.datetime(2026, 3, 5, 0, 0),
    }
    march, after = (dt.date(2026, 3, 1), dt.date(2026, 3, 31)), dt.date(2026, 4, 1)
    met = {}
    for number, (what, moment) in enumerate(moments.items(), start=1):
        who = factories.customer(f"C{number}")
        [unit] = factories.sale(who, dt.date(2026, 3, 2), (1, "100.00"))
        FollowUp.create(
            customer=who,
            kind=FollowUpKind.CALL,
            purpose=FollowUpPurpose.COMMERCIAL,
            scheduled_at=moment,
            state=FollowUpState.DONE,
            outcome=FollowUpOutcome.REACHED,
            completed_at=moment,
        )
        m = measure(CI.FIRST_CONTACT_AFTER_DELIVERY, 2, *march, today=after)
        assert m.denominator == 1
        assert (m.numerator, m.denominator) == first_contacts_as_before(2, *march, None, after)
        met[what] = m.numerator
        sale_id = unit.line.sale_id
        Sale.update(delivered_on=None).where(Sale.id == sale_id).execute()  # out of the next measure
    assert met == {
        "the evening before the delivery": 0,
        "the delivery day at midnight": 1,
        "the deadline's last microsecond": 1,
        "midnight after the deadline": 0,
    }


def _same_but_for_the_last_bit_of_the_mean_score(report):
    """The report with its mean check scores rounded to 12 places: AVG adds the scores in the order
    the rows are read, which an index changes, and a float sum differs in its last bit with the order
    (0.9705128205128204 / …05); every other figure is an exact count."""
    checks = dataclasses.replace(report.checks, mean_score=round(report.checks.mean_score, 12))
    return dataclasses.replace(report, checks=checks)


def test_the_whole_report_reads_the_same_with_the_new_indexes_as_without(demo):
    """Indexes change how the figures are read, never what they are: the report with migration 10's
    indexes dropped (the tables read instead) equals the report with them."""
    from app.models import db

    period = (dt.date(2026, 1, 1), dt.date(2026, 11, 23))
    with_indexes = activity_report(*period, today=TODAY)
    for table, index in (
        ("follow_up", "follow_up_state_scheduled_at_completed_at_rep_id"),
        ("follow_up", "follow_up_customer_id_state_outcome_completed_at"),
        ("sale", "sale_delivered_on_customer_id_rep_id"),
        ("check_answer", "check_answer_check_id_item_id_result_trained_on_site"),
        ("usage_check", "usage_check_status_completed_at_rep_id_passed_score"),
        ("satisfaction_survey", "satisfaction_survey_taken_on_satisfaction_recommend_rep_id"),
    ):
        assert index in {i.name for i in db.get_indexes(table)}
        db.execute_sql(f"DROP INDEX {index}")
    without = activity_report(*period, today=TODAY)
    assert _same_but_for_the_last_bit_of_the_mean_score(
        without
    ) == _same_but_for_the_last_bit_of_the_mean_score(with_indexes)
    assert with_indexes.checks.failed_items and with_indexes.compliance
