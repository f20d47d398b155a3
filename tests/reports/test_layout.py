"""Issue 20, item 6: layouts that hold at any length, checked on the page geometry read back with pypdf.

Plain data in (the dataclasses the services return), built here by hand: a 1,500-case register, a
100-character company name, a five-year monthly chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from app import i18n
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    CharterIndicator,
    CharterPeriod,
    CharterType,
    ContactChannel,
    SolutionType,
)
from app.reports.activity import _month_labels
from app.reports.base import MARGIN, fit_lines, fit_widths, register_fonts, stylesheet
from app.reports.charter import build_charter
from app.reports.charts import labels_fit
from app.reports.register import build_register
from app.services.charters import ChannelEntry, CharterDocument, CommitmentRow
from app.services.reporting.complaints_register import (
    CategoryTotals,
    ComplaintsRegister,
    MonthTotals,
    RegisterEntry,
    RegisterOutcome,
    RegisterTotals,
)

#: 100 characters, a real company's kind of name: long words, commas, a dash.
LONG_COMPANY = (
    "Comercializadora de Electrodomésticos y Climatización del Sur Peninsular, Sociedad Limitada — Huelva"
)
assert len(LONG_COMPANY) == 100


def register(cases: int, company: str = "Electro Sur") -> ComplaintsRegister:
    """`cases` closed and open complaints and claims of 2026, numbered with the longest prefix (6)."""
    entries = []
    for n in range(cases):
        received = dt.date(2026, 1 + n % 12, 1 + n % 28)
        closed = received + dt.timedelta(days=10) if n % 3 else None
        entries.append(
            RegisterEntry(
                number=f"RECLAM-2026-{n + 1:04d}",
                kind=CaseKind.CLAIM if n % 2 else CaseKind.COMPLAINT,
                received_on=received,
                customer_name=f"Cliente {n}",
                customer_code=f"C-{n:05d}",
                channel=ContactChannel.PHONE,
                category=CaseCategory.PRODUCT_DEFECT,
                stage=CaseStage.SERVICE,
                outcome=RegisterOutcome.ACCEPTED if closed else RegisterOutcome.OPEN,
                solution_type=SolutionType.APOLOGY if closed else None,
                solution_detail="",
                solution_amount=None,
                mediation_body="",
                mediation_outcome="",
                first_answer_on=received + dt.timedelta(days=2),
                closed_on=closed,
                days_to_first_answer=2,
                days_to_close=10 if closed else 30,
            )
        )
    totals = RegisterTotals(cases - cases // 2, cases // 2, cases // 3, 2.0, 10.0)
    return ComplaintsRegister(
        year=2026,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        today=dt.date(2027, 1, 10),
        company_name=company,
        logo_path="",
        issued_on=dt.date(2027, 1, 10),
        entries=entries,
        by_category=[CategoryTotals(category, totals) for category in CaseCategory],
        by_month=[MonthTotals(dt.date(2026, m, 1), totals) for m in range(1, 13)],
        totals=totals,
    )


def charter(company: str) -> CharterDocument:
    return CharterDocument(
        company_name=company,
        logo_path="",
        issued_on=dt.date(2026, 11, 23),
        charter_id=1,
        type=CharterType.CUSTOMER_ATTENTION,
        title="Carta de servicios de atención al cliente de " + company,
        version=1,
        valid_from=dt.date(2026, 1, 1),
        valid_to=None,
        active=True,
        strategy="",
        systems="",
        personnel="",
        channels=(ChannelEntry(ContactChannel.PHONE, "+34 910 555 214", ""),),
        procedure="",
        principles="",
        commitments=(
            CommitmentRow(
                1,
                1,
                "Respondemos en 10 días.",
                CharterIndicator.CLAIMS_ANSWERED,
                10,
                Decimal(95),
                CharterPeriod.YEAR,
            ),
        ),
    )


def text_runs(path) -> list[tuple[int, str, float, float, float]]:
    """Every piece of text drawn: (page, text, left x, right x, baseline y), in points."""
    register_fonts()
    runs = []
    for number, page in enumerate(PdfReader(str(path)).pages, start=1):

        def visit(text, cm, tm, font, size, number=number):
            text = text.strip()
            if text and font:
                x = cm[4] + tm[4] * cm[0]
                right = x + stringWidth(text, font["/BaseFont"].split("+")[-1], size)
                runs.append((number, text, x, right, cm[5] + tm[5] * cm[3]))

        page.extract_text(visitor_text=visit)
    return runs


def test_the_register_prints_its_header_row_once_per_page(tmp_path):
    path = build_register(register(1500), tmp_path / "register.pdf", "en")
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]
    listing = [text for text in pages if "RECLAM-2026-" in text]
    assert len(listing) > 30
    assert [text.count("Days to answer") for text in listing] == [1] * len(listing)
    # The header row opens the page's table: nothing of the listing comes before it.
    assert all(text.index("Number Received Customer") < text.index("RECLAM-2026-") for text in listing)
    numbers = [word for text in pages for word in text.split() if word.startswith("RECLAM-2026-")]
    assert numbers == [f"RECLAM-2026-{n:04d}" for n in range(1, 1501)]  # each once, whole, in order


@pytest.mark.parametrize(
    ("language", "company"),
    [("en", LONG_COMPANY), ("es", LONG_COMPANY), ("es", LONG_COMPANY + ", " + LONG_COMPANY[:50])],
)
def test_a_100_character_company_name_stays_within_the_frame(tmp_path, language, company):
    """100 characters shrink onto one line; 150 wrap onto two, still whole."""
    for path in (
        build_register(register(40, company), tmp_path / f"register-{language}.pdf", language),
        build_charter(charter(company), tmp_path / f"charter-{language}.pdf", language),
    ):
        runs = text_runs(path)
        for page, text, left, right, _y in runs:
            assert MARGIN - 0.5 <= left and right <= A4[0] - MARGIN + 0.5, (path.name, page, text)
        # Printed whole on every page, in the header band above the rule (26 mm from the top).
        pages = {page for page, *_rest in runs}
        for page in pages:
            header = [text for p, text, _l, _r, y in runs if p == page and y > A4[1] - 26 * mm]
            assert company in " ".join(header), (path.name, page, header)


def test_a_header_shrinks_then_wraps_then_is_cut():
    register_fonts()
    font, width = "DejaVuSans-Bold", 150 * mm
    assert fit_lines("Electro Sur", font, 11, 8, width, 2) == (11, ["Electro Sur"])
    size, lines = fit_lines(LONG_COMPANY[:70], font, 11, 8, width, 2)
    assert 8 <= size < 11 and lines == [LONG_COMPANY[:70]]
    size, lines = fit_lines(LONG_COMPANY * 3, font, 11, 8, width, 2)
    assert size == 8 and len(lines) == 2 and lines[1].endswith("…")
    assert all(stringWidth(line, font, 8) <= width for line in lines)


def test_column_headers_wrap_only_between_words():
    style = stylesheet()["Head"]
    widths = fit_widths(
        ["Realizados sobre vencidos", "Incorrecto", "Ítem"], [10 * mm, 10 * mm, None], style, 6
    )
    for header, width in zip(["Realizados", "Incorrecto"], widths, strict=False):
        assert stringWidth(header, style.fontName, style.fontSize) + 6 <= width
    assert sum(widths) == pytest.approx(A4[0] - 2 * MARGIN - 12)  # the rest goes to the open column


def test_spanish_headers_of_the_activity_report_keep_their_words_whole(tmp_path, database):
    from app.reports.activity import build_activity_report
    from app.services.reporting.activity import activity_report
    from tests.factories import ACTIVITY_MARCH, ACTIVITY_TODAY, build_activity_dataset

    build_activity_dataset()
    path = build_activity_report(
        activity_report(*ACTIVITY_MARCH, today=ACTIVITY_TODAY), tmp_path / "m.pdf", "es"
    )
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())
    for header in (
        "Realizados sobre vencidos",
        "Incorrecto",
        "Respondidos",
        "Tasa de fallos",
        "Formado in situ",
    ):
        assert header in text, header


@pytest.mark.parametrize(
    ("months", "shown"),
    [
        (12, ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"]),
        (24, ["T1 25", "T2 25", "T3 25", "T4 25", "T1 26", "T2 26", "T3 26", "T4 26"]),
        (60, ["2022", "2023", "2024", "2025", "2026"]),
    ],
)
def test_monthly_charts_label_months_quarters_or_years_as_they_fit(months, shown):
    first = dt.date(2027 - months // 12, 1, 1)
    days = [dt.date(first.year + m // 12, m % 12 + 1, 1) for m in range(months)]
    with i18n.using_language("es"):
        labels = _month_labels(days)
    assert [label for label in labels if label] == shown
    assert labels_fit(labels, A4[0] - 2 * MARGIN - 12)
    assert not labels_fit([f"{m:02d}/26" for m in range(1, 13)] * 2, A4[0] - 2 * MARGIN - 12)  # 24 months


def test_arabic_prints_joined_and_in_reading_order(tmp_path):
    from app.reports.base import visual_order

    # "محمد علي" (Muhammad Ali): each letter in its joined form, the words drawn right to left.
    shaped = "\ufef2\ufee0\ufecb \ufeaa\ufee4\ufea4\ufee3"
    assert visual_order("محمد علي") == shaped
    assert visual_order("Cliente محمد علي & Co") == f"Cliente {shaped} & Co"
    assert visual_order('Peña & <Hijos> "Ñandú" €') == 'Peña & <Hijos> "Ñandú" €'  # nothing to do
    document = register(3)
    entries = [replace(document.entries[0], customer_name="محمد علي"), *document.entries[1:]]
    path = build_register(replace(document, entries=entries), tmp_path / "arabic.pdf", "en")
    # pypdf reads right-to-left runs back in reading order: the joined forms, first word first. Drawn
    # unshaped it would give the plain letters; drawn in logical order, the words reversed.
    assert "\ufee3\ufea4\ufee4\ufeaa \ufecb\ufee0\ufef2" in PdfReader(str(path)).pages[0].extract_text()
