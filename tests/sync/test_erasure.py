"""An erasure reaches the office and the other laptops (issue 18): a manager erases a customer on
their laptop; the sync carries the anonymised record and the erasure log's row; the rep's laptop, at
its next pull, anonymises its own copy, its local audit log included (which never travels)."""

from __future__ import annotations

import json

import pytest

from app.models import AuditEntry, Customer, CustomerErasure, db
from app.models.database import close_database, open_database
from app.services import audit
from app.services.customers import privacy
from tests.sync.copies import laptops, office_query, on_laptop, sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")

PHONE = "+34 699 123 456"
OFFICE_PHONE = "+34 688 765 432"
OFFICE_NAME = "Gumersinda Oficina Prieto"


def _type_phone(uid: str) -> None:
    customer = Customer.get(Customer.uid == uid)
    audit.record("update", "customer", customer.id, None, label=customer.code, changes={"phone": ("", PHONE)})


def test_an_erasure_on_one_laptop_reaches_the_office_and_the_other_laptop(office, tmp_path):
    ana, mia = laptops(office, tmp_path)
    # A customer with a phone (the demo's customers change with the day the test runs).
    uid, name = office_query(
        office,
        "SELECT uid, name FROM customer WHERE rep_id = %s AND phone <> '' ORDER BY id LIMIT 1",
        (office.rep_id,),
    )[0]
    # Ana's laptop keeps, in its own audit log, a phone she typed for the customer.
    on_laptop(ana, lambda: _type_phone(uid))
    on_laptop(mia, lambda: privacy.erase_personal_data(Customer.get(Customer.uid == uid).id, None))
    # Meanwhile the office changed the name and phone, and its own audit log recorded it. The
    # laptop's pending changes keep nothing of the person (the erasure's own included), so they are
    # no conflict with the office's: the erasure log's row anonymises the office's copy.
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(
            "UPDATE customer SET name = %s, phone = %s WHERE uid = %s RETURNING id, code",
            (OFFICE_NAME, OFFICE_PHONE, uid),
        )
        office_id, code = cursor.fetchone()
        cursor.execute(
            "INSERT INTO audit_entry (uid, at, action, entity, entity_id, label, changes, details)"
            " VALUES (md5(random()::text), now(), 'update', 'customer', %s, %s, %s, '')",
            (office_id, code, json.dumps({"phone": ["", OFFICE_PHONE]})),
        )
    outcome = sync(mia, office.url_of(office.manager))
    assert (outcome.conflicts, outcome.refused) == (0, 0), office_query(
        office, "SELECT reason FROM sync_conflict WHERE reason NOT LIKE 'refused with%%'"
    )
    assert outcome.pushed > 0
    assert office_query(office, "SELECT name, email, phone, tax_id FROM customer WHERE uid = %s", (uid,)) == [
        (privacy.ERASED, "", "", None)
    ]
    assert office_query(office, "SELECT count(*) FROM customer_erasure WHERE customer_uid = %s", (uid,)) == [
        (1,)
    ]
    office_text = str(office_query(office, "SELECT changes, details FROM audit_entry"))
    assert OFFICE_PHONE not in office_text and name not in office_text and OFFICE_NAME not in office_text
    conflicts = office_query(
        office, "SELECT column_name, base_value, laptop_value, office_value FROM sync_conflict"
    )
    assert (
        OFFICE_PHONE not in str(conflicts)
        and OFFICE_NAME not in str(conflicts)
        and name not in str(conflicts)
    )
    sync(ana, office.url_of(office.rep))

    def check_ana() -> None:
        customer = Customer.get(Customer.uid == uid)
        assert (customer.name, customer.phone, customer.tax_id) == (privacy.ERASED, "", None)
        assert CustomerErasure.select().where(CustomerErasure.customer_uid == uid).count() == 1
        log = " ".join(e.changes for e in AuditEntry.select())
        assert PHONE not in log and name not in log
        erase = AuditEntry.select().where(AuditEntry.action == "erase").get()
        assert json.loads(erase.details)["synced"] is True

    on_laptop(ana, check_ana)


def test_a_manager_erases_at_the_office_where_the_audit_log_is_insert_only(office):
    """R6 keeps the office's audit log insert-only; an erasure goes through its one exception, which
    lets only the erased mark in."""
    from peewee import DatabaseError

    from app.services.permissions import current_permissions

    open_database(office.url_of(office.manager), create=False)
    try:
        customer = Customer.select().order_by(Customer.id).first()
        audit.record(
            "update", "customer", customer.id, None, label=customer.code, changes={"phone": ("", PHONE)}
        )
        with pytest.raises(DatabaseError), db.atomic():  # R6 as before: no plain UPDATE
            db.execute_sql("UPDATE audit_entry SET changes = ''")
        privacy.erase_personal_data(customer.id, None, permissions=current_permissions())
        entry = AuditEntry.select().where(AuditEntry.changes.contains("phone")).get()
        assert json.loads(entry.changes) == {"phone": ["", privacy.ERASED]}
        assert Customer.get_by_id(customer.id).name == privacy.ERASED
        with pytest.raises(DatabaseError), db.atomic():  # the exception writes nothing else
            db.execute_sql(
                "SELECT postventa_erase_audit(%s, %s, %s)", (entry.id, '{"phone": [null, "+34 600"]}', "")
            )
    finally:
        close_database()
