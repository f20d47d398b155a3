"""What differs between the database engines, in one place; services never branch on the engine.

Write transactions: a command reads what it depends on (states, next numbers, existence) and
writes inside one transaction that holds the write lock from its first statement.

- SQLite: `BEGIN IMMEDIATE` takes the database's write lock at BEGIN, so `busy_timeout` makes a
  second writer wait there; a DEFERRED transaction would read first and then fail with
  SQLITE_BUSY at its first write, when waiting can no longer help. The lock covers the whole
  file, so reading a row needs nothing more (`lock_rows` and `lock_numbering` do nothing).
- PostgreSQL: `BEGIN` (READ COMMITTED), then the database's write lock, a transaction-scoped
  advisory lock (`begin_write`), waited for up to WRITE_LOCK_TIMEOUT as SQLite waits busy_timeout:
  writers run one after the other as on SQLite, readers never wait. The finer locks are there
  for when writers stop sharing one lock: `SELECT … FOR UPDATE` on the rows a command decides
  from (`lock_rows`) and an advisory lock per numbering series (`lock_numbering`), taken before
  the highest number is read. Contention shows up as a lock timeout, a serialization failure or
  a deadlock (`is_lock_contention`), and the command is retried.

SQL expressions (date arithmetic, conditional aggregates, month keys, boolean aggregates) are built
when a query is built, for the engine the models are bound to at that moment; never store one in a
module-level constant.

Identities: rows inserted with explicit ids (the demo's bulk load, migrations) leave PostgreSQL's
sequences behind; `reset_sequences` puts each one after its table's highest id, and
`sequences_behind` is what `postventa check` reports.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from peewee import (
    OP,
    SQL,
    Case,
    Cast,
    Database,
    Expression,
    NodeList,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
    Value,
    fn,
)

from app.models import cipher

# SQLite page cache during a bulk load: 64 MiB (negative = KiB).
_BULK_CACHE_KIB = -65536


def _engine(database: Database | None = None) -> Database:
    """The real database behind `database` (a DatabaseProxy or the database itself); default: the models'."""
    if database is None:
        from app.models import db

        database = db
    return getattr(database, "obj", None) or database


def _is_postgresql(database: Database | None = None) -> bool:
    return isinstance(_engine(database), PostgresqlDatabase)


def is_server(database: Database | None = None) -> bool:
    """True for a server database (PostgreSQL): no file to inspect, back up or tune with pragmas."""
    return not isinstance(_engine(database), SqliteDatabase)


def set_read_only(database: Database) -> None:
    """Make every later transaction of this connection read-only (PostgreSQL), for `postventa check`.
    An SQLite file is opened read-only by its URI instead."""
    engine = _engine(database)
    if isinstance(engine, PostgresqlDatabase):
        engine.execute_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")


# --- transactions and locks --------------------------------------------------------------------


# PostgreSQL: the advisory lock every write transaction takes first, and how long it waits for it
# (as SQLite's busy_timeout; then the command is retried, app.services.transactions).
WRITE_LOCK_TIMEOUT = "5s"


def begin_write(database: Database) -> AbstractContextManager:
    """The outermost write transaction of a command: it holds the write lock from BEGIN."""
    engine = _engine(database)
    if isinstance(engine, SqliteDatabase):
        return engine.atomic("IMMEDIATE")
    if isinstance(engine, PostgresqlDatabase):
        return _postgresql_write(engine)
    return engine.atomic()


@contextmanager
def _postgresql_write(engine: PostgresqlDatabase) -> Iterator[None]:
    """BEGIN, then the database's write lock (a transaction-scoped advisory lock), as SQLite's
    IMMEDIATE: writers run one after the other and each reads what the previous one committed
    (READ COMMITTED), so a command's reads, checks and writes stay one; readers never wait."""
    with engine.atomic():
        engine.execute_sql(f"SET LOCAL lock_timeout = '{WRITE_LOCK_TIMEOUT}'")
        engine.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
        yield


def lock_rows(query):
    """`query` reading rows a command is about to change, locked until the transaction ends.

    SQLite's write transaction already holds the whole file; PostgreSQL locks the rows.
    """
    if not _is_postgresql():
        return query
    return query.for_update()


def numbering_key(series: str, *scope: object) -> int:
    """A stable 63-bit key for one numbering series (e.g. ("case", 2026)); the same in every process."""
    text = "\x1f".join([series, *(str(part) for part in scope)]).encode()
    return (zlib.crc32(text) << 31) ^ zlib.adler32(text)


WRITE_LOCK_KEY = numbering_key("postventa write lock")


def lock_numbering(series: str, *scope: object) -> None:
    """Inside a write transaction, before reading the highest number of a series: wait until no
    other transaction is numbering in the same series, so numbers stay gapless and unique.

    SQLite: nothing (the IMMEDIATE transaction holds the file). PostgreSQL: an advisory lock
    released at COMMIT or ROLLBACK (`pg_advisory_xact_lock`), which also covers the year's first
    number, when there is no row yet to lock.
    """
    engine = _engine()
    if isinstance(engine, PostgresqlDatabase):
        engine.execute_sql("SELECT pg_advisory_xact_lock(%s)", (numbering_key(series, *scope),))


def execute_many(sql: str, rows: list[list[object]], database: Database | None = None) -> None:
    """Run one parameterised statement for every row in `rows` (an import's INSERTs).

    SQLite: the driver's executemany, one prepared statement stepped per row in the process.
    PostgreSQL: psycopg2's executemany sends each row in a round trip of its own (10,000 customers
    took 2 s more than on SQLite); `execute_batch` sends them in pages of many statements."""
    engine = _engine(database)
    cursor = engine.cursor()
    if isinstance(engine, PostgresqlDatabase):
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql, rows, page_size=500)
    else:
        cursor.executemany(sql, rows)


