"""Laptops and the office, named scenarios on a real PostgreSQL (issue 16): a laptop made from the
office, changes merged column by column, a real conflict kept with both values, a refused change
kept, inserts and deletes travelling both ways, a push repeated after a crash applying nothing twice."""

from __future__ import annotations

import json

import pytest

from app.cli import EXIT_OK
from app.models import Customer, FollowUp, db
from app.models.database import (
    close_database,
    open_database,
)
from app.services.errors import DomainError
from app.sync import laptop as laptop_side
from app.sync.conflicts import Choice, ConflictKind, allowed_choices, open_conflicts, resolve_conflict
from app.sync.engine import init_laptop
from app.sync.labels import describe_conflict
from tests.server_office import Office, run_cli
from tests.sync.copies import customer_of, office_query, office_rows, on_laptop, sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


def _conflicts(office: Office):
    return office_query(
        office,
        "SELECT kind, table_name, column_name, base_value, laptop_value, office_value FROM sync_conflict ORDER BY id",
    )


def test_a_laptop_made_from_the_office_has_its_data_and_captures_nothing_of_its_own(office, tmp_path):
    laptop = tmp_path / "ana.sqlite3"
    outcome = init_laptop(laptop, office.url_of(office.rep))
    assert outcome.pulled > 100
    held = office_rows(office, laptop)  # a rep's laptop: her customers, everything attached, references
    open_database(str(laptop), create=False)
    try:
        assert FollowUp.select().count() == len(held["follow_up"]) > 0
        assert Customer.select().where(Customer.rep.is_null(False)).count() > 0  # references resolved
        assert laptop_side.pending_count(db.obj) == 0
        assert laptop_side.laptop_state(db.obj)[2] == office.rep
        # The window offers the rep what the office will accept from her.
        from app.models import Rep
        from app.services.permissions import current_permissions

        rights = current_permissions()
        office_rep_uid = office_query(office, "SELECT uid FROM rep WHERE id = %s", (office.rep_id,))[0][0]
        assert (rights.role, rights.login) == ("rep", office.rep)
        assert rights.rep_id == Rep.get(Rep.uid == office_rep_uid).id
    finally:
        close_database()
    assert not laptop.with_name(laptop.name + ".partial").exists()


def test_one_column_each_side_merges_and_the_same_column_differently_is_a_conflict(office, tmp_path):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    init_laptop(mia, office.url_of(office.manager))
    uid = customer_of(office, office.rep_id)
    on_laptop(ana, lambda: Customer.update(phone="+34 600 000 001").where(Customer.uid == uid).execute())
    on_laptop(mia, lambda: Customer.update(email="new@example.es").where(Customer.uid == uid).execute())
    assert sync(ana, office.url_of(office.rep)).conflicts == 0
    assert sync(mia, office.url_of(office.manager)).conflicts == 0
    assert office_query(office, "SELECT phone, email FROM customer WHERE uid = %s", (uid,)) == [
        ("+34 600 000 001", "new@example.es")
    ]
    # Now both change the phone, differently: the first to sync wins at the office, the other's value
    # is kept in a conflict with the base, and both laptops end with the office's value.
    on_laptop(ana, lambda: Customer.update(phone="+34 611 111 111").where(Customer.uid == uid).execute())
    on_laptop(mia, lambda: Customer.update(phone="+34 622 222 222").where(Customer.uid == uid).execute())
    assert sync(ana, office.url_of(office.rep)).conflicts == 0
    assert sync(mia, office.url_of(office.manager)).conflicts == 1
    assert _conflicts(office) == [
        ("conflict", "customer", "phone", '"+34 600 000 001"', '"+34 622 222 222"', '"+34 611 111 111"')
    ]
    sync(ana, office.url_of(office.rep))
    for laptop in (ana, mia):
        open_database(str(laptop), create=False)
        try:
            assert Customer.get(Customer.uid == uid).phone == "+34 611 111 111"
        finally:
            close_database()
    # Mia decides for her value on her laptop: a normal change that syncs, and the conflict is closed.
    open_database(str(mia), create=False)
    try:
        (conflict,) = open_conflicts()
        assert (conflict.kind, conflict.column, conflict.base, conflict.mine, conflict.theirs) == (
            ConflictKind.CONFLICT,
            "phone",
            "+34 600 000 001",
            "+34 622 222 222",
            "+34 611 111 111",
        )
        resolve_conflict(conflict.id, Choice.MINE)
        assert open_conflicts() == []
    finally:
        close_database()
    assert sync(mia, office.url_of(office.manager)).conflicts == 0
    sync(ana, office.url_of(office.rep))
    assert office_query(office, "SELECT phone FROM customer WHERE uid = %s", (uid,)) == [("+34 622 222 222",)]
    assert office_query(office, "SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL") == [(0,)]
    open_database(str(ana), create=False)
    try:
        assert Customer.get(Customer.uid == uid).phone == "+34 622 222 222"
        assert open_conflicts() == []
    finally:
        close_database()


