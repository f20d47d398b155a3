"""benchmarks/bench_sync.py still runs: its four parts on a 300-customer office with two laptops in
the rush, and its own check that no change was lost. No timing is checked (goals live in the
benchmark)."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.slow,  # a demo office, a first sync, three days of work and a rush: a minute
    pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server"),
]


def test_bench_sync_runs_on_a_small_office_and_loses_nothing(new_database, capsys):
    from benchmarks.bench_sync import main as bench_sync

    args = ["--customers", "300", "--laptops", "2", "--runs", "1", "--pg-url", new_database("office")]
    assert bench_sync(args) == 0

    out = capsys.readouterr().out
    assert "1. First sync of rep" in out and "init_laptop:" in out
    assert "no lost change:" in out and " 0 lost or different" in out, out[-3000:]
    assert "rush: failures / deadlocks / lost changes     0 / 0 / 0" in out
    assert "Commit " in out
