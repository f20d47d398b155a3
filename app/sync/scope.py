"""What a person's laptop holds of the office (issue 16, design item 4). No Qt.

A manager, or a login with no rep record, holds everything. A rep holds the reference tables
(company settings, reps, catalogue, plans, checklists, charters, need tags), the audit entries of
their own login, and the customers they
work with: their own customers, and the customers of the open cases and returns and of the planned
follow-ups they are on, each with everything attached to it (tags, sales and their lines and units,
cases, returns, follow-ups, checks, surveys, with their histories and answers).

The office's rights are not at stake here: a rep may read the team's records on the server; the
scope only keeps a laptop to what its person needs offline. So the scope is computed on the
office, in the pull's own snapshot:
- rows changed after the laptop's cursor come only for customers in scope;
- a customer entering the scope (reassigned to the rep, a case opened for them) brings all its rows,
  old ones included: the revision filter alone would miss them;
- a customer leaving the scope (reassigned to a colleague, the rep's case closed) is removed from the
  laptop with everything attached, once nothing of the laptop's is pending: not while the outbox
  holds changes, not while a conflict or refusal of one of its rows is open, and never a customer
  the office does not have (a refused insert stays for its person).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import Database, IntegrityError

from app.models.sync_schema import AUDIT, BY_NAME, SYNCED_TABLES, SyncedTable, laptop_person
from app.sync import laptop as laptop_side

# Open records that bring their customer into a rep's scope (office SQL, PostgreSQL).
_SCOPE_CUSTOMERS = """
    SELECT id FROM customer WHERE rep_id = %(rep)s
    UNION SELECT customer_id FROM "case" WHERE rep_id = %(rep)s AND closed_on IS NULL
    UNION SELECT customer_id FROM warranty_return WHERE rep_id = %(rep)s AND state NOT IN ('closed', 'cancelled')
    UNION SELECT customer_id FROM follow_up WHERE rep_id = %(rep)s AND state = 'planned'
