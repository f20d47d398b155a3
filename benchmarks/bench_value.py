"""Time ABC recomputation, the satisfaction KPIs and the at-risk list on the 100k-customer demo database.

    python benchmarks/bench_value.py [DB] [--runs N]

DB defaults to /tmp/postventa-bench-100k.sqlite3 (built first when missing, about 70 s; a ready
one is often at /tmp/demo_scratch/final100k.sqlite3). compute_segments writes, so the benchmark
always works on a temporary COPY of DB. Each service call is timed beside the very same SQL
statements it issued (captured from peewee's execute_sql) replayed through sqlite3: the ratio is
the cost of peewee, Python-side assembly and dataclasses over bare SQL. Never part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.models import Customer
from app.models.database import close_database, open_database
from app.services.customers import risk, value
from app.services.reporting import satisfaction
from benchmarks.common import DEFAULT_DB, TODAY, captured, ensure_database, median_seconds, replay


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
        raw = sqlite3.connect(str(copy), isolation_level=None)
        customers = Customer.select().count()
        month_start = TODAY.replace(day=1)
        year_ago = dt.date(TODAY.year - 1, TODAY.month, 1)

        def kpi_set():
            satisfaction.kpis(month_start, TODAY)
            satisfaction.kpis_per_month(year_ago, TODAY)
            satisfaction.kpis_per_rep(year_ago, TODAY)
            satisfaction.kpis_per_category(year_ago, TODAY)
            satisfaction.cause_counts(year_ago, TODAY)

        cases = [
            ("compute_segments", lambda: value.compute_segments(TODAY), True),
            ("satisfaction KPIs (5 queries)", kpi_set, False),
            ("customers_at_risk", lambda: risk.customers_at_risk(TODAY), False),
            ("loyalty_candidates", risk.loyalty_candidates, False),
        ]
        print(
            f"Database: copy of {args.db} ({customers:,} customers), today {TODAY}, median of {args.runs} runs"
        )
        for name, call, write in cases:
            statements = captured(call)  # also warms the cache
            service_s, result = median_seconds(call, args.runs)
            raw_s, _ = median_seconds(lambda st=statements, w=write: replay(raw, st, w), args.runs)
            extra = ""
            if isinstance(result, value.SegmentSummary):
                extra = "  " + ", ".join(f"{s.value}={n:,}" for s, n in result.counts.items())
            elif isinstance(result, list):
                extra = f"  {len(result):,} rows"
            print(
                f"  {name:32s} service {service_s * 1000:8.1f} ms   same SQL via sqlite3 {raw_s * 1000:8.1f} ms"
                f"   ratio {service_s / raw_s:5.2f}x   ({len(statements)} statements){extra}"
            )
        raw.close()
        close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
