"""Foundation at scale: a 100,000-customer demo database, app start-up and customer search.

    python benchmarks/bench_foundation.py [--db PATH] [--reuse] [--customers N] [--runs N]

1. Builds the database with `generate_demo` (or reuses it with --reuse) and prints the time.
2. Start-up: a fresh interpreter until the main window is painted on that database, against
   a bare PySide6 QMainWindow painted the same way. Every run is its own subprocess with
   QT_QPA_PLATFORM=offscreen and throw-away settings folders; beside the time to the painted
   window, the whole process (spawn to exit, the window closed as a quit does) and its peak memory
   (the child's own maximum resident set size, read as it ends).
3. Customer search: `app.services.customers.search_customers(text, limit=100)` against the
   same query written by hand through sqlite3, median of --runs runs per term.

Timing goals live here, never in the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEFAULT_DB  # noqa: E402

# Names, an accent-free spelling of "Peña", a city, two words, a tax-id start, phone digits,
# a mail domain, and a term that matches nothing (the worst case: every row is read).
SEARCH_TERMS = ["", "garcía", "pena", "madrid", "maría josé", "b28", "612", "gmail", "zzzz"]

# --------------------------------------------------------------------------- start-up children

# Each child prints one JSON line: {"total": seconds from its first line to the painted window,
# "peak_mib": its maximum resident set size so far, ...}.
PEAK_MIB = """
def peak_mib():
    # Linux: this process's own high-water mark (VmHWM). Not getrusage's ru_maxrss, which on Linux
    # keeps the parent's size at fork across exec: a big parent would show as the child's peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource, sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere
"""

BARE_CHILD = (
    """
import time
started = time.perf_counter()
import json
"""
    + PEAK_MIB
    + """
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
window.show()
loop = QEventLoop()
QTimer.singleShot(0, loop.quit)
loop.exec()
window.repaint()
app.processEvents()
total = time.perf_counter() - started
window.close()
print(json.dumps({"total": total, "how": "bare QMainWindow", "peak_mib": peak_mib()}))
"""
)

APP_CHILD = (
    """
import time
started = time.perf_counter()
import json
import sys

sys.path.insert(0, {root!r})
db_path = sys.argv[1]
"""
    + PEAK_MIB.replace("{", "{{").replace("}", "}}")
    + """


def fallback_startup(target):
    # Used only while app.views.app.measure_startup does not exist: the same steps, spelled out.
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app import i18n
    from app.models.database import open_database
    from app.views.main_window import MainWindow
    from app.views.pages.base import AppContext

    begun = time.perf_counter()
    qapp = QApplication.instance() or QApplication([])
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    info = open_database(target)
    window = MainWindow(AppContext(database=info, current_rep=None))
    window.show()
    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)
    loop.exec()
    window.repaint()
    qapp.processEvents()
    return time.perf_counter() - begun


try:
    from app.views.app import measure_startup
    how = "app.views.app.measure_startup"
except ImportError:
    measure_startup, how = fallback_startup, "fallback in bench_foundation.py"
imported = time.perf_counter()
# To the painted window, then to its first page on the open database; then it closes the window as
# a quit does (the close is in "wall"). The fallback (and measure_startup before 2026-12) gives one
# figure: the window painted on the open database.
times = measure_startup(db_path)
painted, ready = (times.painted, times.ready) if hasattr(times, "painted") else (times, times)
before = imported - started  # the first line to measure_startup: Python's and the modules' imports
print(json.dumps({{"total": before + painted, "ready": before + ready, "inner": painted, "how": how,
                  "peak_mib": peak_mib()}}))
"""
)


def _child_env(settings_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Never read or write the user's own settings or data folder.
    env["XDG_CONFIG_HOME"] = str(settings_dir / "config")
    env["XDG_DATA_HOME"] = str(settings_dir / "data")
    env.pop("POSTVENTA_DB", None)
    # Modules compiled once and read compiled afterwards, as an installed copy does (pip compiles a
    # wheel's modules when it installs them, the bundles ship them compiled). A shell that says not
    # to write bytecode (PYTHONDONTWRITEBYTECODE) would make every start compile the app's 110
    # modules again, 0.4 s that no user waits for. The compiled files go to the run's own folder
    # (for the bare window's child too), never beside the sources.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(settings_dir / "pycache")
    return env


def _run_child(code: str, args: list[str], settings_dir: Path) -> dict:
    """One fresh interpreter; adds "wall": seconds from spawning it to its exit."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=_child_env(settings_dir),
        cwd=ROOT,
        timeout=300,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"child failed ({result.returncode}):\n{result.stderr[-3000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    measured["wall"] = wall
    return measured


