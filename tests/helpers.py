"""Helpers several test modules use: running the command line in-process and reading its one-line errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator

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


def working_slots(count: int, days_ahead: int = 1, at: dt.time = dt.time(10, 0)) -> list[dt.datetime]:
    """`at` on `count` successive working days (company region), the first at least `days_ahead` away.

    Follow-ups placed relative to the real today must not land on a weekend, a holiday or outside
    the working hours, or a test passes or fails by the day and hour it runs.
    """
    from app.services.followups.working_days import to_working_day

    days = [to_working_day(dt.date.today() + dt.timedelta(days=days_ahead))]
    while len(days) < count:
        days.append(to_working_day(days[-1] + dt.timedelta(days=1)))
    return [dt.datetime.combine(day, at) for day in days]


def working_slot(days_ahead: int, at: dt.time = dt.time(10, 0)) -> dt.datetime:
    """`at` on the first working day at least `days_ahead` days from today (see working_slots)."""
    return working_slots(1, days_ahead, at)[0]


@contextlib.contextmanager
def in_time_zone(name: str) -> Iterator[None]:
    """This process as a machine in the IANA time zone `name` (POSIX): Python's local time, SQLite's
    'localtime'/'utc' and the office session's TimeZone (app.models.clock) all follow `TZ`."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
