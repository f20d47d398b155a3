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

import dataclasses
import enum
import json
import re
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
    along: tuple[int, ...] = ()  # the refusals of the changes made with it (decided with it)


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
    return _with_companions(
        [
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
    )


# How the sync words the refusal of a change refused only because another change of the same
# local transaction was (app.sync.engine._apply_transaction): "refused with <table> <uid>, …".
_REFUSED_WITH = re.compile(r"^refused with (?P<table>\S+) (?P<uid>[^,\s]+),")


def _with_companions(rows: list[ConflictRow]) -> list[ConflictRow]:
    """One item per refused transaction: the refusals of the changes made with a refused one go
    with it (its `along`), so a person decides once and the count is what they decide."""
    by_id = {row.id: row for row in rows}
    along: dict[int, list[int]] = {}
    for row in rows:
        found = _REFUSED_WITH.match(row.reason or "")
        if found is None:
            continue
        causes = [
            other.id
            for other in rows
            if other.id < row.id
            and other.laptop == row.laptop
            and (other.table, other.row_uid) == (found["table"], found["uid"])
            and not _REFUSED_WITH.match(other.reason or "")
        ]
        if causes:
            along.setdefault(max(causes), []).append(row.id)
            del by_id[row.id]
    return [dataclasses.replace(row, along=tuple(along.get(row.id, ()))) for row in by_id.values()]


def allowed_choices(conflict: ConflictRow) -> tuple[Choice, ...]:
    """What a person may decide (the Conflicts page offers these only): a column changed on both sides
    takes the laptop's value, the office's or one typed; a change the office refused, found a
    duplicate or met deleted can only be let go (the office's record stays as it is)."""
    if conflict.kind is ConflictKind.CONFLICT and conflict.column:
        return (Choice.MINE, Choice.THEIRS, Choice.TYPED)
    if conflict.kind is ConflictKind.DELETED and (conflict.mine is None or _whole_row(conflict)):
        # Deleted on one side, changed on the other: the laptop's side may still win (deleted
        # anyway, or recorded again as the laptop had it).
        return (Choice.MINE, Choice.DISCARD)
    return (Choice.DISCARD,)


def _whole_row(conflict: ConflictRow) -> bool:
    """Whether the conflict holds the laptop's whole row (older versions kept the changed columns)."""
    table = BY_NAME.get(conflict.table)
    return table is not None and isinstance(conflict.mine, dict) and set(table.columns) <= set(conflict.mine)


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


def _delete_anyway(table, conflict: ConflictRow) -> None:
    """The laptop's deletion wins: the record goes here too (on a laptop the deletion travels)."""
    from peewee import IntegrityError

    try:
        with db.obj.atomic():
            table.model.delete().where(table.model.uid == conflict.row_uid).execute()
    except IntegrityError as exc:
        from app.sync.labels import table_label

        raise DomainError(
            _("The {record_kind} cannot be deleted: other records still belong to it.").format(
                record_kind=table_label(table.name).lower()
            )
        ) from exc


def _record_again(table, conflict: ConflictRow) -> None:
    """The laptop's version wins over the office's deletion: the record is written again as the
    laptop had it, under its own identity (on a laptop the insert travels at the next sync)."""
    from app.sync.labels import table_label

    row: dict[str, Any] = conflict.mine
    values: dict[str, Any] = {}
    for column in table.columns:
        value = row.get(column)
        field = table.fields[column]
        if column in table.foreign_keys and value is not None:
            target = BY_NAME.get(table.foreign_keys[column])
            found = target.model.get_or_none(target.model.uid == value) if target is not None else None
            if found is None:
                if not field.null:
                    raise DomainError(
                        _("It cannot be recorded again: its {record_kind} is no longer here either.").format(
                            record_kind=table_label(table.foreign_keys[column]).lower()
                        )
                    )
                value = None
            else:
                value = found.id
        elif table.is_blob(column) and value is not None:
            value = bytes.fromhex(value)
        elif value is not None:
            value = field.python_value(value)
        values[field.name] = value
    model = table.model
    if model.select().where(model.uid == conflict.row_uid).exists():
        return  # already back (recorded again elsewhere and pulled)
    model.insert(values).execute()


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
    if choice not in allowed_choices(conflict):
        raise DomainError(_("This decision is not possible for this conflict."))
    with database.atomic():
        if choice in (Choice.MINE, Choice.TYPED) and conflict.column and table is not None:
            _write_value(table, conflict, conflict.mine if choice is Choice.MINE else typed)
        elif choice is Choice.MINE and conflict.kind is ConflictKind.DELETED and table is not None:
            if conflict.mine is None:
                _delete_anyway(table, conflict)
            else:
                _record_again(table, conflict)
        for decided in (conflict_id, *conflict.along):
            _mark_resolved(database, decided)


def _mark_resolved(database: Database, conflict_id: int) -> None:
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
