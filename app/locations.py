"""Where Postventa's data lives and who may read it: a database's target (a file or a server URL,
shown without its password), the default data folder, and files and folders kept their owner's only.

Neither Qt nor a database driver: the command line and the window's first paint use these before
either is loaded (issue 19). app.models.database re-exports them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import platformdirs

from app import APP_NAME

ENV_VAR = "POSTVENTA_DB"


def default_database_path() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "postventa.sqlite3"


def default_backups_folder() -> Path:
    """A `backups` folder in the user data folder, beside the default database."""
    return default_database_path().parent / "backups"


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


def display_target(target: str) -> str:
    """A database path or URL as it may be shown or logged: a URL's password is left out (from
    user:password@host and from a password=… parameter). app.diagnostics re-exports it."""
    parts = urlsplit(target)
    if not parts.scheme or "://" not in target:
        return target
    if parts.password is not None:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        netloc = f"{parts.username}@{host}" if parts.username else host
        parts = parts._replace(netloc=netloc)
    if parts.query:
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "password"]
        parts = parts._replace(query=urlencode(query, safe="/"))
    return urlunsplit(parts)


def make_private_folder(folder: Path) -> None:
    """Make `folder` and its parents when missing; on POSIX the folder made is its owner's only (0700)."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(folder, 0o700)  # whatever the umask


def keep_private(folder: Path, files: tuple[Path, ...] = ()) -> None:
    """On POSIX, one of Postventa's own folders (the default data folder, the logs) and files in it
    made their owner's only again: an older Postventa, or a loose umask, left them readable by the
    computer's other users. Only group and other lose their bits, and only on what this user owns.
    Never a folder the user chose: it keeps the modes they gave it."""
    if os.name != "posix":
        return
    for path in (folder, *files):
        try:
            status = path.stat()
            if status.st_uid == os.getuid() and stat.S_IMODE(status.st_mode) & 0o077:
                os.chmod(path, stat.S_IMODE(status.st_mode) & 0o700)
        except OSError:  # missing, or not ours to change: opening says what is wrong
            continue


def create_private_file(path: Path) -> None:
    """On POSIX, a new empty file only its owner may read and write (0600, whatever the umask); SQLite
    gives a database's -wal and -shm the mode of the database. An existing file is left as it is."""
    if os.name != "posix":
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except OSError:  # it exists, or cannot be made: SQLite then says what is wrong
        pass
