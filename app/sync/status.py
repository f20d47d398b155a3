"""What the window asks of the sync: where this database stands (a laptop's office, last sync,
changes waiting, open conflicts) and "sync now". No Qt: the window runs `sync_with_office` in a
background task and shows what these return.

On a laptop the office's URL and login are in its sync state (app.sync.laptop); the password is the
one the person typed this session, else the keyring's (app.credentials), else none (a server that
trusts the connection needs none; one that wants a password refuses with LoginRequiredError, and
the window asks). A remembered password the server refuses is forgotten, as at log-in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from app import credentials
from app.models import db
from app.models.database import LoginRequiredError, open_office, use_credentials
from app.models.dialect import is_server
from app.models.sync_schema import CONFLICTS
from app.sync import laptop as laptop_side
from app.sync.conflicts import ConflictRow, open_conflicts
from app.sync.engine import SyncOutcome, synchronise

# libpq waits for an unreachable server as long as TCP does (minutes); a sync gives up sooner.
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class SyncStatus:
    """A laptop database's standing with its office."""

    server: str  # the office's URL as shown (no password)
    login: str
    laptop: str  # this laptop's id
    last_sync: dt.datetime | None  # local time; None before the first
    pending: int  # local changes not sent yet
    conflicts: int  # this laptop's open conflicts and refusals


def is_laptop_database() -> bool:
    database = db.obj
    return database is not None and not is_server(database) and laptop_side.is_laptop(database)


def keeps_conflicts() -> bool:
    """Whether this database has a list of sync conflicts: a laptop's, or an office set up for laptops."""
    database = db.obj
    if database is None:
        return False
    if is_server(database):
        return CONFLICTS in database.get_tables()
    return laptop_side.is_laptop(database)


def this_laptop() -> str | None:
    """This laptop's id; None at the office or on a standalone database."""
    if not is_laptop_database():
        return None
    return laptop_side.laptop_state(db.obj)[0]


def visible_conflicts() -> list[ConflictRow]:
    """The open conflicts a person here decides: on a laptop, its own (the office's list also holds
    other laptops'); at the office, every laptop's."""
    rows = open_conflicts()
    here = this_laptop()
    return rows if here is None else [row for row in rows if row.laptop == here]


def sync_status() -> SyncStatus | None:
    """Where this laptop stands; None when the open database is not a laptop's."""
    if not is_laptop_database():
        return None
    database = db.obj
    laptop, server, login, _cursor = laptop_side.laptop_state(database)
    last = database.execute_sql(f"SELECT last_sync FROM {laptop_side.STATE}").fetchone()[0]
    return SyncStatus(
        server=server,
        login=login,
        laptop=laptop,
        last_sync=_local_time(last),
        pending=laptop_side.pending_count(database),
        conflicts=len(visible_conflicts()),
    )


def _local_time(stored: str | None) -> dt.datetime | None:
    """SQLite's datetime('now') (UTC) as the local wall-clock time, to the second."""
    if not stored:
        return None
    try:
        moment = dt.datetime.fromisoformat(stored)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().replace(tzinfo=None, microsecond=0)


def office_target(server: str) -> str:
    """The office's URL as the sync connects to it: with a connect timeout unless it names one."""
    parts = urlsplit(server)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "connect_timeout" for key, _value in query):
        return server
    query.append(("connect_timeout", str(CONNECT_TIMEOUT_S)))
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


def sync_with_office(login: str | None = None, password: str | None = None) -> SyncOutcome:
    """Push this laptop's changes to its office, then pull the office's (app.sync.engine).

    `login` and `password` are the ones the person typed (Sync now's login dialog); without them,
    the keyring's password for the laptop's login, if any. Raises LoginRequiredError when the office
    wants a password it was not given (or refused it), DatabaseOpenError when it cannot be reached,
    SyncError when this is no laptop database."""
    database = db.obj
    _laptop, server, state_login, _cursor = laptop_side.laptop_state(database)
    target = office_target(server)
    login = login or state_login
    from_keyring = False
    if password is None:
        password = credentials.remembered_password(server, login)
        from_keyring = password is not None
    if password is not None:
        use_credentials(target, login, password)
    try:
        office = open_office(target)
    except LoginRequiredError as exc:
        if from_keyring and exc.rejected:  # changed since it was remembered: ask instead
            credentials.forget_password(server, login)
        raise
    try:
        return synchronise(database, office)
    finally:
        office.close()
