"""Where a follow-up made automatically lands: the one placement rule (no Qt).

Plans applied to a sale, retries after "not reached", satisfaction calls after cases and returns
and training after a failed check all ask `place_follow_up` (or a `PlacementBook`) for their slot:

- a working day of the company's region (`WorkingCalendar`: weekends and public holidays);
- inside the rep's working hours: their own where a manager gave them some (`Rep.working_hours_start`
  /`_end`), else the company's (`working_hours_start`/`_end` of the settings);
- at most `daily_capacity` planned follow-ups per rep and day: a full day sends the follow-up to
  the next working day with room;
- a visit in a free hour: never two visits of one rep in the same hour (each visit takes the whole
  hours it touches, 10:30–11:15 takes 10:00–12:00); the wanted time first, then the whole hours
  after it, then those before it.

A `PlacementBook` reads a rep's planned follow-ups in windows of days (one query for all the days a
command needs, never one per day) and counts what it places, so a command that creates many
follow-ups (a plan, an import of thousands of sales inside `batch()`) reads each window once.
`slot_problems` says what is wrong with a slot a person chose (rescheduling), and
`PlacementConflict` carries it with the next free slot.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import reduce

from app.i18n import _, format_date, format_datetime, format_time, ngettext
from app.models import FollowUp, Rep
from app.models.enums import FollowUpKind, FollowUpState
from app.services.errors import ConfirmationRequired, DomainError
from app.services.followups.working_days import WorkingCalendar

# A rep's follow-ups are read this many days at a time from the first day a placement needs.
WINDOW_DAYS = 14
# A placement that finds no room within this many days means broken settings, not a busy rep.
MAX_SEARCH_DAYS = 400

_HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class PlacementRules:
    """The company's rules, read once per command (with the reps' own hours)."""

    calendar: WorkingCalendar
    start: dt.time
    end: dt.time
    capacity: int
    # The reps whose working hours differ from the company's: rep id → (start, end).
    rep_hours: Mapping[int, tuple[dt.time, dt.time]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls) -> PlacementRules:
        from app.services.company import load_company_settings, working_hours

        settings = load_company_settings()
        start, end = working_hours(settings)
        own = Rep.select(Rep.id, Rep.working_hours_start, Rep.working_hours_end).where(
            Rep.working_hours_start.is_null(False) & Rep.working_hours_end.is_null(False)
        )
        rep_hours = {rep_id: (first, last) for rep_id, first, last in own.tuples()}
        return cls(WorkingCalendar(), start, end, settings.daily_capacity, rep_hours)

    def hours(self, rep_id: int | None) -> tuple[dt.time, dt.time]:
        """The working hours of `rep_id`: their own, else the company's."""
        if rep_id is not None and rep_id in self.rep_hours:
            return self.rep_hours[rep_id]
        return self.start, self.end

    def latest_start(self, day: dt.date, duration_minutes: int, rep_id: int | None = None) -> dt.datetime:
        """The last start on `day` that still ends within the rep's working hours (the start at least)."""
        start, end = self.hours(rep_id)
        opening = dt.datetime.combine(day, start)
        latest = dt.datetime.combine(day, end) - dt.timedelta(minutes=duration_minutes)
        return max(opening, latest)

    def within_hours(
        self, day: dt.date, time: dt.time, duration_minutes: int, rep_id: int | None = None
    ) -> dt.datetime:
        """`time` on `day`, moved into the rep's working hours (one ending after hours starts earlier)."""
        wanted = dt.datetime.combine(day, time)
        opening = dt.datetime.combine(day, self.hours(rep_id)[0])
        return min(max(wanted, opening), self.latest_start(day, duration_minutes, rep_id))


