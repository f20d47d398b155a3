"""Encrypted SQLite files (SQLCipher): their keys, where the keys are kept, the recovery key.

An encrypted database is keyed with a random 256-bit raw key, never a passphrase, so no slow key
derivation runs at every open. The key travels with a 16-byte salt of its own, given explicitly
(``PRAGMA key = "x'<key><salt>'"``): SQLCipher writes the salt as the file's first 16 bytes, and every
copy made with the same key (a backup, a database encrypted again) carries the same salt. The salt
names the key in the operating system's keyring (the `keyring` package: Windows Credential Manager,
macOS Keychain, the Secret Service), so a database moved to another folder, or one of its backups,
still finds its key on this computer.

The manager keeps the recovery key, shown once when a database is encrypted: the key written in
letters and digits, with a check group that catches a mistyped character. It opens the database on
another computer, or after the keyring lost the key (the window asks for it, the command line reads
it from the POSTVENTA_RECOVERY_KEY environment variable).

A plain file keeps Python's own `sqlite3`; only encrypted files go through `sqlcipher3`. No Qt.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import APP_NAME
from app.i18n import _
from app.keyrings import usable_keyring

KEY_BYTES, SALT_BYTES = 32, 16
RECOVERY_ENV_VAR = "POSTVENTA_RECOVERY_KEY"
KEYRING_SERVICE = APP_NAME
# The page cache of an encrypted connection, in KiB (SQLite's negative cache_size): every page read
# from the disk is decrypted and checked, so a page kept in memory saves more than in a plain file.
CACHE_KIB = 65536
_SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLCipher's smallest page; an encrypted file is a whole number of pages.
_MIN_PAGE = 512
# The recovery key: base32 letters (A-Z, 2-7) in groups of four, the last group a check.
_GROUP = 4
_CHECK_CHARS = 4
# Characters people read for one another, written as the base32 letter they look like.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})

# Exceptions of either driver: a plain file's (sqlite3) or an encrypted one's (sqlcipher3, added by
# `_driver` when it is imported: none of its exceptions can be raised before). Set when first read
# (`__getattr__`): the window's first paint, which reads this module for the early key look-up,
# does not wait for sqlite3's import (issue 19).
DRIVER_ERRORS: tuple[type[Exception], ...]
DRIVER_DATABASE_ERRORS: tuple[type[Exception], ...]
DRIVER_OPERATIONAL_ERRORS: tuple[type[Exception], ...]

_sqlcipher: Any = None
_driver_lock = threading.RLock()


def _plain_driver_errors() -> None:
    global DRIVER_ERRORS, DRIVER_DATABASE_ERRORS, DRIVER_OPERATIONAL_ERRORS
    with _driver_lock:
        if "DRIVER_ERRORS" not in globals():
            import sqlite3

            DRIVER_ERRORS = (sqlite3.Error,)
            DRIVER_DATABASE_ERRORS = (sqlite3.DatabaseError,)
            DRIVER_OPERATIONAL_ERRORS = (sqlite3.OperationalError,)


def __getattr__(name: str) -> Any:  # PEP 562: the driver errors' first reading
    if name in ("DRIVER_ERRORS", "DRIVER_DATABASE_ERRORS", "DRIVER_OPERATIONAL_ERRORS"):
        _plain_driver_errors()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _driver() -> Any:
    """sqlcipher3's DB-API module, imported with the first encrypted file rather than at every start
    (issue 19); None when this installation lacks it."""
    global _sqlcipher, DRIVER_ERRORS, DRIVER_DATABASE_ERRORS, DRIVER_OPERATIONAL_ERRORS
    with _driver_lock:
        if _sqlcipher is None:
            try:  # the wheels cover Windows, macOS and Linux; an installation without it cannot encrypt
                from sqlcipher3 import dbapi2
            except ImportError:  # pragma: no cover (a dependency: only a broken installation lacks it)
                return None
            import datetime as dt
            import decimal

            _plain_driver_errors()
            # Values bound as peewee binds them through sqlite3 (peewee registers these there).
            dbapi2.register_adapter(decimal.Decimal, str)
            dbapi2.register_adapter(dt.date, str)
            dbapi2.register_adapter(dt.time, str)
            dbapi2.register_adapter(dt.datetime, lambda value: value.isoformat(" "))
            DRIVER_ERRORS += (dbapi2.Error,)
            DRIVER_DATABASE_ERRORS += (dbapi2.DatabaseError,)
            DRIVER_OPERATIONAL_ERRORS += (dbapi2.OperationalError,)
            _sqlcipher = dbapi2
        return _sqlcipher


class RecoveryKeyError(ValueError):
    """The text is not a recovery key; the message says what is wrong with it."""


@dataclass(frozen=True)
class DatabaseKey:
    """The key of an encrypted database and the salt its files carry."""

    key: bytes
    salt: bytes

    def pragma(self) -> str:
        """The value of PRAGMA key / ATTACH … KEY: raw key and salt, no key derivation."""
        return f"x'{self.key.hex()}{self.salt.hex()}'"

    def __repr__(self) -> str:  # never the key itself in a log or a traceback
        return f"DatabaseKey(salt={self.salt.hex()})"


def available() -> bool:
    """True when this installation can read and write encrypted databases."""
    return _driver() is not None


def new_key() -> DatabaseKey:
    import secrets  # with the first key made, not at every start

    return DatabaseKey(secrets.token_bytes(KEY_BYTES), secrets.token_bytes(SALT_BYTES))


# --- telling an encrypted file ---------------------------------------------------------------------------


def file_salt(path: Path) -> bytes | None:
    """The salt an encrypted database file starts with; None for a plain SQLite file, an empty or
    missing file, or one that cannot be a database page by page (a text, a PDF)."""
    try:
        size = path.stat().st_size
        if size < _MIN_PAGE or size % _MIN_PAGE or not path.is_file():
            return None
        with path.open("rb") as handle:
            header = handle.read(SALT_BYTES)
    except OSError:
        return None
    return None if header == _SQLITE_MAGIC else header


def is_encrypted(path: Path) -> bool:
    """True when `path` looks like an encrypted database (whether or not its key is known here)."""
    return file_salt(path) is not None


# --- connections -------------------------------------------------------------------------------------------


def driver() -> Any:
    """sqlcipher3's DB-API module; RuntimeError when this installation lacks it."""
    module = _driver()
    if module is None:
        raise RuntimeError(
            _("This installation of Postventa cannot read encrypted databases (sqlcipher3 is missing).")
        )
    return module


