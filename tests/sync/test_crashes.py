"""A sync cut short at each of its named moments (app.sync.engine.crash_point), then run again
normally, converges: nothing lost, nothing applied twice (issue 16, item 11).

A crash is an exception raised at the named moment, inside the transactions then open: they roll
back, as a kill -9 or a dropped connection leaves the server's and the laptop's uncommitted work. The
dropped connection is also done for real: the office's server process of the sync is terminated at
the moment, and the sync runs into the dead connection.

The laptop's work before the crash goes through the services, as in the window: a customer's phone
changed, a customer created, a return opened (numbered provisionally), a follow-up completed; the
office meanwhile changes another customer's e-mail, for the pull to bring. After the next sync:
- the office's row count of each table grew by exactly the laptop's inserts (none lost, none twice),
  the return has one final number (gapless) and one history entry, no conflict was recorded;
- the laptop's outbox is empty, and the laptop and the office hold the same rows, value for value,
  revisions included.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from peewee import InterfaceError, OperationalError

from app.models import Customer, FollowUp, Rep, SoldUnit, WarrantyReturn, db
from app.models.database import forget_credentials, use_credentials
from app.models.enums import FollowUpOutcome, FollowUpState, OutOfWarrantyReason, ReturnReason
from app.services.customers import CustomerInput, create_customer, get_customer, update_customer
from app.services.followups import complete_follow_up
from app.services.returns.workflow import OPEN_STATES, open_return
from app.sync import engine
from app.sync import laptop as laptop_side
from app.sync.engine import init_laptop
from tests.server_office import PASSWORD, Office, set_up_office
from tests.sync.copies import (
    differences,
    laptop_rows,
    office_query,
    office_rows,
    on_laptop,
    pending,
    sync,
)

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


class SimulatedCrash(Exception):
    """The process dies here (kill -9): what is not committed is gone."""


@pytest.fixture
def office(new_database, monkeypatch, capsys):
    office = set_up_office(new_database("office"), monkeypatch, capsys)
    use_credentials(office.url_of(office.rep), office.rep, PASSWORD)
    yield office
    forget_credentials(office.url_of(office.rep))


@pytest.fixture
def laptop(office, tmp_path):
    path = tmp_path / "ana.sqlite3"
    init_laptop(path, office.url_of(office.rep))
    return path


def crash_at(
    monkeypatch, point: str, *, occurrence: int = 1, how: str = "raise", office: Office | None = None
):
    """Make the sync crash the `occurrence`-th time it reaches `point`: raise SimulatedCrash, or
    (how="drop") terminate the office's server process of the sync and let the sync run into it."""
    seen = Counter()

    def crash_point(name: str) -> None:
        seen[name] += 1
        if name != point or seen[name] != occurrence:
            return
        if how == "raise":
            raise SimulatedCrash(name)
        assert office is not None
        terminated = office_query(
            office,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
            (office.name, office.rep),
        )
        assert terminated == [(True,)], "the sync's connection to the office"

    monkeypatch.setattr(engine, "crash_point", crash_point)
    return seen


def _expected_crash(how: str):
    """What the interrupted sync raises: the simulated crash, or the driver's dropped connection."""
    return pytest.raises(SimulatedCrash if how == "raise" else (OperationalError, InterfaceError))


# --- the work -----------------------------------------------------------------------------------


