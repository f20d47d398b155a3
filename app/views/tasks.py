"""The one background helper: run work off the UI thread, report back on it.

`op` runs in a pool thread and must not touch widgets. Peewee gives that thread its
own connection; `op` returns plain data (dataclasses), never model instances.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.i18n import _
from app.models import db


class TaskCancelled(Exception):
    """Raised inside `op` (by TaskProgress.report) when the user pressed Cancel."""


class TaskProgress:
    """Handed to `op`: report(done, total) updates the dialog and stops a cancelled task."""

    def __init__(self, signals: _TaskSignals):
        self._signals = signals
        self._cancelled = threading.Event()

    def report(self, done: int, total: int) -> None:
        if self._cancelled.is_set():
            raise TaskCancelled()
        self._signals.progressed.emit(done, total)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


class _TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Task(QRunnable):
    def __init__(self, op: Callable[[TaskProgress], Any], signals: _TaskSignals, progress: TaskProgress):
        super().__init__()
        self._op, self._signals, self._progress = op, signals, progress

    def run(self) -> None:
        try:
            result = self._op(self._progress)
        except BaseException as exc:  # reported to the UI thread, never lost
            self._signals.failed.emit(exc)
        else:
            self._signals.succeeded.emit(result)
        finally:
            if db.obj is not None and not db.obj.is_closed():
                db.obj.close()  # this pool thread's own connection


# Signals and progress stay alive until the UI thread has delivered the result: the last reference
# must never drop in the pool thread (PySide would disconnect there while the UI thread deletes
# the progress dialog, which crashed now and then).
_running: dict[_TaskSignals, TaskProgress] = {}


def run_in_background(
    op: Callable[[TaskProgress], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None] | None = None,
    label: str | None = None,
    parent: QWidget | None = None,
    cancellable: bool = False,
    on_cancelled: Callable[[], None] | None = None,
) -> TaskProgress:
    """Run `op(progress)` in a pool thread; call on_success/on_failure on the UI thread.

    With a `label`, a progress dialog appears if the work takes longer than half a second.
    A failure without `on_failure` goes to the error dialog. A `cancellable` task stopped by the
    user calls `on_cancelled` (callers reset what they set up for the work there); a task that is
    not cancellable ignores the progress dialog being closed and runs to its end.
    """
    signals = _TaskSignals()
    progress = TaskProgress(signals)
    dialog: QProgressDialog | None = None
    if label:
        dialog = QProgressDialog(label, _("Cancel") if cancellable else "", 0, 0, parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(500)
        if not cancellable:
            dialog.setCancelButton(None)
        if cancellable:
            dialog.canceled.connect(lambda: progress.cancel())

        def _on_progress(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)

        signals.progressed.connect(_on_progress)

    def _finish() -> None:
        _running.pop(signals, None)
        if dialog is not None:
            dialog.reset()
            dialog.deleteLater()

    def _on_success(result: Any) -> None:
        _finish()
        on_success(result)

    def _on_failure(exc: BaseException) -> None:
        _finish()
        if isinstance(exc, TaskCancelled):
            if on_cancelled is not None:
                on_cancelled()
            return
        if on_failure is not None:
            on_failure(exc)
        else:
            from app.views.errors import show_error

            show_error(parent, exc)

    signals.succeeded.connect(_on_success, Qt.ConnectionType.QueuedConnection)
    signals.failed.connect(_on_failure, Qt.ConnectionType.QueuedConnection)
    _running[signals] = progress
    task = _Task(op, signals, progress)
    # Start on the next event-loop turn so callers can finish wiring up first.
    QTimer.singleShot(0, lambda: QThreadPool.globalInstance().start(task))
    return progress
