"""Python's cycle collector runs on the UI thread only, while the window is up.

CPython collects reference cycles in whichever thread happens to allocate past a threshold. A pool
thread writing an export or a report would then destroy the window's Qt objects caught in cycles
(a closed dialog, a page replaced by a language change) from the wrong thread, which Qt answers
with a crash. So automatic collection is off and a timer on the UI thread collects instead, each
generation when CPython itself would have (its thresholds, checked every tick).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

TICK_MS = 500  # how often the UI thread looks at the collector's counts

_collector: UiThreadCollector | None = None


class UiThreadCollector(QObject):
    def __init__(self, parent: QObject, tick_ms: int = TICK_MS):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(tick_ms)

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold; returns the objects freed."""
        counts = gc.get_count()
        if counts[0] <= self._thresholds[0]:
            return 0
        generation = 0
        for older in (1, 2):
            if counts[older] > self._thresholds[older]:
                generation = older
        return gc.collect(generation)


def collect_on_ui_thread(application: QObject) -> UiThreadCollector:
    """Turn automatic collection off and collect from `application`'s thread (once per process)."""
    global _collector
    if _collector is None:
        _collector = UiThreadCollector(application)
        gc.disable()
    return _collector


def collect_in_any_thread() -> None:
    """Back to CPython's automatic collection (the window is gone; tests)."""
    global _collector
    if _collector is not None:
        _collector.deleteLater()
        _collector = None
    gc.enable()


def skip_collection_at_exit() -> None:
    """The window has closed and everything is written (the database closed, the settings synced):
    the interpreter's exit need not look for cycles among the few hundred thousand objects the
    process made (modules, classes, models), about 30 ms of every quit (issue 19). Frozen objects are
    still freed as usual when nothing refers to them; only the cycle search skips them."""
    gc.freeze()
