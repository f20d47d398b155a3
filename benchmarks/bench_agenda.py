"""Time one rep's week agenda on the 100k-customer demo database (≈1M follow-ups).

    python benchmarks/bench_agenda.py [--db PATH] [--runs N]

Builds the demo database first when PATH does not exist (about 70 s). Prints the service
time beside the time of the very same SQL run through sqlite3, and the goal (≤ 50 ms).
Never part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peewee import fn

from app.models import FollowUp
from app.models.database import close_database, open_database
from app.models.enums import FollowUpState
from app.services import followups
from benchmarks.common import DEFAULT_DB, TODAY, ensure_database, median_seconds

GOAL_MS = 50.0


def busiest_rep_and_week(now: dt.datetime) -> tuple[int, dt.datetime, dt.datetime]:
    monday = dt.datetime.combine(now.date() - dt.timedelta(days=now.weekday()), dt.time.min)
    sunday_night = monday + dt.timedelta(days=7)
    rep_id = (
        FollowUp.select(FollowUp.rep)
        .where((FollowUp.scheduled_at >= monday) & (FollowUp.scheduled_at < sunday_night))
        .group_by(FollowUp.rep)
        .order_by(fn.COUNT(FollowUp.id).desc(), FollowUp.rep)  # ties: the same rep on both engines
        .limit(1)
        .scalar()
    )
    return rep_id, monday, sunday_night


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    ensure_database(args.db)
    open_database(str(args.db))
    now = dt.datetime.combine(TODAY, dt.time(9, 0))
    rep_id, start, end = busiest_rep_and_week(now)
    total = FollowUp.select().count()

    # The service's own query, rendered to SQL, is the raw baseline: same plan, no Python objects.
    query = followups.agenda_query(rep_id, followups.ALL_STATES, None, None).where(
        (FollowUp.scheduled_at >= start) & (FollowUp.scheduled_at < end)
    )
    sql, params = query.sql()
    raw = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)

    followups.agenda(rep_id, start, end, now=now)  # warm the page cache for both
    service_s, rows = median_seconds(lambda: followups.agenda(rep_id, start, end, now=now), args.runs)
    raw_s, raw_rows = median_seconds(lambda: raw.execute(sql, params).fetchall(), args.runs)
    plan = " | ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params))
    raw.close()

    planned = sum(1 for r in rows if r.state is FollowUpState.PLANNED)
    print(f"Database: {args.db} ({total:,} follow-ups)")
    print(
        f"Week {start.date()} – {(end - dt.timedelta(days=1)).date()}, rep id {rep_id}: {len(rows)} rows ({planned} planned)"
    )
    print(
        f"  service agenda()   {service_s * 1000:8.1f} ms   (goal ≤ {GOAL_MS:.0f} ms: {'met' if service_s * 1000 <= GOAL_MS else 'MISSED'})"
    )
    print(f"  same SQL, sqlite3  {raw_s * 1000:8.1f} ms")
    print(f"  ratio              {service_s / raw_s:8.1f}x")
    print(f"  query plan: {plan}")
    assert len(raw_rows) == len(rows)
    close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