def bench_startup(db_path: Path, runs: int) -> None:
    print(f"\n== Start-up to a painted main window (median of {runs} fresh processes) ==")
    with tempfile.TemporaryDirectory(prefix="postventa-bench-settings-") as folder:
        settings_dir = Path(folder)
        results: dict[str, list[dict]] = {"bare": [], "app": []}
        # A first run of each, not counted: it compiles the modules (see _child_env).
        _run_child(BARE_CHILD, [], settings_dir)
        _run_child(APP_CHILD.format(root=str(ROOT)), [str(db_path)], settings_dir)
        # Alternate, so a busy moment of the machine hits both sides alike.
        for _run in range(runs):
            results["bare"].append(_run_child(BARE_CHILD, [], settings_dir))
            results["app"].append(_run_child(APP_CHILD.format(root=str(ROOT)), [str(db_path)], settings_dir))

    def median(side: str, key: str) -> float:
        return statistics.median(r[key] for r in results[side])

    print(f"   app measured by: {results['app'][0]['how']}")
    print(f"   {'':34}{'bare Qt':>10}{'Postventa':>12}{'ratio':>8}")
    for key, bare_key, label in (
        ("total", "total", "first line → painted (in process)"),
        ("ready", "total", "… → first page on the database"),
        ("wall", "wall", "spawn → exit (whole process)"),
    ):
        bare, app = median("bare", bare_key), median("app", key)
        print(f"   {label:34}{bare:>9.3f}s{app:>11.3f}s{app / bare:>7.1f}x")
    print(f"   {'measure_startup() itself':34}{'':>10}{median('app', 'inner'):>11.3f}s")
    bare, app = median("bare", "peak_mib"), median("app", "peak_mib")
    print(f"   {'peak memory (whole process)':34}{bare:>7.0f}MiB{app:>9.0f}MiB{app / bare:>7.1f}x")


# --------------------------------------------------------------------------- search


def _timed(function: Callable[[], object], runs: int) -> tuple[float, object]:
    function()  # warm the page cache and peewee's query machinery
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench_search(db_path: Path, runs: int) -> None:
    from app.models.customers import fold_for_search
    from app.models.database import close_database, open_database

    print(f"\n== Customer search, limit 100 (median of {runs} runs) ==")
    try:
        from app.services.customers import search_customers
    except ImportError as exc:
        print(f"   skipped: app.services.customers.search_customers is not available ({exc})")
        return
    open_database(str(db_path))
    raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        print(f"   {'term':14}{'rows':>6}{'service':>11}{'raw SQL':>11}{'ratio':>8}")
        for term in SEARCH_TERMS:
            words = fold_for_search(term).split()
            # What search_customers asks for: every word somewhere in search_text, the rep's name
            # joined for the list, archived customers left out, ordered by name.
            sql = (
                "SELECT c.id, c.code, c.name, c.kind, c.tax_id, c.email, c.phone, c.city, r.name,"
                " c.segment, c.archived FROM customer c LEFT JOIN rep r ON r.id = c.rep_id"
                # The service's own condition: NOT archived (a table scan) when there are words.
                + (" WHERE NOT c.archived" if words else " WHERE c.archived = 0")
                + "".join(" AND c.search_text LIKE ?" for _word in words)
                + " ORDER BY c.name, c.id LIMIT 100"
            )
            params = [f"%{word}%" for word in words]
            service_time, service_rows = _timed(lambda term=term: search_customers(term, limit=100), runs)
            raw_time, raw_rows = _timed(
                lambda sql=sql, params=params: raw.execute(sql, params).fetchall(), runs
            )
            same = [r.id for r in service_rows] == [r[0] for r in raw_rows]
            print(
                f"   {term or '(all)':14}{len(service_rows):>6}{service_time * 1000:>9.1f}ms"
                f"{raw_time * 1000:>9.1f}ms{service_time / raw_time:>7.1f}x"
                + ("" if same else "   ← different rows!")
            )
    finally:
        raw.close()
        close_database()


# --------------------------------------------------------------------------- the database


def _customer_count(db_path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def build_database(db_path: Path, customers: int, seed: int, reuse: bool) -> None:
    from app.demo import generate_demo
    from app.models.database import close_database, open_database

    if reuse and db_path.exists():
        found = _customer_count(db_path)
        if found >= customers:
            print(f"== Reusing {db_path} ({found:,} customers) ==")
            return
        print(f"   {db_path} has {found:,} customers, fewer than {customers:,}: building it again")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    print(f"== Building {db_path}: {customers:,} customers ==")
    open_database(str(db_path))
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(
            f"\r   {done:,}/{total:,} customers, {time.perf_counter() - started:5.1f} s", end="", flush=True
        )

    try:
        summary = generate_demo(customers=customers, seed=seed, progress=progress)
    finally:
        close_database()
    elapsed = time.perf_counter() - started
    print(
        f"\n   generate_demo: {elapsed:.1f} s, {summary.total:,} rows, {db_path.stat().st_size / 2**20:,.0f} MiB"
    )
    for table, count in summary.counts().items():
        print(f"     {table:<24}{count:>12,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"database file (default {DEFAULT_DB})")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the file if it already holds the customers"
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is shown")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    args = parser.parse_args(argv)
    build_database(args.db.resolve(), args.customers, args.seed, args.reuse)
    if not args.skip_startup:
        bench_startup(args.db.resolve(), args.runs)
    if not args.skip_search:
        bench_search(args.db.resolve(), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
