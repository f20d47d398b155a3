"""`postventa import`: the command line's contract (exit codes, --json, one-line errors, stdout empty
on failure), a new database created by an import, and an import killed halfway leaving nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.models import Customer
from app.models.database import close_database, open_database
from tests.helpers import one_line_error, run
from tests.imports.files import DATA, write_csv

ROWS = [
    ["Código", "Razón social", "N.I.F.", "Teléfono"],
    ["00017", "Peña & Hijos, S.L.", "B12345674", "912345678"],
    ["00018", "José Núñez", "12345678A", "600123457"],
    ["00019", "Ana Ruiz", "00000000T", "600123458"],
]


@pytest.fixture
def customers_csv(tmp_path):
    return write_csv(tmp_path / "clientes.csv", ROWS, titles=["Listado de clientes"])


def test_json_summary(capsys, new_database, customers_csv):
    target = new_database("imp")  # does not exist yet: a new company starts with an import
    code, out, err = run(
        capsys, "import", "customers", str(customers_csv), "--db", target, "--json", "--lang", "en"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert set(summary) == {
        "created",
        "updated",
        "unchanged",
        "rejected",
        "rejections",
        "dry_run",
        "encoding",
        "delimiter",
        "header_row",
    }
    assert {k: summary[k] for k in ("created", "updated", "unchanged", "rejected")} == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert summary["rejections"] == [
        {
            "row": 5,
            "reasons": [
                "N.I.F.: This is not a valid Spanish NIF, NIE or CIF: check the digits and the control letter."
            ],
        }
    ]
    assert (summary["dry_run"], summary["encoding"], summary["delimiter"], summary["header_row"]) == (
        False,
        "cp1252",
        ";",
        3,
    )
    code, out, _err = run(
        capsys, "import", "customers", str(customers_csv), "--db", target, "--json", "--dry-run"
    )
    again = json.loads(out)
    assert (again["unchanged"], again["rejected"], again["dry_run"]) == (2, 1, True)


def test_reasons_in_spanish_and_a_workbook(capsys, new_database):
    target = new_database("imp")
    code, out, err = run(
        capsys, "import", "customers", str(DATA / "customers.ods"), "--db", target, "--json", "--lang", "es"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["encoding"], summary["delimiter"], summary["header_row"], summary["created"]) == (
        None,
        None,
        4,
        2,
    )
    assert summary["rejections"][0]["row"] == 7
    assert "No es un NIF, NIE o CIF español válido" in summary["rejections"][0]["reasons"][0]


def test_text_summary_and_the_error_file(capsys, new_database, customers_csv, tmp_path):
    target = new_database("imp")
    errors = tmp_path / "rechazados.csv"
    code, out, err = run(
        capsys,
        "import",
        "customers",
        str(customers_csv),
        "--db",
        target,
        "--errors",
        str(errors),
        "--lang",
        "en",
    )
    assert code == 0, err
    assert "Created: 2 · Updated: 0 · Unchanged: 0 · Rejected: 1" in out
    assert "Row 5: N.I.F.: This is not a valid Spanish NIF" in out
    assert (
        errors.read_text(encoding="utf-8-sig")
        .splitlines()[1]
        .startswith("00018;José Núñez;12345678A;600123457;")
    )
    # The error file is not replaced without --force: refused before anything is imported.
    code, out, err = run(
        capsys, "import", "customers", str(customers_csv), "--db", target, "--errors", str(errors)
    )
    assert (code, out) == (1, "") and "--force" in one_line_error(err)
    code, out, err = run(
        capsys, "import", "customers", str(customers_csv), "--db", target, "--errors", str(errors), "--force"
    )
    assert code == 0, err


def test_fields(capsys):
    code, out, _err = run(capsys, "import", "sales", "--fields", "--lang", "en")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names[:4] == ["number", "sold_on", "customer", "product"] and "delivered_on" in names
    code, out, _err = run(capsys, "import", "products", "--fields", "--json")
    assert {"field": "sku", "label": "Reference (SKU)", "required": True} in json.loads(out)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["import", "customers"], "Name the file"),
        (["import", "clients", "x.csv"], "invalid choice"),
        (["import", "customers", "x.csv", "--as-of", "23/11/2026"], "YYYY-MM-DD"),
        (["import", "customers", "x.csv", "--header-row", "0"], "1 or more"),
    ],
)
def test_usage_errors_exit_2_with_stdout_empty(capsys, tmp_path, arguments, message):
    code, out, err = run(capsys, *arguments, "--db", str(tmp_path / "x.sqlite3"))
    assert (code, out) == (2, "")
    assert message in one_line_error(err)


def test_a_mapping_that_does_not_fit_is_a_usage_error(capsys, tmp_path, customers_csv):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('"Razón social" = "razon"\n', encoding="utf-8")
    code, out, err = run(
        capsys,
        "import",
        "customers",
        str(customers_csv),
        "--mapping",
        str(mapping),
        "--db",
        str(tmp_path / "x.sqlite3"),
    )
    assert (code, out) == (2, "") and "razon" in one_line_error(err)
    assert not (tmp_path / "x.sqlite3").exists()  # nothing created for a command that could not run


def test_a_toml_mapping(capsys, new_database, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [["Ref", "Denominación", "Móvil contacto"], ["A1", "Óptica Sur", "600123456"]]
    )
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'Ref = "code"\n"Denominación" = "name"\n"Móvil contacto" = "mobile"\n', encoding="utf-8"
    )
    target = new_database("imp")
    code, out, err = run(
        capsys, "import", "customers", str(path), "--mapping", str(mapping), "--db", target, "--json"
    )
    assert code == 0 and json.loads(out)["created"] == 1, err
    open_database(target)
    assert (Customer.get().code, Customer.get().mobile) == ("A1", "600123456")
    close_database()


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00binary"])
def test_an_unreadable_file_exits_1_with_stdout_empty(capsys, tmp_path, content):
    path = tmp_path / "clientes.csv"
    path.write_bytes(content)
    code, out, err = run(
        capsys, "import", "customers", str(path), "--db", str(tmp_path / "x.sqlite3"), "--json"
    )
    assert (code, out) == (1, "")
    one_line_error(err)
    assert not (tmp_path / "x.sqlite3").exists()


def test_a_missing_sheet_exits_1(capsys, tmp_path):
    code, out, err = run(
        capsys,
        "import",
        "customers",
        str(DATA / "customers.xls"),
        "--sheet",
        "Hoja9",
        "--db",
        str(tmp_path / "x.sqlite3"),
    )
    assert (code, out) == (1, "") and "Hoja9" in one_line_error(err)


@pytest.mark.slow
def test_an_import_killed_halfway_leaves_nothing(new_database, tmp_path):
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    rows = [["Código", "Nombre", "NIF", "Teléfono"]]
    rows += [
        [
            f"{i:06d}",
            f"Cliente {i}",
            f"{10_000_000 + i}{letters[(10_000_000 + i) % 23]}",
            f"{600_000_000 + i}",
        ]
        for i in range(150_000)
    ]
    path = write_csv(tmp_path / "big.csv", rows)
    target = new_database("killed")
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "import", "customers", str(path), "--db", target],
        cwd=root,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(6)  # the file is read and checked in well under a second; then rows are written
        assert process.poll() is None, "the import ended before it could be killed"
    finally:
        process.kill()
        process.wait()
    open_database(target)
    try:
        assert Customer.select().count() == 0
    finally:
        close_database()
