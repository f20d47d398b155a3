"""The Service charters page: every charter version by type on the left, the editor on the right.

The editor holds one charter: type, title, validity, the three elements (strategy, systems,
personnel), contact channels, the complaint procedure, the communication principles and the
measurable commitments, each with its value measured now (over its current period) and ✔/✘. The
rules — which version is edited in place, which one makes version N+1, one active charter per
type — are the service's (app.services.charters); the page only asks and shows.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app import i18n
from app.i18n import _, format_date, format_number, parse_decimal
from app.models.enums import CharterIndicator, CharterPeriod, CharterType, ContactChannel
from app.services import charters as charter_service
from app.services.charter_indicators import has_days, takes_days
from app.services.charters import (
    CHARTER_CHANNELS,
    ChannelEntry,
    CharterDetail,
    CharterInput,
    CharterRow,
    CommitmentInput,
    format_target,
)
from app.services.errors import ValidationError
from app.views import dialogs
from app.views.customers.customer_dialog import choice_combo, date_edit, from_qdate, to_qdate
from app.views.dialogs import Unsaved, with_error_label
from app.views.errors import show_error
from app.views.events import CASES, CHARTERS, FOLLOW_UPS, RETURNS, SALES, SURVEYS, notify_changed
from app.views.pages.base import AppContext, Page, empty_state_label
from app.views.tasks import run_in_background

# Commitments table columns.
C_TEXT, C_INDICATOR, C_DAYS, C_TARGET, C_PERIOD, C_MEASURED = range(6)
# Channels table columns.
H_CHANNEL, H_DETAIL, H_HOURS = range(3)
MET_COLOUR = QColor("#1b7f3b")
MISSED_COLOUR = QColor("#b00020")


def confirm(parent: QWidget | None, question: str) -> bool:
    """A Yes/No question (tests replace this)."""
    return dialogs.confirm(parent, question)


def validity_text(valid_from: dt.date, valid_to: dt.date | None) -> str:
    if valid_to is None:
        return _("from {start}").format(start=format_date(valid_from))
    return _("{start} – {end}").format(start=format_date(valid_from), end=format_date(valid_to))


def status_text(row: CharterRow | CharterDetail) -> str:
    if row.active:
        return _("Active")
    if row.read_only:
        return _("Old version")
    if row.issued:
        return _("Issued, not active")
    return _("Draft")


def parse_target(text: str):
    """A typed target: "95", "95 %", "4,2" (a trailing % is the user's, not part of the number)."""
    return parse_decimal((text or "").strip().rstrip("%").strip())


def measured_text(measurement, target) -> tuple[str, bool | None]:
    """The measured value as a reader sees it, and whether it meets the target (None: nothing measured)."""
    from app.services.charter_indicators import format_measurement, is_share

    if measurement is None or measurement.value is None:
        return _("No data yet"), None
    value = measurement.value
    shown = format_measurement(measurement.indicator, value)
    if is_share(measurement.indicator):
        text = _("{value} ({met} of {total})").format(
            value=shown, met=format_number(measurement.numerator or 0), total=format_number(measurement.denominator))
    elif measurement.indicator == CharterIndicator.AVERAGE_SATISFACTION:
        text = _("{value} of 5 ({n} answers)").format(value=shown, n=format_number(measurement.denominator))
    else:
        text = _("{value} ({n} answers)").format(value=shown, n=format_number(measurement.denominator))
    met = value >= float(target)
    return ("✔ " if met else "✘ ") + text, met


def _text_edit(lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    height = edit.fontMetrics().lineSpacing() * lines + 14
    edit.setFixedHeight(height)
    return edit


class _FittingTable(QTableWidget):
    """A table that says when its width changed, so wrapped rows can be fitted again."""

    width_changed = Signal()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self, self.width_changed.emit)


class ChartersPage(Page):
    """List of charter versions by type and the editor of one."""

    data_kinds = frozenset({CHARTERS, CASES, RETURNS, FOLLOW_UPS, SURVEYS, SALES})
    charter_saved = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None, *,
                 today: Callable[[], dt.date] = dt.date.today):
        super().__init__(context, parent)
        self._today = today
        self._rows: dict[int, CharterRow] = {}
        self._detail: CharterDetail | None = None  # the saved charter in the editor; None: a new one
        self._editing = False  # the editor shows a charter (saved or new)
        self._baseline: tuple | None = None
        self._loading = False
        self._selecting = False
        self._measuring = 0  # the latest measurement request; older results are dropped

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([330, 950])  # the editor needs the room; titles elide in the list
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self._on_save_clicked)
        self.refresh()

    # --- building -----------------------------------------------------------------

    def _build_list(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(_("Service charters"))
        heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self._new_button = QPushButton(_("New charter"))
        self._new_button.setToolTip(_("Start a new service charter (Ctrl+N)"))
        self._new_button.clicked.connect(self._on_new_clicked)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(self._new_button)
        column.addLayout(top)
        self._tree = QTreeWidget()
        self._tree.setObjectName("charterTree")
        self._tree.setColumnCount(3)
        # Validity is in each line's tooltip and in the editor: the titles need the width.
        self._tree.setHeaderLabels([_("Charter"), _("Version"), _("Status")])
        self._tree.setRootIsDecorated(True)
        self._tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # titles often share their start
        self._tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self._tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for section in (1, 2):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self._tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        column.addWidget(self._tree, 1)
        return box

    def _build_right(self) -> QWidget:
        self._stack = QStackedWidget()
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        self._empty_label = empty_state_label(
            _("There are no service charters yet. A charter tells customers what the company commits to after "
              "the sale — with measurable commitments — and how to reach it. Press “New charter” to write the "
              "first one.")
        )
        empty_layout.addWidget(self._empty_label)
        start = QPushButton(_("New charter"))
        start.clicked.connect(self._on_new_clicked)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(start)
        row.addStretch(1)
        empty_layout.addLayout(row)
        empty_layout.addStretch(2)
        self._stack.addWidget(empty)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._build_editor())
        self._stack.addWidget(scroll)
        return self._stack

    def _build_editor(self) -> QWidget:
        editor = self._editor = QWidget()
        column = QVBoxLayout(editor)
        self._status = QLabel()
        self._status.setObjectName("charterStatus")
        self._status.setWordWrap(True)
        column.addWidget(self._status)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._errors: dict[str, QLabel] = {}
        self._type = choice_combo(CharterType)
        self._type.currentIndexChanged.connect(self._on_type_current_index_changed)
        form.addRow(_("Type"), self._type)
        self._title = QLineEdit()
        self._title.setMaxLength(charter_service.TITLE_MAX)
        holder, self._errors["title"] = with_error_label(self._title)
        form.addRow(_("Title"), holder)
        self._version = QLabel()
        self._version.setObjectName("charterVersion")
        form.addRow(_("Version"), self._version)
        self._valid_from = date_edit(limited=False)
        self._valid_from.setMaximumWidth(180)
        holder, self._errors["valid_from"] = with_error_label(self._valid_from)
        form.addRow(_("Valid from"), holder)
        self._has_end = QCheckBox(_("Until"))
        self._valid_to = date_edit(limited=False)
        self._valid_to.setMaximumWidth(180)
        self._has_end.toggled.connect(self._valid_to.setEnabled)
        until = QWidget()
        until_row = QHBoxLayout(until)
        until_row.setContentsMargins(0, 0, 0, 0)
        until_row.addWidget(self._has_end)
        until_row.addWidget(self._valid_to)
        until_row.addStretch(1)
        holder, self._errors["valid_to"] = with_error_label(until)
        form.addRow(_("Valid to"), holder)
        column.addLayout(form)

        elements = QGroupBox(_("Elements of the service"))
        elements_form = QFormLayout(elements)
        self._strategy, self._systems, self._personnel = _text_edit(2), _text_edit(2), _text_edit(2)
        self._strategy.setPlaceholderText(_("The philosophy behind every part of the service"))
        self._systems.setPlaceholderText(_("The common means that make up the service"))
        self._personnel.setPlaceholderText(_("The people who give the service"))
        elements_form.addRow(_("Strategy"), self._strategy)
        elements_form.addRow(_("Systems"), self._systems)
        elements_form.addRow(_("Personnel"), self._personnel)
        column.addWidget(elements)

        channels = QGroupBox(_("Contact channels"))
        channels_column = QVBoxLayout(channels)
        self._channels = QTableWidget(0, 3)
        self._channels.setObjectName("channelsTable")
        self._channels.setHorizontalHeaderLabels([_("Channel"), _("Number, address or place"), _("Hours")])
        self._channels.verticalHeader().hide()
        self._channels.horizontalHeader().setSectionResizeMode(H_DETAIL, QHeaderView.ResizeMode.Stretch)
        self._channels.horizontalHeader().setSectionResizeMode(H_HOURS, QHeaderView.ResizeMode.Stretch)
        holder, self._errors["channels"] = with_error_label(self._channels)
        holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        channels_column.addWidget(holder)
        column.addWidget(channels)

        commitments = QGroupBox(_("Commitments"))
        commitments_column = QVBoxLayout(commitments)
        hint = QLabel(_("“Now”: each commitment measured over its current period (month, quarter or year to date)."))
        hint.setStyleSheet("color: palette(dark);")
        hint.setToolTip(_("Each commitment pairs a sentence for the customer with an indicator measured from the data."))
        commitments_column.addWidget(hint)
        self._commitments = _FittingTable(0, 6)
        self._commitments.width_changed.connect(lambda: self._fit_commitments(resize_measured=False))
        self._commitments.setObjectName("commitmentsTable")
        self._commitments.setHorizontalHeaderLabels(
            [_("Commitment"), _("Indicator"), _("Days (N)"), _("Target"), _("Period"), _("Now")]
        )
        self._commitments.verticalHeader().hide()
        self._commitments.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._commitments.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._commitments.setWordWrap(True)
        header = self._commitments.horizontalHeader()
        header.setSectionResizeMode(C_TEXT, QHeaderView.ResizeMode.Stretch)
        for section in (C_DAYS, C_TARGET, C_PERIOD, C_MEASURED):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.ResizeToContents)
        # The indicator's long labels would squeeze the sentence: a fixed width, the full label in its tooltip.
        header.setSectionResizeMode(C_INDICATOR, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(C_INDICATOR, 210)
        self._commitments.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder, self._errors["commitments"] = with_error_label(self._commitments)
        holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        commitments_column.addWidget(holder)
        buttons = QHBoxLayout()
        self._add_commitment = QPushButton(_("Add commitment"))
        self._add_commitment.clicked.connect(self._on_add_commitment_clicked)
        self._remove_commitment = QPushButton(_("Remove"))
        self._remove_commitment.clicked.connect(self._on_remove_commitment_clicked)
        self._up = QPushButton(_("Move up"))
        self._up.clicked.connect(lambda: self._move_commitment(-1))
        self._down = QPushButton(_("Move down"))
        self._down.clicked.connect(lambda: self._move_commitment(1))
        for button in (self._add_commitment, self._remove_commitment, self._up, self._down):
            buttons.addWidget(button)
        buttons.addStretch(1)
        commitments_column.addLayout(buttons)
        column.addWidget(commitments)

        texts = QGroupBox(_("Complaint procedure and communication"))
        texts_form = QFormLayout(texts)
        self._procedure, self._principles = _text_edit(6), _text_edit(6)
        texts_form.addRow(_("Procedure"), self._procedure)
        texts_form.addRow(_("Principles"), self._principles)
        column.addWidget(texts)

        for box in editor.findChildren(QGroupBox):
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        column.addStretch(1)
        self._general_error = dialogs.field_error_label()
        column.addWidget(self._general_error)
        actions = QHBoxLayout()
        self._save = QPushButton(_("Save"))
        self._save.setToolTip(_("Save the charter (Ctrl+S)"))
        self._save.setDefault(True)
        self._save.clicked.connect(self._on_save_clicked)
        self._activate = QPushButton(_("Activate"))
        self._activate.clicked.connect(self._on_activate_clicked)
        self._preview = QPushButton(_("Preview PDF"))
        self._preview.clicked.connect(self._on_preview_clicked)
        actions.addWidget(self._preview)
        actions.addStretch(1)
        actions.addWidget(self._activate)
        actions.addWidget(self._save)
        column.addLayout(actions)
        return editor

    # --- the list -----------------------------------------------------------------

    def _reload_list(self) -> list[CharterRow] | None:
        try:
            rows = charter_service.list_charters()
        except Exception as exc:  # noqa: BLE001 (shown to the user, never swallowed)
            show_error(self, exc)
            return None
        self._rows = {row.id: row for row in rows}
        self._fill_tree(rows, self._detail.id if self._detail is not None else None)
        return rows

    def refresh(self) -> None:
        """Reload the list; the editor keeps what it shows (reloaded when it has no changes)."""
        rows = self._reload_list()
        if rows is None:
            return
        if not self._editing:
            self._stack.setCurrentIndex(0 if not rows else 1)
            if rows:
                first = next((r for r in rows if r.active), rows[0])
                self._load(first.id)
                self._select_in_tree(first.id)
        elif self._detail is not None and not self.is_modified():
            if self._detail.id in self._rows:
                self._load(self._detail.id)
            else:
                self._editing = False
                self._detail = None
                self.refresh()

    def _fill_tree(self, rows: list[CharterRow], current_id: int | None) -> None:
        self._selecting = True
        try:
            self._tree.clear()
            groups: dict[CharterType, QTreeWidgetItem] = {}
            for row in rows:
                group = groups.get(row.type)
                if group is None:
                    group = QTreeWidgetItem([row.type.label])
                    font = group.font(0)
                    font.setBold(True)
                    group.setFont(0, font)
                    group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    self._tree.addTopLevelItem(group)
                    group.setFirstColumnSpanned(True)
                    groups[row.type] = group
                item = QTreeWidgetItem([row.title, str(row.version), status_text(row)])
                item.setData(0, Qt.ItemDataRole.UserRole, row.id)
                tip = f"{row.title}\n{validity_text(row.valid_from, row.valid_to)}"
                for c in range(3):
                    item.setToolTip(c, tip)
                if row.active:
                    font = item.font(2)
                    font.setBold(True)
                    item.setFont(2, font)
                    item.setForeground(2, QBrush(MET_COLOUR))
                elif row.read_only:
                    for c in range(3):
                        item.setForeground(c, QBrush(QColor("#777777")))
                group.addChild(item)
            self._tree.expandAll()
            if current_id is not None:
                self._select_in_tree(current_id)
        finally:
            self._selecting = False

    def _select_in_tree(self, charter_id: int | None) -> None:
        self._selecting = True
        try:
            target = self._tree_item(charter_id)
            if target is None:
                self._tree.setCurrentItem(None)
                self._tree.clearSelection()
            else:
                self._tree.setCurrentItem(target)
        finally:
            self._selecting = False

    def _tree_item(self, charter_id: int | None) -> QTreeWidgetItem | None:
        for g in range(self._tree.topLevelItemCount()):
            group = self._tree.topLevelItem(g)
            for c in range(group.childCount()):
                item = group.child(c)
                if item.data(0, Qt.ItemDataRole.UserRole) == charter_id:
                    return item
        return None

    def _on_tree_current_item_changed(self, current: QTreeWidgetItem | None, previous) -> None:
        if self._selecting or current is None:
            return
        charter_id = current.data(0, Qt.ItemDataRole.UserRole)
        if charter_id is None or (self._detail is not None and self._detail.id == charter_id and self._editing):
            return
        if not self._may_leave():
            self._select_in_tree(self._detail.id if self._detail is not None else None)
            return
        self._load(charter_id)

    def open_charter(self, charter_id: int) -> bool:
        """Show one charter in the editor (after the unsaved-changes question); False when cancelled."""
        if not self._may_leave():
            return False
        self._load(charter_id)
        self._select_in_tree(charter_id)
        return True

    # --- the editor: loading and reading -------------------------------------------

    def _load(self, charter_id: int) -> None:
        try:
            detail = charter_service.get_charter(charter_id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self._detail = detail
        data = CharterInput(
            type=detail.type, title=detail.title, valid_from=detail.valid_from, valid_to=detail.valid_to,
            strategy=detail.strategy, systems=detail.systems, personnel=detail.personnel, channels=detail.channels,
            procedure=detail.procedure, principles=detail.principles,
            commitments=tuple(CommitmentInput(m.text, m.indicator, m.days, m.target, m.period)
                              for m in detail.commitments),
        )
        self._fill_editor(data, detail.version)
        self._update_measurements()

    def _fill_editor(self, data: CharterInput, version: int) -> None:
        self._measuring += 1  # new rows: a measurement still running is for the old ones
        self._loading = True
        try:
            self._editing = True
            self._stack.setCurrentIndex(1)
            self._type.setCurrentIndex(max(0, self._type.findData(data.type)))
            self._title.setText(data.title)
            self._version.setText(str(version))
            self._valid_from.setDate(to_qdate(data.valid_from or self._today()))
            self._has_end.setChecked(data.valid_to is not None)
            self._valid_to.setEnabled(data.valid_to is not None)
            self._valid_to.setDate(to_qdate(data.valid_to or dt.date((data.valid_from or self._today()).year, 12, 31)))
            self._strategy.setPlainText(data.strategy)
            self._systems.setPlainText(data.systems)
            self._personnel.setPlainText(data.personnel)
            self._procedure.setPlainText(data.procedure)
            self._principles.setPlainText(data.principles)
            self._fill_channels(data.channels)
            self._commitments.setRowCount(0)
            for item in data.commitments:
                self._append_commitment(item)
            self._show_errors({})
        finally:
            self._loading = False
        self._apply_state()
        self._baseline = self._snapshot()

    def _fill_channels(self, channels: tuple[ChannelEntry, ...]) -> None:
        by_channel: dict[ContactChannel, ChannelEntry] = {}
        extra = []
        for entry in channels:
            if entry.channel in CHARTER_CHANNELS and entry.channel not in by_channel:
                by_channel[entry.channel] = entry
            else:
                extra.append(entry)
        rows = [by_channel.get(c, ChannelEntry(c, "", "")) for c in CHARTER_CHANNELS] + extra
        self._channels.setRowCount(len(rows))
        for r, entry in enumerate(rows):
            name = QTableWidgetItem(entry.channel.label)
            name.setData(Qt.ItemDataRole.UserRole, entry.channel.value)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self._channels.setItem(r, H_CHANNEL, name)
            self._channels.setItem(r, H_DETAIL, QTableWidgetItem(entry.detail))
            self._channels.setItem(r, H_HOURS, QTableWidgetItem(entry.hours))
        self._channels.resizeColumnToContents(H_CHANNEL)
        height = self._channels.horizontalHeader().height() + sum(
            self._channels.rowHeight(r) for r in range(len(rows))) + 4
        self._channels.setFixedHeight(height)

    def _append_commitment(self, item: CommitmentInput | None = None) -> int:
        r = self._commitments.rowCount()
        self._commitments.insertRow(r)
        self._commitments.setItem(r, C_TEXT, QTableWidgetItem(item.text if item else ""))
        indicator = choice_combo(CharterIndicator, item.indicator if item else CharterIndicator.CLAIMS_ANSWERED)
        indicator.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        indicator.setMinimumContentsLength(22)
        for i in range(indicator.count()):
            indicator.setItemData(i, indicator.itemText(i), Qt.ItemDataRole.ToolTipRole)
        self._commitments.setCellWidget(r, C_INDICATOR, indicator)
        days = QSpinBox()
        days.setRange(0, 365)
        days.setSpecialValueText("—")
        days.setValue(int(item.days) if item and item.days is not None else (0 if item else 10))
        self._commitments.setCellWidget(r, C_DAYS, days)
        target_value = item.target if item and item.target is not None else None
        self._commitments.setItem(r, C_TARGET, QTableWidgetItem(
            format_number(float(target_value)) if target_value is not None else ""))
        period = choice_combo(CharterPeriod, item.period if item else CharterPeriod.QUARTER)
        self._commitments.setCellWidget(r, C_PERIOD, period)
        measured = QTableWidgetItem("")
        measured.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self._commitments.setItem(r, C_MEASURED, measured)
        indicator.currentIndexChanged.connect(lambda _i, combo=indicator: self._on_indicator_changed(combo))
        self._on_indicator_changed(indicator)
        return r

    def _on_add_commitment_clicked(self) -> None:
        r = self._append_commitment()
        self._fit_commitments()
        self._commitments.setCurrentCell(r, C_TEXT)
        self._commitments.editItem(self._commitments.item(r, C_TEXT))

    def _on_remove_commitment_clicked(self) -> None:
        r = self._commitments.currentRow()
        if r >= 0:
            self._commitments.removeRow(r)
            self._update_measurements()  # the rows below moved up: their pending values are measured again

    def _move_commitment(self, step: int) -> None:
        r = self._commitments.currentRow()
        rows, _errors = self._commitment_inputs()
        target = r + step
        if r < 0 or not 0 <= target < len(rows):
            return
        raw = [self._commitments.item(i, C_TARGET).text() for i in range(len(rows))]
        order = list(range(len(rows)))
        order[r], order[target] = order[target], order[r]
        self._commitments.setRowCount(0)
        for i in order:
            new_row = self._append_commitment(rows[i])
            self._commitments.item(new_row, C_TARGET).setText(raw[i])
        self._apply_state()
        self._update_measurements()
        self._commitments.setCurrentCell(target, C_TEXT)

    def _row_of_widget(self, widget: QWidget, column: int) -> int:
        for r in range(self._commitments.rowCount()):
            if self._commitments.cellWidget(r, column) is widget:
                return r
        return -1

    def _on_indicator_changed(self, combo: QComboBox) -> None:
        r = self._row_of_widget(combo, C_INDICATOR)
        if r < 0:
            return
        indicator = CharterIndicator(combo.currentData())
        days: QSpinBox = self._commitments.cellWidget(r, C_DAYS)
        days.setEnabled(takes_days(indicator) and not self._read_only())
        days.setMinimum(1 if has_days(indicator) else 0)
        days.setToolTip(_("Within how many days") if has_days(indicator)
                        else _("Optional: days of tolerance after the scheduled day") if takes_days(indicator)
                        else _("This indicator has no number of days"))
        if not takes_days(indicator):
            days.setValue(0)
        self._commitments.item(r, C_TARGET).setToolTip(_("Target, e.g. {example}").format(
            example=format_target(indicator, {CharterIndicator.AVERAGE_SATISFACTION: 4, CharterIndicator.NPS: 40}.get(
                indicator, 95))))

    def _commitment_inputs(self) -> tuple[tuple[CommitmentInput, ...], dict[str, str]]:
        rows, errors = [], {}
        for r in range(self._commitments.rowCount()):
            text_item = self._commitments.item(r, C_TEXT)
            indicator = CharterIndicator(self._commitments.cellWidget(r, C_INDICATOR).currentData())
            days_value = self._commitments.cellWidget(r, C_DAYS).value()
            days = days_value if takes_days(indicator) and days_value > 0 else None
            target_text = self._commitments.item(r, C_TARGET).text()
            target = None
            if target_text.strip():
                try:
                    target = parse_target(target_text)
                except ValueError:
                    errors[f"commitments.{r}.target"] = _("Commitment {n}: the target is not a number.").format(
                        n=r + 1)
            period = CharterPeriod(self._commitments.cellWidget(r, C_PERIOD).currentData())
            rows.append(CommitmentInput(text_item.text() if text_item else "", indicator, days, target, period))
        return tuple(rows), errors

    def _channel_entries(self) -> tuple[ChannelEntry, ...]:
        entries = []
        for r in range(self._channels.rowCount()):
            channel = ContactChannel(self._channels.item(r, H_CHANNEL).data(Qt.ItemDataRole.UserRole))
            detail = self._channels.item(r, H_DETAIL).text()
            hours = self._channels.item(r, H_HOURS).text()
            entries.append(ChannelEntry(channel, detail, hours))
        return tuple(entries)

    def _input(self) -> tuple[CharterInput, dict[str, str]]:
        commitments, errors = self._commitment_inputs()
        data = CharterInput(
            type=CharterType(self._type.currentData()), title=self._title.text(), valid_from=from_qdate(self._valid_from.date()),
            valid_to=from_qdate(self._valid_to.date()) if self._has_end.isChecked() else None,
            strategy=self._strategy.toPlainText(), systems=self._systems.toPlainText(),
            personnel=self._personnel.toPlainText(), channels=self._channel_entries(),
            procedure=self._procedure.toPlainText(), principles=self._principles.toPlainText(),
            commitments=commitments,
        )
        return data, errors

    def _snapshot(self) -> tuple:
        commitments = tuple(
            (
                (self._commitments.item(r, C_TEXT) or QTableWidgetItem()).text(),
                CharterIndicator(self._commitments.cellWidget(r, C_INDICATOR).currentData()),
                self._commitments.cellWidget(r, C_DAYS).value(),
                self._commitments.item(r, C_TARGET).text(),
                CharterPeriod(self._commitments.cellWidget(r, C_PERIOD).currentData()),
            )
            for r in range(self._commitments.rowCount())
        )
        return (
            CharterType(self._type.currentData()), self._title.text(), self._valid_from.date(), self._has_end.isChecked(),
            self._valid_to.date() if self._has_end.isChecked() else None, self._strategy.toPlainText(),
            self._systems.toPlainText(), self._personnel.toPlainText(), self._channel_entries(),
            self._procedure.toPlainText(), self._principles.toPlainText(), commitments,
        )

    def is_modified(self) -> bool:
        """Whether the editor holds changes that are not saved (a new charter: once written in)."""
        if not self._editing or self._read_only():
            return False
        if self._detail is None:
            return bool(self._title.text().strip()) or self._commitments.rowCount() > 0
        return self._baseline is not None and self._snapshot() != self._baseline

    def _read_only(self) -> bool:
        return self._detail is not None and self._detail.read_only

    # --- the editor: state ----------------------------------------------------------

    def _apply_state(self) -> None:
        detail = self._detail
        read_only = self._read_only()
        for widget in (self._title,):
            widget.setReadOnly(read_only)
        for edit in (self._strategy, self._systems, self._personnel, self._procedure, self._principles):
            edit.setReadOnly(read_only)
        for widget in (self._type, self._valid_from, self._has_end, self._add_commitment, self._remove_commitment,
                       self._up, self._down):
            widget.setEnabled(not read_only)
        self._valid_to.setEnabled(not read_only and self._has_end.isChecked())
        triggers = (QAbstractItemView.EditTrigger.NoEditTriggers if read_only else
                    QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                    | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self._channels.setEditTriggers(triggers)
        self._commitments.setEditTriggers(triggers)
        for r in range(self._commitments.rowCount()):
            for c in (C_INDICATOR, C_PERIOD):
                self._commitments.cellWidget(r, c).setEnabled(not read_only)
            indicator = CharterIndicator(self._commitments.cellWidget(r, C_INDICATOR).currentData())
            self._commitments.cellWidget(r, C_DAYS).setEnabled(not read_only and takes_days(indicator))
        self._save.setEnabled(not read_only)
        self._preview.setEnabled(detail is not None)
        self._activate.setEnabled(detail is not None)
        self._activate.setText(_("Deactivate") if detail is not None and detail.active else _("Activate"))
        if detail is None:
            status = _("New charter, not saved yet. It becomes a draft when you save it; activate it to publish it.")
        elif read_only and detail.active:
            status = _("Active charter, version {version}. A newer version exists: make changes there; this one is "
                       "kept as it was until the newer one is activated.").format(version=detail.version)
        elif read_only:
            status = _("Version {version} is an old version: it is kept as it was and cannot be changed.").format(
                version=detail.version)
        elif detail.saves_new_version:
            prefix = _("Active charter.") if detail.active else _("Issued charter.")
            status = prefix + " " + _("Saving changes creates version {next} as a draft; this version stays as it "
                                      "is until you activate the new one.").format(
                next=charter_service.next_version(detail.type))
        else:
            status = _("Draft: saving changes it in place. Activate it to make it the charter customers see.")
        self._status.setText(status)
        self._status.setStyleSheet(
            "padding: 6px; border-radius: 4px; background: %s;" % ("#eef6ee" if detail is not None and detail.active
                                                                    else "#f3f3f3"))

    def _on_type_current_index_changed(self, _index: int) -> None:
        if self._loading or not self._editing:
            return
        charter_type = CharterType(self._type.currentData())
        if self._detail is None or self._detail.saves_new_version or charter_type != self._detail.type:
            self._version.setText(str(charter_service.next_version(charter_type)))
        else:
            self._version.setText(str(self._detail.version))

    def _update_measurements(self) -> None:
        """Each commitment's value now, over its current period, with ✔/✘ against its target.

        Measured in the background (a second on a large database); results of an older request
        (the rows changed meanwhile) are dropped.
        """
        from app.services import charter_indicators

        today = self._today()
        requests = []  # (row, indicator, days, start, end, target)
        for r in range(self._commitments.rowCount()):
            item = self._commitments.item(r, C_MEASURED)
            indicator = CharterIndicator(self._commitments.cellWidget(r, C_INDICATOR).currentData())
            days_value = self._commitments.cellWidget(r, C_DAYS).value()
            days = days_value if takes_days(indicator) and days_value > 0 else None
            period = CharterPeriod(self._commitments.cellWidget(r, C_PERIOD).currentData())
            try:
                target = parse_target(self._commitments.item(r, C_TARGET).text())
            except ValueError:
                target = None
            item.setForeground(QBrush())
            if (has_days(indicator) and days is None) or target is None:
                item.setText("—")
                continue
            start, end = charter_indicators.current_period(period, today)
            requests.append((r, indicator, days, start, end, target))
            item.setText(_("Measuring…"))
        self._measuring += 1
        generation = self._measuring
        self._fit_commitments()
        if not requests:
            return

        def op(progress) -> list:
            return [charter_indicators.measure(indicator, days, start, end, rep_id=None, today=today)
                    for _row, indicator, days, start, end, _target in requests]

        def done(measurements: list) -> None:
            if generation != self._measuring or not isValid(self):
                return
            for (r, indicator, _days, start, end, target), measurement in zip(requests, measurements, strict=True):
                item = self._commitments.item(r, C_MEASURED)
                if item is None:  # the row went meanwhile
                    continue
                text, met = measured_text(measurement, target)
                item.setText(text)
                item.setToolTip(_("{start} – {end}, target {target}").format(
                    start=format_date(start), end=format_date(end), target=format_target(indicator, target)))
                item.setForeground(QBrush(MET_COLOUR if met else MISSED_COLOUR) if met is not None else QBrush())
            self._fit_commitments()

        def failed(exc: BaseException) -> None:
            if generation == self._measuring and isValid(self):
                show_error(self, exc)

        run_in_background(op, done, failed, parent=self)

    def _fit_commitments(self, resize_measured: bool = True) -> None:
        """Rows as tall as their sentence; the table as tall as its rows (the page scrolls, not the table)."""
        if resize_measured:
            self._commitments.resizeColumnToContents(C_MEASURED)
        self._commitments.resizeRowsToContents()
        rows = self._commitments.rowCount()
        height = self._commitments.horizontalHeader().sizeHint().height() + sum(
            self._commitments.rowHeight(r) for r in range(rows)) + 6
        self._commitments.setFixedHeight(max(height, 90))
        # The rows' heights depend on the width: let every box up to the editor measure again.
        widget = self._commitments.parentWidget()
        while widget is not None and widget is not self._editor:
            if widget.layout() is not None:
                widget.layout().invalidate()
            widget.updateGeometry()
            widget = widget.parentWidget()
        self._editor.layout().invalidate()
        self._editor.layout().activate()

    def _show_errors(self, errors: dict[str, str]) -> None:
        for label in [*self._errors.values(), self._general_error]:
            label.hide()
            label.setText("")
        commitment_messages, general = [], []
        for key, message in errors.items():
            if key.startswith("commitments."):
                commitment_messages.append(message)
            elif key in self._errors:
                self._errors[key].setText(message)
                self._errors[key].show()
            else:
                general.append(message)
        if commitment_messages:
            label = self._errors["commitments"]
            label.setText("\n".join(filter(None, [label.text(), *commitment_messages])))
            label.show()
        if general:
            self._general_error.setText("\n".join(general))
            self._general_error.show()

    def error_text(self, key: str) -> str:
        label = self._errors.get(key, self._general_error)
        return label.text() if not label.isHidden() else ""

    # --- commands -------------------------------------------------------------------

    def create_new(self) -> bool:
        self._on_new_clicked()
        return True

    def _on_new_clicked(self) -> None:
        if not self._may_leave():
            return
        taken = {row.type for row in self._rows.values()}
        charter_type = next((t for t in CharterType if t not in taken), CharterType.CUSTOMER_ATTENTION)
        try:
            data = charter_service.new_charter_input(charter_type, today=self._today())
            version = charter_service.next_version(charter_type)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self._detail = None
        self._select_in_tree(None)
        self._fill_editor(data, version)
        self._title.setFocus()

    def _may_leave(self) -> bool:
        """Ask about unsaved changes; True when the editor may show something else."""
        if not self.is_modified():
            return True
        answer = self._ask_unsaved()
        if answer is Unsaved.SAVE:
            return self.save()
        return answer is Unsaved.DISCARD

    def _ask_unsaved(self) -> Unsaved:
        return dialogs.ask_unsaved_changes(self, _("The service charter has changes that are not saved. Save them?"))

    def _settle_changes(self) -> bool:
        """Before acting on the saved charter: save or discard the editor's changes; False if cancelled."""
        if not self.is_modified():
            return True
        answer = self._ask_unsaved()
        if answer is Unsaved.CANCEL or (answer is Unsaved.SAVE and not self.save()):
            return False
        if answer is Unsaved.DISCARD:
            self._load(self._detail.id)
        return True

    def _on_save_clicked(self) -> None:
        self.save()

    def save(self) -> bool:
        """Save the editor's charter; True when saved (errors are shown next to their fields)."""
        if not self._editing or self._read_only():
            return False
        data, errors = self._input()
        try:
            if errors:
                try:
                    charter_service.validate_charter(data)
                except ValidationError as exc:
                    errors = {**exc.errors, **errors}
                raise ValidationError(errors)
            charter_id = charter_service.save_charter(
                self._detail.id if self._detail is not None else None, data,
                acting_rep_id=self.context.acting_rep_id)
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return False
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return False
        self._show_errors({})
        self._load(charter_id)
        self._reload_list()
        notify_changed({CHARTERS}, self)
        self.charter_saved.emit(charter_id)
        return True

    def _on_activate_clicked(self) -> None:
        detail = self._detail
        if detail is None:
            return
        if not self._settle_changes():
            return
        detail = self._detail
        try:
            if detail.active:
                charter_service.deactivate_charter(detail.id, acting_rep_id=self.context.acting_rep_id)
            else:
                current = charter_service.active_charter_id(detail.type)
                if current is not None and current != detail.id:
                    other = self._rows.get(current)
                    question = _("Version {old} is the active {type} charter now. Activate version {new} instead?"
                                 ).format(old=other.version if other else "?", type=detail.type.label.lower(),
                                          new=detail.version)
                    if not confirm(self, question):
                        return
                charter_service.activate_charter(detail.id, acting_rep_id=self.context.acting_rep_id)
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self._load(detail.id)
        self._reload_list()
        notify_changed({CHARTERS}, self)

    def _on_preview_clicked(self) -> None:
        detail = self._detail
        if detail is None:
            return
        if not self._settle_changes():
            return
        detail = self._detail
        self.preview_pdf(detail.id, detail.title)

    def preview_pdf(self, charter_id: int, title: str) -> None:
        """Produce the charter PDF to a temporary file in the background, then show it."""
        from app.documents import DocumentKind, DocumentRequest, produce_document

        request = DocumentRequest(kind=DocumentKind.CHARTER, charter_id=charter_id, language=i18n.current_language())
        folder = Path(tempfile.mkdtemp(prefix="postventa-charter-"))
        path = folder / f"charter-{charter_id}.pdf"
        today = self._today()

        def op(progress) -> Path:
            return produce_document(request, path, today=today, progress=progress.report)

        def done(result: Path) -> None:
            from app.views.reports.preview import PdfPreviewDialog

            try:
                PdfPreviewDialog.show_pdf(self, result, title)  # modal: the file is not needed afterwards
            except Exception as exc:  # noqa: BLE001
                show_error(self, exc)
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        def failed(exc: BaseException) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            show_error(self, exc)

        run_in_background(op, done, failed, label=_("Preparing the charter PDF…"), parent=self)

    # --- page hooks -----------------------------------------------------------------

    def on_data_changed(self, kinds: frozenset[str], initiator: object) -> None:
        if initiator is self:
            return
        if CHARTERS in kinds:
            self.refresh()
        elif kinds & self.data_kinds and self._editing:
            self._update_measurements()

    def can_leave(self) -> bool:
        """Before the window shows another page: ask about unsaved changes; False to stay here."""
        return self._may_leave()

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        views = []
        old = next((r for r in self._rows.values() if r.read_only), None)
        if old is not None:
            views.append(("old-version", lambda: self.open_charter(old.id)))
        return views

    def current_charter_id(self) -> int | None:
        return self._detail.id if self._detail is not None else None
