"""Backups of an SQLite database (a laptop's, a standalone install's): when one is due, which are kept,
what each holds, and restoring one. No Qt.

The copy itself is `app.models.backups.write_backup`, the one verified backup, which opening also
makes before a schema upgrade. On top of it:

- `daily_backup`: at most one a day (the window calls it when it starts and when it quits);
  `back_up`: one now (File ▸ Backups…, `postventa backup`, and later imports, encryption changes
  or large syncs, each with its own kind). Both end with the rotation.
- `backups_to_keep`: the rotation, a pure function of the backups' dates and kinds.
- `list_backups` / `describe_backup`: a folder's backups of a database, each read read-only.
- `restore_backup`: refusals first (the backup untouched), a copy of the current data into the
  backups folder, then the backup copied in. An older schema is upgraded when the database is next
  opened, as any older file is.

An office server (PostgreSQL) is backed up on the server with pg_dump; nothing here applies to it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _, ngettext
from app.models.backups import (
    EXTENSION,
    TAKE_OVER_SECONDS,
    BackupCheckError,
    BackupError,
    BackupKind,
    BackupName,
    Progress,
    backups_in,
    check_file,
    copy_database,
    parse_backup_name,
    read_backup_summary,
    restore_into,
    stale_temporaries,
    write_backup,
)
from app.models.database import (
    DatabaseDamagedError,
    DatabaseFileError,
    close_database,
    inspect_sqlite_file,
    open_database,
    sqlite_connection,
)
from app.outputs import write_output
from app.services.customers.privacy import LoggedErasure, reapply_erasures

# The rotation: the newest backup of each of the last 7 days that have one, then of 4 more weeks,
# then of 12 more months (periods already represented by a kept backup are not counted twice).
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
# Backups the rotation counts; any other kind is a copy taken before something that replaces data
# (a restore, an upgrade): kept apart from the rotation for this many days, so that a routine backup
# made later the same day never pushes the way back out.
ROUTINE_KINDS = frozenset({BackupKind.DAILY, BackupKind.MANUAL})
SAFETY_COPY_DAYS = 30
# A temporary file this old is a backup that never finished (the process was killed at logout).
STALE_TEMPORARY = dt.timedelta(days=1)

# The schema that gave every row the uid the erasure log names customers by (migrations._7_row_identities).
FIRST_SCHEMA_WITH_UIDS = 7


@dataclass(frozen=True)
class BackupEntry:
    """A backup file as the Backups list shows it."""

    path: Path
    made_at: dt.datetime
    kind: BackupKind | None  # None: a file not made by Postventa's backups (`restore --from` any copy)
    size: int  # bytes
    schema_version: int | None
    customers: int | None
    last_activity: dt.datetime | None
    problem: str | None = None  # why it cannot be restored (then the figures are None)


@dataclass(frozen=True)
class RestoreOutcome:
    kept: Path | None  # the copy of the data that was replaced; None when there was none
    schema_version: int  # the backup's (an older one is upgraded when the database is opened)
    # Customers erased since the backup was made, erased again in the restored data (issue 18).
    erasures_reapplied: int = 0


# --- the rotation ----------------------------------------------------------------------------------------


def backups_to_keep(backups: Iterable[BackupName], today: dt.date) -> set[BackupName]:
    """Which backups of one database the rotation keeps (see KEEP_DAILY and SAFETY_COPY_DAYS)."""
    backups = list(backups)
    routine = sorted((b for b in backups if b.kind in ROUTINE_KINDS), key=lambda b: b.made_at, reverse=True)
    kept: set[BackupName] = set()
    periods: tuple[tuple[Callable[[dt.datetime], object], int], ...] = (
        (lambda at: at.date(), KEEP_DAILY),
        (lambda at: at.isocalendar()[:2], KEEP_WEEKLY),  # ISO year and week
        (lambda at: (at.year, at.month), KEEP_MONTHLY),
    )
    for period_of, count in periods:
        chosen, last = 0, None
        for backup in routine:  # newest first: the first of each period is its newest
            period = period_of(backup.made_at)
            if period == last:
                continue
            last = period
            if backup in kept:
                continue
            kept.add(backup)
            chosen += 1
            if chosen == count:
                break
    kept.update(
        b
        for b in backups
        if b.kind not in ROUTINE_KINDS and (today - b.made_at.date()).days < SAFETY_COPY_DAYS
    )
    return kept


def rotate(database: Path, folder: Path, today: dt.date) -> list[Path]:
    """Delete the backups of `database` in `folder` that the rotation does not keep, and temporary
    files of backups that never finished; returns the backups deleted."""
    found = backups_in(folder, database)
    keep = backups_to_keep((name for _path, name in found), today)
    removed = []
    for path, name in found:
        if name in keep:
            continue
        try:
            path.unlink()
        except OSError:  # held open elsewhere, or a read-only folder: the next rotation tries again
            continue
        removed.append(path)
    for leftover in stale_temporaries(folder, database, STALE_TEMPORARY):
        try:
            leftover.unlink()
        except OSError:
            continue
    return removed


# --- making backups --------------------------------------------------------------------------------------


def backup_due(database: Path, folder: Path, today: dt.date) -> bool:
    """No daily or on-request backup of `database` was made today (copies before a restore or an
    upgrade hold the data as it was before, so they do not count)."""
    return not any(
        name.kind in ROUTINE_KINDS and name.made_at.date() == today
        for _path, name in backups_in(folder, database)
    )


def back_up(
    database: Path,
    folder: Path,
    kind: BackupKind = BackupKind.MANUAL,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Path:
    """A verified backup of `database` into `folder` now, then the rotation; returns the backup's path."""
    _refuse_missing(database)
    now = now or dt.datetime.now()
    written = write_backup(database, folder, kind, now=now, progress=progress)
    rotate(database, folder, now.date())
    return written


