"""People who log in to the office server with their password, the app/server schema handshake and
`server upgrade`, on a real PostgreSQL: the test cluster makes members of PASSWORD_LOGINS
authenticate with SCRAM (tests/postgres.py), as they would on an office server."""

from __future__ import annotations

import re

import pytest

from app.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from app.models import dialect
from app.models.database import (
    DatabaseOpenError,
    LoginRequiredError,
    ServerUpgradeNeededError,
    close_database,
    forget_credentials,
    open_database,
)
from app.models.migrations import LATEST_VERSION
from tests.helpers import in_time_zone
from tests.server_office import PASSWORD, Office, run_cli, set_up_office

pytestmark = pytest.mark.postgresql_only("logins with passwords and the server's schema are the server's")


@pytest.fixture
def office(new_database, monkeypatch, capsys) -> Office:
    office = set_up_office(new_database("office"), monkeypatch, capsys)
    yield office
    close_database()
    forget_credentials(office.url_of(office.rep))


def test_a_login_without_its_password_is_asked_for_it_and_a_wrong_one_is_refused(office):
    with pytest.raises(LoginRequiredError) as missing:
        open_database(office.url_of(office.rep), create=False)
    assert not missing.value.rejected and missing.value.login == office.rep
    assert str(missing.value) == f"The office server asks for the password of {office.rep}."
    with pytest.raises(LoginRequiredError) as wrong:
        open_database(office.url_of(office.rep), create=False, password="not-it")
    assert wrong.value.rejected
    assert "not-it" not in str(wrong.value)
    assert str(wrong.value) == f"The office server did not accept the login {office.rep} with that password."


def test_the_logged_in_person_is_who_the_server_says(office):
    from app.services.permissions import Right, current_permissions

    open_database(office.url_of(office.rep), create=False, password=PASSWORD)
    rep = current_permissions()
    assert (rep.role, rep.login, rep.rep_id) == ("rep", office.rep, office.rep_id)
    assert not rep.may(Right.COMPANY_SETTINGS)
    assert rep.refusal(Right.COMPANY_SETTINGS) == "Only a manager can change the company settings."
    assert rep.may_change(office.rep_id, None) and not rep.may_change(None, office.rep_id + 1000)
    open_database(office.url_of(office.manager), create=False, password=PASSWORD)
    manager = current_permissions()
    assert (manager.role, manager.rep_id) == ("manager", None)
    assert manager.may(Right.COMPANY_SETTINGS) and manager.may_change(None, None)
    open_database(office.url, create=False)  # who ran server init is recorded as a manager
    assert (current_permissions().role, current_permissions().login) == ("manager", "postgres")


def test_a_disabled_login_is_told_so(office, monkeypatch, capsys):
    code, _out, err = run_cli(
        monkeypatch, capsys, "user", "disable", "--db", office.url, "--login", office.rep
    )
    assert code == EXIT_OK, err
    with pytest.raises(DatabaseOpenError, match=f"The login {office.rep} is disabled on the office server"):
        open_database(office.url_of(office.rep), create=False, password=PASSWORD)


def test_the_command_line_uses_the_password_the_window_remembered_and_never_shows_it(
    office, monkeypatch, capsys, isolated_settings
):
    from app import credentials, diagnostics

    rep_url = office.url_of(office.rep)
    code, out, err = run_cli(monkeypatch, capsys, "check", "--db", rep_url)
    assert code == EXIT_FAILURE
    assert err == f"postventa: The office server asks for the password of {office.rep}.\n"
    assert credentials.remember_password(rep_url, office.rep, PASSWORD)
    code, out, err = run_cli(monkeypatch, capsys, "check", "--db", rep_url)
    assert code == EXIT_OK, err
    assert "Row-level security:" in out
    code, out2, err2 = run_cli(
        monkeypatch, capsys, "agenda", "--db", rep_url, "--ics", str(isolated_settings / "a.ics")
    )
    assert code == EXIT_OK, err2
    logs = "".join(path.read_text() for path in diagnostics.log_folder().glob("*.log*"))
    assert PASSWORD not in out + err + out2 + err2 + logs


