"""File ▸ Import…: customers, products or sales from a CSV file or a workbook, step by step.

Every step is the import core's (app.services.imports), run in the background; this module only shows
it and gathers the person's choices:

1. What to import and the file; for sales, the day taken as today and whether follow-ups are planned.
2. The columns: the sheet, how the file reads (encoding, delimiter, header row — which can be
   changed), the field each column fills (changeable; a mapping confirmed earlier for files with the
   same headers is applied again) and the first rows checked as the import checks them
   (`imports.preview_import`), problem cells in red with the reasons on hover. "Save mapping…"
   writes the mapping as a file for `postventa import --mapping`.
3. A dry run (rolled back): the counts the import would give and the rejected rows.
4. The import: one transaction in the background with its progress; Cancel rolls it back whole.
   Then the summary, and the rejected rows to save as a file to correct and import again.

The mappings people confirm are remembered in the user's preferences (app.views.settings), per kind
and per set of column headers (`imports.headers_key`), and so are the formats they chose for columns
whose dates or numbers read both ways: chosen again for the next such file, unless its values read
only the other way.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.i18n import _, format_number, ngettext
from app.services import imports
from app.services.errors import DomainError
from app.services.imports import ImportKind, ImportOptions, ImportSummary, OpenedFile, PreviewRow
from app.services.imports.fields import MAPPING_EXTENSION, ValueType
from app.services.imports.formats import (
    DATE_CHOICES,
    NUMBER_CHOICES,
    ColumnFormat,
    DateFormat,
    NumberFormat,
)
from app.services.imports.running import ERROR_FILE_EXTENSION
from app.services.permissions import Right
from app.views import settings
from app.views.customers.customer_dialog import date_edit, from_qdate
from app.views.dialogs import ask_save_file, field_error_label, plain_label
from app.views.errors import show_error
from app.views.events import CUSTOMERS, FOLLOW_UPS, SALES, Change
from app.views.operations import Operation, perform
from app.views.pages.base import AppContext
from app.views.tasks import TaskCancelled, run_in_background

SOURCE, COLUMNS, CHECK, IMPORT = range(4)  # the pages' ids
FIELD_ROW, FORMAT_ROW, FIRST_ROW = 0, 1, 2  # the columns table: the fields, the formats, then the file's rows
PREVIEW_DELAY_MS = 300  # a change of column or header row waits this long before the preview is checked
POLL_MS = 100
FITTED_ROWS = 500  # up to this many rejected rows are shown with every reason on its own line  # how often a running pass's progress is shown
PROBLEM_BACKGROUND = QColor("#f8d7da")
PROBLEM_TEXT = QColor("#b00020")
QUESTION_BACKGROUND = QColor("#fff3cd")  # a format to choose
CHOICE_CODES = frozenset(c.value for c in (*DATE_CHOICES, *NUMBER_CHOICES))  # formats a person chooses
FILE_FILTERS = "*.csv *.txt *.tsv *.xlsx *.xlsm *.xlsb *.xls *.ods"

# What an import changes, for the pages to refresh (products are the catalogue, which sales pages show).
CHANGES: dict[ImportKind, frozenset[Change]] = {
    ImportKind.CUSTOMERS: frozenset({CUSTOMERS}),
    ImportKind.PRODUCTS: frozenset({SALES}),
    ImportKind.SALES: frozenset({SALES, FOLLOW_UPS, CUSTOMERS}),
}


def kind_label(kind: ImportKind) -> str:
    return {
        ImportKind.CUSTOMERS: _("Customers"),
        ImportKind.PRODUCTS: _("Products"),
        ImportKind.SALES: _("Sales"),
    }[kind]


def read_as_text(opened: OpenedFile) -> str:
    """How a CSV file was read, in words: "Windows-1252 text, columns separated by semicolons (;)"."""
    source = opened.source
    encoding = {"utf-8": "UTF-8", "utf-8-sig": _("UTF-8 with BOM"), "cp1252": "Windows-1252"}.get(
        source.encoding or "", source.encoding or ""
    )
    delimiter = {";": _("semicolons (;)"), ",": _("commas (,)"), "\t": _("tabs")}.get(
        source.delimiter or "", source.delimiter or ""
    )
    return _("{encoding} text, columns separated by {delimiter}").format(
        encoding=encoding, delimiter=delimiter
    )


def counts_text(summary: ImportSummary) -> str:
    return _(
        "Created: {created} · Updated: {updated} · Unchanged: {unchanged} · Rejected: {rejected}"
    ).format(
        created=format_number(summary.created),
        updated=format_number(summary.updated),
        unchanged=format_number(summary.unchanged),
        rejected=format_number(summary.rejected),
    )


def documents_folder() -> Path:
    from app.views.reports.page import documents_folder as folder

    return folder()


def ask_import_file(parent: QWidget | None) -> str | None:
    """The system's Open dialog for a CSV file or a workbook, starting in Documents; None when cancelled."""
    chosen, _filter = QFileDialog.getOpenFileName(
        parent,
        _("Choose the file to import"),
        str(documents_folder()),
        _("Spreadsheets and CSV files ({patterns});;All files (*)").format(patterns=FILE_FILTERS),
    )
    return chosen or None


class _Pass:
    """A background pass over the file (the dry run, the import): how far it got and whether the person
    cancelled. A plain object: the pool thread writes `done` and the UI thread reads it on a timer, so
    no Qt object crosses threads; a cancel stops the pass at its next report (its transaction rolls back)."""

    def __init__(self) -> None:
        self.done = 0
        self._cancel = threading.Event()

    def report(self, done: int) -> None:
        if self._cancel.is_set():
            raise TaskCancelled()
        self.done = done

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