def connect(database: str, key: DatabaseKey | None, *, uri: bool = False, **options: Any) -> Any:
    """An sqlcipher3 connection keyed with `key` (None: a plain file through the same driver), its
    page cache enlarged. The key is checked at once: a wrong one raises the driver's DatabaseError
    ("file is not a database") here, not at the first query."""
    connection = driver().connect(database, uri=uri, **options)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE").fetchall()  # a wrong key is our message
        if key is not None:
            connection.execute(f'PRAGMA key = "{key.pragma()}"').fetchall()
            connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}").fetchall()
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection


def key_opens(path: Path, key: DatabaseKey) -> bool:
    """True when `key` decrypts the file `path` (read-only: nothing is written)."""
    module = _driver()
    if module is None or file_salt(path) != key.salt:
        return False
    try:
        connection = connect(read_only_uri(path), key, uri=True)
    except module.DatabaseError:
        return False
    connection.close()
    return True


def read_only_uri(path: Path) -> str:
    """A URI that cannot change the file nor leave -wal/-shm files behind (`immutable` only without
    a WAL file, whose committed pages must otherwise be read through it)."""
    from urllib.parse import quote

    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    return f"file:{quote(str(path.resolve()))}?{mode}"


# --- where keys are kept -----------------------------------------------------------------------------------

# Keys this process knows (from the keyring, a recovery key, or made here), by salt.
_known: dict[bytes, DatabaseKey] = {}


def keyring_name(salt: bytes) -> str:
    return f"database-key:{salt.hex()}"


def keyring_available() -> bool:
    return usable_keyring() is not None


