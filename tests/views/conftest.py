"""Fixtures for the tests that use Qt: every test under tests/views/ (and only these) imports PySide6.

The root tests/conftest.py stays free of Qt, so the model, service and report tests run without it.
"""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QEvent, QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from shiboken6 import isValid


@pytest.fixture(scope="session", autouse=True)
def garbage_collected_on_the_ui_thread(qapp):
    """As in the application: no pool thread ever runs the cycle collector (app.views.garbage)."""
    from app.views import garbage

    garbage.collect_on_ui_thread(qapp)
    yield
    garbage.collect_in_any_thread()


@pytest.fixture(autouse=True)
def nothing_of_a_test_outlives_it(qapp):
    """A test's widgets, and whatever of it waits for the cycle collector, go at its end: not during
    a later test's event loop, where their timers would still fire against that test's database."""
    yield
    _finish_background_work()
    gc.collect()


@pytest.fixture(autouse=True)
def qsettings_in_the_settings_folder(isolated_settings):
    """QSettings read and write under the test's own settings folder."""
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(isolated_settings / "qsettings")
    )
    yield isolated_settings


@pytest.fixture(autouse=True)
def no_unexpected_modal_dialogs(monkeypatch):
    """A message box or dialog nobody expected fails the test at once instead of blocking the run.

    Tests that expect one replace the higher-level helper (show_error, confirm, ask, …).
    """

    def refuse(*args, **kwargs):
        texts = [a for a in args if isinstance(a, str)]
        box = args[0] if args and isinstance(args[0], QMessageBox) else None
        raise AssertionError(f"unexpected modal message box: {box.text() if box else texts}")

    for name in ("exec", "question", "information", "warning", "critical", "about"):
        monkeypatch.setattr(QMessageBox, name, refuse)

    def refuse_dialog(self, *args, **kwargs):
        raise AssertionError(f"unexpected modal dialog: {type(self).__name__} {self.windowTitle()!r}")

    monkeypatch.setattr(QDialog, "exec", refuse_dialog)
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, refuse)
    yield


@pytest.fixture(autouse=True)
def no_segment_recomputation_after_sales(monkeypatch):
    """The customers page recomputes segments a few seconds after sales; a test that wants it says so
    (otherwise the timer could fire during a later test, against that test's database)."""
    from app.views.customers import page

    monkeypatch.setattr(page, "SEGMENTS_AFTER_SALES_MS", 24 * 3600 * 1000)


@pytest.fixture
def database(database):
    """The root fixture's fresh database; background work a test started ends before it closes."""
    yield database
    _finish_background_work()


def _finish_background_work() -> None:
    """Let background tasks a test started end on its own database and deliver their results,
    so none runs against the next test's database: a window's opening work that still waits for its
    first paint starts now (it would otherwise start up to half a second later)."""
    if QApplication.instance() is None:
        return
    from app.views.main_window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and isValid(widget):
            widget.start_waiting_work()
    for _round in range(3):
        QThreadPool.globalInstance().waitForDone(10000)
        QApplication.processEvents()
    # pytest-qt closed the test's widgets with deleteLater, which outside an event loop waits for
    # the next one (the next test's); deleted now, while their database is still open.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