def test_a_change_the_server_refuses_is_kept_and_the_rest_goes_through(office, tmp_path):
    ana = tmp_path / "ana.sqlite3"
    # A colleague's customer whose next visit Ana covers: on her laptop, not hers to change.
    others = office_query(
        office,
        "UPDATE follow_up SET rep_id = %s WHERE id = (SELECT f.id FROM follow_up f JOIN customer c"
        " ON c.id = f.customer_id WHERE f.state = 'planned' AND c.rep_id IS DISTINCT FROM %s"
        " ORDER BY f.id LIMIT 1) RETURNING (SELECT uid FROM customer WHERE id = customer_id)",
        (office.rep_id, office.rep_id),
    )[0][0]
    init_laptop(ana, office.url_of(office.rep))
    mine = customer_of(office, office.rep_id)

    def work():
        Customer.update(notes="not mine to change").where(Customer.uid == others).execute()
        Customer.update(notes="called on Monday").where(Customer.uid == mine).execute()

    on_laptop(ana, work)
    outcome = sync(ana, office.url_of(office.rep))
    assert (outcome.refused, outcome.conflicts) == (1, 0)
    kept = _conflicts(office)
    assert kept[0][:2] == ("refused", "customer") and "not mine to change" in kept[0][4]
    assert office_query(office, "SELECT notes FROM customer WHERE uid = %s", (mine,)) == [
        ("called on Monday",)
    ]


def test_inserts_and_deletes_travel_and_a_repeated_push_applies_nothing_twice(
    office, tmp_path, monkeypatch, capsys
):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    init_laptop(mia, office.url_of(office.manager))
    created = {}

    def new_customer():
        customer = Customer.create(
            code="C-90001",
            name="Nueva Clienta",
            rep=Customer.select(Customer.rep)
            .where(Customer.uid == customer_of(office, office.rep_id))
            .scalar(),
        )
        created["uid"] = customer.uid

    on_laptop(ana, new_customer)
    open_database(str(ana), create=False)
    sent = db.obj.execute_sql(f"SELECT * FROM {laptop_side.OUTBOX}").fetchall()
    close_database()
    sync(ana, office.url_of(office.rep))
    # A crash after the office committed, before the laptop let the entries go: they are sent again.
    open_database(str(ana), create=False)
    marks = ", ".join("?" * len(sent[0]))
    for row in sent:
        db.obj.execute_sql(f"INSERT INTO {laptop_side.OUTBOX} VALUES ({marks})", row)
    close_database()
    code, out, err = run_cli(
        monkeypatch, capsys, "sync", "--db", str(ana), "--server", office.url_of(office.rep), "--json"
    )
    assert code == EXIT_OK, err
    assert json.loads(out)["pushed"] == len(sent)
    assert office_query(office, "SELECT count(*) FROM customer WHERE uid = %s", (created["uid"],)) == [(1,)]
    sync(mia, office.url_of(office.manager))
    open_database(str(mia), create=False)
    try:
        assert Customer.get(Customer.uid == created["uid"]).name == "Nueva Clienta"
    finally:
        close_database()
    # The office deletes it: the laptops follow.
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("DELETE FROM customer WHERE uid = %s", (created["uid"],))
    assert sync(ana, office.url_of(office.rep)).deleted == 1
    open_database(str(ana), create=False)
    try:
        assert not Customer.select().where(Customer.uid == created["uid"]).exists()
    finally:
        close_database()


