"""Running a correct-use check with the customer, entirely by keyboard if need be.

Each item has a result selector (1 or O = OK, 2 or N = Not OK, 3 or A = Not applicable, arrows to
move, Delete to clear), a note and "trained on site"; Tab walks through them in order. The dialog
saves the draft and finishes through the check service; `run_usage_check` is the whole flow
(start or resume, the dialog, then the training follow-up and the case a failure proposes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.i18n import _, format_date, format_datetime, format_percent, ngettext
from app.markup import escape
from app.models import UsageCheck
from app.models import now as wall_clock_now
from app.models.base import max_length
from app.models.enums import CheckAnswerResult, CheckStatus, UnitStatus
from app.services import checks as check_service
from app.services.checks import AnswerInput, AnswerRow, CheckDetail, CheckResult, UnansweredItemsError
from app.services.followups import ConfirmationRequired
from app.views import dialogs
from app.views.agenda.dialogs import CustomerPicker
from app.views.checks.signature import SignaturePad
from app.views.checks.table_models import unit_text
from app.views.dialogs import BaseDialog
from app.views.errors import BackToForm
from app.views.events import CASES, CHECKS, FOLLOW_UPS, Change
from app.views.operations import Operation, perform

OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE
RESULTS = (OK, NOT_OK, NA)
RESULT_KEYS = {
    Qt.Key.Key_1: OK,
    Qt.Key.Key_O: OK,
    Qt.Key.Key_2: NOT_OK,
    Qt.Key.Key_N: NOT_OK,
    Qt.Key.Key_3: NA,
    Qt.Key.Key_A: NA,
}
RESULT_COLOURS = {OK: "#1e7b34", NOT_OK: "#b00020", NA: "#52606d"}


def short_label(result: CheckAnswerResult) -> str:
    """'OK', 'Not OK', 'N/A' on the selector's buttons."""
    return _("N/A") if result is NA else result.label


def inform(parent: QWidget | None, text: str, title: str | None = None) -> None:
    """A plain message after a command; tests replace it."""
    dialogs.inform(parent, text, title or _("Usage check"))


def propose(parent: QWidget | None, question: str, title: str | None = None) -> bool:
    """A Yes/No question proposing a helpful next step (Yes by default); tests replace it."""
    return dialogs.confirm(parent, question, title or _("Usage check"), default_yes=True)


def confirm(parent: QWidget | None, question: str, title: str | None = None) -> bool:
    """A Yes/No question before something risky (No by default); tests replace it."""
    return dialogs.confirm(parent, question, title)


# --- one item -----------------------------------------------------------------------------


class ResultSelector(QFrame):
    """OK / Not OK / N/A as one focusable control: keys 1–3 (or O, N, A), arrows, Delete, or a click."""

    result_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resultSelector")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(_("1: OK · 2: Not OK · 3: Not applicable · Delete: clear"))
        self.setStyleSheet(
            "#resultSelector { border: 2px solid transparent; border-radius: 5px; }"
            "#resultSelector:focus { border-color: palette(highlight); }"
        )
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)
        self._buttons: dict[CheckAnswerResult, QToolButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 2, 2, 2)
        row.setSpacing(2)
        for result in RESULTS:
            button = QToolButton()
            button.setText(short_label(result))
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumWidth(64)
            colour = RESULT_COLOURS[result]
            button.setStyleSheet(
                f"QToolButton {{ padding: 3px 8px; }}"
                f"QToolButton:checked {{ background: {colour}; color: white; font-weight: bold; "
                f"border: 1px solid {colour}; border-radius: 3px; }}"
            )
            button.clicked.connect(lambda checked, r=result: self.set_result(r if checked else None))
            self._group.addButton(button)
            self._buttons[result] = button
            row.addWidget(button)
        self._result: CheckAnswerResult | None = None

    def result(self) -> CheckAnswerResult | None:
        return self._result

    def set_result(self, result: CheckAnswerResult | None) -> None:
        self._result = result
        for value, button in self._buttons.items():
            button.setChecked(value is result)
        self.result_changed.emit()

    def button(self, result: CheckAnswerResult) -> QToolButton:
        return self._buttons[result]

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        key = Qt.Key(event.key())
        if key in RESULT_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.set_result(RESULT_KEYS[key])
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            index = RESULTS.index(self._result) if self._result is not None else -1
            step = 1 if key == Qt.Key.Key_Right else -1
            self.set_result(RESULTS[(index + step) % len(RESULTS)] if index >= 0 else RESULTS[0])
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_0):
            self.set_result(None)
            return
        super().keyPressEvent(event)


