"""The customer dialogs as `postventa screenshots` shows them, opened on the richest customer."""

from __future__ import annotations

from collections.abc import Callable

from peewee import fn
from PySide6.QtWidgets import QTabWidget, QWidget

from app.models import Case, Customer, FollowUp, WarrantyReturn
from app.views.customers.customer_360 import Customer360Dialog
from app.views.customers.customer_dialog import CustomerDialog
from app.views.customers.privacy import EraseDialog, PersonalDataTarget, RetentionDialog
from app.views.customers.sale_dialog import SaleDialog
from app.views.pages.base import AppContext


def _richest_customer_id() -> int | None:
    """A customer with returns, cases and follow-ups, so every tab has something to show."""
    score = (
        Customer.select(Customer.id)
        .join(WarrantyReturn, on=(WarrantyReturn.customer == Customer.id))
        .switch(Customer)
        .join(Case, on=(Case.customer == Customer.id))
        .where(Customer.archived == False)  # noqa: E712 (peewee expression)
        .group_by(Customer.id)
        .order_by(fn.COUNT(WarrantyReturn.id.distinct()).desc(), Customer.id)
        .limit(1)
        .scalar()
    )
    if score is not None:
        return score
    return (
        FollowUp.select(FollowUp.customer).limit(1).scalar() or Customer.select(Customer.id).limit(1).scalar()
    )


def _on_tab(dialog: Customer360Dialog, index: int) -> Customer360Dialog:
    dialog.findChild(QTabWidget).setCurrentIndex(index)
    return dialog


def customer_dialog_builders(context: AppContext) -> list[tuple[str, Callable[[], QWidget]]]:
    customer_id = _richest_customer_id()
    rep_id = context.acting_rep_id
    builders: list[tuple[str, Callable[[], QWidget]]] = [
        ("dialog-customer-new", lambda: CustomerDialog(None, None, acting_rep_id=rep_id)),
    ]
    if customer_id is None:
        return builders
    return builders + [
        ("dialog-customer-edit", lambda: CustomerDialog(None, customer_id, acting_rep_id=rep_id)),
        ("dialog-customer-360", lambda: Customer360Dialog(None, customer_id)),
        ("dialog-customer-360-units", lambda: _on_tab(Customer360Dialog(None, customer_id), 1)),
        ("dialog-customer-360-follow-ups", lambda: _on_tab(Customer360Dialog(None, customer_id), 2)),
        ("dialog-sale", lambda: SaleDialog(None, customer_id, rep_id=rep_id)),
        ("dialog-customer-erase", lambda: _erase_dialog(customer_id)),
        (
            "dialog-retention",
            lambda: RetentionDialog(None, acting_rep_id=rep_id, permissions=context.permissions),
        ),
    ]


def _erase_dialog(customer_id: int) -> QWidget:
    """The confirmation of an erasure (nothing is erased: the picture is taken before Erase)."""
    customer = Customer.get_by_id(customer_id)
    return EraseDialog(None, PersonalDataTarget(customer.id, customer.code, customer.name))
