"""User text is shown as typed: a name or a note with markup is never rendered as rich text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from app.models import Customer, Product, ProductCategory, SoldUnit
from app.models.enums import CaseKind, ContactChannel, ReturnReason
from app.services import cases as case_service
from app.services import returns as return_service
from app.services.reps import create_rep
from app.services.sales import SaleLineInput, record_sale
from app.views.cases.detail_panel import CaseDetailPanel
from app.views.customers.customer_360 import Customer360Dialog
from app.views.customers.sale_dialog import SaleDialog
from app.views.returns.detail_panel import ReturnDetailPanel

TODAY = dt.date(2026, 11, 23)
NAME = "<b>Pepe</b> Pérez"
NOTES = "<script>alert('x')</script> Llamar antes de ir.\n" + "\n".join(
    f"Línea {n} de una nota larga" for n in range(40)
)
WORDS = "<i>No</i> funciona & <u>nadie</u> me llama"


@pytest.fixture
def pepe(database):
    rep = create_rep("ANA", "Ana <em>García</em>")
    customer = Customer.create(code="C-<1>", name=NAME, rep=rep.id, city="<Madrid>", notes=NOTES)
    category = ProductCategory.create(code="W", name="Lavadoras")
    product = Product.create(sku="LV-1", name="Lavadora <X>", category=category, warranty_months=24)
    record_sale(
        customer.id,
        rep.id,
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 1),
        [SaleLineInput(product.id, 1, Decimal(400), ["SN-<1>"])],
    )
    unit = SoldUnit.get(SoldUnit.serial_number == "SN-<1>").id
    case_id = case_service.receive_case(
        CaseKind.COMPLAINT, customer.id, ContactChannel.EMAIL, TODAY, WORDS, rep.id, sold_unit_id=unit
    )
    return_id = return_service.open_return(
        unit, ReturnReason.FAILURE_IN_USE, WORDS, TODAY, rep.id, today=TODAY
    )
    return {"rep": rep, "customer": customer, "case": case_id, "return": return_id}


def shown(label: QLabel) -> str:
    """What a label shows on screen: its text as is when plain, the rendered text when rich."""
    if label.textFormat() == Qt.TextFormat.PlainText:
        return label.text()
    document = QTextDocument()
    if label.textFormat() == Qt.TextFormat.RichText or QtGui.mightBeRichText(label.text()):
        document.setHtml(label.text())
        return document.toPlainText()
    return label.text()


def shown_texts(widget) -> list[str]:
    return [shown(label) for label in widget.findChildren(QLabel)]


def test_the_360_view_shows_the_name_and_notes_literally_and_long_notes_scroll(qtbot, pepe):
    dialog = Customer360Dialog(None, pepe["customer"].id, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    title = dialog.findChild(QLabel, "customerName")
    assert title.textFormat() == Qt.TextFormat.PlainText and shown(title) == NAME
    texts = shown_texts(dialog)
    assert any("C-<1>" in t and "<Madrid>" in t and "Ana <em>García</em>" in t for t in texts)
    notes = dialog.findChild(QPlainTextEdit, "customerNotes")
    assert notes.toPlainText() == NOTES and notes.isReadOnly()
    assert notes.verticalScrollBar().maximum() > 0  # a long note scrolls inside its box
    assert notes.height() < 200


def test_the_sale_dialog_shows_the_customer_literally(qtbot, pepe):
    dialog = SaleDialog(None, pepe["customer"].id, rep_id=pepe["rep"].id, today=TODAY)
    qtbot.addWidget(dialog)
    assert f"{NAME} (C-<1>)" in shown_texts(dialog)


def test_the_case_and_return_panels_show_names_and_words_literally(qtbot, pepe):
    panel = CaseDetailPanel()
    qtbot.addWidget(panel)
    panel.show_case(case_service.get_case(pepe["case"], today=TODAY), [], TODAY)
    text = "\n".join(shown_texts(panel))
    assert NAME in text and "C-<1>" in text and WORDS in text and "Lavadora <X> (serial SN-<1>)" in text

    returns = ReturnDetailPanel()
    qtbot.addWidget(returns)
    returns.show_detail(return_service.get_return(pepe["return"], TODAY), TODAY)
    text = "\n".join(shown_texts(returns))
    assert NAME in text and WORDS in text and "SN-<1>" in text
