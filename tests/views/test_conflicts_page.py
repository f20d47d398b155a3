"""The Conflicts page (issue 16, item 8): a laptop's open conflicts with base, mine and theirs in the
user's words, decided there (keep mine, keep the office's, type a value, discard), each decision a
normal change the next sync sends; the sidebar's badge; what a database that does not sync shows.

Laptop databases are built by hand (tests/laptops.py): a SQLite file with the laptop's sync tables
and conflict rows as a pull leaves them, so these run without an office."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QLabel

from app import i18n
from app.models import Customer, FollowUp, db
from app.models.database import close_database, open_database
from app.models.enums import FollowUpKind, FollowUpPurpose
from app.models.sync_schema import BY_NAME, json_of
from app.sync.conflicts import open_conflicts
from app.sync.labels import describe_conflict
from app.sync.status import this_laptop, visible_conflicts
from app.views.conflicts import page as page_module
from app.views.conflicts.dialogs import TypedValue, TypeValueDialog
from app.views.conflicts.page import ConflictsPage
from app.views.conflicts.table_model import ConflictsTableModel
from app.views.events import CONFLICTS, CUSTOMERS, app_events
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from app.views.sync_indicator import SyncController
from tests.laptops import add_conflict, make_laptop, outbox
from tests.views.conftest import _finish_background_work


@pytest.fixture
def sqlite_file(tmp_path):
    """A standalone laptop's own SQLite file, whatever engine the run tests."""
    info = open_database(str(tmp_path / "laptop.sqlite3"))
    yield info
    _finish_background_work()
    close_database()


@pytest.fixture
def laptop(sqlite_file):
    """A laptop database with a customer whose phone changed on both sides, and a follow-up."""
    laptop_id = make_laptop()
    ana = Customer.create(code="C-00012", name="Ana López", phone="+34 611 111 111")
    call = FollowUp.create(
        customer=ana,
        kind=FollowUpKind.CALL,
        purpose=FollowUpPurpose.COMMERCIAL,
        scheduled_at=dt.datetime(2026, 11, 25, 9, 30),
    )
    db.obj.execute_sql("DELETE FROM sync_outbox")  # as after a sync: nothing waits to be sent
    phone = add_conflict(
        laptop_id, "customer", ana.uid, "phone", "+34 600 000 001", "+34 622 222 222", "+34 611 111 111"
    )
    return {"info": sqlite_file, "id": laptop_id, "customer": ana, "call": call, "phone": phone}


@pytest.fixture(autouse=True)
def no_automatic_syncs(monkeypatch):
    """The window's first automatic sync waits for the test to ask."""
    from app.views import sync_indicator

    monkeypatch.setattr(sync_indicator, "FIRST_SYNC_MS", 24 * 3600 * 1000)


def make_page(qtbot, info) -> ConflictsPage:
    page = ConflictsPage(AppContext(database=info))
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    qtbot.waitUntil(lambda: not page.loading)
    return page


def texts(widget) -> list[str]:
    return [
        label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget) and label.text()
    ]


def test_a_database_that_does_not_sync_explains_where_conflicts_come_from(qtbot, sqlite_file):
    page = make_page(qtbot, sqlite_file)
    assert "postventa sync --init" in page._status.text()
    assert page._stack.currentIndex() == page_module.STATUS


def test_a_laptop_without_conflicts_says_everything_reached_the_office(qtbot, sqlite_file):
    make_laptop()
    page = make_page(qtbot, sqlite_file)
    assert page._status.text() == "No conflicts: everything you changed reached the office."