def test_a_return_opened_offline_has_a_provisional_number_until_the_office_numbers_it(office, tmp_path):
    import datetime as dt

    from app.models import SoldUnit, WarrantyReturn
    from app.models.enums import OutOfWarrantyReason, ReturnReason
    from app.services.returns.workflow import OPEN_STATES, ReturnFilter, list_returns, open_return

    ana = tmp_path / "ana.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    label = office_query(office, "SELECT label FROM sync_applied")[0][0]
    year = dt.date.today().year
    before = office_query(
        office, "SELECT COALESCE(MAX(sequence), 0) FROM warranty_return WHERE year = %s", (year,)
    )
    opened = {}

    def open_offline():
        open_units = WarrantyReturn.select(WarrantyReturn.sold_unit).where(
            WarrantyReturn.state.in_(OPEN_STATES)
        )
        unit = (
            SoldUnit.select()
            .join(Customer, on=(SoldUnit.customer == Customer.id))
            .where(
                (Customer.uid == customer_of(office, office.rep_id))
                & SoldUnit.warranty_ends_on.is_null(False)
                & SoldUnit.id.not_in(open_units)
            )
            .first()
        )
        return_id = open_return(
            unit.id,
            ReturnReason.FAILURE_IN_USE,
            "No enciende",
            dt.date.today(),
            None,
            out_of_warranty_reason=OutOfWarrantyReason.GOODWILL,
        )
        record = WarrantyReturn.get_by_id(return_id)
        opened.update(uid=record.uid, number=record.number)

    on_laptop(ana, open_offline)
    assert opened["number"] == f"RMA-{year}-{label}-0001"
    sync(ana, office.url_of(office.rep))
    final = f"RMA-{year}-{before[0][0] + 1:04d}"
    assert office_query(
        office, "SELECT number, provisional_number FROM warranty_return WHERE uid = %s", (opened["uid"],)
    ) == [(final, opened["number"])]
    open_database(str(ana), create=False)
    try:
        assert WarrantyReturn.get(WarrantyReturn.uid == opened["uid"]).number == final
        found = list_returns(ReturnFilter(text=opened["number"]))
        assert [row.number for row in found] == [final]  # the provisional number still finds it
    finally:
        close_database()


def test_a_customer_made_offline_with_the_suggested_code_gets_the_office_s_next_code(office, tmp_path):
    """A laptop holds only its person's customers, so its own "highest code plus one" was often
    taken at the office: each such customer came back as a duplicate for a person to sort out. The
    code a laptop suggests is provisional (C-L03-00001) and the office gives the next of its own at
    the push; a code the person typed stays as typed."""
    from app.services.customers import CustomerInput, create_customer, next_customer_code

    ana = tmp_path / "ana.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    label = office_query(office, "SELECT label FROM sync_applied")[0][0]
    rep_uid = office_query(office, "SELECT uid FROM rep WHERE id = %s", (office.rep_id,))[0][0]
    made: dict[str, str] = {}

    def create_two():
        from app.models import Rep

        rep = Rep.get(Rep.uid == rep_uid).id
        suggested = next_customer_code()
        assert suggested == f"C-{label}-00001"
        first = create_customer(CustomerInput(code=suggested, name="Talleres Brisa", rep_id=rep), rep)
        assert next_customer_code() == f"C-{label}-00002"
        typed = create_customer(CustomerInput(code="TB-2", name="Talleres Brisa 2", rep_id=rep), rep)
        made.update(suggested=Customer.get_by_id(first).uid, typed=Customer.get_by_id(typed).uid)

    on_laptop(ana, create_two)
    # Meanwhile the office takes what would have been its next code.
    (highest,) = office_query(office, "SELECT max(code) FROM customer WHERE code ~ '^C-[0-9]{5}$'")[0]
    taken = f"C-{int(highest[2:]) + 1:05d}"
    office_query(
        office,
        "UPDATE customer SET code = %s WHERE id = (SELECT max(id) FROM customer) RETURNING id",
        (taken,),
    )
    outcome = sync(ana, office.url_of(office.rep))
    assert (outcome.conflicts, outcome.refused) == (0, 0)
    final = f"C-{int(taken[2:]) + 1:05d}"
    codes = dict(
        office_query(
            office, "SELECT uid, code FROM customer WHERE uid IN %s", ((made["suggested"], made["typed"]),)
        )
    )
    assert codes == {made["suggested"]: final, made["typed"]: "TB-2"}
    open_database(str(ana), create=False)
    try:
        assert Customer.get(Customer.uid == made["suggested"]).code == final
        assert final.lower() in Customer.get(Customer.uid == made["suggested"]).search_text
    finally:
        close_database()