def daily_backup_at_quit(database: Path, folder: Path) -> None:
    """The day's backup when the window has gone: nobody is left to show a failure to, so it goes
    to the log (the "app" logger app.diagnostics writes to a file)."""
    try:
        daily_backup(database, folder)
    except Exception:  # logged: the window has gone
        logging.getLogger("app").exception("Backup at quit failed")


def daily_backup(
    database: Path, folder: Path, *, now: dt.datetime | None = None, progress: Progress | None = None
) -> Path | None:
    """The day's backup when none was made today; None when it was."""
    now = now or dt.datetime.now()
    if not backup_due(database, folder, now.date()):
        return None
    return back_up(database, folder, BackupKind.DAILY, now=now, progress=progress)


def back_up_to_file(
    database: Path, out: str | os.PathLike, *, force: bool = False, progress: Progress | None = None
) -> Path:
    """A verified backup of `database` written to a file the person names (`postventa backup --out`),
    by app.outputs' rules: `.sqlite3` added when missing, never over an SQLite file, an existing file
    replaced only with `force`. Not rotated. Returns the path written."""
    _refuse_missing(database)
    return write_output(
        out, EXTENSION, lambda temporary: copy_database(database, temporary, progress=progress), force=force
    )


def _refuse_missing(database: Path) -> None:
    """A file that is not a Postventa database is refused with the reason (inspect_sqlite_file)."""
    if inspect_sqlite_file(database) is None:
        raise BackupError(_("There is no database at {path}.").format(path=database))


# --- what backups hold -----------------------------------------------------------------------------------


def list_backups(database: Path, folder: Path) -> list[BackupEntry]:
    """The backups of `database` in `folder`, newest first, each read read-only."""
    entries = []
    for path, _name in reversed(backups_in(folder, database)):
        try:
            entries.append(describe_backup(path))
        except BackupError:  # deleted meanwhile (a rotation run by another Postventa)
            continue
    return entries


def describe_backup(path: Path) -> BackupEntry:
    """What a backup holds; a file that cannot be restored says why in `problem`."""
    name = parse_backup_name(path.name)
    try:
        stat = path.stat()
    except OSError as exc:
        raise BackupError(_("There is no file at {path}.").format(path=path)) from exc
    made_at = (
        name.made_at if name is not None else dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)
    )
    kind = name.kind if name is not None else None
    try:
        summary = read_backup_summary(path)
    except DatabaseDamagedError as exc:  # its message is a database's ("restore a backup copy")
        problem = _damaged(path, exc.__cause__ or exc)
        return BackupEntry(path, made_at, kind, stat.st_size, None, None, None, problem=problem)
    except DatabaseFileError as exc:
        return BackupEntry(path, made_at, kind, stat.st_size, None, None, None, problem=str(exc))
    return BackupEntry(
        path, made_at, kind, stat.st_size, summary.schema_version, summary.customers, summary.last_activity
    )


def check_backup(backup: Path, database: Path | None = None) -> BackupEntry:
    """The backup described, or a refusal saying why it cannot be restored (into `database`): not a
    file, the database itself, not a Postventa database, a newer schema. Reads only, and quickly:
    `restore_backup` checks the backup's integrity (long on a large file) before it changes anything."""
    if not backup.is_file():
        raise BackupError(_("There is no file at {path}.").format(path=backup))
    if database is not None and database.exists() and os.path.samefile(backup, database):
        raise BackupError(_("{path} is the database itself, not a backup of it.").format(path=backup))
    entry = describe_backup(backup)
    if entry.problem is not None:
        raise BackupError(entry.problem)
    return entry


