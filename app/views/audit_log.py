"""Settings ▸ Audit log: who changed which record, when, and each field's old and new value.

For a manager only (the dialog refuses anyone else; on the office server the log can be read by
everyone's login but changed by nobody's). Entries newest first, loaded in batches as the list
scrolls; filtered by kind of record and its number or code, person, kind of action and period;
the selected entry's changes in full below the list; exported to an XLSX workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime, format_number, ngettext
from app.services import audit
from app.services.audit import AuditFilter, AuditRow
from app.views.dialogs import BaseDialog, ask_save_file, inform
from app.views.list_layout import ColumnLayout, ListLayout
from app.views.operations import Operation
from app.views.pages.base import AppContext
from app.views.rights import audit_log_refusal as refusal
from app.views.rights import explain_refusal
from app.views.table_models import BatchedTableModel

WHEN, WHO, ACTION, KIND, RECORD, CHANGES = range(6)
ID_ROLE = Qt.ItemDataRole.UserRole
FILTER_DELAY_MS = 250


class AuditTableModel(BatchedTableModel):
    """Audit entries matching a filter, newest first, `batch_size` at a time."""

    column_titles = (
        N_("When"),
        N_("Who"),
        N_("Action"),
        N_("Record type"),
        N_("Number or code"),
        N_("Changes"),
    )

    columns = ColumnLayout(widths=(16, 20, 18, 20, 14, 40), stretch=CHANGES)

    def __init__(self, parent=None, batch_size: int = 100):
        super().__init__(parent, batch_size)
        self._filter = AuditFilter()
        self._loaded = False

    def set_filter(self, wanted: AuditFilter) -> None:
        """Show the entries matching `wanted`, from the newest."""
        if self._loaded and wanted == self._filter:
            return
        self._filter = wanted
        self._reload(self._batch_size)

    @property
    def filter(self) -> AuditFilter:
        return self._filter

    def _before_reload(self) -> None:
        self._loaded = True

    def _count(self) -> int:
        return audit.count_entries(self._filter)

    def _fetch(self, offset: int, limit: int) -> list[AuditRow]:
        return audit.list_entries(self._filter, offset=offset, limit=limit)

    def entry_at(self, row: int) -> AuditRow | None:
        return self.row_at(row)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        entry = self.row_at(index.row()) if index.isValid() else None
        if entry is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == WHEN:
                return format_datetime(entry.at)
            if column == WHO:
                return entry.rep_name or entry.login or "—"
            if column == ACTION:
                return entry.action_label
            if column == KIND:
                return entry.entity_label
            if column == RECORD:
                return entry.record or "—"
            if column == CHANGES:
                return "; ".join(entry.changes)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column == CHANGES and entry.changes:
            return "\n".join(entry.changes)
        if role == ID_ROLE:
            return entry.id
        return None


class AuditLogDialog(BaseDialog):
    """The audit log, read-only: filters above, the entries, the selected entry's changes below."""

    ASKS_BEFORE_DISCARDING = False  # nothing typed here is data

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(_("Audit log"))
        self.resize(1080, 640)

        self._kind = QComboBox()
        self._kind.addItem(_("All kinds"), None)
        for code, label in sorted(audit.ENTITIES.items(), key=lambda item: _(item[1])):
            self._kind.addItem(_(label), code)
        self._text = QLineEdit()
        self._text.setPlaceholderText(_("Number or code"))
        self._text.setClearButtonEnabled(True)
        self._person = QComboBox()
        self._person.addItem(_("Everyone"), None)
        for person in audit.people_in_log():
            self._person.addItem(person.name, person.id)
        self._action = QComboBox()
        self._action.addItem(_("All actions"), None)
        for code in audit.actions_in_log():
            self._action.addItem(audit.action_label(code), code)
        self._period = QCheckBox(_("From"))
        today = QDate.currentDate()
        self._start = QDateEdit(today.addMonths(-1))
        self._end = QDateEdit(today)
        for edit in (self._start, self._end):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
        self._period.toggled.connect(self._on_period_toggled)

        self._text.setMinimumWidth(180)
        for combo in (self._kind, self._person, self._action):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("Record:")))
        filters.addWidget(self._kind)
        filters.addWidget(self._text, 1)
        filters.addSpacing(8)
        filters.addWidget(QLabel(_("Who:")))
        filters.addWidget(self._person)
        filters.addSpacing(8)
        filters.addWidget(QLabel(_("Action:")))
        filters.addWidget(self._action)
        period = QHBoxLayout()
        period.addWidget(self._period)
        period.addWidget(self._start)
        period.addWidget(QLabel(_("to")))
        period.addWidget(self._end)
        period.addStretch(1)

        self.model = AuditTableModel(self)
        self._table = QTableView()
        self._table.setModel(self.model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.verticalHeader().hide()
        # Widths remembered; the entries stay newest first (the audit service orders them).
        ListLayout(self._table, "audit_log", AuditTableModel.columns, sorting=False)
        self._table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

        self._detail = QPlainTextEdit()
        self._detail.setReadOnly(True)
        self._detail.setPlaceholderText(_("Choose an entry to see every field it changed."))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._table)
        splitter.addWidget(self._detail)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)

        self._count = QLabel()
        self._empty = QLabel()
        self._empty.setTextFormat(Qt.TextFormat.PlainText)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setStyleSheet("color: palette(mid); padding: 24px;")
        self._export_button = QPushButton(_("Export to Excel…"))
        self._export_button.clicked.connect(self._on_export_button_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self._count, 1)
        bottom.addWidget(self._export_button)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(period)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._empty)
        layout.addLayout(bottom)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self._text.textChanged.connect(self._filter_timer.start)
        for combo in (self._kind, self._person, self._action):
            combo.currentIndexChanged.connect(self.apply_filter)
        for edit in (self._start, self._end):
            edit.dateChanged.connect(self.apply_filter)
        self.apply_filter()

    # --- filtering ----------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        start = end = None
        if self._period.isChecked():
            start, end = self._start.date().toPython(), self._end.date().toPython()
            if start > end:
                start, end = end, start
        return AuditFilter(
            entity=self._kind.currentData(),
            text=self._text.text().strip(),
            rep_id=self._person.currentData(),
            action=self._action.currentData(),
            start=start,
            end=end,
        )

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self.model.set_filter(self.current_filter())
        total = self.model.total_count()
        self._count.setText(
            ngettext("{count} entry", "{count} entries", total).format(count=format_number(total))
        )
        filtered = self.model.filter != AuditFilter()
        self._empty.setText(
            _("No entry matches these filters.") if filtered else _("Nothing has been recorded yet.")
        )
        self._empty.setVisible(total == 0)
        self._export_button.setEnabled(total > 0)
        self._detail.clear()

    def set_period(self, start: dt.date, end: dt.date) -> None:
        """Show only the entries from `start` to `end` (both included)."""
        self._start.setDate(QDate(start))
        self._end.setDate(QDate(end))
        self._period.setChecked(True)

    def _on_period_toggled(self, checked: bool) -> None:
        self._start.setEnabled(checked)
        self._end.setEnabled(checked)
        self.apply_filter()

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.model.entry_at(current.row())
        if entry is None:
            self._detail.clear()
            return
        heading = f"{format_datetime(entry.at)} · {entry.rep_name or entry.login or '—'} · "
        heading += f"{entry.action_label} · {entry.entity_label} {entry.record}".rstrip()
        lines = entry.changes or (_("No field changed."),)
        self._detail.setPlainText("\n".join([heading, "", *lines]))

    # --- export -------------------------------------------------------------

    def _on_export_button_clicked(self) -> None:
        from app.views.reports.page import documents_folder

        suggested = documents_folder() / f"audit-log-{dt.date.today().isoformat()}.xlsx"
        path = ask_save_file(
            self, _("Export the audit log"), suggested, _("Excel workbooks (*.xlsx)"), ".xlsx"
        )
        if path is None:
            return
        wanted = self.model.filter

        def done(result: tuple[Path, int]) -> None:
            written, count = result
            inform(
                self,
                ngettext(
                    "{count} entry exported to {file}.", "{count} entries exported to {file}.", count
                ).format(count=format_number(count), file=written.name),
                _("Export the audit log"),
            )

        # The save dialog has asked before an existing file is replaced.
        Operation(
            _("Export the audit log"),
            lambda: audit.export_entries(wanted, path, force=True),
            on_success=done,
        ).run_in_background(self, progress=_("Exporting the audit log…"))

    # --- for tests and screenshots -----------------------------------------

    def filters(self) -> dict[str, QWidget]:
        return {
            "kind": self._kind,
            "text": self._text,
            "person": self._person,
            "action": self._action,
            "period": self._period,
            "start": self._start,
            "end": self._end,
        }

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def detail_text(self) -> str:
        return self._detail.toPlainText()

    @property
    def count_text(self) -> str:
        return self._count.text()

    @property
    def empty_text(self) -> str:
        return self._empty.text() if not self._empty.isHidden() else ""

    @property
    def export_button(self) -> QPushButton:
        return self._export_button

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> None:
        """Show the log to a manager; anyone else is told why not, and nothing opens."""
        refused = refusal(context)
        if refused:
            if parent is not None:
                explain_refusal(parent, refused)
            return None
        return cls(context, parent).answer(lambda _dialog: None, always=True)
