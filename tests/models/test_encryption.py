"""Encryption at rest of an SQLite database (SQLCipher): nothing readable in the file, the key from the
keyring, refusal without it (the file untouched), the recovery key, encrypt → decrypt → encrypt with
the same data, encrypted backups that restore. The keyring is the tests' in-memory one (conftest)."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest

from app.demo import generate_demo
from app.models import Customer, cipher
from app.models.backups import BackupKind, backups_in
from app.models.database import DatabaseLockedError, close_database, open_database, sqlite_connection
from app.services import backups, encryption
from app.services.errors import DomainError, ValidationError
from tests.helpers import memory_keyring

pytestmark = [
    pytest.mark.sqlite_only("SQLCipher encrypts SQLite files"),
    pytest.mark.usefixtures("no_known_keys"),
]

EMAIL = "rosa.quintana@example.org"
TAX_ID = "48291734Q"


def make_database(path: Path, *, encrypt: bool) -> str | None:
    """A database with demo data and one customer whose e-mail and tax id the tests look for."""
    info = open_database(str(path), encrypt=encrypt)
    generate_demo(customers=15, seed=3)
    Customer.create(code="ZZ1", name="Rosa Quintana", email=EMAIL, tax_id=TAX_ID)
    close_database()
    return info.recovery_key


def personal_data_in(path: Path) -> list[bytes]:
    """The personal data found in the bytes of the file and of its working files (a `strings` scan)."""
    found = []
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            content = file.read_bytes()
            found += [word for word in (EMAIL.encode(), TAX_ID.encode(), b"Quintana") if word in content]
    return found


def dump(path: Path) -> list[str]:
    """Every table's schema and rows, through a keyed connection when the file is encrypted."""
    connection = sqlite_connection(path, read_only=True)
    try:
        schema = connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name"
        ).fetchall()
        lines = [repr(row) for row in schema]
        for _type, name, _sql in (row for row in schema if row[0] == "table"):
            rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
            lines += [f"{name}: {row!r}" for row in sorted(rows, key=repr)]
        lines.append(repr(connection.execute("PRAGMA user_version").fetchone()))
        return lines
    finally:
        connection.close()


def lose_the_keyring() -> None:
    """Another computer, or a keyring that lost the key: nothing known in the process either."""
    keyring.set_keyring(memory_keyring())
    cipher.forget_known_keys()


def test_an_encrypted_database_has_no_readable_personal_data_and_opens_with_the_keyring_key(tmp_path):
    plain = tmp_path / "plain.sqlite3"
    make_database(plain, encrypt=False)
    assert personal_data_in(plain)  # the scan finds them in a plain file

    secret = tmp_path / "secret.sqlite3"
    recovery = make_database(secret, encrypt=True)
    assert recovery is not None and len(recovery.replace("-", "")) == 56
    assert cipher.is_encrypted(secret)
    assert personal_data_in(secret) == []
    assert not secret.read_bytes().startswith(b"SQLite format 3")

    cipher.forget_known_keys()  # only the keyring has it now
    info = open_database(str(secret))
    assert info.encrypted
    assert Customer.get(Customer.code == "ZZ1").email == EMAIL
    # While open (write-ahead log in use) nothing readable either.
    Customer.update(notes="diabetic; " + EMAIL).where(Customer.code == "ZZ1").execute()
    assert personal_data_in(secret) == []
    close_database()


def test_an_encrypted_connection_checks_every_page_and_does_not_wipe_memory(tmp_path):
    # The settings the benchmarks measured (issue 18): each page authenticated by an HMAC, and
    # SQLCipher's memory wiping off (it makes every allocation slower; this build's default).
    secret = tmp_path / "secret.sqlite3"
    make_database(secret, encrypt=True)
    key = cipher.find_key(secret)
    assert key is not None
    connection = cipher.connect(str(secret), key)
    try:
        settings = {
            name: connection.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("cipher_use_hmac", "cipher_hmac_algorithm", "cipher_memory_security")
        }
    finally:
        connection.close()
    assert settings == {
        "cipher_use_hmac": "1",
        "cipher_hmac_algorithm": "HMAC_SHA512",
        "cipher_memory_security": "0",
    }


