"""Numbered schema migrations.

A new database is created from the models at LATEST_VERSION. An older one runs
each migration after its version in turn, in one transaction, after
`database.open_database` has written a backup copy. A migration is written against
the schema as it was, never against the current models (which may have moved on).
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database, TextField
from playhouse.migrate import SchemaMigrator

from app.models.system import SchemaVersion

Migration = Callable[[SchemaMigrator, Database], None]



def _2_customer_search_text(migrator: SchemaMigrator, database: Database) -> None:
    """Accent-insensitive customer search: a folded copy of the searchable fields."""
    from app.models.customers import customer_search_text

    migrator.migrate(migrator.add_column("customer", "search_text", TextField(default="")))
    rows = database.execute_sql(
        "SELECT id, code, name, tax_id, email, phone, mobile, city FROM customer"
    ).fetchall()
    for row_id, *fields in rows:
        database.execute_sql(
            "UPDATE customer SET search_text = ? WHERE id = ?",
            (customer_search_text(*fields), row_id),
        )


def _3_follow_up_activity_index(migrator: SchemaMigrator, database: Database) -> None:
    """Activity report: follow-ups of a period counted by state, kind, purpose and rep from the index alone."""
    migrator.migrate(
        migrator.add_index("follow_up", ("state", "kind", "purpose", "rep_id", "scheduled_at"), False)
    )


# version -> the function that brings version-1 up to it.
MIGRATIONS: dict[int, Migration] = {
    2: _2_customer_search_text,
    3: _3_follow_up_activity_index,
}

LATEST_VERSION = max(MIGRATIONS)


def run_migrations(database: Database, from_version: int) -> None:
    migrator = SchemaMigrator.from_database(database)
    with migrator.migration_context():
        for version in range(from_version + 1, LATEST_VERSION + 1):
            MIGRATIONS[version](migrator, database)
            SchemaVersion.create(version=version)
