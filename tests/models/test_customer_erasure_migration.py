"""Migration 16: the erasure log. The table is made on either engine, empty, and takes rows afterwards
through the model (its unique customer uid included)."""

from __future__ import annotations

import pytest
from peewee import IntegrityError

from app.models import CustomerErasure, SchemaVersion, db, migrations
from tests.models.test_database import migrate_again_from


def test_the_migration_makes_an_empty_erasure_log_on_either_engine(database, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {16: migrations.MIGRATIONS[16]})  # this one only
    db.execute_sql("DROP TABLE customer_erasure")
    assert "customer_erasure" not in db.get_tables()
    migrate_again_from(15)
    assert "customer_erasure" in db.get_tables()
    assert CustomerErasure.select().count() == 0
    CustomerErasure.create(customer_uid="a" * 32)
    assert CustomerErasure.get().erased_at is not None
    with pytest.raises(IntegrityError), db.atomic():
        CustomerErasure.create(customer_uid="a" * 32)
    assert SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar() == 16
