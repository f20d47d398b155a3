"""Push, then pull: a laptop's outbox to the office, the office's changes to the laptop. No Qt.

Push sends the outbox in order, in batches; each batch is one server transaction under the
person's own login (the server's rights and row-level security apply). An entry already applied
(`sync_applied`: a push repeated after a crash) is skipped. An update whose columns the office did
not change meanwhile applies; a column changed on both sides to different values becomes a
conflict, stored on the server with base, laptop and office values, and the office keeps its value;
a column changed on one side only merges. A change the server refuses (rights, a duplicate tax id
or serial number) is stored the same way as a refusal: nothing a person did is dropped, and the
queue never blocks. Only after the server committed does the laptop clear what it sent.

Pull fetches rows changed after the laptop's cursor, table by table in reference order, and the
tombstones of deleted rows, and applies them in one laptop transaction with capture off; the new
cursor is written in that transaction, so a pull cut short leaves the laptop as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peewee import Database, DatabaseError, IntegrityError

from app.i18n import _
from app.models.dialect import is_refused_by_rights
from app.models.sync_schema import (
    APPLIED,
    BY_NAME,
    CONFLICTS,
    LAPTOP_SEQUENCE,
    SEQUENCE,
    SYNCED_TABLES,
    TOMBSTONES,
    WRITER,
    SyncedTable,
)
from app.services.errors import DomainError
from app.sync import laptop as laptop_side

PUSH_BATCH = 500
# Columns that never conflict: when the row last changed is whoever changed it last.
_NO_CONFLICT = ("updated_at",)


def crash_point(name: str) -> None:
    """A named moment of a sync where the tests make it crash (kill -9, a dropped connection):
    "push-sent" (a batch applied, the office not yet committed), "push-committed" (the office
    committed, the laptop has not let the entries go), "pull-halfway" (half the tables applied on
    the laptop), "init-halfway" (a laptop database half made). Nothing happens here otherwise."""


class SyncError(DomainError):
    """The sync cannot go on (no office, not a laptop database, …); the message says why."""


@dataclass
class SyncOutcome:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    refused: int = 0
    deleted: int = 0  # rows removed on the laptop because the office deleted them
    details: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "conflicts": self.conflicts,
            "refused": self.refused,
        }


# --- values -----------------------------------------------------------------------------------------


def _python(table: SyncedTable, column: str, value: Any) -> Any:
    """A column's value as Python sees it, from either engine (a foreign key stays its uid; bytes
    come as hex text from the laptop's outbox, as a memoryview from the office)."""
    if value is None or column in table.foreign_keys:
        return value
    if table.is_blob(column):
        return bytes.fromhex(value) if isinstance(value, str) else bytes(value)
    return table.fields[column].python_value(value)


def _stored(table: SyncedTable, column: str, value: Any) -> Any:
    """A column's value as a driver takes it (enum codes, dates, Decimals)."""
    if value is None or column in table.foreign_keys:
        return value
    if table.is_blob(column):
        return _python(table, column, value)
    return table.fields[column].db_value(_python(table, column, value))


