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
