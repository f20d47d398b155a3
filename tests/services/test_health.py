"""Database health check: integrity, broken references, schema version and row counts."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import ALL_MODELS, SchemaVersion, db
from app.models.base import new_uid
from app.models.migrations import LATEST_VERSION
from app.services.customers import CustomerInput, create_customer
from app.services.errors import DomainError
from app.services.health import check_database
from tests.conftest import ENGINE


def _customer(name: str = "Iñaki Peña") -> int:
    return create_customer(CustomerInput(code="C-00001", name=name), acting_rep_id=None)


def test_a_fresh_database_is_healthy(database):
    report = check_database()
    assert report.ok and report.problems == []
    # A server database checks its own storage: SQLite's integrity_check has no counterpart to run.
    assert report.integrity == ("not applicable" if report.server else "ok")
    assert report.sequences_behind == []
    assert report.foreign_key_problems == []
    assert report.schema_version == report.latest_version == LATEST_VERSION
    assert set(report.row_counts) == {m._meta.table_name for m in ALL_MODELS}
    assert report.row_counts["schema_version"] == 1 and report.row_counts["customer"] == 0


def test_row_counts_follow_the_data(database):
    _customer()
    report = check_database(quick=True)
    assert report.ok and report.row_counts["customer"] == 1


@pytest.mark.sqlite_only("orphan rows made with PRAGMA foreign_keys = OFF; PostgreSQL enforces foreign keys")
def test_a_row_pointing_at_a_missing_customer_is_reported(database):
    db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        now = dt.datetime(2026, 5, 20, 10, 0)
        for number in ("V-2026-00001", "V-2026-00002"):
            db.execute_sql(
                "INSERT INTO sale (uid, number, customer_id, sold_on, notes, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, '', ?, ?)",
                (new_uid(), number, 999, dt.date(2026, 5, 20), now, now),
            )
    finally:
        db.execute_sql("PRAGMA foreign_keys = ON")
    report = check_database()
    assert not report.ok
    assert report.foreign_key_problems == ["2 rows of sale refer to customer rows that do not exist."]
    assert report.problems == report.foreign_key_problems
    assert report.integrity == "ok"  # the file itself is fine


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (LATEST_VERSION + 1, "newer than this version"),
        (1, "Open it in Postventa to upgrade it" if ENGINE == "sqlite" else "postventa server upgrade"),
    ],
)
def test_a_wrong_schema_version_is_reported(database, version, message):
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=version)
    report = check_database()
    assert not report.ok
    assert report.schema_version == version
    assert len(report.problems) == 1 and message in report.problems[0]


def test_a_missing_schema_version_is_reported(database):
    SchemaVersion.delete().execute()
    report = check_database()
    assert report.schema_version is None
    assert "no schema version" in report.problems[0]


def test_a_missing_table_is_reported_and_the_rest_still_counted(database):
    db.execute_sql('DROP TABLE "audit_entry"')
    report = check_database()
    assert not report.ok
    assert "audit_entry" not in report.row_counts and "customer" in report.row_counts
    assert any("audit_entry" in problem for problem in report.problems)


def test_the_report_reads_as_lines(database):
    report = check_database()
    lines = report.lines()
    assert lines[0] == ("Integrity: not applicable" if report.server else "Integrity (full check): ok")
    assert ("Id sequences behind their tables: ok" in lines) == report.server
    assert any(line.strip().startswith("customer") for line in lines)
    assert lines[-1] == "Result: healthy"


def test_the_quick_check_says_so_and_names_each_step_as_it_starts(database):
    steps: list[str] = []
    report = check_database(quick=True, progress=steps.append)
    assert report.ok and report.quick
    assert report.lines()[0] == (
        "Integrity: not applicable" if report.server else "Integrity (quick check): ok"
    )
    assert steps == [
        "Checking the file (quick check)…",
        "Checking the references between tables…",
        "Counting rows…",
    ]
    steps.clear()
    assert not check_database(progress=steps.append).quick
    assert steps[0] == "Checking the file (full check)…"


@pytest.mark.sqlite_only("the memory map of an SQLite connection")
@pytest.mark.parametrize("quick", [True, False])
def test_the_check_reads_the_file_through_a_memory_map_and_puts_the_connection_back(
    database, monkeypatch, quick
):
    sizes: list[int] = []
    real_execute = db.obj.execute_sql

    def execute_sql(sql, *args, **kwargs):
        if sql.startswith(("PRAGMA quick_check", "PRAGMA integrity_check")):
            sizes.append(real_execute("PRAGMA mmap_size").fetchone()[0])
        return real_execute(sql, *args, **kwargs)

    before = db.execute_sql("PRAGMA mmap_size").fetchone()[0]
    monkeypatch.setattr(db.obj, "execute_sql", execute_sql)
    assert check_database(quick=quick).ok
    monkeypatch.undo()
    assert len(sizes) == 1 and sizes[0] > before
    assert db.execute_sql("PRAGMA mmap_size").fetchone()[0] == before


def test_needs_an_open_database(monkeypatch):
    monkeypatch.setattr(db, "obj", None)
    with pytest.raises(DomainError):
        check_database()
