"""A laptop's outbox (app.sync.laptop) on its own SQLite file, without an office: which local
transaction wrote each entry, and laptops made by an earlier version brought up to date."""

from __future__ import annotations

import pytest

from app.models import Customer, db
from app.models.database import close_database, open_database
from app.services.customers import CustomerInput, create_customer, get_customer, update_customer
from app.sync import laptop as laptop_side
from tests.laptops import make_laptop


@pytest.fixture
def laptop(tmp_path):
    """A laptop's SQLite file (whatever engine the run tests), capture on, one customer."""
    open_database(str(tmp_path / "laptop.sqlite3"))
    make_laptop()
    create_customer(CustomerInput(code="C-00012", name="Ana López"), None)
    db.obj.execute_sql(f"DELETE FROM {laptop_side.OUTBOX}")  # as after a sync: nothing waits to be sent
    yield Customer.get(Customer.code == "C-00012")
    close_database()


def _entries() -> list[tuple[str, str, str | None]]:
    return db.obj.execute_sql(f"SELECT table_name, op, tx FROM {laptop_side.OUTBOX} ORDER BY seq").fetchall()


def _tag(customer: Customer, tags: list[str]) -> None:
    data = get_customer(customer.id).to_input()
    data.need_tags = tags
    update_customer(customer.id, data, None)


def test_the_entries_of_one_transaction_carry_its_mark_and_a_lone_statement_none(laptop):
    _tag(laptop, ["Instalación"])  # one command: a new tag and the customer's tag row
    _tag(laptop, ["Precio"])
    Customer.update(notes="Llamar en mayo").where(Customer.id == laptop.id).execute()
    entries = _entries()
    marks = [tx for _table, _op, tx in entries]
    first, second = marks[0], marks[-2]
    assert first is not None and second is not None and first != second
    assert marks == [first] * marks.count(first) + [second] * marks.count(second) + [None]
    assert {table for table, _op, tx in entries if tx == first} >= {"need_tag", "customer_need_tag"}


def test_a_laptop_made_by_the_earlier_version_gets_the_mark_at_its_next_sync(laptop):
    """Laptops made before the mark existed are schema 7 too: their outbox and state lack the
    columns and their triggers fill no mark. The push brings them up to date first; what they
    queued before stays one transaction each."""
    database = db.obj
    triggers = database.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_capture_%'"
    ).fetchall()
    for name, _sql in triggers:  # as the earlier version wrote them
        database.execute_sql(f'DROP TRIGGER "{name}"')
    database.execute_sql(f"ALTER TABLE {laptop_side.OUTBOX} DROP COLUMN tx")
    database.execute_sql(f"ALTER TABLE {laptop_side.STATE} DROP COLUMN owed")
    for _name, sql in triggers:
        database.execute_sql(sql.replace(", tx)", ")").replace(", postventa_local_transaction())", ")"))
    _tag(laptop, ["Instalación"])
    queued = database.execute_sql(f"SELECT count(*) FROM {laptop_side.OUTBOX}").fetchone()[0]

    laptop_side.bring_up_to_date(database)
    laptop_side.bring_up_to_date(database)  # once is enough: nothing the second time
    _tag(laptop, ["Precio"])
    marks = [tx for _table, _op, tx in _entries()]
    assert marks[:queued] == [None] * queued
    assert len(set(marks[queued:])) == 1 and marks[-1] is not None
    assert laptop_side.owed_rows(database) == set()
