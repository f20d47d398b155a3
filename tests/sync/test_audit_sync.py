"""The audit log syncs (issue 16): what a rep did offline reaches the office's log under the rep's
login, naming the office's copy of the record; a manager's laptop holds the whole log, each entry
naming its own copy; a rep's laptop holds the entries of the rep's login only; nothing travels back
twice."""

from __future__ import annotations

import pytest

from app.models import AuditEntry, FollowUp, Rep
from app.models.database import close_database, open_database
from app.services.followups.workflow import reschedule_follow_up
from app.sync.engine import init_laptop
from tests.helpers import working_slot
from tests.sync.copies import office_query, sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


def test_what_a_rep_did_offline_is_in_the_offices_log_and_on_a_managers_laptop(office, tmp_path):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    init_laptop(ana, office.url_of(office.rep))
    (uid,) = office_query(
        office,
        "SELECT uid FROM follow_up WHERE rep_id = %s AND state = 'planned' ORDER BY id LIMIT 1",
        (office.rep_id,),
    )[0]
    open_database(str(ana), create=False)
    try:
        assert AuditEntry.select().count() == 0  # of the office's log, only what this rep did (nothing yet)
        follow_up = FollowUp.get(FollowUp.uid == uid)
        rep = Rep.get(
            Rep.uid == office_query(office, "SELECT uid FROM rep WHERE id = %s", (office.rep_id,))[0][0]
        )
        reschedule_follow_up(follow_up.id, working_slot(9), acting_rep_id=rep.id, confirm_placement=True)
        (entry,) = AuditEntry.select().where(AuditEntry.entity == "follow_up")
        assert (entry.entity_id, entry.entity_uid) == (follow_up.id, uid)
        entry_uid = entry.uid
    finally:
        close_database()
    assert sync(ana, office.url_of(office.rep)).refused == 0
    # At the office: the rep's entry, under her login, naming the office's follow-up.
    assert office_query(
        office,
        "SELECT a.login, a.action, a.entity_id = f.id, a.rep_id FROM audit_entry a"
        " JOIN follow_up f ON f.uid = a.entity_uid WHERE a.uid = %s",
        (entry_uid,),
    ) == [(office.rep, "update", True, office.rep_id)]
    # A manager's laptop holds the whole log, each entry naming the laptop's own copy.
    init_laptop(mia, office.url_of(office.manager))
    open_database(str(mia), create=False)
    try:
        office_entries = office_query(office, "SELECT count(*) FROM audit_entry")[0][0]
        assert AuditEntry.select().count() == office_entries > 1
        entry = AuditEntry.get(AuditEntry.uid == entry_uid)
        assert entry.entity_id == FollowUp.get(FollowUp.uid == uid).id
        assert entry.rep.uid == rep.uid
        misplaced = (
            AuditEntry.select()
            .join(FollowUp, on=(FollowUp.id == AuditEntry.entity_id))
            .where((AuditEntry.entity == "follow_up") & (FollowUp.uid != AuditEntry.entity_uid))
            .count()
        )
        assert misplaced == 0
    finally:
        close_database()
    # Nothing travels back: the pulled entries are not the laptops' own changes.
    assert sync(mia, office.url_of(office.manager)).pushed == 0
    assert sync(ana, office.url_of(office.rep)).pushed == 0
    assert office_query(office, "SELECT count(*) FROM audit_entry WHERE uid = %s", (entry_uid,)) == [(1,)]
    # The rep's laptop has her entry back with the office's revision, and no one else's.
    open_database(str(ana), create=False)
    try:
        assert [(e.uid, e.revision is not None) for e in AuditEntry.select()] == [(entry_uid, True)]
    finally:
        close_database()
