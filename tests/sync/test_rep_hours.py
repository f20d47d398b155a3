"""A rep's own working hours (schema 9) travel between the office and its laptops like the rep's
other columns: a manager's change made offline reaches the office, the office's reaches a rep's
laptop, whose placement then uses them (#21)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import Rep
from app.models.database import close_database, open_database
from app.services.followups.placement import PlacementRules
from app.services.reps import RepInput, update_rep
from app.sync.engine import init_laptop
from tests.server_office import Office
from tests.sync.copies import sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


def _office_hours(office: Office, uid: str):
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT working_hours_start, working_hours_end FROM rep WHERE uid = %s", (uid,))
        return cursor.fetchone()


def test_a_rep_s_hours_travel_both_ways(office, tmp_path):
    mia, ana = tmp_path / "mia.sqlite3", tmp_path / "ana.sqlite3"
    init_laptop(mia, office.url_of(office.manager))
    init_laptop(ana, office.url_of(office.rep))
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT uid, name FROM rep WHERE id = %s", (office.rep_id,))
        uid, name = cursor.fetchone()

    # The manager gives the rep a morning day on her laptop, offline; it reaches the office.
    open_database(str(mia), create=False)
    try:
        update_rep(
            Rep.get(Rep.uid == uid).id,
            RepInput(name, working_hours_start=dt.time(8), working_hours_end=dt.time(15)),
        )
    finally:
        close_database()
    outcome = sync(mia, office.url_of(office.manager))
    assert (outcome.pushed, outcome.conflicts, outcome.refused) == (2, 0, 0)  # the rep, its audit entry
    assert _office_hours(office, uid) == (dt.time(8), dt.time(15))

    # The rep's laptop takes them at its next sync, and places her follow-ups inside them.
    sync(ana, office.url_of(office.rep))
    open_database(str(ana), create=False)
    try:
        rep = Rep.get(Rep.uid == uid)
        assert (rep.working_hours_start, rep.working_hours_end) == (dt.time(8), dt.time(15))
        assert PlacementRules.from_settings().hours(rep.id) == (dt.time(8), dt.time(15))
    finally:
        close_database()

    # Back to the company's hours at the office: empty on the laptops too.
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(
            "UPDATE rep SET working_hours_start = NULL, working_hours_end = NULL WHERE uid = %s", (uid,)
        )
    sync(mia, office.url_of(office.manager))
    open_database(str(mia), create=False)
    try:
        rep = Rep.get(Rep.uid == uid)
        assert (rep.working_hours_start, rep.working_hours_end) == (None, None)
    finally:
        close_database()
