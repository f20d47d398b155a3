"""Quitting while pages still load: time from the close request to the process's exit, and stderr.

    python benchmarks/bench_shutdown.py [DB] [--runs N]

DB defaults to /tmp/postventa-bench-100k.sqlite3 (built first when missing, about 70 s). Every run
is a fresh process (QT_QPA_PLATFORM=offscreen, throw-away settings folders) that starts the app on
DB as a manager (everyone's figures: the slowest loads) and, as soon as the main window is painted:

- close: closes the window (the last window: the application quits);
- quit: File ▸ Quit;
- language: switches to Spanish (the window is rebuilt while the first one's loads still run),
  then closes the new window as soon as it is painted;
- bare Qt: a QMainWindow alone, painted then closed: the floor of Python's and Qt's own teardown.

Printed per case: median and worst time from the close request to the process gone, how many pool
threads were still at work (queries running) at the close request, and in how many runs stderr was
empty. The goal is
≤ 0.5 s with nothing on stderr. Never part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEFAULT_DB, ensure_database, provenance  # noqa: E402

# Prints one JSON line at the close request: {"at": time.monotonic(), "busy": pool threads at work}.
APP_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from PySide6.QtCore import QEvent, QObject, QThreadPool, QTimer
from app.views import app as app_module
from app.views.first_run import UserPickerDialog

target, mode = sys.argv[1], sys.argv[2]
UserPickerDialog.ask = staticmethod(lambda *args, **kwargs: None)  # the manager: everyone's figures
# The day's backup at quit keeps the process (never the window) until it is written, seconds on this
# database, by design: left out here, where the teardown is measured. The one at start runs, and stops.
app_module.Application._back_up_at_quit = lambda self: None
application = app_module.Application("en")


class OnFirstPaint(QObject):
    def __init__(self, window, then):
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            QTimer.singleShot(0, then)
        return False


def request_close():
    busy = QThreadPool.globalInstance().activeThreadCount()
    print(json.dumps({{"at": time.monotonic(), "busy": busy}}), flush=True)
    if mode == "quit":
        application.window.quit()
    else:
        application.window.close()


def switch_language():
    application._on_window_language_changed("es")
    OnFirstPaint(application.window, request_close)


application.open(target)
OnFirstPaint(application.window, switch_language if mode == "language" else request_close)
sys.exit(application.qapp.exec())
"""

BARE_CHILD = """
import json, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1200, 760)


class OnFirstPaint(QObject):
    done = False

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            QTimer.singleShot(0, request_close)
        return False


def request_close():
    print(json.dumps({"at": time.monotonic(), "busy": 0}), flush=True)
    window.close()


watcher = OnFirstPaint()
window.installEventFilter(watcher)
window.show()
sys.exit(app.exec())
"""

CASES = {
    "close": ("window closed", APP_CHILD),
    "quit": ("File > Quit", APP_CHILD),
    "language": ("language switch, then closed", APP_CHILD),
    "bare": ("bare Qt window closed", BARE_CHILD),
}


def run_once(db: Path, mode: str, settings: Path) -> tuple[float, int, str, int]:
    """(seconds from close request to exit, pool threads busy then, stderr, exit code) of one process."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(settings / "config"),
        XDG_DATA_HOME=str(settings / "data"),
    )
    env.pop("POSTVENTA_DB", None)
    code = CASES[mode][1].format(root=str(ROOT)) if mode != "bare" else BARE_CHILD
    with tempfile.TemporaryFile(mode="w+") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(db), mode],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=ROOT,
            env=env,
        )
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(child.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=120)
        line = lines[0] if lines else ""
        if not line:
            child.kill()  # it never asked to close: its stderr says why
        try:
            returncode = child.wait(timeout=120)
        except subprocess.TimeoutExpired:
            child.kill()
            returncode = child.wait()
        gone = time.monotonic()
        child.stdout.close()
        stderr.seek(0)
        errors = stderr.read()
    if not line:
        raise RuntimeError(f"the app never asked to close ({returncode}):\n{errors[-3000:]}")
    request = json.loads(line)
    return gone - request["at"], request["busy"], errors, returncode


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ensure_database(args.db)
    print(provenance())
    print(f"Database: {args.db}; close request → process gone, {args.runs} fresh processes per case")
    first_errors = ""
    with tempfile.TemporaryDirectory(prefix="postventa-bench-settings-") as folder:
        for mode, (label, _code) in CASES.items():
            times, busy, clean, codes = [], [], 0, set()
            for _run in range(args.runs):
                seconds, working, errors, returncode = run_once(args.db, mode, Path(folder))
                times.append(seconds)
                busy.append(working)
                clean += not errors
                codes.add(returncode)
                first_errors = first_errors or errors
            print(
                f"  {label:30s} median {statistics.median(times) * 1000:6.0f} ms   worst {max(times) * 1000:6.0f} ms"
                f"   pool threads busy at the request {min(busy)}–{max(busy)}"
                f"   stderr empty {clean}/{args.runs}   exit code {', '.join(map(str, sorted(codes)))}"
            )
    if first_errors:
        print("First stderr seen:\n" + first_errors[-3000:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
