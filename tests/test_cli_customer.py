"""`postventa customer export|erase`: exit codes, one-line refusals, --force, --lang, and asking
before erasing (a terminal's answer or --yes; neither: refused, exit 1, nothing changed)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from app.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from app.models import Customer
from app.models.database import close_database, open_database
from tests.helpers import one_line_error, run

NAME = "Zoraida Quintanilla Ybarra"


class Terminal(io.StringIO):
    """Standard input as a person at a terminal: what they will type."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def target(new_database):
    database = new_database("rights", schema=True)
    open_database(database)
    Customer.create(code="C-1", name=NAME, email="zoraida@example.org", tax_id="12345678Z", notes="Diabética")
    Customer.create(code="C-2", name="Lucía Martín")
    close_database()
    return database


def customer(target: str, code: str) -> Customer:
    open_database(target, create=False)
    try:
        return Customer.get(Customer.code == code)
    finally:
        close_database()


def test_export_writes_json_and_pdf_and_says_where(capsys, target, tmp_path):
    code, out, err = run(
        capsys,
        "customer",
        "export",
        "--db",
        target,
        "--code",
        "C-1",
        "--out",
        str(tmp_path / "c1"),
        "--pdf",
        str(tmp_path / "c1"),
        "--lang",
        "es",
    )
    assert (code, err) == (EXIT_OK, "")
    first, second = out.splitlines()
    assert first.endswith(str(tmp_path / "c1.json")) and second == str(tmp_path / "c1.pdf")
    exported = json.loads((tmp_path / "c1.json").read_text("utf-8"))
    assert exported["customer"][0]["fields"]["name"] == NAME
    assert (tmp_path / "c1.pdf").read_bytes().startswith(b"%PDF")


def test_export_refuses_an_existing_file_without_force_and_an_unknown_code(capsys, target, tmp_path):
    (tmp_path / "c1.json").write_text("keep me")
    argv = ["customer", "export", "--db", target, "--code", "C-1", "--out", str(tmp_path / "c1.json")]
    code, out, err = run(capsys, *argv)
    assert code == EXIT_FAILURE and out == "" and "--force" in one_line_error(err)
    assert (tmp_path / "c1.json").read_text() == "keep me"
    code, _out, err = run(capsys, *argv, "--force")
    assert code == EXIT_OK, err
    code, out, err = run(
        capsys, "customer", "export", "--db", target, "--code", "NOPE", "--out", str(tmp_path / "x")
    )
    assert code == EXIT_FAILURE and "NOPE" in one_line_error(err) and not (tmp_path / "x.json").exists()


@pytest.mark.sqlite_only("an SQLite file named as the export")
def test_export_never_writes_over_an_sqlite_file(capsys, target, tmp_path):
    import shutil

    disguised = tmp_path / "copy.json"  # a database whose name is the export's
    shutil.copyfile(target, disguised)
    before = disguised.read_bytes()
    code, _out, err = run(
        capsys, "customer", "export", "--db", target, "--code", "C-1", "--out", str(disguised), "--force"
    )
    assert code == EXIT_FAILURE and one_line_error(err)
    assert disguised.read_bytes() == before


def test_erase_without_a_terminal_or_yes_refuses(capsys, target, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # a pipe, not a person
    code, _out, err = run(capsys, "customer", "erase", "--db", target, "--code", "C-1")
    assert code == EXIT_FAILURE and "--yes" in one_line_error(err)
    assert customer(target, "C-1").name == NAME


@pytest.mark.parametrize(
    ("answer", "expected"), [("n\n", EXIT_FAILURE), ("\n", EXIT_FAILURE), ("s\n", EXIT_OK)]
)
def test_erase_asks_at_a_terminal(capsys, target, monkeypatch, answer, expected):
    monkeypatch.setattr(sys, "stdin", Terminal(answer))
    code, out, _err = run(capsys, "customer", "erase", "--db", target, "--code", "C-1", "--lang", "es")
    assert code == expected
    erased = customer(target, "C-1")
    if expected == EXIT_FAILURE:
        assert erased.name == NAME and "No se ha cambiado nada." in out
    else:
        assert erased.name == "***" and erased.tax_id is None and erased.notes == ""
    assert customer(target, "C-2").name == "Lucía Martín"


def test_erase_with_yes_then_again_is_refused(capsys, target):
    code, out, err = run(capsys, "customer", "erase", "--db", target, "--code", "C-1", "--yes")
    assert code == EXIT_OK, err
    assert "C-1" in out and NAME not in out
    code, _out, err = run(capsys, "customer", "erase", "--db", target, "--code", "C-1", "--yes")
    assert code == EXIT_FAILURE and "already erased" in one_line_error(err)


def test_usage_errors_exit_2(capsys, target):
    code, _out, err = run(capsys, "customer", "erase", "--db", target)
    assert code == EXIT_USAGE and "--code" in err
    code, _out, err = run(capsys, "customer", "export", "--db", target, "--code", "C-1")
    assert code == EXIT_USAGE and "--out" in err
