"""What the sync tests share (not a test module): an office with its logins, laptops made from it,
syncing one, and every copy's synced rows read the same way, to compare them.

`rows_of` reads every synced table (app.models.sync_schema.SYNCED_TABLES) of one copy straight from
its driver, bypassing the models and the sync: the office as its superuser (row-level security does
not hide anything from it), a laptop with sqlite3. Rows are keyed by uid; a foreign key is the uid of
the row it points to; every other value goes through its field (`python_value`), so the same data
reads the same from both engines (dates, booleans, Decimals, enum codes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.models import Customer, db
from app.models.database import close_database, open_database, open_office
from app.models.sync_schema import AUDIT, BY_NAME, SYNCED_TABLES, SyncedTable
from app.models.system import audited_table
from app.services.customers import get_customer, update_customer
from app.sync import laptop as laptop_side
from app.sync.engine import SyncOutcome, init_laptop, synchronise
from tests.server_office import PASSWORD, Office, run_cli

Row = dict[str, Any]
Copy = dict[str, dict[str, Row]]  # table → uid → row (its travelling columns, and "revision")


def _select(table: SyncedTable) -> str:
    columns = [
        f'(SELECT uid FROM "{target}" WHERE id = r."{column}")'
        if (target := table.foreign_keys.get(column))
        else _audited_record()
        if (table.name, column) == (AUDIT, "entity_id")
        else f'r."{column}"'
        for column in table.columns
    ]
    return f'SELECT r.revision, {", ".join(columns)} FROM "{table.name}" r'


def _audited_record() -> str:
    """An audit entry's record as its uid on this copy (each copy has its own ids)."""
    kinds = {name: name for name in BY_NAME} | {"survey": audited_table("survey")}
    cases = " ".join(
        f"WHEN '{kind}' THEN (SELECT uid FROM \"{target}\" WHERE id = r.entity_id)"
        for kind, target in kinds.items()
    )
    return f"CASE r.entity {cases} END"


def normalised(table: SyncedTable, column: str, value: Any) -> Any:
    if value is None or column in table.foreign_keys:
        return value
    return table.fields[column].python_value(value)


def rows_of(connection) -> Copy:
    """Every synced row of one copy (a psycopg2 or sqlite3 connection), normalised."""
    copy: Copy = {}
    cursor = connection.cursor()
    for table in SYNCED_TABLES:
        cursor.execute(_select(table))
        rows = {}
        for revision, *values in cursor.fetchall():
            row = {c: normalised(table, c, v) for c, v in zip(table.columns, values, strict=True)}
            row["revision"] = revision
            rows[row["uid"]] = row
        copy[table.name] = rows
    return copy


def office_rows(office: Office, laptop: Path | None = None) -> Copy:
    """The office's rows; with `laptop`, only those its person's laptop holds (their scope)."""
    with office.admin() as admin:
        copy = rows_of(admin)
    return copy if laptop is None else held_by(office, laptop, copy)


def held_by(office: Office, laptop: Path, copy: Copy) -> Copy:
    """The part of the office's `copy` the laptop's person holds: everything for a manager; for a
    rep, their customers with everything attached, the reference tables and, of the audit log, the
    entries of the rep's login."""
    customers = scope_of(office, laptop)
    if customers is None:
        return copy
    connection = sqlite3.connect(laptop)
    try:
        (login,) = connection.execute(f"SELECT login FROM {laptop_side.STATE}").fetchone()
    finally:
        connection.close()
    own = {uid for (uid,) in office_query(office, "SELECT uid FROM audit_entry WHERE login = %s", (login,))}
    return {**within(copy, customers), AUDIT: {uid: row for uid, row in copy[AUDIT].items() if uid in own}}


# The customers a rep's laptop holds (issue 16, item 4), said here apart from app.sync.scope: their
# own, and those of the open cases and returns and planned follow-ups they are on.
_REP_CUSTOMERS = """
    SELECT c.uid FROM customer c WHERE c.rep_id = (SELECT id FROM rep WHERE uid = %(rep)s)
    UNION SELECT c.uid FROM "case" k JOIN customer c ON c.id = k.customer_id
        WHERE k.rep_id = (SELECT id FROM rep WHERE uid = %(rep)s) AND k.closed_on IS NULL
    UNION SELECT c.uid FROM warranty_return w JOIN customer c ON c.id = w.customer_id
        WHERE w.rep_id = (SELECT id FROM rep WHERE uid = %(rep)s) AND w.state NOT IN ('closed', 'cancelled')
    UNION SELECT c.uid FROM follow_up f JOIN customer c ON c.id = f.customer_id
        WHERE f.rep_id = (SELECT id FROM rep WHERE uid = %(rep)s) AND f.state = 'planned'
"""


