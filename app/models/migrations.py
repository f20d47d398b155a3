"""Numbered schema migrations.

A new database is created from the models at LATEST_VERSION. An older one runs
each migration after its version in turn, in one transaction, after
`database.open_database` has written a backup copy. A migration is written against
the schema as it was, never against the current models (which may have moved on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from peewee import SQL, CharField, Database, IntegerField, TextField, TimeField

from app.models.dialect import reset_sequences
from app.models.system import SchemaVersion

if TYPE_CHECKING:  # imported by run_migrations: an up-to-date file opens without it (issue 19)
    from playhouse.migrate import SchemaMigrator

Migration = Callable[["SchemaMigrator", Database], None]


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


def _7_row_identities(migrator: SchemaMigrator, database: Database) -> None:
    """Rows named the same on every machine, for the office and its laptops (app.sync): a random
    `uid` (unique) and the server `revision` of the row's last change (NULL until a server sets it);
    cases, returns and sales get a `provisional_number` (the number a laptop gave offline).

    ALTER TABLE … ADD COLUMN cannot take a random default in SQLite, so the column is added empty,
    filled in one UPDATE a table, then indexed; new rows get theirs from the model.
    """
    from peewee import BigIntegerField

    from app.models.dialect import random_uid_sql

    tables = [name for name in database.get_tables() if name in _ALL_TABLES]
    migrator.migrate(
        *(migrator.add_column(table, "uid", CharField(max_length=32, null=True)) for table in tables),
        *(migrator.add_column(table, "revision", BigIntegerField(null=True)) for table in tables),
    )
    for table in tables:
        database.execute_sql(f'UPDATE "{table}" SET uid = {random_uid_sql(database)}')
    migrator.migrate(*(migrator.add_index(table, ("uid",), True) for table in tables))
    migrator.migrate(  # numbers a laptop gives offline, kept as an alias once the office numbers it
        *(
            migrator.add_column(table, "provisional_number", CharField(max_length=30, null=True))
            for table in ("case", "warranty_return", "sale")
        )
    )


# The tables with rows of the company's data as of version 7 (not schema_version); a migration
# names them itself, as the models may move on.
_ALL_TABLES = (
    "company_setting",
    "rep",
    "customer",
    "need_tag",
    "customer_need_tag",
    "product_category",
    "product",
    "sale",
    "sale_line",
    "sold_unit",
    "case",
    "case_proposal",
    "case_stage_change",
    "warranty_return",
    "return_status_change",
    "follow_up_plan",
    "follow_up_plan_step",
    "follow_up",
    "check_template",
    "check_item",
    "usage_check",
    "check_answer",
    "satisfaction_survey",
    "service_charter",
    "charter_commitment",
    "audit_entry",
)


# The audit's label of each kind of record an entry before schema 8 names: its number or code, read
# from the record now (a record deleted since keeps an empty label; the page shows its id).
_AUDIT_LABELS = {
    "customer": "SELECT code FROM customer WHERE customer.id = audit_entry.entity_id",
    "case": 'SELECT number FROM "case" WHERE "case".id = audit_entry.entity_id',
    "warranty_return": "SELECT number FROM warranty_return WHERE warranty_return.id = audit_entry.entity_id",
    "sale": "SELECT number FROM sale WHERE sale.id = audit_entry.entity_id",
    "product": "SELECT sku FROM product WHERE product.id = audit_entry.entity_id",
    "product_category": "SELECT code FROM product_category WHERE product_category.id = audit_entry.entity_id",
    "rep": "SELECT code FROM rep WHERE rep.id = audit_entry.entity_id",
    "follow_up": "SELECT customer.code FROM follow_up JOIN customer ON customer.id = follow_up.customer_id "
    "WHERE follow_up.id = audit_entry.entity_id",
    "case_proposal": 'SELECT "case".number FROM case_proposal JOIN "case" ON "case".id = case_proposal.case_id '
    "WHERE case_proposal.id = audit_entry.entity_id",
}


def _8_audit_changes(migrator: SchemaMigrator, database: Database) -> None:
    """An audit you can read: each entry names its record by a `label` (its number or code, never
    personal data) and keeps `changes`, JSON {field: [old, new]}.

    Entries written before keep their `details` (the new values only) as they are, and get the
    label of their record as it is now, where the record still exists.
    """
    text = CharField(max_length=60, default="", constraints=[SQL("DEFAULT ''")])
    migrator.migrate(
        migrator.add_column("audit_entry", "label", text, allow_not_null=True),
        migrator.add_column(
            "audit_entry",
            "changes",
            TextField(default="", constraints=[SQL("DEFAULT ''")]),
            allow_not_null=True,
        ),
    )
    param = database.param
    for entity, label in _AUDIT_LABELS.items():
        database.execute_sql(
            f"UPDATE audit_entry SET label = COALESCE(({label}), '') WHERE entity = {param}", (entity,)
        )


def _9_rep_working_hours(migrator: SchemaMigrator, database: Database) -> None:
    """A rep's own working hours where they differ from the company's: two empty time columns
    (empty = the company's hours), so every existing rep keeps working the company's hours."""
    migrator.migrate(
        migrator.add_column("rep", "working_hours_start", TimeField(null=True)),
        migrator.add_column("rep", "working_hours_end", TimeField(null=True)),
    )


def _10_covering_report_indexes(migrator: SchemaMigrator, database: Database) -> None:
    """The activity report's and the charters' figures read from indexes alone (issue 19):
    - follow_up (state, scheduled_at, completed_at, rep_id) replaces (state, scheduled_at), which
      it extends: the all-reps agenda and overdue counts walk it as before, and follow-ups on time
      (a year of them: done by when?) no longer read the table;
    - follow_up (customer_id, state, outcome, completed_at): a delivery's first contact is one seek;
    - sale (delivered_on, customer_id, rep_id): the deliveries of each day of the period;
    - check_answer (check_id, item_id, result, trained_on_site): the most-failed check items;
    - usage_check (status, completed_at, rep_id, passed, score) replaces (status, completed_at):
      the checks completed in a period, passed and their mean score;
    - satisfaction_survey (taken_on, satisfaction, recommend, rep_id) replaces (taken_on): the
      satisfaction figures of a period.
    """
    migrator.migrate(
        migrator.add_index("follow_up", ("state", "scheduled_at", "completed_at", "rep_id"), False),
        migrator.drop_index("follow_up", "follow_up_state_scheduled_at"),
        migrator.add_index("follow_up", ("customer_id", "state", "outcome", "completed_at"), False),
        migrator.add_index("sale", ("delivered_on", "customer_id", "rep_id"), False),
        migrator.add_index("check_answer", ("check_id", "item_id", "result", "trained_on_site"), False),
        migrator.add_index("usage_check", ("status", "completed_at", "rep_id", "passed", "score"), False),
        migrator.drop_index("usage_check", "usage_check_status_completed_at"),
        migrator.add_index("satisfaction_survey", ("taken_on", "satisfaction", "recommend", "rep_id"), False),
        migrator.drop_index("satisfaction_survey", "satisfaction_survey_taken_on"),
    )


def _11_commitment_scope(migrator: SchemaMigrator, database: Database) -> None:
    """A charter commitment measured over its own population (issue 20): the case categories, the
    product categories (JSON lists of codes) and the contact channel it is about. Empty and NULL mean
    everything, so every existing commitment keeps measuring what it measured."""
    text = TextField(default="", constraints=[SQL("DEFAULT ''")])
    migrator.migrate(
        migrator.add_column("charter_commitment", "case_categories", text, allow_not_null=True),
        migrator.add_column("charter_commitment", "product_categories", text, allow_not_null=True),
        migrator.add_column("charter_commitment", "channel", CharField(max_length=20, null=True)),
    )


def _12_replacement_cycle(migrator: SchemaMigrator, database: Database) -> None:
    """A replacement cycle per product category (issue 22): how many months its products last, which
    the at-risk list expects the next purchase by. NULL for every existing category: each keeps the
    customer's own purchase rhythm, as before."""
    migrator.migrate(migrator.add_column("product_category", "replacement_months", IntegerField(null=True)))


def _13_customer_search_index(migrator: SchemaMigrator, database: Database) -> None:
    """A customer search keystroke costs the same on 1,000 or 1,000,000 customers (issue 19): a
    trigram index of `customer.search_text` (app.models.dialect.create_customer_search_index), an
    FTS5 table kept in step by triggers on SQLite, pg_trgm's GIN index on PostgreSQL. The FTS5
    table is each machine's own, never synced."""
    from app.models.dialect import create_customer_search_index

    create_customer_search_index(database)


def _16_customer_erasure(migrator: SchemaMigrator, database: Database) -> None:
    """Customers' right to erasure (issue 18): the erasure log, `customer_erasure`, one row per
    customer whose personal data was erased (their uid, when, by whom). A synced reference table: an
    erasure reaches the office and every laptop, and a restore of an older backup applies again
    the erasures logged since. Written against the schema as it is now, as its own SQL per engine
    through peewee's create_table of a model frozen here."""
    from peewee import BigIntegerField, DateTimeField, ForeignKeyField, Model

    from app.models.customers import Rep

    class CustomerErasure(Model):  # the table as schema 16 makes it
        uid = CharField(max_length=32, unique=True)
        revision = BigIntegerField(null=True)
        customer_uid = CharField(max_length=32, unique=True)
        erased_at = DateTimeField()
        rep = ForeignKeyField(Rep, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "customer_erasure"

    with database.bind_ctx([CustomerErasure], bind_refs=False, bind_backrefs=False):
        CustomerErasure.create_table(safe=True)


def _14_times_as_moments(migrator: SchemaMigrator, database: Database) -> None:
    """Times cross time zones unambiguously (issue 16, app.models.clock): on the office server every
    date-and-time column becomes `timestamptz`, read in the time zone of the machine that upgrades
    (the office's, which wrote them). SQLite files keep local wall-clock times; a laptop's capture
    triggers, made again after any migration, now send its times in UTC."""
    from app.models.clock import datetime_columns
    from app.models.dialect import store_times_as_moments
    from app.models.server_rights import USER_TABLE

    # The office's people (server_rights) are not a model.
    store_times_as_moments(database, {**datetime_columns(), USER_TABLE: ["created_at"]})


def _15_audit_entry_uid(migrator: SchemaMigrator, database: Database) -> None:
    """The audit log syncs (issue 16): an entry names its record by uid too, filled here for the
    existing entries whose record is still there."""
    from app.models.system import name_audited_records_by_uid

    migrator.migrate(migrator.add_column("audit_entry", "entity_uid", CharField(max_length=32, null=True)))
    name_audited_records_by_uid(database)


def _17_customer_profiles(migrator: SchemaMigrator, database: Database) -> None:
    """The at-risk and loyalty lists and the dashboard at 100,000 customers (issue 19):
    - each customer's profile kept in a table of each machine's own (app.models.dialect
      .create_customer_profiles), empty here: its rows are computed when first read;
    - customer (archived, segment): the dashboard's customers per segment from the index alone."""
    from app.models.dialect import create_customer_profiles

    create_customer_profiles(database)
    migrator.migrate(migrator.add_index("customer", ("archived", "segment"), False))


def _18_customer_sort_key(migrator: SchemaMigrator, database: Database) -> None:
    """Names in the order people expect (issue 22): the name's collation key
    (app.models.collation.sort_key, Spanish's ñ after n, accents only between otherwise equal names)
    beside it, which the customer list orders by in SQL: customer (archived, sort_key) replaces
    (archived, name). Filled here for the customers already there; a derived column of a synced
    table, recomputed wherever a change is applied (app.models.sync_schema.DERIVED)."""
    from app.models.collation import MAX_KEY_LENGTH, sort_key
    from app.models.dialect import execute_many

    column = CharField(max_length=MAX_KEY_LENGTH, default="", constraints=[SQL("DEFAULT ''")])
    migrator.migrate(migrator.add_column("customer", "sort_key", column, allow_not_null=True))
    rows = database.execute_sql("SELECT id, name FROM customer").fetchall()
    param = database.param
    execute_many(
        f"UPDATE customer SET sort_key = {param} WHERE id = {param}",
        [[sort_key(name or ""), row_id] for row_id, name in rows],
        database,
    )
    migrator.migrate(
        migrator.drop_index("customer", "customer_archived_name"),
        migrator.add_index("customer", ("archived", "sort_key"), False),
    )


def _19_profile_triggers_on_read_columns(migrator: SchemaMigrator, database: Database) -> None:
    """The profiles' triggers made again (issue 16): an update fires them only when a column a
    profile reads changes (`server init` numbering the revisions of 100,000 sales listed every
    customer as stale, one statement per row, and took over 12 minutes), and they find whether a
    customer is listed already by an index lookup. The stored profiles stay right."""
    from app.models.dialect import create_customer_profile_triggers

    create_customer_profile_triggers(database)


# The foreign keys' own indexes that another index of their table leads with (schema 20).
REDUNDANT_INDEXES = (
    "follow_up_customer_id",  # (customer_id, scheduled_at) and (customer_id, state, …)
    "follow_up_rep_id",  # (rep_id, state, scheduled_at)
    "follow_up_sold_unit_id",  # unique (sold_unit_id, plan_step_id)
    "check_answer_check_id",  # unique (check_id, item_id)
    "sale_customer_id",  # (customer_id, sold_on)
    "customer_need_tag_customer_id",  # unique (customer_id, tag_id)
)


def _20_redundant_indexes(migrator: SchemaMigrator, database: Database) -> None:
    """Six foreign keys' own indexes dropped (issue 19): another index of the same table leads with
    the same column and serves every lookup by it (the foreign keys' checks and cascades included).
    Every write kept them up to date for nothing, and the 100,000-customer demo built them for 0.9 s."""
    for name in REDUNDANT_INDEXES:
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


# version -> the function that brings version-1 up to it.
MIGRATIONS: dict[int, Migration] = {
    2: _2_customer_search_text,
    3: _3_follow_up_activity_index,
    4: _4_row_versions,
    5: _5_folded_keys,
    6: _6_case_series,
    7: _7_row_identities,
    8: _8_audit_changes,
    9: _9_rep_working_hours,
    10: _10_covering_report_indexes,
    11: _11_commitment_scope,
    12: _12_replacement_cycle,
    13: _13_customer_search_index,
    14: _14_times_as_moments,
    15: _15_audit_entry_uid,
    16: _16_customer_erasure,
    17: _17_customer_profiles,
    18: _18_customer_sort_key,
    19: _19_profile_triggers_on_read_columns,
    20: _20_redundant_indexes,
}

LATEST_VERSION = max(MIGRATIONS)


def run_migrations(database: Database, from_version: int) -> None:
    from playhouse.migrate import SchemaMigrator

    from app.models.sync_schema import refresh_laptop_capture  # imports the models (this module's importer)

    migrator = SchemaMigrator.from_database(database)
    with migrator.migration_context():
        # In version order; a number left unused (work merged out of order) is simply not there.
        # Up to LATEST_VERSION (the highest, unless a test stops the upgrade at an older schema).
        for version in sorted(v for v in MIGRATIONS if from_version < v <= LATEST_VERSION):
            MIGRATIONS[version](migrator, database)
            SchemaVersion.create(version=version)
        refresh_laptop_capture(database)  # a laptop's capture triggers name the columns added
        reset_sequences(database)  # rows a migration wrote with their ids: sequences continue after them