"""


def belongs(name: str, alias: str, customers: str, depth: int = 0) -> str | None:
    """SQL true when the row `alias` of table `name` belongs to one of `customers` (an SQL set: a
    subquery or `ANY(…)` operand, written as "{} IN (…)"-style template with one {} for the id);
    None for a reference table. A child table (a sale's lines, a check's answers) joins through its
    parent as a semi-join: a correlated subquery per row made a first sync scan for minutes."""
    if name == "customer":
        return customers.format(f"{alias}.id")
    table = BY_NAME[name]
    if "customer_id" in table.foreign_keys:
        return customers.format(f'{alias}."customer_id"')
    for column, target in table.foreign_keys.items():
        if target == name:
            continue
        parent = f"p{depth}"
        inner = belongs(target, parent, customers, depth + 1)
        if inner is not None:
            return f'{alias}."{column}" IN (SELECT {parent}.id FROM "{target}" {parent} WHERE {inner})'
    return None


# The tables whose rows belong to a customer; the others are reference tables every laptop holds.
ATTACHED = frozenset(table.name for table in SYNCED_TABLES if belongs(table.name, "r", "{}") is not None)


@dataclass(frozen=True)
class Scope:
    """The part of the office a pull brings."""

    rep: int | None = None  # the office's id of the rep; None: everything (a manager, no rep)
    customers: str = "{}"  # the office ids of the rep's customers, as a PostgreSQL array literal
    entering: tuple[int, ...] = ()  # office ids of customers whose rows come whatever their revision
    leaving: tuple[str, ...] = ()  # uids of customers to remove from the laptop

    def where(self, table: SyncedTable, after: str) -> list[tuple[str, list]]:
        """The filters of the table's rows to pull (alias r), each with the parameters it adds after
        the cursor's, given the "changed since the cursor" condition `after`: the rows changed in
        scope, then (another query: an OR of the two made PostgreSQL scan for minutes) all rows of
        the customers entering it. The scope's customers go to the server as the ids office_scope
        read in the pull's snapshot, one array unnested: their query again in each table's (200 ms
        each at 100,000 customers) was most of a day's pull, and `= ANY(list)` would have the
        planner weigh each of thousands of ids."""
        if self.rep is None:
            return [(after, [])]
        if table.name == AUDIT:  # of the office's log, a rep's laptop holds what the rep did
            return [(f"({after}) AND r.login = current_user", [])]
        if table.name not in ATTACHED:
            return [(after, [])]
        in_scope = belongs(table.name, "r", "{} IN (SELECT unnest(%s::bigint[]))")
        queries = [(f"({after}) AND {in_scope}", [self.customers])]
        if self.entering:
            entering = belongs(table.name, "r", "{} = ANY(%s::bigint[])")
            # Not the rows of the first query (a NULL writer makes `after` NULL, hence coalesce).
            queries.append((f"NOT coalesce({after}, false) AND {entering}", [list(self.entering)]))
        return queries


def office_scope(local: Database, office: Database, first: bool = False) -> Scope:
    """The laptop's scope as the office now sees it (inside the pull's snapshot). On a `first` pull
    every row comes anyway: no customer is "entering"."""
    person = laptop_person(local)
    rep_uid = person[2] if person is not None and person[1] == "rep" else None
    if rep_uid is None:
        return Scope()
    found = office.execute_sql("SELECT id FROM rep WHERE uid = %s", (rep_uid,)).fetchone()
    rep = found[0] if found is not None else -1  # the rep record gone at the office: no customers
    in_scope: dict[str, int] = {}
    if found is not None:
        in_scope = {
            uid: office_id
            for uid, office_id in office.execute_sql(
                f"SELECT uid, id FROM customer WHERE id IN ({_SCOPE_CUSTOMERS})", {"rep": found[0]}
            ).fetchall()
        }
    held = {uid for (uid,) in local.execute_sql("SELECT uid FROM customer").fetchall()}
    entering = (
        () if first else tuple(sorted(office_id for uid, office_id in in_scope.items() if uid not in held))
    )
    outside = sorted(held - in_scope.keys())
    leaving: tuple[str, ...] = ()
    if outside:  # only those the office has: a customer it refused stays for its person
        leaving = tuple(
            uid
            for (uid,) in office.execute_sql(
                "SELECT uid FROM customer WHERE uid = ANY(%s) ORDER BY uid", (outside,)
            ).fetchall()
        )
    customers = "{" + ",".join(str(office_id) for office_id in sorted(in_scope.values())) + "}"
    return Scope(rep=rep, customers=customers, entering=entering, leaving=leaving)


def remove_leaving(local: Database, leaving: tuple[str, ...]) -> int:
    """Remove from the laptop the customers that left its scope, each with everything attached to
    it (capture is off: the office keeps them). Kept for now: all of them while the outbox holds
    changes; a customer with an open conflict or refusal on one of its rows; a customer whose rows
    another customer's rows point to (its own savepoint is undone). Returns the rows removed.

    Customers go in groups, a statement per table for the whole group (one by one, a rush's pull
    removing hundreds spent most of its time here); a group that meets one to keep goes one by one."""
    if not leaving or laptop_side.pending_count(local):
        return 0
    open_rows = {
        uid
        for (uid,) in local.execute_sql(
            f"SELECT row_uid FROM {laptop_side.CONFLICTS} WHERE resolved_at IS NULL"
        ).fetchall()
    }
    customer_ids = []
    for start in range(0, len(leaving), _REMOVED_TOGETHER):
        uids = leaving[start : start + _REMOVED_TOGETHER]
        customer_ids += [
            customer_id
            for (customer_id,) in local.execute_sql(
                f"SELECT id FROM customer WHERE uid IN ({', '.join('?' * len(uids))}) ORDER BY uid", uids
            ).fetchall()
        ]
    removed = 0
    for start in range(0, len(customer_ids), _REMOVED_TOGETHER):
        group = customer_ids[start : start + _REMOVED_TOGETHER]
        together = _try_removing(local, group, open_rows)
        if together is not None:
            removed += together
        elif len(group) > 1:  # one of them is kept: the others go one by one
            removed += sum(_try_removing(local, [customer_id], open_rows) or 0 for customer_id in group)
    return removed


def _try_removing(local: Database, customer_ids: list[int], open_rows: set[str]) -> int | None:
    """The rows removed with these customers, or None when one of them is kept (nothing removed)."""
    try:
        with local.atomic():  # a savepoint inside the pull's transaction
            return _remove_customers(local, customer_ids, open_rows)
    except (_Kept, IntegrityError):
        return None


_REMOVED_TOGETHER = 200  # customers removed by one statement per table


def _of_customers(table: SyncedTable, count: int) -> str:
    """The laptop's condition "row r belongs to one of the `count` customers given as parameters"."""
    condition = belongs(table.name, "r", "{} IN (" + ", ".join("?" * count) + ")")
    assert condition is not None
    return condition


class _Kept(Exception):
    """A leaving customer with something of the laptop's still open: kept until it is settled."""


# The tables removed with a customer, in the order they sync, and each synced table's position.
_ATTACHED_TABLES = tuple(table for table in SYNCED_TABLES if table.name in ATTACHED)
_POSITION = {table.name: position for position, table in enumerate(SYNCED_TABLES)}


def _remove_customers(local: Database, customer_ids: list[int], open_rows: set[str]) -> int:
    if open_rows:
        for table in _ATTACHED_TABLES:
            uids = local.execute_sql(
                f'SELECT r.uid FROM "{table.name}" r WHERE {_of_customers(table, len(customer_ids))}',
                customer_ids,
            ).fetchall()
            if any(uid in open_rows for (uid,) in uids):
                raise _Kept
    # References to rows deleted later in the loop below (a case's originating follow-up, a unit's
    # replaced one) are cleared first, so each DELETE leaves no row pointing at a removed one.
    for table in _ATTACHED_TABLES:
        for column, target in table.foreign_keys.items():
            if _POSITION[target] >= _POSITION[table.name]:
                local.execute_sql(
                    f'UPDATE "{table.name}" AS r SET "{column}" = NULL'
                    f" WHERE {_of_customers(table, len(customer_ids))}",
                    customer_ids,
                )
    removed = 0
    for table in reversed(_ATTACHED_TABLES):
        ids = [
            row_id
            for (row_id,) in local.execute_sql(
                f'SELECT r.id FROM "{table.name}" r WHERE {_of_customers(table, len(customer_ids))}',
                customer_ids,
            ).fetchall()
        ]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            removed += local.execute_sql(
                f'DELETE FROM "{table.name}" WHERE id IN ({", ".join("?" * len(chunk))})', chunk
            ).rowcount
    return removed
