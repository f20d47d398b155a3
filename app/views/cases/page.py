"""The Cases page: complaints, claims, suggestions and compliments, filtered, with their detail.

The page lists what the case service lists and offers only the actions the service allows for the
selected case (`cases.allowed_actions`); every step is the service's command, followed by one
change signal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_number, ngettext
from app.models.enums import CaseCategory, CaseKind, CaseStage, ContactChannel, ProposalAnswer
from app.services import cases as case_service
from app.services import exports
from app.services.cases import (
    RETURN_SOLUTIONS,
    CaseAction,
    CaseFilter,
    CaseRow,
    ConfirmationRequired,
)
from app.services.errors import NotFoundError
from app.services.exports import ListKind
from app.services.reps import list_reps
from app.views import dialogs
from app.views.cases.detail_panel import CaseDetailPanel
from app.views.cases.dialogs import (
    AcknowledgeDialog,
    AnalysisDialog,
    AnswerDialog,
    CaseStepDialog,
    CloseCaseDialog,
    DepartmentResponseDialog,
    FinishSatisfactionDialog,
    ForwardDialog,
    MediationDialog,
    MediationOutcomeDialog,
    NewCaseDialog,
    NewCaseInput,
    ProposalDialog,
    StepInput,
)
from app.views.cases.table_model import CaseTableModel
from app.views.combos import filter_as_you_type
from app.views.dialogs import current_choice
from app.views.errors import BackToForm
from app.views.events import CASES, CUSTOMERS, FOLLOW_UPS, RETURNS, Change
from app.views.exports import export_button, export_list
from app.views.list_layout import ListLayout
from app.views.operations import Operation, run_form
from app.views.pages.base import AppContext, Page, count_label, empty_state_label, search_timer
from app.views.rights import explain_refusal

# The period filter: (label, first day, last day) from today.
PERIODS: list[tuple[str, Callable[[dt.date], tuple[dt.date | None, dt.date | None]]]] = [
    (N_("All dates"), lambda today: (None, None)),
    (N_("Last 30 days"), lambda today: (today - dt.timedelta(days=30), today)),
    (N_("Last 90 days"), lambda today: (today - dt.timedelta(days=90), today)),
    (N_("This year"), lambda today: (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))),
    (N_("Last year"), lambda today: (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))),
]

# Answers to "a claim through a spoken channel".
KEEP_CLAIM, MAKE_COMPLAINT = "claim", "complaint"


def inform(parent: QWidget | None, text: str, title: str | None = None) -> None:
    """A plain message after a command; tests replace it."""
    dialogs.inform(parent, text, title or _("Cases"))


def propose(parent: QWidget | None, question: str, title: str | None = None) -> bool:
    """A Yes/No question whose default is Yes (a helpful next step); tests replace it."""
    return dialogs.confirm(parent, question, title or _("Cases"), default_yes=True)


def ask_spoken_claim(parent: QWidget | None, question: str) -> str | None:
    """Keep a spoken claim as a claim, change it to a complaint, or go back (None); tests replace it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("A claim is written"))
    box.setTextFormat(Qt.TextFormat.PlainText)  # the question quotes the customer's words
    box.setText(question)
    claim = box.addButton(_("Record as a claim"), QMessageBox.ButtonRole.AcceptRole)
    complaint = box.addButton(_("Change to a complaint"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(complaint)
    box.exec()
    clicked = box.clickedButton()
    return KEEP_CLAIM if clicked is claim else MAKE_COMPLAINT if clicked is complaint else None


def receive_case(
    parent: QWidget | None,
    values: NewCaseInput,
    acting_rep_id: int | None,
    confirm_spoken_claim: bool = False,
) -> int:
    """Receive the case (the page's and the customer 360° view's command); a spoken claim is
    confirmed or made a complaint (BackToForm: neither)."""
    try:
        return case_service.receive_case(
            values.kind,
            values.customer_id,
            values.channel,
            values.received_on,
            values.customer_words,
            acting_rep_id,
            sold_unit_id=values.sold_unit_id,
            requested_compensation=values.requested_compensation,
            confirm_spoken_claim=confirm_spoken_claim,
        )
    except ConfirmationRequired as exc:
        answer = ask_spoken_claim(parent, str(exc))
        if answer == KEEP_CLAIM:
            return receive_case(parent, values, acting_rep_id, confirm_spoken_claim=True)
        if answer == MAKE_COMPLAINT:
            complaint = replace(values, kind=CaseKind.COMPLAINT, requested_compensation="")
            return receive_case(parent, complaint, acting_rep_id)
        raise BackToForm from None


class CasesPage(Page):
    """Every case, filtered by type, stage, category, channel, overdue, period and rep."""

    data_kinds = frozenset({CASES, CUSTOMERS, FOLLOW_UPS, RETURNS})

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] | None = None,
        batch_size: int = 100,
    ):
        super().__init__(context, parent)
        self._today_source = today or dt.date.today
        self._model = CaseTableModel(self, batch_size=batch_size, today=self._today_source)

        # Filters.
        self._kind = QComboBox()
        self._kind.addItem(_("All types"), "")
        for kind in CaseKind:
            self._kind.addItem(kind.label, kind)
        self._stage = QComboBox()
        self._category = QComboBox()
        self._category.addItem(_("All categories"), "")
        for category in CaseCategory:
            self._category.addItem(category.label, category)
        self._channel = QComboBox()
        self._channel.addItem(_("All channels"), "")
        for channel in ContactChannel:
            self._channel.addItem(channel.label, channel)
        self._rep = filter_as_you_type(QComboBox())
        self._period = QComboBox()
        for label, _bounds in PERIODS:
            self._period.addItem(_(label))
        self._overdue = QCheckBox(_("Overdue only"))
        self._overdue.setToolTip(_("Past the first-answer or resolution target"))
        self._open = QCheckBox(_("Open only"))
        self._search = QLineEdit()
        self._search.setPlaceholderText(_("Case number or customer"))
        self._search.setToolTip(_("Part of the case number or of the customer's name or code (Ctrl+F)"))
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(170)
        self._search_timer = search_timer(self)
        self._count = count_label()
        self._new_button = QPushButton(_("New case…"))
        self._new_button.setToolTip(_("Record a complaint, claim, suggestion or compliment (Ctrl+N)"))
        self._export_button = export_button()
        self._fill_stages()
        self._fill_reps()

        # The list and the detail.
        self._table = QTableView()
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.verticalHeader().hide()
        self._layout = ListLayout(self._table, "cases", CaseTableModel.columns)
        self._empty = empty_state_label("")
        self._stack = QStackedWidget()
        self._stack.addWidget(self._table)
        self._stack.addWidget(self._empty)
        self._detail = CaseDetailPanel()
        self._detail.setMinimumWidth(300)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.addWidget(self._stack)
        self._splitter.addWidget(self._detail)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 2)
        self._splitter.setSizes([760, 300])
        self._splitter.setChildrenCollapsible(False)

        first = QHBoxLayout()
        for caption, widget in (
            (_("Type"), self._kind),
            (_("Stage"), self._stage),
            (_("Category"), self._category),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            first.addWidget(label)
            first.addWidget(widget)
            first.addSpacing(6)
        first.addStretch(1)
        first.addWidget(self._export_button)
        first.addWidget(self._new_button)
        second = QHBoxLayout()
        for caption, widget in (
            (_("Channel"), self._channel),
            (_("Received"), self._period),
            (_("Rep"), self._rep),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            second.addWidget(label)
            second.addWidget(widget)
            second.addSpacing(6)
        second.addWidget(self._overdue)
        second.addWidget(self._open)
        second.addStretch(1)
        third = QHBoxLayout()
        third.addWidget(self._search, 1)
        third.addWidget(self._count)
        layout = QVBoxLayout(self)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addLayout(third)
        layout.addWidget(self._splitter, 1)

        # Wiring.
        self._kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        for combo in (self._stage, self._category, self._channel, self._rep, self._period):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        for box in (self._overdue, self._open):
            box.toggled.connect(self._on_filter_changed)
        self._search.textChanged.connect(self._search_timer.start)
        self._search_timer.timeout.connect(self._on_filter_changed)
        self._table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._table.doubleClicked.connect(self._on_table_double_clicked)
        self._detail.action_requested.connect(self._on_detail_action_requested)
        self._detail.open_customer_requested.connect(self.open_customer)
        self._new_button.clicked.connect(self.create_new)
        self._export_button.clicked.connect(self.export_list)
        for sequence, slot in (("Ctrl+I", self.open_customer_of_selected), ("F5", self.refresh)):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self._table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.run_first_action)

        self._actions: list[CaseAction] = []
        self.refresh()

    # --- for the main window and tests ------------------------------------------------------

    @property
    def model(self) -> CaseTableModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def detail_panel(self) -> CaseDetailPanel:
        return self._detail

    @property
    def kind_filter(self) -> QComboBox:
        return self._kind

    @property
    def stage_filter(self) -> QComboBox:
        return self._stage

    @property
    def category_filter(self) -> QComboBox:
        return self._category

    @property
    def channel_filter(self) -> QComboBox:
        return self._channel

    @property
    def rep_filter(self) -> QComboBox:
        return self._rep

    @property
    def period_filter(self) -> QComboBox:
        return self._period

    @property
    def overdue_filter(self) -> QCheckBox:
        return self._overdue

    @property
    def open_filter(self) -> QCheckBox:
        return self._open

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    def allowed_actions(self) -> list[CaseAction]:
        return list(self._actions)

    def focus_search(self) -> bool:
        self._search.setFocus()
        self._search.selectAll()
        return True

    def selected_row(self) -> CaseRow | None:
        rows = self._table.selectionModel().selectedRows()
        return self._model.row_at(rows[0].row()) if rows else None

    def select_case(self, case_id: int) -> bool:
        row = self._model.row_of(case_id)
        while row < 0 and self._model.canFetchMore():
            self._model.fetchMore()
            row = self._model.row_of(case_id)
        if row < 0:
            return False
        self._table.selectRow(row)
        self._table.scrollTo(self._model.index(row, 0))
        return True

    def empty_state_text(self) -> str:
        return self._empty.text() if self._stack.currentWidget() is self._empty else ""

    def screenshot_views(self) -> list[tuple[str, Callable[[], None]]]:
        """The detail of a case in each stage (the first such case of the list)."""
        views = []
        for kind, stage in [
            (CaseKind.COMPLAINT, CaseStage.SERVICE),
            (CaseKind.COMPLAINT, CaseStage.INTERNAL_NEGOTIATION),
            (CaseKind.CLAIM, CaseStage.EXTERNAL_MEDIATION),
            (CaseKind.SUGGESTION, CaseStage.FORWARDED),
        ]:
            views.append(
                (f"{kind.value}-{stage.value}", lambda kind=kind, stage=stage: self.show_first(kind, stage))
            )
        return views

    def show_first(self, kind: CaseKind | None, stage: CaseStage | None) -> bool:
        """Clear the filters and select the newest case of `kind` in `stage` (screenshots, tests)."""
        self.clear_filters()
        rows = case_service.list_cases(
            CaseFilter(kind=kind, stage=stage), today=self._today_source(), limit=1
        )
        return bool(rows) and self.select_case(rows[0].id)

    def clear_filters(self) -> None:
        widgets = (
            self._kind,
            self._stage,
            self._category,
            self._channel,
            self._rep,
            self._period,
            self._overdue,
            self._open,
            self._search,
        )
        for widget in widgets:
            widget.blockSignals(True)
        for combo in (self._kind, self._category, self._channel, self._rep, self._period):
            combo.setCurrentIndex(0)
        self._fill_stages()
        self._overdue.setChecked(False)
        self._open.setChecked(False)
        self._search.clear()
        for widget in widgets:
            widget.blockSignals(False)
        self.refresh()

    # --- loading ----------------------------------------------------------------------------

    def on_data_changed(self, kinds: frozenset[Change], initiator: object) -> None:
        if initiator is self:
            return  # refreshed right after its own command
        super().on_data_changed(kinds, initiator)

    def refresh(self) -> None:
        selected = self.selected_row()
        self._search_timer.stop()
        self._model.set_filter(self.current_filter())
        total = self._model.total_count()
        self._count.setText(
            ngettext("{count} case", "{count} cases", total).format(count=format_number(total))
        )
        if total:
            self._stack.setCurrentWidget(self._table)
        else:
            self._empty.setText(
                _("No case matches the filters.") if self._filtered() else _("No cases recorded yet.")
            )
            self._stack.setCurrentWidget(self._empty)
        if selected is not None:
            self.select_case(selected.id)
        self._on_selection_changed()

    def export_list(self) -> bool:
        """Every case of the filters, as XLSX or CSV."""
        filters, today = self.current_filter(), self._today_source()
        export_list(self, ListKind.CASES, lambda: exports.cases_table(filters, today))
        return True

    def current_filter(self) -> CaseFilter:
        today = self._today_source()
        start, end = PERIODS[max(0, self._period.currentIndex())][1](today)
        return CaseFilter(
            kind=current_choice(self._kind, CaseKind),
            stage=current_choice(self._stage, CaseStage),
            category=current_choice(self._category, CaseCategory),
            channel=current_choice(self._channel, ContactChannel),
            overdue_only=self._overdue.isChecked(),
            open_only=self._open.isChecked(),
            received_from=start,
            received_to=end,
            rep_id=self._rep.currentData(),
            text=self._search.text().strip(),
        )

    def _filtered(self) -> bool:
        return self.current_filter() != CaseFilter()

    def _fill_stages(self) -> None:
        kind = current_choice(self._kind, CaseKind)
        current = self._stage.currentData()
        stages = case_service.stages_of(kind) if kind is not None else tuple(CaseStage)
        self._stage.blockSignals(True)
        self._stage.clear()
        self._stage.addItem(_("All stages"), "")
        for stage in stages:
            self._stage.addItem(stage.label, stage)
        self._stage.setCurrentIndex(max(0, self._stage.findData(current)))
        self._stage.blockSignals(False)

    def _fill_reps(self) -> None:
        rep = self.context.current_rep
        self._rep.blockSignals(True)
        self._rep.clear()
        self._rep.addItem(_("All reps"), None)
        for other in list_reps():
            self._rep.addItem(other.name, other.id)
        if rep is not None and self._rep.findData(rep.id) < 0:
            self._rep.addItem(rep.name, rep.id)
        self._rep.blockSignals(False)

    # --- selection ----------------------------------------------------------------------------

    def _on_kind_current_index_changed(self, *args) -> None:
        self._fill_stages()
        self.refresh()

    def _on_filter_changed(self, *args) -> None:
        self.refresh()

    def _on_selection_changed(self, *args) -> None:
        row = self.selected_row()
        self._actions = []
        detail = None
        if row is not None:
            try:
                detail = case_service.get_case(row.id, today=self._model.today)
                self._actions = case_service.allowed_actions(row.id)
            except NotFoundError:
                detail, self._actions = None, []
        refusal = self.refusal_for(row) if row is not None else None
        self._detail.show_case(detail, self._actions, self._model.today, refusal)

    def _on_table_double_clicked(self, *args) -> None:
        self.run_first_action()

    def _on_detail_action_requested(self, code: str) -> None:
        self.run_action(CaseAction(code))

    def run_first_action(self) -> None:
        """Enter or a double click: the next step of the selected case, if it has one."""
        if self._actions:
            self.run_action(self._actions[0])

    def refusal_for(self, row: CaseRow) -> str | None:
        """Why the person may not change this case (None: they may): a rep changes only what is theirs
        or their customer's. Opening a warranty return for it is a new record: open to everyone."""
        return self.context.change_refusal(row.rep_id, row.customer_rep_id)

    # --- commands -------------------------------------------------------------------------------

    def run_action(self, action: CaseAction) -> None:
        row = self.selected_row()
        if row is None or action not in self._actions:
            return
        refusal = self.refusal_for(row) if action is not CaseAction.OPEN_RETURN else None
        if refusal is not None:  # Enter or a double click on someone else's case
            explain_refusal(self, refusal)
            return
        rep = self.context.acting_rep_id
        svc = case_service
        today = self._today_source()
        if action is CaseAction.OPEN_RETURN:
            self._open_return(row)
            return
        steps: dict[CaseAction, tuple[type[CaseStepDialog], Callable[[StepInput], object], set[Change]]] = {
            CaseAction.ANALYSE: (
                AnalysisDialog,
                lambda v: svc.analyse_case(row.id, v.category, v.severity, rep, note=v.note, on=v.on),
                set(),
            ),
            CaseAction.PROPOSE: (
                ProposalDialog,
                lambda v: svc.propose_solution(
                    row.id, v.solution_type, v.detail, v.channel, rep, amount=v.amount, on=v.on, note=v.note
                ),
                set(),
            ),
            CaseAction.COUNTER_PROPOSE: (
                ProposalDialog,
                lambda v: svc.counter_propose(
                    row.id, v.solution_type, v.detail, v.channel, rep, amount=v.amount, on=v.on, note=v.note
                ),
                set(),
            ),
            CaseAction.RECORD_ANSWER: (
                AnswerDialog,
                lambda v: svc.record_answer(row.id, v.answer, rep, on=v.on, note=v.note),
                set(),
            ),
            CaseAction.MEDIATE: (
                MediationDialog,
                lambda v: svc.refer_to_mediation(row.id, v.body, v.reference, v.on, rep, note=v.note),
                set(),
            ),
            CaseAction.CLOSE: (
                CloseCaseDialog,
                lambda v: svc.close_case(
                    row.id, rep, on=v.on, note=v.note, satisfaction_days=v.satisfaction_days
                ),
                {FOLLOW_UPS},
            ),
            CaseAction.CLOSE_MEDIATION: (
                MediationOutcomeDialog,
                lambda v: svc.close_after_mediation(
                    row.id, v.outcome, rep, on=v.on, note=v.note, satisfaction_days=v.satisfaction_days
                ),
                {FOLLOW_UPS},
            ),
            CaseAction.FINISH: (
                FinishSatisfactionDialog,
                lambda v: svc.finish_satisfaction(row.id, rep, on=v.on, note=v.note),
                set(),
            ),
            CaseAction.ACKNOWLEDGE: (
                AcknowledgeDialog,
                lambda v: svc.acknowledge_case(row.id, rep, on=v.on, note=v.note),
                set(),
            ),
            CaseAction.FORWARD: (
                ForwardDialog,
                lambda v: svc.forward_case(row.id, v.department, rep, on=v.on, note=v.note),
                set(),
            ),
            CaseAction.CLOSE_NOTE: (
                DepartmentResponseDialog,
                lambda v: svc.close_note(row.id, v.response, rep, on=v.on, note=v.note),
                set(),
            ),
        }
        dialog_class, command, more_kinds = steps[action]
        extra: dict = {}
        if dialog_class is ProposalDialog:
            detail = self._detail.detail()
            extra["suggested"] = detail.suggested_solution if detail is not None else None
            if action is CaseAction.COUNTER_PROPOSE:
                extra["title"] = _("Counter-proposal")
        outcome = run_form(
            self,
            lambda values, errors: dialog_class.ask(
                self, row, today=today, initial=values, errors=errors, **extra
            ),
            lambda values: Operation(action.label.rstrip("…"), lambda: command(values), {CASES} | more_kinds),
        )
        if outcome is None:
            return
        values, _result = outcome
        self._refresh_and_select(row.id)
        if action is CaseAction.RECORD_ANSWER and values.answer is ProposalAnswer.ACCEPTED:
            self._offer_return(row)

    def _offer_return(self, row: CaseRow) -> None:
        """An accepted return or exchange: offer to open the warranty return now."""
        if CaseAction.OPEN_RETURN not in self._actions:
            return
        detail = self._detail.detail()
        accepted = [p for p in detail.proposals if p.answer is ProposalAnswer.ACCEPTED] if detail else []
        if not accepted or accepted[-1].solution_type not in RETURN_SOLUTIONS:
            return
        question = _(
            "The customer accepted: {solution}. Open the warranty return of the product now?"
        ).format(solution=accepted[-1].solution_type.label.lower())
        if propose(self, question, _("Warranty return")):
            self._open_return(row, confirmed=True)

    def _open_return(self, row: CaseRow, confirmed: bool = False) -> None:
        if not confirmed and not propose(
            self, _("Open the warranty return of the case's product?"), _("Warranty return")
        ):
            return
        from app.models.enums import ReturnReason
        from app.views.returns.dialogs import OpenReturnInput, ask_and_open_return

        today = self._today_source()

        def open_return() -> int | None:
            request = case_service.return_request_for_case(row.id)
            initial = OpenReturnInput(
                request.customer_id,
                request.sold_unit_id,
                ReturnReason.FAILURE_IN_USE,
                request.description,
                today,
                customer_text=row.customer_name,
            )
            return ask_and_open_return(
                self, self.context.acting_rep_id, initial=initial, today=today, case_id=request.case_id
            )

        done = Operation(
            CaseAction.OPEN_RETURN.label.rstrip("…"),
            open_return,
            lambda opened: {CASES, RETURNS} if opened is not None else (),  # None: the user cancelled
        ).run(self)
        if done and done.value is not None:
            self._refresh_and_select(row.id)

    def _refresh_and_select(self, select_id: int | None = None) -> None:
        """After the page's own command (its changes are not passed back to it): show them now. A
        case the filters no longer list (closed, with "Open only") leaves the selection on the next."""
        next_id = self._model.neighbour_id(select_id) if select_id is not None else None
        self.refresh()
        if select_id is not None and not self.select_case(select_id) and next_id is not None:
            self.select_case(next_id)

    def create_new(self) -> bool:
        today = self._today_source()
        outcome = run_form(
            self,
            lambda values, errors: NewCaseDialog.ask(self, initial=values, errors=errors, today=today),
            lambda values: Operation(_("Receive case"), lambda: self._receive(values), {CASES}),
        )
        if outcome is None:
            return True
        _values, case_id = outcome
        self._refresh_and_select(case_id)
        if self.selected_row() is None:  # hidden by the filters: show it
            self.clear_filters()
            self.select_case(case_id)
        return True

    def _receive(self, values: NewCaseInput) -> int:
        return receive_case(self, values, self.context.acting_rep_id)

    def apply_navigation(self, filters: dict) -> None:
        """{"overdue"/"open": bool}: those cases; {"select": id}: that case selected in the list (the
        filters cleared when they hide it)."""
        if "overdue" in filters:
            self._overdue.setChecked(bool(filters["overdue"]))
        if filters.get("open") or filters.get("overdue"):
            self._open.setChecked(True)
        if filters.get("select") is not None and not self.select_case(filters["select"]):
            self.clear_filters()
            self.select_case(filters["select"])

    def open_customer_of_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_customer(row.customer_id)
