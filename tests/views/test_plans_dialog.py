"""The follow-up plans dialog: creating, refusing, duplicating, installing defaults, unsaved changes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QSpinBox

from app.models import FollowUpPlan, ProductCategory
from app.models.enums import FollowUpKind, FollowUpPurpose, Segment, StepAnchor
from app.services.followups import plans
from app.services.followups.plans import PlanStepInput
from app.services.reps import create_rep
from app.views import dialogs, master_detail
from app.views import errors as errors_module
from app.views.dialogs import Unsaved
from app.views.events import SETTINGS, app_events
from app.views.pages.base import AppContext
from app.views.plans.dialog import PlansDialog
from app.views.plans.steps_model import ANCHOR, DAY, KIND, OFFSET, PURPOSE, PlanStepsTableModel

CALL, VISIT = FollowUpKind.CALL, FollowUpKind.VISIT


@pytest.fixture
def context(database):
    return AppContext(database=database, current_rep=create_rep("ana", "Ana Garcia"))


@pytest.fixture
def categories(database):
    return {
        "coffee": ProductCategory.create(code="COFFEE", name="Coffee machines").id,
        "ovens": ProductCategory.create(code="OVENS", name="Ovens").id,
    }


@pytest.fixture
def answers(monkeypatch):
    """Record the questions and boxes the dialog shows; unsaved changes are discarded by default."""
    record = {"unsaved": [], "informed": [], "errors": [], "answer": Unsaved.DISCARD}

    def ask(parent, question):
        record["unsaved"].append(parent)
        return record["answer"]

    monkeypatch.setattr(dialogs, "ask_unsaved_changes", ask)
    monkeypatch.setattr(master_detail, "inform", lambda parent, title, text: record["informed"].append(text))
    monkeypatch.setattr(errors_module, "show_error", lambda parent, exc: record["errors"].append(str(exc)))
    return record


@pytest.fixture
def make_dialog(qtbot, context, answers):
    def make() -> PlansDialog:
        dialog = PlansDialog(context)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def standard_plan(category_id: int, name: str = "Coffee standard") -> plans.PlanRow:
    return plans.create_plan(
        name,
        category_id,
        None,
        [
            PlanStepInput(2, CALL, FollowUpPurpose.DELIVERY),
            PlanStepInput(15, VISIT, FollowUpPurpose.USAGE_CHECK, duration_minutes=60),
        ],
    )


def visible_plan_lines(dialog: PlansDialog) -> list[str]:
    lines = []
    tree = dialog.tree
    for top in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(top)
        for child in range(group.childCount()):
            item = group.child(child)
            lines.append(f"{group.text(0)} / {item.text(0)} / {item.text(1)}".rstrip(" /"))
    return lines


# --- the steps model -------------------------------------------------------------


def test_steps_model_passes_the_model_tester(qtmodeltester):
    model = PlanStepsTableModel()
    qtmodeltester.check(model)
    model.set_steps(
        [
            PlanStepInput(2, CALL, FollowUpPurpose.DELIVERY),
            PlanStepInput(10, VISIT, FollowUpPurpose.USAGE_CHECK, StepAnchor.PREVIOUS, 45),
        ]
    )
    qtmodeltester.check(model)
    model.insert_row(1)
    model.move_row(0, 1)
    model.remove_row(2)
    qtmodeltester.check(model)


def test_steps_model_shows_labels_and_days_from_delivery():
    model = PlanStepsTableModel()
    model.set_steps(
        [
            PlanStepInput(2, CALL, FollowUpPurpose.DELIVERY),
            PlanStepInput(10, VISIT, FollowUpPurpose.USAGE_CHECK, StepAnchor.PREVIOUS, 45),
        ]
    )
    assert [model.index(1, c).data() for c in (DAY, OFFSET, ANCHOR, KIND, PURPOSE)] == [
        "D+12",
        "10",
        "previous step",
        "Personal visit",
        "Correct-use check",
    ]
    assert model.index(1, ANCHOR).data(Qt.ItemDataRole.ToolTipRole) == "Days after the previous step"
    # Changing the first step's offset moves the day of the step counted from it.
    assert model.setData(model.index(0, OFFSET), 5)
    assert model.index(1, DAY).data() == "D+15"
    assert model.setData(model.index(1, KIND), "call")
    assert model.step_at(1).kind is CALL
    assert not model.setData(model.index(1, KIND), "carrier pigeon")
    assert not model.setData(model.index(0, DAY), 3)


def test_moving_steps_keeps_their_content():
    model = PlanStepsTableModel()
    first, second = (
        PlanStepInput(2, CALL, FollowUpPurpose.DELIVERY),
        PlanStepInput(9, VISIT, FollowUpPurpose.WARRANTY),
    )
    model.set_steps([first, second])
    assert model.move_row(0, 1) == 1
    assert model.steps() == [second, first]
    assert model.move_row(0, -1) == 0  # already at the top
    assert model.steps() == [second, first]


# --- creating a plan -------------------------------------------------------------


def test_create_a_plan_with_steps_through_the_dialog(qtbot, make_dialog, categories, context):
    dialog = make_dialog()
    assert dialog._right.currentIndex() == 0  # empty state: no plans yet
    qtbot.mouseClick(dialog._empty_new_button, Qt.MouseButton.LeftButton)
    assert dialog._right.currentIndex() == 1
    dialog.set_category(categories["ovens"])
    dialog.field("name").clear()
    qtbot.keyClicks(dialog.field("name"), "Ovens after sale")

    qtbot.mouseClick(dialog._add_row_button, Qt.MouseButton.LeftButton)
    model = dialog.steps_model
    assert model.rowCount() == 2
    # Edit the new step's days through the table's own editor, left open when saving.
    table = dialog._table
    index = model.index(1, OFFSET)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.findChild(QSpinBox)
    assert editor is not None and editor.minimum() == 0
    editor.setValue(40)
    model.setData(model.index(1, KIND), VISIT)
    model.setData(model.index(1, PURPOSE), FollowUpPurpose.USAGE_CHECK)

    with qtbot.waitSignal(app_events().data_changed) as signal:
        qtbot.mouseClick(dialog._save_button, Qt.MouseButton.LeftButton)
    assert SETTINGS in signal.args[0]

    [plan] = plans.list_plans()
    assert (plan.name, plan.category_id, plan.segment) == ("Ovens after sale", categories["ovens"], None)
    assert [(s.offset_days, s.anchor, s.kind, s.purpose) for s in plan.steps] == [
        (2, StepAnchor.DELIVERY, CALL, FollowUpPurpose.DELIVERY),
        (40, StepAnchor.PREVIOUS, VISIT, FollowUpPurpose.USAGE_CHECK),
    ]
    assert dialog.current_plan_id == plan.id
    assert not dialog.has_unsaved_changes()
    assert "Ovens / Standard / Active" in visible_plan_lines(dialog)
    assert plans.get_plan(plan.id).active


def test_editing_a_plan_changes_only_that_plan(qtbot, make_dialog, categories):
    plan = standard_plan(categories["coffee"])
    dialog = make_dialog()
    assert dialog.current_plan_id == plan.id
    dialog.steps_model.setData(dialog.steps_model.index(1, OFFSET), 20)
    dialog._table.selectRow(0)
    qtbot.mouseClick(dialog._down_button, Qt.MouseButton.LeftButton)  # the visit first now
    assert dialog.has_unsaved_changes()
    qtbot.mouseClick(dialog._save_button, Qt.MouseButton.LeftButton)
    # The first step cannot count from the previous one: moving it down kept its anchor (delivery).
    stored = plans.get_plan(plan.id)
    assert [(s.offset_days, s.kind) for s in stored.steps] == [(20, VISIT), (2, CALL)]
    assert stored.name == "Coffee standard"


# --- bad input -----------------------------------------------------------------------


def test_a_plan_without_steps_is_refused_and_the_input_kept(qtbot, make_dialog, categories):
    dialog = make_dialog()
    qtbot.mouseClick(dialog._new_button, Qt.MouseButton.LeftButton)
    dialog.field("name").clear()
    qtbot.keyClicks(dialog.field("name"), "Nothing to do")
    dialog._table.selectRow(0)
    qtbot.mouseClick(dialog._remove_row_button, Qt.MouseButton.LeftButton)
    assert dialog.steps_model.rowCount() == 0

    qtbot.mouseClick(dialog._save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text("steps") == "A plan needs at least one step."
    assert FollowUpPlan.select().count() == 0
    assert dialog.isVisible() and dialog.field("name").text() == "Nothing to do"
    assert dialog.current_plan_id is None


def test_a_negative_offset_is_refused_with_the_step_marked(qtbot, make_dialog, categories):
    plan = standard_plan(categories["coffee"])
    dialog = make_dialog()
    model = dialog.steps_model
    model.setData(model.index(1, OFFSET), -3)  # e.g. pasted: the service is the one to refuse it
    qtbot.mouseClick(dialog._save_button, Qt.MouseButton.LeftButton)

    assert dialog.error_text("steps") == "Step 2: the number of days cannot be negative."
    assert model.has_errors()
    assert (
        model.index(1, OFFSET).data(Qt.ItemDataRole.ToolTipRole)
        == "Step 2: the number of days cannot be negative."
    )
    assert model.index(1, OFFSET).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(0, OFFSET).data(Qt.ItemDataRole.BackgroundRole) is None
    assert [s.offset_days for s in plans.get_plan(plan.id).steps] == [2, 15]  # nothing written
    assert model.step_at(1).offset_days == -3  # what was typed stays to be corrected

    model.setData(model.index(1, OFFSET), 3)
    assert not model.has_errors()
    qtbot.mouseClick(dialog._save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text("steps") == ""
    assert [s.offset_days for s in plans.get_plan(plan.id).steps] == [2, 3]


def test_the_first_step_counted_from_a_previous_one_is_refused(qtbot, make_dialog, categories):
    standard_plan(categories["coffee"])
    dialog = make_dialog()
    dialog.steps_model.setData(dialog.steps_model.index(0, ANCHOR), StepAnchor.PREVIOUS)
    qtbot.mouseClick(dialog._save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text("steps") == "Step 1: the first step counts from the delivery."


def test_a_second_active_plan_for_the_same_segment_is_refused(qtbot, make_dialog, categories):
    standard_plan(categories["coffee"])
    dialog = make_dialog()
    qtbot.mouseClick(dialog._new_button, Qt.MouseButton.LeftButton)
    dialog.set_category(categories["coffee"])
    dialog.set_segment(None)
    qtbot.mouseClick(dialog._save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text("segment") == "There is already an active plan for this category and segment."
    assert FollowUpPlan.select().count() == 1


# --- segment variants, activation ------------------------------------------------------


def test_duplicate_as_segment_variant(qtbot, make_dialog, categories):
    plan = standard_plan(categories["coffee"])
    dialog = make_dialog()
    qtbot.mouseClick(dialog._duplicate_button, Qt.MouseButton.LeftButton)
    assert dialog.current_plan_id is None
    name, category_id, segment, steps = dialog.values()
    assert (category_id, segment) == (categories["coffee"], Segment.A)  # the first free segment
    assert name == "Coffee machines \u2013 A customers"
    assert steps == [s.to_input() for s in plan.steps]
    assert dialog.field("segment").currentText() == "A (top value)"  # the label, never the code

    dialog.steps_model.setData(dialog.steps_model.index(0, KIND), VISIT)  # A customers get a visit
    qtbot.mouseClick(dialog._save_button, Qt.MouseButton.LeftButton)

    variant = plans.get_plan(dialog.current_plan_id)
    assert (variant.category_id, variant.segment, variant.active) == (categories["coffee"], Segment.A, True)
    assert [s.kind for s in variant.steps] == [VISIT, VISIT]
    assert [s.kind for s in plans.get_plan(plan.id).steps] == [CALL, VISIT]  # the original stays
    assert visible_plan_lines(dialog)[:2] == [
        "Coffee machines / Standard / Active",
        "Coffee machines / A customers / Active",
    ]
    # Duplicating again proposes the next free segment.
    qtbot.mouseClick(dialog._duplicate_button, Qt.MouseButton.LeftButton)
    assert dialog.values()[2] is Segment.B


def test_deactivate_and_activate(qtbot, make_dialog, categories, answers):
    plan = standard_plan(categories["coffee"])
    dialog = make_dialog()
    assert dialog._active_button.text() == "Deactivate"
    qtbot.mouseClick(dialog._active_button, Qt.MouseButton.LeftButton)
    assert not plans.get_plan(plan.id).active
    assert dialog._active_button.text() == "Activate"
    assert "Coffee machines / Standard / Inactive" in visible_plan_lines(dialog)
    assert not dialog._inactive_note.isHidden()

    # Another standard plan takes its place; switching the old one back on is refused.
    other = standard_plan(categories["coffee"], "Newer")
    dialog.reload()
    qtbot.mouseClick(dialog._active_button, Qt.MouseButton.LeftButton)
    assert answers["errors"] == ["There is already an active plan for this category and segment."]
    assert not plans.get_plan(plan.id).active and plans.get_plan(other.id).active


# --- default plans and the empty state --------------------------------------------------


def test_install_default_plans(qtbot, make_dialog, categories, answers):
    dialog = make_dialog()
    assert "Install the default plans for every category (2)" in dialog._empty_label.text()
    qtbot.mouseClick(dialog._empty_defaults_button, Qt.MouseButton.LeftButton)
    assert answers["informed"] == ["4 default plans were created."]
    assert FollowUpPlan.select().count() == 4
    assert visible_plan_lines(dialog) == [
        "Coffee machines / Standard / Active",
        "Coffee machines / A customers / Active",
        "Ovens / Standard / Active",
        "Ovens / A customers / Active",
    ]
    assert dialog._right.currentIndex() == 1 and dialog.current_plan_id is not None

    qtbot.mouseClick(dialog._defaults_button, Qt.MouseButton.LeftButton)
    assert (
        answers["informed"][-1]
        == "No plans were created: every product category already has its default plans."
    )
    assert FollowUpPlan.select().count() == 4


def test_without_categories_the_empty_state_explains(make_dialog):
    dialog = make_dialog()
    assert dialog._right.currentIndex() == 0
    assert "no product categories" in dialog._empty_label.text()
    assert not dialog._empty_defaults_button.isEnabled()
    assert not dialog._defaults_button.isEnabled()
    assert dialog.tree.topLevelItemCount() == 0


def test_a_category_without_a_plan_says_so(make_dialog, categories):
    standard_plan(categories["coffee"])
    dialog = make_dialog()
    assert visible_plan_lines(dialog) == ["Coffee machines / Standard / Active", "Ovens / No plan yet"]


# --- unsaved changes -------------------------------------------------------------------


def test_switching_plans_asks_about_unsaved_changes(qtbot, make_dialog, categories, answers):
    coffee = standard_plan(categories["coffee"])
    ovens = standard_plan(categories["ovens"], "Ovens standard")
    dialog = make_dialog()
    assert dialog.current_plan_id == coffee.id
    dialog.field("name").clear()
    qtbot.keyClicks(dialog.field("name"), "Renamed")

    answers["answer"] = Unsaved.CANCEL
    assert not dialog.select_plan(ovens.id)
    assert len(answers["unsaved"]) == 1
    assert dialog.current_plan_id == coffee.id and dialog.field("name").text() == "Renamed"
    assert dialog.tree.currentItem().data(0, Qt.ItemDataRole.UserRole) == coffee.id

    answers["answer"] = Unsaved.SAVE
    assert dialog.select_plan(ovens.id)
    assert plans.get_plan(coffee.id).name == "Renamed"
    assert dialog.field("name").text() == "Ovens standard"

    dialog.field("name").clear()
    qtbot.keyClicks(dialog.field("name"), "Forget me")
    answers["answer"] = Unsaved.DISCARD
    assert dialog.select_plan(coffee.id)
    assert plans.get_plan(ovens.id).name == "Ovens standard"


def test_closing_with_unsaved_changes_asks(qtbot, make_dialog, categories, answers):
    standard_plan(categories["coffee"])
    dialog = make_dialog()
    dialog.reject()  # nothing changed: closes without a question
    assert answers["unsaved"] == [] and not dialog.isVisible()

    dialog = make_dialog()
    dialog.steps_model.setData(dialog.steps_model.index(0, OFFSET), 4)
    answers["answer"] = Unsaved.CANCEL
    dialog.reject()
    assert dialog.isVisible() and len(answers["unsaved"]) == 1
    answers["answer"] = Unsaved.DISCARD
    dialog.reject()
    assert not dialog.isVisible()
    assert plans.list_plans()[0].steps[0].offset_days == 2


def test_ask_returns_whether_anything_changed(monkeypatch, context, categories):
    monkeypatch.setattr(PlansDialog, "exec", lambda self: self._on_defaults_button_clicked() or 0)
    monkeypatch.setattr(master_detail, "inform", lambda *args: None)
    assert PlansDialog.ask(None, context) is True
    monkeypatch.setattr(PlansDialog, "exec", lambda self: 0)
    assert PlansDialog.ask(None, context) is False


def test_model_index_helpers_ignore_invalid_indexes():
    model = PlanStepsTableModel()
    assert model.data(QModelIndex()) is None
    assert not model.setData(QModelIndex(), 3)
