"""Migration 9: a rep's own working hours (two empty time columns). Existing reps keep working the
company's hours; a laptop upgraded to it captures changes of the new columns for the office."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.models import Rep, SchemaVersion, db, migrations, sync_schema
from app.models.database import close_database, open_database
from app.services.followups.placement import PlacementRules
from app.services.reps import RepInput, update_rep
from app.sync import laptop as laptop_side
from tests.laptops import LOGIN, OFFICE
from tests.models.test_database import make_v1_database, migrate_again_from, stop_upgrades_at

NEW_COLUMNS = {"working_hours_start", "working_hours_end"}


def make_v8_database(path, monkeypatch, *, laptop: bool = False) -> None:
    """The schema 1 fixture brought up to schema 8 by the real migrations (none after 8); with
    `laptop`, made a laptop whose capture triggers are those schema 8 wrote (without the columns)."""
    make_v1_database(path)
    with monkeypatch.context() as patch:
        stop_upgrades_at(patch, 8)
        open_database(str(path))
        try:
            assert SchemaVersion.select().order_by(SchemaVersion.version.desc()).first().version == 8
            assert not NEW_COLUMNS & {c.name for c in db.get_columns("rep")}
            if laptop:
                as_then = tuple(
                    sync_schema.SyncedTable(
                        t.model,
                        t.name,
                        tuple(c for c in t.columns if not (t.name == "rep" and c in NEW_COLUMNS)),
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


def _ana() -> int:
    return Rep.get(Rep.name == "Ana Núñez").id


@pytest.mark.sqlite_only("a schema 8 SQLite file built from the schema 1 fixture")
def test_an_upgraded_database_keeps_its_reps_on_the_company_s_hours(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    make_v8_database(path, monkeypatch)
    info = open_database(str(path))
    try:
        assert info.version == migrations.LATEST_VERSION >= 9 and info.backup is not None
        assert NEW_COLUMNS <= {c.name for c in db.get_columns("rep")}
        ana = Rep.get_by_id(_ana())
        assert (ana.working_hours_start, ana.working_hours_end) == (None, None)
        assert PlacementRules.from_settings().hours(ana.id) == (dt.time(8), dt.time(20))
        update_rep(
            ana.id, RepInput("Ana Núñez", working_hours_start=dt.time(9), working_hours_end=dt.time(14))
        )
        assert PlacementRules.from_settings().hours(ana.id) == (dt.time(9), dt.time(14))
        columns = {
            (c.name, c.data_type.upper(), c.null) for c in db.get_columns("rep") if c.name in NEW_COLUMNS
        }
    finally:
        close_database()
    open_database(str(tmp_path / "fresh.sqlite3"))
    try:
        fresh = {
            (c.name, c.data_type.upper(), c.null) for c in db.get_columns("rep") if c.name in NEW_COLUMNS
        }
        assert fresh == columns == {(name, "TIME", True) for name in NEW_COLUMNS}
    finally:
        close_database()


@pytest.mark.sqlite_only("a laptop's SQLite file and its capture triggers")
def test_an_upgraded_laptop_sends_the_rep_s_hours_to_the_office(tmp_path, monkeypatch):
    path = tmp_path / "laptop.sqlite3"
    make_v8_database(path, monkeypatch, laptop=True)
    open_database(str(path))
    try:
        update_rep(
            _ana(), RepInput("Ana Núñez", working_hours_start=dt.time(9), working_hours_end=dt.time(14))
        )
        update_rep(
            _ana(), RepInput("Ana Núñez", working_hours_start=dt.time(10), working_hours_end=dt.time(14))
        )
        entries = db.obj.execute_sql(
            f"SELECT op, old_values, new_values FROM {laptop_side.OUTBOX} WHERE table_name = 'rep' ORDER BY seq"
        ).fetchall()
    finally:
        close_database()
    assert [op for op, _old, _new in entries] == ["update", "update"]
    sent = [(json.loads(old), json.loads(new)) for _op, old, new in entries]
    assert (sent[0][0]["working_hours_start"], sent[0][1]["working_hours_start"]) == (None, "09:00:00")
    assert (sent[1][0]["working_hours_start"], sent[1][1]["working_hours_start"]) == ("09:00:00", "10:00:00")
    assert sent[1][1]["working_hours_end"] == "14:00:00"


def test_the_migration_adds_empty_columns_on_either_engine(database, monkeypatch):
    """The same migration on the office server (postventa server upgrade runs it) and on SQLite."""
    monkeypatch.setattr(migrations, "MIGRATIONS", {9: migrations.MIGRATIONS[9]})  # this one only
    ana = Rep.create(code="ANA", name="Ana Núñez")
    db.execute_sql('ALTER TABLE rep DROP COLUMN "working_hours_start"')
    db.execute_sql('ALTER TABLE rep DROP COLUMN "working_hours_end"')
    migrate_again_from(8)
    assert NEW_COLUMNS <= {c.name for c in db.get_columns("rep")}
    assert Rep.get_by_id(ana.id).working_hours_start is None
    update_rep(
        ana.id, RepInput("Ana Núñez", working_hours_start=dt.time(7, 30), working_hours_end=dt.time(15))
    )
    assert (Rep.get_by_id(ana.id).working_hours_start, Rep.get_by_id(ana.id).working_hours_end) == (
        dt.time(7, 30),
        dt.time(15),
    )
