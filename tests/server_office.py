"""An office server for tests that log in with passwords: `server init`, a small demo, a manager and
a rep with passwords. The test cluster (tests/postgres.py) makes members of PASSWORD_LOGINS
authenticate with SCRAM, as they would on an office server. PostgreSQL test runs only."""

from __future__ import annotations

import io
import sys
from urllib.parse import urlsplit

from app.cli import EXIT_OK, main
from tests.postgres import PASSWORD_LOGINS

PASSWORD = "Quartz-Lima-4412"


def run_cli(monkeypatch, capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """`postventa ARGS` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class Office:
    def __init__(self, url: str) -> None:
        self.url = url  # the superuser's (trust), who set the office up
        self.name = urlsplit(url).path.lstrip("/")
        self.socket = dict(part.split("=", 1) for part in urlsplit(url).query.split("&"))["host"]
        self.manager = f"{self.name}_mia"
        self.rep = f"{self.name}_ana"
        self.rep_id = 0

    def url_of(self, login: str) -> str:
        return self.url.replace("postgres@", f"{login}@")

    def admin(self):
        import psycopg2

        return psycopg2.connect(dbname=self.name, user="postgres", host=self.socket)


def set_up_office(url: str, monkeypatch, capsys) -> Office:
    office = Office(url)
    for args in (("server", "init", "--db", office.url), ("demo", "--db", office.url, "--customers", "20")):
        code, _out, err = run_cli(monkeypatch, capsys, *args)
        assert code == EXIT_OK, err
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT id, code FROM rep WHERE role = 'rep' ORDER BY id LIMIT 1")
        office.rep_id, rep_code = cursor.fetchone()
    for login, role, extra in ((office.manager, "manager", ()), (office.rep, "rep", ("--rep", rep_code))):
        args = (
            "user",
            "add",
            "--db",
            office.url,
            "--login",
            login,
            "--role",
            role,
            *extra,
            "--password-stdin",
        )
        code, _out, err = run_cli(monkeypatch, capsys, *args, stdin=PASSWORD + "\n")
        assert code == EXIT_OK, err
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {PASSWORD_LOGINS} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        cursor.execute(f"GRANT {PASSWORD_LOGINS} TO {office.manager}, {office.rep}")
    return office
