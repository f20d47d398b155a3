"""The sync as a state machine (hypothesis): an office on a real PostgreSQL and three laptops (two
reps and a manager, each with their own login), random work on every side, random syncs, random
crashes in the middle of a sync (issue 16, "Tests and figures").

Work on a laptop goes through the services where the window would (a customer's phone, e-mail or
notes edited, its tags changed (the tag rows are deleted and made again: deletes travel); a
follow-up completed or rescheduled; a return advanced or opened; a customer created, with the code
the window suggests (two laptops may give the same one) or one of the person's own), or through the models for what has no service of its own (a return's inspection note, a note in a
case's history). A rep also edits customers, follow-ups and returns that are not theirs, for the
server to refuse. The office's manager edits customers, reschedules and cancels follow-ups and
cancels returns with psycopg2, under their own login. People on the laptops decide some of their
conflicts (keep mine, keep the office's) and discard some refusals. A sync may crash at one of the
engine's named moments (app.sync.engine.crash_point): the transactions open then roll back.

The machine keeps every edit it made (who, which row and column, the value, the value the person
saw before). After everyone has synced twice with no new work:
- every laptop holds what the office holds within its person's scope (a rep: her customers and
  those of the open records she is on, with everything attached, and every reference table; edits
  of rows outside it are not possible there): the same rows (by uid), value for value in every column
  that travels, revisions included, but for the rows of its own changes the office refused, which
  stay on it until its person decides (issue 16, item 5); outboxes are empty; conflict lists the
  office's;
- every edit is in the final data, or in a stored conflict or refusal (sync_conflict), or was
  overwritten by someone who had seen it (a later edit of the same column whose "before" it was);
- no duplicates: a customer created once is at the office once;
- the office's return and case numbers are final (no provisional one left) and gapless per year;
- histories are consistent: a return's or case's history starts from nothing, each step leaves a
  state an earlier step reached through an allowed transition, the record's state is one its history
  reached, and a history that forks (the state changed on two sides) has the conflict stored (a
  refused step leaves no history row at the office);
- the customer's search text is the one its fields give.
Between steps the office's numbers are checked too.

`test_the_machine_catches_a_merge_that_drops_the_losing_value` is the test of the test: with the
merge made to forget conflicts (the office keeps its value and the laptop's is dropped), the machine
fails.

The default run is small (CI); POSTVENTA_FUZZ=long runs many more and longer examples:

    POSTVENTA_TEST_ENGINE=postgresql POSTVENTA_FUZZ=long .venv/bin/python -m pytest tests/sync/test_sync_properties.py

What it found is in test_regressions.py, each case made minimal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.models import (
    Case,
    CaseStageChange,
    Customer,
    CustomerNeedTag,
    FollowUp,
    Rep,
    ReturnStatusChange,
    SoldUnit,
    WarrantyReturn,
    db,
)
from app.models.base import new_uid
from app.models.customers import customer_search_text
from app.models.database import close_database, forget_credentials, use_credentials
from app.models.enums import FollowUpOutcome, OutOfWarrantyReason, ReturnReason, ReturnState
from app.models.sync_schema import BY_NAME
from app.services import cases as case_service
from app.services import returns as return_service
from app.services.customers import (
    CustomerInput,
    create_customer,
    get_customer,
    next_customer_code,
    update_customer,
)
from app.services.errors import DomainError
from app.services.followups import complete_follow_up, reschedule_follow_up
from app.sync import engine
from app.sync import laptop as laptop_side
from app.sync.conflicts import Choice, ConflictKind, open_conflicts, resolve_conflict
from app.sync.engine import init_laptop
from tests.server_office import PASSWORD, Office, set_up_office
from tests.sync.copies import (
    Copy,
    add_rep_login,
    differences,
    held_by,
    laptop_rows,
    normalised,
    office_rows,
    on_laptop,
    pending,
    sync,
)

LONG = os.environ.get("POSTVENTA_FUZZ", "").strip().lower() == "long"
_COMMON = dict(
    deadline=None,
    database=None,
    # The office and the laptops are set up once per test function and reset before each example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CI_RUN = settings(max_examples=12, stateful_step_count=15, derandomize=True, **_COMMON)
LONG_RUN = settings(max_examples=200, stateful_step_count=40, **_COMMON)
RUN = LONG_RUN if LONG else CI_RUN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server"),
]

CRASH_POINTS = ("push-sent", "push-committed", "pull-halfway")
EDITED_COLUMNS = ("phone", "email", "notes")
# Steps a return takes that need nothing but a note (replacing, refunding and crediting need more).
SIMPLE_STEPS = (
    ReturnState.RECEIVED,
    ReturnState.INSPECTED,
    ReturnState.APPROVED,
    ReturnState.REJECTED,
    ReturnState.REPAIRED,
    ReturnState.RETURNED_TO_CUSTOMER,
    ReturnState.CLOSED,
    ReturnState.CANCELLED,
)


class SimulatedCrash(Exception):
    """The sync's process dies here: its open transactions roll back."""


