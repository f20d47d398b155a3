"""The agenda: who has which follow-up when, read as whole lists or in batches. No Qt.

`agenda` / `overdue_follow_ups` / `upcoming` return whole lists (the reminders, the calendar export,
the customer's view); a manager's overdue list over a large database is too long to read at once,
so the agenda page asks for it batch by batch (`agenda_batch` with offset and limit) and counts it
first (`count_agenda`). The order is by time, then customer value. *Overdue* is derived — planned
and scheduled before now — and never stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from app.i18n import _
from app.models import Customer, FollowUp, Product, Rep, SoldUnit, db
from app.models import now as wall_clock_now
from app.models.customers import fold_for_search
from app.models.dialect import contains_folded, date_of
from app.models.enums import FollowUpKind, FollowUpOutcome, FollowUpPurpose, FollowUpState, Segment
from app.services.errors import NotFoundError
from app.services.followups.workflow import customer_address
from app.services.sorting import ListSort, choice_rank, ordering

ALL_STATES = tuple(FollowUpState)


# Not frozen: a frozen dataclass sets each of its 30 fields through object.__setattr__, which took
# 12 ms of a busy week's 1,500 rows (the agenda's goal is 50 ms on PostgreSQL); slots make the plain
# constructor about 15 times cheaper. Nothing changes a row after agenda_rows builds it.
@dataclass(slots=True)
class AgendaRow:
    id: int
    scheduled_at: dt.datetime
    duration_minutes: int
    kind: FollowUpKind
    purpose: FollowUpPurpose
    state: FollowUpState
    outcome: FollowUpOutcome | None
    overdue: bool  # planned and scheduled before now: derived, never stored
    attempt: int
    customer_id: int
    customer_code: str
    customer_name: str
    segment: Segment | None
    phone: str
    mobile: str
    email: str
    address: str  # the customer's address on one line
    place: str  # where a visit happens (the address when it was scheduled)
    rep_id: int | None
    rep_code: str
    rep_name: str
    sold_unit_id: int | None
    product_name: str
    serial_number: str
    notes: str
    cancel_reason: str
    updated_at: dt.datetime
    row_version: int = 1  # what an edit started from this row passes as expected_version
    customer_rep_id: int | None = None  # the customer's rep: with rep_id, who may change it

    @property
    def ends_at(self) -> dt.datetime:
        return self.scheduled_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def location(self) -> str:
        """Where to go for a visit; empty for other kinds."""
        return (self.place or self.address) if self.kind is FollowUpKind.VISIT else ""


# Order within a time slot by customer value: segment A first, customers without one last.
_SEGMENT_RANK = Case(Customer.segment, ((Segment.A.value, 0), (Segment.B.value, 1), (Segment.C.value, 2)), 3)


def agenda_query(rep_id: int | None, states: Iterable[FollowUpState], kinds, purposes):
    """The agenda's select with its joins, filters and order; narrow it with .where(), read it with agenda_rows."""
    # `state IN (…)` is always written, even for every state, so SQLite walks the
    # (rep, state, scheduled_at) index — or (state, scheduled_at) for all reps — one state at a time.
    query = (
        FollowUp.select(
            FollowUp.id,
            FollowUp.scheduled_at,
            FollowUp.duration_minutes,
            FollowUp.kind,
            FollowUp.purpose,
            FollowUp.state,
            FollowUp.outcome,
            FollowUp.attempt,
            FollowUp.place,
            FollowUp.notes,
            FollowUp.cancel_reason,
            FollowUp.updated_at,
            FollowUp.row_version,
            FollowUp.sold_unit,
            FollowUp.rep,
            Customer.id.alias("customer_id"),
            Customer.rep.alias("customer_rep_id"),
            Customer.code.alias("customer_code"),
            Customer.name.alias("customer_name"),
            Customer.segment,
            Customer.phone,
            Customer.mobile,
            Customer.email,
            Customer.address,
            Customer.postal_code,
            Customer.city,
            Rep.code.alias("rep_code"),
            Rep.name.alias("rep_name"),
            SoldUnit.serial_number,
            Product.name.alias("product_name"),
        )
        .join(Customer, on=(FollowUp.customer == Customer.id))
        .join_from(FollowUp, Rep, JOIN.LEFT_OUTER, on=(FollowUp.rep == Rep.id))
        .join_from(FollowUp, SoldUnit, JOIN.LEFT_OUTER, on=(FollowUp.sold_unit == SoldUnit.id))
        .join_from(SoldUnit, Product, JOIN.LEFT_OUTER, on=(SoldUnit.product == Product.id))
        .where(FollowUp.state.in_(list(states)))
    )
    if rep_id is not None:
        query = query.where(FollowUp.rep == rep_id)
    if kinds:
        query = query.where(FollowUp.kind.in_(list(kinds)))
    if purposes:
        query = query.where(FollowUp.purpose.in_(list(purposes)))
    return query.order_by(FollowUp.scheduled_at, _SEGMENT_RANK, Customer.name, FollowUp.id)