def _offline_work(office: Office) -> dict:
    """A rep's morning on the laptop through the services; returns what was done, by uid."""
    done: dict = {}
    today = dt.date.today()
    ana = Rep.get(Rep.uid == _rep_uid(office)).id
    customer = Customer.select().where(Customer.rep == ana).order_by(Customer.id).first()
    data = get_customer(customer.id).to_input()
    data.phone = "+34 600 111 222"
    update_customer(customer.id, data, ana)
    done["edited"] = customer.uid
    new_id = create_customer(
        CustomerInput(code="C-77001", name="Ferretería Nueva", rep_id=ana, phone="+34 911 000 000"), ana
    )
    done["created"] = Customer.get_by_id(new_id).uid
    busy = WarrantyReturn.select(WarrantyReturn.sold_unit).where(WarrantyReturn.state.in_(OPEN_STATES))
    unit = (
        SoldUnit.select()
        .where(SoldUnit.warranty_ends_on.is_null(False) & SoldUnit.id.not_in(busy))
        .order_by(SoldUnit.id)
        .first()
    )
    return_id = open_return(
        unit.id,
        ReturnReason.FAILURE_IN_USE,
        "No enciende",
        today,
        ana,
        out_of_warranty_reason=OutOfWarrantyReason.GOODWILL,
    )
    record = WarrantyReturn.get_by_id(return_id)
    done["return"], done["provisional"] = record.uid, record.number
    planned = FollowUp.select().where(FollowUp.state == FollowUpState.PLANNED).order_by(FollowUp.id)
    follow_up = planned.where(FollowUp.rep == ana).first() or planned.first()
    complete_follow_up(follow_up.id, FollowUpOutcome.REACHED, "Todo bien", ana)
    done["completed"] = follow_up.uid
    return done


def _rep_uid(office: Office) -> str:
    return office_query(office, "SELECT uid FROM rep WHERE id = %s", (office.rep_id,))[0][0]


def _outbox_inserts(path) -> Counter:
    """Rows the laptop will send as new, per table (minus those it deleted)."""

    def read():
        counts: Counter = Counter()
        for table, op in db.obj.execute_sql(f"SELECT table_name, op FROM {laptop_side.OUTBOX}").fetchall():
            counts[table] += {"insert": 1, "delete": -1}.get(op, 0)
        return counts

    return on_laptop(path, read)


def _office_edit(office: Office) -> str:
    """At the office, the e-mail of another of the rep's customers changes (one the laptop holds)."""
    uid = office_query(
        office,
        "SELECT uid FROM customer WHERE rep_id = %s ORDER BY id OFFSET 1 LIMIT 1",
        (office.rep_id,),
    )[0][0]
    office_query(
        office, "UPDATE customer SET email = 'oficina@example.es' WHERE uid = %s RETURNING uid", (uid,)
    )
    return uid


def _counts(copy) -> Counter:
    return Counter({table: len(rows) for table, rows in copy.items()})


def _assert_converged(office: Office, laptop, before: Counter, inserted: Counter, done: dict) -> None:
    now = office_rows(office)
    grown = _counts(now)
    grown.subtract(before)
    assert +grown == +inserted, "the office gained exactly the laptop's new rows"
    assert pending(laptop) == 0
    assert differences(office_rows(office, laptop), laptop_rows(laptop)) == []
    assert office_query(office, "SELECT kind, table_name, column_name FROM sync_conflict") == []
    customers = now["customer"]
    assert customers[done["edited"]]["phone"] == "+34 600 111 222"
    assert customers[done["created"]]["code"] == "C-77001"
    assert [c["code"] for c in customers.values()].count("C-77001") == 1
    assert now["follow_up"][done["completed"]]["state"] is FollowUpState.DONE
    assert now["follow_up"][done["completed"]]["notes"].endswith("Todo bien")
    record = now["warranty_return"][done["return"]]
    assert record["provisional_number"] == done["provisional"]
    assert record["sequence"] > 0 and record["number"] != done["provisional"]
    sequences = sorted(r["sequence"] for r in now["warranty_return"].values() if r["year"] == record["year"])
    assert sequences == list(range(1, len(sequences) + 1)), "final return numbers gapless"
    history = [h for h in now["return_status_change"].values() if h["warranty_return_id"] == done["return"]]
    assert [(h["from_state"], h["to_state"].value) for h in history] == [(None, "requested")]


def _prepare(office: Office, laptop) -> tuple[Counter, Counter, dict]:
    before = _counts(office_rows(office))
    done = on_laptop(laptop, lambda: _offline_work(office))
    inserted = _outbox_inserts(laptop)
    assert inserted["customer"] == 1 and inserted["warranty_return"] == 1
    done["office_edit"] = _office_edit(office)
    return before, inserted, done


