"""Reminders: what is announced when, the morning summary, and the timer-driven service."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import Customer, FollowUp, Rep
from app.models.enums import FollowUpKind, FollowUpPurpose, FollowUpState, Segment
from app.services import followups
from app.services.followups.reminders import (
    Notification,
    due_reminders,
    morning_summary,
    morning_summary_text,
    reminder_key,
    reminder_notification,
    summary_due,
)
from app.services.reps import get_rep
from app.views import settings
from app.views.pages.base import AppContext
from app.views.reminders import ReminderService, should_close_to_tray

CALL, VISIT, VIDEO = FollowUpKind.CALL, FollowUpKind.VISIT, FollowUpKind.VIDEO
MONDAY = dt.date(2026, 11, 23)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def office(database):
    ana = Rep.create(code="ANA", name="Ana Garcia")
    luis = Rep.create(code="LUIS", name="Luis Perez")
    pena = Customer.create(
        code="C-1",
        name="Pena & Hijos",
        rep=ana,
        phone="911 222 333",
        segment=Segment.A,
        address="Calle Mayor 1",
        postal_code="28013",
        city="Madrid",
    )
    ruiz = Customer.create(code="C-2", name="Zapateria Ruiz", rep=ana, phone="600 100 200")
    other = Customer.create(code="C-3", name="Luis's customer", rep=luis)
    return {"ana": ana, "luis": luis, "pena": pena, "ruiz": ruiz, "other": other}


def planned(customer, when, kind=CALL, purpose=FollowUpPurpose.DELIVERY, **fields) -> FollowUp:
    return FollowUp.create(
        customer=customer, rep=customer.rep, kind=kind, purpose=purpose, scheduled_at=when, **fields
    )


def rows_of(rep, start, end, now):
    return followups.agenda(rep.id, start, end, now=now)


# --- due_reminders -----------------------------------------------------------------------


def test_due_reminders_follow_the_lead_time(office):
    call = planned(office["pena"], at(10, 30))
    visit = planned(office["ruiz"], at(10, 40), VISIT)
    planned(office["pena"], at(12, 0))
    rows = rows_of(office["ana"], at(0), at(23), at(10))

    assert due_reminders(rows, at(10, 0), 15, set()) == []
    assert [r.id for r in due_reminders(rows, at(10, 15), 15, set())] == [call.id]
    assert [r.id for r in due_reminders(rows, at(10, 25), 15, set())] == [call.id, visit.id]
    assert [r.id for r in due_reminders(rows, at(10, 10), 30, set())] == [call.id, visit.id]
    # Just started (the app was opened late): still announced, but not long after.
    assert [r.id for r in due_reminders(rows, at(10, 33), 0, set())] == [call.id]
    assert due_reminders(rows, at(10, 36), 0, set()) == []


def test_due_reminders_never_repeat_and_skip_what_is_not_planned(office):
    call = planned(office["pena"], at(10, 30))
    done = planned(office["ruiz"], at(10, 30), state=FollowUpState.DONE)
    rows = rows_of(office["ana"], at(0), at(23), at(10))
    first = due_reminders(rows, at(10, 20), 15, set())
    assert [r.id for r in first] == [call.id]
    notified = {reminder_key(r) for r in first}
    assert due_reminders(rows, at(10, 21), 15, notified) == []
    assert done.id not in [r.id for r in due_reminders(rows, at(10, 20), 15, set())]

    # Moved to the afternoon: a new appointment, announced again before its new time.
    FollowUp.update(scheduled_at=at(16, 0)).where(FollowUp.id == call.id).execute()
    rows = rows_of(office["ana"], at(0), at(23), at(10))
    assert [r.id for r in due_reminders(rows, at(15, 50), 15, notified)] == [call.id]


def test_a_single_reminder_names_the_customer_and_time(office):
    call = planned(office["pena"], at(10, 30))
    [row] = rows_of(office["ana"], at(0), at(23), at(10))
    notification = reminder_notification([row], at(10, 15))
    assert notification == Notification(
        "Phone call \u2014 Pena & Hijos at 10:30", "Delivery confirmation\n911 222 333", call.id
    )
    visit = planned(
        office["pena"], at(11, 0), VISIT, FollowUpPurpose.USAGE_CHECK, place="Calle Mayor 1, Madrid"
    )
    row = followups.get_follow_up(visit.id, now=at(10))
    assert reminder_notification([row], at(10, 50)).text == "Correct-use check\nCalle Mayor 1, Madrid"


def test_several_reminders_at_once_are_one_notification_opening_the_agenda(office):
    for minute in range(0, 35, 5):
        planned(office["ruiz"], at(10, minute))
    rows = rows_of(office["ana"], at(0), at(23), at(9))
    notification = reminder_notification(rows, at(9, 58))
    assert notification.follow_up_id is None
    assert notification.title == "7 follow-ups starting soon"
    lines = notification.text.split("\n")
    assert lines[0] == "10:00 Phone call \u2014 Zapateria Ruiz"
    assert lines[-1] == "and 2 more" and len(lines) == 6


# --- the morning summary -------------------------------------------------------------------


def test_morning_summary_counts_today_by_kind_and_earlier_days_as_overdue(office):
    for hour in (9, 10, 11, 12, 16):
        planned(office["pena"], at(hour))
    planned(office["ruiz"], at(11, 30), VISIT)
    planned(office["ruiz"], at(13, 0), VISIT)
    planned(office["ruiz"], at(17, 0), VIDEO)
    planned(office["ruiz"], at(9, 0), state=FollowUpState.DONE)  # done: not counted
    for day in (MONDAY - dt.timedelta(days=3), MONDAY - dt.timedelta(days=1)):
        planned(office["pena"], at(10, 0, day))
    planned(office["ruiz"], at(10, 0, MONDAY - dt.timedelta(days=2)))
    planned(office["other"], at(10))  # another rep's
    planned(office["pena"], at(10, 0, MONDAY + dt.timedelta(days=1)))  # tomorrow

    rows = followups.agenda(
        office["ana"].id, at(0) - dt.timedelta(days=7), at(0) + dt.timedelta(days=2), now=at(8)
    )
    assert morning_summary_text(rows, at(8)) == "Today: 5 calls, 2 visits, 1 video call; 3 overdue"
    summary = morning_summary(rows, at(8))
    assert summary == Notification(
        "Agenda for 23/11/2026", "Today: 5 calls, 2 visits, 1 video call; 3 overdue"
    )


def test_morning_summary_text_for_quiet_days():
    assert morning_summary_text([], at(8)) == "Nothing planned for today"
    assert morning_summary([], at(8)) is None
    assert morning_summary([], at(8), overdue=1).text == "Nothing planned for today; 1 overdue"


def test_the_summary_is_due_once_a_day_from_its_hour():
    assert not summary_due(at(7, 59), 8, None)
    assert summary_due(at(8, 0), 8, None)
    assert summary_due(at(14, 0), 8, None)  # opened in the afternoon: at start
    assert not summary_due(at(14, 1), 8, MONDAY)
    assert summary_due(at(8, 0, MONDAY + dt.timedelta(days=1)), 8, MONDAY)


def test_closing_to_the_tray_needs_a_tray_and_the_preference():
    assert should_close_to_tray(True, True)
    assert not should_close_to_tray(False, True)
    assert not should_close_to_tray(True, False)


# --- the service ------------------------------------------------------------------------------


class Clock:
    """The service's clock; it counts its reads, one per tick, so a test can see the timer tick."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.reads = 0

    def __call__(self) -> dt.datetime:
        self.reads += 1
        return self.now


