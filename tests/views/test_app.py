"""Starting the app: first start on an empty database, demo data, refused files, language switch."""

from __future__ import annotations

import pytest

from app.models import Customer
from app.models.database import DatabaseDamagedError, close_database
from app.models.enums import RepRole
from app.services import reps
from app.views import app as app_module
from app.views.first_run import FirstRunChoice, FirstRunDialog, UserPickerDialog
from tests.factories import damage_table, demo_file


@pytest.fixture
def application(qapp, monkeypatch):
    errors: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: errors.append(exc))
    application = app_module.Application("en")
    application.errors = errors
    yield application
    if application.window is not None:
        application.window.dispose()
    application.reminders.stop()
    close_database()


def test_first_start_empty_creates_the_user_and_remembers_them(application, tmp_path, monkeypatch):
    target = str(tmp_path / "fresh.sqlite3")

    def start_empty(parent=None):
        return FirstRunChoice(load_demo=False, rep=reps.create_rep("LFE", "Lucia Fernandez", RepRole.MANAGER))

    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(start_empty))
    assert application.open(target)
    assert application.window.isVisible()
    assert application.window.context.current_rep.code == "LFE"
    assert app_module.remembered_rep(target).code == "LFE"

    # Next start: nobody is asked anything, the same user is back.
    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(lambda parent=None: pytest.fail("asked again")))
    monkeypatch.setattr(UserPickerDialog, "ask", staticmethod(lambda *a, **k: pytest.fail("asked again")))
    assert application.open(target)
    assert application.window.context.current_rep.code == "LFE"


def test_first_start_with_demo_data_then_pick_the_user(application, tmp_path, monkeypatch, qtbot):
    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(lambda parent=None: FirstRunChoice(True, None)))
    picked = []

    def pick(parent=None, current=None):
        rep = reps.list_reps()[0]
        picked.append(rep)
        return rep

    monkeypatch.setattr(UserPickerDialog, "ask", staticmethod(pick))
    assert application.open(str(tmp_path / "demo.sqlite3"))
    assert Customer.select().count() > 0
    assert application.window.context.current_rep == picked[0]


@pytest.mark.sqlite_only("a text file that is not an SQLite file")
def test_a_refused_file_shows_the_reason_and_opens_nothing(application, tmp_path):
    path = tmp_path / "letter.sqlite3"
    path.write_text("not a database")
    assert not application.open(str(path))
    assert application.window is None
    assert "not an SQLite file" in str(application.errors[0])


def test_switching_language_rebuilds_the_window_in_spanish(application, tmp_path, monkeypatch):
    monkeypatch.setattr(
        FirstRunDialog,
        "ask",
        staticmethod(lambda parent=None: FirstRunChoice(False, reps.create_rep("A1", "Alba Ruiz"))),
    )
    application.open(str(tmp_path / "x.sqlite3"))
    first = application.window
    application._on_window_language_changed("es")
    try:
        assert application.window is not first
        assert application.window.context is first.context  # same database and user
        assert application.window.menuBar().actions()[0].text() == "&Archivo"
        assert application.window._sidebar.item(2).text() == "Clientes"
    finally:
        app_module.apply_language("en")


@pytest.mark.sqlite_only("a damaged SQLite file")
def test_the_window_refuses_a_damaged_file_in_a_dialog(qapp, tmp_path, monkeypatch):
    from app.views import app as app_module

    path = demo_file(tmp_path / "damaged.sqlite3")
    damage_table(path, "rep")  # read on the UI thread while the window opens
    shown: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: shown.append(exc))
    application = app_module.Application("en")
    try:
        assert application.open(str(path)) is False
    finally:
        application.reminders.stop()
        close_database()
    assert len(shown) == 1 and isinstance(shown[0], DatabaseDamagedError)
    assert "restore a backup copy" in str(shown[0])


def test_the_first_window_paints_its_frame_then_asks_over_it_and_opens(
    application, tmp_path, monkeypatch, qtbot
):
    # Issue 19: the window's frame is up (and painted) before the database opens; the first-run
    # questions come over it, and the same window then shows the pages.
    asked = []

    def start_empty(parent=None):
        asked.append((parent, parent.context, parent.isVisible(), parent._waiting_for_paint is None))
        return FirstRunChoice(load_demo=False, rep=reps.create_rep("LFE", "Lucia Fernandez", RepRole.MANAGER))

    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(start_empty))
    target = str(tmp_path / "fresh.sqlite3")
    frame = application.show_first_window(target)
    assert frame.context is None and not frame.menuBar().isEnabled()
    assert frame._stack.currentWidget().text() == "Opening the database…"
    qtbot.waitUntil(lambda: frame.context is not None, timeout=5000)

    assert asked == [(frame, None, True, True)]
    assert application.window is frame and frame.isVisible()
    assert frame.context.current_rep.code == "LFE"
    assert frame.menuBar().isEnabled()
    assert frame.current_page() is frame.page("dashboard")
    qtbot.waitUntil(lambda: frame.page("dashboard").summary is not None, timeout=5000)
    assert not application.first_open_failed


@pytest.mark.sqlite_only("a text file that is not an SQLite file")
def test_a_first_window_whose_file_is_refused_ends_the_start(application, tmp_path, qtbot):
    path = tmp_path / "letter.sqlite3"
    path.write_text("not a database")
    ended = []
    frame = application.show_first_window(str(path), on_failure=lambda: ended.append(True))
    qtbot.waitUntil(lambda: ended == [True], timeout=5000)  # start() ends the event loop with 2 there
    assert application.first_open_failed
    assert "not an SQLite file" in str(application.errors[0])
    assert frame.context is None
    assert path.read_text() == "not a database"
    application._back_up_at_quit()  # what quitting then runs: nothing to back up, no error


def test_an_unexpected_error_while_the_first_window_opens_is_shown_and_ends_the_start(
    application, tmp_path, monkeypatch, qtbot
):
    def broken(parent=None):
        raise RuntimeError("the office's rights could not be read")

    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(broken))
    shown = []
    monkeypatch.setattr("app.views.errors.show_error", lambda parent, exc: shown.append(exc))
    ended = []
    application.show_first_window(str(tmp_path / "fresh.sqlite3"), on_failure=lambda: ended.append(True))
    qtbot.waitUntil(lambda: ended == [True], timeout=5000)
    assert [str(error) for error in shown] == ["the office's rights could not be read"]


def test_a_page_clicked_while_the_database_opens_is_the_one_shown(application, tmp_path, monkeypatch, qtbot):
    def start_empty(parent=None):
        parent._sidebar.setCurrentRow(parent.page_keys().index("agenda"))  # clicked meanwhile
        return FirstRunChoice(load_demo=False, rep=None)

    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(start_empty))
    frame = application.show_first_window(str(tmp_path / "fresh.sqlite3"))
    qtbot.waitUntil(lambda: frame.context is not None, timeout=5000)
    assert frame.current_page() is frame.page("agenda")
    assert [page.objectName() for page in frame.built_pages()] == ["page_agenda"]


def test_a_first_window_that_never_paints_opens_its_database_anyway(
    application, tmp_path, monkeypatch, qtbot
):
    monkeypatch.setattr(FirstRunDialog, "ask", staticmethod(lambda parent=None: None))
    frame = application.show_first_window(str(tmp_path / "fresh.sqlite3"))
    frame.hide()  # as a start on another desktop: no paint comes
    qtbot.waitUntil(lambda: frame.context is not None, timeout=5000)
    assert not application.first_open_failed
