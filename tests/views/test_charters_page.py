"""The Service charters page driven like a manager would: write, save, fix, activate, preview."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.models import ProductCategory, ServiceCharter
from app.models.enums import CaseCategory, CharterIndicator, CharterPeriod, CharterType, ContactChannel
from app.services import charters as service
from app.services.charters import indicators as charter_indicators
from app.services.charters.indicators import Scope
from app.views import dialogs
from app.views.charters import editor as editor_module
from app.views.charters.editor import C_DAYS, C_INDICATOR, C_MEASURED, C_PERIOD, C_SCOPE, C_TARGET, C_TEXT
from app.views.charters.page import ChartersPage
from app.views.dialogs import Unsaved
from app.views.events import CHARTERS, app_events
from app.views.pages.base import AppContext

TODAY = dt.date(2026, 11, 23)
PHONE = service.ChannelEntry(ContactChannel.PHONE, "+34 910 000 000", "9-14")


def saved_charter(title="Attention", active=False, **changes) -> int:
    data = service.CharterInput(
        type=changes.pop("type", CharterType.CUSTOMER_ATTENTION),
        title=title,
        valid_from=dt.date(2026, 1, 1),
        channels=(PHONE,),
        procedure="p",
        principles="q",
        commitments=(
            service.CommitmentInput(
                "We answer claims", CharterIndicator.CLAIMS_ANSWERED, 10, 95, CharterPeriod.QUARTER
            ),
        ),
    )
    charter_id = service.save_charter(None, data)
    if active:
        service.activate_charter(charter_id)
    return charter_id


@pytest.fixture
def no_measuring(monkeypatch):
    """Commitments measured as 'nothing to measure' unless a test says otherwise."""
    calls = []

    def fake(indicator, days, start, end, *, rep_id=None, today, scope=None):
        calls.append((indicator, days, start, end, today, scope))
        return charter_indicators.Measurement(indicator, days, None, None, 0)

    monkeypatch.setattr(charter_indicators, "measure", fake)
    return calls


@pytest.fixture
def make_page(qtbot, database, no_measuring):
    def make() -> ChartersPage:
        page = ChartersPage(AppContext(database=database), today=lambda: TODAY)
        qtbot.addWidget(page)
        page.resize(1200, 800)
        page.show()
        return page

    return make


def fill_commitment(
    page: ChartersPage,
    row: int,
    text: str,
    indicator: CharterIndicator,
    days: int,
    target: str,
    period: CharterPeriod = CharterPeriod.MONTH,
) -> None:
    table = page.editor._commitments
    table.item(row, C_TEXT).setText(text)
    combo = table.cellWidget(row, C_INDICATOR)
    combo.setCurrentIndex(combo.findData(indicator))
    table.cellWidget(row, C_DAYS).setValue(days)
    table.item(row, C_TARGET).setText(target)
    period_combo = table.cellWidget(row, C_PERIOD)
    period_combo.setCurrentIndex(period_combo.findData(period))


def test_empty_state_then_a_new_charter_written_and_saved(qtbot, make_page):
    page = make_page()
    assert page._stack.currentIndex() == 0  # the empty state says what a charter is
    assert "no service charters yet" in page._empty_label.text()

    assert page.create_new()  # Ctrl+N
    assert page._stack.currentIndex() == 1
    assert page.editor._procedure.toPlainText().startswith("1. Reception")
    assert page.editor._principles.toPlainText().splitlines()[0].startswith("Quality")
    qtbot.keyClicks(page.editor._title, "Customer attention 2026")
    page.editor._channels.item(0, 1).setText("+34 910 000 000")
    qtbot.mouseClick(page.editor._add_commitment, Qt.MouseButton.LeftButton)
    fill_commitment(
        page, 0, "We call you within 2 working days", CharterIndicator.FIRST_CONTACT_AFTER_DELIVERY, 2, "95"
    )
    with qtbot.waitSignal(app_events().data_changed) as signal:
        qtbot.mouseClick(page.editor._save, Qt.MouseButton.LeftButton)
    assert CHARTERS in signal.args[0]

    charter = ServiceCharter.get()
    assert (charter.title, charter.version, charter.active) == ("Customer attention 2026", 1, False)
    detail = service.get_charter(charter.id)
    assert [(m.text, m.indicator, m.days, float(m.target), m.period) for m in detail.commitments] == [
        (
            "We call you within 2 working days",
            CharterIndicator.FIRST_CONTACT_AFTER_DELIVERY,
            2,
            95.0,
            CharterPeriod.MONTH,
        ),
    ]
    assert [c.channel for c in detail.channels] == [ContactChannel.PHONE]
    assert page.current_charter_id() == charter.id and not page.editor.is_modified()
    group = page._tree.topLevelItem(0)
    assert (group.text(0), group.child(0).text(0), group.child(0).text(1), group.child(0).text(2)) == (
        "Product access",
        "Customer attention 2026",
        "1",
        "Draft",
    )  # the first type without a charter


def _tick(button, label: str) -> None:
    """Choose `label` in a scope button's menu (as a click on it does)."""
    (action,) = [a for a in button.menu().actions() if a.text() == label]
    action.trigger()