# --- the crashes --------------------------------------------------------------------------------

BATCH = 2  # outbox entries a push batch: a crash may come after a batch committed
CRASHES = [
    pytest.param("push-sent", 1, "raise", id="push-sent"),
    pytest.param("push-sent", 2, "raise", id="push-sent-second-batch"),
    pytest.param("push-committed", 1, "raise", id="push-committed"),
    pytest.param("push-committed", 2, "raise", id="push-committed-second-batch"),
    pytest.param("pull-halfway", 1, "raise", id="pull-halfway"),
    pytest.param("push-sent", 1, "drop", id="push-sent-connection-dropped"),
    pytest.param("push-committed", 1, "drop", id="push-committed-connection-dropped"),
    pytest.param("pull-halfway", 1, "drop", id="pull-halfway-connection-dropped"),
]


@pytest.mark.parametrize(("point", "occurrence", "how"), CRASHES)
def test_a_sync_cut_short_converges_at_the_next_one(office, laptop, monkeypatch, point, occurrence, how):
    monkeypatch.setattr(engine, "PUSH_BATCH", BATCH)  # several batches: a crash may come after one committed
    before, inserted, done = _prepare(office, laptop)
    seqs = on_laptop(
        laptop,
        lambda: [s for (s,) in db.obj.execute_sql(f"SELECT seq FROM {laptop_side.OUTBOX} ORDER BY seq")],
    )
    assert len(seqs) > 2 * BATCH
    seen = crash_at(monkeypatch, point, occurrence=occurrence, how=how, office=office)
    laptop_before = laptop_rows(laptop)
    with _expected_crash(how):
        sync(laptop, office.url_of(office.rep))
    assert seen[point] == occurrence

    # What the crash left: only what was committed before it.
    laptop_id = on_laptop(laptop, lambda: laptop_side.laptop_state(db.obj)[0])
    applied = office_query(office, "SELECT last_seq FROM sync_applied WHERE laptop = %s", (laptop_id,))[0][0]
    if point == "pull-halfway":  # everything pushed; the pull undone on the laptop
        assert (applied, pending(laptop)) == (seqs[-1], 0)
        rows = laptop_rows(laptop)
        assert rows["customer"][done["office_edit"]] == laptop_before["customer"][done["office_edit"]]
        assert rows["customer"][done["created"]]["revision"] is None  # not pulled back yet
    else:
        committed = occurrence - 1 if point == "push-sent" else occurrence
        assert applied == (seqs[BATCH * committed - 1] if committed else 0)
        # The laptop let go of the batches it knows committed, never of another (a dropped
        # connection after a commit is only met at the next batch or the pull).
        let_go = occurrence - 1 + (point == "push-committed" and how == "drop")
        assert pending(laptop) == len(seqs) - BATCH * let_go

    # The person works on, and syncs again.
    def more():
        Customer.update(notes="Llamar en mayo").where(Customer.uid == done["edited"]).execute()

    on_laptop(laptop, more)
    monkeypatch.setattr(engine, "crash_point", lambda name: None)
    outcome = sync(laptop, office.url_of(office.rep))
    assert (outcome.conflicts, outcome.refused) == (0, 0)
    _assert_converged(office, laptop, before, inserted, done)
    assert office_rows(office)["customer"][done["edited"]]["notes"] == "Llamar en mayo"
    assert laptop_rows(laptop)["customer"][done["office_edit"]]["email"] == "oficina@example.es"
    # And once more: nothing left to send, nothing changes.
    settled = office_rows(office)
    assert sync(laptop, office.url_of(office.rep)).pushed == 0
    assert differences(settled, office_rows(office)) == []


