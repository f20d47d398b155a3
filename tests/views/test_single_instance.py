"""One window per database, with real processes: a second start on an open file brings the user to the
running window; command-line commands run beside it; a killed window never blocks the next start;
a window switching databases takes its lock along.

Every database lives under a folder with accents and spaces (José Muñoz/Datos de empresa).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDir, QThreadPool
from PySide6.QtNetwork import QLocalServer

from app.demo import generate_demo
from app.models.database import close_database, open_database
from app.models.window_lock import DatabaseInUseError, lock_name_of
from app.services import reps
from app.views import app as app_module
from app.views import single_instance
from app.views.first_run import UserPickerDialog
from app.views.single_instance import PING, DatabaseLock, ask_holder

ROOT = Path(__file__).resolve().parents[2]
ALREADY_OPEN = "is already open in another Postventa window, which was brought to the front"
RAISE_LOGGED = "Another start asked for this window"
START_TIMEOUT_S = 60

# Build a demo database with the command line, then remember its first rep as an earlier start
# would have, so the window opens without asking who is using it.
_PREPARE = """
import sys
from app.cli import main
from app.models.database import open_database
from app.services import reps
from app.views.app import remember_rep
assert main(["demo", "--db", sys.argv[1], "--customers", "20"]) == 0
open_database(sys.argv[1])
remember_rep(sys.argv[1], reps.list_reps()[0])
"""


class Desktop:
    """One user's machine: an isolated home and settings, the company folder, the processes started."""

    def __init__(self, root: Path):
        self.root = root
        self.folder = root / "José Muñoz" / "Datos de empresa"
        self.folder.mkdir(parents=True)
        home = root / "home"
        self.env = dict(
            os.environ,
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_STATE_HOME=str(home / "state"),
            XDG_CACHE_HOME=str(home / "cache"),
            QT_QPA_PLATFORM="offscreen",
        )
        self.env.pop("POSTVENTA_DB", None)
        self.windows: list[subprocess.Popen] = []
        self._names: set[str] = set()

    def database(self, name: str) -> Path:
        path = self.folder / name
        prepared = subprocess.run(
            [sys.executable, "-c", _PREPARE, str(path)],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
        )
        assert prepared.returncode == 0, prepared.stderr
        return path

    def postventa(self, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "app", *args],
            env=self.env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
        )

    def start_window(self, path: Path) -> subprocess.Popen:
        """A GUI process on `path`, returned once it answers on the database's lock."""
        output = self.root / f"window-{len(self.windows)}.txt"
        with output.open("w") as handle:
            window = subprocess.Popen(
                [sys.executable, "-m", "app", "--db", str(path)],
                env=self.env,
                cwd=ROOT,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        self.windows.append(window)
        name = lock_name_of(str(path))
        self._names.add(name)
        deadline = time.monotonic() + START_TIMEOUT_S
        while ask_holder(name, PING, timeout_ms=500) is not True:
            assert window.poll() is None, f"the window ended ({window.returncode}): {output.read_text()}"
            assert time.monotonic() < deadline, "the window never took the lock"
            time.sleep(0.1)
        return window

    def log(self) -> str:
        return "".join(p.read_text(encoding="utf-8") for p in self.root.rglob("postventa.log"))

    def close(self) -> None:
        for window in self.windows:
            if window.poll() is None:
                window.kill()
            window.wait(timeout=10)
        for name in self._names:  # killed windows leave their socket files behind
            QLocalServer.removeServer(name)


@pytest.fixture(scope="module")
def desktop(tmp_path_factory, qapp):
    desktop = Desktop(tmp_path_factory.mktemp("desktop"))
    try:
        yield desktop
    finally:
        desktop.close()


@pytest.fixture(scope="module")
def company(desktop):
    """The company database, open in a running window for the whole module."""
    path = desktop.database("empresa.sqlite3")
    desktop.start_window(path)
    return path


@pytest.mark.slow
@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_a_second_start_on_an_open_file_brings_the_user_to_the_running_window(desktop, company):
    (desktop.root / "atajo").symlink_to(company.parent, target_is_directory=True)
    spellings = [
        (str(company), ROOT),
        ("Datos de empresa/empresa.sqlite3", company.parent.parent),  # relative
        (str(desktop.root / "atajo" / "empresa.sqlite3"), ROOT),  # through a symlink
        (f"sqlite:///{company}", ROOT),
    ]
    raises_before = desktop.log().count(RAISE_LOGGED)
    for spelling, cwd in spellings:
        started = time.monotonic()
        second = desktop.postventa("--db", spelling, "--lang", "en", cwd=cwd)
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == f"{spelling} {ALREADY_OPEN}."
        assert time.monotonic() - started < single_instance.ANSWER_TIMEOUT_MS / 1000  # answered, no time-out
    assert all(window.poll() is None for window in desktop.windows)
    assert desktop.log().count(RAISE_LOGGED) == raises_before + len(spellings)


@pytest.mark.slow
@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_command_line_commands_run_beside_an_open_window(desktop, company):
    check = desktop.postventa("check", "--db", str(company))
    assert check.returncode == 0, check.stderr
    pdf = desktop.root / "actividad.pdf"
    report = desktop.postventa(
        "report",
        "activity",
        "--db",
        str(company),
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--out",
        str(pdf),
    )
    assert report.returncode == 0, report.stderr
    assert pdf.stat().st_size > 1000
    assert desktop.windows[0].poll() is None


@pytest.mark.slow
@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_another_database_opens_its_own_window_and_a_killed_window_never_blocks(desktop, company):
    other = desktop.database("otra empresa.sqlite3")
    second = desktop.start_window(other)  # beside the company's window
    assert ask_holder(lock_name_of(str(company)), PING) is True

    second.send_signal(signal.SIGKILL)  # kill -9: no chance to remove its socket
    second.wait(timeout=10)
    third = desktop.start_window(other)
    assert third.poll() is None
    again = desktop.postventa("--db", str(other), "--lang", "en")
    assert again.returncode == 0 and ALREADY_OPEN in again.stdout


# --- in this process: the window that is asked, switching databases, refusals ---------------------


@pytest.fixture
def application(qapp, monkeypatch):
    errors: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: errors.append(exc))
    monkeypatch.setattr(UserPickerDialog, "ask", staticmethod(lambda *a, **k: reps.list_reps()[0]))
    application = app_module.Application("en")
    application.errors = errors
    yield application
    if application.window is not None:
        application.window.dispose()
    application.reminders.stop()
    application.database_lock.release_all()
    close_database()


