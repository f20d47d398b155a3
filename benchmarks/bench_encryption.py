"""Encryption at rest, what it costs: the same work on a plain copy and an encrypted copy of a demo database.

    python benchmarks/bench_encryption.py [--db PATH] [--runs N]

PATH (default: the 10,000-customer bench database beside benchmarks/common.DEFAULT_DB, built when
missing) is never modified: it is copied (SQLite's backup API) into a temporary folder, and the copy
encrypted with a fresh key (app.models.encryption, as Preferences does). The key is known to this
process only and reaches the start-up's child processes in POSTVENTA_RECOVERY_KEY: the machine's
keyring is never written.

Measured on each copy, median of --runs runs:

    start-up      a fresh process to the first page painted on the open database (the "ready" time of
                  app.views.app.measure_startup, bench_foundation's child: the window's frame paints
                  before the file is opened, so its own time says nothing of the decryption)
    open          open_database + the first query, in this process
    agenda        the busiest rep's week (bench_agenda)
    search        search_customers("garcía", limit=100)
    year report   the activity report's figures for the demo's year

and the ratio encrypted ÷ plain against issue 18's goals (≤ 1.3× for start-up, agenda and search,
≤ 1.5× for the year report, whose scans read many pages). The plain copy's year report is also
measured through sqlcipher3 without a key ("… 3.53" below: its own SQLite, no encryption), which tells
how much of the ratio is the newer SQLite library and how much the decryption. Never part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.models import cipher, db  # noqa: E402
from app.models.backups import copy_database  # noqa: E402
from app.models.database import (  # noqa: E402
    SQLITE_CACHE_KIB,
    SQLITE_PRAGMAS,
    PostventaSqlCipherDatabase,
    close_database,
    open_database,
)
from app.models.encryption import convert_file  # noqa: E402
from benchmarks.common import DEFAULT_DB, TODAY, ensure_database, median_seconds, provenance  # noqa: E402

NOW = dt.datetime.combine(TODAY, dt.time(10, 0))
GOALS: dict[str, float | None] = {
    "start-up": 1.3,
    "open": 1.3,
    "agenda": 1.3,
    "search": 1.3,
    "year report": 1.5,
    "… 3.53": None,  # the plain file through sqlcipher3's SQLite: no goal, the library's share
}
YEAR = (dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31))


def _copies(source: Path, folder: Path) -> tuple[Path, Path, cipher.DatabaseKey]:
    plain, secret = folder / "plain.sqlite3", folder / "encrypted.sqlite3"
    print(f"Copying {source} …", flush=True)
    plain.touch(mode=0o600)
    copy_database(source, plain, verify=False)
    key = cipher.new_key()
    cipher.remember_key(key, in_keyring=False)  # this process only
    print("Encrypting the copy …", flush=True)
    convert_file(plain, secret, key)
    for path in (plain, secret):  # an older schema is upgraded now, not while measuring
        open_database(str(path), backups_folder=folder / "backups")
        close_database()
    return plain, secret, key


def _startup(path: Path, runs: int, recovery: str | None) -> list[float]:
    from benchmarks.bench_foundation import APP_CHILD, _run_child

    code = APP_CHILD.format(root=str(ROOT))
    times = []
    with tempfile.TemporaryDirectory(prefix="postventa-bench-settings-") as settings:
        if recovery:
            os.environ[cipher.RECOVERY_ENV_VAR] = recovery
        try:
            _run_child(code, [str(path)], Path(settings))  # a first, clean close
            for _run in range(runs):
                times.append(_run_child(code, [str(path)], Path(settings))["ready"])
        finally:
            os.environ.pop(cipher.RECOVERY_ENV_VAR, None)
    return times


def _open(path: Path) -> Callable[[], object]:
    from app.models import Customer

    def call() -> object:
        open_database(str(path))
        try:
            return Customer.select().limit(50).count()
        finally:
            close_database()

    return call


def _in_process(path: Path, runs: int) -> dict[str, float]:
    from app.services import followups
    from app.services.customers import search_customers
    from app.services.reporting import activity
    from benchmarks.bench_agenda import busiest_rep_and_week

    figures = {"open": median_seconds(_open(path), runs)[0]}
    open_database(str(path))
    try:
        rep_id, start, end = busiest_rep_and_week(NOW)
        calls: dict[str, Callable[[], object]] = {
            "agenda": lambda: followups.agenda(rep_id, start, end, now=NOW),
            "search": lambda: search_customers("garcía", limit=100),
            "year report": lambda: activity.activity_report(*YEAR, today=TODAY),
        }
        for name, call in calls.items():
            call()  # warm the page cache, as a window that has been open a while has it
            figures[name] = median_seconds(call, runs)[0]
    finally:
        close_database()
    return figures


def _year_report_through_sqlcipher(path: Path, runs: int) -> float:
    """The plain file's year report, its connection made by sqlcipher3 without a key (the same pragmas
    and page cache as open_database gives a plain file): SQLite 3.53 of the wheel, no decryption."""
    from app.services.reporting import activity

    pragmas = {**SQLITE_PRAGMAS, "cache_size": -SQLITE_CACHE_KIB}
    db.initialize(PostventaSqlCipherDatabase(str(path), key=None, pragmas=pragmas))  # type: ignore[arg-type]
    try:

        def call() -> object:
            return activity.activity_report(*YEAR, today=TODAY)

        call()  # warm, as the others
        return median_seconds(call, runs)[0]
    finally:
        db.close()
        db.initialize(None)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=DEFAULT_DB.with_name("postventa-bench-10k.sqlite3"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-startup", action="store_true", help="skip the fresh-process start-up")
    args = parser.parse_args()
    ensure_database(args.db, 10_000)
    print(provenance())
    sqlcipher = cipher.driver()
    version = sqlcipher.connect(":memory:").execute("PRAGMA cipher_version").fetchone()[0]
    print(
        f"SQLCipher {version} (sqlcipher3, SQLite {sqlcipher.sqlite_version}), page cache {cipher.CACHE_KIB} KiB"
    )
    with tempfile.TemporaryDirectory(prefix="postventa-bench-encryption-") as folder:
        plain, secret, key = _copies(args.db, Path(folder))
        results: dict[str, tuple[float, float]] = {}
        if not args.no_startup:
            plain_runs, secret_runs = [], []
            for _round in range(2):  # alternate halves, so a busy moment hits both sides alike
                plain_runs += _startup(plain, max(1, args.runs // 2), None)
                secret_runs += _startup(secret, max(1, args.runs // 2), cipher.recovery_key(key))
            results["start-up"] = (statistics.median(plain_runs), statistics.median(secret_runs))
        plain_figures = _in_process(plain, args.runs)
        secret_figures = _in_process(secret, args.runs)
        for name in plain_figures:
            results[name] = (plain_figures[name], secret_figures[name])
        results["… 3.53"] = (plain_figures["year report"], _year_report_through_sqlcipher(plain, args.runs))
    print(f"\n{'measure':<14}{'plain':>12}{'encrypted':>12}{'ratio':>8}{'goal':>8}  ok")
    failed = False
    for name, (plain_s, secret_s) in results.items():
        ratio = secret_s / plain_s if plain_s else float("inf")
        goal = GOALS[name]
        ok = goal is None or ratio <= goal
        failed |= not ok
        print(
            f"{name:<14}{plain_s * 1000:>10.1f}ms{secret_s * 1000:>10.1f}ms{ratio:>7.2f}×"
            + (f"{goal:>7.1f}×  {'yes' if ok else 'NO'}" if goal is not None else "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
