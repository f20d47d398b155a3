"""The sync's own refusal, apart from the engine: the command line catches it around every command
and should not import the whole sync (and the services it uses) to do so. No Qt."""

from __future__ import annotations

from app.services.errors import DomainError


class SyncError(DomainError):
    """The sync cannot go on (no office, not a laptop database, …); the message says why."""
