"""A customer's rights in the window (issue 18): export their personal data, erase it (confirmed by
typing the customer's code), and the customers due for anonymisation under the retention setting.

Thin: the work is `app.documents.export_personal_data` and `app.services.customers.privacy`, run
through the operation helper; only a manager is offered them (app.views.rights)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import documents, i18n
from app.i18n import _, format_date, format_number, ngettext
from app.services.company import load_company_settings
from app.services.customers import privacy
from app.services.permissions import Permissions, Right
from app.views import dialogs
from app.views.dialogs import BaseDialog, plain_label
from app.views.events import CUSTOMERS, FOLLOW_UPS, SETTINGS
from app.views.operations import Operation, perform
from app.views.rights import explain_refusal, gate


@dataclass(frozen=True)
class PersonalDataTarget:
    id: int
    code: str
    name: str


# --- export -------------------------------------------------------------------------------------------


def export_personal_data(parent: QWidget, customer: PersonalDataTarget, permissions: Permissions) -> bool:
    """Ask where, then write the JSON file and the readable PDF beside it (same name, .pdf) in the
    window's language, in the background; True when started."""
    refusal = permissions.refusal(Right.PERSONAL_DATA)
    if refusal is not None:
        explain_refusal(parent, refusal)
        return False
    caption = _("Export personal data")
    suggested = dialogs.documents_folder() / _("personal-data-{code}.json").format(code=customer.code)
    chosen = dialogs.ask_save_file(parent, caption, suggested, _("JSON files (*.json)"), ".json")
    if chosen is None:
        return False
    pdf = chosen.with_suffix(".pdf")
    if pdf.exists() and not dialogs.confirm(
        parent, _("{file} already exists. Do you want to replace it?").format(file=pdf.name), caption
    ):
        return False
    language = i18n.current_language()

    def written(result: documents.PersonalDataExport) -> None:
        dialogs.inform(
            parent,
            ngettext(
                "{count} record of {code} written to {json} and {pdf}.",
                "{count} records of {code} written to {json} and {pdf}.",
                result.records,
            ).format(
                count=format_number(result.records),
                code=customer.code,
                json=result.json_path,
                pdf=result.pdf_path,
            ),
            caption,
        )

    Operation(
        caption,
        lambda: documents.export_personal_data(
            customer.id, chosen, pdf, language=language, permissions=permissions, force=True
        ),
        on_success=written,
    ).run_in_background(
        parent, progress=_("Exporting the personal data of {code}…").format(code=customer.code)
    )
    return True


# --- erasure ------------------------------------------------------------------------------------------


