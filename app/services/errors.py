"""Domain errors: every message is written for the user, in their language."""

from __future__ import annotations


class DomainError(Exception):
    """A command refused; str(error) says what to fix."""


class ValidationError(DomainError):
    """Input that cannot be saved. `errors` maps a field name to the reason shown next to it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("\n".join(self.errors.values()))


class NotFoundError(DomainError):
    pass