def _hours_taken(start: dt.datetime, duration_minutes: int) -> tuple[dt.datetime, dt.datetime]:
    """The whole hours a visit touches: [start's hour, the hour after its end)."""
    first = start.replace(minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(minutes=max(duration_minutes, 1))
    last = end.replace(minute=0, second=0, microsecond=0)
    return first, last if last == end else last + _HOUR


@dataclass
class _Day:
    follow_ups: set[int] = field(default_factory=set)  # ids of the rep's planned follow-ups that day
    placed: int = 0  # placed by this book and not read back (their ids are not known to it)
    visits: list[tuple[int | None, dt.datetime, dt.datetime]] = field(default_factory=list)

    def count(self, exclude_id: int | None) -> int:
        return len(self.follow_ups - {exclude_id}) + self.placed

    def visit_clash(
        self, start: dt.datetime, duration_minutes: int, exclude_id: int | None
    ) -> dt.datetime | None:
        """The start of a visit sharing an hour with a visit at `start`, if any."""
        first, last = _hours_taken(start, duration_minutes)
        for visit_id, other_first, other_last in self.visits:
            if visit_id is not None and visit_id == exclude_id:
                continue
            if other_first < last and first < other_last:
                return other_first
        return None


class PlacementBook:
    """What is known of reps' planned follow-ups, day by day, for one command or one batch."""

    def __init__(self, rules: PlacementRules | None = None, *, read: bool = True):
        """`read=False`: the database holds none of the reps' planned follow-ups yet (the demo
        filling an empty database), so nothing is read and the book knows only what it placed."""
        self.rules = rules or PlacementRules.from_settings()
        self._days: dict[int, dict[dt.date, _Day]] = {}
        self._read = read
        self.queries = 0  # how many times the database was read (the tests count them)

    # --- reading ---------------------------------------------------------------

    def prepare(self, rep_id: int | None, days: Iterable[dt.date]) -> None:
        """Read, in one query, the windows of days starting at each of `days` not known yet."""
        if rep_id is None:
            return
        known = self._days.setdefault(rep_id, {})
        wanted: set[dt.date] = set()
        for day in days:
            if day in known:
                continue
            for offset in range(WINDOW_DAYS):
                wanted.add(day + dt.timedelta(days=offset))
        wanted -= known.keys()
        if not wanted:
            return
        for day in wanted:
            known[day] = _Day()
        if not self._read:
            return
        ranges: list[tuple[dt.date, dt.date]] = []  # [first, last] of each run of consecutive days
        for day in sorted(wanted):
            if ranges and day == ranges[-1][1] + dt.timedelta(days=1):
                ranges[-1] = (ranges[-1][0], day)
            else:
                ranges.append((day, day))
        in_window = reduce(
            operator.or_,
            [
                (FollowUp.scheduled_at >= dt.datetime.combine(first, dt.time.min))
                & (FollowUp.scheduled_at < dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
                for first, last in ranges
            ],
        )
        # The (rep, state, scheduled_at) index narrows to the rep's planned follow-ups in each range.
        query = FollowUp.select(
            FollowUp.id, FollowUp.scheduled_at, FollowUp.kind, FollowUp.duration_minutes
        ).where((FollowUp.rep == rep_id) & (FollowUp.state == FollowUpState.PLANNED) & in_window)
        self.queries += 1
        for follow_up_id, at, kind, minutes in query.tuples().iterator():
            day = known[at.date()]
            day.follow_ups.add(follow_up_id)
            if FollowUpKind(kind) is FollowUpKind.VISIT:
                day.visits.append((follow_up_id, *_hours_taken(at, minutes)))

    def _day(self, rep_id: int, day: dt.date) -> _Day:
        known = self._days.setdefault(rep_id, {})
        if day not in known:
            self.prepare(rep_id, [day])
        return known[day]

    def forget(self, rep_id: int | None = None) -> None:
        """Read a rep's (or everyone's) follow-ups again next time: they were changed elsewhere."""
        if rep_id is None:
            self._days.clear()
        else:
            self._days.pop(rep_id, None)

    # --- placing ----------------------------------------------------------------

    def place(
        self,
        rep_id: int | None,
        wanted: dt.date | dt.datetime,
        kind: FollowUpKind,
        duration_minutes: int,
        today: dt.date | None = None,
        *,
        exclude_id: int | None = None,
    ) -> dt.datetime:
        """The slot for a follow-up wanted at `wanted` (a day: the kind's usual time), never before
        `today`; see the module's rules. The slot is not counted: `note` it once created."""
        from app.services.followups.workflow import default_time_of_day

        rules = self.rules
        if isinstance(wanted, dt.datetime):
            day, time = wanted.date(), wanted.time().replace(second=0, microsecond=0)
        else:
            day, time = wanted, default_time_of_day(kind)
        if today is not None and day < today:
            day = today
        day = rules.calendar.to_working_day(day)
        for _attempt in range(MAX_SEARCH_DAYS):
            slot = self._free_slot(rep_id, day, time, kind, duration_minutes, exclude_id)
            if slot is not None:
                return slot
            day = rules.calendar.next_working_day(day)
        raise DomainError(
            _(
                "No day with room for another follow-up within {days} days of {day}: check the "
                "follow-ups per rep and day in the settings."
            ).format(days=MAX_SEARCH_DAYS, day=format_date(wanted))
        )

    def _free_slot(
        self,
        rep_id: int | None,
        day: dt.date,
        time: dt.time,
        kind: FollowUpKind,
        duration_minutes: int,
        exclude_id: int | None,
    ) -> dt.datetime | None:
        rules = self.rules
        first_choice = rules.within_hours(day, time, duration_minutes, rep_id)
        if rep_id is None:
            return first_choice
        known = self._day(rep_id, day)
        if known.count(exclude_id) >= rules.capacity:
            return None
        if kind is not FollowUpKind.VISIT:
            return first_choice
        for start in self._visit_starts(first_choice, duration_minutes, rep_id):
            if known.visit_clash(start, duration_minutes, exclude_id) is None:
                return start
        return None

    def _visit_starts(
        self, first_choice: dt.datetime, duration_minutes: int, rep_id: int | None
    ) -> Iterator[dt.datetime]:
        """The wanted start, then the whole hours after it, then the whole hours before it."""
        day = first_choice.date()
        opening = dt.datetime.combine(day, self.rules.hours(rep_id)[0])
        latest = self.rules.latest_start(day, duration_minutes, rep_id)
        yield first_choice
        hour = first_choice.replace(minute=0) + _HOUR
        while hour <= latest:
            yield hour
            hour += _HOUR
        hour = first_choice.replace(minute=0)
        if hour == first_choice:
            hour -= _HOUR
        while hour >= opening:
            yield hour
            hour -= _HOUR

    def note(self, rep_id: int | None, at: dt.datetime, kind: FollowUpKind, duration_minutes: int) -> None:
        """Count a follow-up just created at `at` (its day's window is read first if unknown)."""
        if rep_id is None:
            return
        day = self._day(rep_id, at.date())
        day.placed += 1
        if kind is FollowUpKind.VISIT:
            day.visits.append((None, *_hours_taken(at, duration_minutes)))

    # --- checking a slot a person chose -------------------------------------------

    def problems(
        self,
        rep_id: int | None,
        at: dt.datetime,
        kind: FollowUpKind,
        duration_minutes: int,
        *,
        exclude_id: int | None = None,
    ) -> list[str]:
        """What breaks the rules at `at`, in the user's words (empty: the slot is fine)."""
        rules = self.rules
        problems: list[str] = []
        day = at.date()
        if not rules.calendar.is_working_day(day):
            problems.append(_("{day} is not a working day.").format(day=format_date(day)))
        end = at + dt.timedelta(minutes=duration_minutes)
        start_of_day, end_of_day = rules.hours(rep_id)
        if at.time() < start_of_day or end > dt.datetime.combine(day, end_of_day):
            own = rep_id is not None and rep_id in rules.rep_hours
            message = (
                _("{time} is outside the rep's own working hours ({start}–{end}).")
                if own
                else _("{time} is outside the working hours ({start}–{end}).")
            )
            problems.append(
                message.format(
                    time=format_time(at.time()), start=format_time(start_of_day), end=format_time(end_of_day)
                )
            )
        if rep_id is not None:
            known = self._day(rep_id, day)
            count = known.count(exclude_id)
            if count >= rules.capacity:
                problems.append(
                    ngettext(
                        "The rep already has {count} follow-up on {day} (at most {capacity} a day).",
                        "The rep already has {count} follow-ups on {day} (at most {capacity} a day).",
                        count,
                    ).format(count=count, day=format_date(day), capacity=rules.capacity)
                )
            if kind is FollowUpKind.VISIT:
                other = known.visit_clash(at, duration_minutes, exclude_id)
                if other is not None:
                    problems.append(
                        _("The rep already has a visit in that hour ({time}).").format(
                            time=format_datetime(other)
                        )
                    )
        return problems


class PlacementConflict(ConfirmationRequired):
    """A slot a person chose breaks the placement rules: the problems and the next free slot."""

    def __init__(self, problems: Iterable[str], proposed: dt.datetime):
        self.problems = tuple(problems)
        self.proposed = proposed
        super().__init__(
            "\n".join(
                [
                    *self.problems,
                    _("The next free slot is {time}.").format(time=format_datetime(proposed)),
                ]
            )
        )


_BATCH: ContextVar[PlacementBook | None] = ContextVar("placement_batch", default=None)


@contextlib.contextmanager
def batch() -> Iterator[PlacementBook]:
    """One book for every placement inside (an import's transaction): each window is read once.

    Only for work that creates follow-ups through the placing commands while nothing else changes
    the reps' follow-ups (inside one write transaction)."""
    book = PlacementBook()
    token = _BATCH.set(book)
    try:
        yield book
    finally:
        _BATCH.reset(token)


def book() -> PlacementBook:
    """The batch's book inside `batch()`, else a new book for one command."""
    return _BATCH.get() or PlacementBook()


def changed_in_batch(rep_id: int | None) -> None:
    """A rep's follow-ups were moved outside the placing commands: a batch reads them again."""
    active = _BATCH.get()
    if active is not None and rep_id is not None:
        active.forget(rep_id)


def place_follow_up(
    rep_id: int | None,
    wanted: dt.date | dt.datetime,
    kind: FollowUpKind,
    duration_minutes: int,
    today: dt.date | None = None,
) -> dt.datetime:
    """Where one follow-up lands (the module's rules); see PlacementBook.place for many."""
    return book().place(rep_id, wanted, kind, duration_minutes, today)
