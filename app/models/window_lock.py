"""Which SQLite file a window has open, named so that one window per file can be enforced.

Only the names live here (no Qt): the canonical path of a database file, however it was
spelled, and the short local-socket name that stands for it. `app.views.single_instance`
listens on that name. Server databases (PostgreSQL) have no canonical path and are not locked:
their server handles concurrent users.
"""

from __future__ import annotations

import getpass
import hashlib
import ntpath
import os
import sys
import unicodedata

from app.i18n import _
from app.locations import sqlite_path_of
from app.models.file_errors import DatabaseOpenError

NAME_PREFIX = "postventa-"


class DatabaseInUseError(DatabaseOpenError):
    """Another Postventa window on this machine has the database open.

    `answered`: that window answered (False: something holds the file but does not respond);
    `brought_to_front`: it was asked to come forward, so the user is already looking at it.
    """

    def __init__(self, target: str, *, answered: bool, brought_to_front: bool = False):
        self.target = target
        self.answered = answered
        self.brought_to_front = answered and brought_to_front
        if self.brought_to_front:
            message = _(
                "{target} is already open in another Postventa window, which was brought to the front."
            )
        elif answered:
            message = _(
                "{target} is already open in another Postventa window. Work on it there, or close that window first."
            )
        else:
            message = _(
                "{target} is already open in another Postventa window that does not answer. "
                "Close that window (or end the program) and try again."
            )
        super().__init__(message.format(target=target))


def canonical_sqlite_path(target: str, platform: str = sys.platform) -> str | None:
    """One spelling per SQLite file: absolute, symlinks resolved, case folded where the file
    system ignores case; None for server URLs, which are not locked.

    The file need not exist yet (a new database): what exists of the path is resolved.
    """
    path = sqlite_path_of(target)
    if path is None:
        return None
    try:
        text = str(path.resolve())
    except (OSError, RuntimeError):  # a symlink loop: the absolute spelling is the best we have
        text = os.path.abspath(path)
    if platform == "win32":
        return ntpath.normcase(text)  # NTFS ignores case; normcase also turns / into \
    if platform == "darwin":
        # APFS and HFS+ ignore case by default and treat composed and decomposed accents as one name.
        return unicodedata.normalize("NFC", text).lower()
    return text


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, ImportError, OSError):  # no login name in the environment nor in the user database
        return str(os.getuid()) if hasattr(os, "getuid") else ""


def lock_name(canonical_path: str, user: str | None = None) -> str:
    """The local-socket name for a file and a user: short and legal on every platform.

    Unix puts the socket in the temporary folder (paths there are limited to about 100 bytes) and
    Windows makes a named pipe (no backslashes), so the path itself cannot be the name. The user is
    part of it so that two users of one machine never meet in the shared temporary folder.
    """
    user = current_user() if user is None else user
    key = user.encode("utf-8", "surrogateescape") + b"\0" + os.fsencode(canonical_path)
    return NAME_PREFIX + hashlib.sha256(key).hexdigest()[:32]


def lock_name_of(target: str) -> str | None:
    """The lock name of a database target; None for server databases."""
    path = canonical_sqlite_path(target)
    return None if path is None else lock_name(path)
