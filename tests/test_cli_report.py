"""`postventa report …`: the documents from the command line — exit codes, one-line errors, no partial files."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.models.database import close_database, open_database
from tests.factories import NASTY, build_register_dataset
from tests.helpers import one_line_error, run


@pytest.fixture
def report_db(new_database):
    """Complaints and claims of 2026, a rep LFE and an active customer-attention charter."""
    from app.models.enums import CharterIndicator, CharterPeriod, CharterType, ContactChannel
    from app.services import charters
    from app.services.reps import create_rep

    path = new_database("report")
    open_database(path)
    build_register_dataset()
    create_rep("LFE", "Lucía Fernández")
    charter_id = charters.save_charter(
        None,
        charters.CharterInput(
            type=CharterType.CUSTOMER_ATTENTION,
            title="Carta de atención al cliente",
            valid_from=dt.date(2026, 1, 1),
            channels=(charters.ChannelEntry(ContactChannel.PHONE, "+34 910 000 000", "9-14"),),
            commitments=(
                charters.CommitmentInput(
                    "We answer every claim within 10 days",
                    CharterIndicator.CLAIMS_ANSWERED,
                    10,
                    90,
                    CharterPeriod.YEAR,
                ),
            ),
        ),
    )
    charters.activate_charter(charter_id)
    close_database()
    return path


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def report(capsys, db, *argv):
    return run(capsys, "report", *argv, "--db", str(db))


def test_register(capsys, report_db, out):
    target = out / "register.pdf"
    code, stdout, err = report(
        capsys, report_db, "register", "--year", "2026", "--lang", "en", "--out", str(target)
    )
    assert code == 0, err
    assert stdout.strip() == str(target)
    text = text_of(target)
    assert "Register of complaints and claims 2026" in text and NASTY in text
    assert [p.name for p in out.iterdir()] == ["register.pdf"]


def test_register_in_spanish(capsys, report_db, out):
    target = out / "registro.pdf"
    code, _stdout, err = report(
        capsys, report_db, "register", "--year", "2026", "--lang", "es", "--out", str(target)
    )
    assert code == 0, err
    assert "Página 1 de" in text_of(target)


def test_activity_for_everyone(capsys, report_db, out):
    target = out / "activity.pdf"
    code, stdout, err = report(
        capsys,
        report_db,
        "activity",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--lang",
        "en",
        "--out",
        str(target),
    )
    assert code == 0, err
    assert stdout.strip() == str(target)
    assert "Activity report" in text_of(target)


def test_activity_for_one_rep(capsys, report_db, out):
    import inspect

    from app.services.reporting.case_stats import case_statistics

    if "rep_id" not in inspect.signature(case_statistics).parameters:
        pytest.skip(
            "app.services.reporting.case_stats.case_statistics has no rep_id yet (the activity report needs it)"
        )
    target = out / "activity.pdf"
    code, stdout, err = report(
        capsys,
        report_db,
        "activity",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--rep",
        "lfe",
        "--lang",
        "en",
        "--out",
        str(target),
    )
    assert code == 0, err
    assert stdout.strip() == str(target)
    text = text_of(target)
    assert "Activity report" in text and "Lucía Fernández" in text


def test_charter(capsys, report_db, out):
    target = out / "charter.pdf"
    code, _stdout, err = report(
        capsys, report_db, "charter", "--type", "attention", "--lang", "en", "--out", str(target)
    )
    assert code == 0, err
    text = text_of(target)
    assert "Carta de atención al cliente" in text and "We answer every claim within 10 days" in text


def test_no_active_charter_of_that_type(capsys, report_db, out):
    code, _stdout, err = report(
        capsys, report_db, "charter", "--type", "financing", "--lang", "en", "--out", str(out / "c.pdf")
    )
    assert code == 1
    assert one_line_error(err) == (
        "postventa: There is no active service charter of type Financing; activate one on the Service charters page."
    )
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["activity", "--from", "2026-02-30", "--to", "2026-03-31"], 2, "YYYY-MM-DD"),
        (["activity", "--from", "2026-03-31", "--to", "2026-03-01"], 1, "The period ends before it starts."),
        (
            ["activity", "--from", "2020-01-01", "--to", "2026-03-01"],
            1,
            "The period is too long: at most 5 years.",
        ),
        (
            ["activity", "--from", "2026-01-01", "--to", "2026-03-01", "--rep", "NOPE"],
            1,
            "no rep with the code NOPE",
        ),
        (["register", "--year", "1999"], 1, "Choose a year between 2000 and"),
        (["register", "--year", "twenty"], 2, "not a year"),
        (["register"], 2, "--year"),
        (["charter", "--type", "loyalty"], 2, "invalid choice"),
        (
            ["activity", "--from", "2026-06-01", "--to", "2026-06-30", "--as-of", "2026-05-31"],
            1,
            "starts after",
        ),
        (["register", "--year", "2027", "--as-of", "2026-12-06"], 1, "Choose a year between 2000 and 2026."),
        (["register", "--year", "2026", "--as-of", "2026-02-30"], 2, "YYYY-MM-DD"),
    ],
)
def test_bad_requests_are_one_line_and_write_nothing(capsys, report_db, out, argv, code, message):
    got, _stdout, err = report(capsys, report_db, *argv, "--lang", "en", "--out", str(out / "x.pdf"))
    assert got == code
    assert message in one_line_error(err)
    assert list(out.iterdir()) == []


def test_missing_output_folder(capsys, report_db, out):
    target = out / "missing" / "r.pdf"
    code, _stdout, err = report(
        capsys, report_db, "register", "--year", "2026", "--lang", "en", "--out", str(target)
    )
    assert code == 1 and f"The folder {target.parent} does not exist." in one_line_error(err)
    assert list(out.iterdir()) == []


def test_output_path_is_a_folder(capsys, report_db, out):
    code, _stdout, err = report(
        capsys, report_db, "register", "--year", "2026", "--lang", "en", "--out", str(out)
    )
    assert code == 1 and "is a folder" in one_line_error(err)
    assert list(out.iterdir()) == []


def test_output_folder_is_a_file(capsys, report_db, out):
    (out / "notes.txt").write_text("x")
    code, _stdout, err = report(
        capsys,
        report_db,
        "register",
        "--year",
        "2026",
        "--lang",
        "en",
        "--out",
        str(out / "notes.txt" / "r.pdf"),
    )
    assert code == 1 and "is a file, not a folder" in one_line_error(err)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_failure_while_writing_leaves_no_partial_file(capsys, report_db, out, monkeypatch):
    import app.reports.register as register_report

    def broken(data):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(register_report, "_story", broken)
    (out / "register.pdf").write_bytes(b"the previous, good copy")
    code, _stdout, err = report(
        capsys,
        report_db,
        "register",
        "--year",
        "2026",
        "--lang",
        "en",
        "--out",
        str(out / "register.pdf"),
        "--force",
    )
    assert code == 1 and "disk on fire" in one_line_error(err)
    assert [p.name for p in out.iterdir()] == ["register.pdf"]  # no .part file left behind
    assert (out / "register.pdf").read_bytes() == b"the previous, good copy"


@pytest.mark.sqlite_only("a missing file not created")
def test_a_missing_database_is_not_created(capsys, tmp_path, out):
    missing = tmp_path / "none.sqlite3"
    code, _stdout, err = report(
        capsys, missing, "register", "--year", "2026", "--lang", "en", "--out", str(out / "r.pdf")
    )
    assert code == 1 and "There is no database" in one_line_error(err)
    assert not missing.exists() and list(out.iterdir()) == []


def test_subprocess_smoke(report_db, out):
    root = Path(__file__).resolve().parent.parent
    target = out / "register.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "report",
            "register",
            "--db",
            str(report_db),
            "--year",
            "2026",
            "--lang",
            "en",
            "--out",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(target) and target.stat().st_size > 2000
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "report",
            "register",
            "--db",
            str(report_db),
            "--year",
            "1999",
            "--lang",
            "en",
            "--out",
            str(out / "bad.pdf"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and not (out / "bad.pdf").exists()


# --------------------------------------------------------------------------- where the PDF goes (issue 18, item 5)


def register(capsys, db, out: Path | str, *more: str):
    return report(capsys, db, "register", "--year", "2026", "--lang", "en", "--out", str(out), *more)


def test_an_existing_file_is_replaced_only_with_force(capsys, report_db, out):
    target = out / "register.pdf"
    target.write_bytes(b"last year's copy")
    code, stdout, err = register(capsys, report_db, target)
    assert code == 1
    assert one_line_error(err) == f"postventa: {target} already exists; add --force to replace it."
    assert target.read_bytes() == b"last year's copy" and stdout == ""
    code, stdout, err = register(capsys, report_db, target, "--force")
    assert code == 0, err
    assert stdout.strip() == str(target) and "Register of complaints" in text_of(target)
    assert [p.name for p in out.iterdir()] == ["register.pdf"]


def test_the_extension_is_added_when_missing(capsys, report_db, out):
    (out / "notes.txt").write_text("my notes")
    code, stdout, err = register(capsys, report_db, out / "notes.txt")
    assert code == 0, err
    assert stdout.strip() == str(out / "notes.txt.pdf")
    assert (out / "notes.txt").read_text() == "my notes"
    assert "Register of complaints" in text_of(out / "notes.txt.pdf")
    code, stdout, err = register(capsys, report_db, out / "memo")
    assert code == 0, err
    assert stdout.strip() == str(out / "memo.pdf") and not (out / "memo").exists()


@pytest.mark.sqlite_only("the database file itself")
def test_the_database_is_never_written_over(capsys, report_db, out):
    """The issue's `report register --db victim.sqlite3 --out victim.sqlite3` replaced the database."""
    database = Path(report_db)
    before = database.read_bytes()
    code, stdout, err = register(capsys, report_db, database, "--force")
    assert code == 0, err
    assert stdout.strip() == str(database) + ".pdf"  # beside it, as a document
    assert database.read_bytes() == before