_SQLITE_CONTENTION = ("database is locked", "database table is locked", "database is busy")
# SQLSTATE: serialization_failure, deadlock_detected, lock_not_available.
_POSTGRESQL_CONTENTION = {"40001", "40P01", "55P03"}


def is_lock_contention(exc: BaseException) -> bool:
    """True when `exc` means another connection holds the lock (worth waiting and trying again)."""
    if postgresql_code(exc) in _POSTGRESQL_CONTENTION:
        return True
    if not isinstance(exc, (OperationalError, *cipher.DRIVER_OPERATIONAL_ERRORS)):
        return False
    message = str(exc).lower()
    return any(text in message for text in _SQLITE_CONTENTION)


# SQLSTATE insufficient_privilege: a GRANT missing or a row-level security policy refusing the row.
_POSTGRESQL_REFUSED = "42501"


def is_refused_by_rights(exc: BaseException) -> bool:
    """True when the server refused the statement for the connected person's rights (PostgreSQL's
    GRANTs and row-level security, app.models.server_rights); never on SQLite, which has no rights."""
    return postgresql_code(exc) == _POSTGRESQL_REFUSED


# SQLSTATE unique_violation: a row with the same unique key is already there.
POSTGRESQL_UNIQUE_VIOLATION = "23505"


def postgresql_code(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE of an error, wherever in its chain the driver's error is (peewee keeps
    it as .orig or as the cause); None for SQLite's errors and others."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        code = getattr(current, "pgcode", None)
        if code:
            return code
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
        seen += 1
    return None


# --- expressions -------------------------------------------------------------------------------


def when(condition, then, otherwise=None):
    """CASE WHEN condition THEN then ELSE otherwise END (both engines; SQLite's IIF is not PostgreSQL's)."""
    return Case(None, [(condition, then)], otherwise)


def count_where(condition):
    """How many rows of the group meet `condition` (0 for none, NULL for an empty group)."""
    return fn.SUM(when(condition, 1, 0))


def any_true(column):
    """Whether any row of the group has the boolean `column` true (SQLite: MAX; PostgreSQL: bool_or)."""
    if _is_postgresql():
        return fn.bool_or(column)
    return fn.MAX(column)


def days_between(later, earlier):
    """SQL for the days from `earlier` to `later` (dates or columns; fractional for datetimes,
    NULL when either is NULL). SQLite: julianday difference; PostgreSQL: seconds between the
    timestamps over 86,400."""
    if _is_postgresql():
        seconds = fn.EXTRACT(
            NodeList((SQL("EPOCH FROM"), Cast(later, "timestamp") - Cast(earlier, "timestamp")))
        )
        return Cast(seconds, "double precision") / 86400
    return fn.julianday(later) - fn.julianday(earlier)


def date_of(value):
    """The calendar day of a date or datetime (SQLite: the text YYYY-MM-DD; PostgreSQL: a date)."""
    if _is_postgresql():
        return Cast(value, "date")
    return fn.date(value).coerce(False)


def add_days(value, days: int):
    """The day `days` after the calendar day of `value` (a date; midnight when compared with a datetime)."""
    if _is_postgresql():
        return Cast(value, "date") + int(days)
    return fn.date(value, f"{int(days):+d} days").coerce(False)


def month_key(value):
    """'YYYY-MM' of a date or datetime, as text on both engines."""
    if _is_postgresql():
        return fn.to_char(Cast(value, "timestamp"), "YYYY-MM")
    return fn.strftime("%Y-%m", value)


def month_number(value):
    """The month (1–12) of a date or datetime, as an integer on both engines."""
    if _is_postgresql():
        return Cast(fn.date_part("month", Cast(value, "timestamp")), "integer")
    return Cast(fn.strftime("%m", value), "INTEGER")


def contains_folded(column, word: str):
    """`column` contains `word`, both folded already (fold_for_search: lower case, no accents), so
    nothing needs folding while matching: PostgreSQL's LIKE, not the ILIKE of peewee's .contains(),
    which folds every row again (the customer search over 100,000 customers: 3-4 times slower);
    SQLite's LIKE (peewee writes its ILIKE as LIKE there, its LIKE as GLOB). %, _ and \\ in `word`
    match themselves, as with .contains()."""
    if any(ch in word for ch in "\\%_"):
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = NodeList(
            (Value(f"%{escaped}%", converter=False), SQL("ESCAPE"), Value("\\", converter=False))
        )
    else:
        pattern = f"%{word}%"
    return Expression(column, OP.LIKE if _is_postgresql() else OP.ILIKE, pattern)


# --- the customer search's trigram index (schema 13) ---------------------------------------------

# SQLite: an FTS5 table over customer.search_text with the trigram tokenizer, external content (it
# stores the index only, the text stays in `customer`), kept in step by triggers on `customer`.
# Each machine's own: not a model, so app.models.sync_schema neither syncs it nor captures it on a
# laptop; a pull that writes customers keeps it in step through the same triggers.
CUSTOMER_SEARCH_INDEX = "customer_search"
# A word shorter than this has no trigram: the search scans search_text for it.
TRIGRAM = 3


