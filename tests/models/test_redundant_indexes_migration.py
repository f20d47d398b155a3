"""Migration 20: the foreign keys' own indexes that another index of their table leads with are
dropped (issue 19). An upgraded database has the indexes a new one is created with, on both engines,
and a lookup by each of those columns (a foreign key's check or cascade among them) still reads an
index."""

from __future__ import annotations

import pytest

from app.models import database as database_module
from app.models import db, migrations
from app.models.database import close_database, open_database
from app.models.migrations import REDUNDANT_INDEXES
from tests.models.test_database import make_v1_database

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
    path = make_v1_database(tmp_path / "old.sqlite3")
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", {v: m for v, m in migrations.MIGRATIONS.items() if v <= 19})
        patch.setattr(migrations, "LATEST_VERSION", 19)
        patch.setattr(database_module, "LATEST_VERSION", 19)
        assert open_database(str(path)).version == 19
        before = _indexes()
        close_database()
    assert set(DROPPED) <= _all(before)
    assert open_database(str(path)).version == migrations.LATEST_VERSION >= 20
    try:
        upgraded = _indexes()
    finally:
        close_database()
    open_database(str(tmp_path / "fresh.sqlite3"))
    try:
        assert _indexes() == upgraded
    finally:
        close_database()
    assert not set(DROPPED) & _all(upgraded)
    assert _all(before) - _all(upgraded) == set(DROPPED)  # nothing else went


@pytest.mark.postgresql_only("the same migration on the office server (postventa server upgrade runs it)")
def test_the_migration_runs_on_postgresql(database, monkeypatch):
    from app.models import SchemaVersion

    monkeypatch.setattr(migrations, "MIGRATIONS", {20: migrations.MIGRATIONS[20]})  # this one only
    fresh = _indexes()
    for index, (table, column) in DROPPED.items():
        db.execute_sql(f'CREATE INDEX "{index}" ON "{table}" ("{column}")')
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=19)
    migrations.run_migrations(db.obj, 19)
    assert _indexes() == fresh


@pytest.mark.sqlite_only("SQLite's query planner (EXPLAIN QUERY PLAN)")
def test_a_lookup_by_each_column_still_reads_an_index(database):
    for table, column in DROPPED.values():
        plan = db.execute_sql(f'EXPLAIN QUERY PLAN SELECT 1 FROM "{table}" WHERE "{column}" = 1').fetchall()
        details = " ".join(row[-1] for row in plan)
        assert "USING" in details and "INDEX" in details, (table, column, details)
