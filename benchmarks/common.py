"""What every benchmark shares: the 100k-customer demo database, the demo day and timing helpers.

Scripts run as `python benchmarks/bench_x.py`; each puts the project root on sys.path first.

The same demo on PostgreSQL (`--engine postgresql|both`, `engine_targets`): a throw-away cluster
kept in PG_FOLDER between runs (initdb'd and loaded once, started again when it is not running),
or an existing database given with `--pg-url` (loaded when it holds no customers). The cluster is
the test suite's (tests/postgres.py: Unix socket only, fsync off, so a crash loses it) with
PostgreSQL's default memory settings, like an office server nobody has tuned. Stop it with
`stop_postgresql_cluster()` (`bench_engines.py --pg-stop`) or
`runuser -u postventa-ci -- /usr/lib/postgresql/15/bin/pg_ctl stop -D <PG_FOLDER>/data`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from app.models import db
from app.models.database import close_database, open_database

TODAY = dt.date(2026, 11, 23)  # the demo's day: figures are comparable from run to run
DEFAULT_DB = Path(tempfile.gettempdir()) / "postventa-bench-100k.sqlite3"
SEED = 1
ENGINES = ("sqlite", "postgresql")
# The benchmarks' PostgreSQL cluster, kept between runs (short: a Unix socket path has ~107 bytes).
PG_FOLDER = Path(tempfile.gettempdir()) / "postventa-bench-pg"
# Over the test cluster's settings: PostgreSQL's defaults for memory (the tests use 64 MB) and for
# connections (bench_sync.py's rush opens one per laptop: 50 by default).
PG_SETTINGS = {"shared_buffers": "128MB", "max_connections": "100"}


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
    print(f"Building the {customers:,}-customer demo database at {path} …", flush=True)
    open_database(str(path))
    try:
        _load_demo(customers)
    finally:
        close_database()


def _load_demo(customers: int) -> float:
    """The demo (seed 1, the demo's day) into the open, empty database; prints and returns the seconds."""
    from app.demo import generate_demo

    started = time.perf_counter()
    summary = generate_demo(customers=customers, seed=SEED, today=TODAY)
    elapsed = time.perf_counter() - started
    print(f"  demo loaded in {elapsed:.1f} s ({summary.total:,} rows)", flush=True)
    return elapsed


# --------------------------------------------------------------------------- engines


def add_engine_arguments(parser: argparse.ArgumentParser, default: str = "sqlite") -> None:
    """--engine sqlite|postgresql|both and --pg-url, for a script that can run on either engine."""
    parser.add_argument(
        "--engine",
        choices=(*ENGINES, "both"),
        default=default,
        help=f"which engine(s) to measure (default {default})",
    )
    parser.add_argument(
        "--pg-url",
        help="an existing PostgreSQL database (postgresql://…) to use instead of the cluster kept in "
        f"{PG_FOLDER}; the demo is loaded into it when it holds no customers",
    )
    parser.add_argument(
        "--pg-rebuild", action="store_true", help=f"load the demo into the cluster in {PG_FOLDER} again"
    )


def chosen_engines(args: argparse.Namespace) -> list[str]:
    return list(ENGINES) if args.engine == "both" else [args.engine]


def engine_targets(args: argparse.Namespace, sqlite_db: Path, customers: int = 100_000) -> dict[str, str]:
    """What open_database takes for each engine asked for, the demo built into each first if missing."""
    targets = {}
    for engine in chosen_engines(args):
        if engine == "sqlite":
            ensure_database(sqlite_db, customers)
            targets[engine] = str(sqlite_db)
        else:
            targets[engine] = ensure_postgresql_database(customers, args.pg_url, args.pg_rebuild)
    return targets


def _bench_cluster():
    """tests/postgres.py's Cluster in PG_FOLDER: initdb'd the first time, started when not running."""
    from tests.postgres import Cluster, _server_user, find_bindir

    cluster = Cluster(find_bindir(), PG_FOLDER, _server_user())
    if not (cluster.data / "PG_VERSION").exists():  # never made, or an initdb that failed half-way
        shutil.rmtree(PG_FOLDER, ignore_errors=True)
        PG_FOLDER.mkdir(parents=True)
        print(f"Creating the benchmarks' PostgreSQL cluster in {PG_FOLDER} …", flush=True)
        cluster.initdb()
    _password_logins_authenticate(cluster)
    if not cluster.is_running():
        (cluster.data / "postmaster.pid").unlink(missing_ok=True)  # left by a machine that stopped
        cluster.serve(PG_SETTINGS)
    return cluster


def _password_logins_authenticate(cluster) -> None:
    """Members of PASSWORD_LOGINS give their password (SCRAM), as tests/postgres.py's initdb says:
    a cluster kept from before that line was written gets it too (bench_sync.py's laptops log in
    with passwords), and a running one reloads its configuration."""
    from tests.postgres import PASSWORD_LOGINS

    hba = cluster.data / "pg_hba.conf"
    line = f"local all +{PASSWORD_LOGINS} scram-sha-256\n"
    text = hba.read_text()
    if line in text:
        return
    hba.write_text(line + text)  # the file keeps its owner (the server's user) and mode
    if cluster.is_running():
        cluster._run("pg_ctl", "reload", "-D", str(cluster.data))


def stop_postgresql_cluster() -> None:
    """Stop the benchmarks' cluster when it runs; its folder (and the loaded demo) stays."""
    if (PG_FOLDER / "data" / "PG_VERSION").exists():
        from tests.postgres import Cluster, _server_user, find_bindir

        cluster = Cluster(find_bindir(), PG_FOLDER, _server_user())
        if cluster.is_running():
            cluster.shut_down()
            print(f"Stopped the PostgreSQL cluster in {PG_FOLDER} (kept; the next run starts it again).")


def ensure_postgresql_database(
    customers: int = 100_000, url: str | None = None, rebuild: bool = False
) -> str:
    """A PostgreSQL database URL holding the demo (seed 1, the demo's day, `customers` customers).

    With `url`, that database, loaded when it holds no customers yet. Otherwise the database
    demo_<customers> of the cluster in PG_FOLDER, loaded once: a marker file beside the cluster
    says the load finished, so a second run reuses it (a load that did not finish is redone, and
    `rebuild` loads it again). A kept database of an older schema is upgraded in place, as
    `postventa server upgrade` does an office server's. After a load or an upgrade the database is
    vacuumed and analysed, so every run measures the settled server autovacuum leaves behind
    (not the minute after a bulk load, before it has come by).
    """
    if url:
        open_database(url, upgrade=False)
        try:
            from app.models import Customer

            if not Customer.select().exists():
                print(f"Loading the {customers:,}-customer demo into {describe_target(url)} …", flush=True)
                _load_demo(customers)
                _vacuum_analyze()
            else:
                _upgrade_schema()
        finally:
            close_database()
        return url
    cluster = _bench_cluster()
    name = f"demo_{customers}"
    marker = PG_FOLDER / f"{name}.complete"
    wanted = {"customers": customers, "seed": SEED, "today": TODAY.isoformat()}
    try:
        done = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        done = {}
    if done.get("demo") == wanted and not rebuild:
        print(
            f"PostgreSQL: reusing {name} in {PG_FOLDER} (its demo load took {done.get('load_seconds')} s)",
            flush=True,
        )
        url = cluster.url(name)
        open_database(url, upgrade=False)
        try:
            _upgrade_schema()
        finally:
            close_database()
        return url
    marker.unlink(missing_ok=True)
    print(f"Loading the {customers:,}-customer demo into {name} on PostgreSQL ({PG_FOLDER}) …", flush=True)
    cluster.drop_database(name)
    url = cluster.create_database(name)
    open_database(url)
    try:
        seconds = _load_demo(customers)
        _vacuum_analyze()
    finally:
        close_database()
    marker.write_text(json.dumps({"demo": wanted, "load_seconds": round(seconds, 1)}), encoding="utf-8")
    return url


def _upgrade_schema() -> None:
    """The open server database brought to the current schema (migrations in one transaction, as
    `postventa server upgrade` runs them; the benchmark database has no rights to re-apply)."""
    from app.models import SchemaVersion
    from app.models.migrations import LATEST_VERSION, run_migrations

    found = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar()
    if found is None or found >= LATEST_VERSION:
        _check_columns()
        return
    print(f"  upgrading its schema {found} → {LATEST_VERSION} …", flush=True)
    started = time.perf_counter()
    with db.obj.atomic():
        run_migrations(db.obj, found)
    print(f"  upgraded in {time.perf_counter() - started:.1f} s", flush=True)
    _vacuum_analyze()


def _check_columns() -> None:
    """Stop when the open server database lacks a column of the models: a kept database upgraded by
    a draft of a migration that changed before it was committed (its version says it is current)."""
    from app.models import ALL_MODELS

    found = set(
        db.execute_sql(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        ).fetchall()
    )
    missing = [
        f"{model._meta.table_name}.{column}"
        for model in ALL_MODELS
        for column in model._meta.columns
        if (model._meta.table_name, column) not in found
    ]
    if missing:
        raise SystemExit(
            f"The kept database lacks columns of the models ({', '.join(missing)}): it was upgraded by an "
            "earlier draft of a migration. Load it again with --pg-rebuild."
        )


def _vacuum_analyze() -> None:
    """VACUUM (ANALYZE) the open server database: planner statistics and the visibility map (for
    index-only scans), which autovacuum would bring a minute or so after a load."""
    started = time.perf_counter()
    db.execute_sql("VACUUM (ANALYZE)")
    print(f"  VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s", flush=True)


def describe_target(target: str) -> str:
    """A target as printed: the file, or the URL (no password: the benchmark cluster trusts the socket)."""
    from app.locations import display_target

    return display_target(target)


class NewFiles:
    """A new file name in `folder` at each call (documents never replace an existing file unless
    forced): `build(data, names())` in a timed loop, then `names.last` is the newest."""

    def __init__(self, folder: Path, stem: str, suffix: str = ".pdf") -> None:
        self.folder, self.stem, self.suffix = Path(folder), stem, suffix
        self.count = 0
        self.last = self.folder / f"{stem}{suffix}"

    def __call__(self) -> Path:
        self.count += 1
        self.last = self.folder / f"{self.stem}-{self.count}{self.suffix}"
        return self.last


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


def provenance(postgresql: str | None = None) -> str:
    """The commit and the machine, printed beside a benchmark's figures (and the server's version,
    `SHOW server_version`, when PostgreSQL was measured too)."""
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
    try:
        from PySide6 import __version__ as pyside_version
    except ImportError:  # the Qt-free test run blocks it; nothing measured here needs it
        pyside_version = "not importable"

    return (
        f"Commit {commit}; {platform.platform()}, {cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"PySide6 {pyside_version}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {postgresql}" if postgresql else "")
    )
