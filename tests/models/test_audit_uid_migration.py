"""Migration 15: an audit entry names its record by uid too (the audit log syncs). Existing entries
get the uid of their record when it is still there; on either engine."""

from __future__ import annotations

from app.models import AuditEntry, Customer, Rep, SchemaVersion, db, migrations
from tests.models.test_database import migrate_again_from


def test_existing_entries_get_the_uid_of_their_record(database, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {15: migrations.MIGRATIONS[15]})  # this one only
    rep = Rep.create(code="R1", name="Ana")
    customer = Customer.create(code="C1", name="Lavanderías Sur", rep=rep)
    db.execute_sql('ALTER TABLE audit_entry DROP COLUMN "entity_uid"')
    for entity, entity_id in (
        ("customer", customer.id),
        ("rep", rep.id),
        ("customer", 999),
        ("company_settings", 0),
    ):
        db.execute_sql(
            "INSERT INTO audit_entry (uid, at, action, entity, entity_id, details)"
            f" VALUES ({db.param}, CURRENT_TIMESTAMP, 'update', {db.param}, {db.param}, '')",
            (f"a{entity}{entity_id}", entity, entity_id),
        )
    migrate_again_from(14)
    assert {(e.entity, e.entity_id): e.entity_uid for e in AuditEntry.select()} == {
        ("customer", customer.id): customer.uid,
        ("rep", rep.id): rep.uid,
        ("customer", 999): None,  # its record is gone
        ("company_settings", 0): None,  # no table of its own
    }
    assert SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar() == 15
