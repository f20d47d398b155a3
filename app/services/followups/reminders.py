"""Reminder rules: which follow-ups to announce at a given minute and what a reminder says. No Qt.

Plain functions, testable without a tray: which follow-ups to announce (`due_reminders`), what a
notification says (`reminder_notification`) and the morning summary (`morning_summary_text`,
`summary_due`). The tray icon and the one-minute timer that call them are
`app.views.reminders.ReminderService`; the follow-ups come from the agenda queries (`agenda`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from app.i18n import _, format_date, format_datetime, format_time, ngettext
from app.models.enums import FollowUpKind, FollowUpState
from app.services.followups.agenda import AgendaRow

# A follow-up that started a moment ago (the app was just opened) is still announced.
GRACE_MINUTES = 5
MAX_LISTED = 5  # follow-ups listed by name in one notification; the rest are counted


@dataclass(frozen=True)
class Notification:
    title: str
    text: str
    follow_up_id: int | None = None  # clicking opens this follow-up; None: the agenda


def reminder_key(row: AgendaRow) -> tuple[int, dt.datetime]:
    """What "already announced" remembers: a follow-up moved to another time is announced again."""
    return (row.id, row.scheduled_at)


def due_reminders(
    rows: Iterable[AgendaRow],
    now: dt.datetime,
    lead_minutes: int,
    already_notified: Collection[tuple[int, dt.datetime]],
    grace_minutes: int = GRACE_MINUTES,
) -> list[AgendaRow]:
    """Planned follow-ups starting within `lead_minutes` from `now` (or up to `grace_minutes` ago)
    that were not announced yet (keys from `reminder_key`), by time."""
    start = now - dt.timedelta(minutes=max(0, grace_minutes))
    end = now + dt.timedelta(minutes=max(0, lead_minutes))
    due = [
        row
        for row in rows
        if row.state is FollowUpState.PLANNED
        and start <= row.scheduled_at <= end
        and reminder_key(row) not in already_notified
    ]
    return sorted(due, key=lambda row: (row.scheduled_at, row.id))


def _when(row: AgendaRow, now: dt.datetime) -> str:
    if row.scheduled_at.date() == now.date():
        return format_time(row.scheduled_at)
    return format_datetime(row.scheduled_at)


def _contact_line(row: AgendaRow) -> str:
    if row.kind is FollowUpKind.VISIT:
        return row.location
    if row.kind is FollowUpKind.EMAIL:
        return row.email
    return " / ".join(p for p in (row.phone, row.mobile) if p)


def reminder_notification(rows: list[AgendaRow], now: dt.datetime) -> Notification:
    """One follow-up: "Phone call — Peña & Hijos at 10:30" with what it is about; several: a list."""
    if len(rows) == 1:
        row = rows[0]
        title = _("{kind} — {customer} at {time}").format(
            kind=row.kind.label, customer=row.customer_name, time=_when(row, now)
        )
        product = row.product_name
        if product and row.serial_number:
            product = _("{product} (serial {serial})").format(product=product, serial=row.serial_number)
        lines = [row.purpose.label, _contact_line(row), product]
        return Notification(title, "\n".join(line for line in lines if line), row.id)
    title = ngettext("{count} follow-up starting soon", "{count} follow-ups starting soon", len(rows)).format(
        count=len(rows)
    )
    lines = [
        _("{time} {kind} — {customer}").format(
            time=_when(row, now), kind=row.kind.label, customer=row.customer_name
        )
        for row in rows[:MAX_LISTED]
    ]
    if len(rows) > MAX_LISTED:
        rest = len(rows) - MAX_LISTED
        lines.append(ngettext("and {count} more", "and {count} more", rest).format(count=rest))
    return Notification(title, "\n".join(lines))


def _kind_count(kind: FollowUpKind, count: int) -> str:
    # One ngettext call per kind, so the catalog gets each plural form.
    if kind is FollowUpKind.CALL:
        text = ngettext("{count} call", "{count} calls", count)
    elif kind is FollowUpKind.VISIT:
        text = ngettext("{count} visit", "{count} visits", count)
    elif kind is FollowUpKind.VIDEO:
        text = ngettext("{count} video call", "{count} video calls", count)
    elif kind is FollowUpKind.EMAIL:
        text = ngettext("{count} e-mail", "{count} e-mails", count)
    else:
        text = ngettext("{count} telemarketing call", "{count} telemarketing calls", count)
    return text.format(count=count)


def morning_summary_text(rows: Iterable[AgendaRow], now: dt.datetime, overdue: int | None = None) -> str:
    """The summary line, e.g. "Today: 5 calls, 2 visits; 3 overdue", from planned follow-ups.

    Today's follow-ups are counted by kind; planned ones from earlier days are the overdue
    (or `overdue` when given, e.g. from a COUNT query instead of the rows).
    """
    today = now.date()
    by_kind = dict.fromkeys(FollowUpKind, 0)
    earlier = 0
    for row in rows:
        if row.state is not FollowUpState.PLANNED:
            continue
        day = row.scheduled_at.date()
        if day == today:
            by_kind[row.kind] += 1
        elif day < today:
            earlier += 1
    overdue = earlier if overdue is None else overdue
    parts = [_kind_count(kind, count) for kind, count in by_kind.items() if count]
    text = _("Today: {items}").format(items=", ".join(parts)) if parts else _("Nothing planned for today")
    if overdue:
        text = _("{today}; {overdue}").format(
            today=text, overdue=ngettext("{count} overdue", "{count} overdue", overdue).format(count=overdue)
        )
    return text


def morning_summary(
    rows: Iterable[AgendaRow], now: dt.datetime, overdue: int | None = None
) -> Notification | None:
    """The summary notification; None when there is nothing today and nothing overdue."""
    rows = [r for r in rows if r.state is FollowUpState.PLANNED and r.scheduled_at.date() <= now.date()]
    if not rows and not overdue:
        return None
    title = _("Agenda for {date}").format(date=format_date(now.date()))
    return Notification(title, morning_summary_text(rows, now, overdue))


def summary_due(now: dt.datetime, summary_hour: int, last_summary_on: dt.date | None) -> bool:
    """Once a day, at the first check from `summary_hour` o'clock (at start when opened later)."""
    return last_summary_on != now.date() and now.hour >= summary_hour