def create_customer_search_index(database: Database | None = None) -> None:
    """The trigram index of `customer.search_text`, filled from the rows already there; idempotent.

    - SQLite: the FTS5 table and its triggers (insert, delete, an update that changes the text);
    - PostgreSQL: the pg_trgm extension (trusted: the database's owner may create it, as
      `server init` and `server upgrade` run) and a GIN index with gin_trgm_ops, which serves
      the search's own LIKE '%word%'.
    """
    engine = _engine(database)
    if isinstance(engine, PostgresqlDatabase):
        engine.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        engine.execute_sql(
            "CREATE INDEX IF NOT EXISTS customer_search_text_trgm ON customer USING gin (search_text gin_trgm_ops)"
        )
        return
    index = CUSTOMER_SEARCH_INDEX
    engine.execute_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5("
        "search_text, content='customer', content_rowid='id', tokenize='trigram')"
    )
    for name, sql in _customer_search_triggers().items():
        engine.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        engine.execute_sql(sql)
    engine.execute_sql(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")


def _customer_search_triggers() -> dict[str, str]:
    """The SQLite triggers that keep the FTS5 index in step with `customer`: name → CREATE TRIGGER."""
    index = CUSTOMER_SEARCH_INDEX
    triggers = {}
    for trigger, body in (
        (
            "AFTER INSERT ON customer",
            f"INSERT INTO {index} (rowid, search_text) VALUES (NEW.id, NEW.search_text);",
        ),
        (
            "AFTER DELETE ON customer",
            f"INSERT INTO {index} ({index}, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);",
        ),
        (
            "AFTER UPDATE OF id, search_text ON customer "
            "WHEN OLD.id IS NOT NEW.id OR OLD.search_text IS NOT NEW.search_text",
            f"INSERT INTO {index} ({index}, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); "
            f"INSERT INTO {index} (rowid, search_text) VALUES (NEW.id, NEW.search_text);",
        ),
    ):
        name = f"{index}_{trigger.split()[1].lower()}"
        triggers[name] = f'CREATE TRIGGER "{name}" {trigger} BEGIN {body} END'
    return triggers


@contextmanager
def customers_inserted_in_bulk(database: Database | None = None) -> Iterator[None]:
    """Around INSERTs of many new customers (the import's batches), inside the caller's write
    transaction, and nothing else that writes `customer`: SQLite's search index gets the new rows
    in one INSERT … SELECT at the end instead of one trigger run per row (10,000 customers: 0.55 s
    → 0.1 s). The insert trigger is dropped meanwhile and made again at the end — also when the
    block fails —, all inside the transaction: a rollback or a killed process leaves it as it was.
    Other triggers (a laptop's sync capture) run as before. PostgreSQL: nothing to do (its GIN
    index takes rows as they come)."""
    engine = _engine(database)
    name = f"{CUSTOMER_SEARCH_INDEX}_insert"
    if (
        not isinstance(engine, SqliteDatabase)
        or not engine.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchone()
    ):
        yield
        return
    (last,) = engine.execute_sql("SELECT COALESCE(MAX(id), 0) FROM customer").fetchone()
    engine.execute_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    except BaseException:
        if _sqlite_transaction_open(engine):  # else SQLite rolled it back (a full disk): nothing to redo
            _index_customers_after(engine, last, name)
        raise
    _index_customers_after(engine, last, name)


def _index_customers_after(engine: Database, last: int, trigger: str) -> None:
    # New rows take ids above the highest one (an INTEGER PRIMARY KEY without AUTOINCREMENT).
    engine.execute_sql(
        f"INSERT INTO {CUSTOMER_SEARCH_INDEX} (rowid, search_text) "
        "SELECT id, search_text FROM customer WHERE id > ?",
        (last,),
    )
    engine.execute_sql(_customer_search_triggers()[trigger])


def _sqlite_transaction_open(engine: Database) -> bool:
    """Whether the SQLite connection is still inside its transaction: after some errors (a full
    disk, no memory) SQLite rolls the whole transaction back by itself, and what a block dropped
    inside it is back already."""
    return bool(engine.connection().in_transaction)


# Each customer's profile for the at-risk and loyalty lists (issue 19): net value, last purchase,
# when the next one was expected, last scores, open claims; app.services.customers.risk computes the
# rows and reads them. Each machine's own, like the search index: not a model, never synced. The
# triggers below list a customer in CUSTOMER_PROFILE_STALE whenever something their profile is
# computed from changes (also when a pull or a `sync --join` writes it): a stored row of a customer
# not listed there is right, the listed ones are computed again (risk.refresh_customer_profiles). A
# new customer is stale; a change of a product's category, of a category's replacement cycle or of
# the company's default purchase interval makes everyone stale; a deleted customer's row goes.
CUSTOMER_PROFILE = "customer_profile"
CUSTOMER_PROFILE_STALE = "customer_profile_stale"

# (table, event, the customers it makes stale: SQL over NEW/OLD, None for everyone, "" for nobody).
# An UPDATE of a table in _PROFILE_READS fires only when one of the columns a profile reads changes.
_PROFILE_SOURCES: tuple[tuple[str, str, str | None], ...] = (
    ("sale", "INSERT", "NEW.customer_id"),
    ("sale", "DELETE", "OLD.customer_id"),
    ("sale", "UPDATE", "OLD.customer_id, NEW.customer_id"),
    ("sale_line", "INSERT", "SELECT customer_id FROM sale WHERE id = NEW.sale_id"),
    ("sale_line", "DELETE", "SELECT customer_id FROM sale WHERE id = OLD.sale_id"),
    ("sale_line", "UPDATE", "SELECT customer_id FROM sale WHERE id IN (OLD.sale_id, NEW.sale_id)"),
    ("warranty_return", "INSERT", "NEW.customer_id"),
    ("warranty_return", "DELETE", "OLD.customer_id"),
    ("warranty_return", "UPDATE", "OLD.customer_id, NEW.customer_id"),
    (
        "return_status_change",
        "INSERT",
        "SELECT customer_id FROM warranty_return WHERE id = NEW.warranty_return_id",
    ),
    (
        "return_status_change",
        "DELETE",
        "SELECT customer_id FROM warranty_return WHERE id = OLD.warranty_return_id",
    ),
    (
        "return_status_change",
        "UPDATE",
        "SELECT customer_id FROM warranty_return WHERE id IN (OLD.warranty_return_id, NEW.warranty_return_id)",
    ),
    ("satisfaction_survey", "INSERT", "NEW.customer_id"),
    ("satisfaction_survey", "DELETE", "OLD.customer_id"),
    ("satisfaction_survey", "UPDATE", "OLD.customer_id, NEW.customer_id"),
    ("case", "INSERT", "NEW.customer_id"),
    ("case", "DELETE", "OLD.customer_id"),
    ("case", "UPDATE", "OLD.customer_id, NEW.customer_id"),
    ("customer", "INSERT", "NEW.id"),
    ("customer", "DELETE", ""),  # nobody stale: the profile goes (_PROFILE_GONE)
    ("customer", "UPDATE OF id", "NEW.id"),
    ("product", "UPDATE OF category_id", None),
    ("product", "DELETE", None),
    ("product_category", "UPDATE OF replacement_months", None),
    ("product_category", "DELETE", None),
    ("company_setting", "INSERT", None),
    ("company_setting", "UPDATE", None),
)


# The columns of each table a profile is computed from (app.services.customers.risk._profiles_sql and
# value.refunded_condition). Updates of the other columns (a sale's revision set by `server init`, a
# return's notes, a case's texts) leave the profiles right: their triggers do not fire.
_PROFILE_READS: dict[str, tuple[str, ...]] = {
    "sale": ("customer_id", "sold_on"),
    "sale_line": ("sale_id", "product_id", "quantity", "unit_price"),
    "warranty_return": ("customer_id", "state", "refund_amount"),
    "return_status_change": ("warranty_return_id", "to_state"),
    "satisfaction_survey": ("customer_id", "taken_on", "satisfaction", "recommend"),
    "case": ("customer_id", "kind", "closed_on"),
}


# The customer's columns a profile keeps a copy of, so the lists read the profiles alone: which
# customers they show (valuable, not archived, a rep's) and in what order (code). A change of one of
# them is copied into the profile (no need to compute it again).
CUSTOMER_PROFILE_COPIED = ("code", "segment", "archived", "rep_id")


def _changed(columns: tuple[str, ...], postgresql: bool) -> str:
    """The condition on a row that one of `columns` changed value."""
    differs = "IS DISTINCT FROM" if postgresql else "IS NOT"
    return " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns)


def _profile_event(table: str, event: str) -> str:
    """The trigger's event: an UPDATE of a table the profiles read from, of the columns they read."""
    if event == "UPDATE" and table in _PROFILE_READS:
        return f"UPDATE OF {', '.join(_PROFILE_READS[table])}"
    return event


def _profile_source_rows(table: str, event: str, postgresql: bool) -> str | None:
    """Which rows of `table` fire its trigger for `event` (None: every row): an update that changes
    a column a profile reads (a whole record saved again changes none); of the company's settings,
    the default purchase interval, when its value changes (every setting is saved at once)."""
    if event == "UPDATE" and table in _PROFILE_READS:
        return _changed(_PROFILE_READS[table], postgresql)
    if table != "company_setting":
        return None
    condition = "NEW.key = 'risk_default_interval_days'"
    if event == "UPDATE":
        condition += f" AND ({_changed(('value',), postgresql)})"
    return condition


# The profiles that go with their customer: a deleted customer's (its id may be given again).
_PROFILE_GONE = {("customer", "DELETE"): "OLD.id", ("customer", "UPDATE OF id"): "OLD.id"}


def _profile_invalidation(customers: str | None, postgresql: bool, gone: str | None = None) -> str:
    """The trigger's statements: the customers (None: every one, "": nobody) are listed as stale,
    and `gone`'s profiles deleted. A stale customer's stored row is left for the next reading to
    replace (the lists skip it meanwhile): one statement per row written, the cost of the trigger.

    Those already listed are left out by the query itself, not by a conflict clause: in SQLite an
    upsert or `INSERT OR …` that fires the trigger imposes its own conflict handling on the
    trigger's statements (saving a company setting failed so). NOT EXISTS, an index lookup: a
    NOT IN (SELECT …) made PostgreSQL hash the whole list at each run (110 ms with 100,000 stale
    customers, as after `server init`, held under the numbering lock of each return pushed)."""
    statements = []
    if gone is not None:
        statements.append(f"DELETE FROM {CUSTOMER_PROFILE} WHERE customer_id IN ({gone});")
    if customers != "":
        listed = f"SELECT 1 FROM {CUSTOMER_PROFILE_STALE} s WHERE s.customer_id = customer.id"
        which = f" WHERE NOT EXISTS ({listed})" + ("" if customers is None else f" AND id IN ({customers})")
        mark = f"INSERT INTO {CUSTOMER_PROFILE_STALE} (customer_id) SELECT id FROM customer{which}"
        # PostgreSQL: two writers could still list the same customer at once (a plain INSERT).
        statements.append(mark + (" ON CONFLICT DO NOTHING;" if postgresql else ";"))
    return " ".join(statements)


def _profile_triggers(postgresql: bool) -> list[tuple[str, str, str, str | None, str]]:
    """(trigger name, table, event, condition on the row or None, statements) of each trigger that
    keeps the customers' profiles."""
    triggers = [
        (
            f"{CUSTOMER_PROFILE}_{table}_{event.split()[0].lower()}",
            table,
            _profile_event(table, event),
            _profile_source_rows(table, event, postgresql),
            _profile_invalidation(customers, postgresql, _PROFILE_GONE.get((table, event))),
        )
        for table, event, customers in _PROFILE_SOURCES
    ]
    copied = CUSTOMER_PROFILE_COPIED
    triggers.append(
        (
            f"{CUSTOMER_PROFILE}_customer_copy",
            "customer",
            f"UPDATE OF {', '.join(copied)}",
            _changed(copied, postgresql),
            f"UPDATE {CUSTOMER_PROFILE} SET {', '.join(f'{c} = NEW.{c}' for c in copied)}"
            " WHERE customer_id = NEW.id;",
        )
    )
    return triggers


@contextmanager
def customer_profiles_stale_after(database: Database | None = None) -> Iterator[None]:
    """Around a bulk load (the demo), inside the caller's write transaction: the profiles' triggers
    are dropped meanwhile (one run per row written is most of their cost) and made again at the end
    — also when the block fails —, every customer stale. A rollback leaves them as they were."""
    engine = _engine(database)
    postgresql = isinstance(engine, PostgresqlDatabase)
    for name, table, *_rest in _profile_triggers(postgresql):
        engine.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"' + (f' ON "{table}"' if postgresql else ""))
    try:
        yield
    finally:
        create_customer_profiles(engine)


def create_customer_profiles(database: Database | None = None) -> None:
    """The table of customers' profiles (emptied, every customer stale: computed when first read),
    the table of stale customers and the triggers that keep both; idempotent. SQLite: one trigger
    per table and event. PostgreSQL: one trigger function per table and event (PL/pgSQL), run by
    whoever writes the row: both groups of people may write both tables (app.models.server_rights)."""
    engine = _engine(database)
    postgresql = isinstance(engine, PostgresqlDatabase)
    real = "double precision" if postgresql else "REAL"
    engine.execute_sql(
        f"CREATE TABLE IF NOT EXISTS {CUSTOMER_PROFILE} (customer_id INTEGER PRIMARY KEY, "
        "code VARCHAR(20) NOT NULL, segment VARCHAR(1), archived BOOLEAN NOT NULL, rep_id INTEGER, "
        "default_interval INTEGER NOT NULL, value NUMERIC NOT NULL, last_purchase DATE, "
        f"expected_interval {real}, last_satisfaction INTEGER, last_recommend INTEGER, "
        f"average_satisfaction {real}, open_claims INTEGER NOT NULL)"
    )
    engine.execute_sql(
        f"CREATE TABLE IF NOT EXISTS {CUSTOMER_PROFILE_STALE} (customer_id INTEGER PRIMARY KEY)"
    )
    create_customer_profile_triggers(engine)
    # Every customer there already is stale: computed when first read.
    for statement in _profile_invalidation(None, postgresql).split(";")[:-1]:
        engine.execute_sql(statement)


def create_customer_profile_triggers(database: Database | None = None) -> None:
    """The triggers that keep the customers' profiles (made again: idempotent)."""
    engine = _engine(database)
    postgresql = isinstance(engine, PostgresqlDatabase)
    for name, table, event, when, body in _profile_triggers(postgresql):
        if postgresql:
            engine.execute_sql(
                f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS '
                f"$$ BEGIN {body} RETURN NULL; END $$"
            )
            engine.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            engine.execute_sql(
                f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" FOR EACH ROW'
                + (f" WHEN ({when})" if when else "")
                + f' EXECUTE FUNCTION "{name}"()'
            )
        else:
            engine.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
            condition = f" WHEN {when}" if when else ""
            engine.execute_sql(
                f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}"{condition} BEGIN {body} END'
            )


