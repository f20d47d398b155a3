"""Calendar export (RFC 5545, with `icalendar`): the agenda as an .ics file.

One VEVENT per follow-up with the stable UID `followup-<id>@postventa`, so importing a newer
export updates the events instead of duplicating them; cancelled follow-ups are exported with
STATUS:CANCELLED so the calendar drops them. Times are the company's wall-clock times
(stored naive) in the company region's time zone (Atlantic/Canary for a Canary Islands company,
Europe/Madrid on the peninsula), written with TZID and a VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from icalendar.enums import STATUS

from app.i18n import _
from app.models import now as wall_clock_now
from app.models.enums import FollowUpState
from app.outputs import write_output_bytes
from app.services.errors import ValidationError
from app.services.followups.agenda import AgendaRow, agenda
from app.services.followups.working_days import region_time_zone
from app.services.reps import find_rep_by_code

PRODID = "-//Postventa//Agenda//EN"
UID_DOMAIN = "postventa"
# Export window when the caller gives none: from today, four weeks.
DEFAULT_EXPORT_DAYS = 28


def follow_up_uid(follow_up_id: int) -> str:
    return f"followup-{follow_up_id}@{UID_DOMAIN}"


def _description(row: AgendaRow) -> str:
    lines = [_("Purpose: {purpose}").format(purpose=row.purpose.label)]
    phones = " / ".join(p for p in (row.phone, row.mobile) if p)
    if phones:
        lines.append(_("Phone: {phone}").format(phone=phones))
    if row.email:
        lines.append(_("E-mail: {email}").format(email=row.email))
    if row.product_name:
        product = row.product_name
        if row.serial_number:
            product = _("{product} (serial {serial})").format(product=product, serial=row.serial_number)
        lines.append(_("Product: {product}").format(product=product))
    if row.attempt > 1:
        lines.append(_("Attempt {number}").format(number=row.attempt))
    if row.notes:
        lines.append(row.notes)
    if row.state is FollowUpState.CANCELLED and row.cancel_reason:
        lines.append(_("Cancelled: {reason}").format(reason=row.cancel_reason))
    return "\n".join(lines)


def _event(row: AgendaRow, zone: ZoneInfo, stamp: dt.datetime) -> Event:
    start = row.scheduled_at.replace(tzinfo=zone)
    event = Event.new(
        uid=follow_up_uid(row.id),
        summary=f"{row.kind.label} – {row.customer_name}",
        start=start,
        end=row.ends_at.replace(tzinfo=zone),
        stamp=stamp,
        # updated_at is this computer's clock (naive local time), not an appointment time.
        last_modified=row.updated_at.astimezone(dt.UTC),
        description=_description(row),
        location=row.location or None,
        status=STATUS.CANCELLED if row.state is FollowUpState.CANCELLED else STATUS.CONFIRMED,
    )
    return event


def build_calendar(
    rows: Iterable[AgendaRow], time_zone: str | None = None, stamp: dt.datetime | None = None
) -> Calendar:
    """The rows as a calendar in `time_zone` (default: the company region's, region_time_zone)."""
    zone = ZoneInfo(time_zone or region_time_zone())
    stamp = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    calendar = Calendar.new(prodid=PRODID, name=_("Postventa agenda"))
    rows = list(rows)
    for row in rows:
        calendar.add_component(_event(row, zone, stamp))
    if rows:
        # Transitions for the years the events span keep the VTIMEZONE short.
        first = min(r.scheduled_at for r in rows).date().replace(month=1, day=1)
        last = max(r.ends_at for r in rows).date().replace(month=12, day=31) + dt.timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def export_ics(
    rows: Iterable[AgendaRow], path: str | os.PathLike, time_zone: str | None = None, *, force: bool = False
) -> int:
    """Write the rows to `path` as an iCalendar file; returns how many events were written.

    Through app.outputs: ".ics" is added when missing; the database, any SQLite file and (without
    `force`) an existing file are refused; the file is written beside the target and renamed over it,
    so a failure leaves no partial file.
    """
    rows = list(rows)
    data = build_calendar(rows, time_zone).to_ical()
    write_output_bytes(path, ".ics", data, force=force)
    return len(rows)


def _as_start(value: dt.date | dt.datetime | None, default: dt.datetime) -> dt.datetime:
    if value is None:
        return default
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time.min)


def _as_end(value: dt.date | dt.datetime | None, default: dt.datetime) -> dt.datetime:
    """A date means its whole day (the --to day is included)."""
    if value is None:
        return default
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min)


def export_agenda_ics(
    path: str | os.PathLike,
    rep_code: str | None = None,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    *,
    now: dt.datetime | None = None,
    time_zone: str | None = None,
    force: bool = False,
) -> int:
    """`postventa agenda --ics FILE [--rep CODE] [--from D] [--to D] [--force]`: every follow-up (any state)
    of the rep — all reps without a code — from `start` (default today) to `end` (a date is
    included; default four weeks after the start). Returns how many events were written.

    Raises NotFoundError for an unknown rep code and ValidationError when `end` is before `start`.
    """
    now = now or wall_clock_now()
    rep_id = find_rep_by_code(rep_code).id if rep_code else None
    window_start = _as_start(start, dt.datetime.combine(now.date(), dt.time.min))
    window_end = _as_end(end, window_start + dt.timedelta(days=DEFAULT_EXPORT_DAYS))
    if window_end <= window_start:
        raise ValidationError({"end": _("The end of the period is before its start.")})
    rows = agenda(rep_id, window_start, window_end, now=now)
    return export_ics(rows, path, time_zone, force=force)
