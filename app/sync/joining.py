"""A laptop that has worked alone joins the office (`postventa sync --join`). No Qt.

Its database becomes a laptop of the office and everything it holds is sent as new, except what the
office already has under another identity:
- catalog and definitions with the same code (reps, product categories, products, need tags,
  check templates and their items, plan steps) take the office's identity: the office's version
  comes back with the pull, and the laptop's records that point to them point to the office's;
- a customer with the office's tax id, or its code and name, is the office's customer: the two are
  merged, and each detail that differs becomes a conflict for a person (Conflicts page), never a
  silent duplicate; a customer whose code the office gives someone else gets the office's next code;
- sales, returns and cases are numbered again by the office (gapless in its series): the laptop's
  number stays as the record's alias, searchable, as for numbers made offline;
- the company settings are the office's.
A verified backup of the file is written first. The laptop's side is prepared in one transaction
(cut short, the file is as it was, and `--join` can run again); the sync that follows is the
ordinary one, as safe to interrupt and repeat.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peewee import Database

from app.i18n import _, format_number, ngettext
from app.models.customers import fold_for_search, fold_key
from app.models.sync_schema import BY_NAME, SYNCED_TABLES, SyncedTable, json_of, provisional
from app.models.system import name_audited_records_by_uid
from app.services.customers.records import TEXT_FIELDS
from app.sync import engine
from app.sync import laptop as laptop_side
from app.sync.engine import SyncError, SyncOutcome, office_uid_holding, register_laptop, synchronise

# The keys by which a record of the laptop is the office's record of the same thing.
_SAME_RECORD_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "rep": (("code",),),
    "need_tag": (("key",),),
    "customer_need_tag": (("customer_id", "tag_id"),),
    "product_category": (("code",),),
    "product": (("sku",),),
    "check_template": (("family", "version"),),
    "check_item": (("template_id", "position"),),
    "follow_up_plan_step": (("plan_id", "position"),),
}
# A merged customer's details that travel as proposals: the text ones and the consent date (the code,
# tax id, rep and archive state are the office's; empty details of the laptop propose nothing).
_CUSTOMER_DETAILS = (*(name for name in TEXT_FIELDS if name != "tax_id"), "consent_date")


@dataclass
class JoinOutcome:
    backup: Path
    sync: SyncOutcome
    same_records: int = 0  # catalog rows and reps that took the office's identity
    merged_customers: int = 0
    recoded_customers: int = 0
    renumbered: int = 0  # sales, returns and cases the office numbers again
    details: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [_("A copy of the database as it was before joining: {path}").format(path=self.backup)]
        if self.merged_customers:
            lines.append(
                ngettext(
                    "{count} customer the office already had was merged; details that differ are on"
                    " the Conflicts page.",
                    "{count} customers the office already had were merged; details that differ are on"
                    " the Conflicts page.",
                    self.merged_customers,
                ).format(count=format_number(self.merged_customers))
            )
        if self.recoded_customers:
            lines.append(
                ngettext(
                    "{count} customer gets a new code: the office uses its code for another customer.",
                    "{count} customers get new codes: the office uses their codes for other customers.",
                    self.recoded_customers,
                ).format(count=format_number(self.recoded_customers))
            )
        if self.renumbered:
            lines.append(
                ngettext(
                    "{count} sale, return or case gets the office's next number; its number on this"
                    " computer stays searchable.",
                    "{count} sales, returns and cases get the office's next numbers; their numbers on"
                    " this computer stay searchable.",
                    self.renumbered,
                ).format(count=format_number(self.renumbered))
            )
        lines.append(self.sync.summary())
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            **self.sync.as_json(),
            "merged_customers": self.merged_customers,
            "recoded_customers": self.recoded_customers,
            "renumbered": self.renumbered,
            "backup": str(self.backup),
        }


def join_office(path: Path, office_target: str) -> JoinOutcome:
    """Make the standalone database at `path` a laptop of the office and sync it (module doc)."""
    from app.locations import default_backups_folder, display_target
    from app.models import db
    from app.models.backups import BackupKind, write_backup
    from app.models.database import close_database, open_database, open_office
    from app.models.sync_schema import sync_enabled

    if not path.exists() or path.stat().st_size == 0:
        raise SyncError(
            _("{path} does not exist: a new laptop database is made with postventa sync --init.").format(
                path=path
            )
        )
    open_database(str(path), create=False)
    try:
        local = db.obj
        if laptop_side.is_laptop(local):
            raise SyncError(
                _("{path} already syncs with an office: run postventa sync without --join.").format(path=path)
            )
        office = open_office(office_target)
        try:
            if not sync_enabled(office):
                raise SyncError(
                    _(
                        "The office server is not set up for laptops yet: a manager runs postventa server init."
                    )
                )
            backup = write_backup(path, default_backups_folder(), BackupKind.BEFORE_JOIN)
            laptop, label, login, role, rep_uid = register_laptop(office)
            outcome = JoinOutcome(backup, SyncOutcome())
            with local.atomic():
                local.execute_sql('DELETE FROM "company_setting"')  # the office's settings come instead
                laptop_side.set_up_laptop(
                    local, display_target(office_target), login, laptop, label, role=role, rep_uid=rep_uid
                )
                _prepare(local, office, label, rep_uid if role == "rep" else None, outcome)
            engine.crash_point("join-prepared")
            outcome.sync = synchronise(local, office)
            return outcome
        finally:
            office.close()
    finally:
        close_database()


def _prepare(
    local: Database, office: Database, label: str, own_rep_uid: str | None, outcome: JoinOutcome
) -> None:
    """Identities taken from the office, numbers made provisional, every record queued (capture off)."""
    same: set[tuple[str, str]] = set()  # (table, uid) the office already has
    merged: list[str] = []
    if own_rep_uid is not None:
        reps = local.execute_sql('SELECT id, uid FROM "rep"').fetchall()
        if len(reps) == 1:  # a rep's own laptop: its one rep is the person who logs in
            local.execute_sql('UPDATE "rep" SET uid = ? WHERE id = ?', (own_rep_uid, reps[0][0]))
            same.add(("rep", own_rep_uid))
    for table in SYNCED_TABLES:
        if table.name in _SAME_RECORD_KEYS:
            outcome.same_records += _take_office_identities(local, office, table, same)
        elif table.name == "customer":
            merged = _merge_customers(local, office, label, same, outcome)
    outcome.renumbered = _make_numbers_provisional(local, label)
    name_audited_records_by_uid(local)  # the log follows the identities taken from the office
    engine.crash_point("join-halfway")
    for table in SYNCED_TABLES:
        if table.name == "company_setting":
            continue
        _queue_inserts(local, table, {uid for name, uid in same if name == table.name})
        if table.name == "customer":
            for uid in merged:
                _queue_merge(local, uid)


def _local_rows(local: Database, table: SyncedTable) -> list[dict[str, Any]]:
    """The table's rows as they travel (foreign keys as uids), oldest first."""
    cursor = local.execute_sql(f'SELECT {json_of(table, "r")} FROM "{table.name}" r ORDER BY r.id')
    return [json.loads(text) for (text,) in cursor.fetchall()]


