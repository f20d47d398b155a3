"""The sync's refusal, in a module of its own: the command line and the window name it without
importing the sync engine and the services it brings (issue 19). No Qt."""

from __future__ import annotations

from app.services.errors import DomainError


class SyncError(DomainError):
    """The sync cannot go on (no office, not a laptop database, …); the message says why."""
