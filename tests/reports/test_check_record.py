"""The one-page check record: read back with pypdf against a check built by hand."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

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


def one_line(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def with_check(data: CheckRecord, **changes) -> CheckRecord:
    return replace(data, check=replace(data.check, **changes))


SHOWN_EN = "The customer has been shown how to use the product correctly"
SHOWN_ES = "Se ha mostrado al cliente cómo usar correctamente el producto"


def test_a_draft_record_says_it_is_a_draft_and_certifies_nothing(tmp_path):
    draft = with_check(record(), status=CheckStatus.DRAFT, completed_at=None, score=None, passed=None)
    text = one_line(build_check_record(draft, tmp_path / "draft.pdf", "en"))
    assert "Draft: not finished" in text
    assert "This record is a draft: the check has not been finished" in text
    assert "does not certify that the customer has been shown how to use the product" in text
    assert SHOWN_EN + "." not in text and SHOWN_EN + ";" not in text
    assert "will be followed up" not in text


def test_the_closing_words_follow_the_result(tmp_path):
    failed = one_line(build_check_record(record(), tmp_path / "failed.pdf", "en"))
    assert "The check was not passed: the items marked Not OK will be followed up" in failed
    assert SHOWN_EN not in failed
    passed_with_a_miss = with_check(record(), passed=True)
    text = one_line(build_check_record(passed_with_a_miss, tmp_path / "passed-miss.pdf", "en"))
    assert SHOWN_EN + "; items marked Not OK will be followed up." in text
    all_ok = with_check(
        record(),
        passed=True,
        score=1.0,
        answers=tuple(replace(a, result=OK, note="", trained_on_site=False) for a in record().check.answers),
    )
    text = one_line(build_check_record(all_ok, tmp_path / "passed.pdf", "en"))
    assert SHOWN_EN + "." in text and "Not OK" not in text and "followed up" not in text


def test_the_record_is_written_in_the_language_asked_for(tmp_path):
    with i18n.using_language("en"):
        spanish = one_line(build_check_record(record(), tmp_path / "es.pdf", "es"))
        assert i18n.current_language() == "en"  # the caller's language is back
        draft = with_check(record(), status=CheckStatus.DRAFT, completed_at=None, passed=None)
        spanish_draft = one_line(build_check_record(draft, tmp_path / "es-draft.pdf", "es"))
    assert "Acta de comprobación de uso correcto" in spanish and "Página 1 de 1" in spanish
    assert "Correct-use check" not in spanish and "Page 1 of 1" not in spanish
    assert "Borrador: sin terminar" in spanish_draft and SHOWN_ES not in spanish_draft
    with i18n.using_language("es"):
        english = one_line(build_check_record(record(), tmp_path / "en.pdf", "en"))
    assert "Correct-use check record" in english and "Page 1 of 1" in english
