"""Opening the database: where it lives, refusing files we must not touch, upgrading old ones.

A file is inspected read-only before anything writes to it, so a file from a newer
version, a corrupt file or a file that is not a database is left byte-for-byte as it was.

Errors of the SQLite file in use (damaged, disk full, read-only) are translated here, in one
place (`translate_database_error`), into messages that say what happened and what to do.
An unclean shutdown is noticed by a marker file beside the database (written at open, removed
at a clean close); only then does the next open run SQLite's quick_check, which reads the whole
file and takes seconds on a large database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

from peewee import Database, PeeweeException, SqliteDatabase

from app.i18n import _
from app.locations import (  # re-exported: the names the rest of the code knows them by
    create_private_file,
    default_database_path,
    display_target,
    keep_private,
    make_private_folder,
    sqlite_path_of,
)
from app.models import ALL_MODELS, SchemaVersion, cipher, db
from app.models.clock import (
    SERVER_FIELD_TYPES,
    follow_machine_zone,
    read_server_times_as_local,
    server_session_options,
)
from app.models.dialect import (
    analyze_sqlite_when_never_done,
    create_customer_profiles,
    create_customer_search_index,
    optimize_sqlite_at_close,
    set_read_only,
)

# The roots of its refusals, defined apart so that the window's lock raises them without the models.
from app.models.file_errors import DatabaseFileError, DatabaseOpenError
from app.models.migrations import LATEST_VERSION, run_migrations
from app.models.system import store_case_prefix_defaults

SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}
# The page cache of a plain file's connection, in KiB (SQLite's default is 2 MiB; an encrypted one
# has its own, app.models.cipher.CACHE_KIB): a busy week of the agenda on 100,000 customers reads
# pages spread over the file, and with the default cache each read again is a system call (31 ms of
# CPU with the default, 20 ms with this one; benchmarks/run_all.py). Filled only as pages are read.
SQLITE_CACHE_KIB = 32768
_SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseDamagedError(DatabaseOpenError):
    """SQLite found the file damaged, at open or in a query: refused, restore a backup."""


class DiskFullError(DatabaseFileError):
    """The disk (or the database's size limit) is full: the change was rolled back, the file is intact."""


class DatabaseReadOnlyError(DatabaseFileError):
    """The file or its folder cannot be written."""


class DatabaseLockedError(DatabaseOpenError):
    """The file is encrypted and no key this computer holds opens it: the keyring lost it, or the
    file came from another computer. The window asks for the recovery key; the command line reads
    it from POSTVENTA_RECOVERY_KEY. The file is not modified."""

    def __init__(self, path: Path):
        super().__init__(
            _(
                "{path} is encrypted and its key is not on this computer (or it is not a Postventa database). "
                "Open it with its recovery key: the window asks for it; on the command line, put it in the "
                "environment variable {variable}. The file was not modified."
            ).format(path=path, variable=cipher.RECOVERY_ENV_VAR)
        )
        self.path = path


class LoginRequiredError(DatabaseOpenError):
    """The office server asks for a password: none was given, or it was not accepted.

    The window answers with its login dialog; the command line with this message."""

    def __init__(self, message: str, login: str | None, *, rejected: bool):
        super().__init__(message)
        self.login = login
        self.rejected = rejected  # a password was given and refused (not just missing)


class ServerUpgradeNeededError(DatabaseOpenError):
    """The office server's schema is older than this Postventa: a manager runs `server upgrade`."""


# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF).
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 8, 10, 11, 13, 26
# Less free space than this beside the database when SQLite reports an I/O error: the disk is full.
_NEARLY_FULL_BYTES = 1 << 20
# Beside postventa.sqlite3 while a Postventa has it open; left behind by a crash.
MARKER_SUFFIX = ".in-use"
_marker: tuple[Path, str] | None = None  # (marker file, our token) while we hold it


def _damaged_message(path: Path | None, reason: object) -> str:
    # One line: quick_check reports one damaged spot a line, under a "*** in database main ***" title.
    found = [line.strip() for line in str(reason).splitlines() if line.strip() and not line.startswith("***")]
    details = "; ".join(found)
    if len(details) > 160:
        details = details[:159] + "…"
    return _(
        "{path} is damaged and cannot be used ({reason}). It was not modified; close Postventa and restore a backup copy."
    ).format(path=path or _("The database"), reason=details)


def _disk_full_message() -> str:
    return _("The disk is full: nothing was saved. Free some space on the disk and try again.")


def _read_only_message(path: Path) -> str:
    return _(
        "{path} is read-only, so Postventa cannot save anything in it. Give your user permission to change the file "
        "(or copy it to a folder of yours) and open it again. It was not modified."
    ).format(path=path)


def _read_only_folder_message(folder: Path) -> str:
    return _(
        "The folder {folder} is read-only: Postventa needs to write its working files beside the database. "
        "Give your user permission to change the folder (or copy the database to a folder of yours) and open it again."
    ).format(folder=folder)


def _sqlite_error_of(exc: BaseException) -> sqlite3.Error | None:
    """The sqlite3 error behind `exc` (peewee wraps it as its first argument and as its context)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, cipher.DRIVER_ERRORS):
            return exc  # type: ignore[return-value]  # sqlcipher3's errors carry the same codes
        first = exc.args[0] if exc.args else None
        if isinstance(first, cipher.DRIVER_ERRORS):
            return first  # type: ignore[return-value]
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _disk_nearly_full(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < _NEARLY_FULL_BYTES
    except OSError:
        return False


def translate_database_error(exc: BaseException, path: Path | None = None) -> DatabaseFileError | None:
    """The user's error for a database failure that is about the file, not about our code; else None.

    Disk full (SQLITE_FULL, or an I/O error with no space left beside the file) is never called
    damaged: the file is intact and only the last change is lost. `path` defaults to the open file.
    """
    if isinstance(exc, DatabaseFileError):
        return exc
    error = _sqlite_error_of(exc)
    if error is None:
        return None
    if path is None and _open_database_path is not None:
        path = _open_database_path
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(error)
    if code == _SQLITE_FULL or (code == _SQLITE_IOERR and _disk_nearly_full(path)):
        return DiskFullError(_disk_full_message())
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text:
        return DatabaseDamagedError(_damaged_message(path, text))
    if code == _SQLITE_READONLY:
        return DatabaseReadOnlyError(_read_only_message(path) if path else text)
    return None


_open_database_path: Path | None = None


def open_database_file() -> Path | None:
    """The SQLite file this process has open; None when there is none (or the database is a server)."""
    return _open_database_path


# The SQL function a laptop's capture triggers (app.sync.laptop) call to tag each outbox entry with
# the local transaction that wrote it: the office applies or refuses one transaction's entries together.
LOCAL_TRANSACTION = "postventa_local_transaction"


class PostventaSqliteDatabase(SqliteDatabase):
    """SQLite whose failures about the file itself reach callers as DatabaseFileError.

    After SQLITE_FULL (or an I/O error) SQLite may already have rolled the transaction back; the
    ROLLBACK that follows then fails with "no transaction is active" and would hide the real
    error, so that ROLLBACK counts as done.

    Each transaction begun here gets a mark of its own, which LOCAL_TRANSACTION returns to SQL while
    it is open (NULL for a statement outside one): SQLite itself names no transaction.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_function(self._local_transaction, LOCAL_TRANSACTION, 0)

    def _local_transaction(self) -> str | None:
        return getattr(self._state, "local_transaction", None) if self.in_transaction() else None

    def _execute_cursor(self, sql, params, **cursor_options):
        try:
            return super()._execute_cursor(sql, params, **cursor_options)
        except PeeweeException as exc:
            if sql.startswith("ROLLBACK TO SAVEPOINT") and "no such savepoint" in str(exc):
                return self.cursor()  # the whole transaction is gone already: nothing to undo
            self._raise_translated(exc)
            raise

    def begin(self, *args, **kwargs):
        try:
            began = super().begin(*args, **kwargs)
        except PeeweeException as exc:
            self._raise_translated(exc)
            raise
        self._state.local_transaction = uuid.uuid4().hex
        return began

    def commit(self):
        try:
            return super().commit()
        except PeeweeException as exc:
            self._raise_translated(exc)
            raise

    def rollback(self):
        try:
            return super().rollback()
        except PeeweeException as exc:
            if "no transaction is active" in str(exc):
                return None  # SQLite rolled back by itself (disk full, I/O error): nothing to undo
            self._raise_translated(exc)
            raise

    def _raise_translated(self, exc: BaseException) -> None:
        problem = translate_database_error(exc)
        if problem is not None:
            raise problem from exc


class PostventaSqlCipherDatabase(PostventaSqliteDatabase):
    """An encrypted file (app.models.cipher): the same database, its connections made by sqlcipher3
    and keyed before anything else runs on them (the pragmas, the functions)."""

    def __init__(self, database: str, *args, key: cipher.DatabaseKey, **kwargs):
        self._key = key
        super().__init__(database, *args, **kwargs)

    def _connect(self):
        conn = cipher.connect(
            self.database, self._key, timeout=self._timeout, isolation_level=None, **self.connect_params
        )
        try:
            self._add_conn_hooks(conn)
        except Exception:
            conn.close()
            raise
        return conn


@dataclass(frozen=True)
class DatabaseInfo:
    target: str  # the path or URL as the user sees it
    path: Path | None  # the SQLite file, None for a server database
    version: int
    created: bool  # a new, empty database was made
    backup: Path | None  # copy written before an upgrade
    encrypted: bool = False  # an SQLite file encrypted with SQLCipher
    recovery_key: str | None = None  # of a database encrypted as it was created: shown once


# The login and password a person gave for a server target, in this process's memory only (never on
# disk): reopening the same server (a failed switch to another database, the screenshots command)
# does not ask again.
_session_credentials: dict[str, tuple[str | None, str | None]] = {}


def use_credentials(target: str, login: str | None, password: str | None) -> None:
    """Open `target` with this login and password from now on in this process."""
    _session_credentials[target] = (login, password)


def forget_credentials(target: str) -> None:
    _session_credentials.pop(target, None)


def _one_line(exc: BaseException) -> str:
    """A driver's message on one line (psycopg's span several: "connection … failed:\n\tFATAL: …")."""
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def open_database(
    target: str,
    *,
    create: bool = True,
    upgrade: bool = True,
    read_only: bool = False,
    login: str | None = None,
    password: str | None = None,
    backups_folder: Path | None = None,
    encrypt: bool = False,
) -> DatabaseInfo:
    """Open `target`, create or upgrade its schema, and bind the models to it.

    With upgrade=False an older database is opened as it is. An office server's schema is never
    upgraded here (its people may lack the rights, and its manager takes a pg_dump first): an older
    one is refused with ServerUpgradeNeededError, and `postventa server upgrade` upgrades it.
    `login` and `password` are the person's, for a server URL without them (never in the URL,
    which is shown and logged), else those given to `use_credentials` for this target; a server
    that wants a password raises LoginRequiredError. With read_only=True (for
    `postventa check`) an SQLite file is opened read-only, its journal mode left as it is (the WAL
    pragma would rewrite the header of a rollback-journal file) and no marker written; a file
    Postventa cannot write is refused otherwise, before SQLite creates -wal/-shm files beside it.
    After an unclean shutdown (the marker was left behind) the file is checked before it is used.
    Before an SQLite file is upgraded, a backup is written into `backups_folder` (default: the
    backups folder in the user data folder).
    An encrypted file is opened with its key (app.models.cipher.find_key), or refused untouched with
    DatabaseLockedError. With encrypt=True a new SQLite file is made encrypted, its new key kept in the
    keyring (refused when there is none) and its recovery key returned once in the DatabaseInfo;
    an existing file is opened as it is.
    """
    global _open_database_path
    close_database()
    path = sqlite_path_of(target)
    backup = None
    key: cipher.DatabaseKey | None = None
    recovery: str | None = None
    if path is not None:
        version = inspect_sqlite_file(path)
        if version is None and (not create or read_only):
            raise DatabaseOpenError(_("There is no database at {path}.").format(path=path))
        key = cipher.find_key(path) if cipher.is_encrypted(path) else None  # inspect found it
        if version is None and encrypt and key is None:
            key = _new_database_key()
            recovery = cipher.recovery_key(key)
        if read_only:
            create = upgrade = False
        else:
            _refuse_unwritable(path, exists=version is not None or path.exists())
            marker = path.with_name(path.name + MARKER_SUFFIX)
            # After an unclean shutdown, and before an upgrade (which is slow anyway): is it intact?
            if version is not None and (marker.exists() or (upgrade and version < LATEST_VERSION)):
                quick_check_sqlite_file(path)
        if version is not None and version < LATEST_VERSION and upgrade:
            backup = backup_sqlite_file(path, backups_folder)
        if version is None:
            try:
                make_private_folder(path.parent)
            except OSError as exc:
                raise DatabaseOpenError(
                    _("Cannot create the folder {folder}: {reason}").format(
                        folder=path.parent, reason=exc.strerror or exc
                    )
                ) from exc
            create_private_file(path)  # before SQLite makes it: its -wal and -shm then get the same mode
        if path.parent == default_database_path().parent:
            keep_private(path.parent, (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))))
        if read_only:
            pragmas = {k: v for k, v in SQLITE_PRAGMAS.items() if k != "journal_mode"}
            database: Database = _sqlite_database(_read_only_uri(path), key, pragmas=pragmas, uri=True)
        else:
            database = _sqlite_database(str(path), key, pragmas=SQLITE_PRAGMAS)
        _open_database_path = path
    else:
        kept_login, kept_password = _session_credentials.get(target, (None, None))
        login, password = login or kept_login, password or kept_password
        database = _server_database(target, login, password)
        version = None
    db.initialize(database)
    try:
        try:
            database.connect(reuse_if_open=True)
        except PeeweeException as exc:
            if path is None:
                _raise_login_problem(exc, target, login, bool(password))
            raise
        if path is None:
            version = _server_schema_version(database)
            if version is not None and version < LATEST_VERSION and upgrade and not read_only:
                raise ServerUpgradeNeededError(
                    _(
                        "The office server's database has schema {found}; this version of Postventa needs schema {latest}. "
                        "A manager upgrades it with: postventa server upgrade --db {target}"
                    ).format(found=version, latest=LATEST_VERSION, target=display_target(target))
                )
            if version is None and (not create or read_only):
                # An empty server database: nothing is created unless asked (`check` never creates).
                raise DatabaseOpenError(
                    _("{target} has no Postventa database yet. It was not modified.").format(
                        target=display_target(target)
                    )
                )
            if read_only:
                set_read_only(database)
        created = version is None
        if created:
            with database.atomic():
                database.create_tables(ALL_MODELS)
                create_customer_search_index(database)  # not a model: each machine's own (schema 13)
                create_customer_profiles(database)  # not a model: each machine's own (schema 17)
                SchemaVersion.create(version=LATEST_VERSION)
                store_case_prefix_defaults()
        elif version < LATEST_VERSION and upgrade and path is not None:
            run_migrations(database, version)
        if path is not None and not read_only and not created:
            analyze_sqlite_when_never_done(database)
            follow_machine_zone(database)  # a laptop carried to another time zone
    except DatabaseFileError:
        close_database()
        raise
    except PeeweeException as exc:
        close_database()
        raise DatabaseOpenError(
            _("Cannot open the database {target}: {reason}").format(
                target=display_target(target), reason=_one_line(exc)
            )
        ) from exc
    if path is not None and not read_only:
        _write_marker(path.with_name(path.name + MARKER_SUFFIX))
    return DatabaseInfo(
        target,
        path,
        LATEST_VERSION if upgrade or created else version,
        created,
        backup,
        encrypted=key is not None,
        recovery_key=recovery,
    )


