"""Shared fixtures: each test gets a fresh database file and its own settings folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app import i18n  # noqa: E402
from app.models.database import close_database, open_database  # noqa: E402


@pytest.fixture(autouse=True)
def english():
    """Tests read messages in English unless they switch language themselves."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch):
    """QSettings and the default data folder point into a temporary folder."""
    folder = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(folder / "state"))  # the log folder
    monkeypatch.delenv("POSTVENTA_DB", raising=False)
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # pragma: no cover
        yield folder
        return
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "qsettings"))
    yield folder


@pytest.fixture(autouse=True)
def no_unexpected_modal_dialogs(monkeypatch):
    """A message box or dialog nobody expected fails the test at once instead of blocking the run.

    Tests that expect one replace the higher-level helper (show_error, confirm, ask, …).
    """
    try:
        from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
    except ImportError:  # pragma: no cover
        yield
        return

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
def database(tmp_path):
    """A fresh, empty Postventa database file bound to the models."""
    info = open_database(str(tmp_path / "test.sqlite3"))
    yield info
    _finish_background_work()
    close_database()


def _finish_background_work() -> None:
    """Let background tasks a test started end on its own database and deliver their results,
    so none runs against the next test's database."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        return
    for _round in range(3):
        QThreadPool.globalInstance().waitForDone(10000)
        QApplication.processEvents()
