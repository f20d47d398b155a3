"""The one background helper: run work off the UI thread, report back on it.

`op` runs in a pool thread and must not touch widgets. Peewee gives that thread its
own connection; `op` returns plain data (dataclasses), never model instances.

A task belongs to its `parent`: once that widget is deleted (a page of a window closed or rebuilt
for another language), the result is dropped quietly. When the application quits, tasks not yet
started never start, running queries are interrupted and nothing more is delivered, so the
process leaves at once instead of waiting for results nobody will read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from app import diagnostics
from app.i18n import _
from app.models import db

SHUTDOWN_WAIT_MS = 300  # at most this long at quit for interrupted tasks to end
SETTLE_WAIT_MS = 30_000  # at most this long for running tasks to end before the file is replaced


class TaskCancelled(Exception):
    """Raised inside `op` (by TaskProgress.report) when the user pressed Cancel or the app quits."""


class TaskProgress:
    """Handed to `op`: report(done, total) updates the dialog and stops a cancelled task."""

    def __init__(self, task_id: int):
        self._task_id = task_id
        self._cancelled = threading.Event()

    def report(self, done: int, total: int) -> None:
        if self._cancelled.is_set() or _stopping.is_set():
            raise TaskCancelled()
        assert _reporter is not None  # made by run_in_background before any task starts
        _reporter.progressed.emit(self._task_id, done, total)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


class _Reporter(QObject):
    """Pool threads report through this one object, made on the UI thread and kept for the whole run.

    No task has a Qt object of its own. A pool thread lets go of everything it held for a task (the
    operation, its TaskProgress, the outcome) before the UI thread hears of the end, so whatever the
    task reached is freed on the UI thread: the operation's closure may reach widgets, the progress
    dialog's Cancel is connected to the TaskProgress (PySide disconnects it when that object goes,
    which from a pool thread raced with the dialog's deletion and crashed), and an exception's
    traceback holds the operation's frames.
    """

    finished = Signal(int)  # task id; its outcome waits in _outcomes
    progressed = Signal(int, int, int)  # task id, done, total


@dataclass
class _Pending:
    """What the UI thread keeps of a task until it ends: where its outcome goes."""

    owner: QWidget | None
    on_success: Callable[[Any], None]
    on_failure: Callable[[BaseException], None] | None
    on_cancelled: Callable[[], None] | None
    dialog: QProgressDialog | None
    name: str  # the operation's qualified name, for the log
    # Kept until the task ends and let go on this thread (see _Reporter).
    op: Callable[[TaskProgress], Any]
    progress: TaskProgress

    def owner_gone(self) -> bool:
        return self.owner is not None and not isValid(self.owner)


_reporter: _Reporter | None = None
_pending: dict[int, _Pending] = {}  # UI thread only
_task_ids = count(1)
_last_task_id = 0  # the newest task's id
_settled_up_to = 0  # tasks up to this id never start (settle_background_tasks)
_stopping = threading.Event()  # set once, when the application quits
# The pool threads' open database connections, so that quitting can interrupt their queries. The lock
# also keeps a connection from being closed while another thread interrupts it (SQLite forbids that).
_connections: set[Any] = set()
_connections_lock = threading.Lock()
# Each ended task's outcome, (succeeded, the result or the exception), from its pool thread to the UI
# thread, which takes it out (_on_finished; stop_background_tasks for those ending at a quit).
_outcomes: dict[int, tuple[bool, Any]] = {}
_outcomes_lock = threading.Lock()


def _ensure_reporter() -> _Reporter:
    global _reporter
    if _reporter is None:
        _reporter = _Reporter()
        _reporter.finished.connect(_on_finished, Qt.ConnectionType.QueuedConnection)
        _reporter.progressed.connect(_on_progressed, Qt.ConnectionType.QueuedConnection)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop_background_tasks)
    return _reporter


class _Task(QRunnable):
    """The pool's part of a task. The UI thread's `_Pending` holds the operation and its progress as
    well, and lets them go last (see _Reporter)."""

    def __init__(self, task_id: int, op: Callable[[TaskProgress], Any], progress: TaskProgress):
        super().__init__()
        self._task_id = task_id
        self._op: Callable[[TaskProgress], Any] | None = op
        self._progress: TaskProgress | None = progress

    def run(self) -> None:
        # This thread's references go before the UI thread hears the end.
        op, self._op = self._op, None
        progress, self._progress = self._progress, None
        if _stopping.is_set() or op is None or progress is None:
            return
        database = db.obj
        connection = None
        try:
            if database is not None:
                # This pool thread's own connection, opened now so that quitting can interrupt it.
                connection = database.connection()
                with _connections_lock:
                    _connections.add(connection)
            outcome = (True, op(progress))
        except BaseException as exc:  # noqa: BLE001 (reported to the UI thread, never lost)
            outcome = (False, exc)
        finally:
            del op, progress
            with _connections_lock:
                _connections.discard(connection)
                for opened in (database, db.obj):  # db.obj differs if another database was opened meanwhile
                    if opened is not None and not opened.is_closed():
                        opened.close()  # this pool thread's own connection
        with _outcomes_lock:
            _outcomes[self._task_id] = outcome
        del outcome
        # Quitting: nobody reads results any more, and a query interrupted for that is no error.
        if not _stopping.is_set():
            assert _reporter is not None  # made by run_in_background before any task starts
            _reporter.finished.emit(self._task_id)


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
    `parent` owns the task: once it is deleted, none of the callbacks is called.
    """
    global _last_task_id
    _ensure_reporter()
    task_id = _last_task_id = next(_task_ids)
    progress = TaskProgress(task_id)
    dialog: QProgressDialog | None = None
    if label:
        dialog = QProgressDialog(label, _("Cancel") if cancellable else "", 0, 0, parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(500)
        if not cancellable:
            dialog.setCancelButton(None)
        if cancellable:
            dialog.canceled.connect(progress.cancel)
    name = getattr(op, "__qualname__", type(op).__name__)
    _pending[task_id] = _Pending(parent, on_success, on_failure, on_cancelled, dialog, name, op, progress)
    task = _Task(task_id, op, progress)
    # Start on the next event-loop turn so callers can finish wiring up first.
    QTimer.singleShot(0, lambda: _start(task_id, task))
    return progress


def _start(task_id: int, task: _Task) -> None:
    pending = _pending.get(task_id)
    if pending is None or _stopping.is_set():
        return
    if pending.owner_gone() or task_id <= _settled_up_to:
        _drop(task_id)
        return
    QThreadPool.globalInstance().start(task)


def _drop(task_id: int) -> _Pending | None:
    """Forget a task; its progress dialog goes."""
    pending = _pending.pop(task_id, None)
    if pending is not None and pending.dialog is not None and isValid(pending.dialog):
        pending.dialog.reset()
        pending.dialog.deleteLater()
    return pending


def _on_progressed(task_id: int, done: int, total: int) -> None:
    pending = _pending.get(task_id)
    if pending is not None and pending.dialog is not None and isValid(pending.dialog):
        pending.dialog.setMaximum(total)
        pending.dialog.setValue(done)


def _on_finished(task_id: int) -> None:
    with _outcomes_lock:
        outcome = _outcomes.pop(task_id, None)  # None: a quit let it go already
    pending = _drop(task_id)
    if outcome is None or pending is None or _stopping.is_set():
        return
    succeeded, value = outcome
    if not succeeded and not isinstance(value, TaskCancelled):  # every failure on record, ids only
        diagnostics.log_error(value, f"Background task {pending.name}")
    if pending.owner_gone():  # the page went meanwhile: its widgets are deleted
        return
    if succeeded:
        pending.on_success(value)
    elif isinstance(value, TaskCancelled):
        if pending.on_cancelled is not None:
            pending.on_cancelled()
    elif pending.on_failure is not None:
        pending.on_failure(value)
    else:
        from app.views.errors import show_error

        show_error(pending.owner, value)


def settle_background_tasks(wait_ms: int = SETTLE_WAIT_MS) -> bool:
    """Before the database file is replaced (a restore, encrypting or decrypting it), once the window
    that started the pool's work is gone: tasks not started yet never start, and those running are
    waited for, so that no pool thread holds a connection to the file, or opens one, while it is
    replaced (its write-ahead log would meet the new file). Returns whether the pool went idle.
    Tasks asked for afterwards (the work on the file itself) run as usual."""
    global _settled_up_to
    _settled_up_to = _last_task_id  # those still waiting for their first event-loop turn
    pool = QThreadPool.globalInstance()
    pool.clear()  # those waiting for a pool thread; their outcome was for the window that went
    return pool.waitForDone(wait_ms)


def stop_background_tasks(wait_ms: int = SHUTDOWN_WAIT_MS) -> bool:
    """The application quits: deliver nothing more, start nothing more, interrupt what runs.

    Connected to QCoreApplication.aboutToQuit. Queries are interrupted again every few milliseconds
    while waiting, so one that a task starts after an interrupt stops as well; tasks that report
    progress stop at their next report. Returns whether every pool thread is idle within `wait_ms`
    (Qt waits for the rest when the application object goes).
    """
    _stopping.set()
    pool = QThreadPool.globalInstance()
    pool.clear()
    deadline = time.monotonic() + wait_ms / 1000
    while True:
        _interrupt_queries()
        idle = pool.waitForDone(10)
        if idle or time.monotonic() >= deadline:
            break
    with _outcomes_lock:
        _outcomes.clear()  # undelivered outcomes, let go here on the UI thread (see _Reporter)
    return idle


def _interrupt_queries() -> None:
    with _connections_lock:
        for connection in _connections:
            # sqlite3.Connection.interrupt; a server driver's equivalent (psycopg) is cancel.
            interrupt = getattr(connection, "interrupt", None) or getattr(connection, "cancel", None)
            if interrupt is not None:
                interrupt()
