"""The public service charter PDF: its texts and targets read back, in both languages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from pypdf import PdfReader

from app.models.enums import CharterIndicator, CharterPeriod, CharterType, ContactChannel
from app.reports.charter import build_charter
from app.services.charters import ChannelEntry, CharterDocument, CommitmentRow

NASTY = 'Peña & <Hijos> "Ñandú" €'


def document(**changes) -> CharterDocument:
    values = dict(
        company_name="Electro <Sur> & Co",
        logo_path="",
        issued_on=dt.date(2026, 11, 23),
        charter_id=7,
        type=CharterType.CUSTOMER_ATTENTION,
        title=NASTY,
        version=3,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        active=True,
        strategy="Care for <every> customer & more",
        systems="Agenda",
        personnel="Trained reps",
        channels=(
            ChannelEntry(ContactChannel.PHONE, "+34 910 555 214", "Mon-Fri 9:00-14:00"),
            ChannelEntry(ContactChannel.IN_PERSON, "Shop at Calle Mayor 1", ""),
        ),
        procedure="1. Reception: we listen.\n2. Analysis: we classify.",
        principles="Courtesy: we are kind.",
        commitments=(
            CommitmentRow(
                1,
                1,
                "We answer every claim in 10 days.",
                CharterIndicator.CLAIMS_ANSWERED,
                10,
                Decimal("95"),
                CharterPeriod.QUARTER,
            ),
            CommitmentRow(
                2,
                2,
                "Satisfied customers.",
                CharterIndicator.AVERAGE_SATISFACTION,
                None,
                Decimal("4.20"),
                CharterPeriod.YEAR,
            ),
            CommitmentRow(
                3, 3, "They recommend us.", CharterIndicator.NPS, None, Decimal("40"), CharterPeriod.MONTH
            ),
        ),
    )
    values.update(changes)
    return CharterDocument(**values)


def text_of(path) -> str:
    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_charter_in_english_prints_title_commitments_targets_and_channels(tmp_path):
    path = build_charter(document(), tmp_path / "charter.pdf", "en")
    text = text_of(path)
    flat = " ".join(text.split())
    assert NASTY in text  # user text printed literally, never as markup
    assert "Electro <Sur> & Co" in text
    assert "Service charter: Customer attention · version 3" in flat
    assert "Valid from 1 January 2026 to 31 December 2026" in flat
    assert "Care for <every> customer & more" in flat
    assert "We answer every claim in 10 days." in flat
    assert "Complaints and claims answered within 10 days" in flat
    assert "Target: ≥ 95 %" in flat
    assert "Target: ≥ 4.2 of 5" in flat
    assert "Target: ≥ 40" in flat
    assert "Quarterly" in flat and "Yearly" in flat and "Monthly" in flat
    assert "+34 910 555 214" in flat and "Mon-Fri 9:00-14:00" in flat and "In person" in flat
    assert "Reception: we listen." in flat and "Courtesy: we are kind." in flat
    assert "Page 1 of 1" in flat
    for code in ("claims_answered", "avg_satisfaction", "nps", "in_person", "phone", "quarter", "year"):
        assert not re.search(rf"\b{code}\b", text), code  # no raw codes


def test_charter_in_spanish_uses_spanish_dates_and_numbers(tmp_path):
    path = build_charter(document(valid_to=None), tmp_path / "carta.pdf", "es")
    flat = " ".join(text_of(path).split())
    assert NASTY in flat
    assert "1 de enero de 2026" in flat
    assert "4,2" in flat  # the decimal comma
    assert "Página 1 de 1" in flat
    assert not (tmp_path / "carta.pdf.part").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["carta.pdf"]  # written atomically