@pytest.mark.sqlite_only("an SQLite file of an older schema")
def test_a_refused_out_leaves_the_database_unopened(capsys, tmp_path, out):
    """The --out is refused before the database opens: an older database is not upgraded (nor its
    copy made) for a document that is not going to be written."""
    from tests.models.test_database import make_v1_database

    old = make_v1_database(tmp_path / "old.sqlite3")
    before = old.read_bytes()
    target = out / "register.pdf"
    target.write_bytes(b"last year's copy")
    code, stdout, err = register(capsys, old, target)
    assert code == 1 and stdout == ""
    assert one_line_error(err) == f"postventa: {target} already exists; add --force to replace it."
    assert old.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "old.sqlite3"
    ]


@pytest.mark.sqlite_only("the database file itself")
def test_a_database_named_like_a_document_is_refused_even_with_force(capsys, report_db, out):
    victim = out / "victim.pdf"
    Path(report_db).rename(victim)
    before = victim.read_bytes()
    code, _stdout, err = register(capsys, victim, victim, "--force")
    assert code == 1
    assert one_line_error(err) == (  # refused before the database is opened
        f"postventa: {victim} is an SQLite database or one of its working files; Postventa never writes "
        "over them. Choose another file name."
    )
    assert victim.read_bytes() == before
    other = out / "other.pdf"  # another program's SQLite file, not open here
    other.write_bytes(before)
    code, _stdout, err = register(capsys, victim, other, "--force")
    assert code == 1 and "is an SQLite database or one of its working files" in one_line_error(err)
    assert other.read_bytes() == before


