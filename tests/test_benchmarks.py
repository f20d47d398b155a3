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


def test_the_start_up_gives_four_rows_with_their_goals():
    # Figures as run_all's _startup returns them (seconds, MiB), against the bare window's.
    startup = next(m for m in run_all.MEASURES if m.key == "startup")
    results = {
        size: {
            "startup": run_all.Figure(0.3, 0.1),
            "startup-ready": run_all.Figure(0.45, 0.1),
            "startup-wall": run_all.Figure(0.6, 0.2),
            "startup-memory": run_all.Figure(160.0, 50.0, "MiB"),
        }
        for size in (10_000, 100_000)
    }
    lines = run_all.table([10_000, 100_000], results, [startup])
    [painted] = [line for line in lines if line.startswith("start-up → painted window")]
    [ready] = [line for line in lines if line.startswith("start-up → first page on the db")]
    [wall] = [line for line in lines if line.startswith("start-up: spawn → exit")]
    [memory] = [line for line in lines if line.startswith("start-up: peak memory")]
    assert "300.0 ms" in painted and "3.0×" in painted and "≤ 2× bare: MISSED" in painted
    assert (
        "450.0 ms" in ready and "4.5×" in ready and "bare" not in ready.split("×")[-1]
    )  # no goal of its own
    assert "600.0 ms" in wall and "≤ 2.5× bare: MISSED" in wall
    assert "160 MiB" in memory and "bare Qt process 50 MiB" in memory and "≤ 150 MiB: MISSED" in memory
    results[100_000]["startup-wall"] = run_all.Figure(0.5, 0.2)
    results[100_000]["startup-memory"] = run_all.Figure(120.0, 50.0, "MiB")
    lines = run_all.table([10_000, 100_000], results, [startup])
    assert any(line.startswith("start-up: spawn → exit") and "≤ 2.5× bare: met" in line for line in lines)
    assert any(line.startswith("start-up: peak memory") and "≤ 150 MiB: met" in line for line in lines)
