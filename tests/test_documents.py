"""app.documents: the one code path for printed documents (validation, dispatch, atomic writing)."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from app import i18n
from app.documents import DocumentKind, DocumentRequest, default_file_name, produce_document, validate_request
from app.models.enums import CharterIndicator, CharterPeriod, CharterType, ContactChannel
from app.services.errors import DomainError, ValidationError
from tests.factories import NASTY, build_register_dataset

TODAY = dt.date(2026, 11, 23)
ACTIVITY, CHARTER, REGISTER = DocumentKind.ACTIVITY, DocumentKind.CHARTER, DocumentKind.REGISTER


def errors_of(request: DocumentRequest) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        validate_request(request, TODAY)
    return info.value.errors


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def activate_charter(charter_type: CharterType, title: str) -> int:
    from app.services import charters

    charter_id = charters.save_charter(
        None,
        charters.CharterInput(
            type=charter_type,
            title=title,
            valid_from=dt.date(2026, 1, 1),
            channels=(charters.ChannelEntry(ContactChannel.PHONE, "+34 910 000 000", "9-14"),),
            commitments=(
                charters.CommitmentInput(
                    "We answer every claim within 10 days",
                    CharterIndicator.CLAIMS_ANSWERED,
                    10,
                    90,
                    CharterPeriod.YEAR,
                ),
            ),
        ),
    )
    charters.activate_charter(charter_id)
    return charter_id


@pytest.fixture
def out(tmp_path):
    """A folder for the documents only (the database lives beside it)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


# --------------------------------------------------------------------------- validation


def test_activity_period_is_required_and_in_order(database):
    assert set(errors_of(DocumentRequest(ACTIVITY, "en"))) == {"start", "end"}
    assert errors_of(DocumentRequest(ACTIVITY, "en", dt.date(2026, 3, 1), dt.date(2026, 2, 28))) == {
        "end": "The period ends before it starts."
    }
    validate_request(
        DocumentRequest(ACTIVITY, "en", dt.date(2026, 3, 1), dt.date(2026, 3, 1)), TODAY
    )  # one day


def test_a_period_that_starts_after_today_is_refused_and_writes_nothing(database, out):
    """Issue 20, item 5: nothing has happened yet, so there is nothing to report (not a page of zeros)."""
    tomorrow = DocumentRequest(ACTIVITY, "en", dt.date(2026, 11, 24), dt.date(2026, 12, 31))
    assert errors_of(tomorrow) == {
        "start": "The period starts after today (23/11/2026): there is nothing to report yet."
    }
    with pytest.raises(ValidationError):
        produce_document(tomorrow, out / "a.pdf", today=TODAY)
    assert list(out.iterdir()) == []
    validate_request(DocumentRequest(ACTIVITY, "en", TODAY, dt.date(2026, 12, 31)), TODAY)  # today is fine


