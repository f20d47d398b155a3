"""The one-page check record: read back with pypdf against a check built by hand."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw
from pypdf import PdfReader

from app import i18n
from app.models.enums import CheckAnswerResult, CheckStatus, UnitStatus
from app.reports.check_record import build_check_record
from app.services.checks import AnswerRow, CheckDetail, CheckRecord

NASTY = 'Peña & <Hijos> "Ñandú" €'
OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE


def signature_png() -> bytes:
    image = Image.new("RGBA", (200, 60), (255, 255, 255, 0))
    ImageDraw.Draw(image).line((10, 50, 190, 10), fill=(0, 0, 0, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def record(signature: bytes | None = None) -> CheckRecord:
    answers = (
        AnswerRow(1, 1, "The customer can fill the water tank.", "", False, OK, "", False),
        AnswerRow(
            2,
            2,
            "The customer can start the descaling programme.",
            "",
            True,
            NOT_OK,
            "Never descaled <sic>",
            True,
        ),
        AnswerRow(3, 3, "The customer cleans the milk frother.", "", False, NA, "", False),
        AnswerRow(4, 4, "Grind and coffee amount are set.", "", False, OK, "", False),
    )
    check = CheckDetail(
        id=7,
        status=CheckStatus.COMPLETED,
        template_id=1,
        template_name="Correct use: coffee",
        template_version=2,
        customer_id=1,
        customer_code="C-00042",
        customer_name=NASTY,
        customer_address="Calle Mayor 1, 28013 Madrid",
        sold_unit_id=3,
        unit_status=UnitStatus.ACTIVE,
        product_name="Barista Pro",
        sku="CAF-001",
        serial_number="CAF-2026-0042",
        category_name="Cafeteras",
        rep_id=1,
        rep_name="Ana García",
        follow_up_id=None,
        follow_up_kind=None,
        started_at=dt.datetime(2026, 11, 23, 10, 0),
        completed_at=dt.datetime(2026, 11, 23, 10, 40),
        present_people="Juan & María",
        signature_png=signature,
        notes="Back in a week.",
        score=2 / 3,
        passed=False,
        answers=answers,
    )
    return CheckRecord("Postventa Demo S.L.", "", check, dt.date(2026, 11, 23))


def test_the_record_prints_items_results_and_the_customer_literally(tmp_path):
    path = tmp_path / "check.pdf"
    build_check_record(record(signature_png()), path)
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert NASTY in text
    for expected in (
        "Barista Pro (CAF-001)",
        "CAF-2026-0042",
        "23/11/2026 10:40",
        "Ana García",
        "Juan & María",
        "Correct use: coffee (version 2)",
        "Failed – score 67 %",
        "Never descaled <sic>",
        "(critical)",
        "Not applicable",
        "Back in a week.",
        "Customer's signature",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    # Each item is followed by its own result, before the next item starts.
    rows = [
        ("The customer can fill the water tank.", "OK"),
        ("descaling programme.", "Not OK"),
        ("The customer cleans the milk frother.", "Not"),
        ("Grind and coffee amount are set.", "OK"),
    ]
    for (question, result), following in zip(rows, [*rows[1:], ("Notes", "")], strict=True):
        start = text.index(question) + len(question)
        cell = text[start : text.index(following[0])].replace("(critical)", "")
        assert cell.split()[0] == result.split()[0], question
    assert len(reader.pages[0].images) == 1  # the signature


def test_the_record_in_spanish_without_signature(tmp_path):
    path = tmp_path / "registro.pdf"
    with i18n.using_language("es"):
        build_check_record(record(), path)
    text = PdfReader(str(path)).pages[0].extract_text()
    assert NASTY in text and "23/11/2026" in text and "Página 1 de 1" in text
