"""app.models.dialect: each function gives the same answer on SQLite and on PostgreSQL.

Run on the engine under test (POSTVENTA_TEST_ENGINE); the expressions are evaluated by the real
engine, never by a stand-in.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest
from peewee import IntegrityError, OperationalError, Select, ValuesList, fn

from app.models import NeedTag, db
from app.models.database import DatabaseOpenError, open_database
from app.models.dialect import (
    add_days,
    any_true,
    count_where,
    date_of,
    days_between,
    days_between_sql,
    indexes_made_after,
    is_lock_contention,
    lock_numbering,
    month_key,
    month_number,
    numbering_key,
    placeholder,
    reset_sequences,
    rollback_journal_meanwhile,
    sequences_behind,
    when,
)
from app.services.health import check_database
from tests.postgres import test_engine

ENGINE = test_engine()


def _value(expression):
    return Select(columns=[expression]).bind(db).scalar()


def test_days_between_dates_and_datetimes(database):
    assert _value(days_between("2026-03-01", "2026-02-01")) == 28
    assert _value(days_between("2026-03-02 12:00:00", "2026-03-01 00:00:00")) == pytest.approx(1.5)
    assert _value(days_between(None, "2026-02-01")) is None


def test_day_of_a_datetime_and_days_after_it(database):
    assert str(_value(date_of("2026-03-01 18:45:00"))) == "2026-03-01"
    assert str(_value(add_days("2026-02-27 18:45:00", 2))) == "2026-03-01"


def test_month_key_and_number(database):
    assert _value(month_key("2026-03-09")) == "2026-03"
    assert _value(month_number("2026-11-30 10:00:00")) == 11


def test_conditional_and_boolean_aggregates(database):
    rows = ValuesList([(True, 3), (False, 5), (False, 9)]).cte("v", columns=("flag", "n"))
    flag, n = rows.c.flag, rows.c.n
    query = Select([rows], [count_where(n > 4), any_true(flag), fn.SUM(when(flag, n, 0))]).with_cte(rows)
    counted, anything, flagged = query.bind(db).tuples().get()
    assert (counted, bool(anything), flagged) == (2, True, 3)
    nothing = Select([rows], [any_true(flag)]).with_cte(rows).where(n > 4).bind(db).scalar()
    assert not nothing


def test_hand_written_sql_uses_the_engines_marks(database):
    mark = placeholder()
    days = db.execute_sql(f"SELECT {days_between_sql(mark, mark)}", ("2026-03-01", "2026-02-01")).fetchone()[
        0
    ]
    assert days == 28


def test_numbering_keys_are_stable_and_fit_a_bigint():
    key = numbering_key("case", "complaint", 2026)
    assert key == numbering_key("case", "complaint", 2026)
    assert key != numbering_key("case", "complaint", 2027) != numbering_key("sale", 2026)
    assert 0 <= key < 2**63


def test_numbering_lock_is_taken_inside_a_write_transaction(database):
    with db.atomic():
        lock_numbering("case", "complaint", 2026)
        lock_numbering("case", "complaint", 2026)  # the same transaction may take it again
        NeedTag.create(name="Instalación")
    assert NeedTag.select().count() == 1


def test_rows_with_their_own_ids_leave_no_sequence_behind_once_reset(database):
    NeedTag.insert(id=500, name="Precio", key="precio").execute()
    if ENGINE == "postgresql":
        behind = sequences_behind()
        assert [(lag.table, lag.highest_id) for lag in behind] == [("need_tag", 500)]
        assert not check_database().ok
        assert any("need_tag" in problem for problem in check_database().problems)
    reset_sequences()
    assert sequences_behind() == []
    assert check_database().ok
    assert NeedTag.create(name="Instalación").id == 501


def _schema_objects() -> list[tuple]:
    return db.execute_sql("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()


@pytest.mark.sqlite_only("SQLite's indexes dropped during a bulk load; PostgreSQL keeps its own")
def test_a_bulk_load_makes_its_tables_indexes_again_and_a_duplicate_undoes_it(database):
    before = _schema_objects()
    with db.atomic():
        with indexes_made_after(["need_tag"]):
            assert not db.execute_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = 'need_tag' AND sql IS NOT NULL"
            ).fetchall()
            NeedTag.create(name="Needs installation")
    assert _schema_objects() == before and NeedTag.select().count() == 1
    # A unique index made again over duplicates fails, and the transaction with it.
    with pytest.raises(IntegrityError), db.atomic():
        with indexes_made_after(["need_tag"]):
            db.execute_sql(
                "INSERT INTO need_tag (name, key, uid) VALUES ('Price', 'price', 'a'), ('Price', 'price', 'b')"
            )
    assert _schema_objects() == before and NeedTag.select().count() == 1


def _journal_mode() -> str:
    return db.execute_sql("PRAGMA journal_mode").fetchone()[0]


@pytest.mark.sqlite_only("SQLite's write-ahead log; PostgreSQL has its own")
def test_a_load_by_the_files_only_user_goes_without_the_log_and_brings_it_back(database):
    assert _journal_mode() == "wal"
    with rollback_journal_meanwhile(db):
        assert _journal_mode() == "delete"
        with db.atomic():
            NeedTag.create(name="Needs installation")
    assert _journal_mode() == "wal" and NeedTag.select().count() == 1
    assert not Path(database.path).with_name(Path(database.path).name + "-journal").exists()
    # A failure brings the log back as well; its transaction is undone by the rollback journal.
    with pytest.raises(ZeroDivisionError), rollback_journal_meanwhile(db), db.atomic():
        NeedTag.create(name="Price")
        _ = 1 / 0
    assert _journal_mode() == "wal" and NeedTag.select().count() == 1


@pytest.mark.sqlite_only("SQLite's write-ahead log; PostgreSQL has its own")
def test_a_load_keeps_the_log_at_once_while_another_connection_has_the_file_open(database):
    window = sqlite3.connect(database.path, isolation_level=None)
    try:
        window.execute("SELECT count(*) FROM need_tag").fetchone()
        db.execute_sql("PRAGMA busy_timeout = 60000")
        started = time.monotonic()
        with rollback_journal_meanwhile(db):
            assert _journal_mode() == "wal"
            NeedTag.create(name="Needs installation")
            assert window.execute("SELECT count(*) FROM need_tag").fetchone() == (1,)  # it reads on
        assert time.monotonic() - started < 30  # it did not wait for the file first
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 60000
    finally:
        window.close()
    assert _journal_mode() == "wal"


def test_a_load_on_any_engine_writes_its_rows(database):
    with rollback_journal_meanwhile(db), db.atomic():
        NeedTag.create(name="Needs installation")
    assert NeedTag.select().count() == 1


def test_lock_contention_is_recognised():
    assert is_lock_contention(OperationalError("database is locked"))
    assert not is_lock_contention(OperationalError("no such table: customer"))

    class SerializationFailure(Exception):
        pgcode = "40001"

    wrapped = OperationalError(SerializationFailure("could not serialize access"))  # as peewee wraps it
    assert is_lock_contention(wrapped)


def test_check_refuses_an_empty_database_and_creates_nothing(new_database):
    target = new_database("empty")
    with pytest.raises(DatabaseOpenError, match="no Postventa database|There is no database"):
        open_database(target, create=False, upgrade=False, read_only=True)
    if ENGINE == "sqlite":
        assert not Path(target).exists()
    assert open_database(target, create=True).created  # untouched: it can still be made a Postventa database


def test_a_foreign_database_is_refused_and_left_as_it_was(new_database):
    target = new_database("foreign")
    if ENGINE == "postgresql":
        import psycopg2

        connection = psycopg2.connect(_libpq(target))
        connection.autocommit = True
        connection.cursor().execute("CREATE TABLE invoice (id serial PRIMARY KEY)")
        connection.close()
    else:
        import sqlite3

        connection = sqlite3.connect(target)
        connection.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY)")
        connection.commit()
        connection.close()
    for kwargs in ({"create": True}, {"create": False, "upgrade": False, "read_only": True}):
        with pytest.raises(DatabaseOpenError, match="another program"):
            open_database(target, **kwargs)


def _libpq(url: str) -> str:
    """psycopg2's dsn for the cluster's postgresql://user@/name?host=… URL."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    host = parse_qs(parts.query)["host"][0]
    return f"dbname={parts.path.lstrip('/')} user={parts.username} host={unquote(host)}"


def test_dates_compare_as_days(database):
    # A VALUES list holds text; as days it joins and compares with a date column on both engines.
    day = date_of("2026-03-01")
    assert _value(when(day == dt.date(2026, 3, 1), 1, 0)) == 1
