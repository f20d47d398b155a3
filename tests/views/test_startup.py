"""Opening the window (issue 19): the first page paints with Qt's widgets, the models and the few
services the window itself needs; what only later pages, documents, exports, the sync or undo use is
imported when they are first used, and the data comes from the background.

The window opens in a fresh interpreter, as at a real start (this process has imported everything
long ago): an import hook notes which thread imported each module first, so what the pages' tasks
import in the pool does not count against the way to the first paint. Timing lives in
benchmarks/run_all.py, never here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from app.demo import generate_demo
from app.models.database import close_database

# Never imported by the UI thread on the way to the first painted window.
DEFERRED = (
    "reportlab",  # documents (app.reports)
    "xlsxwriter",  # Export…
    "python_calamine",  # File ▸ Import…
    "keyring",  # office passwords, database keys
    "icalendar",  # the agenda's calendar export
    "holidays",  # working days: the follow-ups' placement
    "arabic_reshaper",
    "bidi",
    "PySide6.QtCharts",  # the dashboard's chart, built with its first data
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtPrintSupport",
    "app.reports",
    "app.documents",
    "app.demo",
    "app.sync.status",  # the sync indicator's and the conflicts badge's tasks
    "app.sync.engine",
    "app.services.reporting",  # the dashboard's tasks
    "app.services.customers",
    "app.services.followups",
    "app.services.exports",
    "app.services.imports",
    "app.services.undo",
    "app.services.backups",
    "playhouse.migrate",  # an up-to-date file is not migrated
    "sqlcipher3",  # a plain file is not decrypted
)

_OPEN_THE_WINDOW = textwrap.dedent(
    """
    import json
    import sys
    import threading
    import time

    imported_by_ui = {}


    def note_first_import(event, args):
        if event == "import" and args[0] not in imported_by_ui:
            imported_by_ui[args[0]] = threading.current_thread() is threading.main_thread()


    sys.addaudithook(note_first_import)

    from PySide6.QtCore import QEventLoop, QThreadPool, QTimer

    from app.models.database import close_database, open_database
    from app.views.app import apply_language, ensure_qapplication
    from app.views.main_window import MainWindow
    from app.views.pages.base import AppContext
    from app.views.tasks import stop_background_tasks

    qapp = ensure_qapplication()
    apply_language("en")
    window = MainWindow(AppContext(database=open_database(sys.argv[1]), current_rep=None))
    window.show()
    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)
    loop.exec()
    window.repaint()
    qapp.processEvents()
    on_the_way = sorted(name for name, by_ui in imported_by_ui.items() if by_ui)
    first = window.current_page()


    def settle(seconds=30.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            qapp.processEvents()
            if QThreadPool.globalInstance().waitForDone(20):
                qapp.processEvents()  # the results of the last tasks
                if QThreadPool.globalInstance().activeThreadCount() == 0:
                    return


    settle()
    dashboard = {
        "page": type(first).__name__,
        "figures": first.summary is not None and not first.loading,
        "today": first.tiles["follow_ups_today"].number.text(),
        "chart": first.chart_view is not None and first.chart_stack.currentWidget() is first.chart_view,
        "risk": not first.risk_loading,
    }
    built = {}
    for key in window.page_keys():
        page = window.show_page(key)
        settle()
        built[key] = type(page).__name__ if window.current_page() is page and page.isVisible() else None
    import gc

    automatic_collection = gc.isenabled()  # off: the UI thread collects (app.views.garbage)
    print(json.dumps({"on_the_way": on_the_way, "dashboard": dashboard, "built": built,
                      "automatic_collection": automatic_collection}))
    window.close()
    stop_background_tasks()
    close_database()
    """
)


def test_the_window_paints_without_the_later_pages_modules_and_every_page_builds_later(database, tmp_path):
    generate_demo(customers=20, seed=3)
    close_database()
    finished = subprocess.run(
        [sys.executable, "-c", _OPEN_THE_WINDOW, database.target],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])

    assert result["automatic_collection"] is False
    on_the_way = result["on_the_way"]
    early = [name for name in on_the_way if any(name == m or name.startswith(m + ".") for m in DEFERRED)]
    assert early == []
    assert "app.views.main_window" in on_the_way and "app.views.dashboard.page" in on_the_way  # it ran

    # The first page filled itself from the background: its figures, the chart and the list at risk.
    dashboard = result["dashboard"]
    assert dashboard["page"] == "DashboardPage"
    assert dashboard["figures"] and dashboard["today"] not in ("", "–")
    assert dashboard["chart"] and dashboard["risk"]

    # Every page is built when it is selected, and shown.
    assert all(result["built"].values()), result["built"]
    assert list(result["built"]) == [
        "dashboard",
        "agenda",
        "customers",
        "checks",
        "returns",
        "cases",
        "charters",
        "reports",
        "conflicts",
    ]


# The real start (`postventa` with no command), stopped once the database is open: which modules
# were imported when the window's frame painted.
_START_FROM_THE_COMMAND_LINE = textwrap.dedent(
    """
    import json
    import sys

    imported = set()
    sys.addaudithook(lambda event, args: event == "import" and imported.add(args[0]))

    from PySide6.QtCore import QTimer

    from app import cli
    from app.views import app as app_module

    seen = {}
    open_in_frame = app_module.Application._open_in_frame


    def noting_what_was_imported(self, target, *callbacks):
        seen["at_the_first_paint"] = sorted(imported)
        from app.views.first_run import FirstRunDialog

        FirstRunDialog.ask = staticmethod(lambda parent=None: None)  # an empty file: start empty
        open_in_frame(self, target, *callbacks)
        seen["attached"] = self.window.context is not None
        QTimer.singleShot(0, self.window.quit)


    app_module.Application._open_in_frame = noting_what_was_imported
    status = cli.main(["--db", sys.argv[1], "--lang", "en"])
    print(json.dumps({"status": status, **seen}))
    """
)


def test_the_real_start_paints_the_window_before_importing_the_models(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")  # the log folder
    finished = subprocess.run(
        [sys.executable, "-c", _START_FROM_THE_COMMAND_LINE, str(tmp_path / "new.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    assert result["status"] == 0 and result["attached"]
    at_paint = result["at_the_first_paint"]
    assert "app.views.main_window" in at_paint  # the frame painted
    heavy = ("peewee", "psycopg2", "sqlcipher3", "app.models.base", "app.models.database", "app.services.")
    heavy += ("app.views.errors",)  # the error dialog's module: after the paint
    # Numbers and dates are formatted once data comes; app.package_data finds the package's files
    # beside it; the database's driver comes with the database.
    heavy += ("decimal", "datetime", "importlib.resources", "sqlite3")
    early = [name for name in at_paint if any(name == m or name.startswith(m) for m in heavy)]
    assert early == []
    [log] = (tmp_path / "state").rglob("postventa.log")
    assert " window on Python " in log.read_text(encoding="utf-8")


_START_ON_A_REFUSED_FILE = textwrap.dedent(
    """
    import sys

    from app import cli
    from app.views import app as app_module

    app_module.show_error = lambda parent, exc: print("shown:", exc)  # the dialog would wait for a click
    print("status", cli.main(["--db", sys.argv[1], "--lang", "en"]))
    """
)


@pytest.mark.sqlite_only("a text file that is not an SQLite file")
def test_the_real_start_on_a_refused_file_shows_why_and_exits_with_2(tmp_path):
    letter = tmp_path / "letter.sqlite3"
    letter.write_text("not a database")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"))
    finished = subprocess.run(
        [sys.executable, "-c", _START_ON_A_REFUSED_FILE, str(letter)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    lines = finished.stdout.strip().splitlines()
    assert lines[-1] == "status 2"
    assert any(line.startswith("shown:") and "not an SQLite file" in line for line in lines)
    assert letter.read_text() == "not a database"
