"""The customers' name collation key (schema 18) is a derived column of a synced table: a name
changed on a laptop reaches the office and the other laptops with the key of the new name, and a
merge of two laptops' changes keeps it in step (app.models.sync_schema.DERIVED)."""

from __future__ import annotations

import pytest

from app.models import Customer
from app.models.collation import sort_key
from tests.sync.copies import (
    customer_of,
    differences,
    edit_customer,
    laptop_rows,
    laptops,
    office_query,
    office_rows,
    on_laptop,
    sync,
)

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


def test_a_name_changed_on_a_laptop_travels_with_its_sort_key(office, tmp_path):
    ana, mia = laptops(office, tmp_path)
    uid = customer_of(office, office.rep_id)
    on_laptop(ana, lambda: edit_customer(uid, name="Ábaco Ñúñez"))
    on_laptop(mia, lambda: edit_customer(uid, phone="+34 600 000 002"))  # merged with the name
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
    ana, mia = laptops(office, tmp_path)
    uid = customer_of(office, office.rep_id)
    on_laptop(ana, lambda: edit_customer(uid, name="Ábaco Ñúñez"))
    on_laptop(mia, lambda: edit_customer(uid, name="Zoco Núñez"))
    assert sync(ana, office.url_of(office.rep)).conflicts == 0
    assert sync(mia, office.url_of(office.manager)).conflicts == 1
    assert office_query(office, "SELECT count(*) FROM sync_conflict WHERE column_name = 'sort_key'") == [(0,)]
    assert office_rows(office)["customer"][uid]["sort_key"] == sort_key("Ábaco Ñúñez")
