"""Undo and redo (app.services.undo): each undoable action's business fields come back as before,
the audit log keeps the action and its undoing, redo applies it again, and a record changed in
between is refused rather than overwritten."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import AuditEntry, Customer, FollowUp, FollowUpPlan, Rep, SatisfactionSurvey
from app.models.enums import FollowUpKind, FollowUpOutcome, FollowUpPurpose, FollowUpState, StepAnchor
from app.services import customers as customer_service
from app.services import followups as followup_service
from app.services import undo
from app.services.errors import DomainError
from app.services.followups import plans
from app.services.permissions import Permissions
from app.services.undo import UndoRefused, UndoStack

NOW = dt.datetime(2026, 12, 21, 9, 0)  # a Monday
CALL = FollowUpKind.CALL
P, D, M, C = FollowUpState.PLANNED, FollowUpState.DONE, FollowUpState.MISSED, FollowUpState.CANCELLED


@pytest.fixture
def world(database):
    ana = Rep.create(code="ANA", name="Ana García")
    luis = Rep.create(code="LUIS", name="Luis Pérez")
    customer = Customer.create(code="C-1", name="Peña Hermanos", rep=ana, phone="911 222 333", city="Madrid")
    follow_up = FollowUp.create(
        customer=customer,
        rep=ana,
        kind=CALL,
        purpose=FollowUpPurpose.SATISFACTION,
        scheduled_at=dt.datetime(2026, 12, 22, 10, 0),
        notes="Ask about the oven",
    )
    return {"ana": ana, "luis": luis, "customer": customer, "follow_up": follow_up}


def business(follow_up_id: int) -> dict:
    f = FollowUp.get_by_id(follow_up_id)
    return {
        "scheduled_at": f.scheduled_at,
        "state": f.state,
        "outcome": f.outcome,
        "completed_at": f.completed_at,
        "notes": f.notes,
        "cancel_reason": f.cancel_reason,
        "rep": f.rep_id,
    }


def actions(entity: str, entity_id: int) -> list[str]:
    query = AuditEntry.select().where((AuditEntry.entity == entity) & (AuditEntry.entity_id == entity_id))
    return [e.action for e in query.order_by(AuditEntry.id)]


def followup_recorder(world, name="Action"):
    return undo.for_follow_up(name, world["follow_up"].id, world["ana"].id)


# --- follow-ups ------------------------------------------------------------------


def test_undoing_a_reschedule_puts_the_time_back_and_the_log_keeps_both(world):
    fid = world["follow_up"].id
    before = business(fid)
    recorder = followup_recorder(world, "Reschedule follow-up")
    recorder.run(
        lambda: followup_service.reschedule_follow_up(
            fid,
            dt.datetime(2026, 12, 23, 12, 0),
            acting_rep_id=world["ana"].id,
            now=NOW,
            confirm_placement=True,
        )
    )
    after = business(fid)
    assert after["scheduled_at"] == dt.datetime(2026, 12, 23, 12, 0)
    step = recorder.step
    assert step is not None and step.name == "Reschedule follow-up"

    step.undo()
    assert business(fid) == before
    assert actions("follow_up", fid) == ["update", "undo"]
    step.redo()
    assert business(fid) == after
    assert actions("follow_up", fid) == ["update", "undo", "redo"]
    step.undo()  # again: the version redo left is the one undo starts from
    assert business(fid) == before


def test_undoing_a_completion_goes_back_to_planned_and_removes_its_survey(world):
    fid = world["follow_up"].id
    before = business(fid)
    recorder = followup_recorder(world, "Complete follow-up")
    result = recorder.run(
        lambda: followup_service.complete_follow_up(
            fid,
            FollowUpOutcome.REACHED,
            "Happy with it",
            world["ana"].id,
            satisfaction=5,
            recommend=9,
            now=NOW,
        )
    )
    after = business(fid)
    assert after["state"] is D and result.survey_id is not None
    step = recorder.step

    step.undo()
    assert business(fid) == before  # planned again, no outcome, the notes as they were
    assert not SatisfactionSurvey.select().where(SatisfactionSurvey.follow_up == fid).exists()
    assert actions("follow_up", fid) == ["transition", "undo"]
    assert actions("survey", result.survey_id) == ["create", "undo"]
    # the compensating transition is undo's only: a person cannot take a done follow-up back
    assert not followup_service.can_transition(D, P)

    step.redo()
    assert business(fid) == after
    surveys = list(SatisfactionSurvey.select().where(SatisfactionSurvey.follow_up == fid))
    assert [(s.satisfaction, s.recommend, s.taken_on) for s in surveys] == [(5, 9, NOW.date())]
    assert actions("follow_up", fid) == ["transition", "undo", "redo"]


def test_undoing_a_cancellation_and_a_missed_contact(world):
    fid = world["follow_up"].id
    before = business(fid)
    recorder = followup_recorder(world, "Cancel follow-up")
    recorder.run(lambda: followup_service.cancel_follow_up(fid, "Customer moved away", world["ana"].id))
    assert business(fid)["state"] is C
    recorder.step.undo()
    assert business(fid) == before  # the reason gone too
    recorder.step.redo()
    assert business(fid)["state"] is C and business(fid)["cancel_reason"] == "Customer moved away"
    recorder.step.undo()

    missed = followup_recorder(world, "Mark follow-up as missed")
    missed.run(lambda: followup_service.mark_missed(fid, acting_rep_id=world["ana"].id, now=NOW))
    assert business(fid)["state"] is M
    missed.step.undo()
    assert business(fid) == before
    assert actions("follow_up", fid) == ["transition", "undo", "redo", "undo", "transition", "undo"]


def test_undo_is_refused_when_the_follow_up_changed_meanwhile(world):
    fid = world["follow_up"].id
    recorder = followup_recorder(world, "Reschedule follow-up")
    recorder.run(
        lambda: followup_service.reschedule_follow_up(
            fid, dt.datetime(2026, 12, 23, 12, 0), now=NOW, confirm_placement=True
        )
    )
    # someone else moves it again
    followup_service.reschedule_follow_up(
        fid, dt.datetime(2026, 12, 24, 9, 30), now=NOW, confirm_placement=True
    )
    with pytest.raises(UndoRefused, match="changed after it"):
        recorder.step.undo()
    assert business(fid)["scheduled_at"] == dt.datetime(2026, 12, 24, 9, 30)  # not overwritten
    assert actions("follow_up", fid) == ["update", "update"]


def test_undoing_a_completion_is_refused_once_another_attempt_is_scheduled(world):
    fid = world["follow_up"].id
    recorder = followup_recorder(world, "Complete follow-up")
    recorder.run(
        lambda: followup_service.complete_follow_up(
            fid, FollowUpOutcome.NOT_REACHED, "", world["ana"].id, now=NOW
        )
    )
    followup_service.retry_follow_up(fid, dt.datetime(2026, 12, 22, 10, 0), now=NOW)
    with pytest.raises(UndoRefused, match="another attempt"):
        recorder.step.undo()
    assert business(fid)["state"] is D


def test_undo_is_refused_for_someone_who_may_not_change_the_record(world):
    fid = world["follow_up"].id
    luis = Permissions(role="rep", login="luis", rep_id=world["luis"].id)
    recorder = undo.for_follow_up("Cancel follow-up", fid, world["luis"].id, luis)
    recorder.run(lambda: followup_service.cancel_follow_up(fid, "By mistake", world["luis"].id))
    with pytest.raises(UndoRefused, match="Only its rep"):
        recorder.step.undo()
    assert business(fid)["state"] is C


def test_a_command_that_changes_nothing_or_fails_leaves_no_step(world):
    fid = world["follow_up"].id
    recorder = followup_recorder(world)
    with pytest.raises(DomainError):
        recorder.run(lambda: followup_service.cancel_follow_up(fid, "", world["ana"].id))
    assert recorder.step is None
    recorder.run(lambda: None)
    assert recorder.step is None


# --- customers -------------------------------------------------------------------


def test_undoing_a_customer_edit_and_an_archive(world):
    cid = world["customer"].id
    original = customer_service.get_customer(cid).to_input()
    edit = undo.for_customer("Edit customer", cid, world["ana"].id)
    changed = customer_service.get_customer(cid).to_input()
    changed.name, changed.city, changed.need_tags = "Peña Hermanos S.L.", "Toledo", ["Horno"]
    edit.run(
        lambda: customer_service.update_customer(
            cid, changed, world["ana"].id, expected_version=customer_service.get_customer(cid).row_version
        )
    )
    edit.step.undo()
    restored = customer_service.get_customer(cid)
    assert restored.to_input() == original
    edit.step.redo()
    assert customer_service.get_customer(cid).city == "Toledo"
    assert customer_service.get_customer(cid).need_tags == ["Horno"]
    edit.step.undo()

    archive = undo.for_customer("Archive customer", cid, world["ana"].id)
    archive.run(lambda: customer_service.archive_customer(cid, world["ana"].id))
    assert customer_service.get_customer(cid).archived
    archive.step.undo()
    assert not customer_service.get_customer(cid).archived
    archive.step.redo()
    assert customer_service.get_customer(cid).archived
    assert actions("customer", cid) == ["update", "undo", "redo", "undo", "archive", "undo", "redo"]


def test_undoing_a_customer_edit_is_refused_after_another_edit(world):
    cid = world["customer"].id
    edit = undo.for_customer("Edit customer", cid, None)
    data = customer_service.get_customer(cid).to_input()
    data.city = "Toledo"
    edit.run(lambda: customer_service.update_customer(cid, data, None))
    customer_service.archive_customer(cid, None)  # any change moves the row version on
    with pytest.raises(UndoRefused):
        edit.step.undo()
    assert customer_service.get_customer(cid).city == "Toledo"


# --- plans -----------------------------------------------------------------------


def test_undoing_a_plan_step_edit(world):
    step = plans.PlanStepInput(2, CALL, FollowUpPurpose.DELIVERY, StepAnchor.DELIVERY, 10)
    plan = plans.create_plan("Ovens", None, None, [step])
    edit = undo.for_plan("Edit follow-up plan", plan.id, None)
    moved = plans.PlanStepInput(5, FollowUpKind.VISIT, FollowUpPurpose.DELIVERY, StepAnchor.DELIVERY, 45)
    edit.run(lambda: plans.update_plan_steps(plan.id, [moved, step], expected_version=plan.row_version))
    assert [s.offset_days for s in plans.get_plan(plan.id).steps] == [5, 2]
    edit.step.undo()
    assert [s.to_input() for s in plans.get_plan(plan.id).steps] == [step]
    edit.step.redo()
    assert [s.to_input() for s in plans.get_plan(plan.id).steps] == [moved, step]
    assert actions("follow_up_plan", plan.id) == ["create", "update", "undo", "redo"]

    plans.update_plan(plan.id, "Ovens and hobs", None, None, [step])  # someone else's edit
    with pytest.raises(UndoRefused):
        edit.step.undo()
    assert FollowUpPlan.get_by_id(plan.id).name == "Ovens and hobs"


def test_undoing_a_plan_edit_needs_the_plans_right(world):
    plan = plans.create_plan("Ovens", None, None, [plans.PlanStepInput(2, CALL, FollowUpPurpose.DELIVERY)])
    rep = Permissions(role="rep", login="ana", rep_id=world["ana"].id)
    edit = undo.for_plan("Edit follow-up plan", plan.id, None, rep)
    edit.run(lambda: plans.update_plan(plan.id, "Hornos", None, None, [s.to_input() for s in plan.steps]))
    with pytest.raises(UndoRefused, match="Only a manager"):
        edit.step.undo()


# --- the stack -------------------------------------------------------------------


def test_the_stack_undoes_newest_first_and_a_new_step_clears_redo(world):
    fid, cid = world["follow_up"].id, world["customer"].id
    stack = UndoStack()
    assert stack.undo_step is None and stack.redo_step is None
    first = followup_recorder(world, "Reschedule follow-up")
    first.run(
        lambda: followup_service.reschedule_follow_up(
            fid, dt.datetime(2026, 12, 23, 12, 0), now=NOW, confirm_placement=True
        )
    )
    stack.push(first.step)
    second = undo.for_customer("Archive customer", cid, None)
    second.run(lambda: customer_service.archive_customer(cid, None))
    stack.push(second.step)

    assert stack.undo_step.name == "Archive customer"
    assert stack.undo().name == "Archive customer"
    assert stack.redo_step.name == "Archive customer"
    assert stack.undo().name == "Reschedule follow-up"
    assert business(fid)["scheduled_at"] == dt.datetime(2026, 12, 22, 10, 0)
    assert stack.undo_step is None
    stack.redo()
    third = undo.for_customer("Archive customer", cid, None)
    third.run(lambda: customer_service.archive_customer(cid, None))
    stack.push(third.step)
    assert stack.redo_step is None  # a new action: what was undone cannot be redone any more


def test_a_refused_undo_leaves_the_stack(world):
    fid = world["follow_up"].id
    stack = UndoStack()
    recorder = followup_recorder(world, "Cancel follow-up")
    recorder.run(lambda: followup_service.cancel_follow_up(fid, "No", None))
    stack.push(recorder.step)
    FollowUp.update(notes="changed elsewhere", row_version=FollowUp.row_version + 1).where(
        FollowUp.id == fid
    ).execute()
    with pytest.raises(UndoRefused):
        stack.undo()
    assert stack.undo_step is None and stack.redo_step is None