def _sqlite_database(name: str, key: cipher.DatabaseKey | None, **options) -> PostventaSqliteDatabase:
    if key is None:
        options["pragmas"] = {**options.get("pragmas", {}), "cache_size": -SQLITE_CACHE_KIB}
        return PostventaSqliteDatabase(name, **options)
    return PostventaSqlCipherDatabase(name, key=key, **options)


def _new_database_key() -> cipher.DatabaseKey:
    """A key for a new encrypted database, kept in the keyring; refused when it cannot be kept there."""
    if not cipher.available():
        raise DatabaseOpenError(
            _("This installation of Postventa cannot read encrypted databases (sqlcipher3 is missing).")
        )
    key = cipher.new_key()
    if not cipher.remember_key(key):
        raise DatabaseOpenError(
            _(
                "This computer has no keyring where Postventa could keep the database's key, so it cannot "
                "be encrypted here. Nothing was created."
            )
        )
    return key


def close_database() -> None:
    """Close this thread's connection; a clean close removes our unclean-shutdown marker."""
    global _marker, _open_database_path
    if db.obj is not None and not db.obj.is_closed():
        if _marker is not None and isinstance(db.obj, SqliteDatabase):  # a file opened for writing
            try:
                optimize_sqlite_at_close(db.obj)
            except (PeeweeException, sqlite3.Error, DatabaseFileError):
                pass  # statistics only help the planner; a damaged or full file still closes
        db.obj.close()
    if _marker is not None:
        marker, token = _marker
        _marker = None
        try:
            if marker.read_text(encoding="utf-8") == token:  # not another Postventa's, written since
                marker.unlink()
        except OSError:
            pass
    _open_database_path = None