_KINDS = {kind.value: kind for kind in FollowUpKind}
_PURPOSES = {purpose.value: purpose for purpose in FollowUpPurpose}
_STATES = {state.value: state for state in FollowUpState}
_OUTCOMES = {outcome.value: outcome for outcome in FollowUpOutcome}
_SEGMENTS = {segment.value: segment for segment in Segment}


def _timestamp(value) -> dt.datetime:
    """A stored date and time as a datetime: the driver's own, or the text peewee stored (SQLite)."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def agenda_rows(query, now: dt.datetime) -> list[AgendaRow]:
    """Plain rows from an agenda_query; `overdue` is derived against `now`.

    The driver's tuples are turned into rows here, not by peewee's per-field converters: a busy
    week is 1,500 rows of 30 columns, and that conversion took about as long as the query itself
    (bench_agenda.py, bench_engines.py). The columns come in agenda_query's order.
    """
    rows = []
    for (
        follow_up_id,
        scheduled_at,
        duration_minutes,
        kind,
        purpose,
        state,
        outcome,
        attempt,
        place,
        notes,
        cancel_reason,
        updated_at,
        row_version,
        sold_unit_id,
        rep_id,
        customer_id,
        customer_rep_id,
        customer_code,
        customer_name,
        segment,
        phone,
        mobile,
        email,
        address,
        postal_code,
        city,
        rep_code,
        rep_name,
        serial_number,
        product_name,
    ) in db.execute(query).fetchall():
        scheduled_at = _timestamp(scheduled_at)
        state = _STATES[state]
        rows.append(
            AgendaRow(
                id=follow_up_id,
                scheduled_at=scheduled_at,
                duration_minutes=duration_minutes,
                kind=_KINDS[kind],
                purpose=_PURPOSES[purpose],
                state=state,
                outcome=None if outcome is None else _OUTCOMES[outcome],
                overdue=state is FollowUpState.PLANNED and scheduled_at < now,
                attempt=attempt,
                customer_id=customer_id,
                customer_code=customer_code,
                customer_name=customer_name,
                segment=None if segment is None else _SEGMENTS[segment],
                phone=phone,
                mobile=mobile,
                email=email,
                address=customer_address(address, postal_code, city),
                place=place,
                rep_id=rep_id,
                rep_code=rep_code or "",
                rep_name=rep_name or "",
                sold_unit_id=sold_unit_id,
                product_name=product_name or "",
                serial_number=serial_number or "",
                notes=notes,
                cancel_reason=cancel_reason,
                updated_at=_timestamp(updated_at),
                row_version=row_version,
                customer_rep_id=customer_rep_id,
            )
        )
    return rows


def agenda(
    rep_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    kinds: Iterable[FollowUpKind] | None = None,
    purposes: Iterable[FollowUpPurpose] | None = None,
    states: Iterable[FollowUpState] | None = None,
    now: dt.datetime | None = None,
) -> list[AgendaRow]:
    """Follow-ups scheduled in [start, end) for one rep (None: every rep), by time then customer value."""
    now = now or wall_clock_now()
    query = agenda_query(rep_id, states or ALL_STATES, kinds, purposes).where(
        (FollowUp.scheduled_at >= start) & (FollowUp.scheduled_at < end)
    )
    return agenda_rows(query, now)


def overdue_follow_ups(
    rep_id: int | None,
    now: dt.datetime | None = None,
    kinds: Iterable[FollowUpKind] | None = None,
    purposes: Iterable[FollowUpPurpose] | None = None,
    limit: int | None = None,
) -> list[AgendaRow]:
    """Planned follow-ups whose time has passed, oldest first."""
    now = now or wall_clock_now()
    query = agenda_query(rep_id, [FollowUpState.PLANNED], kinds, purposes).where(FollowUp.scheduled_at < now)
    if limit is not None:
        query = query.limit(limit)
    return agenda_rows(query, now)


def overdue_count(rep_id: int | None, now: dt.datetime | None = None) -> int:
    now = now or wall_clock_now()
    query = FollowUp.select().where((FollowUp.state == FollowUpState.PLANNED) & (FollowUp.scheduled_at < now))
    if rep_id is not None:
        query = query.where(FollowUp.rep == rep_id)
    return query.count()


def upcoming(
    rep_id: int | None,
    now: dt.datetime | None = None,
    days: int = 7,
    kinds: Iterable[FollowUpKind] | None = None,
    purposes: Iterable[FollowUpPurpose] | None = None,
) -> list[AgendaRow]:
    """Planned follow-ups from now to `days` days ahead."""
    now = now or wall_clock_now()
    query = agenda_query(rep_id, [FollowUpState.PLANNED], kinds, purposes).where(
        (FollowUp.scheduled_at >= now) & (FollowUp.scheduled_at < now + dt.timedelta(days=days))
    )
    return agenda_rows(query, now)


def planned_for_sale(sale_id: int, now: dt.datetime | None = None) -> list[AgendaRow]:
    """The planned follow-ups about a sale's units (its plans' steps), by time: what recording or
    delivering it scheduled."""
    from app.models import SaleLine

    units = SoldUnit.select(SoldUnit.id).join(SaleLine).where(SaleLine.sale == sale_id)
    query = agenda_query(None, [FollowUpState.PLANNED], None, None).where(FollowUp.sold_unit.in_(units))
    return agenda_rows(query, now or wall_clock_now())


def get_follow_up(follow_up_id: int, now: dt.datetime | None = None) -> AgendaRow:
    query = agenda_query(None, ALL_STATES, None, None).where(FollowUp.id == follow_up_id)
    rows = agenda_rows(query, now or wall_clock_now())
    if not rows:
        raise NotFoundError(_("The follow-up no longer exists."))
    return rows[0]


# --- paged, for the agenda page ---------------------------------------------------


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
        query = query.where(contains_folded(Customer.search_text, term))
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


def agenda_sort_keys() -> dict:
    """What the agenda list sorts by (its columns; choices by their translated label, states in
    their workflow's order)."""
    return {
        "time": (FollowUp.scheduled_at, _SEGMENT_RANK, Customer.name),
        "segment": _SEGMENT_RANK,
        "customer": Customer.sort_key,  # the names' collation order (app.models.collation)
        "phone": Customer.phone,
        "kind": choice_rank(FollowUp.kind, FollowUpKind),
        "purpose": choice_rank(FollowUp.purpose, FollowUpPurpose),
        "product": Product.name,
        "state": choice_rank(FollowUp.state, FollowUpState, by_label=False),
        "rep": Rep.name,
    }


def agenda_batch(
    window: AgendaWindow,
    offset: int = 0,
    limit: int | None = None,
    now: dt.datetime | None = None,
    sort: ListSort | None = None,
) -> list[AgendaRow]:
    """One batch of the window's follow-ups in the service's agenda order, or sorted by `sort`
    (a key of `agenda_sort_keys`; then by time within equal values)."""
    query = _narrow(agenda_query(window.rep_id, window.states, window.kinds, window.purposes), window)
    if sort is not None:
        query = query.order_by(
            *ordering(sort, agenda_sort_keys(), (), FollowUp.id, then=(FollowUp.scheduled_at,))
        )
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return agenda_rows(query, now or wall_clock_now())


def count_by_day(window: AgendaWindow) -> dict[dt.date, int]:
    """Follow-ups per calendar day of the window (for the week grid's day headers)."""
    day = date_of(FollowUp.scheduled_at)  # a day, not a datetime
    query = _counting(FollowUp.select(day, fn.COUNT(FollowUp.id)), window).group_by(day)
    return {dt.date.fromisoformat(str(d)): n for d, n in query.tuples()}