def drop_customer_profiles(database: Database | None = None) -> None:
    """Undo create_customer_profiles: its triggers (and PostgreSQL's trigger functions) and both
    tables (a schema taken back below 17, as the server-upgrade tests do)."""
    engine = _engine(database)
    postgresql = isinstance(engine, PostgresqlDatabase)
    for name, table, *_rest in _profile_triggers(postgresql):
        engine.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"' + (f' ON "{table}"' if postgresql else ""))
        if postgresql:
            engine.execute_sql(f'DROP FUNCTION IF EXISTS "{name}"()')
    engine.execute_sql(f"DROP TABLE IF EXISTS {CUSTOMER_PROFILE}")
    engine.execute_sql(f"DROP TABLE IF EXISTS {CUSTOMER_PROFILE_STALE}")


def customer_search_candidates(id_column, words: list[list[str]]):
    """A condition on `id_column` (customer ids) that keeps at least every customer whose
    search_text contains, for each entry of `words`, one of its spellings (all folded, each of
    TRIGRAM characters or more), answered from the trigram index; None where the engine's own
    LIKE uses the index (PostgreSQL) or there is nothing to look up. The caller keeps its LIKE
    conditions: they decide, the index only narrows the rows they read."""
    if _is_postgresql() or not words:
        return None

    def phrase(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    query = " AND ".join("(" + " OR ".join(phrase(w) for w in spellings) + ")" for spellings in words)
    return id_column.in_(
        SQL(f"(SELECT rowid FROM {CUSTOMER_SEARCH_INDEX} WHERE {CUSTOMER_SEARCH_INDEX} MATCH ?)", (query,))
    )


# How many rows of a list's order PostgreSQL may walk looking for a page of a search's matches.
ORDERED_WALK_ROWS = 5000


def _walks_an_index(query, table: str) -> bool:
    """Whether PostgreSQL's plan for `query` reads `table` through a btree index scan (a walk in an
    index's order), from EXPLAIN without running the query."""
    sql, params = query.sql()
    (plan,) = _engine().execute_sql("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()
    if isinstance(plan, str):  # a driver that does not decode json
        plan = json.loads(plan)
    pending = [plan[0]["Plan"]]
    while pending:
        node = pending.pop()
        if node.get("Node Type") in ("Index Scan", "Index Only Scan") and node.get("Relation Name") == table:
            return True
        pending += node.get("Plans", [])
    return False


def rows_of_ordered_search(query, limit: int, key, walk, descending: bool) -> list:
    """The rows of `query` (a list's search: its words' conditions, ORDER BY `key` (never NULL)
    then id, OFFSET, LIMIT `limit`), as its `.objects()`. `walk`: `key` of the rows the list shows
    without the words, in the same order (None: no words, or an order this does not serve).

    PostgreSQL, when it expects the words' matches to be many, walks the index of the list's order
    and reads each row until a page of them matched. Its estimate assumes the matches spread evenly
    along that order; "maría" or "josé" sit among the names at M and J, and the walk read half of
    the 100,000 demo customers before the first match (60 ms warm, over a second from the disk).
    Here the walk is bounded: the page is looked for among the rows up to the ORDERED_WALK_ROWS-th
    key of the order (a prefix of the order: a full page there is the page); when it is not there,
    index walks are off for one statement (set_config, local, put back after), so the trigram index
    gives the matches and a top-N sort orders them: a cost that follows the matches, never the rows
    before them. All this only when PostgreSQL's plan walks an index of the table (EXPLAIN, without
    running it): a plan that reads the matches from the trigram index already costs what they are
    ("garcía", 1,449 matches, one statement). SQLite: `query` as it is (the trigram index's rows
    drive it already)."""
    if walk is None or not _is_postgresql() or not _walks_an_index(query, key.model._meta.table_name):
        return list(query.objects())
    boundary = walk.offset(ORDERED_WALK_ROWS - 1).limit(1).scalar()
    if boundary is None:  # the whole list is shorter than the walk: PostgreSQL's own plan is bounded
        return list(query.objects())
    first = list(query.where(key >= boundary if descending else key <= boundary).objects())
    if len(first) == limit:
        return first
    engine = _engine()
    with engine.atomic():  # set_config(…, true) lasts until the transaction ends: put back after
        before = engine.execute_sql(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_indexonlyscan')"
        ).fetchone()
        engine.execute_sql(
            "SELECT set_config('enable_indexscan', 'off', true), set_config('enable_indexonlyscan', 'off', true)"
        )
        try:
            return list(query.objects())
        finally:
            engine.execute_sql(
                "SELECT set_config('enable_indexscan', %s, true), set_config('enable_indexonlyscan', %s, true)",
                tuple(before),
            )


def store_times_as_moments(database: Database, columns: dict[str, list[str]]) -> None:
    """On PostgreSQL, date-and-time columns ({table: [column, …]}) that are still `timestamp` become
    `timestamptz` (app.models.clock). Their values are read in the session's time zone: the one the
    office's machines wrote them in. Idempotent; nothing on SQLite."""
    engine = _engine(database)
    if not isinstance(engine, PostgresqlDatabase):
        return
    for table, names in columns.items():
        naive = [
            name
            for (name,) in engine.execute_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = %s AND data_type = 'timestamp without time zone'",
                (table,),
            ).fetchall()
            if name in names
        ]
        if naive:  # one ALTER per table: one rewrite
            changes = ", ".join(f'ALTER COLUMN "{name}" TYPE timestamptz' for name in naive)
            engine.execute_sql(f'ALTER TABLE "{table}" {changes}')


# --- raw SQL -----------------------------------------------------------------------------------


def placeholder(database: Database | None = None) -> str:
    """The parameter mark of the engine's driver (SQLite `?`, psycopg `%s`) for hand-written SQL."""
    return _engine(database).param


def random_uid_sql(database: Database | None = None) -> str:
    """SQL for a new random row uid (32 lower-case hex digits, as app.models.base.new_uid)."""
    if isinstance(_engine(database), PostgresqlDatabase):
        return "replace(gen_random_uuid()::text, '-', '')"
    return "lower(hex(randomblob(16)))"


def days_between_sql(later: str, earlier: str) -> str:
    """`days_between` for hand-written SQL: `later` and `earlier` are SQL text (columns, marks)."""
    if _is_postgresql():
        return (
            f"(CAST(EXTRACT(EPOCH FROM (CAST({later} AS timestamp) - CAST({earlier} AS timestamp)))"
            " AS double precision) / 86400)"
        )
    return f"(julianday({later}) - julianday({earlier}))"


def subquery_fence(database: Database | None = None) -> str:
    """Written at the end of a derived table, `FROM (SELECT … {fence}) AS p WHERE …`, keeps the
    outer WHERE outside it. PostgreSQL would push it down into the subquery, guess far too few rows
    from the correlated subqueries it then filters on, and may join by a nested loop that compares
    every pair of rows (the loyalty list of the 100k demo: 26 s, 3 s with the fence); `OFFSET 0`
    stops that. SQLite: nothing, its plans stay as they are."""
    return " OFFSET 0" if _is_postgresql(database) else ""


# --- bulk loads and identities -----------------------------------------------------------------


@contextmanager
def bulk_load(database: Database | None = None) -> Iterator[None]:
    """Around a large load: SQLite gets a bigger page cache for the connection (75 s → 64 s for the
    100,000-customer demo), put back after, and gives back the write-ahead log's space at the end;
    PostgreSQL gets its planner statistics (ANALYZE, about 6 s for that demo) once the load
    committed, so the first queries are not planned for empty tables while autovacuum has not come
    by yet. The caller then calls `reset_sequences` inside its transaction."""
    engine = _engine(database)
    if not isinstance(engine, SqliteDatabase):
        yield
        if isinstance(engine, PostgresqlDatabase) and not engine.in_transaction():
            engine.execute_sql("ANALYZE")  # tables this login does not own are skipped with a warning
        return
    with large_page_cache(engine):
        yield
    refresh_statistics(engine)
    engine.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def rollback_journal_meanwhile(database: Database | None = None) -> Iterator[None]:
    """Around a bulk load into a new SQLite file by a command that is its only user (`postventa
    demo`), outside the load's transaction: a rollback journal instead of the write-ahead log
    meanwhile, the log back at the end. A rollback journal keeps a copy of the pages that existed
    before (a new file has few) and the new ones go straight into the file, where the log holds
    every page written (the index builds' included) and copies them into the file again at the
    checkpoint: the 100,000-customer demo took 51 s with the log, 45 s without. SQLite keeps the log
    when another connection has the file open, and the load then runs with it as before; a window
    opening the file meanwhile waits for the load like any writer's. The window's own demo keeps the
    log: its pool threads open connections of their own while it runs. PostgreSQL: nothing."""
    engine = _engine(database)
    if not isinstance(engine, SqliteDatabase) or engine.in_transaction():
        yield
        return
    (waits_ms,) = engine.execute_sql("PRAGMA busy_timeout").fetchone()
    engine.execute_sql("PRAGMA busy_timeout = 0")  # another connection open: keep the log at once
    try:
        (mode,) = engine.execute_sql("PRAGMA journal_mode = DELETE").fetchone()
    except OperationalError as exc:
        if not is_lock_contention(exc):
            raise
        mode = "wal"
    finally:
        engine.execute_sql(f"PRAGMA busy_timeout = {int(waits_ms)}")
    try:
        yield
    finally:
        if str(mode).lower() == "delete" and not engine.in_transaction():
            engine.execute_sql("PRAGMA journal_mode = WAL")


# Rows ANALYZE reads of each index on SQLite: approximate statistics, made in milliseconds (15 ms for
# the 100,000-customer demo) whatever the file's size; SQLite's documentation suggests 100-1000.
_ANALYSIS_LIMIT = 1000


def analyze_sqlite(engine: SqliteDatabase) -> None:
    """Planner statistics for every table of an SQLite file. Without any, SQLite guesses, and some
    of its guesses are ruinous at scale: on a 100,000-customer file never analyzed, the dashboard's
    charter figures read every completed check once per unit sold (minutes; 0.3 s analyzed)."""
    engine.execute_sql(f"PRAGMA analysis_limit = {_ANALYSIS_LIMIT}")
    engine.execute_sql("ANALYZE")


def refresh_statistics(database: Database | None = None) -> None:
    """After many rows were written (the demo, an import), outside a transaction: SQLite's
    statistics made again, within the limit. PostgreSQL: nothing (autovacuum analyzes the tables
    that changed; a whole ANALYZE takes seconds at 100,000 customers)."""
    engine = _engine(database)
    if isinstance(engine, SqliteDatabase) and not engine.in_transaction():
        analyze_sqlite(engine)


def analyze_sqlite_when_never_done(engine: SqliteDatabase) -> None:
    """ANALYZE a file that has no statistics yet (made before they were kept, or filled by a
    program that never made them); then `optimize_sqlite_at_close` keeps them current."""
    if not engine.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        analyze_sqlite(engine)


def optimize_sqlite_at_close(engine: SqliteDatabase) -> None:
    """What SQLite's documentation advises before a connection closes: ANALYZE again, within the
    limit, the tables this connection's queries would have planned better with fresh statistics
    (one grown many times over since, an import's customers say); usually nothing to do."""
    engine.execute_sql(f"PRAGMA analysis_limit = {_ANALYSIS_LIMIT}")
    engine.execute_sql("PRAGMA optimize")


@contextmanager
def indexes_made_after(tables: Iterable[str], database: Database | None = None) -> Iterator[None]:
    """Around a bulk load into `tables` (the demo), inside the caller's write transaction: SQLite
    drops their indexes meanwhile and makes them again at the end — also when the block fails, unless
    SQLite rolled the transaction back by itself —,
    one sort each instead of a B-tree insertion per row, most of them at random places (the rows'
    uids). A unique index made again over duplicates fails, and with it the transaction: nothing
    half-written. A rollback leaves the indexes as they were. PostgreSQL: nothing."""
    engine = _engine(database)
    names = list(tables)
    if not isinstance(engine, SqliteDatabase) or not names:
        yield
        return
    marks = ", ".join("?" * len(names))
    indexes = engine.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        names,
    ).fetchall()
    for name, _sql in indexes:
        engine.execute_sql(f'DROP INDEX "{name}"')
    try:
        yield
    except BaseException:
        if _sqlite_transaction_open(engine):  # else SQLite rolled it back (a full disk): they are back
            for _name, sql in indexes:
                engine.execute_sql(sql)
        raise
    for _name, sql in indexes:
        engine.execute_sql(sql)


