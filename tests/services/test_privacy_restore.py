"""A restore of a backup made before an erasure erases the person again (issue 18): the erasure log of
the replaced data is read first, and its customers are erased in the restored data, an older schema
upgraded on the way; no copy of the erased data is left in the backups folder by the restore."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.models import Customer, CustomerErasure, migrations
from app.models.database import close_database, open_database
from app.services import backups
from app.services.customers import privacy
from tests.factories import demo_file

pytestmark = pytest.mark.sqlite_only("backups and restores of SQLite files")

MORNING = dt.datetime(2026, 3, 10, 9, 0)


@pytest.fixture
def data(tmp_path) -> Path:
    return demo_file(tmp_path / "data" / "postventa.sqlite3", customers=12)


def _erase(path: Path, code: str) -> tuple[str, str]:
    open_database(str(path))
    try:
        customer = Customer.get(Customer.code == code)
        name = customer.name
        privacy.erase_personal_data(customer.id, None, now=MORNING + dt.timedelta(hours=1))
        return customer.uid, name
    finally:
        close_database()


def test_a_restore_of_an_older_backup_erases_again_who_was_erased_since(data, tmp_path):
    folder = tmp_path / "backups"
    backup = backups.back_up(data, folder, now=MORNING)
    uid, name = _erase(data, "C-00003")
    outcome = backups.restore_backup(data, backup, folder, now=MORNING + dt.timedelta(hours=2))
    assert outcome.erasures_reapplied == 1
    open_database(str(data))
    try:
        again = Customer.get(Customer.uid == uid)
        assert again.name == privacy.ERASED and again.email == "" and again.tax_id is None
        logged = CustomerErasure.get()
        assert (logged.customer_uid, logged.erased_at) == (uid, MORNING + dt.timedelta(hours=1))
        assert Customer.select().where(Customer.name == name).count() == 0
    finally:
        close_database()
    assert name.encode() not in data.read_bytes()
    # Restoring the same backup once more: still erased, nothing erased twice.
    outcome = backups.restore_backup(data, backup, folder, now=MORNING + dt.timedelta(hours=3))
    assert outcome.erasures_reapplied == 1
    open_database(str(data))
    try:
        assert CustomerErasure.select().count() == 1
    finally:
        close_database()


def test_a_backup_from_before_the_erasure_log_is_upgraded_then_erased_again(data, tmp_path, monkeypatch):
    """A backup of schema 15 (no erasure log yet): opening it after the restore upgrades it, then the
    erasures are made again; the copy the upgrade took (the backup's data) does not stay.

    The backup is today's file with the log taken out and its version set to 15: migration 16 runs
    for real, later ones (already in the file) as nothing."""
    real = migrations.MIGRATIONS
    monkeypatch.setattr(
        migrations,
        "MIGRATIONS",
        {v: (f if v <= 16 else (lambda migrator, database: None)) for v, f in real.items()},
    )
    folder = tmp_path / "backups"
    backup = backups.back_up(data, folder, now=MORNING)
    old = tmp_path / "schema-15.sqlite3"
    shutil.copyfile(backup, old)
    connection = sqlite3.connect(old)
    with connection:
        connection.execute("DROP TABLE customer_erasure")
        connection.execute("DELETE FROM schema_version WHERE version > 15")
        connection.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (15, '2026-03-10 09:00:00')"
        )
    connection.close()
    uid, name = _erase(data, "C-00005")
    before = set(folder.iterdir())
    outcome = backups.restore_backup(data, old, folder)
    assert (outcome.schema_version, outcome.erasures_reapplied) == (15, 1)
    info = open_database(str(data))
    try:
        assert info.backup is None  # upgraded already, by the restore
        assert Customer.get(Customer.uid == uid).name == privacy.ERASED
        assert CustomerErasure.get().customer_uid == uid
    finally:
        close_database()
    left = set(folder.iterdir()) - before
    assert [p.name for p in left if "before-restore" not in p.name] == []
    for path in left:  # the copy of the replaced data was made after the erasure
        assert name.encode() not in path.read_bytes()


def test_a_backup_older_than_the_erasure_log_is_not_restored_over_erasures(data, tmp_path):
    """A file of a schema before 7 gets new uids when upgraded: nobody in it could be erased again,
    so with erasures logged its restore is refused and nothing changes."""
    import hashlib

    from tests.models.test_database import make_v1_database

    old = make_v1_database(tmp_path / "old-v1.sqlite3")
    _erase(data, "C-00003")
    before = hashlib.sha256(data.read_bytes()).hexdigest()
    folder = tmp_path / "backups"
    with pytest.raises(backups.BackupError, match="older than the erasure log"):
        backups.restore_backup(data, old, folder, now=MORNING)
    assert hashlib.sha256(data.read_bytes()).hexdigest() == before
    assert not folder.exists() or not any(folder.iterdir())  # no copy kept: nothing was replaced
    # With no erasure logged, the same old backup restores (upgraded when next opened).
    fresh = demo_file(tmp_path / "fresh" / "postventa.sqlite3", customers=3)
    assert backups.restore_backup(fresh, old, folder, now=MORNING).erasures_reapplied == 0
