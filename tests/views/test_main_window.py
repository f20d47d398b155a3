"""The main window: navigation, shortcuts, remembered page, first start and preferences."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTime
from PySide6.QtTest import QTest

from app.models.enums import RepRole
from app.services import company, reps
from app.views.first_run import FirstRunDialog, UserPickerDialog
from app.views.main_window import MainWindow
from app.views.pages.base import AppContext
from app.views.pages.registry import PAGES
from app.views.preferences import PreferencesDialog


def make_window(qtbot, database, rep=None) -> MainWindow:
    window = MainWindow(AppContext(database=database, current_rep=rep))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def press(window: MainWindow, key: Qt.Key) -> None:
    """Ctrl+key through the window, where Qt's shortcut map sees it (as a real key press)."""
    QTest.keyClick(window.windowHandle(), key, Qt.KeyboardModifier.ControlModifier)


def test_every_page_is_reachable_from_the_sidebar(qtbot, database):
    window = make_window(qtbot, database)
    for spec in PAGES:
        page = window.show_page(spec.key)
        assert window.current_page() is page
        assert page.objectName() == f"page_{spec.key}"


def test_the_window_opens_with_its_first_page_only_and_no_query_on_the_ui_thread(qtbot, database):
    """Pages are built when first shown and load in the background: opening the window sends no
    SQL from the UI thread (a query there freezes the window on a large database)."""
    import threading

    from app.models import db

    sent_here: list[str] = []
    original = db.obj.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            sent_here.append(sql)
        return original(sql, params, *args, **kwargs)

    db.obj.execute_sql = recording
    try:
        window = make_window(qtbot, database)
        qtbot.wait(50)  # the first page's loads start and end in the pool
    finally:
        del db.obj.execute_sql
    assert sent_here == []
    assert [page.objectName() for page in window.built_pages()] == ["page_dashboard"]
    # A page asked for, or navigated to, is built then; the others stay unbuilt.
    window.navigate("returns", {"overdue": True})
    assert window.current_page()._overdue.isChecked()
    assert window.page("customers").objectName() == "page_customers"
    built = [page.objectName() for page in window.built_pages()]
    assert built == ["page_dashboard", "page_customers", "page_returns"]
    assert window.current_page().objectName() == "page_returns"  # asking for a page does not show it


def test_a_page_built_late_hears_of_later_changes(qtbot, database):
    from app.services.customers import CustomerInput, create_customer
    from app.views.events import Change, app_events

    window = make_window(qtbot, database)
    page = window.show_page("customers")
    assert page.model.rowCount() == 0
    create_customer(CustomerInput(code="C-1", name="Peña"), acting_rep_id=None)
    app_events().data_changed.emit(frozenset({Change.CUSTOMERS}), None)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)


def test_ctrl_number_switches_page_and_last_page_is_remembered(qtbot, database):
    window = make_window(qtbot, database)
    press(window, Qt.Key.Key_3)
    assert window.current_page().objectName() == "page_customers"
    window.close()
    again = make_window(qtbot, database)
    assert again.current_page().objectName() == "page_customers"


def test_ctrl_f_focuses_the_customer_search(qtbot, database):
    window = make_window(qtbot, database)
    window.show_page("customers")
    press(window, Qt.Key.Key_F)
    assert window.focusWidget() is window.current_page()._search


def test_status_bar_names_the_database_and_the_user(qtbot, database):
    rep = reps.create_rep("MGR", "Marta Gil", RepRole.MANAGER)
    window = make_window(qtbot, database, rep)
    assert database.target in window._database_label.text()
    assert "Marta Gil" in window._user_label.text()


def test_the_upgrade_message_replaces_the_database_label_instead_of_overlapping_it(qtbot, database):
    import dataclasses
    from pathlib import Path

    upgraded = dataclasses.replace(database, backup=Path("Datos.schema5.backup.sqlite3"))
    window = MainWindow(AppContext(database=upgraded, current_rep=None))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "Datos.schema5.backup.sqlite3" in window.statusBar().currentMessage())
    assert not window._database_label.isVisible()  # hidden while the message shows
    window.statusBar().clearMessage()
    assert window._database_label.isVisible()


