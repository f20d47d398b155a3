"""Migration 17: the customers' stored profiles (the at-risk and loyalty lists) and the dashboard's
index of customers per segment, on either engine; every existing customer's profile is computed at
the first reading, and kept in step afterwards. Migration 19: the update triggers made again, on the
columns a profile reads, the stored profiles kept."""

from __future__ import annotations

import datetime as dt

from app.models import ProductCategory, Sale, SchemaVersion, db, migrations
from app.models.dialect import (
    CUSTOMER_PROFILE,
    CUSTOMER_PROFILE_STALE,
    _profile_triggers,
    drop_customer_profiles,
    is_server,
)
from app.models.enums import Segment
from app.services.customers.risk import at_risk
from tests.factories import customer, product, sale
from tests.models.test_database import migrate_again_from

TODAY = dt.date(2026, 11, 23)


def _undo_the_migration() -> None:
    drop_customer_profiles(db.obj)
    db.execute_sql("DROP INDEX customer_archived_segment")
    assert not _trigger_names()


def _trigger_names() -> set[str]:
    if is_server():
        rows = db.execute_sql("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'customer_profile%%'")
    else:
        rows = db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'customer_profile%'"
        )
    return {name for (name,) in rows.fetchall()}


def _count(table: str) -> int:
    return db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_the_migration_makes_every_customer_stale_and_the_list_stores_them(database, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {17: migrations.MIGRATIONS[17]})  # this one only
    _undo_the_migration()
    capsules = product("CAP-1", "CONS")
    late, fine = customer("L1", segment=Segment.A), customer("F1", segment=Segment.B)
    sale(late, dt.date(2024, 1, 10), (1, "300.00"), item=capsules)
    sale(fine, dt.date(2026, 11, 1), (1, "100.00"), item=capsules)
    migrate_again_from(13)
    assert SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar() == 17
    assert (_count(CUSTOMER_PROFILE), _count(CUSTOMER_PROFILE_STALE)) == (0, 2)
    assert _trigger_names() == {name for name, *_rest in _profile_triggers(is_server())}

    assert [row.code for row in at_risk(TODAY).rows] == ["L1"]  # a year past the default interval
    assert (_count(CUSTOMER_PROFILE), _count(CUSTOMER_PROFILE_STALE)) == (2, 0)

    # Kept in step afterwards: the triggers came with the migration.
    sale(late, dt.date(2026, 11, 20), (1, "50.00"), item=capsules)
    assert _count(CUSTOMER_PROFILE_STALE) == 1
    assert at_risk(TODAY).rows == []
    ProductCategory.update(replacement_months=120).where(ProductCategory.code == "CONS").execute()
    assert _count(CUSTOMER_PROFILE_STALE) == 2  # a category's cycle: everyone's profile again
    assert at_risk(TODAY).rows == []


def test_migration_19_fires_the_update_triggers_on_what_a_profile_reads_only(database, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {19: migrations.MIGRATIONS[19]})  # this one only
    capsules = product("CAP-1", "CONS")
    sale(customer("L1", segment=Segment.A), dt.date(2024, 1, 10), (1, "300.00"), item=capsules)
    assert at_risk(TODAY).rows  # the profile stored
    # Schema 18's triggers: the sale's fired on any update.
    name = "customer_profile_sale_update"
    body = f"INSERT INTO {CUSTOMER_PROFILE_STALE} (customer_id) SELECT NEW.customer_id WHERE NEW.customer_id NOT IN (SELECT customer_id FROM {CUSTOMER_PROFILE_STALE})"
    if is_server():
        db.execute_sql(f'DROP TRIGGER "{name}" ON sale')
        db.execute_sql(
            f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$'
        )
        db.execute_sql(
            f'CREATE TRIGGER "{name}" AFTER UPDATE ON sale FOR EACH ROW EXECUTE FUNCTION "{name}"()'
        )
    else:
        db.execute_sql(f'DROP TRIGGER "{name}"')
        db.execute_sql(f'CREATE TRIGGER "{name}" AFTER UPDATE ON sale BEGIN {body}; END')
    Sale.update(notes="seen").execute()
    assert _count(CUSTOMER_PROFILE_STALE) == 1
    assert at_risk(TODAY).rows and _count(CUSTOMER_PROFILE_STALE) == 0
    migrate_again_from(18)

    assert SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar() == 19
    assert _count(CUSTOMER_PROFILE) == 1  # kept: nothing to compute again
    Sale.update(notes="seen again", revision=0).execute()
    assert _count(CUSTOMER_PROFILE_STALE) == 0
    Sale.update(sold_on=dt.date(2026, 11, 20)).execute()
    assert _count(CUSTOMER_PROFILE_STALE) == 1
    assert at_risk(TODAY).rows == []
