"""The command line and encrypted databases: new databases stay plain unless `--encrypt`, an encrypted
one opens with the keyring's key or the recovery key in POSTVENTA_RECOVERY_KEY, and is refused (one
line, the file untouched) without either; `postventa encryption status|encrypt|decrypt`."""

from __future__ import annotations

import re

import keyring
import pytest

from app.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from app.models import cipher
from tests.helpers import memory_keyring, one_line_error, run

pytestmark = [
    pytest.mark.sqlite_only("SQLCipher encrypts SQLite files"),
    pytest.mark.usefixtures("no_known_keys"),
]

RECOVERY = re.compile(r"\b(?:[A-Z2-7]{4}-){13}[A-Z2-7]{4}\b")


def test_demo_databases_are_plain_unless_encrypt_is_asked(tmp_path, capsys):
    plain = tmp_path / "plain.sqlite3"
    code, out, _err = run(capsys, "demo", "--db", str(plain), "--customers", "5")
    assert code == EXIT_OK and not cipher.is_encrypted(plain) and not RECOVERY.search(out)

    secret = tmp_path / "secret.sqlite3"
    code, out, _err = run(capsys, "demo", "--db", str(secret), "--customers", "5", "--encrypt")
    assert code == EXIT_OK and cipher.is_encrypted(secret)
    recovery = RECOVERY.search(out)
    assert recovery is not None and "shown only this once" in out

    # The keyring's key opens it for any command.
    cipher.forget_known_keys()
    code, out, _err = run(capsys, "check", "--db", str(secret))
    assert code == EXIT_OK, out

    # Without the key: refused on one line that says how to give the recovery key; the file untouched.
    keyring.set_keyring(memory_keyring())
    cipher.forget_known_keys()
    before = (secret.read_bytes(), secret.stat().st_mtime_ns)
    code, _out, err = run(capsys, "agenda", "--db", str(secret), "--ics", str(tmp_path / "a.ics"))
    assert code == EXIT_FAILURE
    assert cipher.RECOVERY_ENV_VAR in one_line_error(err)
    assert (secret.read_bytes(), secret.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.sqlite3", "secret.sqlite3"]

    # With the recovery key in the environment it opens.
    import os

    os.environ[cipher.RECOVERY_ENV_VAR] = recovery.group(0)
    try:
        code, out, err = run(capsys, "check", "--db", str(secret))
    finally:
        del os.environ[cipher.RECOVERY_ENV_VAR]
    assert code == EXIT_OK, err


def test_encrypt_is_refused_on_an_existing_plain_database(tmp_path, capsys):
    plain = tmp_path / "plain.sqlite3"
    assert run(capsys, "demo", "--db", str(plain), "--customers", "5")[0] == EXIT_OK
    before = plain.read_bytes()
    code, _out, err = run(capsys, "demo", "--db", str(plain), "--encrypt")
    assert code == EXIT_FAILURE and "postventa encryption encrypt" in one_line_error(err)
    assert plain.read_bytes() == before
    code, _out, _err = run(capsys, "sync", "--db", str(plain), "--server", "postgresql://x@h/db", "--encrypt")
    assert code == EXIT_USAGE


def test_the_encryption_command_encrypts_reports_and_decrypts(tmp_path, capsys):
    database = tmp_path / "data.sqlite3"
    assert run(capsys, "demo", "--db", str(database), "--customers", "5")[0] == EXIT_OK
    code, out, _err = run(capsys, "encryption", "status", "--db", str(database))
    assert code == EXIT_OK and "is not encrypted" in out

    code, out, _err = run(capsys, "encryption", "encrypt", "--db", str(database))
    assert code == EXIT_OK and cipher.is_encrypted(database) and RECOVERY.search(out)
    code, out, _err = run(capsys, "encryption", "status", "--db", str(database))
    assert "its key is in this computer's keyring" in out

    code, _out, err = run(capsys, "encryption", "encrypt", "--db", str(database))
    assert code == EXIT_FAILURE and "already encrypted" in one_line_error(err)

    code, out, _err = run(capsys, "encryption", "decrypt", "--db", str(database))
    assert code == EXIT_OK and not cipher.is_encrypted(database)
    assert run(capsys, "check", "--db", str(database))[0] == EXIT_OK
