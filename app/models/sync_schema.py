"""What the office and its laptops share (issue 16): which tables sync, and the office server's
sync objects. All the sync's schema SQL on the server lives here (the laptop's in app.sync.laptop,
but for its capture triggers: they are here, as a migration that adds a column makes them again).

Tables: every table with the company's data syncs, the audit log included (an entry's `entity_id`
is each machine's own id of the record: it is pointed at that machine's copy through `entity_uid`
when the entry arrives, app.sync.engine). Columns travel by name; a foreign key travels as the uid
of the row it points to (`None` for none).

On the office server (PostgreSQL):
- every change of a synced row takes the next number of one sequence into its `revision` (a
  trigger: no write path escapes it, `psql` included), so a laptop pulls "everything after N";
- a deleted row leaves a tombstone (its table, uid and the revision of the delete);
- `sync_applied` remembers, per laptop, the last outbox entry applied: a push repeated after a
  crash applies nothing twice (it is updated in the push's own transaction);
- `sync_conflict` keeps what a person must decide: a column changed on both sides to different
  values (base, laptop's, office's), a change to a row deleted at the office, a duplicate the server
  refused, or a change the person has no right to make. The office's value stays in the row.

The trigger functions run with their owner's rights (SECURITY DEFINER, fixed search_path): a rep
needs no right on the sequence or the tombstones. Set up by `server init` and `server upgrade`
(app.models.server_rights). No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import BlobField, Database, DateTimeField, Field, ForeignKeyField
from psycopg2 import sql

from app.models import ALL_MODELS, AuditEntry, BaseModel, SchemaVersion
from app.models.database import LOCAL_TRANSACTION
from app.models.dialect import store_times_as_moments

LAPTOP_STATE = "sync_state"  # on a laptop database only (app.sync.laptop)
LAPTOP_OUTBOX = "sync_outbox"  # idem: the changes waiting to be pushed


def provisional_label(database: Database | None = None) -> str | None:
    """On a laptop database, its label in provisional numbers ("L03"); None elsewhere, where numbers
    are final (a standalone database, the office)."""
    from app.models import db

    engine = database or db.obj
    if engine is None or LAPTOP_STATE not in engine.get_tables():
        return None
    row = engine.execute_sql(f"SELECT label FROM {LAPTOP_STATE}").fetchone()
    return row[0] if row else None


def laptop_person(database: Database | None = None) -> tuple[str, str | None, str | None] | None:
    """On a laptop database, who its login is at the office: (login, role, the uid of their rep
    record); None elsewhere."""
    from app.models import db

    engine = database or db.obj
    if engine is None or LAPTOP_STATE not in engine.get_tables():
        return None
    row = engine.execute_sql(f"SELECT login, role, rep_uid FROM {LAPTOP_STATE}").fetchone()
    return (row[0], row[1], row[2]) if row else None


def provisional(prefix: str, label: str, position: int, width: int) -> str:
    """A laptop's provisional number: the series' prefix (with its year), the laptop's label and its
    own count: RMA-2026-L03-0002. The office replaces it with the next final number at the push."""
    return f"{prefix}{label}-{position:0{width}d}"


# Columns that are each machine's own: the local id; the revision (the server sets it, a laptop
# keeps the one its copy is based on); the edit dialogs' row version (the server counts its own).
_LOCAL_COLUMNS = ("id", "revision", "row_version")


def _recompute_customer(row: dict) -> dict:
    from app.models.collation import sort_key
    from app.models.customers import customer_search_text

    return {
        "search_text": customer_search_text(
            row["code"] or "",
            row["name"] or "",
            row["tax_id"],
            row["email"] or "",
            row["phone"] or "",
            row["mobile"] or "",
            row["city"] or "",
        ),
        "sort_key": sort_key(row["name"] or ""),
    }


def _folded(source: str, target: str):
    def recompute(row: dict) -> dict:
        from app.models.customers import fold_key

        return {target: fold_key(row[source])}

    return recompute


# Columns computed from others of the row (search text, folded keys): they never conflict nor travel
# as changes of their own; whoever applies a change recomputes them from the row as it then is.
DERIVED = {
    "customer": (
        ("search_text", "sort_key"),
        ("code", "name", "tax_id", "email", "phone", "mobile", "city"),
        _recompute_customer,
    ),
    "sale": (("number_key",), ("number",), _folded("number", "number_key")),
    "sold_unit": (("serial_key",), ("serial_number",), _folded("serial_number", "serial_key")),
    "need_tag": (("key",), ("name",), _folded("name", "key")),
}


@dataclass(frozen=True)
class SyncedTable:
    model: type[BaseModel]
    name: str
    columns: tuple[str, ...]  # what travels: every column but the local ones, uid included
    foreign_keys: dict[str, str]  # column → the table it points to
    fields: dict[str, Field]

    @property
    def versioned(self) -> bool:
        return "row_version" in self.model._meta.columns

    @property
    def derived(self) -> tuple[str, ...]:
        return DERIVED[self.name][0] if self.name in DERIVED else ()

    def recompute(self, row: dict) -> dict:
        """The derived columns' values for a row (its source columns by name); {} when none."""
        return DERIVED[self.name][2](row) if self.name in DERIVED else {}

    def sources(self) -> tuple[str, ...]:
        return DERIVED[self.name][1] if self.name in DERIVED else ()

    def is_blob(self, column: str) -> bool:
        return isinstance(self.fields[column], BlobField)

    def is_datetime(self, column: str) -> bool:
        return isinstance(self.fields[column], DateTimeField)

    @property
    def unique_keys(self) -> tuple[tuple[str, ...], ...]:
        """The unique keys besides the uid, as column names: a code, a tax id, (plan, position)…"""
        meta = self.model._meta
        return (
            *((f.column_name,) for f in meta.sorted_fields if f.unique and f.column_name != "uid"),
            *(
                tuple(meta.fields[name].column_name for name in names)
                for names, unique in meta.indexes
                if unique
            ),
        )


