"""Backup files of an SQLite database: the one verified copy, their names, restoring one in place.

Every backup is made the same way (`copy_database`): SQLite's online backup API reads the database
through a read-only connection, so a database in use is copied consistently, pages still in its
write-ahead log included, and never written to. The copy is switched to a rollback journal (one
self-contained file), made its owner's only (0600 on POSIX) and checked with PRAGMA integrity_check,
read back from the disk. `write_backup` puts such a copy into a backups folder under a name that says
which database, when and why; it is built in a temporary file there and renamed at the end, so an
interrupted backup never leaves a file that looks like one.

Names carry what the rotation and the Backups list need without opening the files:
``<database name>-<key>-<YYYYMMDD>-<HHMMSS>-<kind>.sqlite3``. The key stands for the database file
(its canonical path), so the backups of two databases named alike never rotate each other away.

Opening (`app.models.database.open_database`) calls `write_backup` before a schema upgrade;
`app.services.backups` builds the rest on this module: daily backups, rotation, the list, restore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.i18n import N_, _
from app.locations import create_private_file, default_backups_folder, make_private_folder
from app.models import cipher
from app.models.database import (
    DatabaseDamagedError,
    DatabaseFileError,
    _read_only_connection,
    inspect_sqlite_file,
    sqlite_connection,
    translate_database_error,
)
from app.models.enums import Choice
from app.models.window_lock import canonical_sqlite_path

# Called between steps with (done, total): pages copied, or (0, 0) while the copy is checked. It may
# raise to stop the work (a cancelled background task).
Progress = Callable[[int, int], None]

EXTENSION = ".sqlite3"
# 16 MB a step at SQLite's 4 KiB pages: progress, and a chance to stop, a few times a second.
PAGES_PER_STEP = 4096
# A restore waits this long for the other connections to the database to close.
TAKE_OVER_SECONDS = 10.0
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


class BackupKind(Choice):
    DAILY = "daily", N_("Daily")
    MANUAL = "manual", N_("On request")
    BEFORE_RESTORE = "before-restore", N_("Before a restore")
    BEFORE_UPGRADE = "before-upgrade", N_("Before an upgrade")
    BEFORE_JOIN = "before-join", N_("Before joining an office")
    BEFORE_ENCRYPTION = "before-encryption", N_("Before encrypting")
    BEFORE_DECRYPTION = "before-decryption", N_("Before decrypting")


class BackupError(DatabaseFileError):
    """A backup cannot be made, read or restored; the message says why and what to do."""


class BackupCheckError(BackupError):
    """The copy failed SQLite's integrity check: the database itself is probably damaged."""


@dataclass(frozen=True)
class BackupName:
    """What a backup's file name says."""

    stem: str  # the database file's name without its extension
    key: str  # stands for the database file (database_key)
    made_at: dt.datetime  # local time, to the second
    kind: BackupKind


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds, read from the file read-only."""

    schema_version: int
    customers: int
    last_activity: dt.datetime | None  # the newest audit entry: the last change recorded


_NAME = re.compile(
    r"^(?P<stem>.+)-(?P<key>[0-9a-f]{8})-(?P<date>\d{8})-(?P<time>\d{6})-(?P<kind>[a-z][a-z-]*)"
    + re.escape(EXTENSION)
    + "$"
)


def database_key(database: Path) -> str:
    """Eight hex digits standing for the database file, however its path was spelled."""
    canonical = canonical_sqlite_path(str(database)) or str(database)
    return hashlib.sha256(os.fsencode(canonical)).hexdigest()[:8]


def backup_name(database: Path, made_at: dt.datetime, kind: BackupKind) -> str:
    stamp = made_at.strftime("%Y%m%d-%H%M%S")  # a file name, not a date shown to anyone
    return f"{database.stem}-{database_key(database)}-{stamp}-{kind.value}{EXTENSION}"


def parse_backup_name(name: str) -> BackupName | None:
    """What a backup's file name says; None for any other file."""
    found = _NAME.match(name)
    if found is None:
        return None
    try:
        made_at = dt.datetime.strptime(found["date"] + found["time"], "%Y%m%d%H%M%S")
        kind = BackupKind(found["kind"])
    except ValueError:
        return None
    return BackupName(found["stem"], found["key"], made_at, kind)


