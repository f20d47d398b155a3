"""`postventa backup` and `postventa restore`: exit codes, one-line refusals, asking before replacing data."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import sys
from pathlib import Path

import pytest

from app.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from app.locations import default_backups_folder
from app.models.backups import BackupKind, backups_in, parse_backup_name
from tests.factories import damage_table, demo_file
from tests.helpers import one_line_error, run

sqlite_files = pytest.mark.sqlite_only("backups and restores of SQLite files")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def codes(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT code FROM customer ORDER BY code")]
    finally:
        connection.close()


class Terminal(io.StringIO):
    """Standard input as a person at a terminal: what they will type."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def data(tmp_path) -> Path:
    return demo_file(tmp_path / "postventa.sqlite3", customers=8)


@sqlite_files
def test_backup_into_the_backups_folder(capsys, data):
    code, out, err = run(capsys, "backup", "--db", str(data))
    assert code == EXIT_OK, err
    written = Path(out.strip())
    assert written.parent == default_backups_folder()
    assert parse_backup_name(written.name).kind is BackupKind.MANUAL
    assert codes(written) == codes(data)


@sqlite_files
def test_backup_to_a_file_needs_force_to_replace_and_never_replaces_a_database(capsys, data, tmp_path):
    code, out, err = run(capsys, "backup", "--db", str(data), "--out", str(tmp_path / "copy"))
    assert code == EXIT_OK, err
    assert out.strip() == str(tmp_path / "copy.sqlite3")
    code, _out, err = run(capsys, "backup", "--db", str(data), "--out", str(tmp_path / "copy"), "--force")
    assert code == EXIT_FAILURE and "never writes over" in one_line_error(err)
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("mine")
    code, _out, err = run(capsys, "backup", "--db", str(data), "--out", str(notes))
    assert code == EXIT_FAILURE and "add --force" in one_line_error(err)
    assert notes.read_text() == "mine"
    code, _out, err = run(capsys, "backup", "--db", str(data), "--out", str(notes), "--force")
    assert code == EXIT_OK, err
    assert codes(notes) == codes(data)


@sqlite_files
def test_backup_of_a_missing_database_makes_nothing(capsys, tmp_path):
    code, _out, err = run(capsys, "backup", "--db", str(tmp_path / "none.sqlite3"), "--lang", "es")
    assert code == EXIT_FAILURE and "No hay ninguna base de datos" in one_line_error(err)
    assert list(tmp_path.iterdir()) == []


def test_an_office_server_is_backed_up_with_pg_dump(capsys, tmp_path):
    server = "postgresql://admin@office.example/postventa"  # refused before any connection
    code, _out, err = run(capsys, "backup", "--db", server)
    assert code == EXIT_FAILURE and "pg_dump" in one_line_error(err)
    code, _out, err = run(capsys, "restore", "--db", server, "--from", str(tmp_path / "x"), "--yes")
    assert code == EXIT_FAILURE and "pg_restore" in one_line_error(err)


def test_restore_without_from_is_a_usage_error(capsys, tmp_path):
    code, _out, err = run(capsys, "restore", "--db", str(tmp_path / "x.sqlite3"))
    assert code == EXIT_USAGE and "--from" in one_line_error(err)


@sqlite_files
def test_restore_with_yes_replaces_the_data_and_keeps_the_old(capsys, data, tmp_path):
    backup = tmp_path / "before.sqlite3"
    assert run(capsys, "backup", "--db", str(data), "--out", str(backup))[0] == EXIT_OK
    conn = sqlite3.connect(data)
    conn.execute("UPDATE customer SET code = 'CHANGED' WHERE code = 'C-00001'")
    conn.commit()
    conn.close()
    changed = codes(data)

    code, out, err = run(capsys, "restore", "--db", str(data), "--from", str(backup), "--yes")

    assert code == EXIT_OK, err
    # Nothing beside the database: the copy of the replaced data is in the backups folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["before.sqlite3", "postventa.sqlite3"]
    assert codes(data) == codes(backup) and "CHANGED" not in codes(data)
    [(kept, name)] = backups_in(default_backups_folder(), data)
    assert name.kind is BackupKind.BEFORE_RESTORE and codes(kept) == changed
    assert str(kept) in out and "8 customers" in out


@sqlite_files
def test_restore_without_a_terminal_or_yes_refuses(capsys, data, tmp_path, monkeypatch):
    backup = tmp_path / "before.sqlite3"
    run(capsys, "backup", "--db", str(data), "--out", str(backup))
    before = digest(data)
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # a pipe, not a person
    code, _out, err = run(capsys, "restore", "--db", str(data), "--from", str(backup))
    assert code == EXIT_FAILURE and "--yes" in one_line_error(err)
    assert digest(data) == before and not default_backups_folder().exists()


@sqlite_files
@pytest.mark.parametrize(
    ("answer", "expected"), [("n\n", EXIT_FAILURE), ("\n", EXIT_FAILURE), ("s\n", EXIT_OK)]
)
def test_restore_asks_at_a_terminal(capsys, data, tmp_path, monkeypatch, answer, expected):
    backup = tmp_path / "before.sqlite3"
    run(capsys, "backup", "--db", str(data), "--out", str(backup))
    before = digest(data)
    monkeypatch.setattr(sys, "stdin", Terminal(answer))
    code, out, _err = run(capsys, "restore", "--db", str(data), "--from", str(backup), "--lang", "es")
    assert code == expected
    if expected == EXIT_FAILURE:
        assert digest(data) == before and "No se ha cambiado nada." in out
    else:
        assert backups_in(default_backups_folder(), data)  # the replaced data, kept


@sqlite_files
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Dear customer,\n", "not an SQLite file"),
        (None, "another program"),
    ],
)
def test_restore_refuses_what_is_not_a_backup_and_touches_nothing(capsys, data, tmp_path, content, reason):
    refused = tmp_path / "refused.sqlite3"
    if content is None:
        conn = sqlite3.connect(refused)
        conn.execute("CREATE TABLE recipe (name TEXT)")
        conn.commit()
        conn.close()
    else:
        refused.write_bytes(content)
    before_backup, before_data = digest(refused), digest(data)
    code, out, err = run(capsys, "restore", "--db", str(data), "--from", str(refused), "--yes")
    assert code == EXIT_FAILURE and reason in one_line_error(err) and out == ""
    assert digest(refused) == before_backup and digest(data) == before_data
    assert not default_backups_folder().exists()


@sqlite_files
def test_restore_refuses_a_damaged_backup_before_changing_anything(capsys, data, tmp_path):
    damaged = demo_file(tmp_path / "damaged.sqlite3", customers=3)
    damage_table(damaged, "follow_up")
    before_backup, before_data = digest(damaged), digest(data)
    code, _out, err = run(capsys, "restore", "--db", str(data), "--from", str(damaged), "--yes")
    assert code == EXIT_FAILURE and "damaged and cannot be restored" in one_line_error(err)
    assert digest(damaged) == before_backup and digest(data) == before_data
    assert not default_backups_folder().exists()
