"""`postventa check` on the 100k-customer demo: the quick check by default, the full one with --full.

    python benchmarks/bench_check.py [--db PATH] [--runs N] [--full]

Each run is a fresh process calling the command line's own entry point (`postventa check --db PATH`,
read-only: the file is not changed), timed from spawn to exit; then the steps of the check are
timed one by one in this process (integrity, references between tables, row counts). `--full`
also times `check --full` (SQLite's integrity_check: about 25 s at 100,000 customers, once).
Goal (issue 19): the default check ≤ 3 s. Never part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEFAULT_DB, ensure_database, median_seconds, provenance  # noqa: E402

GOAL_S = 3.0
# The compiled modules of the children, kept for this process's runs (the first run compiles them)
# and removed at its exit.
_PYCACHE_FOLDER = tempfile.TemporaryDirectory(prefix="postventa-bench-check-pycache-")


def whole_process(db_path: Path, *extra: str) -> tuple[float, str]:
    """Seconds from spawn to exit of `postventa check --db db_path *extra`, and its result line
    (a problem found, such as an older schema version, still times the whole check); stops when
    the check could not run. The child runs as an installed copy does: its modules compiled once
    and read compiled afterwards, its log in a folder of the run's own (bench_foundation._child_env)."""
    from benchmarks.bench_foundation import _child_env

    with tempfile.TemporaryDirectory(prefix="postventa-bench-check-") as folder:
        env = _child_env(Path(folder))
        env["PYTHONPYCACHEPREFIX"] = _PYCACHE_FOLDER.name  # compiled once for all the runs of this process
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "check", "--db", str(db_path), "--lang", "en", *extra],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        seconds = time.perf_counter() - started
    result = next((line for line in done.stdout.splitlines() if line.startswith("Result:")), None)
    if result is None:
        raise SystemExit(f"postventa check {' '.join(extra)} exited {done.returncode}:\n{done.stderr}")
    return seconds, result


def steps(db_path: Path, runs: int) -> list[tuple[str, float]]:
    """The check's steps timed apart (the command runs the first two side by side), on the file
    opened read-only as the command opens it."""
    from app.models.database import close_database, open_database
    from app.models.dialect import broken_references
    from app.services import health

    open_database(str(db_path), create=False, upgrade=False, read_only=True)
    try:
        problems: list[str] = []
        pieces = [
            ("quick_check", lambda: health._integrity(True, problems)),
            ("references", lambda: health._foreign_key_problems(broken_references())),
            ("row counts", lambda: health._row_counts(problems)),
        ]
        return [(name, median_seconds(call, runs)[0]) for name, call in pieces]
    finally:
        close_database()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also time check --full (once)")
    args = parser.parse_args()

    ensure_database(args.db)
    print(provenance())
    print(f"Database: {args.db}")
    _seconds, result = whole_process(args.db)  # warm the page cache
    print(f"  {result}")
    quick = statistics.median(whole_process(args.db)[0] for _run in range(args.runs))
    print(
        f"  check (quick, spawn → exit)  {quick:6.2f} s   (goal ≤ {GOAL_S:.0f} s: "
        f"{'met' if quick <= GOAL_S else 'MISSED'})"
    )
    for name, seconds in steps(args.db, args.runs):
        print(f"    {name:<26} {seconds:6.2f} s")
    if args.full:
        print(f"  check --full (spawn → exit) {whole_process(args.db, '--full')[0]:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
