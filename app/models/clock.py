"""One clock across machines (issue 16): times are shown and edited as the wall clock of the machine
in use, and cross between machines unambiguously.

- A standalone or laptop SQLite file keeps naive local times (what its user sees).
- The office server keeps `timestamptz` (a moment, not a wall-clock reading), and every session
  speaks its own machine's time zone (`TimeZone`, set at connection): PostgreSQL reads a naive time
  a client sends in that zone and answers in it, so a rep in the Canary Islands and a manager in
  Madrid see the same visit at 10:00 and at 11:00.
- A laptop's outbox carries its times in UTC (the capture triggers convert them), so a change
  captured before the laptop moved to another zone is pushed for the moment it meant.
- A time written with an offset (UTC in an outbox, a conflict's stored value) is read back as the
  local wall clock by `LocalDateTimeField`.
No Qt.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import DateTimeField


def local_zone_name() -> str | None:
    """This machine's time zone by its IANA name ("Europe/Madrid"), or None when it has none that
    PostgreSQL would know. `TZ` first (what the C library and SQLite follow), then the system's."""
    candidate = os.environ.get("TZ", "").lstrip(":")
    if candidate and _known_zone(candidate):
        return candidate
    return _system_zone_name()


@cache
def _system_zone_name() -> str | None:
    import tzlocal

    try:
        name = tzlocal.get_localzone_name()
    except (OSError, LookupError, ValueError, ZoneInfoNotFoundError):
        return None
    return name if name and _known_zone(name) else None


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_wall_time(moment: dt.datetime) -> dt.datetime:
    """A time as this machine's wall clock shows it: a moment with an offset converted to local
    time, a naive time (already local) left as it is."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone().replace(tzinfo=None)


def unambiguous(moment: dt.datetime) -> str:
    """A local wall-clock time as ISO 8601 with this machine's offset ("2026-12-06T10:00:00+01:00"):
    the way a time is kept where another machine may read it (a stored sync conflict)."""
    return (moment if moment.tzinfo is not None else moment.astimezone()).isoformat()


class LocalDateTimeField(DateTimeField):
    """A date and time read as this machine's wall clock: a value with an offset (from an outbox, a
    conflict record or a server function) is converted to local time; a naive one is taken as
    local already."""

    def python_value(self, value):
        if isinstance(value, str):
            try:  # SQLite's "YYYY-MM-DD HH:MM:SS", or ISO 8601 with an offset; faster than strptime
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                return super().python_value(value)
        if isinstance(value, dt.datetime):
            return local_wall_time(value)
        return super().python_value(value)


# --- the office server (PostgreSQL) -------------------------------------------------------------------

SERVER_FIELD_TYPES = {"DATETIME": "TIMESTAMPTZ"}  # every DateTimeField is a moment on the server
_TIMESTAMPTZ_OIDS = (1184,)


@cache
def read_server_times_as_local() -> None:
    """Make psycopg2 return `timestamptz` values as naive local times. The session's TimeZone is
    this machine's, so PostgreSQL already answers in local time; dropping the offset keeps every
    comparison with the app's naive times working (raw SQL and server functions included)."""
    import psycopg2.extensions

    def cast(value, cursor):
        moment = psycopg2.extensions.PYDATETIMETZ(value, cursor)
        return local_wall_time(moment) if isinstance(moment, dt.datetime) else moment

    psycopg2.extensions.register_type(
        psycopg2.extensions.new_type(_TIMESTAMPTZ_OIDS, "POSTVENTA_LOCAL_TIMESTAMPTZ", cast)
    )


def server_session_options() -> str:
    """libpq `options` that make a server session speak this machine's time zone."""
    zone = local_zone_name()
    return f"-c TimeZone={zone}" if zone else ""


# --- a laptop carried to another time zone ----------------------------------------------------------

