"""The team (Settings ▸ Reps…): who uses Postventa, with their working hours, and a rep's edit form.

A rep's own working hours, where they differ from the company's, are where the placement rule puts
their follow-ups (app.services.followups.placement); unticked, the rep works the company's hours
(Settings ▸ Preferences). Only a manager edits (Right.TEAM); everyone may look. Every rule is
app.services.reps's; its messages appear under the field they concern.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_time
from app.models import Rep
from app.models.base import max_length
from app.services import reps
from app.services.company import working_hours
from app.services.permissions import Right
from app.services.reps import RepInput, RepRow
from app.views.customers.customer_dialog import TimeField
from app.views.dialogs import BaseDialog, FormDialog, plain_label
from app.views.events import REPS
from app.views.operations import Operation
from app.views.pages.base import AppContext
from app.views.rights import gate, refusal_note

REP_ID_ROLE = Qt.ItemDataRole.UserRole
_TIME_FORMAT = "HH:mm"


def hours_text(start: dt.time, end: dt.time) -> str:
    return f"{format_time(start)}–{format_time(end)}"


def rep_hours_text(rep: RepRow, company_start: dt.time, company_end: dt.time) -> str:
    """'09:00–14:00' for a rep's own hours, 'The company's (08:00–20:00)' otherwise."""
    own = rep.own_hours
    if own is not None:
        return hours_text(*own)
    return _("The company's ({hours})").format(hours=hours_text(company_start, company_end))


def _time_field(value: dt.time) -> TimeField:
    edit = TimeField(QTime(value.hour, value.minute))
    edit.setDisplayFormat(_TIME_FORMAT)
    return edit


class RepDialog(FormDialog):
    """A rep's name, contact details and own working hours; Save stays until the service accepts."""

    def __init__(
        self,
        parent: QWidget | None,
        rep: RepRow,
        *,
        company: tuple[dt.time, dt.time] | None = None,
        acting_rep_id: int | None = None,
    ):
        super().__init__(parent)
        self._rep_id = rep.id
        self._acting_rep_id = acting_rep_id
        self.saved: RepRow | None = None
        self.setWindowTitle(_("Edit rep {name}").format(name=rep.name))
        company_start, company_end = company or working_hours()
        self._name = QLineEdit(rep.name)
        self._name.setMaxLength(max_length(Rep.name))
        self._email = QLineEdit(rep.email)
        self._email.setMaxLength(max_length(Rep.email))
        self._email.setPlaceholderText(_("Optional"))
        self._phone = QLineEdit(rep.phone)
        self._phone.setMaxLength(max_length(Rep.phone))
        self._phone.setPlaceholderText(_("Optional"))
        self._own_hours = QCheckBox(_("Works other hours than the company's"))
        own = rep.own_hours
        self._own_hours.setChecked(own is not None)
        start, end = own or (company_start, company_end)
        self._start, self._end = _time_field(start), _time_field(end)
        hours = QWidget()
        row = QHBoxLayout(hours)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._start)
        row.addWidget(plain_label(_("to")))
        row.addWidget(self._end)
        row.addStretch(1)
        self._hint = plain_label(wrap=True)
        self._hint.setStyleSheet("color: palette(mid);")
        self._company_text = hours_text(company_start, company_end)

        code = plain_label(f"{rep.code} · {rep.role.label}")
        code_label = QLabel(_("Code"))
        self._form.addRow(code_label, code)
        self._add_row("name", _("Name"), self._name)
        self._add_row("email", _("E-mail"), self._email)
        self._add_row("phone", _("Phone"), self._phone)
        self._form.addRow("", self._own_hours)
        label = self._add_row("working_hours_start", _("Working hours:"), hours)
        label.setBuddy(self._start)
        # The end's own reason (shorter than an hour) shows under the same row.
        self._errors["working_hours_end"] = self._errors["working_hours_start"]
        self._form.addRow("", self._hint)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addWidget(self._general_error)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        self._own_hours.toggled.connect(self._on_own_hours_toggled)
        self._on_own_hours_toggled(self._own_hours.isChecked())

    def show_errors(self, errors: dict[str, str]) -> None:
        super().show_errors(errors)
        # A reason wrapped over two lines needs the room: the form grows rather than clip it.
        self.layout().activate()
        needed = self.layout().totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _on_own_hours_toggled(self, checked: bool) -> None:
        for edit in (self._start, self._end):
            edit.setEnabled(checked)
        self._hint.setText(
            _("Plans, retries and cases place this rep's follow-ups inside these hours.")
            if checked
            else _("Unticked, the rep works the company's hours ({hours}, in Preferences).").format(
                hours=self._company_text
            )
        )
        self.clear_error("working_hours_start")

    def values(self) -> RepInput:
        start = end = None
        if self._own_hours.isChecked():
            start = dt.time(self._start.time().hour(), self._start.time().minute())
            end = dt.time(self._end.time().hour(), self._end.time().minute())
        return RepInput(self._name.text(), self._email.text(), self._phone.text(), start, end)

    def set_values(self, value: RepInput) -> None:
        self._name.setText(value.name)
        self._email.setText(value.email)
        self._phone.setText(value.phone)
        own = value.working_hours_start is not None and value.working_hours_end is not None
        self._own_hours.setChecked(own)
        for edit, time in ((self._start, value.working_hours_start), (self._end, value.working_hours_end)):
            if time is not None:
                edit.setTime(QTime(time.hour, time.minute))

    def accept(self) -> None:
        data, rep_id, acting = self.values(), self._rep_id, self._acting_rep_id
        saved = Operation(
            _("Save rep"),
            lambda: reps.update_rep(rep_id, data, acting),
            {REPS},
            field_errors=self.show_errors,
        ).run(self)
        if saved:
            self.saved = saved.value
            super().accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        rep: RepRow,
        *,
        company: tuple[dt.time, dt.time] | None = None,
        acting_rep_id: int | None = None,
    ) -> RepRow | None:
        """Edit `rep`; the rep as saved, or None when cancelled."""
        return cls(parent, rep, company=company, acting_rep_id=acting_rep_id).answer(
            lambda dialog: dialog.saved
        )


