"""Issue 16's "done when", as one story on a real PostgreSQL office and two SQLite laptops, through
the services the window calls: a rep completes visits and opens a return offline (provisional
number), the manager meanwhile hands a customer to a colleague and cancels a follow-up on her own
laptop, both change the same phone; both sync; the manager's activity report counts the rep's
visits; the one real conflict is on the manager's Conflicts page with both values and is resolved
there; everyone ends with the same data."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.models import Customer, FollowUp, Rep, SoldUnit, WarrantyReturn
from app.models.database import close_database, open_database
from app.models.enums import (
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    OutOfWarrantyReason,
    ReturnReason,
)
from app.services.customers import get_customer, update_customer
from app.services.followups import cancel_follow_up, complete_follow_up, schedule_follow_up
from app.services.reporting.followup_stats import follow_up_statistics
from app.services.returns import OPEN_STATES, open_return
from app.sync.conflicts import Choice, open_conflicts, resolve_conflict
from app.sync.engine import init_laptop
from tests.helpers import working_slots
from tests.sync.copies import differences, laptop_rows, office_query, office_rows, on_laptop, sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


def _rep_has_planned_visits(office, count: int) -> None:
    """The rep's agenda holds at least `count` planned follow-ups: the demo's depend on the day the
    test runs (some days it plans fewer for her), so the manager adds visits to make up the number."""
    (have,) = office_query(
        office, "SELECT count(*) FROM follow_up WHERE rep_id = %s AND state = 'planned'", (office.rep_id,)
    )[0]
    if have >= count:
        return
    open_database(office.url, create=False)
    try:
        customer = Customer.select().where(Customer.rep == office.rep_id).order_by(Customer.id).first()
        for when in working_slots(count - have, days_ahead=2):
            schedule_follow_up(
                customer.id, FollowUpKind.VISIT, FollowUpPurpose.WARRANTY, when, rep_id=office.rep_id
            )
    finally:
        close_database()


def test_a_day_of_a_rep_offline_and_a_manager_at_the_same_time(office, tmp_path):
    ana, mia = tmp_path / "ana.sqlite3", tmp_path / "mia.sqlite3"
    _rep_has_planned_visits(office, 4)
    init_laptop(ana, office.url_of(office.rep))
    init_laptop(mia, office.url_of(office.manager))
    today = dt.date.today()
    (ana_uid,) = office_query(office, "SELECT uid FROM rep WHERE id = %s", (office.rep_id,))[0]
    (colleague_uid,) = office_query(
        office, "SELECT uid FROM rep WHERE id <> %s AND role = 'rep' ORDER BY id LIMIT 1", (office.rep_id,)
    )[0]
    planned = [
        uid
        for (uid,) in office_query(
            office,
            "SELECT uid FROM follow_up WHERE rep_id = %s AND state = 'planned' ORDER BY scheduled_at, id LIMIT 4",
            (office.rep_id,),
        )
    ]
    visits, to_cancel = planned[:3], planned[3]
    customers = [
        uid
        for (uid,) in office_query(
            office, "SELECT uid FROM customer WHERE rep_id = %s ORDER BY id LIMIT 2", (office.rep_id,)
        )
    ]
    shared, handed = customers

    def period() -> tuple[dt.date, dt.date]:
        days = [f.scheduled_at.date() for f in FollowUp.select().where(FollowUp.uid.in_(visits))]
        return min(days), max(days)

    def visits_done() -> int:
        start, end = period()
        rep = Rep.get(Rep.uid == ana_uid).id
        return follow_up_statistics(start, end, rep_id=rep, today=today).totals.done

    done_before = on_laptop(mia, visits_done)

    # Ana, offline at her customers': three visits done, a return opened, a phone corrected.
    def ana_works() -> str:
        rep = Rep.get(Rep.uid == ana_uid).id
        for uid in visits:
            complete_follow_up(
                FollowUp.get(FollowUp.uid == uid).id, FollowUpOutcome.REACHED, "Todo en orden", rep
            )
        busy = WarrantyReturn.select(WarrantyReturn.sold_unit).where(WarrantyReturn.state.in_(OPEN_STATES))
        unit = (
            SoldUnit.select()
            .join(Customer)
            .where(Customer.rep == rep, SoldUnit.warranty_ends_on.is_null(False), SoldUnit.id.not_in(busy))
            .order_by(SoldUnit.id)
            .first()
        )
        return_id = open_return(
            unit.id,
            ReturnReason.FAILURE_IN_USE,
            "No enciende",
            today,
            rep,
            out_of_warranty_reason=OutOfWarrantyReason.GOODWILL,
        )
        customer = Customer.get(Customer.uid == shared)
        data = get_customer(customer.id).to_input()
        data.phone = "+34 611 111 111"
        update_customer(customer.id, data, rep)
        return WarrantyReturn.get_by_id(return_id).uid

    return_uid = on_laptop(ana, ana_works)
    provisional = laptop_rows(ana)["warranty_return"][return_uid]["number"]
    assert re.search(r"-L\d\d-\d+$", provisional), provisional

    # Mia, the manager, on her own laptop meanwhile: a customer to a colleague, a visit cancelled,
    # the same phone corrected differently.
    def mia_works() -> None:
        handed_id = Customer.get(Customer.uid == handed).id
        data = get_customer(handed_id).to_input()
        data.rep_id = Rep.get(Rep.uid == colleague_uid).id
        update_customer(handed_id, data, None)
        cancel_follow_up(FollowUp.get(FollowUp.uid == to_cancel).id, "El cliente está de viaje", None)
        shared_id = Customer.get(Customer.uid == shared).id
        data = get_customer(shared_id).to_input()
        data.phone = "+34 622 222 222"
        update_customer(shared_id, data, None)

    on_laptop(mia, mia_works)

    assert sync(ana, office.url_of(office.rep)).conflicts == 0
    outcome = sync(mia, office.url_of(office.manager))
    assert (outcome.conflicts, outcome.refused) == (1, 0)

    # The office gave the return its final number and kept the provisional one as an alias.
    final = office_rows(office)["warranty_return"][return_uid]
    assert final["provisional_number"] == provisional and final["number"] != provisional
    assert not re.search(r"-L\d\d-", final["number"])

    # The manager's report counts Ana's visits.
    assert on_laptop(mia, visits_done) == done_before + 3

    # The one real conflict, on Mia's Conflicts page with both values; she keeps hers.
    def decide() -> None:
        (conflict,) = open_conflicts()
        assert (conflict.table, conflict.column) == ("customer", "phone")
        assert (conflict.mine, conflict.theirs) == ("+34 622 222 222", "+34 611 111 111")
        resolve_conflict(conflict.id, Choice.MINE)

    on_laptop(mia, decide)
    sync(mia, office.url_of(office.manager))
    sync(ana, office.url_of(office.rep))

    everything = office_rows(office)
    assert everything["customer"][shared]["phone"] == "+34 622 222 222"
    assert everything["customer"][handed]["rep_id"] == colleague_uid
    assert everything["follow_up"][to_cancel]["state"] is FollowUpState.CANCELLED
    assert all(everything["follow_up"][uid]["state"] is FollowUpState.DONE for uid in visits)
    assert differences(everything, laptop_rows(mia)) == []
    assert differences(office_rows(office, ana), laptop_rows(ana)) == []
    assert on_laptop(ana, open_conflicts) == [] and on_laptop(mia, open_conflicts) == []
    assert laptop_rows(ana)["warranty_return"][return_uid]["number"] == final["number"]