def test_the_editor_saves_a_commitment_s_scope(qtbot, make_page, no_measuring):
    ProductCategory.create(code="cafe", name="Cafeteras")
    page = make_page()
    page.create_new()
    qtbot.keyClicks(page.editor._title, "Financing")
    page.editor._channels.item(0, 1).setText("+34 910 000 000")
    qtbot.mouseClick(page.editor._add_commitment, Qt.MouseButton.LeftButton)
    fill_commitment(
        page, 0, "We answer billing claims in {days} days", CharterIndicator.CLAIMS_ANSWERED, 10, "95"
    )
    button = page.editor._commitments.cellWidget(0, C_SCOPE)
    assert button.text() == "Everything" and button.isEnabled()
    _tick(button, "Billing")
    _tick(button, "Phone")
    _tick(button, "Cafeteras")
    assert button.text() == "Billing and 2 more"
    assert button.toolTip() == "Measured only over: Billing · Cafeteras · Phone"
    # Measured again over the scope.
    chosen = Scope((CaseCategory.BILLING,), ("cafe",), ContactChannel.PHONE)
    qtbot.waitUntil(lambda: chosen in [call[-1] for call in no_measuring], timeout=5000)
    with qtbot.waitSignal(app_events().data_changed):
        qtbot.mouseClick(page.editor._save, Qt.MouseButton.LeftButton)
    (row,) = service.get_charter(ServiceCharter.get().id).commitments
    assert (row.case_categories, row.product_categories, row.channel) == (
        (CaseCategory.BILLING,),
        ("cafe",),
        ContactChannel.PHONE,
    )
    # Opened again, the button shows it; an indicator about surveys takes no scope: it is cleared.
    page.editor.load(ServiceCharter.get().id)
    button = page.editor._commitments.cellWidget(0, C_SCOPE)
    assert button.toolTip() == "Measured only over: Billing · Cafeteras · Phone"
    combo = page.editor._commitments.cellWidget(0, C_INDICATOR)
    combo.setCurrentIndex(combo.findData(CharterIndicator.NPS))
    assert button.text() == "Everything" and not button.isEnabled()
    combo.setCurrentIndex(combo.findData(CharterIndicator.RETURNS_RESOLVED))
    assert button.isEnabled()
    assert not [a for a in button.menu().actions() if a.text() == "Billing"][0].isEnabled()


def test_a_commitment_is_not_in_force_before_the_charter_starts(qtbot, make_page, no_measuring):
    page = make_page()
    page.create_new()
    qtbot.mouseClick(page.editor._add_commitment, Qt.MouseButton.LeftButton)
    fill_commitment(page, 0, "x", CharterIndicator.CLAIMS_ANSWERED, 10, "95", CharterPeriod.MONTH)
    page.editor._valid_from.setDate(page.editor._valid_from.date().addYears(1))
    assert page.editor._commitments.item(0, C_MEASURED).text() == "Not in force"
    page.editor._valid_from.setDate(page.editor._valid_from.date().addYears(-2))
    qtbot.waitUntil(
        lambda: page.editor._commitments.item(0, C_MEASURED).text() == "No data yet", timeout=5000
    )


