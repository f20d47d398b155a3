"""Helpers several test modules use: running the command line in-process and reading its one-line errors."""

from __future__ import annotations

from app.cli import main
from app.models.database import close_database


def run(capsys, *argv):
    """`postventa *argv` in this process: (exit code, stdout, stderr); the database is closed after."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse usage errors and --version
        code = exit_.code
    finally:
        close_database()
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("postventa")
    return lines[0]


def memory_keyring():
    """A fresh OS-keyring stand-in kept in memory: tests never read or write the machine's keyring."""
    import keyring.backend
    import keyring.errors

    class _Memory(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.passwords: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.passwords.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.passwords[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.passwords.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError(username)

    return _Memory()
