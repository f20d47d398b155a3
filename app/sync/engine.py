"""Push, then pull: a laptop's outbox to the office, the office's changes to the laptop. No Qt.

Push sends the outbox in order, in batches; each batch is one server transaction under the
person's own login (the server's rights and row-level security apply). An entry already applied
(`sync_applied`: a push repeated after a crash) is skipped. An update whose columns the office did
not change meanwhile applies; a column changed on both sides to different values becomes a
conflict, stored on the server with base, laptop and office values, and the office keeps its value;
a column changed on one side only merges. A change the server refuses (rights, a duplicate tax id
or serial number) is stored the same way as a refusal: nothing a person did is dropped, and the
queue never blocks. Only after the server committed does the laptop clear what it sent.

Pull fetches rows changed after the laptop's cursor, table by table in reference order, within
the person's scope (app.sync.scope: a rep's laptop holds their customers), and the tombstones of
deleted rows, and applies them in one laptop transaction with capture off; the new
cursor is written in that transaction, so a pull cut short leaves the laptop as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee
from peewee import CharField, Database, DatabaseError, Field, IntegerField, IntegrityError, TextField
from playhouse.fields import EnumField

from app.i18n import _, format_number, ngettext
from app.models.clock import unambiguous
from app.models.dialect import (
    POSTGRESQL_UNIQUE_VIOLATION,
    is_lock_contention,
    is_refused_by_rights,
    postgresql_code,
)
from app.models.sync_schema import (
    APPLIED,
    AUDIT,
    BY_NAME,
    CONFLICTS,
    DERIVED,
    LAPTOP_SEQUENCE,
    SEQUENCE,
    SYNCED_TABLES,
    TOMBSTONES,
    WRITER,
    SyncedTable,
)
from app.models.system import audited_table
from app.services.customers import privacy
from app.sync import laptop as laptop_side
from app.sync.errors import SyncError
from app.sync.scope import Scope, office_scope, remove_leaving

PUSH_BATCH = 500
# Columns that never conflict: when the row last changed is whoever changed it last.
_NO_CONFLICT = ("updated_at",)


ERASURES = "customer_erasure"  # the erasure log (app.services.customers.privacy)


def crash_point(name: str) -> None:
    """A named moment of a sync where the tests make it crash (kill -9, a dropped connection):
        "push-sent" (a batch applied, the office not yet committed), "push-committed" (the office
        committed, the laptop has not let the entries go), "pull-halfway" (half the tables applied on
        the laptop), "init-halfway" (a laptop database half made), "join-halfway" (a database joining the
    office half prepared), "join-prepared" (prepared, not yet synced). Nothing happens here otherwise."""


@dataclass
class SyncOutcome:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    refused: int = 0
    deleted: int = 0  # rows removed on the laptop because the office deleted them
    left_scope: int = 0  # rows removed on the laptop because their customer left its scope
    details: list[str] = field(default_factory=list)
    recovery_key: str | None = None  # a laptop database made encrypted (init_laptop): shown once

    def summary(self) -> str:
        """One line for the person: what went, what came, what is left for them to decide."""
        parts = [
            ngettext("{count} change sent", "{count} changes sent", self.pushed),
            ngettext("{count} received", "{count} received", self.pulled),
            ngettext("{count} conflict", "{count} conflicts", self.conflicts),
            ngettext("{count} refused", "{count} refused", self.refused),
        ]
        counts = [self.pushed, self.pulled, self.conflicts, self.refused]
        if self.left_scope:
            parts.append(
                ngettext(
                    "{count} row of customers no longer yours removed from this computer",
                    "{count} rows of customers no longer yours removed from this computer",
                    self.left_scope,
                )
            )
            counts.append(self.left_scope)
        done = ", ".join(part.format(count=format_number(n)) for part, n in zip(parts, counts, strict=True))
        return _("Sync done: {what}.").format(what=done)

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
    return json.dumps(value, default=_plain)


def _plain(value: Any) -> Any:
    """JSON's stand-in for a value it has no type for. A time keeps this machine's offset: another
    machine reads the conflict in its own time zone (app.models.clock)."""
    if isinstance(value, dt.datetime):
        return unambiguous(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


# --- push -------------------------------------------------------------------------------------------


def push(
    local: Database, office: Database, progress: Callable[[int, int], None] | None = None
) -> SyncOutcome:
    outcome = SyncOutcome()
    laptop_side.bring_up_to_date(local)
    laptop, _server, _login, _cursor = laptop_side.laptop_state(local)
    _number_after_the_office(local, office, laptop)
    total = laptop_side.pending_count(local)
    while True:
        entries = _next_batch(local)
        if not entries:
            return outcome
        for transactions in _office_transactions(_local_transactions(entries)):
            last = _push_office_transaction(office, laptop, transactions, outcome)
            # The office has them (committed): only now does the laptop let them go.
            crash_point("push-committed")
            local.execute_sql(f"DELETE FROM {laptop_side.OUTBOX} WHERE seq <= ?", (last,))
            outcome.pushed += sum(len(transaction) for transaction in transactions)
            if progress is not None:
                progress(outcome.pushed, total)


def _number_after_the_office(local: Database, office: Database, laptop: str) -> None:
    """A laptop file put back to an older copy by hand (a file copied back, a backup restored into a
    new file; Postventa's own restore over the file carries the counter on, app.models.backups)
    numbers its new changes from where that copy stood, below what the office applied from it: those
    would be taken for changes already applied, skipped, and lost. When the office's last applied
    number is ahead of the laptop's own counter, the waiting changes are numbered after it, in their
    order (any of them the office already had comes again, and merges or meets its own value)."""
    row = office.execute_sql(f"SELECT last_seq FROM {APPLIED} WHERE laptop = %s", (laptop,)).fetchone()
    applied = row[0] if row else 0
    if laptop_side.outbox_counter(local) >= applied:
        return
    with local.atomic():
        local.execute_sql(f"UPDATE {laptop_side.OUTBOX} SET seq = -seq")  # two steps: no clash on the way
        local.execute_sql(f"UPDATE {laptop_side.OUTBOX} SET seq = ? - seq", (applied,))
        laptop_side.set_outbox_counter(
            local,
            max(applied, local.execute_sql(f"SELECT max(seq) FROM {laptop_side.OUTBOX}").fetchone()[0] or 0),
        )


# How often an office transaction is tried when the server broke a deadlock by ending it (other
# laptops pushing changes to the same records at the same moment): nothing of it stayed, so it is
# simply applied again, after a short random wait that lets the other one finish.
_PUSH_ATTEMPTS = 5


def _push_office_transaction(
    office: Database, laptop: str, transactions: list[list[tuple]], outcome: SyncOutcome
) -> int:
    """Apply local transactions in one office transaction; returns the last outbox number applied."""
    for attempt in range(1, _PUSH_ATTEMPTS + 1):
        found = SyncOutcome()  # counted once the office has committed
        try:
            with office.atomic():
                # The numbering locks a transaction needs, before any row lock, always in the same
                # order: a laptop waiting for one holds nothing another laptop waits for.
                for key in _numbering_keys(transactions):
                    office.execute_sql("SELECT pg_advisory_xact_lock(%s)", (key,))
                _lock_rows_in_order(office, transactions)
                row = office.execute_sql(
                    f"SELECT last_seq FROM {APPLIED} WHERE laptop = %s FOR UPDATE", (laptop,)
                ).fetchone()
                applied_up_to = row[0] if row else 0
                for transaction in transactions:
                    if transaction[0][0] > applied_up_to:
                        _apply_transaction(office, laptop, transaction, found)
                last = transactions[-1][-1][0]
                crash_point("push-sent")
                office.execute_sql(
                    f"INSERT INTO {APPLIED} (laptop, last_seq) VALUES (%s, %s) ON CONFLICT (laptop)"
                    " DO UPDATE SET last_seq = EXCLUDED.last_seq, synced_at = now(), login = current_user",
                    (laptop, max(last, applied_up_to)),
                )
        except DatabaseError as exc:
            if attempt == _PUSH_ATTEMPTS or not is_lock_contention(exc):
                raise
            time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311 (a wait, not a secret)
            continue
        outcome.conflicts += found.conflicts
        outcome.refused += found.refused
        return last
    raise AssertionError("unreachable: the last attempt returns or raises")


_ENTRY = "seq, table_name, row_uid, op, old_values, new_values, base_revision, tx"


def _next_batch(local: Database) -> list[tuple]:
    """The next PUSH_BATCH outbox entries, with the rest of the last one's local transaction: one
    transaction is never split between two batches (two office transactions)."""
    entries = local.execute_sql(
        f"SELECT {_ENTRY} FROM {laptop_side.OUTBOX} ORDER BY seq LIMIT ?", (PUSH_BATCH,)
    ).fetchall()
    if entries and entries[-1][-1] is not None:
        entries += local.execute_sql(
            f"SELECT {_ENTRY} FROM {laptop_side.OUTBOX} WHERE seq > ? AND tx = ? ORDER BY seq",
            (entries[-1][0], entries[-1][-1]),
        ).fetchall()
    return entries


def _office_transactions(transactions: list[list[tuple]]) -> list[list[list[tuple]]]:
    """A batch's local transactions grouped into office transactions; one that gives a record its
    final number (_final_number) is an office transaction of its own. That number's lock is held
    until the office commits: the rest of the batch is not applied under it, so other laptops
    numbering in the same series wait only for this one transaction. Fifty laptops pushing at once
    ran one after another on the year's return numbering (bench_sync.py)."""
    groups: list[list[list[tuple]]] = [[]]
    for transaction in transactions:
        if _numbering_keys([transaction]):
            groups += [[transaction], []]
        else:
            groups[-1].append(transaction)
    return [group for group in groups if group]


def _lock_rows_in_order(office: Database, transactions: list[list[tuple]]) -> None:
    """Lock the office rows the transactions update or delete, table by table and uid by uid, before
    applying any: every push takes its row locks in the same order, so two laptops changing the same
    records at one moment wait for each other instead of deadlocking."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for transaction in transactions:
        for _seq, table_name, uid, op, *_rest in transaction:
            if op in _ROW_LOCKS and table_name in BY_NAME:
                wanted.setdefault((table_name, op), set()).add(uid)
    for (table_name, op), uids in sorted(wanted.items()):
        try:
            with office.atomic():  # a savepoint: a table the login may not change is refused later
                office.execute_sql(
                    f'SELECT 1 FROM "{table_name}" WHERE uid = ANY(%s) ORDER BY uid {_ROW_LOCKS[op]}',
                    (sorted(uids),),
                ).fetchall()
        except DatabaseError as exc:
            if not is_refused_by_rights(exc):
                raise


def _numbering_keys(transactions: list[list[tuple]]) -> list[int]:
    """The advisory-lock keys of the numbering series the transactions' records take final numbers
    in (dialect.numbering_key, as the office's own commands lock them), in ascending order."""
    from app.models.dialect import numbering_key

    keys = set()
    for transaction in transactions:
        for _seq, table_name, _uid, op, _old, new_json, _base, _tx in transaction:
            if op != "insert" or table_name not in _NUMBERED:
                continue
            row = json.loads(new_json)
            if _is_provisional(table_name, row):
                keys.add(numbering_key(*_numbering_series(table_name, row)))
    return sorted(keys)


def _numbering_series(table: str, row: dict[str, Any]) -> tuple[object, ...]:
    """The numbering series (and its scope) a provisionally numbered record takes its final number in."""
    if table == "warranty_return":
        return ("return", row["year"])
    if table == "case":
        return ("case", row["series"], row["year"])
    if table == "customer":
        return ("customer code",)
    return ("sale", int(row["number"][2:6]))


def _local_transactions(entries: list[tuple]) -> list[list[tuple]]:
    """The entries in runs, one per local transaction (SQLite writes one transaction at a time, so
    its entries follow each other); an entry without a mark is a transaction of its own."""
    runs: list[list[tuple]] = []
    for entry in entries:
        if runs and entry[-1] is not None and runs[-1][-1][-1] == entry[-1]:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    return runs


def _apply_transaction(office: Database, laptop: str, entries: list[tuple], outcome: SyncOutcome) -> None:
    """One local transaction's entries, applied together or refused together: when the office
    refuses one (a right the person lacks, a tax id another customer has), none of them stays, or a
    return's history would keep a step whose change of state was refused. Every entry of a refused
    transaction is kept, the one refused with the office's reason; the transaction counts once."""
    found = SyncOutcome()  # conflicts recorded while applying: they count only if the transaction stays
    cause = entries[0]
    try:
        with office.atomic():  # a savepoint: a refused transaction leaves the batch going
            for cause in entries:
                _apply_entry(office, laptop, cause, found)
    except DatabaseError as exc:
        # A unique key the office already holds is a duplicate; another integrity error is a
        # refusal: a record that belongs to one the office does not have (deleted there, or itself
        # refused) comes back as an empty reference, and its reason names that column.
        duplicate = postgresql_code(exc) == POSTGRESQL_UNIQUE_VIOLATION
        if not isinstance(exc, IntegrityError) and not is_refused_by_rights(exc):
            raise
        kind, reason = ("duplicate" if duplicate else "refused"), _one_line(exc)
        # The others' reason names the refused entry, not the office's message (which speaks of
        # that entry's columns: app.sync.labels reads a duplicate's key from it).
        along = f"refused with {cause[1]} {cause[2]}, written in the same transaction on the laptop"
        for entry in entries:
            change = json.loads(entry[5] or entry[4] or "{}")
            _keep(office, laptop, entry, kind, None, None, change, None, reason if entry is cause else along)
        if duplicate:
            outcome.conflicts += 1
        else:
            outcome.refused += 1
        return
    outcome.conflicts += found.conflicts
    outcome.refused += found.refused


def _keep(
    office: Database,
    laptop: str,
    entry: tuple,
    kind: str,
    column: str | None,
    base_value: Any,
    laptop_value: Any,
    office_value: Any,
    reason: str = "",
) -> None:
    """A conflict or refusal of an outbox entry, stored at the office for a person to decide."""
    office.execute_sql(
        f"INSERT INTO {CONFLICTS} (kind, table_name, row_uid, column_name, base_value, laptop_value,"
        " office_value, reason, laptop, seq) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            kind,
            entry[1],
            entry[2],
            column,
            _text(base_value),
            _text(laptop_value),
            _text(office_value),
            reason,
            laptop,
            entry[0],
        ),
    )


def _apply_entry(office: Database, laptop: str, entry: tuple, outcome: SyncOutcome) -> None:
    """One outbox entry at the office; a statement the office refuses raises (_apply_transaction)."""
    _seq, table_name, uid, op, old_json, new_json, base, _tx = entry
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
        _keep(office, laptop, entry, kind, column, base_value, laptop_value, office_value, reason)
        if kind == "refused":
            outcome.refused += 1
        else:
            outcome.conflicts += 1

    if op == "insert" and table.name in _SAME_FACT and _held_at_office(office, table, new):
        # Made elsewhere first (a tag given on two laptops): the office has the fact, so the rest of
        # the transaction stands; the laptop's row is kept as a duplicate (the pull adopts the office's).
        keep("duplicate", None, None, new, None)
    elif op == "insert":
        _insert(office, table, new)
        if table.name == ERASURES:  # a laptop erased a customer: the office's copy too (issue 18)
            privacy.apply_erasure_from_sync(new["customer_uid"], office)
    elif op == "update":
        _update(office, table, uid, old, new, base, keep)
    else:
        _delete(office, table, uid, base, old, keep)


def _held_at_office(office: Database, table: SyncedTable, row: dict[str, Any]) -> bool:
    """Whether an office row holds one of the row's unique keys."""
    return any(
        office_uid_holding(office, table, {c: row[c] for c in key}) is not None
        for key in table.unique_keys
        if all(row.get(c) is not None for c in key)
    )


def office_uid_holding(office: Database, table: SyncedTable, key: dict[str, Any]) -> str | None:
    """The uid of the office row with these key values (references as uids), or None."""
    names, marks, params = _assignments(table, key)
    where = " AND ".join(f"{n} = {m}" for n, m in zip(names, marks, strict=True))
    found = office.execute_sql(f'SELECT uid FROM "{table.name}" WHERE {where}', params).fetchone()
    return found[0] if found else None


def _one_line(exc: BaseException) -> str:
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def _assignments(
    table: SyncedTable, values: dict[str, Any], *, writing: bool = False
) -> tuple[list[str], list[str], list[Any]]:
    """(quoted columns, value SQL, parameters) for values by column; foreign keys through uids.
    `writing`: a reference to a row the office lacks raises a foreign-key violation naming it
    (sync_schema's postventa_sync_missing) instead of becoming an empty reference."""
    names, marks, params = [], [], []
    for column, value in values.items():
        names.append(f'"{column}"')
        target = table.foreign_keys.get(column)
        stored = _stored(table, column, value)
        if target and value is not None and writing:
            marks.append(
                f'COALESCE((SELECT id FROM "{target}" WHERE uid = %s), postventa_sync_missing(%s, %s, %s, %s))'
            )
            params.extend([stored, table.name, column, stored, target])
            continue
        if target and value is not None:
            marks.append(f'(SELECT id FROM "{target}" WHERE uid = %s)')
        else:
            marks.append("%s")
        params.append(stored)
    return names, marks, params


def _insert(office: Database, table: SyncedTable, new: dict[str, Any]) -> None:
    if table.name in _NUMBERED and _is_provisional(table.name, new):
        new = {**new, **_final_number(office, table.name, new)}
    names, marks, params = _assignments(table, new, writing=True)
    if table.name == AUDIT:  # the office's id of the record the entry names (0: not at the office)
        position = names.index('"entity_id"')
        first = sum(mark.count("%s") for mark in marks[:position])  # its parameter
        marks[position] = _audited_id_sql(new.get("entity"), "%s")
        params[first : first + 1] = [new.get("entity_uid")] if "%s" in marks[position] else []
    office.execute_sql(f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join(marks)})', params)


