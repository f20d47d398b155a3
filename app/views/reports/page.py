"""The Reports page: choose a document and its parameters, generate it in the background, preview,
print and save it.

The page builds a `documents.DocumentRequest` and hands it to `documents.produce_document`, the same
code path as `postventa report`. The PDF goes to a temporary folder owned by the page (removed when
the page goes away); Save as… copies it where the user says, Print… sends its pages to a printer.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app import documents
from app.documents import DocumentKind, DocumentRequest
from app.i18n import N_, _, current_language, format_date
from app.models.enums import CharterType
from app.services import charters as charter_service
from app.services import exports
from app.services.errors import ValidationError
from app.services.exports import ListKind
from app.services.reps import list_reps
from app.views.combos import filter_as_you_type
from app.views.customers.customer_dialog import date_edit, from_qdate, to_qdate
from app.views.dialogs import documents_folder, field_error_label, show_field_errors, with_error_label
from app.views.errors import show_error
from app.views.events import CHARTERS, REPS, Change
from app.views.exports import SHORTCUT as EXPORT_SHORTCUT
from app.views.exports import export_list
from app.views.operations import perform
from app.views.pages.base import AppContext, Page, empty_state_label
from app.views.reports.preview import PdfPreviewWidget, ask_save_path, save_pdf_copy
from app.views.tasks import run_in_background

LANGUAGE_NAMES = {"es": "Español", "en": "English"}  # each in its own language, never translated


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = _month_start(today) - dt.timedelta(days=1)
    return _month_start(end), end


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _previous_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    end = _quarter_start(today) - dt.timedelta(days=1)
    return _quarter_start(end), end


# Quick choices for the activity report's period: (key, label, (first day, last day) from today).
# Current periods run to today (what has happened so far); past ones are whole.
PERIODS: list[tuple[str, str, Callable[[dt.date], tuple[dt.date, dt.date]]]] = [
    ("this_month", N_("This month"), lambda today: (_month_start(today), today)),
    ("last_month", N_("Last month"), _previous_month),
    ("this_quarter", N_("This quarter"), lambda today: (_quarter_start(today), today)),
    ("last_quarter", N_("Last quarter"), _previous_quarter),
    ("this_year", N_("This year"), lambda today: (dt.date(today.year, 1, 1), today)),
    (
        "last_year",
        N_("Last year"),
        lambda today: (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    ),
]
CUSTOM_PERIOD = "custom"

# Where field errors of a request are shown.
ERROR_FIELDS = ("start", "end", "rep", "year", "charter", "language")


def period_bounds(key: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a quick period choice."""
    return next(bounds(today) for k, _label, bounds in PERIODS if k == key)


@dataclass(frozen=True)
class GeneratedDocument:
    """What the preview shows: the request that produced it and the temporary file."""

    request: DocumentRequest
    path: Path
    description: str


