"""The command line: exit codes and one-line messages, never a traceback."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from app.models.database import close_database
from tests.helpers import one_line_error, run


def test_version(capsys):
    code, out, _err = run(capsys, "--version")
    assert code == 0 and out.startswith("Postventa ")


def test_unknown_option_is_one_line_and_exit_2(capsys):
    code, _out, err = run(capsys, "demo", "--customers", "many")
    assert code == 2
    assert "not a whole number" in one_line_error(err)


@pytest.mark.sqlite_only("a missing file not created")
def test_check_missing_database(capsys, tmp_path):
    missing = tmp_path / "none.sqlite3"
    code, _out, err = run(capsys, "check", "--db", str(missing), "--lang", "en")
    assert code == 1
    assert "There is no database" in one_line_error(err)
    assert not missing.exists()


@pytest.mark.sqlite_only("a text file that is not an SQLite file")
def test_check_refuses_a_text_file_without_touching_it(capsys, tmp_path):
    path = tmp_path / "letter.sqlite3"
    path.write_text("Dear customer,\n")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code, _out, err = run(capsys, "check", "--db", str(path), "--lang", "en")
    assert code == 1 and "not an SQLite file" in one_line_error(err)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.sqlite_only("a missing file not created")
def test_spanish_messages(capsys, tmp_path):
    code, _out, err = run(capsys, "check", "--db", str(tmp_path / "x.sqlite3"), "--lang", "es")
    assert code == 1 and "No hay ninguna base de datos" in one_line_error(err)


def test_demo_then_check_then_refuse_second_demo(capsys, new_database):
    path = new_database("demo")
    code, out, _err = run(
        capsys, "demo", "--db", str(path), "--customers", "25", "--today", "2026-11-23", "--lang", "en"
    )
    assert code == 0, _err
    assert "customer" in out
    if not str(path).startswith("postgresql"):  # filled without the log, which is back afterwards
        with closing(sqlite3.connect(path)) as file:
            assert file.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert not Path(f"{path}-journal").exists()

    code, out, err = run(capsys, "check", "--db", str(path), "--lang", "en")
    assert code == 0, err
    assert "ok" in out.lower()
    assert any(
        line.split()[0] == "customer" and line.split()[-1] == "25"
        for line in out.splitlines()
        if line.split()
    )

    code, _out, err = run(capsys, "demo", "--db", str(path), "--lang", "en")
    assert code == 1 and "already holds data" in one_line_error(err)


@pytest.mark.sqlite_only("SQLite's quick_check and integrity_check; a server checks its own storage")
def test_check_is_quick_by_default_and_full_on_request(capsys, new_database, monkeypatch):
    from app.models import dialect
    from app.models.database import open_database

    path = Path(new_database("checked"))
    open_database(str(path))
    close_database()
    pragmas: list[str] = []
    real = dialect.integrity_problems

    def recording(quick: bool, limit: int):
        pragmas.append("quick_check" if quick else "integrity_check")
        return real(quick, limit)

    monkeypatch.setattr("app.services.health.integrity_problems", recording)
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    code, out, err = run(capsys, "check", "--db", str(path), "--lang", "en")
    assert code == 0, err
    assert pragmas == ["quick_check"]
    assert "Integrity (quick check): ok" in out and out.rstrip().endswith("Result: healthy")

    code, out, err = run(capsys, "check", "--db", str(path), "--full", "--lang", "en")
    assert code == 0, err
    assert pragmas == ["quick_check", "integrity_check"]
    assert "Integrity (full check): ok" in out
    assert err == ""  # quick steps print no progress
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # checking changes nothing


def test_a_long_step_is_named_on_stderr_with_its_seconds(capsys, monkeypatch):
    from app.cli import _StepProgress

    monkeypatch.setattr(_StepProgress, "PROGRESS_AFTER_S", 0.3)
    progress = _StepProgress()
    progress("Checking the file (full check)…")
    time.sleep(0.8)  # longer than the threshold: named
    progress("Counting rows…")  # ends at once: never named
    progress.finish()
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    label, seconds, unit = lines[0].rsplit(" ", 2)
    assert label == "Checking the file (full check)…" and float(seconds) >= 0.8 and unit == "s"


def test_bad_today_date(capsys, tmp_path):
    code, _out, err = run(capsys, "demo", "--db", str(tmp_path / "d.sqlite3"), "--today", "23/11/2026")
    assert code == 2 and "YYYY-MM-DD" in one_line_error(err)


@pytest.mark.parametrize("entry", [["-m", "app"], ["main.py"]])
def test_entry_points_run(entry):
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, *entry, "--version"], capture_output=True, text=True, timeout=60, cwd=root
    )
    assert result.returncode == 0 and result.stdout.startswith("Postventa")


@pytest.fixture
def agenda_db(new_database):
    """A database with one rep, one customer and two follow-ups in early December 2026."""
    import datetime as dt

    from app.models import Customer, FollowUp
    from app.models.database import open_database
    from app.models.enums import FollowUpKind, FollowUpPurpose, FollowUpState
    from app.services.reps import create_rep

    path = new_database("agenda")
    open_database(path)
    rep = create_rep("LFE", "Lucía Fernández")
    customer = Customer.create(code="C1", name="Peña & Hijos", phone="600111222", rep=rep.id)
    for day, state in ((1, FollowUpState.PLANNED), (2, FollowUpState.CANCELLED)):
        FollowUp.create(
            customer=customer,
            rep=rep.id,
            kind=FollowUpKind.CALL,
            purpose=FollowUpPurpose.DELIVERY,
            scheduled_at=dt.datetime(2026, 12, day, 10, 0),
            state=state,
        )
    close_database()
    return path


def test_agenda_exports_ics(capsys, tmp_path, agenda_db):
    from icalendar import Calendar

    out = tmp_path / "agenda.ics"
    code, stdout, err = run(
        capsys,
        "agenda",
        "--db",
        str(agenda_db),
        "--rep",
        "lfe",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--ics",
        str(out),
        "--lang",
        "en",
    )
    assert code == 0, err
    assert "2 follow-ups" in stdout
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert sorted(str(e["STATUS"]) for e in events) == ["CANCELLED", "CONFIRMED"]


def test_agenda_adds_the_extension_and_replaces_a_file_only_with_force(capsys, tmp_path, agenda_db):
    from icalendar import Calendar

    def agenda(*more: str):
        return run(
            capsys,
            "agenda",
            "--db",
            str(agenda_db),
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
            "--ics",
            str(tmp_path / "december"),
            "--lang",
            "en",
            *more,
        )

    out = tmp_path / "december.ics"
    code, stdout, err = agenda()
    assert code == 0, err
    assert stdout.strip() == f"2 follow-ups written to {out}"
    out.write_text("edited by hand")
    code, stdout, err = agenda()
    assert code == 1 and one_line_error(err) == f"postventa: {out} already exists; add --force to replace it."
    assert out.read_text() == "edited by hand"
    code, stdout, err = agenda("--force")
    assert code == 0, err
    assert len(Calendar.from_ical(out.read_bytes()).walk("VEVENT")) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("agenda")) == ["december.ics"]


def test_agenda_unknown_rep_is_an_error_and_writes_nothing(capsys, tmp_path, agenda_db):
    out = tmp_path / "agenda.ics"
    code, _out, err = run(
        capsys, "agenda", "--db", str(agenda_db), "--rep", "NOPE", "--ics", str(out), "--lang", "en"
    )
    assert code == 1 and "no rep with the code NOPE" in one_line_error(err)
    assert not out.exists()


def test_agenda_period_backwards_is_an_error(capsys, tmp_path, agenda_db):
    code, _out, err = run(
        capsys,
        "agenda",
        "--db",
        str(agenda_db),
        "--from",
        "2026-12-31",
        "--to",
        "2026-12-01",
        "--ics",
        str(tmp_path / "a.ics"),
        "--lang",
        "en",
    )
    assert code == 1 and "before its start" in one_line_error(err)


def test_help_and_usage_errors_speak_the_language_asked_for(capsys):
    """`--lang es` also translates the command line's own words: the help (argparse's headings
    included) and usage errors, which argparse writes before the command runs (issue 20, item 7)."""
    code, out, _err = run(capsys, "--lang", "es", "--help")
    assert code == 0
    assert "after-sales follow-up" not in out  # the description, translated
    assert "muestra esta ayuda y termina" in out and "show this help" not in out
    assert "opciones:" in out and "options:" not in out
    code, out, _err = run(capsys, "report", "register", "--lang=es", "--help")
    assert code == 0 and "--year" in out and "the year (YYYY)" not in out
    code, out, err = run(capsys, "--lang", "es", "report", "register", "--year", "2026")
    assert code == 2 and out == ""
    line = one_line_error(err)
    assert "los siguientes argumentos son obligatorios: --out" in line
    code, _out, err = run(capsys, "report", "register", "--lang", "es", "--year", "dos mil", "--out", "x")
    assert code == 2 and "argumento --year" in one_line_error(err)
    # English stays English.
    code, _out, err = run(capsys, "--lang", "en", "report", "register", "--year", "2026")
    assert code == 2 and "the following arguments are required: --out" in one_line_error(err)
