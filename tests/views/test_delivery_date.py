"""Setting a sale's delivery date from the customer 360° view."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget

from app.models import FollowUp, Product, ProductCategory, Sale
from app.models.enums import FollowUpState
from app.services.customers import CustomerInput, create_customer
from app.services.reps import create_rep
from app.services.sales import SaleLineInput, catalog, record_sale, set_delivery_date
from app.services.sales.catalog import ProductInput
from app.views.customers.customer_360 import Customer360Dialog
from app.views.customers.delivery_date_dialog import DeliveryDateDialog
from app.views.events import FOLLOW_UPS, SALES, app_events

SOLD = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 3, 20)


@pytest.fixture
def shop(database):
    """A customer with an undelivered sale of an oven, in a category with the default plans."""
    rep = create_rep("ana", "Ana Garcia")
    category_id = catalog.create_category("OVENS", "Ovens", rep.id)
    oven = catalog.create_product(
        ProductInput(sku="OV-1", name="Oven", category_id=category_id, warranty_months=24)
    )
    customer_id = create_customer(CustomerInput(code="C-1", name="Pena Hermanos", rep_id=rep.id), rep.id)
    sale_id = record_sale(customer_id, rep.id, SOLD, None, [SaleLineInput(oven, 1, Decimal("899"), ["SN-1"])])
    return rep, customer_id, sale_id


def units_row(dialog: Customer360Dialog) -> list[str]:
    units = next(t for t in dialog.tabs.widget(1).findChildren(QTableWidget) if t.columnCount() == 8)
    return [units.item(0, c).text() for c in range(units.columnCount())]


def save(dialog: QDialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def test_set_a_delivery_date_from_the_360_view(qtbot, shop, monkeypatch):
    rep, customer_id, sale_id = shop
    dialog = Customer360Dialog(None, customer_id, TODAY, acting_rep_id=rep.id)
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)
    assert units_row(dialog)[4:7] == ["", "", "Not delivered yet"]
    assert not dialog.delivery_button.isEnabled()  # no sale chosen yet
    assert dialog.select_sale(sale_id) and dialog.delivery_button.isEnabled()
    attempts = []

    def drive(delivery: DeliveryDateDialog) -> int:
        assert not delivery.not_delivered_box.isChecked()
        delivery.date_field.setDate(QDate(2026, 2, 27))  # before the sale: refused, dialog stays open
        save(delivery)
        attempts.append((delivery.result(), delivery.error_text()))
        delivery.date_field.setDate(QDate(2026, 3, 5))
        assert delivery.error_text() == ""
        save(delivery)
        return delivery.result()

    monkeypatch.setattr(DeliveryDateDialog, "exec", drive)
    with qtbot.waitSignal(app_events().data_changed) as signal:
        dialog.delivery_button.click()
    assert attempts == [(QDialog.DialogCode.Rejected, "The delivery date cannot be before the sale date.")]
    assert signal.args == [frozenset({SALES, FOLLOW_UPS}), dialog]
    assert Sale.get_by_id(sale_id).delivered_on == dt.date(2026, 3, 5)
    # The view is read again: the warranty runs, the plan's follow-ups are there; same tab, same sale.
    assert units_row(dialog)[4:7] == ["05/03/2026", "04/03/2028", "Under warranty (715 days left)"]
    planned = FollowUp.select().where(FollowUp.state == FollowUpState.PLANNED).count()
    assert planned == 4  # the default standard plan's steps
    assert dialog.tabs.tabText(2) == "Follow-ups (4)"
    assert dialog.tabs.currentIndex() == 1
    assert dialog.selected_sale().id == sale_id and dialog.selected_sale().delivered_on == dt.date(2026, 3, 5)


def test_not_delivered_yet_clears_the_date_and_the_planned_follow_ups(qtbot, shop, monkeypatch):
    rep, customer_id, sale_id = shop
    set_delivery_date(sale_id, dt.date(2026, 3, 5), rep.id)
    assert FollowUp.select().count() == 4
    dialog = Customer360Dialog(None, customer_id, TODAY, acting_rep_id=rep.id)
    qtbot.addWidget(dialog)
    dialog.select_sale(sale_id)

    def drive(delivery: DeliveryDateDialog) -> int:
        assert delivery.date_field.date() == QDate(2026, 3, 5)
        delivery.not_delivered_box.setChecked(True)
        assert not delivery.date_field.isEnabled()
        save(delivery)
        return delivery.result()

    monkeypatch.setattr(DeliveryDateDialog, "exec", drive)
    dialog.delivery_button.click()
    assert Sale.get_by_id(sale_id).delivered_on is None
    assert FollowUp.select().count() == 0
    assert units_row(dialog)[6] == "Not delivered yet"


def test_cancel_changes_nothing(qtbot, shop, monkeypatch):
    rep, customer_id, sale_id = shop
    dialog = Customer360Dialog(None, customer_id, TODAY, acting_rep_id=rep.id)
    qtbot.addWidget(dialog)
    dialog.select_sale(sale_id)
    monkeypatch.setattr(DeliveryDateDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    with qtbot.assertNotEmitted(app_events().data_changed):
        dialog.delivery_button.click()
    assert Sale.get_by_id(sale_id).delivered_on is None


def test_open_a_warranty_return_from_the_360_view(qtbot, monkeypatch, database):
    from app.models import WarrantyReturn
    from app.views.returns import dialogs as return_dialogs

    rep = create_rep("ANA", "Ana Garcia")
    customer = create_customer(CustomerInput(code="C-9", name="Pena Hermanos"), None)
    category = ProductCategory.create(code="k", name="Kitchen")
    oven = Product.create(sku="OV9", name="Oven", category=category, warranty_months=24, price=Decimal("10"))
    today = dt.date.today()
    record_sale(customer, rep.id, today, today, [SaleLineInput(oven.id, 1, Decimal("10"), ["SN-9"])])
    dialog = Customer360Dialog(None, customer, acting_rep_id=rep.id)
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)
    button = dialog._return_button
    assert not button.isEnabled()
    dialog._units_table.selectRow(0)
    assert button.isEnabled()
    seen = []

    def fill(parent, initial=None, errors=None, today=None):
        seen.append(initial)
        return initial.__class__(**{**initial.__dict__, "description": "No enciende"})

    monkeypatch.setattr(return_dialogs.OpenReturnDialog, "ask", staticmethod(fill))
    button.click()
    assert seen[0].sold_unit_id is not None and seen[0].customer_id == customer
    opened = WarrantyReturn.get()
    assert opened.description == "No enciende" and opened.number.startswith(f"RMA-{today.year}-")
