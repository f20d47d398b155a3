"""A laptop's side of the sync (SQLite): its identity, its pull cursor and the outbox.

Only a database made by `postventa sync --init` has these tables and triggers; a standalone laptop,
the demo and the office pay nothing. Every insert, update and delete of a synced table is written
by a trigger into `sync_outbox` (the pattern of peewee's playhouse/sqlite_changelog.py): the row's
uid, its values before and after as JSON (foreign keys as the uids of the rows they point to), the
server revision the laptop's copy was based on and the local transaction that wrote it (`tx`, from
app.models.database.LOCAL_TRANSACTION; NULL for a statement outside a transaction): the office
applies or refuses one transaction's entries together. Triggers, not calls in each service: every
write path is captured, imports and future features included (the triggers are built in
app.models.sync_schema, which a migration adding a column calls too). Applying pulled changes switches
capture off (`sync_state.capturing`) in the same transaction, so they do not echo back.

`sync_state.owed` lists the rows whose office version the laptop still has to take back: rows of
its own changes the office refused, once the refusal is discarded (app.sync.engine).
"""

from __future__ import annotations

import json
import uuid

from peewee import Database

from app.models.clock import local_zone_name
from app.models.sync_schema import LAPTOP_OUTBOX, LAPTOP_STATE
from app.models.sync_schema import create_capture_triggers as _create_capture

STATE = LAPTOP_STATE
OUTBOX = LAPTOP_OUTBOX
CONFLICTS = "sync_conflict"  # the office's conflicts and refusals, as last pulled (same columns and ids)


# Columns added after the first laptops were made (bring_up_to_date adds them to those).
_TX = "tx TEXT"
_OWED = "owed TEXT NOT NULL DEFAULT '[]'"


def set_up_laptop(
    database: Database,
    server: str,
    login: str,
    laptop: str | None = None,
    label: str = "L00",
    role: str | None = None,
    rep_uid: str | None = None,
) -> str:
    """The laptop's sync tables and capture triggers, capture off until the first pull is in;
    returns the laptop's id (a uid of its own, named in every push). `label` names it in its
    provisional numbers (the office hands it out); `role` and `rep_uid` say who the login is at the
    office, so the laptop's window offers what the office will accept (app.services.permissions)."""
    laptop = laptop or uuid.uuid4().hex
    database.execute_sql(
        f"CREATE TABLE {STATE} (id INTEGER PRIMARY KEY CHECK (id = 1), laptop TEXT NOT NULL, label TEXT NOT NULL,"
        " server TEXT NOT NULL, login TEXT NOT NULL, cursor INTEGER NOT NULL DEFAULT 0,"
        " capturing INTEGER NOT NULL DEFAULT 0, last_sync TEXT, unfinished_writers TEXT NOT NULL DEFAULT '[]',"
        f" role TEXT, rep_uid TEXT, {_OWED}, zone TEXT)"  # zone: app.models.clock.follow_machine_zone
    )
    database.execute_sql(
        f"INSERT INTO {STATE} (id, laptop, label, server, login, role, rep_uid, zone)"
        " VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        (laptop, label, server, login, role, rep_uid, local_zone_name()),
    )
    database.execute_sql(
        f"CREATE TABLE {OUTBOX} (seq INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL,"
        " row_uid TEXT NOT NULL, op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'resolve')),"
        " old_values TEXT, new_values TEXT, base_revision INTEGER, made_at TEXT NOT NULL DEFAULT (datetime('now')),"
        f" {_TX})"
    )
    database.execute_sql(
        f"CREATE TABLE {CONFLICTS} (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, table_name TEXT NOT NULL,"
        " row_uid TEXT NOT NULL, column_name TEXT, base_value TEXT, laptop_value TEXT, office_value TEXT,"
        " reason TEXT NOT NULL DEFAULT '', laptop TEXT NOT NULL, seq INTEGER NOT NULL, login TEXT NOT NULL,"
        " created_at TEXT NOT NULL, resolved_at TEXT, resolved_by TEXT, revision INTEGER NOT NULL)"
    )
    _create_capture(database)
    return laptop


def bring_up_to_date(database: Database) -> None:
    """A laptop made by an earlier version gets what this one keeps: the outbox's transaction mark
    and the rows owed, and capture triggers that fill the mark. Entries queued before stay one
    transaction each. Nothing to do on a laptop made by this version."""
    columns = {
        table: {row[1] for row in database.execute_sql(f"PRAGMA table_info({table})").fetchall()}
        for table in (OUTBOX, STATE)
    }
    if "tx" in columns[OUTBOX] and "owed" in columns[STATE]:
        return
    with database.atomic():
        if "tx" not in columns[OUTBOX]:
            database.execute_sql(f"ALTER TABLE {OUTBOX} ADD COLUMN {_TX}")
        if "owed" not in columns[STATE]:
            database.execute_sql(f"ALTER TABLE {STATE} ADD COLUMN {_OWED}")
        _create_capture(database)


def is_laptop(database: Database) -> bool:
    return STATE in database.get_tables()


def set_capturing(database: Database, on: bool) -> None:
    database.execute_sql(f"UPDATE {STATE} SET capturing = ?", (1 if on else 0,))


def laptop_state(database: Database) -> tuple[str, str, str, int]:
    """(laptop id, server as shown, login, pull cursor)."""
    return database.execute_sql(f"SELECT laptop, server, login, cursor FROM {STATE}").fetchone()


def unfinished_writers(database: Database) -> list[int]:
    """The office transactions still at work at the last pull (their rows are fetched next time)."""
    return json.loads(database.execute_sql(f"SELECT unfinished_writers FROM {STATE}").fetchone()[0])


def pending_count(database: Database) -> int:
    return database.execute_sql(f"SELECT count(*) FROM {OUTBOX}").fetchone()[0]


def owed_rows(database: Database) -> set[tuple[str, str]]:
    """(table, uid) of the rows whose office version the laptop still has to take back."""
    found = database.execute_sql(f"SELECT owed FROM {STATE}").fetchone()[0]
    return {(table, uid) for table, uid in json.loads(found)}


def set_owed(database: Database, rows: set[tuple[str, str]]) -> None:
    database.execute_sql(f"UPDATE {STATE} SET owed = ?", (json.dumps(sorted(rows)),))


def outbox_counter(database: Database) -> int:
    """The last number the outbox gave a change (SQLite's AUTOINCREMENT counter; 0 before any)."""
    row = database.execute_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (OUTBOX,)).fetchone()
    return row[0] if row else 0


def set_outbox_counter(database: Database, value: int) -> None:
    """The outbox's next change is numbered after `value`."""
    database.execute_sql("DELETE FROM sqlite_sequence WHERE name = ?", (OUTBOX,))
    database.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (OUTBOX, value))
