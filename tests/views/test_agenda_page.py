"""The Agenda page: its table model, the four views, the week grid and the commands on a follow-up."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from app.models import Customer, FollowUp, SatisfactionSurvey
from app.models.enums import (
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    RepRole,
    Segment,
)
from app.services import followups as followup_service
from app.services.followups import FollowUpAction
from app.services.followups.agenda import AgendaWindow, agenda_batch, count_agenda, count_by_day
from app.services.reps import create_rep
from app.views import dialogs as dialogs_module
from app.views import errors as errors_module
from app.views.agenda import page as page_module
from app.views.agenda.dialogs import (
    CancelFollowUpDialog,
    CompleteFollowUpDialog,
    CompletionInput,
    FollowUpDialog,
    FollowUpInput,
    PlacementChoice,
    RescheduleDialog,
    RetryChoice,
)
from app.views.agenda.page import OVERDUE, TODAY, UPCOMING, WEEK, AgendaPage
from app.views.agenda.table_model import CUSTOMER, KIND, SEGMENT, STATE, TIME, AgendaTableModel
from app.views.agenda.week_view import follow_up_mime
from app.views.customers.customer_360 import Customer360Dialog
from app.views.events import FOLLOW_UPS, SURVEYS, app_events
from app.views.pages.base import AppContext

NOW = dt.datetime(2026, 11, 23, 11, 0)  # a Monday in Madrid; Tuesday 24 is a working day
MONDAY = NOW.date()
CALL, VISIT = FollowUpKind.CALL, FollowUpKind.VISIT


def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hour, minute))


@pytest.fixture
def people(database):
    return {
        "ana": create_rep("ANA", "Ana García"),
        "luis": create_rep("LUIS", "Luis Pérez"),
        "boss": create_rep("JEFA", "Marta Jefa", RepRole.MANAGER),
    }


@pytest.fixture
def data(people):
    """Ana's and Luis's follow-ups around Monday 23/11/2026 11:00."""

    def customer(code, name, segment, rep, **fields) -> Customer:
        c = Customer(code=code, name=name, segment=segment, rep=rep.id, **fields)
        c.save()
        return c

    ana, luis = people["ana"], people["luis"]
    pena = customer(
        "C-1",
        "Peña Hermanos",
        Segment.C,
        ana,
        phone="911 222 333",
        email="pena@example.com",
        address="Calle Mayor 1",
        postal_code="28013",
        city="Madrid",
    )
    zapata = customer("C-2", "Zapatería Ruiz", Segment.A, ana, mobile="600 111 222")
    bodega = customer("C-3", "Bodegas Haro", Segment.B, luis)

    def make(name, cust, when, kind=CALL, purpose=FollowUpPurpose.COMMERCIAL, rep=None, **fields) -> FollowUp:
        return FollowUp.create(
            customer=cust, rep=(rep or ana).id, kind=kind, purpose=purpose, scheduled_at=when, **fields
        )

    rows = {
        "done_today": make("done", pena, at(0, 8), state=FollowUpState.DONE, outcome=FollowUpOutcome.REACHED),
        "late_today": make("late", pena, at(0, 9), purpose=FollowUpPurpose.SATISFACTION),
        "noon_c": make("noon c", pena, at(0, 12)),
        "noon_a": make(
            "noon a", zapata, at(0, 12), kind=VISIT, purpose=FollowUpPurpose.USAGE_CHECK, duration_minutes=60
        ),
        "luis_today": make("luis", bodega, at(0, 15), rep=luis),
        "yesterday": make("yesterday", zapata, at(-1, 10)),
        "wednesday": make("wed", pena, at(2, 10, 30)),
        "next_week": make("next", zapata, at(8, 9)),
        "far": make("far", zapata, at(30, 9)),
    }
    return {"people": people, "customers": {"pena": pena, "zapata": zapata, "bodega": bodega}, "rows": rows}


@pytest.fixture
def asked(monkeypatch):
    """Message boxes replaced: questions recorded and answered by `answers`, messages recorded."""
    record = {
        "confirm": [],
        "inform": [],
        "errors": [],
        "answers": {"confirm": True, "retry": RetryChoice.PROPOSED, "placement": PlacementChoice.KEEP},
        "placement": [],
        "retry": [],
    }
    monkeypatch.setattr(
        page_module,
        "ask_placement",
        lambda parent, conflict: record["placement"].append(conflict) or record["answers"]["placement"],
    )

    def confirm(parent, question, title=None):
        record["confirm"].append(question)
        return record["answers"]["confirm"]

    monkeypatch.setattr(page_module, "confirm", confirm)
    monkeypatch.setattr(dialogs_module, "confirm", confirm)  # a time in the past (confirming_past)
    monkeypatch.setattr(
        page_module,
        "ask_retry",
        lambda parent, proposed: record["retry"].append(proposed) or record["answers"]["retry"],
    )
    monkeypatch.setattr(page_module, "inform", lambda parent, text, title=None: record["inform"].append(text))
    monkeypatch.setattr(
        errors_module, "show_error", lambda parent, exc, title=None: record["errors"].append(exc)
    )
    return record


@pytest.fixture
def make_page(qtbot, asked, database):
    def make(rep=None, view: int = TODAY, **kwargs) -> AgendaPage:
        page = AgendaPage(AppContext(database=database, current_rep=rep), clock=lambda: NOW, **kwargs)
        qtbot.addWidget(page)
        page.resize(1100, 700)
        page.show_view(view)
        return page

    return make


def customers_in(page: AgendaPage) -> list[str]:
    return [page.model.index(r, CUSTOMER).data() for r in range(page.model.rowCount())]


def select(page: AgendaPage, follow_up: FollowUp) -> None:
    assert page.select_follow_up(follow_up.id)
    assert page.selected_row().id == follow_up.id


def reload(follow_up: FollowUp) -> FollowUp:
    return FollowUp.get_by_id(follow_up.id)


# --- the queries and the table model ------------------------------------------------------


def test_paged_queries_match_the_service_order(data):
    window = AgendaWindow(None, None, NOW, (FollowUpState.PLANNED,))
    everything = followup_service.overdue_follow_ups(None, NOW)
    assert count_agenda(window) == len(everything) == 2
    assert [r.id for r in agenda_batch(window, 0, 1, NOW) + agenda_batch(window, 1, 5, NOW)] == [
        r.id for r in everything
    ]
    week = AgendaWindow(None, at(0, 0), at(7, 0))
    assert count_by_day(week) == {MONDAY: 5, MONDAY + dt.timedelta(days=2): 1}
    assert count_agenda(AgendaWindow(None, at(0, 0), at(7, 0), text="pena")) == 4  # accents ignored


def test_model_passes_the_model_tester(qtmodeltester, data):
    model = AgendaTableModel(batch_size=2, clock=lambda: NOW)
    model.set_window(AgendaWindow(None, at(-7, 0), at(14, 0)))
    assert model.rowCount() == 2 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)


def test_model_tester_on_an_empty_model(qtmodeltester, database):
    model = AgendaTableModel(clock=lambda: NOW)
    model.set_window(AgendaWindow(None, None, None))
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_model_fetches_in_batches_and_shows_labels(data):
    model = AgendaTableModel(batch_size=3, clock=lambda: NOW)
    model.set_window(AgendaWindow(None, at(-7, 0), at(60, 0)))
    assert (model.rowCount(), model.total_count()) == (3, 9)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 6
    assert len(model.all_rows()) == 9 and not model.canFetchMore(QModelIndex())
    row = model.row_of(data["rows"]["noon_a"].id)
    assert model.index(row, KIND).data() == "Personal visit"  # labels, never codes
    assert model.index(row, SEGMENT).data() == "A"
    assert model.index(row, SEGMENT).data(Qt.ItemDataRole.ToolTipRole) == "A (top value)"
    assert "600 111 222" in model.index(row, CUSTOMER).data(Qt.ItemDataRole.ToolTipRole)
    late = model.row_of(data["rows"]["late_today"].id)
    assert model.index(late, STATE).data() == "Overdue"
    assert model.index(late, TIME).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(row, TIME).data(Qt.ItemDataRole.BackgroundRole) is None
    done = model.row_of(data["rows"]["done_today"].id)
    assert model.index(done, STATE).data() == "Done – Reached"


# --- the views -----------------------------------------------------------------------------


def test_today_in_time_then_customer_value_order(make_page, data):
    page = make_page(data["people"]["boss"])
    assert page.rep_filter.currentData() is None  # a manager sees every rep by default
    assert customers_in(page) == [
        "Peña Hermanos",  # 08:00 done
        "Peña Hermanos",  # 09:00 overdue
        "Zapatería Ruiz",  # 12:00, segment A first
        "Peña Hermanos",  # 12:00, segment C
        "Bodegas Haro",  # Luis
    ]
    assert page.model.index(0, TIME).data() == "08:00"
    assert page.tab_bar.tabText(TODAY) == "Today (4)"  # still to do
    assert page.tab_bar.tabText(OVERDUE) == "Overdue (2)"


def test_a_rep_sees_their_own_agenda_by_default(make_page, data):
    ana = data["people"]["ana"]
    page = make_page(ana)
    assert page.rep_filter.currentData() == ana.id
    assert "Bodegas Haro" not in customers_in(page)
    page.rep_filter.setCurrentIndex(page.rep_filter.findData(None))
    assert "Bodegas Haro" in customers_in(page)


def test_overdue_and_upcoming(make_page, data):
    rows = data["rows"]
    page = make_page(data["people"]["boss"], OVERDUE)
    assert [r.id for r in page.model.all_rows()] == [rows["yesterday"].id, rows["late_today"].id]
    assert page.model.index(0, TIME).data() == "22/11/2026 10:00"
    page.show_view(UPCOMING)
    ids = [r.id for r in page.model.all_rows()]
    assert ids == [
        rows["noon_a"].id,
        rows["noon_c"].id,
        rows["luis_today"].id,
        rows["wednesday"].id,
        rows["next_week"].id,
    ]
    assert page.model.index(3, TIME).data() == "Wed 25/11 10:30"


def test_kind_purpose_and_customer_filters(qtbot, make_page, data):
    page = make_page(data["people"]["boss"])
    page.kind_filter.setCurrentIndex(page.kind_filter.findData(VISIT))
    assert customers_in(page) == ["Zapatería Ruiz"]
    page.kind_filter.setCurrentIndex(0)
    page.purpose_filter.setCurrentIndex(page.purpose_filter.findData(FollowUpPurpose.SATISFACTION))
    assert [r.id for r in page.model.all_rows()] == [data["rows"]["late_today"].id]
    page.purpose_filter.setCurrentIndex(0)
    assert page.focus_search()
    QTest.keyClicks(page.search_box, "bodegas")
    qtbot.waitUntil(lambda: customers_in(page) == ["Bodegas Haro"])


def test_empty_states_say_so(make_page, people):
    page = make_page(people["ana"])
    assert page.empty_state_text() == "Nothing planned for today."
    page.show_view(OVERDUE)
    assert page.empty_state_text() == "Nothing is overdue. Well done!"
    page.show_view(UPCOMING)
    assert page.empty_state_text() == "Nothing planned for the next 14 days."
    page.show_view(WEEK)
    assert page.empty_state_text() == "Nothing planned this week."


def test_today_points_at_overdue_work_when_nothing_is_planned(make_page, data):
    FollowUp.delete().where(FollowUp.scheduled_at >= at(0, 0)).execute()
    page = make_page(data["people"]["ana"])
    assert (
        page.empty_state_text() == "Nothing planned for today.\n1 overdue follow-up is waiting in “Overdue”."
    )


def test_week_grid_has_a_column_per_day(make_page, data):
    rows = data["rows"]
    page = make_page(data["people"]["ana"], WEEK)
    week = page.week_view
    assert week.days()[0] == MONDAY and len(week.days()) == 7
    assert [r.id for r in week.day_list(MONDAY).rows()] == [
        rows["done_today"].id,
        rows["late_today"].id,
        rows["noon_a"].id,
        rows["noon_c"].id,
    ]
    assert [r.id for r in week.day_list(MONDAY + dt.timedelta(days=2)).rows()] == [rows["wednesday"].id]
    assert week.day_list(MONDAY + dt.timedelta(days=1)).rows() == []
    assert "Mon 23 Nov" in week.header_text(MONDAY) and "4" in week.header_text(MONDAY)
    week.week_requested.emit(MONDAY + dt.timedelta(days=7))
    assert [r.id for r in week.rows()] == [rows["next_week"].id]


def test_the_week_says_whose_card_is_whose_and_each_day_s_load(make_page, data):
    """Issue 21: with every rep shown, each card carries its rep's initials (the delegate paints them);
    with one rep, each coming working day says how many follow-ups are planned against the daily
    capacity the placement keeps to."""
    from dataclasses import replace

    from app.services import company
    from app.views.agenda.week_view import rep_colour, rep_initials

    assert (rep_initials("Lucía Martín Peña"), rep_initials("Ana"), rep_initials("")) == ("LM", "AN", "?")
    assert rep_colour(3) != rep_colour(4) and rep_colour(3) == rep_colour(3 + 8)
    page = make_page(data["people"]["boss"], WEEK)
    week = page.week_view
    assert page.rep_filter.currentData() is None
    assert all(day_list.itemDelegate().show_rep for day_list in week.day_lists())
    assert "planned" not in week.header_text(MONDAY)
    page.rep_filter.setCurrentIndex(page.rep_filter.findData(data["people"]["ana"].id))
    assert not any(day_list.itemDelegate().show_rep for day_list in week.day_lists())
    wednesday = MONDAY + dt.timedelta(days=2)
    assert "1 of 40 planned" in week.header_text(wednesday)
    assert "planned" not in week.header_text(MONDAY + dt.timedelta(days=5))  # Saturday: no work day
    company.save_company_settings(replace(company.load_company_settings(), daily_capacity=1))
    page.refresh()
    assert "1 of 1 planned" in week.header_text(wednesday) and "#c62828" not in week.header_text(wednesday)
    assert "3 of 1 planned" in week.header_text(MONDAY) and "#c62828" in week.header_text(MONDAY)  # over
    grid = week.grab()  # the cards paint with the initials and the load without errors
    assert not grid.isNull()


def test_dragging_a_card_to_another_day_keeps_its_time(make_page, data):
    wednesday = data["rows"]["wednesday"]
    page = make_page(data["people"]["ana"], WEEK)
    friday = MONDAY + dt.timedelta(days=4)
    assert page.week_view.day_list(friday).drop_mime(follow_up_mime(wednesday.id))
    assert reload(wednesday).scheduled_at == dt.datetime(2026, 11, 27, 10, 30)
    assert [r.id for r in page.week_view.day_list(friday).rows()] == [wednesday.id]


def test_dragging_into_the_past_asks_first(make_page, data, asked):
    wednesday = data["rows"]["wednesday"]
    page = make_page(data["people"]["ana"], WEEK)
    asked["answers"]["confirm"] = False
    page.week_view.day_list(MONDAY).drop_mime(follow_up_mime(wednesday.id))
    assert reload(wednesday).scheduled_at == at(2, 10, 30)
    assert "in the past" in asked["confirm"][0]
    asked["answers"]["confirm"] = True
    page.move_follow_up_to_day(wednesday.id, MONDAY)
    assert reload(wednesday).scheduled_at == at(0, 10, 30)


def test_dragging_to_a_saturday_warns_and_offers_the_next_free_slot(make_page, data, asked):
    wednesday = data["rows"]["wednesday"]
    page = make_page(data["people"]["ana"], WEEK)
    saturday = MONDAY + dt.timedelta(days=5)
    asked["answers"]["placement"] = PlacementChoice.CANCEL  # back: nothing moves
    page.week_view.day_list(saturday).drop_mime(follow_up_mime(wednesday.id))
    assert reload(wednesday).scheduled_at == at(2, 10, 30)
    conflict = asked["placement"][0]
    assert "is not a working day" in str(conflict) and conflict.proposed == at(7, 10, 30)  # Monday 30
    asked["answers"]["placement"] = PlacementChoice.PROPOSED
    page.week_view.day_list(saturday).drop_mime(follow_up_mime(wednesday.id))
    assert reload(wednesday).scheduled_at == at(7, 10, 30)
    asked["answers"]["placement"] = PlacementChoice.KEEP  # the rep works that Saturday
    page.move_follow_up_to_day(wednesday.id, saturday)
    assert reload(wednesday).scheduled_at == at(5, 10, 30)
    assert len(asked["placement"]) == 3 and asked["errors"] == []


def test_rescheduling_outside_the_working_hours_proposes_a_slot_inside(make_page, data, monkeypatch, asked):
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    select(page, noon)
    monkeypatch.setattr(RescheduleDialog, "ask", staticmethod(lambda parent, row, **kw: at(1, 21, 30)))
    asked["answers"]["placement"] = PlacementChoice.PROPOSED
    page.reschedule_selected()
    assert "outside the working hours" in str(asked["placement"][0])
    assert reload(noon).scheduled_at == at(1, 19, 45)  # the latest a 15-minute call ends by 20:00


# --- the commands ------------------------------------------------------------------------------


def test_buttons_and_menu_follow_the_allowed_actions(make_page, data):
    page = make_page(data["people"]["ana"])
    select(page, data["rows"]["done_today"])
    assert page.allowed_actions() == []
    assert not page._complete_button.isEnabled() and not page._cancel_button.isEnabled()
    texts = [a.text() for a in page.build_context_menu().actions() if a.text()]
    assert texts == ["Open customer 360°"]
    select(page, data["rows"]["noon_c"])
    assert FollowUpAction.COMPLETE in page.allowed_actions()
    assert page._complete_button.isEnabled() and page._reschedule_button.isEnabled()
    texts = [a.text() for a in page.build_context_menu().actions() if a.text()]
    assert texts == ["Complete…", "Reschedule…", "Mark as missed…", "Cancel…", "Open customer 360°"]
    assert "Peña Hermanos" in page.detail_panel.text() and "911 222 333" in page.detail_panel.text()


def test_completing_a_satisfaction_call_records_a_survey(qtbot, make_page, data, monkeypatch):
    late = data["rows"]["late_today"]
    page = make_page(data["people"]["ana"])
    select(page, late)
    following = page.model.neighbour_id(late.id)
    assert following is not None
    monkeypatch.setattr(
        CompleteFollowUpDialog,
        "ask",
        staticmethod(lambda parent, row: CompletionInput(FollowUpOutcome.REACHED, "Happy", 4, 9)),
    )
    with qtbot.waitSignal(app_events().data_changed) as signal:
        page.complete_selected()
    assert signal.args[0] == frozenset({FOLLOW_UPS, SURVEYS}) and signal.args[1] is page
    assert reload(late).state is FollowUpState.DONE and reload(late).outcome is FollowUpOutcome.REACHED
    survey = SatisfactionSurvey.get(SatisfactionSurvey.follow_up == late.id)
    assert (survey.satisfaction, survey.recommend, survey.comment) == (4, 9, "Happy")
    # The list shows it done, and the selection moved on to the follow-up after it (#22).
    assert page.model.row_at(page.model.row_of(late.id)).state is FollowUpState.DONE
    assert page.selected_row().id == following


def test_not_reached_proposes_a_retry_on_the_next_working_day(make_page, data, monkeypatch, asked):
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    select(page, noon)
    monkeypatch.setattr(
        CompleteFollowUpDialog,
        "ask",
        staticmethod(lambda parent, row: CompletionInput(FollowUpOutcome.NOT_REACHED)),
    )
    page.complete_selected()
    assert asked["retry"] == ["Tuesday 24/11/2026 12:00"]
    retry = FollowUp.get(FollowUp.retry_of == noon.id)
    assert (retry.scheduled_at, retry.attempt, retry.state) == (at(1, 12), 2, FollowUpState.PLANNED)
    assert reload(noon).state is FollowUpState.DONE


def test_declining_the_retry_leaves_it_for_later(make_page, data, monkeypatch, asked):
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    select(page, noon)
    asked["answers"]["retry"] = RetryChoice.LATER
    monkeypatch.setattr(
        CompleteFollowUpDialog,
        "ask",
        staticmethod(lambda parent, row: CompletionInput(FollowUpOutcome.VOICEMAIL)),
    )
    page.complete_selected()
    assert not FollowUp.select().where(FollowUp.retry_of == noon.id).exists()
    select(page, noon)
    assert page._retry_button.isVisibleTo(page)  # "Try again…" is offered instead
    monkeypatch.setattr(RescheduleDialog, "ask", staticmethod(lambda parent, row, **kw: at(3, 9, 15)))
    page.retry_selected()
    assert FollowUp.get(FollowUp.retry_of == noon.id).scheduled_at == at(3, 9, 15)


def test_not_reached_lets_the_rep_choose_the_retry_s_day_and_time(make_page, data, monkeypatch, asked):
    """Issue 21: besides the proposed slot, the rep may pick the day and time of the next attempt;
    the form starts at the proposed slot."""
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    select(page, noon)
    asked["answers"]["retry"] = RetryChoice.CHOOSE
    monkeypatch.setattr(
        CompleteFollowUpDialog,
        "ask",
        staticmethod(lambda parent, row: CompletionInput(FollowUpOutcome.NOT_REACHED)),
    )
    started = []
    monkeypatch.setattr(
        RescheduleDialog,
        "ask",
        staticmethod(lambda parent, row, **kw: started.append(kw["proposed"]) or at(3, 17, 30)),
    )
    page.complete_selected()
    assert started == [at(1, 12)] and asked["errors"] == []
    retry = FollowUp.get(FollowUp.retry_of == noon.id)
    assert (retry.scheduled_at, retry.attempt) == (at(3, 17, 30), 2)


def test_the_last_failed_attempt_marks_the_chain_missed(make_page, data, monkeypatch, asked):
    noon = data["rows"]["noon_c"]
    FollowUp.update(attempt=followup_service.max_attempts()).where(FollowUp.id == noon.id).execute()
    page = make_page(data["people"]["ana"])
    select(page, noon)
    monkeypatch.setattr(
        CompleteFollowUpDialog,
        "ask",
        staticmethod(lambda parent, row: CompletionInput(FollowUpOutcome.WRONG_NUMBER)),
    )
    page.complete_selected()
    assert reload(noon).state is FollowUpState.MISSED
    assert asked["retry"] == []
    assert asked["inform"] == [
        "Peña Hermanos could not be reached after 3 attempts; the follow-up is marked as missed."
    ]


def test_enter_completes_and_a_cancelled_dialog_changes_nothing(qtbot, make_page, data, monkeypatch):
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    page.show()
    qtbot.waitExposed(page)
    select(page, noon)
    asked_rows = []
    monkeypatch.setattr(
        CompleteFollowUpDialog, "ask", staticmethod(lambda parent, row: asked_rows.append(row.id))
    )
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus, timeout=2000)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert asked_rows == [noon.id]
    assert reload(noon).state is FollowUpState.PLANNED


def test_reschedule_with_the_dialog(make_page, data, monkeypatch, asked):
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    select(page, noon)
    monkeypatch.setattr(RescheduleDialog, "ask", staticmethod(lambda parent, row, **kw: at(1, 16, 45)))
    page.reschedule_selected()
    assert reload(noon).scheduled_at == at(1, 16, 45)
    assert asked["confirm"] == [] and asked["errors"] == []
    assert page.model.row_of(noon.id) < 0  # no longer today


def test_rescheduling_a_visit_onto_another_warns_about_the_overlap(make_page, data, monkeypatch, asked):
    ana = data["people"]["ana"]
    other = FollowUp.create(
        customer=data["customers"]["pena"],
        rep=ana.id,
        kind=VISIT,
        purpose=FollowUpPurpose.USAGE_CHECK,
        scheduled_at=at(1, 10),
        duration_minutes=60,
    )
    page = make_page(ana)
    select(page, data["rows"]["noon_a"])
    monkeypatch.setattr(RescheduleDialog, "ask", staticmethod(lambda parent, row, **kw: at(1, 10, 30)))
    page.reschedule_selected()  # the clash is asked about first; kept, it is reported after
    assert "already has a visit in that hour" in str(asked["placement"][0])
    assert reload(data["rows"]["noon_a"]).scheduled_at == at(1, 10, 30)
    assert len(asked["inform"]) == 1 and "overlaps the visit to Peña Hermanos" in asked["inform"][0]
    assert other.id


def test_cancel_needs_a_reason(qtbot, make_page, data, monkeypatch):
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    select(page, noon)
    dialog = CancelFollowUpDialog(page, page.selected_row())
    qtbot.addWidget(dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.set_reason("  ")
    assert not ok.isEnabled()
    dialog.set_reason("Customer moved abroad")
    assert ok.isEnabled() and dialog.reason() == "Customer moved abroad"
    monkeypatch.setattr(
        CancelFollowUpDialog, "ask", staticmethod(lambda parent, row: "Customer moved abroad")
    )
    page.cancel_selected()
    cancelled = reload(noon)
    assert (cancelled.state, cancelled.cancel_reason) == (FollowUpState.CANCELLED, "Customer moved abroad")
    assert page.model.index(page.model.row_of(noon.id), STATE).data() == "Cancelled"


def test_mark_missed_asks_first(make_page, data, asked):
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    select(page, noon)
    asked["answers"]["confirm"] = False
    page.mark_missed_selected()
    assert reload(noon).state is FollowUpState.PLANNED
    asked["answers"]["confirm"] = True
    page.mark_missed_selected()
    assert reload(noon).state is FollowUpState.MISSED


def test_new_follow_up_warns_about_a_visit_without_address(make_page, data, monkeypatch, asked):
    zapata = data["customers"]["zapata"]
    page = make_page(data["people"]["ana"])
    value = FollowUpInput(
        zapata.id, VISIT, FollowUpPurpose.TRAINING, at(0, 17), 45, customer_text="Zapatería Ruiz"
    )
    monkeypatch.setattr(FollowUpDialog, "ask", staticmethod(lambda parent, **kw: value))
    assert page.create_new()
    created = FollowUp.get(FollowUp.purpose == FollowUpPurpose.TRAINING)
    assert (created.customer_id, created.rep_id, created.duration_minutes) == (
        zapata.id,
        data["people"]["ana"].id,
        45,
    )
    assert asked["inform"] == ["The customer has no address: add it before the visit."]
    assert page.selected_row().id == created.id


def test_new_follow_up_in_the_past_asks_and_a_refusal_reopens_the_dialog(make_page, data, monkeypatch, asked):
    pena = data["customers"]["pena"]
    page = make_page(data["people"]["ana"])
    calls = []
    answers = [FollowUpInput(pena.id, CALL, FollowUpPurpose.COMMERCIAL, at(0, 10)), None]

    def ask(parent, **kw):
        calls.append(kw)
        return answers[len(calls) - 1]

    monkeypatch.setattr(FollowUpDialog, "ask", staticmethod(ask))
    asked["answers"]["confirm"] = False
    page.create_new()
    assert len(calls) == 2 and calls[1]["initial"] == answers[0]  # back with what was typed
    assert "in the past" in asked["confirm"][0]
    assert not FollowUp.select().where(FollowUp.scheduled_at == at(0, 10)).exists()


def test_new_follow_up_refused_shows_the_reason_under_the_field(make_page, data, monkeypatch, asked):
    pena = data["customers"]["pena"]
    Customer.update(archived=True).where(Customer.id == pena.id).execute()
    page = make_page(data["people"]["ana"])
    calls = []
    answers = [FollowUpInput(pena.id, CALL, FollowUpPurpose.COMMERCIAL, at(1, 10)), None]

    def ask(parent, **kw):
        calls.append(kw)
        return answers[len(calls) - 1]

    monkeypatch.setattr(FollowUpDialog, "ask", staticmethod(ask))
    page.create_new()
    assert "archived" in calls[1]["errors"]["customer_id"]
    assert asked["errors"] == []


def test_open_customer_and_export_to_calendar(make_page, data, monkeypatch, asked, tmp_path):
    page = make_page(data["people"]["ana"], WEEK)
    page.week_view.select_follow_up(data["rows"]["wednesday"].id)
    opened = []
    monkeypatch.setattr(
        Customer360Dialog, "show_customer", staticmethod(lambda parent, cid, **kwargs: opened.append(cid))
    )
    page.open_customer_of_selected()
    assert opened == [data["customers"]["pena"].id]
    target = tmp_path / "week.ics"
    monkeypatch.setattr(page, "_ask_export_path", lambda: str(target))
    page.export_calendar()
    calendar = Calendar.from_ical(target.read_bytes())
    uids = sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))
    assert len(uids) == 5  # the rows of the week shown: Ana's four on Monday and Wednesday's
    assert f"followup-{data['rows']['wednesday'].id}@postventa" in uids
    assert asked["inform"] == ["5 follow-ups exported to week.ics."]


def test_changes_elsewhere_refresh_the_page(make_page, data):
    page = make_page(data["people"]["ana"])
    followup_service.cancel_follow_up(data["rows"]["noon_c"].id, "Duplicate")
    page.on_data_changed(frozenset({FOLLOW_UPS}), None)  # as the main window passes it on
    assert page.model.index(page.model.row_of(data["rows"]["noon_c"].id), STATE).data() == "Cancelled"


# --- the dialogs -------------------------------------------------------------------------------


def test_complete_dialog_asks_scores_only_for_satisfaction_when_reached(qtbot, data):
    late = followup_service.get_follow_up(data["rows"]["late_today"].id, NOW)
    dialog = CompleteFollowUpDialog(None, late)
    qtbot.addWidget(dialog)
    dialog.set_values(CompletionInput(FollowUpOutcome.REACHED, "fine", 5, 10))
    assert dialog.values() == CompletionInput(FollowUpOutcome.REACHED, "fine", 5, 10, None)
    dialog.set_values(CompletionInput(FollowUpOutcome.NOT_REACHED, "", 5, 10))
    assert dialog.values() == CompletionInput(FollowUpOutcome.NOT_REACHED, "", None, None, None)
    commercial = followup_service.get_follow_up(data["rows"]["noon_c"].id, NOW)
    other = CompleteFollowUpDialog(None, commercial)
    qtbot.addWidget(other)
    other.set_values(CompletionInput(FollowUpOutcome.REACHED, "", 5, 10))
    assert other.values().satisfaction is None


def test_reschedule_dialog_offers_a_future_time_for_overdue_work(qtbot, data):
    late = followup_service.get_follow_up(data["rows"]["yesterday"].id, NOW)
    dialog = RescheduleDialog(None, late, now=NOW)
    qtbot.addWidget(dialog)
    assert dialog.value() == at(1, 10)  # next working day, same time


def test_new_follow_up_dialog_picks_the_customer_from_the_list(qtbot, data):
    dialog = FollowUpDialog(None, now=NOW)
    qtbot.addWidget(dialog)
    assert dialog.values().scheduled_at == at(0, 11)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    picker = dialog.customer_picker
    picker.setText("pena")
    dialog.accept()  # typed but not chosen
    assert "Choose the customer" in dialog.error_text("customer_id")
    assert picker.search("pena") == ["Peña Hermanos (C-1, Madrid)"]
    picker.choose("Peña Hermanos (C-1, Madrid)")
    assert ok.isEnabled()
    value = dialog.values()
    assert (value.customer_id, value.kind, value.duration_minutes) == (data["customers"]["pena"].id, CALL, 15)
    dialog._kind.setCurrentIndex(dialog._kind.findData(VISIT))
    assert dialog.values().duration_minutes == 60  # the visit default, as long as it was not edited
    dialog.show_errors({"place": "Too long"})
    assert dialog.error_text("place") == "Too long"


# --- issue 13: outcomes by kind, rescheduling by keyboard ------------------------------------------


def test_a_visit_offers_only_the_outcomes_of_a_visit(qtbot, data):
    visit = followup_service.get_follow_up(data["rows"]["noon_a"].id, NOW)
    dialog = CompleteFollowUpDialog(None, visit)
    qtbot.addWidget(dialog)
    assert dialog.outcome_choices() == [FollowUpOutcome.REACHED, FollowUpOutcome.NOT_REACHED]
    call = followup_service.get_follow_up(data["rows"]["noon_c"].id, NOW)
    other = CompleteFollowUpDialog(None, call)
    qtbot.addWidget(other)
    assert FollowUpOutcome.VOICEMAIL in other.outcome_choices()


def test_rescheduling_by_keyboard_keeps_the_typed_time(qtbot, data, monkeypatch):
    from app.views import dialogs

    monkeypatch.setattr(dialogs, "ask_unsaved_changes", lambda parent, q: dialogs.Unsaved.DISCARD)
    row = followup_service.get_follow_up(data["rows"]["wednesday"].id, NOW)  # 25/11 10:30
    dialog = RescheduleDialog(None, row, now=NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    date = dialog._date
    date.setFocus()
    qtbot.waitUntil(date.hasFocus)
    qtbot.keyClicks(date, "27")  # the day, then Tab to the time as in any form
    qtbot.keyClick(date, Qt.Key.Key_Tab)
    assert dialog._time.hasFocus()
    qtbot.keyClicks(dialog._time, "0915")
    assert dialog.value() == dt.datetime(2026, 11, 27, 9, 15)


def test_declining_a_past_time_returns_to_the_reschedule_form_as_typed(make_page, data, monkeypatch, asked):
    noon = data["rows"]["noon_c"]
    page = make_page(data["people"]["ana"])
    select(page, noon)
    calls, answers = [], [at(0, 9), None]

    def ask(parent, row, **kw):
        calls.append(kw)
        return answers[len(calls) - 1]

    monkeypatch.setattr(RescheduleDialog, "ask", staticmethod(ask))
    asked["answers"]["confirm"] = False
    page.reschedule_selected()
    assert "in the past" in asked["confirm"][0]
    assert len(calls) == 2 and calls[1]["proposed"] == at(0, 9) and calls[1]["errors"] == {}
    assert reload(noon).scheduled_at == at(0, 12)


def test_navigation_opens_a_day_s_week_with_a_follow_up_selected(make_page, data):
    """From "Show in the agenda" after a sale: the week of the first scheduled follow-up, selected."""
    nxt = data["rows"]["next_week"]
    page = make_page(data["people"]["ana"])
    page.apply_navigation({"week_of": nxt.scheduled_at.date(), "select": nxt.id})
    assert page.current_view() == WEEK
    assert page.week_view.monday == MONDAY + dt.timedelta(days=7)
    assert page.selected_row().id == nxt.id


# --- issue 21: an ad-hoc follow-up about one of the customer's products -----------------------------


@pytest.fixture
def units(data):
    """Peña bought a washing machine and a dryer (serials WM-1, DR-2); Bodegas Haro a fridge."""
    from app.models import SoldUnit
    from tests import factories

    def bought(customer, sku, serial):
        item = factories.product(sku)
        (unit,) = factories.sale(customer, dt.date(2026, 3, 2), (1, "499.00"), item=item)
        SoldUnit.update(serial_number=serial).where(SoldUnit.id == unit.id).execute()
        return unit.id

    pena, bodega = data["customers"]["pena"], data["customers"]["bodega"]
    return {
        "washer": bought(pena, "Lavadora", "WM-1"),
        "dryer": bought(pena, "Secadora", "DR-2"),
        "fridge": bought(bodega, "Frigorífico", "FR-3"),
    }


def test_new_follow_up_dialog_offers_the_chosen_customer_s_products(qtbot, data, units):
    dialog = FollowUpDialog(None, now=NOW)
    qtbot.addWidget(dialog)
    unit_combo = dialog._unit
    assert dialog.unit_texts() == ["Find the customer first."] and not unit_combo.isEnabled()
    picker = dialog.customer_picker
    picker.search("pena")
    picker.choose("Peña Hermanos (C-1, Madrid)")
    texts = dialog.unit_texts()
    assert texts[0] == "None in particular" and unit_combo.isEnabled()
    assert {text.split(" – sale S-")[0] for text in texts[1:]} == {
        "Lavadora (serial WM-1)",
        "Secadora (serial DR-2)",
    }
    assert dialog.values().sold_unit_id is None  # optional: none by default
    dialog.select_unit(units["dryer"])
    assert dialog.values().sold_unit_id == units["dryer"]
    # Another customer: her own products only (none here), the earlier choice gone.
    picker.search("zapat")
    picker.choose(picker.matches()[0])
    assert dialog.unit_texts() == ["This customer has no units on record"] and not unit_combo.isEnabled()
    assert dialog.values().sold_unit_id is None
    # Reopened after a refusal, it shows the product that was chosen.
    again = FollowUpDialog(
        None,
        initial=FollowUpInput(
            data["customers"]["pena"].id,
            CALL,
            FollowUpPurpose.USAGE_CHECK,
            at(1, 10),
            customer_text="Peña Hermanos (C-1, Madrid)",
            sold_unit_id=units["washer"],
        ),
        now=NOW,
    )
    qtbot.addWidget(again)
    assert again.values().sold_unit_id == units["washer"]
    assert again._unit.currentText().startswith("Lavadora (serial WM-1)")


def test_a_follow_up_about_a_product_shows_it_in_the_agenda(make_page, data, units, monkeypatch, asked):
    pena = data["customers"]["pena"]
    page = make_page(data["people"]["ana"])
    value = FollowUpInput(
        pena.id, CALL, FollowUpPurpose.TRAINING, at(0, 17), customer_text="Peña", sold_unit_id=units["washer"]
    )
    monkeypatch.setattr(FollowUpDialog, "ask", staticmethod(lambda parent, **kw: value))
    assert page.create_new()
    created = FollowUp.get(FollowUp.purpose == FollowUpPurpose.TRAINING)
    assert created.sold_unit_id == units["washer"]
    assert page.selected_row().id == created.id
    assert "Product: Lavadora (serial WM-1)" in page.detail_panel.text()


def test_a_product_of_another_customer_is_refused_beside_the_field(
    make_page, data, units, monkeypatch, asked
):
    pena = data["customers"]["pena"]
    page = make_page(data["people"]["ana"])
    calls = []
    answers = [
        FollowUpInput(pena.id, CALL, FollowUpPurpose.TRAINING, at(1, 10), sold_unit_id=units["fridge"]),
        None,
    ]

    def ask(parent, **kw):
        calls.append(kw)
        return answers[len(calls) - 1]

    monkeypatch.setattr(FollowUpDialog, "ask", staticmethod(ask))
    page.create_new()
    assert calls[1]["errors"] == {"sold_unit_id": "The product is not one this customer bought."}
    assert calls[1]["initial"] == answers[0]  # back with what was chosen
    assert not FollowUp.select().where(FollowUp.purpose == FollowUpPurpose.TRAINING).exists()
