"""benchmarks/bench_import.py still runs: on 40-row files, every case through the command line, each row
counted once (no timing checked: goals live in the benchmark)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # a dozen command-line processes: seconds


@pytest.mark.sqlite_only(
    "the import benchmark's cases run on SQLite files here; PostgreSQL needs its kept cluster"
)
def test_bench_import_runs_on_small_files(tmp_path, monkeypatch, capsys):
    import benchmarks.bench_import as bench_import

    monkeypatch.setattr(bench_import, "FOLDER", tmp_path)
    assert bench_import.main(["--rows", "40", "--engine", "sqlite"]) == 0

    out = capsys.readouterr().out
    assert "Commit " in out
    assert "SQLite CSV cp1252      import" in out and "SQLite XLSX            again" in out
    assert "SQLite sales           import" in out and "created 40 updated 0 unchanged 0 rejected 0" in out
    assert "unchanged 40 rejected 0" in out and "rejected 1" not in out
