"""The printed documents show the numbers cases get now (REC-, SUG-, FEL-), never an English CASE-."""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader

from app.documents import DocumentKind, DocumentRequest, produce_document
from app.models import Customer
from app.models.enums import CaseKind, ContactChannel
from app.services import cases

TODAY = dt.date(2026, 11, 23)
KINDS = [CaseKind.SUGGESTION, CaseKind.COMPLAINT, CaseKind.COMPLIMENT, CaseKind.CLAIM, CaseKind.COMPLAINT]


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def receive_mixed_cases() -> None:
    customer = Customer.create(code="C-1", name="Peña Hermanos").id
    for n, kind in enumerate(KINDS):
        cases.receive_case(
            kind,
            customer,
            ContactChannel.POST,
            dt.date(2026, 3, 2) + dt.timedelta(days=n),
            "Lo que dice el cliente",
            None,
            requested_compensation="50 €" if kind is CaseKind.CLAIM else "",
        )


def test_the_register_lists_complaints_and_claims_under_their_gapless_numbers(database, tmp_path):
    receive_mixed_cases()
    path = produce_document(
        DocumentRequest(DocumentKind.REGISTER, "es", year=2026), tmp_path / "r.pdf", today=TODAY
    )
    text = text_of(path)
    assert [n for n in ("REC-2026-0001", "REC-2026-0002", "REC-2026-0003") if n in text] == [
        "REC-2026-0001",
        "REC-2026-0002",
        "REC-2026-0003",
    ]
    assert text.index("REC-2026-0001") < text.index("REC-2026-0002") < text.index("REC-2026-0003")
    assert "REC-2026-0004" not in text and "SUG-" not in text and "FEL-" not in text and "CASE-" not in text


def test_the_activity_report_counts_every_case_of_every_series(database, tmp_path):
    """The memo prints no case numbers, only counts: the new series change none of them."""
    receive_mixed_cases()
    request = DocumentRequest(DocumentKind.ACTIVITY, "en", dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    text = text_of(produce_document(request, tmp_path / "a.pdf", today=TODAY))
    assert "Cases received 5" in text and "Complaints and claims 3" in text
    assert "CASE-" not in text
