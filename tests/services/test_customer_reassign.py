"""Reassigning a customer to another rep: a manager's command, audited, refused to a rep."""

from __future__ import annotations

import json

import pytest

from app.models import AuditEntry, Customer, Rep
from app.models.enums import RepRole
from app.models.server_rights import MANAGER, REP
from app.services import customers as svc
from app.services.customers import CustomerInput
from app.services.errors import ConcurrentEditError, DomainError, NotFoundError
from app.services.permissions import Permissions
from app.services.reps import create_rep


@pytest.fixture
def people(database):
    ana = create_rep("ana", "Ana")
    luis = create_rep("luis", "Luis")
    boss = create_rep("boss", "Boss", RepRole.MANAGER)
    customer = svc.create_customer(CustomerInput(code="C-1", name="Peña", rep_id=ana.id), ana.id)
    return ana, luis, boss, customer


def reassignments() -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == "reassign"))


def test_a_manager_reassigns_and_the_audit_names_old_and_new_rep(people):
    ana, luis, boss, customer = people
    manager = Permissions(role=MANAGER, login="boss", rep_id=boss.id)
    version = svc.get_customer(customer).row_version

    assert svc.reassign_customer(customer, luis.id, boss.id, permissions=manager, expected_version=version)

    assert Customer.get_by_id(customer).rep_id == luis.id
    [entry] = reassignments()
    assert (entry.entity, entry.entity_id, entry.rep_id, entry.label) == (
        "customer",
        customer,
        boss.id,
        "C-1",
    )
    assert json.loads(entry.changes) == {"rep": [ana.id, luis.id]}
    assert not svc.reassign_customer(customer, luis.id, boss.id, permissions=manager)  # already theirs
    assert len(reassignments()) == 1


def test_a_rep_may_not_reassign(people):
    ana, luis, _boss, customer = people
    with pytest.raises(DomainError, match="Only a manager can assign customers to reps."):
        svc.reassign_customer(customer, luis.id, ana.id, permissions=Permissions(role=REP, rep_id=ana.id))
    assert Customer.get_by_id(customer).rep_id == ana.id and reassignments() == []


def test_refusals_leave_nothing_written(people):
    ana, luis, boss, customer = people
    Rep.update(active=False).where(Rep.id == luis.id).execute()
    with pytest.raises(DomainError, match="active rep"):
        svc.reassign_customer(customer, luis.id, boss.id)
    with pytest.raises(DomainError, match="active rep"):
        svc.reassign_customer(customer, 9999, boss.id)
    with pytest.raises(NotFoundError):
        svc.reassign_customer(9999, ana.id, boss.id)
    stale = svc.get_customer(customer).row_version - 1
    with pytest.raises(ConcurrentEditError):
        svc.reassign_customer(customer, boss.id, boss.id, expected_version=stale)
    assert Customer.get_by_id(customer).rep_id == ana.id and reassignments() == []
