"""Laptop databases built by hand, for tests of what the window shows of a sync (no office needed).

`make_laptop()` turns the open SQLite database into a laptop of an imaginary office (the sync
tables and capture triggers of app.sync.laptop, capture on, as after a first sync); `add_conflict`
writes a row into the laptop's copy of the office's conflicts, as a pull would. Values are kept as
the sync keeps them: JSON text of what the database stores.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from app.models import db
from app.sync import laptop as laptop_side

OFFICE = "postgresql://ana@office.example/postventa"
LOGIN = "ana"
_ids = itertools.count(1)


def make_laptop(server: str = OFFICE, login: str = LOGIN) -> str:
    """Make the open (SQLite) database a laptop; returns its id. Capture is on."""
    laptop = laptop_side.set_up_laptop(db.obj, server, login)
    laptop_side.set_capturing(db.obj, True)
    return laptop


def _text(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def add_conflict(
    laptop: str,
    table: str,
    uid: str,
    column: str | None,
    base: Any = None,
    mine: Any = None,
    theirs: Any = None,
    *,
    kind: str = "conflict",
    reason: str = "",
    login: str = LOGIN,
    created_at: str = "2026-11-23 10:42:00",
) -> int:
    """An open conflict of `laptop` (another laptop's when it names another); returns its id."""
    conflict_id = next(_ids)
    db.obj.execute_sql(
        f"INSERT INTO {laptop_side.CONFLICTS} (id, kind, table_name, row_uid, column_name, base_value,"
        " laptop_value, office_value, reason, laptop, seq, login, created_at, revision)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            conflict_id,
            kind,
            table,
            uid,
            column,
            _text(base),
            _text(mine),
            _text(theirs),
            reason,
            laptop,
            conflict_id,
            login,
            created_at,
            1000 + conflict_id,
        ),
    )
    return conflict_id


def outbox() -> list[tuple[str, str, str]]:
    """(table, uid, op) of every change waiting to be sent, oldest first."""
    return [
        tuple(row)
        for row in db.obj.execute_sql(
            f"SELECT table_name, row_uid, op FROM {laptop_side.OUTBOX} ORDER BY seq"
        ).fetchall()
    ]