# The laptop's own tables (app.sync.laptop) whose naive times are local: the copies of the office's
# conflicts. The outbox and the pull's stamp are in UTC (SQLite's datetime('now'), the triggers).
_LAPTOP_LOCAL_TIMES = {"sync_conflict": ["created_at", "resolved_at"]}
_ZONE_COLUMN = "zone"


def datetime_columns() -> dict[str, list[str]]:
    """Every model's date-and-time columns, by table: what the office keeps as moments (migration 14)
    and what a laptop moves to a new zone's clock (follow_machine_zone)."""
    from app.models import ALL_MODELS

    columns = {
        model._meta.table_name: [
            f.column_name for f in model._meta.sorted_fields if isinstance(f, DateTimeField)
        ]
        for model in ALL_MODELS
    }
    return {table: names for table, names in columns.items() if names}


def follow_machine_zone(database) -> bool:
    """On a laptop database (`sync_state` present), its naive local times made this machine's wall
    clock when the machine's time zone changed since the file was last opened: a rep's laptop taken
    from the Canary Islands to Madrid shows a visit at 10:00 Canary time as 11:00, as the office
    and every other machine do, and its next changes are captured for the moments they meant.
    Each value moves by its own date's offsets (summer and winter differ); in the hour the clocks
    go back, a naive time is read as the first of the two. One transaction, capture off (the
    moments do not change: nothing to push). The first open records the zone. Returns whether
    times were moved."""
    from app.models.dialect import indexes_made_after, large_page_cache
    from app.models.sync_schema import LAPTOP_STATE

    existing = set(database.get_tables())
    if LAPTOP_STATE not in existing:
        return False
    here = local_zone_name()
    if here is None:  # no zone known for this machine: nothing can be said about its clock
        return False
    columns = {row[1] for row in database.execute_sql(f"PRAGMA table_info({LAPTOP_STATE})").fetchall()}
    if _ZONE_COLUMN not in columns:
        database.execute_sql(f"ALTER TABLE {LAPTOP_STATE} ADD COLUMN {_ZONE_COLUMN} TEXT")
    (before,) = database.execute_sql(f"SELECT {_ZONE_COLUMN} FROM {LAPTOP_STATE}").fetchone()
    if before == here:
        return False
    if before is None or not _known_zone(before):
        database.execute_sql(f"UPDATE {LAPTOP_STATE} SET {_ZONE_COLUMN} = ?", (here,))
        return False
    tables = {t: names for t, names in {**datetime_columns(), **_LAPTOP_LOCAL_TIMES}.items() if t in existing}
    database.connection().create_function(
        "postventa_rezone", 1, _rezone(ZoneInfo(before), ZoneInfo(here)), deterministic=True
    )
    # Every time of a table changes: its indexes are made again after (one sort each) rather than
    # updated row by row, which took three times as long on a large laptop.
    with large_page_cache(database), database.atomic():
        (capturing,) = database.execute_sql(f"SELECT capturing FROM {LAPTOP_STATE}").fetchone()
        database.execute_sql(f"UPDATE {LAPTOP_STATE} SET capturing = 0")
        with indexes_made_after(list(tables), database):
            for table, names in tables.items():
                assignments = ", ".join(f'"{name}" = postventa_rezone("{name}")' for name in names)
                database.execute_sql(f'UPDATE "{table}" SET {assignments}')
        database.execute_sql(
            f"UPDATE {LAPTOP_STATE} SET capturing = ?, {_ZONE_COLUMN} = ?", (capturing, here)
        )
    return True


def _rezone(before: ZoneInfo, here: ZoneInfo):
    """SQL function: a stored naive wall-clock time of zone `before` as the same moment on `here`'s
    clock, written as it was (SQLite's text, seconds or microseconds); NULL, a value with an offset
    or anything else stays as it is."""

    @cache  # one call per distinct value: most repeat (a day's slots, a sale's stamps)
    def rezone(value):
        if not isinstance(value, str):
            return value
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return value
        moved = moment.replace(tzinfo=before).astimezone(here).replace(tzinfo=None)
        return moved.isoformat(" " if " " in value else "T")

    return rezone
