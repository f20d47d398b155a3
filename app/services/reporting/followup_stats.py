"""Follow-up statistics for a period (seed 002 §5.1: calls and visits planned, done, missed).

The follow-ups *scheduled* in the period (inclusive) counted by state, by kind, by purpose and by
rep. *Overdue* is derived, never stored: a follow-up still planned whose day is before `today`
(it is counted among the planned ones too). One SQL GROUP BY over (state, kind, purpose, rep),
with the overdue ones summed in each cell, gives a few hundred cells at most; the margins are
sums over those cells. An index on follow_up (state, kind, purpose, rep_id, scheduled_at) lets
SQLite read the cells in order from the index alone (0.15 s for a year of 300k follow-ups).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import fn

from app.models import FollowUp, Rep
from app.models.collation import sort_key
from app.models.dialect import count_where
from app.models.enums import FollowUpKind, FollowUpPurpose, FollowUpState


@dataclass(frozen=True)
class StateCounts:
    planned: int = 0  # still planned (overdue ones included)
    overdue: int = 0  # planned, and the day has passed
    done: int = 0
    missed: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.done + self.missed + self.cancelled

    @property
    def due(self) -> int:
        """Follow-ups whose day has come: done, missed or overdue (cancelled and future ones left out)."""
        return self.done + self.missed + self.overdue

    @property
    def done_rate(self) -> float | None:
        """Of the follow-ups whose day has come, the share done (0–1); None when none was due."""
        return self.done / self.due if self.due else None

    def __add__(self, other: StateCounts) -> StateCounts:
        return StateCounts(
            self.planned + other.planned,
            self.overdue + other.overdue,
            self.done + other.done,
            self.missed + other.missed,
            self.cancelled + other.cancelled,
        )


@dataclass(frozen=True)
class RepCounts:
    rep_id: int | None  # None: follow-ups without a rep
    rep_name: str
    counts: StateCounts


@dataclass(frozen=True)
class FollowUpStatistics:
    start: dt.date
    end: dt.date
    totals: StateCounts
    by_kind: dict[FollowUpKind, StateCounts] = field(
        default_factory=dict
    )  # kinds with follow-ups, enum order
    by_purpose: dict[FollowUpPurpose, StateCounts] = field(default_factory=dict)  # likewise
    by_rep: list[RepCounts] = field(default_factory=list)  # by rep name; no rep last


def _cell(state: FollowUpState, n: int, overdue: int) -> StateCounts:
    if state is FollowUpState.PLANNED:
        return StateCounts(planned=n, overdue=overdue)
    if state is FollowUpState.DONE:
        return StateCounts(done=n)
    if state is FollowUpState.MISSED:
        return StateCounts(missed=n)
    return StateCounts(cancelled=n)


def period_condition(start: dt.date, end: dt.date):
    """Scheduled from start 00:00 to end 23:59:59 (a range on scheduled_at, so an index serves it)."""
    return (FollowUp.scheduled_at >= dt.datetime.combine(start, dt.time.min)) & (
        FollowUp.scheduled_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    )


def follow_up_statistics(
    start: dt.date, end: dt.date, *, rep_id: int | None = None, today: dt.date
) -> FollowUpStatistics:
    """Counts of the follow-ups scheduled between start and end (inclusive), optionally of one rep."""
    f = FollowUp
    overdue = (f.state == FollowUpState.PLANNED) & (f.scheduled_at < dt.datetime.combine(today, dt.time.min))
    condition = period_condition(start, end)
    if rep_id is not None:
        condition &= f.rep == rep_id
    query = (
        f.select(f.state, f.kind, f.purpose, f.rep, fn.COUNT(f.id), count_where(overdue))
        .where(condition)
        .group_by(f.state, f.kind, f.purpose, f.rep)
    )
    totals = StateCounts()
    kinds: dict[FollowUpKind, StateCounts] = defaultdict(StateCounts)
    purposes: dict[FollowUpPurpose, StateCounts] = defaultdict(StateCounts)
    reps: dict[int | None, StateCounts] = defaultdict(StateCounts)
    for state, kind, purpose, rep, n, overdue_n in query.tuples():
        cell = _cell(FollowUpState(state), n, overdue_n or 0)
        totals += cell
        kinds[FollowUpKind(kind)] += cell
        purposes[FollowUpPurpose(purpose)] += cell
        reps[rep] += cell
    names = (
        dict(Rep.select(Rep.id, Rep.name).where(Rep.id.in_([r for r in reps if r is not None])).tuples())
        if reps
        else {}
    )
    by_rep = sorted(
        (RepCounts(rep, names.get(rep, ""), counts) for rep, counts in reps.items()),
        # In the names' collation order (Álvaro among the A's, Ñúñez after Nuria), as the lists sort.
        key=lambda r: (r.rep_id is None, sort_key(r.rep_name), r.rep_id or 0),
    )
    return FollowUpStatistics(
        start=start,
        end=end,
        totals=totals,
        by_kind={k: kinds[k] for k in FollowUpKind if k in kinds},
        by_purpose={p: purposes[p] for p in FollowUpPurpose if p in purposes},
        by_rep=by_rep,
    )
