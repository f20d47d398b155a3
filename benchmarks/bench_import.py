"""Importing 100,000 customers: a cp1252 CSV (`;`, CRLF, title rows) and an XLSX, dry run and import.

    python benchmarks/bench_import.py [--rows N]

The files are generated once into the temporary folder (kept for later runs): Spanish names with
accents, valid NIFs, phones, e-mails, postcodes with leading zeros, an amount column the import
ignores. Every case is a fresh process running `postventa import customers … --json` on an SQLite
database: the dry run and the import into a new database, then the same file imported again into the
database it filled (every row unchanged). Printed per case: wall time, the process's peak memory
(ru_maxrss) and the counts. Goals (issue 17): dry run and import ≤ 30 s each, memory ≤ 300 MiB.
Never part of the test run.
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

from benchmarks.common import provenance  # noqa: E402

FOLDER = Path(tempfile.gettempdir())
_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_NAMES = ("Peña", "Núñez", "Ibáñez", "García", "Muñoz", "López", "Sánchez", "Álvarez", "Gómez", "Martín")
_CITIES = (("28013", "Madrid"), ("08001", "Barcelona"), ("26001", "Logroño"), ("01001", "Vitoria-Gasteiz"))
HEADER = ["Código", "Razón social", "NIF", "Teléfono", "E-mail", "C.P.", "Población", "Saldo"]

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
    "summary": json.loads(out.getvalue() or "null"),
}}))
"""


def _row(i: int) -> list[object]:
    number = 10_000_000 + i
    postcode, city = _CITIES[i % len(_CITIES)]
    name = f"{_NAMES[i % len(_NAMES)]} {_NAMES[(i // 10) % len(_NAMES)]}, S.L. nº {i}"
    return [
        f"{i:06d}",
        name,
        f"{number}{_LETTERS[number % 23]}",
        600_000_000 + i,
        f"c{i}@example.com",
        postcode,
        city,
    ]


def make_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write("Listado de clientes\r\nExportado el 23/11/2026\r\n\r\n" + ";".join(HEADER) + "\r\n")
        for i in range(rows):
            out.write(";".join(str(cell) for cell in _row(i)) + ";1.234,50\r\n")


def make_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Clientes")
    sheet.append(["Listado de clientes"])
    sheet.append([])
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([*_row(i), 1234.5])  # the phone a number cell, as spreadsheets keep them
    book.save(path)


def measure(*argv: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"postventa {' '.join(argv)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per file (default 100,000)")
    args = parser.parse_args(argv)
    files = {
        "CSV cp1252": (FOLDER / f"postventa-bench-import-{args.rows}.csv", make_csv),
        "XLSX": (FOLDER / f"postventa-bench-import-{args.rows}.xlsx", make_xlsx),
    }
    print(provenance())
    print(f"{args.rows:,} customer rows per file; goals: dry run and import ≤ 30 s each, memory ≤ 300 MiB")
    with tempfile.TemporaryDirectory() as work:
        for label, (path, make) in files.items():
            if not path.exists():
                print(f"  writing {path} …", flush=True)
                make(path, args.rows)
            for case in ("dry run", "import", "again"):
                database = Path(work) / f"{path.suffix[1:]}.sqlite3"
                if case == "dry run":
                    database = Path(work) / f"{path.suffix[1:]}-dry.sqlite3"
                extra = ["--dry-run"] if case == "dry run" else []
                result = measure("import", "customers", str(path), "--db", str(database), "--json", *extra)
                summary = result["summary"]
                print(
                    f"{label:<11} {case:<8} {result['seconds']:6.1f} s   peak {result['peak_mib']:5.0f} MiB   "
                    f"created {summary['created']:,} updated {summary['updated']:,} "
                    f"unchanged {summary['unchanged']:,} rejected {summary['rejected']:,}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