class CheckItemRow(QFrame):
    """One item: the question (and its guidance), the result, a note and "trained on site"."""

    changed = Signal()

    def __init__(self, answer: AnswerRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.answer = answer
        self.setFrameShape(QFrame.Shape.StyledPanel)
        question = QLabel(f"<b>{answer.position}.</b> {escape(answer.question)}")
        question.setTextFormat(Qt.TextFormat.RichText)
        question.setWordWrap(True)
        self.selector = ResultSelector()
        self.selector.setAccessibleName(_("Result of item {number}").format(number=answer.position))
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Note (what was seen, what was explained)"))
        self.note.setMaxLength(500)
        self.trained = QCheckBox(_("Trained on site"))
        self.trained.setToolTip(_("The rep showed the customer how to do it during the visit"))
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.addWidget(question, 0, 0, 1, 3)
        if answer.critical:
            badge = QLabel(_("Critical"))
            badge.setStyleSheet(
                "background: #b00020; color: white; border-radius: 3px; padding: 1px 6px; font-weight: bold;"
            )
            badge.setToolTip(_("If this item is Not OK, the check fails whatever the score"))
            grid.addWidget(badge, 0, 3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        row = 1
        if answer.guidance:
            guidance = QLabel(answer.guidance)
            guidance.setTextFormat(Qt.TextFormat.PlainText)  # user text
            guidance.setWordWrap(True)
            guidance.setStyleSheet("color: palette(dark); font-style: italic;")
            grid.addWidget(guidance, row, 0, 1, 4)
            row += 1
        grid.addWidget(self.selector, row, 0)
        grid.addWidget(self.note, row, 1, 1, 2)
        grid.addWidget(self.trained, row, 3)
        grid.setColumnStretch(1, 1)
        self.set_answer(answer.to_input())
        self.selector.result_changed.connect(self.changed)
        self.note.textEdited.connect(self.changed)
        self.trained.toggled.connect(self.changed)

    def set_answer(self, value: AnswerInput) -> None:
        self.selector.blockSignals(True)
        self.selector.set_result(value.result)
        self.selector.blockSignals(False)
        self.note.setText(value.note)
        self.trained.setChecked(value.trained_on_site)

    def value(self) -> AnswerInput:
        return AnswerInput(
            self.answer.item_id, self.selector.result(), self.note.text().strip(), self.trained.isChecked()
        )

    def set_missing(self, missing: bool) -> None:
        self.setStyleSheet(
            "CheckItemRow { border: 2px solid #b00020; border-radius: 4px; }" if missing else ""
        )

    def set_read_only(self) -> None:
        for widget in (self.selector, self.note, self.trained):
            widget.setEnabled(False)


# --- the dialog ---------------------------------------------------------------------------------


class CheckDialog(BaseDialog):
    """A check's items, who was present, notes and signature; Save draft, Finish, Print record."""

    ASKS_BEFORE_DISCARDING = False  # reject() asks about the draft itself (the last saved draft is kept)

    def __init__(
        self,
        parent: QWidget | None,
        check_id: int,
        acting_rep_id: int | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        notes: str = "",
    ):
        super().__init__(parent)
        self._check_id = check_id
        self._acting_rep_id = acting_rep_id
        self._clock = clock or wall_clock_now
        self._detail: CheckDetail = check_service.get_check(check_id)
        self._dirty = False
        self.result: CheckResult | None = None
        detail = self._detail
        finished = detail.status is CheckStatus.COMPLETED
        self.setWindowTitle(_("Usage check – {customer}").format(customer=detail.customer_name))

        checklist = _("{name} (version {version})").format(
            name=detail.template_name, version=detail.template_version
        )
        header = QLabel(
            f"<b>{escape(detail.customer_name)}</b> ({escape(detail.customer_code)})<br>"
            f"{escape(unit_text(detail.product_name, detail.serial_number))} · {escape(checklist)}"
        )
        header.setTextFormat(Qt.TextFormat.RichText)
        header.setWordWrap(True)
        self._status = QLabel()
        self._status.setWordWrap(True)
        if detail.unit_status is not UnitStatus.ACTIVE:
            self._status.setText(
                _("This product is marked as {status}.").format(status=detail.unit_status.label.lower())
            )
            self._status.setStyleSheet("color: #b00020; font-weight: bold;")
        self._status.setVisible(bool(self._status.text()))

        keys = QLabel(
            _(
                "Keyboard: Tab moves on; on a result, 1 = OK, 2 = Not OK, 3 = Not applicable, Delete clears; "
                "Ctrl+S saves the draft, Ctrl+Enter finishes."
            )
        )
        keys.setWordWrap(True)
        keys.setStyleSheet("color: palette(dark);")
        keys.setVisible(not finished)
        self._present = QLineEdit(detail.present_people)
        self._present.setMaxLength(max_length(UsageCheck.present_people))
        self._present.setPlaceholderText(_("Who was there on the customer's side"))

        self._rows: list[CheckItemRow] = []
        items = QWidget()
        column = QVBoxLayout(items)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        for answer in detail.answers:
            row = CheckItemRow(answer)
            row.changed.connect(self._on_row_changed)
            self._rows.append(row)
            column.addWidget(row)
        column.addStretch(1)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setWidget(items)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setMinimumHeight(300)

        self._progress = QLabel()
        self._missing = QLabel()
        self._missing.setObjectName("missingItems")
        self._missing.setWordWrap(True)
        self._missing.setStyleSheet("color: #b00020;")
        self._missing.hide()

        # Notes typed before the checklist (completing the follow-up) join the check's own.
        self._notes = QPlainTextEdit("\n".join(t for t in (detail.notes, notes.strip()) if t))
        self._notes.setTabChangesFocus(True)
        self._notes.setPlaceholderText(_("Anything else worth noting"))
        self._notes.setFixedHeight(56)
        self._signature = SignaturePad()
        self._signature.set_png(detail.signature_png)
        self._clear_signature = QPushButton(_("Clear signature"))
        signature_row = QHBoxLayout()
        signature_row.addWidget(self._signature, 1)
        signature_row.addWidget(self._clear_signature, 0, Qt.AlignmentFlag.AlignBottom)

        form = QFormLayout()
        form.addRow(_("Present"), self._present)
        bottom = QFormLayout()
        bottom.addRow(_("Notes"), self._notes)
        bottom.addRow(_("Signature"), signature_row)

        self._buttons = QDialogButtonBox()
        self._print = self._buttons.addButton(_("Print record…"), QDialogButtonBox.ButtonRole.ActionRole)
        self._save_button = self._buttons.addButton(_("Save draft"), QDialogButtonBox.ButtonRole.ActionRole)
        self._finish_button = self._buttons.addButton(_("Finish"), QDialogButtonBox.ButtonRole.AcceptRole)
        self._close = self._buttons.addButton(
            _("Close") if finished else _("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self._save_button.setToolTip(_("Keep the answers and go on later (Ctrl+S)"))
        self._finish_button.setToolTip(_("Score the check and complete it (Ctrl+Enter)"))
        self._print.setToolTip(_("Save the one-page record as PDF to hand over or e-mail (Ctrl+P)"))
        self._finish_button.setDefault(False)
        self._finish_button.setAutoDefault(False)
        self._save_button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self._status)
        layout.addWidget(keys)
        layout.addLayout(form)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(self._progress)
        layout.addWidget(self._missing)
        layout.addLayout(bottom)
        layout.addWidget(self._buttons)
        self.resize(820, 760)

        self._save_button.clicked.connect(self.save_draft)
        self._finish_button.clicked.connect(self.finish)
        self._print.clicked.connect(self.print_record)
        self._close.clicked.connect(self.reject)
        self._clear_signature.clicked.connect(self._signature.clear)
        self._signature.changed.connect(self._on_row_changed)
        self._present.textEdited.connect(self._on_row_changed)
        self._notes.textChanged.connect(self._on_row_changed)
        for sequence, slot in (
            ("Ctrl+S", self.save_draft),
            ("Ctrl+Return", self.finish),
            ("Ctrl+Enter", self.finish),
            ("Ctrl+P", self.print_record),
        ):
            QShortcut(QKeySequence(sequence), self).activated.connect(slot)

        if finished:
            self._set_read_only()
        self._print.setVisible(finished)
        self._update_progress()
        self._dirty = bool(notes.strip()) and not finished
        # Tab walks the items in order: result, note, trained on site, then the next item.
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        chain: list[QWidget] = [self._present]
        for row in self._rows:
            chain += [row.selector, row.note, row.trained]
        chain += [self._notes, self._clear_signature]
        for first, second in zip(chain, chain[1:], strict=False):
            self.setTabOrder(first, second)

    # --- for tests and the page ------------------------------------------------------------

    @property
    def check_id(self) -> int:
        return self._check_id

    def item_rows(self) -> list[CheckItemRow]:
        return list(self._rows)

    def missing_text(self) -> str:
        return self._missing.text() if not self._missing.isHidden() else ""

    def signature_pad(self) -> SignaturePad:
        return self._signature

    @property
    def present_edit(self) -> QLineEdit:
        return self._present

    @property
    def notes_edit(self) -> QPlainTextEdit:
        return self._notes

    def is_dirty(self) -> bool:
        return self._dirty

    # --- behaviour -------------------------------------------------------------------------

    def _set_read_only(self) -> None:
        for row in self._rows:
            row.set_read_only()
        self._present.setReadOnly(True)
        self._notes.setReadOnly(True)
        self._signature.setEnabled(False)
        self._clear_signature.hide()
        self._save_button.hide()
        self._finish_button.hide()

    def _on_row_changed(self, *args) -> None:
        self._dirty = True
        self._update_progress()

    def _update_progress(self) -> None:
        values = [row.value() for row in self._rows]
        answered = sum(1 for v in values if v.result is not None)
        score, passed = check_service.score_and_pass(
            (v.result, row.answer.critical) for v, row in zip(values, self._rows, strict=True)
        )
        text = ngettext(
            "{answered} of {total} item answered", "{answered} of {total} items answered", len(values)
        ).format(answered=answered, total=len(values))
        if self._detail.status is CheckStatus.COMPLETED:
            verdict = _("Passed") if self._detail.passed else _("Failed")
            text = _("Finished on {date}: {verdict}").format(
                date=format_datetime(self._detail.completed_at), verdict=verdict
            )
            if self._detail.score is not None:
                text += " · " + _("score {score}").format(score=format_percent(self._detail.score, 0))
        elif score is not None:
            text += " · " + _("score so far {score}").format(score=format_percent(score, 0))
            if not passed:
                text += " · " + _("failing")
        self._progress.setText(text)
        for row, value in zip(self._rows, values, strict=True):
            if value.result is not None:
                row.set_missing(False)

    def _values(self) -> tuple[list[AnswerInput], str, bytes | None, str]:
        return (
            [row.value() for row in self._rows],
            self._present.text(),
            self._signature.png(),
            self._notes.toPlainText(),
        )

    def _save(self, changes: Iterable[Change] = ()) -> bool:
        answers, present, signature, notes = self._values()
        if not Operation(
            _("Save answers"),
            lambda: check_service.save_answers(
                self._check_id, answers, present, signature, notes, self._acting_rep_id
            ),
            changes,
        ).run(self):
            return False
        self._dirty = False
        return True

    def save_draft(self) -> None:
        """Keep the answers as a draft and close."""
        if self._detail.status is CheckStatus.COMPLETED:
            return
        if self._save({CHECKS}):
            self.done(BaseDialog.DialogCode.Rejected)  # nothing finished: ask() returns None

    def finish(self) -> None:
        if self._detail.status is CheckStatus.COMPLETED:
            return
        if not self._save():
            return

        def finish() -> CheckResult | UnansweredItemsError:
            try:
                return check_service.finish_check(self._check_id, self._acting_rep_id, now=self._clock())
            except UnansweredItemsError as exc:  # shown beside the items, not as a failure
                return exc

        # What the finish changed is announced by open_check, with what it leads to.
        done = Operation(_("Finish check"), finish).run(self)
        if not done:
            return
        if isinstance(done.value, UnansweredItemsError):
            self._show_missing(done.value)
            return
        self.result = done.value
        self.accept()

    def _show_missing(self, exc: UnansweredItemsError) -> None:
        self._missing.setText(exc.errors["answers"])
        self._missing.show()
        first = None
        for row in self._rows:
            missing = row.value().result is None
            row.set_missing(missing)
            if missing and first is None:
                first = row
        if first is not None:
            self._scroll.ensureWidgetVisible(first)
            first.selector.setFocus(Qt.FocusReason.OtherFocusReason)

    def print_record(self) -> None:
        if self._detail.status is not CheckStatus.COMPLETED:
            return
        print_check_record(self, self._check_id)

    def reject(self) -> None:
        if self._dirty and self._detail.status is CheckStatus.DRAFT:
            if not confirm(self, _("Close without saving the changes? The last saved draft is kept.")):
                return
        super().reject()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        check_id: int,
        acting_rep_id: int | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        notes: str = "",
    ) -> CheckResult | None:
        """Run the dialog; the finished check's result, or None (closed, or saved as a draft)."""
        dialog = cls(parent, check_id, acting_rep_id, clock=clock, notes=notes)
        return dialog.answer(lambda dialog: dialog.result, always=True)


# --- printing ---------------------------------------------------------------------------------


def print_check_record(parent: QWidget | None, check_id: int) -> bool:
    """The check's one-page record, in the customer's language, shown in the same preview as every
    document (Print… and Save as…); False when it could not be made."""
    from app.reports.check_record import build_check_record
    from app.views.reports.preview import show_built_pdf

    found = perform(parent, lambda: check_service.check_record(check_id))
    if not found:
        return False
    record = found.value
    when = record.check.completed_at or record.check.started_at
    # Built here (one page, fast): i18n's language is process-wide, so a document is not written
    # from a pool thread while the window is translating.
    language = (
        record.customer_language if record.customer_language in i18n.LANGUAGES else i18n.current_language()
    )
    return show_built_pdf(
        parent,
        lambda path: build_check_record(record, path, language),
        _("Correct-use check record"),
        f"check-{record.check.customer_code}-{when.date().isoformat()}.pdf",
    )


# --- the whole flow -------------------------------------------------------------------------


def after_finish(
    parent: QWidget | None,
    result: CheckResult,
    acting_rep_id: int | None,
    clock: Callable[[], dt.datetime] | None = None,
) -> None:
    """What a finished check leads to: the training follow-up and, for a critical failure, a case."""
    clock = clock or wall_clock_now
    if result.training_at is not None:
        question = _("The check failed. Schedule a training follow-up on {date}?").format(
            date=f"{format_date(result.training_at, 'EEEE')} {format_datetime(result.training_at)}"
        )
        if propose(parent, question, _("Training")):
            scheduled = Operation(
                _("Schedule training"),
                lambda: check_service.schedule_training(
                    result.check_id, acting_rep_id, at=result.training_at, now=clock()
                ),
                {FOLLOW_UPS},
            ).run(parent)
            if scheduled and scheduled.value.warnings:
                inform(parent, "\n".join(scheduled.value.warnings), _("Scheduled, but note"))
    if result.offer_case:
        items = "\n".join(f"• {q}" for q in result.critical_failures)
        question = _("A critical item is Not OK:\n{items}\nOpen a complaint case for it?").format(items=items)
        if propose(parent, question, _("Open a case")):
            opened = Operation(
                _("Open a case"),
                lambda: check_service.open_case_for_check(
                    result.check_id, acting_rep_id, today=clock().date()
                ),
                {CASES},
            ).run(parent)
            if opened:
                inform(
                    parent,
                    _("Case {number} opened.").format(number=_case_number(opened.value)),
                    _("Open a case"),
                )


def _case_number(case_id: int) -> str:
    from app.models import Case

    number = Case.select(Case.number).where(Case.id == case_id).scalar()
    return number or str(case_id)


def run_usage_check(
    parent: QWidget | None,
    sold_unit_id: int,
    acting_rep_id: int | None,
    *,
    follow_up_id: int | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    notes: str = "",
) -> CheckResult | None:
    """Start (or resume) the unit's check, run the dialog and what a failure leads to."""
    clock = clock or wall_clock_now

    def start() -> int:
        try:
            return check_service.start_check(
                sold_unit_id, acting_rep_id, follow_up_id=follow_up_id, now=clock()
            )
        except ConfirmationRequired as exc:
            if not confirm(parent, str(exc), _("Returned or replaced product")):
                raise BackToForm from None  # declined: nothing more happens
            return check_service.start_check(
                sold_unit_id, acting_rep_id, follow_up_id=follow_up_id, confirm_unit_status=True, now=clock()
            )

    # The draft it creates is announced with what the dialog leads to (open_check).
    started = Operation(_("Start usage check"), start).run(parent)
    if not started:
        return None
    return open_check(parent, started.value, acting_rep_id, clock=clock, notes=notes)


def open_check(
    parent: QWidget | None,
    check_id: int,
    acting_rep_id: int | None,
    *,
    clock: Callable[[], dt.datetime] | None = None,
    notes: str = "",
) -> CheckResult | None:
    """Resume a draft (or look at / print a finished check); a finish leads on to after_finish."""
    done = Operation(
        _("Run usage check"),
        lambda: CheckDialog.ask(parent, check_id, acting_rep_id, clock=clock, notes=notes),
        # Closed or saved as a draft: a draft may have been created or saved.
        lambda result: (
            {CHECKS} | ({FOLLOW_UPS} if result is not None and result.follow_up_completed else set())
        ),
    ).run(parent)
    if not done:
        return None
    result = done.value
    if result is None:
        return None
    after_finish(parent, result, acting_rep_id, clock)
    return result


# --- choosing what to check -------------------------------------------------------------------


class StartCheckDialog(BaseDialog):
    """A check outside the plans: pick the customer, then which of their products."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("New usage check"))
        self._customer = CustomerPicker()
        self._unit = QComboBox()
        self._unit.setMinimumWidth(360)
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet("color: palette(dark);")
        form = QFormLayout()
        form.addRow(_("Customer"), self._customer)
        form.addRow(_("Product"), self._unit)
        form.addRow("", self._hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._ok.setText(_("Start check"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._customer.customer_changed.connect(self._on_customer_text_changed)
        self._unit.currentIndexChanged.connect(self._on_unit_current_index_changed)
        self._customer_id: int | None = None
        self._on_customer_text_changed()

    @property
    def customer_picker(self) -> CustomerPicker:
        return self._customer

    @property
    def unit_combo(self) -> QComboBox:
        return self._unit

    def set_customer(self, customer_id: int, text: str = "") -> None:
        self._customer.set_customer(customer_id, text)
        self._on_customer_text_changed()

    def _on_customer_text_changed(self, *args) -> None:
        customer_id = self._customer.customer_id()
        if customer_id == self._customer_id and self._unit.count():
            return
        self._customer_id = customer_id
        self._unit.clear()
        if customer_id is not None:
            for unit in check_service.units_to_check(customer_id):
                text = unit_text(unit.product_name, unit.serial_number)
                if unit.status is not UnitStatus.ACTIVE:
                    text += f" – {unit.status.label}"
                if not unit.has_checklist:
                    text += " – " + _("no checklist")
                self._unit.addItem(text, unit.id)
        self._on_unit_current_index_changed()

    def _on_unit_current_index_changed(self, *args) -> None:
        if self._customer_id is None:
            self._hint.setText(_("Find the customer first."))
        elif not self._unit.count():
            self._hint.setText(_("This customer has no products recorded."))
        else:
            self._hint.setText("")
        self._hint.setVisible(bool(self._hint.text()))
        self._ok.setEnabled(self._unit.currentData() is not None)

    def sold_unit_id(self) -> int | None:
        return self._unit.currentData()

    def select_unit(self, sold_unit_id: int | None) -> None:
        self._unit.setCurrentIndex(max(0, self._unit.findData(sold_unit_id)))

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        *,
        customer_id: int | None = None,
        customer_text: str = "",
        sold_unit_id: int | None = None,
    ) -> int | None:
        """The unit to check, or None when cancelled; `customer_id` (and `sold_unit_id`) pre-fill it
        (the customer 360° view)."""
        dialog = cls(parent)
        if customer_id is not None:
            dialog.set_customer(customer_id, customer_text)
            dialog.select_unit(sold_unit_id)
        return dialog.answer(cls.sold_unit_id)