def _remove_folder(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


class ReportsPage(Page):
    """Choose a document, generate it in the background, look at it, print it or save it."""

    data_kinds = frozenset({CHARTERS, REPS})

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] | None = None,
    ):
        super().__init__(context, parent)
        self._today_source = today or dt.date.today
        self._folder = tempfile.mkdtemp(prefix="postventa-reports-")
        folder = self._folder
        self.destroyed.connect(lambda *args: _remove_folder(folder))
        atexit.register(_remove_folder, folder)
        self._generated: GeneratedDocument | None = None
        self._busy = False
        self._counter = 0
        self._errors: dict[str, QLabel] = {}
        self._last_saved: Path | None = None
        today_value = self._today_source()

        # --- the choices (left) ---------------------------------------------------------------
        heading = QLabel(_("Reports"))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        self._kind = QComboBox()
        for kind in DocumentKind:
            self._kind.addItem(kind.label, kind)
        self._kind.setToolTip(_("The document to produce"))

        # Activity report: the period and the rep.
        self._period = QComboBox()
        self._period.addItem(_("Custom period"), CUSTOM_PERIOD)
        for key, label, _bounds in PERIODS:
            self._period.addItem(_(label), key)
        self._start = date_edit(today_value)
        self._end = date_edit(today_value)
        self._rep = filter_as_you_type(QComboBox())
        # Service charter: the type of an active charter.
        self._charter_type = QComboBox()
        self._no_charter = QLabel(
            _("No service charter is active. Activate one on the Service charters page to print it.")
        )
        self._no_charter.setWordWrap(True)
        self._no_charter.setStyleSheet("color: palette(dark);")
        # Register: the year.
        self._year = QSpinBox()
        self._year.setRange(documents.FIRST_YEAR, today_value.year + 1)
        self._year.setValue(today_value.year)
        self._year.setGroupSeparatorShown(False)

        self._language = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self._language.addItem(name, code)
        self._language.setCurrentIndex(max(0, self._language.findData(current_language())))
        self._language.setToolTip(_("The language the document is written in"))

        self._generate = QPushButton(_("Generate"))
        self._generate.setDefault(True)
        self._generate.setToolTip(_("Produce the document and show it (Ctrl+Enter)"))
        self._export_surveys = QPushButton(_("Export the period's surveys…"))
        self._export_surveys.setToolTip(
            _(
                "Save the satisfaction surveys of the period (and rep) as an Excel workbook or a CSV file ({key})"
            ).format(key=EXPORT_SHORTCUT)
        )
        self._general_error = field_error_label()
        self._status = QLabel()
        self._status.setWordWrap(True)
        self._status.setStyleSheet("color: palette(dark);")

        # One form, so the fields line up; each document shows only its own rows.
        self._form = QFormLayout()
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.addRow(_("Document"), self._kind)
        self._rows: dict[DocumentKind, list[QWidget]] = {
            DocumentKind.ACTIVITY: [
                self._add_row(None, _("Period"), self._period),
                self._add_row("start", _("From"), self._start),
                self._add_row("end", _("To"), self._end),
                self._add_row("rep", _("Rep"), self._rep),
            ],
            DocumentKind.CHARTER: [self._add_row("charter", _("Charter"), self._charter_type)],
            DocumentKind.REGISTER: [self._add_row("year", _("Year"), self._year)],
        }
        self._form.addRow(self._no_charter)
        self._add_row("language", _("Language"), self._language)
        # In the fixed-width column the labels keep their room; long choices elide in the combos.
        for combo in (self._kind, self._period, self._rep, self._charter_type, self._language):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)

        side = QFrame()
        side.setObjectName("reportChoices")
        side.setFixedWidth(330)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(12, 12, 12, 12)
        side_layout.addWidget(heading)
        side_layout.addLayout(self._form)
        side_layout.addWidget(self._generate)
        side_layout.addWidget(self._export_surveys)
        side_layout.addWidget(self._general_error)
        side_layout.addWidget(self._status)
        side_layout.addStretch(1)

        # --- the preview (right) -----------------------------------------------------------------
        self._title = QLabel()
        self._title.setTextFormat(Qt.TextFormat.PlainText)  # user text
        self._title.setStyleSheet("font-weight: 600;")
        self._title.setWordWrap(True)
        self._stale = QLabel(_("The choices changed since this preview: press Generate to update it."))
        self._stale.setObjectName("staleNotice")
        self._stale.setStyleSheet("color: #8a5300; font-weight: 600;")
        self._stale.setWordWrap(True)
        self._stale.hide()
        self._print = QPushButton(_("Print…"))
        self._print.setToolTip(_("Print the document (Ctrl+P)"))
        self._save = QPushButton(_("Save as…"))
        self._save.setToolTip(_("Save the document as a PDF file (Ctrl+Shift+S)"))
        top = QHBoxLayout()
        title_column = QVBoxLayout()
        title_column.addWidget(self._title)
        title_column.addWidget(self._stale)
        top.addLayout(title_column, 1)
        top.addWidget(self._print)
        top.addWidget(self._save)
        self._preview = PdfPreviewWidget()
        shown = QWidget()
        shown_layout = QVBoxLayout(shown)
        shown_layout.setContentsMargins(0, 0, 0, 0)
        shown_layout.addLayout(top)
        shown_layout.addWidget(self._preview, 1)
        self._empty = empty_state_label(_("Choose a document and press Generate."))
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(shown)

        layout = QHBoxLayout(self)
        layout.addWidget(side)
        layout.addWidget(self._stack, 1)

        # --- wiring ------------------------------------------------------------------------------
        self._kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        self._period.currentIndexChanged.connect(self._on_period_current_index_changed)
        for edit in (self._start, self._end):
            edit.dateChanged.connect(self._on_date_changed)
        for combo in (self._rep, self._charter_type, self._language):
            combo.currentIndexChanged.connect(self._on_choice_changed)
        self._year.valueChanged.connect(self._on_choice_changed)
        self._generate.clicked.connect(self.generate)
        self._export_surveys.clicked.connect(self.export_list)
        self._print.clicked.connect(self.print_document)
        self._save.clicked.connect(self.save_as)
        for sequence, slot in (
            ("Ctrl+Return", self.generate),
            ("Ctrl+Enter", self.generate),
            ("Ctrl+G", self.generate),
            (QKeySequence.StandardKey.Print, self.print_document),
            ("Ctrl+Shift+S", self.save_as),
        ):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self._fill_reps()
        self._fill_charter_types()
        self.select_period("this_month")
        self._on_kind_current_index_changed()

    # --- building blocks -----------------------------------------------------------------------

    def _add_row(self, key: str | None, caption: str, widget: QWidget) -> QWidget:
        """A row of the form, with an error label under the field when `key` names one; returns the row's field."""
        field = widget
        if key is not None:
            field, self._errors[key] = with_error_label(widget)
        label = QLabel(caption)
        label.setBuddy(widget)
        self._form.addRow(label, field)
        return field

    # --- for the main window and tests ------------------------------------------------------------

    @property
    def preview(self) -> PdfPreviewWidget:
        return self._preview

    @property
    def kind_combo(self) -> QComboBox:
        return self._kind

    @property
    def period_combo(self) -> QComboBox:
        return self._period

    @property
    def start_edit(self) -> QDateEdit:
        return self._start

    @property
    def end_edit(self) -> QDateEdit:
        return self._end

    @property
    def rep_combo(self) -> QComboBox:
        return self._rep

    @property
    def charter_type_combo(self) -> QComboBox:
        return self._charter_type

    @property
    def year_spin(self) -> QSpinBox:
        return self._year

    @property
    def language_combo(self) -> QComboBox:
        return self._language

    @property
    def generate_button(self) -> QPushButton:
        return self._generate

    @property
    def print_button(self) -> QPushButton:
        return self._print

    @property
    def save_button(self) -> QPushButton:
        return self._save

    @property
    def generated(self) -> GeneratedDocument | None:
        return self._generated

    @property
    def is_busy(self) -> bool:
        return self._busy

    @property
    def temporary_folder(self) -> Path:
        return Path(self._folder)

    @property
    def showing_preview(self) -> bool:
        return self._stack.currentIndex() == 1

    @property
    def is_stale(self) -> bool:
        """The preview no longer matches the choices (Print and Save wait for Generate)."""
        return self._generated is not None and self._generated.request != self.current_request()

    def empty_state_text(self) -> str:
        return self._empty.text()

    def status_text(self) -> str:
        return self._status.text()

    def error_text(self, key: str) -> str:
        label = self._errors.get(key, self._general_error)
        return label.text() if not label.isHidden() else ""

    @property
    def export_surveys_button(self) -> QPushButton:
        return self._export_surveys

    def export_list(self) -> bool:
        """The satisfaction surveys of the activity report's period and rep, as XLSX or CSV, in the
        language chosen for the document."""
        if self.current_kind() is not DocumentKind.ACTIVITY:
            return False
        start, end = from_qdate(self._start.date()), from_qdate(self._end.date())
        rep_id, language = self._rep.currentData(), self._language.currentData()
        export_list(
            self, ListKind.SURVEYS, lambda: exports.surveys_table(start, end, rep_id), language=language
        )
        return True

    def current_kind(self) -> DocumentKind:
        return DocumentKind(self._kind.currentData())  # the combo hands back plain str

    def select_kind(self, kind: DocumentKind) -> None:
        self._kind.setCurrentIndex(max(0, self._kind.findData(kind)))

    def select_period(self, key: str) -> None:
        """One of the quick choices (PERIODS keys): sets From and To."""
        self._period.setCurrentIndex(max(0, self._period.findData(key)))
        self._on_period_current_index_changed()

    def set_period(self, start: dt.date, end: dt.date) -> None:
        """A period of the user's own (the quick choice shows "Custom period" unless one matches)."""
        for edit, value in ((self._start, start), (self._end, end)):
            edit.blockSignals(True)
            edit.setDate(to_qdate(value))
            edit.blockSignals(False)
        self._on_date_changed()

    def current_request(self) -> DocumentRequest:
        """The document the choices describe."""
        kind = self.current_kind()
        language = self._language.currentData()
        if kind is DocumentKind.ACTIVITY:
            return DocumentRequest(
                kind,
                language=language,
                start=from_qdate(self._start.date()),
                end=from_qdate(self._end.date()),
                rep_id=self._rep.currentData(),
            )
        if kind is DocumentKind.CHARTER:
            code = self._charter_type.currentData()
            charter_type = CharterType(code) if code else None
            return DocumentRequest(kind, language=language, charter_type=charter_type)
        return DocumentRequest(kind, language=language, year=self._year.value())

    def apply_navigation(self, filters: dict) -> None:
        """{"report": "satisfaction"}: this month's activity report; {"document": kind}: that document."""
        if filters.get("report") == "satisfaction":
            self.select_kind(DocumentKind.ACTIVITY)
            self.select_period("this_month")
        document = filters.get("document")
        if document in {kind.value for kind in DocumentKind}:
            self.select_kind(DocumentKind(document))

    def on_data_changed(self, kinds: frozenset[Change], initiator: object) -> None:
        if kinds & self.data_kinds:
            self.refresh()

    def refresh(self) -> None:
        """Reps and active charters may have changed."""
        self._fill_reps()
        self._fill_charter_types()
        self._update_state()

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        from app.views.reports.screens import generate_for_screenshot

        return [("generated", lambda: generate_for_screenshot(self))]

    # --- filling the choices ---------------------------------------------------------------------

    def _fill_reps(self) -> None:
        current_rep = self.context.current_rep
        selected = self._rep.currentData() if self._rep.count() else None
        if not self._rep.count() and current_rep is not None and not current_rep.is_manager:
            selected = current_rep.id  # a rep's own report first
        self._rep.blockSignals(True)
        self._rep.clear()
        self._rep.addItem(_("Everyone"), None)
        for rep in list_reps():
            self._rep.addItem(rep.name, rep.id)
        if current_rep is not None and self._rep.findData(current_rep.id) < 0:
            self._rep.addItem(current_rep.name, current_rep.id)
        self._rep.setCurrentIndex(max(0, self._rep.findData(selected)))
        self._rep.blockSignals(False)

    def _fill_charter_types(self) -> None:
        selected = self._charter_type.currentData()
        self._charter_type.blockSignals(True)
        self._charter_type.clear()
        for charter_type in CharterType:
            if charter_service.active_charter_id(charter_type) is not None:
                self._charter_type.addItem(charter_type.label, charter_type)
        self._charter_type.setCurrentIndex(max(0, self._charter_type.findData(selected)))
        self._charter_type.blockSignals(False)
        self._charter_type.setEnabled(self._charter_type.count() > 0)
        self._show_rows()

    # --- reacting to the choices -----------------------------------------------------------------

    def _on_kind_current_index_changed(self, *args) -> None:
        self._show_rows()
        self._clear_errors()
        self._update_state()

    def _show_rows(self) -> None:
        """The rows of the chosen document only."""
        kind = self.current_kind()
        for row_kind, fields in self._rows.items():
            for field in fields:
                self._form.setRowVisible(field, row_kind is kind)
        no_charter = kind is DocumentKind.CHARTER and self._charter_type.count() == 0
        self._form.setRowVisible(self._no_charter, no_charter)
        self._export_surveys.setVisible(kind is DocumentKind.ACTIVITY)

    def _on_period_current_index_changed(self, *args) -> None:
        key = self._period.currentData()
        if key != CUSTOM_PERIOD:
            start, end = period_bounds(key, self._today_source())
            for edit, value in ((self._start, start), (self._end, end)):
                edit.blockSignals(True)
                edit.setDate(to_qdate(value))
                edit.blockSignals(False)
        self._on_choice_changed()

    def _on_date_changed(self, *args) -> None:
        start, end = from_qdate(self._start.date()), from_qdate(self._end.date())
        today = self._today_source()
        key = next((k for k, _label, bounds in PERIODS if bounds(today) == (start, end)), CUSTOM_PERIOD)
        self._period.blockSignals(True)
        self._period.setCurrentIndex(max(0, self._period.findData(key)))
        self._period.blockSignals(False)
        self._on_choice_changed()

    def _on_choice_changed(self, *args) -> None:
        self._clear_errors()
        self._update_state()

    def _clear_errors(self) -> None:
        for label in [*self._errors.values(), self._general_error]:
            label.hide()

    def _show_errors(self, errors: dict[str, str]) -> None:
        show_field_errors(errors, self._errors, self._general_error)

    def _update_state(self) -> None:
        kind = self.current_kind()
        can_generate = not self._busy and not (
            kind is DocumentKind.CHARTER and self._charter_type.count() == 0
        )
        self._generate.setEnabled(can_generate)
        has_document = self._generated is not None and self._preview.page_count > 0
        stale = self.is_stale
        self._stale.setVisible(has_document and stale)
        for button in (self._print, self._save):
            button.setEnabled(has_document and not stale and not self._busy)

    # --- generating ------------------------------------------------------------------------------

    def describe(self, request: DocumentRequest) -> str:
        """One line saying what a request produces, for the title above the preview."""
        parts = [request.kind.label]
        if request.kind is DocumentKind.ACTIVITY:
            parts.append(
                _("{start} to {end}").format(start=format_date(request.start), end=format_date(request.end))
            )
            parts.append(self._rep.itemText(max(0, self._rep.findData(request.rep_id))))
        elif request.kind is DocumentKind.CHARTER and request.charter_type is not None:
            parts.append(request.charter_type.label)
        elif request.kind is DocumentKind.REGISTER:
            parts.append(str(request.year))
        parts.append(LANGUAGE_NAMES.get(request.language, request.language))
        return " · ".join(parts)

    def generate(self) -> bool:
        """Validate the choices, then produce the document in the background; False when refused."""
        if self._busy or not self._generate.isEnabled():
            return False
        request = self.current_request()
        today = self._today_source()
        if not perform(
            self, lambda: documents.validate_request(request, today), field_errors=self._show_errors
        ):
            return False
        self._clear_errors()
        self._counter += 1
        path = Path(self._folder) / f"document-{self._counter}.pdf"
        description = self.describe(request)
        self._busy = True
        self._status.setText(_("Generating {document}…").format(document=request.kind.label))
        self._update_state()

        def op(progress) -> Path:
            return documents.produce_document(request, path, today=today, progress=progress.report)

        def on_success(written: Path) -> None:
            if isValid(self):  # the page may have gone away meanwhile
                self._on_generated(GeneratedDocument(request, Path(written), description))

        def on_failure(exc: BaseException) -> None:
            if isValid(self):
                self._on_generation_failed(exc)

        def on_cancelled() -> None:
            if isValid(self):
                self._busy = False
                self._status.setText(_("Generation cancelled."))
                self._update_state()

        run_in_background(
            op,
            on_success,
            on_failure,
            label=_("Generating {document}…").format(document=request.kind.label),
            parent=self,
            cancellable=True,
            on_cancelled=on_cancelled,
        )
        return True

    def _on_generated(self, generated: GeneratedDocument) -> None:
        self._busy = False
        previous = self._generated
        try:
            self._preview.load(generated.path)
        except OSError as exc:
            self._status.setText("")
            self._update_state()
            show_error(self, exc)
            return
        self._generated = generated
        if previous is not None and previous.path != generated.path:
            previous.path.unlink(missing_ok=True)
        self._title.setText(generated.description)
        self._stack.setCurrentIndex(1)
        self._status.setText("")
        self._update_state()

    def _on_generation_failed(self, exc: BaseException) -> None:
        self._busy = False
        self._status.setText("")
        self._update_state()
        if isinstance(exc, ValidationError):
            self._show_errors(exc.errors)
        else:
            show_error(self, exc)

    # --- using the document ----------------------------------------------------------------------

    def _ready_document(self) -> GeneratedDocument | None:
        if self._generated is None or self.is_stale or self._busy or self._preview.page_count == 0:
            return None
        return self._generated

    def print_document(self) -> bool:
        """The system's print dialog, then the pages; False when cancelled or nothing to print."""
        from app.views.reports.print import print_pdf

        generated = self._ready_document()
        if generated is None:
            return False
        done = perform(self, lambda: print_pdf(self, self._preview.document, generated.description))
        printed = bool(done.value) if done else False
        if printed:
            self._status.setText(_("Sent to the printer."))
        return printed

    def save_as(self) -> Path | None:
        """Ask for a file name (in the Documents folder at first) and copy the document there."""
        generated = self._ready_document()
        if generated is None:
            return None
        folder = self._last_saved.parent if self._last_saved is not None else documents_folder()
        target = ask_save_path(self, folder / documents.default_file_name(generated.request))
        if target is None:
            return None
        saved = save_pdf_copy(self, generated.path, target)
        if saved is None:
            return None
        target = saved
        self._last_saved = target
        self._status.setText(_("Saved as {path}.").format(path=target))
        return target