def _write_marker(marker: Path) -> None:
    """Say "open" beside the file until close_database; a failure only costs the next check."""
    global _marker
    token = f"{os.getpid()} {uuid.uuid4().hex}"
    try:
        marker.write_text(token, encoding="utf-8")
    except OSError:
        return
    _marker = (marker, token)


def _refuse_unwritable(path: Path, *, exists: bool) -> None:
    """Refuse a file, its -wal/-shm or its folder that cannot be written, before SQLite touches them.

    Opened anyway, every save would fail, and SQLite would create -wal/-shm files as read-only as
    the database, which keep it unwritable after the user fixes the database's own permissions.
    (Root may write anything: os.access says so.)
    """
    folder = path.parent if str(path.parent) else Path(".")
    if exists:
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if file.exists() and not os.access(file, os.W_OK):
                raise DatabaseReadOnlyError(_read_only_message(file))
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseReadOnlyError(_read_only_folder_message(folder))


def quick_check_sqlite_file(path: Path) -> None:
    """Raise DatabaseDamagedError when SQLite's quick_check finds damage; reads the whole file
    (seconds on a large database) without writing anything."""
    try:
        conn = _read_only_connection(path)
        try:
            found = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
        finally:
            conn.close()
    except cipher.DRIVER_DATABASE_ERRORS as exc:
        problem = translate_database_error(exc, path)
        if problem is not None:
            raise problem from exc
        raise DatabaseOpenError(_("Cannot read {path}: {reason}").format(path=path, reason=exc)) from exc
    if found != ["ok"]:
        raise DatabaseDamagedError(_damaged_message(path, "; ".join(found)))


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
    if header != _SQLITE_MAGIC and not cipher.is_encrypted(path):
        raise DatabaseOpenError(
            _("{path} is not a Postventa database (it is not an SQLite file). It was not modified.").format(
                path=path
            )
        )
    try:
        conn = _read_only_connection(path)  # an encrypted file without its key: DatabaseLockedError
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return None
            if "schema_version" not in tables:
                raise DatabaseOpenError(
                    _(
                        "{path} is an SQLite database of another program, not a Postventa database. It was not modified."
                    ).format(path=path)
                )
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        finally:
            conn.close()
    except cipher.DRIVER_DATABASE_ERRORS as exc:
        problem = translate_database_error(exc, path)
        if problem is not None:
            raise problem from exc
        # Not damage (an I/O error, a locked or unreadable file): the file may well be intact.
        raise DatabaseOpenError(_("Cannot read {path}: {reason}").format(path=path, reason=exc)) from exc
    if version is None:
        raise DatabaseOpenError(
            _(
                "{path} has no schema version; it is not a usable Postventa database. It was not modified."
            ).format(path=path)
        )
    if version > LATEST_VERSION:
        raise DatabaseOpenError(
            _(
                "{path} was written by a newer version of Postventa (schema {found}, this version knows up to {known}). Update Postventa to open it; the file was not modified."
            ).format(path=path, found=version, known=LATEST_VERSION)
        )
    return int(version)


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file nor leave -wal/-shm files behind.

    `immutable` skips locking and WAL files; it is only right when no WAL file exists,
    otherwise committed pages may still sit in the WAL and must be read through it.
    An encrypted file is read with its key (an sqlcipher3 connection, the same interface), or
    refused with DatabaseLockedError when this computer has none that opens it.
    """
    if cipher.is_encrypted(path):
        return sqlite_connection(path, read_only=True)
    return sqlite3.connect(_read_only_uri(path), uri=True)


def sqlite_connection(path: Path, *, read_only: bool = False, **options) -> sqlite3.Connection:
    """A plain DB-API connection to the SQLite file `path`, plain or encrypted (keyed with the key this
    computer holds, DatabaseLockedError without one); read-only as `_read_only_connection`."""
    key = cipher.find_key(path) if cipher.is_encrypted(path) else None
    if cipher.is_encrypted(path) and key is None:
        raise DatabaseLockedError(path)
    name = _read_only_uri(path) if read_only else str(path)
    if key is None:
        return sqlite3.connect(name, uri=read_only, **options)
    return cipher.connect(name, key, uri=read_only, **options)


def _read_only_uri(path: Path) -> str:
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    return f"file:{quote(str(path.resolve()))}?{mode}"


def backup_sqlite_file(path: Path, folder: Path | None = None) -> Path:
    """The backup taken before an upgrade: the one verified backup (app.models.backups), into `folder`
    (default: the backups folder in the user data folder)."""
    from app.locations import default_backups_folder
    from app.models.backups import BackupKind, write_backup

    try:
        return write_backup(path, folder or default_backups_folder(), BackupKind.BEFORE_UPGRADE)
    except DatabaseFileError as exc:
        raise DatabaseOpenError(
            _("Cannot write a backup copy before upgrading {path}: {reason}").format(path=path, reason=exc)
        ) from exc


def _server_options(target: str, login: str | None, password: str | None) -> dict[str, str]:
    """Connection options for a server URL: the person's login and password (never in the URL), and
    PostgreSQL's JIT compiler off unless the URL sets `options`: it cost ~0.3 s on each large report
    query and 3 s of the at-risk list in the benchmarks (benchmarks/bench_engines.py), for no gain."""
    options: dict[str, str] = {"user": login} if login else {}
    if password:
        options["password"] = password
    parts = urlsplit(target)
    if parts.scheme.startswith("postgres") and "options" not in dict(parse_qsl(parts.query)):
        # The session speaks this machine's time zone (app.models.clock).
        options["options"] = " ".join(filter(None, ("-c jit=off", server_session_options())))
    return options


def _server_database(target: str, login: str | None, password: str | None) -> Database:
    """The (unconnected) database object of a server URL with the person's credentials."""
    from playhouse.db_url import connect as connect_url  # every backend's module: servers only

    read_server_times_as_local()
    try:
        return connect_url(target, field_types=SERVER_FIELD_TYPES, **_server_options(target, login, password))
    except Exception as exc:  # unknown scheme, missing driver, bad URL
        raise DatabaseOpenError(
            _("Cannot use the database {target}: {reason}").format(
                target=display_target(target), reason=_one_line(exc)
            )
        ) from exc


