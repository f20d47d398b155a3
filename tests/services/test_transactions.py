"""Write transactions (lock at BEGIN, bounded retry, composition) and row versions on edits."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from app.models import Customer, FollowUp, FollowUpPlan, db
from app.models.enums import FollowUpKind, FollowUpPurpose
from app.services import customers, followups, transactions
from app.services.customers import CustomerInput, create_customer, get_customer, update_customer
from app.services.errors import ConcurrentEditError, DatabaseBusyError, DomainError
from app.services.transactions import write_transaction
from tests.helpers import working_slots

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"


@pytest.fixture
def other_writer(database):
    """A second connection to the same file, as another Postventa would hold it."""
    connection = sqlite3.connect(str(database.path), isolation_level=None, timeout=0, check_same_thread=False)
    yield connection
    if connection.in_transaction:
        connection.rollback()
    connection.close()


def short_waits(monkeypatch, busy_ms: int = 50) -> None:
    db.execute_sql(f"PRAGMA busy_timeout = {busy_ms}")
    monkeypatch.setattr(transactions, "RETRY_PAUSE", (0.01, 0.02))


@pytest.mark.sqlite_only("SQLite's file write lock held by a second sqlite3 connection")
def test_a_command_waiting_for_the_lock_too_long_is_refused_readably_and_writes_nothing(
    database, other_writer, monkeypatch
):
    short_waits(monkeypatch)
    other_writer.execute("BEGIN IMMEDIATE")  # the other Postventa is in the middle of a save
    with pytest.raises(DatabaseBusyError) as refusal:
        create_customer(CustomerInput(code="C-1", name="Peña"), None)
    assert "Another Postventa is writing" in str(refusal.value)
    assert isinstance(refusal.value, DomainError)
    other_writer.rollback()
    assert Customer.select().count() == 0


@pytest.mark.sqlite_only("SQLite's file write lock held by a second sqlite3 connection")
def test_a_lock_released_while_the_command_retries_lets_it_through(database, other_writer, monkeypatch):
    short_waits(monkeypatch)
    monkeypatch.setattr(transactions, "RETRY_PAUSE", (0.1, 0.1))
    other_writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.12, other_writer.rollback)  # after the first attempt gave up
    release.start()
    try:
        customer_id = create_customer(CustomerInput(code="C-1", name="Peña"), None)
    finally:
        release.join()
    assert Customer.get_by_id(customer_id).name == "Peña"


def test_commands_compose_inside_an_outer_write_transaction(database):
    with pytest.raises(RuntimeError), write_transaction():
        create_customer(CustomerInput(code="C-1", name="Uno"), None)
        create_customer(CustomerInput(code="C-2", name="Dos"), None)
        assert Customer.select().count() == 2
        raise RuntimeError("the import fails at its last row")
    assert Customer.select().count() == 0  # the outer transaction took both back


def test_a_refused_inner_command_leaves_the_outer_work_standing(database):
    with write_transaction():
        create_customer(CustomerInput(code="C-1", name="Uno"), None)
        with pytest.raises(DomainError):
            create_customer(CustomerInput(code="C-1", name="Otro"), None)  # the code is taken
    assert [c.name for c in Customer.select()] == ["Uno"]


def test_services_open_write_transactions_one_way():
    """Commands use @write_command / write_transaction, never a bare db.atomic() (DEFERRED on SQLite)."""
    offenders = [
        path.name
        for path in SERVICES.glob("*.py")
        if path.name not in ("transactions.py", "health.py")  # health only reads
        and "db.atomic(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# --- row versions -------------------------------------------------------------------------------


@pytest.mark.sqlite_only("a second sqlite3 connection to the file")
def test_saving_writes_only_the_columns_changed(database, other_writer):
    customer_id = create_customer(CustomerInput(code="C-1", name="Peña"), None)
    stale = Customer.get_by_id(customer_id)
    other_writer.execute("UPDATE customer SET notes = 'Llamar por la tarde' WHERE id = ?", (customer_id,))
    stale.city = "Haro"
    stale.save()
    fresh = Customer.get_by_id(customer_id)
    assert (fresh.city, fresh.notes) == ("Haro", "Llamar por la tarde")


def test_every_edit_of_a_customer_counts_a_new_version(database):
    customer_id = create_customer(CustomerInput(code="C-1", name="Peña"), None)
    assert get_customer(customer_id).row_version == 1
    detail = get_customer(customer_id)
    data = detail.to_input()
    data.name = "Peña Hermanos"
    update_customer(customer_id, data, None, expected_version=1)
    assert get_customer(customer_id).row_version == 2
    data.need_tags = ["Instalación"]  # the tags alone are an edit too
    update_customer(customer_id, data, None, expected_version=2)
    assert get_customer(customer_id).row_version == 3
    update_customer(customer_id, data, None, expected_version=3)  # nothing changed: same version
    assert get_customer(customer_id).row_version == 3
    customers.archive_customer(customer_id, None)
    assert get_customer(customer_id).row_version == 4


def test_an_edit_from_an_old_version_is_refused_with_the_current_values(database):
    customer_id = create_customer(CustomerInput(code="C-1", name="Peña"), None)
    first = get_customer(customer_id).to_input()
    first.name = "Peña Hermanos"
    update_customer(customer_id, first, None, expected_version=1)
    second = get_customer(customer_id).to_input()
    second.name = "Peña e Hijos"
    second.city = "Haro"
    with pytest.raises(ConcurrentEditError) as conflict:
        update_customer(customer_id, second, None, expected_version=1)
    assert conflict.value.current_version == 2
    assert conflict.value.current.name == "Peña Hermanos"
    assert get_customer(customer_id).name == "Peña Hermanos"  # nothing of the second edit was saved
    update_customer(customer_id, second, None, expected_version=conflict.value.current_version)  # overwrite
    assert (get_customer(customer_id).name, get_customer(customer_id).row_version) == ("Peña e Hijos", 3)


def test_rescheduling_from_an_old_version_is_refused(database):
    customer_id = create_customer(CustomerInput(code="C-1", name="Peña"), None)
    when, moved, moved_again = working_slots(3, days_ahead=3)
    follow_up_id = followups.schedule_follow_up(
        customer_id, FollowUpKind.CALL, FollowUpPurpose.COMMERCIAL, when
    ).follow_up_id
    followups.reschedule_follow_up(follow_up_id, moved, expected_version=1)
    assert FollowUp.get_by_id(follow_up_id).row_version == 2
    with pytest.raises(ConcurrentEditError):
        followups.reschedule_follow_up(follow_up_id, moved_again, expected_version=1)
    assert FollowUp.get_by_id(follow_up_id).scheduled_at == moved


def test_a_plan_edited_from_an_old_version_is_refused(database):
    from app.services.followups import plans

    steps = [plans.PlanStepInput(2, FollowUpKind.CALL, FollowUpPurpose.DELIVERY)]
    plan = plans.create_plan("Estándar", None, None, steps)
    assert plan.row_version == 1
    plans.update_plan_steps(plan.id, [*steps, *steps[:1]], expected_version=1)
    assert plans.get_plan(plan.id).row_version == 2
    with pytest.raises(ConcurrentEditError) as conflict:
        plans.update_plan(plan.id, "Otro nombre", None, None, steps, expected_version=1)
    assert conflict.value.current.name == "Estándar"
    assert FollowUpPlan.get_by_id(plan.id).name == "Estándar"
