"""SQLite's planner statistics: a file without them had the dashboard's charter figures take minutes
at 100,000 customers (a correlated subquery walking every completed check once per unit sold)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from app.demo import generate_demo
from app.models import db
from app.models.database import close_database, open_database
from app.services.charters import indicators

pytestmark = pytest.mark.sqlite_only("SQLite's own statistics tables (PostgreSQL's autovacuum analyzes)")

TODAY = dt.date(2026, 11, 23)


def _analyzed_tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return set()
        return {table for (table,) in conn.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}


def _demo_file(tmp_path):
    path = tmp_path / "demo.sqlite3"
    open_database(str(path))
    generate_demo(customers=40, seed=2, today=TODAY)
    return path


def _closed_demo_file_without_statistics(tmp_path):
    path = _demo_file(tmp_path)
    close_database()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE sqlite_stat1")
    return path


def _seeks_each_units_checks() -> bool:
    plan = _checks_after_delivery_plan()
    return any("usage_check_sold_unit_id" in step for step in plan)


def _checks_after_delivery_plan() -> list[str]:
    """The query plan of the charter's "usage check within N days of delivery" figure, as run."""
    statements = []
    execute_sql = db.obj.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return execute_sql(sql, params, *args, **kwargs)

    db.obj.execute_sql = recording
    try:
        indicators._checks_after_delivery(30, dt.date(2026, 1, 1), dt.date(2026, 12, 31), None, TODAY)
    finally:
        del db.obj.execute_sql
    (sql, params), *_ = [s for s in statements if "usage_check" in s[0]]
    return [row[-1] for row in db.obj.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


def test_the_demo_leaves_statistics_and_the_checks_figure_seeks_each_units_checks(tmp_path):
    path = _demo_file(tmp_path)
    try:
        assert {"customer", "follow_up", "usage_check", "sold_unit"} <= _analyzed_tables(path)
        assert _seeks_each_units_checks(), _checks_after_delivery_plan()
    finally:
        close_database()


def test_a_file_never_analyzed_gets_statistics_when_it_is_opened(tmp_path):
    path = _closed_demo_file_without_statistics(tmp_path)
    assert _analyzed_tables(path) == set()
    open_database(str(path))
    try:
        assert {"customer", "follow_up", "usage_check", "sold_unit"} <= _analyzed_tables(path)
        assert _seeks_each_units_checks(), _checks_after_delivery_plan()
    finally:
        close_database()


def test_without_statistics_the_checks_figure_walks_the_completed_checks(tmp_path, monkeypatch):
    """The test of the tests above: the plan they look for is the statistics' doing."""
    from app.models import database

    path = _closed_demo_file_without_statistics(tmp_path)
    monkeypatch.setattr(database, "analyze_sqlite_when_never_done", lambda engine: None)
    open_database(str(path))
    try:
        assert not _seeks_each_units_checks(), _checks_after_delivery_plan()
    finally:
        close_database()


def test_a_read_only_open_closes_without_writing_statistics(tmp_path):
    path = _closed_demo_file_without_statistics(tmp_path)
    open_database(str(path), read_only=True)
    close_database()
    assert _analyzed_tables(path) == set()


def test_an_import_leaves_statistics_for_what_it_wrote_and_a_dry_run_none(tmp_path):
    from app.services.imports import ImportKind, ImportOptions, open_for_import, run_import
    from tests.imports.files import write_csv

    path = tmp_path / "new.sqlite3"
    open_database(str(path))
    try:
        rows = [[f"C{n:04d}", f"Cliente {n}", f"Calle {n}"] for n in range(30)]
        source = write_csv(tmp_path / "customers.csv", [["Código", "Razón social", "Dirección"], *rows])
        dry = ImportOptions(ImportKind.CUSTOMERS, dry_run=True)
        run_import(open_for_import(source, dry), dry)
        assert _analyzed_tables(path) == set()
        options = ImportOptions(ImportKind.CUSTOMERS)
        assert run_import(open_for_import(source, options), options).created == 30
        assert "customer" in _analyzed_tables(path)
    finally:
        close_database()
