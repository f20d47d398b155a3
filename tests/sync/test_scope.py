"""What a person's laptop holds of the office (issue 16, design item 4), on a real PostgreSQL: a rep
holds her customers, those of the open records she is on and everything attached to them, plus the
reference tables; a manager holds everything; a customer reassigned away leaves her laptop once
nothing of hers is pending on it, one reassigned to her arrives with its old rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.models import Customer, db
from app.models.database import (
    open_office,
)
from app.sync import engine
from app.sync.conflicts import Choice, open_conflicts, resolve_conflict
from app.sync.engine import init_laptop
from tests.server_office import Office
from tests.sync.copies import differences, laptop_rows, office_query, office_rows, on_laptop, pending, sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


def _customers_of(office: Office, rep_id: int) -> list[str]:
    return [
        uid
        for (uid,) in office_query(
            office, "SELECT uid FROM customer WHERE rep_id = %s ORDER BY id", (rep_id,)
        )
    ]


def _another_rep(office: Office) -> int:
    return office_query(
        office,
        "SELECT r.id FROM rep r WHERE r.id <> %s AND EXISTS (SELECT 1 FROM customer c WHERE c.rep_id = r.id)"
        " ORDER BY r.id LIMIT 1",
        (office.rep_id,),
    )[0][0]


def _hand_over(office: Office, customer: str, to_rep: int) -> None:
    """At the office, the manager gives a customer to another rep with its planned visits and its open
    cases and returns (what makes it someone's work)."""
    statements = (
        "UPDATE customer SET rep_id = %(rep)s WHERE uid = %(uid)s",
        "UPDATE follow_up SET rep_id = %(rep)s WHERE state = 'planned'"
        " AND customer_id = (SELECT id FROM customer WHERE uid = %(uid)s)",
        'UPDATE "case" SET rep_id = %(rep)s WHERE closed_on IS NULL'
        " AND customer_id = (SELECT id FROM customer WHERE uid = %(uid)s)",
        "UPDATE warranty_return SET rep_id = %(rep)s WHERE state NOT IN ('closed', 'cancelled')"
        " AND customer_id = (SELECT id FROM customer WHERE uid = %(uid)s)",
    )
    with office.admin() as admin, admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, {"rep": to_rep, "uid": customer})


def _held(path: Path, table: str = "customer") -> set[str]:
    return set(laptop_rows(path)[table])


