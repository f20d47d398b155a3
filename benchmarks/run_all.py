"""Every benchmark's headline figures at two sizes of the demo, in one table: how each cost grows.

    python benchmarks/run_all.py [--sizes 10000,100000] [--db SIZE=PATH ...] [--runs N] [--skip NAME ...]

For each size the demo database (seed 1, the demo's day) is built when missing — 100,000 customers at
benchmarks/common.DEFAULT_DB, any other size beside it (postventa-bench-10k.sqlite3, …; 1,000,000
on request: `--sizes 10000,100000,1000000`, about 12 minutes to build) — or taken from `--db`.
Each figure is the median of --runs runs, measured the way its own script measures it:

    start-up            bench_foundation.py  fresh process to the painted window (measure_startup: its frame,
                                             before the database opens), then to its first page painted on
                                             the open database; bare Qt beside both; the same processes
                                             spawn to exit (the window closed as a quit does, after that
                                             page) and their peak memory (each child's own maximum RSS)
    customer search     bench_foundation.py  search_customers("garcía", limit=100); the same SQL through sqlite3
    agenda week         bench_agenda.py      the busiest rep's week; the same SQL through sqlite3
    dashboard, at risk  bench_dashboard.py   dashboard_summary / dashboard_risk for a manager; same SQL via sqlite3
    activity report     bench_reports.py     the year's figures, then its PDF
    register PDF        bench_reports.py     the year's register of complaints and claims, figures and PDF
    check               bench_check.py       `postventa check` (the quick check), spawn to exit
    demo                (here)               `postventa demo` of the size into a new file, spawn to exit, one run

The table gives each size's time, the growth from the first size to the last (time ÷ time: per-screen
work should stay near 1× while the data grows 10×), the baseline beside it at the largest size (bare
Qt window or the same SQL through sqlite3, and the ratio), and the goal of issue 19 with whether the
largest size meets it. The commit and the machine are printed first. Never part of the test run; the
smoke test (tests/test_benchmarks.py) runs it at a tiny size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    DEFAULT_DB,
    SEED,
    TODAY,
    NewFiles,
    captured,
    ensure_database,
    median_seconds,
    provenance,
    replay,
)

NOW = dt.datetime.combine(TODAY, dt.time(10, 0))
YEAR = TODAY.year


@dataclass(frozen=True)
class Figure:
    seconds: float  # or MiB, for a figure of memory (unit)
    baseline: float | None = None  # the same work without Postventa (bare Qt, raw SQL)
    unit: str = "s"  # "s" or "MiB"


@dataclass(frozen=True)
class Row:
    """A further line of the table filled by a measure's run (start-up gives three)."""

    name: str
    key: str
    goal: float | None  # seconds, or MiB for a figure of memory
    baseline_name: str


@dataclass(frozen=True)
class Measure:
    name: str
    key: str  # for --skip
    goal_s: float | None  # issue 19's goal for 100,000 customers
    baseline_name: str  # what the baseline is
    run: Callable[[Path, int], Figure | dict[str, Figure]]  # a dict: this row's and `more`'s figures
    more: tuple[Row, ...] = ()

    def rows(self) -> list[Row]:
        return [Row(self.name, self.key, self.goal_s, self.baseline_name), *self.more]


# --------------------------------------------------------------------------- the measures


def _startup(db_path: Path, runs: int) -> dict[str, Figure]:
    """Three rows from the same processes: to the painted window, spawn to exit, peak memory."""
    from benchmarks.bench_foundation import APP_CHILD, BARE_CHILD, _run_child

    with tempfile.TemporaryDirectory(prefix="postventa-bench-settings-") as folder:
        settings_dir = Path(folder)
        # A first run of each, not counted: a clean close, and the modules compiled (bench_foundation._child_env).
        _run_child(BARE_CHILD, [], settings_dir)
        _run_child(APP_CHILD.format(root=str(ROOT)), [str(db_path)], settings_dir)
        bare, app = [], []
        for _run in range(runs):  # alternate, so a busy moment of the machine hits both sides alike
            bare.append(_run_child(BARE_CHILD, [], settings_dir))
            app.append(_run_child(APP_CHILD.format(root=str(ROOT)), [str(db_path)], settings_dir))

    def figure(key: str, unit: str = "s") -> Figure:
        return Figure(statistics.median(r[key] for r in app), statistics.median(r[key] for r in bare), unit)

    return {
        "startup": figure("total"),
        "startup-ready": Figure(
            statistics.median(r["ready"] for r in app), statistics.median(r["total"] for r in bare)
        ),
        "startup-wall": figure("wall"),
        "startup-memory": figure("peak_mib", "MiB"),
    }


