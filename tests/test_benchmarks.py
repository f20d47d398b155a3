"""benchmarks/bench_engines.py still runs: on a 300-customer demo, once per figure, no timing checked.

Timing goals live in the benchmarks, never here. On PostgreSQL (POSTVENTA_TEST_ENGINE=postgresql) the
script runs on both engines, the demo loaded into a database of the test cluster through --pg-url,
and every figure must describe the same result on both: a parity check of the code paths it times.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_engines import main
from tests.postgres import test_engine

pytestmark = pytest.mark.slow  # builds a demo database and two PDFs per engine: seconds


def test_bench_engines_runs_on_a_small_demo(new_database, tmp_path, capsys):
    args = ["--customers", "300", "--runs", "1", "--db", str(tmp_path / "bench.sqlite3")]
    if test_engine() == "postgresql":
        args += ["--engine", "both", "--pg-url", new_database("bench")]
    else:
        args += ["--engine", "sqlite"]

    assert main(args) == 0

    out = capsys.readouterr().out
    for line in ("agenda: busiest rep's week", "search keystroke 'garcía'", "dashboard_summary (manager)"):
        assert line in out
    assert "activity report 2026: total" in out and "register 2026: total" in out
    assert "300 customers" in out
    assert "results differ" not in out
    assert "Commit " in out


@pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")
def test_bench_sync_runs_on_a_small_office(new_database, capsys):
    """benchmarks/bench_sync.py's four parts on a 300-customer office with two laptops in the rush,
    and its own check that no change was lost: nothing lost, nobody failed."""
    from benchmarks.bench_sync import main as bench_sync

    args = ["--customers", "300", "--laptops", "2", "--runs", "1", "--pg-url", new_database("office")]
    assert bench_sync(args) == 0

    out = capsys.readouterr().out
    assert "1. First sync of rep" in out and "init_laptop:" in out
    assert "pushed" in out and "no lost change:" in out and " 0 lost or different" in out
    assert "rush: failures / deadlocks / lost changes     0 / 0 / 0" in out
    assert "FAILED" not in out and "Commit " in out


@pytest.mark.sqlite_only("the export benchmark measures the SQLite demo file")
def test_bench_export_runs_on_a_small_demo(tmp_path, capsys):
    """benchmarks/bench_export.py on a 40-customer demo: both formats written and read back."""
    from benchmarks.bench_export import main as bench_export
    from tests.factories import demo_file

    database = demo_file(tmp_path / "bench.sqlite3")
    assert bench_export(["--db", str(database), "--lang", "en"]) == 0

    out = capsys.readouterr().out
    assert "Commit " in out and "XLSX " in out and "CSV " in out
    assert "rows exported to" in out and "read back with openpyxl:" in out
