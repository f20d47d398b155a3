"""The customer's return receipt: the figures read back from the PDF, in both languages."""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader

from app import i18n
from app.models.enums import OutOfWarrantyReason, ReturnReason, ReturnState
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


PENDING = "We will let you know as soon as it is resolved"


def one_line(path) -> str:
    return " ".join(text_of(path).split())


def test_a_return_waiting_for_its_resolution_promises_to_tell_the_customer(tmp_path):
    for state in (ReturnState.RECEIVED, ReturnState.INSPECTED, ReturnState.APPROVED):
        text = one_line(build_return_receipt(receipt(state=state), tmp_path / f"{state.value}.pdf", "en"))
        assert PENDING in text and "Expected resolution by 05/12/2026" in text, state
        assert "resolved on" not in text, state


def test_a_resolved_return_says_how_and_when_never_that_we_will_tell(tmp_path):
    outcomes = {
        ReturnState.REPAIRED: "the unit was repaired.",
        ReturnState.REPLACED: "the unit was replaced.",
        ReturnState.REFUNDED: "the amount agreed was refunded.",
        ReturnState.CREDITED: "the amount agreed was credited to your account.",
        ReturnState.REJECTED: "after inspection, it was not accepted under the terms of the warranty.",
    }
    for resolution, outcome in outcomes.items():
        data = receipt(state=resolution, resolution=resolution, resolved_on=dt.date(2026, 12, 1))
        text = one_line(build_return_receipt(data, tmp_path / f"{resolution.value}.pdf", "en"))
        assert f"This return was resolved on 01/12/2026: {outcome}" in text, resolution
        assert f"Resolution {resolution.label}" in text and "Resolved on 01/12/2026" in text, resolution
        assert PENDING not in text and "Expected resolution by" not in text, resolution


def test_a_credited_and_closed_return_and_a_returned_unit(tmp_path):
    data = receipt(
        state=ReturnState.CLOSED,
        resolution=ReturnState.CREDITED,
        resolved_on=dt.date(2026, 12, 1),
        closed_on=dt.date(2026, 12, 3),
    )
    text = one_line(build_return_receipt(data, tmp_path / "closed.pdf", "en"))
    assert "the amount agreed was credited to your account." in text
    assert "The return was closed on 03/12/2026." in text and PENDING not in text
    returned = receipt(
        state=ReturnState.RETURNED_TO_CUSTOMER,
        resolution=ReturnState.REPAIRED,
        resolved_on=dt.date(2026, 12, 1),
        returned_on=dt.date(2026, 12, 2),
    )
    text = one_line(build_return_receipt(returned, tmp_path / "returned.pdf", "en"))
    assert "the unit was repaired. The unit was returned to you on 02/12/2026." in text
    assert "Returned to the customer on 02/12/2026" in text and PENDING not in text


def test_a_cancelled_return_says_so(tmp_path):
    data = receipt(state=ReturnState.CANCELLED, closed_on=dt.date(2026, 11, 24))
    text = one_line(build_return_receipt(data, tmp_path / "cancelled.pdf", "en"))
    assert "This return was cancelled on 24/11/2026." in text and "Cancelled on 24/11/2026" in text
    assert PENDING not in text and "resolved" not in text


def test_the_spanish_receipt_follows_the_state_too(tmp_path):
    pending = one_line(build_return_receipt(receipt(), tmp_path / "pending.pdf", "es"))
    assert "Le informaremos en cuanto se resuelva." in pending
    data = receipt(
        state=ReturnState.CREDITED, resolution=ReturnState.CREDITED, resolved_on=dt.date(2026, 12, 1)
    )
    credited = one_line(build_return_receipt(data, tmp_path / "credited.pdf", "es"))
    assert "Le informaremos" not in credited and "Fecha prevista de resolución" not in credited
    assert "Resolución Abonado" in credited and "Fecha de resolución 01/12/2026" in credited


def test_receipt_data_carries_the_state_and_its_dates(database):
    """From the services: a credited, then closed return."""
    from decimal import Decimal

    from app.models import Customer, Product, ProductCategory, SoldUnit
    from app.services import returns as return_service
    from app.services.reps import create_rep
    from app.services.sales import SaleLineInput, record_sale

    rep = create_rep("ANA", "Ana")
    customer = Customer.create(code="C-1", name=NASTY, rep=rep.id, language="en")
    category = ProductCategory.create(code="W", name="Lavadoras")
    product = Product.create(sku="LV-1", name="Lavadora", category=category, warranty_months=24)
    day = dt.date(2026, 6, 1)
    record_sale(customer.id, rep.id, day, day, [SaleLineInput(product.id, 1, Decimal(400), ["SN-1"])])
    unit = SoldUnit.get(SoldUnit.serial_number == "SN-1").id
    today = dt.date(2026, 11, 23)
    rma = return_service.open_return(unit, ReturnReason.FAILURE_IN_USE, "Noisy", today, None, today=today)
    steps = [
        (ReturnState.RECEIVED, {}),
        (ReturnState.INSPECTED, {"inspection_note": "Pump broken"}),
        (ReturnState.APPROVED, {}),
    ]
    for state, extra in steps:
        return_service.advance_return(rma, state, None, **extra)
    assert return_service.receipt_data(rma, today).resolution is None
    return_service.advance_return(rma, ReturnState.CREDITED, None, refund_amount=Decimal("400"))
    return_service.advance_return(rma, ReturnState.CLOSED, None)
    data = return_service.receipt_data(rma, today)
    assert (data.state, data.resolution, data.customer_language) == (
        ReturnState.CLOSED,
        ReturnState.CREDITED,
        "en",
    )
    assert data.resolved_on is not None and data.closed_on is not None and data.returned_on is None
