"""Write transactions and row versions: how commands stay right with two writers on one database.

Every command that changes state is a `@write_command`: all of it — the reads it decides from
(states, next numbers, existence checks), its validation and its writes — runs inside one write
transaction, which holds the database's write lock from BEGIN (IMMEDIATE on SQLite; the engine
detail lives in app.models.dialect). A second writer waits (busy_timeout) at BEGIN instead of
failing later, and then reads what the first one wrote.

Commands compose: called inside another write transaction (an import, a sync, a command calling
another) a command's transaction is a savepoint of the outer one, and the outermost holds the
lock. Only the outermost retries: when the lock stays taken longer than busy_timeout, the whole
command runs again, up to WRITE_ATTEMPTS times; after that the caller gets DatabaseBusyError (a
DomainError the user can read) and nothing of the command was written.

Edits carry the row version they started from (`expected_version`); `check_version` refuses, inside
the transaction, when the record has moved on (ConcurrentEditError with the current version).
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from peewee import OperationalError, PeeweeException

from app.models import db
from app.models.base import VersionedModel
from app.models.dialect import begin_write, is_lock_contention, is_refused_by_rights
from app.services.errors import ConcurrentEditError, DatabaseBusyError, RightsRefusedError

# How many times a command tries to take the write lock, each attempt waiting up to the
# connection's busy_timeout (5 s): a refusal reaches the user after about 30 s at most. SQLite's busy
# handler polls with growing sleeps, so a writer that commits and begins again at once can win the
# lock several times in a row; more attempts keep a waiting command from being starved (seen with two
# processes writing nonstop: three attempts sometimes ran out).
WRITE_ATTEMPTS = 6
# Pause between attempts (seconds, random in this range so two waiting writers do not collide again).
RETRY_PAUSE = (0.02, 0.2)

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def write_transaction() -> Iterator[None]:
    """The one way to open a write transaction (commands use `@write_command`, which calls this).

    Outermost: BEGIN IMMEDIATE (the write lock is held from here to COMMIT). Nested: a savepoint.
    Lock contention that escapes busy_timeout is raised as DatabaseBusyError after the rollback;
    a statement the office server refuses for the person's rights (PostgreSQL's GRANTs and row-level
    security) as RightsRefusedError: the one place where that refusal becomes the user's message.
    """
    if db.in_transaction():
        with db.atomic():  # a savepoint: the outer write transaction holds the lock
            yield
        return
    try:
        with begin_write(db):
            yield
    except OperationalError as exc:
        if is_lock_contention(exc):
            raise DatabaseBusyError() from exc
        raise
    except PeeweeException as exc:
        if is_refused_by_rights(exc):
            raise RightsRefusedError() from exc
        raise


def write_command(command: Callable[P, R]) -> Callable[P, R]:
    """Run `command` inside a write transaction; the outermost one is retried on lock contention."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if db.in_transaction():
            with write_transaction():
                return command(*args, **kwargs)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with write_transaction():
                    return command(*args, **kwargs)
            except DatabaseBusyError:
                if attempt == WRITE_ATTEMPTS:
                    raise
            time.sleep(random.uniform(*RETRY_PAUSE))  # noqa: S311 (jitter, not security)
        raise AssertionError("unreachable")  # pragma: no cover

    return run


def check_version(
    record: VersionedModel, expected_version: int | None, current: Callable[[], object] | None = None
) -> None:
    """Refuse an edit started from `expected_version` when the record has another version now.

    Call it inside the command's write transaction, on the record read there. None skips the check
    (commands called without an edit form: imports, the demo, scripts). `current` builds what the
    user is shown of the record as it is now (e.g. get_customer), carried by the error.
    """
    if expected_version is None or record.row_version == expected_version:
        return
    raise ConcurrentEditError(record.row_version, current() if current is not None else None)