def _planned_follow_up_of(office: Office, rep_id: int) -> str:
    return office_query(
        office,
        "SELECT f.uid FROM follow_up f JOIN customer c ON c.id = f.customer_id WHERE c.rep_id = %s"
        " AND f.state = 'planned' ORDER BY f.id LIMIT 1",
        (rep_id,),
    )[0][0]


def test_a_change_to_a_record_the_office_deleted_can_be_recorded_again(office, tmp_path):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    init_laptop(mia, office.url_of(office.manager))
    uid = _planned_follow_up_of(office, office.rep_id)
    on_laptop(ana, lambda: FollowUp.update(notes="Llamar por la tarde").where(FollowUp.uid == uid).execute())
    office_query(office, "DELETE FROM follow_up WHERE uid = %s RETURNING uid", (uid,))
    assert sync(ana, office.url_of(office.rep)).conflicts == 1

    def record_it_again():
        assert not FollowUp.select().where(FollowUp.uid == uid).exists()  # the office's deletion came
        (conflict,) = open_conflicts()
        assert conflict.kind is ConflictKind.DELETED
        assert allowed_choices(conflict) == (Choice.MINE, Choice.DISCARD)
        view = describe_conflict(conflict, laptop_side.laptop_state(db.obj)[0])
        assert [line.column for line in view.lines] == ["notes"] and not view.mine_deleted
        resolve_conflict(conflict.id, Choice.MINE)
        assert FollowUp.get(FollowUp.uid == uid).notes == "Llamar por la tarde"

    on_laptop(ana, record_it_again)
    sync(ana, office.url_of(office.rep))
    assert office_query(office, "SELECT notes FROM follow_up WHERE uid = %s", (uid,)) == [
        ("Llamar por la tarde",)
    ]
    assert office_query(office, "SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL") == [(0,)]
    # Mia had not synced since the deletion: the older deletion does not take the record back away.
    sync(mia, office.url_of(office.manager))
    open_database(str(mia), create=False)
    try:
        assert FollowUp.get(FollowUp.uid == uid).notes == "Llamar por la tarde"
    finally:
        close_database()


def test_a_deletion_the_office_kept_can_be_made_anyway(office, tmp_path):
    mia = tmp_path / "mia.sqlite3"
    init_laptop(mia, office.url_of(office.manager))
    uid = _planned_follow_up_of(office, office.rep_id)
    on_laptop(mia, lambda: FollowUp.delete().where(FollowUp.uid == uid).execute())
    office_query(
        office, "UPDATE follow_up SET notes = 'Cambiado en la oficina' WHERE uid = %s RETURNING uid", (uid,)
    )
    assert sync(mia, office.url_of(office.manager)).conflicts == 1
    assert office_query(office, "SELECT count(*) FROM follow_up WHERE uid = %s", (uid,)) == [(1,)]

    def delete_anyway():
        assert FollowUp.select().where(FollowUp.uid == uid).exists()  # the office's record came back
        (conflict,) = open_conflicts()
        assert describe_conflict(conflict).mine_deleted
        resolve_conflict(conflict.id, Choice.MINE)
        assert not FollowUp.select().where(FollowUp.uid == uid).exists()
        with pytest.raises(DomainError):
            resolve_conflict(conflict.id, Choice.MINE)  # decided already

    on_laptop(mia, delete_anyway)
    sync(mia, office.url_of(office.manager))
    assert office_query(office, "SELECT count(*) FROM follow_up WHERE uid = %s", (uid,)) == [(0,)]
    assert office_query(office, "SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL") == [(0,)]
