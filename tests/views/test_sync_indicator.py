"""A laptop's sync in the window (issue 16, item 9): the status bar's indicator, File ▸ Sync now and
the automatic sync, all in the background. An automatic sync that fails never opens a dialog; one
the person asked for shows the error, or asks for the password when the office wants it.

The office here is one that cannot be reached (a socket folder with no server) or a stand-in for the
sync function; the whole round trip with a real office is in test_sync_window.py (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app import credentials
from app.models import Customer
from app.models.database import LoginRequiredError, close_database, open_database
from app.sync.engine import SyncOutcome
from app.sync.status import SyncStatus, office_target, sync_status
from app.views import sync_indicator
from app.views.events import EVERYTHING, app_events
from app.views.login import LoginAnswer, LoginDialog
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from app.views.sync_indicator import AUTOMATIC_SYNC_MS, Link, indicator_texts
from tests.laptops import add_conflict, make_laptop
from tests.views.conftest import _finish_background_work


@pytest.fixture(autouse=True)
def no_automatic_syncs(monkeypatch):
    """The first automatic sync waits for the test to ask."""
    monkeypatch.setattr(sync_indicator, "FIRST_SYNC_MS", 24 * 3600 * 1000)


@pytest.fixture
def laptop(tmp_path):
    """A laptop whose office cannot be reached (no server behind the socket folder), with one change
    waiting to be sent and one open conflict."""
    info = open_database(str(tmp_path / "laptop.sqlite3"))
    office = f"postgresql://ana@/postventa?host={tmp_path / 'no-server'}"
    laptop_id = make_laptop(office, "ana")
    ana = Customer.create(code="C-00012", name="Ana López")
    add_conflict(laptop_id, "customer", ana.uid, "phone", "1", "2", "3")
    yield {"info": info, "office": office}
    _finish_background_work()
    close_database()


def make_window(qtbot, info) -> MainWindow:
    window = MainWindow(AppContext(database=info))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.sync.status is not None)
    return window


STATUS = SyncStatus(
    server="postgresql://ana@office.example:5433/postventa",
    login="ana",
    laptop="L1",
    last_sync=dt.datetime(2026, 11, 23, 10, 42),
    pending=3,
    conflicts=1,
)


def test_the_indicator_says_online_or_offline_the_last_sync_and_what_waits():
    today = dt.date(2026, 11, 23)
    text, tip = indicator_texts(STATUS, Link.ONLINE, None, today)
    assert text == "Online · Last sync: 10:42 · 3 changes to send · 1 conflict"
    assert "the database postventa on office.example:5433, as ana" in tip and "Could not" not in tip
    text, tip = indicator_texts(STATUS, Link.OFFLINE, "Cannot reach the office server", dt.date(2026, 11, 24))
    assert text == "Offline · Last sync: 23/11/2026 10:42 · 3 changes to send · 1 conflict"
    assert "Could not sync: Cannot reach the office server" in tip
    assert indicator_texts(STATUS, Link.LOGIN, "asks", today)[0].startswith("Offline — log in with Sync now")
    never = SyncStatus(STATUS.server, "ana", "L1", None, 0, 0)
    assert indicator_texts(never, Link.UNKNOWN, None, today)[0] == "Last sync: never"


def test_the_status_of_a_laptop_counts_its_changes_and_conflicts(laptop):
    status = sync_status()
    assert (status.login, status.pending, status.conflicts, status.last_sync) == ("ana", 1, 1, None)
    assert office_target(status.server).endswith("&connect_timeout=10")


def test_a_laptop_window_shows_the_indicator_sync_now_and_syncs_every_five_minutes(qtbot, laptop):
    window = make_window(qtbot, laptop["info"])
    controller = window.sync
    assert controller.indicator.isVisible() and controller.action.isVisible()
    assert controller.action.shortcut().toString() == "F9"
    assert "1 change to send · 1 conflict" in controller.indicator.text()
    assert controller._timer.isActive() and controller._timer.interval() == AUTOMATIC_SYNC_MS == 300_000
    Customer.create(code="C-00013", name="Luis Gil")  # captured: one more change to send
    app_events().data_changed.emit(frozenset(EVERYTHING), None)
    qtbot.waitUntil(lambda: "2 changes to send" in controller.indicator.text())


def test_an_automatic_sync_that_cannot_reach_the_office_only_says_offline(qtbot, laptop):
    window = make_window(qtbot, laptop["info"])
    controller = window.sync
    with qtbot.waitSignal(controller.sync_finished, timeout=20000) as finished:
        controller.sync_automatically()
    assert finished.args == [False]
    assert controller.link is Link.OFFLINE and not controller.running
    assert controller.indicator.text().startswith("Offline · Last sync: never")
    assert "Could not sync: Cannot reach the office server" in controller.indicator.toolTip()
    # (the autouse guard fails the test on any dialog)


def test_a_sync_the_person_asked_for_shows_what_went_wrong(qtbot, laptop, monkeypatch):
    shown: list[BaseException] = []
    monkeypatch.setattr(sync_indicator, "show_error", lambda parent, exc: shown.append(exc))
    window = make_window(qtbot, laptop["info"])
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.sync.sync_finished, timeout=20000):
        QTest.keyClick(window.windowHandle(), Qt.Key.Key_F9)  # File ▸ Sync now
    assert "Cannot reach the office server" in str(shown[0])


def test_the_office_wants_a_password_sync_now_asks_and_the_keyring_keeps_it(qtbot, laptop, monkeypatch):
    calls: list[tuple] = []

    def sync_with_office(login=None, password=None):
        calls.append((login, password))
        if password is None:
            raise LoginRequiredError("The office server asks for the password of ana.", "ana", rejected=False)
        return SyncOutcome(pushed=1, pulled=4)

    monkeypatch.setattr(sync_indicator, "sync_with_office", sync_with_office)
    asked: list[str | None] = []
    monkeypatch.setattr(
        LoginDialog,
        "ask",
        classmethod(
            lambda cls, parent, target, login, problem=None: (
                asked.append(login) or LoginAnswer("ana", "pw", True)
            )
        ),
    )
    window = make_window(qtbot, laptop["info"])
    controller = window.sync
    # Automatic: no dialog, the indicator says how to log in.
    with qtbot.waitSignal(controller.sync_finished):
        controller.sync_automatically()
    assert controller.link is Link.LOGIN and asked == []
    assert controller.indicator.text().startswith("Offline — log in with Sync now")
    # Asked for: the login dialog, then the sync again with its password; the pages refresh.
    with qtbot.waitSignal(app_events().data_changed) as changed:
        controller.sync_now()
    assert asked == ["ana"] and calls[-1] == ("ana", "pw")
    assert changed.args[0] == EVERYTHING
    assert controller.link is Link.ONLINE
    assert credentials.remembered_password(laptop["office"], "ana") == "pw"
    assert window.statusBar().currentMessage() == "Synced with the office: 1 sent, 4 received."
    # Later automatic syncs use what was typed this session.
    with qtbot.waitSignal(controller.sync_finished):
        controller.sync_automatically()
    assert calls[-1] == ("ana", "pw")
