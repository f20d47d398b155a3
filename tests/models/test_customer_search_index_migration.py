"""Migration 13: the customer search's trigram index, built from the customers already there and
kept in step afterwards, on either engine."""

from __future__ import annotations

from app.models import SchemaVersion, db, migrations
from app.models.dialect import CUSTOMER_SEARCH_INDEX, is_server
from app.services import customers as svc
from app.services.customers import CustomerInput
from tests.models.test_database import migrate_again_from


def _drop_the_index() -> None:
    if is_server():
        db.execute_sql("DROP INDEX customer_search_text_trgm")
        return
    for op in ("insert", "delete", "update"):
        db.execute_sql(f'DROP TRIGGER "{CUSTOMER_SEARCH_INDEX}_{op}"')
    db.execute_sql(f"DROP TABLE {CUSTOMER_SEARCH_INDEX}")


def _codes(text: str) -> list[str]:
    return [row.code for row in svc.search_customers(text)]


def test_the_migration_indexes_existing_customers_on_either_engine(database, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {13: migrations.MIGRATIONS[13]})  # this one only
    _drop_the_index()
    svc.create_customer(CustomerInput(code="C-1", name="Peña Hermanos", city="Logroño"), None)
    svc.create_customer(CustomerInput(code="C-2", name="Zapatería Ruiz", city="Madrid"), None)
    migrate_again_from(12)
    assert SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar() == 13
    assert _codes("pena logrono") == ["C-1"]
    assert _codes("zapateria") == ["C-2"]
    svc.create_customer(CustomerInput(code="C-3", name="Peñalba", city="Haro"), None)
    assert _codes("pena") == ["C-1", "C-3"]
    if is_server():
        found = db.execute_sql("SELECT 1 FROM pg_indexes WHERE indexname = 'customer_search_text_trgm'")
        assert found.fetchone() is not None
    else:
        db.execute_sql(
            f"INSERT INTO {CUSTOMER_SEARCH_INDEX} ({CUSTOMER_SEARCH_INDEX}) VALUES ('integrity-check')"
        )
