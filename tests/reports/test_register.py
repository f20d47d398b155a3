"""The annual register PDF: built from the hand-built dataset and read back with pypdf."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from app import i18n
from app.reports.register import build_register
from app.services.reporting.complaints_register import complaints_register
from tests.factories import NASTY, build_register_dataset
from tests.factories import REGISTER_TODAY as TODAY


@pytest.fixture
def dataset(database):
    build_register_dataset()


def pdf_lines(path) -> tuple[list[str], int]:
    reader = PdfReader(str(path))
    lines = [
        line.strip() for page in reader.pages for line in page.extract_text().splitlines() if line.strip()
    ]
    return lines, len(reader.pages)


def section(lines: list[str], start: str, stop: str | None = None) -> list[str]:
    """The lines from the first `start` (excluded) to the next `stop` (excluded)."""
    first = lines.index(start) + 1
    last = next((i for i in range(first, len(lines)) if stop and lines[i].startswith(stop)), len(lines))
    return lines[first:last]


def table_row(lines: list[str], label: str, cells: int = 6) -> list[str]:
    at = lines.index(label)
    return lines[at + 1 : at + 1 + cells]


def test_register_lists_every_case_with_its_days(tmp_path, dataset):
    path = build_register(complaints_register(2026, TODAY), tmp_path / "register.pdf", "en")
    lines, pages = pdf_lines(path)
    text = " ".join(" ".join(lines).split())
    assert NASTY in text  # escaped, printed literally
    assert "A new unit <same model>" in text
    assert "3 complaints, 3 claims. 2 still open." in text
    assert "Register of complaints and claims 2026" in text and f"Page 1 of {pages}" in text
    numbers = [line for line in lines if line.startswith("CASE-")]
    assert numbers == [
        "CASE-2026-0001",
        "CASE-2026-0002",
        "CASE-2026-0003",
        "CASE-2026-0004",
        "CASE-2026-0007",
        "CASE-2026-0008",
    ]  # no suggestion, compliment nor 2025 case

    def row(number: str) -> list[str]:
        return (
            section(lines, number, "CASE-")
            if number != "CASE-2026-0008"
            else section(lines, number, "Totals")
        )

    def days(number: str) -> list[int]:
        # The row's lines made of numbers only (the two days' cells share a line when both are whole)
        return [int(n) for line in row(number) if line.replace(" ", "").isdigit() for n in line.split()]

    assert {n[-4:]: days(n) for n in numbers} == {
        "0001": [2, 10],
        "0002": [5, 20],
        "0003": [1, 46],
        "0004": [3, 4],
        "0007": [2, 34],
        "0008": [22, 22],
    }
    assert [row(n).count("so far") for n in numbers] == [0, 0, 0, 0, 1, 2]
    first = " ".join(row("CASE-2026-0001"))
    assert "Complaint 10/01/2026 E-mail" in first and "Product defect" in first
    assert "Exchange" in first and "Solution accepted closed 20/01/2026" in first
    second = " ".join(row("CASE-2026-0002"))
    assert "Compensation with a discount 10 % off the next purchase €50.00" in second
    third = " ".join(row("CASE-2026-0003"))
    assert "Refund of half the price Mediation: Junta Arbitral de Consumo Settled by mediation" in third
    assert "Closed without agreement" in " ".join(row("CASE-2026-0004"))
    assert "Open Service" in " ".join(row("CASE-2026-0007"))
    assert "Not analysed yet" in " ".join(row("CASE-2026-0008"))


def test_register_totals_by_category_and_month(tmp_path, dataset):
    path = build_register(complaints_register(2026, TODAY), tmp_path / "register.pdf", "en")
    lines, _pages = pdf_lines(path)
    categories = section(lines, "Totals by category", "Totals by month")
    # complaints, claims, total, open, mean days to answer, mean days to close
    assert table_row(categories, "Product defect") == ["1", "1", "2", "0", "1.5", "28.0"]
    assert table_row(categories, "Billing") == ["0", "1", "1", "0", "5.0", "20.0"]
    assert table_row(categories, "Staff conduct") == ["1", "0", "1", "0", "3.0", "4.0"]
    assert table_row(categories, "Delivery delay") == ["0", "1", "1", "1", "2.0", "—"]
    assert table_row(categories, "Installation") == ["0", "0", "0", "0", "—", "—"]
    assert table_row(categories, "Not analysed yet") == ["1", "0", "1", "1", "—", "—"]
    assert table_row(categories, "Year total") == ["3", "3", "6", "2", "2.6", "20.0"]
    months = section(lines, "Totals by month of reception")
    assert table_row(months, "January") == ["1", "1", "2", "0", "3.5", "15.0"]
    assert table_row(months, "February") == ["0", "0", "0", "0", "—", "—"]
    assert table_row(months, "March") == ["1", "1", "2", "0", "2.0", "25.0"]
    assert table_row(months, "October") == ["0", "1", "1", "1", "2.0", "—"]
    assert table_row(months, "November") == ["1", "0", "1", "1", "—", "—"]
    assert table_row(months, "Year total") == ["3", "3", "6", "2", "2.6", "20.0"]


def test_register_in_spanish(tmp_path, dataset):
    path = build_register(complaints_register(2026, TODAY), tmp_path / "registro.pdf", "es")
    lines, pages = pdf_lines(path)
    text = " ".join(" ".join(lines).split())
    assert NASTY in text and f"Página 1 de {pages}" in text
    assert "10/01/2026" in text and "50,00 €" in text and "Queja" in text and "Defecto del producto" in text
    assert table_row(lines, "Enero") == ["1", "1", "2", "0", "3,5", "15,0"]
    assert i18n.current_language() == "en"  # the UI language is back


def test_a_year_without_complaints_prints_a_note_and_no_table(tmp_path, dataset):
    path = build_register(complaints_register(2024, dt.date(2026, 11, 23)), tmp_path / "empty.pdf", "en")
    lines, pages = pdf_lines(path)
    text = " ".join(lines)
    assert pages == 1
    assert "No complaints or claims were received in 2024." in text
    assert "Totals by category" not in text and "Number" not in lines and "January" not in lines


def test_the_listing_header_repeats_on_every_page(tmp_path, database):
    from app.models import Case, Customer
    from app.models.enums import CaseKind, CaseStage, ContactChannel

    customer = Customer.create(code="C-1", name="Ana")
    for n in range(1, 81):
        Case.create(
            number=f"CASE-2026-{n:04d}",
            year=2026,
            sequence=n,
            kind=CaseKind.COMPLAINT,
            stage=CaseStage.RECEPTION,
            customer=customer,
            channel=ContactChannel.PHONE,
            received_on=dt.date(2026, 1 + n % 12, 1),
        )
    path = build_register(complaints_register(2026, TODAY), tmp_path / "long.pdf", "en")
    reader = PdfReader(str(path))
    listing_pages = [page.extract_text() for page in reader.pages if "CASE-2026-" in page.extract_text()]
    assert len(listing_pages) >= 3
    assert all("Days to" in page and "Outcome" in page for page in listing_pages)
