"""Editing a rep: name, contact details and working hours of her own (both or neither, at least an
hour long), audited old → new; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.i18n import using_language
from app.models import AuditEntry, Rep
from app.services import audit
from app.services.audit import AuditFilter
from app.services.errors import NotFoundError, ValidationError
from app.services.reps import RepInput, create_rep, get_rep, update_rep


@pytest.fixture
def ana(database):
    return create_rep("ANA", "Ana García", email="ana@example.es")


def test_a_rep_gets_hours_of_her_own_and_back_to_the_company_s(ana):
    edited = update_rep(
        ana.id,
        RepInput(" Ana García López ", "ana@example.es", "600 000 001", dt.time(7, 30), dt.time(15, 0)),
    )
    assert (edited.name, edited.phone, edited.own_hours) == (
        "Ana García López",
        "600 000 001",
        (dt.time(7, 30), dt.time(15)),
    )
    assert get_rep(ana.id) == edited
    back = update_rep(ana.id, RepInput("Ana García López", "ana@example.es", "600 000 001"))
    assert back.own_hours is None
    assert (Rep.get_by_id(ana.id).working_hours_start, Rep.get_by_id(ana.id).working_hours_end) == (
        None,
        None,
    )


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (dt.time(9), None, "working_hours_end", "both the start and the end"),
        (None, dt.time(14), "working_hours_start", "both the start and the end"),
        (dt.time(14), dt.time(9), "working_hours_end", "at least an hour after"),
        (dt.time(9), dt.time(9, 45), "working_hours_end", "at least an hour after"),
    ],
)
def test_hours_are_both_or_neither_and_end_an_hour_after_they_start(ana, start, end, field, words):
    with pytest.raises(ValidationError) as refused:
        update_rep(ana.id, RepInput("Ana García", working_hours_start=start, working_hours_end=end))
    assert list(refused.value.errors) == [field] and words in refused.value.errors[field]
    assert get_rep(ana.id).own_hours is None  # nothing stored


def test_name_and_e_mail_are_checked(ana):
    with pytest.raises(ValidationError) as refused:
        update_rep(ana.id, RepInput("  ", "ana@", "x" * 41))
    assert set(refused.value.errors) == {"name", "email", "phone"}
    assert get_rep(ana.id).name == "Ana García"
    with pytest.raises(NotFoundError):
        update_rep(ana.id + 99, RepInput("Nadie"))


def test_the_edit_is_audited_old_to_new_and_an_unchanged_save_writes_nothing(ana):
    update_rep(ana.id, RepInput("Ana García", "ana@example.es", "", dt.time(9), dt.time(14)), ana.id)
    update_rep(ana.id, RepInput("Ana García", "ana@example.es", "", dt.time(9), dt.time(14)), ana.id)
    entries = list(AuditEntry.select().where((AuditEntry.entity == "rep") & (AuditEntry.action == "update")))
    assert len(entries) == 1
    assert json.loads(entries[0].changes) == {
        "working_hours_start": [None, "09:00"],
        "working_hours_end": [None, "14:00"],
    }
    with using_language("en"):
        (row,) = audit.list_entries(AuditFilter(entity="rep", action="update"))
    assert set(row.changes) == {"Working hours from: — → 09:00", "Working hours until: — → 14:00"}
