"""Who may do what on the office server (PostgreSQL): group roles, GRANTs, row-level security,
the people's login roles and the audit's "who". All the SQL of the rights lives here.

The rules (issue 15, item 5), each implemented where its number appears below:

R1 managers change everything (their group role has every privilege, and a policy letting all rows
   through on each table with row-level security);
R2 reps read the whole team's data (SELECT on every table, a policy `USING (true)`);
R3 reps create cases, returns, follow-ups, sales, checks and surveys for any customer, with their
   history rows and audit entries (INSERT, a policy `WITH CHECK (true)`);
R4 reps change or delete a record only where they are its rep or its customer's rep, before and
   after the change (the UPDATE policy's WITH CHECK and the `postventa_rep_guard` trigger, both
   calling `postventa_rep_may_change`), and a customer only when it is theirs;
R5 reps cannot change company settings, charters, plans, checklist templates, the catalogue, the
   team (rep) or the users (app_user): SELECT only on those tables; nor customer assignment: their
   UPDATE privilege on `customer` leaves out `rep_id`, and a customer they create is theirs or nobody's;
R6 nobody changes the audit log: both groups get SELECT and INSERT only on `audit_entry`, never
   UPDATE or DELETE; the history tables (case and return state changes) are insert-only for reps;
R7 the audit's "who" is the server's: a `login` column filled by a trigger with `current_user`,
   whatever the client sends;
R8 only the people of this database connect to it: CONNECT is revoked from PUBLIC and granted to
   the two group roles; a disabled login is NOLOGIN.

Group roles are cluster-wide in PostgreSQL while GRANTs and policies are per database, so they are
named after the database (`<database>_manager`, `<database>_rep`): with fixed names, a rep of one
company's database on the same server would be a member of the role the other database's policies
name. For a database called `postventa` the names are `postventa_manager` and `postventa_rep`.

The people's mapping (login → role, rep record, disabled) is the table `app_user`, created here,
read by the policies through `postventa_my_rep()`. A password is hashed here, by the driver, the way
the server's `password_encryption` asks (SCRAM-SHA-256 by default), and only that hash travels, as
a quoted literal in `CREATE/ALTER ROLE` on the raw driver cursor (not through peewee, whose debug
log prints parameters): the clear password never reaches the server, its statement log, our logs
or a message.

No Qt; only for PostgreSQL (`is_server`): the commands refuse an SQLite file before calling here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peewee import Database
from psycopg2 import sql
from psycopg2.extensions import encrypt_password

from app.i18n import _
from app.models.dialect import CUSTOMER_PROFILE, CUSTOMER_PROFILE_STALE

MANAGER, REP = "manager", "rep"
ROLES = (MANAGER, REP)
_NAME_MAX = 63  # PostgreSQL's NAMEDATALEN - 1
LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")

# R5: written only by managers (reps: SELECT).
MANAGED_TABLES = (
    "schema_version",
    "company_setting",
    "rep",
    "need_tag",
    "product_category",
    "product",
    "follow_up_plan",
    "follow_up_plan_step",
    "check_template",
    "check_item",
    "service_charter",
    "charter_commitment",
    "customer_erasure",  # the erasure log (schema 16): only a manager erases a customer's data
)
# R3/R4: records with their own customer and rep.
OWNED_TABLES = ("case", "sale", "warranty_return", "follow_up", "usage_check", "satisfaction_survey")
# R3/R4: records reached through a parent: (table, parent table, column pointing to the parent).
CHILD_TABLES = (
    ("sold_unit", None, None),  # has customer_id, no rep_id
    ("customer_need_tag", None, None),  # has customer_id
    ("case_proposal", "case", "case_id"),
    ("sale_line", "sale", "sale_id"),
    ("check_answer", "usage_check", "check_id"),
)
# R6: history, insert-only for reps.
HISTORY_TABLES = ("case_stage_change", "return_status_change")
AUDIT_TABLE = "audit_entry"
USER_TABLE = "app_user"


class RightsError(Exception):
    """A server or user command refused; the message (one line, the user's language) says why."""


@dataclass(frozen=True)
class GroupRoles:
    manager: str
    rep: str

    def of(self, role: str) -> str:
        return self.manager if role == MANAGER else self.rep


def group_roles(database_name: str) -> GroupRoles:
    """The group roles of one database (named after it: roles are cluster-wide)."""
    roles = GroupRoles(f"{database_name}_{MANAGER}", f"{database_name}_{REP}")
    if len(roles.manager.encode()) > _NAME_MAX:
        raise RightsError(
            _("The database name {name} is too long to name its roles; use a shorter name.").format(
                name=database_name
            )
        )
    return roles


def _cursor(database: Database):
    return database.connection().cursor()


def _one(database: Database, query, params: tuple | None = None):
    cursor = _cursor(database)
    cursor.execute(query, params)
    row = cursor.fetchone()
    return None if row is None else row[0]


def _run(database: Database, query, params: tuple | None = None) -> None:
    _cursor(database).execute(query, params)


def current_database_roles(database: Database) -> GroupRoles:
    return group_roles(_one(database, "SELECT current_database()"))


def _role_exists(database: Database, name: str) -> bool:
    return bool(_one(database, "SELECT count(*) FROM pg_roles WHERE rolname = %s", (name,)))


def _table_exists(database: Database, name: str) -> bool:
    return _one(database, "SELECT to_regclass(%s)", (f"public.{name}",)) is not None


# What an erasure writes in place of a person's data (app.services.customers.privacy.ERASED).
ERASED_MARK = "***"


def _erasure_function(run, manager: sql.Identifier) -> None:
    """postventa_erase_audit(entry, changes, details): R6's exception for erasing a person."""
    mark = "'\"" + ERASED_MARK + "\"'::jsonb"
    run(
        "CREATE OR REPLACE FUNCTION postventa_erased_value(o jsonb, n jsonb) RETURNS boolean LANGUAGE sql "
        f"IMMUTABLE AS $$ SELECT o = n OR n = {mark} OR (jsonb_typeof(o) = 'array' AND jsonb_typeof(n) = 'array' "
        "AND jsonb_array_length(o) = jsonb_array_length(n) AND NOT EXISTS (SELECT 1 FROM "
        f"generate_series(0, jsonb_array_length(o) - 1) i WHERE NOT (o->i = n->i OR n->i = {mark}))) $$"
    )
    run(
        "CREATE OR REPLACE FUNCTION postventa_only_erased(old text, new text) RETURNS boolean LANGUAGE plpgsql "
        "IMMUTABLE AS $$ DECLARE o jsonb; n jsonb; k text; BEGIN "
        "IF old IS NOT DISTINCT FROM new THEN RETURN true; END IF; "
        "IF coalesce(old, '') = '' OR coalesce(new, '') = '' THEN RETURN false; END IF; "
        "o := old::jsonb; n := new::jsonb; "
        "IF jsonb_typeof(o) <> 'object' OR jsonb_typeof(n) <> 'object' THEN RETURN false; END IF; "
        "IF (SELECT array_agg(x ORDER BY x) FROM jsonb_object_keys(o) x) IS DISTINCT FROM "
        "(SELECT array_agg(x ORDER BY x) FROM jsonb_object_keys(n) x) THEN RETURN false; END IF; "
        "FOR k IN SELECT jsonb_object_keys(o) LOOP "
        "IF NOT postventa_erased_value(o->k, n->k) THEN RETURN false; END IF; END LOOP; "
        "RETURN true; END $$"
    )
    run(
        "CREATE OR REPLACE FUNCTION postventa_erase_audit(entry integer, new_changes text, new_details text) "
        "RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
        "DECLARE old_changes text; old_details text; BEGIN "
        "SELECT changes, details INTO old_changes, old_details FROM audit_entry WHERE id = entry; "
        "IF NOT FOUND THEN RETURN; END IF; "
        "IF NOT postventa_only_erased(old_changes, new_changes) OR NOT postventa_only_erased(old_details, new_details) "
        "THEN RAISE insufficient_privilege USING MESSAGE = 'the audit log changes only to erase a person''s data'; "
        "END IF; "
        "UPDATE audit_entry SET changes = new_changes, details = new_details WHERE id = entry; END $$"
    )
    run("REVOKE ALL ON FUNCTION postventa_erase_audit(integer, text, text) FROM PUBLIC")
    run("GRANT EXECUTE ON FUNCTION postventa_erase_audit(integer, text, text) TO {}", manager)


# --- server init ---------------------------------------------------------------------------------


def initialise_server(database: Database) -> list[tuple[bool, str]]:
    """Group roles, the user table, GRANTs, policies and the connecting role recorded as a manager,
    in one transaction. Returns (changed, line) per outcome; running it again changes nothing."""
    can_create = _one(database, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    if not can_create:
        raise RightsError(
            _("{login} may not create roles: run server init as the database owner with CREATEROLE.").format(
                login=_one(database, "SELECT current_user")
            )
        )
    outcomes: list[tuple[bool, str]] = []
    with database.atomic():
        roles = current_database_roles(database)
        for name in (roles.manager, roles.rep):
            if _role_exists(database, name):
                outcomes.append((False, _("Group role {role} already exists.").format(role=name)))
            else:
                _run(database, sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
                outcomes.append((True, _("Group role {role} created.").format(role=name)))
        if _table_exists(database, USER_TABLE):
            outcomes.append((False, _("The user table already exists.")))
        else:
            _create_user_table(database)
            outcomes.append((True, _("User table created.")))
        before = _rights_fingerprint(database, roles)
        _apply_rights(database, roles)
        if _rights_fingerprint(database, roles) == before:
            outcomes.append((False, _("Rights and row-level security policies already in place.")))
        else:
            outcomes.append((True, _("Rights and row-level security policies applied.")))
        me = _one(database, "SELECT current_user")
        inserted = _one(
            database,
            f"INSERT INTO {USER_TABLE} (login, role) VALUES (current_user, %s) "
            "ON CONFLICT (login) DO NOTHING RETURNING login",
            (MANAGER,),
        )
        if inserted:
            outcomes.append((True, _("{login} recorded as a manager.").format(login=me)))
        else:
            outcomes.append((False, _("{login} is already recorded.").format(login=me)))
    return outcomes


def _create_user_table(database: Database) -> None:
    _run(
        database,
        f"CREATE TABLE {USER_TABLE} ("
        " login varchar(63) PRIMARY KEY,"
        " role varchar(10) NOT NULL CHECK (role IN ('manager', 'rep')),"
        " rep_id integer NULL REFERENCES rep (id) ON DELETE SET NULL,"
        " disabled boolean NOT NULL DEFAULT false,"
        " created_at timestamptz NOT NULL DEFAULT now())",
    )


def _rights_fingerprint(database: Database, roles: GroupRoles) -> tuple:
    """What _apply_rights sets, as the catalogues show it: to say whether it changed anything."""
    cursor = _cursor(database)
    cursor.execute(
        "SELECT c.relname, c.relrowsecurity, c.relacl::text,"
        " (SELECT string_agg(a.attname || coalesce(a.attacl::text, ''), ',' ORDER BY a.attnum)"
        "  FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' ORDER BY c.relname"
    )
    tables = tuple(cursor.fetchall())
    cursor.execute(
        "SELECT tablename, policyname, roles::text, cmd, qual, with_check FROM pg_policies"
        " WHERE schemaname = 'public' ORDER BY 1, 2"
    )
    policies = tuple(cursor.fetchall())
    cursor.execute("SELECT datacl::text FROM pg_database WHERE datname = current_database()")
    connect = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'postventa\\_%'")
    functions = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'postventa_audit_login'")
    return tables, policies, connect, functions, cursor.fetchone()


def _apply_rights(database: Database, roles: GroupRoles) -> None:
    # Laptops first (app.models.sync_schema): a revision on every change, tombstones, applied pushes
    # and conflicts; its columns exist before the column rights below are granted.
    from app.models.sync_schema import enable_sync

    enable_sync(database, (roles.manager, roles.rep))
    manager, rep = sql.Identifier(roles.manager), sql.Identifier(roles.rep)
    both = sql.SQL("{}, {}").format(manager, rep)

    def run(template: str, *names: object) -> None:
        _run(database, sql.SQL(template).format(*names))

    # R8: only the two groups (and the owner) connect.
    run(
        "REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC",
        sql.Identifier(_one(database, "SELECT current_database()")),
    )
    run(
        "GRANT CONNECT ON DATABASE {} TO {}",
        sql.Identifier(_one(database, "SELECT current_database()")),
        both,
    )
    run("GRANT USAGE ON SCHEMA public TO {}", both)
    run("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}", both)
    # Tables and sequences a later migration adds (by this role) are readable too; their write
    # rights come with `server upgrade`, which applies these rights again after migrating.
    run("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {}", both)
    run("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}", both)

    # The rep record of the person connected (NULL for managers without one, unknown or disabled
    # logins): invoker's rights, so it reads app_user as the person may (SELECT).
    run(
        "CREATE OR REPLACE FUNCTION postventa_my_rep() RETURNS integer LANGUAGE sql STABLE AS "
        "$$ SELECT rep_id FROM app_user WHERE login = current_user AND NOT disabled $$"
    )
    # R4: a rep may change a record of theirs or of one of their customers.
    run(
        "CREATE OR REPLACE FUNCTION postventa_rep_may_change(record_customer integer, record_rep integer) "
        "RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT COALESCE(record_rep = postventa_my_rep(), false) "
        "OR EXISTS (SELECT 1 FROM customer c WHERE c.id = record_customer AND c.rep_id = postventa_my_rep()) $$"
    )

    # R1/R2: every table readable by both groups, writable by managers (except R6's).
    everything = [
        *MANAGED_TABLES,
        "customer",
        *OWNED_TABLES,
        *(t for t, _p, _c in CHILD_TABLES),
        *HISTORY_TABLES,
    ]
    for table in everything:
        run("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}", sql.Identifier(table), manager)
        run("GRANT SELECT ON {} TO {}", sql.Identifier(table), rep)
    # R5: users are managed by the server's administrator (CREATEROLE), read by everyone.
    run("GRANT SELECT ON {} TO {}", sql.Identifier(USER_TABLE), both)
    # R6: the audit log is insert-only for everyone.
    run("GRANT SELECT, INSERT ON {} TO {}", sql.Identifier(AUDIT_TABLE), both)
    # Customers' stored profiles (schema 17, each database's own, no personal data): whoever writes
    # what a profile is computed from makes it stale (triggers), whoever reads the at-risk list
    # stores it again (app.services.customers.risk).
    for table in (CUSTOMER_PROFILE, CUSTOMER_PROFILE_STALE):
        if _one(database, "SELECT to_regclass(%s) IS NOT NULL", (table,)):
            run("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}", sql.Identifier(table), both)
    # R6's one exception, erasing a person (issue 18): a manager may replace values of an entry's
    # changes and details by the erased mark, nothing else (a function with its owner's rights that
    # checks the new text differs from the old only so).
    _erasure_function(run, manager)
    # R7: the audit's "who", from the server.
    run("ALTER TABLE audit_entry ADD COLUMN IF NOT EXISTS login varchar(63) NOT NULL DEFAULT current_user")
    run(
        "CREATE OR REPLACE FUNCTION postventa_audit_login() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.login := current_user; RETURN NEW; END $$"
    )
    run("DROP TRIGGER IF EXISTS postventa_audit_login ON audit_entry")
    run(
        "CREATE TRIGGER postventa_audit_login BEFORE INSERT ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION postventa_audit_login()"
    )

    # R3/R4: what reps write, row by row.
    for table in [*OWNED_TABLES, *(t for t, _p, _c in CHILD_TABLES)]:
        run("GRANT INSERT, UPDATE, DELETE ON {} TO {}", sql.Identifier(table), rep)
    for table in HISTORY_TABLES:  # R6: history rows are added, never rewritten
        run("GRANT INSERT ON {} TO {}", sql.Identifier(table), rep)
    run("GRANT INSERT ON need_tag TO {}", rep)  # tagging a customer may add a new tag
    # R5: a rep changes any column of their customer except its assignment (rep_id).
    columns = [
        name
        for (name,) in _all(
            database,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND table_name = 'customer' AND column_name NOT IN ('id', 'rep_id') ORDER BY ordinal_position",
        )
    ]
    run(  # INSERT for the whole row: the insert policy checks rep_id
        "GRANT INSERT, UPDATE ({}) ON customer TO {}",
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        rep,
    )

    # R4's "which record" is decided on the row as it was (OLD), which a policy cannot see: an
    # UPDATE policy's USING would only hide another rep's rows (0 rows updated, no error). So the
    # policies let reps reach every row and check the row as it will be (WITH CHECK, refused with
    # 42501), and a trigger refuses, with the same SQLSTATE, a rep's change of a row that was not
    # theirs (e.g. taking over another rep's case by writing their own rep_id into it).
    run(
        "CREATE OR REPLACE FUNCTION postventa_rep_guard() RETURNS trigger LANGUAGE plpgsql AS $$"
        " DECLARE allowed boolean; BEGIN"
        " IF pg_has_role(current_user, TG_ARGV[1], 'MEMBER')"
        "  OR NOT pg_has_role(current_user, TG_ARGV[2], 'MEMBER') THEN RETURN COALESCE(NEW, OLD); END IF;"
        " EXECUTE 'SELECT ' || TG_ARGV[0] INTO allowed USING OLD;"
        " IF NOT COALESCE(allowed, false) THEN"
        "  RAISE EXCEPTION 'permission denied: % of a record of another rep', lower(TG_OP) USING ERRCODE = '42501';"
        " END IF; RETURN COALESCE(NEW, OLD); END $$"
    )

    # Row-level security: one policy per rule and table, replaced on every run.
    row_checked = ["customer", *OWNED_TABLES, *(t for t, _p, _c in CHILD_TABLES), *HISTORY_TABLES]
    for table in row_checked:
        name = sql.Identifier(table)
        run("ALTER TABLE {} ENABLE ROW LEVEL SECURITY", name)
        _policy(database, table, "manager_all", "ALL", manager, "true", "true")  # R1
        _policy(database, table, "rep_read", "SELECT", rep, "true", None)  # R2
        if table == "customer":
            # R3/R5: a customer a rep creates is theirs or unassigned.
            _policy(
                database,
                table,
                "rep_insert",
                "INSERT",
                rep,
                None,
                "rep_id IS NULL OR rep_id = postventa_my_rep()",
            )
            # R4: only their own customers (rep_id itself is out of their UPDATE privilege, so the
            # row as it will be tells whose it was).
            _policy(database, table, "rep_update", "UPDATE", rep, "true", "rep_id = postventa_my_rep()")
            continue
        _policy(database, table, "rep_insert", "INSERT", rep, None, "true")  # R3
        if table in HISTORY_TABLES:
            continue
        _policy(
            database, table, "rep_update", "UPDATE", rep, "true", _rep_predicate(table, "")
        )  # R4 (new row)
        _policy(database, table, "rep_delete", "DELETE", rep, "true", None)  # R4 (the trigger)
        trigger = sql.Identifier(f"postventa_rep_guard_{table}")
        run("DROP TRIGGER IF EXISTS {} ON {}", trigger, name)
        run(
            "CREATE TRIGGER {} BEFORE UPDATE OR DELETE ON {} FOR EACH ROW EXECUTE FUNCTION postventa_rep_guard({}, {}, {})",
            trigger,
            name,
            sql.Literal(_rep_predicate(table, "($1).")),
            sql.Literal(roles.manager),
            sql.Literal(roles.rep),
        )


def _rep_predicate(table: str, row: str) -> str:
    """R4's condition for one table: the record's (or its parent's) rep or customer's rep is the
    person's. `row` prefixes the record's columns ("" in a policy, "($1)." for the trigger's OLD)."""
    if table in OWNED_TABLES:
        return f"postventa_rep_may_change({row}customer_id, {row}rep_id)"
    for child, parent, column in CHILD_TABLES:
        if child == table and parent is None:
            return f"postventa_rep_may_change({row}customer_id, NULL)"
        if child == table:
            return (
                f'EXISTS (SELECT 1 FROM "{parent}" p WHERE p.id = {row}{column} '
                "AND postventa_rep_may_change(p.customer_id, p.rep_id))"
            )
    raise ValueError(table)


def _policy(
    database: Database, table: str, name: str, command: str, role, using: str | None, check: str | None
) -> None:
    policy = sql.Identifier(f"postventa_{name}")
    _run(database, sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(policy, sql.Identifier(table)))
    text = "CREATE POLICY {} ON {} FOR " + command + " TO {}"
    if using is not None:
        text += f" USING ({using})"
    if check is not None:
        text += f" WITH CHECK ({check})"
    _run(database, sql.SQL(text).format(policy, sql.Identifier(table), role))


def _all(database: Database, query: str, params: tuple | None = None) -> list:
    cursor = _cursor(database)
    cursor.execute(query, params)
    return cursor.fetchall()


def is_initialised(database: Database) -> bool:
    return _table_exists(database, USER_TABLE)


# --- people --------------------------------------------------------------------------------------


def _require_initialised(database: Database) -> GroupRoles:
    if not is_initialised(database):
        raise RightsError(_("This database has no users yet: run postventa server init first."))
    return current_database_roles(database)


def _check_login(login: str) -> None:
    if not LOGIN_PATTERN.match(login):
        raise RightsError(
            _(
                "{login} is not a usable login: use lower-case letters, digits, '_', '.' or '-', starting with a letter (63 at most)."
            ).format(login=login)
        )


def _check_password(password: str) -> None:
    if not password:
        raise RightsError(_("No password was given on standard input."))


def _hashed(database: Database, login: str, password: str) -> str:
    """The password as the server stores it (the algorithm of its password_encryption setting)."""
    return encrypt_password(password, login, database.connection())


def add_user(database: Database, login: str, role: str, rep_id: int | None, password: str) -> None:
    """A LOGIN role member of the group, with its row in app_user."""
    _check_login(login)
    _check_password(password)
    roles = _require_initialised(database)
    with database.atomic():
        if _role_exists(database, login):
            raise RightsError(_("The login {login} already exists.").format(login=login))
        _run(
            database,
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(login),
                sql.Literal(_hashed(database, login, password)),
                sql.Identifier(roles.of(role)),
            ),
        )
        _run(
            database,
            f"INSERT INTO {USER_TABLE} (login, role, rep_id) VALUES (%s, %s, %s)",
            (login, role, rep_id),
        )


def _known_user(database: Database, login: str) -> None:
    _check_login(login)
    _require_initialised(database)
    if not _one(database, f"SELECT count(*) FROM {USER_TABLE} WHERE login = %s", (login,)):
        raise RightsError(_("{login} is not a Postventa user of this database.").format(login=login))


def disable_user(database: Database, login: str) -> bool:
    """NOLOGIN, marked disabled, its open sessions ended where we may; False when it already was."""
    _known_user(database, login)
    with database.atomic():
        if _one(database, f"SELECT disabled FROM {USER_TABLE} WHERE login = %s", (login,)):
            return False
        _run(database, sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(login)))
        _run(database, f"UPDATE {USER_TABLE} SET disabled = true WHERE login = %s", (login,))
    _run(
        database,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s AND datname = current_database()"
        " AND (SELECT rolsuper OR pg_has_role(current_user, 'pg_signal_backend', 'MEMBER')"
        " FROM pg_roles WHERE rolname = current_user)",
        (login,),
    )
    return True


def reset_password(database: Database, login: str, password: str) -> None:
    _check_password(password)
    _known_user(database, login)
    with database.atomic():
        _run(
            database,
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(login), sql.Literal(_hashed(database, login, password))
            ),
        )


