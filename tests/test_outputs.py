"""app.outputs: every file written for the user — the extension, the refusals, the atomic write, devices
and pipes written to as they are, and a locked file named as such. No Qt, no real device: a FIFO in
tmp_path, and a character device made with mknod in tmp_path only when running as root."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from app import outputs
from app.models.database import close_database, open_database
from app.outputs import OutputError, OutputExistsError, resolve_output, with_extension, write_output

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes, FIFOs and devices")


def write_text(path, text: str, *, force: bool = False, extension: str = ".pdf") -> Path:
    return write_output(path, extension, lambda temporary: temporary.write_text(text), force=force)


def make_sqlite_file(path: Path) -> bytes:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    return path.read_bytes()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- the target


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("memo", "memo.pdf"),
        ("notes.txt", "notes.txt.pdf"),
        ("victim.sqlite3", "victim.sqlite3.pdf"),
        ("memo.pdf", "memo.pdf"),
        ("MEMO.PDF", "MEMO.PDF"),
        ("memo.Pdf", "memo.Pdf"),
        ("dir/memo", "dir/memo.pdf"),
    ],
)
def test_the_extension_is_added_when_missing(given, expected):
    assert with_extension(given, ".pdf") == Path(expected)


def test_a_new_file_with_the_extension_added(tmp_path):
    written = write_text(tmp_path / "memo", "hello")
    assert written == tmp_path / "memo.pdf"
    assert names(tmp_path) == ["memo.pdf"]  # no temporary left, nothing named "memo"
    assert written.read_text() == "hello"


@posix_only
def test_a_document_keeps_the_usual_mode_of_a_new_file(tmp_path):
    """Documents are meant to be shared: 0666 less the umask (not the 0600 of a temporary file)."""
    written = write_text(tmp_path / "memo.pdf", "x")
    assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~current_umask()


def test_an_existing_file_is_replaced_only_with_force(tmp_path):
    target = tmp_path / "memo.pdf"
    target.write_text("the previous copy")
    with pytest.raises(OutputExistsError) as refused:
        write_text(tmp_path / "memo", "new")
    assert str(refused.value) == f"{target} already exists; add --force to replace it."
    assert target.read_text() == "the previous copy" and names(tmp_path) == ["memo.pdf"]
    assert write_text(tmp_path / "memo", "new", force=True) == target
    assert target.read_text() == "new" and names(tmp_path) == ["memo.pdf"]


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path):
    """Checked again just before the rename: another program's file made meanwhile is kept."""
    target = tmp_path / "memo.pdf"

    def produce(temporary: Path) -> None:
        target.write_text("theirs")
        temporary.write_text("ours")

    with pytest.raises(OutputExistsError):
        write_output(target, ".pdf", produce)
    assert target.read_text() == "theirs" and names(tmp_path) == ["memo.pdf"]


