"""Opening databases: creation, upgrade with backup, and refusing files without touching them."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from app.locations import default_backups_folder, default_database_path, resolve_target
from app.models import ALL_MODELS, Customer, SchemaVersion, db
from app.models.backups import BackupKind, backups_in
from app.models.database import DatabaseOpenError, close_database, open_database
from app.models.migrations import LATEST_VERSION, MIGRATIONS

T = TypeVar("T")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stop_upgrades_at(patch: pytest.MonkeyPatch, version: int) -> None:
    """Within `patch`'s context, open_database upgrades a file up to schema `version` only, as an
    older release would."""
    from app.models import database as database_module
    from app.models import migrations

    patch.setattr(migrations, "LATEST_VERSION", version)
    patch.setattr(database_module, "LATEST_VERSION", version)


def read_before_and_after_upgrade(
    tmp_path: Path, monkeypatch, version: int, read: Callable[[], T]
) -> tuple[T, T, T]:
    """`read()` on a schema 1 file upgraded to `version` (an older release's schema), on the same
    file upgraded to the latest, and on a new file."""
    path = make_v1_database(tmp_path / "old.sqlite3")
    with monkeypatch.context() as patch:
        stop_upgrades_at(patch, version)
        assert open_database(str(path)).version == version
        readings = [read()]
        close_database()
    for target in (path, tmp_path / "fresh.sqlite3"):
        assert open_database(str(target)).version == LATEST_VERSION
        try:
            readings.append(read())
        finally:
            close_database()
    before, upgraded, fresh = readings
    return before, upgraded, fresh


def migrate_again_from(version: int) -> None:
    """The open database marked as at schema `version` and upgraded from there (the migrations in
    `migrations.MIGRATIONS`: a test leaves there the one it checks)."""
    from app.models import migrations

    SchemaVersion.delete().execute()
    SchemaVersion.create(version=version)
    migrations.run_migrations(db.obj, version)


def make_v1_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


@pytest.mark.sqlite_only("the file's WAL journal and foreign_keys pragmas")
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


@pytest.mark.sqlite_only("the backup copy of an SQLite file")
def test_reopening_does_not_recreate_or_back_up(tmp_path):
    path = tmp_path / "db.sqlite3"
    open_database(str(path))
    close_database()
    info = open_database(str(path))
    close_database()
    assert not info.created and info.backup is None
    assert backups_in(default_backups_folder(), path) == []


@pytest.mark.sqlite_only("a schema 1 SQLite file and its backup copy")
def test_version_1_database_is_upgraded_after_a_backup(tmp_path):
    path = make_v1_database(tmp_path / "old.sqlite3")
    before = digest(path)
    info = open_database(str(path))
    try:
        assert info.version == LATEST_VERSION and not info.created
        assert info.backup is not None and info.backup.exists()
        # In the backups folder, not beside the database; its name says why it was made.
        assert info.backup.parent == default_backups_folder()
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("old.sqlite3")) == []
        assert [name.kind for _file, name in backups_in(default_backups_folder(), path)] == [
            BackupKind.BEFORE_UPGRADE
        ]
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
        assert versions == [1, *sorted(MIGRATIONS)]  # numbers left unused are not there
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


@pytest.mark.sqlite_only("a schema 1 SQLite file and its backup copy")
def test_no_upgrade_without_its_backup(tmp_path):
    path = make_v1_database(tmp_path / "old.sqlite3")
    before = digest(path)
    not_a_folder = tmp_path / "backups"
    not_a_folder.write_text("a file where the backups folder should be")
    with pytest.raises(DatabaseOpenError, match="Cannot write a backup copy before upgrading"):
        open_database(str(path), backups_folder=not_a_folder)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "old.sqlite3"]


@pytest.mark.sqlite_only("a schema 1 SQLite file opened read-only")
def test_check_mode_opens_an_old_database_without_upgrading(tmp_path):
    path = make_v1_database(tmp_path / "old.sqlite3")
    info = open_database(str(path), create=False, upgrade=False)
    close_database()
    assert info.version == 1 and info.backup is None
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    conn.close()


@pytest.mark.sqlite_only("a schema 1 SQLite file left as it was")
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


@pytest.mark.sqlite_only("a file of a newer version left byte for byte")
def test_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    open_database(str(path))
    SchemaVersion.create(version=LATEST_VERSION + 1)
    close_database()
    refused_untouched(path, "newer version")


@pytest.mark.sqlite_only("a text file that is not an SQLite file")
def test_text_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 10)
    refused_untouched(path, "not an SQLite file")


@pytest.mark.sqlite_only("a damaged SQLite file")
def test_corrupt_database_is_refused_untouched(tmp_path):
    path = tmp_path / "broken.sqlite3"
    open_database(str(path))
    close_database()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page after a valid header
    path.write_bytes(bytes(data))
    refused_untouched(path, "damaged")


@pytest.mark.sqlite_only("another program's SQLite file")
def test_other_programs_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    refused_untouched(path, "another program")


@pytest.mark.sqlite_only("a missing file not created")
def test_missing_file_is_refused_when_creation_is_not_allowed(tmp_path):
    with pytest.raises(DatabaseOpenError, match="no database"):
        open_database(str(tmp_path / "nothing.sqlite3"), create=False)
    assert not (tmp_path / "nothing.sqlite3").exists()


@pytest.mark.sqlite_only("sqlite:/// URLs")
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


@pytest.mark.sqlite_only("migrating a schema 1 SQLite file")
def test_migration_5_folds_need_tags_sale_and_serial_numbers_into_unique_keys(tmp_path):
    """Issue 13, defects 4 and 10: tags differing only in case become one (customers keep them);
    numbers stored twice keep their key on the first row only, so the unique indexes can exist."""
    path = make_v1_database(tmp_path / "old.sqlite3")
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        INSERT INTO need_tag VALUES (1, 'Óptica'), (2, 'ÓPTICA'), (3, 'óptica'), (4, 'Precio');
        INSERT INTO customer_need_tag VALUES (1, 1, 2), (2, 1, 3), (3, 1, 4);
        INSERT INTO sale VALUES (2, '2026-01-01 10:00:00', '2026-01-01 10:00:00', 'Año-1', 1, 1, '2026-01-01', NULL, '');
        INSERT INTO sale VALUES (3, '2026-01-01 10:00:00', '2026-01-01 10:00:00', 'AÑO-1', 1, 1, '2026-01-01', NULL, '');
        INSERT INTO sale_line VALUES (2, 2, 1, 1, 10), (3, 3, 1, 1, 10);
        INSERT INTO sold_unit VALUES (2, 2, 1, 1, 'sn-1', 1, 0, NULL, 'active', NULL);
        INSERT INTO sold_unit VALUES (3, 3, 1, 1, NULL, 1, 0, NULL, 'active', NULL);
        """
    )
    conn.commit()
    conn.close()
    from app.models import NeedTag, Sale, SoldUnit

    open_database(str(path))
    try:
        assert [(t.name, t.key) for t in NeedTag.select().order_by(NeedTag.id)] == [
            ("Óptica", "óptica"),
            ("Precio", "precio"),
        ]
        tags = db.execute_sql(
            "SELECT tag_id FROM customer_need_tag WHERE customer_id = 1 ORDER BY tag_id"
        ).fetchall()
        assert tags == [(1,), (4,)]
        assert [(s.number, s.number_key) for s in Sale.select().order_by(Sale.id)] == [
            ("V-2025-0001", "v-2025-0001"),
            ("Año-1", "año-1"),
            ("AÑO-1", None),
        ]
        assert [u.serial_key for u in SoldUnit.select().order_by(SoldUnit.id)] == ["sn-1", None, None]
        upgraded = {
            name: {i.name for i in db.get_indexes(name) if i.unique}
            for name in ("need_tag", "sale", "sold_unit")
        }
        assert "need_tag_key" in upgraded["need_tag"] and "sale_number_key" in upgraded["sale"]
        assert "sold_unit_serial_key" in upgraded["sold_unit"]
    finally:
        close_database()
    open_database(str(path.with_name("fresh.sqlite3")))
    try:
        fresh = {
            name: {i.name for i in db.get_indexes(name) if i.unique}
            for name in ("need_tag", "sale", "sold_unit")
        }
        assert fresh == upgraded
    finally:
        close_database()
