"""A laptop carried to another time zone (issue 16, design item 1): its file keeps naive wall-clock
times, so when the machine's zone changes they are moved to the new clock at the next open, for the
moments they meant; nothing of it is pushed (the moments did not change), and changes made after
the move are captured for their moments."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.models import FollowUp, db
from app.models.database import close_database, open_database
from app.models.enums import FollowUpKind, FollowUpPurpose
from app.sync import laptop as laptop_side
from tests import factories
from tests.helpers import in_time_zone
from tests.laptops import make_laptop, outbox

pytestmark = pytest.mark.sqlite_only("a laptop's own file; the office keeps moments (timestamptz)")

WINTER = dt.datetime(2027, 1, 12, 10, 0)  # the Canaries UTC+0, Madrid UTC+1
SUMMER = dt.datetime(2027, 7, 13, 10, 0, 30, 250000)  # the Canaries UTC+1, Madrid UTC+2


def _file_in_the_canaries(path, *, laptop: bool = True) -> tuple[int, int]:
    """A file with a visit in winter and one in summer, written in the Canaries (a laptop's, or not)."""
    with in_time_zone("Atlantic/Canary"):
        open_database(str(path))
        who = factories.customer("C1")
        rep = factories.create_rep("ANA", "Ana")
        ids = tuple(
            FollowUp.create(
                customer=who,
                rep=rep.id,
                kind=FollowUpKind.VISIT,
                purpose=FollowUpPurpose.COMMERCIAL,
                scheduled_at=at,
            ).id
            for at in (WINTER, SUMMER)
        )
        if laptop:
            make_laptop()
        close_database()
    return ids


def _scheduled(follow_up_id: int) -> dt.datetime:
    return FollowUp.get_by_id(follow_up_id).scheduled_at


def test_a_laptop_taken_from_the_canaries_to_madrid_shows_its_times_on_madrids_clock(tmp_path):
    path = tmp_path / "ana.sqlite3"
    winter, summer = _file_in_the_canaries(path)
    with in_time_zone("Europe/Madrid"):
        open_database(str(path))
        try:
            assert _scheduled(winter) == WINTER + dt.timedelta(hours=1)
            assert _scheduled(summer) == SUMMER + dt.timedelta(hours=1)  # its own date's offsets
            assert outbox() == []  # the same moments: nothing to push
            # A change made in Madrid is captured for its moment: 12:00 in Madrid is 11:00 UTC.
            FollowUp.update(scheduled_at=dt.datetime(2027, 1, 12, 12, 0)).where(
                FollowUp.id == winter
            ).execute()
            (captured,) = db.obj.execute_sql(f"SELECT new_values FROM {laptop_side.OUTBOX}").fetchone()
            assert json.loads(captured)["scheduled_at"].startswith("2027-01-12T11:00:00")
        finally:
            close_database()
        open_database(str(path))  # the same zone again: nothing moves
        try:
            assert _scheduled(summer) == SUMMER + dt.timedelta(hours=1)
        finally:
            close_database()
    with in_time_zone("Atlantic/Canary"):  # back home: back on the Canaries' clock
        open_database(str(path))
        try:
            assert _scheduled(summer) == SUMMER
            assert _scheduled(winter) == dt.datetime(2027, 1, 12, 11, 0)
        finally:
            close_database()


def test_a_standalone_file_and_a_laptop_in_the_same_zone_keep_their_times(tmp_path):
    alone = tmp_path / "alone.sqlite3"
    first, _summer = _file_in_the_canaries(alone, laptop=False)
    with in_time_zone("Europe/Madrid"):
        open_database(str(alone))
        try:
            assert _scheduled(first) == WINTER  # not a laptop: its times are left as they are
        finally:
            close_database()
    laptop = tmp_path / "ana.sqlite3"
    winter, _summer = _file_in_the_canaries(laptop)
    with in_time_zone("Atlantic/Canary"):
        open_database(str(laptop))
        try:
            assert _scheduled(winter) == WINTER
        finally:
            close_database()
