"""Migration 11: a charter commitment's scope (case categories, product categories, channel). Existing
commitments keep measuring everything; a laptop upgraded to it sends the new columns to the office."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.models import CharterCommitment, SchemaVersion, db, migrations, sync_schema
from app.models.database import close_database, open_database
from app.services.charters.indicators import EVERYTHING, Scope, charter_compliance
from app.sync import laptop as laptop_side
from tests.laptops import LOGIN, OFFICE
from tests.models.test_database import make_v1_database, migrate_again_from, stop_upgrades_at

NEW_COLUMNS = {"case_categories", "product_categories", "channel"}


def make_v10_database(path, monkeypatch, *, laptop: bool = False) -> None:
    """The schema 1 fixture brought up to schema 10 by the real migrations, with one charter and its
    commitment written as schema 10 had them; with `laptop`, a laptop whose capture triggers are
    those schema 10 wrote (without the new columns)."""
    make_v1_database(path)
    with monkeypatch.context() as patch:
        stop_upgrades_at(patch, 10)
        open_database(str(path))
        try:
            assert SchemaVersion.select().order_by(SchemaVersion.version.desc()).first().version == 10
            assert not NEW_COLUMNS & {c.name for c in db.get_columns("charter_commitment")}
            db.execute_sql(
                "INSERT INTO service_charter (id, uid, created_at, updated_at, type, title, version, valid_from,"
                " active, strategy, systems, personnel, channels, procedure, principles, row_version)"
                " VALUES (1, 'c1', '2026-01-01', '2026-01-01', 'financing', 'Financiación', 1, '2026-01-01', 1,"
                " '', '', '', '[]', '', '', 1)"
            )
            db.execute_sql(
                "INSERT INTO charter_commitment (id, uid, charter_id, position, text, indicator, days, target,"
                " period) VALUES (1, 'm1', 1, 1, 'Respondemos en {days} días.', 'claims_answered', 10, 95,"
                " 'quarter')"
            )
            if laptop:
                as_then = tuple(
                    sync_schema.SyncedTable(
                        t.model,
                        t.name,
                        tuple(
                            c for c in t.columns if not (t.name == "charter_commitment" and c in NEW_COLUMNS)
                        ),
                        t.foreign_keys,
                        t.fields,
                    )
                    for t in sync_schema.SYNCED_TABLES
                )
                patch.setattr(sync_schema, "SYNCED_TABLES", as_then)
                laptop_side.set_up_laptop(db.obj, OFFICE, LOGIN)
                laptop_side.set_capturing(db.obj, True)
        finally:
            close_database()


@pytest.mark.sqlite_only("a schema 10 SQLite file built from the schema 1 fixture")
def test_an_upgraded_database_keeps_its_commitments_measuring_everything(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    make_v10_database(path, monkeypatch)
    info = open_database(str(path))
    try:
        assert info.version == migrations.LATEST_VERSION >= 11 and info.backup is not None
        commitment = CharterCommitment.get_by_id(1)
        assert (commitment.case_categories, commitment.product_categories, commitment.channel) == (
            "",
            "",
            None,
        )
        assert Scope.of(commitment) == EVERYTHING
        (row,) = charter_compliance(dt.date(2026, 1, 1), dt.date(2026, 3, 31), today=dt.date(2026, 4, 1))
        assert row.scope == EVERYTHING and row.in_force and row.measurement.denominator == 0
        upgraded = {
            (c.name, c.data_type.upper(), c.null)
            for c in db.get_columns("charter_commitment")
            if c.name in NEW_COLUMNS
        }
    finally:
        close_database()
    open_database(str(tmp_path / "fresh.sqlite3"))
    try:
        fresh = {
            (c.name, c.data_type.upper(), c.null)
            for c in db.get_columns("charter_commitment")
            if c.name in NEW_COLUMNS
        }
    finally:
        close_database()
    assert (
        fresh
        == upgraded
        == {
            ("case_categories", "TEXT", False),
            ("product_categories", "TEXT", False),
            ("channel", "VARCHAR(20)", True),
        }
    )


@pytest.mark.sqlite_only("a laptop's SQLite file and its capture triggers")
def test_an_upgraded_laptop_sends_the_scope_to_the_office(tmp_path, monkeypatch):
    path = tmp_path / "laptop.sqlite3"
    make_v10_database(path, monkeypatch, laptop=True)
    open_database(str(path))
    try:
        CharterCommitment.update(case_categories='["billing"]', channel="phone").where(
            CharterCommitment.id == 1
        ).execute()
        entries = db.obj.execute_sql(
            f"SELECT op, old_values, new_values FROM {laptop_side.OUTBOX}"
            " WHERE table_name = 'charter_commitment' ORDER BY seq"
        ).fetchall()
    finally:
        close_database()
    assert [op for op, _old, _new in entries] == ["update"]
    old, new = json.loads(entries[0][1]), json.loads(entries[0][2])
    assert (old["case_categories"], new["case_categories"]) == ("", '["billing"]')
    assert (old["channel"], new["channel"]) == (None, "phone")


def test_the_migration_adds_empty_columns_on_either_engine(database, monkeypatch):
    """The same migration on the office server (postventa server upgrade runs it) and on SQLite."""
    from app.models import ServiceCharter

    monkeypatch.setattr(migrations, "MIGRATIONS", {11: migrations.MIGRATIONS[11]})  # this one only
    charter = ServiceCharter.create(type="financing", title="F", valid_from=dt.date(2026, 1, 1))
    for column in NEW_COLUMNS:
        db.execute_sql(f'ALTER TABLE charter_commitment DROP COLUMN "{column}"')
    db.execute_sql(
        "INSERT INTO charter_commitment (uid, charter_id, position, text, indicator, days, target, period)"
        f" VALUES ('m1', {charter.id}, 1, 'x', 'claims_answered', 10, 95, 'quarter')"
    )
    migrate_again_from(10)
    assert NEW_COLUMNS <= {c.name for c in db.get_columns("charter_commitment")}
    commitment = CharterCommitment.get(CharterCommitment.uid == "m1")
    assert Scope.of(commitment) == EVERYTHING
    commitment.case_categories = '["billing"]'
    commitment.save()
    assert Scope.of(CharterCommitment.get_by_id(commitment.id)).case_categories == ("billing",)