def _take_office_identities(
    local: Database, office: Database, table: SyncedTable, same: set[tuple[str, str]]
) -> int:
    """Rows the office holds under the same key take its uid; returns how many."""
    taken = 0
    for row in _local_rows(local, table):
        if (table.name, row["uid"]) in same:
            continue
        for key in _SAME_RECORD_KEYS[table.name]:
            # A key through a reference can match only when the referenced row is the office's too.
            if any(
                c in table.foreign_keys and (table.foreign_keys[c], row[c]) not in same for c in key
            ) or any(row[c] is None for c in key):
                continue
            found = office_uid_holding(office, table, {c: row[c] for c in key})
            if (
                found is not None and (table.name, found) not in same
            ):  # two rows here, one there: one takes it
                local.execute_sql(f'UPDATE "{table.name}" SET uid = ? WHERE uid = ?', (found, row["uid"]))
                same.add((table.name, found))
                taken += 1
                break
    return taken


def _merge_customers(
    local: Database, office: Database, label: str, same: set[tuple[str, str]], outcome: JoinOutcome
) -> list[str]:
    """Customers the office has (same tax id, or same code and name) take its uid and are returned
    for their details to be proposed; a code the office gives another customer is made provisional."""
    table = BY_NAME["customer"]
    merged: list[str] = []
    recoded = 0
    for row in _local_rows(local, table):
        found = office_uid_holding(office, table, {"tax_id": row["tax_id"]}) if row["tax_id"] else None
        if found is None:
            holder = office.execute_sql(
                "SELECT uid, name FROM customer WHERE code = %s", (row["code"],)
            ).fetchone()
            if (
                holder is not None
                and fold_for_search(holder[1]).split() == fold_for_search(row["name"]).split()
            ):
                found = holder[0]
            elif holder is not None:
                recoded += 1
                code = provisional("C-", label, recoded, 5)
                derived = table.recompute({**row, "code": code})
                setters = ", ".join(f'"{c}" = ?' for c in ("code", *derived))
                local.execute_sql(
                    f'UPDATE "customer" SET {setters} WHERE uid = ?', (code, *derived.values(), row["uid"])
                )
                continue
        if found is not None and ("customer", found) not in same:  # else sent as new: a duplicate to resolve
            local.execute_sql('UPDATE "customer" SET uid = ? WHERE uid = ?', (found, row["uid"]))
            same.add(("customer", found))
            merged.append(found)
    outcome.merged_customers, outcome.recoded_customers = len(merged), recoded
    return merged


