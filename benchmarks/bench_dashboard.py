"""Time the dashboard's loads on the 100k-customer demo database, beside the same SQL through sqlite3.

    python benchmarks/bench_dashboard.py [DB] [--runs N]

DB defaults to /tmp/postventa-bench-100k.sqlite3 (built first when missing, about 70 s; a ready
one is often at /tmp/demo_scratch/final100k.sqlite3). The benchmark works on a temporary COPY of
DB and computes the ABC segments there first when none are stored (the at-risk and loyalty lists
look at A/B customers only). Each call is timed beside the very same SQL statements it issued
(captured from peewee's execute_sql) replayed through sqlite3: the ratio is the cost of peewee,
the services' Python and the dataclasses over bare SQL. Figures for a manager (everyone) and for
the rep with the most customers. Never part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peewee import fn

from app.models import Customer
from app.models.database import close_database, open_database
from app.models.enums import Segment
from app.services.customers import risk, value
from app.services.reporting import dashboard
from benchmarks.common import DEFAULT_DB, TODAY, captured, ensure_database, median_seconds, replay

NOW = dt.datetime(2026, 11, 23, 10, 0)


def describe(result) -> str:
    if isinstance(result, dashboard.DashboardSummary):
        compliance = result.compliance
        met = f"{compliance.met}/{compliance.measured} commitments met" if compliance else "no active charter"
        return f"  {result.follow_ups_today} today, {result.follow_ups_overdue:,} overdue; {met}"
    if isinstance(result, risk.RiskList):
        return f"  {len(result.rows):,} of {result.total:,} rows"
    if isinstance(result, dashboard.ComplianceSummary):
        return f"  {result.met}/{result.measured} met of {len(result.commitments)}"
    return ""


def rep_with_most_customers() -> int:
    return (
        Customer.select(Customer.rep)
        .where(Customer.rep.is_null(False))
        .group_by(Customer.rep)
        .order_by(fn.COUNT(Customer.id).desc(), Customer.rep)
        .limit(1)
        .scalar()
    )


def dashboard_cases(rep_id: int) -> list[tuple[str, Callable[[], object]]]:
    """The dashboard's loads (and the customers page's lists), for a manager and for `rep_id`."""
    return [
        ("dashboard_summary (manager)", lambda: dashboard.dashboard_summary(None, TODAY, NOW)),
        ("dashboard_summary (rep)", lambda: dashboard.dashboard_summary(rep_id, TODAY, NOW)),
        ("  of which charter compliance", lambda: dashboard.charter_compliance_summary(None, TODAY)),
        ("dashboard_risk top 10 (manager)", lambda: dashboard.dashboard_risk(None, TODAY)),
        ("dashboard_risk top 10 (rep)", lambda: dashboard.dashboard_risk(rep_id, TODAY)),
        ("at_risk, the whole list", lambda: risk.at_risk(TODAY)),
        ("customers page at risk (500)", lambda: risk.at_risk(TODAY, limit=500)),
        ("customers page loyalty (500)", lambda: risk.loyalty(limit=500)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ensure_database(args.db)

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "bench.sqlite3"
        shutil.copyfile(args.db, copy)
        open_database(str(copy))
        if not Customer.select().where(Customer.segment.in_([Segment.A, Segment.B])).exists():
            print("No segments stored: computing them on the copy first …", flush=True)
            value.compute_segments(TODAY)
        # The customers' stored profiles (schema 17) that are stale, stored as the first reading of the
        # at-risk list does (every customer's after an upgrade or the demo); the figures below read them.
        started = time.perf_counter()
        stored = risk.refresh_customer_profiles()
        print(f"Stored {stored:,} customers' profiles in {time.perf_counter() - started:.2f} s", flush=True)
        raw = sqlite3.connect(str(copy), isolation_level=None)
        customers = Customer.select().count()
        rep_id = rep_with_most_customers()
        cases = dashboard_cases(rep_id)
        print(
            f"Database: copy of {args.db} ({customers:,} customers), today {TODAY}, rep id {rep_id}, "
            f"median of {args.runs} runs"
        )
        for name, call in cases:
            statements = captured(call)  # also warms the cache
            service_s, result = median_seconds(call, args.runs)
            raw_s, _ = median_seconds(lambda st=statements: replay(raw, st, False), args.runs)
            print(
                f"  {name:34s} service {service_s * 1000:8.1f} ms   same SQL via sqlite3 {raw_s * 1000:8.1f} ms"
                f"   ratio {service_s / raw_s:5.2f}x   ({len(statements)} statements){describe(result)}"
            )
        raw.close()
        close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
