"""Errors in the field on record: a rotating log file in the per-user log folder, and exception hooks.

A Windows GUI program has no stderr, so whatever goes wrong must reach a file the user can send
(Help ▸ Open log folder). The log carries ids, versions and tracebacks, never customers' personal
data: our own log calls pass ids only, and every line is scrubbed of e-mail addresses, phone
numbers and tax ids in case an exception's message quotes one. Qt-free: the CLI and the window share it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

import platformdirs

from app import APP_NAME, __version__
from app.locations import (
    display_target,  # re-exported: where a target is shown, it is shown through this
    keep_private,
)

LOG_FILE_NAME = "postventa.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5  # postventa.log.1 … .5: a few weeks of ordinary use
_FORMAT = "%(asctime)s %(levelname)-8s [%(threadName)s] %(name)s: %(message)s"

log = logging.getLogger("app")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine or more digits, possibly spaced or dashed: a phone number. Ids and line numbers are shorter.
_PHONE = re.compile(r"(?<![\w.])\+?\d(?:[ -]?\d){8,}(?![\w.])")
# Spanish tax ids: NIF/NIE (12345678Z, X1234567L) and CIF (B12345674).
_TAX_ID = re.compile(r"\b(?:[XYZKLM]?\d{7,8}[A-Z]|[A-HJNP-SUVW]\d{7}[0-9A-J])\b", re.IGNORECASE)


def log_folder() -> Path:
    """The per-user log folder (Windows: %LOCALAPPDATA%\\Postventa\\Logs; Linux: ~/.local/state/…/log)."""
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def scrub(text: str) -> str:
    """`text` without e-mail addresses, phone numbers and tax ids."""
    return _TAX_ID.sub("<tax id>", _PHONE.sub("<phone>", _EMAIL.sub("<e-mail>", text)))


class _ScrubbingFormatter(logging.Formatter):
    """Scrubs the message and the traceback (not the time stamp, whose digits look like a phone)."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.msg, record.args = scrub(record.getMessage()), None
        return super().format(record)

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return scrub(super().formatException(ei))


def _private_rotating_file_handler(path: Path) -> logging.Handler:
    """A rotating log whose files only their owner may read (POSIX 0600, whatever the umask): a log
    names ids and paths. An older, more open log file is made private when it is next opened.
    (logging.handlers is imported here: the window's frame paints before its log is set up.)"""
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self):
            if os.name == "posix":
                os.close(os.open(self.baseFilename, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
                os.chmod(self.baseFilename, 0o600)
            return super()._open()

    return PrivateRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
    )


def _our_handler() -> logging.Handler | None:
    return next((h for h in log.handlers if getattr(h, "_postventa", False)), None)


def setup_logging(folder: Path | None = None) -> Path:
    """Log to a rotating file in `folder` (default: the user log folder); returns the file's path.

    Calling it again moves the log to the new folder. When the folder cannot be written (a locked
    profile), logging goes nowhere rather than stopping the program.
    """
    folder = folder or log_folder()
    path = folder / LOG_FILE_NAME
    old = _our_handler()
    if old is not None:
        if Path(old.baseFilename) == path:
            return path
        log.removeHandler(old)
        old.close()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        keep_private(folder)  # logs name ids and paths: the folder is its owner's only (0700)
        handler = _private_rotating_file_handler(path)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(_ScrubbingFormatter(_FORMAT))
    handler._postventa = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def log_start(command: str, database_target: str) -> None:
    import platform

    log.info(
        "%s %s %s on Python %s, %s; database %s",
        APP_NAME,
        __version__,
        command,
        platform.python_version(),
        platform.platform(),
        display_target(database_target),
    )


def log_error(exc: BaseException, context: str) -> None:
    """Log `exc` once (a failure passed from a task to the error dialog is not logged twice).

    Our own domain errors are refusals a user reads (and may name a customer): their type only.
    Anything else is a defect: the whole traceback.
    """
    if getattr(exc, "_postventa_logged", False):
        return
    try:
        exc._postventa_logged = True  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover (exceptions with __slots__)
        pass
    if is_expected(exc):
        log.info("%s: %s refused the action", context, type(exc).__name__)
    else:
        log.error(
            "%s: unexpected %s", context, type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__)
        )


def is_expected(exc: BaseException) -> bool:
    """A refusal or a problem with a file, explained to the user; not a defect."""
    from app.models.database import DatabaseFileError
    from app.services.errors import DomainError

    return isinstance(exc, (DomainError, DatabaseFileError, OSError))


def error_details(exc: BaseException) -> str:
    """What 'Copy details' puts on the clipboard: version, platform and the traceback."""
    import platform

    lines = [
        f"{APP_NAME} {__version__}",
        f"Python {platform.python_version()}, {platform.platform()}",
        f"Log folder: {log_folder()}",
        "",
        "".join(traceback.format_exception(exc)).rstrip(),
    ]
    return scrub("\n".join(lines))


def install_exception_hooks(report: Callable[[BaseException], None] | None = None) -> None:
    """Uncaught errors, in the main thread or any other, are logged; `report` then shows them.

    `report` is called from the thread that failed; the GUI passes one that hands the error to the
    UI thread. Without `report`, Python's usual message goes to stderr as well.
    """

    def excepthook(kind, exc, tb):
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        log_error(exc, "Uncaught error")
        if report is None:
            sys.__excepthook__(kind, exc, tb)
        else:
            report(exc)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        thread = args.thread.name if args.thread is not None else "?"
        log_error(args.exc_value, f"Uncaught error in thread {thread}")
        if report is None:
            threading.__excepthook__(args)
        else:
            report(args.exc_value)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