def test_a_rep_holds_her_customers_with_everything_attached_and_a_manager_everything(office, tmp_path):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    init_laptop(mia, office.url_of(office.manager))
    everything = office_rows(office)
    held = laptop_rows(ana)
    assert set(_customers_of(office, office.rep_id)) <= set(held["customer"])
    assert 0 < len(held["customer"]) < len(everything["customer"])
    assert 0 < len(held["follow_up"]) < len(everything["follow_up"])
    for reference in (
        "rep",
        "product",
        "follow_up_plan",
        "check_template",
        "service_charter",
        "company_setting",
    ):
        assert held[reference].keys() == everything[reference].keys(), reference
    assert differences(office_rows(office, ana), held) == []
    assert differences(everything, laptop_rows(mia)) == []
    # The first sync's rows come with the planner's statistics (a file without them planned the
    # dashboard's figures for minutes at 100,000 customers).
    with sqlite3.connect(ana) as laptop:
        analyzed = {table for (table,) in laptop.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
    assert {"customer", "follow_up", "usage_check"} <= analyzed


def test_a_customer_handed_to_a_colleague_leaves_her_laptop_and_one_handed_to_her_arrives_whole(
    office, tmp_path
):
    ana = tmp_path / "ana.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    colleague = _another_rep(office)
    leaving = _customers_of(office, office.rep_id)[0]
    arriving = _customers_of(office, colleague)[0]
    assert leaving in _held(ana) and arriving not in _held(ana)
    old_rows = office_query(
        office,
        "SELECT count(*) FROM follow_up WHERE customer_id = (SELECT id FROM customer WHERE uid = %s)",
        (arriving,),
    )[0][0]
    assert old_rows > 0  # rows with revisions older than the laptop's cursor: the filter alone misses them
    _hand_over(office, leaving, colleague)
    _hand_over(office, arriving, office.rep_id)

    outcome = sync(ana, office.url_of(office.rep))
    held = laptop_rows(ana)
    assert leaving not in held["customer"] and arriving in held["customer"]
    assert outcome.left_scope > 1  # the customer and what was attached to it
    assert not [row for row in held["follow_up"].values() if row["customer_id"] == leaving]
    assert len([row for row in held["follow_up"].values() if row["customer_id"] == arriving]) == old_rows
    assert differences(office_rows(office, ana), held) == []
    # The office still has everything: leaving a laptop's scope deletes nothing there.
    assert leaving in office_rows(office)["customer"]
    assert pending(ana) == 0


def test_a_leaving_customer_stays_while_something_of_the_laptop_is_pending_or_open(office, tmp_path):
    ana = tmp_path / "ana.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    colleague = _another_rep(office)
    customer = _customers_of(office, office.rep_id)[0]
    on_laptop(ana, lambda: Customer.update(notes="Visto el lunes").where(Customer.uid == customer).execute())
    _hand_over(office, customer, colleague)

    # A pull while the outbox holds the change (e.g. a push that failed): the customer stays.
    def pull_only():
        server = open_office(office.url_of(office.rep))
        try:
            return engine.pull(db.obj, server)
        finally:
            server.close()

    assert on_laptop(ana, pull_only).left_scope == 0
    assert customer in _held(ana) and pending(ana) == 1

    # The push: the office refuses the edit (no longer her customer); the refusal keeps it on her laptop.
    outcome = sync(ana, office.url_of(office.rep))
    assert outcome.refused == 1 and customer in _held(ana)
    assert laptop_rows(ana)["customer"][customer]["notes"] == "Visto el lunes"

    # Once she lets the refusal go, the next sync removes it.
    def discard():
        (refusal,) = open_conflicts()
        resolve_conflict(refusal.id, Choice.DISCARD)

    on_laptop(ana, discard)
    sync(ana, office.url_of(office.rep))
    sync(ana, office.url_of(office.rep))
    assert customer not in _held(ana)
    assert differences(office_rows(office, ana), laptop_rows(ana)) == []


def test_a_customer_the_office_refused_is_never_removed_as_leaving(office, tmp_path):
    """A customer made offline that the office does not have (refused) is not "out of scope": it
    stays on the laptop for its person."""
    ana = tmp_path / "ana.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    taken = office_query(office, "SELECT code FROM customer ORDER BY id LIMIT 1")[0][0]

    def create():
        Customer.create(code=taken, name="Cliente hecho sin conexión")

    on_laptop(ana, create)
    sync(ana, office.url_of(office.rep))
    sync(ana, office.url_of(office.rep))
    names = [row["name"] for row in laptop_rows(ana)["customer"].values()]
    assert "Cliente hecho sin conexión" in names


def test_customers_leaving_together_go_together_but_one_with_an_open_refusal_stays(office, tmp_path):
    ana = tmp_path / "ana.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    colleague = _another_rep(office)
    kept, *gone = _customers_of(office, office.rep_id)[:4]
    on_laptop(ana, lambda: Customer.update(notes="Visto el lunes").where(Customer.uid == kept).execute())
    for customer in (kept, *gone):
        _hand_over(office, customer, colleague)

    # One sync: the edit is refused and stays open, so that customer stays; the others go, whole.
    outcome = sync(ana, office.url_of(office.rep))
    assert outcome.refused == 1 and outcome.left_scope > 0
    held = _held(ana)
    assert kept in held and not held & set(gone)
    connection = sqlite3.connect(ana)
    try:
        attached = connection.execute(
            "SELECT count(*) FROM follow_up f JOIN customer c ON c.id = f.customer_id WHERE c.uid = ?",
            (kept,),
        ).fetchone()[0]
        orphans = connection.execute(
            "SELECT count(*) FROM follow_up f WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = f.customer_id)"
        ).fetchone()[0]
    finally:
        connection.close()
    assert attached == len(
        office_query(
            office,
            "SELECT 1 FROM follow_up f JOIN customer c ON c.id = f.customer_id WHERE c.uid = %s",
            (kept,),
        )
    )
    assert orphans == 0
