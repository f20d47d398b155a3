"""benchmarks/run_all.py at a tiny size: it builds its databases, runs every measure it can here and
prints one table with a row per measure and a column per size (the timings themselves are never
asserted: goals live in the benchmarks)."""

from __future__ import annotations

import json

from benchmarks import run_all


def test_run_all_prints_one_table_with_every_measure_at_each_size(tmp_path, capsys):
    small, larger = tmp_path / "small.sqlite3", tmp_path / "larger.sqlite3"
    # Start-up needs a display and Qt (tested through bench_foundation's own child in tests/views).
    code = run_all.main(
        [
            "--sizes",
            "12,24",
            "--db",
            f"12={small}",
            "--db",
            f"24={larger}",
            "--runs",
            "1",
            "--skip",
            "startup",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert small.exists() and larger.exists()  # built, as the demo, when missing
    lines = out.splitlines()
    assert sum(line.startswith("Commit ") for line in lines) == 1  # the commit and machine, once
    header = next(line for line in lines if line.startswith("what"))
    assert "12" in header and "24" in header and "growth" in header
    measured = [m for m in run_all.MEASURES if m.key != "startup"]
    for measure in measured:
        [row] = [line for line in lines if line.startswith(measure.name)]
        assert row.count(" ms") + row.count(" s") >= 2  # a time at each size
        assert "×" in row  # the growth between them
    assert not any(line.startswith("start-up") for line in lines)
    figures = json.loads(next(line for line in lines if line.startswith("JSON "))[5:])
    assert set(figures) == {"12", "24"}
    assert set(figures["24"]) == {m.key for m in measured}
    assert figures["24"]["agenda"]["baseline"] is not None  # the same SQL through sqlite3 beside it