def test_check_lists_the_rights_in_place(office, monkeypatch, capsys):
    code, out, err = run_cli(monkeypatch, capsys, "check", "--db", office.url)
    assert code == EXIT_OK, err
    assert f"People and rights: 3 logins, group roles {office.name}_manager, {office.name}_rep" in out
    assert re.search(r"Row-level security: \d\d tables, \d\d+ policies", out)
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("ALTER TABLE warranty_return DISABLE ROW LEVEL SECURITY")
    code, out, err = run_cli(monkeypatch, capsys, "check", "--db", office.url)
    assert code == EXIT_FAILURE
    assert "Rights incomplete (warranty_return): run postventa server init again." in err


def _back_to_schema_8(office: Office) -> None:
    """Migrations 9 to 20 undone, as a server last upgraded by the previous release would be (its
    rights and sync objects in place; reps without hours of their own, the report indexes as they
    were, charter commitments without a scope, categories without a replacement cycle, no trigram
    index on the customers' search text, naive times written in Madrid, audit entries without their
    record's uid, no erasure log, no customer profiles, no collation key)."""
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Europe/Madrid'")
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type = 'timestamp with time zone'"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE timestamp')
        cursor.execute('DROP INDEX "customer_archived_sort_key"')
        cursor.execute("ALTER TABLE customer DROP COLUMN sort_key")
        cursor.execute('CREATE INDEX "customer_archived_name" ON customer (archived, name)')
        cursor.execute('DROP INDEX IF EXISTS "customer_archived_segment"')
        for name, table, *_rest in dialect._profile_triggers(postgresql=True):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            cursor.execute(f'DROP FUNCTION IF EXISTS "{name}"()')
        cursor.execute(f"DROP TABLE {dialect.CUSTOMER_PROFILE}, {dialect.CUSTOMER_PROFILE_STALE}")
        cursor.execute("DROP TABLE customer_erasure")
        cursor.execute("ALTER TABLE audit_entry DROP COLUMN entity_uid")
        cursor.execute("ALTER TABLE rep DROP COLUMN working_hours_start, DROP COLUMN working_hours_end")
        cursor.execute("ALTER TABLE product_category DROP COLUMN replacement_months")
        cursor.execute('DROP INDEX "customer_search_text_trgm"')
        for index in (
            "follow_up_state_scheduled_at_completed_at_rep_id",
            "follow_up_customer_id_state_outcome_completed_at",
            "sale_delivered_on_customer_id_rep_id",
            "check_answer_check_id_item_id_result_trained_on_site",
            "usage_check_status_completed_at_rep_id_passed_score",
            "satisfaction_survey_taken_on_satisfaction_recommend_rep_id",
        ):
            cursor.execute(f'DROP INDEX "{index}"')
        cursor.execute('CREATE INDEX "follow_up_state_scheduled_at" ON follow_up (state, scheduled_at)')
        cursor.execute('CREATE INDEX "usage_check_status_completed_at" ON usage_check (status, completed_at)')
        cursor.execute('CREATE INDEX "satisfaction_survey_taken_on" ON satisfaction_survey (taken_on)')
        cursor.execute(
            "ALTER TABLE charter_commitment DROP COLUMN case_categories, DROP COLUMN product_categories,"
            " DROP COLUMN channel"
        )
        for index, table, column in (  # schema 20 dropped them
            ("follow_up_customer_id", "follow_up", "customer_id"),
            ("follow_up_rep_id", "follow_up", "rep_id"),
            ("follow_up_sold_unit_id", "follow_up", "sold_unit_id"),
            ("check_answer_check_id", "check_answer", "check_id"),
            ("sale_customer_id", "sale", "customer_id"),
            ("customer_need_tag_customer_id", "customer_need_tag", "customer_id"),
        ):
            cursor.execute(f'CREATE INDEX "{index}" ON "{table}" ("{column}")')
        cursor.execute("UPDATE schema_version SET version = 8 WHERE version = 20")
        cursor.execute("DELETE FROM schema_version WHERE version > 8")


