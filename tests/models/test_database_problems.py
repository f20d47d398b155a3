"""A database file with a problem: damaged in the middle, on a full disk, read-only (issue 13,
defects 11–13). Each is refused or reported with what to do, never as another problem."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from app.cli import main
from app.models import Customer, db
from app.models import database as database_module
from app.models.database import (
    MARKER_SUFFIX,
    DatabaseDamagedError,
    DatabaseReadOnlyError,
    DiskFullError,
    close_database,
    open_database,
)
from tests.factories import damage_table, demo_file

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.sqlite_only("damaged, full, read-only and unclean-shutdown SQLite files")


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    finally:
        close_database()
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line.split("\r")[-1] for line in err.splitlines()]  # after the demo's progress line
    lines = [line for line in lines if line.strip() and "Creating demo data" not in line]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def marker_of(path: Path) -> Path:
    return path.with_name(path.name + MARKER_SUFFIX)


# --- defect 11: a file damaged in the middle ---------------------------------------------------


def test_a_damaged_page_met_by_a_query_is_reported_as_damage(tmp_path, capsys):
    path = demo_file(tmp_path / "damaged.sqlite3")
    damage_table(path, "follow_up")
    code, _out, err = run_cli(capsys, "agenda", "--db", str(path), "--ics", str(tmp_path / "a.ics"))
    line = one_line(err)
    assert code == 1 and "is damaged" in line and "restore a backup copy" in line
    assert "unexpected error" not in line


def test_after_an_unclean_shutdown_the_file_is_checked_before_use(tmp_path, capsys):
    path = demo_file(tmp_path / "crashed.sqlite3")
    damage_table(path, "audit_entry")  # a table nothing reads at start
    open_database(str(path), create=False)  # no marker: no slow check, the start stays fast
    assert marker_of(path).exists()
    close_database()
    assert not marker_of(path).exists()  # a clean close takes it away
    marker_of(path).write_text("4242 left by a killed Postventa", encoding="utf-8")
    with pytest.raises(DatabaseDamagedError, match="restore a backup copy"):
        open_database(str(path), create=False)
    code, _out, err = run_cli(capsys, "agenda", "--db", str(path), "--ics", str(tmp_path / "a.ics"))
    assert code == 1 and "is damaged" in one_line(err)


def test_commands_leave_no_marker_behind(tmp_path, capsys):
    path = demo_file(tmp_path / "clean.sqlite3", customers=5)
    code, _out, _err = run_cli(capsys, "agenda", "--db", str(path), "--ics", str(tmp_path / "a.ics"))
    assert code == 0 and not marker_of(path).exists()


# --- defect 12: a full disk ----------------------------------------------------------------------


@pytest.fixture
def size_limited(monkeypatch):
    """Open databases that cannot grow beyond `pages` pages: SQLite then answers SQLITE_FULL."""

    def limit(pages: int) -> None:
        monkeypatch.setattr(
            database_module, "SQLITE_PRAGMAS", {**database_module.SQLITE_PRAGMAS, "max_page_count": pages}
        )

    return limit


def test_a_full_database_says_the_disk_is_full_and_keeps_what_was_saved(tmp_path, size_limited):
    path = tmp_path / "full.sqlite3"
    open_database(str(path))
    Customer.create(code="KEEP", name="Guardado antes")
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    close_database()
    size_limited(pages + 3)
    open_database(str(path))
    with pytest.raises(DiskFullError) as full:
        with db.atomic():
            with db.atomic():  # a command inside an import: a savepoint
                for index in range(200):
                    Customer.create(code=f"F{index}", name="x" * 4000)
    message = str(full.value)
    assert "disk is full" in message and "nothing was saved" in message
    assert "damaged" not in message and "rollback" not in message
    assert [c.code for c in Customer.select()] == ["KEEP"]
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    close_database()


def test_a_demo_that_fills_the_disk_says_so_and_leaves_no_wal(tmp_path, size_limited, capsys):
    open_database(str(tmp_path / "empty.sqlite3"))
    schema_pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    close_database()
    size_limited(schema_pages + 2)  # the schema fits (it grows with every index); the demo does not
    path = tmp_path / "demo.sqlite3"
    code, _out, err = run_cli(capsys, "demo", "--db", str(path), "--customers", "300")
    line = one_line(err)
    assert code == 1 and "disk is full" in line and "damaged" not in line
    assert not path.with_name(path.name + "-wal").exists()
    assert not marker_of(path).exists()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MB tmpfs (mounting needs root: CI runs as root); skipped where it cannot be mounted."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if shutil.which("mount") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the size-limit tests cover SQLITE_FULL")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        close_database()
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> None:
    # Unbuffered: the last, partial write leaves nothing behind for close() to fail on.
    with (folder / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


def test_on_a_really_full_disk_a_save_says_disk_full_and_an_intact_file_is_not_called_damaged(
    tiny_disk, tmp_path, capsys
):
    source = demo_file(tmp_path / "source.sqlite3", customers=10)
    path = tiny_disk / "postventa.sqlite3"
    shutil.copy(source, path)
    open_database(str(path))
    fill(tiny_disk)
    with pytest.raises(DiskFullError, match="disk is full"):
        for index in range(500):
            with db.atomic():
                Customer.create(code=f"F{index}", name="x" * 4000)
    close_database()
    shared_memory = path.with_name(path.name + "-shm")
    if shared_memory.exists():
        shared_memory.unlink()  # as after a restart: it must be made again, on a full disk
    code, _out, err = run_cli(capsys, "agenda", "--db", str(path), "--ics", str(tmp_path / "a.ics"))
    if code != 0:  # reading may need space for the -shm file: then the disk is full, not the file damaged
        line = one_line(err)
        assert "disk is full" in line and "damaged" not in line and "backup" not in line


# --- defect 13: read-only files and folders ---------------------------------------------------------


def test_check_leaves_a_rollback_journal_file_byte_for_byte(tmp_path, capsys):
    path = demo_file(tmp_path / "journal.sqlite3", customers=5)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    conn.close()
    before = path.read_bytes()
    assert before[18:20] == b"\x01\x01"  # a rollback-journal file (WAL would be 2, 2)
    code, out, _err = run_cli(capsys, "check", "--db", str(path))
    assert code == 0 and "Result: healthy" in out
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("journal")) == ["journal.sqlite3"]


def _python_for(user: str) -> tuple[list[str], dict[str, str]] | None:
    """A Python the unprivileged `user` can run with this project importable, and its environment."""
    runner = _run_as(user)
    if runner is None:
        return None
    site = sysconfig.get_paths()["purelib"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.pathsep.join([str(REPO), site]), "LANG": "C.UTF-8"}
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, shutil.which(version, path="/usr/local/bin:/usr/bin") or ""):
        if (
            python
            and subprocess.run(
                [*runner, python, "-c", "import app.cli, peewee"], env=env, capture_output=True
            ).returncode
            == 0
        ):
            return [*runner, python], env
    return None


def _run_as(user: str) -> list[str] | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []  # already unprivileged: file modes apply
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups"]
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--"]
    return None


@pytest.fixture
def as_nobody():
    """Run `postventa …` as an unprivileged user (root ignores file modes, and CI runs as root)."""
    found = _python_for("nobody")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("permission tests need setpriv or runuser and a Python 'nobody' can run")
        pytest.skip("no way to run as an unprivileged user here")
    command, env = found
    folder = Path(tempfile.mkdtemp(prefix="postventa-permissions-"))
    folder.chmod(0o777)  # reachable by that user
    (folder / "home").mkdir(mode=0o777)
    env = {
        **env,
        "HOME": str(folder / "home"),
        "XDG_STATE_HOME": str(folder / "home"),
        "XDG_DATA_HOME": str(folder / "home"),
        "XDG_CONFIG_HOME": str(folder / "home"),
    }
    os.chmod(folder / "home", 0o777)

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*command, "-m", "app", *argv], env=env, capture_output=True, text=True, timeout=120
        )

    run.folder = folder
    yield run
    close_database()
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(0o777)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_read_only_file_is_refused_and_left_without_wal_files(as_nobody):
    folder = as_nobody.folder / "data"
    folder.mkdir()
    folder.chmod(0o777)
    path = demo_file(folder / "postventa.sqlite3", customers=5)
    path.chmod(0o444)
    before = path.read_bytes()
    done = as_nobody("agenda", "--db", str(path), "--ics", str(as_nobody.folder / "home" / "a.ics"))
    assert done.returncode == 1, done
    line = one_line(done.stderr)
    assert "is read-only" in line and str(path) in line, line
    assert sorted(p.name for p in folder.iterdir()) == ["postventa.sqlite3"]  # no -wal/-shm left
    assert path.read_bytes() == before
    # `check` reads it read-only, and changes nothing either.
    done = as_nobody("check", "--db", str(path))
    assert done.returncode == 0 and "Result: healthy" in done.stdout, done
    assert sorted(p.name for p in folder.iterdir()) == ["postventa.sqlite3"]
    assert path.read_bytes() == before


def test_a_read_only_folder_is_refused_with_the_folder_named(as_nobody):
    folder = as_nobody.folder / "readonly"
    folder.mkdir()
    path = demo_file(folder / "postventa.sqlite3", customers=5)
    path.chmod(0o666)
    folder.chmod(0o555)
    done = as_nobody("agenda", "--db", str(path), "--ics", str(as_nobody.folder / "home" / "a.ics"))
    assert done.returncode == 1, done
    line = one_line(done.stderr)
    assert "folder" in line and "read-only" in line and str(folder) in line, line
    assert sorted(p.name for p in folder.iterdir()) == ["postventa.sqlite3"]


def test_read_only_wal_files_left_by_an_older_version_are_named(tmp_path, monkeypatch):
    path = demo_file(tmp_path / "postventa.sqlite3", customers=5)
    shared_memory = path.with_name(path.name + "-shm")
    shared_memory.write_bytes(b"")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == shared_memory else real_access(p, mode)
    )
    with pytest.raises(DatabaseReadOnlyError, match="-shm is read-only"):
        open_database(str(path))
