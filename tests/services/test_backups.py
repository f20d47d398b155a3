"""Backups of an SQLite database: verified copies, the daily one, the rotation on disk, restoring, refusals."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from app.models import Customer
from app.models.backups import (
    BackupCheckError,
    BackupError,
    BackupKind,
    backup_name,
    backups_in,
    parse_backup_name,
)
from app.models.database import DatabaseFileError, close_database, open_database
from app.models.migrations import LATEST_VERSION
from app.outputs import OutputError, OutputExistsError
from app.services import backups
from tests.factories import damage_table, demo_file
from tests.models.test_database import make_v1_database

pytestmark = pytest.mark.sqlite_only("backups and restores of SQLite files")

MORNING = dt.datetime(2026, 3, 10, 9, 0)


def dump(path: Path) -> list[str]:
    """Every table's schema and rows, read without changing the file."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def customer_codes(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT code FROM customer ORDER BY code")]
    finally:
        connection.close()


@pytest.fixture
def data(tmp_path) -> Path:
    return demo_file(tmp_path / "data" / "postventa.sqlite3", customers=20)


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "backups"


def test_a_backup_of_a_database_in_use_holds_its_data_in_one_private_file(data, folder):
    open_database(str(data))
    try:
        Customer.create(code="NEW-1", name="Written last")  # still in the write-ahead log
        assert data.with_name(data.name + "-wal").stat().st_size > 0
        written = backups.back_up(data, folder, now=MORNING)
        assert dump(written) == dump(data)  # read through the WAL: the same data
    finally:
        close_database()
    assert "NEW-1" in customer_codes(written)
    assert parse_backup_name(written.name).kind is BackupKind.MANUAL
    assert os.stat(written).st_mode & 0o777 == 0o600
    assert os.stat(folder).st_mode & 0o777 == 0o700
    header = written.read_bytes()[:20]
    assert (header[18], header[19]) == (1, 1)  # a rollback journal: no -wal needed to read it
    assert sorted(p.name for p in folder.iterdir()) == [written.name]  # no temporary or journal left


def test_the_list_reads_each_backup_read_only(data, folder):
    written = backups.back_up(data, folder, now=MORNING)
    before = digest(written)
    [entry] = backups.list_backups(data, folder)
    assert entry.path == written and entry.made_at == MORNING and entry.kind is BackupKind.MANUAL
    assert entry.customers == 20 and entry.schema_version == LATEST_VERSION
    assert entry.size == written.stat().st_size and entry.problem is None
    assert entry.last_activity is not None  # the demo's changes are in the audit log
    assert digest(written) == before and sorted(p.name for p in folder.iterdir()) == [written.name]


def test_the_daily_backup_is_made_once_a_day(data, folder):
    first = backups.daily_backup(data, folder, now=MORNING)
    assert first is not None and parse_backup_name(first.name).kind is BackupKind.DAILY
    assert backups.daily_backup(data, folder, now=MORNING.replace(hour=18)) is None
    # A copy taken before a restore holds yesterday's data as it was: it is not the day's backup.
    backups.restore_backup(data, first, folder, now=MORNING + dt.timedelta(days=1))
    assert backups.backup_due(data, folder, MORNING.date() + dt.timedelta(days=1))
    second = backups.daily_backup(data, folder, now=MORNING + dt.timedelta(days=1, hours=2))
    assert second is not None and second != first


def test_backing_up_applies_the_rotation_to_this_database_only(data, folder, tmp_path):
    for day in range(12):
        backups.daily_backup(data, folder, now=MORNING + dt.timedelta(days=day))
    # Another database with the same file name, backed up into the same folder.
    other = demo_file(tmp_path / "other" / "postventa.sqlite3", customers=5)
    theirs = backups.back_up(other, folder, now=MORNING - dt.timedelta(days=400))
    stale = folder / f".{backup_name(data, MORNING, BackupKind.DAILY)}.1a2b3c4d.part"
    stale.write_bytes(b"half a backup")
    os.utime(stale, (0, 0))
    fresh = folder / f".{backup_name(data, MORNING, BackupKind.DAILY)}.5e6f7a8b.part"
    fresh.write_bytes(b"a backup being written right now")

    backups.back_up(data, folder, now=MORNING + dt.timedelta(days=12))

    names = [name for _path, name in backups_in(folder, data)]
    assert set(names) == backups.backups_to_keep(names, (MORNING + dt.timedelta(days=12)).date())
    assert len(names) == 8  # 7 days, and the newest of the week before them
    assert theirs.exists() and not stale.exists() and fresh.exists()


