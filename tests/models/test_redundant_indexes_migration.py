"""Migration 20: the foreign keys' own indexes that another index of their table leads with are
dropped (issue 19). An upgraded database has the indexes a new one is created with, on both engines,
and a lookup by each of those columns (a foreign key's check or cascade among them) still reads an
index."""

from __future__ import annotations

import pytest

from app.models import db, migrations
from app.models.migrations import REDUNDANT_INDEXES
from tests.models.test_database import migrate_again_from, read_before_and_after_upgrade

# Each dropped index: its table and column.
DROPPED = {
    "follow_up_customer_id": ("follow_up", "customer_id"),
    "follow_up_rep_id": ("follow_up", "rep_id"),
    "follow_up_sold_unit_id": ("follow_up", "sold_unit_id"),
    "check_answer_check_id": ("check_answer", "check_id"),
    "sale_customer_id": ("sale", "customer_id"),
    "customer_need_tag_customer_id": ("customer_need_tag", "customer_id"),
}


def _indexes() -> dict[str, set[str]]:
    tables = sorted({table for table, _column in DROPPED.values()})
    return {table: {index.name for index in db.get_indexes(table)} for table in tables}


def _all(indexes: dict[str, set[str]]) -> set[str]:
    return set().union(*indexes.values())


def test_the_migration_drops_the_indexes_listed():
    assert set(REDUNDANT_INDEXES) == set(DROPPED)


@pytest.mark.sqlite_only("a schema 19 SQLite file built from the schema 1 fixture")
def test_an_upgraded_file_has_the_indexes_of_a_new_one(tmp_path, monkeypatch):
    before, upgraded, fresh = read_before_and_after_upgrade(tmp_path, monkeypatch, 19, _indexes)
    assert set(DROPPED) <= _all(before)
    assert upgraded == fresh and not set(DROPPED) & _all(upgraded)
    assert _all(before) - _all(upgraded) == set(DROPPED)  # nothing else went


@pytest.mark.postgresql_only("the same migration on the office server (postventa server upgrade runs it)")
def test_the_migration_runs_on_postgresql(database, monkeypatch):

    monkeypatch.setattr(migrations, "MIGRATIONS", {20: migrations.MIGRATIONS[20]})  # this one only
    fresh = _indexes()
    for index, (table, column) in DROPPED.items():
        db.execute_sql(f'CREATE INDEX "{index}" ON "{table}" ("{column}")')
    migrate_again_from(19)
    assert _indexes() == fresh


@pytest.mark.sqlite_only("SQLite's query planner (EXPLAIN QUERY PLAN)")
def test_a_lookup_by_each_column_still_reads_an_index(database):
    for table, column in DROPPED.values():
        plan = db.execute_sql(f'EXPLAIN QUERY PLAN SELECT 1 FROM "{table}" WHERE "{column}" = 1').fetchall()
        details = " ".join(row[-1] for row in plan)
        assert "USING" in details and "INDEX" in details, (table, column, details)
