"""Warranty returns: numbering, warranty at opening, the state machine, costs, deadlines, queries."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from peewee import IntegrityError

from app.models import (
    Case,
    CharterCommitment,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    ReturnStatusChange,
    ServiceCharter,
    SoldUnit,
    WarrantyReturn,
    db,
)
from app.models.enums import (
    CaseKind,
    CaseStage,
    CharterIndicator,
    CharterType,
    ContactChannel,
    FollowUpPurpose,
    OutOfWarrantyReason,
    ReturnReason,
    ReturnState,
    UnitStatus,
)
from app.services import returns
from app.services.errors import DomainError, ValidationError
from app.services.reps import create_rep
from app.services.returns import TRANSITIONS, ReturnFilter, advance_return, open_return, set_return_costs
from app.services.sales import SaleLineInput, record_sale
from app.services.sales.warranty import WarrantyStatus, warranty_text

RS = ReturnState
TODAY = dt.date(2026, 11, 23)  # a Monday
FAILURE = ReturnReason.FAILURE_IN_USE
NASTY = 'Peña & <Hijos> "Ñandú" €'


@pytest.fixture
def shop(database):
    ana = create_rep("ANA", "Ana García")
    customer = Customer(code="C-1", name=NASTY, rep=ana.id, address="Calle Mayor 1", city="Madrid")
    customer.save()
    category = ProductCategory.create(code="WASH", name="Lavadoras")
    washer = Product.create(sku="LV-1", name="Lavadora X", category=category, warranty_months=24)
    cable = Product.create(sku="CB-1", name="Cable", category=category, warranty_months=12, serialised=False)
    return {"ana": ana, "customer": customer, "washer": washer, "cable": cable}


def unit_of(
    shop, delivered_on: dt.date | None, serial: str = "SN-1", extension: int = 0, product=None
) -> int:
    product = product or shop["washer"]
    sold_on = delivered_on or dt.date(2026, 1, 1)
    line = SaleLineInput(
        product.id,
        1,
        Decimal("499.00"),
        [serial] if product.serialised else [],
        warranty_extension_months=extension,
    )
    sale_id = record_sale(shop["customer"].id, shop["ana"].id, sold_on, delivered_on, [line])
    return (
        SoldUnit.select(SoldUnit.id)
        .join_from(SoldUnit, SoldUnit.line.rel_model)
        .where(SoldUnit.line.rel_model.sale == sale_id)
        .scalar()
    )


@pytest.fixture
def unit(shop):
    return unit_of(shop, dt.date(2026, 6, 1))


def open_one(unit_id, reported_on=TODAY, **kwargs) -> int:
    return open_return(unit_id, FAILURE, "It stopped spinning", reported_on, None, today=TODAY, **kwargs)


# --- numbering -----------------------------------------------------------------------------------


def test_numbers_have_no_gaps_and_restart_each_year(shop):
    units = [unit_of(shop, dt.date(2025, 6, 1), f"SN-{i}") for i in range(4)]
    first = open_one(units[0], dt.date(2025, 12, 30))
    second = open_one(units[1], dt.date(2025, 12, 31))
    third = open_one(units[2], dt.date(2026, 1, 2))
    advance_return(second, RS.CANCELLED, None, "Customer withdrew")  # a cancelled number stays used
    fourth = open_one(units[3], dt.date(2026, 1, 5))
    numbers = [WarrantyReturn.get_by_id(i).number for i in (first, second, third, fourth)]
    assert numbers == ["RMA-2025-0001", "RMA-2025-0002", "RMA-2026-0001", "RMA-2026-0002"]


def test_a_number_taken_meanwhile_is_retried(shop, monkeypatch):
    units = [unit_of(shop, dt.date(2026, 6, 1), f"SN-{i}") for i in range(2)]
    open_one(units[0])
    # Another writer takes the number between our MAX and our INSERT: the unique index refuses it.
    real_create = WarrantyReturn.create
    attempts = []

    def create(**fields):
        attempts.append(fields["number"])
        if len(attempts) == 1:
            raise IntegrityError("UNIQUE constraint failed: warranty_return.year, warranty_return.sequence")
        return real_create(**fields)

    monkeypatch.setattr(WarrantyReturn, "create", create)
    second = open_one(units[1])
    assert attempts == ["RMA-2026-0002", "RMA-2026-0002"]
    assert WarrantyReturn.get_by_id(second).number == "RMA-2026-0002"
    assert ReturnStatusChange.select().where(ReturnStatusChange.warranty_return == second).count() == 1


def test_two_quick_openings_from_two_threads_get_consecutive_numbers(shop, database):
    units = [unit_of(shop, dt.date(2026, 6, 1), f"SN-{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker(unit_id):
        try:
            barrier.wait()
            results.append(open_one(unit_id))
        except Exception as exc:  # noqa: BLE001 (reported by the assert)
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=worker, args=(u,)) for u in units]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert sorted(WarrantyReturn.get_by_id(i).number for i in results) == ["RMA-2026-0001", "RMA-2026-0002"]


# --- warranty at opening ---------------------------------------------------------------------------


def test_last_day_in_warranty_and_the_day_after_in_a_leap_year(shop):
    # Delivered 29/02/2024 with 24 months: add_months clamps to 28/02/2026, the last covered day is 27/02.
    last_day = unit_of(shop, dt.date(2024, 2, 29), "SN-A")
    day_after = unit_of(shop, dt.date(2024, 2, 29), "SN-B")
    inside = WarrantyReturn.get_by_id(open_one(last_day, dt.date(2026, 2, 27)))
    assert (inside.under_warranty, inside.warranty_days, inside.out_of_warranty_reason) == (True, 0, None)
    with pytest.raises(ValidationError) as refused:
        open_one(day_after, dt.date(2026, 2, 28))
    assert "expired 1 day before" in refused.value.errors["out_of_warranty_reason"]
    outside = WarrantyReturn.get_by_id(
        open_one(day_after, dt.date(2026, 2, 28), out_of_warranty_reason=OutOfWarrantyReason.GOODWILL)
    )
    assert (outside.under_warranty, outside.warranty_days) == (False, 1)
    assert outside.out_of_warranty_reason is OutOfWarrantyReason.GOODWILL


def test_an_extension_keeps_the_unit_covered(shop):
    extended = unit_of(shop, dt.date(2024, 1, 10), "SN-E", extension=12)  # covered to 09/01/2027
    record = WarrantyReturn.get_by_id(open_one(extended, dt.date(2026, 11, 23)))
    assert (
        record.under_warranty and record.warranty_days == (dt.date(2027, 1, 9) - dt.date(2026, 11, 23)).days
    )
    assert warranty_text(WarrantyStatus(True, 47)) == "Under warranty (47 days left)"
    assert warranty_text(WarrantyStatus(False, 1)) == "Out of warranty (expired 1 day ago)"


def test_bad_openings_are_refused(shop, unit):
    with pytest.raises(ValidationError) as refused:
        open_return(unit, "nonsense", "  ", TODAY + dt.timedelta(days=1), None, today=TODAY)
    assert set(refused.value.errors) == {"reason", "description", "reported_on"}
    undelivered = unit_of(shop, None, "SN-U")
    with pytest.raises(DomainError, match="not been delivered"):
        open_one(undelivered)
    first = open_one(unit)
    with pytest.raises(returns.OpenReturnExists) as exists:
        open_one(unit)
    assert exists.value.return_id == first and "RMA-2026-0001" in str(exists.value)
    advance_return(first, RS.CANCELLED, None, "Withdrawn")
    assert open_one(unit)  # a finished return does not block a new one


def test_opening_stamps_the_history_and_links_the_case(shop, unit):
    other = Customer(code="C-2", name="Otro")
    other.save()
    case_fields = dict(
        year=2026,
        kind=CaseKind.COMPLAINT,
        stage=CaseStage.RECEPTION,
        channel=ContactChannel.PHONE,
        received_on=TODAY,
    )
    case = Case.create(number="CASE-2026-0001", sequence=1, customer=shop["customer"].id, **case_fields)
    foreign = Case.create(number="CASE-2026-0002", sequence=2, customer=other.id, **case_fields)
    with pytest.raises(ValidationError) as refused:
        open_one(unit, case_id=foreign.id)
    assert refused.value.errors == {"case_id": "The case belongs to another customer."}
    return_id = open_one(unit, case_id=case.id)
    record = WarrantyReturn.get_by_id(return_id)
    assert (record.state, record.rep_id, record.customer_id) == (
        RS.REQUESTED,
        shop["ana"].id,
        shop["customer"].id,
    )
    assert record.case_id == case.id
    [change] = ReturnStatusChange.select().where(ReturnStatusChange.warranty_return == return_id)
    assert (change.from_state, change.to_state) == (None, RS.REQUESTED)


# --- the state machine ---------------------------------------------------------------------------------

_REQUIRED = {
    RS.REPLACED: {"replacement_serial": "NEW-1"},
    RS.REFUNDED: {"refund_amount": Decimal("499.00")},
    RS.CREDITED: {"refund_amount": "120.50"},
}


@pytest.mark.parametrize("target", list(RS))
@pytest.mark.parametrize("source", list(RS))
def test_every_transition_is_allowed_or_refused_by_the_table(shop, unit, source, target):
    return_id = open_one(unit)
    WarrantyReturn.update(state=source, inspection_note="Drum bearing worn").where(
        WarrantyReturn.id == return_id
    ).execute()
    kwargs = dict(_REQUIRED.get(target, {}))
    at = dt.datetime(2026, 11, 23, 12, 0)
    if target in TRANSITIONS[source]:
        advance_return(return_id, target, shop["ana"].id, "a note", at=at, **kwargs)
        assert WarrantyReturn.get_by_id(return_id).state is target
        last = ReturnStatusChange.select().order_by(ReturnStatusChange.id.desc()).first()
        assert (last.from_state, last.to_state, last.rep_id, last.note, last.changed_at) == (
            source,
            target,
            shop["ana"].id,
            "a note",
            at,
        )
    else:
        with pytest.raises(DomainError) as refused:
            advance_return(return_id, target, shop["ana"].id, "a note", at=at, **kwargs)
        assert not isinstance(refused.value, ValidationError)
        assert "RMA-2026-0001" in str(refused.value)
        assert WarrantyReturn.get_by_id(return_id).state is source


def test_the_table_allows_the_paths_of_the_issue():
    assert returns.TRANSITIONS[RS.APPROVED] == {RS.REPAIRED, RS.REPLACED, RS.REFUNDED, RS.CREDITED}
    cancellable = {s for s, targets in TRANSITIONS.items() if RS.CANCELLED in targets}
    assert cancellable == {RS.REQUESTED, RS.RECEIVED}  # only before inspection
    assert TRANSITIONS[RS.CLOSED] == TRANSITIONS[RS.CANCELLED] == frozenset()


def test_every_path_of_the_demo_data_is_allowed():
    from app.demo.generate import _RETURN_PATHS

    for paths in _RETURN_PATHS.values():
        for path, _weight in paths:
            assert path[0] is RS.REQUESTED
            for source, target in zip(path, path[1:], strict=False):
                assert target in TRANSITIONS[source], (source, target)


def walk(return_id, *steps, **kwargs):
    for state in steps:
        advance_return(return_id, state, None, "", **_REQUIRED.get(state, {}), **kwargs)


def test_approving_needs_an_inspection_note(shop, unit):
    return_id = open_one(unit)
    walk(return_id, RS.RECEIVED)
    with pytest.raises(ValidationError) as refused:
        advance_return(return_id, RS.INSPECTED, None)
    assert "inspection_note" in refused.value.errors
    advance_return(return_id, RS.INSPECTED, None, inspection_note="  Motor burnt  ")
    advance_return(return_id, RS.APPROVED, None)  # the note recorded at inspection counts
    assert WarrantyReturn.get_by_id(return_id).inspection_note == "Motor burnt"
    assert returns.allowed_transitions(return_id) == [RS.REPAIRED, RS.REPLACED, RS.REFUNDED, RS.CREDITED]


def test_cancel_needs_a_reason(shop, unit):
    return_id = open_one(unit)
    with pytest.raises(ValidationError) as refused:
        advance_return(return_id, RS.CANCELLED, None, " ")
    assert "note" in refused.value.errors


def test_replacement_records_both_serials_and_a_new_unit(shop, unit):
    return_id = open_one(unit)
    walk(return_id, RS.RECEIVED)
    advance_return(return_id, RS.INSPECTED, None, inspection_note="Dead on arrival")
    walk(return_id, RS.APPROVED)
    for bad, message in (("", "Enter the serial"), ("sn-1", "The serial number SN-1 already belongs to")):
        with pytest.raises(ValidationError) as refused:
            advance_return(return_id, RS.REPLACED, None, replacement_serial=bad)
        assert message in refused.value.errors["replacement_serial"]
    advance_return(return_id, RS.REPLACED, None, replacement_serial=" SN-2 ", at=dt.datetime(2026, 11, 23, 9))
    record = WarrantyReturn.get_by_id(return_id)
    faulty, new = SoldUnit.get_by_id(unit), SoldUnit.get_by_id(record.replacement_unit_id)
    assert (faulty.serial_number, faulty.status) == ("SN-1", UnitStatus.REPLACED)
    assert (new.serial_number, new.replaces_id, new.status, new.customer_id) == (
        "SN-2",
        unit,
        UnitStatus.ACTIVE,
        shop["customer"].id,
    )
    assert new.warranty_ends_on == faulty.warranty_ends_on == dt.date(2028, 5, 31)  # the remaining warranty
    detail = returns.get_return(return_id, TODAY)
    assert (detail.row.serial_number, detail.replacement_serial) == ("SN-1", "SN-2")
    assert record.resolved_on == TODAY


def test_a_fresh_warranty_for_replacements_by_setting(shop, unit):
    returns.set_returns_settings(None, replacement_warranty=returns.FRESH_WARRANTY)
    return_id = open_one(unit)
    walk(return_id, RS.RECEIVED)
    advance_return(return_id, RS.INSPECTED, None, inspection_note="Broken")
    walk(return_id, RS.APPROVED)
    advance_return(return_id, RS.REPLACED, None, replacement_serial="SN-9", at=dt.datetime(2026, 11, 23, 9))
    new = SoldUnit.get_by_id(WarrantyReturn.get_by_id(return_id).replacement_unit_id)
    assert new.warranty_ends_on == dt.date(2028, 11, 22)


def test_refunds_and_credits_record_the_amount(shop, unit):
    return_id = open_one(unit)
    walk(return_id, RS.RECEIVED)
    advance_return(return_id, RS.INSPECTED, None, inspection_note="Not as described")
    walk(return_id, RS.APPROVED)
    for bad in (None, "abc", "-5", "0"):
        with pytest.raises(ValidationError) as refused:
            advance_return(return_id, RS.REFUNDED, None, refund_amount=bad)
        assert "refund_amount" in refused.value.errors
    advance_return(return_id, RS.REFUNDED, None, refund_amount="499.5")
    record = WarrantyReturn.get_by_id(return_id)
    assert record.refund_amount == Decimal("499.50")
    assert SoldUnit.get_by_id(unit).status is UnitStatus.RETURNED


# --- costs -------------------------------------------------------------------------------------------


def test_costs_are_recorded_and_refused_per_field(shop, unit):
    return_id = open_one(unit)
    with pytest.raises(ValidationError) as refused:
        set_return_costs(return_id, "-1", "abc", "5", None)
    assert set(refused.value.errors) == {"cost_parts", "cost_labour"}
    assert "negative" in refused.value.errors["cost_parts"]
    set_return_costs(return_id, Decimal("12.5"), 30, "0", None)
    detail = returns.get_return(return_id, TODAY)
    assert (detail.cost_parts, detail.cost_labour, detail.cost_shipping) == (
        Decimal("12.50"),
        Decimal("30.00"),
        Decimal("0.00"),
    )
    assert detail.total_cost == Decimal("42.50")


# --- deadline, overdue, follow-up ----------------------------------------------------------------


def test_deadline_comes_from_the_charter_and_overdue_is_derived(shop):
    units = [unit_of(shop, dt.date(2026, 6, 1), f"SN-{i}") for i in range(3)]
    old = open_one(units[0], TODAY - dt.timedelta(days=11))
    young = open_one(units[1], TODAY - dt.timedelta(days=10))
    resolved = open_one(units[2], TODAY - dt.timedelta(days=30))
    walk(resolved, RS.RECEIVED)
    advance_return(resolved, RS.INSPECTED, None, inspection_note="x")
    walk(resolved, RS.REJECTED)
    assert returns.target_days() == 15  # no charter: the default
    assert returns.overdue_count(TODAY) == 0
    charter = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION, title="Carta", valid_from=dt.date(2026, 1, 1), active=True
    )
    CharterCommitment.create(
        charter=charter, position=1, text="x", indicator=CharterIndicator.RETURNS_RESOLVED, days=10, target=95
    )
    assert returns.target_days() == 10
    rows = {r.id: r for r in returns.list_returns(today=TODAY)}
    assert rows[old].overdue and not rows[young].overdue and not rows[resolved].overdue
    assert (rows[old].days_open, rows[old].due_on) == (11, TODAY - dt.timedelta(days=1))
    assert returns.overdue_count(TODAY) == 1
    assert [r.id for r in returns.list_returns(ReturnFilter(overdue=True), today=TODAY)] == [old]
    assert returns.count_returns(ReturnFilter(overdue=False), TODAY) == 2


def test_a_commitment_about_some_products_sets_the_deadline_of_their_returns_only(shop):
    """Issue 20: a charter resolving washer returns within 5 days leaves the default (15) for the
    returns of other products."""
    dryers = ProductCategory.create(code="DRY", name="Secadoras")
    dryer = Product.create(sku="SC-1", name="Secadora Y", category=dryers, warranty_months=24)
    washer_return = open_one(unit_of(shop, dt.date(2026, 6, 1), "SN-W"), TODAY - dt.timedelta(days=7))
    dryer_return = open_one(
        unit_of(shop, dt.date(2026, 6, 1), "SN-D", product=dryer), TODAY - dt.timedelta(days=7)
    )
    charter = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION, title="Carta", valid_from=dt.date(2026, 1, 1), active=True
    )
    CharterCommitment.create(
        charter=charter,
        position=1,
        text="x",
        indicator=CharterIndicator.RETURNS_RESOLVED,
        days=5,
        target=95,
        product_categories='["WASH"]',
    )
    assert returns.target_days() == 15  # a return of no particular product: the default
    rows = {r.id: r for r in returns.list_returns(today=TODAY)}
    assert (rows[washer_return].due_on, rows[washer_return].overdue) == (TODAY - dt.timedelta(days=2), True)
    assert (rows[dryer_return].due_on, rows[dryer_return].overdue) == (TODAY + dt.timedelta(days=8), False)
    assert [r.id for r in returns.list_returns(ReturnFilter(overdue=True), today=TODAY)] == [washer_return]
    assert returns.get_return(washer_return, TODAY).target_days == 5
    assert returns.get_return(dryer_return, TODAY).target_days == 15


def test_closing_schedules_the_satisfaction_call(shop, unit):
    return_id = open_one(unit, TODAY - dt.timedelta(days=5))
    walk(return_id, RS.RECEIVED)
    advance_return(return_id, RS.INSPECTED, None, inspection_note="Fixed belt")
    walk(return_id, RS.APPROVED, RS.REPAIRED, RS.RETURNED_TO_CUSTOMER)
    assert not FollowUp.select().where(FollowUp.purpose == FollowUpPurpose.SATISFACTION).exists()
    advance_return(return_id, RS.CLOSED, None, at=dt.datetime(2026, 11, 23, 17, 0))
    follow_up = FollowUp.get(FollowUp.purpose == FollowUpPurpose.SATISFACTION)
    assert follow_up.warranty_return_id == return_id and follow_up.sold_unit_id == unit
    assert follow_up.scheduled_at.date() == dt.date(2026, 11, 30)  # 7 days later, a Monday
    assert follow_up.rep_id == shop["ana"].id
    record = WarrantyReturn.get_by_id(return_id)
    assert record.closed_on == TODAY and record.resolved_on is not None


# --- queries ------------------------------------------------------------------------------------------


def test_filters_counts_and_detail(shop):
    units = [unit_of(shop, dt.date(2026, 6, 1), f"SN-{i}") for i in range(3)]
    expired = unit_of(shop, dt.date(2020, 1, 1), "SN-OLD")
    a = open_one(units[0], dt.date(2026, 11, 2))
    b = open_return(
        units[1], ReturnReason.TRANSPORT_DAMAGE, "Dented", dt.date(2026, 11, 10), None, today=TODAY
    )
    c = open_one(expired, dt.date(2026, 11, 20), out_of_warranty_reason=OutOfWarrantyReason.PAID_REPAIR)
    walk(a, RS.RECEIVED)
    assert [r.id for r in returns.list_returns(today=TODAY)] == [c, b, a]
    assert [r.id for r in returns.list_returns(ReturnFilter(states=(RS.RECEIVED,)), today=TODAY)] == [a]
    assert [
        r.id for r in returns.list_returns(ReturnFilter(reason=ReturnReason.TRANSPORT_DAMAGE), today=TODAY)
    ] == [b]
    assert [r.id for r in returns.list_returns(ReturnFilter(under_warranty=False), today=TODAY)] == [c]
    period = ReturnFilter(reported_from=dt.date(2026, 11, 5), reported_to=dt.date(2026, 11, 15))
    assert [r.id for r in returns.list_returns(period, today=TODAY)] == [b]
    assert [r.id for r in returns.list_returns(ReturnFilter(rep_id=shop["ana"].id), 1, 1, TODAY)] == [b]
    assert returns.count_returns(ReturnFilter(text="pena"), TODAY) == 3
    assert returns.count_returns(ReturnFilter(text="SN-OLD"), TODAY) == 1
    counts = returns.counts_by_state(today=TODAY)
    assert counts[RS.REQUESTED] == 2 and counts[RS.RECEIVED] == 1 and counts[RS.CLOSED] == 0
    detail = returns.get_return(a, TODAY)
    assert [c.to_state for c in detail.timeline] == [RS.REQUESTED, RS.RECEIVED]
    assert detail.allowed == [RS.INSPECTED, RS.CANCELLED] and detail.received
    assert detail.row.customer_name == NASTY and detail.row.product_name == "Lavadora X"


def test_receipt_data_once_received(shop, unit):
    return_id = open_one(unit)
    with pytest.raises(DomainError, match="not been received"):
        returns.receipt_data(return_id, TODAY)
    advance_return(return_id, RS.RECEIVED, None, at=dt.datetime(2026, 11, 23, 10))
    data = returns.receipt_data(return_id, TODAY)
    assert (data.number, data.customer_name, data.serial_number) == ("RMA-2026-0001", NASTY, "SN-1")
    assert data.received_on == TODAY and data.expected_resolution_on == TODAY + dt.timedelta(days=15)
    assert data.customer_address == "Calle Mayor 1, Madrid"


def test_units_of_customer_show_their_open_return(shop, unit):
    open_one(unit)
    [row] = returns.units_of_customer(shop["customer"].id)
    assert (row.id, row.serial_number, row.open_return_number) == (unit, "SN-1", "RMA-2026-0001")