def test_first_run_start_empty_creates_the_user_and_shows_field_errors(qtbot, database):
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.empty_radio.setChecked(True)
    dialog._on_buttons_accepted()  # nothing typed: refused, reasons next to the fields
    assert dialog.choice is None
    assert dialog.name_error.isVisible() and dialog.code_error.isVisible()
    # QTest types ASCII only; the accented part goes in as a paste would.
    qtbot.keyClicks(dialog.name_edit, "Luc")
    dialog.name_edit.insert("ía Fernández")
    qtbot.keyClicks(dialog.code_edit, "lfe")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(RepRole.MANAGER.value))
    dialog._on_buttons_accepted()
    assert dialog.choice is not None and not dialog.choice.load_demo
    assert dialog.choice.rep.code == "LFE" and dialog.choice.rep.is_manager
    assert [r.name for r in reps.list_reps()] == ["Lucía Fernández"]


def test_first_run_demo_choice(qtbot, database):
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.demo_radio.setChecked(True)
    dialog._on_buttons_accepted()
    assert dialog.choice.load_demo and reps.rep_count() == 0


def test_user_picker_returns_the_chosen_rep(qtbot, database):
    reps.create_rep("A1", "Alba Ruiz")
    second = reps.create_rep("B2", "Bruno Sanz")
    dialog = UserPickerDialog(None, second)
    qtbot.addWidget(dialog)
    assert dialog.selected_rep() == second


def test_preferences_save_company_and_refuse_an_empty_name(qtbot, database):
    rep = reps.create_rep("A1", "Alba Ruiz")
    dialog = PreferencesDialog(AppContext(database=database, current_rep=rep))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.company_name.clear()
    dialog._on_buttons_accepted()
    assert dialog.result_value is None and dialog.company_name_error.isVisible()
    qtbot.keyClicks(dialog.company_name, "Caf")
    dialog.company_name.insert("és Peña & Hijos")
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("es"))
    dialog._on_buttons_accepted()
    assert dialog.result_value.language == "es" and dialog.result_value.language_changed
    assert company.load_company_settings().name == "Cafés Peña & Hijos"


def test_preferences_store_holiday_region_attempts_and_reminder_options(qtbot, database):
    from app.services import followups
    from app.views import settings

    dialog = PreferencesDialog(AppContext(database=database, current_rep=None))
    qtbot.addWidget(dialog)
    dialog.country_combo.setCurrentIndex(dialog.country_combo.findData("ES"))
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("CT"))
    dialog.attempts_spin.setValue(5)
    dialog.training_spin.setValue(14)
    dialog.lead_spin.setValue(30)
    dialog.tray_check.setChecked(False)
    assert (dialog.hours_start.time().toString("HH:mm"), dialog.capacity_spin.value()) == ("08:00", 40)
    dialog.hours_start.setTime(QTime(9, 0))
    dialog.hours_end.setTime(QTime(17, 30))
    dialog.capacity_spin.setValue(12)
    dialog._on_buttons_accepted()
    stored = company.load_company_settings()
    assert (stored.holiday_country, stored.holiday_subdivision) == ("ES", "CT")
    assert (stored.working_hours_start, stored.working_hours_end, stored.daily_capacity) == (
        "09:00",
        "17:30",
        12,
    )
    assert followups.max_attempts() == 5
    from app.services import checks

    assert checks.training_days() == 14
    assert settings.get(settings.REMINDER_LEAD_MINUTES) == 30
    assert settings.get(settings.CLOSE_TO_TRAY) is False
    # Another country offers its own regions, and "national only" first.
    dialog.country_combo.setCurrentIndex(dialog.country_combo.findData("PT"))
    assert dialog.region_combo.itemData(0) == "" and dialog.region_combo.findData("CT") == -1


def test_navigation_opens_the_page_showing_what_was_asked(qtbot, database):
    window = make_window(qtbot, database)
    window.navigate("returns", {"overdue": True})
    assert window.current_page().objectName() == "page_returns"
    assert window.current_page()._overdue.isChecked()
    window.navigate("cases", {"overdue": True})
    assert window.current_page()._overdue.isChecked()
    window.navigate("agenda", {"view": "overdue"})
    from app.views.agenda.page import OVERDUE

    assert window.current_page().current_view() == OVERDUE


