"""`postventa export`: the command line's contract (exit 0 with one line on stdout; 1 refused and 2 for
usage, each with one line on stderr and nothing on stdout), --force, --lang, --rep and the period."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from app.models.database import close_database, open_database
from tests.factories import build_export_world
from tests.helpers import one_line_error, run


@pytest.fixture
def target(new_database):
    database = new_database("export", schema=True)
    open_database(database)
    build_export_world()
    close_database()
    return database


def test_export_writes_the_file_and_says_where(capsys, target, tmp_path):
    code, out, err = run(
        capsys, "export", "customers", "--db", target, "--format", "xlsx", "--out", str(tmp_path / "c")
    )
    assert (code, err) == (0, "")
    assert out == f"2 rows exported to {tmp_path / 'c.xlsx'}\n"
    header = [cell.value for cell in openpyxl.load_workbook(tmp_path / "c.xlsx").active[1]]
    assert header[:3] == ["Code", "Name", "Type"]


def test_lang_chooses_the_labels_and_the_number_format(capsys, target, tmp_path):
    code, _out, err = run(
        capsys,
        "export",
        "at-risk",
        "--db",
        target,
        "--format",
        "csv",
        "--out",
        str(tmp_path / "r"),
        "--lang",
        "es",
    )
    assert code == 0, err
    data = (tmp_path / "r.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(data[3:].decode(), newline=""), delimiter=";")
    assert (row["Código"], row["Valor"], row["Segmento"]) == ("00017", "1234,50", "A (valor alto)")


def test_an_existing_file_needs_force(capsys, target, tmp_path):
    out_file = tmp_path / "cases.csv"
    out_file.write_text("mine")
    code, out, err = run(capsys, "export", "cases", "--db", target, "--format", "csv", "--out", str(out_file))
    assert (code, out) == (1, "")
    assert "already exists; add --force" in one_line_error(err)
    assert out_file.read_text() == "mine"
    code, out, err = run(
        capsys, "export", "cases", "--db", target, "--format", "csv", "--out", str(out_file), "--force"
    )
    assert (code, err) == (0, "")
    assert "REC-2026-0001" in out_file.read_text(encoding="utf-8-sig")


def test_rep_and_period_narrow_the_list(capsys, target, tmp_path):
    def rows(*extra: str) -> list[dict]:
        path = tmp_path / "s.csv"
        code, _out, err = run(
            capsys,
            "export",
            "surveys",
            "--db",
            target,
            "--format",
            "csv",
            "--out",
            str(path),
            "--force",
            *extra,
        )
        assert code == 0, err
        return list(
            csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=";")
        )

    assert len(rows()) == 2
    assert [r["Date"] for r in rows("--from", "2026-11-06", "--to", "2026-11-30")] == ["10/11/2026"]
    assert len(rows("--rep", "ana")) == 2  # rep codes in any case

    visits = tmp_path / "f.xlsx"
    code, out, err = run(
        capsys, "export", "followups", "--db", target, "--format", "xlsx", "--out", str(visits),
        "--from", "2026-11-24", "--to", "2026-11-24",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("1 row exported to ")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["customers", "--from", "2026-01-01"], "has no dates: leave out --from and --to"),
        (["cases", "--from", "2026-12-01", "--to", "2026-11-01"], "end of the period is before its start"),
        (["orders"], "invalid choice: 'orders'"),
        (["cases", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["cases", "--from", "01/11/2026"], "not a date in the form YYYY-MM-DD"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, target, tmp_path, argv, expected):
    if "--format" not in argv:
        argv = [*argv, "--format", "csv"]
    code, out, err = run(capsys, "export", *argv, "--db", target, "--out", str(tmp_path / "x"))
    assert (code, out) == (2, "")
    assert expected in one_line_error(err)
    assert not (tmp_path / "x.csv").exists()


def test_refusals_exit_1_with_one_line(capsys, target, tmp_path):
    code, out, err = run(
        capsys,
        "export",
        "returns",
        "--db",
        target,
        "--format",
        "csv",
        "--out",
        str(tmp_path / "x"),
        "--rep",
        "ZZZ",
    )
    assert (code, out) == (1, "")
    assert "no rep with the code ZZZ" in one_line_error(err)
    code, out, err = run(
        capsys,
        "export",
        "returns",
        "--db",
        target,
        "--format",
        "csv",
        "--out",
        str(tmp_path / "missing" / "x"),
    )
    assert (code, out) == (1, "")
    assert "does not exist" in one_line_error(err)
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.sqlite_only("a database file that is not there")
def test_a_missing_database_is_refused(capsys, tmp_path):
    code, out, err = run(
        capsys,
        "export",
        "customers",
        "--db",
        str(tmp_path / "nope.sqlite3"),
        "--format",
        "csv",
        "--out",
        str(tmp_path / "x"),
    )
    assert (code, out) == (1, "")
    one_line_error(err)
    assert not (tmp_path / "nope.sqlite3").exists() and not (tmp_path / "x.csv").exists()