def test_the_list_shows_this_laptop_s_conflicts_with_labels_and_both_sides(qtbot, laptop):
    add_conflict("another-laptop", "customer", laptop["customer"].uid, "email", "a@b.es", "c@d.es", "e@f.es")
    add_conflict(
        laptop["id"],
        "follow_up",
        laptop["call"].uid,
        "scheduled_at",
        "2026-11-25 09:30:00",
        "2026-11-26 16:00:00",
        "2026-11-27T10:00:00",
    )
    page = make_page(qtbot, laptop["info"])
    model = page._model
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert rows == [
        ["Ana López (C-00012)", "Phone", "Changed on both sides"],
        ["Phone call with Ana López, 25/11/2026 09:30", "Planned for", "Changed on both sides"],
    ]
    assert page._count.text() == "2 open conflicts"
    assert page.values_shown() == [
        ["", "Before", "This computer", "The office"],
        ["Phone", "+34 600 000 001", "+34 622 222 222", "+34 611 111 111"],
    ]
    page._select_row(1)
    assert page.values_shown()[1] == [
        "Planned for",
        "25/11/2026 09:30",
        "26/11/2026 16:00",
        "27/11/2026 10:00",
    ]
    shown = " ".join(texts(page))
    assert "scheduled_at" not in shown and "follow_up" not in shown
    assert [b.text() for b in (page.mine_button, page.theirs_button, page.type_button) if b.isVisible()] == [
        "Keep mine",
        "Keep the office's",
        "Type a value…",
    ]
    assert not page.discard_button.isVisible()


def test_keep_mine_writes_my_value_queues_it_for_the_office_and_closes_the_conflict(qtbot, laptop):
    page = make_page(qtbot, laptop["info"])
    with qtbot.waitSignal(app_events().data_changed) as signal:
        page.mine_button.click()
    assert {CONFLICTS, CUSTOMERS} <= signal.args[0]
    assert Customer.get_by_id(laptop["customer"].id).phone == "+34 622 222 222"
    assert open_conflicts() == []
    assert outbox() == [
        ("customer", laptop["customer"].uid, "update"),
        ("sync_conflict", str(laptop["phone"]), "resolve"),
    ]
    qtbot.waitUntil(lambda: page._status.text() == "No conflicts: everything you changed reached the office.")


def test_keep_the_office_s_leaves_the_record_as_it_is(qtbot, laptop):
    page = make_page(qtbot, laptop["info"])
    page.theirs_button.click()
    assert Customer.get_by_id(laptop["customer"].id).phone == "+34 611 111 111"
    assert open_conflicts() == []
    assert outbox() == [("sync_conflict", str(laptop["phone"]), "resolve")]


def test_a_typed_value_goes_into_the_record(qtbot, laptop, monkeypatch):
    page = make_page(qtbot, laptop["info"])
    asked = []
    monkeypatch.setattr(
        TypeValueDialog,
        "ask",
        classmethod(lambda cls, parent, view: asked.append(view) or TypedValue("+34 633 333 333")),
    )
    page.type_button.click()
    assert asked[0].record == "Ana López (C-00012)"
    assert Customer.get_by_id(laptop["customer"].id).phone == "+34 633 333 333"
    assert open_conflicts() == []


def test_a_refused_change_can_be_discarded_after_saying_what_is_lost(qtbot, laptop, monkeypatch):
    ana = laptop["customer"]
    db.obj.execute_sql("DELETE FROM sync_conflict")
    add_conflict(
        laptop["id"],
        "customer",
        ana.uid,
        None,
        mine={"notes": "Called on Monday", "phone": "+34 699 000 000"},
        kind="refused",
        reason="permission denied: update of a record of another rep",
    )
    page = make_page(qtbot, laptop["info"])
    assert [b.isVisible() for b in (page.mine_button, page.theirs_button, page.type_button)] == [False] * 3
    assert page.values_shown() == [
        ["", "This computer"],
        ["Phone", "+34 699 000 000"],
        ["Notes", "Called on Monday"],
    ]
    questions: list[str] = []
    answers = [False, True]
    monkeypatch.setattr(
        page_module, "confirm_discard", lambda parent, question: questions.append(question) or answers.pop(0)
    )
    page.discard_button.click()
    assert len(open_conflicts()) == 1  # declined: nothing happened
    page.discard_button.click()
    assert open_conflicts() == []
    assert "Ana López (C-00012)" in questions[0] and "Notes: Called on Monday" in questions[0]
    assert Customer.get_by_id(ana.id).notes == ""  # discarding writes nothing into the record


