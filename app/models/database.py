"""Opening the database: where it lives, refusing files we must not touch, upgrading old ones.

A file is inspected read-only before anything writes to it, so a file from a newer
version, a corrupt file or a file that is not a database is left byte-for-byte as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import platformdirs
from peewee import Database, PeeweeException, SqliteDatabase
from playhouse.db_url import connect as connect_url

from app import APP_NAME
from app.i18n import _
from app.models import ALL_MODELS, SchemaVersion, db
from app.models.migrations import LATEST_VERSION, run_migrations

ENV_VAR = "POSTVENTA_DB"
SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}
_SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseOpenError(Exception):
    """The database cannot be opened; the message tells the user why and what to do."""


@dataclass(frozen=True)
class DatabaseInfo:
    target: str  # the path or URL as the user sees it
    path: Path | None  # the SQLite file, None for a server database
    version: int
    created: bool  # a new, empty database was made
    backup: Path | None  # copy written before an upgrade


def default_database_path() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "postventa.sqlite3"


def resolve_target(explicit: str | None = None) -> str:
    """--db wins over POSTVENTA_DB, which wins over the per-user data folder."""
    return explicit or os.environ.get(ENV_VAR) or str(default_database_path())


def sqlite_path_of(target: str) -> Path | None:
    """The file behind a plain path or a sqlite:/// URL; None for server URLs."""
    if "://" not in target:
        return Path(target).expanduser()
    if target.startswith("sqlite:///"):
        return Path(target[len("sqlite:///") :]).expanduser()
    return None


def open_database(target: str, *, create: bool = True, upgrade: bool = True) -> DatabaseInfo:
    """Open `target`, create or upgrade its schema, and bind the models to it.

    With upgrade=False an older database is opened as it is (for `postventa check`).
    """
    close_database()
    path = sqlite_path_of(target)
    backup = None
    if path is not None:
        version = inspect_sqlite_file(path)
        if version is None and not create:
            raise DatabaseOpenError(_("There is no database at {path}.").format(path=path))
        if version is not None and version < LATEST_VERSION and upgrade:
            backup = backup_sqlite_file(path, version)
        if version is None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseOpenError(
                    _("Cannot create the folder {folder}: {reason}").format(
                        folder=path.parent, reason=exc.strerror or exc
                    )
                ) from exc
        database: Database = SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS)
    else:
        try:
            database = connect_url(target)
        except Exception as exc:  # unknown scheme, missing driver, bad URL
            raise DatabaseOpenError(
                _("Cannot use the database {target}: {reason}").format(target=target, reason=exc)
            ) from exc
        version = None
    db.initialize(database)
    try:
        database.connect(reuse_if_open=True)
        if path is None:
            version = _server_schema_version(database)
        created = version is None
        if created:
            with database.atomic():
                database.create_tables(ALL_MODELS)
                SchemaVersion.create(version=LATEST_VERSION)
        elif version < LATEST_VERSION and upgrade:
            run_migrations(database, version)
    except PeeweeException as exc:
        close_database()
        raise DatabaseOpenError(
            _("Cannot open the database {target}: {reason}").format(target=target, reason=exc)
        ) from exc
    return DatabaseInfo(target, path, LATEST_VERSION if upgrade or created else version, created, backup)


def close_database() -> None:
    if db.obj is not None and not db.obj.is_closed():
        db.obj.close()


def inspect_sqlite_file(path: Path) -> int | None:
    """Schema version of an existing Postventa file, None when there is none yet.

    Raises DatabaseOpenError, without writing anything, for files we must refuse.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    if path.is_dir():
        raise DatabaseOpenError(_("{path} is a folder, not a database file.").format(path=path))
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseOpenError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
    if header != _SQLITE_MAGIC:
        raise DatabaseOpenError(
            _("{path} is not a Postventa database (it is not an SQLite file). It was not modified.").format(
                path=path
            )
        )
    try:
        conn = _read_only_connection(path)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return None
            if "schema_version" not in tables:
                raise DatabaseOpenError(
                    _("{path} is an SQLite database of another program, not a Postventa database. It was not modified.").format(
                        path=path
                    )
                )
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseOpenError(
            _("{path} is damaged and cannot be opened ({reason}). It was not modified; restore a backup copy.").format(
                path=path, reason=exc
            )
        ) from exc
    if version is None:
        raise DatabaseOpenError(
            _("{path} has no schema version; it is not a usable Postventa database. It was not modified.").format(
                path=path
            )
        )
    if version > LATEST_VERSION:
        raise DatabaseOpenError(
            _("{path} was written by a newer version of Postventa (schema {found}, this version knows up to {known}). Update Postventa to open it; the file was not modified.").format(
                path=path, found=version, known=LATEST_VERSION
            )
        )
    return int(version)


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file nor leave -wal/-shm files behind.

    `immutable` skips locking and WAL files; it is only right when no WAL file exists,
    otherwise committed pages may still sit in the WAL and must be read through it.
    """
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?{mode}", uri=True)


def backup_sqlite_file(path: Path, version: int) -> Path:
    """Copy the file beside itself before an upgrade, through SQLite so WAL content is included."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.schema{version}-{stamp}.backup{path.suffix}")
    source = _read_only_connection(path)
    try:
        target = sqlite3.connect(str(backup))
        try:
            source.backup(target)
        finally:
            target.close()
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseOpenError(
            _("Cannot write a backup copy before upgrading {path}: {reason}").format(path=path, reason=exc)
        ) from exc
    finally:
        source.close()
    return backup


def _server_schema_version(database: Database) -> int | None:
    if not database.table_exists("schema_version"):
        if database.get_tables():
            raise DatabaseOpenError(_("This database belongs to another program; Postventa will not use it."))
        return None
    version = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar()
    if version is not None and version > LATEST_VERSION:
        raise DatabaseOpenError(
            _("This database was written by a newer version of Postventa; update Postventa to open it.")
        )
    return version