def _against_sql(db_path: Path, runs: int, call: Callable[[], object]) -> Figure:
    """The service call, and the very statements it sent replayed through sqlite3 (read-only)."""
    statements = captured(call)  # also warms the page cache
    service_s, _result = median_seconds(call, runs)
    raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        raw_s, _ = median_seconds(lambda: replay(raw, statements, False), runs)
    finally:
        raw.close()
    return Figure(service_s, raw_s)


def _search(db_path: Path, runs: int) -> Figure:
    from app.services.customers import search_customers

    return _against_sql(db_path, runs, lambda: search_customers("garcía", limit=100))


def _agenda(db_path: Path, runs: int) -> Figure:
    from app.services import followups
    from benchmarks.bench_agenda import busiest_rep_and_week

    rep_id, start, end = busiest_rep_and_week(NOW)
    return _against_sql(db_path, runs, lambda: followups.agenda(rep_id, start, end, now=NOW))


def _dashboard(db_path: Path, runs: int) -> Figure:
    from app.services.reporting import dashboard

    return _against_sql(db_path, runs, lambda: dashboard.dashboard_summary(None, TODAY, NOW))


def _at_risk(db_path: Path, runs: int) -> Figure:
    from app.services.reporting import dashboard

    # The first reading after changes stores the customers' profiles that changed (every one after
    # the demo or the upgrade to schema 17: seconds on 100,000); the figure is a reading after that.
    dashboard.dashboard_risk(None, TODAY)
    return _against_sql(db_path, runs, lambda: dashboard.dashboard_risk(None, TODAY))


def _activity_figures(db_path: Path, runs: int) -> Figure:
    from app.services.reporting import activity

    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    activity.activity_report(start, end, today=TODAY)  # warm the page cache
    return Figure(median_seconds(lambda: activity.activity_report(start, end, today=TODAY), runs)[0])


def _activity_pdf(db_path: Path, runs: int) -> Figure:
    from app.reports.activity import build_activity_report
    from app.services.reporting import activity

    data = activity.activity_report(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), today=TODAY)
    with tempfile.TemporaryDirectory() as folder:
        out = NewFiles(Path(folder), "activity")
        return Figure(median_seconds(lambda: build_activity_report(data, out(), "es"), runs)[0])


def _register(db_path: Path, runs: int) -> Figure:
    from app.reports.register import build_register
    from app.services.reporting.complaints_register import complaints_register

    with tempfile.TemporaryDirectory() as folder:
        out = NewFiles(Path(folder), "register")
        return Figure(
            median_seconds(lambda: build_register(complaints_register(YEAR, TODAY), out(), "es"), runs)[0]
        )


def _check(db_path: Path, runs: int) -> Figure:
    from benchmarks.bench_check import whole_process

    whole_process(db_path)  # warm the page cache
    return Figure(statistics.median(whole_process(db_path)[0] for _run in range(runs)))


def _demo(db_path: Path, runs: int) -> Figure:
    """`postventa demo` of as many customers as the measured database holds (seed 1, the demo's
    day) into a new file, spawn to exit: once, whatever --runs (a minute at 100,000 customers).
    A demo of one customer first, not counted, compiles the modules, as for the other commands
    (an installed copy has them compiled: bench_foundation._child_env)."""
    from benchmarks.bench_foundation import _child_env

    raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        (customers,) = raw.execute("SELECT COUNT(*) FROM customer").fetchone()
    finally:
        raw.close()
    with tempfile.TemporaryDirectory(prefix="postventa-bench-demo-") as folder:
        env = _child_env(Path(folder))

        def demo(name: str, count: int) -> float:
            command = [sys.executable, str(ROOT / "main.py"), "demo", "--db", str(Path(folder) / name)]
            command += [
                "--lang",
                "en",
                "--customers",
                str(count),
                "--seed",
                str(SEED),
                "--today",
                TODAY.isoformat(),
            ]
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"postventa demo exited {done.returncode}:\n{done.stderr}")
            return seconds

        demo("compiling.sqlite3", 1)
        return Figure(demo("demo.sqlite3", customers))


MEASURES = [
    Measure(
        "start-up → painted window",
        "startup",
        None,
        "bare Qt window",
        _startup,
        (
            Row("start-up → first page on the db", "startup-ready", None, "bare Qt window"),
            Row("start-up: spawn → exit", "startup-wall", None, "bare Qt process"),
            Row("start-up: peak memory", "startup-memory", 150.0, "bare Qt process"),
        ),
    ),
    Measure("customer search 'garcía'", "search", 0.010, "same SQL", _search),
    Measure("agenda, busiest rep's week", "agenda", 0.030, "same SQL", _agenda),
    Measure("dashboard summary (manager)", "dashboard", 0.3, "same SQL", _dashboard),
    Measure("at-risk top 10 (manager)", "at-risk", 0.5, "same SQL", _at_risk),
    Measure("activity report: figures", "activity", 2.0, "", _activity_figures),
    Measure("activity report: PDF", "activity-pdf", None, "", _activity_pdf),
    Measure("register PDF (figures + PDF)", "register", 3.0, "", _register),
    Measure("postventa check (quick)", "check", 3.0, "", _check),
    Measure("postventa demo (one run)", "demo", 45.0, "", _demo),
]
# Goals given as a ratio to the baseline (start-up: ≤ 2× a bare window; the whole process ≤ 2.5×).
RATIO_GOALS = {"startup": 2.0, "startup-wall": 2.5}


