"""The Warranty returns page: its table model, filters, board, detail actions, costs and dialogs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from app.models import Customer, FollowUp, SoldUnit, WarrantyReturn
from app.models.enums import FollowUpPurpose, OutOfWarrantyReason, RepRole, ReturnReason, ReturnState
from app.services import returns as return_service
from app.services.reps import create_rep
from app.services.returns import ReturnFilter
from app.services.sales import SaleLineInput, record_sale
from app.views import errors as errors_module
from app.views.dialogs import documents_folder
from app.views.events import FOLLOW_UPS, RETURNS, app_events
from app.views.pages.base import AppContext
from app.views.reports.preview import PdfPreviewDialog
from app.views.returns import page as page_module
from app.views.returns.dialogs import AdvanceInput, AdvanceReturnDialog, OpenReturnDialog, OpenReturnInput
from app.views.returns.page import BOARD, ReturnsPage
from app.views.returns.table_model import CUSTOMER, DAYS_OPEN, NUMBER, STATE, ReturnsTableModel

RS = ReturnState
TODAY = dt.date(2026, 11, 23)
NASTY = 'Peña & <Hijos> "Ñandú" €'


@pytest.fixture
def shop(database):
    from app.models import Product, ProductCategory

    ana = create_rep("ANA", "Ana Garcia")
    boss = create_rep("JEFA", "Marta Jefa", RepRole.MANAGER)
    pena = Customer(code="C-1", name=NASTY, rep=ana.id, city="Madrid")
    pena.save()
    ruiz = Customer(code="C-2", name="Zapateria Ruiz", rep=ana.id)
    ruiz.save()
    category = ProductCategory.create(code="W", name="Lavadoras")
    washer = Product.create(sku="LV-1", name="Lavadora X", category=category, warranty_months=24)

    def unit(customer, serial, delivered=dt.date(2026, 6, 1)) -> int:
        record_sale(
            customer.id, ana.id, delivered, delivered, [SaleLineInput(washer.id, 1, Decimal(400), [serial])]
        )
        return SoldUnit.get(SoldUnit.serial_number == serial).id

    units = {
        "pena1": unit(pena, "SN-1"),
        "pena2": unit(pena, "SN-2"),
        "ruiz": unit(ruiz, "SN-3"),
        "old": unit(ruiz, "SN-OLD", dt.date(2020, 1, 1)),
    }
    old = return_service.open_return(
        units["pena1"], ReturnReason.FAILURE_IN_USE, "Noisy", TODAY - dt.timedelta(days=20), None, today=TODAY
    )
    new = return_service.open_return(
        units["ruiz"],
        ReturnReason.TRANSPORT_DAMAGE,
        "Dented",
        TODAY - dt.timedelta(days=2),
        None,
        today=TODAY,
    )
    return {"ana": ana, "boss": boss, "pena": pena, "ruiz": ruiz, "units": units, "old": old, "new": new}


@pytest.fixture
def asked(monkeypatch):
    record = {"inform": [], "errors": []}
    monkeypatch.setattr(page_module, "inform", lambda parent, text, title=None: record["inform"].append(text))
    monkeypatch.setattr(
        errors_module, "show_error", lambda parent, exc, title=None: record["errors"].append(exc)
    )
    return record


@pytest.fixture
def page(qtbot, database, shop, asked):
    widget = ReturnsPage(AppContext(database=database, current_rep=None), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    return widget


def numbers(page: ReturnsPage) -> list[str]:
    return [page.model.index(r, NUMBER).data() for r in range(page.model.rowCount())]


def test_model_passes_the_model_tester(qtmodeltester, shop):
    model = ReturnsTableModel(batch_size=1, today=lambda: TODAY)
    model.set_filters(ReturnFilter())
    assert model.rowCount() == 1 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    empty = ReturnsTableModel(today=lambda: TODAY)
    empty.set_filters(ReturnFilter(states=(RS.CLOSED,)))
    qtmodeltester.check(empty)


def test_list_shows_labels_and_highlights_overdue(page, shop):
    assert numbers(page) == ["RMA-2026-0002", "RMA-2026-0001"]
    assert page.model.index(1, STATE).data() == "Requested – overdue"
    assert page.model.index(1, DAYS_OPEN).data() == "20"
    assert page.model.index(1, DAYS_OPEN).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert page.model.index(0, STATE).data() == "Requested"
    assert page.model.index(1, CUSTOMER).data() == NASTY


def test_filters(qtbot, page, shop):
    page.overdue_filter.setChecked(True)
    assert numbers(page) == ["RMA-2026-0001"]
    page.overdue_filter.setChecked(False)
    page.reason_filter.setCurrentIndex(page.reason_filter.findData(ReturnReason.TRANSPORT_DAMAGE))
    assert numbers(page) == ["RMA-2026-0002"]
    page.reason_filter.setCurrentIndex(0)
    page.warranty_filter.setCurrentIndex(page.warranty_filter.findData(False))
    assert numbers(page) == [] and page.empty_state_text() == "No return matches the filters."
    page.warranty_filter.setCurrentIndex(0)
    page.state_filter.setCurrentIndex(page.state_filter.findData(RS.CLOSED))
    assert numbers(page) == []
    page.state_filter.setCurrentIndex(0)
    page.rep_filter.setCurrentIndex(page.rep_filter.findData(shop["ana"].id))
    assert len(numbers(page)) == 2
    page.period_filter.setCurrentIndex(page.period_filter.findData("year"))
    assert len(numbers(page)) == 2
    assert page.focus_search()
    QTest.keyClicks(page.search_box, "zapateria")
    qtbot.waitUntil(lambda: numbers(page) == ["RMA-2026-0002"])


def test_board_counts_and_cards(page, shop):
    page.show_view(BOARD)
    board = page.board
    assert board.counts()[RS.REQUESTED] == 2
    assert board.card_ids(RS.REQUESTED) == [shop["old"], shop["new"]]  # waiting longest first
    assert "Requested\n2" == board.header_text(RS.REQUESTED)
    assert board.select_return(shop["new"])
    assert page.selected_detail().row.id == shop["new"]


def test_detail_offers_the_allowed_transitions_and_advancing_works(qtbot, page, shop, monkeypatch, asked):
    assert page.select_return(shop["old"])
    panel = page.detail_panel
    assert panel.action_states() == [RS.RECEIVED, RS.CANCELLED]
    assert (
        "Peña &amp; &lt;Hijos&gt;" in panel.text() and "Overdue: due 18/11/2026, 5 days ago" in panel.text()
    )
    monkeypatch.setattr(
        AdvanceReturnDialog,
        "ask",
        staticmethod(lambda parent, detail, target, **kw: AdvanceInput("At the desk")),
    )
    with qtbot.waitSignal(app_events().data_changed) as signal:
        panel.action_button(RS.RECEIVED).click()
    assert signal.args == [frozenset({RETURNS}), page]
    assert WarrantyReturn.get_by_id(shop["old"]).state is RS.RECEIVED
    assert panel.action_states() == [RS.INSPECTED, RS.CANCELLED]
    assert "At the desk" in panel.text() and panel.print_button.isEnabled()
    assert "receipt" in asked["inform"][0]


def test_approving_without_inspection_note_reopens_the_dialog_with_the_error(page, shop, monkeypatch):
    return_id = shop["old"]
    return_service.advance_return(return_id, RS.RECEIVED, None)
    page.refresh()
    page.select_return(return_id)
    calls = []
    answers = [AdvanceInput(inspection_note=""), AdvanceInput(inspection_note="Bearing worn"), None]

    def ask(parent, detail, target, **kw):
        calls.append(kw)
        return answers[len(calls) - 1]

    monkeypatch.setattr(AdvanceReturnDialog, "ask", staticmethod(ask))
    page.advance_selected(RS.INSPECTED)
    assert "inspection" in calls[1]["errors"]["inspection_note"]
    assert WarrantyReturn.get_by_id(return_id).state is RS.INSPECTED
    assert page.detail_panel.action_states() == [RS.APPROVED, RS.REJECTED]


def test_closing_from_the_page_schedules_the_satisfaction_call(qtbot, page, shop, monkeypatch):
    return_id = shop["new"]
    for state in (RS.RECEIVED,):
        return_service.advance_return(return_id, state, None)
    return_service.advance_return(return_id, RS.INSPECTED, None, inspection_note="ok")
    return_service.advance_return(return_id, RS.APPROVED, None)
    return_service.advance_return(return_id, RS.CREDITED, None, refund_amount="50")
    page.refresh()
    page.select_return(return_id)
    monkeypatch.setattr(
        AdvanceReturnDialog, "ask", staticmethod(lambda parent, detail, target, **kw: AdvanceInput())
    )
    with qtbot.waitSignal(app_events().data_changed) as signal:
        page.advance_selected(RS.CLOSED)
    assert signal.args[0] == frozenset({RETURNS, FOLLOW_UPS})
    assert FollowUp.get(FollowUp.warranty_return == return_id).purpose is FollowUpPurpose.SATISFACTION
    # Closed, it leaves the open returns; the selection moves on to the return listed after it (#22).
    assert page.model.row_of(return_id) < 0 and page.model.rowCount() > 0
    selected = page.table.selectionModel().selectedRows()
    assert selected and page.model.row_at(selected[0].row()).id != return_id


def test_costs_are_refused_at_the_field(qtbot, page, shop):
    page.select_return(shop["old"])
    panel = page.detail_panel
    panel.cost_edit("cost_parts").clear()
    QTest.keyClicks(panel.cost_edit("cost_parts"), "abc")
    panel.cost_edit("cost_labour").setText("-5")
    panel.save_costs_button.click()
    assert "as a number" in panel.cost_error("cost_parts")
    assert panel.cost_error("cost_labour") == ""  # checked by the service once every field reads as a number
    panel.cost_edit("cost_parts").setText("12.50")
    panel.save_costs_button.click()
    assert "negative" in panel.cost_error("cost_labour")
    panel.cost_edit("cost_labour").setText("30")
    with qtbot.waitSignal(app_events().data_changed):
        panel.save_costs_button.click()
    record = WarrantyReturn.get_by_id(shop["old"])
    assert (record.cost_parts, record.cost_labour) == (Decimal("12.50"), Decimal("30.00"))
    assert panel.cost_error("cost_labour") == "" and "42.50" in panel._total.text()


def test_open_return_from_the_page(page, shop, monkeypatch):
    value = OpenReturnInput(
        shop["pena"].id, shop["units"]["pena2"], ReturnReason.DEFECT_ON_ARRIVAL, "Dead", TODAY
    )
    monkeypatch.setattr(OpenReturnDialog, "ask", staticmethod(lambda parent, **kw: value))
    assert page.create_new()
    created = WarrantyReturn.get(WarrantyReturn.sold_unit == shop["units"]["pena2"])
    assert created.number == "RMA-2026-0003"
    assert page.selected_detail().row.id == created.id


def test_a_unit_with_an_open_return_is_refused_naming_it(page, shop, monkeypatch, asked):
    value = OpenReturnInput(shop["pena"].id, shop["units"]["pena1"], ReturnReason.OTHER, "Again", TODAY)
    monkeypatch.setattr(OpenReturnDialog, "ask", staticmethod(lambda parent, **kw: value))
    page.create_new()
    assert asked["inform"] == ["This unit already has an open return, RMA-2026-0001. Continue with that one."]
    assert page.selected_detail().row.id == shop["old"]  # taken to it


def test_out_of_warranty_needs_a_reason_and_reopens_with_the_error(page, shop, monkeypatch):
    calls = []
    base = OpenReturnInput(
        shop["ruiz"].id, shop["units"]["old"], ReturnReason.FAILURE_IN_USE, "Broken", TODAY
    )
    answers = [base, None]

    def ask(parent, **kw):
        calls.append(kw)
        return answers[len(calls) - 1]

    monkeypatch.setattr(OpenReturnDialog, "ask", staticmethod(ask))
    page.create_new()
    assert "say why" in calls[1]["errors"]["out_of_warranty_reason"]
    assert not WarrantyReturn.select().where(WarrantyReturn.sold_unit == shop["units"]["old"]).exists()


def test_print_receipt_opens_the_preview_with_print_and_save(page, shop, monkeypatch, tmp_path, asked):
    return_service.advance_return(shop["old"], RS.RECEIVED, None)
    page.refresh()
    page.select_return(shop["old"])
    target = tmp_path / "kept" / "receipt.pdf"
    target.parent.mkdir()
    suggested = []

    def save_dialog(parent, caption, path, filters):
        suggested.append(Path(path))
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    seen = []

    def fake_exec(dialog):
        seen.append((dialog.windowTitle(), dialog.preview.page_count, dialog.preview.path))
        assert not dialog.print_button.isHidden() and dialog.print_button.isEnabled()
        assert not dialog.save_button.isHidden() and dialog.save_button.isEnabled()
        assert dialog.save_as() == target
        return 0

    monkeypatch.setattr(PdfPreviewDialog, "exec", fake_exec)
    page.print_receipt()
    [(title, pages, temporary)] = seen
    assert title == "Warranty return RMA-2026-0001" and pages == 1
    assert suggested == [documents_folder() / "RMA-2026-0001.pdf"]  # in the Documents folder
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(target)).pages).split())
    assert "RMA-2026-0001" in text and NASTY in text
    assert "Le informaremos en cuanto se resuelva." in text  # the customer's language; not resolved yet
    assert not temporary.parent.exists()  # the temporary copy went with the preview
    assert not asked["errors"] and not asked["inform"]


# --- the dialogs -------------------------------------------------------------------------------------


def test_open_dialog_warns_out_of_warranty_and_names_an_open_return(qtbot, shop):
    dialog = OpenReturnDialog(None, today=TODAY)
    qtbot.addWidget(dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    picker = dialog.customer_picker
    lines = picker.search("ruiz")
    picker.choose(lines[0])
    assert len(dialog.unit_texts()) == 2
    assert any("open return RMA-2026-0002" in t for t in dialog.unit_texts())
    dialog.select_unit(shop["units"]["ruiz"])
    assert "RMA-2026-0002" in dialog.error_text("sold_unit_id") and not ok.isEnabled()
    dialog.select_unit(shop["units"]["old"])
    assert ok.isEnabled() and dialog.out_of_warranty_shown()
    assert "Out of warranty" in dialog.warranty_text()
    dialog.set_description("Broken")
    dialog.accept()
    assert "Say why" in dialog.error_text("out_of_warranty_reason")
    dialog.set_out_of_warranty_reason(OutOfWarrantyReason.PAID_REPAIR)
    value = dialog.values()
    assert (value.sold_unit_id, value.out_of_warranty_reason, value.reported_on) == (
        shop["units"]["old"],
        OutOfWarrantyReason.PAID_REPAIR,
        TODAY,
    )


def test_advance_dialog_reads_the_amount_in_the_locale(qtbot, shop):
    return_service.advance_return(shop["old"], RS.RECEIVED, None)
    return_service.advance_return(shop["old"], RS.INSPECTED, None, inspection_note="x")
    return_service.advance_return(shop["old"], RS.APPROVED, None)
    detail = return_service.get_return(shop["old"], TODAY)
    dialog = AdvanceReturnDialog(None, detail, RS.REFUNDED)
    qtbot.addWidget(dialog)
    dialog.set_amount_text("twelve")
    dialog.accept()
    assert "as a number" in dialog.error_text("refund_amount")
    dialog.set_amount_text("1,234.50")
    assert dialog.values().refund_amount == Decimal("1234.50")


def test_open_dialog_prefilled_for_a_unit_as_the_customer_360_would(qtbot, shop, monkeypatch):
    from app.views.returns.dialogs import ask_and_open_return

    initial = OpenReturnInput(
        shop["pena"].id, shop["units"]["pena2"], ReturnReason.WRONG_ITEM, "", TODAY, customer_text=NASTY
    )
    dialog = OpenReturnDialog(None, initial=initial, today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.values() == initial and "Under warranty" in dialog.warranty_text()
    monkeypatch.setattr(
        OpenReturnDialog,
        "ask",
        staticmethod(
            lambda parent, initial=None, **kw: OpenReturnInput(
                **{**initial.__dict__, "description": "Wrong colour"}
            )
        ),
    )
    return_id = ask_and_open_return(None, None, initial=initial, today=TODAY)
    assert WarrantyReturn.get_by_id(return_id).description == "Wrong colour"
