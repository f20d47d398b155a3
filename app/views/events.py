"""The one change signal: emitted after every command so pages refresh what concerns them.

Only the operation helper (`app.views.operations`) emits it: a view runs its command as an
`Operation` naming the `Change` kinds it makes, and every page compares them with its `data_kinds`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from PySide6.QtCore import QObject, Signal


class Change(StrEnum):
    """A kind of data a command can change; pages compare them with what they show.

    A `StrEnum`, so a kind is also its old string ("customers") for settings, logs and older callers.
    """

    CUSTOMERS = "customers"
    SALES = "sales"
    FOLLOW_UPS = "follow_ups"
    CHECKS = "checks"
    RETURNS = "returns"
    CASES = "cases"
    SURVEYS = "surveys"
    CHARTERS = "charters"
    REPS = "reps"
    SETTINGS = "settings"
    CONFLICTS = "conflicts"  # the sync's open conflicts and refusals (a decision, a sync)


# The kinds by their short names, as views and tests import them.
CUSTOMERS = Change.CUSTOMERS
SALES = Change.SALES
FOLLOW_UPS = Change.FOLLOW_UPS
CHECKS = Change.CHECKS
RETURNS = Change.RETURNS
CASES = Change.CASES
SURVEYS = Change.SURVEYS
CHARTERS = Change.CHARTERS
REPS = Change.REPS
SETTINGS = Change.SETTINGS
CONFLICTS = Change.CONFLICTS
EVERYTHING: frozenset[Change] = frozenset(Change)


class AppEvents(QObject):
    # (kinds: frozenset[Change], initiator: object | None)
    data_changed = Signal(frozenset, object)
    # An action that can be undone ran (an app.services.undo.UndoStep): the window keeps it.
    step_done = Signal(object)


_events: AppEvents | None = None


def app_events() -> AppEvents:
    global _events
    if _events is None:
        _events = AppEvents()
    return _events


def notify_changed(kinds: Iterable[Change], initiator: object | None = None) -> None:
    """Announce what changed. Views do not call this: their `Operation` does, after its command."""
    app_events().data_changed.emit(frozenset(Change(kind) for kind in kinds), initiator)


def notify_step_done(step: object) -> None:
    """Hand an undoable action's step to the window's Edit ▸ Undo. Views do not call this: their
    `Operation` does, when its command ran through an undo recorder."""
    app_events().step_done.emit(step)