def _let_pages_load(qtbot) -> None:
    pool = QThreadPool.globalInstance()
    for _round in range(3):  # a page's result may start its next load
        qtbot.wait(100)
        qtbot.waitUntil(lambda: pool.activeThreadCount() == 0, timeout=START_TIMEOUT_S * 1000)


def _demo_database(path: Path) -> str:
    open_database(str(path))
    generate_demo(customers=20)
    close_database()
    return str(path)


@pytest.mark.slow
@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_the_lock_follows_a_switch_and_a_later_start_raises_the_window_from_the_tray(
    application, desktop, qtbot, tmp_path
):
    folder = tmp_path / "José Muñoz" / "Datos de empresa"
    folder.mkdir(parents=True)
    first, second = _demo_database(folder / "uno.sqlite3"), _demo_database(folder / "dos.sqlite3")
    assert application.open(first)
    _let_pages_load(qtbot)  # a result arriving for a replaced window is not what this test is about
    application._on_window_database_requested(second, False)  # File ▸ Open…
    assert application.window.context.database.target == second and not application.errors
    assert application.database_lock.holds(second) and not application.database_lock.holds(first)
    assert ask_holder(lock_name_of(first), PING, timeout_ms=200) is False  # given up: nobody there

    application.window.hide()  # closed to the tray
    with qtbot.waitSignal(application.database_lock.raise_requested, timeout=START_TIMEOUT_S * 1000):
        later = subprocess.Popen(
            [sys.executable, "-m", "app", "--db", second, "--lang", "en"],
            env=desktop.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        stdout, stderr = later.communicate(timeout=START_TIMEOUT_S)
    finally:
        later.kill()
    assert later.returncode == 0, stderr
    assert ALREADY_OPEN in stdout
    assert application.window.isVisible()


@pytest.mark.slow
@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_switching_to_a_file_open_in_another_window_is_refused(application, desktop, company, tmp_path):
    own = _demo_database(tmp_path / "propia.sqlite3")
    assert application.open(own)
    application._on_window_database_requested(str(company), False)
    [refusal] = application.errors
    assert isinstance(refusal, DatabaseInUseError) and refusal.answered and not refusal.brought_to_front
    assert application.window.context.database.target == own
    assert application.database_lock.holds(own) and not application.database_lock.holds(str(company))
    assert reps.list_reps()  # still bound to its own database


@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_a_name_left_by_a_killed_window_is_taken_over(qapp, tmp_path):
    target = str(tmp_path / "José Muñoz" / "empresa.sqlite3")
    name = lock_name_of(target)
    if sys.platform != "win32":  # a named pipe dies with its process; a Unix socket file stays
        stale = socket.socket(socket.AF_UNIX)
        stale.bind(QDir(QDir.tempPath()).filePath(name))
        stale.close()  # the file stays, nobody listens: connections are refused
    lock = DatabaseLock()
    try:
        lock.claim(target, bring_to_front=True)
        assert lock.holds(target)
    finally:
        lock.release_all()
    assert not Path(QDir(QDir.tempPath()).filePath(name)).exists()


@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_a_window_that_does_not_answer_refuses_the_start(qapp, tmp_path, monkeypatch):
    monkeypatch.setattr(single_instance, "ANSWER_TIMEOUT_MS", 200)
    errors: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: errors.append(exc))
    target = str(tmp_path / "José Muñoz" / "empresa.sqlite3")
    hung = QLocalServer()  # listens, but its (this) process never gets round to answering
    assert hung.listen(lock_name_of(target))
    try:
        assert app_module.run_gui(target, "en") == 1
    finally:
        hung.close()
    [refusal] = errors
    assert isinstance(refusal, DatabaseInUseError) and not refusal.answered
    assert "does not answer" in str(refusal)
    assert not Path(target).exists()  # nothing was opened


def test_server_databases_are_not_locked(qapp):
    lock = DatabaseLock()
    lock.claim("postgresql://rep@db.example/postventa", bring_to_front=True)  # asks nobody
    assert not lock.holds("postgresql://rep@db.example/postventa")