def test_an_older_server_asks_for_server_upgrade_which_keeps_the_rights(
    office, monkeypatch, capsys, tmp_path
):
    assert LATEST_VERSION == 20, "rewrite _back_to_schema_8 as the previous release's schema"
    # The upgrade runs in Madrid, where the office's naive times were written.
    with in_time_zone("Europe/Madrid"):
        _upgrade_keeps_times_and_rights(office, monkeypatch, capsys, tmp_path)


def _upgrade_keeps_times_and_rights(office, monkeypatch, capsys, tmp_path) -> None:
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(
            "SELECT uid, to_char(scheduled_at AT TIME ZONE 'Europe/Madrid', 'YYYY-MM-DD HH24:MI')"
            " FROM follow_up ORDER BY id LIMIT 20"
        )
        wall_clock_in_madrid = cursor.fetchall()
    _back_to_schema_8(office)
    with pytest.raises(
        ServerUpgradeNeededError, match="A manager upgrades it with: postventa server upgrade"
    ):
        open_database(office.url_of(office.rep), create=False, password=PASSWORD)
    code, out, err = run_cli(monkeypatch, capsys, "server", "upgrade", "--db", office.url)
    assert code == EXIT_USAGE
    assert "pg_dump --format=custom" in out
    assert err == "postventa: Run it again with --yes once the backup is taken.\n"
    code, out, err = run_cli(monkeypatch, capsys, "server", "upgrade", "--db", office.url, "--yes")
    assert code == EXIT_OK, err
    assert "Schema upgraded from 8 to 20." in out
    assert "Rights and row-level security policies applied to the upgraded schema." in out
    code, out, err = run_cli(monkeypatch, capsys, "server", "upgrade", "--db", office.url, "--yes")
    assert code == EXIT_OK and "already 20; nothing to upgrade" in out
    # Every row has its identity and a revision, and the rep works again, laptops included.
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customer WHERE uid IS NULL OR revision IS NULL")
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT count(*) FROM audit_entry WHERE label IS NULL OR changes IS NULL")
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT count(*) FROM charter_commitment WHERE case_categories <> '' OR channel IS NOT NULL"
        )
        assert cursor.fetchone() == (0,)  # upgraded commitments measure everything, as before
        # Times are moments now, each the one its wall-clock reading meant in Madrid.
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT uid, to_char(scheduled_at AT TIME ZONE 'Europe/Madrid', 'YYYY-MM-DD HH24:MI')"
            " FROM follow_up ORDER BY id LIMIT 20"
        )
        assert cursor.fetchall() == wall_clock_in_madrid
    from app.models.database import use_credentials
    from app.sync.engine import init_laptop

    use_credentials(office.url_of(office.rep), office.rep, PASSWORD)
    assert init_laptop(tmp_path / "ana.sqlite3", office.url_of(office.rep)).pulled > 0
    code, out, err = run_cli(monkeypatch, capsys, "check", "--db", office.url)
    assert code == EXIT_OK, err


def test_a_newer_server_refuses_this_older_app(office):
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (%s, now())", (LATEST_VERSION + 1,)
        )
    with pytest.raises(DatabaseOpenError, match="newer version of Postventa; update Postventa"):
        open_database(office.url_of(office.rep), create=False, password=PASSWORD)


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_each_person_runs_the_commands_with_their_own_login(office, who, monkeypatch, capsys, tmp_path):
    from app import credentials

    login = getattr(office, who)
    url = office.url_of(login)
    assert credentials.remember_password(url, login, PASSWORD)  # as the window's login dialog does
    for args in (
        ("check",),
        (
            "report",
            "activity",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--out",
            str(tmp_path / "a.pdf"),
        ),
        ("report", "charter", "--out", str(tmp_path / "c.pdf")),
        ("report", "register", "--year", "2026", "--out", str(tmp_path / "r.pdf")),
        ("agenda", "--ics", str(tmp_path / "a.ics")),
    ):
        code, out, err = run_cli(monkeypatch, capsys, *args, "--db", url)
        assert code == EXIT_OK, (args, err)
        assert PASSWORD not in out + err
    assert all((tmp_path / name).stat().st_size > 1000 for name in ("a.pdf", "c.pdf", "r.pdf"))
    assert (tmp_path / "a.ics").read_text().startswith("BEGIN:VCALENDAR")