def scope_of(office: Office, laptop: Path) -> set[str] | None:
    """The uids of the customers the laptop's person works with; None for everything (a manager)."""
    connection = sqlite3.connect(laptop)
    try:
        role, rep_uid = connection.execute(f"SELECT role, rep_uid FROM {laptop_side.STATE}").fetchone()
    finally:
        connection.close()
    if role != "rep" or rep_uid is None:
        return None
    return {uid for (uid,) in office_query(office, _REP_CUSTOMERS, {"rep": rep_uid})}


def within(copy: Copy, customers: set[str]) -> Copy:
    """The part of a copy that belongs to the given customers, with every reference table."""

    def customer_of(table: SyncedTable, row: Row) -> str | None:
        if table.name == "customer":
            return row["uid"]
        if "customer_id" in table.foreign_keys:
            return row["customer_id"]
        for column, target in table.foreign_keys.items():
            parent = copy[target].get(row[column]) if target != table.name else None
            if parent is not None and (found := customer_of(BY_NAME[target], parent)) is not None:
                return found
        return None

    attached = {"customer", *(t.name for t in SYNCED_TABLES if "customer_id" in t.foreign_keys)}
    attached |= {"sale_line", "case_proposal", "case_stage_change", "return_status_change", "check_answer"}
    return {
        name: rows
        if name not in attached
        else {uid: row for uid, row in rows.items() if customer_of(BY_NAME[name], row) in customers}
        for name, rows in copy.items()
    }


def laptop_rows(path: Path) -> Copy:
    connection = sqlite3.connect(path)
    try:
        return rows_of(connection)
    finally:
        connection.close()


def differences(
    office: Copy, laptop: Copy, *, leave_out: frozenset[tuple[str, str]] = frozenset()
) -> list[str]:
    """What a laptop's copy has that the office's has not, and the other way (a line each), but for
    the rows in `leave_out` (table, uid)."""
    found = []
    for table, rows in office.items():
        theirs = laptop[table]
        for uid in rows.keys() - theirs.keys():
            if (table, uid) not in leave_out:
                found.append(f"{table} {uid}: at the office only")
        for uid in theirs.keys() - rows.keys():
            if (table, uid) not in leave_out:
                found.append(f"{table} {uid}: on the laptop only")
        for uid in rows.keys() & theirs.keys():
            if (table, uid) in leave_out:
                continue
            for column, value in rows[uid].items():
                if theirs[uid][column] != value:
                    found.append(f"{table} {uid} {column}: office {value!r}, laptop {theirs[uid][column]!r}")
    return found


def pending(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT count(*) FROM {laptop_side.OUTBOX}").fetchone()[0]
    finally:
        connection.close()


def office_query(office: Office, statement: str, params: tuple | dict = ()) -> list[tuple]:
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def sync(path: Path, url: str) -> SyncOutcome:
    """`postventa sync` for the laptop at `path`, in this process."""
    open_database(str(path), create=False)
    try:
        server = open_office(url)
        try:
            return synchronise(db.obj, server)
        finally:
            server.close()
    finally:
        close_database()


def customer_of(office: Office, rep_id: int) -> str:
    """The uid of the rep's first customer at the office."""
    return office_query(office, "SELECT uid FROM customer WHERE rep_id = %s ORDER BY id LIMIT 1", (rep_id,))[
        0
    ][0]


def laptops(office: Office, folder: Path) -> tuple[Path, Path]:
    """Two laptops made from the office in `folder` (`sync --init`): Ana's, the rep's, and Mía's,
    the manager's."""
    ana, mia = folder / "ana.sqlite3", folder / "mia.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    init_laptop(mia, office.url_of(office.manager))
    return ana, mia


def edit_customer(uid: str, **changes: Any) -> None:
    """Change the customer `uid` of the open database as the customer dialog does (update_customer:
    the search text and the sort key follow the fields)."""
    customer = Customer.get(Customer.uid == uid)
    data = get_customer(customer.id).to_input()
    for name, value in changes.items():
        setattr(data, name, value)
    update_customer(customer.id, data, None)


def on_laptop(path: Path, work: Callable[[], Any]) -> Any:
    """Run `work` with the models bound to the laptop's database (as the window does offline)."""
    open_database(str(path), create=False)
    try:
        return work()
    finally:
        close_database()


def add_rep_login(office: Office, monkeypatch, capsys, login: str, rep_code: str) -> None:
    """Another rep's login with a password, the way tests/server_office.py adds Ana's."""
    from tests.postgres import PASSWORD_LOGINS

    code, _out, err = run_cli(
        monkeypatch,
        capsys,
        *("user", "add", "--db", office.url, "--login", login, "--role", "rep", "--rep", rep_code),
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(f"GRANT {PASSWORD_LOGINS} TO {login}")
