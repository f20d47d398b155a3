"""Migration 18: the customers' name collation keys, filled for the customers already there and
indexed with `archived` in place of the name, on either engine."""

from __future__ import annotations

from app.models import Customer, SchemaVersion, db, migrations
from app.models.collation import sort_key
from app.models.dialect import is_server
from app.services import customers as customer_service
from tests.models.test_database import migrate_again_from


def _undo_the_migration() -> None:
    db.execute_sql("DROP INDEX customer_archived_sort_key")
    db.execute_sql("ALTER TABLE customer DROP COLUMN sort_key")
    db.execute_sql("CREATE INDEX customer_archived_name ON customer (archived, name)")


def _indexes() -> set[str]:
    if is_server():
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'customer'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customer'"
    return {name for (name,) in db.execute_sql(query).fetchall()}


def test_the_migration_keys_every_customer_and_the_list_sorts_by_it(database, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {18: migrations.MIGRATIONS[18]})  # this one only
    for code, name in [("C-1", "Sergio Ruiz"), ("C-2", "Álvaro Peña"), ("C-3", "Ñandú SL"), ("C-4", "Nuria")]:
        Customer.create(code=code, name=name)
    _undo_the_migration()
    migrate_again_from(17)

    assert SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar() == 18
    keys = dict(db.execute_sql("SELECT name, sort_key FROM customer").fetchall())
    assert keys == {name: sort_key(name) for name in keys}
    assert "customer_archived_sort_key" in _indexes() and "customer_archived_name" not in _indexes()
    names = [row.name for row in customer_service.search_customers()]
    assert names == ["Álvaro Peña", "Nuria", "Ñandú SL", "Sergio Ruiz"]