# --- who is connected, and what `check` reports ---------------------------------------------------


@dataclass(frozen=True)
class ServerUser:
    """The person connected to the office server, as app_user records them."""

    login: str
    role: str  # MANAGER or REP
    rep_id: int | None


def connected_user(database: Database) -> ServerUser | None:
    """Who the server says is connected (`current_user`); None when the database has no users yet
    (not set up with `server init`) or the login is not one of its people (e.g. a superuser)."""
    if not is_initialised(database):
        return None
    cursor = _cursor(database)
    cursor.execute(
        f"SELECT login, role, rep_id FROM {USER_TABLE} WHERE login = current_user AND NOT disabled"
    )
    row = cursor.fetchone()
    return ServerUser(*row) if row else None


@dataclass(frozen=True)
class RightsSummary:
    initialised: bool
    group_roles: tuple[str, ...]  # the group roles of this database that exist
    tables_with_security: int  # tables with row-level security enabled
    policies: int
    users: int  # enabled logins
    missing: tuple[str, ...]  # what `server init` sets and is not there (table names, roles, …)


def rights_summary(database: Database) -> RightsSummary:
    """What is in place of R1–R8, read from the catalogues (for `postventa check`)."""
    if not is_initialised(database):
        return RightsSummary(False, (), 0, 0, 0, ())
    roles = current_database_roles(database)
    present = tuple(name for name in (roles.manager, roles.rep) if _role_exists(database, name))
    row_checked = ["customer", *OWNED_TABLES, *(t for t, _p, _c in CHILD_TABLES), *HISTORY_TABLES]
    secured = {
        name
        for (name,) in _all(
            database,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relrowsecurity",
        )
    }
    policies = _one(database, "SELECT count(*) FROM pg_policies WHERE schemaname = 'public'")
    users = _one(database, f"SELECT count(*) FROM {USER_TABLE} WHERE NOT disabled")
    missing = [name for name in (roles.manager, roles.rep) if name not in present]
    missing += [table for table in row_checked if table not in secured]
    if not _one(database, "SELECT count(*) FROM pg_trigger WHERE tgname = 'postventa_audit_login'"):
        missing.append("postventa_audit_login")
    return RightsSummary(True, present, len(secured), int(policies), int(users), tuple(missing))


def apply_rights_after_upgrade(database: Database) -> bool:
    """Re-apply GRANTs and policies after a schema upgrade (new tables and columns get theirs);
    False when the server has no people yet (never set up with `server init`)."""
    if not is_initialised(database):
        return False
    with database.atomic():
        _apply_rights(database, current_database_roles(database))
    return True
