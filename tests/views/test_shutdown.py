"""Quitting and rebuilding the window while pages still load: no traceback, no waiting for queries."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

from app.models.database import close_database
from app.views import app as app_module
from app.views.dashboard import page as dashboard_page
from app.views.first_run import FirstRunDialog


@pytest.fixture
def application(qapp, monkeypatch):
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: pytest.fail(f"error shown: {exc}"))
    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(lambda parent=None: None))  # start empty
    application = app_module.Application("en")
    yield application
    if application.window is not None:
        application.window.dispose()
    application.reminders.stop()
    close_database()
    app_module.apply_language("en")


def test_switching_language_while_the_dashboard_loads_prints_nothing(
    application, tmp_path, monkeypatch, qtbot, capfd
):
    gate = threading.Event()
    summary, risk = dashboard_page.dashboard_summary, dashboard_page.dashboard_risk
    monkeypatch.setattr(dashboard_page, "dashboard_summary", lambda *a: gate.wait(10) and summary(*a))
    monkeypatch.setattr(dashboard_page, "dashboard_risk", lambda *a: gate.wait(10) and risk(*a))
    application.open(str(tmp_path / "x.sqlite3"))
    old_dashboard = application.window.page("dashboard")
    # Its loads start once the window has painted; then its figures are on their way.
    qtbot.waitUntil(lambda: old_dashboard.loading, timeout=5000)

    application._on_window_language_changed("es")
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the old window is gone
    gate.set()
    QThreadPool.globalInstance().waitForDone(10000)
    new_dashboard = application.window.page("dashboard")
    qtbot.waitUntil(
        lambda: (
            new_dashboard.summary is not None and not new_dashboard.loading and not new_dashboard.risk_loading
        ),
        timeout=5000,
    )
    assert capfd.readouterr().err == ""


# Starts the app on an empty database whose dashboard runs a query that never ends by itself, and
# quits (or closes the window) as soon as that query runs.
_QUIT_WHILE_A_QUERY_RUNS = textwrap.dedent(
    """
    import sys, threading
    from PySide6.QtCore import QTimer
    from app.models import db
    from app.views import app as app_module
    from app.views.dashboard import page
    from app.views.first_run import FirstRunDialog

    ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    running = threading.Event()

    def endless(*args):
        running.set()
        return db.execute_sql(ENDLESS).fetchone()

    page.dashboard_summary = endless
    FirstRunDialog.ask = staticmethod(lambda parent=None: None)
    application = app_module.Application("en")
    application.open(sys.argv[1])

    def quit_when_running():
        if not running.is_set():
            QTimer.singleShot(10, quit_when_running)
        elif sys.argv[2] == "quit":
            application.window.quit()  # File > Quit
        else:
            application.window.close()

    QTimer.singleShot(0, quit_when_running)
    sys.exit(application.qapp.exec())
    """
)


@pytest.mark.parametrize("how", ["quit", "close"])
def test_quitting_while_a_query_runs_exits_at_once_without_a_traceback(tmp_path, how):
    finished = subprocess.run(
        [sys.executable, "-c", _QUIT_WHILE_A_QUERY_RUNS, str(tmp_path / "x.sqlite3"), how],
        capture_output=True,
        text=True,
        timeout=60,  # a ceiling against hanging: without the interrupt the process never ends
    )
    assert finished.stderr == ""
    assert finished.returncode == 0