def test_an_interrupted_backup_leaves_nothing_behind(data, folder):
    class Stop(Exception):
        pass

    def stop_at_once(done: int, total: int) -> None:
        raise Stop()

    with pytest.raises(Stop):
        backups.back_up(data, folder, progress=stop_at_once)
    assert list(folder.iterdir()) == []


def test_a_damaged_database_is_not_backed_up(data, folder):
    damage_table(data, "customer")
    with pytest.raises(BackupCheckError, match="integrity check"):
        backups.back_up(data, folder)
    assert list(folder.iterdir()) == []


def test_a_missing_database_is_not_backed_up(tmp_path, folder):
    with pytest.raises(BackupError, match="There is no database"):
        backups.back_up(tmp_path / "none.sqlite3", folder)
    assert not (tmp_path / "none.sqlite3").exists()


def test_a_backup_to_a_named_file_follows_the_output_rules(data, tmp_path):
    written = backups.back_up_to_file(data, tmp_path / "copy")
    assert written == tmp_path / "copy.sqlite3" and dump(written) == dump(data)
    assert os.stat(written).st_mode & 0o777 == 0o600
    with pytest.raises(OutputError, match="never writes over"):  # an SQLite file, even with force
        backups.back_up_to_file(data, written, force=True)
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("my notes")
    with pytest.raises(OutputExistsError):
        backups.back_up_to_file(data, notes)
    assert notes.read_text() == "my notes"
    backups.back_up_to_file(data, notes, force=True)
    assert dump(notes) == dump(data)


def test_restore_brings_back_the_backups_data_and_keeps_the_data_it_replaced(data, folder):
    backup = backups.back_up(data, folder, now=MORNING)
    open_database(str(data))
    original = Customer.get(Customer.code == "C-00001").name
    Customer.create(code="AFTER-1", name="Made after the backup")
    Customer.update(name="Renamed after the backup").where(Customer.code == "C-00001").execute()
    close_database()
    replaced = dump(data)

    outcome = backups.restore_backup(data, backup, folder, now=MORNING + dt.timedelta(hours=3))

    assert dump(data) == dump(backup)
    assert outcome.schema_version == LATEST_VERSION
    assert outcome.kept is not None and outcome.kept.parent == folder
    assert parse_backup_name(outcome.kept.name).kind is BackupKind.BEFORE_RESTORE
    assert dump(outcome.kept) == replaced
    assert sorted(p.name for p in data.parent.iterdir()) == [data.name]  # nothing left beside it
    info = open_database(str(data))
    try:
        assert info.backup is None  # the same schema: nothing to upgrade
        assert Customer.select().where(Customer.code == "AFTER-1").count() == 0
        assert Customer.get(Customer.code == "C-00001").name == original
    finally:
        close_database()


def test_a_restore_does_not_give_out_again_numbers_the_replaced_data_had_given(data, folder):
    """A laptop's sync outbox numbers its changes with AUTOINCREMENT and the office skips numbers it
    has applied: restored to an older backup, the laptop must not number new changes with them."""

    def numbered(*values: str) -> None:
        connection = sqlite3.connect(data)
        with connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS numbered (seq INTEGER PRIMARY KEY AUTOINCREMENT, v)"
            )
            connection.executemany("INSERT INTO numbered (v) VALUES (?)", [(v,) for v in values])
            connection.execute("DELETE FROM numbered")  # sent and let go, as the outbox does
        connection.close()

    numbered("a")
    backup = backups.back_up(data, folder, now=MORNING)
    numbered("b", "c", "d")
    backups.restore_backup(data, backup, folder, now=MORNING + dt.timedelta(hours=1))
    numbered("e")
    connection = sqlite3.connect(data)
    try:
        assert connection.execute("SELECT seq FROM sqlite_sequence WHERE name = 'numbered'").fetchone() == (
            5,
        )
    finally:
        connection.close()


def test_an_older_backup_is_restored_then_upgraded_when_opened(data, folder, tmp_path):
    old = make_v1_database(tmp_path / "old.sqlite3")
    before = digest(old)
    outcome = backups.restore_backup(data, old, folder)
    assert outcome.schema_version == 1 and digest(old) == before
    info = open_database(str(data), backups_folder=folder)  # as the window does after a restore
    try:
        assert info.version == LATEST_VERSION
        assert info.backup is not None and info.backup.parent == folder
        assert Customer.get(Customer.code == "C0001").name == "Peña Ibáñez, José"
    finally:
        close_database()