def test_the_table_model_passes_the_model_tester(qtmodeltester, laptop):
    model = ConflictsTableModel()
    model.set_rows([describe_conflict(c, this_laptop()) for c in visible_conflicts()])
    qtmodeltester.check(model)
    qtmodeltester.check(ConflictsTableModel())


def test_the_type_a_value_dialog_converts_through_the_field(qtbot, laptop):
    view = describe_conflict(open_conflicts()[0], laptop["id"])
    dialog = TypeValueDialog(view)
    qtbot.addWidget(dialog)
    assert dialog.editor.text() == "+34 622 222 222"  # starts from mine
    assert dialog.editor.maxLength() == Customer.phone.max_length
    ana = laptop["customer"]
    add_conflict(laptop["id"], "warranty_return", ana.uid, "refund_amount", "10.00", "12.50", "15.00")
    money = describe_conflict(open_conflicts()[-1], laptop["id"])
    i18n.set_language("es")
    try:
        dialog = TypeValueDialog(money)
        qtbot.addWidget(dialog)
        assert dialog.editor.text() == "12,50"
        dialog.editor.setText("1.234,5")
        assert dialog.value() == TypedValue(Decimal("1234.50"))
        dialog.editor.setText("-3")
        dialog._on_buttons_accepted()
        assert dialog.error_text() == i18n._("The amount cannot be negative.") and dialog.typed is None
    finally:
        i18n.set_language("en")


def test_a_date_and_time_is_typed_with_date_and_time_editors(qtbot, laptop):
    add_conflict(
        laptop["id"],
        "follow_up",
        laptop["call"].uid,
        "scheduled_at",
        "2026-11-25 09:30:00",
        "2026-11-26 16:00:00",
        "2026-11-27 10:00:00",
    )
    view = describe_conflict(open_conflicts()[-1], laptop["id"])
    dialog = TypeValueDialog(view)
    qtbot.addWidget(dialog)
    assert dialog.value() == TypedValue(dt.datetime(2026, 11, 26, 16, 0))


def test_the_window_badges_the_sidebar_with_the_open_conflicts(qtbot, laptop):
    add_conflict(laptop["id"], "customer", laptop["customer"].uid, "email", "a@b.es", "c@d.es", "e@f.es")
    window = MainWindow(AppContext(database=laptop["info"]))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.sidebar_text("conflicts") == "Conflicts (2)")  # the page not built yet
    assert window.built_pages() == [window.current_page()]
    page = window.show_page("conflicts")  # built when first shown: it loads in the background
    qtbot.waitUntil(lambda: not page.loading)
    page.mine_button.click()
    qtbot.waitUntil(lambda: window.sidebar_text("conflicts") == "Conflicts (1)")
    window.current_page().theirs_button.click()
    qtbot.waitUntil(lambda: window.sidebar_text("conflicts") == "Conflicts")


def test_a_window_on_a_database_that_does_not_sync_has_no_badge_nor_sync(qtbot, sqlite_file):
    window = MainWindow(AppContext(database=sqlite_file))
    qtbot.addWidget(window)
    window.show()
    controller: SyncController = window.sync
    qtbot.waitUntil(lambda: not window.page("conflicts").loading)
    _finish_background_work()
    assert window.sidebar_text("conflicts") == "Conflicts"
    assert controller.status is None
    assert not controller.indicator.isVisible() and not controller.action.isVisible()