def open_office(target: str) -> Database:
    """A connection to the office server at `target` beside the open database (the laptop's, for a
    sync): not bound to the models. Refused like open_database refuses: login problems, no Postventa
    database, a schema older or newer than this Postventa's."""
    if sqlite_path_of(target) is not None:
        raise DatabaseOpenError(
            _("{target} is a file: the office is a postgresql:// server.").format(
                target=display_target(target)
            )
        )
    login, password = _session_credentials.get(target, (None, None))
    database = _server_database(target, login, password)
    try:
        database.connect()
    except PeeweeException as exc:
        _raise_login_problem(exc, target, login, bool(password))
        raise DatabaseOpenError(
            _("Cannot reach the office server {target}: {reason}").format(
                target=display_target(target), reason=_one_line(exc)
            )
        ) from exc
    try:
        version = _server_schema_version(database)
    except BaseException:
        database.close()
        raise
    if version is None:
        database.close()
        raise DatabaseOpenError(
            _("{target} has no Postventa database yet. It was not modified.").format(
                target=display_target(target)
            )
        )
    if version < LATEST_VERSION:
        database.close()
        raise ServerUpgradeNeededError(
            _(
                "The office server's database has schema {found}; this version of Postventa needs schema {latest}. "
                "A manager upgrades it with: postventa server upgrade --db {target}"
            ).format(found=version, latest=LATEST_VERSION, target=display_target(target))
        )
    return database


