"""Every file Postventa writes for the user goes through here: documents, calendars, screenshots.

One policy, the same from the command line and the window:

- The target gets the extension when its name lacks it, compared without case (`memo` → `memo.pdf`,
  `notes.txt` → `notes.txt.pdf`, `MEMO.PDF` stays).
- Refused, each with a message that says what to do, before any work and again just before the
  rename: the database this process has open and its -wal/-shm/-journal; any SQLite file (its 16-byte
  header) or SQLite working file (a WAL header, or `<SQLite file>-wal|-shm|-journal`), so a document
  never replaces a database; a folder, a missing folder, a disk or a socket; and an existing file
  unless `force` (the command line's --force; the window's save dialog asks, then passes force=True).
- A regular file is written to a temporary file beside the target, synced and renamed over it: a
  failure leaves nothing half-written and the previous file as it was. The new file has the usual
  mode (0666 less the umask): documents are meant to be shared, unlike the database (0600).
- An existing character device or FIFO (/dev/null, /dev/stdout, a named pipe) is written to as it is:
  never renamed over, never chmod-ed, no extension added. The content is made in a private temporary
  file first, so the reader gets a whole document or nothing.
- A target another program holds open (a PDF viewer on Windows locks the file) is named as such.

No Qt here: the services, the reports, the documents, the command line and the views all use it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _
from app.services.errors import DomainError

# What an SQLite database file starts with, and the two magic numbers a WAL file starts with.
SQLITE_HEADER = b"SQLite format 3\x00"
WAL_HEADERS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
# Files SQLite keeps beside a database while it is in use.
WORKING_SUFFIXES = ("-wal", "-shm", "-journal")
# Windows errors when another program holds the file: access denied, sharing and lock violations.
_LOCKED_WINERRORS = (5, 32, 33)


class OutputError(DomainError):
    """The file cannot be written as asked; nothing was written. The message says what to do."""


class OutputExistsError(OutputError):
    """The target exists and `force` was not given."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(_("{path} already exists; add --force to replace it.").format(path=path))


@dataclass(frozen=True)
class Output:
    """Where a file goes, once refused or accepted."""

    path: Path  # as the caller named it, with the extension added (what is shown to the user)
    file: Path  # where the bytes go: `path`, or the file a symbolic link points to
    direct: bool  # an existing character device or FIFO: written to as it is, never renamed over
    replaces: bool  # an existing regular file is replaced (force was given)


def with_extension(path: str | os.PathLike, extension: str) -> Path:
    """`path` with `extension` (".pdf") added when its name does not already end with it, in any case."""
    target = Path(path)
    if target.name.lower().endswith(extension.lower()):
        return target
    return target.with_name(target.name + extension)


def resolve_output(path: str | os.PathLike, extension: str, *, force: bool = False) -> Output:
    """Where a file named `path` is written, or OutputError saying why not (nothing is written here)."""
    text = os.fspath(path)
    given = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or (os.altsep and text.endswith(os.altsep)):  # meant as a folder
        if given.is_dir():
            raise _folder_refused(given)
        raise OutputError(_("The folder {folder} does not exist.").format(folder=given))
    found = _stat(given)
    if found is not None and not stat.S_ISREG(found.st_mode):
        # An existing folder, device, FIFO or socket is taken as named: no extension is added to it.
        return _special(given, found.st_mode)
    candidate = with_extension(given, extension)
    found = _stat(candidate)
    if found is not None and not stat.S_ISREG(found.st_mode):
        return _special(candidate, found.st_mode)
    file = Path(os.path.realpath(candidate)) if candidate.is_symlink() else candidate
    _check_folder(file.parent)
    _check_regular_target(file, shown=candidate, force=force, exists=found is not None)
    return Output(path=candidate, file=file, direct=False, replaces=found is not None)


def write_output(
    path: str | os.PathLike, extension: str, produce: Callable[[Path], object], *, force: bool = False
) -> Path:
    """Write a file: `produce(temporary)` writes the content to a temporary file, which then becomes the
    target (see the module's docstring). Returns the path written (with its extension)."""
    output = resolve_output(path, extension, force=force)
    if output.direct:
        _write_directly(output, produce)
    else:
        _write_and_rename(output, produce, force=force)
    return output.path


def write_output_bytes(path: str | os.PathLike, extension: str, data: bytes, *, force: bool = False) -> Path:
    """`data` written to `path` the same way; returns the path written."""
    return write_output(path, extension, lambda temporary: temporary.write_bytes(data), force=force)


# --- refusals --------------------------------------------------------------------------------------------


def _stat(path: Path) -> os.stat_result | None:
    """os.stat following links; None when nothing is there (or its folder is missing or unreadable)."""
    try:
        return path.stat()
    except OSError:  # missing, a file where a folder should be, a name too long: the folder checks say
        return None


def _folder_refused(path: Path) -> OutputError:
    return OutputError(_("{path} is a folder; choose a file name for the document.").format(path=path))


def _special(path: Path, mode: int) -> Output:
    """An existing file that is not a regular one: a folder is refused, a device or FIFO written to."""
    if stat.S_ISDIR(mode):
        raise _folder_refused(path)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Output(path=path, file=path, direct=True, replaces=False)
    raise OutputError(
        _("{path} is not a file Postventa can write to (a disk or a socket); choose a file name.").format(
            path=path
        )
    )


