"""The usage checks page, its table models and the check dialog driven by keyboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from app.models import Customer, FollowUp, Product, ProductCategory, Sale, SaleLine, SoldUnit, UsageCheck
from app.models.enums import (
    CheckAnswerResult,
    CheckStatus,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    RepRole,
)
from app.services import checks
from app.services.checks import AnswerInput, ItemInput
from app.services.reps import create_rep
from app.views import errors as errors_module
from app.views.agenda.dialogs import CompleteFollowUpDialog, CompletionInput
from app.views.agenda.page import TODAY, AgendaPage
from app.views.checks import dialog as dialog_module
from app.views.checks.dialog import CheckDialog, StartCheckDialog
from app.views.checks.page import DUE, FAILED, UsageChecksPage
from app.views.checks.table_models import ChecksTableModel, DueChecksTableModel, FailedItemsTableModel
from app.views.dialogs import documents_folder
from app.views.events import CHECKS, app_events
from app.views.pages.base import AppContext
from app.views.reports.preview import PdfPreviewDialog

OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE
NOW = dt.datetime(2026, 11, 23, 11, 0)


@pytest.fixture
def world(database):
    ana = create_rep("ANA", "Ana García")
    boss = create_rep("JEFA", "Marta Jefa", RepRole.MANAGER)
    pena = Customer.create(
        code="C-1", name="Peña Hermanos", rep=ana.id, address="Calle Mayor 1", city="Madrid"
    )
    coffee = ProductCategory.create(code="coffee", name="Cafeteras")
    tv = ProductCategory.create(code="tv", name="Televisores")
    barista = Product.create(sku="CAF-1", name="Barista Pro", category=coffee.id)
    oled = Product.create(sku="TV-1", name="OLED 55", category=tv.id)
    sale = Sale.create(
        number="V-1",
        customer=pena.id,
        rep=ana.id,
        sold_on=dt.date(2026, 11, 1),
        delivered_on=dt.date(2026, 11, 5),
    )

    def unit(product, serial):
        line = SaleLine.create(sale=sale.id, product=product.id, unit_price=Decimal("100"))
        return SoldUnit.create(line=line.id, customer=pena.id, product=product.id, serial_number=serial)

    checks.create_template(
        "Correct use: coffee",
        [
            ItemInput("Fills the tank"),
            ItemInput("Descales", "Show how to descale", critical=True),
            ItemInput("Cleans the frother"),
        ],
        category_id=coffee.id,
    )
    checks.create_template(
        "Correct use: TV",
        [ItemInput("Channels tuned"), ItemInput("Bracket fixed", critical=True)],
        category_id=tv.id,
    )
    return {
        "ana": ana,
        "boss": boss,
        "pena": pena,
        "coffee": coffee,
        "tv": tv,
        "barista": barista,
        "unit": unit(barista, "SN-1"),
        "tv_unit": unit(oled, "SN-2"),
    }


def finished_check(world, unit, results, when: dt.datetime) -> int:
    check_id = checks.start_check(unit.id, world["ana"].id, now=when)
    detail = checks.get_check(check_id)
    checks.save_answers(
        check_id, [AnswerInput(a.item_id, r) for a, r in zip(detail.answers, results, strict=True)], ""
    )
    checks.finish_check(check_id, world["ana"].id, now=when)
    return check_id


@pytest.fixture
def asked(monkeypatch):
    record = {
        "propose": [],
        "confirm": [],
        "inform": [],
        "errors": [],
        "answers": {"propose": True, "confirm": True},
    }
    monkeypatch.setattr(
        dialog_module,
        "propose",
        lambda p, q, t=None: record["propose"].append(q) or record["answers"]["propose"],
    )
    monkeypatch.setattr(
        dialog_module,
        "confirm",
        lambda p, q, t=None: record["confirm"].append(q) or record["answers"]["confirm"],
    )
    monkeypatch.setattr(dialog_module, "inform", lambda p, text, t=None: record["inform"].append(text))
    monkeypatch.setattr(errors_module, "show_error", lambda p, exc, t=None: record["errors"].append(exc))
    return record


@pytest.fixture
def make_page(qtbot, asked, database):
    def make(rep=None) -> UsageChecksPage:
        page = UsageChecksPage(AppContext(database=database, current_rep=rep), clock=lambda: NOW)
        qtbot.addWidget(page)
        page.resize(1100, 700)
        return page

    return make


# --- models ------------------------------------------------------------------------------------


def test_models_pass_the_model_tester(qtmodeltester, world):
    for day in range(5):
        finished_check(world, world["unit"], [OK, OK, NOT_OK], NOW - dt.timedelta(days=day))
    model = ChecksTableModel(batch_size=2)
    model.set_filter(checks.CheckFilter())
    assert model.rowCount() == 2 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 4
    qtmodeltester.check(model)
    assert model.index(0, 5).data() == "Failed" and model.index(0, 6).data() == "67 %"
    empty = ChecksTableModel()
    qtmodeltester.check(empty)
    FollowUp.create(
        customer=world["pena"].id,
        rep=world["ana"].id,
        kind=FollowUpKind.VISIT,
        purpose=FollowUpPurpose.USAGE_CHECK,
        scheduled_at=NOW,
        sold_unit=world["tv_unit"].id,
    )
    due = DueChecksTableModel(clock=lambda: NOW + dt.timedelta(hours=1))
    due.set_rep(None)
    qtmodeltester.check(due)
    assert due.rowCount() == 1 and due.index(0, 2).data() == "OLED 55 (serial SN-2)"
    failed = FailedItemsTableModel()
    failed.set_rows(checks.most_failed_items())
    qtmodeltester.check(failed)
    assert failed.index(0, 1).data() == "Cleans the frother" and failed.index(0, 2).data() == "5 of 5"


# --- the page ------------------------------------------------------------------------------------


def test_page_filters_histories_and_most_failed(make_page, world):
    a = finished_check(world, world["unit"], [OK, OK, OK], NOW - dt.timedelta(days=3))
    b = finished_check(world, world["unit"], [OK, NOT_OK, OK], NOW - dt.timedelta(days=2))
    c = finished_check(world, world["tv_unit"], [NOT_OK, OK], NOW - dt.timedelta(days=200))
    page = make_page(world["boss"])
    assert page.model.total_count() == 2  # the last 90 days by default
    page.period_filter.setCurrentIndex(page.period_filter.findText("All time"))
    assert [page.model.row_at(r).id for r in range(page.model.rowCount())] == [b, a, c]
    page.result_filter.setCurrentIndex(page.result_filter.findData("failed"))
    assert page.model.total_count() == 2
    page.category_filter.setCurrentIndex(page.category_filter.findData(world["tv"].id))
    assert [page.model.row_at(r).id for r in range(page.model.rowCount())] == [c]
    assert page.product_filter.count() == 2  # all, and the one TV
    page.category_filter.setCurrentIndex(0)
    page.result_filter.setCurrentIndex(0)
    page.set_period(NOW.date() - dt.timedelta(days=2), NOW.date())
    assert page.model.total_count() == 1
    page.period_filter.setCurrentIndex(page.period_filter.findText("All time"))
    assert page.select_check(b)
    assert [row[0] for row in page.unit_history.texts()] == ["21/11/2026", "20/11/2026"]
    assert len(page.customer_history.texts()) == 3
    page.show_tab(FAILED)
    questions = [page.failed_model.row_at(r).question for r in range(page.failed_model.rowCount())]
    assert questions == ["Channels tuned", "Descales"]
    page.family_filter.setCurrentIndex(page.family_filter.findText("Correct use: TV"))
    assert page.failed_model.rowCount() == 1


def test_a_rep_sees_their_own_and_changes_refresh(make_page, world):
    finished_check(world, world["unit"], [OK, OK, OK], NOW - dt.timedelta(days=1))
    page = make_page(world["ana"])
    assert page.rep_filter.currentData() == world["ana"].id and page.model.total_count() == 1
    finished_check(world, world["tv_unit"], [OK, OK], NOW - dt.timedelta(days=1))
    page.on_data_changed(frozenset({CHECKS}), None)
    assert page.model.total_count() == 2


def test_running_a_due_check_completes_the_visit_and_proposes_training_and_a_case(
    make_page, world, monkeypatch, asked
):
    visit = FollowUp.create(
        customer=world["pena"].id,
        rep=world["ana"].id,
        kind=FollowUpKind.VISIT,
        purpose=FollowUpPurpose.USAGE_CHECK,
        scheduled_at=NOW,
        sold_unit=world["unit"].id,
    )
    page = make_page(world["ana"])
    page.show_tab(DUE)
    assert page.due_model.total_count() == 1
    page.due_table.selectRow(0)

    def ask(parent, check_id, rep_id, *, clock=None, notes=""):
        detail = checks.get_check(check_id)
        assert detail.follow_up_id == visit.id
        checks.save_answers(
            check_id,
            [AnswerInput(a.item_id, r) for a, r in zip(detail.answers, [OK, NOT_OK, NOT_OK], strict=True)],
            "Juan",
        )
        return checks.finish_check(check_id, rep_id, now=clock())

    monkeypatch.setattr(CheckDialog, "ask", staticmethod(ask))
    page.run_selected_due()
    assert FollowUp.get_by_id(visit.id).state is FollowUpState.DONE
    assert (
        asked["propose"][0] == "The check failed. Schedule a training follow-up on Monday 30/11/2026 11:00?"
    )
    training = FollowUp.get(FollowUp.purpose == FollowUpPurpose.TRAINING)
    assert (
        training.scheduled_at == dt.datetime(2026, 11, 30, 11, 0)
        and training.sold_unit_id == world["unit"].id
    )
    assert asked["propose"][1].startswith("A critical item is Not OK:\n• Descales")
    assert page.due_model.total_count() == 0
    try:
        import app.services.cases  # noqa: F401
        from app.models import Case
    except ImportError:
        assert "Cases cannot be opened" in str(asked["errors"][0])
    else:
        assert Case.select().count() == 1 and asked["inform"][0].startswith("Case ")
        assert not asked["errors"]


def test_new_check_and_print_record(make_page, world, monkeypatch, asked, tmp_path, qtbot):
    dialog = StartCheckDialog(None)
    qtbot.addWidget(dialog)
    dialog.customer_picker.search("pena")
    dialog.customer_picker.choose(dialog.customer_picker.matches()[0])
    assert dialog.unit_combo.count() == 2 and dialog.sold_unit_id() is not None
    page = make_page(world["ana"])
    monkeypatch.setattr(StartCheckDialog, "ask", staticmethod(lambda parent: world["tv_unit"].id))
    monkeypatch.setattr(
        CheckDialog, "ask", staticmethod(lambda parent, check_id, rep_id, **kw: None)
    )  # saved as draft
    page.create_new()
    assert page.model.total_count() == 1 and page.model.row_at(0).status is CheckStatus.DRAFT
    check_id = finished_check(world, world["unit"], [OK, OK, OK], NOW - dt.timedelta(days=1))
    page.refresh()
    assert page.select_check(check_id)
    # "Print record…" opens the same preview as every document, with Print… and Save as….
    Customer.update(language="en").where(Customer.id == world["pena"].id).execute()
    target = tmp_path / "kept" / "record.pdf"
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
    page.print_selected()
    [(title, pages, temporary)] = seen
    assert title == "Correct-use check record" and pages == 1
    assert suggested[0].parent == documents_folder() and suggested[0].name.startswith("check-")
    text = PdfReader(str(target)).pages[0].extract_text()
    assert "Correct-use check record" in text  # the customer's language
    assert not temporary.parent.exists()  # the temporary copy went with the preview
    assert not asked["errors"]


def test_the_agenda_hands_a_reached_usage_check_over_to_the_checklist(qtbot, world, monkeypatch, asked):
    visit = FollowUp.create(
        customer=world["pena"].id,
        rep=world["ana"].id,
        kind=FollowUpKind.VISIT,
        purpose=FollowUpPurpose.USAGE_CHECK,
        scheduled_at=NOW,
        sold_unit=world["unit"].id,
    )
    page = AgendaPage(AppContext(database=None, current_rep=world["ana"]), clock=lambda: NOW)
    qtbot.addWidget(page)
    page.show_view(TODAY)
    assert page.select_follow_up(visit.id)
    monkeypatch.setattr(
        CompleteFollowUpDialog,
        "ask",
        staticmethod(lambda parent, row: CompletionInput(FollowUpOutcome.REACHED, "All fine")),
    )
    opened = []

    def ask(parent, check_id, rep_id, *, clock=None, notes=""):
        opened.append((check_id, notes))
        detail = checks.get_check(check_id)
        checks.save_answers(
            check_id, [a.to_input().__class__(a.item_id, OK) for a in detail.answers], "", notes=notes
        )
        return checks.finish_check(check_id, rep_id, now=clock())

    monkeypatch.setattr(CheckDialog, "ask", staticmethod(ask))
    monkeypatch.setattr(errors_module, "show_error", lambda p, exc, t=None: asked["errors"].append(exc))
    page.complete_selected()
    assert opened and opened[0][1] == "All fine"
    done = FollowUp.get_by_id(visit.id)
    assert (done.state, done.outcome) == (FollowUpState.DONE, FollowUpOutcome.REACHED)
    assert UsageCheck.get_by_id(opened[0][0]).notes == "All fine"
    assert asked["propose"] == [] and not asked["errors"]


# --- the dialog by keyboard ----------------------------------------------------------------------


def focused():
    return QApplication.focusWidget()


def test_the_check_dialog_runs_by_keyboard_draft_then_finish(qtbot, world, asked):
    check_id = checks.start_check(world["unit"].id, world["ana"].id, now=NOW)
    dialog = CheckDialog(None, check_id, world["ana"].id, clock=lambda: NOW + dt.timedelta(minutes=30))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.present_edit.setFocus()
    qtbot.waitUntil(lambda: focused() is dialog.present_edit, timeout=2000)
    qtbot.keyClicks(dialog.present_edit, "Juan Pena")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    rows = dialog.item_rows()
    assert focused() is rows[0].selector
    qtbot.keyClick(focused(), Qt.Key.Key_1)  # OK
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is rows[0].note
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is rows[0].trained
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is rows[1].selector
    qtbot.keyClick(focused(), Qt.Key.Key_2)  # Not OK
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "Never descaled")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)  # trained on site
    assert rows[1].trained.isChecked()
    # Signature drawn with the mouse.
    pad = dialog.signature_pad()
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20, 60))
    for x in range(30, 200, 20):
        qtbot.mouseMove(pad, QPoint(x, 40 + (x % 40)))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(200, 50))
    assert not pad.is_empty()
    # Finishing with an item unanswered is refused and lists it.
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result is None and dialog.isVisible()
    assert "Still unanswered" in dialog.missing_text() and "• 3. Cleans the frother" in dialog.missing_text()
    assert focused() is rows[2].selector
    # Ctrl+S keeps the draft and closes.
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    saved = checks.get_check(check_id)
    assert saved.status is CheckStatus.DRAFT and saved.present_people == "Juan Pena"
    assert [a.result for a in saved.answers] == [OK, NOT_OK, None]
    assert saved.answers[1].note == "Never descaled" and saved.answers[1].trained_on_site
    assert saved.signature_png.startswith(b"\x89PNG")

    # Resumed: what was saved is back; answer the last item and finish.
    again = CheckDialog(None, check_id, world["ana"].id, clock=lambda: NOW + dt.timedelta(minutes=30))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    again.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is again, timeout=2000)
    rows = again.item_rows()
    assert rows[1].selector.result() is NOT_OK and rows[1].note.text() == "Never descaled"
    assert not again.signature_pad().is_empty()
    rows[2].selector.setFocus()
    qtbot.keyClick(rows[2].selector, Qt.Key.Key_3)  # not applicable
    qtbot.keyClick(again, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert again.result is not None and not again.result.passed and again.result.offer_case
    assert again.result.score == 0.5 and again.result.minutes == 30
    assert UsageCheck.get_by_id(check_id).status is CheckStatus.COMPLETED


def test_a_finished_check_opens_read_only_with_print(qtbot, world, asked):
    check_id = finished_check(world, world["unit"], [OK, OK, NA], NOW)
    dialog = CheckDialog(None, check_id)
    qtbot.addWidget(dialog)
    rows = dialog.item_rows()
    assert not rows[0].selector.isEnabled()
    assert dialog._print.isVisibleTo(dialog) and not dialog._finish_button.isVisibleTo(dialog)


def test_selector_keys_and_clicks(qtbot):
    from app.views.checks.dialog import ResultSelector

    selector = ResultSelector()
    qtbot.addWidget(selector)
    qtbot.keyClick(selector, Qt.Key.Key_Right)
    assert selector.result() is OK
    qtbot.keyClick(selector, Qt.Key.Key_Right)
    assert selector.result() is NOT_OK
    qtbot.keyClick(selector, Qt.Key.Key_Delete)
    assert selector.result() is None
    qtbot.mouseClick(selector.button(NA), Qt.MouseButton.LeftButton)
    assert selector.result() is NA
    qtbot.mouseClick(selector.button(NA), Qt.MouseButton.LeftButton)  # a second click clears
    assert selector.result() is None


def test_signature_pad_exports_png(qtbot):
    from app.views.checks.signature import SignaturePad

    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(300, 100)
    assert pad.png() is None
    pad.add_stroke([QPointF(10, 10), QPointF(100, 60)])
    data = pad.png()
    assert data.startswith(b"\x89PNG")
    other = SignaturePad()
    qtbot.addWidget(other)
    other.set_png(data)
    assert not other.is_empty()
    other.clear()
    assert other.is_empty()


def test_changes_signal_is_emitted_after_a_draft(qtbot, world, asked):
    check_id = checks.start_check(world["unit"].id, world["ana"].id, now=NOW)
    dialog = CheckDialog(None, check_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(app_events().data_changed) as signal:
        dialog.save_draft()
    assert CHECKS in signal.args[0]
