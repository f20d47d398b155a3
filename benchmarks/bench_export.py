"""Exporting 100,000 customers: `postventa export customers` to XLSX (and to CSV, for comparison).

    python benchmarks/bench_export.py [--db PATH] [--lang es|en]

Runs on the 100k-customer demo (benchmarks/common.py builds it at DEFAULT_DB when missing). Each
case is a fresh process running the command line's own entry point into a temporary folder; printed
per case: wall time, the process's peak memory (ru_maxrss), the rows written and the file's size.
The workbook is then opened with openpyxl in read-only mode to count its rows (not timed).
Goal (issue 17): export of 100,000 customers to XLSX ≤ 20 s. Never part of the test run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEFAULT_DB, ensure_database, provenance  # noqa: E402

GOAL_SECONDS = {"xlsx": 20.0}

# Runs in the measured process: the command line's own entry point, then its peak memory.
CHILD = """
import contextlib, io, json, resource, sys, time
sys.path.insert(0, {root!r})
from app.cli import main
started = time.perf_counter()
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
print(json.dumps({{
    "code": code,
    "seconds": time.perf_counter() - started,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "printed": out.getvalue().strip(),
}}))
"""


def measure(*argv: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"postventa {' '.join(argv)} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise SystemExit(f"postventa {' '.join(argv)} exited {result['code']}:\n{done.stderr}")
    return result


def workbook_rows(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return sum(1 for _row in book.active.iter_rows(min_row=2, values_only=True))
    finally:
        book.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"the demo database (default {DEFAULT_DB})"
    )
    parser.add_argument(
        "--lang", choices=("es", "en"), default="es", help="the export's language (default es)"
    )
    parser.add_argument(
        "--formats", nargs="+", choices=("xlsx", "csv"), default=["xlsx", "csv"], help="what to measure"
    )
    args = parser.parse_args(argv)
    ensure_database(args.db)
    print(provenance())
    print(f"database {args.db}; goal: 100,000 customers to XLSX ≤ {GOAL_SECONDS['xlsx']:.0f} s")
    with tempfile.TemporaryDirectory() as work:
        for export_format in args.formats:
            out = Path(work) / f"customers.{export_format}"
            result = measure(
                "export", "customers", "--db", str(args.db), "--format", export_format,
                "--out", str(out), "--lang", args.lang,
            )  # fmt: skip
            goal = GOAL_SECONDS.get(export_format)
            verdict = (
                "" if goal is None else ("  (goal met)" if result["seconds"] <= goal else "  (GOAL MISSED)")
            )
            print(
                f"{export_format.upper():<5} {result['seconds']:6.1f} s   peak {result['peak_mib']:5.0f} MiB   "
                f"{out.stat().st_size / 2**20:6.1f} MiB file   {result['printed']}{verdict}",
                flush=True,
            )
            if export_format == "xlsx":
                print(f"      read back with openpyxl: {workbook_rows(out):,} data rows", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