def _audited_id_sql(entity: str | None, uid_sql: str) -> str:
    """SQL for this database's id of the record an audit entry of kind `entity` names by uid, 0 when
    it is not here (deleted, outside a rep's scope, a kind with no table)."""
    target = audited_table(entity or "")
    if target not in BY_NAME:
        return "0"
    return f'COALESCE((SELECT id FROM "{target}" WHERE uid = {uid_sql}), 0)'


# Records a laptop numbers provisionally offline: the office gives the final number at the push
# (a customer: the code a laptop suggested, customers.customer_code_series).
_NUMBERED = ("warranty_return", "case", "sale", "customer")


def _is_provisional(table: str, row: dict[str, Any]) -> bool:
    if table == "sale":
        return bool(_PROVISIONAL_SALE.match(row.get("number") or ""))
    if table == "customer":
        return bool(_PROVISIONAL_CUSTOMER.match(row.get("code") or ""))
    return (row.get("sequence") or 0) < 0


_PROVISIONAL_SALE = re.compile(r"^V-\d{4}-L\d+-\d+$")
_PROVISIONAL_CUSTOMER = re.compile(r"^C-L\d+-\d+$")


def _final_number(office: Database, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The next final number of the record's series at the office, under the same numbering lock as
    the office's own commands (gapless whoever numbers); the provisional number is kept as an alias."""
    from app.models.customers import fold_key
    from app.models.dialect import numbering_key
    from app.services.cases.workflow import case_number
    from app.services.returns.workflow import format_number_of
    from app.services.sales.recording import SALE_NUMBER_WIDTH, sale_number_prefix

    # Already held when the push took it up front (_numbering_keys); taking it again costs nothing.
    office.execute_sql("SELECT pg_advisory_xact_lock(%s)", (numbering_key(*_numbering_series(table, row)),))
    if table == "customer":
        return _final_customer_code(office, row)
    # The laptop's own number; a laptop that joined the office brings its earlier number (joining).
    alias = {"provisional_number": row.get("provisional_number") or row["number"]}
    if table == "warranty_return":
        year = row["year"]
        sequence = office.execute_sql(
            "SELECT COALESCE(MAX(sequence), 0) + 1 FROM warranty_return WHERE year = %s AND sequence > 0",
            (year,),
        ).fetchone()[0]
        return {**alias, "sequence": sequence, "number": format_number_of(year, sequence)}
    if table == "case":
        year, series = row["year"], row["series"]
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


def _final_customer_code(office: Database, row: dict[str, Any]) -> dict[str, Any]:
    """The office's next suggested customer code (as customers.next_customer_code finds it there),
    with the search text that follows from it."""
    from app.services.customers.records import CUSTOMER_CODE_PREFIX, CUSTOMER_CODE_WIDTH

    prefix, highest = CUSTOMER_CODE_PREFIX, 0
    for (code,) in office.execute_sql(
        "SELECT code FROM customer WHERE code LIKE %s ORDER BY length(code) DESC, code DESC LIMIT 20",
        (prefix + "%",),
    ).fetchall():
        if code[len(prefix) :].isdigit():
            highest = int(code[len(prefix) :])
            break
    final = {"code": f"{prefix}{highest + 1:0{CUSTOMER_CODE_WIDTH}d}"}
    derived, _sources, recompute = DERIVED["customer"]
    return {**final, **{c: v for c, v in recompute({**row, **final}).items() if c in derived}}


def _office_columns(table: SyncedTable) -> str:
    """The travelling columns of an office row `r`, each foreign key as the uid it points to."""
    return ", ".join(
        f'(SELECT uid FROM "{t}" WHERE id = r."{c}") AS "{c}"'
        if (t := table.foreign_keys.get(c))
        else f'r."{c}"'
        for c in table.columns
    )


# How a push locks an office row it is about to change: an update never changes a key, so it
# takes the lock that does not block other transactions' inserts of rows pointing to it (their
# foreign-key checks take KEY SHARE locks); a delete takes the full one.
_ROW_LOCKS = {"update": "FOR NO KEY UPDATE", "delete": "FOR UPDATE"}


def _office_row(
    office: Database, table: SyncedTable, uid: str, lock: str | None = "update"
) -> dict[str, Any] | None:
    cursor = office.execute_sql(
        f'SELECT r.revision, {_office_columns(table)} FROM "{table.name}" r WHERE r.uid = %s'
        + (f" {_ROW_LOCKS[lock]} OF r" if lock else ""),
        (uid,),
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return {"revision": row[0], **dict(zip(table.columns, row[1:], strict=True))}


def _update(office, table: SyncedTable, uid: str, old: dict, new: dict, base, keep) -> None:
    current = _office_row(office, table, uid)
    changed = [c for c in table.columns if _python(table, c, old.get(c)) != _python(table, c, new.get(c))]
    if current is None:  # the whole row as the laptop had it: a person may record it again
        keep("deleted", None, old, new, None)
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
    names, marks, params = _assignments(table, apply, writing=True)
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
    current = _office_row(office, table, uid, lock="delete")
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
    cache = local.execute_sql("PRAGMA cache_size").fetchone()[0]
    # A first sync writes hundreds of thousands of rows under random uids: with SQLite's default
    # 2 MB page cache each index insert reads pages back from the file.
    local.execute_sql(f"PRAGMA cache_size = {min(cache, -_PULL_CACHE_KIB)}")
    try:
        return _pull(local, office, progress)
    finally:
        local.execute_sql(f"PRAGMA cache_size = {int(cache)}")


_PULL_CACHE_KIB = 256 * 1024


def _pull(local: Database, office: Database, progress: Callable[[int, int], None] | None) -> SyncOutcome:
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
        scope = office_scope(local, office, first=since[0] == 0)
        with local.atomic():
            laptop_side.set_capturing(local, False)
            later: list[tuple[SyncedTable, str, str, str]] = []  # references to rows not here yet
            erased: list[str] = []  # customers whose erasure arrived in this pull
            audit_uids: list[str] = []
            ids = _LocalIds(local, 0)
            for position, table in enumerate(SYNCED_TABLES):
                if position == len(SYNCED_TABLES) // 2:
                    crash_point("pull-halfway")
                ids.position = position
                fresh = not local.execute_sql(f'SELECT 1 FROM "{table.name}" LIMIT 1').fetchone()
                batch: list[dict] = []
                for row in _changed_rows(office, table, since, scope):
                    newest = max(newest, row["revision"])
                    outcome.pulled += 1
                    if table.name == ERASURES:  # erased at the office or on another laptop (issue 18)
                        erased.append(row["customer_uid"])
                    if table.name == AUDIT:
                        audit_uids.append(row["uid"])
                    batch.append(row)
                    if len(batch) == _INSERT_BATCH:
                        later += _write_rows(local, table, batch, ids, fresh)
                        batch = []
                later += _write_rows(local, table, batch, ids, fresh)
                if progress is not None:
                    progress(outcome.pulled, 0)
            for table, uid, column, target_uid in later:
                local.execute_sql(
                    f'UPDATE "{table.name}" SET "{column}" = (SELECT id FROM "{table.foreign_keys[column]}"'
                    " WHERE uid = ?) WHERE uid = ?",
                    (target_uid, uid),
                )
            _point_audit_entries_here(local, audit_uids)
            for customer_uid in erased:  # this copy anonymised too, its own audit log included
                privacy.apply_erasure_from_sync(customer_uid, local)
            after, after_params = _after(since)
            cursor = office.execute_sql(
                f"SELECT table_name, uid, revision FROM {TOMBSTONES} WHERE {after} ORDER BY revision DESC",
                after_params,
            )
            kept: set[tuple[str, str]] = set()
            for table_name, uid, revision in cursor.fetchall():
                newest = max(newest, revision)
                if table_name in BY_NAME:
                    try:
                        with local.atomic():
                            # Only a copy older than the deletion: a record a person brought back
                            # after it (Conflicts page) arrives in this pull with a newer revision.
                            gone = local.execute_sql(
                                f'DELETE FROM "{table_name}" WHERE uid = ? AND (revision IS NULL OR revision < ?)',
                                (uid, revision),
                            )
                        outcome.deleted += gone.rowcount
                    except IntegrityError:
                        # Records of this laptop's own still belong to it (made offline for a
                        # customer the office deleted, kept as refusals for a person): it goes
                        # once they do (_bring_back), and the pull goes on.
                        kept.add((table_name, uid))
            if kept:
                laptop_side.set_owed(local, laptop_side.owed_rows(local) | kept)
            newest = max(newest, _pull_conflicts(local, office, since, outcome))
            outcome.left_scope = remove_leaving(local, scope.leaving)
            local.execute_sql(
                f"UPDATE {laptop_side.STATE} SET cursor = ?, unfinished_writers = ?, last_sync = datetime('now')",
                (newest, json.dumps(sorted(in_progress or []))),
            )
            laptop_side.set_capturing(local, True)
    return outcome


def _point_audit_entries_here(local: Database, uids: list[str]) -> None:
    """The pulled audit entries' `entity_id` made this laptop's id of their record (it came as the
    office's): one statement per kind of record, over the entries of this pull."""
    if not uids:
        return
    local.execute_sql("CREATE TEMP TABLE IF NOT EXISTS pulled_audit (uid TEXT PRIMARY KEY)")
    local.execute_sql("DELETE FROM temp.pulled_audit")
    local.cursor().executemany(
        "INSERT OR IGNORE INTO temp.pulled_audit (uid) VALUES (?)", [(u,) for u in uids]
    )
    kinds = local.execute_sql(
        f"SELECT DISTINCT entity FROM {AUDIT} WHERE uid IN (SELECT uid FROM temp.pulled_audit)"
    ).fetchall()
    for (kind,) in kinds:
        local.execute_sql(
            f"UPDATE {AUDIT} SET entity_id = {_audited_id_sql(kind, f'{AUDIT}.entity_uid')}"
            " WHERE entity = ? AND uid IN (SELECT uid FROM temp.pulled_audit)",
            (kind,),
        )
    local.execute_sql("DELETE FROM temp.pulled_audit")


_CONFLICT_COLUMNS = (
    "id, kind, table_name, row_uid, column_name, base_value, laptop_value, office_value, reason, laptop, seq,"
    " login, created_at, resolved_at, resolved_by, revision"
)


def _pull_conflicts(local: Database, office: Database, since: tuple, outcome: SyncOutcome) -> int:
    """The office's conflicts and refusals recorded or resolved since the cursor, into the laptop's
    copy (the Conflicts page reads it offline too); returns the newest revision seen. A refusal of
    this laptop's change, once decided (discarded here or at the office), brings the office's row
    back to the laptop (_bring_back)."""
    newest = since[0]
    here = laptop_side.laptop_state(local)[0]
    owed = laptop_side.owed_rows(local)
    after, after_params = _after(since)
    rows = office.execute_sql(
        f"SELECT {_CONFLICT_COLUMNS} FROM {CONFLICTS} WHERE {after} ORDER BY revision", after_params
    ).fetchall()
    marks = ", ".join("?" * len(rows[0])) if rows else ""
    for row in rows:
        values = [v.isoformat(" ") if isinstance(v, dt.datetime) else v for v in row]
        local.execute_sql(
            f"INSERT OR REPLACE INTO {laptop_side.CONFLICTS} ({_CONFLICT_COLUMNS}) VALUES ({marks})", values
        )
        _id, kind, table_name, row_uid, *_values, laptop, _seq, _login, _made, resolved_at, _by, _rev = row
        if laptop == here and kind in _KEPT_ON_THE_LAPTOP and resolved_at is not None:
            owed.add((table_name, row_uid))
        newest = max(newest, row[-1])
    _bring_back(local, office, here, owed, outcome)
    return newest


# Refusals whose change the office did not take at all: the laptop keeps its own version of the row
# (for its person to correct, or discard) while they are open; the office's row did not move, so
# no pull brings it unless asked (_bring_back).
_KEPT_ON_THE_LAPTOP = ("refused", "duplicate")


def _bring_back(
    local: Database, office: Database, here: str, owed: set[tuple[str, str]], outcome: SyncOutcome
) -> None:
    """The office's version of each row owed (its row, or its absence) into the laptop, once no
    refusal of this laptop on that row is open. A row that cannot be written yet (the row it belongs
    to is not back yet; rows of the laptop's own still point to it) stays owed for the next pull."""
    if not owed:
        return
    waiting = {
        (table_name, row_uid)
        for table_name, row_uid in local.execute_sql(
            f"SELECT table_name, row_uid FROM {laptop_side.CONFLICTS} WHERE resolved_at IS NULL"
            f" AND laptop = ? AND kind IN ({', '.join('?' * len(_KEPT_ON_THE_LAPTOP))})",
            (here, *_KEPT_ON_THE_LAPTOP),
        ).fetchall()
    }
    order = {table.name: position for position, table in enumerate(SYNCED_TABLES)}
    due = sorted((r for r in owed - waiting if r[0] in BY_NAME), key=lambda r: (order[r[0]], r[1]))
    while due:  # again while rows go in: one may have waited for another of the list
        left = []
        for table_name, uid in due:
            try:
                with local.atomic():  # a savepoint: a row that cannot be written yet leaves no trace
                    _take_back(local, office, BY_NAME[table_name], uid, outcome)
            except IntegrityError:
                left.append((table_name, uid))
        if len(left) == len(due):
            break
        due = left
    laptop_side.set_owed(local, (owed & waiting) | set(due))


def _take_back(local: Database, office: Database, table: SyncedTable, uid: str, outcome: SyncOutcome) -> None:
    row = _office_row(office, table, uid, lock=None)
    if row is None:
        outcome.deleted += local.execute_sql(f'DELETE FROM "{table.name}" WHERE uid = ?', (uid,)).rowcount
        return
    _upsert(local, table, row)  # a reference to a row the laptop does not hold stays empty, as in pull
    outcome.pulled += 1


def _after(since: tuple, alias: str = "") -> tuple[str, tuple]:
    """Rows after the cursor, and those of writers that were still at work at the last pull: the
    condition and its parameters. Without such writers it is the revision alone, which the
    revision index serves (an OR with the writers makes PostgreSQL scan the whole table)."""
    cursor, writers = since
    if not writers:
        return f"{alias}revision > %s", (cursor,)
    return f"({alias}revision > %s OR {alias}{WRITER} = ANY(%s::bigint[]))", (cursor, writers)


def _changed_rows(office: Database, table: SyncedTable, since: tuple, scope: Scope):
    after, after_params = _after(since, "r.")
    for where, scope_params in scope.where(table, after):
        cursor = office.execute_sql(
            f'SELECT r.revision, {_office_columns(table)} FROM "{table.name}" r WHERE {where} ORDER BY r.revision',
            (*after_params, *scope_params),
        )
        for row in cursor:
            yield {"revision": row[0], **dict(zip(table.columns, row[1:], strict=True))}


class _LocalIds:
    """The laptop's ids of rows named by uid, for the foreign keys of the table a pull is at
    (`position` in SYNCED_TABLES). A table the pull has finished, once many of its rows are asked
    for, is read whole into memory and kept for the rest of the pull (a first sync resolves about a
    million references); a few (a day's changes reading a table of 150,000 follow-ups) are asked
    row by row, as are the table the pull is at and later ones, whose rows it is still writing."""

    _POSITION = {table.name: position for position, table in enumerate(SYNCED_TABLES)}
    _READ_WHOLE_AFTER = 2000  # rows asked for one by one, at ~10 µs each

    def __init__(self, local: Database, position: int) -> None:
        self.local, self.position = local, position
        self.finished: dict[str, dict[str, int]] = {}
        self.asked: dict[str, int] = {}

    def of(self, target: str, uid: str) -> int | None:
        if target in self.finished:
            return self.finished[target].get(uid)
        if self._POSITION[target] < self.position:
            self.asked[target] = asked = self.asked.get(target, 0) + 1
            if asked > self._READ_WHOLE_AFTER:
                self.finished[target] = dict(
                    self.local.execute_sql(f'SELECT uid, id FROM "{target}"').fetchall()
                )
                return self.finished[target].get(uid)
        found = self.local.execute_sql(f'SELECT id FROM "{target}" WHERE uid = ?', (uid,)).fetchone()
        return found[0] if found else None


_INSERT_BATCH = 1000


def _laptop_values(
    table: SyncedTable, row: dict, ids: _LocalIds
) -> tuple[dict[str, Any], list[tuple[SyncedTable, str, str, str]]]:
    """An office row as the laptop stores it (a reference to a row not here yet: NULL), and those
    references, to be set once their rows are in."""
    later = []
    values: dict[str, Any] = {}
    for column, target, converter in _storing(table):
        value = row[column]
        if value is None:
            values[column] = None
        elif target:
            found = ids.of(target, value)
            if found is None:
                later.append((table, row["uid"], column, value))
            values[column] = found
        elif converter is None:  # a blob
            values[column] = _stored(table, column, value)
        else:
            values[column] = converter.db_value(converter.python_value(value))
    values["revision"] = row["revision"]
    return values, later


def _storing(table: SyncedTable) -> tuple[tuple[str, str | None, Field | None], ...]:
    """Per column: its name, the table a foreign key points to, the field converting its value
    (None for a blob), worked out once: a first sync converts millions of values."""
    if table.name not in _STORING:
        _STORING[table.name] = _columns_storing(table)
    return _STORING[table.name]


_STORING: dict[str, tuple[tuple[str, str | None, Field | None], ...]] = {}


def _columns_storing(table: SyncedTable) -> tuple[tuple[str, str | None, Field | None], ...]:
    return tuple(
        (
            column,
            table.foreign_keys.get(column),
            None if table.is_blob(column) else table.fields[column],
        )
        for column in table.columns
    )


def _write_rows(
    local: Database, table: SyncedTable, rows: list[dict], ids: _LocalIds, fresh: bool
) -> list[tuple[SyncedTable, str, str, str]]:
    """Office rows into the laptop, in one statement run for all: inserted into a table that held none
    of its rows when the pull reached it (a first sync), else written by uid (inserted or updated).
    A batch that meets a clash on another unique key goes row by row (_upsert makes room)."""
    if not rows:
        return []
    later: list[tuple[SyncedTable, str, str, str]] = []
    prepared = []
    for row in rows:
        values, references = _laptop_values(table, row, ids)
        prepared.append(tuple(values.values()))
        later += references
    columns = (*table.columns, "revision")
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    insert = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    if not fresh:
        insert += ' ON CONFLICT ("uid") DO UPDATE SET ' + ", ".join(
            f'"{c}" = excluded."{c}"' for c in columns if c != "uid"
        )
    try:
        # A savepoint: a clash undoes this batch only (the driver's error raised as peewee's).
        with local.atomic(), peewee.__exception_wrapper__:
            local.cursor().executemany(insert, prepared)
    except IntegrityError:
        later = []
        for row in rows:
            later += _upsert(local, table, row, ids)
    return later


def _upsert(
    local: Database, table: SyncedTable, row: dict, ids: _LocalIds | None = None
) -> list[tuple[SyncedTable, str, str, str]]:
    """Write an office row into the laptop (by uid); returns the references to rows not here yet.
    A laptop row of another uid that holds one of its unique values gives way (_make_room)."""
    values, later = _laptop_values(table, row, ids or _LocalIds(local, 0))
    names = ", ".join(f'"{c}"' for c in values)
    setters = ", ".join(f'"{c}" = ?' for c in values if c != "uid")
    others = [v for c, v in values.items() if c != "uid"]

    def write() -> None:
        if not local.execute_sql(
            f'UPDATE "{table.name}" SET {setters} WHERE uid = ?', (*others, row["uid"])
        ).rowcount:
            marks = ", ".join("?" * len(values))
            local.execute_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', list(values.values()))

    try:
        write()
    except IntegrityError:  # SQLite undoes the statement only: the pull's transaction goes on
        if not _make_room(local, table, values):
            raise
        write()
    return later


def _make_room(local: Database, table: SyncedTable, values: dict[str, Any]) -> bool:
    """The laptop rows of other uids that hold one of the office row's unique keys give it up;
    returns whether any did. Such a row is the laptop's own (a customer made offline with a code or
    tax id the office has given another: refused at the push as a duplicate, and kept for its person
    to resolve) or one this pull changes or deletes later. The office's row always gets its key: the
    laptop's row becomes it where both are the same fact (_SAME_FACT) or where nothing in the key can
    move, else one column of the key moves aside (_aside)."""
    uid, made = values["uid"], False
    for key in table.unique_keys:
        if any(values[c] is None for c in key):
            continue  # NULLs never clash
        where = " AND ".join(f'"{c}" = ?' for c in key)
        found = local.execute_sql(
            f'SELECT id FROM "{table.name}" WHERE {where} AND uid <> ?', (*(values[c] for c in key), uid)
        ).fetchone()
        if found is None:
            continue
        aside = _aside(table, key)
        here = local.execute_sql(f'SELECT 1 FROM "{table.name}" WHERE uid = ?', (uid,)).fetchone()
        if (table.name in _SAME_FACT or aside is None) and not here:
            local.execute_sql(f'UPDATE "{table.name}" SET uid = ? WHERE id = ?', (uid, found[0]))
        elif aside is not None:
            local.execute_sql(
                f'UPDATE "{table.name}" SET "{aside[0]}" = {aside[1]} WHERE id = ?', (found[0],)
            )
        else:
            continue
        made = True
    return made


def _aside(table: SyncedTable, key: tuple[str, ...]) -> tuple[str, str] | None:
    """(column, SQL of its new value) that moves a laptop row out of a unique key's way: the key's
    last column that can move, to NULL where it may be empty, below the table's lowest for a
    number, with the row's uid appended for a text ("C-90001~1f0c2a9e"); None when every column is
    a reference or a choice (the row keeps its values in the stored duplicate meanwhile)."""
    for column in reversed(key):
        field = table.fields[column]
        if field.null:
            return column, "NULL"
        if column in table.foreign_keys or isinstance(field, EnumField):
            continue
        if isinstance(field, IntegerField):
            return column, f'(SELECT MIN("{column}") FROM "{table.name}") - 1'
        if isinstance(field, CharField | TextField):
            return column, f"\"{column}\" || '~' || substr(uid, 1, 8)"
    return None


# Tables whose unique key names one fact whoever records it: a row the laptop made offline with the
# same key as an office row is that row (the push keeps the laptop's insert as a duplicate and
# applies the rest of its transaction; the pull makes the laptop's row the office's).
_SAME_FACT = ("customer_need_tag", "need_tag")


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


def register_laptop(office: Database) -> tuple[str, str, str, str | None, str | None]:
    """(laptop id, label, login, role, rep uid): the office knows the laptop from now on and names
    it (L03); the role and rep say who the login is there (app.sync.laptop.set_up_laptop)."""
    from app.models.base import new_uid
    from app.models.server_rights import connected_user

    person = connected_user(office)
    login = person.login if person else office.execute_sql("SELECT current_user").fetchone()[0]
    with office.atomic():
        laptop = new_uid()
        label = office.execute_sql(
            f"INSERT INTO {APPLIED} (laptop, last_seq, label) VALUES"
            f" (%s, 0, 'L' || lpad(nextval('{LAPTOP_SEQUENCE}')::text, 2, '0')) RETURNING label",
            (laptop,),
        ).fetchone()[0]
    rep_uid = None
    if person is not None and person.rep_id is not None:
        rep_uid = office.execute_sql("SELECT uid FROM rep WHERE id = %s", (person.rep_id,)).fetchone()[0]
    return laptop, label, login, (person.role if person is not None else None), rep_uid


def init_laptop(path: Path, office_target: str, *, encrypt: bool = False) -> SyncOutcome:
    """A new laptop database at `path` with the office's data, ready to work offline and sync;
    with `encrypt`, encrypted from its first byte (its recovery key in the outcome).

    Built in `<path>.partial` and renamed at the end: a run cut short leaves no laptop database
    that looks ready (the next --init starts again)."""
    from app.locations import display_target
    from app.models import db
    from app.models.database import close_database, open_database, open_office
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
        partial = path.with_name(path.name + ".partial")
        for leftover in (
            partial,
            partial.with_name(partial.name + "-wal"),
            partial.with_name(partial.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
        info = open_database(str(partial), encrypt=encrypt)
        local = db.obj
        try:
            laptop, label, login, role, rep_uid = register_laptop(office)
            with local.atomic():
                local.execute_sql('DELETE FROM "company_setting"')  # the office's settings come instead
                laptop_side.set_up_laptop(
                    local, display_target(office_target), login, laptop, label, role=role, rep_uid=rep_uid
                )
            crash_point("init-halfway")
            outcome = pull(local, office)
            outcome.recovery_key = info.recovery_key
        finally:
            close_database()
        partial.replace(path)
        return outcome
    finally:
        office.close()