@pytest.fixture
def service(qtbot, office, database):
    clock = Clock(at(7, 0))
    context = AppContext(database=database, current_rep=get_rep(office["ana"].id))
    reminders = ReminderService(context, now=clock, use_tray=False, interval_ms=5)
    reminders.clock = clock
    shown: list[Notification] = []
    reminders.notification_shown.connect(shown.append)
    reminders.shown = shown
    yield reminders
    reminders.stop()


def test_the_timer_tick_announces_each_follow_up_once(qtbot, service, office):
    call = planned(office["pena"], at(10, 30))
    planned(office["other"], at(10, 30))  # Luis's: never announced to Ana
    assert not service.tray_available  # offscreen: no tray, the service still works

    service.start()
    assert service.is_running()
    assert service.shown == []  # 7:00: before the summary hour, nothing due

    service.clock.now = at(10, 16)
    with qtbot.waitSignal(service.notification_shown, timeout=2000):
        pass  # the summary (first tick after 8:00) and the reminder arrive on the timer
    qtbot.waitUntil(lambda: len(service.shown) == 2, timeout=2000)
    summary, reminder = service.shown
    assert summary.text == "Today: 1 call" and summary.follow_up_id is None
    assert reminder.title == "Phone call \u2014 Pena & Hijos at 10:30"
    assert reminder.follow_up_id == call.id

    ticks = service.clock.reads
    qtbot.wait(30)  # several more ticks at the same minute, and the next one
    # The timer really ticked meanwhile (the check below would pass if it had stopped).
    qtbot.waitUntil(lambda: service.clock.reads >= ticks + 3, timeout=2000)
    service.clock.now = at(10, 17)
    ticks = service.clock.reads
    qtbot.wait(30)
    qtbot.waitUntil(lambda: service.clock.reads >= ticks + 3, timeout=2000)
    assert len(service.shown) == 2