def backups_in(folder: Path, database: Path) -> list[tuple[Path, BackupName]]:
    """The backups of `database` in `folder` (none when the folder does not exist), oldest first."""
    key = database_key(database)
    try:
        files = list(folder.iterdir())
    except OSError:  # missing, or not a folder: no backups there
        return []
    found = []
    for file in files:
        name = parse_backup_name(file.name)
        if name is not None and name.key == key and file.is_file():
            found.append((file, name))
    return sorted(found, key=lambda pair: pair[1].made_at)


# --- the copy --------------------------------------------------------------------------------------------


def copy_database(
    source: Path, destination: Path, *, progress: Progress | None = None, verify: bool = True
) -> None:
    """The one backup copy: the Postventa database `source` into `destination`, a new empty file.

    With `verify`, the copy is checked (BackupCheckError when SQLite finds it damaged). When this
    raises, `destination` is incomplete: the caller removes it.
    """
    _make_private(destination)
    try:
        reader = _read_only_connection(source)
        try:
            # An encrypted database's copy is encrypted with the same key (and carries its salt).
            key = cipher.find_key(source) if cipher.is_encrypted(source) else None
            writer = sqlite3.connect(destination) if key is None else cipher.connect(str(destination), key)
            try:
                reader.backup(writer, pages=PAGES_PER_STEP, progress=_step_reporter(progress))
                # The pages came with the source's journal mode (WAL); a backup is one self-contained file.
                writer.execute("PRAGMA journal_mode=DELETE").fetchone()
            finally:
                writer.close()
        finally:
            reader.close()
        problems = check_file(destination, progress=progress) if verify else None
    except cipher.DRIVER_ERRORS as exc:
        problem = translate_database_error(exc, source)
        raise BackupError(
            _("Cannot back up {path}: {reason}").format(path=source, reason=problem or exc)
        ) from exc
    if problems:
        raise BackupCheckError(
            _(
                "The backup of {path} failed its integrity check ({reason}): the database is probably "
                "damaged. Restore an earlier backup."
            ).format(path=source, reason=problems)
        )


def check_file(path: Path, *, progress: Progress | None = None) -> str | None:
    """SQLite's integrity_check on a file, read from the disk: what it found damaged, None when intact."""
    connection = _read_only_connection(path)
    try:
        with _stoppable(connection, progress):
            found = [row[0] for row in connection.execute("PRAGMA integrity_check(20)")]
    except cipher.DRIVER_DATABASE_ERRORS as exc:
        if isinstance(translate_database_error(exc, path), DatabaseDamagedError):
            return str(exc)  # too damaged for the check to list what it found
        raise
    finally:
        connection.close()
    if found == ["ok"]:
        return None
    details = "; ".join(found)
    return details if len(details) <= 160 else details[:159] + "…"


def _make_private(path: Path) -> None:
    """The owner's only (0600 on POSIX), whatever the umask: a backup holds customers' personal data."""
    if os.name == "posix":
        os.chmod(path, 0o600)


def _step_reporter(progress: Progress | None) -> Callable[[int, int, int], None] | None:
    if progress is None:
        return None
    return lambda _status, remaining, total: progress(total - remaining, total)


@contextmanager
def _stoppable(connection: sqlite3.Connection, progress: Progress | None) -> Iterator[None]:
    """Call `progress(0, 0)` a few times a second while `connection` works; what it raises stops the
    statement (SQLite's progress handler interrupts it) and is raised again here."""
    if progress is None:
        yield
        return
    stopped: list[BaseException] = []
    last = [time.monotonic()]

    def handler() -> int:
        now = time.monotonic()
        if now - last[0] < 0.1:
            return 0
        last[0] = now
        try:
            progress(0, 0)
        except BaseException as exc:  # noqa: BLE001 (raised again below, once SQLite has stopped)
            stopped.append(exc)
            return 1
        return 0

    connection.set_progress_handler(handler, 100_000)
    try:
        yield
    except cipher.DRIVER_OPERATIONAL_ERRORS:
        if stopped:
            raise stopped[0] from None
        raise


