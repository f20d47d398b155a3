"""Background tasks: results, failures and cancelling reach the UI thread; nothing is left waiting."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication, QProgressDialog

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
    run_in_background(_slow, results.append, failures.append, label="Working", cancellable=True,
                      on_cancelled=lambda: cancelled.append(1))
    _progress_dialog(qtbot).canceled.emit()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert results == [] and failures == []