def _text(value: Any) -> str | None:
    """A value kept in a conflict record: JSON text of what the database stores."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return json.dumps(value.isoformat())
    if isinstance(value, bytes | memoryview):
        return json.dumps(bytes(value).hex())
    return json.dumps(value, default=str)


# --- push -------------------------------------------------------------------------------------------


def push(
    local: Database, office: Database, progress: Callable[[int, int], None] | None = None
) -> SyncOutcome:
    outcome = SyncOutcome()
    laptop, _server, _login, _cursor = laptop_side.laptop_state(local)
    total = laptop_side.pending_count(local)
    while True:
        entries = local.execute_sql(
            f"SELECT seq, table_name, row_uid, op, old_values, new_values, base_revision FROM {laptop_side.OUTBOX}"
            " ORDER BY seq LIMIT ?",
            (PUSH_BATCH,),
        ).fetchall()
        if not entries:
            return outcome
        with office.atomic():
            row = office.execute_sql(
                f"SELECT last_seq FROM {APPLIED} WHERE laptop = %s FOR UPDATE", (laptop,)
            ).fetchone()
            applied_up_to = row[0] if row else 0
            for entry in entries:
                if entry[0] > applied_up_to:
                    _apply_entry(office, laptop, entry, outcome)
            last = entries[-1][0]
            crash_point("push-sent")
            office.execute_sql(
                f"INSERT INTO {APPLIED} (laptop, last_seq) VALUES (%s, %s) ON CONFLICT (laptop)"
                " DO UPDATE SET last_seq = EXCLUDED.last_seq, synced_at = now(), login = current_user",
                (laptop, max(last, applied_up_to)),
            )
        # The office has them (committed): only now does the laptop let them go.
        crash_point("push-committed")
        local.execute_sql(f"DELETE FROM {laptop_side.OUTBOX} WHERE seq <= ?", (last,))
        outcome.pushed += len(entries)
        if progress is not None:
            progress(outcome.pushed, total)


def _apply_entry(office: Database, laptop: str, entry: tuple, outcome: SyncOutcome) -> None:
    seq, table_name, uid, op, old_json, new_json, base = entry
    if op == "resolve":  # a person decided a conflict on the laptop (the row's change is its own entry)
        office.execute_sql(
            f"UPDATE {CONFLICTS} SET resolved_at = now(), resolved_by = current_user,"
            f" revision = nextval('{SEQUENCE}') WHERE id = %s AND resolved_at IS NULL",
            (int(uid),),
        )
        return
    table = BY_NAME[table_name]
    old = json.loads(old_json) if old_json else {}
    new = json.loads(new_json) if new_json else {}

    def keep(kind: str, column: str | None, base_value, laptop_value, office_value, reason: str = "") -> None:
        office.execute_sql(
            f"INSERT INTO {CONFLICTS} (kind, table_name, row_uid, column_name, base_value, laptop_value,"
            " office_value, reason, laptop, seq) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                kind,
                table_name,
                uid,
                column,
                _text(base_value),
                _text(laptop_value),
                _text(office_value),
                reason,
                laptop,
                seq,
            ),
        )
        if kind == "refused":
            outcome.refused += 1
        else:
            outcome.conflicts += 1

    try:
        with office.atomic():  # a savepoint: a refused change leaves the batch going
            if op == "insert":
                _insert(office, table, new)
            elif op == "update":
                _update(office, table, uid, old, new, base, keep)
            else:
                _delete(office, table, uid, base, old, keep)
    except IntegrityError as exc:
        keep("duplicate", None, None, new or old, None, _one_line(exc))
    except DatabaseError as exc:
        if not is_refused_by_rights(exc):
            raise
        keep("refused", None, None, new or old, None, _one_line(exc))


def _one_line(exc: BaseException) -> str:
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def _assignments(table: SyncedTable, values: dict[str, Any]) -> tuple[list[str], list[str], list[Any]]:
    """(quoted columns, value SQL, parameters) for values by column; foreign keys through uids."""
    names, marks, params = [], [], []
    for column, value in values.items():
        names.append(f'"{column}"')
        target = table.foreign_keys.get(column)
        if target and value is not None:
            marks.append(f'(SELECT id FROM "{target}" WHERE uid = %s)')
        else:
            marks.append("%s")
        params.append(_stored(table, column, value))
    return names, marks, params


def _insert(office: Database, table: SyncedTable, new: dict[str, Any]) -> None:
    if table.name in _NUMBERED and _is_provisional(table.name, new):
        new = {**new, **_final_number(office, table.name, new)}
    names, marks, params = _assignments(table, new)
    office.execute_sql(f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join(marks)})', params)


# Records a laptop numbers provisionally offline: the office gives the final number at the push.
_NUMBERED = ("warranty_return", "case", "sale")


def _is_provisional(table: str, row: dict[str, Any]) -> bool:
    if table == "sale":
        return bool(_PROVISIONAL_SALE.match(row.get("number") or ""))
    return (row.get("sequence") or 0) < 0


_PROVISIONAL_SALE = re.compile(r"^V-\d{4}-L\d+-\d+$")


def _final_number(office: Database, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The next final number of the record's series at the office, under the same numbering lock as
    the office's own commands (gapless whoever numbers); the provisional number is kept as an alias."""
    from app.models.customers import fold_key
    from app.models.dialect import numbering_key
    from app.services.cases.workflow import case_number
    from app.services.returns.workflow import format_number_of
    from app.services.sales.recording import SALE_NUMBER_WIDTH, sale_number_prefix

    def lock(*key: object) -> None:
        office.execute_sql("SELECT pg_advisory_xact_lock(%s)", (numbering_key(*key),))

    alias = {"provisional_number": row["number"]}
    if table == "warranty_return":
        year = row["year"]
        lock("return", year)
        sequence = office.execute_sql(
            "SELECT COALESCE(MAX(sequence), 0) + 1 FROM warranty_return WHERE year = %s AND sequence > 0",
            (year,),
        ).fetchone()[0]
        return {**alias, "sequence": sequence, "number": format_number_of(year, sequence)}
    if table == "case":
        year, series = row["year"], row["series"]
        lock("case", series, year)
        sequence = office.execute_sql(
            'SELECT COALESCE(MAX(sequence), 0) + 1 FROM "case" WHERE series = %s AND year = %s AND sequence > 0',
            (series, year),
        ).fetchone()[0]
        found = office.execute_sql(
            "SELECT value FROM company_setting WHERE key = %s", (f"{series}_prefix",)
        ).fetchone()
        prefix = found[0] if found else row["number"].split(str(year))[0]
        return {**alias, "sequence": sequence, "number": case_number(prefix, year, sequence)}
    year = int(row["number"][2:6])
    lock("sale", year)
    prefix = sale_number_prefix(year)
    highest = 0
    for (number,) in office.execute_sql(
        "SELECT number FROM sale WHERE number LIKE %s ORDER BY length(number) DESC, number DESC LIMIT 20",
        (prefix + "%",),
    ).fetchall():
        if number[len(prefix) :].isdigit():
            highest = int(number[len(prefix) :])
            break
    number = f"{prefix}{highest + 1:0{SALE_NUMBER_WIDTH}d}"
    return {**alias, "number": number, "number_key": fold_key(number)}


