"""Time the full-year activity report (and the annual register) on the 100k-customer demo database.

    python benchmarks/bench_reports.py [--db PATH] [--year 2026] [--runs N]

Builds the demo database first when PATH does not exist (about 70 s). Times the figures
(app.services.reporting.activity.activity_report) and the PDF (app.reports.activity.build_activity_report)
apart and together against the goal (≤ 3 s in total), prints the headline figures and the
slowest parts of the gathering, and times the register of complaints and claims when its
service is there. Never part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.models.database import close_database, open_database
from app.services.reporting import activity, satisfaction
from app.services.reporting.case_stats import case_statistics
from app.services.reporting.followup_stats import follow_up_statistics
from app.services.reporting.return_stats import return_statistics
from benchmarks.common import DEFAULT_DB, TODAY, NewFiles, ensure_database, median_seconds

GOAL_S = 3.0


def parts(start: dt.date, end: dt.date, runs: int) -> list[tuple[str, float]]:
    """The gathering's pieces timed one by one (one period; the report runs most of them twice)."""
    from app.services.charters import indicators as charter_indicators

    pieces = [
        ("follow-ups", lambda: follow_up_statistics(start, end, today=TODAY)),
        ("checks", lambda: activity.check_figures(start, end)),
        ("returns", lambda: return_statistics(start, end)),
        ("cases", lambda: case_statistics(start, end)),
        ("satisfaction", lambda: (satisfaction.kpis(start, end), satisfaction.kpis_per_month(start, end))),
        ("charter compliance", lambda: charter_indicators.charter_compliance(start, end, today=TODAY)),
    ]
    return [(name, median_seconds(call, runs)[0]) for name, call in pieces]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from app.reports.activity import build_activity_report

    ensure_database(args.db)
    open_database(str(args.db))
    start, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    out = NewFiles(Path(tempfile.mkdtemp()), "activity")

    activity.activity_report(start, end, today=TODAY)  # warm the page cache
    data_s, data = median_seconds(lambda: activity.activity_report(start, end, today=TODAY), args.runs)
    build_s, _path = median_seconds(lambda: build_activity_report(data, out(), "es"), args.runs)
    total = data_s + build_s
    pages = len(__import__("pypdf").PdfReader(str(out.last)).pages)

    now = data.current
    print(f"Database: {args.db}")
    print(
        f"Activity report {start} – {end} (today {TODAY}), previous period {data.previous_start} – "
        f"{data.previous_end}"
    )
    print(
        f"  follow-ups scheduled {now.follow_ups_scheduled:,}, done {now.follow_ups_done:,}, "
        f"overdue {now.follow_ups_overdue:,}"
    )
    print(f"  checks completed {now.checks_completed:,}, pass rate {now.check_pass_rate or 0:.1%}")
    print(
        f"  returns {now.returns_reported:,}, mean days to resolve {now.returns_mean_days_to_resolve or 0:.1f}, "
        f"cost {now.returns_cost:,}"
    )
    print(f"  cases {now.cases_received:,}, mean days to close {now.cases_mean_days_to_close or 0:.1f}")
    print(f"  surveys {data.satisfaction.surveys:,}, CSAT {now.csat or 0:.1f} %, NPS {now.nps or 0:+.0f}")
    print(f"  charter commitments {len(data.compliance)}, met {sum(1 for c in data.compliance if c.met)}")
    print(f"  figures (activity_report)   {data_s:6.2f} s")
    print(f"  PDF ({pages} pages)             {build_s:6.2f} s")
    print(
        f"  total                       {total:6.2f} s   (goal ≤ {GOAL_S:.0f} s: "
        f"{'met' if total <= GOAL_S else 'MISSED'}, {total / GOAL_S:.0%} of the goal)"
    )
    print("  pieces of the figures, one period each:")
    for name, seconds in parts(start, end, args.runs):
        print(f"    {name:<20} {seconds * 1000:8.1f} ms")

    try:
        from app.reports.register import build_register
        from app.services.reporting.complaints_register import complaints_register
    except ImportError:
        print("Register of complaints and claims: not there yet, skipped.")
    else:
        register_s, register = median_seconds(lambda: complaints_register(args.year, TODAY), args.runs)
        register_out = NewFiles(out.folder, "register")
        register_build_s, _path = median_seconds(
            lambda: build_register(register, register_out(), "es"), args.runs
        )
        print(
            f"Register {args.year}: figures {register_s:6.2f} s, PDF {register_build_s:6.2f} s, "
            f"total {register_s + register_build_s:6.2f} s"
        )
    close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
