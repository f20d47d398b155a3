"""The customers' name collation key (schema 18) is a derived column of a synced table: a name
changed on a laptop reaches the office and the other laptops with the key of the new name, and a
merge of two laptops' changes keeps it in step (app.models.sync_schema.DERIVED)."""

from __future__ import annotations

import pytest

from app.models import Customer
from app.models.collation import sort_key
from app.models.database import forget_credentials, use_credentials
from app.services.customers import get_customer, update_customer
from app.sync.engine import init_laptop
from tests.server_office import PASSWORD, set_up_office
from tests.sync.copies import differences, laptop_rows, office_query, office_rows, on_laptop, sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


@pytest.fixture
def office(new_database, monkeypatch, capsys):
    office = set_up_office(new_database("office"), monkeypatch, capsys)
    for login in (office.rep, office.manager):
        use_credentials(office.url_of(login), login, PASSWORD)
    yield office
    for login in (office.rep, office.manager):
        forget_credentials(office.url_of(login))


def _edit(uid: str, **changes) -> None:
    customer = Customer.get(Customer.uid == uid)
    data = get_customer(customer.id).to_input()
    for name, value in changes.items():
        setattr(data, name, value)
    update_customer(customer.id, data, None)


def test_a_name_changed_on_a_laptop_travels_with_its_sort_key(office, tmp_path):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    init_laptop(mia, office.url_of(office.manager))
    uid = office_query(
        office, "SELECT uid FROM customer WHERE rep_id = %s ORDER BY id LIMIT 1", (office.rep_id,)
    )[0][0]
    on_laptop(ana, lambda: _edit(uid, name="Ábaco Ñúñez"))
    on_laptop(mia, lambda: _edit(uid, phone="+34 600 000 002"))  # merged with the name
    assert sync(ana, office.url_of(office.rep)).conflicts == 0
    assert sync(mia, office.url_of(office.manager)).conflicts == 0
    sync(ana, office.url_of(office.rep))

    customer = office_rows(office)["customer"][uid]
    assert (customer["name"], customer["phone"]) == ("Ábaco Ñúñez", "+34 600 000 002")
    assert customer["sort_key"] == sort_key("Ábaco Ñúñez")
    for laptop in (ana, mia):
        assert differences(office_rows(office, laptop), laptop_rows(laptop)) == []
        kept = on_laptop(laptop, lambda: Customer.get(Customer.uid == uid).sort_key)
        assert kept == sort_key("Ábaco Ñúñez")


def test_a_name_changed_on_two_laptops_is_one_conflict_not_two(office, tmp_path):
    """The key follows the name: only the name conflicts (a person decides it), never its key."""
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    init_laptop(mia, office.url_of(office.manager))
    uid = office_query(
        office, "SELECT uid FROM customer WHERE rep_id = %s ORDER BY id LIMIT 1", (office.rep_id,)
    )[0][0]
    on_laptop(ana, lambda: _edit(uid, name="Ábaco Ñúñez"))
    on_laptop(mia, lambda: _edit(uid, name="Zoco Núñez"))
    assert sync(ana, office.url_of(office.rep)).conflicts == 0
    assert sync(mia, office.url_of(office.manager)).conflicts == 1
    assert office_query(office, "SELECT count(*) FROM sync_conflict WHERE column_name = 'sort_key'") == [(0,)]
    assert office_rows(office)["customer"][uid]["sort_key"] == sort_key("Ábaco Ñúñez")
