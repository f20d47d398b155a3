"""POSIX modes: what Postventa keeps for itself is its user's only, whatever the umask — the data folder it
makes (0700), the database and its -wal/-shm, the copy before an upgrade and the log files (0600).
Documents the user saves keep the usual mode (tests/test_outputs.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app import diagnostics
from app.locations import default_database_path, resolve_target
from app.models.database import backup_sqlite_file, close_database, open_database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request):
    """The usual umask, and the most open one: the modes must not depend on it."""
    saved = os.umask(request.param)
    yield request.param
    os.umask(saved)


@pytest.mark.sqlite_only("the SQLite file and its working files")
def test_the_data_folder_made_and_the_database_are_private(tmp_path, monkeypatch, umask):
    monkeypatch.delenv("POSTVENTA_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    target = resolve_target()
    assert Path(target) == default_database_path() and Path(target).parent == tmp_path / "share" / "Postventa"
    open_database(target)
    try:
        path = Path(target)
        assert mode(path.parent) == 0o700
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            assert file.exists() and mode(file) == 0o600, file
    finally:
        close_database()
    assert mode(tmp_path / "share") == 0o777 & ~umask  # a parent made on the way is not the data folder


@pytest.mark.sqlite_only("the SQLite file")
def test_an_existing_folder_and_file_keep_their_modes(tmp_path, umask):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    path = folder / "team.sqlite3"
    open_database(str(path))  # a new database in a folder of the user's
    close_database()
    assert mode(folder) == 0o755 and mode(path) == 0o600
    path.chmod(0o640)
    open_database(str(path))
    close_database()
    assert mode(path) == 0o640  # the user's choice, kept


@pytest.mark.sqlite_only("the SQLite file and its backup copy")
def test_the_copy_before_an_upgrade_is_private(tmp_path, umask):
    path = tmp_path / "old.sqlite3"
    open_database(str(path))
    close_database()
    path.chmod(0o644)
    backup = backup_sqlite_file(path)
    assert mode(backup) == 0o600
    assert mode(backup.parent) == 0o700  # the backups folder Postventa made


def test_log_files_are_private_also_after_rotation(tmp_path, monkeypatch, umask):
    monkeypatch.setattr(diagnostics, "MAX_BYTES", 200)
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "postventa.log").write_text("an older log\n")
    (folder / "postventa.log").chmod(0o644)
    path = diagnostics.setup_logging(folder)
    try:
        for number in range(10):
            diagnostics.log.info("line %s of a log that rotates", number)
        assert (folder / "postventa.log.1").exists()
        for file in folder.iterdir():
            assert mode(file) == 0o600, file
        assert "rotates" in path.read_text(encoding="utf-8")
    finally:
        diagnostics.setup_logging(tmp_path / "elsewhere")  # release the file


@pytest.mark.sqlite_only("the SQLite file and its working files")
def test_a_data_folder_and_database_an_older_postventa_left_open_are_made_private(tmp_path, monkeypatch):
    """Made before Postventa kept them private (0755 and 0644): opening the default database makes the
    data folder its owner's only again, the database and its working files too."""
    monkeypatch.delenv("POSTVENTA_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    path = default_database_path()
    open_database(str(path))
    close_database()
    path.parent.chmod(0o755)
    path.chmod(0o644)
    open_database(str(path))
    try:
        assert mode(path.parent) == 0o700
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            assert mode(file) == 0o600, file
    finally:
        close_database()


def test_a_log_folder_left_open_is_made_private(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    folder.chmod(0o755)
    diagnostics.setup_logging(folder)
    try:
        assert mode(folder) == 0o700
    finally:
        diagnostics.setup_logging(tmp_path / "elsewhere")  # release the file
