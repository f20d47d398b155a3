"""The Reports page: choose a document, generate it in the background, preview, print and save it;
and the PDF preview dialog the charter editor uses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog
from reportlab.pdfgen import canvas

import app.documents as documents
import app.views.dialogs as dialogs_module
import app.views.errors as errors_module
import app.views.reports.page as page_module
import app.views.reports.print as printing
from app.documents import DocumentKind, DocumentRequest
from app.models.enums import CharterType, RepRole
from app.services import charters as charter_service
from app.services.errors import ValidationError
from app.services.reps import create_rep
from app.views.customers.customer_dialog import from_qdate
from app.views.pages.base import AppContext
from app.views.reports.page import ReportsPage, period_bounds
from app.views.reports.preview import ZOOM_STEPS, PdfPreviewDialog, PdfPreviewWidget

TODAY = dt.date(2026, 11, 23)


def write_pdf(path, pages: int, label: str = "Fake page") -> Path:
    """A real small PDF: one line of text on each page."""
    pdf = canvas.Canvas(str(path))
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"{label} {number} of {pages}")
        pdf.showPage()
    pdf.save()
    return Path(path)


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


class FakeProducer:
    """Stands in for documents.produce_document: records the requests, writes `pages` pages."""

    def __init__(self, pages: int = 3, error: BaseException | None = None):
        self.pages, self.error = pages, error
        self.requests: list[DocumentRequest] = []
        self.progress: list[tuple[int, int]] = []

    def __call__(self, request, path, *, today, progress=None):
        assert today == TODAY
        self.requests.append(request)
        if progress is not None:
            progress(0, 2)
            self.progress.append((0, 2))
        if self.error is not None:
            raise self.error
        write_pdf(path, self.pages, label=f"{request.kind.value}")
        if progress is not None:
            progress(2, 2)
            self.progress.append((2, 2))
        return Path(path)


@pytest.fixture
def producer(monkeypatch):
    fake = FakeProducer()
    monkeypatch.setattr(documents, "produce_document", fake)
    return fake


def make_page(qtbot, database, current_rep=None) -> ReportsPage:
    page = ReportsPage(AppContext(database=database, current_rep=current_rep), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    return page


@pytest.fixture
def page(qtbot, database):
    return make_page(qtbot, database)


def generate(qtbot, page: ReportsPage, pages: int | None = None) -> None:
    assert page.generate()
    qtbot.waitUntil(lambda: not page.is_busy and page.preview.page_count > 0, timeout=15000)
    if pages is not None:
        assert page.preview.page_count == pages


# --------------------------------------------------------------------------- choosing


def test_empty_state_before_the_first_document(page):
    assert not page.showing_preview
    assert page.empty_state_text() == "Choose a document and press Generate."
    assert not page.print_button.isEnabled() and not page.save_button.isEnabled()
    assert page.save_as() is None and page.print_document() is False  # nothing to save yet, no dialog


def test_each_document_shows_only_its_own_choices(page):
    def shown(widget):
        return widget.isVisibleTo(page)

    assert shown(page.start_edit) and shown(page.rep_combo) and not shown(page.year_spin)
    page.select_kind(DocumentKind.REGISTER)
    assert shown(page.year_spin) and not shown(page.start_edit) and not shown(page.charter_type_combo)
    assert page.year_spin.value() == 2026
    page.select_kind(DocumentKind.CHARTER)
    assert shown(page.charter_type_combo) and not shown(page.year_spin) and not shown(page.rep_combo)
    assert shown(page.language_combo)


def test_defaults_this_month_everyone_in_the_ui_language(page):
    request = page.current_request()
    assert request == DocumentRequest(
        DocumentKind.ACTIVITY, language="en", start=dt.date(2026, 11, 1), end=TODAY, rep_id=None
    )
    assert page.period_combo.currentData() == "this_month"
    assert page.rep_combo.currentText() == "Everyone"


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("this_month", dt.date(2026, 11, 1), TODAY),
        ("last_month", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        ("this_quarter", dt.date(2026, 10, 1), TODAY),
        ("last_quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("this_year", dt.date(2026, 1, 1), TODAY),
        ("last_year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_quick_periods(page, key, start, end):
    assert period_bounds(key, TODAY) == (start, end)
    page.select_period(key)
    assert (from_qdate(page.start_edit.date()), from_qdate(page.end_edit.date())) == (start, end)


def test_last_quarter_in_january_is_last_years_fourth(page):
    assert period_bounds("last_quarter", dt.date(2027, 1, 15)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert period_bounds("last_month", dt.date(2027, 1, 15)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_editing_a_date_shows_custom_period(page):
    page.select_period("last_month")
    page.start_edit.setDate(page.start_edit.date().addDays(1))
    assert page.period_combo.currentData() == "custom"
    page.set_period(dt.date(2026, 1, 1), TODAY)  # what "this year" is: recognised
    assert page.period_combo.currentData() == "this_year"


def test_reps_everyone_and_the_active_ones(qtbot, database):
    lucia = create_rep("LFE", "Lucia Fernandez")
    create_rep("OLD", "Old Rep")
    from app.models import Rep

    Rep.update(active=False).where(Rep.code == "OLD").execute()
    boss = create_rep("BOS", "Boss", RepRole.MANAGER)
    manager_page = make_page(qtbot, database, current_rep=boss)
    names = [manager_page.rep_combo.itemText(i) for i in range(manager_page.rep_combo.count())]
    assert names == ["Everyone", "Boss", "Lucia Fernandez"]
    assert manager_page.current_request().rep_id is None  # a manager starts with everyone
    rep_page = make_page(qtbot, database, current_rep=lucia)
    assert rep_page.current_request().rep_id == lucia.id  # a rep starts with their own work


def test_charter_offers_only_types_with_an_active_charter(qtbot, database, monkeypatch, producer):
    page = make_page(qtbot, database)
    assert not page._no_charter.isVisibleTo(page)
    page.select_kind(DocumentKind.CHARTER)
    assert page.charter_type_combo.count() == 0
    assert page._no_charter.isVisibleTo(page)  # says why there is nothing to choose
    assert page._no_charter.text().startswith("No service charter is active.")
    assert not page.generate_button.isEnabled()
    assert page.generate() is False and producer.requests == []

    active = {CharterType.FINANCING: 7}
    monkeypatch.setattr(charter_service, "active_charter_id", lambda charter_type: active.get(charter_type))
    monkeypatch.setattr(documents, "validate_request", lambda request, today: None)
    page.refresh()
    assert [page.charter_type_combo.itemText(i) for i in range(page.charter_type_combo.count())] == [
        "Financing"
    ]
    assert not page._no_charter.isVisibleTo(page)
    assert page.generate_button.isEnabled()
    generate(qtbot, page, 3)
    assert producer.requests == [
        DocumentRequest(DocumentKind.CHARTER, language="en", charter_type=CharterType.FINANCING)
    ]


# --------------------------------------------------------------------------- generating


def test_generate_activity_report_previews_every_page(qtbot, database, producer):
    rep = create_rep("LFE", "Lucia Fernandez")
    page = make_page(qtbot, database)
    page.select_period("last_month")
    page.rep_combo.setCurrentIndex(page.rep_combo.findData(rep.id))
    page.language_combo.setCurrentIndex(page.language_combo.findData("es"))
    generate(qtbot, page, 3)

    assert producer.requests == [
        DocumentRequest(
            DocumentKind.ACTIVITY,
            language="es",
            start=dt.date(2026, 10, 1),
            end=dt.date(2026, 10, 31),
            rep_id=rep.id,
        )
    ]
    assert producer.progress == [(0, 2), (2, 2)]
    assert page.showing_preview
    assert page.generated.path.parent == page.temporary_folder
    assert text_of(page.generated.path).startswith("activity 1 of 3")
    assert (
        page.generated.description == "Activity report · 01/10/2026 to 31/10/2026 · Lucia Fernandez · Español"
    )
    assert page.print_button.isEnabled() and page.save_button.isEnabled()


def test_page_navigation(qtbot, page, producer):
    producer.pages = 4
    generate(qtbot, page, 4)
    preview = page.preview
    assert (preview.current_page, preview.page_text()) == (0, "Page 1 of 4")
    preview.next_page()
    qtbot.waitUntil(lambda: preview.current_page == 1)
    assert preview.page_text() == "Page 2 of 4"
    preview.go_to_page(3)
    qtbot.waitUntil(lambda: preview.current_page == 3)
    assert not preview._next.isEnabled() and preview._previous.isEnabled()
    preview.next_page()  # past the end: stays on the last page
    assert preview.current_page == 3
    preview._page.setValue(2)  # typing a page number
    qtbot.waitUntil(lambda: preview.current_page == 1)
    preview.previous_page()
    qtbot.waitUntil(lambda: preview.current_page == 0)
    assert not preview._previous.isEnabled()


def test_zoom(qtbot, page, producer):
    page.show()
    qtbot.waitExposed(page)
    generate(qtbot, page, 3)
    preview = page.preview
    assert preview.fits_width
    fitted = preview.effective_zoom()
    assert 0.5 < fitted < 3
    preview.zoom_in()  # the next step above what "fit width" showed
    assert not preview.fits_width
    assert preview.zoom_factor == min(z for z in ZOOM_STEPS if z > fitted + 0.001)
    assert preview._zoom_label.text() == f"{round(preview.zoom_factor * 100)} %"
    preview.zoom_out()
    preview.zoom_out()
    assert preview.zoom_factor < fitted
    preview.fit_width()
    assert preview.fits_width and preview.effective_zoom() == pytest.approx(fitted)


def test_ctrl_g_generates(qtbot, page, producer):
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    page.kind_combo.setFocus()
    # Through the window, where Qt's shortcut map sees it (as a real key press).
    QTest.keyClick(page.windowHandle(), Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.preview.page_count == 3, timeout=15000)
    assert len(producer.requests) == 1
    QTest.keyClick(page.windowHandle(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(producer.requests) == 2 and not page.is_busy, timeout=15000)


def test_period_ending_before_it_starts_is_refused_next_to_the_field(page, producer):
    page.set_period(dt.date(2026, 11, 20), dt.date(2026, 11, 1))
    assert page.generate() is False
    assert page.error_text("end") == "The period ends before it starts."
    assert producer.requests == []
    page.set_period(dt.date(2026, 11, 1), dt.date(2026, 11, 20))  # corrected: the message goes
    assert page.error_text("end") == ""


def test_a_refusal_from_the_background_goes_next_to_its_field(qtbot, page, producer):
    producer.error = ValidationError({"year": "Choose a year between 2000 and 2027."})
    page.select_kind(DocumentKind.REGISTER)
    assert page.generate()
    qtbot.waitUntil(lambda: page.error_text("year") != "", timeout=15000)
    assert page.error_text("year") == "Choose a year between 2000 and 2027."
    assert not page.is_busy and page.generate_button.isEnabled() and not page.showing_preview


def test_an_unexpected_failure_goes_to_the_error_dialog(qtbot, page, producer, monkeypatch):
    shown = []
    monkeypatch.setattr(page_module, "show_error", lambda parent, exc, title=None: shown.append(str(exc)))
    producer.error = OSError(28, "No space left on device")
    assert page.generate()
    qtbot.waitUntil(lambda: bool(shown), timeout=15000)
    assert "No space left on device" in shown[0]
    assert not page.is_busy and not page.showing_preview


def test_changed_choices_make_the_preview_out_of_date(qtbot, page, producer):
    generate(qtbot, page, 3)
    page.language_combo.setCurrentIndex(page.language_combo.findData("es"))
    assert page.is_stale
    assert not page.print_button.isEnabled() and not page.save_button.isEnabled()
    assert page.save_as() is None  # refused without a dialog
    page.language_combo.setCurrentIndex(page.language_combo.findData("en"))  # back as it was
    assert not page.is_stale and page.save_button.isEnabled()
    page.select_kind(DocumentKind.REGISTER)
    assert page.is_stale
    first = page.generated.path
    generate(qtbot, page)
    qtbot.waitUntil(lambda: page.generated.request.kind is DocumentKind.REGISTER)
    assert not page.is_stale and page.save_button.isEnabled()
    assert not first.exists()  # the previous temporary file went
    assert text_of(page.generated.path).startswith("register 1 of 3")


def test_navigation_from_the_dashboard_satisfaction_tile(page):
    page.select_kind(DocumentKind.REGISTER)
    page.apply_navigation({"report": "satisfaction"})
    request = page.current_request()
    assert (request.kind, request.start, request.end) == (DocumentKind.ACTIVITY, dt.date(2026, 11, 1), TODAY)
    page.apply_navigation({"document": "register"})
    assert page.current_kind() is DocumentKind.REGISTER
    assert page.current_request().year == 2026
    page.apply_navigation({"document": "nonsense", "other": 1})  # ignored
    assert page.current_kind() is DocumentKind.REGISTER


# --------------------------------------------------------------------------- saving and printing


def test_save_as_suggests_the_documents_folder_and_copies_the_file(
    qtbot, page, producer, monkeypatch, tmp_path
):
    generate(qtbot, page, 3)
    asked = []
    target = tmp_path / "saved" / "my report"
    target.parent.mkdir()

    def fake_dialog(parent, caption, suggested, filters):
        asked.append(Path(suggested))
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    saved = page.save_as()
    assert asked[0].name == "activity-report-2026-11-01-2026-11-23.pdf"
    assert asked[0].parent == page_module.documents_folder()
    assert saved == target.with_name("my report.pdf")
    assert saved.read_bytes() == page.generated.path.read_bytes()
    assert sorted(p.name for p in target.parent.iterdir()) == ["my report.pdf"]  # no temporary left
    assert page.status_text() == f"Saved as {saved}."
    # The next time, the folder where the last one went; "my report.pdf" is there now: asked, kept.
    monkeypatch.setattr(dialogs_module, "confirm", lambda *args, **kwargs: False)
    assert page.save_as() is None
    assert asked[1].parent == target.parent


def test_save_as_cancelled_writes_nothing(qtbot, page, producer, monkeypatch, tmp_path):
    generate(qtbot, page, 3)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: ("", ""))
    assert page.save_as() is None


@pytest.fixture
def shown_errors(monkeypatch):
    shown: list[BaseException] = []
    monkeypatch.setattr(errors_module, "show_error", lambda parent, exc, title=None: shown.append(exc))
    return shown


def choose_in_dialog(monkeypatch, chosen: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(chosen), args[-1]))


def test_a_failed_save_keeps_the_previous_file(qtbot, page, producer, monkeypatch, tmp_path, shown_errors):
    generate(qtbot, page, 3)
    target = tmp_path / "out" / "copy.pdf"
    target.parent.mkdir()
    target.write_bytes(b"the previous, good copy")
    choose_in_dialog(monkeypatch, target)  # Qt's dialog asked before replacing it

    def broken(src, dst):
        Path(dst).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(page_module.shutil, "copyfile", broken)
    assert page.save_as() is None
    assert [str(exc) for exc in shown_errors] == [f"Cannot write {target}: No space left on device"]
    assert [p.name for p in target.parent.iterdir()] == ["copy.pdf"]
    assert target.read_bytes() == b"the previous, good copy"


def test_saving_over_a_file_the_dialog_chose_replaces_it(qtbot, page, producer, monkeypatch, tmp_path):
    generate(qtbot, page, 3)
    target = tmp_path / "report.pdf"
    target.write_bytes(b"last month's")
    choose_in_dialog(monkeypatch, target)
    assert page.save_as() == target
    assert target.read_bytes() == page.generated.path.read_bytes()


def test_an_existing_file_named_by_the_added_extension_is_asked_about(
    qtbot, page, producer, monkeypatch, tmp_path
):
    """Qt asked about "report"; "report.pdf" is another file: the page asks before replacing it."""
    generate(qtbot, page, 3)
    folder = tmp_path / "saved"
    folder.mkdir()
    existing = folder / "report.pdf"
    existing.write_bytes(b"last month's")
    choose_in_dialog(monkeypatch, folder / "report")
    questions: list[str] = []
    answer = [False]

    def confirm(parent, question, title=None, **kwargs):
        questions.append(question)
        return answer[0]

    monkeypatch.setattr(dialogs_module, "confirm", confirm)
    assert page.save_as() is None
    assert questions == ["report.pdf already exists. Do you want to replace it?"]
    assert existing.read_bytes() == b"last month's"
    answer[0] = True
    assert page.save_as() == existing
    assert existing.read_bytes() == page.generated.path.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["report.pdf"]


@pytest.mark.sqlite_only("an SQLite file")
def test_a_database_is_never_saved_over(qtbot, page, producer, monkeypatch, database, shown_errors):
    """Even when the user confirmed replacing it in the dialog (a database named like a document)."""
    generate(qtbot, page, 3)
    victim = database.path.with_name("victim.pdf")
    victim.write_bytes(database.path.read_bytes())  # another SQLite file, named like a document
    choose_in_dialog(monkeypatch, victim)
    before = victim.read_bytes()
    assert page.save_as() is None
    assert "is an SQLite database or one of its working files" in str(shown_errors[0])
    assert victim.read_bytes() == before


def test_print_renders_every_page_on_the_printer(qtbot, page, producer, monkeypatch, tmp_path):
    generate(qtbot, page, 3)
    printed_to = tmp_path / "printed.pdf"
    printers = []

    def fake_dialog(printer, parent, page_count):
        printers.append(printer)
        assert page_count == 3
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed_to))
        printer.setResolution(72)  # keep the test quick
        return True

    monkeypatch.setattr(printing, "exec_print_dialog", fake_dialog)
    assert page.print_document() is True
    assert printers[0].docName() == page.generated.description
    assert printed_to.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(str(printed_to)).pages) == 3
    assert page.status_text() == "Sent to the printer."


def test_print_a_page_range(qtbot, page, producer, monkeypatch, tmp_path):
    producer.pages = 4
    generate(qtbot, page, 4)
    printed_to = tmp_path / "printed.pdf"

    def fake_dialog(printer, parent, page_count):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed_to))
        printer.setResolution(72)
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 3)
        return True

    monkeypatch.setattr(printing, "exec_print_dialog", fake_dialog)
    assert page.print_document()
    assert len(PdfReader(str(printed_to)).pages) == 2


def test_print_cancelled_prints_nothing(qtbot, page, producer, monkeypatch):
    generate(qtbot, page, 3)
    monkeypatch.setattr(printing, "exec_print_dialog", lambda printer, parent, count: False)
    assert page.print_document() is False
    assert page.status_text() == ""


# --------------------------------------------------------------------------- the page's temporary files


def test_temporary_files_go_with_the_page(qtbot, database, producer):
    page = ReportsPage(AppContext(database=database), today=lambda: TODAY)
    generate(qtbot, page, 3)
    folder = page.temporary_folder
    assert folder.is_dir() and any(folder.iterdir())
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not folder.exists()


# --------------------------------------------------------------------------- end to end


def test_register_end_to_end_with_the_real_document(qtbot, database):
    from tests.factories import NASTY, build_register_dataset

    build_register_dataset()
    page = make_page(qtbot, database)
    page.apply_navigation({"document": "register"})
    page.year_spin.setValue(2026)
    generate(qtbot, page)
    assert page.preview.page_count == len(PdfReader(str(page.generated.path)).pages) >= 1
    text = text_of(page.generated.path)
    assert "Register of complaints and claims 2026" in text and NASTY in text
    for number in ("CASE-2026-0001", "CASE-2026-0004", "CASE-2026-0008"):
        assert number in text
    assert "CASE-2026-0005" not in text  # a suggestion is not in the register


# --------------------------------------------------------------------------- the preview dialog


def test_preview_widget_refuses_a_file_that_is_not_a_pdf(qtbot, tmp_path):
    widget = PdfPreviewWidget()
    qtbot.addWidget(widget)
    broken = tmp_path / "broken.pdf"
    broken.write_text("not a pdf")
    with pytest.raises(OSError):
        widget.load(broken)
    assert widget.page_count == 0 and widget.page_text() == ""


def test_preview_dialog_shows_the_pdf(qtbot, tmp_path, monkeypatch):
    path = write_pdf(tmp_path / "charter.pdf", 2)
    dialog = PdfPreviewDialog(None, "Service charter v2")
    qtbot.addWidget(dialog)
    dialog.load(path)
    assert dialog.windowTitle() == "Service charter v2"
    assert dialog.preview.page_count == 2 and dialog.preview.is_ready
    assert dialog.preview.page_text() == "Page 1 of 2"

    printed_to = tmp_path / "printed.pdf"

    def fake_dialog(printer, parent, page_count):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed_to))
        printer.setResolution(72)
        return True

    monkeypatch.setattr(printing, "exec_print_dialog", fake_dialog)
    assert dialog.print_document()
    assert len(PdfReader(str(printed_to)).pages) == 2


def test_show_pdf_opens_the_dialog_until_closed(qtbot, tmp_path, monkeypatch):
    path = write_pdf(tmp_path / "charter.pdf", 2)
    seen = []

    def fake_exec(self):
        seen.append((self.windowTitle(), self.preview.page_count))
        return 0

    monkeypatch.setattr(PdfPreviewDialog, "exec", fake_exec)
    PdfPreviewDialog.show_pdf(None, path, "Charter preview")
    assert seen == [("Charter preview", 2)]


def test_show_pdf_of_a_missing_file_says_so(qtbot, tmp_path, monkeypatch):
    import app.views.errors as errors

    shown = []
    monkeypatch.setattr(errors, "show_error", lambda parent, exc, title=None: shown.append(str(exc)))
    PdfPreviewDialog.show_pdf(None, tmp_path / "missing.pdf", "Charter preview")
    assert shown and "missing.pdf" in shown[0]


def test_cancelling_the_generation_frees_the_page(qtbot, page, monkeypatch):
    from app.views.tasks import TaskCancelled

    def cancelled(request, path, *, today, progress=None):
        raise TaskCancelled()  # what progress.report raises once the user pressed Cancel

    monkeypatch.setattr(documents, "produce_document", cancelled)
    assert page.generate()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=5000)
    assert page.generate_button.isEnabled()
    assert page.status_text() == "Generation cancelled."


# --------------------------------------------------------------------------- the dialog fits the screen


def _within(inner, outer) -> bool:
    return outer.contains(inner.topLeft()) and outer.contains(inner.bottomRight())


def test_the_preview_dialog_fits_a_900_pixel_high_screen(qtbot, tmp_path, monkeypatch):
    """1440×900 with a 27 px panel: the whole window, its buttons included, stays on the screen."""
    import app.views.reports.preview as preview_module

    area = QRect(0, 27, 1440, 873)
    monkeypatch.setattr(preview_module, "available_area", lambda widget: area)
    dialog = PdfPreviewDialog(None, "Service charter v2", "service-charter.pdf")
    qtbot.addWidget(dialog)
    dialog.load(write_pdf(tmp_path / "charter.pdf", 2))
    dialog.show()
    qtbot.waitExposed(dialog)
    geometry = dialog.geometry()
    assert _within(geometry, area)
    assert geometry.height() <= area.height() - preview_module.FRAME_ALLOWANCE  # room for the title bar
    assert geometry.width() == preview_module.PREFERRED_SIZE.width()  # only as small as needed
    for button in (dialog.print_button, dialog.save_button, dialog.button_box.button(QDialogButtonBox.Close)):
        corner = button.mapTo(dialog, QPoint(button.width() - 1, button.height() - 1))
        assert button.isVisible() and dialog.rect().contains(corner), button.text()


def test_a_size_remembered_from_a_larger_screen_is_fitted_to_the_small_one(qtbot, tmp_path, monkeypatch):
    import app.views.reports.preview as preview_module

    large = QRect(0, 0, 2560, 1440)
    monkeypatch.setattr(preview_module, "available_area", lambda widget: large)
    first = PdfPreviewDialog(None, "Charter")
    qtbot.addWidget(first)
    first.show()
    first.setGeometry(100, 60, 1000, 1300)
    first.done(0)  # remembers 1000×1300 at (100, 60)
    small = QRect(0, 0, 1024, 700)
    monkeypatch.setattr(preview_module, "available_area", lambda widget: small)
    second = PdfPreviewDialog(None, "Charter")
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert _within(second.frameGeometry(), small)
    assert second.height() <= small.height() - preview_module.FRAME_ALLOWANCE
    assert second.width() <= small.width()


def test_the_preview_dialog_saves_a_copy_from_the_documents_folder(qtbot, tmp_path, monkeypatch):
    source = write_pdf(tmp_path / "shown.pdf", 1)
    dialog = PdfPreviewDialog(None, "Receipt", "RMA-2026-0001.pdf")
    qtbot.addWidget(dialog)
    dialog.load(source)
    target = tmp_path / "kept" / "copy"
    target.parent.mkdir()
    asked = []

    def fake_dialog(parent, caption, suggested, filters):
        asked.append(Path(suggested))
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    saved = dialog.save_as()
    assert asked == [page_module.documents_folder() / "RMA-2026-0001.pdf"]
    assert saved == target.with_name("copy.pdf") and saved.read_bytes() == source.read_bytes()
    monkeypatch.setattr(dialogs_module, "confirm", lambda *args, **kwargs: False)  # copy.pdf: kept
    assert dialog.save_as() is None  # the next time, the folder the last copy went to
    assert asked[1].parent == target.parent
    without_name = PdfPreviewDialog(None, "Charter")
    qtbot.addWidget(without_name)
    assert without_name.save_button.isHidden()
