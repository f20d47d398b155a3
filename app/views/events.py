"""The one change signal: emitted after every command so pages refresh what concerns them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

# Kinds of data a command can change; pages compare them with what they show.
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
EVERYTHING = frozenset(
    {CUSTOMERS, SALES, FOLLOW_UPS, CHECKS, RETURNS, CASES, SURVEYS, CHARTERS, REPS, SETTINGS}
)


class AppEvents(QObject):
    # (kinds: frozenset[str], initiator: object | None)
    data_changed = Signal(frozenset, object)


_events: AppEvents | None = None


def app_events() -> AppEvents:
    global _events
    if _events is None:
        _events = AppEvents()
    return _events


def notify_changed(kinds, initiator: object | None = None) -> None:
    app_events().data_changed.emit(frozenset(kinds), initiator)
