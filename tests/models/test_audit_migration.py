"""Migration 8: the audit log gets labels and structured changes; entries written before keep their
free text and stay readable."""

from __future__ import annotations

import json
import sqlite3

import pytest

from app.i18n import using_language
from app.models import AuditEntry, db, migrations
from app.models.database import close_database, open_database
from app.services import audit
from app.services.audit import AuditFilter
from tests.models.test_database import make_v1_database, migrate_again_from, stop_upgrades_at

# Entries as schema 7 wrote them: the new values only, the customer's name copied into the text.
OLD_ENTRIES = [
    (1, "2026-01-05 10:00:00", 1, "create", "customer", 1, {"code": "C0001", "name": "Peña Ibáñez, José"}),
    (2, "2026-01-06 11:00:00", 1, "update", "customer", 1, {"city": "Logroño"}),
    (3, "2026-01-07 12:00:00", None, "create", "sale", 1, {"number": "V-2025-0001"}),
    (4, "2026-01-08 13:00:00", 1, "update", "product", 99, {"active": False}),  # deleted since
]


def make_v7_database(path, monkeypatch) -> None:
    """The schema 1 fixture brought up to schema 7 by the real migrations, with old audit entries."""
    make_v1_database(path)
    with monkeypatch.context() as patch:
        stop_upgrades_at(patch, 7)
        assert open_database(str(path)).version == 7
        close_database()
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO audit_entry (id, uid, at, rep_id, action, entity, entity_id, details) "
        "VALUES (?, lower(hex(randomblob(16))), ?, ?, ?, ?, ?, ?)",
        [(*row[:6], json.dumps(row[6], ensure_ascii=False)) for row in OLD_ENTRIES],
    )
    conn.commit()
    conn.close()


@pytest.mark.sqlite_only("a schema 7 SQLite file built from the schema 1 fixture")
def test_an_upgraded_audit_keeps_its_entries_readable_and_labels_them(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    make_v7_database(path, monkeypatch)
    info = open_database(str(path))
    try:
        assert info.version == migrations.LATEST_VERSION >= 8 and info.backup is not None
        kept = {e.id: (e.label, e.changes, json.loads(e.details)) for e in AuditEntry.select()}
        assert kept == {
            1: ("C0001", "", OLD_ENTRIES[0][6]),
            2: ("C0001", "", OLD_ENTRIES[1][6]),
            3: ("V-2025-0001", "", OLD_ENTRIES[2][6]),
            4: ("", "", OLD_ENTRIES[3][6]),
        }
        with using_language("en"):
            rows = audit.list_entries(AuditFilter())
        assert [(r.id, r.record, r.rep_name) for r in rows] == [
            (4, "#99", "Ana Núñez"),
            (3, "V-2025-0001", ""),
            (2, "C0001", "Ana Núñez"),
            (1, "C0001", "Ana Núñez"),
        ]
        assert rows[2].changes == ("City: Logroño",)  # the old value was never kept
        assert rows[0].changes == ("Active: No",)
        assert [r.id for r in audit.list_entries(AuditFilter(text="c0001"))] == [2, 1]
        columns = {c.name for c in db.get_columns("audit_entry")}
    finally:
        close_database()
    open_database(str(tmp_path / "fresh.sqlite3"))
    try:
        assert {c.name for c in db.get_columns("audit_entry")} == columns
    finally:
        close_database()


@pytest.mark.postgresql_only("the same migration on the office server (postventa server upgrade runs it)")
def test_the_migration_runs_on_postgresql(database, monkeypatch):

    monkeypatch.setattr(migrations, "MIGRATIONS", {8: migrations.MIGRATIONS[8]})  # this one only
    from app.services import customers

    customer_id = customers.create_customer(customers.CustomerInput(code="C-7", name="Peña"), None)
    db.execute_sql("ALTER TABLE audit_entry DROP COLUMN label, DROP COLUMN changes")
    db.execute_sql("UPDATE audit_entry SET details = %s", (json.dumps({"code": "C-7"}),))
    migrate_again_from(7)
    [entry] = AuditEntry.select().where(AuditEntry.entity_id == customer_id)
    assert (entry.label, entry.changes, json.loads(entry.details)) == ("C-7", "", {"code": "C-7"})
    with using_language("en"):
        assert audit.list_entries(AuditFilter())[0].changes == ("Code: C-7",)