def test_validation_messages_appear_next_to_their_fields(qtbot, make_page):
    page = make_page()
    page.create_new()
    qtbot.mouseClick(page.editor._add_commitment, Qt.MouseButton.LeftButton)
    fill_commitment(page, 0, "", CharterIndicator.AVERAGE_SATISFACTION, 0, "7")
    page.editor._has_end.setChecked(True)
    page.editor._valid_to.setDate(page.editor._valid_from.date().addDays(-1))
    qtbot.mouseClick(page.editor._save, Qt.MouseButton.LeftButton)

    assert page.editor.error_text("title") == "Give the charter a title."
    assert page.editor.error_text("valid_to") == "The charter cannot end before it starts."
    commitments = page.editor.error_text("commitments")
    assert "Commitment 1: write what the company commits to." in commitments
    assert "Commitment 1: the target must be between 1 and 5." in commitments
    assert ServiceCharter.select().count() == 0

    qtbot.keyClicks(page.editor._title, "Fixed")
    page.editor._has_end.setChecked(False)
    fill_commitment(page, 0, "Happy customers", CharterIndicator.AVERAGE_SATISFACTION, 0, "4.2")
    page.editor._channels.item(1, 1).setText("help@example.com")
    assert page.editor.save()
    assert page.editor.error_text("title") == "" and page.editor.error_text("commitments") == ""
    assert ServiceCharter.get().title == "Fixed"


def test_editing_the_active_charter_saves_version_2_and_the_old_one_opens_read_only(qtbot, make_page):
    v1 = saved_charter("Attention", active=True)
    page = make_page()
    assert page.current_charter_id() == v1
    assert "creates version 2" in page.editor._status.text()
    page.editor._title.clear()
    qtbot.keyClicks(page.editor._title, "Attention revised")
    assert page.editor.is_modified()
    assert page.editor.save()

    v2 = page.current_charter_id()
    assert (
        v2 != v1 and page.editor._version.text() == "2" and page.editor._title.text() == "Attention revised"
    )
    group = page._tree.topLevelItem(0)
    assert [group.child(i).text(1) for i in range(group.childCount())] == ["2", "1"]  # newest first
    assert ServiceCharter.get_by_id(v1).title == "Attention"

    assert page.open_charter(v1)
    assert page.editor._title.isReadOnly() and not page.editor._save.isEnabled()
    assert "A newer version exists" in page.editor._status.text()  # still the active one, but kept as it was


def test_activate_replaces_the_other_version_of_the_type_after_confirming(qtbot, make_page, monkeypatch):
    v1 = saved_charter("Attention", active=True)
    v2 = service.save_charter(
        v1,
        service.CharterInput(
            type=CharterType.CUSTOMER_ATTENTION,
            title="Attention v2",
            valid_from=dt.date(2026, 6, 1),
            channels=(PHONE,),
            commitments=(service.CommitmentInput("x", CharterIndicator.NPS, None, 30, CharterPeriod.YEAR),),
        ),
    )
    questions = []
    monkeypatch.setattr(editor_module, "confirm", lambda parent, question: questions.append(question) or True)
    page = make_page()
    assert page.open_charter(v2)
    assert page.editor._activate.text() == "Activate"
    with qtbot.waitSignal(app_events().data_changed):
        qtbot.mouseClick(page.editor._activate, Qt.MouseButton.LeftButton)
    assert questions and "Version 1" in questions[0]
    assert service.active_charter_id(CharterType.CUSTOMER_ATTENTION) == v2
    assert not ServiceCharter.get_by_id(v1).active
    assert page.editor._activate.text() == "Deactivate"

    qtbot.mouseClick(page.editor._activate, Qt.MouseButton.LeftButton)
    assert service.active_charter_id(CharterType.CUSTOMER_ATTENTION) is None


def test_a_charter_without_commitments_says_why_it_cannot_be_activated(qtbot, make_page):
    bare = service.save_charter(
        None,
        service.CharterInput(
            type=CharterType.FINANCING, title="Financing", valid_from=dt.date(2026, 1, 1), channels=(PHONE,)
        ),
    )
    page = make_page()
    assert page.open_charter(bare)
    qtbot.mouseClick(page.editor._activate, Qt.MouseButton.LeftButton)
    assert "at least one commitment" in page.editor.error_text("commitments")
    assert service.active_charter_id(CharterType.FINANCING) is None