@pytest.mark.skipif(os.name != "posix", reason="a FIFO")
def test_a_fifo_is_written_to_never_replaced(capsys, report_db, out):
    """The issue's `--out /dev/null` as root replaced the device with a file. Tested on a FIFO of our own."""
    import stat
    import threading

    pipe = out / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []

    def read() -> None:
        with open(pipe, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code, stdout, err = register(capsys, report_db, pipe)  # no --force needed: nothing is replaced
    reader.join(timeout=30)
    assert code == 0, err
    assert stdout.strip() == str(pipe)
    assert received and received[0].startswith(b"%PDF")
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and [p.name for p in out.iterdir()] == ["pipe"]


# --------------------------------------------------------------------------- --as-of: a reproducible "today"


def test_as_of_fixes_today_for_every_document(capsys, report_db, out):
    """Issue 20, item 5: the same command on another day writes the same document."""
    for argv, name in (
        (["activity", "--from", "2026-01-01", "--to", "2026-03-31"], "activity"),
        (["register", "--year", "2026"], "register"),
        (["charter"], "charter"),
    ):
        target = out / f"{name}.pdf"
        code, _stdout, err = report(
            capsys, report_db, *argv, "--as-of", "2026-04-15", "--lang", "en", "--out", str(target)
        )
        assert code == 0, err
        assert "Issued on 15/04/2026" in text_of(target), name


def test_a_period_that_ends_after_as_of_is_cut_and_in_progress(capsys, report_db, out):
    target = out / "year.pdf"
    code, _stdout, err = report(
        capsys,
        report_db,
        "activity",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--as-of",
        "2026-12-06",
        "--lang",
        "en",
        "--out",
        str(target),
    )
    assert code == 0, err
    text = text_of(target)
    assert "Period: 01/01/2026 – 06/12/2026 (in progress)" in text
    assert "Compared with the same days of the previous year: 01/01/2025 – 06/12/2025" in text
    assert "Activity report 01/01/2026 – 06/12/2026 (in progress)" in text  # the page header


def test_the_register_of_the_year_in_progress_says_so(capsys, report_db, out):
    target = out / "register.pdf"
    code, _stdout, err = report(
        capsys,
        report_db,
        "register",
        "--year",
        "2026",
        "--as-of",
        "2026-11-23",
        "--lang",
        "en",
        "--out",
        str(target),
    )
    assert code == 0, err
    text = text_of(target)
    assert "Register of complaints and claims 2026 (in progress)" in text
    assert "received from 01/01/2026 to 23/11/2026" in text
    assert "December" not in text  # no month after today in the monthly totals
