"""This computer's keyring (the `keyring` package: Windows Credential Manager, macOS Keychain, the
Secret Service on Linux), where office passwords (app.credentials) and database keys
(app.models.cipher) are kept. Imports nothing of the app's: both layers use it. No Qt."""

from __future__ import annotations

import logging
from typing import Any


def usable_keyring() -> Any:
    """The keyring module when a real backend is there, else None (nothing can be kept)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:
        logging.getLogger("app").info("no usable keyring", exc_info=True)
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return keyring
