"""Encryption at rest of an SQLite database (a laptop's): status, encrypting, decrypting, unlocking.

Encrypting takes a verified backup first (`before-encryption`), converts the file in place
(app.models.encryption: a checked copy renamed over the original), then encrypts the database's
backups in the backups folder with the same key, that one included: a lost laptop then holds no
readable copy. The new key goes to the OS keyring before anything changes (no keyring, no
encryption); its recovery key is returned once, for the manager to print and keep.

Decrypting takes an encrypted backup first (`before-decryption`) and converts the file back. The key
stays in the keyring, so the encrypted backups can still be listed and restored.

The database must be closed by every connection while it is converted (the window closes it and
reopens it after). An office server (PostgreSQL) is encrypted by its own means; nothing here
applies to it. No Qt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _
from app.models import cipher
from app.models.backups import BackupKind, Progress, backups_in, write_backup
from app.models.database import DatabaseLockedError, inspect_sqlite_file
from app.models.encryption import EncryptionError, _temporary_beside, convert_file, convert_in_place
from app.services.errors import DomainError, ValidationError


@dataclass(frozen=True)
class EncryptionStatus:
    encrypted: bool
    available: bool  # this installation has SQLCipher
    keyring: bool  # a keyring where the key can be kept
    key_in_keyring: bool  # the key of this (encrypted) database is in the keyring


@dataclass(frozen=True)
class EncryptionOutcome:
    backup: Path  # the verified backup taken before the change
    recovery_key: str | None  # after encrypting: shown once, for the manager
    backups_converted: int  # backups in the folder encrypted with the database's key
    backups_not_converted: tuple[Path, ...] = ()  # backups that could not be (still readable)


def encryption_status(database: Path) -> EncryptionStatus:
    encrypted = cipher.is_encrypted(database)
    salt = cipher.file_salt(database)
    return EncryptionStatus(
        encrypted=encrypted,
        available=cipher.available(),
        keyring=cipher.keyring_available(),
        key_in_keyring=bool(salt) and cipher.key_in_keyring(salt),
    )


def _refuse_missing(database: Path) -> None:
    if inspect_sqlite_file(database) is None:
        raise DomainError(_("There is no database at {path}.").format(path=database))


def encrypt_database(database: Path, folder: Path, *, progress: Progress | None = None) -> EncryptionOutcome:
    """Encrypt the closed SQLite database `database`; see the module's description."""
    if cipher.is_encrypted(database):
        raise DomainError(_("{path} is already encrypted.").format(path=database))
    if not cipher.available():
        raise DomainError(
            _("This installation of Postventa cannot read encrypted databases (sqlcipher3 is missing).")
        )
    _refuse_missing(database)
    key = cipher.new_key()
    if not cipher.remember_key(key):
        raise DomainError(
            _(
                "This computer has no keyring where Postventa could keep the database's key, so it cannot "
                "be encrypted here. Nothing was changed."
            )
        )
    backup = write_backup(database, folder, BackupKind.BEFORE_ENCRYPTION, progress=progress)
    convert_in_place(database, key)
    converted, failed = _encrypt_backups(database, folder, key)
    return EncryptionOutcome(backup, cipher.recovery_key(key), converted, tuple(failed))


def _encrypt_backups(database: Path, folder: Path, key: cipher.DatabaseKey) -> tuple[int, list[Path]]:
    """Every plain backup of `database` in `folder` encrypted with `key`, each checked first."""
    converted, failed = 0, []
    for path, _name in backups_in(folder, database):
        if cipher.is_encrypted(path):
            continue
        temporary = _temporary_beside(path)
        try:
            convert_file(path, temporary, key)
            if os.name == "posix":
                os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except (EncryptionError, OSError):
            temporary.unlink(missing_ok=True)
            failed.append(path)
            continue
        converted += 1
    return converted, failed


def decrypt_database(database: Path, folder: Path, *, progress: Progress | None = None) -> EncryptionOutcome:
    """Decrypt the closed SQLite database `database`; see the module's description."""
    if not cipher.is_encrypted(database):
        raise DomainError(_("{path} is not encrypted.").format(path=database))
    _refuse_missing(database)  # DatabaseLockedError without its key
    backup = write_backup(database, folder, BackupKind.BEFORE_DECRYPTION, progress=progress)
    convert_in_place(database, None)
    return EncryptionOutcome(backup, None, 0)


def unlock_database(database: Path, recovery_key: str, *, remember: bool = True) -> bool:
    """Open the encrypted `database` with its recovery key from now on in this process, and with
    `remember` keep the key in the keyring; True when the keyring kept it. ValidationError (field
    "recovery_key") when the text is not a recovery key or not this database's."""
    salt = cipher.file_salt(database)
    if salt is None:
        raise DomainError(_("{path} is not encrypted.").format(path=database))
    try:
        key = cipher.DatabaseKey(cipher.parse_recovery_key(recovery_key), salt)
    except cipher.RecoveryKeyError as exc:
        raise ValidationError({"recovery_key": str(exc)}) from exc
    if not cipher.key_opens(database, key):
        raise ValidationError(
            {"recovery_key": _("This recovery key does not open {name}.").format(name=database.name)}
        )
    return cipher.remember_key(key, in_keyring=remember)


__all__ = [
    "DatabaseLockedError",
    "EncryptionOutcome",
    "EncryptionStatus",
    "decrypt_database",
    "encrypt_database",
    "encryption_status",
    "unlock_database",
]