# --- backups in a folder ---------------------------------------------------------------------------------


def write_backup(
    database: Path,
    folder: Path,
    kind: BackupKind,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    verify: bool = True,
) -> Path:
    """A backup of `database` in `folder` (made 0700 when missing); returns its path.

    BackupError says why it could not be written (nothing is left behind then);
    BackupCheckError that the copy, hence the database, is damaged.
    """
    made_at = (now or dt.datetime.now()).replace(microsecond=0)
    try:
        if folder == default_backups_folder():
            make_private_folder(folder.parent)  # the user data folder, made private as opening makes it
        make_private_folder(folder)
        target = _free_name(folder, database, made_at, kind)
        temporary = _new_temporary(folder, target.name)
    except OSError as exc:
        raise _cannot_write(database, folder, exc) from exc
    try:
        copy_database(database, temporary, progress=progress, verify=verify)
        # SQLite synced the copy when it committed it; only the rename remains to be made durable.
        os.replace(temporary, target)
    except BaseException as exc:
        for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, BackupError):
            raise
        if isinstance(exc, (OSError, *cipher.DRIVER_ERRORS)):
            raise _cannot_write(database, folder, exc) from exc
        raise
    sync_folder(folder)
    return target


def _free_name(folder: Path, database: Path, made_at: dt.datetime, kind: BackupKind) -> Path:
    """The backup's name; a second later when one made in the same second exists."""
    for seconds in range(60):
        target = folder / backup_name(database, made_at + dt.timedelta(seconds=seconds), kind)
        if not target.exists():
            return target
    raise FileExistsError(f"no free backup name in {folder}")


def _new_temporary(folder: Path, name: str) -> Path:
    """A new empty file in `folder`, its owner's only, hidden and named after the backup."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    while True:
        temporary = folder / f".{name}.{secrets.token_hex(4)}.part"
        try:
            os.close(os.open(temporary, flags, 0o600))
        except FileExistsError:
            continue
        return temporary


def stale_temporaries(folder: Path, database: Path, older_than: dt.timedelta) -> list[Path]:
    """Temporary files of backups of `database` that never finished (the process was killed)."""
    prefix = f".{database.stem}-{database_key(database)}-"
    limit = time.time() - older_than.total_seconds()
    try:
        files = list(folder.iterdir())
    except OSError:
        return []
    found = []
    for file in files:
        if file.name.startswith(prefix) and file.name.endswith(".part"):
            try:
                if file.stat().st_mtime < limit:
                    found.append(file)
            except OSError:
                continue
    return found


def sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows has no handle on a folder for this)."""
    if os.name != "posix":
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _cannot_write(database: Path, folder: Path, exc: BaseException) -> BackupError:
    problem = translate_database_error(exc, database)
    if problem is not None and not isinstance(problem, DatabaseDamagedError):
        reason = str(problem)  # disk full, read-only
    else:
        reason = getattr(exc, "strerror", None) or str(exc)
    return BackupError(
        _("Cannot write a backup of {path} into {folder}: {reason}").format(
            path=database, folder=folder, reason=reason
        )
    )


# --- reading and restoring ----------------------------------------------------------------------------


def read_backup_summary(path: Path) -> BackupSummary:
    """What the backup `path` holds, read without writing anything. A file that is not a Postventa
    database of this version or an older one is refused (DatabaseFileError) with the reason."""
    version = inspect_sqlite_file(path)
    if version is None:
        raise BackupError(_("{path} holds no Postventa data.").format(path=path))
    connection = _read_only_connection(path)
    try:
        customers = connection.execute("SELECT COUNT(*) FROM customer").fetchone()[0]
        newest = connection.execute("SELECT MAX(at) FROM audit_entry").fetchone()[0]
    except cipher.DRIVER_DATABASE_ERRORS as exc:
        problem = translate_database_error(exc, path)
        raise problem or BackupError(_("Cannot read {path}: {reason}").format(path=path, reason=exc)) from exc
    finally:
        connection.close()
    return BackupSummary(version, customers, _timestamp(newest))