class RepsDialog(BaseDialog):
    """The team: each rep's name, code, role and working hours; a manager edits a rep."""

    ASKS_BEFORE_DISCARDING = False  # a list, nothing typed here

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = context
        self.setWindowTitle(_("Reps and working hours"))
        self._refusal = context.refusal(Right.TEAM)
        layout = QVBoxLayout(self)
        if self._refusal is not None:
            layout.addWidget(refusal_note(self._refusal))
        self._tree = QTreeWidget()
        self._tree.setHeaderLabels([_("Name"), _("Code"), _("Role"), _("Working hours")])
        self._tree.setRootIsDecorated(False)
        self._tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._tree.header().setStretchLastSection(True)
        self._tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self._tree.currentItemChanged.connect(self._update_buttons)
        layout.addWidget(self._tree)
        note = plain_label(
            _(
                "Plans, retries and cases place each rep's follow-ups inside their working hours: their "
                "own where they differ, else the company's."
            ),
            wrap=True,
        )
        note.setStyleSheet("color: palette(mid);")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.edit_button = QPushButton(_("Edit rep…"))
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()
        self.resize(640, 380)

    def reload(self, select: int | None = None) -> None:
        current = select if select is not None else self.selected_rep_id()
        self._company = working_hours()
        self._tree.clear()
        for rep in reps.list_reps():
            item = QTreeWidgetItem([rep.name, rep.code, rep.role.label, rep_hours_text(rep, *self._company)])
            item.setData(0, REP_ID_ROLE, rep.id)
            self._tree.addTopLevelItem(item)
            if rep.id == current or (current is None and self._tree.topLevelItemCount() == 1):
                self._tree.setCurrentItem(item)
        self._update_buttons()

    def selected_rep_id(self) -> int | None:
        item = self._tree.currentItem()
        return item.data(0, REP_ID_ROLE) if item is not None else None

    def rows(self) -> list[list[str]]:
        """What the list shows, row by row (for tests)."""
        return [
            [self._tree.topLevelItem(i).text(c) for c in range(self._tree.columnCount())]
            for i in range(self._tree.topLevelItemCount())
        ]

    def select_rep(self, rep_id: int) -> None:
        self.reload(select=rep_id)

    def _update_buttons(self, *_args) -> None:
        gate(self.edit_button, self._refusal, enabled=self.selected_rep_id() is not None)

    def _on_tree_item_double_clicked(self, *_args) -> None:
        if self.edit_button.isEnabled():
            self._on_edit_button_clicked()

    def _on_edit_button_clicked(self) -> None:
        rep_id = self.selected_rep_id()
        if rep_id is None or self._refusal is not None:
            return
        saved = RepDialog.ask(
            self, reps.get_rep(rep_id), company=self._company, acting_rep_id=self._context.acting_rep_id
        )
        if saved is not None:
            self.reload(select=saved.id)

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> None:
        cls(context, parent).answer(lambda _dialog: None, always=True)
