"""The same code paths on SQLite and on PostgreSQL, side by side, on the 100k-customer demo.

    python benchmarks/bench_engines.py [--engine sqlite|postgresql|both] [--pg-url URL] [--runs N]
                                       [--pg-rebuild] [--customers N] [--db PATH] [--year 2026]
                                       [--explain] [--pg-stop]

Each engine gets the same demo (seed 1, today 2026-11-23), built once and kept: the SQLite file
at --db (default /tmp/postventa-bench-100k.sqlite3) and, on PostgreSQL, a throw-away cluster kept
in /tmp/postventa-bench-pg, or the database at --pg-url (benchmarks/common.py; the first load
prints how long it took). Then, on each engine, the calls the other scripts time:

- a rep's busiest week in the agenda (bench_agenda.py), goal ≤ 50 ms;
- a keystroke in the customer search: the count and the first 100 rows, as the customers page
  asks (bench_foundation.py's terms);
- the dashboard's loads and the at-risk lists (bench_dashboard.py);
- the full-year activity report, figures and PDF (bench_reports.py), goal ≤ 3 s in total;
- the annual register of complaints and claims, figures and PDF.

Medians of --runs runs after one warm-up call, printed as a table: what | SQLite | PostgreSQL |
goal, with the commit and the machine. --explain prints the agenda query's plan on each engine
(EXPLAIN ANALYZE on PostgreSQL). The PostgreSQL cluster is left running for the next run;
--pg-stop stops it at the end. Server settings for one run go through libpq's PGOPTIONS, e.g.
PGOPTIONS='-c jit=off' (the table's notes show jit, shared_buffers and work_mem as measured).
Timing goals live here, never in the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.models import ALL_MODELS, Customer, FollowUp, db
from app.models.database import close_database, open_database
from app.services import followups
from app.services.customers import count_customers, search_customers
from app.services.reporting import activity
from benchmarks.bench_agenda import busiest_rep_and_week
from benchmarks.bench_dashboard import dashboard_cases, describe, rep_with_most_customers
from benchmarks.bench_foundation import SEARCH_TERMS
from benchmarks.common import (
    DEFAULT_DB,
    ENGINES,
    TODAY,
    NewFiles,
    add_engine_arguments,
    chosen_engines,
    describe_target,
    engine_targets,
    median_seconds,
    provenance,
    stop_postgresql_cluster,
)

AGENDA_GOAL_S = 0.050
REPORT_GOAL_S = 3.0
SEARCH_ROWS = 100  # the customers page's first batch
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Row:
    """One line of the table: the seconds and a short description of the result on each engine."""

    what: str
    goal_s: float | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)


@dataclass
class Measured:
    rows: dict[str, Row] = field(default_factory=dict)  # by `what`, in the order measured
    notes: dict[str, list[str]] = field(default_factory=dict)  # per engine: the data measured on
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)  # per engine: rows of each table

    def add(self, engine: str, what: str, seconds: float, result: str = "", goal_s: float | None = None):
        row = self.rows.setdefault(what, Row(what, goal_s))
        row.seconds[engine] = seconds
        row.results[engine] = result


def timed(call: Callable[[], object], runs: int) -> tuple[float, object]:
    """One warm-up call (the page cache, the server's buffers, peewee's query machinery), then the
    median of `runs` calls."""
    call()
    return median_seconds(call, runs)


def measure(engine: str, target: str, args: argparse.Namespace, out: Path, measured: Measured) -> None:
    from app.reports.activity import build_activity_report
    from app.reports.register import build_register
    from app.services.reporting.complaints_register import complaints_register

    open_database(target)
    try:
        now = dt.datetime.combine(TODAY, dt.time(9, 0))
        agenda_rep, start, end = busiest_rep_and_week(now)
        customer_rep = rep_with_most_customers()
        notes = measured.notes.setdefault(engine, [])
        measured.sizes[engine] = {model._meta.table_name: model.select().count() for model in ALL_MODELS}
        notes.append(
            f"{describe_target(target)}: {Customer.select().count():,} customers, "
            f"{FollowUp.select().count():,} follow-ups"
        )
        if engine == "postgresql":
            settings = ", ".join(
                f"{name} {db.execute_sql(f'SHOW {name}').fetchone()[0]}"
                for name in ("jit", "shared_buffers", "work_mem")
            )
            notes.append(settings)
            notes.append(f"server {db.execute_sql('SHOW server_version').fetchone()[0]}")

        def add(what, call, runs=args.runs, goal_s=None, result=str):
            seconds, value = timed(call, runs)
            measured.add(engine, what, seconds, result(value), goal_s)
            return value

        add(
            f"agenda: busiest rep's week ({start.date()})",
            lambda: followups.agenda(agenda_rep, start, end, now=now),
            runs=max(args.runs, 15),
            goal_s=AGENDA_GOAL_S,
            result=lambda rows: f"rep {agenda_rep}, {len(rows)} rows",
        )
        for term in SEARCH_TERMS:

            def keystroke(term=term):
                return count_customers(term), search_customers(term, limit=SEARCH_ROWS)

            add(
                f"search keystroke {term or '(all)'!r}",
                keystroke,
                result=lambda found: f"{found[0]:,} found, {len(found[1])} rows",
            )
        for name, call in dashboard_cases(customer_rep):
            add(name.strip().replace("  ", ""), call, result=lambda value: describe(value).strip())

        year_start, year_end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
        figures_s, data = timed(
            lambda: activity.activity_report(year_start, year_end, today=TODAY), args.runs
        )
        report_pdfs = NewFiles(out, f"activity-{engine}")
        pdf_s, _path = timed(lambda: build_activity_report(data, report_pdfs(), "es"), args.runs)
        headline = data.current
        measured.add(
            engine,
            f"activity report {args.year}: figures",
            figures_s,
            f"{headline.follow_ups_scheduled:,} follow-ups, {headline.cases_received:,} cases",
        )
        measured.add(engine, f"activity report {args.year}: PDF", pdf_s, _pages(report_pdfs.last))
        measured.add(engine, f"activity report {args.year}: total", figures_s + pdf_s, goal_s=REPORT_GOAL_S)

        register_s, register = timed(lambda: complaints_register(args.year, TODAY), args.runs)
        register_pdfs = NewFiles(out, f"register-{engine}")
        register_pdf_s, _path = timed(lambda: build_register(register, register_pdfs(), "es"), args.runs)
        measured.add(
            engine, f"register {args.year}: figures", register_s, f"{register.totals.total:,} entries"
        )
        measured.add(engine, f"register {args.year}: PDF", register_pdf_s, _pages(register_pdfs.last))
        measured.add(engine, f"register {args.year}: total", register_s + register_pdf_s)

        if args.explain:
            print(f"\n{LABELS[engine]}: the agenda query's plan")
            query = followups.agenda_query(agenda_rep, followups.ALL_STATES, None, None).where(
                (FollowUp.scheduled_at >= start) & (FollowUp.scheduled_at < end)
            )
            sql, params = query.sql()
            explain = "EXPLAIN QUERY PLAN " if engine == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
            for line in db.execute_sql(explain + sql, params).fetchall():
                print("   ", line[-1])
    finally:
        close_database()


def _load_average() -> str:
    """The machine's 1-minute load average: figures taken beside other work are slower."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):  # Windows
        return "unknown"


