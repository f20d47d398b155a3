"""Migration 10: the covering indexes the activity report and the charters' figures read (issue 19).
An upgraded database gets the indexes a new one is created with, on both engines, and SQLite's
planner reads the report's queries from them alone."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import db, migrations
from tests.models.test_database import migrate_again_from, read_before_and_after_upgrade

TABLES = ("follow_up", "usage_check", "check_answer", "sale", "satisfaction_survey")
NEW = {
    "follow_up_state_scheduled_at_completed_at_rep_id",
    "follow_up_customer_id_state_outcome_completed_at",
    "sale_delivered_on_customer_id_rep_id",
    "check_answer_check_id_item_id_result_trained_on_site",
    "usage_check_status_completed_at_rep_id_passed_score",
    "satisfaction_survey_taken_on_satisfaction_recommend_rep_id",
}
REPLACED = {"follow_up_state_scheduled_at", "usage_check_status_completed_at", "satisfaction_survey_taken_on"}


def _indexes() -> dict[str, set[str]]:
    return {table: {index.name for index in db.get_indexes(table)} for table in TABLES}


@pytest.mark.sqlite_only("a schema 9 SQLite file built from the schema 1 fixture")
def test_an_upgraded_file_gets_the_indexes_of_a_new_one(tmp_path, monkeypatch):
    before, upgraded, fresh = read_before_and_after_upgrade(tmp_path, monkeypatch, 9, _indexes)
    assert REPLACED <= set().union(*before.values()) and not NEW & set().union(*before.values())
    assert upgraded == fresh
    assert NEW <= set().union(*upgraded.values()) and not REPLACED & set().union(*upgraded.values())


@pytest.mark.postgresql_only("the same migration on the office server (postventa server upgrade runs it)")
def test_the_migration_runs_on_postgresql(database, monkeypatch):

    monkeypatch.setattr(migrations, "MIGRATIONS", {10: migrations.MIGRATIONS[10]})  # this one only

    fresh = _indexes()
    for index in NEW:
        db.execute_sql(f'DROP INDEX "{index}"')
    db.execute_sql('CREATE INDEX "follow_up_state_scheduled_at" ON "follow_up" ("state", "scheduled_at")')
    db.execute_sql(
        'CREATE INDEX "usage_check_status_completed_at" ON "usage_check" ("status", "completed_at")'
    )
    db.execute_sql('CREATE INDEX "satisfaction_survey_taken_on" ON "satisfaction_survey" ("taken_on")')
    migrate_again_from(9)
    assert _indexes() == fresh


@pytest.mark.sqlite_only("SQLite's query planner (EXPLAIN QUERY PLAN)")
def test_the_report_s_slow_parts_read_the_indexes_alone(database):
    """Follow-ups on time, a delivery's first contact and the most-failed items: no table read."""
    from app.services.charters.indicators import CI, measure
    from app.services.checks import most_failed_items

    start, end, today = dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 11, 23)
    calls = {
        "follow_up_state_scheduled_at_completed_at_rep_id": lambda: measure(
            CI.FOLLOW_UPS_ON_TIME, None, start, end, today=today
        ),
        "follow_up_customer_id_state_outcome_completed_at": lambda: measure(
            CI.FIRST_CONTACT_AFTER_DELIVERY, 2, start, end, today=today
        ),
        "check_answer_check_id_item_id_result_trained_on_site": lambda: most_failed_items(start, end),
    }
    for index, call in calls.items():
        [(sql, params)] = [sent for sent in _statements(call) if "SUM(" in sent[0]]  # the figure's query
        plan = " ".join(
            str(row[-1]) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        )
        assert f"USING COVERING INDEX {index}" in plan, plan


def _statements(call) -> list[tuple[str, tuple]]:
    """The SQL `call` sends through peewee."""
    sent: list[tuple[str, tuple]] = []
    original = db.obj.execute_sql

    def recording(sql, params=None):
        sent.append((sql, tuple(params or ())))
        return original(sql, params)

    db.obj.execute_sql = recording
    try:
        call()
    finally:
        del db.obj.execute_sql
    return sent