def _describe(model: type[BaseModel]) -> SyncedTable:
    fields = {field.column_name: field for field in model._meta.sorted_fields}
    columns = tuple(name for name in fields if name not in _LOCAL_COLUMNS)
    foreign_keys = {
        field.column_name: field.rel_model._meta.table_name
        for field in model._meta.sorted_fields
        if isinstance(field, ForeignKeyField)
    }
    return SyncedTable(model, model._meta.table_name, columns, foreign_keys, fields)


# In ALL_MODELS order: a row's non-nullable references come before it. The nullable ones may point
# forward (a case's originating follow-up, a follow-up's retry): the pull fills those in after.
SYNCED_TABLES: tuple[SyncedTable, ...] = tuple(
    _describe(model) for model in ALL_MODELS if model is not SchemaVersion
)
AUDIT = AuditEntry._meta.table_name
BY_NAME = {table.name: table for table in SYNCED_TABLES}


# --- a laptop's capture triggers (SQLite) -------------------------------------------------------------


def json_of(table: SyncedTable, row: str) -> str:
    """json_object(...) of the row's travelling columns; a foreign key as its target's uid."""
    parts = []
    for column in table.columns:
        target = table.foreign_keys.get(column)
        if target:
            value = f'(SELECT uid FROM "{target}" WHERE id = {row}."{column}")'
        elif table.is_blob(column):  # JSON holds no bytes: hex, turned back into bytes by the engine
            value = f'CASE WHEN {row}."{column}" IS NULL THEN NULL ELSE hex({row}."{column}") END'
        elif table.is_datetime(column):  # in UTC: the moment it meant, wherever the push happens
            value = f"strftime('%Y-%m-%dT%H:%M:%fZ', {row}.\"{column}\", 'utc')"
        else:
            value = f'{row}."{column}"'
        parts.append(f"'{column}', {value}")
    return "json_object(" + ", ".join(parts) + ")"


def create_capture_triggers(database: Database) -> None:
    """The capture triggers of every synced table on a laptop (made again when they exist): each
    insert, update and delete writes the row's travelling columns into the outbox."""
    capturing = f"(SELECT capturing FROM {LAPTOP_STATE}) = 1"
    present = set(database.get_tables())
    for table in SYNCED_TABLES:
        name = table.name
        if name not in present:  # a table a later migration makes (an upgrade stopped before it)
            continue
        changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in table.columns)
        for op, when, old, new, uid, base in (
            ("insert", capturing, "NULL", json_of(table, "NEW"), "NEW.uid", "NULL"),
            (
                "update",
                f"{capturing} AND ({changed})",
                json_of(table, "OLD"),
                json_of(table, "NEW"),
                "NEW.uid",
                "OLD.revision",
            ),
            ("delete", capturing, json_of(table, "OLD"), "NULL", "OLD.uid", "OLD.revision"),
        ):
            if name == AUDIT and op != "insert":
                # The log is append-only: what changes an entry (a person's erasure, which every
                # machine applies itself from the erasure log) is not sent as a change of its own.
                database.execute_sql(f'DROP TRIGGER IF EXISTS "sync_capture_{name}_{op}"')
                continue
            database.execute_sql(f'DROP TRIGGER IF EXISTS "sync_capture_{name}_{op}"')
            database.execute_sql(
                f'CREATE TRIGGER "sync_capture_{name}_{op}" AFTER {op.upper()} ON "{name}" WHEN {when} BEGIN '
                f"INSERT INTO {LAPTOP_OUTBOX} (table_name, row_uid, op, old_values, new_values, base_revision, tx) "
                f"VALUES ('{name}', {uid}, '{op}', {old}, {new}, {base}, {LOCAL_TRANSACTION}()); END"
            )


