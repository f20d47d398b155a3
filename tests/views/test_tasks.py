"""Background tasks: results, failures and cancelling reach the UI thread; nothing is left waiting."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget
from shiboken6 import isValid

from app.models import db
from app.views import tasks
from app.views.tasks import run_in_background


def _slow(progress) -> str:
    for step in range(30):
        progress.report(step, 30)
        time.sleep(0.02)
    return "done"


def _progress_dialog(qtbot) -> QProgressDialog:
    found: list[QProgressDialog] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
        return bool(found)

    qtbot.waitUntil(shown, timeout=3000)
    return found[0]


def test_closing_the_dialog_of_a_task_that_cannot_be_cancelled_lets_it_finish(qtbot):
    results, cancelled = [], []
    run_in_background(_slow, results.append, label="Working", on_cancelled=lambda: cancelled.append(1))
    _progress_dialog(qtbot).canceled.emit()  # the title bar's close button
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == ["done"] and cancelled == []


def test_cancelling_a_cancellable_task_tells_the_caller(qtbot):
    results, failures, cancelled = [], [], []
    run_in_background(
        _slow,
        results.append,
        failures.append,
        label="Working",
        cancellable=True,
        on_cancelled=lambda: cancelled.append(1),
    )
    _progress_dialog(qtbot).canceled.emit()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert results == [] and failures == []


class _Reached:
    """Stands for what an operation reaches: a widget in its closure, a value in its exception."""


def _watched_operation(fails: bool):
    """An operation whose TaskProgress, closure and exception each note the thread they are freed on;
    nothing else refers to them once the task is handed over."""
    died: dict[str, str] = {}
    refs: list[weakref.ref] = []  # the test keeps them: a weak reference freed first calls nothing

    def watch(name: str, thing: object) -> None:
        refs.append(weakref.ref(thing, lambda _ref: died.setdefault(name, threading.current_thread().name)))

    in_closure = _Reached()
    watch("closure", in_closure)

    def op(progress) -> str:
        watch("progress", progress)
        progress.report(1, 2)
        if in_closure is not None and fails:
            in_exception = _Reached()
            watch("exception", in_exception)
            raise ValueError(in_exception)
        return "done"

    return op, died, refs


@pytest.mark.parametrize("fails", [False, True], ids=["succeeds", "fails"])
def test_what_a_task_held_is_let_go_on_the_ui_thread(qtbot, monkeypatch, fails):
    """A pool thread never frees what a task reached. The progress dialog's Cancel is connected to the
    TaskProgress, and PySide disconnects it when that object goes: from a pool thread, while the UI
    thread deleted the dialog, that crashed the test run (an export, then its page closed)."""
    # pytest keeps the log records of a test, and a failure's record holds its exception.
    monkeypatch.setattr(tasks.diagnostics, "log_error", lambda exc, context: None)
    op, died, _refs = _watched_operation(fails)
    outcomes: list[object] = []
    owner = QWidget()
    run_in_background(op, outcomes.append, outcomes.append, label="Working", parent=owner, cancellable=True)
    del op  # the caller keeps neither the operation nor its TaskProgress
    qtbot.waitUntil(lambda: bool(outcomes), timeout=5000)
    assert isinstance(outcomes[0], ValueError) if fails else outcomes == ["done"]
    outcomes.clear()
    _settle(qtbot)  # the pool thread has let go of its runnable
    gc.collect()  # the exception's traceback holds frames in a cycle
    expected = {"closure", "progress", "exception"} if fails else {"closure", "progress"}
    assert died == dict.fromkeys(expected, threading.main_thread().name)


def _gated():
    """An op that runs until the test opens the gate, and says when it started."""
    started, gate = threading.Event(), threading.Event()

    def op(progress) -> str:
        started.set()
        gate.wait(10)
        return "late"

    return op, started, gate


def _settle(qtbot) -> None:
    QThreadPool.globalInstance().waitForDone(10000)
    qtbot.wait(20)  # queued deliveries


@pytest.mark.parametrize("label", [None, "Working"])
def test_a_task_whose_owner_is_deleted_meanwhile_delivers_nothing_and_prints_nothing(qtbot, capfd, label):
    owner = QWidget()
    op, started, gate = _gated()
    delivered: list[object] = []
    run_in_background(
        op,
        delivered.append,
        delivered.append,
        label=label,
        parent=owner,
        on_cancelled=lambda: delivered.append("cancelled"),
    )
    qtbot.waitUntil(started.is_set, timeout=5000)
    owner.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not isValid(owner)
    gate.set()
    _settle(qtbot)
    assert delivered == []
    assert capfd.readouterr().err == ""


def test_a_task_whose_owner_is_deleted_before_it_starts_never_runs(qtbot):
    owner = QWidget()
    ran: list[int] = []
    run_in_background(lambda progress: ran.append(1), ran.append, parent=owner)
    owner.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    _settle(qtbot)
    assert ran == []


def test_a_failure_after_the_owner_went_is_logged_not_shown(qtbot, caplog, monkeypatch):
    from app.views import errors

    monkeypatch.setattr(errors, "show_error", lambda parent, exc: pytest.fail("shown"))
    owner = QWidget()
    started, gate = threading.Event(), threading.Event()

    def op(progress):
        started.set()
        gate.wait(10)
        raise ValueError("broken")

    run_in_background(op, lambda result: pytest.fail("delivered"), parent=owner)
    qtbot.waitUntil(started.is_set, timeout=5000)
    owner.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gate.set()
    _settle(qtbot)
    assert any(record.exc_info and isinstance(record.exc_info[1], ValueError) for record in caplog.records)


def test_an_interrupted_query_is_a_failure_while_the_app_runs(qtbot, database):
    def op(progress):
        raise sqlite3.OperationalError("interrupted")

    failures: list[BaseException] = []
    run_in_background(op, lambda result: pytest.fail("delivered"), failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert str(failures[0]) == "interrupted"


ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def test_quitting_interrupts_running_queries_and_delivers_nothing(qtbot, database, capfd, monkeypatch):
    monkeypatch.setattr(tasks, "_stopping", threading.Event())  # the quit stays inside this test
    threads = QThreadPool.globalInstance().maxThreadCount()
    started = threading.Semaphore(0)
    ran: list[int] = []
    delivered: list[object] = []

    def endless(progress):
        started.release()
        return db.execute_sql(ENDLESS).fetchone()

    for _n in range(threads):  # every pool thread busy
        run_in_background(endless, delivered.append, delivered.append)
    for _n in range(threads):
        qtbot.waitUntil(lambda: started.acquire(blocking=False), timeout=5000)
    # This one waits in the queue.
    run_in_background(lambda progress: ran.append(1), delivered.append, delivered.append)
    qtbot.wait(20)
    # The pool goes idle: the endless queries were interrupted.
    assert tasks.stop_background_tasks(wait_ms=10000)
    qtbot.wait(20)
    assert ran == [] and delivered == []
    assert capfd.readouterr().err == ""


def test_settling_before_the_file_is_replaced_waits_for_running_tasks_and_starts_no_other(qtbot, database):
    """A restore or an encryption replaces the database file: no pool thread may hold a connection
    to it, or open one, meanwhile. Tasks running finish first; those not started never start; work
    asked for afterwards runs."""
    pool = QThreadPool.globalInstance()
    owner = QWidget()
    started, finished, late = threading.Semaphore(0), [], []

    def running(progress) -> None:
        started.release()
        db.execute_sql("SELECT 1")  # this pool thread's own connection
        time.sleep(0.3)
        finished.append(1)

    for _slot in range(pool.maxThreadCount()):
        run_in_background(running, lambda _value: None, parent=owner)
    qtbot.waitUntil(lambda: pool.activeThreadCount() == pool.maxThreadCount(), timeout=5000)
    run_in_background(lambda progress: late.append("queued in the pool"), late.append, parent=owner)
    qtbot.wait(1)  # handed to the pool, where every thread is busy
    assert len(finished) == 0
    # Asked for, not handed to the pool yet (that is at the next event-loop turn).
    run_in_background(lambda progress: late.append("asked for"), late.append, parent=owner)

    assert tasks.settle_background_tasks(5000)
    assert len(finished) == pool.maxThreadCount() and not tasks._connections
    after: list[str] = []
    run_in_background(lambda progress: "the file's own work", after.append)
    _settle(qtbot)
    assert late == [] and after == ["the file's own work"]
