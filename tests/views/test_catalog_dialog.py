"""Products and categories: the catalogue dialog, the category and product dialogs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from app import i18n
from app.models import AuditEntry, FollowUpPlan, Product, ProductCategory
from app.services import sales
from app.services.reps import create_rep
from app.services.sales import catalog
from app.services.sales.catalog import ProductInput
from app.views.catalog.dialog import CatalogDialog, CategoryDialog, ProductDialog
from app.views.catalog.table_model import ACTIVE, NAME, PRICE, SKU, WARRANTY, ProductTableModel
from app.views.events import SALES, app_events
from app.views.pages.base import AppContext


@pytest.fixture
def rep(database):
    return create_rep("ana", "Ana Garcia")


@pytest.fixture
def make_dialog(qtbot, database, rep):
    def make() -> CatalogDialog:
        dialog = CatalogDialog(AppContext(database=database, current_rep=rep))
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def save(dialog: QDialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def row_texts(model: ProductTableModel, row: int) -> list[str]:
    return [model.index(row, column).data() for column in range(model.columnCount())]


def test_empty_catalogue_invites_to_create_a_category(make_dialog):
    dialog = make_dialog()
    assert dialog.empty_state_text() == "No categories yet: create one to start recording sales."
    assert not dialog._new_product_button.isEnabled()


def test_create_a_category_then_a_product_through_the_dialogs(qtbot, make_dialog, monkeypatch, rep):
    dialog = make_dialog()
    seen = {}

    def fill_category(category_dialog: CategoryDialog) -> int:
        qtbot.keyClicks(category_dialog.field("code"), "COFFEE")
        save(category_dialog)
        seen["category_error"] = category_dialog.error_text("name")
        qtbot.keyClicks(category_dialog.field("name"), "Coffee machines")
        save(category_dialog)
        return category_dialog.result()

    monkeypatch.setattr(CategoryDialog, "exec", fill_category)
    with qtbot.waitSignal(app_events().data_changed) as signal:
        dialog._new_category_button.click()
    assert seen["category_error"] == "Enter the category's name."
    assert signal.args == [frozenset({SALES}), dialog]
    category = ProductCategory.get(ProductCategory.code == "COFFEE")
    assert FollowUpPlan.select().where(FollowUpPlan.category == category.id).count() == 2  # default plans
    item = dialog.tree.currentItem()
    assert (item.text(0), item.text(1)) == ("Coffee machines", "0")
    assert dialog.empty_state_text().startswith("No products in this category yet")

    def fill_product(product_dialog: ProductDialog) -> int:
        assert product_dialog.values().category_id == category.id  # the chosen category by default
        qtbot.keyClicks(product_dialog.field("name"), "Espresso 200")
        product_dialog.field("price").setValue(899.9)
        save(product_dialog)  # no SKU yet: refused, next to the field, input kept
        seen["product"] = (
            product_dialog.result(),
            product_dialog.error_text("sku"),
            product_dialog.error_text("name"),
            product_dialog.field("name").text(),
        )
        qtbot.keyClicks(product_dialog.field("sku"), "CM-200")
        assert product_dialog.error_text("sku") == ""  # typing clears the message
        save(product_dialog)
        return product_dialog.result()

    monkeypatch.setattr(ProductDialog, "exec", fill_product)
    with qtbot.waitSignal(app_events().data_changed):
        dialog._new_product_button.click()
    assert seen["product"] == (
        QDialog.DialogCode.Rejected,
        "Enter the SKU (the product's reference).",
        "",
        "Espresso 200",
    )
    product = Product.get(Product.sku == "CM-200")
    assert (product.name, product.price, product.warranty_months) == ("Espresso 200", Decimal("899.90"), 24)
    audit = AuditEntry.get((AuditEntry.entity == "product") & (AuditEntry.entity_id == product.id))
    assert audit.rep_id == rep.id  # the user of the app is the author
    assert row_texts(dialog.model, 0) == ["CM-200", "Espresso 200", "24 months", "€899.90", "Yes", "Yes"]
    assert dialog.selected_product().id == product.id
    assert dialog.tree.currentItem().text(1) == "1"
    assert [p.sku for p in sales.list_products()] == ["CM-200"]  # offered in the sale dialog


@pytest.fixture
def coffee(rep):
    category_id = catalog.create_category("COFFEE", "Coffee machines")
    product_id = catalog.create_product(
        ProductInput(sku="CM-1", name="Espresso", category_id=category_id, price=Decimal("450"))
    )
    return category_id, product_id


def test_duplicate_sku_is_shown_under_the_field_and_input_kept(qtbot, coffee):
    category_id, _product_id = coffee
    dialog = ProductDialog(None, None, category_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.field("sku"), "cm-1")
    qtbot.keyClicks(dialog.field("name"), "Grinder")
    dialog.field("warranty_months").setValue(36)
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_text("sku") == "Another product already has the SKU cm-1."
    assert (dialog.field("name").text(), dialog.field("warranty_months").value()) == ("Grinder", 36)
    assert Product.select().count() == 1


def test_edit_a_product(qtbot, coffee):
    _category_id, product_id = coffee
    dialog = ProductDialog(None, product_id)
    qtbot.addWidget(dialog)
    assert dialog.values() == ProductInput.from_row(catalog.get_product(product_id))
    dialog.field("serialised").setChecked(False)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not Product.get_by_id(product_id).serialised


def test_price_is_typed_in_the_language_of_the_app(qtbot, coffee):
    i18n.set_language("es")
    category_id, _product_id = coffee
    dialog = ProductDialog(None, None, category_id)
    qtbot.addWidget(dialog)
    price = dialog.field("price")
    price.lineEdit().selectAll()
    qtbot.keyClicks(price, "1234,5")
    assert dialog.values().price == Decimal("1234.50")  # the comma is the decimal separator


def test_deactivate_and_activate_a_product(qtbot, make_dialog, coffee):
    category_id, product_id = coffee
    dialog = make_dialog()
    dialog.select_category(category_id)
    assert dialog.select_product(product_id)
    assert dialog._active_button.text() == "Deactivate"
    with qtbot.waitSignal(app_events().data_changed) as signal:
        dialog._active_button.click()
    assert signal.args[0] == frozenset({SALES})
    assert not Product.get_by_id(product_id).active
    assert sales.list_products() == []  # no longer offered for sale
    assert row_texts(dialog.model, 0)[ACTIVE] == "No"
    assert dialog.model.index(0, NAME).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert dialog.model.index(0, NAME).data(Qt.ItemDataRole.FontRole).italic()
    assert dialog.selected_product().id == product_id and dialog._active_button.text() == "Activate"
    dialog._active_button.click()
    assert Product.get_by_id(product_id).active and [p.id for p in sales.list_products()] == [product_id]


def test_search_filters_the_products_of_the_category(make_dialog, coffee):
    category_id, _product_id = coffee
    catalog.create_product(ProductInput(sku="GR-1", name="Grinder", category_id=category_id))
    dialog = make_dialog()
    assert [dialog.model.index(r, SKU).data() for r in range(dialog.model.rowCount())] == ["CM-1", "GR-1"]
    dialog._search.setText("grind")
    assert [dialog.model.index(r, SKU).data() for r in range(dialog.model.rowCount())] == ["GR-1"]
    dialog._search.setText("nothing")
    assert dialog.empty_state_text() == "No product matches “nothing”."


def test_product_model_passes_the_model_tester(qtmodeltester, coffee):
    category_id, _product_id = coffee
    catalog.create_product(
        ProductInput(sku="GR-1", name="Grinder", category_id=category_id, warranty_months=0)
    )
    model = ProductTableModel()
    model.set_filter(category_id)
    assert model.index(1, WARRANTY).data() == "No warranty"
    assert model.index(0, PRICE).data(Qt.ItemDataRole.TextAlignmentRole) is not None
    qtmodeltester.check(model)


def test_a_categorys_replacement_cycle_is_edited_in_its_dialog(qtbot, make_dialog, monkeypatch, rep):
    category_id = catalog.create_category("WASH", "Washing machines", rep.id)
    dialog = make_dialog()
    seen = {}

    def set_cycle(category_dialog: CategoryDialog) -> int:
        cycle = category_dialog.field("replacement_months")
        seen["before"] = cycle.text()  # the box shows "No cycle" for none
        cycle.setValue(96)
        save(category_dialog)
        return category_dialog.result()

    monkeypatch.setattr(CategoryDialog, "exec", set_cycle)
    with qtbot.waitSignal(app_events().data_changed):
        dialog._edit_category_button.click()
    assert seen["before"] == "No cycle"
    assert ProductCategory.get_by_id(category_id).replacement_months == 96
    assert "Replaced every 96 months" in dialog.tree.currentItem().toolTip(0)

    def clear_cycle(category_dialog: CategoryDialog) -> int:
        seen["shown"] = category_dialog.field("replacement_months").value()
        category_dialog.field("replacement_months").setValue(0)  # back to no cycle
        save(category_dialog)
        return category_dialog.result()

    monkeypatch.setattr(CategoryDialog, "exec", clear_cycle)
    with qtbot.waitSignal(app_events().data_changed):
        dialog._edit_category_button.click()
    assert seen["shown"] == 96
    assert ProductCategory.get_by_id(category_id).replacement_months is None