def refresh_laptop_capture(database: Database) -> None:
    """After a migration on a laptop's file, its capture triggers made again from this version's
    columns: a column added to a synced table travels from its first change (the old triggers
    neither watch nor send it). Nothing elsewhere; a laptop whose outbox predates the transaction
    mark gets them at its next sync, where app.sync.laptop.bring_up_to_date adds the mark first."""
    tables = database.get_tables()
    if LAPTOP_STATE not in tables or LAPTOP_OUTBOX not in tables:
        return
    outbox = {row[1] for row in database.execute_sql(f"PRAGMA table_info({LAPTOP_OUTBOX})").fetchall()}
    if "tx" in outbox:
        create_capture_triggers(database)


SEQUENCE = "sync_revision_seq"
# Revisions are taken when a row is written, not when its transaction commits: a pull may see
# revision 12 committed while 11 is still being written. So each row also records the transaction
# that wrote it (WRITER), a pull remembers the transactions in progress at its snapshot, and the
# next pull fetches what they wrote whatever its revision (app.sync.engine.pull).
WRITER = "sync_xid"
CURRENT_XID = "pg_current_xact_id()::text::bigint"
LAPTOP_SEQUENCE = "sync_laptop_seq"
TOMBSTONES = "sync_tombstone"
APPLIED = "sync_applied"
CONFLICTS = "sync_conflict"


