"""Opening databases: creation, upgrade with backup, and refusing files without touching them."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from app.models import ALL_MODELS, Customer, SchemaVersion, db
from app.models.database import (
    DatabaseOpenError,
    close_database,
    default_database_path,
    open_database,
    resolve_target,
)
from app.models.migrations import LATEST_VERSION

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_v1_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def test_new_database_has_every_table_and_the_latest_version(tmp_path):
    info = open_database(str(tmp_path / "sub" / "new.sqlite3"))
    try:
        assert info.created and info.version == LATEST_VERSION
        tables = set(db.get_tables())
        assert {m._meta.table_name for m in ALL_MODELS} <= tables
        assert SchemaVersion.select().count() == 1
        assert db.obj.pragma("journal_mode") == "wal"
        assert db.obj.pragma("foreign_keys") == 1
    finally:
        close_database()


def test_reopening_does_not_recreate_or_back_up(tmp_path):
    path = tmp_path / "db.sqlite3"
    open_database(str(path))
    close_database()
    info = open_database(str(path))
    close_database()
    assert not info.created and info.backup is None
    assert list(tmp_path.glob("*.backup*")) == []


def test_version_1_database_is_upgraded_after_a_backup(tmp_path):
    path = make_v1_database(tmp_path / "old.sqlite3")
    before = digest(path)
    info = open_database(str(path))
    try:
        assert info.version == LATEST_VERSION and not info.created
        assert info.backup is not None and info.backup.exists()
        # The backup is the version-1 database as it was.
        conn = sqlite3.connect(info.backup)
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
        columns = {row[1] for row in conn.execute("PRAGMA table_info(customer)")}
        conn.close()
        assert "search_text" not in columns
        # Data survived and the new column was filled from it (accent-folded).
        customer = Customer.get(Customer.code == "C0001")
        assert customer.name == "Peña Ibáñez, José"
        assert "pena ibanez" in customer.search_text and "logrono" in customer.search_text
        versions = [v.version for v in SchemaVersion.select().order_by(SchemaVersion.version)]
        assert versions == list(range(1, LATEST_VERSION + 1))
        # Migration 3 gives an upgraded database the same follow-up indexes as a new one.
        upgraded = {i.name for i in db.get_indexes("follow_up")}
        assert "follow_up_state_kind_purpose_rep_id_scheduled_at" in upgraded
    finally:
        close_database()
    assert digest(path) != before
    open_database(str(path.with_name("fresh.sqlite3")))
    try:
        assert {i.name for i in db.get_indexes("follow_up")} == upgraded
    finally:
        close_database()


def test_check_mode_opens_an_old_database_without_upgrading(tmp_path):
    path = make_v1_database(tmp_path / "old.sqlite3")
    info = open_database(str(path), create=False, upgrade=False)
    close_database()
    assert info.version == 1 and info.backup is None
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    conn.close()


def test_failed_migration_leaves_the_old_schema(tmp_path, monkeypatch):
    from app.models import migrations

    path = make_v1_database(tmp_path / "old.sqlite3")

    def broken(migrator, database):
        migrator.migrate(migrator.add_column("customer", "search_text", Customer.search_text))
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(migrations.MIGRATIONS, 2, broken)
    with pytest.raises(RuntimeError):
        open_database(str(path))
    close_database()
    conn = sqlite3.connect(path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(customer)")}
    version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    conn.close()
    assert "search_text" not in columns and version == 1


def refused_untouched(path: Path, expected_words: str) -> None:
    before = digest(path)
    siblings = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(DatabaseOpenError) as error:
        open_database(str(path))
    close_database()
    assert expected_words in str(error.value)
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == siblings  # no -wal, -shm or backup left


def test_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    open_database(str(path))
    SchemaVersion.create(version=LATEST_VERSION + 1)
    close_database()
    refused_untouched(path, "newer version")


def test_text_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 10)
    refused_untouched(path, "not an SQLite file")


def test_corrupt_database_is_refused_untouched(tmp_path):
    path = tmp_path / "broken.sqlite3"
    open_database(str(path))
    close_database()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page after a valid header
    path.write_bytes(bytes(data))
    refused_untouched(path, "damaged")


def test_other_programs_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    refused_untouched(path, "another program")


def test_missing_file_is_refused_when_creation_is_not_allowed(tmp_path):
    with pytest.raises(DatabaseOpenError, match="no database"):
        open_database(str(tmp_path / "nothing.sqlite3"), create=False)
    assert not (tmp_path / "nothing.sqlite3").exists()


def test_sqlite_url_is_accepted(tmp_path):
    path = tmp_path / "url.sqlite3"
    info = open_database(f"sqlite:///{path}")
    close_database()
    assert info.path == path and path.exists()


def test_target_resolution_prefers_flag_then_environment_then_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("POSTVENTA_DB", raising=False)
    assert resolve_target(None) == str(default_database_path())
    assert default_database_path().name == "postventa.sqlite3"
    monkeypatch.setenv("POSTVENTA_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_target(None) == str(tmp_path / "env.sqlite3")
    assert resolve_target("flag.sqlite3") == "flag.sqlite3"