def _raise_login_problem(exc: BaseException, target: str, login: str | None, had_password: bool) -> None:
    """A refused connection said in the user's words: a password is wanted (LoginRequiredError, the
    window asks for it), or this login may not connect (disabled, or not one of this database's people).

    libpq's messages are matched as text: a failed connection carries no SQLSTATE in psycopg2."""
    text = _one_line(exc)
    lowered = text.lower()
    who = login or urlsplit(target).username or ""
    if "no password supplied" in lowered or "password authentication failed" in lowered:
        # libpq also takes a password from PGPASSWORD (or ~/.pgpass, which cannot be told apart).
        had_password = had_password or bool(os.environ.get("PGPASSWORD"))
        rejected = "password authentication failed" in lowered and had_password
        message = (
            _("The office server did not accept the login {login} with that password.")
            if rejected
            else _("The office server asks for the password of {login}.")
        ).format(login=who or _("(no login)"))
        raise LoginRequiredError(message, who or None, rejected=rejected) from exc
    if "not permitted to log in" in lowered:
        raise DatabaseOpenError(
            _("The login {login} is disabled on the office server; ask a manager.").format(login=who)
        ) from exc
    if "does not have connect privilege" in lowered or "permission denied for database" in lowered:
        raise DatabaseOpenError(
            _("The login {login} is not one of the people of {target}; ask a manager to add it.").format(
                login=who, target=display_target(target)
            )
        ) from exc


def _server_schema_version(database: Database) -> int | None:
    if not database.table_exists("schema_version"):
        if database.get_tables():
            raise DatabaseOpenError(
                _("This database belongs to another program; Postventa will not use it. It was not modified.")
            )
        return None
    # Raw SQL: the office of a sync is read beside the database the models are bound to.
    version = database.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()[0]
    if version is not None and version > LATEST_VERSION:
        raise DatabaseOpenError(
            _("This database was written by a newer version of Postventa; update Postventa to open it.")
        )
    return version