# --- the office and the laptops, made once per test function ----------------------------------


@dataclass
class Person:
    name: str
    login: str
    rep_uid: str | None  # None: a manager without a rep record
    laptop: Path
    pristine: Path  # the laptop as `sync --init` made it, copied back before each example
    laptop_id: str = ""  # as the office knows it (sync_conflict.laptop)


@dataclass
class World:
    office: Office
    cluster: Any
    snapshot: str  # the office as it was when the laptops were made
    people: list[Person]
    customers: list[str]  # uids the work picks from: few, so that people meet on the same rows
    follow_ups: list[str]
    returns: list[str]
    cases: list[str]
    units: list[str]
    tags: list[str]  # names of need tags the office has (a tag new on two laptops is a duplicate)

    def reset(self) -> None:
        """The office and the laptops back to their state after `sync --init`."""
        close_database()
        self.cluster.drop_database(self.office.name)
        self.cluster.create_database(self.office.name, self.snapshot)
        for person in self.people:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{person.laptop}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(person.pristine, person.laptop)

    def manager_connection(self):
        manager = next(p for p in self.people if p.rep_uid is None)
        return psycopg2.connect(
            dbname=self.office.name, user=manager.login, password=PASSWORD, host=self.office.socket
        )


def _pool(office: Office, statement: str, params: tuple = ()) -> list[str]:
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(statement, params)
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def world(new_database, postgres_cluster, monkeypatch, capsys, tmp_path):
    office = set_up_office(new_database("office"), monkeypatch, capsys)
    luis_login = f"{office.name}_luis"
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.code FROM rep r WHERE r.role = 'rep' AND r.id <> %s ORDER BY"
            " (SELECT count(*) FROM customer c WHERE c.rep_id = r.id) DESC, r.id LIMIT 1",
            (office.rep_id,),
        )
        luis_id, luis_code = cursor.fetchone()
    add_rep_login(office, monkeypatch, capsys, luis_login, luis_code)
    rep_uid = {
        rep_id: _pool(office, "SELECT uid FROM rep WHERE id = %s", (rep_id,))[0]
        for rep_id in (office.rep_id, luis_id)
    }
    people = []
    for name, login, rep in (
        ("ana", office.rep, rep_uid[office.rep_id]),
        ("luis", luis_login, rep_uid[luis_id]),
        ("mia", office.manager, None),
    ):
        use_credentials(office.url_of(login), login, PASSWORD)
        pristine = tmp_path / "pristine" / f"{name}.sqlite3"
        pristine.parent.mkdir(exist_ok=True)
        init_laptop(pristine, office.url_of(login))
        laptop_id = on_laptop(pristine, lambda: laptop_side.laptop_state(db.obj)[0])
        people.append(Person(name, login, rep, tmp_path / f"{name}.sqlite3", pristine, laptop_id))
    own = {  # a few customers of each rep, and of others
        name: _pool(office, f"SELECT uid FROM customer WHERE {where} ORDER BY id LIMIT 3", params)
        for name, where, params in (
            ("ana", "rep_id = %s", (office.rep_id,)),
            ("luis", "rep_id = %s", (luis_id,)),
            ("mia", "rep_id IS NULL OR rep_id NOT IN %s", ((office.rep_id, luis_id),)),
        )
    }
    customers = [uid for uids in own.values() for uid in uids]
    world = World(
        office,
        postgres_cluster,
        postgres_cluster.new_name("snapshot"),
        people,
        customers,
        _pool(
            office,
            "SELECT f.uid FROM follow_up f JOIN customer c ON c.id = f.customer_id WHERE f.state = 'planned'"
            " AND c.uid IN %s ORDER BY f.id LIMIT 8",
            (tuple(customers),),
        ),
        _pool(
            office, "SELECT uid FROM warranty_return WHERE state NOT IN ('closed', 'cancelled') ORDER BY id"
        ),
        _pool(office, "SELECT uid FROM \"case\" WHERE stage <> 'closed' ORDER BY id LIMIT 4"),
        _pool(
            office,
            "SELECT u.uid FROM sold_unit u JOIN customer c ON c.id = u.customer_id"
            " WHERE u.warranty_ends_on IS NOT NULL AND c.uid IN %s ORDER BY u.id LIMIT 4",
            (tuple(customers),),
        ),
        _pool(office, "SELECT name FROM need_tag ORDER BY id LIMIT 3"),
    )
    assert world.follow_ups and world.returns and world.cases and world.units and world.tags
    assert all(own.values())
    close_database()
    postgres_cluster.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
        f"'{office.name}' AND pid <> pg_backend_pid()"
    )
    postgres_cluster.execute(
        f'CREATE DATABASE "{world.snapshot}" TEMPLATE "{office.name}" STRATEGY FILE_COPY'
    )
    yield world
    close_database()
    postgres_cluster.drop_database(world.snapshot)
    for person in people:
        forget_credentials(office.url_of(person.login))


