"""Paged agenda queries for the agenda page: a window of follow-ups counted and read in batches.

`followups.agenda` / `overdue_follow_ups` / `upcoming` return whole lists; a manager's overdue
list over a large database is too long to read at once, so the page asks for it batch by batch
(`agenda_batch` with offset and limit) and counts it first (`count_agenda`). The order and the
rows are those of the follow-up service (time, then customer value).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from app.models import Customer, FollowUp
from app.models import now as wall_clock_now
from app.models.customers import fold_for_search
from app.models.enums import FollowUpKind, FollowUpPurpose, FollowUpState
from app.services.followups import ALL_STATES, AgendaRow, agenda_query, agenda_rows


@dataclass(frozen=True)
class AgendaWindow:
    """Which follow-ups a view shows: scheduled in [start, end) (None: unbounded) in `states`."""

    rep_id: int | None
    start: dt.datetime | None
    end: dt.datetime | None
    states: tuple[FollowUpState, ...] = ALL_STATES
    kinds: tuple[FollowUpKind, ...] = ()
    purposes: tuple[FollowUpPurpose, ...] = ()
    text: str = ""  # words every matching customer's name, code, phone, … contains

    def with_range(self, start: dt.datetime | None, end: dt.datetime | None) -> AgendaWindow:
        return AgendaWindow(self.rep_id, start, end, self.states, self.kinds, self.purposes, self.text)


def _narrow(query, window: AgendaWindow):
    """The window's time range and customer words (the service query does the rest)."""
    if window.start is not None:
        query = query.where(FollowUp.scheduled_at >= window.start)
    if window.end is not None:
        query = query.where(FollowUp.scheduled_at < window.end)
    for term in fold_for_search(window.text).split():
        query = query.where(Customer.search_text.contains(term))
    return query


def _counting(query, window: AgendaWindow):
    """`query` over FollowUp narrowed like `agenda_query` does, without its joins and order."""
    query = query.where(FollowUp.state.in_(list(window.states)))
    if window.text.strip():
        query = query.join(Customer, on=(FollowUp.customer == Customer.id))
    if window.rep_id is not None:
        query = query.where(FollowUp.rep == window.rep_id)
    if window.kinds:
        query = query.where(FollowUp.kind.in_(list(window.kinds)))
    if window.purposes:
        query = query.where(FollowUp.purpose.in_(list(window.purposes)))
    return _narrow(query, window)


def count_agenda(window: AgendaWindow) -> int:
    """How many follow-ups `agenda_batch` lists for the window (served by the same indexes)."""
    return _counting(FollowUp.select(), window).count()


def agenda_batch(
    window: AgendaWindow, offset: int = 0, limit: int | None = None, now: dt.datetime | None = None
) -> list[AgendaRow]:
    """One batch of the window's follow-ups in the service's agenda order."""
    query = _narrow(agenda_query(window.rep_id, window.states, window.kinds, window.purposes), window)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return agenda_rows(query, now or wall_clock_now())


def count_by_day(window: AgendaWindow) -> dict[dt.date, int]:
    """Follow-ups per calendar day of the window (for the week grid's day headers)."""
    day = fn.date(FollowUp.scheduled_at).coerce(False)  # the text YYYY-MM-DD, not a datetime
    query = _counting(FollowUp.select(day, fn.COUNT(FollowUp.id)), window).group_by(day)
    return {dt.date.fromisoformat(str(d)): n for d, n in query.tuples()}