def _pages(pdf: Path) -> str:
    from pypdf import PdfReader

    return f"{len(PdfReader(str(pdf)).pages)} pages"


def _figure(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def _goal(row: Row) -> str:
    if row.goal_s is None:
        return ""
    missed = [LABELS[e] for e, s in row.seconds.items() if s > row.goal_s]
    verdict = ("MISSED on " + ", ".join(missed)) if missed else "met"
    return f"≤ {_figure(row.goal_s).replace('.0 ms', ' ms').replace('.00 s', ' s')}: {verdict}"


def report(measured: Measured, engines: list[str], runs: int, load: tuple[str, str]) -> None:
    print(f"\nMedian of {runs} runs after a warm-up (the agenda: of {max(runs, 15)}); today {TODAY}")
    print(f"  load average (1 min) before / after: {load[0]} / {load[1]}")
    for engine in engines:
        print(f"  {LABELS[engine]}: " + "; ".join(measured.notes.get(engine, [])))
    if len({tuple(sorted(sizes.items())) for sizes in measured.sizes.values()}) > 1:
        print(
            "  WARNING: the engines hold different data (another demo version or other changes): "
            "delete the SQLite file or pass --pg-rebuild so both are built by this code"
        )
    width = max(len(row.what) for row in measured.rows.values()) + 2
    header = f"{'what':<{width}}" + "".join(f"{LABELS[e]:>13}" for e in ENGINES) + "   goal"
    print(header)
    print("-" * len(header))
    for row in measured.rows.values():
        figures = "".join(f"{_figure(row.seconds.get(e)):>13}" for e in ENGINES)
        results = [row.results[e] for e in engines if row.results.get(e)]
        if len(set(results)) > 1:  # the engines answered differently: a parity bug, show both
            shown = f"   ← results differ: {' | '.join(results)}"
        else:
            shown = f"   ({results[0]})" if results else ""
        print(f"{row.what:<{width}}{figures}   {_goal(row)}{shown}".rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_engine_arguments(parser, default="both")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--db",
        type=Path,
        help=f"the SQLite demo file (default {DEFAULT_DB}; for another --customers, one beside it)",
    )
    parser.add_argument("--year", type=int, default=TODAY.year)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median is shown")
    parser.add_argument("--explain", action="store_true", help="print the agenda query's plan on each engine")
    parser.add_argument("--pg-stop", action="store_true", help="stop the kept PostgreSQL cluster at the end")
    args = parser.parse_args(argv)
    sqlite_db = args.db or (
        DEFAULT_DB
        if args.customers == 100_000
        else DEFAULT_DB.with_name(f"postventa-bench-{args.customers}.sqlite3")
    )

    engines = chosen_engines(args)
    targets = engine_targets(args, sqlite_db, args.customers)
    measured = Measured()
    server_version = None
    load_before = _load_average()
    with tempfile.TemporaryDirectory(prefix="postventa-bench-engines-") as folder:
        for engine in engines:
            print(f"Measuring on {LABELS[engine]} …", flush=True)
            measure(engine, targets[engine], args, Path(folder), measured)
    if "postgresql" in engines:
        server_version = measured.notes["postgresql"][-1].removeprefix("server ")
    report(measured, engines, args.runs, (load_before, _load_average()))
    print(provenance(server_version))
    if args.pg_stop:
        stop_postgresql_cluster()
    return 0


if __name__ == "__main__":
    sys.exit(main())
