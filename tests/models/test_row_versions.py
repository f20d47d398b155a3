"""Schema 4: the records people edit carry a row version, in new and in upgraded databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.models import Customer, db
from app.models.database import close_database, open_database
from app.models.migrations import _VERSIONED_TABLES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def row_version_column(table: str) -> tuple:
    """(type, not null, default) of row_version in `table`."""
    for _cid, name, kind, notnull, default, _pk in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall():
        if name == "row_version":
            return kind, notnull, default
    return ()


@pytest.mark.sqlite_only("migrating a schema 1 SQLite file")
def test_an_upgraded_database_gives_every_existing_record_version_1_like_a_new_one(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    open_database(str(path))
    try:
        upgraded = {table: row_version_column(table) for table in _VERSIONED_TABLES}
        assert {c.row_version for c in Customer.select()} == {1}
        db.execute_sql(
            "INSERT INTO customer (code, kind, name, email, phone, mobile, address, postal_code, city, "
            "province, country, preferred_channel, language, notes, contact_consent, archived, "
            "search_text, created_at, updated_at) VALUES ('RAW', 'person', 'Crudo', '', '', '', '', '', "
            "'', '', 'ES', 'phone', 'es', '', 0, 0, '', '2026-01-01', '2026-01-01')"
        )
        assert Customer.get(Customer.code == "RAW").row_version == 1  # the column's own default
    finally:
        close_database()
    open_database(str(tmp_path / "new.sqlite3"))
    try:
        assert {table: row_version_column(table) for table in _VERSIONED_TABLES} == upgraded
        assert set(upgraded.values()) == {("INTEGER", 1, "1")}
    finally:
        close_database()