def test_without_its_key_the_database_is_refused_untouched_and_the_recovery_key_opens_it(tmp_path):
    secret = tmp_path / "secret.sqlite3"
    recovery = make_database(secret, encrypt=True)
    before = (secret.read_bytes(), secret.stat().st_mtime_ns)
    lose_the_keyring()

    with pytest.raises(DatabaseLockedError, match="recovery key"):
        open_database(str(secret))
    assert (secret.read_bytes(), secret.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.sqlite3"]  # no -wal, -shm or marker

    with pytest.raises(ValidationError):
        encryption.unlock_database(secret, "ABCD-EFGH")
    mistyped = recovery[:-1] + ("A" if recovery[-1] != "A" else "B")
    with pytest.raises(ValidationError):
        encryption.unlock_database(secret, mistyped)
    other = cipher.recovery_key(cipher.new_key())
    with pytest.raises(ValidationError, match="does not open"):
        encryption.unlock_database(secret, other)
    assert (secret.read_bytes(), secret.stat().st_mtime_ns) == before

    # Typed as people do: lower case, spaces instead of dashes. The keyring keeps it for next time.
    assert encryption.unlock_database(secret, recovery.lower().replace("-", " "))
    cipher.forget_known_keys()
    open_database(str(secret))
    assert Customer.get(Customer.code == "ZZ1").tax_id == TAX_ID
    close_database()


def test_the_command_line_s_recovery_key_comes_from_the_environment(tmp_path, monkeypatch):
    secret = tmp_path / "secret.sqlite3"
    recovery = make_database(secret, encrypt=True)
    lose_the_keyring()
    monkeypatch.setenv(cipher.RECOVERY_ENV_VAR, recovery)
    open_database(str(secret))
    assert Customer.select().count() > 0
    close_database()


def test_encrypt_decrypt_encrypt_keeps_the_same_data(tmp_path):
    database = tmp_path / "data" / "postventa.sqlite3"
    database.parent.mkdir()
    make_database(database, encrypt=False)
    folder = tmp_path / "backups"
    original = dump(database)

    first = encryption.encrypt_database(database, folder)
    assert cipher.is_encrypted(database) and personal_data_in(database) == []
    assert first.recovery_key and first.backup.exists()
    assert dump(database) == original

    second = encryption.decrypt_database(database, folder)
    assert not cipher.is_encrypted(database) and personal_data_in(database)
    assert cipher.is_encrypted(second.backup)  # the backup before decrypting is an encrypted one
    assert dump(database) == original

    third = encryption.encrypt_database(database, folder)
    assert third.recovery_key != first.recovery_key  # a new key each time
    assert dump(database) == original
    assert encryption.encryption_status(database).key_in_keyring
    # The database is usable: opened, written, reopened.
    open_database(str(database))
    Customer.create(code="ZZ2", name="Nuevo", email="n@example.org")
    close_database()
    open_database(str(database))
    assert Customer.select().where(Customer.code.in_(["ZZ1", "ZZ2"])).count() == 2
    close_database()
    with pytest.raises(DomainError, match="already encrypted"):
        encryption.encrypt_database(database, folder)


def test_encrypting_encrypts_the_database_s_backups_and_they_restore(tmp_path):
    database = tmp_path / "data" / "postventa.sqlite3"
    database.parent.mkdir()
    make_database(database, encrypt=False)
    folder = tmp_path / "backups"
    plain_backup = backups.back_up(database, folder)
    assert personal_data_in(plain_backup)
    original = dump(database)

    outcome = encryption.encrypt_database(database, folder)
    assert outcome.backups_converted == 2  # the one made before, and the one before encrypting
    kept = backups_in(folder, database)
    assert {name.kind for _path, name in kept} == {BackupKind.MANUAL, BackupKind.BEFORE_ENCRYPTION}
    for path, _name in kept:
        assert cipher.is_encrypted(path) and personal_data_in(path) == [], path

    # A backup of the encrypted database is encrypted, listed with its figures, and restores.
    made = backups.back_up(database, folder)
    assert cipher.is_encrypted(made) and personal_data_in(made) == []
    entry = backups.describe_backup(made)
    open_database(str(database))
    assert entry.problem is None and entry.customers == Customer.select().count()
    Customer.delete().where(Customer.code == "ZZ1").execute()
    close_database()
    backups.restore_backup(database, made, folder)
    assert dump(database) == original
    assert cipher.is_encrypted(database)

    # Decrypted later, the database still restores an encrypted backup (written as the database is).
    encryption.decrypt_database(database, folder)
    backups.restore_backup(database, made, folder)
    assert not cipher.is_encrypted(database)
    assert dump(database) == original


def test_an_encrypted_backup_without_its_key_is_listed_as_not_restorable(tmp_path):
    database = tmp_path / "data" / "postventa.sqlite3"
    database.parent.mkdir()
    make_database(database, encrypt=True)
    made = backups.back_up(database, tmp_path / "backups")
    before = made.read_bytes()
    lose_the_keyring()
    entry = backups.describe_backup(made)
    assert entry.problem is not None and "recovery key" in entry.problem
    assert made.read_bytes() == before


def test_new_encrypted_databases_need_a_keyring(tmp_path, monkeypatch):
    monkeypatch.setattr(cipher, "keyring_available", lambda: False)
    monkeypatch.setattr(cipher, "usable_keyring", lambda: None)
    path = tmp_path / "new.sqlite3"
    with pytest.raises(Exception, match="no keyring"):
        open_database(str(path), encrypt=True)
    assert not path.exists() or path.stat().st_size == 0


def test_the_recovery_key_reads_back_and_catches_typos():
    key = cipher.new_key()
    text = cipher.recovery_key(key)
    groups = text.split("-")
    assert len(groups) == 14 and all(len(group) == 4 for group in groups)
    assert cipher.parse_recovery_key(text) == key.key
    assert cipher.parse_recovery_key(" " + text.lower().replace("-", "  ") + "\n") == key.key
    with pytest.raises(cipher.RecoveryKeyError, match="mistyped"):
        cipher.parse_recovery_key(("B" if text[0] != "B" else "C") + text[1:])
    assert "DatabaseKey(salt=" in repr(key) and key.key.hex() not in repr(key)


def test_modes_stay_private(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX modes")
    database = tmp_path / "data" / "postventa.sqlite3"
    database.parent.mkdir()
    make_database(database, encrypt=False)
    os.chmod(database, 0o600)
    encryption.encrypt_database(database, tmp_path / "backups")
    assert database.stat().st_mode & 0o777 == 0o600
