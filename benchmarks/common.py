"""What every benchmark shares: the 100k-customer demo database, the demo day and timing helpers.

Scripts run as `python benchmarks/bench_x.py`; each puts the project root on sys.path first.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from app.models import db
from app.models.database import close_database, open_database

TODAY = dt.date(2026, 11, 23)  # the demo's day: figures are comparable from run to run
DEFAULT_DB = Path(tempfile.gettempdir()) / "postventa-bench-100k.sqlite3"


def median_seconds(call, runs: int) -> tuple[float, object]:
    """The median wall time of `runs` calls, and the last result."""
    result, times = None, []
    for _run in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def ensure_database(path: Path, customers: int = 100_000) -> None:
    """Build the demo database at `path` when it is missing (about 70 s for 100,000 customers)."""
    if path.exists():
        return
    from app.demo import generate_demo

    print(f"Building the {customers:,}-customer demo database at {path} …", flush=True)
    open_database(str(path))
    generate_demo(customers=customers, seed=1, today=TODAY)
    close_database()


def captured(call) -> list[tuple[str, tuple]]:
    """The SQL statements `call` sends through peewee, in order."""
    statements: list[tuple[str, tuple]] = []
    database = db.obj
    original = database.execute_sql

    def recording(sql, params=None):
        statements.append((sql, tuple(params or ())))
        return original(sql, params)

    database.execute_sql = recording
    try:
        call()
    finally:
        del database.execute_sql
    return statements


def replay(raw: sqlite3.Connection, statements, write: bool) -> None:
    """The same statements through bare sqlite3: the baseline the services are compared with."""
    if write:
        raw.execute("BEGIN")
    for sql, params in statements:
        raw.execute(sql, [p.isoformat() if isinstance(p, dt.date) else p for p in params]).fetchall()
    if write:
        raw.execute("COMMIT")


def provenance() -> str:
    """The commit and the machine, printed beside a benchmark's figures."""
    import os
    import platform
    import subprocess

    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " + uncommitted changes"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    from PySide6 import __version__ as pyside_version

    return (
        f"Commit {commit}; {platform.platform()}, {cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"PySide6 {pyside_version}, SQLite {sqlite3.sqlite_version}"
    )