def _make_numbers_provisional(local: Database, label: str) -> int:
    """Sales, returns and cases numbered below zero / in the laptop's provisional series, as if made
    offline: the office gives each its next final number at the push, the old number its alias."""
    count = 0
    by_series: defaultdict[tuple, int] = defaultdict(int)
    for table, series in (("warranty_return", "year"), ("case", "series, year")):
        rows = local.execute_sql(
            f'SELECT id, {series} FROM "{table}" WHERE sequence > 0 ORDER BY {series}, sequence'
        ).fetchall()
        for row_id, *key in rows:
            by_series[(table, *key)] += 1
            local.execute_sql(
                f'UPDATE "{table}" SET sequence = ?, provisional_number = number WHERE id = ?',
                (-by_series[(table, *key)], row_id),
            )
            count += 1
    for row_id, number, sold_on in local.execute_sql(
        'SELECT id, number, sold_on FROM "sale" ORDER BY sold_on, id'
    ).fetchall():
        year = str(sold_on)[:4]
        by_series[("sale", year)] += 1
        new = provisional(f"V-{year}-", label, by_series[("sale", year)], 5)
        local.execute_sql(
            'UPDATE "sale" SET number = ?, number_key = ?, provisional_number = ? WHERE id = ?',
            (new, fold_key(new), number, row_id),
        )
        count += 1
    return count


def _queue_inserts(local: Database, table: SyncedTable, office_has: set[str]) -> None:
    """Every row of the table, but those the office has, queued as new (one transaction each: a
    refused record does not take others with it), in the order they were made."""
    local.execute_sql("CREATE TEMP TABLE IF NOT EXISTS join_office_has (uid TEXT PRIMARY KEY)")
    local.execute_sql("DELETE FROM join_office_has")
    local.cursor().executemany("INSERT INTO join_office_has VALUES (?)", [(uid,) for uid in office_has])
    local.execute_sql(
        f"INSERT INTO {laptop_side.OUTBOX} (table_name, row_uid, op, new_values) SELECT ?, r.uid, 'insert',"
        f' {json_of(table, "r")} FROM "{table.name}" r'
        " WHERE r.uid NOT IN (SELECT uid FROM join_office_has) ORDER BY r.id",
        (table.name,),
    )


def _queue_merge(local: Database, uid: str) -> None:
    """A merged customer's details as a change from nothing known: a detail the office has differently
    becomes a conflict (both values kept for a person); one the office lacks is filled in."""
    table = BY_NAME["customer"]
    (text,) = local.execute_sql(
        f'SELECT {json_of(table, "r")} FROM "customer" r WHERE r.uid = ?', (uid,)
    ).fetchone()
    row = json.loads(text)
    new = {c: row[c] for c in _CUSTOMER_DETAILS if row.get(c) not in (None, "")}
    if new:
        local.execute_sql(
            f"INSERT INTO {laptop_side.OUTBOX} (table_name, row_uid, op, old_values, new_values)"
            " VALUES ('customer', ?, 'update', ?, ?)",
            (uid, json.dumps(dict.fromkeys(new)), json.dumps(new)),
        )
