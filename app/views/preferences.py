"""Settings: language, who is using the app, and the company details printed on documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGES, _, current_language
from app.locations import default_backups_folder
from app.models.enums import CaseSeries
from app.services import cases, company, reps
from app.services.customers.value import validate_thresholds
from app.services.errors import ValidationError
from app.services.followups import working_days as calendar
from app.services.permissions import Right
from app.views import settings
from app.views.dialogs import BaseDialog, field_error_label, plain_label, with_error_label
from app.views.errors import show_error
from app.views.events import SETTINGS
from app.views.operations import Operation, perform
from app.views.pages.base import AppContext
from app.views.rights import gate, refusal_note

LANGUAGE_NAMES = {"es": "Español", "en": "English"}  # each in its own language, never translated


@dataclass(frozen=True)
class PreferencesResult:
    language: str
    language_changed: bool
    rep: reps.RepRow | None
    user_changed: bool
    encryption: bool | None = None  # True: encrypt the database now; False: decrypt it; None: as it is


class PreferencesDialog(BaseDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Preferences"))
        self._context = context
        self.result_value: PreferencesResult | None = None
        layout = QVBoxLayout(self)

        general = QGroupBox(_("This computer"))
        form = QFormLayout(general)
        self.language_combo = QComboBox()
        for code in LANGUAGES:
            self.language_combo.addItem(LANGUAGE_NAMES[code], code)
        self.language_combo.setCurrentIndex(LANGUAGES.index(current_language()))
        form.addRow(_("Language:"), self.language_combo)
        self.user_combo = QComboBox()
        for rep in reps.list_reps():
            self.user_combo.addItem(f"{rep.name} — {rep.role.label}", rep.id)
            if context.current_rep is not None and rep.id == context.current_rep.id:
                self.user_combo.setCurrentIndex(self.user_combo.count() - 1)
        if self.user_combo.count() == 0:
            self.user_combo.addItem(_("Nobody recorded yet"), None)
            self.user_combo.setEnabled(False)
        if context.identity_from_server:
            me = context.current_rep
            if me is None or self.user_combo.findData(me.id) < 0:
                # A login with no rep record (or an inactive one's): name who it is all the same.
                text = f"{me.name} — {me.role.label}" if me is not None else context.permissions.login or ""
                self.user_combo.insertItem(0, text, me.id if me is not None else None)
                self.user_combo.setCurrentIndex(0)
            gate(self.user_combo, _("On the office server you are the person you logged in as."))
        form.addRow(_("Who is using Postventa:"), self.user_combo)
        self.lead_spin = QSpinBox()
        self.lead_spin.setRange(0, 240)
        self.lead_spin.setSuffix(_(" min"))
        self.lead_spin.setValue(settings.get(settings.REMINDER_LEAD_MINUTES))
        form.addRow(_("Remind me before a follow-up:"), self.lead_spin)
        self.summary_hour_spin = QSpinBox()
        self.summary_hour_spin.setRange(0, 23)
        self.summary_hour_spin.setSuffix(_(":00"))
        self.summary_hour_spin.setValue(settings.get(settings.REMINDER_SUMMARY_HOUR))
        form.addRow(_("Morning summary from:"), self.summary_hour_spin)
        self.tray_check = QCheckBox(_("Keep running in the system tray when the window is closed"))
        self.tray_check.setChecked(settings.get(settings.CLOSE_TO_TRAY))
        form.addRow("", self.tray_check)
        self.backups_edit = QLineEdit(settings.get(settings.BACKUPS_FOLDER))
        self.backups_edit.setPlaceholderText(str(default_backups_folder()))
        self.backups_edit.setToolTip(
            _(
                "Where this computer keeps its daily backups, e.g. a USB or network drive; empty: the default folder."
            )
        )
        browse_backups = QPushButton(_("Browse…"))
        browse_backups.clicked.connect(self._on_browse_backups_clicked)
        backups_row = QHBoxLayout()
        backups_row.addWidget(self.backups_edit, 1)
        backups_row.addWidget(browse_backups)
        self.backups_error = field_error_label(reserve=True)
        form.addRow(_("Backups folder:"), backups_row)
        form.addRow("", self.backups_error)
        self._encryption_change: bool | None = None
        if context.database.path is not None:  # an office server is protected on the server
            form.addRow(_("Encryption:"), self._encryption_row(context.database.path))
        layout.addWidget(general)
        # Everything but "This computer" is the company's: only a manager changes it.
        self._company_refusal = context.refusal(Right.COMPANY_SETTINGS)
        if self._company_refusal is not None:
            layout.addWidget(refusal_note(self._company_refusal))

        documents = QGroupBox(_("Company (printed on documents)"))
        doc_form = QFormLayout(documents)
        stored = company.load_company_settings()
        self._stored = stored
        self.company_name = QLineEdit(
            _(stored.name) if stored.name == company.CompanySettings.name else stored.name
        )
        self.company_name_error = field_error_label(reserve=True)
        self.company_tax_id = QLineEdit(stored.tax_id)
        self.company_address = QLineEdit(stored.address)
        self.logo_edit = QLineEdit(stored.logo_path)
        self.logo_error = field_error_label(reserve=True)
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._on_browse_clicked)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_edit, 1)
        logo_row.addWidget(browse)
        doc_form.addRow(_("Company name:"), self.company_name)
        doc_form.addRow("", self.company_name_error)
        doc_form.addRow(_("Tax ID:"), self.company_tax_id)
        doc_form.addRow(_("Address:"), self.company_address)
        doc_form.addRow(_("Logo (PNG or JPEG):"), logo_row)
        doc_form.addRow("", self.logo_error)
        # Side by side, so the dialog fits a laptop screen.
        company_data = QHBoxLayout()
        company_data.addWidget(documents, 3)
        self._numbering_box = self._numbering_group(stored)
        company_data.addWidget(self._numbering_box, 2)
        layout.addLayout(company_data)

        follow_ups = QGroupBox(_("Follow-ups (for the whole company)"))
        follow_form = QFormLayout(follow_ups)
        self.country_combo = QComboBox()
        for code, name in calendar.holiday_countries(current_language()):
            self.country_combo.addItem(name, code)
        self.country_combo.setCurrentIndex(max(0, self.country_combo.findData(stored.holiday_country)))
        self.region_combo = QComboBox()
        self.country_combo.currentIndexChanged.connect(self._on_country_combo_changed)
        self._fill_regions(stored.holiday_subdivision)
        follow_form.addRow(_("Public holidays of:"), self.country_combo)
        follow_form.addRow(_("Region:"), self.region_combo)
        self.attempts_spin = QSpinBox()
        self.attempts_spin.setRange(1, 10)
        self.attempts_spin.setValue(stored.follow_up_max_attempts)
        self.attempts_spin.setToolTip(
            _(
                "A contact that is not reached is retried on the next working day, up to this many attempts in all."
            )
        )
        follow_form.addRow(_("Attempts to reach a customer:"), self.attempts_spin)
        self.training_spin = QSpinBox()
        self.training_spin.setRange(1, 90)
        self.training_spin.setSuffix(_(" days"))
        self.training_spin.setValue(stored.check_training_days)
        self.training_spin.setToolTip(
            _("A failed correct-use check proposes a training follow-up this many days later.")
        )
        follow_form.addRow(_("Training after a failed check:"), self.training_spin)
        # Where plans, retries and cases place follow-ups (app.services.followups.placement).
        self.hours_start, self.hours_end = QTimeEdit(), QTimeEdit()
        for edit, stored_time, fallback in (
            (self.hours_start, stored.working_hours_start, QTime(8, 0)),
            (self.hours_end, stored.working_hours_end, QTime(20, 0)),
        ):
            edit.setDisplayFormat("HH:mm")
            shown = QTime.fromString(stored_time, "HH:mm")
            edit.setTime(shown if shown.isValid() else fallback)
            edit.setToolTip(
                _(
                    "Follow-ups made by plans, retries and cases land inside these hours; moving one "
                    "outside them asks first."
                )
            )
        hours_row = QHBoxLayout()
        hours_row.addWidget(self.hours_start)
        hours_row.addWidget(plain_label(_("to")))
        hours_row.addWidget(self.hours_end)
        hours_row.addStretch(1)
        follow_form.addRow(_("Working hours:"), hours_row)
        self.capacity_spin = QSpinBox()
        self.capacity_spin.setRange(1, 500)
        self.capacity_spin.setValue(stored.daily_capacity)
        self.capacity_spin.setToolTip(
            _(
                "Plans, retries and cases give a rep at most this many planned follow-ups a day; the "
                "next working day with room takes the rest."
            )
        )
        follow_form.addRow(_("Follow-ups per rep and day:"), self.capacity_spin)
        # Side by side, so the dialog fits a laptop screen.
        company_wide = QHBoxLayout()
        company_wide.addWidget(follow_ups)
        self._value_box = self._value_group(stored)
        company_wide.addWidget(self._value_box)
        layout.addLayout(company_wide)
        if self._company_refusal is not None:
            for box in (documents, self._numbering_box, follow_ups, self._value_box):
                gate(box, self._company_refusal)
                for kind in (QLineEdit, QSpinBox, QTimeEdit, QComboBox, QPushButton):
                    for field in box.findChildren(kind):
                        gate(field, self._company_refusal)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(max(600, self.sizeHint().width()), self.minimumSizeHint().height())
        self._fit_height()

    def _encryption_row(self, path: Path) -> QWidget:
        from app.services import encryption
        from app.views.encryption import encryption_status_text

        status = encryption.encryption_status(path)
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        self.encryption_label = plain_label(encryption_status_text(status), wrap=True)
        box.addWidget(self.encryption_label, 1)
        self.encryption_button = QPushButton(_("Decrypt…") if status.encrypted else _("Encrypt…"))
        self.encryption_button.clicked.connect(
            lambda: self._on_encryption_button_clicked(not status.encrypted)
        )
        if not status.encrypted and not (status.available and status.keyring):
            gate(
                self.encryption_button, _("This computer has no keyring where Postventa could keep the key.")
            )
        box.addWidget(self.encryption_button)
        return row

    def _on_encryption_button_clicked(self, encrypt: bool) -> None:
        from app.views.dialogs import confirm

        question = (
            _(
                "Encrypt this database? A backup is made first, then the window closes while the file is "
                "encrypted and opens again on it. The recovery key is shown once at the end: have a printer "
                "or paper ready. The backups of this database are encrypted too."
            )
            if encrypt
            else _(
                "Decrypt this database? Anyone who gets hold of this computer could then read your customers' "
                "data. A backup is made first; the window closes while the file is decrypted."
            )
        )
        if not confirm(self, question, _("Encryption")):
            return
        self._encryption_change = encrypt
        self._on_buttons_accepted()

    def _fit_height(self) -> None:
        """Tall enough for the wrapped texts (a window's minimum size ignores height-for-width)."""
        needed = self.layout().totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _fill_regions(self, selected: str | None) -> None:
        self.region_combo.clear()
        self.region_combo.addItem(_("Only national holidays"), "")
        for code, name in calendar.holiday_subdivisions(self.country_combo.currentData() or ""):
            self.region_combo.addItem(name, code)
        self.region_combo.setCurrentIndex(max(0, self.region_combo.findData(selected or "")))

    def _on_country_combo_changed(self) -> None:
        self._fill_regions(None)

    def _on_browse_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the company logo"), "", _("Images (*.png *.jpg *.jpeg)")
        )
        if path:
            self.logo_edit.setText(path)

    def _on_browse_backups_clicked(self) -> None:
        start = self.backups_edit.text().strip() or str(default_backups_folder())
        folder = QFileDialog.getExistingDirectory(self, _("Choose the backups folder"), start)
        if folder:
            self.backups_edit.setText(folder)

    def _backups_folder_refusal(self, text: str) -> str | None:
        """Why the typed backups folder cannot be used (None: it can, or it is empty for the default)."""
        if not text:
            return None
        folder = Path(text).expanduser()
        if not folder.is_absolute():
            return _("Give the whole path of the folder, or choose it with the Browse button.")
        if folder.exists() and not folder.is_dir():
            return _("{folder} is a file, not a folder.").format(folder=folder)
        return None

    def _on_buttons_accepted(self) -> None:
        backups_folder = self.backups_edit.text().strip()
        refusal = self._backups_folder_refusal(backups_folder)
        self.backups_error.setText(refusal or "")
        self.backups_error.setVisible(refusal is not None)
        if refusal is not None:
            self._fit_height()
            return
        # A rep's company settings are read-only: only this computer's preferences are kept.
        if self._company_refusal is None and not self._save_company():
            return
        if self._context.identity_from_server:  # the login says who: nothing to choose or remember
            rep = self._context.current_rep
        else:
            rep_id = self.user_combo.currentData()
            found = perform(
                self, lambda: reps.get_rep(rep_id) if rep_id is not None else self._context.current_rep
            )
            if not found:
                return
            rep = found.value
            if rep is not None:
                from app.views.app import remember_rep

                remember_rep(self._context.database.target, rep)
        settings.put(settings.REMINDER_LEAD_MINUTES, self.lead_spin.value())
        settings.put(settings.REMINDER_SUMMARY_HOUR, self.summary_hour_spin.value())
        settings.put(settings.CLOSE_TO_TRAY, self.tray_check.isChecked())
        settings.put(settings.BACKUPS_FOLDER, backups_folder)
        language = self.language_combo.currentData()
        previous = self._context.current_rep
        self.result_value = PreferencesResult(
            language=language,
            language_changed=language != current_language(),
            rep=rep,
            user_changed=rep is not None and (previous is None or previous.id != rep.id),
            encryption=self._encryption_change,
        )
        self.accept()

    def _save_company(self) -> bool:
        """Validate and store the company's settings; False (errors shown) when refused."""
        self.company_name_error.hide()
        self.logo_error.hide()
        for label in self._prefix_errors.values():
            label.hide()
        name = self.company_name.text().strip()
        logo = self.logo_edit.text().strip()
        if not name:
            self.company_name_error.setText(_("The company name is required: it heads every document."))
            self.company_name_error.show()
            return False
        if logo and not Path(logo).is_file():
            self.logo_error.setText(
                _("There is no image at this path; choose the file again or leave it empty.")
            )
            self.logo_error.show()
            return False
        if not self._check_thresholds():
            return False
        updated = replace(
            self._stored,
            name=name,
            tax_id=self.company_tax_id.text().strip(),
            address=self.company_address.text().strip(),
            logo_path=logo,
            holiday_country=self.country_combo.currentData(),
            holiday_subdivision=self.region_combo.currentData() or "",
            follow_up_max_attempts=self.attempts_spin.value(),
            check_training_days=self.training_spin.value(),
            working_hours_start=self.hours_start.time().toString("HH:mm"),
            working_hours_end=self.hours_end.time().toString("HH:mm"),
            daily_capacity=self.capacity_spin.value(),
            abc_window_months=self.window_spin.value(),
            abc_a_threshold=self.a_spin.value(),
            abc_b_threshold=self.b_spin.value(),
            expected_remaining_years=self.years_spin.value(),
            risk_low_satisfaction_max=self.low_satisfaction_spin.value(),
            risk_default_interval_days=self.interval_spin.value(),
            **{name: edit.text() for name, edit in self.prefix_edits.items()},
        )
        acting = self._context.acting_rep_id

        def save() -> None:
            company.save_company_settings(updated, acting)
            calendar.clear_cache()

        saved = Operation(_("Save preferences"), save, {SETTINGS}, field_errors=self._show_field_errors).run(
            self
        )
        return bool(saved)

    # --- customer value, segments and risk ------------------------------------------------

    def _value_group(self, stored: company.CompanySettings) -> QGroupBox:
        group = QGroupBox(_("Customer value, segments and risk (for the whole company)"))
        form = QFormLayout(group)

        def spin(low: int, high: int, value: int, suffix: str, tip: str) -> QSpinBox:
            box = QSpinBox()
            box.setRange(low, high)
            box.setValue(value)
            box.setSuffix(suffix)
            box.setToolTip(tip)
            return box

        self.window_spin = spin(
            1,
            120,
            stored.abc_window_months,
            _(" months"),
            _("The ABC segments rank customers by their net sales over this many past months."),
        )
        form.addRow(_("ABC window:"), self.window_spin)
        # The thresholds' own ranges stop values above 100; A < B is checked as they change.
        self.a_spin = spin(
            1,
            100,
            stored.abc_a_threshold,
            _(" %"),
            _("Segment A: the customers making up the first this-many per cent of revenue."),
        )
        self.a_error = field_error_label(reserve=True)
        form.addRow(_("Segment A up to:"), self.a_spin)
        form.addRow("", self.a_error)
        self.b_spin = spin(
            1,
            100,
            stored.abc_b_threshold,
            _(" %"),
            _("Segment B: the customers after A, up to this cumulative per cent of revenue; C: the rest."),
        )
        self.b_error = field_error_label(reserve=True)
        form.addRow(_("Segment B up to:"), self.b_spin)
        form.addRow("", self.b_error)
        self.years_spin = spin(
            0,
            50,
            stored.expected_remaining_years,
            _(" years"),
            _("Projected lifetime value = annual value × these expected remaining years."),
        )
        form.addRow(_("Expected remaining years:"), self.years_spin)
        self.low_satisfaction_spin = spin(
            1,
            4,
            stored.risk_low_satisfaction_max,
            _(" of 5"),
            _("A valuable customer whose last satisfaction score is this or lower is at risk."),
        )
        form.addRow(_("Low satisfaction up to:"), self.low_satisfaction_spin)
        self.interval_spin = spin(
            1,
            3650,
            stored.risk_default_interval_days,
            _(" days"),
            _(
                "A valuable customer who bought only once is at risk after this many days without buying "
                "(customers who bought more often are measured against their own usual interval)."
            ),
        )
        form.addRow(_("Usual interval after one purchase:"), self.interval_spin)
        self.a_spin.valueChanged.connect(self._check_thresholds)
        self.b_spin.valueChanged.connect(self._check_thresholds)
        return group

    def _check_thresholds(self, *args) -> bool:
        """Show the thresholds' errors beside them; True when A < B ≤ 100."""
        try:
            validate_thresholds(self.a_spin.value(), self.b_spin.value())
        except ValidationError as exc:
            self._show_field_errors({"abc_" + key: message for key, message in exc.errors.items()})
            return False
        self.a_error.hide()
        self.b_error.hide()
        return True

    # --- case numbers ---------------------------------------------------------------------

    def _numbering_group(self, stored: company.CompanySettings) -> QGroupBox:
        group = QGroupBox(_("Case numbers (for the whole company)"))
        form = QFormLayout(group)
        labels = {
            CaseSeries.COMPLAINT: _("Complaints and claims:"),
            CaseSeries.SUGGESTION: _("Suggestions:"),
            CaseSeries.COMPLIMENT: _("Compliments:"),
        }
        self.prefix_edits: dict[str, QLineEdit] = {}
        self._prefix_errors: dict[str, QLabel] = {}
        for series, name in company.PREFIX_SETTINGS.items():
            edit = QLineEdit(getattr(stored, name))
            edit.setMaxLength(company.PREFIX_MAX_LENGTH)
            edit.textChanged.connect(self._show_number_example)
            row, error = with_error_label(edit)
            form.addRow(labels[series], row)
            self.prefix_edits[name] = edit
            self._prefix_errors[name] = error
        self._number_example = plain_label(wrap=True)
        form.addRow(self._number_example)
        self._show_number_example()
        return group

    def _show_number_example(self, *args) -> None:
        year = dt.date.today().year
        example = ", ".join(
            cases.case_number(edit.text().strip(), year, 1) for edit in self.prefix_edits.values()
        )
        self._number_example.setText(
            _(
                "Prefix, year and sequence, e.g. {examples}. Complaints and claims share one sequence "
                "a year (the register's). A new prefix applies to new numbers only; numbers already "
                "given keep theirs."
            ).format(examples=example)
        )

    @property
    def prefix_errors(self) -> dict[str, str]:
        """The texts beside the numbering prefixes, by setting ('' when hidden), for tests."""
        return {name: "" if label.isHidden() else label.text() for name, label in self._prefix_errors.items()}

    def _show_field_errors(self, errors: dict[str, str]) -> None:
        thresholds = {"abc_a_threshold": self.a_error, "abc_b_threshold": self.b_error}
        labels = {**thresholds, **self._prefix_errors}
        for key, label in labels.items():
            # The thresholds are checked as they change; the prefixes when the form is saved.
            if key in errors or key in thresholds:
                label.setText(errors.get(key, ""))
                label.setVisible(key in errors)
        self._fit_height()
        others = [message for key, message in errors.items() if key not in labels]
        if others:
            show_error(self, ValidationError({key: m for key, m in errors.items() if key not in labels}))

    @property
    def threshold_errors(self) -> tuple[str, str]:
        """The texts beside the A and B thresholds ('' when hidden), for tests."""
        return tuple(label.text() if not label.isHidden() else "" for label in (self.a_error, self.b_error))

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> PreferencesResult | None:
        return cls(context, parent).answer(lambda dialog: dialog.result_value)
