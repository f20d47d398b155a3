"""Settings ▸ Reps and working hours…: the team with each rep's hours; a manager gives a rep hours of
her own (both or neither, at least an hour), a rep at the office only looks (#21)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox

from app.models.enums import RepRole
from app.services.permissions import Permissions
from app.services.reps import RepInput, create_rep, get_rep, update_rep
from app.views.events import REPS, app_events
from app.views.pages.base import AppContext
from app.views.reps import RepDialog, RepsDialog
from app.views.rights import refusal_of


@pytest.fixture
def team(database):
    boss = create_rep("JEFA", "Marta Jefa", RepRole.MANAGER)
    ana = create_rep("ANA", "Ana García")
    luis = create_rep("LUIS", "Luis Pérez")
    update_rep(luis.id, RepInput("Luis Pérez", working_hours_start=dt.time(7), working_hours_end=dt.time(15)))
    return {"database": database, "boss": boss, "ana": ana, "luis": get_rep(luis.id)}


def _save(dialog: RepDialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def test_the_list_shows_each_rep_s_hours_or_the_company_s(qtbot, team):
    dialog = RepsDialog(AppContext(team["database"], team["boss"]))
    qtbot.addWidget(dialog)
    assert dialog.rows() == [
        ["Ana García", "ANA", "Sales rep", "The company's (08:00–20:00)"],
        ["Luis Pérez", "LUIS", "Sales rep", "07:00–15:00"],
        ["Marta Jefa", "JEFA", "Manager", "The company's (08:00–20:00)"],
    ]
    assert dialog.edit_button.isEnabled() and refusal_of(dialog.edit_button) is None


def test_a_manager_gives_a_rep_hours_of_her_own_and_the_list_follows(qtbot, team, monkeypatch):
    ana = team["ana"]
    dialog = RepDialog(None, ana, acting_rep_id=team["boss"].id)
    qtbot.addWidget(dialog)
    dialog.show()
    start, end = dialog._start, dialog._end
    assert not start.isEnabled() and "08:00–20:00" in dialog._hint.text()  # the company's until ticked
    qtbot.keyClick(dialog._own_hours, Qt.Key.Key_Space)
    assert start.isEnabled() and end.isEnabled()
    start.setTime(QTime(9, 0))
    end.setTime(QTime(14, 30))
    with qtbot.waitSignal(app_events().data_changed) as announced:
        _save(dialog)
    assert REPS in announced.args[0]
    assert dialog.saved is not None and dialog.saved.own_hours == (dt.time(9), dt.time(14, 30))
    assert get_rep(ana.id).own_hours == (dt.time(9), dt.time(14, 30))
    # The list opens the form on the selected rep and shows what was saved.
    listing = RepsDialog(AppContext(team["database"], team["boss"]))
    qtbot.addWidget(listing)
    asked = []
    monkeypatch.setattr(
        RepDialog, "ask", classmethod(lambda cls, parent, rep, **kw: asked.append(rep.id) or get_rep(rep.id))
    )
    listing.select_rep(ana.id)
    listing.edit_button.click()
    assert asked == [ana.id]
    assert listing.rows()[0] == ["Ana García", "ANA", "Sales rep", "09:00–14:30"]


def test_unticking_gives_the_rep_the_company_s_hours_again(qtbot, team):
    luis = team["luis"]
    dialog = RepDialog(None, luis)
    qtbot.addWidget(dialog)
    assert dialog._own_hours.isChecked() and dialog._start.time() == QTime(7, 0)
    dialog._own_hours.setChecked(False)
    _save(dialog)
    assert get_rep(luis.id).own_hours is None


def test_hours_ending_before_they_start_are_refused_beside_the_field(qtbot, team):
    ana = team["ana"]
    dialog = RepDialog(None, ana)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._own_hours.setChecked(True)
    dialog._start.setTime(QTime(15, 0))
    dialog._end.setTime(QTime(9, 0))
    _save(dialog)
    assert dialog.isVisible() and dialog.saved is None  # stays open with the reason
    assert dialog.error_text("working_hours_end") == "The working day ends at least an hour after it starts."
    assert get_rep(ana.id).own_hours is None
    dialog._name.setText("")
    dialog._own_hours.setChecked(False)  # the hours' reason goes with them
    _save(dialog)
    assert dialog.error_text("name") == "The name is required."
    assert dialog.error_text("working_hours_end") == ""


def test_a_rep_at_the_office_sees_the_team_but_cannot_edit(qtbot, team):
    rights = Permissions(role="rep", login="ana", rep_id=team["ana"].id)
    dialog = RepsDialog(AppContext(team["database"], team["ana"], rights))
    qtbot.addWidget(dialog)
    assert len(dialog.rows()) == 3
    assert not dialog.edit_button.isEnabled()
    assert refusal_of(dialog.edit_button) == "Only a manager can change the team."


def test_the_settings_menu_opens_the_team(qtbot, team, monkeypatch):
    from app.views.main_window import MainWindow

    window = MainWindow(AppContext(team["database"], team["boss"]))
    qtbot.addWidget(window)
    opened = []
    monkeypatch.setattr(RepsDialog, "ask", classmethod(lambda cls, parent, context: opened.append(context)))
    (action,) = [a for a in window.findChildren(QAction) if a.text() == "&Reps and working hours…"]
    action.trigger()
    assert opened == [window.context]