def test_the_lead_time_is_a_preference(service, office):
    planned(office["pena"], at(10, 30))
    settings.put(settings.REMINDER_LEAD_MINUTES, 45)
    settings.put(settings.REMINDER_SUMMARY_HOUR, 11)
    service.clock.now = at(9, 50)
    [reminder] = service.check()
    assert reminder.title.endswith("at 10:30")
    assert service.check() == []


def test_summary_once_per_day_through_the_service(service, office):
    planned(office["pena"], at(15, 0))
    planned(office["pena"], at(15, 0, MONDAY + dt.timedelta(days=1)))
    service.clock.now = at(8, 5)
    assert [n.text for n in service.check()] == ["Today: 1 call"]
    service.clock.now = at(9, 0)
    assert service.check() == []
    service.clock.now = at(8, 1, MONDAY + dt.timedelta(days=1))
    assert [n.text for n in service.check()] == ["Today: 1 call; 1 overdue"]  # Monday's is still planned


def test_no_user_no_reminders(qtbot, office, database):
    planned(office["pena"], at(10, 30))
    reminders = ReminderService(AppContext(database=database), now=Clock(at(10, 20)), use_tray=False)
    assert reminders.check() == []


def test_clicking_a_notification_opens_the_follow_up_or_the_agenda(qtbot, service):
    with qtbot.waitSignal(service.follow_up_requested) as signal:
        service.open_notification(Notification("t", "x", 42))
    assert signal.args == [42]
    with qtbot.waitSignal(service.agenda_requested):
        service.open_notification(Notification("t", "x"))


def test_a_failing_check_is_logged_not_raised(service, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database closed")

    monkeypatch.setattr(followups, "agenda", broken)
    service.clock.now = at(10)
    assert service.check() == []
    assert service.check() == []
    assert caplog.text.count("Reminders could not be checked") == 1


def test_the_tray_menu_and_message_click(qtbot, office, database):
    context = AppContext(database=database, current_rep=get_rep(office["ana"].id))
    call = planned(office["pena"], at(10, 30))
    reminders = ReminderService(context, now=Clock(at(10, 20)), use_tray=True)
    try:
        assert reminders.tray_available
        texts = [a.text() for a in reminders.tray_menu.actions() if not a.isSeparator()]
        assert texts == ["Show Postventa", "Agenda for today", "Quit"]
        with qtbot.waitSignal(reminders.quit_requested):
            reminders.tray_menu.actions()[-1].trigger()
        with qtbot.waitSignal(reminders.agenda_requested):
            reminders.tray_menu.actions()[1].trigger()
        reminders.check()
        with qtbot.waitSignal(reminders.follow_up_requested) as signal:
            reminders.tray_icon.messageClicked.emit()
        assert signal.args == [call.id]
        settings.put(settings.CLOSE_TO_TRAY, False)
        assert not reminders.should_close_to_tray()
        settings.put(settings.CLOSE_TO_TRAY, True)
        assert reminders.should_close_to_tray()
    finally:
        reminders.stop()


def test_boolean_preferences_read_back_false_from_the_ini_file():
    settings.put(settings.CLOSE_TO_TRAY, False)
    assert settings.get(settings.CLOSE_TO_TRAY) is False
    settings.put(settings.CLOSE_TO_TRAY, True)
    assert settings.get(settings.CLOSE_TO_TRAY) is True
