"""The checklist templates dialog: creating, versioning, refusing, retiring, installing defaults."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.models import (
    CheckItem,
    CheckTemplate,
    Customer,
    Product,
    ProductCategory,
    Sale,
    SaleLine,
    SoldUnit,
    UsageCheck,
)
from app.models.enums import CheckAnswerResult
from app.services import checks
from app.services.checks import AnswerInput, ItemInput
from app.services.reps import create_rep
from app.views import dialogs, master_detail
from app.views import errors as errors_module
from app.views.checks import templates_dialog as dialog_module
from app.views.checks.templates_dialog import PRODUCT, ChecklistTemplatesDialog
from app.views.checks.templates_model import CRITICAL, GUIDANCE, QUESTION, TemplateItemsTableModel
from app.views.dialogs import Unsaved
from app.views.events import CHECKS, app_events
from app.views.pages.base import AppContext

NOW = dt.datetime(2026, 11, 23, 11, 0)


@pytest.fixture
def world(database):
    rep = create_rep("ana", "Ana Garcia")
    coffee = ProductCategory.create(code="coffee", name="Coffee machines")
    ovens = ProductCategory.create(code="ovens", name="Ovens")
    barista = Product.create(sku="CAF-1", name="Barista Pro", category=coffee.id)
    return {
        "context": AppContext(database=database, current_rep=rep),
        "rep": rep,
        "coffee": coffee.id,
        "ovens": ovens.id,
        "barista": barista.id,
    }


@pytest.fixture
def answers(monkeypatch):
    record = {
        "unsaved": [],
        "informed": [],
        "errors": [],
        "confirmed": [],
        "answer": Unsaved.DISCARD,
        "yes": True,
    }

    def ask(parent, question):
        record["unsaved"].append(parent)
        return record["answer"]

    def confirm(parent, question, title=None, **kwargs):
        record["confirmed"].append(question)
        return record["yes"]

    monkeypatch.setattr(dialogs, "ask_unsaved_changes", ask)
    monkeypatch.setattr(master_detail, "inform", lambda parent, title, text: record["informed"].append(text))
    monkeypatch.setattr(errors_module, "show_error", lambda parent, exc: record["errors"].append(str(exc)))
    monkeypatch.setattr(dialog_module.dialogs, "confirm", confirm)
    return record


@pytest.fixture
def make_dialog(qtbot, world, answers):
    def make() -> ChecklistTemplatesDialog:
        dialog = ChecklistTemplatesDialog(world["context"])
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


@pytest.fixture
def notified():
    kinds: list = []

    def record(changed, initiator):
        kinds.append(set(changed))

    app_events().data_changed.connect(record)
    yield kinds
    app_events().data_changed.disconnect(record)


def fill_items(dialog: ChecklistTemplatesDialog, items: list[tuple[str, str, bool]]) -> None:
    model = dialog.items_model
    while model.rowCount() < len(items):
        dialog.add_item()
    for row, (question, guidance, critical) in enumerate(items):
        assert model.setData(model.index(row, QUESTION), question)
        assert model.setData(model.index(row, GUIDANCE), guidance)
        state = Qt.CheckState.Checked if critical else Qt.CheckState.Unchecked
        assert model.setData(model.index(row, CRITICAL), state.value, Qt.ItemDataRole.CheckStateRole)


def tree_lines(dialog: ChecklistTemplatesDialog) -> list[str]:
    lines = []
    for top in range(dialog.tree.topLevelItemCount()):
        group = dialog.tree.topLevelItem(top)
        for child in range(group.childCount()):
            item = group.child(child)
            lines.append(f"{group.text(0)} / {item.text(0)} / {item.text(1)}".rstrip(" /"))
    return lines


def test_items_model_passes_the_model_tester(qtmodeltester):
    model = TemplateItemsTableModel()
    qtmodeltester.check(model)
    model.set_items([ItemInput("A"), ItemInput("B", "show", True)])
    model.insert_row(1)
    model.move_row(0, 1)
    model.remove_row(2)
    qtmodeltester.check(model)
    assert [i.question for i in model.items()] == ["", "A"]


def test_create_a_checklist_through_the_dialog(make_dialog, world, qtbot, notified):
    dialog = make_dialog()
    assert "No checklist yet" in " ".join(tree_lines(dialog))
    dialog.new_checklist()
    qtbot.keyClicks(dialog.field("name"), "x")  # typing marks the editor dirty
    dialog.field("name").setText("Coffee basics")
    fill_items(dialog, [("Fills the tank", "Show the tank", False), ("Descales", "Show the kit", True)])
    assert "version 1" in dialog.version_label.text()
    assert dialog.save()
    template = checks.list_templates()[0]
    assert (template.name, template.version, template.category_id) == ("Coffee basics", 1, world["coffee"])
    assert [(i.question, i.guidance, i.critical) for i in template.items] == [
        ("Fills the tank", "Show the tank", False),
        ("Descales", "Show the kit", True),
    ]
    assert dialog.current_template_id == template.id
    assert "Coffee machines / Coffee basics / version 1" in tree_lines(dialog)
    assert "creates version 2" in dialog.version_label.text()
    assert {CHECKS} in notified


def test_a_product_checklist_overrides_its_category(make_dialog, world):
    dialog = make_dialog()
    dialog.new_checklist()
    dialog.set_scope(PRODUCT, world["barista"])
    dialog.field("name").setText("Barista only")
    fill_items(dialog, [("Milk frother", "", False)])
    assert dialog.save()
    row = checks.get_template(dialog.current_template_id)
    assert row.product_id == world["barista"]
    assert any("Barista Pro: Barista only" in line for line in tree_lines(dialog))


def test_editing_saves_version_2_and_the_old_check_keeps_version_1(make_dialog, world):
    first = checks.create_template(
        "Coffee",
        [ItemInput("Fills the tank"), ItemInput("Descales", critical=True)],
        category_id=world["coffee"],
    )
    customer = Customer.create(code="C-1", name="Pena", rep=world["rep"].id)
    sale = Sale.create(
        number="V-1",
        customer=customer.id,
        rep=world["rep"].id,
        sold_on=dt.date(2026, 11, 1),
        delivered_on=dt.date(2026, 11, 5),
    )
    line = SaleLine.create(sale=sale.id, product=world["barista"], unit_price=Decimal("100"))
    unit = SoldUnit.create(line=line.id, customer=customer.id, product=world["barista"], serial_number="SN-1")
    check_id = checks.start_check(unit.id, world["rep"].id, now=NOW)
    detail = checks.get_check(check_id)
    checks.save_answers(
        check_id, [AnswerInput(a.item_id, CheckAnswerResult.OK) for a in detail.answers], "Juan"
    )
    checks.finish_check(check_id, world["rep"].id, now=NOW)

    dialog = make_dialog()
    assert dialog.current_template_id == first
    model = dialog.items_model
    dialog.add_item()  # after the current item, the first
    model.setData(model.index(1, QUESTION), "Cleans the frother")
    dialog.field("name").setText("Coffee v2")
    assert dialog.save(), (
        dialog.error_text("items"),
        dialog.error_text("general"),
        dialog.error_text("name"),
    )
    new = checks.get_template(dialog.current_template_id)
    assert (new.version, new.name) == (2, "Coffee v2")
    assert [i.question for i in new.items] == ["Fills the tank", "Cleans the frother", "Descales"]
    assert not checks.get_template(first).active
    check = checks.get_check(check_id)
    assert (check.template_id, check.template_version, len(check.answers)) == (first, 1, 2)
    assert "Saved as version 2" in dialog._saved_label.text()

    # Retired versions show read-only on request.
    dialog.show_retired_toggle.setChecked(True)
    assert "Coffee machines / Coffee / version 1, retired" in tree_lines(dialog)
    assert dialog.select_template(first)
    assert not model.flags(model.index(0, QUESTION)) & Qt.ItemFlag.ItemIsEditable
    assert not dialog.has_unsaved_changes()


def test_duplicate_question_is_refused_and_nothing_is_written(make_dialog, world, answers):
    dialog = make_dialog()
    dialog.new_checklist()
    dialog.field("name").setText("Ovens")
    dialog.set_scope(0, world["ovens"])
    fill_items(dialog, [("Preheats", "", False), ("  preheats ", "", True)])
    assert not dialog.save()
    assert dialog.error_text("items") == "Item 2 repeats the question of item 1."
    assert dialog.items_model.problem(1)
    assert CheckTemplate.select().count() == 0 and CheckItem.select().count() == 0
    # The input stays, and switching away asks about it.
    assert dialog.field("name").text() == "Ovens" and dialog.items_model.rowCount() == 2
    assert dialog.has_unsaved_changes()
    answers["answer"] = Unsaved.CANCEL
    dialog.install_defaults()
    assert answers["unsaved"] and CheckTemplate.select().count() == 0


def test_a_second_checklist_for_a_category_shows_next_to_the_field(make_dialog, world):
    checks.create_template("Coffee", [ItemInput("Fills the tank")], category_id=world["coffee"])
    dialog = make_dialog()
    dialog.new_checklist()
    dialog.set_scope(0, world["coffee"])
    fill_items(dialog, [("Anything", "", False)])
    assert not dialog.save()
    assert "already a checklist" in dialog.error_text("category_id")


def test_retire_asks_and_retires(make_dialog, world, answers, notified):
    template_id = checks.create_template("Coffee", [ItemInput("Fills the tank")], category_id=world["coffee"])
    dialog = make_dialog()
    answers["yes"] = False
    dialog.retire()
    assert checks.get_template(template_id).active
    answers["yes"] = True
    dialog.retire()
    assert len(answers["confirmed"]) == 2
    assert not checks.get_template(template_id).active
    assert checks.list_templates() == []
    assert {CHECKS} in notified


def test_install_defaults_tells_how_many(make_dialog, world, answers):
    dialog = make_dialog()
    dialog.install_defaults()
    assert answers["informed"] == ["2 default checklists were created."]
    assert len(checks.list_templates()) == 2
    dialog.install_defaults()
    assert answers["informed"][-1] == "No checklists were created: every product category already has one."
    assert dialog.current_template_id is not None


def test_closing_with_changes_asks(make_dialog, world, answers):
    checks.create_template("Coffee", [ItemInput("Fills the tank")], category_id=world["coffee"])
    dialog = make_dialog()
    dialog.field("name").setText("Coffee renamed")
    answers["answer"] = Unsaved.SAVE
    dialog.reject()
    assert answers["unsaved"]
    assert checks.list_templates()[0].name == "Coffee renamed"
    assert UsageCheck.select().count() == 0
