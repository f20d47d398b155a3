"""Migration 12: a product category's replacement cycle. Existing categories get none (the customer's
own purchase rhythm, as before); the column can be written afterwards, on either engine."""

from __future__ import annotations

from app.models import ProductCategory, SchemaVersion, db, migrations
from app.models.dialect import drop_customer_profiles
from tests.models.test_database import migrate_again_from


def test_the_migration_adds_an_empty_replacement_cycle_on_either_engine(database, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {12: migrations.MIGRATIONS[12]})  # this one only
    drop_customer_profiles(db.obj)  # schema 17's triggers read the column: not there before 12
    db.execute_sql('ALTER TABLE product_category DROP COLUMN "replacement_months"')
    assert "replacement_months" not in {c.name for c in db.get_columns("product_category")}
    db.execute_sql("INSERT INTO product_category (uid, code, name) VALUES ('k1', 'WASH', 'Lavadoras')")
    migrate_again_from(11)
    (column,) = [c for c in db.get_columns("product_category") if c.name == "replacement_months"]
    assert column.null
    category = ProductCategory.get(ProductCategory.code == "WASH")
    assert category.replacement_months is None
    category.replacement_months = 96
    category.save()
    assert ProductCategory.get_by_id(category.id).replacement_months == 96
    assert SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar() == 12