# --------------------------------------------------------------------------- running


def default_database(size: int) -> Path:
    if size == 100_000:
        return DEFAULT_DB
    name = (
        f"postventa-bench-{size // 1000}k.sqlite3" if size % 1000 == 0 else f"postventa-bench-{size}.sqlite3"
    )
    return DEFAULT_DB.with_name(name)


def _parse_databases(values: list[str]) -> dict[int, Path]:
    chosen = {}
    for value in values:
        size, _sep, path = value.partition("=")
        if not path or not size.isdigit():
            raise SystemExit(f"--db takes SIZE=PATH, not {value!r}")
        chosen[int(size)] = Path(path)
    return chosen


def measure_size(db_path: Path, size: int, runs: int, measures: list[Measure]) -> dict[str, Figure]:
    """Every measure on one database; each runs on the open database except the whole-process ones."""
    from app.models.database import close_database, open_database

    ensure_database(db_path, size)
    results: dict[str, Figure] = {}
    for measure in measures:
        print(f"  {size:>9,} customers: {measure.name} …", file=sys.stderr, flush=True)
        in_process = measure.key not in ("startup", "check", "demo")
        if in_process:
            open_database(str(db_path))
        try:
            figures = measure.run(db_path, runs)
            results.update(figures if isinstance(figures, dict) else {measure.key: figures})
        finally:
            if in_process:
                close_database()
    return results


def _time(seconds: float | None, unit: str = "s") -> str:
    if seconds is None:
        return "—"
    if unit == "MiB":
        return f"{seconds:.0f} MiB"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(sizes: list[int], results: dict[int, dict[str, Figure]], measures: list[Measure]) -> list[str]:
    """The printed table: one row per measure, one column per size, growth, baseline and goal."""
    last = sizes[-1]
    header = (
        f"{'what':<30}"
        + "".join(f"{f'{size:,}':>12}" for size in sizes)
        + f"{'growth':>9}   {'baseline at ' + f'{last:,}':<36}{'goal (issue 19)':<22}"
    )
    lines = [header, "-" * len(header)]
    for row in [row for measure in measures for row in measure.rows()]:
        figures = [results[size][row.key] for size in sizes]
        growth = figures[-1].seconds / figures[0].seconds if figures[0].seconds else float("nan")
        top = figures[-1]
        baseline = ""
        if top.baseline:
            baseline = (
                f"{row.baseline_name} {_time(top.baseline, top.unit)}, {top.seconds / top.baseline:.1f}×"
            )
        goal = ""
        if row.key in RATIO_GOALS and top.baseline:
            limit = RATIO_GOALS[row.key]
            goal = f"≤ {limit:g}× bare: " + ("met" if top.seconds <= limit * top.baseline else "MISSED")
        elif row.goal is not None:
            goal = f"≤ {_time(row.goal, top.unit)}: " + ("met" if top.seconds <= row.goal else "MISSED")
            if last != 100_000:
                goal += f" (goal is for 100,000; here {last:,})"
        lines.append(
            f"{row.name:<30}"
            + "".join(f"{_time(f.seconds, f.unit):>12}" for f in figures)
            + f"{growth:>8.1f}×   {baseline:<36}{goal}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,100000", help="customers, comma-separated (default 10000,100000)"
    )
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="SIZE=PATH",
        help="the database of a size (built when missing)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown")
    parser.add_argument(
        "--skip", action="append", default=[], choices=[m.key for m in MEASURES], help="leave a measure out"
    )
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(size) for size in args.sizes.split(",")})
    except ValueError:
        raise SystemExit(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}") from None
    databases = _parse_databases(args.db)
    measures = [m for m in MEASURES if m.key not in args.skip]
    started = time.perf_counter()
    results = {
        size: measure_size(databases.get(size, default_database(size)), size, args.runs, measures)
        for size in sizes
    }
    print(provenance())
    print(
        f"Demo seed 1, today {TODAY}; median of {args.runs} runs; databases: "
        + ", ".join(f"{size:,} = {databases.get(size, default_database(size))}" for size in sizes)
    )
    for line in table(sizes, results, measures):
        print(line)
    print(f"({time.perf_counter() - started:.0f} s in all)")
    json_out = {str(size): {k: vars(f) for k, f in figures.items()} for size, figures in results.items()}
    print("JSON " + json.dumps(json_out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