def _damaged(path: Path, reason: object) -> str:
    return _("{path} is damaged and cannot be restored ({reason}). It was not modified.").format(
        path=path, reason=reason
    )


# --- restoring -------------------------------------------------------------------------------------------


def restore_backup(
    database: Path,
    backup: Path,
    folder: Path,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    wait_seconds: float = TAKE_OVER_SECONDS,
) -> RestoreOutcome:
    """Replace the data in `database` with the backup's, keeping a copy of the current data in `folder`.

    Refused, with nothing changed: a backup that is not a Postventa database of this schema or an
    older one, or is damaged (SQLite's integrity_check); a database file of another program or of a
    newer Postventa. The file
    must not be open elsewhere (restore_into waits `wait_seconds`, then refuses).
    """
    entry = check_backup(backup, database)
    damage = check_file(backup, progress=progress)
    if damage is not None:
        raise BackupError(_damaged(backup, damage))
    erasures = _logged_erasures(database)  # before the data that logs them is replaced
    assert entry.schema_version is not None  # check_backup refuses a backup without one
    if erasures and entry.schema_version < FIRST_SCHEMA_WITH_UIDS:
        # The log names customers by uid; a file of an older schema gets new ones when upgraded,
        # so nobody in it could be erased again: the erased people's data would come back.
        raise BackupError(
            ngettext(
                "{path} is older than the erasure log (schema {version}): restoring it would bring "
                "back the personal data of {count} customer erased since. It was not restored.",
                "{path} is older than the erasure log (schema {version}): restoring it would bring "
                "back the personal data of {count} customers erased since. It was not restored.",
                len(erasures),
            ).format(path=backup, version=entry.schema_version, count=len(erasures))
        )
    kept = _keep_current(database, folder, now, progress)
    restore_into(database, backup, wait_seconds=wait_seconds, progress=progress)
    reapplied = _reapply_erasures(database, erasures, folder) if erasures else 0
    return RestoreOutcome(kept, entry.schema_version, reapplied)


def _logged_erasures(database: Path) -> list[LoggedErasure]:
    """The erasure log of the data a restore replaces: none when there is no file, its schema has no
    log yet, or it cannot be read (a damaged file is often why one restores: logged, and the restore
    goes on)."""
    if not database.exists():
        return []
    try:
        connection = sqlite_connection(database, read_only=True)
    except (DatabaseFileError, sqlite3.Error):
        logging.getLogger("app").warning("restore: the erasure log of the replaced data could not be read")
        return []
    try:
        if not connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'customer_erasure'"
        ).fetchone():
            return []
        rows = connection.execute(
            "SELECT e.uid, e.customer_uid, e.erased_at, r.uid FROM customer_erasure e "
            "LEFT JOIN rep r ON r.id = e.rep_id ORDER BY e.erased_at, e.id"
        ).fetchall()
    except sqlite3.Error:
        logging.getLogger("app").warning("restore: the erasure log of the replaced data could not be read")
        return []
    finally:
        connection.close()
    return [
        LoggedErasure(uid, customer_uid, dt.datetime.fromisoformat(str(erased_at)), rep_uid)
        for uid, customer_uid, erased_at, rep_uid in rows
    ]


def _reapply_erasures(database: Path, erasures: list[LoggedErasure], folder: Path) -> int:
    """Open the restored data (upgrading an older schema, as any opening does), erase again the
    customers erased since the backup, and close it. The copy opening takes before an upgrade holds
    the backup's data as it was, erased customers included: it goes once the erasures are made again
    (the backup restored from is still there)."""
    info = open_database(str(database), create=False, backups_folder=folder)
    try:
        reapplied = reapply_erasures(erasures)
    finally:
        close_database()
    if info.backup is not None:
        Path(info.backup).unlink(missing_ok=True)
    return reapplied


def _keep_current(
    database: Path, folder: Path, now: dt.datetime | None, progress: Progress | None
) -> Path | None:
    """A copy of the data a restore replaces, in the backups folder; None when there is none."""
    try:
        if inspect_sqlite_file(database) is None:
            return None  # no file yet, or no tables: nothing to keep
    except DatabaseDamagedError:
        return _keep_as_it_is(database, folder, now, progress)
    try:
        return write_backup(database, folder, BackupKind.BEFORE_RESTORE, now=now, progress=progress)
    except BackupCheckError:
        return _keep_as_it_is(database, folder, now, progress)


def _keep_as_it_is(database: Path, folder: Path, now: dt.datetime | None, progress: Progress | None) -> Path:
    # A damaged database is often why one restores: its copy is kept unchecked, as it is.
    return write_backup(database, folder, BackupKind.BEFORE_RESTORE, now=now, progress=progress, verify=False)
