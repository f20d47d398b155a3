"""A laptop's window syncing with a real office (issue 16, items 8 and 9, end to end): Sync now with
the password from the keyring, a real conflict on the Conflicts page with both values, decided there
and sent to the office by the next sync."""

from __future__ import annotations

import pytest

from app import credentials
from app.models import Customer, db
from app.models.database import (
    close_database,
    forget_credentials,
    open_database,
    open_office,
    use_credentials,
)
from app.sync import laptop as laptop_side
from app.sync.engine import init_laptop, synchronise
from app.views import sync_indicator
from app.views.conflicts.page import ConflictsPage
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from app.views.sync_indicator import Link
from tests.server_office import PASSWORD, set_up_office
from tests.views.conftest import _finish_background_work

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


@pytest.fixture
def office(new_database, monkeypatch, capsys):
    monkeypatch.setattr(sync_indicator, "FIRST_SYNC_MS", 24 * 3600 * 1000)
    office = set_up_office(new_database("office"), monkeypatch, capsys)
    for login in (office.rep, office.manager):
        use_credentials(office.url_of(login), login, PASSWORD)
    yield office
    _finish_background_work()
    close_database()
    for login in (office.rep, office.manager):
        forget_credentials(office.url_of(login))


def _office_phone(office, uid: str) -> str:
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT phone FROM customer WHERE uid = %s", (uid,))
        return cursor.fetchone()[0]


def test_sync_now_sends_the_laptop_s_work_and_a_conflict_is_decided_on_the_page(qtbot, office, tmp_path):
    ana_path, mia_path = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana_path, office.url_of(office.rep))
    init_laptop(mia_path, office.url_of(office.manager))
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT uid FROM customer WHERE rep_id = %s ORDER BY id LIMIT 1", (office.rep_id,))
        uid = cursor.fetchone()[0]
    # The manager changes the phone on her laptop and syncs first.
    open_database(str(mia_path), create=False)
    Customer.update(phone="+34 622 222 222").where(Customer.uid == uid).execute()
    server = open_office(office.url_of(office.manager))
    synchronise(db.obj, server)
    server.close()
    close_database()
    # The rep changed it too, offline; her window syncs with the password from the keyring only.
    info = open_database(str(ana_path), create=False)
    Customer.update(phone="+34 611 111 111").where(Customer.uid == uid).execute()
    shown_server = laptop_side.laptop_state(db.obj)[1]
    assert credentials.remember_password(shown_server, office.rep, PASSWORD)
    forget_credentials(office.url_of(office.rep))
    window = MainWindow(AppContext(database=info))
    qtbot.addWidget(window)
    window.show()
    controller = window.sync
    qtbot.waitUntil(lambda: controller.status is not None)
    assert controller.status.pending == 1
    with qtbot.waitSignal(controller.sync_finished, timeout=30000) as finished:
        controller.sync_now()
    assert finished.args == [True] and controller.link is Link.ONLINE
    qtbot.waitUntil(lambda: controller.status.pending == 0 and controller.status.last_sync is not None)
    assert _office_phone(office, uid) == "+34 622 222 222"  # the office kept its value
    qtbot.waitUntil(lambda: window.sidebar_text("conflicts") == "Conflicts (1)")
    page = window.show_page("conflicts")  # built when first shown: it loads in the background
    qtbot.waitUntil(lambda: not page.loading)
    assert page.values_shown()[1][2:] == ["+34 611 111 111", "+34 622 222 222"]
    page.mine_button.click()
    with qtbot.waitSignal(controller.sync_finished, timeout=30000) as finished:
        controller.sync_now()
    assert finished.args == [True]
    assert _office_phone(office, uid) == "+34 611 111 111"
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL")
        assert cursor.fetchone()[0] == 0
    qtbot.waitUntil(lambda: window.sidebar_text("conflicts") == "Conflicts")


def test_at_the_office_the_page_shows_every_laptop_s_conflicts(qtbot, office, tmp_path):
    ana_path, mia_path = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana_path, office.url_of(office.rep))
    init_laptop(mia_path, office.url_of(office.manager))
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT uid FROM customer WHERE rep_id = %s ORDER BY id LIMIT 1", (office.rep_id,))
        uid = cursor.fetchone()[0]
    for path, login, phone in (
        (mia_path, office.manager, "+34 622 222 222"),
        (ana_path, office.rep, "+34 611 111 111"),
    ):
        open_database(str(path), create=False)
        Customer.update(phone=phone).where(Customer.uid == uid).execute()
        server = open_office(office.url_of(login))
        synchronise(db.obj, server)
        server.close()
        close_database()
    info = open_database(office.url_of(office.manager))
    page = ConflictsPage(AppContext(database=info))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.loading)
    assert page.values_shown()[0][2:] == [f"Laptop: {office.rep}", "The office"]
    assert page.mine_button.text() == "Keep the laptop's"
    page.theirs_button.click()
    qtbot.waitUntil(
        lambda: page._status.text() == "No conflicts: every change from the laptops reached the office."
    )
    assert _office_phone(office, uid) == "+34 622 222 222"