def _office_columns(table: SyncedTable) -> str:
    """The travelling columns of an office row `r`, each foreign key as the uid it points to."""
    return ", ".join(
        f'(SELECT uid FROM "{t}" WHERE id = r."{c}") AS "{c}"'
        if (t := table.foreign_keys.get(c))
        else f'r."{c}"'
        for c in table.columns
    )


def _office_row(office: Database, table: SyncedTable, uid: str, lock: bool = True) -> dict[str, Any] | None:
    cursor = office.execute_sql(
        f'SELECT r.revision, {_office_columns(table)} FROM "{table.name}" r WHERE r.uid = %s'
        + (" FOR UPDATE OF r" if lock else ""),
        (uid,),
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return {"revision": row[0], **dict(zip(table.columns, row[1:], strict=True))}


def _update(office, table: SyncedTable, uid: str, old: dict, new: dict, base, keep) -> None:
    current = _office_row(office, table, uid)
    changed = [c for c in table.columns if _python(table, c, old.get(c)) != _python(table, c, new.get(c))]
    if current is None:
        keep("deleted", None, None, {c: new[c] for c in changed}, None)
        return
    apply: dict[str, Any] = {}
    for column in changed:
        mine, was, theirs = (_python(table, column, v) for v in (new[column], old[column], current[column]))
        if column in table.derived:
            continue  # derived below from the row as merged
        if current["revision"] == base or theirs == was or column in _NO_CONFLICT:
            apply[column] = new[column]
        elif theirs != mine:  # changed on both sides, differently: a person decides
            keep("conflict", column, old[column], new[column], current[column])
    if not apply:
        return
    apply.update(_derived(table, current, apply))
    names, marks, params = _assignments(table, apply)
    setters = [f"{n} = {m}" for n, m in zip(names, marks, strict=True)]
    if table.versioned:
        setters.append("row_version = row_version + 1")
    office.execute_sql(f'UPDATE "{table.name}" SET {", ".join(setters)} WHERE uid = %s', [*params, uid])


def _derived(table: SyncedTable, current: dict[str, Any], apply: dict[str, Any]) -> dict[str, Any]:
    """The derived columns (sync_schema.DERIVED) of the office's row once `apply` is applied, where
    they change; a folded key follows the office's value when the laptop's lost a conflict."""
    if not table.derived or not any(c in apply for c in table.sources()):
        return {}
    merged = {c: _python(table, c, v) for c, v in {**current, **apply}.items() if c in table.fields}
    recomputed = table.recompute(merged)
    return {c: v for c, v in recomputed.items() if v != current.get(c)}


def _delete(office, table: SyncedTable, uid: str, base, old: dict, keep) -> None:
    current = _office_row(office, table, uid)
    if current is None:
        return  # deleted at the office too
    # The revision also moves when only this laptop's own earlier entries changed the row (made or
    # edited offline, then deleted, all in this push): the office's row as the laptop last saw it
    # before deleting means nobody else changed it.
    as_seen = all(_python(table, c, current[c]) == _python(table, c, old.get(c)) for c in table.columns)
    if current["revision"] != base and not as_seen:  # changed at the office meanwhile: keep it
        keep("deleted", None, old, None, {c: current[c] for c in table.columns})
        return
    office.execute_sql(f'DELETE FROM "{table.name}" WHERE uid = %s', (uid,))


# --- pull -------------------------------------------------------------------------------------------


def pull(
    local: Database, office: Database, progress: Callable[[int, int], None] | None = None
) -> SyncOutcome:
    """The office's changes since the laptop's cursor, applied in one laptop transaction."""
    outcome = SyncOutcome()
    _laptop, _server, _login, since = laptop_side.laptop_state(local)
    newest = since
    with office.atomic():  # one snapshot of the office for the whole pull (REPEATABLE READ below)
        office.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # The writers still at work in this snapshot: what they write may carry revisions below the
        # newest seen here, so the next pull asks for their rows by writer (sync_schema.WRITER).
        in_progress = office.execute_sql(
            "SELECT ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) x)"
        ).fetchone()[0]
        since = (since, laptop_side.unfinished_writers(local))
        with local.atomic():
            laptop_side.set_capturing(local, False)
            later: list[tuple[SyncedTable, str, str, str]] = []  # references to rows not here yet
            for position, table in enumerate(SYNCED_TABLES):
                if position == len(SYNCED_TABLES) // 2:
                    crash_point("pull-halfway")
                for row in _changed_rows(office, table, since):
                    newest = max(newest, row["revision"])
                    later += _upsert(local, table, row)
                    outcome.pulled += 1
                if progress is not None:
                    progress(outcome.pulled, 0)
            for table, uid, column, target_uid in later:
                local.execute_sql(
                    f'UPDATE "{table.name}" SET "{column}" = (SELECT id FROM "{table.foreign_keys[column]}"'
                    " WHERE uid = ?) WHERE uid = ?",
                    (target_uid, uid),
                )
            cursor = office.execute_sql(
                f"SELECT table_name, uid, revision FROM {TOMBSTONES} WHERE {_AFTER} ORDER BY revision DESC",
                since,
            )
            for table_name, uid, revision in cursor.fetchall():
                newest = max(newest, revision)
                if table_name in BY_NAME:
                    gone = local.execute_sql(f'DELETE FROM "{table_name}" WHERE uid = ?', (uid,)).rowcount
                    outcome.deleted += gone
            newest = max(newest, _pull_conflicts(local, office, since, outcome))
            local.execute_sql(
                f"UPDATE {laptop_side.STATE} SET cursor = ?, unfinished_writers = ?, last_sync = datetime('now')",
                (newest, json.dumps(sorted(in_progress or []))),
            )
            laptop_side.set_capturing(local, True)
    return outcome


_CONFLICT_COLUMNS = (
    "id, kind, table_name, row_uid, column_name, base_value, laptop_value, office_value, reason, laptop, seq,"
    " login, created_at, resolved_at, resolved_by, revision"
)


def _pull_conflicts(local: Database, office: Database, since: tuple, outcome: SyncOutcome) -> int:
    """The office's conflicts and refusals recorded or resolved since the cursor, into the laptop's
    copy (the Conflicts page reads it offline too); returns the newest revision seen."""
    newest = since[0]
    rows = office.execute_sql(
        f"SELECT {_CONFLICT_COLUMNS} FROM {CONFLICTS} WHERE {_AFTER} ORDER BY revision", since
    ).fetchall()
    marks = ", ".join("?" * len(rows[0])) if rows else ""
    for row in rows:
        values = [v.isoformat(" ") if isinstance(v, dt.datetime) else v for v in row]
        local.execute_sql(
            f"INSERT OR REPLACE INTO {laptop_side.CONFLICTS} ({_CONFLICT_COLUMNS}) VALUES ({marks})", values
        )
        newest = max(newest, row[-1])
    return newest


# Rows after the cursor, and those of writers that were still at work at the last pull.
_AFTER = f"(revision > %s OR {WRITER} = ANY(%s::bigint[]))"


def _changed_rows(office: Database, table: SyncedTable, since: tuple):
    cursor = office.execute_sql(
        f'SELECT r.revision, {_office_columns(table)} FROM "{table.name}" r WHERE {_AFTER.replace("revision", "r.revision")}'
        " ORDER BY r.revision",
        since,
    )
    for row in cursor:
        yield {"revision": row[0], **dict(zip(table.columns, row[1:], strict=True))}


def _upsert(local: Database, table: SyncedTable, row: dict) -> list[tuple[SyncedTable, str, str, str]]:
    """Write an office row into the laptop (by uid); returns the references to rows not here yet."""
    later = []
    names, marks, params = [], [], []
    for column in table.columns:
        value = row[column]
        target = table.foreign_keys.get(column)
        names.append(f'"{column}"')
        if target and value is not None:
            found = local.execute_sql(f'SELECT id FROM "{target}" WHERE uid = ?', (value,)).fetchone()
            if found is None:
                later.append((table, row["uid"], column, value))
                marks.append("NULL")
                continue
            marks.append("?")
            params.append(found[0])
        else:
            marks.append("?")
            params.append(_stored(table, column, value))
    names.append('"revision"')
    marks.append("?")
    params.append(row["revision"])
    setters = ", ".join(f"{n} = {m}" for n, m in zip(names, marks, strict=True) if n != '"uid"')
    uid_at = names.index('"uid"')
    update_params = [p for i, p in enumerate(params) if i != _param_index(marks, uid_at)]
    updated = local.execute_sql(
        f'UPDATE "{table.name}" SET {setters} WHERE uid = ?', (*update_params, row["uid"])
    ).rowcount
    if not updated and table.name in _SAME_FACT:
        # The laptop made the same fact offline under its own uid (a tag, a customer's tag): its row
        # becomes the office's, instead of a second one the unique key refuses.
        key = _SAME_FACT[table.name]
        values = dict(zip(names, marks, strict=True))
        if all(values[f'"{c}"'] == "?" for c in key):
            key_params = [params[_param_index(marks, names.index(f'"{c}"'))] for c in key]
            where = " AND ".join(f'"{c}" = ?' for c in key)
            updated = local.execute_sql(
                f'UPDATE "{table.name}" SET uid = ?, {setters} WHERE {where}',
                (row["uid"], *update_params, *key_params),
            ).rowcount
    if not updated:
        local.execute_sql(
            f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join(marks)})', params
        )
    return later


