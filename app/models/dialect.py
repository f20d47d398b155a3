"""What differs between the database engines, in one place; services never branch on the engine.

Write transactions: a command reads what it depends on (states, next numbers, existence) and
writes inside one transaction that holds the write lock from its first statement.

- SQLite: `BEGIN IMMEDIATE` takes the database's write lock at BEGIN, so `busy_timeout` makes a
  second writer wait there; a DEFERRED transaction would read first and then fail with
  SQLITE_BUSY at its first write, when waiting can no longer help. The lock covers the whole
  file, so reading a row needs nothing more (`lock_rows` leaves the query as it is).
- PostgreSQL (a later issue): a plain `BEGIN` plus `SELECT … FOR UPDATE` on the rows a command
  decides from (`lock_rows`); contention shows up as a lock timeout, a serialization failure
  or a deadlock, which `is_lock_contention` is the seam to recognise.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager

from peewee import Database, OperationalError, SqliteDatabase, fn


def _engine(database: Database) -> Database:
    return getattr(database, "obj", None) or database  # a DatabaseProxy or the database itself


def begin_write(database: Database) -> AbstractContextManager:
    """The outermost write transaction of a command: it holds the write lock from BEGIN."""
    engine = _engine(database)
    if isinstance(engine, SqliteDatabase):
        return engine.atomic("IMMEDIATE")
    return engine.atomic()


def lock_rows(query):
    """`query` reading rows a command is about to change, locked until the transaction ends.

    SQLite's write transaction already holds the whole file; PostgreSQL will lock the rows.
    """
    from app.models import db

    if isinstance(_engine(db), SqliteDatabase):
        return query
    return query.for_update()


_SQLITE_CONTENTION = ("database is locked", "database table is locked", "database is busy")


def is_lock_contention(exc: BaseException) -> bool:
    """True when `exc` means another connection holds the lock (worth waiting and trying again)."""
    if not isinstance(exc, (OperationalError, sqlite3.OperationalError)):
        return False
    message = str(exc).lower()
    return any(text in message for text in _SQLITE_CONTENTION)


def days_between(later, earlier):
    """SQL for the days from `earlier` to `later` (dates or columns; fractional for datetimes,
    NULL when either is NULL). SQLite: julianday difference; PostgreSQL will subtract dates."""
    return fn.julianday(later) - fn.julianday(earlier)