@dataclass(frozen=True)
class _Opened:
    """What reading the file gave: the file with its columns as they will be imported, the automatic
    matching (to go back to), whether a remembered mapping was applied, and a note for the person."""

    opened: OpenedFile
    automatic: dict[int, str]  # column → field, as recognised from the headers
    remembered: bool
    note: str
    formats: dict[str, str]  # column name → the format chosen for it with the last such file


class RejectionsModel(QAbstractTableModel):
    """The rejected rows: the row number a spreadsheet shows, and the reasons."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[imports.Rejection] = []

    def set_rows(self, rows: list[imports.Rejection]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and section in (0, 1)
        ):
            return _("Row") if section == 0 else _("Reasons")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        rejection = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(rejection.row) if index.column() == 0 else "\n".join(rejection.reasons)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return "\n".join(rejection.reasons)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class SummaryView(QWidget):
    """The counts of a dry run or an import, the rejected rows and "Save error file…"."""

    def __init__(self, wizard: ImportWizard, parent: QWidget | None = None):
        super().__init__(parent)
        self._wizard = wizard
        self._summary: ImportSummary | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.headline = plain_label(wrap=True)
        self.headline.setStyleSheet("font-weight: bold;")
        self.counts = plain_label(wrap=True)
        self.hint = plain_label(wrap=True)
        self.model = RejectionsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)  # one reason a line
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.save_button = QPushButton(_("Save &error file…"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.status = plain_label(wrap=True, selectable=True)
        for widget in (self.headline, self.counts, self.hint):
            layout.addWidget(widget)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        layout.addLayout(row)

    def show_summary(self, summary: ImportSummary, headline: str) -> None:
        self._summary = summary
        self.headline.setText(headline)
        self.counts.setText(counts_text(summary))
        self.model.set_rows(summary.rejections)
        if summary.rejected <= FITTED_ROWS:  # measuring every row of a long list would take seconds
            self.table.resizeRowsToContents()
        rejected = summary.rejected > 0
        self.table.setVisible(rejected)
        self.save_button.setVisible(rejected)
        self.hint.setVisible(rejected)
        self.hint.setText(
            _(
                "Rejected rows are not imported. Save them to a file: it holds each row as it was and the "
                "reasons; correct it and import it again."
            )
        )
        self.status.setText("")

    def _on_save_button_clicked(self) -> None:
        self.save_error_file()

    def save_error_file(self) -> Path | None:
        """Ask where (starting in Documents; replacing a file is asked), then write the rejected rows."""
        summary = self._summary
        if summary is None or summary.errors is None:
            return None
        errors = summary.errors
        name = _("{name}-rejected").format(name=self._wizard.path.stem) + ERROR_FILE_EXTENSION
        path = ask_save_file(
            self,
            _("Save the rejected rows"),
            documents_folder() / name,
            _("CSV files (*.csv)"),
            ERROR_FILE_EXTENSION,
        )
        if path is None:
            return None
        done = perform(self, lambda: errors.write(path, force=True))
        if not done:
            return None
        written = done.value
        self.status.setText(_("Rejected rows written to {path}").format(path=written))
        return written


class SourcePage(QWizardPage):
    """What to import, the file, and the options of a sales import."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("What do you want to import?"))
        self.setSubTitle(
            _("A CSV file or a workbook (.xlsx, .xls, .ods) saved by your accounting program or by hand.")
        )
        layout = QVBoxLayout(self)
        self.kind_buttons = QButtonGroup(self)
        kinds = QHBoxLayout()
        for kind in ImportKind:
            button = QRadioButton(kind_label(kind))
            button.setProperty("kind", kind.value)
            self.kind_buttons.addButton(button)
            kinds.addWidget(button)
            if kind is ImportKind.PRODUCTS and wizard.context.refusal(Right.CATALOG):
                button.setEnabled(False)
                button.setToolTip(wizard.context.refusal(Right.CATALOG) or "")
        kinds.addStretch(1)
        layout.addLayout(kinds)
        self.kind_buttons.buttons()[0].setChecked(True)
        self.kind_buttons.buttonToggled.connect(self._on_kind_buttons_toggled)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText(_("The file to import"))
        self.file_edit.textChanged.connect(self._on_file_edit_text_changed)
        browse = QPushButton(_("&Browse…"))
        browse.clicked.connect(self._on_browse_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        file_label = QLabel(_("&File:"))
        file_label.setBuddy(self.file_edit)
        form.addRow(file_label, file_row)
        self.file_error = field_error_label()
        form.addRow("", self.file_error)

        self.as_of_edit = date_edit(dt.date.today())
        self.as_of_label = QLabel(_("&Today is:"))
        self.as_of_label.setBuddy(self.as_of_edit)
        self.as_of_edit.setToolTip(
            _(
                "The day taken as today: sales get the follow-ups of their plans from this day on, "
                "never for steps already past."
            )
        )
        as_of_row = QHBoxLayout()
        as_of_row.addWidget(self.as_of_edit)
        as_of_row.addStretch(1)
        form.addRow(self.as_of_label, as_of_row)
        self.follow_ups_check = QCheckBox(_("Plan the follow-ups of the imported sales"))
        self.follow_ups_check.setChecked(True)
        form.addRow("", self.follow_ups_check)
        layout.addLayout(form)
        layout.addStretch(1)
        self._show_sale_options()

    def kind(self) -> ImportKind:
        checked = self.kind_buttons.checkedButton()
        return ImportKind(checked.property("kind")) if checked is not None else ImportKind.CUSTOMERS

    def select_kind(self, kind: ImportKind) -> None:
        for button in self.kind_buttons.buttons():
            if button.property("kind") == kind.value:
                button.setChecked(True)

    def _show_sale_options(self) -> None:
        sales = self.kind() is ImportKind.SALES
        for widget in (self.as_of_label, self.as_of_edit, self.follow_ups_check):
            widget.setVisible(sales)

    def _on_kind_buttons_toggled(self, *args) -> None:
        self._show_sale_options()

    def _on_browse_clicked(self) -> None:
        chosen = ask_import_file(self)
        if chosen:
            self.file_edit.setText(chosen)

    def _on_file_edit_text_changed(self, text: str) -> None:
        missing = bool(text.strip()) and not Path(text.strip()).expanduser().is_file()
        self.file_error.setText(_("There is no file with this name."))
        self.file_error.setVisible(missing)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        text = self.file_edit.text().strip()
        return bool(text) and Path(text).expanduser().is_file()

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        wizard = self._wizard
        wizard.kind = self.kind()
        wizard.path = Path(self.file_edit.text().strip()).expanduser()
        sales = wizard.kind is ImportKind.SALES
        wizard.as_of = from_qdate(self.as_of_edit.date()) if sales else None
        wizard.follow_ups = self.follow_ups_check.isChecked() if sales else True
        return True


class ColumnsPage(QWizardPage):
    """The sheet, how the file reads, which field each column fills, and the first rows checked."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Columns"))
        self.setSubTitle(
            _(
                "Choose what each column holds. The first rows are checked as the import will check "
                "them: cells with a problem are red; point at one to see why."
            )
        )
        self._generation = 0  # results of an earlier reading or check are dropped
        self._loaded: _Opened | None = None
        self._preview_rows: list[PreviewRow] = []
        self._busy = False
        self._combos: list[QComboBox] = []
        self._format_combos: dict[int, QComboBox] = {}  # column → its format's choice, when it has one
        self._formats_chosen: dict[int, str] = {}  # column → the format the person chose

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.sheet_combo = QComboBox()
        self.sheet_combo.activated.connect(self._on_sheet_combo_activated)
        self.sheet_label = QLabel(_("&Sheet:"))
        self.sheet_label.setBuddy(self.sheet_combo)
        form.addRow(self.sheet_label, self.sheet_combo)
        self.read_as = plain_label()
        self.read_as_label = QLabel(_("Read as:"))
        form.addRow(self.read_as_label, self.read_as)
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, 10_000)
        self.header_spin.valueChanged.connect(self._on_header_spin_value_changed)
        header_label = QLabel(_("&Headers on row:"))
        header_label.setBuddy(self.header_spin)
        header_row = QHBoxLayout()
        header_row.addWidget(self.header_spin)
        header_row.addStretch(1)
        form.addRow(header_label, header_row)
        layout.addLayout(form)

        remembered = QHBoxLayout()
        self.remembered_note = plain_label(
            _("The columns are as you chose them for the last file with these headers."), wrap=True
        )
        self.automatic_button = QPushButton(_("&Match automatically"))
        self.automatic_button.clicked.connect(self._on_automatic_button_clicked)
        remembered.addWidget(self.remembered_note, 1)
        remembered.addWidget(self.automatic_button)
        layout.addLayout(remembered)

        self.status = plain_label(wrap=True)
        layout.addWidget(self.status)
        self.missing = field_error_label()
        layout.addWidget(self.missing)

        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.save_mapping_button = QPushButton(_("Save &mapping…"))
        self.save_mapping_button.setToolTip(
            _("Save these column choices as a file for the command line: postventa import --mapping FILE")
        )
        self.save_mapping_button.clicked.connect(self._on_save_mapping_button_clicked)
        self.saved_status = plain_label(wrap=True, selectable=True)
        buttons.addWidget(self.save_mapping_button)
        buttons.addWidget(self.saved_status, 1)
        layout.addLayout(buttons)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._check_preview)
        self._reopen_timer = QTimer(self)
        self._reopen_timer.setSingleShot(True)
        self._reopen_timer.setInterval(PREVIEW_DELAY_MS)
        self._reopen_timer.timeout.connect(self._on_reopen_timer_timeout)

    # --- reading the file --------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        self.saved_status.setText("")
        self.open_file(sheet=None, header_row=None)

    def open_file(self, *, sheet: str | None, header_row: int | None) -> None:
        """Read the file (in the background): its header row found, or the one given; then check the preview."""
        wizard = self._wizard
        kind, path = wizard.kind, wizard.path
        options = ImportOptions(kind, sheet=sheet, header_row=header_row)
        lookup = settings.import_mapping
        lookup_formats = settings.import_formats
        known = settings.import_mapping_keys(kind.value)
        self._generation += 1
        generation = self._generation
        self._set_busy(_("Reading the file…"))

        def op(_progress) -> _Opened:
            note = ""
            try:
                opened = imports.read_for_import(path, options, known)
            except imports.HeaderNotFoundError:
                opened = imports.read_for_import(path, replace(options, header_row=1))
                note = _(
                    "No row of the file was recognised as its headers: choose the headers' row and what each column holds."
                )
            headers = opened.source.headers
            opened.source.formats  # noqa: B018 (each column's formats, found here in the background)
            automatic = {index: name for name, index in opened.columns.columns.items()}
            key = imports.headers_key(opened.source.named_headers)
            remembered = lookup(kind.value, key)
            if remembered:
                try:
                    columns = imports.map_columns(kind, headers, remembered)
                except imports.MappingError:  # a mapping of another version of the app: matched anew
                    remembered = None
                else:
                    opened = OpenedFile(opened.source, columns)
            return _Opened(opened, automatic, bool(remembered), note, lookup_formats(kind.value, key))

        def loaded(result: _Opened) -> None:
            if generation == self._generation:
                self._on_file_opened(result)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._loaded = None
            self._busy = False
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            if isinstance(exc, DomainError):  # the file cannot be imported: say why here
                self.status.setText(str(exc))
                self.status.setStyleSheet("color: #b00020;")
            else:
                self.status.setText("")
                show_error(self, exc)
            self.completeChanged.emit()

        run_in_background(op, loaded, failed, parent=self)

    def _on_file_opened(self, result: _Opened) -> None:
        self._loaded = result
        source = result.opened.source
        workbook = source.sheet is not None
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(source.sheets))
        self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findText(source.sheet or "")))
        for widget in (self.sheet_label, self.sheet_combo):
            widget.setVisible(workbook)
        for widget in (self.read_as_label, self.read_as):
            widget.setVisible(not workbook)
        if not workbook:
            self.read_as.setText(read_as_text(result.opened))
        self.header_spin.blockSignals(True)
        self.header_spin.setValue(source.header_row)
        self.header_spin.blockSignals(False)
        self._formats_chosen = {}
        self._build_table(source.headers, {i: n for n, i in result.opened.columns.columns.items()})
        formats_applied = self._apply_remembered_formats(result.formats)
        self._update_remembered(result.remembered, formats_applied)
        self._check_preview()

    def _on_sheet_combo_activated(self, index: int) -> None:
        if self._loaded is not None and self.sheet_combo.itemText(index) != self._loaded.opened.source.sheet:
            self.open_file(sheet=self.sheet_combo.itemText(index), header_row=None)

    def _on_header_spin_value_changed(self, value: int) -> None:
        self._reopen_timer.start()

    def _on_reopen_timer_timeout(self) -> None:
        sheet = self._loaded.opened.source.sheet if self._loaded is not None else None
        self.open_file(sheet=sheet, header_row=self.header_spin.value())

    # --- the columns ------------------------------------------------------------------------------

    def _build_table(self, headers: list[str], mapped: dict[int, str]) -> None:
        kind = self._wizard.kind
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(FIRST_ROW)
        self.table.setHorizontalHeaderLabels(headers)  # distinct names: "Teléfono (2)", "Column 5"
        self.table.setVerticalHeaderItem(FIELD_ROW, QTableWidgetItem(_("Imported as")))
        self.table.setVerticalHeaderItem(FORMAT_ROW, QTableWidgetItem(_("Written as")))
        self._combos = []
        self._format_combos = {}
        for column in range(len(headers)):
            combo = QComboBox()
            combo.addItem(_("— ignore —"), "")
            for spec in imports.fields_of(kind):
                shown = spec.shown + (" " + _("(required)") if spec.required else "")
                combo.addItem(shown, spec.name)
            combo.setCurrentIndex(max(0, combo.findData(mapped.get(column, ""))))
            combo.activated.connect(lambda _index, column=column: self._on_combo_activated(column))
            self.table.setCellWidget(FIELD_ROW, column, combo)
            self._combos.append(combo)
        for column in range(len(headers)):
            self._show_format(column)
        self._show_missing()

    # --- the formats --------------------------------------------------------------------------

    def _found_format(self, column: int) -> ColumnFormat:
        formats = self._loaded.opened.source.formats if self._loaded is not None else []
        return formats[column] if column < len(formats) else ColumnFormat()

    def _format_kind(self, column: int) -> ValueType | None:
        """DATE or DECIMAL when the column's field is read as a date or a number, else None."""
        name = self.field_of(column)
        spec = next((s for s in imports.fields_of(self._wizard.kind) if s.name == name), None)
        if spec is None or spec.type not in (ValueType.DATE, ValueType.DECIMAL, ValueType.INTEGER):
            return None
        return ValueType.DATE if spec.type is ValueType.DATE else ValueType.DECIMAL

    def _show_format(self, column: int) -> None:
        """The format cell of a column: how its dates or numbers were found written, to change; a
        question when every value reads both ways; nothing for a column of text."""
        kind = self._format_kind(column)
        self.table.removeCellWidget(FORMAT_ROW, column)
        self._format_combos.pop(column, None)
        item = QTableWidgetItem("")
        self.table.setItem(FORMAT_ROW, column, item)
        if kind is None:
            return
        found = self._found_format(column)
        combo = QComboBox()
        detected: DateFormat | NumberFormat | None
        if kind is ValueType.DATE:
            detected, ambiguous, mixed = found.dates, found.dates_ambiguous, found.dates_mixed
            choices: tuple[DateFormat | NumberFormat, ...] = DATE_CHOICES
        else:
            detected, ambiguous, mixed = found.numbers, found.numbers_ambiguous, found.numbers_mixed
            choices = NUMBER_CHOICES
        if ambiguous:
            combo.addItem(_("Both ways: choose…"), "")
            tip = _(
                "Every value of this column reads both ways (like 01/02/2026 or 1.234): choose how it "
                "writes them."
            )
        elif detected is not None:
            tip = _("Found from the column's values: {format}.").format(format=detected.label)
            if mixed:
                tip += " " + _(
                    "Some values are written the other way: the rows that do not fit are rejected, each saying why."
                )
        else:
            tip = _("Choose how this column writes them.")
        if detected is not None and detected not in choices and not ambiguous:
            combo.addItem(detected.label, detected.value)  # ISO, day numbers, date cells, whole numbers
        for choice in choices:
            combo.addItem(choice.label, choice.value)
        wanted = self._formats_chosen.get(column, "" if ambiguous else (detected.value if detected else ""))
        combo.setCurrentIndex(max(0, combo.findData(wanted)))
        combo.setToolTip(tip)
        item.setToolTip(tip)
        if ambiguous and column not in self._formats_chosen:
            item.setBackground(QBrush(QUESTION_BACKGROUND))
        combo.activated.connect(lambda _index, column=column: self._on_format_combo_activated(column))
        self.table.setCellWidget(FORMAT_ROW, column, combo)
        self._format_combos[column] = combo

    def _apply_remembered_formats(self, remembered: dict[str, str]) -> bool:
        """The formats chosen for the last file with these headers, chosen again for the columns they
        fit (a date format for a column of dates…) unless the column's values now read only the other
        way; True when one was applied."""
        if self._loaded is None:
            return False
        headers = self._loaded.opened.source.headers
        applied = False
        for name, code in remembered.items():
            column = headers.index(name) if name in headers else -1
            combo = self._format_combos.get(column)
            if combo is None or combo.findData(code) < 0 or code not in CHOICE_CODES:
                continue
            found = self._found_format(column)
            detected: DateFormat | NumberFormat | None
            if self._format_kind(column) is ValueType.DATE:
                detected, ambiguous, mixed = found.dates, found.dates_ambiguous, found.dates_mixed
            else:
                detected, ambiguous, mixed = found.numbers, found.numbers_ambiguous, found.numbers_mixed
            if detected is not None and detected.value not in CHOICE_CODES:
                continue  # ISO dates, day numbers, date cells, whole numbers: they read one way only
            if detected is not None and detected.value != code and not (ambiguous or mixed):
                continue  # every value that decides reads the other way: this file says otherwise
            self._formats_chosen[column] = code
            self._show_format(column)
            applied = True
        if applied:
            self._show_missing()
        return applied

    def chosen_formats(self) -> dict[str, str]:
        """{"column name": format code}: the formats the person chose (or took from the last such
        file) among those that read values differently: remembered for the next file."""
        if self._loaded is None:
            return {}
        headers = self._loaded.opened.source.headers
        return {
            headers[column]: code
            for column, code in sorted(self._formats_chosen.items())
            if column in self._format_combos and self._format_combos[column].currentData() == code
        }

    def _on_format_combo_activated(self, column: int) -> None:
        combo = self._format_combos[column]
        if combo.currentData():
            self._formats_chosen[column] = combo.currentData()
        else:
            self._formats_chosen.pop(column, None)
        item = self.table.item(FORMAT_ROW, column)
        if item is not None and combo.currentData():  # answered: no longer a question
            item.setBackground(QBrush())
        self._show_missing()
        self._fit_columns()
        self._preview_timer.start()

    def set_format(self, column: int, code: str) -> None:
        """Choose a column's format as the person would (tests, screenshots)."""
        combo = self._format_combos[column]
        combo.setCurrentIndex(combo.findData(code))
        self._on_format_combo_activated(column)

    def format_of(self, column: int) -> str | None:
        """The format shown for a column ("" while it asks; None: the column has no format)."""
        combo = self._format_combos.get(column)
        return None if combo is None else combo.currentData()

    def formats(self) -> dict[str, str]:
        """{"column name": format code}: the columns whose day-month order or decimal mark is as shown
        (found or chosen), for the import."""
        if self._loaded is None:
            return {}
        headers = self._loaded.opened.source.headers
        codes = CHOICE_CODES
        return {
            headers[column]: combo.currentData()
            for column, combo in self._format_combos.items()
            if combo.currentData() in codes
        }

    def _formats_to_choose(self) -> list[str]:
        """The columns whose format is still a question."""
        if self._loaded is None:
            return []
        headers = self._loaded.opened.source.headers
        return [headers[c] for c, combo in sorted(self._format_combos.items()) if not combo.currentData()]

    def field_of(self, column: int) -> str:
        """The field column `column` fills ("" when ignored)."""
        return self._combos[column].currentData() or ""

    def set_field(self, column: int, name: str) -> None:
        """Choose the field of a column as the person would (tests, screenshots)."""
        combo = self._combos[column]
        combo.setCurrentIndex(combo.findData(name))
        self._on_combo_activated(column)

    def mapping(self) -> dict[str, str]:
        """{"column header": "field" or ""}: every named column, as `postventa import --mapping` reads it."""
        if self._loaded is None:
            return {}
        headers = self._loaded.opened.source.headers
        return {header: self.field_of(i) for i, header in enumerate(headers)}

    def _on_combo_activated(self, column: int) -> None:
        name = self.field_of(column)
        if name:  # one column per field: another column that had it lets it go
            for other, combo in enumerate(self._combos):
                if other != column and combo.currentData() == name:
                    combo.setCurrentIndex(0)
                    self._show_format(other)
        self._show_format(column)
        self._update_remembered(False)
        self._show_missing()
        self._fit_columns()
        self._preview_timer.start()

    def _on_automatic_button_clicked(self) -> None:
        if self._loaded is None:
            return
        for column, combo in enumerate(self._combos):
            combo.setCurrentIndex(max(0, combo.findData(self._loaded.automatic.get(column, ""))))
            self._show_format(column)
        self._update_remembered(False)
        self._show_missing()
        self._fit_columns()
        self._check_preview()

    def _automatic_mapping(self) -> dict[str, str]:
        if self._loaded is None:
            return {}
        automatic = self._loaded.automatic
        return {h: automatic.get(i, "") for i, h in enumerate(self._loaded.opened.source.headers)}

    def _update_remembered(self, applied: bool, formats: bool = False) -> None:
        """The note while a remembered mapping (and/or the formats chosen for the last such file) is
        shown as it was applied; "Match automatically" while the columns differ from the automatic
        matching."""
        if applied and formats:
            text = _(
                "The columns and how they write dates and numbers are as you chose them for the last file "
                "with these headers."
            )
        elif formats:
            text = _("Dates and numbers are read as you chose for the last file with these headers.")
        else:
            text = _("The columns are as you chose them for the last file with these headers.")
        self.remembered_note.setText(text)
        self.remembered_note.setVisible(applied or formats)
        self.automatic_button.setVisible(
            self._loaded is not None and self.mapping() != self._automatic_mapping()
        )

    def _missing(self) -> list[str]:
        chosen = {self.field_of(i) for i in range(len(self._combos))}
        return [
            spec.shown
            for spec in imports.fields_of(self._wizard.kind)
            if spec.required and spec.name not in chosen
        ]

    def _show_missing(self) -> None:
        missing = self._missing()
        questions = self._formats_to_choose()
        lines = []
        if missing:
            lines.append(_("Choose the column of: {fields}.").format(fields=", ".join(missing)))
        if questions:
            lines.append(
                _(
                    "Choose how {columns} writes its dates or numbers: every value reads both ways "
                    "(the row “Written as”)."
                ).format(columns=", ".join(questions))
            )
        self.missing.setText("\n".join(lines))
        self.missing.setVisible(bool(lines) and self._loaded is not None)
        self.completeChanged.emit()

    # --- the preview ------------------------------------------------------------------------------

    def _check_preview(self) -> None:
        """Check the first rows with the columns as chosen (in the background)."""
        if self._loaded is None:
            return
        self._preview_timer.stop()
        wizard = self._wizard
        source = self._loaded.opened.source
        kind = wizard.kind
        mapping = self.mapping()
        options = wizard.import_options(
            sheet=source.sheet, header_row=source.header_row, mapping=mapping, formats=self.formats()
        )
        self._generation += 1
        generation = self._generation
        self._set_busy(_("Checking the first rows…"))

        def op(_progress) -> tuple[OpenedFile, list[PreviewRow]]:
            opened = OpenedFile(source, imports.map_columns(kind, source.headers, mapping))
            return opened, imports.preview_import(opened, options)

        def checked(result: tuple[OpenedFile, list[PreviewRow]]) -> None:
            if generation == self._generation and self._loaded is not None:
                opened, rows = result
                self._loaded = replace(self._loaded, opened=opened)
                self._show_preview(rows)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._busy = False
                self.status.setText("")
                show_error(self, exc)
                self.completeChanged.emit()

        run_in_background(op, checked, failed, parent=self)

    def _show_preview(self, rows: list[PreviewRow]) -> None:
        self._busy = False
        self._preview_rows = rows
        width = self.table.columnCount()
        self.table.setRowCount(FIRST_ROW + len(rows))
        bad = 0
        for index, row in enumerate(rows, start=FIRST_ROW):
            number = QTableWidgetItem(str(row.number))
            if row.reasons:
                bad += 1
                number.setForeground(QBrush(PROBLEM_TEXT))
                number.setToolTip("\n".join(row.reasons))
            self.table.setVerticalHeaderItem(index, number)
            for column in range(width):
                item = QTableWidgetItem(row.cells[column] if column < len(row.cells) else "")
                reasons = row.cells_reasons.get(column)
                if reasons:
                    item.setBackground(QBrush(PROBLEM_BACKGROUND))
                    item.setToolTip("\n".join(reasons))
                self.table.setItem(index, column, item)
        self._fit_columns()
        self.status.setStyleSheet("")
        note = self._loaded.note if self._loaded is not None else ""
        if not rows:
            text = _("The file has no rows under its headers.")
        elif self._missing():
            text = ""
        elif bad:
            text = ngettext(
                "{count} of the first {total} rows has a problem (in red); it will not be imported unless you correct it.",
                "{count} of the first {total} rows have a problem (in red); they will not be imported unless you correct them.",
                bad,
            ).format(count=format_number(bad), total=format_number(len(rows)))
        else:
            text = ngettext(
                "The first row has no problem.", "The first {count} rows have no problem.", len(rows)
            ).format(count=format_number(len(rows)))
        self.status.setText(" ".join(part for part in (note, text) if part))
        self.completeChanged.emit()

    def _fit_columns(self) -> None:
        """Each column as wide as its cells and its field's name, up to a limit: a long cell does not
        push the other columns out of sight (it shows whole on hover)."""
        metrics = self.table.fontMetrics()
        for column, combo in enumerate(self._combos):
            cells = [self.table.item(row, column) for row in range(FIRST_ROW, self.table.rowCount())]
            texts = [item.text() for item in cells if item is not None]
            header = self.table.horizontalHeaderItem(column)
            texts.append(header.text() if header is not None else "")
            widest = max(metrics.horizontalAdvance(text) for text in texts) + 16
            shown = [combo, *([self._format_combos[column]] if column in self._format_combos else [])]
            chosen = max(metrics.horizontalAdvance(c.currentText()) for c in shown) + 44  # arrow and frame
            self.table.setColumnWidth(column, min(max(widest, chosen, 110), 320))

    def problem_cells(self) -> dict[tuple[int, int], str]:
        """(row number, column) → the tooltip of each cell marked as a problem (tests)."""
        marked = {}
        for index in range(FIRST_ROW, self.table.rowCount()):
            for column in range(self.table.columnCount()):
                item = self.table.item(index, column)
                if item is not None and item.toolTip():
                    marked[(self._preview_rows[index - FIRST_ROW].number, column)] = item.toolTip()
        return marked

    def _set_busy(self, text: str) -> None:
        self._busy = True
        self.status.setStyleSheet("")
        self.status.setText(text)
        self.completeChanged.emit()

    def is_busy(self) -> bool:
        return self._busy

    def ready(self) -> bool:
        """The file was read (its columns are shown)."""
        return self._loaded is not None

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return (
            self._loaded is not None
            and not self._busy
            and not self._missing()
            and not self._formats_to_choose()
        )

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        """The mapping is confirmed: kept for the next file with these headers (forgotten when it is the
        automatic one, so the automatic matching keeps improving for them)."""
        if self._loaded is None:
            return False
        wizard = self._wizard
        source = self._loaded.opened.source
        wizard.sheet, wizard.header_row = source.sheet, source.header_row
        wizard.mapping = self.mapping()
        wizard.formats = self.formats()
        # The columns as chosen now (a preview of the last change may still be on its way); pure, no query.
        wizard.opened = OpenedFile(source, imports.map_columns(wizard.kind, source.headers, wizard.mapping))
        # Kept when it differs from the automatic matching, and always when the header row was not
        # recognised (set by hand, or found by a kept mapping): the next such file finds its header
        # row by these headers.
        by_hand = not source.header_recognised
        remembered = wizard.mapping if by_hand or wizard.mapping != self._automatic_mapping() else None
        key = imports.headers_key(source.named_headers)
        settings.save_import_mapping(wizard.kind.value, key, remembered)
        settings.save_import_formats(wizard.kind.value, key, self.chosen_formats())
        return True

    def _on_save_mapping_button_clicked(self) -> None:
        self.save_mapping()

    def save_mapping(self) -> Path | None:
        mapping = self.mapping()
        if not mapping:
            return None
        suggested = documents_folder() / (
            _("{kind}-columns").format(kind=kind_label(self._wizard.kind).lower()) + MAPPING_EXTENSION
        )
        path = ask_save_file(
            self,
            _("Save mapping"),
            suggested,
            _("Mapping files (*.json)"),
            MAPPING_EXTENSION,
        )
        if path is None:
            return None
        done = perform(self, lambda: imports.write_mapping(path, mapping, force=True))
        if not done:
            return None
        self.saved_status.setText(_("Mapping saved to {path}.").format(path=done.value))
        return done.value


class _PassPage(QWizardPage):
    """The check's and the import's page: a progress label and bar while the pass runs, then its
    summary (`stack` switches between them); `_timer` polls the pass running in the background."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self._wizard = wizard
        layout = QVBoxLayout(self)
        self.stack = QStackedWidget()
        running = QWidget()
        column = QVBoxLayout(running)
        self.progress_label = plain_label(wrap=True)
        self.progress = QProgressBar()
        column.addWidget(self.progress_label)
        column.addWidget(self.progress)
        column.addStretch(1)
        self.stack.addWidget(running)
        self.view = SummaryView(wizard)
        self.stack.addWidget(self.view)
        layout.addWidget(self.stack)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def _on_timer_timeout(self) -> None:
        raise NotImplementedError


class CheckPage(_PassPage):
    """The dry run: every row checked and written inside a transaction that is rolled back."""

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self.setTitle(_("Check before importing"))
        self.setSubTitle(_("Every row is checked as the import will do it; nothing is saved yet."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Import"))
        self._pass: _Pass | None = None
        self.summary: ImportSummary | None = None
        self.progress.setRange(0, 0)  # the dry run's rows are counted as they go: no total yet

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        self._wizard.forget_check()
        self.summary = None
        self.stack.setCurrentIndex(0)
        self.progress_label.setText(_("Checking the rows…"))
        run = self._pass = _Pass()
        wizard = self._wizard
        opened = wizard.opened
        assert opened is not None  # the columns page confirmed it
        options = replace(wizard.import_options(), dry_run=True)
        self._timer.start()

        def finished(summary: ImportSummary) -> None:
            if run is self._pass:
                self._on_checked(summary)
            else:
                summary.close()

        def failed(exc: BaseException) -> None:
            if run is self._pass:
                self._pass = None
                self._timer.stop()
                self.progress_label.setText(_("The check could not be finished."))
                show_error(self, exc)
                self.completeChanged.emit()

        run_in_background(
            lambda _progress: imports.run_import(opened, options, progress=run.report),
            finished,
            failed,
            parent=self,
        )
        self.completeChanged.emit()

    def _on_timer_timeout(self) -> None:
        if self._pass is not None and self._pass.done:
            self.progress_label.setText(
                ngettext("Checked {count} row…", "Checked {count} rows…", self._pass.done).format(
                    count=format_number(self._pass.done)
                )
            )

    def _on_checked(self, summary: ImportSummary) -> None:
        self._pass = None
        self._timer.stop()
        self.summary = summary
        self._wizard.check = summary
        nothing = summary.created + summary.updated == 0
        headline = ngettext(
            "{count} row checked; nothing has been saved yet.",
            "{count} rows checked; nothing has been saved yet.",
            summary.rows,
        ).format(count=format_number(summary.rows))
        if nothing:
            headline += " " + _("There is nothing to import: every row is unchanged or rejected.")
        self.view.show_summary(summary, headline)
        self.stack.setCurrentIndex(1)
        self.completeChanged.emit()

    def cancel(self) -> None:
        """Stop a running check (it rolls back; its result is dropped)."""
        if self._pass is not None:
            self._pass.cancel()
            self._pass = None
            self._timer.stop()

    def cleanupPage(self) -> None:  # noqa: N802 (Qt override): Back
        self.cancel()
        self._wizard.forget_check()

    def is_running(self) -> bool:
        return self._pass is not None

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        summary = self.summary
        return summary is not None and summary.created + summary.updated > 0


class ImportPage(_PassPage):
    """The import in the background with its progress, then the summary."""

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self.setTitle(_("Import"))
        self.setSubTitle(_("All the rows are saved together at the end: if you cancel, nothing is imported."))
        self.setFinalPage(True)
        self._pass: _Pass | None = None
        self.summary: ImportSummary | None = None
        self.cancelled = False

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        wizard = self._wizard
        opened = wizard.opened
        assert opened is not None
        options = wizard.import_options()
        total = wizard.check.rows if wizard.check is not None else 0
        self.stack.setCurrentIndex(0)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress_label.setText(_("Importing…"))
        run = self._pass = _Pass()
        kind = wizard.kind
        self._timer.start()
        Operation(
            _("Import {kind}").format(kind=kind_label(kind).lower()),
            lambda: imports.run_import(opened, options, progress=run.report),
            lambda summary: CHANGES[kind] if summary.created or summary.updated else (),
            on_success=self._on_imported,
            on_failure=self._on_failed,
        ).run_in_background(self, on_cancelled=self._on_cancelled)
        self.completeChanged.emit()

    def _on_timer_timeout(self) -> None:
        if self._pass is not None and not self._pass.cancelled:
            self.progress.setValue(min(self._pass.done, self.progress.maximum()))
            if self._pass.done:
                self.progress_label.setText(
                    ngettext("Imported {count} row…", "Imported {count} rows…", self._pass.done).format(
                        count=format_number(self._pass.done)
                    )
                )

    def _stopped(self) -> None:
        self._pass = None
        self._timer.stop()
        self._wizard.button(QWizard.WizardButton.CancelButton).setEnabled(True)
        self.completeChanged.emit()

    def _on_imported(self, summary: ImportSummary) -> None:
        self.summary = summary
        self._stopped()
        self.view.show_summary(summary, _("The import is finished."))
        self.stack.setCurrentIndex(1)
        self._wizard.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # nothing left to cancel
        self.completeChanged.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._stopped()
        self.progress_label.setText(_("The import failed: nothing was imported."))
        self._wizard.setButtonText(QWizard.WizardButton.CancelButton, _("Close"))

    def _on_cancelled(self) -> None:
        self.cancelled = True
        self._stopped()
        self.progress_label.setText(_("The import was cancelled: nothing was imported."))
        self._wizard.setButtonText(QWizard.WizardButton.CancelButton, _("Close"))

    def is_running(self) -> bool:
        return self._pass is not None

    def cancel(self) -> None:
        """Cancel pressed while importing: the import stops at its next report and rolls back whole."""
        if self._pass is not None and not self._pass.cancelled:
            self._pass.cancel()
            self.progress_label.setText(_("Cancelling: nothing will be imported…"))
            self._wizard.button(QWizard.WizardButton.CancelButton).setEnabled(False)

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return self.summary is not None


class ImportWizard(QWizard):
    """File ▸ Import…: the four pages and what they decided."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(_("Import"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        # What the pages decided.
        self.kind = ImportKind.CUSTOMERS
        self.path = Path()
        self.as_of: dt.date | None = None
        self.follow_ups = True
        self.sheet: str | None = None
        self.header_row: int | None = None
        self.mapping: dict[str, str] = {}
        self.formats: dict[str, str] = {}  # column → a date or number format code, as shown or chosen
        self.opened: OpenedFile | None = None
        self.check: ImportSummary | None = None  # the dry run's, until the wizard closes
        self.source_page = SourcePage(self)
        self.columns_page = ColumnsPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        for page_id, page in (
            (SOURCE, self.source_page),
            (COLUMNS, self.columns_page),
            (CHECK, self.check_page),
            (IMPORT, self.import_page),
        ):
            self.setPage(page_id, page)
        self.resize(900, 640)

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> ImportSummary | None:
        """Run the wizard; the import's summary (its counts; the rejected rows let go), or None."""
        wizard = cls(context, parent)
        try:
            wizard.exec()
            return wizard.import_page.summary
        finally:
            wizard.deleteLater()

    def import_options(self, **changes) -> ImportOptions:
        """The import's options as the pages decided them (`changes` for a page still deciding)."""
        options = ImportOptions(
            self.kind,
            sheet=self.sheet,
            header_row=self.header_row,
            mapping=self.mapping,
            formats=self.formats,
            as_of=self.as_of,
            follow_ups=self.follow_ups,
            acting_rep_id=self.context.acting_rep_id,
        )
        return replace(options, **changes)

    def forget_check(self) -> None:
        if self.check is not None:
            self.check.close()
            self.check = None

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        geometry = settings.window_state("geometry/ImportWizard")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        super().showEvent(event)

    def reject(self) -> None:
        """Cancel: while importing, the import is stopped and rolled back first (the wizard stays to say so)."""
        if self.import_page.is_running():
            self.import_page.cancel()
            return
        self.check_page.cancel()
        super().reject()

    def done(self, result: int) -> None:
        settings.save_window_state("geometry/ImportWizard", self.saveGeometry())
        self.forget_check()
        if self.import_page.summary is not None:
            self.import_page.summary.close()
        super().done(result)
