"""Numbered schema migrations.

A new database is created from the models at LATEST_VERSION. An older one runs
each migration after its version in turn, in one transaction, after
`database.open_database` has written a backup copy. A migration is written against
the schema as it was, never against the current models (which may have moved on).
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import SQL, CharField, Database, IntegerField, TextField
from playhouse.migrate import SchemaMigrator

from app.models.dialect import reset_sequences
from app.models.system import SchemaVersion

Migration = Callable[[SchemaMigrator, Database], None]


def _2_customer_search_text(migrator: SchemaMigrator, database: Database) -> None:
    """Accent-insensitive customer search: a folded copy of the searchable fields."""
    from app.models.customers import customer_search_text

    migrator.migrate(migrator.add_column("customer", "search_text", TextField(default="")))
    rows = database.execute_sql(
        "SELECT id, code, name, tax_id, email, phone, mobile, city FROM customer"
    ).fetchall()
    param = database.param
    for row_id, *fields in rows:
        database.execute_sql(
            f"UPDATE customer SET search_text = {param} WHERE id = {param}",
            (customer_search_text(*fields), row_id),
        )


def _3_follow_up_activity_index(migrator: SchemaMigrator, database: Database) -> None:
    """Activity report: follow-ups of a period counted by state, kind, purpose and rep from the index alone."""
    migrator.migrate(
        migrator.add_index("follow_up", ("state", "kind", "purpose", "rep_id", "scheduled_at"), False)
    )


# The records people edit, which carry a row version from schema 4 (app.models.base.VersionedModel).
_VERSIONED_TABLES = ("customer", "follow_up", "warranty_return", "case", "follow_up_plan", "service_charter")


def _4_row_versions(migrator: SchemaMigrator, database: Database) -> None:
    """Concurrent edits are detected: an integer row version, 1 for every existing row.

    `NOT NULL DEFAULT 1` in one ALTER TABLE: no table rebuild, existing rows read 1 at once.
    """
    column = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    migrator.migrate(
        *(
            migrator.add_column(table, "row_version", column, allow_not_null=True)
            for table in _VERSIONED_TABLES
        )
    )


def _5_folded_keys(migrator: SchemaMigrator, database: Database) -> None:
    """Identifiers compared whatever their case, in any alphabet (SQLite's LOWER/UPPER fold ASCII only):
    a folded key (app.models.customers.fold_key) beside need tag names, sale numbers and serial
    numbers, each with a unique index.

    Need tags that differ only in case become one (the first), keeping every customer's tags.
    Sale and serial numbers already stored twice keep their key on the first row only (NULL on
    the others, which the unique index allows), so nothing is lost and no new duplicate gets in.
    """
    from app.models.customers import fold_key

    migrator.migrate(
        migrator.add_column(
            "need_tag",
            "key",
            CharField(max_length=120, default="", constraints=[SQL("DEFAULT ''")]),
            allow_not_null=True,
        ),
        migrator.add_column("sale", "number_key", CharField(max_length=60, null=True)),
        migrator.add_column("sold_unit", "serial_key", CharField(max_length=120, null=True)),
    )
    param = database.param
    kept: dict[str, int] = {}
    for tag_id, name in database.execute_sql("SELECT id, name FROM need_tag ORDER BY id").fetchall():
        key = fold_key(name)
        first = kept.setdefault(key, tag_id)
        if first == tag_id:
            database.execute_sql(f"UPDATE need_tag SET key = {param} WHERE id = {param}", (key, tag_id))
            continue
        database.execute_sql(
            f"UPDATE customer_need_tag SET tag_id = {param} WHERE tag_id = {param} AND customer_id NOT IN "
            f"(SELECT customer_id FROM customer_need_tag WHERE tag_id = {param})",
            (first, tag_id, first),
        )
        database.execute_sql(f"DELETE FROM customer_need_tag WHERE tag_id = {param}", (tag_id,))
        database.execute_sql(f"DELETE FROM need_tag WHERE id = {param}", (tag_id,))
    for table, column, key_column in (
        ("sale", "number", "number_key"),
        ("sold_unit", "serial_number", "serial_key"),
    ):
        seen: set[str] = set()
        rows = database.execute_sql(
            f'SELECT id, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL ORDER BY id'
        ).fetchall()
        for row_id, value in rows:
            key = fold_key(value)
            if key and key not in seen:
                seen.add(key)
                database.execute_sql(
                    f'UPDATE "{table}" SET "{key_column}" = {param} WHERE id = {param}', (key, row_id)
                )
    migrator.migrate(
        migrator.add_index("need_tag", ("key",), True),
        migrator.add_index("sale", ("number_key",), True),
        migrator.add_index("sold_unit", ("serial_key",), True),
    )


def _6_case_series(migrator: SchemaMigrator, database: Database) -> None:
    """Cases numbered in series with the company's prefixes: complaints and claims share the
    register's sequence (gapless whatever else arrives), suggestions and compliments one each.

    Existing numbers (CASE-YYYY-NNNN from one shared sequence) are kept as they are: each case
    gets the series of its kind and keeps its sequence, unique per series and year since it was
    unique per year, so new numbers continue after the highest of their series and year. The
    prefixes are stored as company settings, Spanish (REC-, SUG-, FEL-): new numbers cannot take
    an old CASE- one. The column's DEFAULT is there only for the rows this ALTER TABLE fills.
    """
    migrator.migrate(
        migrator.add_column(
            "case",
            "series",
            CharField(max_length=20, default="complaint", constraints=[SQL("DEFAULT 'complaint'")]),
            allow_not_null=True,
        )
    )
    database.execute_sql("""UPDATE "case" SET series = kind WHERE kind IN ('suggestion', 'compliment')""")
    migrator.migrate(
        migrator.drop_index("case", "case_year_sequence"),
        migrator.add_index("case", ("series", "year", "sequence"), True),
    )
    param = database.param
    for key, value in (
        ("complaint_prefix", "REC-"),
        ("suggestion_prefix", "SUG-"),
        ("compliment_prefix", "FEL-"),
    ):
        database.execute_sql(
            f'INSERT INTO company_setting ("key", "value") VALUES ({param}, {param}) '
            'ON CONFLICT ("key") DO NOTHING',
            (key, value),
        )


# version -> the function that brings version-1 up to it.
MIGRATIONS: dict[int, Migration] = {
    2: _2_customer_search_text,
    3: _3_follow_up_activity_index,
    4: _4_row_versions,
    5: _5_folded_keys,
    6: _6_case_series,
}

LATEST_VERSION = max(MIGRATIONS)


def run_migrations(database: Database, from_version: int) -> None:
    migrator = SchemaMigrator.from_database(database)
    with migrator.migration_context():
        for version in range(from_version + 1, LATEST_VERSION + 1):
            MIGRATIONS[version](migrator, database)
            SchemaVersion.create(version=version)
        reset_sequences(database)  # rows a migration wrote with their ids: sequences continue after them
