"""The Cases page: its table model, filters, the detail with only the allowed actions, and the steps."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from app.models import Case, Customer, FollowUp, Product, ProductCategory, Sale, SaleLine, SoldUnit
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    ContactChannel,
    FollowUpPurpose,
    ProposalAnswer,
    Severity,
    SolutionType,
)
from app.services import cases as case_service
from app.services.cases import CaseAction
from app.services.reps import create_rep
from app.views import errors as errors_module
from app.views.agenda.table_model import OVERDUE_BACKGROUND
from app.views.cases import page as page_module
from app.views.cases.dialogs import (
    AnalysisDialog,
    AnswerDialog,
    CloseCaseDialog,
    NewCaseDialog,
    NewCaseInput,
    ProposalDialog,
    StepInput,
)
from app.views.cases.page import MAKE_COMPLAINT, CasesPage
from app.views.cases.table_model import CUSTOMER, KIND, NUMBER, STAGE, CaseTableModel
from app.views.events import CASES, FOLLOW_UPS, app_events
from app.views.pages.base import AppContext
from app.views.returns import dialogs as return_dialogs

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def data(database):
    ana = create_rep("ANA", "Ana García")
    pena = Customer.create(code="C-1", name="Peña Hermanos", rep=ana.id, city="Madrid")
    haro = Customer.create(code="C-2", name="Bodegas Haro", rep=ana.id)
    category = ProductCategory.create(code="wash", name="Lavadoras")
    product = Product.create(sku="LV-1", name="Lavadora X", category=category, price=500)
    sale = Sale.create(number="S-1", customer=pena, rep=ana.id, sold_on=dt.date(2026, 9, 1))
    unit = SoldUnit.create(
        line=SaleLine.create(sale=sale, product=product, unit_price=500),
        customer=pena,
        product=product,
        serial_number="SN1",
    )

    def receive(kind, customer, days_ago, channel=ContactChannel.EMAIL, **kwargs):
        if kind is CaseKind.CLAIM:
            kwargs.setdefault("requested_compensation", "100 euros")
        return case_service.receive_case(
            kind, customer.id, channel, TODAY - dt.timedelta(days=days_ago), "No funciona", ana.id, **kwargs
        )

    cases = {
        "late": receive(CaseKind.COMPLAINT, pena, 20, sold_unit_id=unit.id),
        "claim": receive(CaseKind.CLAIM, haro, 2, channel=ContactChannel.POST),
        "note": receive(CaseKind.SUGGESTION, haro, 1, channel=ContactChannel.WEB),
    }
    return {"rep": ana, "customers": {"pena": pena, "haro": haro}, "unit": unit, "cases": cases}


@pytest.fixture
def asked(monkeypatch):
    record = {
        "propose": [],
        "inform": [],
        "errors": [],
        "spoken": [],
        "answers": {"propose": True, "spoken": None},
    }
    monkeypatch.setattr(
        page_module,
        "propose",
        lambda parent, q, title=None: record["propose"].append(q) or record["answers"]["propose"],
    )
    monkeypatch.setattr(page_module, "inform", lambda parent, text, title=None: record["inform"].append(text))
    monkeypatch.setattr(
        errors_module, "show_error", lambda parent, exc, title=None: record["errors"].append(exc)
    )
    monkeypatch.setattr(
        page_module,
        "ask_spoken_claim",
        lambda parent, q: record["spoken"].append(q) or record["answers"]["spoken"],
    )
    return record


@pytest.fixture
def make_page(qtbot, asked, database):
    def make(rep=None) -> CasesPage:
        page = CasesPage(AppContext(database=database, current_rep=rep), today=lambda: TODAY)
        qtbot.addWidget(page)
        page.resize(1100, 700)
        return page

    return make


def numbers(page: CasesPage) -> list[str]:
    return [page.model.index(r, NUMBER).data() for r in range(page.model.rowCount())]


def number_of(case_id: int) -> str:
    return Case.get_by_id(case_id).number


def answering(monkeypatch, dialog_class, *values: StepInput) -> list:
    """Replace the dialog's ask by the given answers in turn; returns the calls' keyword arguments."""
    calls, queue = [], list(values)

    def ask(parent, row, **kwargs):
        calls.append(kwargs)
        return queue.pop(0) if queue else None

    monkeypatch.setattr(dialog_class, "ask", ask)
    return calls


# --- the table model ----------------------------------------------------------------------


def test_model_passes_the_model_tester(qtmodeltester, data):
    model = CaseTableModel(batch_size=2, today=lambda: TODAY)
    model.set_filter(case_service.CaseFilter())
    assert model.rowCount() == 2 and model.canFetchMore()
    qtmodeltester.check(model)  # fetches the rest as a view would
    assert model.rowCount() == 3 and not model.canFetchMore()


def test_model_tester_on_an_empty_model(qtmodeltester, database):
    model = CaseTableModel(today=lambda: TODAY)
    model.set_filter(case_service.CaseFilter())
    qtmodeltester.check(model)


def test_the_list_shows_labels_and_highlights_overdue_cases(make_page, data):
    page = make_page()
    late_row = page.model.row_of(data["cases"]["late"])
    assert page.model.index(late_row, KIND).data() == "Complaint"
    assert page.model.index(late_row, STAGE).data() == "Reception"
    assert page.model.index(late_row, CUSTOMER).data() == "Peña Hermanos"
    background = page.model.index(late_row, NUMBER).data(Qt.ItemDataRole.BackgroundRole)
    assert background.color() == QColor(OVERDUE_BACKGROUND)
    assert "Overdue: first answer was due" in page.model.index(late_row, STAGE).data(
        Qt.ItemDataRole.ToolTipRole
    )
    fresh_row = page.model.row_of(data["cases"]["claim"])
    assert page.model.index(fresh_row, NUMBER).data(Qt.ItemDataRole.BackgroundRole) is None
    codes = {s.value for s in CaseStage} | {k.value for k in CaseKind}
    shown = {
        page.model.index(r, c).data()
        for r in range(page.model.rowCount())
        for c in range(page.model.columnCount())
    }
    assert not shown & codes


def test_filters_narrow_the_list(qtbot, make_page, data):
    page = make_page()
    assert len(numbers(page)) == 3
    page.kind_filter.setCurrentIndex(page.kind_filter.findData(CaseKind.CLAIM))
    assert numbers(page) == [number_of(data["cases"]["claim"])]
    assert page.stage_filter.findData(CaseStage.RECEIVED) < 0  # a claim's stages only
    page.kind_filter.setCurrentIndex(0)
    page.stage_filter.setCurrentIndex(page.stage_filter.findData(CaseStage.RECEIVED))
    assert numbers(page) == [number_of(data["cases"]["note"])]
    page.stage_filter.setCurrentIndex(0)
    page.overdue_filter.setChecked(True)
    assert numbers(page) == [number_of(data["cases"]["late"])]
    page.overdue_filter.setChecked(False)
    page.channel_filter.setCurrentIndex(page.channel_filter.findData(ContactChannel.WEB))
    assert numbers(page) == [number_of(data["cases"]["note"])]
    page.channel_filter.setCurrentIndex(0)
    QTest.keyClicks(page.search_box, "pena")
    qtbot.waitUntil(lambda: len(numbers(page)) == 1)
    page.clear_filters()
    page.period_filter.setCurrentIndex(1)  # last 30 days
    assert len(numbers(page)) == 3
    page.category_filter.setCurrentIndex(page.category_filter.findData(CaseCategory.BILLING))
    assert numbers(page) == [] and page.empty_state_text() == "No case matches the filters."


# --- the detail and the steps --------------------------------------------------------------


def buttons(page: CasesPage) -> list[CaseAction]:
    return list(page.detail_panel.action_buttons())


def test_the_detail_offers_only_the_actions_of_the_stage(make_page, data):
    page = make_page()
    assert page.select_case(data["cases"]["note"])
    assert buttons(page) == [CaseAction.ACKNOWLEDGE]
    assert "No funciona" in page.detail_panel.text()
    assert page.select_case(data["cases"]["claim"])
    assert buttons(page) == [CaseAction.ANALYSE]
    assert "100 euros" in page.detail_panel.text()  # the compensation asked


def test_a_complaint_driven_through_the_procedure(monkeypatch, qtbot, make_page, data, asked):
    page = make_page(data["rep"])
    case_id = data["cases"]["late"]
    page.select_case(case_id)
    on = TODAY - dt.timedelta(days=3)
    answering(
        monkeypatch,
        AnalysisDialog,
        StepInput(on=on, category=CaseCategory.PRODUCT_DEFECT, severity=Severity.HIGH),
    )
    with qtbot.waitSignal(app_events().data_changed) as signal:
        page.detail_panel.action_buttons()[CaseAction.ANALYSE].click()
    assert signal.args[0] == frozenset({CASES})
    assert buttons(page) == [CaseAction.PROPOSE]

    # A refused proposal (no amount for a discount) reopens the dialog with the reason.
    proposal_calls = answering(
        monkeypatch,
        ProposalDialog,
        StepInput(
            on=on, solution_type=SolutionType.DISCOUNT, detail="Descuento", channel=ContactChannel.PHONE
        ),
        StepInput(on=on, solution_type=SolutionType.EXCHANGE, detail="Cambio", channel=ContactChannel.PHONE),
    )
    page.run_action(CaseAction.PROPOSE)
    assert proposal_calls[0]["suggested"] is SolutionType.TECHNICAL_ASSISTANCE  # the category's suggestion
    assert "amount" in proposal_calls[1]["errors"]
    assert buttons(page) == [CaseAction.RECORD_ANSWER]
    assert "Waiting for the customer" in page.detail_panel.text()

    # Accepted exchange: the page offers the warranty return (the returns service may be missing).
    answering(monkeypatch, AnswerDialog, StepInput(on=TODAY, answer=ProposalAnswer.ACCEPTED))
    opened = []

    def open_return(parent, rep, *, initial, today, case_id):
        opened.append((case_id, initial))
        return 1

    monkeypatch.setattr(return_dialogs, "ask_and_open_return", open_return)
    page.run_action(CaseAction.RECORD_ANSWER)
    assert asked["propose"] and "warranty return" in asked["propose"][0]
    # The return dialog opens filled from the case: its customer, unit and words.
    assert [case for case, _initial in opened] == [case_id]
    initial = opened[0][1]
    assert initial.customer_id == Case.get_by_id(case_id).customer_id
    assert initial.sold_unit_id == Case.get_by_id(case_id).sold_unit_id
    assert buttons(page)[0] is CaseAction.CLOSE

    answering(monkeypatch, CloseCaseDialog, StepInput(on=TODAY, satisfaction_days=10))
    with qtbot.waitSignal(app_events().data_changed) as signal:
        page.run_first_action()
    assert signal.args[0] == frozenset({CASES, FOLLOW_UPS})
    case = Case.get_by_id(case_id)
    assert (case.stage, case.closed_on) == (CaseStage.SATISFACTION, TODAY)
    follow_up = FollowUp.get(FollowUp.case == case_id)
    assert follow_up.purpose is FollowUpPurpose.SATISFACTION
    assert follow_up.scheduled_at.date() == TODAY + dt.timedelta(days=10)
    assert buttons(page)[0] is CaseAction.FINISH
    assert "History" in page.detail_panel.text() and "Satisfaction analysis" in page.detail_panel.text()
    assert asked["errors"] == []


def test_a_cancelled_step_changes_nothing(monkeypatch, make_page, data):
    page = make_page()
    page.select_case(data["cases"]["claim"])
    answering(monkeypatch, AnalysisDialog)  # cancelled
    page.run_action(CaseAction.ANALYSE)
    assert Case.get_by_id(data["cases"]["claim"]).stage is CaseStage.RECEPTION


# --- a new case ----------------------------------------------------------------------------


def test_new_case_dialog_by_keyboard(qtbot, data):
    dialog = NewCaseDialog(None, today=TODAY)
    qtbot.addWidget(dialog)
    picker = dialog.customer_picker
    picker.setFocus()
    QTest.keyClicks(picker, "pena")
    assert picker.matches() == ["Peña Hermanos (C-1, Madrid)"]
    picker.choose("Peña Hermanos (C-1, Madrid)")
    dialog._kind.setCurrentIndex(dialog._kind.findData(CaseKind.CLAIM))
    QTest.keyClicks(dialog._words, "Llego roto")
    QTest.keyClicks(dialog._compensation, "Quiero el dinero")
    dialog._unit.setCurrentIndex(1)
    value = dialog.values()
    assert (value.customer_id, value.kind, value.received_on) == (
        data["customers"]["pena"].id,
        CaseKind.CLAIM,
        TODAY,
    )
    assert (value.customer_words, value.requested_compensation, value.sold_unit_id) == (
        "Llego roto",
        "Quiero el dinero",
        data["unit"].id,
    )
    dialog._kind.setCurrentIndex(dialog._kind.findData(CaseKind.COMPLAINT))
    assert dialog.values().requested_compensation == "" and dialog._compensation.isHidden()


def test_ctrl_n_records_a_case_and_a_spoken_claim_can_become_a_complaint(monkeypatch, make_page, data, asked):
    page = make_page()
    pena = data["customers"]["pena"].id
    entries = [
        NewCaseInput(pena, CaseKind.CLAIM, ContactChannel.PHONE, TODAY, "", "Dinero"),  # words missing
        NewCaseInput(pena, CaseKind.CLAIM, ContactChannel.PHONE, TODAY, "Roto", "Dinero"),
    ]
    calls = []

    def ask(parent, **kwargs):
        calls.append(kwargs)
        return entries.pop(0) if entries else None

    monkeypatch.setattr(NewCaseDialog, "ask", ask)
    asked["answers"]["spoken"] = MAKE_COMPLAINT
    assert page.create_new()
    assert "customer_words" in calls[1]["errors"]
    assert asked["spoken"] and "complaint" in asked["spoken"][0]
    new = Case.select().order_by(Case.id.desc()).get()
    assert (new.kind, new.channel, new.requested_compensation) == (
        CaseKind.COMPLAINT,
        ContactChannel.PHONE,
        "",
    )
    assert page.selected_row().id == new.id


# --- issue 13: the product list, notes kept, nothing typed is lost -------------------------------


def test_new_case_offers_the_products_of_a_customer_picked_by_keyboard_and_drops_the_stale_error(
    qtbot, monkeypatch, data
):
    from PySide6.QtWidgets import QDialogButtonBox

    from app.views import dialogs

    monkeypatch.setattr(dialogs, "ask_unsaved_changes", lambda parent, q: dialogs.Unsaved.DISCARD)
    dialog = NewCaseDialog(None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    picker = dialog.customer_picker
    popup = picker.completer().popup()
    record = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(record, Qt.MouseButton.LeftButton)  # Record before choosing the customer
    assert "Choose the customer" in dialog.error_text("customer_id") and dialog.isVisible()
    picker.setFocus()
    qtbot.waitUntil(picker.hasFocus)
    qtbot.keyClicks(picker, "pena")
    qtbot.waitUntil(popup.isVisible)
    # Down on the list, as in a real window: the line is highlighted and Qt puts it in the field first.
    popup.setCurrentIndex(popup.model().index(0, 0))
    assert picker.text() == "Peña Hermanos (C-1, Madrid)"
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.customer_id() == data["customers"]["pena"].id
    assert [dialog._unit.itemText(i) for i in range(dialog._unit.count())] == [
        "(none)",
        "Lavadora X (serial SN1) – sale S-1 of 01/09/2026",
    ]
    assert dialog.error_text("customer_id") == ""


def test_esc_in_a_half_typed_complaint_asks_before_discarding_it(qtbot, monkeypatch, data):
    from app.views import dialogs
    from app.views.dialogs import Unsaved

    answers, asked = [Unsaved.CANCEL, Unsaved.DISCARD], []
    monkeypatch.setattr(dialogs, "ask_unsaved_changes", lambda parent, q: asked.append(q) or answers.pop(0))
    dialog = NewCaseDialog(None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog._words, Qt.Key.Key_Escape)  # nothing typed: closes at once
    assert not dialog.isVisible() and asked == []

    dialog = NewCaseDialog(None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog._words.setFocus()
    qtbot.keyClicks(dialog._words, "La lavadora hace un ruido")
    qtbot.keyClick(dialog._words, Qt.Key.Key_Escape)
    assert len(asked) == 1 and dialog.isVisible()  # kept editing
    assert dialog.values().customer_words == "La lavadora hace un ruido"
    qtbot.keyClick(dialog._words, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not dialog.isVisible()  # discarded, as the user said


def test_a_reopened_form_holds_typed_input_and_asks_before_discarding(qtbot, monkeypatch, data):
    from app.views import dialogs
    from app.views.dialogs import Unsaved

    asked = []
    monkeypatch.setattr(dialogs, "ask_unsaved_changes", lambda parent, q: asked.append(q) or Unsaved.DISCARD)
    typed = NewCaseInput(
        data["customers"]["pena"].id,
        CaseKind.COMPLAINT,
        ContactChannel.PHONE,
        TODAY,
        "",
        customer_text="Peña Hermanos (C-1, Madrid)",
    )
    dialog = NewCaseDialog(
        None, initial=typed, errors={"customer_words": "Write what the customer says."}, today=TODAY
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.reject()
    assert len(asked) == 1 and not dialog.isVisible()


def test_the_note_of_a_second_rejection_is_kept_in_the_history(monkeypatch, make_page, data):
    page = make_page()
    case_id = data["cases"]["late"]
    case_service.analyse_case(case_id, CaseCategory.BILLING, Severity.LOW, None, on=TODAY)
    case_service.propose_solution(
        case_id, SolutionType.DISCOUNT, "10 %", ContactChannel.EMAIL, None, amount=10, on=TODAY
    )
    case_service.record_answer(case_id, ProposalAnswer.REJECTED, None, on=TODAY, note="No le basta.")
    page.refresh()
    page.select_case(case_id)
    answering(
        monkeypatch,
        ProposalDialog,
        StepInput(
            TODAY,
            "Ofrecemos más.",
            solution_type=SolutionType.DISCOUNT,
            detail="20 %",
            amount=20,
            channel=ContactChannel.EMAIL,
        ),
    )
    page.run_action(CaseAction.COUNTER_PROPOSE)
    answering(
        monkeypatch,
        AnswerDialog,
        StepInput(TODAY, "Tampoco acepta el descuento.", answer=ProposalAnswer.REJECTED),
    )
    page.run_action(CaseAction.RECORD_ANSWER)
    notes = [change.note for change in case_service.get_case(case_id).timeline]
    assert notes[-3:] == ["No le basta.", "Ofrecemos más.", "Tampoco acepta el descuento."]
    assert "Tampoco acepta el descuento." in page.detail_panel.text()
    assert "Note (Internal negotiation)" in page.detail_panel.text()
