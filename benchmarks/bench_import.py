"""Importing customers (a cp1252 CSV with `;`, CRLF and title rows, and an XLSX) and sales, dry run and
import, on SQLite and PostgreSQL.

    python benchmarks/bench_import.py [--rows N] [--engine sqlite|postgresql|both] [--pg-stop]

The files are generated once into the temporary folder (kept for later runs): Spanish names with
accents, valid NIFs, phones, e-mails, postcodes with leading zeros, an amount column the import
ignores; sales of those customers, one line each, with a serial number. Every case is a fresh process
running `postventa import … --json` on an empty database (an SQLite file, or a new database of the
benchmarks' PostgreSQL cluster, benchmarks/common.py): the dry run and the import into a new
database, then the same file imported again into the database it filled (every row unchanged); then
the products and the sales into the CSV's database (follow-ups planned from the demo's day). Printed per
case: wall time, the process's peak memory (ru_maxrss) and the counts. Goals (issue 17): dry run and
import ≤ 30 s each for 100,000 rows, memory ≤ 300 MiB. Never part of the test run.
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

from benchmarks.common import (  # noqa: E402
    TODAY,
    _bench_cluster,
    add_engine_arguments,
    chosen_engines,
    provenance,
    stop_postgresql_cluster,
)

FOLDER = Path(tempfile.gettempdir())
_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_NAMES = ("Peña", "Núñez", "Ibáñez", "García", "Muñoz", "López", "Sánchez", "Álvarez", "Gómez", "Martín")
_CITIES = (("28013", "Madrid"), ("08001", "Barcelona"), ("26001", "Logroño"), ("01001", "Vitoria-Gasteiz"))
HEADER = ["Código", "Razón social", "NIF", "Teléfono", "E-mail", "C.P.", "Población", "Saldo"]
PRODUCTS = 20
SALE_HEADER = ["Nº factura", "Fecha", "Cliente", "Referencia", "Nº serie", "Cantidad", "Precio"]

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


def make_products(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("Referencia;Descripción;Familia;Garantía (meses);PVP;Con número de serie\r\n")
        for i in range(PRODUCTS):
            out.write(f"REF-{i:03d};Lavadora modelo {i};Lavadoras;24;{399 + i},90;sí\r\n")


def make_sales(path: Path, rows: int) -> None:
    """One line a sale, to the customers of make_csv, sold in the year before the demo's day."""
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write(";".join(SALE_HEADER) + "\r\n")
        for i in range(rows):
            sold = TODAY.toordinal() - 365 + (i * 7919) % 365
            day = TODAY.fromordinal(sold)
            out.write(
                f"F-{i:07d};{day:%d/%m/%Y};{i:06d};REF-{i % PRODUCTS:03d};SN{i:09d};1;{399 + i % PRODUCTS},90\r\n"
            )


class Databases:
    """A new, empty database per case: an SQLite file in `folder`, or a database of the benchmarks'
    PostgreSQL cluster (dropped first when an earlier run left it)."""

    def __init__(self, engine: str, folder: Path, rows: int):
        self.engine, self.folder, self.rows = engine, folder, rows
        self._cluster = _bench_cluster() if engine == "postgresql" else None

    def new(self, name: str) -> str:
        if self._cluster is None:
            return str(self.folder / f"{name}.sqlite3")
        database = f"bench_import_{name}_{self.rows}".replace("-", "_")
        self._cluster.drop_database(database)
        return self._cluster.create_database(database)


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


def report(label: str, case: str, result: dict) -> None:
    summary = result["summary"]
    print(
        f"{label:<22} {case:<8} {result['seconds']:6.1f} s   peak {result['peak_mib']:5.0f} MiB   "
        f"created {summary['created']:,} updated {summary['updated']:,} "
        f"unchanged {summary['unchanged']:,} rejected {summary['rejected']:,}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per file (default 100,000)")
    add_engine_arguments(parser)
    parser.add_argument("--pg-stop", action="store_true", help="stop the kept PostgreSQL cluster at the end")
    args = parser.parse_args(argv)
    files = {
        "CSV cp1252": (FOLDER / f"postventa-bench-import-{args.rows}.csv", make_csv),
        "XLSX": (FOLDER / f"postventa-bench-import-{args.rows}.xlsx", make_xlsx),
    }
    products = FOLDER / "postventa-bench-import-products.csv"
    sales = FOLDER / f"postventa-bench-import-sales-{args.rows}.csv"
    print(provenance())
    print(f"{args.rows:,} rows per file; goals: dry run and import ≤ 30 s each, memory ≤ 300 MiB")
    for path, make in [*files.values(), (sales, make_sales)]:
        if not path.exists():
            print(f"  writing {path} …", flush=True)
            make(path, args.rows)
    make_products(products)
    engines = chosen_engines(args)
    if args.pg_url:
        raise SystemExit(
            "--pg-url: this benchmark needs a database per case; it uses the benchmarks' cluster."
        )
    with tempfile.TemporaryDirectory() as work:
        for engine in engines:
            databases = Databases(engine, Path(work), args.rows)
            name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[engine]
            for label, (path, _make) in files.items():
                target = databases.new(path.suffix[1:])
                for case in ("dry run", "import", "again"):
                    database = databases.new(path.suffix[1:] + "-dry") if case == "dry run" else target
                    extra = ["--dry-run"] if case == "dry run" else []
                    result = measure("import", "customers", str(path), "--db", database, "--json", *extra)
                    report(f"{name} {label}", case, result)
                if label == "CSV cp1252":  # the sales go into the database this file filled
                    report(
                        f"{name} products",
                        "import",
                        measure("import", "products", str(products), "--db", target, "--json"),
                    )
                    as_of = ["--as-of", TODAY.isoformat()]
                    for case in ("dry run", "import"):
                        extra = ["--dry-run"] if case == "dry run" else []
                        result = measure(
                            "import", "sales", str(sales), "--db", target, "--json", *as_of, *extra
                        )
                        report(f"{name} sales", case, result)
    if args.pg_stop:
        stop_postgresql_cluster()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