def test_a_page_with_unsaved_work_keeps_the_user_on_it(qtbot, database):
    window = make_window(qtbot, database)
    charters = window.show_page("charters")
    answers = [False]
    charters.can_leave = lambda: answers.pop(0) if answers else True
    window.show_page("agenda")
    assert window.current_page() is charters
    assert window._sidebar.currentRow() == window.page_keys().index("charters")
    window.show_page("agenda")  # the second time the user saved or discarded
    assert window.current_page().objectName() == "page_agenda"


def test_closing_the_window_asks_the_page_first(qtbot, database):
    window = make_window(qtbot, database)
    page = window.show_page("charters")
    page.can_leave = lambda: False
    assert not window.close() and window.isVisible()
    page.can_leave = lambda: True
    assert window.close()


def test_replacing_the_window_asks_the_page_first(qtbot, database, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = make_window(qtbot, database)
    page = window.show_page("charters")
    page.can_leave = lambda: False
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: asked.append(1) or ("", ""))
    monkeypatch.setattr(PreferencesDialog, "ask", lambda *args, **kwargs: asked.append(2))
    window._on_open_database()
    window._on_preferences()
    assert asked == []  # the user stayed with the unsaved work


def test_file_menu_asks_for_the_database_to_open_create_or_fill_with_demo_data(
    qtbot, database, monkeypatch, tmp_path
):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    window = make_window(qtbot, database)
    asked: list[str] = []
    chosen = str(tmp_path / "other.sqlite3")

    def answer(parent, caption, *args, **kwargs):
        asked.append(caption)
        return chosen, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: asked.append(title))
    requested: list[tuple[str, bool]] = []
    window.database_requested.connect(lambda target, demo: requested.append((target, demo)))

    window._on_new_database()
    window._on_open_database()
    window._on_load_demo()
    assert asked == ["New database", "Open database", "Load demo data", "New demo database"]
    assert requested == [(chosen, False), (chosen, False), (chosen, True)]


def test_working_hours_shorter_than_an_hour_are_refused_and_nothing_is_stored(qtbot, database, monkeypatch):
    from app.views import preferences

    shown = []
    monkeypatch.setattr(preferences, "show_error", lambda parent, exc: shown.append(str(exc)))
    dialog = PreferencesDialog(AppContext(database=database, current_rep=None))
    qtbot.addWidget(dialog)
    dialog.hours_start.setTime(QTime(9, 0))
    dialog.hours_end.setTime(QTime(9, 30))
    dialog._on_buttons_accepted()
    assert dialog.result_value is None
    assert shown == ["The working day ends at least an hour after it starts."]
    assert company.load_company_settings().working_hours_end == "20:00"


def test_the_window_fits_a_1366_by_768_screen_with_its_title_bar(qtbot, database, monkeypatch):
    from PySide6.QtCore import QRect

    from app.views import screens

    laptop = QRect(0, 0, 1366, 740)  # 768 pixels less a panel
    monkeypatch.setattr(screens, "available_area", lambda widget: laptop)
    window = make_window(qtbot, database)
    assert window.width() <= laptop.width()
    assert window.height() <= laptop.height() - screens.FRAME_ALLOWANCE  # the status bar stays in sight


def test_a_window_going_away_starts_none_of_the_work_waiting_for_its_first_paint(
    qtbot, database, monkeypatch
):
    """The sync status and the conflicts count wait for the first paint; a window replaced (a restore,
    a new login) before it painted must not start them on a database about to close."""
    from app.views import tasks

    asked: list[str] = []
    monkeypatch.setattr(tasks, "run_in_background", lambda op, *args, **kwargs: asked.append(op.__qualname__))
    going = MainWindow(AppContext(database=database, current_rep=None))
    qtbot.addWidget(going)
    asked.clear()  # the first page's own loads start at once
    going.dispose()
    going.start_waiting_work()
    assert asked == []

    staying = MainWindow(AppContext(database=database, current_rep=None))
    qtbot.addWidget(staying)
    asked.clear()
    staying.start_waiting_work()
    assert any("_count_conflicts" in name for name in asked)
