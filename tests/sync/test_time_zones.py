"""Laptops in different time zones (issue 16, design item 1): a time crosses as the moment it meant.
A rep in the Canary Islands (UTC+0 in winter) and a manager in Madrid (UTC+1) see the same visit at
10:00 and at 11:00; a change captured in one zone and pushed from another keeps its moment; a
conflict's values are shown in the reader's own time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.models import FollowUp
from app.sync.conflicts import open_conflicts
from app.sync.engine import init_laptop
from app.sync.labels import describe_conflict
from tests.helpers import in_time_zone
from tests.server_office import Office
from tests.sync.copies import office_query, on_laptop, sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")

CANARY, MADRID = "Atlantic/Canary", "Europe/Madrid"
# A winter Tuesday: the Canary Islands an hour behind the peninsula.
TEN_IN_THE_CANARIES = dt.datetime(2027, 1, 12, 10, 0)
ELEVEN_IN_MADRID = dt.datetime(2027, 1, 12, 11, 0)


def _in_utc(office: Office, uid: str) -> dt.datetime:
    return office_query(
        office, "SELECT scheduled_at AT TIME ZONE 'UTC' FROM follow_up WHERE uid = %s", (uid,)
    )[0][0]


def _scheduled_at(path: Path, uid: str) -> dt.datetime:
    return on_laptop(path, lambda: FollowUp.get(FollowUp.uid == uid).scheduled_at)


def _reschedule(path: Path, uid: str, when: dt.datetime) -> None:
    on_laptop(path, lambda: FollowUp.update(scheduled_at=when).where(FollowUp.uid == uid).execute())


def _a_follow_up_of_the_rep(office: Office) -> str:
    return office_query(
        office,
        "SELECT uid FROM follow_up WHERE rep_id = %s AND state = 'planned' ORDER BY id LIMIT 1",
        (office.rep_id,),
    )[0][0]


def _conflict_times(path: Path) -> tuple[dt.datetime, dt.datetime]:
    """The one open conflict's laptop and office values, as its Conflicts page shows them here."""

    def read():
        (conflict,) = open_conflicts()
        shown = describe_conflict(conflict)
        return shown.mine_value, shown.theirs_value

    return on_laptop(path, read)


def test_a_time_set_in_the_canary_islands_is_the_same_moment_in_madrid(office, tmp_path):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    uid = _a_follow_up_of_the_rep(office)
    with in_time_zone(CANARY):
        init_laptop(ana, office.url_of(office.rep))
    with in_time_zone(MADRID):
        init_laptop(mia, office.url_of(office.manager))
    with in_time_zone(CANARY):
        _reschedule(ana, uid, TEN_IN_THE_CANARIES)
        assert sync(ana, office.url_of(office.rep)).conflicts == 0
    assert _in_utc(office, uid) == dt.datetime(2027, 1, 12, 10, 0)  # UTC+0 in a Canary winter
    with in_time_zone(MADRID):
        sync(mia, office.url_of(office.manager))
        assert _scheduled_at(mia, uid) == ELEVEN_IN_MADRID
        # The manager moves it to 12:00 Madrid time; the rep sees 11:00 on her laptop.
        _reschedule(mia, uid, dt.datetime(2027, 1, 12, 12, 0))
        sync(mia, office.url_of(office.manager))
    with in_time_zone(CANARY):
        sync(ana, office.url_of(office.rep))
        assert _scheduled_at(ana, uid) == dt.datetime(2027, 1, 12, 11, 0)
        # Synced twice with nothing new: no change travels back (the two readings are one moment).
        assert sync(ana, office.url_of(office.rep)).pushed == 0


def test_a_change_captured_in_one_zone_and_pushed_from_another_keeps_its_moment(office, tmp_path):
    ana = tmp_path / "ana.sqlite3"
    uid = _a_follow_up_of_the_rep(office)
    with in_time_zone(CANARY):
        init_laptop(ana, office.url_of(office.rep))
        _reschedule(ana, uid, TEN_IN_THE_CANARIES)  # made in the Canaries, offline
    with in_time_zone(MADRID):  # the rep flies back before syncing
        assert sync(ana, office.url_of(office.rep)).conflicts == 0
        assert _scheduled_at(ana, uid) == ELEVEN_IN_MADRID  # her laptop now shows Madrid time
    assert _in_utc(office, uid) == dt.datetime(2027, 1, 12, 10, 0)


def test_a_conflict_on_a_time_shows_each_side_in_the_readers_time(office, tmp_path):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    uid = _a_follow_up_of_the_rep(office)
    with in_time_zone(CANARY):
        init_laptop(ana, office.url_of(office.rep))
    with in_time_zone(MADRID):
        init_laptop(mia, office.url_of(office.manager))
    with in_time_zone(CANARY):
        _reschedule(ana, uid, TEN_IN_THE_CANARIES)  # 10:00 UTC
        sync(ana, office.url_of(office.rep))
    with in_time_zone(MADRID):
        _reschedule(mia, uid, dt.datetime(2027, 1, 12, 16, 30))  # 15:30 UTC, against the old time
        assert sync(mia, office.url_of(office.manager)).conflicts == 1
        assert _conflict_times(mia) == (dt.datetime(2027, 1, 12, 16, 30), ELEVEN_IN_MADRID)
    with in_time_zone(CANARY):  # the same conflict read on the rep's laptop: Canary time
        sync(ana, office.url_of(office.rep))
        assert _conflict_times(ana) == (dt.datetime(2027, 1, 12, 15, 30), TEN_IN_THE_CANARIES)