def test_restoring_over_a_damaged_database_keeps_it_as_it_was(data, folder, tmp_path):
    backup = backups.back_up_to_file(data, tmp_path / "good")
    damage_table(data, "customer")
    outcome = backups.restore_backup(data, backup, folder)
    assert dump(data) == dump(backup)
    assert outcome.kept is not None and outcome.kept.stat().st_size > 0  # the damaged data, unchecked
    with pytest.raises(BackupError, match="damaged and cannot be restored"):  # nor restored later
        backups.restore_backup(tmp_path / "elsewhere.sqlite3", outcome.kept, folder)
    assert not (tmp_path / "elsewhere.sqlite3").exists()


def test_a_restore_into_a_missing_file_makes_it_private(data, folder, tmp_path):
    new = tmp_path / "laptop" / "new.sqlite3"
    new.parent.mkdir()
    outcome = backups.restore_backup(new, data, folder)
    assert outcome.kept is None and dump(new) == dump(data)
    assert os.stat(new).st_mode & 0o777 == 0o600


def _newer_schema(path: Path) -> Path:
    demo_file(path, customers=3)
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO schema_version (version, applied_at) VALUES (?, '2030-01-01')", (LATEST_VERSION + 1,)
    )
    connection.commit()
    connection.close()
    return path


def _text(path: Path) -> Path:
    path.write_text("Dear customer,\n")
    return path


def _foreign(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE recipe (name TEXT)")
    connection.execute("INSERT INTO recipe VALUES ('paella')")
    connection.commit()
    connection.close()
    return path


def _no_tables(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 1")  # an SQLite file with a header and nothing else
    connection.close()
    return path


def _damaged(path: Path) -> Path:
    demo_file(path, customers=5)
    damage_table(path, "follow_up")
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_text, "not an SQLite file"),
        (_foreign, "another program"),
        (_newer_schema, "newer version of Postventa"),
        (_no_tables, "holds no Postventa data"),
        (_damaged, "damaged and cannot be restored"),
    ],
)
def test_a_backup_that_is_not_one_is_refused_and_nothing_is_touched(data, folder, tmp_path, make, reason):
    refused = make(tmp_path / "refused.sqlite3")
    before_backup, before_data = digest(refused), digest(data)
    siblings = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DatabaseFileError, match=reason):
        backups.restore_backup(data, refused, folder)
    assert digest(refused) == before_backup and digest(data) == before_data
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no backups folder, no -wal


def test_the_database_itself_is_not_a_backup_of_it(data, folder):
    before = digest(data)
    with pytest.raises(BackupError, match="the database itself"):
        backups.restore_backup(data, data, folder)
    assert digest(data) == before and not folder.exists()


@pytest.mark.parametrize(
    ("make", "reason"), [(_foreign, "another program"), (_newer_schema, "newer version")]
)
def test_a_database_of_another_program_or_a_newer_postventa_is_not_replaced(
    data, folder, tmp_path, make, reason
):
    target = make(tmp_path / "target.sqlite3")
    before = digest(target)
    with pytest.raises(DatabaseFileError, match=reason):
        backups.restore_backup(target, data, folder)
    assert digest(target) == before and not folder.exists()


def test_a_restore_waits_for_the_file_to_be_free_then_refuses(data, folder, tmp_path):
    backup = backups.back_up_to_file(data, tmp_path / "good")
    other = sqlite3.connect(data)  # another program holding the file open
    other.execute("PRAGMA journal_mode=wal")
    other.execute("SELECT COUNT(*) FROM customer").fetchone()
    before = dump(data)
    try:
        with pytest.raises(BackupError, match="is open in Postventa or another program"):
            backups.restore_backup(data, backup, folder, wait_seconds=0.3)
    finally:
        other.close()
    assert dump(data) == before


def test_a_damaged_backup_in_the_list_says_why(data, folder):
    written = backups.back_up(data, folder, now=MORNING)
    damage = written.with_name(backup_name(data, MORNING - dt.timedelta(days=1), BackupKind.DAILY))
    damage.write_bytes(b"SQLite format 3\x00" + bytes(200))
    newest, oldest = backups.list_backups(data, folder)
    assert newest.path == written and newest.problem is None
    assert oldest.path == damage and oldest.customers is None
    assert "damaged and cannot be restored" in oldest.problem
