"""Office-server passwords remembered in the operating system's keyring (the `keyring` package:
Windows Credential Manager, macOS Keychain, the Secret Service on Linux desktops).

Postventa itself never writes a password to a file, a setting or a log. A machine without a usable
keyring (a server, CI, a Linux desktop without a Secret Service) just cannot remember one: every
function here says so instead of failing. No Qt.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from app import APP_NAME, diagnostics
from app.keyrings import usable_keyring

SERVICE = APP_NAME


def server_key(target: str, login: str) -> str:
    """Whose password, on which server and database: `login@host:port/database` (the socket folder
    stands for the host when the URL names one with `?host=`)."""
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query))
    host = parts.hostname or query.get("host") or "localhost"
    port = parts.port or query.get("port") or 5432
    database = parts.path.lstrip("/") or login
    return f"{login}@{host}:{port}/{database}"


def keyring_available() -> bool:
    return usable_keyring() is not None


def remembered_password(target: str, login: str) -> str | None:
    keyring = usable_keyring()
    if keyring is None or not login:
        return None
    try:
        return keyring.get_password(SERVICE, server_key(target, login))
    except Exception:  # noqa: BLE001 (a locked or broken keyring: ask for the password instead)
        diagnostics.log.info("the keyring could not be read", exc_info=True)
        return None


def remember_password(target: str, login: str, password: str) -> bool:
    """Store it in the keyring; False when there is no keyring or it refused (nothing is stored)."""
    keyring = usable_keyring()
    if keyring is None:
        return False
    try:
        keyring.set_password(SERVICE, server_key(target, login), password)
    except Exception:  # noqa: BLE001
        diagnostics.log.info("the keyring refused to store a password", exc_info=True)
        return False
    return True


def forget_password(target: str, login: str) -> None:
    """Remove a remembered password (it was refused, or the person unticked "remember")."""
    keyring = usable_keyring()
    if keyring is None:
        return
    try:
        keyring.delete_password(SERVICE, server_key(target, login))
    except Exception:  # noqa: BLE001 (not there, or the keyring is locked: nothing to forget)
        diagnostics.log.debug("no remembered password to forget", exc_info=True)