@contextmanager
def large_page_cache(database: Database | None = None, *, kib: int = -_BULK_CACHE_KIB) -> Iterator[None]:
    """Around a transaction that writes many rows (a bulk load, an import) or a report that scans the
    same indexes more than once (the activity report: the period, then the previous one): SQLite's
    page cache for the connection grows to `kib` KiB (filled only as pages are used; never made
    smaller), put back after, which gives the pages back. New rows' random uids land all over their
    indexes; with SQLite's default 2 MiB each page is read again and again (100,000 imported sales:
    26 s of CPU, 21 s with 32 MiB); an encrypted file decrypts a page at every read from the disk.
    PostgreSQL: nothing (the server's own)."""
    engine = _engine(database)
    if not isinstance(engine, SqliteDatabase):
        yield
        return
    cache_size = int(engine.execute_sql("PRAGMA cache_size").fetchone()[0])
    page_size = int(engine.execute_sql("PRAGMA page_size").fetchone()[0])
    if (-cache_size if cache_size < 0 else cache_size * page_size // 1024) >= kib:  # as large already
        yield
        return
    engine.execute_sql(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        engine.execute_sql(f"PRAGMA cache_size = {cache_size}")


def _serial_tables(engine: Database, tables: Iterable[str] | None) -> list[tuple[str, str]]:
    """(table, sequence) for each table of the public schema whose `id` is a serial column."""
    wanted = None if tables is None else set(tables)
    rows = engine.execute_sql(
        "SELECT c.relname, pg_get_serial_sequence(quote_ident(c.relname), 'id') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped "
        "WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname"
    ).fetchall()
    return [(t, s) for t, s in rows if s is not None and (wanted is None or t in wanted)]


def reset_sequences(database: Database | None = None, tables: Iterable[str] | None = None) -> None:
    """After rows were inserted with explicit ids: each id sequence continues after its table's
    highest id (all tables, or `tables`). SQLite numbers from the highest rowid anyway: nothing."""
    engine = _engine(database)
    if not isinstance(engine, PostgresqlDatabase):
        return
    for table, sequence in _serial_tables(engine, tables):
        engine.execute_sql(
            f'SELECT setval(%s, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)', (sequence,)
        )


@dataclass(frozen=True)
class SequenceLag:
    table: str
    next_id: int  # what the sequence hands out next
    highest_id: int  # the table's highest id


def sequences_behind(database: Database | None = None) -> list[SequenceLag]:
    """The id sequences that would hand out an id already taken (PostgreSQL); SQLite has none."""
    engine = _engine(database)
    if not isinstance(engine, PostgresqlDatabase):
        return []
    behind = []
    for table, sequence in _serial_tables(engine, None):
        # pg_sequences.last_value is NULL until the first nextval (or setval(…, false)).
        last, called, highest = engine.execute_sql(
            f'SELECT s.last_value, s.is_called, (SELECT MAX(id) FROM "{table}") FROM {sequence} AS s'
        ).fetchone()
        next_id = last + 1 if called else last
        if highest is not None and next_id <= highest:
            behind.append(SequenceLag(table, next_id, highest))
    return behind


# --- storage checks ----------------------------------------------------------------------------


def integrity_problems(quick: bool, limit: int) -> list[str] | None:
    """What SQLite's integrity_check (quick_check) finds, ["ok"] when nothing; None for a server
    database, which checks its own storage. Raises the driver's error when the file cannot be read."""
    from app.models import db

    if is_server():
        return None
    pragma = "quick_check" if quick else "integrity_check"
    with _reading_whole_file(db.obj):
        return [row[0] for row in db.execute_sql(f"PRAGMA {pragma}({int(limit)})").fetchall()]


def broken_references() -> list[tuple[str, str]] | None:
    """(table, parent table) for every row whose foreign key points nowhere (SQLite's
    foreign_key_check); None for a server database, which enforces its foreign keys."""
    from app.models import db

    if is_server():
        return None
    with _reading_whole_file(db.obj):
        rows = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    return [(table, parent) for table, _rowid, parent, _fkid in rows]


# SQLite caps it at its compile-time limit (2 GiB by default); pages beyond are read as usual.
_WHOLE_FILE_MMAP_BYTES = 1 << 40


@contextmanager
def _reading_whole_file(engine: Database) -> Iterator[None]:
    """Around a statement that reads every page of an SQLite file once (the integrity checks): the
    connection reads the file through a memory map, put back after. Each page is then looked at
    where the OS keeps it instead of copied into SQLite's cache by a system call: the quick check of
    the 100,000-customer demo, 2.5 s of CPU → 2.2 s; the references 1.3 s → 1.1 s. A file that
    cannot be read is still an error the check reports: SQLite maps only what the file holds, and
    reads the rest (a truncated copy) as usual. SQLCipher ignores it (its pages are decrypted)."""
    before = int(engine.execute_sql("PRAGMA mmap_size").fetchone()[0])
    engine.execute_sql(f"PRAGMA mmap_size = {_WHOLE_FILE_MMAP_BYTES}")
    try:
        yield
    finally:
        engine.execute_sql(f"PRAGMA mmap_size = {before}")


# --- erasing a person's data (issue 18) -------------------------------------------------------------


@contextmanager
def erasing(database: Database | None = None) -> Iterator[None]:
    """Around a command that erases a person's data (its own write transaction inside), so that none
    of it stays in the file. SQLite: the connection overwrites with zeros whatever it frees
    (`secure_delete`, put back after); once the command committed, the customer search's trigram
    index is merged into one segment (the freed segments, which still held the old text's trigrams,
    zeroed too) and the write-ahead log, whose frames hold the pages as they were, is copied into the
    file and emptied (a TRUNCATE checkpoint). PostgreSQL: the old row versions go at a VACUUM of the
    tables a person's data lives in (tables this login does not own are skipped with a warning)."""
    engine = _engine(database)
    if isinstance(engine, PostgresqlDatabase):
        yield
        if not engine.in_transaction():
            engine.execute_sql(
                'VACUUM customer, customer_need_tag, sale, follow_up, usage_check, check_answer, "case", '
                "case_proposal, case_stage_change, warranty_return, return_status_change, satisfaction_survey, "
                "audit_entry"
            )
        return
    if not isinstance(engine, SqliteDatabase):
        yield
        return
    before = engine.execute_sql("PRAGMA secure_delete").fetchone()[0]
    engine.execute_sql("PRAGMA secure_delete = ON")
    try:
        yield
        if engine.in_transaction():  # inside someone else's transaction: the outermost cleans up
            return
        if CUSTOMER_SEARCH_INDEX in engine.get_tables():
            with engine.atomic():
                engine.execute_sql(
                    f"INSERT INTO {CUSTOMER_SEARCH_INDEX}({CUSTOMER_SEARCH_INDEX}) VALUES ('optimize')"
                )
    finally:
        engine.execute_sql(f"PRAGMA secure_delete = {int(before)}")
    if not engine.in_transaction():
        engine.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def audit_eraser(database: Database | None = None):
    """The way this database lets an erasure rewrite one audit entry: `(id, changes, details)`. An
    office server set up with its rights keeps the audit log insert-only (R6) but for its
    `postventa_erase_audit`, which accepts only values replaced by the erased mark
    (app.models.server_rights); elsewhere a plain UPDATE."""
    engine = _engine(database)
    if isinstance(engine, PostgresqlDatabase):
        found = engine.execute_sql("SELECT to_regproc('postventa_erase_audit')").fetchone()
        if found is not None and found[0] is not None:

            def through_the_server(entry_id: int, changes: str, details: str) -> None:
                engine.execute_sql("SELECT postventa_erase_audit(%s, %s, %s)", (entry_id, changes, details))

            return through_the_server
    param = engine.param

    def directly(entry_id: int, changes: str, details: str) -> None:
        engine.execute_sql(
            f"UPDATE audit_entry SET changes = {param}, details = {param} WHERE id = {param}",
            (changes, details, entry_id),
        )

    return directly