def remember_key(key: DatabaseKey, *, in_keyring: bool = True) -> bool:
    """Know `key` in this process and, with `in_keyring`, keep it in the OS keyring; False when the
    keyring is missing or refused it (the key is then known until the process ends)."""
    _known[key.salt] = key
    if not in_keyring:
        return False
    keyring = usable_keyring()
    if keyring is None:
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_name(key.salt), key.key.hex())
    except Exception:  # noqa: BLE001 (a locked or read-only keyring)
        return False
    return _keyring_key(key.salt) == key


def _keyring_key(salt: bytes) -> DatabaseKey | None:
    keyring = usable_keyring()
    if keyring is None:
        return None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, keyring_name(salt))
    except Exception:  # noqa: BLE001 (a locked keyring: the recovery key is asked for instead)
        return None
    try:
        key = bytes.fromhex(stored) if stored else b""
    except ValueError:
        return None
    return DatabaseKey(key, salt) if len(key) == KEY_BYTES else None


def _environment_key(salt: bytes) -> DatabaseKey | None:
    text = os.environ.get(RECOVERY_ENV_VAR)
    if not text:
        return None
    try:
        return DatabaseKey(parse_recovery_key(text), salt)
    except RecoveryKeyError:
        return None


def look_up_key_early(path: Path | None) -> None:
    """Start looking for the key of `path` (when it is encrypted) in a thread: the keyring takes a
    few hundred milliseconds to load its backend, which the window's start then spends building Qt
    instead of waiting. `find_key` waits for the look-up."""
    salt = file_salt(path) if path is not None else None
    if salt is None or salt in _known or salt in _looking_up:
        return
    thread = threading.Thread(target=find_key, args=(path,), name="postventa-key-lookup", daemon=True)
    _looking_up[salt] = thread
    thread.start()


_looking_up: dict[bytes, threading.Thread] = {}


def find_key(path: Path) -> DatabaseKey | None:
    """The key that opens the encrypted file `path`: one this process knows, the keyring's, or the
    recovery key in POSTVENTA_RECOVERY_KEY; None when none of them does."""
    salt = file_salt(path)
    if salt is None:
        return None
    pending = _looking_up.get(salt)
    if pending is not None and pending is not threading.current_thread():
        pending.join()
        _looking_up.pop(salt, None)
    if salt in _known:  # checked when it was learnt; every connection checks it again anyway
        return _known[salt]
    for candidate in (_keyring_key(salt), _environment_key(salt)):
        if candidate is not None and key_opens(path, candidate):
            _known[salt] = candidate
            return candidate
    return None


def key_in_keyring(salt: bytes) -> bool:
    return _keyring_key(salt) is not None


def forget_known_keys() -> None:
    """Forget the keys this process learnt (tests; the keyring keeps its own)."""
    _known.clear()


# --- the recovery key --------------------------------------------------------------------------------------


def _check(key: bytes) -> str:
    return base64.b32encode(hashlib.sha256(b"postventa-recovery" + key).digest())[:_CHECK_CHARS].decode()


def recovery_key(key: DatabaseKey) -> str:
    """The key as the manager writes it down or prints it: 14 groups of four letters and digits."""
    letters = base64.b32encode(key.key).decode().rstrip("=") + _check(key.key)
    return "-".join(letters[i : i + _GROUP] for i in range(0, len(letters), _GROUP))


def parse_recovery_key(text: str) -> bytes:
    """The 32-byte key written in `text` (spaces, dashes and case do not matter); RecoveryKeyError
    says what is wrong."""
    letters = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOKALIKES)
    expected = len(base64.b32encode(bytes(KEY_BYTES)).decode().rstrip("=")) + _CHECK_CHARS
    if len(letters) != expected:
        raise RecoveryKeyError(
            _("A recovery key has {expected} letters and digits; this one has {found}.").format(
                expected=expected, found=len(letters)
            )
        )
    body, check = letters[:-_CHECK_CHARS], letters[-_CHECK_CHARS:]
    try:
        key = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError as exc:
        raise RecoveryKeyError(_("A recovery key has only the letters A–Z and the digits 2–7.")) from exc
    if _check(key) != check:
        raise RecoveryKeyError(
            _("This recovery key has a mistyped character: compare it with the printed one.")
        )
    return key
