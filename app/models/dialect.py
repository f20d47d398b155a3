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

import sqlite3
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
    if not isinstance(exc, (OperationalError, sqlite3.OperationalError)):
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
        engine.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        engine.execute_sql(f'CREATE TRIGGER "{name}" {trigger} BEGIN {body} END')
    engine.execute_sql(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")


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
    cache_size = engine.execute_sql("PRAGMA cache_size").fetchone()[0]
    engine.execute_sql(f"PRAGMA cache_size = {_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        engine.execute_sql(f"PRAGMA cache_size = {int(cache_size)}")
    engine.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


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
    return [row[0] for row in db.execute_sql(f"PRAGMA {pragma}({int(limit)})").fetchall()]


def broken_references() -> list[tuple[str, str]] | None:
    """(table, parent table) for every row whose foreign key points nowhere (SQLite's
    foreign_key_check); None for a server database, which enforces its foreign keys."""
    from app.models import db

    if is_server():
        return None
    return [(table, parent) for table, _rowid, parent, _fkid in db.execute_sql("PRAGMA foreign_key_check")]
