"""The charter editor on the Service charters page: one charter, read from the form and shown in it.

It holds the charter's type, title, validity, the three elements (strategy, systems, personnel),
contact channels, the complaint procedure, the communication principles and the measurable
commitments, each with its value measured now (over its current period) and ✔/✘. The rules —
which version is edited in place, which one makes version N+1, one active charter per type — are
the service's (app.services.charters); the editor only asks and shows. The page around it
(app.views.charters.page) keeps the list of versions and says which charter to open.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QActionGroup, QBrush, QColor
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
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app import i18n
from app.i18n import _, format_date, format_number, ngettext, parse_decimal
from app.models import ServiceCharter
from app.models.base import max_length
from app.models.enums import CaseCategory, CharterIndicator, CharterPeriod, CharterType, ContactChannel
from app.services import charters as charter_service
from app.services.charters import (
    CHARTER_CHANNELS,
    ChannelEntry,
    CharterDetail,
    CharterInput,
    CharterRow,
    CommitmentInput,
    format_target,
)
from app.services.charters.indicators import (
    CASE_SCOPE_INDICATORS,
    PRODUCT_SCOPE_INDICATORS,
    Scope,
    has_days,
    scope_parts,
    takes_days,
)
from app.services.errors import ValidationError
from app.services.permissions import Right
from app.views import dialogs
from app.views.customers.customer_dialog import date_edit, from_qdate, to_qdate
from app.views.dialogs import Unsaved, choice_combo, with_error_label
from app.views.errors import BackToForm, show_error
from app.views.events import CHARTERS
from app.views.operations import Operation, perform
from app.views.pages.base import AppContext
from app.views.rights import gate
from app.views.tasks import run_in_background

# Commitments table columns.
C_TEXT, C_INDICATOR, C_DAYS, C_TARGET, C_PERIOD, C_SCOPE, C_MEASURED = range(7)
# Channels table columns.
H_CHANNEL, H_DETAIL, H_HOURS = range(3)
MET_COLOUR = QColor("#1b7f3b")
MISSED_COLOUR = QColor("#b00020")


def confirm(parent: QWidget | None, question: str) -> bool:
    """A Yes/No question (tests replace this)."""
    return dialogs.confirm(parent, question)


def parse_target(text: str):
    """A typed target: "95", "95 %", "4,2" (a trailing % is the user's, not part of the number)."""
    return parse_decimal((text or "").strip().rstrip("%").strip())


def measured_text(measurement, target) -> tuple[str, bool | None]:
    """The measured value as a reader sees it, and whether it meets the target (None: nothing measured)."""
    from app.services.charters.indicators import format_measurement, is_share, reaches

    if measurement is None or measurement.value is None:
        return _("No data yet"), None
    value = measurement.value
    shown = format_measurement(measurement.indicator, value, target)
    if is_share(measurement.indicator):
        text = _("{value} ({met} of {total})").format(
            value=shown,
            met=format_number(measurement.numerator or 0),
            total=format_number(measurement.denominator),
        )
    elif measurement.indicator == CharterIndicator.AVERAGE_SATISFACTION:
        text = _("{value} of 5 ({n} answers)").format(value=shown, n=format_number(measurement.denominator))
    else:
        text = _("{value} ({n} answers)").format(value=shown, n=format_number(measurement.denominator))
    met = reaches(value, target)
    return ("✔ " if met else "✘ ") + text, met


def _text_edit(lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    height = edit.fontMetrics().lineSpacing() * lines + 14
    edit.setFixedHeight(height)
    return edit


class ScopeButton(QToolButton):
    """A commitment's scope: a menu of checkable case categories and product categories, and one
    channel (or any); the button names the choice ("Everything" when nothing narrows it)."""

    scope_changed = Signal()

    def __init__(
        self, product_categories: list[tuple[str, str]], scope: Scope, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._names = dict(product_categories)
        menu = QMenu(self)
        menu.addSection(_("Complaint and claim categories"))
        self._case_actions = {}
        for category in CaseCategory:
            action = menu.addAction(category.label)
            action.setCheckable(True)
            action.setChecked(category in scope.case_categories)
            self._case_actions[category] = action
        menu.addSection(_("Channel the case came in by"))
        group = QActionGroup(self)
        self._channel_actions: dict[ContactChannel | None, object] = {}
        for channel in (None, *ContactChannel):
            action = menu.addAction(_("Any channel") if channel is None else channel.label)
            action.setCheckable(True)
            action.setChecked(channel == scope.channel)
            group.addAction(action)
            self._channel_actions[channel] = action
        menu.addSection(_("Product categories"))
        self._product_actions = {}
        codes = dict.fromkeys([code for code, _name in product_categories] + list(scope.product_categories))
        for code in codes:
            action = menu.addAction(self._names.get(code, code))
            action.setCheckable(True)
            action.setChecked(code in scope.product_categories)
            self._product_actions[code] = action
        if not product_categories:
            menu.addAction(_("No product categories yet")).setEnabled(False)
        menu.triggered.connect(self._on_menu_triggered)
        self.setMenu(menu)
        self._show()

    def scope(self) -> Scope:
        channel = next((c for c, action in self._channel_actions.items() if action.isChecked()), None)
        return Scope(
            tuple(c for c, action in self._case_actions.items() if action.isChecked()),
            tuple(code for code, action in self._product_actions.items() if action.isChecked()),
            channel,
        )

    def fit_indicator(self, indicator: CharterIndicator, read_only: bool) -> None:
        """Only the parts the indicator takes can be chosen; the others are cleared."""
        cases = indicator in CASE_SCOPE_INDICATORS
        products = indicator in PRODUCT_SCOPE_INDICATORS
        for action in self._case_actions.values():
            action.setEnabled(cases)
            action.setChecked(action.isChecked() and cases)
        for channel, action in self._channel_actions.items():
            action.setEnabled(cases)
            if not cases:
                action.setChecked(channel is None)
        for action in self._product_actions.values():
            action.setEnabled(products)
            action.setChecked(action.isChecked() and products)
        self.setEnabled((cases or products) and not read_only)
        self._show()

    def _show(self) -> None:
        parts = scope_parts(self.scope(), self._names)
        words = " · ".join(parts)
        if len(parts) > 2:  # the button stays narrow; the tooltip names them all
            self.setText(
                ngettext("{first} and {n} more", "{first} and {n} more", len(parts) - 1).format(
                    first=parts[0], n=format_number(len(parts) - 1)
                )
            )
        else:
            self.setText(words or _("Everything"))
        self.setToolTip(
            _("Measured only over: {population}").format(population=words)
            if words
            else _("Measured over everything the indicator counts. Click to narrow it.")
        )

    def _on_menu_triggered(self, _action) -> None:
        self._show()
        self.scope_changed.emit()


# The widest the "Now" column starts: "✔ 100,0 % (9 de 9)" wraps onto two lines beyond it.
MEASURED_WIDTH = 110


class _FittingTable(QTableWidget):
    """A table that says when its width changed, so wrapped rows can be fitted again."""

    width_changed = Signal()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self, self.width_changed.emit)


class CharterEditor(QWidget):
    """One charter (saved or new) in a form; Save, Activate and Preview PDF act on it."""

    charter_opened = Signal()  # the editor now shows a charter, saved or new
    charters_changed = Signal()  # a charter was saved, activated or deactivated: lists show it anew
    charter_saved = Signal(int)

    def __init__(
        self,
        context: AppContext,
        today: Callable[[], dt.date],
        row_of: Callable[[int], CharterRow | None],
        parent: QWidget | None = None,
    ):
        """`row_of` finds a version in the page's list (to name the active one before replacing it)."""
        super().__init__(parent)
        self.context = context
        # A rep reads and prints the charters; the form stays read-only and its commands say why.
        self._refusal = context.refusal(Right.CHARTERS)
        self._today = today
        self._row_of = row_of
        self._detail: CharterDetail | None = None  # the saved charter in the editor; None: a new one
        self._editing = False  # the editor shows a charter (saved or new)
        self._baseline: tuple | None = None
        self._loading = False
        self._measuring = 0  # the latest measurement request; older results are dropped
        self._product_categories: list[tuple[str, str]] = []  # (code, name) a scope can name
        self._build()

    # --- building -----------------------------------------------------------------

    def _build(self) -> None:
        column = QVBoxLayout(self)
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
        self._title.setMaxLength(max_length(ServiceCharter.title))
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
        # The values "now" are measured only over the days the charter is in force.
        self._valid_from.dateChanged.connect(self._on_validity_changed)
        self._valid_to.dateChanged.connect(self._on_validity_changed)
        self._has_end.toggled.connect(self._on_validity_changed)
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
        hint = QLabel(
            _("“Now”: each commitment measured over its current period (month, quarter or year to date).")
        )
        hint.setStyleSheet("color: palette(dark);")
        hint.setToolTip(
            _("Each commitment pairs a sentence for the customer with an indicator measured from the data.")
        )
        commitments_column.addWidget(hint)
        self._commitments = _FittingTable(0, 7)
        self._commitments.width_changed.connect(lambda: self._fit_commitments(resize_measured=False))
        self._commitments.setObjectName("commitmentsTable")
        self._commitments.setHorizontalHeaderLabels(
            [
                _("Commitment"),
                _("Indicator"),
                _("Days (N)"),
                _("Target"),
                _("Period"),
                _("Measured over"),
                _("Now"),
            ]
        )
        self._commitments.verticalHeader().hide()
        self._commitments.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._commitments.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._commitments.setWordWrap(True)
        header = self._commitments.horizontalHeader()
        header.setSectionResizeMode(C_TEXT, QHeaderView.ResizeMode.Stretch)
        for section in (C_DAYS, C_TARGET, C_PERIOD):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.ResizeToContents)
        # Long labels would squeeze the sentence out of a laptop's screen: the indicator and the
        # population it is measured over get fixed widths, their full text in their tooltips.
        for section, width in ((C_INDICATOR, 160), (C_SCOPE, 120), (C_MEASURED, MEASURED_WIDTH)):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(section, width)
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

        for box in self.findChildren(QGroupBox):
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

    # --- what the page asks ---------------------------------------------------------

    def current_charter_id(self) -> int | None:
        return self._detail.id if self._detail is not None else None

    def is_editing(self) -> bool:
        """Whether a charter (saved or new) is in the editor."""
        return self._editing

    def start_new(self, data: CharterInput, version: int) -> None:
        """A new charter, not saved yet, filled with `data` (no question asked: see `may_leave`)."""
        self._detail = None
        self._load_product_categories()
        self._fill_editor(data, version)
        self._title.setFocus()

    def _load_product_categories(self) -> None:
        """The product categories a scope can name (read with the charter, as it opens)."""
        found = perform(self, charter_service.product_category_choices)
        if found:
            self._product_categories = found.value

    def close_charter(self) -> None:
        """The charter shown is gone: the editor holds nothing until told to show one."""
        self._editing = False
        self._detail = None

    # --- loading and reading --------------------------------------------------------

    def load(self, charter_id: int) -> None:
        """Show the saved charter `charter_id` (no question asked: see `may_leave`)."""
        found = perform(self, lambda: charter_service.get_charter(charter_id))
        if not found:
            return
        detail = found.value
        self._detail = detail
        data = CharterInput(
            type=detail.type,
            title=detail.title,
            valid_from=detail.valid_from,
            valid_to=detail.valid_to,
            strategy=detail.strategy,
            systems=detail.systems,
            personnel=detail.personnel,
            channels=detail.channels,
            procedure=detail.procedure,
            principles=detail.principles,
            commitments=tuple(
                CommitmentInput(
                    m.text,
                    m.indicator,
                    m.days,
                    m.target,
                    m.period,
                    m.case_categories,
                    m.product_categories,
                    m.channel,
                )
                for m in detail.commitments
            ),
        )
        self._load_product_categories()
        self._fill_editor(data, detail.version)
        self.update_measurements()

    def _fill_editor(self, data: CharterInput, version: int) -> None:
        self._measuring += 1  # new rows: a measurement still running is for the old ones
        self._loading = True
        try:
            self._editing = True
            self.charter_opened.emit()
            self._type.setCurrentIndex(max(0, self._type.findData(data.type)))
            self._title.setText(data.title)
            self._version.setText(str(version))
            self._valid_from.setDate(to_qdate(data.valid_from or self._today()))
            self._has_end.setChecked(data.valid_to is not None)
            self._valid_to.setEnabled(data.valid_to is not None)
            self._valid_to.setDate(
                to_qdate(data.valid_to or dt.date((data.valid_from or self._today()).year, 12, 31))
            )
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
        height = (
            self._channels.horizontalHeader().height()
            + sum(self._channels.rowHeight(r) for r in range(len(rows)))
            + 4
        )
        self._channels.setFixedHeight(height)

    def _append_commitment(self, item: CommitmentInput | None = None) -> int:
        r = self._commitments.rowCount()
        self._commitments.insertRow(r)
        self._commitments.setItem(r, C_TEXT, QTableWidgetItem(item.text if item else ""))
        indicator = choice_combo(
            CharterIndicator, item.indicator if item else CharterIndicator.CLAIMS_ANSWERED
        )
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
        self._commitments.setItem(
            r,
            C_TARGET,
            QTableWidgetItem(format_number(float(target_value)) if target_value is not None else ""),
        )
        period = choice_combo(CharterPeriod, item.period if item else CharterPeriod.QUARTER)
        self._commitments.setCellWidget(r, C_PERIOD, period)
        scope = ScopeButton(
            self._product_categories,
            Scope(item.case_categories, item.product_categories, item.channel) if item else Scope(),
        )
        scope.scope_changed.connect(self.update_measurements)
        self._commitments.setCellWidget(r, C_SCOPE, scope)
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
            self.update_measurements()  # the rows below moved up: their pending values are measured again

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
        self.update_measurements()
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
        days.setToolTip(
            _("Within how many days")
            if has_days(indicator)
            else _("Optional: days of tolerance after the scheduled day")
            if takes_days(indicator)
            else _("This indicator has no number of days")
        )
        if not takes_days(indicator):
            days.setValue(0)
        self._commitments.cellWidget(r, C_SCOPE).fit_indicator(indicator, self._read_only())
        self._commitments.item(r, C_TEXT).setToolTip(
            _(
                "Write {target} where the sentence gives the target (and {days} the days): it prints them as they are."
            )
            if takes_days(indicator)
            else _("Write {target} where the sentence gives the target: it prints the target as it is.")
        )
        self._commitments.item(r, C_TARGET).setToolTip(
            _("Target, e.g. {example}").format(
                example=format_target(
                    indicator,
                    {CharterIndicator.AVERAGE_SATISFACTION: 4, CharterIndicator.NPS: 40}.get(indicator, 95),
                )
            )
        )

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
                    errors[f"commitments.{r}.target"] = _(
                        "Commitment {n}: the target is not a number."
                    ).format(n=r + 1)
            period = CharterPeriod(self._commitments.cellWidget(r, C_PERIOD).currentData())
            scope = self._commitments.cellWidget(r, C_SCOPE).scope()
            rows.append(
                CommitmentInput(
                    text_item.text() if text_item else "",
                    indicator,
                    days,
                    target,
                    period,
                    scope.case_categories,
                    scope.product_categories,
                    scope.channel,
                )
            )
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
            type=CharterType(self._type.currentData()),
            title=self._title.text(),
            valid_from=from_qdate(self._valid_from.date()),
            valid_to=from_qdate(self._valid_to.date()) if self._has_end.isChecked() else None,
            strategy=self._strategy.toPlainText(),
            systems=self._systems.toPlainText(),
            personnel=self._personnel.toPlainText(),
            channels=self._channel_entries(),
            procedure=self._procedure.toPlainText(),
            principles=self._principles.toPlainText(),
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
                self._commitments.cellWidget(r, C_SCOPE).scope(),
            )
            for r in range(self._commitments.rowCount())
        )
        return (
            CharterType(self._type.currentData()),
            self._title.text(),
            self._valid_from.date(),
            self._has_end.isChecked(),
            self._valid_to.date() if self._has_end.isChecked() else None,
            self._strategy.toPlainText(),
            self._systems.toPlainText(),
            self._personnel.toPlainText(),
            self._channel_entries(),
            self._procedure.toPlainText(),
            self._principles.toPlainText(),
            commitments,
        )

    def is_modified(self) -> bool:
        """Whether the editor holds changes that are not saved (a new charter: once written in)."""
        if not self._editing or self._read_only():
            return False
        if self._detail is None:
            return bool(self._title.text().strip()) or self._commitments.rowCount() > 0
        return self._baseline is not None and self._snapshot() != self._baseline

    def _read_only(self) -> bool:
        return self._refusal is not None or (self._detail is not None and self._detail.read_only)

    # --- state ----------------------------------------------------------------------

    def _apply_state(self) -> None:
        detail = self._detail
        read_only = self._read_only()
        for widget in (self._title,):
            widget.setReadOnly(read_only)
        for edit in (self._strategy, self._systems, self._personnel, self._procedure, self._principles):
            edit.setReadOnly(read_only)
        for widget in (
            self._type,
            self._valid_from,
            self._has_end,
            self._add_commitment,
            self._remove_commitment,
            self._up,
            self._down,
        ):
            gate(widget, self._refusal, enabled=not read_only)
        self._valid_to.setEnabled(not read_only and self._has_end.isChecked())
        triggers = (
            QAbstractItemView.EditTrigger.NoEditTriggers
            if read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._channels.setEditTriggers(triggers)
        self._commitments.setEditTriggers(triggers)
        for r in range(self._commitments.rowCount()):
            for c in (C_INDICATOR, C_PERIOD):
                self._commitments.cellWidget(r, c).setEnabled(not read_only)
            indicator = CharterIndicator(self._commitments.cellWidget(r, C_INDICATOR).currentData())
            self._commitments.cellWidget(r, C_DAYS).setEnabled(not read_only and takes_days(indicator))
            self._commitments.cellWidget(r, C_SCOPE).fit_indicator(indicator, read_only)
        gate(self._save, self._refusal, enabled=not read_only)
        self._preview.setEnabled(detail is not None)
        gate(self._activate, self._refusal, enabled=detail is not None)
        self._activate.setText(_("Deactivate") if detail is not None and detail.active else _("Activate"))
        if self._refusal is not None:
            status = self._refusal + " " + _("You can read the charters and preview their PDF.")
        elif detail is None:
            status = _(
                "New charter, not saved yet. It becomes a draft when you save it; activate it to publish it."
            )
        elif read_only and detail.active:
            status = _(
                "Active charter, version {version}. A newer version exists: make changes there; this one is "
                "kept as it was until the newer one is activated."
            ).format(version=detail.version)
        elif read_only:
            status = _(
                "Version {version} is an old version: it is kept as it was and cannot be changed."
            ).format(version=detail.version)
        elif detail.saves_new_version:
            prefix = _("Active charter.") if detail.active else _("Issued charter.")
            status = (
                prefix
                + " "
                + _(
                    "Saving changes creates version {next} as a draft; this version stays as it "
                    "is until you activate the new one."
                ).format(next=charter_service.next_version(detail.type))
            )
        else:
            status = _("Draft: saving changes it in place. Activate it to make it the charter customers see.")
        self._status.setText(status)
        self._status.setStyleSheet(
            "padding: 6px; border-radius: 4px; background: %s;"
            % ("#eef6ee" if detail is not None and detail.active else "#f3f3f3")
        )

    def _on_type_current_index_changed(self, _index: int) -> None:
        if self._loading or not self._editing:
            return
        charter_type = CharterType(self._type.currentData())
        if self._detail is None or self._detail.saves_new_version or charter_type != self._detail.type:
            self._version.setText(str(charter_service.next_version(charter_type)))
        else:
            self._version.setText(str(self._detail.version))

    def _on_validity_changed(self, *_args) -> None:
        if not self._loading and self._editing:
            self.update_measurements()

    def update_measurements(self) -> None:
        """Each commitment's value now, over its current period, with ✔/✘ against its target.

        Measured in the background (a second on a large database); results of an older request
        (the rows changed meanwhile) are dropped.
        """
        from app.services.charters import indicators as charter_indicators

        today = self._today()
        valid_from = from_qdate(self._valid_from.date())
        valid_to = from_qdate(self._valid_to.date()) if self._has_end.isChecked() else None
        requests = []  # (row, indicator, days, start, end, target, scope)
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
            span = charter_indicators.in_force_span(
                *charter_indicators.current_period(period, today), valid_from, valid_to
            )
            if span is None:
                item.setText(_("Not in force"))
                item.setToolTip(_("The charter is not in force in the commitment's current period."))
                continue
            scope = self._commitments.cellWidget(r, C_SCOPE).scope()
            requests.append((r, indicator, days, *span, target, scope))
            item.setText(_("Measuring…"))
        self._measuring += 1
        generation = self._measuring
        self._fit_commitments()
        if not requests:
            return

        def op(progress) -> list:
            return [
                charter_indicators.measure(indicator, days, start, end, rep_id=None, today=today, scope=scope)
                for _row, indicator, days, start, end, _target, scope in requests
            ]

        def done(measurements: list) -> None:
            if generation != self._measuring or not isValid(self):
                return
            for (r, indicator, _days, start, end, target, _scope), measurement in zip(
                requests, measurements, strict=True
            ):
                item = self._commitments.item(r, C_MEASURED)
                if item is None:  # the row went meanwhile
                    continue
                text, met = measured_text(measurement, target)
                item.setText(text)
                item.setToolTip(
                    _("{start} – {end}, target {target}").format(
                        start=format_date(start),
                        end=format_date(end),
                        target=format_target(indicator, target),
                    )
                )
                item.setForeground(
                    QBrush(MET_COLOUR if met else MISSED_COLOUR) if met is not None else QBrush()
                )
            self._fit_commitments()

        def failed(exc: BaseException) -> None:
            if generation == self._measuring and isValid(self):
                show_error(self, exc)

        run_in_background(op, done, failed, parent=self)

    def _fit_commitments(self, resize_measured: bool = True) -> None:
        """Rows as tall as their sentence; the table as tall as its rows (the page scrolls, not the table)."""
        if resize_measured:  # as wide as its figures up to MEASURED_WIDTH; longer ones wrap
            self._commitments.resizeColumnToContents(C_MEASURED)
            if self._commitments.columnWidth(C_MEASURED) > MEASURED_WIDTH:
                self._commitments.setColumnWidth(C_MEASURED, MEASURED_WIDTH)
        self._commitments.resizeRowsToContents()
        rows = self._commitments.rowCount()
        height = (
            self._commitments.horizontalHeader().sizeHint().height()
            + sum(self._commitments.rowHeight(r) for r in range(rows))
            + 6
        )
        self._commitments.setFixedHeight(max(height, 90))
        # The rows' heights depend on the width: let every box up to the editor measure again.
        widget = self._commitments.parentWidget()
        while widget is not None and widget is not self:
            if widget.layout() is not None:
                widget.layout().invalidate()
            widget.updateGeometry()
            widget = widget.parentWidget()
        self.layout().invalidate()
        self.layout().activate()

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

    def may_leave(self) -> bool:
        """Ask about unsaved changes; True when the editor may show something else."""
        if not self.is_modified():
            return True
        answer = self._ask_unsaved()
        if answer is Unsaved.SAVE:
            return self.save()
        return answer is Unsaved.DISCARD

    def _ask_unsaved(self) -> Unsaved:
        return dialogs.ask_unsaved_changes(
            self, _("The service charter has changes that are not saved. Save them?")
        )

    def _settle_changes(self) -> bool:
        """Before acting on the saved charter: save or discard the editor's changes; False if cancelled."""
        if not self.is_modified():
            return True
        answer = self._ask_unsaved()
        if answer is Unsaved.CANCEL or (answer is Unsaved.SAVE and not self.save()):
            return False
        if answer is Unsaved.DISCARD:
            self.load(self._detail.id)
        return True

    def _on_save_clicked(self) -> None:
        self.save()

    def save(self) -> bool:
        """Save the editor's charter; True when saved (errors are shown next to their fields)."""
        if not self._editing or self._read_only():
            return False
        data, errors = self._input()

        def save() -> int:
            if errors:  # what the form could not read, with what the service says of the rest
                try:
                    charter_service.validate_charter(data)
                except ValidationError as exc:
                    raise ValidationError({**exc.errors, **errors}) from None
                raise ValidationError(errors)
            return charter_service.save_charter(
                self._detail.id if self._detail is not None else None,
                data,
                acting_rep_id=self.context.acting_rep_id,
            )

        saved = Operation(_("Save charter"), save, {CHARTERS}, field_errors=self._show_errors).run(self)
        if not saved:
            return False
        self._show_errors({})
        self.load(saved.value)
        self.charters_changed.emit()
        self.charter_saved.emit(saved.value)
        return True

    def _on_activate_clicked(self) -> None:
        detail = self._detail
        if detail is None or self._refusal is not None:
            return
        if not self._settle_changes():
            return
        detail = self._detail

        def toggle() -> None:
            if detail.active:
                charter_service.deactivate_charter(detail.id, acting_rep_id=self.context.acting_rep_id)
                return
            current = charter_service.active_charter_id(detail.type)
            if current is not None and current != detail.id:
                other = self._row_of(current)
                question = _(
                    "Version {old} is the active {type} charter now. Activate version {new} instead?"
                ).format(
                    old=other.version if other else "?", type=detail.type.label.lower(), new=detail.version
                )
                if not confirm(self, question):
                    raise BackToForm  # declined: nothing happens
            charter_service.activate_charter(detail.id, acting_rep_id=self.context.acting_rep_id)

        if not Operation(self._activate.text(), toggle, {CHARTERS}, field_errors=self._show_errors).run(self):
            return
        self.load(detail.id)
        self.charters_changed.emit()

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
        from app.documents import DocumentKind, DocumentRequest, default_file_name, produce_document

        request = DocumentRequest(
            kind=DocumentKind.CHARTER, charter_id=charter_id, language=i18n.current_language()
        )
        folder = Path(tempfile.mkdtemp(prefix="postventa-charter-"))
        path = folder / f"charter-{charter_id}.pdf"
        today = self._today()

        def op(progress) -> Path:
            return produce_document(request, path, today=today, progress=progress.report)

        def done(result: Path) -> None:
            from app.views.reports.preview import PdfPreviewDialog

            try:
                perform(
                    self, lambda: PdfPreviewDialog.show_pdf(self, result, title, default_file_name(request))
                )  # modal: the file goes after
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        def failed(exc: BaseException) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            show_error(self, exc)

        run_in_background(op, done, failed, label=_("Preparing the charter PDF…"), parent=self)