# Tables whose unique key names one fact whoever records it: a row the laptop made offline with the
# same key as an office row is that row (the laptop's insert was kept as a duplicate at the push).
_SAME_FACT = {"customer_need_tag": ("customer_id", "tag_id"), "need_tag": ("key",)}


def _param_index(marks: list[str], position: int) -> int:
    """The index in the parameter list of the mark at `position` (NULL marks take none)."""
    return sum(1 for mark in marks[:position] if mark == "?")


# --- the whole sync ---------------------------------------------------------------------------------


def synchronise(
    local: Database, office: Database, progress: Callable[[int, int], None] | None = None
) -> SyncOutcome:
    """Push, then pull; the figures of both. `progress(done, total)` hears of both (total 0: unknown)."""
    pushed = push(local, office, progress)
    pulled = pull(local, office, progress)
    pulled.pushed, pulled.conflicts, pulled.refused = pushed.pushed, pushed.conflicts, pushed.refused
    return pulled


def refuse_unless_laptop(local: Database, path: Path) -> None:
    if not laptop_side.is_laptop(local):
        raise SyncError(
            _("{path} is not a laptop database of an office: make one with postventa sync --init.").format(
                path=path
            )
        )


def init_laptop(path: Path, office_target: str) -> SyncOutcome:
    """A new laptop database at `path` with the office's data, ready to work offline and sync.

    Built in `<path>.partial` and renamed at the end: a run cut short leaves no laptop database
    that looks ready (the next --init starts again)."""
    from app.models import db
    from app.models.base import new_uid
    from app.models.database import close_database, display_target, open_database, open_office
    from app.models.server_rights import connected_user
    from app.models.sync_schema import sync_enabled

    if path.exists() and path.stat().st_size > 0:
        raise SyncError(
            _("{path} already exists; a laptop database is made in a new file.").format(path=path)
        )
    office = open_office(office_target)
    try:
        if not sync_enabled(office):
            raise SyncError(
                _("The office server is not set up for laptops yet: a manager runs postventa server init.")
            )
        person = connected_user(office)
        login = person.login if person else office.execute_sql("SELECT current_user").fetchone()[0]
        partial = path.with_name(path.name + ".partial")
        for leftover in (
            partial,
            partial.with_name(partial.name + "-wal"),
            partial.with_name(partial.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
        open_database(str(partial))
        local = db.obj
        try:
            with office.atomic():  # the office knows the laptop from now on, and names it
                laptop = new_uid()
                label = office.execute_sql(
                    f"INSERT INTO {APPLIED} (laptop, last_seq, label) VALUES"
                    f" (%s, 0, 'L' || lpad(nextval('{LAPTOP_SEQUENCE}')::text, 2, '0')) RETURNING label",
                    (laptop,),
                ).fetchone()[0]
            with local.atomic():
                local.execute_sql('DELETE FROM "company_setting"')  # the office's settings come instead
                rep_uid = None
                if person is not None and person.rep_id is not None:
                    rep_uid = office.execute_sql(
                        "SELECT uid FROM rep WHERE id = %s", (person.rep_id,)
                    ).fetchone()[0]
                laptop_side.set_up_laptop(
                    local,
                    display_target(office_target),
                    login,
                    laptop,
                    label,
                    role=person.role if person is not None else None,
                    rep_uid=rep_uid,
                )
            crash_point("init-halfway")
            outcome = pull(local, office)
        finally:
            close_database()
        partial.replace(path)
        return outcome
    finally:
        office.close()
