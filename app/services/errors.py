"""Domain errors: every message is written for the user, in their language."""

from __future__ import annotations

from app.i18n import _


class DomainError(Exception):
    """A command refused; str(error) says what to fix."""


class ValidationError(DomainError):
    """Input that cannot be saved. `errors` maps a field name to the reason shown next to it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("\n".join(self.errors.values()))


class NotFoundError(DomainError):
    pass


class ConfirmationRequired(DomainError):
    """The command needs the user's explicit confirmation (e.g. a time in the past, a unit with a
    case open); the caller asks, then repeats it confirmed (confirm_past=True, confirm=True, …)."""


class DatabaseBusyError(DomainError):
    """Another connection kept the database's write lock longer than we wait; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Another Postventa is writing to the database right now, so nothing was saved. Please try again in a moment."
            )
        )


class ConcurrentEditError(DomainError):
    """The record changed since the edit started (its row version moved on); nothing was saved.

    `current_version` is the version the record has now: an edit repeated with it overwrites the
    other change on purpose. `current` is the record as it is now, when the command provides it
    (e.g. a CustomerDetail), so the user can see the other person's values.
    """

    def __init__(self, current_version: int, current: object | None = None):
        self.current_version = current_version
        self.current = current
        super().__init__(
            _(
                "Someone else changed this record after you opened it, so your changes were not saved. Open it again to see the current values."
            )
        )


class RightsRefusedError(DomainError):
    """The office server refused the change: the person's role does not allow it (a rep changing
    company settings, another rep's customer, the audit log, …); nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "You do not have the rights to make this change, so nothing was saved. Ask a manager to make it."
            )
        )