def test_a_period_that_ends_after_today_is_measured_up_to_today(database, out):
    build_register_dataset()
    request = DocumentRequest(ACTIVITY, "en", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    text = text_of(produce_document(request, out / "november.pdf", today=TODAY))
    assert "Period: 01/11/2026 – 23/11/2026 (in progress)" in text
    assert "Compared with the same days of the previous month: 01/10/2026 – 23/10/2026" in text
    whole = DocumentRequest(ACTIVITY, "en", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    text = text_of(produce_document(whole, out / "october.pdf", today=TODAY))
    assert "Period: 01/10/2026 – 31/10/2026 Compared with the previous month: 01/09/2026 – 30/09/2026" in text
    assert "in progress" not in text


def test_activity_period_of_at_most_five_years(database):
    validate_request(DocumentRequest(ACTIVITY, "en", dt.date(2020, 1, 1), dt.date(2024, 12, 31)), TODAY)
    assert errors_of(DocumentRequest(ACTIVITY, "en", dt.date(2020, 1, 1), dt.date(2025, 1, 1))) == {
        "end": "The period is too long: at most 5 years."
    }


def test_unknown_rep(database):
    from app.services.reps import create_rep

    rep = create_rep("LFE", "Lucía Fernández")
    request = DocumentRequest(ACTIVITY, "en", dt.date(2026, 1, 1), dt.date(2026, 1, 31), rep_id=rep.id)
    validate_request(request, TODAY)
    unknown = DocumentRequest(ACTIVITY, "en", dt.date(2026, 1, 1), dt.date(2026, 1, 31), rep_id=rep.id + 1)
    assert errors_of(unknown) == {"rep": "The rep no longer exists."}


def test_messages_speak_the_users_language_not_the_documents(database):
    request = DocumentRequest(ACTIVITY, "es", dt.date(2026, 1, 1), dt.date(2026, 1, 31), rep_id=999)
    assert errors_of(request) == {"rep": "The rep no longer exists."}
    i18n.set_language("es")
    english_document = DocumentRequest(ACTIVITY, "en", dt.date(2026, 1, 1), dt.date(2026, 1, 31), rep_id=999)
    assert errors_of(english_document) == {"rep": "El comercial ya no existe."}


def test_register_year_between_2000_and_this_year(database):
    assert errors_of(DocumentRequest(REGISTER, "en")) == {"year": "Choose the year."}
    for year in (1999, 2027):  # next year has not begun: nothing to register yet
        assert errors_of(DocumentRequest(REGISTER, "en", year=year)) == {
            "year": "Choose a year between 2000 and 2026."
        }
    for year in (2000, 2026):
        validate_request(DocumentRequest(REGISTER, "en", year=year), TODAY)


def test_language_must_be_spanish_or_english(database):
    assert set(errors_of(DocumentRequest(REGISTER, "fr", year=2026))) == {"language"}


def test_charter_needs_an_active_charter(database):
    assert errors_of(DocumentRequest(CHARTER, "en", charter_type=CharterType.FINANCING)) == {
        "charter": "There is no active service charter of type Financing; activate one on the Service charters page."
    }
    assert errors_of(DocumentRequest(CHARTER, "en")) == {
        "charter": "There is no active service charter; activate one on the Service charters page."
    }
    assert errors_of(DocumentRequest(CHARTER, "en", charter_id=999)) == {
        "charter": "The service charter no longer exists."
    }
    activate_charter(CharterType.CUSTOMER_ATTENTION, "Atención")
    validate_request(DocumentRequest(CHARTER, "en"), TODAY)  # the first active one
    validate_request(DocumentRequest(CHARTER, "en", charter_type=CharterType.CUSTOMER_ATTENTION), TODAY)
    assert "charter" in errors_of(DocumentRequest(CHARTER, "en", charter_type=CharterType.FINANCING))


# --------------------------------------------------------------------------- producing


def test_produce_the_register_with_progress(out, database):
    build_register_dataset()
    steps = []
    path = produce_document(
        DocumentRequest(REGISTER, "en", year=2026),
        out / "r.pdf",
        today=TODAY,
        progress=lambda done, total: steps.append((done, total)),
    )
    assert path == out / "r.pdf"
    assert steps == [(0, 2), (1, 2), (2, 2)]
    text = text_of(path)
    assert "Register of complaints and claims 2026" in text and NASTY in text
    assert "as recorded on 23/11/2026" in text
    assert [p.name for p in out.iterdir()] == ["r.pdf"]


def test_produce_in_spanish_leaves_the_ui_language_alone(out, database):
    build_register_dataset()
    path = produce_document(DocumentRequest(REGISTER, "es", year=2026), out / "r.pdf", today=TODAY)
    assert "Página 1 de" in text_of(path) and "Enero" in text_of(path)
    assert i18n.current_language() == "en"


def test_an_invalid_request_writes_nothing(out, database):
    steps = []
    with pytest.raises(ValidationError):
        produce_document(
            DocumentRequest(REGISTER, "en", year=1990),
            out / "r.pdf",
            today=TODAY,
            progress=lambda *step: steps.append(step),
        )
    assert steps == [] and list(out.iterdir()) == []


def test_a_failure_while_building_leaves_no_file_nor_temporary(out, database, monkeypatch):
    import app.reports.register as register_report

    build_register_dataset()

    def broken(data):
        raise RuntimeError("boom")

    monkeypatch.setattr(register_report, "_story", broken)
    with pytest.raises(RuntimeError):
        produce_document(DocumentRequest(REGISTER, "en", year=2026), out / "r.pdf", today=TODAY)
    assert list(out.iterdir()) == []


def test_bad_output_paths_are_refused_before_any_work(out, database):
    request = DocumentRequest(REGISTER, "en", year=2026)
    with pytest.raises(ValidationError) as info:
        produce_document(request, out, today=TODAY)
    assert info.value.errors == {"path": f"{out} is a folder; choose a file name for the document."}
    with pytest.raises(ValidationError) as info:
        produce_document(request, out / "missing" / "r.pdf", today=TODAY)
    assert info.value.errors == {"path": f"The folder {out / 'missing'} does not exist."}
    (out / "file.txt").write_text("x")
    with pytest.raises(DomainError):
        produce_document(request, out / "file.txt" / "r.pdf", today=TODAY)
    assert sorted(p.name for p in out.iterdir()) == ["file.txt"]


def test_produce_the_activity_report(out, database):
    build_register_dataset()
    path = produce_document(
        DocumentRequest(ACTIVITY, "en", dt.date(2026, 1, 1), dt.date(2026, 3, 31)), out / "a.pdf", today=TODAY
    )
    assert "Activity report" in text_of(path)


def test_produce_the_charter_active_or_exactly_one_version(out, database):
    activate_charter(CharterType.CUSTOMER_ATTENTION, "Carta de atención <2026>")
    path = produce_document(DocumentRequest(CHARTER, "en"), out / "c.pdf", today=TODAY)
    text = text_of(path)
    assert "Carta de atención <2026>" in text and "We answer every claim within 10 days" in text

    from app.services import charters

    draft = charters.save_charter(
        None,
        charters.CharterInput(
            type=CharterType.FINANCING,
            title="Financiación (borrador)",
            valid_from=dt.date(2026, 1, 1),
            channels=(charters.ChannelEntry(ContactChannel.EMAIL, "info@example.com"),),
        ),
    )
    path = produce_document(DocumentRequest(CHARTER, "en", charter_id=draft), out / "d.pdf", today=TODAY)
    assert "Financiación (borrador)" in text_of(path)


# --------------------------------------------------------------------------- file names


def test_default_file_names():
    assert default_file_name(DocumentRequest(ACTIVITY, "en", dt.date(2026, 1, 1), dt.date(2026, 12, 31))) == (
        "activity-report-2026-01-01-2026-12-31.pdf"
    )
    assert default_file_name(DocumentRequest(REGISTER, "en", year=2026)) == "complaints-register-2026.pdf"
    assert default_file_name(DocumentRequest(CHARTER, "en", charter_type=CharterType.PRODUCT_ACCESS)) == (
        "service-charter-product-access.pdf"
    )
    assert default_file_name(DocumentRequest(CHARTER, "en")) == "service-charter.pdf"
    spanish = default_file_name(DocumentRequest(CHARTER, "es", charter_type=CharterType.FINANCING))
    assert spanish.endswith("-financiacion.pdf")  # the translated label, without accents
    assert i18n.current_language() == "en"


def test_dates_far_from_today_are_refused_at_the_field(database):
    far = DocumentRequest(ACTIVITY, "en", dt.date(9999, 1, 1), dt.date(9999, 12, 31))
    assert errors_of(far) == {
        "start": "Choose a date between 2000 and 2027.",
        "end": "Choose a date between 2000 and 2027.",
    }
    early = DocumentRequest(ACTIVITY, "en", dt.date(1, 1, 1), dt.date(2026, 1, 1))
    assert errors_of(early) == {"start": "Choose a date between 2000 and 2027."}