def _timestamp(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def restore_into(
    database: Path,
    backup: Path,
    *,
    wait_seconds: float = TAKE_OVER_SECONDS,
    progress: Progress | None = None,
) -> None:
    """Replace everything in `database` with the content of `backup`, checked beforehand.

    SQLite's backup API writes into the database file itself, in one transaction: a failure or an
    interruption leaves the previous data, and the file keeps its owner and mode. It needs the file
    to itself; while another connection keeps it open (another Postventa, a command), it waits up to
    `wait_seconds`, then refuses. The database is left in rollback-journal mode; opening it sets
    write-ahead logging again (and upgrades an older schema).

    Numbers the replaced data had already given out from an AUTOINCREMENT table stay given out: a
    laptop's sync outbox numbers its changes so, and the office skips numbers it has applied; a
    laptop restored to an older backup would otherwise give its next changes numbers the office
    takes for applied ones, and they would never reach it.
    """
    create_private_file(database)  # a missing database is made its owner's only first
    writer = sqlite_connection(database)
    converted: Path | None = None
    try:
        _take_over(writer, database, wait_seconds)
        given_out = _autoincrement_counters(writer)
        if cipher.file_salt(backup) != cipher.file_salt(database):
            # Encrypted one way and not the other, or with another key: SQLite's backup API copies pages
            # as they are, so the backup is first written as the database is (app.models.encryption).
            from app.models.encryption import convert_file

            converted = _new_temporary(database.parent, database.name + ".restoring")
            key = cipher.find_key(database) if cipher.is_encrypted(database) else None
            convert_file(backup, converted, key)
        reader = _read_only_connection(converted or backup)
        try:
            reader.backup(writer, pages=PAGES_PER_STEP, progress=_step_reporter(progress))
        finally:
            reader.close()
        _keep_counters(writer, given_out)
    except cipher.DRIVER_ERRORS as exc:
        problem = translate_database_error(exc, database)
        raise BackupError(
            _("Cannot restore into {path}: {reason}. Its data was not changed.").format(
                path=database, reason=problem or exc
            )
        ) from exc
    finally:
        writer.close()
        if converted is not None:
            for leftover in (converted, converted.with_name(converted.name + "-journal")):
                leftover.unlink(missing_ok=True)


def _autoincrement_counters(connection: sqlite3.Connection) -> dict[str, int]:
    """The highest number each AUTOINCREMENT table of a database has given out."""
    known = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
    ).fetchone()
    return dict(connection.execute("SELECT name, seq FROM sqlite_sequence").fetchall()) if known else {}


def _keep_counters(connection: sqlite3.Connection, given_out: dict[str, int]) -> None:
    """Raise the restored data's AUTOINCREMENT counters to what the replaced data had given out."""
    restored = _autoincrement_counters(connection)
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    with connection:
        for name, seq in given_out.items():
            if name not in tables or restored.get(name, 0) >= seq:
                continue
            if name in restored:
                connection.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (seq, name))
            else:  # the backup's table never numbered a row
                connection.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq))


def _take_over(writer: sqlite3.Connection, database: Path, wait_seconds: float) -> None:
    """Leave WAL mode, which SQLite allows only to the one connection that has the file open."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            writer.execute("PRAGMA journal_mode=DELETE").fetchone()
            return
        except cipher.DRIVER_OPERATIONAL_ERRORS as exc:
            code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
            if code not in (_SQLITE_BUSY, _SQLITE_LOCKED):
                raise
            if time.monotonic() >= deadline:
                raise BackupError(
                    _(
                        "{path} is open in Postventa or another program; close it there and try again. "
                        "Nothing was restored."
                    ).format(path=database)
                ) from exc
            time.sleep(0.1)
