"""Encrypting and decrypting an SQLite database file in place (SQLCipher's `sqlcipher_export`).

A file is converted into a new file beside it, never in place: the new file is written by
`sqlcipher_export` (every table, index, trigger and the search index, the AUTOINCREMENT counters and
the user version), checked (SQLite's integrity_check, the schema version and every table's row count
against the original's) and only then renamed over the original. The original is first taken for
this process alone and switched out of write-ahead logging, so no -wal file of the old form stays
beside the new one and no other connection writes meanwhile.

The keys and the keyring are app.models.cipher's; the backup before a conversion and the backups
converted after it are app.services.encryption's. No Qt.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from app.i18n import _
from app.locations import create_private_file
from app.models import cipher
from app.models.backups import TAKE_OVER_SECONDS, BackupError, _take_over
from app.models.database import DatabaseLockedError, translate_database_error


class EncryptionError(BackupError):
    """A database or a backup could not be encrypted or decrypted; the original is unchanged."""


def _key_of(path: Path) -> cipher.DatabaseKey | None:
    """The key of `path` when it is encrypted (DatabaseLockedError without one), None when plain."""
    if not cipher.is_encrypted(path):
        return None
    key = cipher.find_key(path)
    if key is None:
        raise DatabaseLockedError(path)
    return key


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _table_counts(connection, schema: str) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%'"
        )
    ]
    return {
        name: connection.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0] for name in names
    }


def convert_file(source: Path, destination: Path, key: cipher.DatabaseKey | None) -> None:
    """Write the database `source` (plain, or encrypted with a key this computer holds) into
    `destination`, an empty or missing file, encrypted with `key` (None: plain), and check it.

    `source` is only read. EncryptionError when the copy fails or differs; `destination` is then left
    for the caller to remove."""
    source_key = _key_of(source)
    create_private_file(destination)
    try:
        connection = cipher.connect(str(destination), key)
        try:
            connection.execute(
                f"ATTACH DATABASE {_quote(cipher.read_only_uri(source))} AS source KEY "
                + _quote(source_key.pragma() if source_key else "")
            )
            connection.execute("SELECT sqlcipher_export('main', 'source')").fetchall()
            version = connection.execute("PRAGMA source.user_version").fetchone()[0]
            connection.execute(f"PRAGMA main.user_version = {int(version)}")
            expected = _table_counts(connection, "source")
            connection.execute("DETACH DATABASE source")
        finally:
            connection.close()
        _verify(destination, key, expected)
    except cipher.DRIVER_ERRORS as exc:
        problem = translate_database_error(exc, source)
        raise EncryptionError(
            _("Cannot convert {path}: {reason}. It was not changed.").format(
                path=source, reason=problem or exc
            )
        ) from exc


def _verify(path: Path, key: cipher.DatabaseKey | None, expected: dict[str, int]) -> None:
    """The converted file, read back from the disk: intact and holding as many rows in each table."""
    connection = cipher.connect(cipher.read_only_uri(path), key, uri=True)
    try:
        found = [row[0] for row in connection.execute("PRAGMA integrity_check(5)")]
        counts = _table_counts(connection, "main")
    finally:
        connection.close()
    if found != ["ok"] or counts != expected:
        differing = sorted(
            name for name in set(counts) | set(expected) if counts.get(name) != expected.get(name)
        )
        reason = "; ".join(found) if found != ["ok"] else ", ".join(differing)
        raise EncryptionError(
            _(
                "The converted copy of {path} failed its check ({reason}); the database was not changed."
            ).format(path=path, reason=reason)
        )


def convert_in_place(
    database: Path, key: cipher.DatabaseKey | None, *, wait_seconds: float = TAKE_OVER_SECONDS
) -> None:
    """Encrypt the SQLite file `database` with `key`, or decrypt it (key None), in place.

    No other connection may have it open: one that does makes this wait up to `wait_seconds`, then
    refuse (nothing changed). The converted file is checked before it replaces the original, and keeps
    its mode; on any failure the original stays as it was."""
    source_key = _key_of(database)
    owner = cipher.connect(str(database), source_key)
    try:
        _take_over(owner, database, wait_seconds)  # checkpoints and removes the -wal: one file to convert
    finally:
        owner.close()
    temporary = _temporary_beside(database)
    try:
        convert_file(database, temporary, key)
        if os.name == "posix":
            os.chmod(temporary, database.stat().st_mode & 0o777)
        os.replace(temporary, database)
    except BaseException:
        for leftover in (
            temporary,
            *(temporary.with_name(temporary.name + s) for s in ("-journal", "-wal", "-shm")),
        ):
            leftover.unlink(missing_ok=True)
        raise
    for leftover in ("-wal", "-shm", "-journal"):  # none after the take-over; never one of the old form
        database.with_name(database.name + leftover).unlink(missing_ok=True)


def _temporary_beside(database: Path) -> Path:
    """A new empty file beside `database` (the same disk: the rename is atomic), its owner's only."""
    while True:
        temporary = database.with_name(f".{database.name}.{secrets.token_hex(4)}.converting")
        try:
            os.close(
                os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
            )
        except FileExistsError:
            continue
        return temporary
