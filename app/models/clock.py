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