class EraseDialog(BaseDialog):
    """What an erasure does, and the customer's code typed to confirm it (it cannot be undone)."""

    ASKS_BEFORE_DISCARDING = False

    def __init__(self, parent: QWidget | None, customer: PersonalDataTarget):
        super().__init__(parent)
        self.setWindowTitle(_("Erase personal data"))
        self._code = customer.code
        heading = plain_label(
            _("Erase the personal data of {name} ({code})?").format(name=customer.name, code=customer.code),
            wrap=True,
        )
        heading.setStyleSheet("font-weight: 600;")
        what = plain_label(
            _(
                "Their name, tax ID, e-mail, phones, address, notes, needs and consent are removed, and so "
                "are the texts of their records: notes, visit places, the people present at a check and "
                "its signature, return descriptions, the words of their cases and proposals, survey "
                "comments, and those values in the audit log."
            ),
            wrap=True,
        )
        kept = plain_label(
            _(
                "Sales, units, follow-ups, checks, returns, cases and surveys stay, without the person: "
                "the activity report, the statistics and the register count them as before. The "
                "customer is archived. This cannot be undone; export the data first if it was asked for."
            ),
            wrap=True,
        )
        kept.setStyleSheet("color: palette(dark);")
        self._typed = QLineEdit()
        self._typed.setPlaceholderText(customer.code)
        ask = plain_label(
            _("Type the customer's code, {code}, to confirm:").format(code=customer.code), wrap=True
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self._erase = QPushButton(_("Erase"))
        self._erase.setObjectName("eraseButton")
        buttons.addButton(self._erase, QDialogButtonBox.ButtonRole.DestructiveRole)
        self._erase.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (heading, what, kept, ask, self._typed):
            layout.addWidget(widget)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self._typed.textChanged.connect(self._on_typed_text_changed)
        self._on_typed_text_changed("")

    @property
    def code_edit(self) -> QLineEdit:
        return self._typed

    @property
    def erase_button(self) -> QPushButton:
        return self._erase

    def _on_typed_text_changed(self, text: str) -> None:
        self._erase.setEnabled(text.strip() == self._code)

    @classmethod
    def ask(cls, parent: QWidget | None, customer: PersonalDataTarget) -> bool:
        return bool(cls(parent, customer).answer(lambda dialog: True))


def erase_personal_data(
    parent: QWidget,
    customer: PersonalDataTarget,
    acting_rep_id: int | None,
    permissions: Permissions,
    on_erased: Callable[[], object] = lambda: None,
) -> bool:
    """Confirm, then erase (audited, one transaction) in the background: wiping what the file freed
    grows with the data. `on_erased` runs once it is done; True when the erasure started."""
    refusal = permissions.refusal(Right.PERSONAL_DATA)
    if refusal is not None:
        explain_refusal(parent, refusal)
        return False
    if not EraseDialog.ask(parent, customer):
        return False
    Operation(
        _("Erase personal data"),
        lambda: privacy.erase_personal_data(customer.id, acting_rep_id, permissions=permissions),
        {CUSTOMERS, FOLLOW_UPS},
        on_success=lambda _outcome: on_erased(),
    ).run_in_background(parent, progress=_("Erasing the personal data of {code}…").format(code=customer.code))
    return True


# --- retention ----------------------------------------------------------------------------------------


class RetentionDialog(BaseDialog):
    """Customers without activity for the company's retention years, due for anonymisation; a manager
    changes the years here and erases from the list (each customer confirmed by their code)."""

    ASKS_BEFORE_DISCARDING = False
    COLUMNS = 4

    def __init__(
        self,
        parent: QWidget | None,
        *,
        acting_rep_id: int | None,
        permissions: Permissions,
        today: dt.date | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(_("Customers due for anonymisation"))
        self._today = today or dt.date.today()
        self._acting_rep_id = acting_rep_id
        self._permissions = permissions
        self._rows: list[privacy.RetentionRow] = []
        self._years = QSpinBox()
        self._years.setRange(1, 50)
        self._years.setSuffix(" " + _("years"))
        self._years.setValue(load_company_settings().retention_years)
        self._save = QPushButton(_("Save as the company's setting"))
        gate(self._save, permissions.refusal(Right.COMPANY_SETTINGS))
        self._save.clicked.connect(self._on_save_clicked)
        self._years.valueChanged.connect(lambda _value: self.reload())
        intro = plain_label(
            _(
                "Customers with no sale, delivery, follow-up, check, return, case or survey for this long. "
                "Their personal data is kept no longer than needed: erase it, or keep the customer if "
                "there is a reason to."
            ),
            wrap=True,
        )
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Without activity for")))
        top.addWidget(self._years)
        top.addWidget(self._save)
        top.addStretch(1)
        self._summary = plain_label(wrap=True)
        self._table = QTableWidget(0, self.COLUMNS)
        self._table.setHorizontalHeaderLabels([_("Code"), _("Name"), _("Rep"), _("Last activity")])
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.verticalHeader().setVisible(False)
        self._table.setWordWrap(False)
        self._table.setAlternatingRowColors(True)
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._erase = QPushButton(_("Erase personal data…"))
        self._table.itemSelectionChanged.connect(self._update_buttons)
        self._erase.clicked.connect(self._on_erase_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self._erase)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self._summary)
        layout.addWidget(self._table, 1)
        layout.addLayout(bottom)
        self.resize(760, 480)
        self.reload()

    @property
    def table(self) -> QTableWidget:
        return self._table

    @property
    def years(self) -> QSpinBox:
        return self._years

    @property
    def rows(self) -> list[privacy.RetentionRow]:
        return self._rows

    def reload(self) -> None:
        years = self._years.value()
        found = perform(self, lambda: privacy.customers_due_for_anonymisation(self._today, years))
        self._rows = found.value if found else []
        self._table.setRowCount(len(self._rows))
        for index, row in enumerate(self._rows):
            for column, text in enumerate(
                (row.code, row.name, row.rep_name or "—", format_date(row.last_activity))
            ):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                self._table.setItem(index, column, item)
        for column in (0, 2, 3):
            self._table.resizeColumnToContents(column)
        if self._rows:
            self._summary.setText(
                ngettext(
                    "{count} customer without activity since {date}.",
                    "{count} customers without activity since {date}.",
                    len(self._rows),
                ).format(
                    count=format_number(len(self._rows)),
                    date=format_date(privacy.retention_cutoff(self._today, years)),
                )
            )
        else:
            self._summary.setText(
                _("No customer has been without activity since {date}.").format(
                    date=format_date(privacy.retention_cutoff(self._today, years))
                )
            )
        self._update_buttons()

    def selected(self) -> privacy.RetentionRow | None:
        rows = self._table.selectionModel().selectedRows()
        return self._rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        gate(
            self._erase,
            self._permissions.refusal(Right.PERSONAL_DATA),
            enabled=self.selected() is not None,
        )

    def _on_save_clicked(self) -> None:
        years = self._years.value()
        Operation(
            _("Save the retention setting"),
            lambda: privacy.set_retention_years(years, self._acting_rep_id, permissions=self._permissions),
            {SETTINGS},
        ).run(self)

    def _on_erase_clicked(self) -> None:
        row = self.selected()
        if row is None:
            return
        target = PersonalDataTarget(row.id, row.code, row.name)
        erase_personal_data(self, target, self._acting_rep_id, self._permissions, on_erased=self.reload)

    @classmethod
    def show_list(
        cls,
        parent: QWidget | None,
        *,
        acting_rep_id: int | None,
        permissions: Permissions,
        today: dt.date | None = None,
    ) -> None:
        dialog = cls(parent, acting_rep_id=acting_rep_id, permissions=permissions, today=today)
        dialog.answer(lambda dialog: None, always=True)