# --- what the machine remembers ------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    who: str  # a person's name; "office" for the manager at the office
    table: str
    uid: str
    column: str
    value: Any
    before: Any  # the value the person's copy held when they made the edit (None for a new row)

    def describe(self) -> str:
        return f"{self.who} set {self.table} {self.uid} {self.column} = {self.value!r} (was {self.before!r})"


def _same(table: str, column: str, a: Any, b: Any) -> bool:
    spec = BY_NAME[table]
    return normalised(spec, column, a) == normalised(spec, column, b)


def _decoded(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@dataclass
class Tally:
    edits: list[Edit] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # uid → name of customers made on laptops
    counter: int = 0

    def next(self) -> int:
        self.counter += 1
        return self.counter


# --- the machine --------------------------------------------------------------------------------


class SyncMachine(RuleBasedStateMachine):
    world: World  # set by _machine()

    def __init__(self) -> None:
        super().__init__()
        self.world.reset()
        self.tally = Tally()
        self.today = dt.date.today()

    # helpers

    def _person(self, index: int) -> Person:
        return self.world.people[index % len(self.world.people)]

    def _on(self, person: Person, work):
        return on_laptop(person.laptop, work)

    def _my_rep(self, person: Person) -> int | None:
        return None if person.rep_uid is None else Rep.get(Rep.uid == person.rep_uid).id

    def _record(self, who: str, table: str, uid: str, column: str, value: Any, before: Any) -> None:
        self.tally.edits.append(Edit(who, table, uid, column, value, before))

    def _office(self, statement: str, params: tuple = ()) -> list[tuple]:
        connection = self.world.manager_connection()
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    # work on a laptop

    @rule(who=st.integers(0, 2), pick=st.integers(0, 7), column=st.sampled_from(EDITED_COLUMNS))
    def edit_customer(self, who, pick, column):
        person = self._person(who)
        uid = self.world.customers[pick % len(self.world.customers)]
        number = self.tally.next()
        value = {
            "phone": f"+34 600 {number:06d}",
            "email": f"c{number}@example.es",
            "notes": f"Nota {number}",
        }[column]

        def work():
            customer = Customer.get_or_none(Customer.uid == uid)
            if customer is None:  # not on this laptop: out of its person's scope
                return
            data = get_customer(customer.id).to_input()
            before = getattr(data, column)
            setattr(data, column, value)
            try:
                update_customer(customer.id, data, self._my_rep(person))
            except DomainError:
                return
            self._record(person.name, "customer", uid, column, value, before)

        self._on(person, work)

    @rule(who=st.integers(0, 2), pick=st.integers(0, 7), tags=st.sets(st.integers(0, 2), max_size=2))
    def tag_customer(self, who, pick, tags):
        """The customer dialog replaces the customer's tag rows: deletes and inserts travel, and
        the same tag given on two laptops meets at the office."""
        person = self._person(who)
        uid = self.world.customers[pick % len(self.world.customers)]
        names = [self.world.tags[i] for i in sorted(tags)]

        def rows_of(customer_id: int) -> set[str]:
            query = CustomerNeedTag.select(CustomerNeedTag.uid).where(CustomerNeedTag.customer == customer_id)
            return {uid for (uid,) in query.tuples()}

        def work():
            customer = Customer.get_or_none(Customer.uid == uid)
            if customer is None:  # not on this laptop: out of its person's scope
                return
            before = rows_of(customer.id)
            data = get_customer(customer.id).to_input()
            data.need_tags = names
            try:
                update_customer(customer.id, data, self._my_rep(person))
            except DomainError:
                return
            after = rows_of(customer.id)
            for gone in sorted(before - after):
                self._record(person.name, "customer_need_tag", gone, "uid", None, gone)
            for made in sorted(after - before):
                self._record(person.name, "customer_need_tag", made, "uid", made, None)

        self._on(person, work)

    @rule(who=st.integers(0, 2))
    def laptop_creates_customer(self, who):
        """Every other one with the code the window suggests (provisional on a laptop: the office
        gives it its next code at the push), the others with one of the person's own. Taken from the
        count, not drawn: a draw here would steer the examples the test of the test below relies on
        elsewhere."""
        person = self._person(who)
        number = self.tally.next()
        name = f"Cliente {number}"

        def work():
            rep = self._my_rep(person)
            own = f"{person.name[0].upper()}-"
            code = next_customer_code() if number % 2 else f"{own}{number:05d}"
            customer_id = create_customer(CustomerInput(code=code, name=name, rep_id=rep), rep)
            customer = Customer.get_by_id(customer_id)
            self.tally.created[customer.uid] = name
            self._record(person.name, "customer", customer.uid, "name", name, None)

        self._on(person, work)

    @rule(who=st.integers(0, 2), pick=st.integers(0, 7), complete=st.booleans())
    def work_on_follow_up(self, who, pick, complete):
        person = self._person(who)
        uid = self.world.follow_ups[pick % len(self.world.follow_ups)]
        number = self.tally.next()

        def work():
            follow_up = FollowUp.get_or_none(FollowUp.uid == uid)
            if follow_up is None:  # not on this laptop: out of its person's scope
                return
            before = (follow_up.state.value, follow_up.notes, follow_up.scheduled_at)
            try:
                if complete:
                    complete_follow_up(
                        follow_up.id, FollowUpOutcome.REACHED, f"Visita {number}", self._my_rep(person)
                    )
                else:
                    when = dt.datetime.combine(self.today + dt.timedelta(days=30), dt.time(9)) + dt.timedelta(
                        minutes=number
                    )
                    reschedule_follow_up(  # kept at that time, as after the placement warning
                        follow_up.id, when, acting_rep_id=self._my_rep(person), confirm_placement=True
                    )
            except DomainError:
                return
            after = FollowUp.get(FollowUp.uid == uid)
            for column, was, now in zip(
                ("state", "notes", "scheduled_at"),
                before,
                (after.state.value, after.notes, after.scheduled_at),
                strict=True,
            ):
                if was != now:
                    self._record(person.name, "follow_up", uid, column, now, was)

        self._on(person, work)

    @rule(who=st.integers(0, 2), pick=st.integers(0, 7), step=st.sampled_from(SIMPLE_STEPS))
    def advance_return(self, who, pick, step):
        person = self._person(who)
        uid = self.world.returns[pick % len(self.world.returns)]
        number = self.tally.next()

        def work():
            record = WarrantyReturn.get_or_none(WarrantyReturn.uid == uid)
            if record is None:  # not on this laptop: out of its person's scope
                return
            before = record.state.value
            if not return_service.can_transition(record.state, step):
                return
            try:
                return_service.advance_return(
                    record.id,
                    step,
                    self._my_rep(person),
                    f"Paso {number}",
                    inspection_note=f"Revisado {number}" if not record.inspection_note else None,
                )
            except DomainError:
                return
            self._record(person.name, "warranty_return", uid, "state", step.value, before)
            change = (  # the step just taken
                ReturnStatusChange.select()
                .where(ReturnStatusChange.warranty_return == record.id)
                .order_by(ReturnStatusChange.id.desc())
                .first()
            )
            self._record(person.name, "return_status_change", change.uid, "to_state", step.value, None)

        self._on(person, work)

    @rule(who=st.integers(0, 2), pick=st.integers(0, 7))
    def note_on_return(self, who, pick):
        person = self._person(who)
        uid = self.world.returns[pick % len(self.world.returns)]
        note = f"Inspección {self.tally.next()}"

        def work():
            record = WarrantyReturn.get_or_none(WarrantyReturn.uid == uid)
            if record is None:  # not on this laptop: out of its person's scope
                return
            before = record.inspection_note
            record.inspection_note = note
            record.save()
            self._record(person.name, "warranty_return", uid, "inspection_note", note, before)

        self._on(person, work)

    @rule(who=st.integers(0, 2), pick=st.integers(0, 3))
    def note_on_case(self, who, pick):
        person = self._person(who)
        uid = self.world.cases[pick % len(self.world.cases)]
        note = f"Llamada {self.tally.next()}"

        def work():
            case = Case.get_or_none(Case.uid == uid)
            if case is None:  # not on this laptop: out of its person's scope
                return
            change = CaseStageChange.create(
                case=case.id, from_stage=case.stage, to_stage=case.stage, rep=self._my_rep(person), note=note
            )
            self._record(person.name, "case_stage_change", change.uid, "note", note, None)

        self._on(person, work)

    @rule(who=st.integers(0, 2), pick=st.integers(0, 3))
    def open_return_offline(self, who, pick):
        person = self._person(who)
        uid = self.world.units[pick % len(self.world.units)]

        def work():
            unit = SoldUnit.get_or_none(SoldUnit.uid == uid)
            if unit is None:  # not on this laptop: out of its person's scope
                return
            try:
                return_id = return_service.open_return(
                    unit.id,
                    ReturnReason.FAILURE_IN_USE,
                    "No enciende",
                    self.today,
                    self._my_rep(person),
                    out_of_warranty_reason=OutOfWarrantyReason.GOODWILL,
                )
            except DomainError:
                return
            record = WarrantyReturn.get_by_id(return_id)
            self._record(person.name, "warranty_return", record.uid, "state", "requested", None)

        self._on(person, work)

    @rule(who=st.integers(0, 2), mine=st.booleans())
    def decide_conflicts(self, who, mine):
        """The person opens the Conflicts page: decides each conflict (keep mine or the office's)
        and discards the refusals."""
        person = self._person(who)

        def work():
            for conflict in open_conflicts():
                if conflict.kind is ConflictKind.CONFLICT and conflict.column:
                    if mine:
                        before = db.obj.execute_sql(
                            f'SELECT "{conflict.column}" FROM "{conflict.table}" WHERE uid = ?',
                            (conflict.row_uid,),
                        ).fetchone()
                        resolve_conflict(conflict.id, Choice.MINE)
                        if before is not None:
                            self._record(
                                person.name,
                                conflict.table,
                                conflict.row_uid,
                                conflict.column,
                                conflict.mine,
                                before[0],
                            )
                    else:
                        resolve_conflict(conflict.id, Choice.THEIRS)
                elif conflict.kind in (ConflictKind.REFUSED, ConflictKind.DUPLICATE):
                    resolve_conflict(conflict.id, Choice.DISCARD)

        self._on(person, work)

    # work at the office

    @rule(pick=st.integers(0, 7), column=st.sampled_from(EDITED_COLUMNS))
    def office_edits_customer(self, pick, column):
        uid = self.world.customers[pick % len(self.world.customers)]
        number = self.tally.next()
        value = {
            "phone": f"+34 910 {number:06d}",
            "email": f"o{number}@example.es",
            "notes": f"Oficina {number}",
        }[column]
        connection = self.world.manager_connection()
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(
                    f'SELECT "{column}", code, name, tax_id, email, phone, mobile, city FROM customer'
                    " WHERE uid = %s FOR UPDATE",
                    (uid,),
                )
                before, *fields = cursor.fetchone()
                row = dict(
                    zip(("code", "name", "tax_id", "email", "phone", "mobile", "city"), fields, strict=True)
                )
                if column in row:
                    row[column] = value
                # As the window does: the search text follows the fields, the row version counts.
                cursor.execute(
                    f'UPDATE customer SET "{column}" = %s, search_text = %s, row_version = row_version + 1,'
                    " updated_at = now() WHERE uid = %s",
                    (value, customer_search_text(**row), uid),
                )
        finally:
            connection.close()
        self._record("office", "customer", uid, column, value, before)

    @rule(pick=st.integers(0, 7), cancel=st.booleans())
    def office_works_on_follow_up(self, pick, cancel):
        uid = self.world.follow_ups[pick % len(self.world.follow_ups)]
        number = self.tally.next()
        found = self._office("SELECT state, scheduled_at FROM follow_up WHERE uid = %s", (uid,))
        state, scheduled = found[0]
        if state != "planned":
            return
        if cancel:
            self._office(
                "UPDATE follow_up SET state = 'cancelled', cancel_reason = %s, row_version = row_version + 1"
                " WHERE uid = %s",
                (f"Anulada {number}", uid),
            )
            self._record("office", "follow_up", uid, "state", "cancelled", state)
        else:
            when = dt.datetime.combine(self.today + dt.timedelta(days=60), dt.time(16)) + dt.timedelta(
                minutes=number
            )
            self._office(
                "UPDATE follow_up SET scheduled_at = %s, row_version = row_version + 1 WHERE uid = %s",
                (when, uid),
            )
            self._record("office", "follow_up", uid, "scheduled_at", when, scheduled)

    @rule(pick=st.integers(0, 7))
    def office_cancels_return(self, pick):
        uid = self.world.returns[pick % len(self.world.returns)]
        number = self.tally.next()
        (state,) = self._office("SELECT state FROM warranty_return WHERE uid = %s", (uid,))[0]
        if not return_service.can_transition(ReturnState(state), ReturnState.CANCELLED):
            return
        change = new_uid()
        self._office(
            "UPDATE warranty_return SET state = 'cancelled', closed_on = current_date,"
            " row_version = row_version + 1 WHERE uid = %s;"
            " INSERT INTO return_status_change (uid, warranty_return_id, from_state, to_state, changed_at, note)"
            " SELECT %s, id, %s, 'cancelled', now(), %s FROM warranty_return WHERE uid = %s",
            (uid, change, state, f"Anulada en la oficina {number}", uid),
        )
        self._record("office", "warranty_return", uid, "state", "cancelled", state)
        self._record("office", "return_status_change", change, "to_state", "cancelled", None)

    # syncs

    @rule(who=st.integers(0, 2), crash=st.sampled_from((None, None, *CRASH_POINTS)))
    def a_laptop_syncs(self, who, crash):
        person = self._person(who)
        with _crashing_at(crash):
            try:
                sync(person.laptop, self.world.office.url_of(person.login))
            except SimulatedCrash:
                pass

    # checked after every step

    @invariant()
    def office_numbers_are_final_and_gapless(self):
        _assert_numbers(_numbered_rows(self.world.office))

    # at the end of each example: everyone syncs twice with no new work

    def teardown(self):
        for _round in range(2):
            for person in self.world.people:
                sync(person.laptop, self.world.office.url_of(person.login))
        final = office_rows(self.world.office)
        conflicts = _office_conflicts(self.world.office)
        for person in self.world.people:
            assert pending(person.laptop) == 0, f"{person.name}'s outbox"
            # A change the office refused stays on the laptop that made it while its person has not
            # decided (issue 16, item 5): those rows alone may differ there. A refusal discarded
            # gives the laptop the office's row back.
            refused = frozenset(
                (c["table_name"], c["row_uid"])
                for c in conflicts
                if c["kind"] in ("refused", "duplicate")
                and c["laptop"] == person.laptop_id
                and c["resolved_at"] is None
            )
            held = held_by(self.world.office, person.laptop, final)
            assert differences(held, laptop_rows(person.laptop), leave_out=refused) == [], (
                f"{person.name}'s laptop"
            )
            assert _laptop_conflicts(person.laptop) == [
                (c["id"], c["resolved_at"] is not None) for c in conflicts
            ]
        lost = [
            edit.describe()
            for position, edit in enumerate(self.tally.edits)
            if not _kept(position, final, conflicts, self.tally)
        ]
        assert lost == [], "edits lost"
        names = Counter(row["name"] for row in final["customer"].values())
        assert all(names[name] <= 1 for name in self.tally.created.values()), "a customer made twice"
        _assert_numbers(final)
        _assert_histories(final, conflicts)
        for row in final["customer"].values():
            expected = customer_search_text(
                row["code"],
                row["name"],
                row["tax_id"],
                row["email"],
                row["phone"],
                row["mobile"],
                row["city"],
            )
            assert row["search_text"] == expected, f"customer {row['uid']}: search text of other fields"


@contextmanager
def _crashing_at(point: str | None):
    """While in the block, the sync crashes the first time it reaches `point` (None: never)."""
    if point is None:
        yield
        return
    reached = []

    def crash_point(name: str) -> None:
        if name == point and not reached:
            reached.append(name)
            raise SimulatedCrash(name)

    original = engine.crash_point
    engine.crash_point = crash_point
    try:
        yield
    finally:
        engine.crash_point = original


# --- the invariants --------------------------------------------------------------------------------


def _office_conflicts(office: Office) -> list[dict[str, Any]]:
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(
            "SELECT id, kind, table_name, row_uid, column_name, base_value, laptop_value, office_value,"
            " laptop, resolved_at FROM sync_conflict ORDER BY id"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _laptop_conflicts(path: Path) -> list[tuple[int, bool]]:
    def read():
        return [
            (row[0], row[1] is not None)
            for row in db.obj.execute_sql(
                f"SELECT id, resolved_at FROM {laptop_side.CONFLICTS} ORDER BY id"
            ).fetchall()
        ]

    return on_laptop(path, read)


def _kept(position: int, final: Copy, conflicts: list[dict[str, Any]], tally: Tally) -> bool:
    """The edit is in the final data, in a stored conflict or refusal, or someone who had seen it
    overwrote it."""
    edit = tally.edits[position]
    row = final[edit.table].get(edit.uid)
    deleting = edit.column == "uid" and edit.value is None  # a row deleted (made: "uid" set)
    if deleting and row is None:
        return True
    if not deleting and row is not None and _same(edit.table, edit.column, row[edit.column], edit.value):
        return True
    for conflict in conflicts:
        if (conflict["table_name"], conflict["row_uid"]) != (edit.table, edit.uid):
            continue
        if conflict["kind"] == "conflict" and conflict["column_name"] == edit.column:
            kept = (conflict[k] for k in ("laptop_value", "office_value", "base_value"))
            if any(_same(edit.table, edit.column, _decoded(v), edit.value) for v in kept):
                return True
        elif deleting and conflict["kind"] in ("deleted", "refused", "duplicate"):  # the delete kept undone
            return True
        elif conflict["kind"] != "conflict":  # the whole change is kept
            change = _decoded(conflict["laptop_value"]) or {}
            if edit.column in change and _same(edit.table, edit.column, change[edit.column], edit.value):
                return True
    later = tally.edits[position + 1 :]
    return any(
        (e.table, e.uid, e.column) == (edit.table, edit.uid, edit.column)
        and e.before is not None
        and _same(edit.table, edit.column, e.before, edit.value)
        for e in later
    )


def _numbered_rows(office: Office) -> Copy:
    """The office's returns and cases, only the columns of their numbers (read after every step)."""
    copy: Copy = {}
    with office.admin() as admin, admin.cursor() as cursor:
        for table, series in (("warranty_return", "'RMA'"), ("case", "series")):
            cursor.execute(f'SELECT uid, number, provisional_number, {series}, year, sequence FROM "{table}"')
            names = ("uid", "number", "provisional_number", "series", "year", "sequence")
            copy[table] = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    return copy


def _assert_numbers(copy: Copy) -> None:
    for table, series_of in (("warranty_return", lambda r: "RMA"), ("case", lambda r: str(r["series"]))):
        per_year: dict[tuple, list[int]] = {}
        for row in copy[table].values():
            assert row["sequence"] > 0 and row["number"] != row["provisional_number"], (
                f"{table} {row['number']}: a provisional number at the office"
            )
            per_year.setdefault((series_of(row), row["year"]), []).append(row["sequence"])
        for key, sequences in per_year.items():
            assert sorted(sequences) == list(range(1, len(sequences) + 1)), f"{table} numbers of {key}"


def _assert_histories(copy: Copy, conflicts: list[dict[str, Any]]) -> None:
    # Where a state was changed on two sides, the office keeps a conflict on it. A step the office
    # refused leaves no history row there: the office refuses a local transaction's rows together.
    forked_on = {
        (c["table_name"], c["row_uid"], c["column_name"]) for c in conflicts if c["kind"] == "conflict"
    }
    for table, history_table, parent, state_column, source, target, allowed in (
        (
            "warranty_return",
            "return_status_change",
            "warranty_return_id",
            "state",
            "from_state",
            "to_state",
            lambda record, a, b: return_service.can_transition(a, b),
        ),
        (
            "case",
            "case_stage_change",
            "case_id",
            "stage",
            "from_stage",
            "to_stage",
            lambda record, a, b: a is b or case_service.can_transition(record["kind"], a, b),
        ),
    ):
        steps: dict[str, list[dict]] = {}
        for change in copy[history_table].values():
            steps.setdefault(change[parent], []).append(change)
        for uid, record in copy[table].items():
            history = steps.get(uid, [])
            assert history and any(c[source] is None for c in history), (
                f"{table} {record['number']}: no start"
            )
            reached = {c[target] for c in history}
            for change in history:
                if change[source] is not None:
                    assert change[source] in reached, f"{table} {record['number']}: a step from nowhere"
                    assert allowed(record, change[source], change[target]), (
                        f"{table} {record['number']}: {change[source]} → {change[target]}"
                    )
            assert record[state_column] in reached, (
                f"{table} {record['number']}: a state its history never reached"
            )
            edges = {(c[source], c[target]) for c in history if c[source] is not c[target]}
            starts = Counter(a for a, _b in edges)
            if any(n > 1 for n in starts.values()):  # two ways out of one state: two sides moved it
                assert (table, uid, state_column) in forked_on, (
                    f"{table} {record['number']}: forked, no conflict"
                )


# --- the tests --------------------------------------------------------------------------------------


def _machine(world: World) -> type[SyncMachine]:
    return type("OfficeAndThreeLaptops", (SyncMachine,), {"world": world})


def test_laptops_and_the_office_converge_and_nothing_is_lost(world):
    run_state_machine_as_test(_machine(world), settings=RUN)


def test_the_machine_catches_a_merge_that_drops_the_losing_value(world, monkeypatch):
    """The test of the test: a merge that keeps the office's value and forgets the laptop's (no
    conflict recorded) makes the machine fail, on "edits lost"."""
    update = engine._update

    def forgetful_update(office, table, uid, old, new, base, keep):
        def keep_all_but_conflicts(kind, *args, **kwargs):
            if kind != "conflict":
                keep(kind, *args, **kwargs)

        return update(office, table, uid, old, new, base, keep_all_but_conflicts)

    monkeypatch.setattr(engine, "_update", forgetful_update)
    hunt = settings(CI_RUN, max_examples=40, phases=[Phase.generate], report_multiple_bugs=False)
    # Whether a dropped value shows depends on the order rows meet at the office (random uids), so
    # Hypothesis may fail to replay the example and wrap the failure in FlakyFailure: either way
    # the failure must be the lost edit.
    with pytest.raises((AssertionError, FlakyFailure)) as caught:
        run_state_machine_as_test(_machine(world), settings=hunt)
    failures = caught.value.exceptions if isinstance(caught.value, FlakyFailure) else [caught.value]
    assert any(
        isinstance(failure, AssertionError) and "edits lost" in str(failure) for failure in failures
    ), caught.value
