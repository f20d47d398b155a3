"""The office server: `server init`, `user add|disable|reset-password`, and the rights the server
enforces on each person's own connection (psycopg2 directly, bypassing the app), on a real
PostgreSQL (the test run's cluster; trust over its socket, so the logins connect without their
password; what a password guards is PostgreSQL's own business)."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from app.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from tests.conftest import ENGINE

pytestmark = pytest.mark.postgresql_only("logins, group roles and row-level security are the server's")

if ENGINE == "postgresql":
    import psycopg2
    from psycopg2 import errors as pg_errors

PASSWORD = "Zebra-Tango-7731"


def _cli(monkeypatch, capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@dataclass
class Office:
    url: str
    name: str
    socket: str
    manager: str
    ana: str  # rep linked to the first demo rep
    bruno: str  # rep linked to the second demo rep
    ana_rep: int
    bruno_rep: int
    outputs: str  # everything the CLI printed while setting up

    def connect(self, login: str):
        conn = psycopg2.connect(dbname=self.name, user=login, host=self.socket)
        return conn


@pytest.fixture
def office(new_database, monkeypatch, capsys) -> Office:
    url = new_database("office")
    name = urlsplit(url).path.lstrip("/")
    socket = dict(part.split("=", 1) for part in urlsplit(url).query.split("&"))["host"]
    seen = []
    for args, stdin in (
        (("server", "init", "--db", url), ""),
        (("demo", "--db", url, "--customers", "30"), ""),
    ):
        code, out, err = _cli(monkeypatch, capsys, *args, stdin=stdin)
        assert code == EXIT_OK, err
        seen.append(out + err)
    admin = psycopg2.connect(dbname=name, user="postgres", host=socket)
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.code FROM rep r WHERE r.role = 'rep' AND EXISTS "
            "(SELECT 1 FROM customer c WHERE c.rep_id = r.id) ORDER BY r.id LIMIT 2"
        )
        (ana_rep, ana_code), (bruno_rep, bruno_code) = cursor.fetchall()
    admin.close()
    logins = {"manager": f"{name}_mia", "ana": f"{name}_ana", "bruno": f"{name}_bruno"}
    for login, role, code in (
        (logins["manager"], "manager", None),
        (logins["ana"], "rep", ana_code),
        (logins["bruno"], "rep", bruno_code),
    ):
        args = ["user", "add", "--db", url, "--login", login, "--role", role, "--password-stdin"]
        if code:
            args += ["--rep", code]
        code_, out, err = _cli(monkeypatch, capsys, *args, stdin=PASSWORD + "\n")
        assert code_ == EXIT_OK, err
        assert out.strip() == f"Login {login} added ({'manager' if role == 'manager' else 'sales rep'})."
        seen.append(out + err)
    return Office(
        url,
        name,
        socket,
        logins["manager"],
        logins["ana"],
        logins["bruno"],
        ana_rep,
        bruno_rep,
        "".join(seen),
    )


def _refused(conn, statement: str, params: tuple = ()) -> None:
    with pytest.raises(pg_errors.InsufficientPrivilege):
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
    conn.rollback()


def _changes(conn, statement: str, params: tuple = ()) -> int:
    with conn.cursor() as cursor:
        cursor.execute(statement, params)
        count = cursor.rowcount
    conn.commit()
    return count


def _customer_of(conn, rep_id: int) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SELECT id FROM customer WHERE rep_id = %s ORDER BY id LIMIT 1", (rep_id,))
        return cursor.fetchone()[0]


def test_server_init_twice_changes_nothing_the_second_time(new_database, monkeypatch, capsys):
    url = new_database("office")
    name = urlsplit(url).path.lstrip("/")
    code, first, err = _cli(monkeypatch, capsys, "server", "init", "--db", url)
    assert code == EXIT_OK, err
    assert f"Group role {name}_manager created." in first
    assert "postgres recorded as a manager." in first
    code, second, err = _cli(monkeypatch, capsys, "server", "init", "--db", url)
    assert code == EXIT_OK, err
    assert f"Group role {name}_rep already exists." in second
    assert "Rights and row-level security policies already in place." in second
    assert second.strip().endswith("The server was already set up; nothing changed.")


def test_a_rep_changes_their_own_customers_only_and_never_the_assignment(office):
    ana = office.connect(office.ana)
    own, others = _customer_of(ana, office.ana_rep), _customer_of(ana, office.bruno_rep)
    assert _changes(ana, "UPDATE customer SET notes = 'called' WHERE id = %s", (own,)) == 1
    _refused(ana, "UPDATE customer SET notes = 'mine now' WHERE id = %s", (others,))
    _refused(ana, "UPDATE customer SET rep_id = %s WHERE id = %s", (office.ana_rep, others))
    _refused(ana, "UPDATE customer SET rep_id = %s WHERE id = %s", (office.bruno_rep, own))
    ana.close()


def test_a_rep_cannot_take_over_another_reps_case_nor_rewrite_settings(office):
    ana = office.connect(office.ana)
    others = _customer_of(ana, office.bruno_rep)
    _refused(ana, "UPDATE company_setting SET value = 'X-' WHERE key = 'complaint_prefix'")
    _refused(ana, "INSERT INTO company_setting (key, value) VALUES ('currency', 'USD')")
    _refused(ana, "UPDATE service_charter SET title = 'ours'")
    _refused(ana, "UPDATE follow_up_plan SET name = 'ours'")
    _refused(ana, "UPDATE check_template SET name = 'ours'")
    _refused(ana, "INSERT INTO app_user (login, role) VALUES ('friend', 'manager')")
    _refused(ana, "UPDATE app_user SET role = 'manager'")
    _refused(ana, "UPDATE follow_up SET rep_id = %s WHERE customer_id = %s", (office.ana_rep, others))
    _refused(ana, "DELETE FROM follow_up WHERE customer_id = %s", (others,))
    mine = (
        "UPDATE follow_up SET notes = 'done' WHERE customer_id IN (SELECT id FROM customer WHERE rep_id = %s)"
    )
    assert _changes(ana, mine, (office.ana_rep,)) >= 1
    ana.close()


def test_a_rep_opens_a_case_for_any_customer_and_the_audit_says_who(office):
    ana = office.connect(office.ana)
    others = _customer_of(ana, office.bruno_rep)
    with ana.cursor() as cursor:
        copied = (
            "created_at, updated_at, row_version, series, kind, stage, channel, received_on, customer_words,"
            " requested_compensation, mediation_body, mediation_reference, mediation_outcome, department,"
            " department_response"
        )
        cursor.execute(
            f'INSERT INTO "case" (number, year, sequence, customer_id, rep_id, {copied})'
            f" SELECT 'REC-2099-0001', 2099, 1, %s, %s, {copied} FROM \"case\" LIMIT 1 RETURNING id",
            (others, office.ana_rep),
        )
        case_id = cursor.fetchone()[0]
        # The client claims to be someone else: the server writes who really is connected.
        cursor.execute(
            "INSERT INTO audit_entry (at, action, entity, entity_id, details, login)"
            " VALUES (now(), 'create', 'case', %s, '', 'somebody_else') RETURNING login",
            (case_id,),
        )
        assert cursor.fetchone()[0] == office.ana
    ana.commit()
    ana.close()


@pytest.mark.parametrize("who", ["ana", "manager"])
def test_nobody_changes_the_audit_log(office, who):
    login = office.manager if who == "manager" else office.ana
    conn = office.connect(login)
    _refused(conn, "UPDATE audit_entry SET action = 'nothing'")
    _refused(conn, "DELETE FROM audit_entry")
    conn.close()


def test_the_manager_changes_settings_and_assignment(office):
    mia = office.connect(office.manager)
    others = _customer_of(mia, office.bruno_rep)
    assert _changes(mia, "UPDATE company_setting SET value = 'RC-' WHERE key = 'complaint_prefix'") == 1
    assert _changes(mia, "UPDATE customer SET rep_id = %s WHERE id = %s", (office.ana_rep, others)) == 1
    mia.close()


def test_a_disabled_login_cannot_connect(office, monkeypatch, capsys):
    office.connect(office.bruno).close()
    code, out, err = _cli(monkeypatch, capsys, "user", "disable", "--db", office.url, "--login", office.bruno)
    assert code == EXIT_OK, err
    assert "can no longer connect" in out
    with pytest.raises(psycopg2.OperationalError, match="not permitted to log in"):
        office.connect(office.bruno)
    code, out, err = _cli(monkeypatch, capsys, "user", "disable", "--db", office.url, "--login", office.bruno)
    assert code == EXIT_OK and "already disabled" in out


def test_the_password_is_never_printed(office, monkeypatch, capsys):
    outputs = [office.outputs]
    for args in (
        ("user", "reset-password", "--db", office.url, "--login", office.ana, "--password-stdin"),
        # Refused: the login exists already; the refusal does not repeat the password either.
        ("user", "add", "--db", office.url, "--login", office.ana, "--role", "rep", "--password-stdin"),
    ):
        code, out, err = _cli(monkeypatch, capsys, *args, stdin=PASSWORD + "\n")
        outputs.append(out + err)
    assert code == EXIT_FAILURE
    assert "already exists" in outputs[-1]
    assert PASSWORD not in "".join(outputs)
    # Only a hash of it reached the server.
    conn = psycopg2.connect(dbname=office.name, user="postgres", host=office.socket)
    with conn.cursor() as cursor:
        cursor.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (office.ana,))
        assert cursor.fetchone()[0].startswith("SCRAM-SHA-256$")
    conn.close()


def test_user_commands_refuse_what_they_cannot_do(office, monkeypatch, capsys):
    with pytest.raises(SystemExit) as usage:  # the password only ever comes on standard input
        _cli(monkeypatch, capsys, "user", "add", "--db", office.url, "--login", "x", "--role", "rep")
    assert usage.value.code == EXIT_USAGE
    assert "--password-stdin" in capsys.readouterr().err
    code, _out, err = _cli(
        monkeypatch, capsys, "user", "disable", "--db", office.url, "--login", "nobody_here"
    )
    assert code == EXIT_FAILURE
    assert err.strip() == "postventa: nobody_here is not a Postventa user of this database."
    code, _out, err = _cli(
        monkeypatch,
        capsys,
        "user",
        "add",
        "--db",
        office.url,
        "--login",
        "Bad Name",
        "--role",
        "rep",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == EXIT_FAILURE and err.count("\n") == 1


def test_the_app_as_a_rep_gets_a_readable_refusal(office):
    from app.models.database import close_database, open_database
    from app.services.company import load_company_settings, save_company_settings
    from app.services.errors import RightsRefusedError

    rep_url = office.url.replace("postgres@", f"{office.ana}@")
    open_database(rep_url, create=False)
    try:
        settings = load_company_settings()
        with pytest.raises(RightsRefusedError, match="You do not have the rights to make this change"):
            save_company_settings(settings)
    finally:
        close_database()


def test_a_rep_reading_the_at_risk_list_stores_the_profiles_the_sales_made_stale(office):
    """The customers' stored profiles (schema 17): a rep's write makes a profile stale (the
    triggers run with the rep's rights) and a rep's reading of the list stores it again."""
    import datetime as dt

    from app.models import db
    from app.models.database import close_database, open_database
    from app.models.dialect import CUSTOMER_PROFILE, CUSTOMER_PROFILE_STALE
    from app.services.customers.risk import at_risk

    ana = office.connect(office.ana)
    own = _customer_of(ana, office.ana_rep)
    _changes(ana, "UPDATE sale SET sold_on = sold_on - 1 WHERE customer_id = %s", (own,))
    ana.close()
    rep_url = office.url.replace("postgres@", f"{office.ana}@")
    open_database(rep_url, create=False)
    try:
        assert db.execute_sql(f"SELECT COUNT(*) FROM {CUSTOMER_PROFILE_STALE}").fetchone()[0] > 0
        at_risk(dt.date(2026, 11, 23), rep_id=office.ana_rep)
        assert db.execute_sql(f"SELECT COUNT(*) FROM {CUSTOMER_PROFILE_STALE}").fetchone()[0] == 0
        stored = db.execute_sql(f"SELECT COUNT(*) FROM {CUSTOMER_PROFILE} WHERE customer_id = %s", (own,))
        assert stored.fetchone()[0] == 1
    finally:
        close_database()