def enable_sync(database: Database, group_roles: tuple[str, ...] = ()) -> None:
    """Create (or bring up to date) the server's sync objects; idempotent. `group_roles` get the
    rights a push needs (remembering what was applied, recording conflicts)."""
    cursor = database.connection().cursor()

    def run(statement, *args) -> None:
        cursor.execute(sql.SQL(statement).format(*args) if args else statement)

    run(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
    run(f"CREATE SEQUENCE IF NOT EXISTS {LAPTOP_SEQUENCE}")
    run(
        f"CREATE TABLE IF NOT EXISTS {TOMBSTONES} (table_name varchar(40) NOT NULL, uid varchar(32) NOT NULL,"
        f" revision bigint NOT NULL DEFAULT nextval('{SEQUENCE}'), deleted_at timestamptz NOT NULL DEFAULT now(),"
        " PRIMARY KEY (table_name, uid))"
    )
    run(f"CREATE INDEX IF NOT EXISTS {TOMBSTONES}_revision ON {TOMBSTONES} (revision)")
    run(
        f"CREATE TABLE IF NOT EXISTS {APPLIED} (laptop varchar(32) PRIMARY KEY, login varchar(63) NOT NULL"
        " DEFAULT current_user, last_seq bigint NOT NULL, synced_at timestamptz NOT NULL DEFAULT now())"
    )
    # Each laptop's label in its provisional numbers (L01, L02, …), handed out at `sync --init`.
    run(f"ALTER TABLE {APPLIED} ADD COLUMN IF NOT EXISTS label varchar(12)")
    run(
        f"CREATE TABLE IF NOT EXISTS {CONFLICTS} (id serial PRIMARY KEY,"
        " kind varchar(20) NOT NULL CHECK (kind IN ('conflict', 'deleted', 'duplicate', 'refused')),"
        " table_name varchar(40) NOT NULL, row_uid varchar(32) NOT NULL, column_name varchar(63),"
        " base_value text, laptop_value text, office_value text, reason text NOT NULL DEFAULT '',"
        " laptop varchar(32) NOT NULL, seq bigint NOT NULL, login varchar(63) NOT NULL DEFAULT current_user,"
        " created_at timestamptz NOT NULL DEFAULT now(), resolved_at timestamptz, resolved_by varchar(63),"
        " revision bigint NOT NULL DEFAULT nextval('" + SEQUENCE + "'))"
    )
    # Offices made before schema 14 kept naive times here too.
    store_times_as_moments(
        database,
        {TOMBSTONES: ["deleted_at"], APPLIED: ["synced_at"], CONFLICTS: ["created_at", "resolved_at"]},
    )
    # Which transaction wrote a row (see WRITER): the office's own column, not the models'.
    for name in (*(t.name for t in SYNCED_TABLES), TOMBSTONES, CONFLICTS):
        run(
            "ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} bigint DEFAULT " + CURRENT_XID,
            sql.Identifier(name),
            sql.Identifier(WRITER),
        )
    run(
        "CREATE OR REPLACE FUNCTION postventa_sync_revision() RETURNS trigger LANGUAGE plpgsql"
        " SECURITY DEFINER SET search_path = public, pg_temp AS"
        f" $$ BEGIN NEW.revision := nextval('{SEQUENCE}'); NEW.{WRITER} := {CURRENT_XID}; RETURN NEW; END $$"
    )
    run(
        "CREATE OR REPLACE FUNCTION postventa_sync_tombstone() RETURNS trigger LANGUAGE plpgsql"
        " SECURITY DEFINER SET search_path = public, pg_temp AS"
        f" $$ BEGIN INSERT INTO {TOMBSTONES} (table_name, uid) VALUES (TG_TABLE_NAME, OLD.uid)"
        f" ON CONFLICT (table_name, uid) DO UPDATE SET revision = nextval('{SEQUENCE}'), deleted_at = now(),"
        f" {WRITER} = {CURRENT_XID};"
        " RETURN OLD; END $$"
    )
    # A laptop's reference to a row the office does not have (deleted there, or refused itself):
    # the push's subselect finds no id, and instead of an empty reference this raises what a foreign
    # key would, so the change is refused with a reason naming the reference (app.sync.engine).
    run(
        "CREATE OR REPLACE FUNCTION postventa_sync_missing(tbl text, col text, ref text, target text)"
        " RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RAISE foreign_key_violation USING"
        " MESSAGE = format('insert or update on table \"%s\" violates foreign key constraint', tbl),"
        " DETAIL = format('Key (%s)=(%s) is not present in table \"%s\".', col, ref, target); END $$"
    )
    # A row inserted by hand (psql, another tool) gets its identity too.
    for model in ALL_MODELS:
        if "uid" in model._meta.columns:
            run(
                "ALTER TABLE {} ALTER COLUMN uid SET DEFAULT replace(gen_random_uuid()::text, '-', '')",
                sql.Identifier(model._meta.table_name),
            )
    for table in SYNCED_TABLES:
        name = sql.Identifier(table.name)
        run("DROP TRIGGER IF EXISTS postventa_sync_revision ON {}", name)
        run(
            "CREATE TRIGGER postventa_sync_revision BEFORE INSERT OR UPDATE ON {} FOR EACH ROW"
            " EXECUTE FUNCTION postventa_sync_revision()",
            name,
        )
        run("DROP TRIGGER IF EXISTS postventa_sync_tombstone ON {}", name)
        run(
            "CREATE TRIGGER postventa_sync_tombstone AFTER DELETE ON {} FOR EACH ROW"
            " EXECUTE FUNCTION postventa_sync_tombstone()",
            name,
        )
        run("CREATE INDEX IF NOT EXISTS {} ON {} (revision)", sql.Identifier(f"{table.name}_revision"), name)
    # Rows written before sync was enabled get their first revision (once: only those without one).
    for table in SYNCED_TABLES:  # the trigger numbers them
        run("UPDATE {} SET revision = 0 WHERE revision IS NULL", sql.Identifier(table.name))
    for role in group_roles:
        grantee = sql.Identifier(role)
        run("GRANT SELECT ON {} TO {}", sql.Identifier(TOMBSTONES), grantee)
        run(
            "GRANT SELECT, INSERT, UPDATE ON {}, {} TO {}",
            sql.Identifier(APPLIED),
            sql.Identifier(CONFLICTS),
            grantee,
        )
        run(
            "GRANT USAGE, SELECT ON SEQUENCE {}, {}, {} TO {}",
            sql.Identifier(SEQUENCE),
            sql.Identifier(LAPTOP_SEQUENCE),
            sql.Identifier(f"{CONFLICTS}_id_seq"),
            grantee,
        )


def conflict_revision_bump(database: Database) -> str:
    """SQL to add to an UPDATE of stored conflicts so laptops pull the row again: on the office, a new
    revision (", revision = nextval(…)"); on a laptop's copy, nothing (it is the office's number)."""
    from app.models.dialect import is_server

    return f", revision = nextval('{SEQUENCE}')" if is_server(database) and sync_enabled(database) else ""


def sync_enabled(database: Database) -> bool:
    cursor = database.connection().cursor()
    cursor.execute("SELECT to_regclass(%s)", (f"public.{APPLIED}",))
    return cursor.fetchone()[0] is not None