def test_leaving_a_modified_charter_asks_first(qtbot, make_page, monkeypatch):
    first = saved_charter("First")
    second = saved_charter("Second", type=CharterType.FINANCING)
    answers = [Unsaved.CANCEL, Unsaved.CANCEL, Unsaved.DISCARD]
    asked = []
    monkeypatch.setattr(
        dialogs, "ask_unsaved_changes", lambda parent, question: asked.append(1) or answers.pop(0)
    )
    page = make_page()
    assert page.open_charter(first)
    qtbot.keyClicks(page.editor._title, " changed")

    assert not page.can_leave()  # the window asks before showing another page
    assert not page.open_charter(second)  # Cancel: keep editing
    assert page.current_charter_id() == first and page.editor._title.text() == "First changed"
    assert page.open_charter(second)  # Discard
    assert page.current_charter_id() == second
    assert len(asked) == 3 and page.can_leave() and ServiceCharter.get_by_id(first).title == "First"


def test_each_commitment_shows_its_value_now_against_the_target(qtbot, make_page, monkeypatch, no_measuring):
    charter_id = saved_charter("Attention", active=True)
    service.save_charter(
        charter_id,
        service.CharterInput(
            type=CharterType.CUSTOMER_ATTENTION,
            title="Attention",
            valid_from=dt.date(2026, 1, 1),
            channels=(PHONE,),
            commitments=(
                service.CommitmentInput(
                    "Claims", CharterIndicator.CLAIMS_ANSWERED, 10, 95, CharterPeriod.QUARTER
                ),
                service.CommitmentInput(
                    "Happy", CharterIndicator.AVERAGE_SATISFACTION, None, 4.5, CharterPeriod.YEAR
                ),
            ),
        ),
    )
    service.activate_charter(service.list_charters()[0].id)
    values = {
        CharterIndicator.CLAIMS_ANSWERED: (96.0, 24, 25),
        CharterIndicator.AVERAGE_SATISFACTION: (4.25, None, 8),
    }

    def fake(indicator, days, start, end, *, rep_id=None, today, scope=None):
        no_measuring.append((indicator, days, start, end))
        value, met, total = values[indicator]
        return charter_indicators.Measurement(indicator, days, value, met, total)

    monkeypatch.setattr(charter_indicators, "measure", fake)
    page = make_page()
    table = page.editor._commitments
    qtbot.waitUntil(
        lambda: table.item(1, C_MEASURED).text() != "Measuring…", timeout=5000
    )  # measured in the background
    assert table.item(0, C_MEASURED).text() == "✔ 96.0 % (24 of 25)"
    assert table.item(1, C_MEASURED).text() == "✘ 4.25 of 5 (8 answers)"
    assert (
        CharterIndicator.CLAIMS_ANSWERED,
        10,
        dt.date(2026, 10, 1),
        TODAY,
    ) in no_measuring  # quarter to date
    assert (CharterIndicator.AVERAGE_SATISFACTION, None, dt.date(2026, 1, 1), TODAY) in no_measuring


def test_preview_produces_the_charter_pdf_in_the_background_and_shows_it(qtbot, make_page, monkeypatch):
    from pypdf import PdfReader

    from app.views.reports.preview import PdfPreviewDialog

    saved_charter("Attention", active=True)
    shown = []

    def show_pdf(parent, path, title, file_name=None):
        shown.append((Path(path), title, PdfReader(path).pages[0].extract_text(), file_name))

    monkeypatch.setattr(PdfPreviewDialog, "show_pdf", staticmethod(show_pdf))
    page = make_page()
    qtbot.mouseClick(page.editor._preview, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    [(path, title, text, file_name)] = shown
    assert title == "Attention" and "Attention" in text
    assert file_name == "service-charter.pdf"  # Save as… is offered, as on the Reports page
    assert not path.parent.exists()  # the temporary copy is gone once the preview is closed


def test_ctrl_s_saves_the_charter(qtbot, make_page):
    charter_id = saved_charter("Draft")
    page = make_page()
    page.activateWindow()
    qtbot.waitUntil(lambda: page.isActiveWindow(), timeout=2000)
    page.editor._title.setFocus()
    qtbot.keyClicks(page.editor._title, " two")
    qtbot.keyClick(page.editor._title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert ServiceCharter.get_by_id(charter_id).title == "Draft two"  # a draft is saved in place
    assert not page.editor.is_modified()