@pytest.mark.parametrize("how", ["raise", "drop"])
def test_an_init_cut_short_leaves_no_laptop_and_the_next_init_succeeds(office, tmp_path, monkeypatch, how):
    path = tmp_path / "ana.sqlite3"
    partial = path.with_name(path.name + ".partial")
    crash_at(monkeypatch, "init-halfway", how=how, office=office)
    with _expected_crash(how):
        init_laptop(path, office.url_of(office.rep))
    assert not path.exists(), "nothing that looks like a ready laptop database"
    monkeypatch.setattr(engine, "crash_point", lambda name: None)
    outcome = init_laptop(path, office.url_of(office.rep))
    assert outcome.pulled > 100
    assert not partial.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(path.name)] == [path.name]
    assert pending(path) == 0
    assert differences(office_rows(office, path), laptop_rows(path)) == []
    # The new laptop works and syncs like any other.
    rep = _rep_uid(office)
    on_laptop(
        path,
        lambda: Customer.update(notes="Visitado").where(Customer.rep == Rep.get(Rep.uid == rep)).execute(),
    )
    outcome = sync(path, office.url_of(office.rep))
    assert (outcome.pushed > 0, outcome.refused, outcome.conflicts) == (True, 0, 0)
    assert differences(office_rows(office, path), laptop_rows(path)) == []


# --- the numbering lock ---------------------------------------------------------------------------


def test_a_push_holds_a_numbering_lock_only_until_the_record_it_numbers_is_committed(
    office, laptop, monkeypatch
):
    """Fifty laptops pushing at once waited one after another on the year's return numbering
    (bench_sync.py): the lock was taken at the return and held until the whole batch committed.
    The office commits right after the transaction that takes the number; what follows it in the
    batch is applied without the lock."""
    from app.models.dialect import numbering_key

    done = on_laptop(laptop, lambda: _offline_work(office))

    def after_the_return():
        Customer.update(notes="Visitar en junio").where(Customer.uid == done["edited"]).execute()

    on_laptop(laptop, after_the_return)
    year = on_laptop(laptop, lambda: WarrantyReturn.get(WarrantyReturn.uid == done["return"]).year)
    key = numbering_key("return", year)
    held_at_each_commit: list[bool] = []

    def crash_point(name: str) -> None:
        if name == "push-sent":  # the office transaction applied, not yet committed
            held = office_query(
                office,
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND a.usename = %s"
                " AND ((l.classid::bigint << 32) | l.objid::bigint) = %s",
                (office.rep, key),
            )[0][0]
            held_at_each_commit.append(held == 1)

    monkeypatch.setattr(engine, "crash_point", crash_point)
    outcome = sync(laptop, office.url_of(office.rep))
    assert (outcome.conflicts, outcome.refused) == (0, 0)
    assert held_at_each_commit.count(True) == 1, "the lock is held by the return's own transaction"
    assert held_at_each_commit[-1] is False, "the work after the return was applied without it"
    assert office_rows(office)["customer"][done["edited"]]["notes"] == "Visitar en junio"
    [(number,)] = office_query(office, "SELECT number FROM warranty_return WHERE uid = %s", (done["return"],))
    assert number != done["provisional"] and "-L" not in number


def test_a_push_the_server_ends_to_break_a_deadlock_is_applied_again(office, laptop, monkeypatch):
    """Laptops pushing changes to the same records at one moment can deadlock; the server then ends
    one of the transactions (SQLSTATE 40P01) and nothing of it stays. That push applies the same
    office transaction again instead of failing the person's sync (bench_sync.py's rush: 11 of 50)."""
    before, inserted, done = _prepare(office, laptop)
    real = engine._apply_transaction
    ended = []

    def deadlocked_once(server, *args):
        if not ended:
            ended.append(True)
            server.execute_sql(
                "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'deadlock_detected', MESSAGE = 'deadlock'; END $$"
            )
        return real(server, *args)

    monkeypatch.setattr(engine, "_apply_transaction", deadlocked_once)
    outcome = sync(laptop, office.url_of(office.rep))
    assert ended == [True]
    assert (outcome.conflicts, outcome.refused) == (0, 0)
    _assert_converged(office, laptop, before, inserted, done)
