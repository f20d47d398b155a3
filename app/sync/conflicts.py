"""The conflicts and refusals a person decides, on a laptop (its copy of the office's list, kept by
each pull) or at the office (the server's list itself). No Qt.

A decision is a normal change: choosing the laptop's value or typing one writes it into the record
(on a laptop the capture triggers queue it for the next sync, like any edit), and the conflict is
marked resolved (on a laptop a `resolve` entry in the outbox tells the office at the next push).
Choosing the office's value changes nothing in the record: it already holds it. Discarding a
refused or duplicate change (here or at the office) lets the laptop that made it, which kept its
own version of the record meanwhile, take the office's back at its next sync (app.sync.engine).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from peewee import Database

from app.i18n import _
from app.models import db
from app.models.dialect import is_server
from app.models.sync_schema import BY_NAME, CONFLICTS, SEQUENCE
from app.services.errors import DomainError
from app.sync import laptop as laptop_side


class ConflictKind(enum.StrEnum):
    CONFLICT = "conflict"  # a column changed on both sides, differently
    DELETED = "deleted"  # changed on one side, deleted on the other
    DUPLICATE = "duplicate"  # the office already has a record with that tax id, serial number, …
    REFUSED = "refused"  # the person has no right to make the change


class Choice(enum.StrEnum):
    MINE = "mine"  # the laptop's value
    THEIRS = "theirs"  # the office's value (already in the record)
    TYPED = "typed"  # a value the person types
    DISCARD = "discard"  # a refused or duplicate change: let it go (the laptop takes the office's record)


@dataclass(frozen=True)
class ConflictRow:
    id: int
    kind: ConflictKind
    table: str
    row_uid: str
    column: str | None
    base: Any  # the value both sides started from (JSON-decoded); None for refusals
    mine: Any  # the laptop's value, or its whole change for refusals and duplicates
    theirs: Any  # the office's value
    reason: str
    login: str  # whose laptop sent it
    created_at: str
    laptop: str = ""  # the id of the laptop that sent it (app.sync.laptop.laptop_state)


def _decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _source(database: Database) -> str:
    return CONFLICTS if is_server(database) else laptop_side.CONFLICTS


def open_conflicts() -> list[ConflictRow]:
    """Unresolved conflicts and refusals, oldest first (an empty list on a standalone database)."""
    database = db.obj
    if not is_server(database) and not laptop_side.is_laptop(database):
        return []
    if is_server(database) and CONFLICTS not in database.get_tables():
        return []
    rows = database.execute_sql(
        "SELECT id, kind, table_name, row_uid, column_name, base_value, laptop_value, office_value, reason,"
        f" login, created_at, laptop FROM {_source(database)} WHERE resolved_at IS NULL ORDER BY id"
    ).fetchall()
    return [
        ConflictRow(
            row[0],
            ConflictKind(row[1]),
            row[2],
            row[3],
            row[4],
            _decode(row[5]),
            _decode(row[6]),
            _decode(row[7]),
            row[8],
            row[9],
            str(row[10])[:16],
            row[11],
        )
        for row in rows
    ]


def allowed_choices(conflict: ConflictRow) -> tuple[Choice, ...]:
    """What a person may decide (the Conflicts page offers these only): a column changed on both sides
    takes the laptop's value, the office's or one typed; a change the office refused, found a
    duplicate or met deleted can only be let go (the office's record stays as it is)."""
    if conflict.kind is ConflictKind.CONFLICT and conflict.column:
        return (Choice.MINE, Choice.THEIRS, Choice.TYPED)
    return (Choice.DISCARD,)


def open_conflict_count() -> int:
    return len(open_conflicts())


def _write_value(table, conflict: ConflictRow, value: Any) -> None:
    """The chosen value into the record through its model's save(): the row version, the time of the
    change and the columns derived from it (search text, folded keys) follow, as after any edit."""
    column = conflict.column
    assert column is not None
    record = table.model.get_or_none(table.model.uid == conflict.row_uid)
    if record is None:
        raise DomainError(_("The record is no longer in this database."))
    field = table.fields[column]
    if column in table.foreign_keys:
        target = BY_NAME[table.foreign_keys[column]].model if table.foreign_keys[column] in BY_NAME else None
        found = None if value is None or target is None else target.get_or_none(target.uid == value)
        setattr(record, field.name, found.id if found is not None else None)
    elif table.is_blob(column):
        setattr(record, field.name, None if value is None else bytes.fromhex(value))
    else:
        value = None if value is None else field.python_value(value)
        if table.name == "customer":
            value = _valid_customer_value(record.id, column, value)
        setattr(record, field.name, value)
    record.save()


def _valid_customer_value(customer_id: int, column: str, value: Any) -> Any:
    """A customer's value chosen or typed on the Conflicts page, checked and tidied by the rules of
    the customer dialog (a tax id's check letter, an e-mail, a code nobody else has …): raises
    ValidationError with the dialog's message. Columns the dialog does not edit pass unchanged; a
    reference (the rep) is a uid here and is checked by the office's rights when it travels."""
    from app.services.customers import get_customer
    from app.services.customers.records import validate_customer

    data = get_customer(customer_id).to_input()
    if not hasattr(data, column):
        return value
    setattr(data, column, "" if value is None and isinstance(getattr(data, column), str) else value)
    return getattr(validate_customer(data, customer_id), column)


def resolve_conflict(conflict_id: int, choice: Choice, typed: Any = None) -> None:
    """Decide one conflict: write the chosen value into the record and mark it resolved."""
    database = db.obj
    conflict = next((c for c in open_conflicts() if c.id == conflict_id), None)
    if conflict is None:
        raise DomainError(_("This conflict was already resolved."))
    table = BY_NAME.get(conflict.table)
    with database.atomic():
        if choice in (Choice.MINE, Choice.TYPED) and conflict.column and table is not None:
            _write_value(table, conflict, conflict.mine if choice is Choice.MINE else typed)
        if is_server(database):
            database.execute_sql(
                f"UPDATE {CONFLICTS} SET resolved_at = now(), resolved_by = current_user,"
                f" revision = nextval('{SEQUENCE}') WHERE id = %s",
                (conflict_id,),
            )
        else:
            database.execute_sql(
                f"UPDATE {laptop_side.CONFLICTS} SET resolved_at = datetime('now') WHERE id = ?",
                (conflict_id,),
            )
            database.execute_sql(
                f"INSERT INTO {laptop_side.OUTBOX} (table_name, row_uid, op) VALUES (?, ?, 'resolve')",
                (CONFLICTS, str(conflict_id)),
            )