def _check_folder(folder: Path) -> None:
    folder = folder if str(folder) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise OutputError(_("{folder} is a file, not a folder.").format(folder=folder))
    if not folder.is_dir():
        raise OutputError(_("The folder {folder} does not exist.").format(folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(_("Cannot write to the folder {folder}.").format(folder=folder))


def _check_regular_target(file: Path, *, shown: Path, force: bool, exists: bool) -> None:
    """Refuse the open database and its working files, any SQLite file, and an existing file without force."""
    from app.models.database import (
        open_database_file,  # the models: not on the way to the window's first paint
    )

    database = open_database_file()
    if database is not None:
        for guarded in (database, *(database.with_name(database.name + s) for s in WORKING_SUFFIXES)):
            if _same_file(file, guarded):
                raise OutputError(
                    _(
                        "{path} is the database Postventa has open, or one of its working files; choose another file name."
                    ).format(path=shown)
                )
    if _is_sqlite_file(file, shown) or _is_working_file_of_sqlite(file, shown):
        raise OutputError(
            _(
                "{path} is an SQLite database or one of its working files; Postventa never writes over them. Choose another file name."
            ).format(path=shown)
        )
    if exists and not force:
        raise OutputExistsError(shown)


def _same_file(one: Path, other: Path) -> bool:
    try:
        if one.exists() and other.exists():
            return os.path.samefile(one, other)  # also through links and a case-insensitive disk
    except OSError:
        pass
    return os.path.normcase(os.path.realpath(one)) == os.path.normcase(os.path.realpath(other))


def _header(file: Path, shown: Path) -> bytes:
    """The first 16 bytes of an existing regular file (b"" when there is none)."""
    if not file.is_file():
        return b""
    try:
        with file.open("rb") as stream:
            return stream.read(len(SQLITE_HEADER))
    except OSError as exc:  # what cannot be read cannot be known not to be a database
        raise _cannot_write(shown, exc) from exc


def _is_sqlite_file(file: Path, shown: Path) -> bool:
    header = _header(file, shown)
    return header == SQLITE_HEADER or header[:4] in WAL_HEADERS


def _is_working_file_of_sqlite(file: Path, shown: Path) -> bool:
    for suffix in WORKING_SUFFIXES:
        if file.name.lower().endswith(suffix):
            database = file.with_name(file.name[: -len(suffix)])
            if database.name and _header(database, shown) == SQLITE_HEADER:
                return True
    return False


# --- writing ---------------------------------------------------------------------------------------------


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(_("Cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc))


def _is_locked(exc: OSError) -> bool:
    """Another program holds the file open (Windows refuses to replace it then)."""
    if getattr(exc, "winerror", None) in _LOCKED_WINERRORS:
        return True
    return os.name == "nt" and isinstance(exc, PermissionError)


def _new_temporary(folder: Path, name: str) -> Path:
    """A new empty file in `folder` with the usual mode of a new file (0666 less the umask, which the
    system applies: no umask juggling, which would race with other threads). Hidden, named after the
    target, ending in .part."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _attempt in range(100):
        temporary = folder / f".{name[:120]}.{secrets.token_hex(4)}.part"
        try:
            handle = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        os.close(handle)
        return temporary
    raise FileExistsError(f"no free temporary name in {folder}")


def _sync(path: Path) -> None:
    handle = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write_and_rename(output: Output, produce: Callable[[Path], object], *, force: bool) -> None:
    try:
        temporary = _new_temporary(output.file.parent, output.file.name)
    except OSError as exc:
        raise _cannot_write(output.path, exc) from exc
    try:
        produce(temporary)
        _sync(temporary)
        # Again, just before the rename: the target may have appeared, or changed, meanwhile.
        found = _stat(output.file)
        if found is not None and not stat.S_ISREG(found.st_mode):
            _special(output.path, found.st_mode)  # a folder, disk or socket is refused
            raise OutputError(
                _("{path} changed while Postventa was writing it; nothing was written. Try again.").format(
                    path=output.path
                )
            )
        _check_regular_target(output.file, shown=output.path, force=force, exists=found is not None)
        try:
            os.replace(temporary, output.file)
        except OSError as exc:
            if _is_locked(exc):
                raise OutputError(
                    _(
                        "{path} is open in another program; close it (e.g. in your PDF viewer) and try again."
                    ).format(path=output.path)
                ) from exc
            raise
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _cannot_write(output.path, exc) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    from app.models.backups import sync_folder

    sync_folder(output.file.parent)


def _write_directly(output: Output, produce: Callable[[Path], object]) -> None:
    """Into a device or FIFO as it is: opened for writing only, never created, truncated or renamed over."""
    handle, name = tempfile.mkstemp(prefix="postventa-", suffix=".part")  # private (0600) scratch
    os.close(handle)
    temporary = Path(name)
    try:
        produce(temporary)
        target = os.open(output.file, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        with os.fdopen(target, "wb") as sink, temporary.open("rb") as source:
            shutil.copyfileobj(source, sink)
    except OSError as exc:
        raise _cannot_write(output.path, exc) from exc
    finally:
        temporary.unlink(missing_ok=True)