def test_a_symbolic_link_keeps_pointing_at_the_replaced_file(tmp_path):
    real = tmp_path / "real.pdf"
    real.write_text("old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    with pytest.raises(OutputExistsError):
        write_text(link, "new")
    write_text(link, "new", force=True)
    assert link.is_symlink() and real.read_text() == "new"
    assert names(tmp_path) == ["link.pdf", "real.pdf"]


# --------------------------------------------------------------------------- refusals


@pytest.mark.sqlite_only("SQLite files on disk")
def test_an_sqlite_file_is_never_replaced_even_with_force(tmp_path):
    other = tmp_path / "old-backup.pdf"  # whatever its name says
    before = make_sqlite_file(other)
    with pytest.raises(OutputError, match="is an SQLite database or one of its working files") as refused:
        write_text(other, "a document", force=True)
    assert "Choose another file name" in str(refused.value)
    assert other.read_bytes() == before and names(tmp_path) == ["old-backup.pdf"]


def test_a_wal_file_and_the_working_files_of_an_sqlite_file_are_refused(tmp_path):
    wal = tmp_path / "moved.pdf"
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    with pytest.raises(OutputError, match="SQLite database"):
        write_text(wal, "doc", force=True)
    make_sqlite_file(tmp_path / "shop.db")
    for suffix in ("-wal", "-shm", "-journal"):
        with pytest.raises(OutputError, match="SQLite database"):  # made or not yet
            write_text(tmp_path / f"shop.db{suffix}", "doc", force=True, extension="")
    assert not any((tmp_path / f"shop.db{suffix}").exists() for suffix in ("-shm", "-journal"))


@pytest.mark.sqlite_only("the open SQLite file")
def test_the_open_database_and_its_working_files_are_refused(tmp_path):
    path = tmp_path / "victim.pdf"  # a database named like a document
    open_database(str(path))
    try:
        before = path.read_bytes()
        for target in (path, tmp_path / "victim"):  # as named, and with the extension added
            with pytest.raises(OutputError) as refused:
                write_text(target, "a document", force=True)
            assert str(refused.value) == (
                f"{with_extension(target, '.pdf')} is the database Postventa has open, or one of its working "
                "files; choose another file name."
            )
        for suffix in ("-wal", "-shm", "-journal"):
            with pytest.raises(OutputError, match="the database Postventa has open"):
                write_text(tmp_path / f"victim.pdf{suffix}", "x", force=True, extension="")
        link = tmp_path / "link.pdf"
        link.symlink_to(path)
        with pytest.raises(OutputError, match="the database Postventa has open"):
            write_text(link, "x", force=True)
        assert path.read_bytes() == before
    finally:
        close_database()
    assert not [n for n in names(tmp_path) if n.endswith(".part")]


def test_folders_are_refused(tmp_path):
    (tmp_path / "reports").mkdir()
    with pytest.raises(OutputError) as refused:
        write_text(tmp_path / "reports", "x", force=True)
    assert str(refused.value) == f"{tmp_path / 'reports'} is a folder; choose a file name for the document."
    (tmp_path / "memo.pdf").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_text(tmp_path / "memo", "x", force=True)
    with pytest.raises(OutputError, match="is a folder"):
        write_text(f"{tmp_path / 'reports'}{os.sep}", "x")
    with pytest.raises(OutputError) as refused:
        write_text(f"{tmp_path / 'missing'}{os.sep}", "x")
    assert str(refused.value) == f"The folder {tmp_path / 'missing'} does not exist."
    with pytest.raises(OutputError, match="does not exist"):
        write_text(tmp_path / "missing" / "memo.pdf", "x")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(OutputError) as refused:
        write_text(tmp_path / "notes.txt" / "memo.pdf", "x")
    assert str(refused.value) == f"{tmp_path / 'notes.txt'} is a file, not a folder."
    assert names(tmp_path) == ["memo.pdf", "notes.txt", "reports"]


def test_resolve_refuses_before_any_work(tmp_path):
    (tmp_path / "memo.pdf").write_text("x")
    with pytest.raises(OutputExistsError):
        resolve_output(tmp_path / "memo", ".pdf")
    resolved = resolve_output(tmp_path / "memo", ".pdf", force=True)
    assert (resolved.path, resolved.direct, resolved.replaces) == (tmp_path / "memo.pdf", False, True)
    assert names(tmp_path) == ["memo.pdf"]


# --------------------------------------------------------------------------- failures


def test_a_failure_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "memo.pdf"
    target.write_text("the previous, good copy")

    def broken(temporary: Path) -> None:
        temporary.write_text("half")
        raise RuntimeError("layout failed")

    with pytest.raises(RuntimeError, match="layout failed"):
        write_output(target, ".pdf", broken, force=True)
    assert names(tmp_path) == ["memo.pdf"] and target.read_text() == "the previous, good copy"

    def disk_full(temporary: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError) as refused:
        write_output(target, ".pdf", disk_full, force=True)
    assert str(refused.value) == f"Cannot write {target}: No space left on device"
    assert names(tmp_path) == ["memo.pdf"] and target.read_text() == "the previous, good copy"


def test_a_file_held_open_by_another_program_is_named_as_such(tmp_path, monkeypatch):
    """Windows refuses to replace a file a PDF viewer has open (a sharing violation, WinError 32)."""
    target = tmp_path / "memo.pdf"
    target.write_text("open in the viewer")

    def locked(source, destination):
        exc = PermissionError(errno.EACCES, "The process cannot access the file")
        exc.winerror = 32  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(outputs.os, "replace", locked)
    with pytest.raises(OutputError) as refused:
        write_text(target, "new", force=True)
    assert str(refused.value) == (
        f"{target} is open in another program; close it (e.g. in your PDF viewer) and try again."
    )
    assert names(tmp_path) == ["memo.pdf"] and target.read_text() == "open in the viewer"


@posix_only
def test_on_posix_a_refused_rename_is_not_called_a_lock(tmp_path, monkeypatch):
    target = tmp_path / "memo.pdf"

    def refused_rename(source, destination):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(outputs.os, "replace", refused_rename)
    with pytest.raises(OutputError, match="Cannot write .*Operation not permitted"):
        write_text(target, "new")
    assert names(tmp_path) == []


# --------------------------------------------------------------------------- devices and pipes


def read_in_background(path: Path) -> tuple[threading.Thread, list[bytes]]:
    received: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as stream:  # blocks until the writer opens the FIFO
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, received


@posix_only
def test_a_fifo_is_written_to_as_it_is(tmp_path):
    """Never renamed over (the issue: a regular file replaced /dev/null), no extension, no --force needed."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader, received = read_in_background(pipe)
    assert write_text(pipe, "a whole document") == pipe
    reader.join(timeout=10)
    assert received == [b"a whole document"]
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and names(tmp_path) == ["pipe"]


@posix_only
def test_a_fifo_gets_nothing_when_the_document_fails(tmp_path):
    pipe = tmp_path / "pipe.pdf"
    os.mkfifo(pipe)

    def broken(temporary: Path) -> None:
        raise RuntimeError("layout failed")

    with pytest.raises(RuntimeError):
        write_output(pipe, ".pdf", broken)  # the FIFO is not even opened: this would block otherwise
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and names(tmp_path) == ["pipe.pdf"]


@posix_only
def test_a_character_device_is_written_to_as_it_is(tmp_path):
    """A null device of our own, in tmp_path (never /dev): needs root and a system that allows mknod."""
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"mknod refused here: {exc}")
    before = os.lstat(device)
    assert write_text(device, "discarded") == device
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode) and after.st_ino == before.st_ino
    assert names(tmp_path) == ["null"]


@posix_only
def test_a_block_device_or_a_socket_is_refused(tmp_path):
    import socket

    folder = Path(os.path.relpath(tmp_path))  # a short name: socket paths are limited to ~100 bytes
    if len(str(folder / "s")) > 100:
        pytest.skip("tmp_path too long for a socket")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(folder / "s"))
        with pytest.raises(OutputError) as refused:
            write_text(folder / "s", "x", force=True)
    assert "is not a file Postventa can write to" in str(refused.value)
    assert stat.S_ISSOCK(os.lstat(tmp_path / "s").st_mode)