def test_a_value_typed_or_kept_is_checked_by_the_customer_dialog_s_rules(laptop):
    """A typed or kept value is a normal edit: the rules of the customer dialog hold (they were
    skipped: a malformed e-mail or tax id went into the record and on to the office)."""
    from app.services.errors import ValidationError
    from app.sync.conflicts import Choice, resolve_conflict

    ana = laptop["customer"]
    db.obj.execute_sql("DELETE FROM sync_conflict")
    email = add_conflict(laptop["id"], "customer", ana.uid, "email", "", "ana@@example", "ana@example.es")
    tax_id = add_conflict(laptop["id"], "customer", ana.uid, "tax_id", "", "12345678Z", "12345678A")
    with pytest.raises(ValidationError):
        resolve_conflict(email, Choice.TYPED, "not an e-mail")
    with pytest.raises(ValidationError):
        resolve_conflict(email, Choice.MINE)
    with pytest.raises(ValidationError):
        resolve_conflict(tax_id, Choice.TYPED, "12345678A")  # the check letter is Z
    assert Customer.get_by_id(ana.id).email == "" and len(open_conflicts()) == 2

    resolve_conflict(email, Choice.TYPED, "  ana.lopez@example.es ")
    resolve_conflict(tax_id, Choice.MINE)
    saved = Customer.get_by_id(ana.id)
    assert (saved.email, saved.tax_id) == ("ana.lopez@example.es", "12345678Z")
    assert open_conflicts() == []


def test_the_refusals_of_one_transaction_are_one_item_decided_together(qtbot, laptop, monkeypatch):
    ana, call = laptop["customer"], laptop["call"]
    db.obj.execute_sql("DELETE FROM sync_conflict")
    add_conflict(
        laptop["id"],
        "customer",
        ana.uid,
        None,
        mine={"notes": "Nueva"},
        kind="refused",
        reason="permission denied",
    )
    along = f"refused with customer {ana.uid}, written in the same transaction on the laptop"
    for _n in range(2):
        add_conflict(
            laptop["id"],
            "follow_up",
            call.uid,
            None,
            mine={"notes": "Con ella"},
            kind="refused",
            reason=along,
        )
    page = make_page(qtbot, laptop["info"])
    assert page._model.rowCount() == 1 and len(open_conflicts()) == 1
    assert "2 other changes made with it on this computer" in page.explanation_label.text()
    monkeypatch.setattr(page_module, "confirm_discard", lambda parent, question: True)
    page.discard_button.click()
    qtbot.waitUntil(lambda: not page.loading)
    assert open_conflicts() == []
    assert [op for _table, _uid, op in outbox()] == ["resolve"] * 3  # the office hears of all three


def test_a_change_to_a_record_the_office_deleted_offers_to_record_it_again(qtbot, laptop):
    call = laptop["call"]
    db.obj.execute_sql("DELETE FROM sync_conflict")
    row = json.loads(
        db.obj.execute_sql(
            f"SELECT {json_of(BY_NAME['follow_up'], 'r')} FROM follow_up r WHERE uid = ?", (call.uid,)
        ).fetchone()[0]
    )
    FollowUp.delete().where(FollowUp.id == call.id).execute()  # the office's deletion, pulled
    db.obj.execute_sql("DELETE FROM sync_outbox")
    add_conflict(
        laptop["id"],
        "follow_up",
        call.uid,
        None,
        base={**row},
        mine={**row, "notes": "Llevar folleto"},
        kind="deleted",
    )
    page = make_page(qtbot, laptop["info"])
    assert page.mine_button.isVisible() and page.mine_button.text() == "Record it again"
    assert page.values_shown() == [
        ["", "Before", "This computer"],
        ["Notes", "—", "Llevar folleto"],
    ]  # what changed
    page.mine_button.click()
    qtbot.waitUntil(lambda: not page.loading)
    assert FollowUp.get(FollowUp.uid == call.uid).notes == "Llevar folleto"
    assert [op for _table, _uid, op in outbox()] == ["insert", "resolve"]
