"""The customer's return receipt: the figures read back from the PDF, in both languages."""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader

from app import i18n
from app.models.enums import OutOfWarrantyReason, ReturnReason
from app.reports.return_receipt import build_return_receipt
from app.services.returns import ReturnReceiptData

NASTY = 'Peña & <Hijos> "Ñandú" €'


def receipt(**changes) -> ReturnReceiptData:
    values = dict(
        company_name="Electro <Sur> & Co",
        company_logo="",
        company_address="Calle Real 5, 28001 Madrid",
        company_tax_id="B12345678",
        number="RMA-2026-0042",
        customer_name=NASTY,
        customer_code="C-00017",
        customer_address="Calle Mayor 1, 28013 Madrid",
        product_name="Lavadora X <8 kg>",
        sku="LV-8",
        serial_number="SN-123",
        reason=ReturnReason.FAILURE_IN_USE,
        description="No centrifuga & hace ruido",
        under_warranty=True,
        warranty_days=120,
        out_of_warranty_reason=None,
        reported_on=dt.date(2026, 11, 20),
        received_on=dt.date(2026, 11, 23),
        expected_resolution_on=dt.date(2026, 12, 5),
        issued_on=dt.date(2026, 11, 23),
    )
    values.update(changes)
    return ReturnReceiptData(**values)


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_receipt_in_english_prints_the_return_literally(tmp_path):
    path = build_return_receipt(receipt(), tmp_path / "rma.pdf", "en")
    text = text_of(path)
    assert len(PdfReader(str(path)).pages) == 1
    for expected in (
        "RMA-2026-0042",
        NASTY,
        "Electro <Sur> & Co",
        "Lavadora X <8 kg> (LV-8)",
        "SN-123",
        "Failure in use",
        "No centrifuga & hace ruido",
        "Under warranty (120 days left)",
        "20/11/2026",
        "23/11/2026",
        "05/12/2026",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    assert i18n.current_language() == "en"


def test_receipt_out_of_warranty_says_why_it_was_accepted(tmp_path):
    data = receipt(
        under_warranty=False, warranty_days=3, out_of_warranty_reason=OutOfWarrantyReason.PAID_REPAIR
    )
    text = text_of(build_return_receipt(data, tmp_path / "rma.pdf", "en"))
    assert "Out of warranty (expired 3 days ago) – accepted as: Paid repair" in " ".join(text.split())


def test_receipt_in_spanish(tmp_path):
    text = text_of(build_return_receipt(receipt(), tmp_path / "rma.pdf", "es"))
    assert NASTY in text and "RMA-2026-0042" in text
    assert "Página 1 de 1" in text and "Avería durante el uso" in text
    assert i18n.current_language() == "en"  # the UI language is back
