"""The activity report PDF read back: the hand-computed figures, the comparison, compliance marks."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from app.models import Rep
from app.reports.activity import build_activity_report
from app.services.company import CompanySettings, save_company_settings
from app.services.reporting.activity import activity_report
from tests.factories import ACTIVITY_MARCH as MARCH
from tests.factories import ACTIVITY_TODAY as TODAY
from tests.factories import NASTY, build_activity_dataset


def text_of(path) -> str:
    """The PDF's text with every run of white space made one space (table cells wrap)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


@pytest.fixture
def dataset(database):
    return build_activity_dataset()


def test_english_report_prints_the_figures(dataset, tmp_path):
    save_company_settings(CompanySettings(name="Electro <Sur> & Co"))
    path = build_activity_report(activity_report(*MARCH, today=TODAY), tmp_path / "activity.pdf", "en")
    text = text_of(path)
    for expected in (
        "Electro <Sur> & Co",
        "Period: 01/03/2026 – 31/03/2026",
        "Compared with the previous month: 01/02/2026 – 28/02/2026",
        "All reps.",
        # Summary: this period, previous period, change.
        "Follow-ups scheduled 8 2 ▲ +6",
        "Follow-ups done 3 1 ▲ +2",
        "Follow-ups done of those due 60.0 % 50.0 % ▲ +10.0 pp",
        "Follow-ups overdue 1 0 ▲ +1",
        "Correct-use checks completed 4 1 ▲ +3",
        "Checks passed 50.0 % 100.0 % ▼ −50.0 pp",
        "Mean days to resolve a return 7.0 10.0 ▼ −3.0",
        "Cost of returns €661.00 €50.00 ▲ +€611.00",
        "Mean days to close a case 6.5 — —",
        "CSAT (satisfied customers) 66.7 % 0.0 % ▲ +66.7 pp",
        "Net promoter score 0 +100 ▼ −100",
        "1 of 2 measured commitments met in the period. 1 commitment had nothing to measure.",
        # Sections.
        "Phone call 5 1 1 1 2 1 33.3 %",
        "Satisfaction survey 2 0 0 0 2 1 0.0 %",
        "Ana García 4 2 1 0 1 1 50.0 %",
        "Bob Smith 3 0 0 1 2 0 —",
        "Pass rate 50.0 %",
        "Sabe programar un lavado ✔ 2 4 50.0 %",
        "Mean days to resolve 7.0",
        "Refunds and credits €499.00",
        "Total €661.00",
        f"RMA-2026-0002 05/03/2026 {NASTY} Lavadora X Refunded €511.00",
        "Mean days to the first answer 4.3",
        "Accepted at the first proposal 50.0 % (1/2)",
        "Escalated to internal negotiation 50.0 % (1)",
        "Product defect 1 50.0 %",
        "March 2026 3 3.67 66.7 % 0",
        # Compliance, with the charter's title escaped.
        "Carta <atención> & más — Customer attention",
        "Warranty returns resolved within 7 days 50.0 % (1/2) ≥ 50 % ✔",
        "Complaints and claims answered within 5 days 50.0 % (1/2) ≥ 90 % ✘",
        "Deliveries with a first contact within 2 working days nothing to measure ≥ 90 % —",
    ):
        assert expected in text, expected
    assert "Old one" not in text  # an inactive charter
    assert "Page 1 of " in text


def test_spanish_report_formats_in_spanish(dataset, tmp_path):
    path = build_activity_report(activity_report(*MARCH, today=TODAY), tmp_path / "memoria.pdf", "es")
    text = text_of(path)
    for expected in ("661,00 €", "511,00 €", "50,0 %", "66,7 %", NASTY, "01/03/2026", "✔", "✘"):
        assert expected in text, expected
    assert "doa" not in text.split() and "refunded" not in text  # labels, never codes
    # Counts are labelled in the plural of what they count (translation contexts, issue 20).
    for expected in ("Realizados", "Fallidos", "Planificados", "Superadas 2", "No superadas 2", "Cerrados"):
        assert expected in text, expected
    assert "Superada 2" not in text and "Cerrado 2" not in text


def test_one_reps_report_says_whose_it_is(dataset, tmp_path):
    ana = Rep.get(Rep.code == "ANA")
    path = build_activity_report(
        activity_report(*MARCH, rep_id=ana.id, today=TODAY), tmp_path / "ana.pdf", "en"
    )
    text = text_of(path)
    assert "Rep: Ana García (ANA)." in text
    assert "Follow-ups scheduled 4 1 ▲ +3" in text
    assert "Bob Smith" not in text


def test_an_empty_period_says_so_instead_of_zeros(dataset, tmp_path):
    report = activity_report(dt.date(2026, 7, 1), dt.date(2026, 7, 31), today=TODAY)
    text = text_of(build_activity_report(report, tmp_path / "july.pdf", "en"))
    for expected in (
        "No follow-ups were scheduled in the period.",
        "No correct-use checks were completed in the period.",
        "No warranty returns were reported in the period.",
        "No cases were received in the period.",
        "No satisfaction surveys were taken in the period.",
    ):
        assert expected in text, expected
    assert "Follow-ups done of those due — — —" in text
    assert not list(tmp_path.glob("*.part"))
