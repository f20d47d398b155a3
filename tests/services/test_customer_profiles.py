"""The at-risk and loyalty lists read each customer's stored profile (issue 19, schema 17): the
lists stay what computing every profile from the records gives, whatever changed since the
profiles were stored — sales, lines, refunds, surveys, cases, categories' cycles, the company's
default interval, customers deleted —, also when the stored profiles cannot be brought up to date."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from app.demo import generate_demo
from app.models import Case, Customer, ProductCategory, Rep, Sale, SaleLine, SatisfactionSurvey, db
from app.models.dialect import CUSTOMER_PROFILE, CUSTOMER_PROFILE_STALE
from app.models.enums import CaseKind, CaseStage, ContactChannel, ReturnState, Segment
from app.services import company
from app.services.customers import risk
from app.services.errors import DatabaseBusyError
from tests.factories import customer, product, sale, warranty_return

TODAY = dt.date(2026, 11, 23)


def _computed_from_the_records(monkeypatch, call):
    """`call` with every profile computed from the records, as the lists did before schema 17."""

    def every_profile(rep_id, default_interval):
        valuable = Customer.select(Customer.id, Customer.code, Customer.segment).where(risk._valuable(rep_id))
        return risk._profiles_sql(valuable, default_interval)

    with monkeypatch.context() as patched:
        patched.setattr(risk, "_store_stale_profiles", lambda: None)
        patched.setattr(risk, "_stored_profiles_sql", every_profile)
        return call()


def _lists(rep_id=None):
    return [
        risk.at_risk(TODAY, rep_id=rep_id),
        risk.at_risk(TODAY, rep_id=rep_id, limit=2),
        risk.at_risk(TODAY, rep_id=rep_id, limit=1000),
        risk.loyalty(rep_id=rep_id),
        risk.loyalty(rep_id=rep_id, limit=1),
    ]


def _stale() -> int:
    return db.execute_sql(f"SELECT COUNT(*) FROM {CUSTOMER_PROFILE_STALE}").fetchone()[0]


def _stored() -> int:
    return db.execute_sql(f"SELECT COUNT(*) FROM {CUSTOMER_PROFILE}").fetchone()[0]


def assert_same_lists(monkeypatch, rep_id=None):
    expected = _computed_from_the_records(monkeypatch, lambda: _lists(rep_id))
    assert _lists(rep_id) == expected
    assert _stale() == 0  # read from stored profiles, brought up to date first
    return expected


@pytest.fixture
def rep(database):
    return Rep.create(code="ANA", name="Ana")


@pytest.fixture
def shop(database, rep):
    washer = product("WM-1", "WASH")
    capsules = product("CAP-1", "CONS")
    ProductCategory.update(replacement_months=96).where(ProductCategory.code == "WASH").execute()
    people = {}
    for code, segment in (("A1", Segment.A), ("A2", Segment.A), ("B1", Segment.B), ("B2", Segment.B)):
        people[code] = customer(code, segment=segment, rep=rep if code.endswith("1") else None)
    customer("C1", segment=Segment.C)
    customer("X1", archived=True, segment=Segment.A)
    for month in range(1, 7):  # capsules every month until June, then nothing: late
        sale(people["A1"], dt.date(2026, month, 5), (2, "25.00"), item=capsules)
    units = sale(people["A2"], dt.date(2017, 10, 1), (1, "800.00"), item=washer)  # washer due in 2025
    warranty_return(units[0], ReturnState.REFUNDED, "150.00", dt.date(2018, 1, 10))
    sale(people["B1"], dt.date(2026, 10, 1), (1, "120.00"), item=capsules)
    sale(people["B2"], dt.date(2026, 3, 1), (3, "40.00"), item=capsules)
    SatisfactionSurvey.create(
        customer=people["B1"], taken_on=dt.date(2026, 10, 5), satisfaction=5, recommend=9
    )
    SatisfactionSurvey.create(
        customer=people["B2"], taken_on=dt.date(2026, 4, 1), satisfaction=2, recommend=4
    )
    return {"people": people, "washer": washer, "capsules": capsules, "units": units}


def test_the_lists_are_those_computed_from_the_records(shop, rep, monkeypatch):
    first = assert_same_lists(monkeypatch)
    assert {row.code for row in first[0].rows} == {"A1", "A2", "B2"}  # the hand-built cases, at risk
    assert [row.code for row in first[3].rows] == ["B1"]
    assert _stored() == 6  # every customer's profile, the archived and the C one too
    assert_same_lists(monkeypatch, rep_id=rep.id)


def test_every_change_a_profile_depends_on_is_seen(shop, rep, monkeypatch):
    people, capsules = shop["people"], shop["capsules"]
    assert_same_lists(monkeypatch)

    sale(people["A1"], dt.date(2026, 11, 1), (1, "30.00"), item=capsules)  # buys again: not late
    assert_same_lists(monkeypatch)
    line = SaleLine.select().join(Sale).where(Sale.customer == people["B2"]).get()
    SaleLine.update(unit_price=Decimal("400.00")).where(SaleLine.id == line.id).execute()  # worth more
    assert_same_lists(monkeypatch)
    Sale.update(sold_on=dt.date(2025, 1, 1)).where(Sale.customer == people["B1"]).execute()
    assert_same_lists(monkeypatch)
    SatisfactionSurvey.create(customer=people["B1"], taken_on=dt.date(2026, 11, 20), satisfaction=1)
    assert_same_lists(monkeypatch)
    claim = Case.create(
        number="CASE-2026-0001",
        year=2026,
        sequence=1,
        kind=CaseKind.CLAIM,
        stage=CaseStage.RECEPTION,
        customer=people["A2"],
        channel=ContactChannel.PHONE,
        received_on=dt.date(2026, 11, 2),
    )
    assert "A2" in {
        r.code for r in assert_same_lists(monkeypatch)[0].rows if risk.RiskReason.OPEN_CLAIM in r.reasons
    }
    Case.update(closed_on=dt.date(2026, 11, 20)).where(Case.id == claim.id).execute()
    assert_same_lists(monkeypatch)
    warranty_return(
        sale(people["B1"], dt.date(2026, 5, 1), (1, "60.00"), item=capsules)[0],
        ReturnState.REFUNDED,
        "60.00",
        dt.date(2026, 6, 1),
    )
    assert_same_lists(monkeypatch)
    ProductCategory.update(replacement_months=None).where(ProductCategory.code == "WASH").execute()
    assert_same_lists(monkeypatch)
    settings = company.load_company_settings()
    company.save_company_settings(dataclasses.replace(settings, risk_default_interval_days=30))
    assert_same_lists(monkeypatch)
    # Saved again: the stored setting is updated in place (an upsert), every customer stale again;
    # saved with the same interval, nothing to compute again.
    company.save_company_settings(dataclasses.replace(settings, risk_default_interval_days=45))
    assert _stale() == Customer.select().count()
    assert_same_lists(monkeypatch)
    company.save_company_settings(
        dataclasses.replace(settings, risk_default_interval_days=45, tax_id="B12345678")
    )
    assert _stale() == 0
    Sale.delete().where(Sale.customer == people["A1"]).execute()  # its lines go with it
    assert_same_lists(monkeypatch)
    newcomer = customer("A3", segment=Segment.A)
    sale(newcomer, dt.date(2025, 1, 1), (1, "999.00"), item=capsules)
    assert "A3" in {r.code for r in assert_same_lists(monkeypatch)[0].rows}
    Customer.update(segment=Segment.C).where(Customer.code == "A3").execute()  # no longer valuable
    assert_same_lists(monkeypatch, rep_id=rep.id)


def test_a_customer_archived_reassigned_or_recoded_is_copied_into_the_profile(shop, rep, monkeypatch):
    assert_same_lists(monkeypatch)
    Customer.update(archived=True).where(Customer.code == "A2").execute()
    Customer.update(rep=None).where(Customer.code == "A1").execute()
    Customer.update(rep=rep, code="A0").where(Customer.code == "B2").execute()
    Customer.update(segment=Segment.A, archived=False).where(Customer.code == "X1").execute()
    assert _stale() == 0  # copied, nothing to compute again
    lists = assert_same_lists(monkeypatch)
    assert "A2" not in {row.code for row in lists[0].rows} and "A0" in {row.code for row in lists[0].rows}
    assert [row.code for row in assert_same_lists(monkeypatch, rep_id=rep.id)[0].rows] == ["A0"]


def test_a_deleted_customer_leaves_no_profile_a_new_one_could_take(shop, monkeypatch):
    assert_same_lists(monkeypatch)
    lonely = customer("Z9", segment=Segment.A)
    assert_same_lists(monkeypatch)
    lonely.delete_instance()
    assert not db.execute_sql(
        f"SELECT 1 FROM {CUSTOMER_PROFILE} WHERE customer_id = {db.param}", (lonely.id,)
    ).fetchone()


def test_when_the_profiles_cannot_be_stored_the_lists_compute_the_stale_ones(shop, monkeypatch):
    assert_same_lists(monkeypatch)
    b1 = shop["people"]["B1"]
    sale(b1, dt.date(2024, 1, 1), (1, "5000.00"), item=shop["capsules"])
    SatisfactionSurvey.create(customer=b1, taken_on=dt.date(2026, 11, 20), satisfaction=1)

    def busy():
        raise DatabaseBusyError()

    monkeypatch.setattr(risk, "refresh_customer_profiles", busy)
    assert _stale() == 1
    expected = _computed_from_the_records(monkeypatch, _lists)
    assert _lists() == expected
    assert _stale() == 1  # nothing stored, the list right all the same
    top = expected[0].rows[0]  # the sale and the survey not stored yet made them the first at risk
    assert (top.code, top.value, top.last_satisfaction) == ("B1", Decimal("5120.00"), 1)


def test_the_demo_lists_are_those_computed_from_the_records(database, monkeypatch):
    generate_demo(customers=80, seed=5, today=TODAY)
    assert _stale() == Customer.select().count()  # the demo leaves every profile to be computed
    expected = assert_same_lists(monkeypatch)
    assert expected[0].total > 0 and expected[3].total > 0
    rep_id = Customer.select(Customer.rep).where(Customer.rep.is_null(False)).scalar()
    assert_same_lists(monkeypatch, rep_id=rep_id)


def test_only_a_change_of_what_a_profile_reads_makes_its_customer_stale(shop, monkeypatch):
    """The update triggers fire on the columns a profile reads, when their value changes: the
    revisions `server init` numbers, notes, texts and records saved again unchanged cost nothing."""
    people = shop["people"]
    assert_same_lists(monkeypatch)
    a2_return = shop["units"][0].returns.get()
    Sale.update(notes="delivered to the neighbour", delivered_on=dt.date(2026, 1, 9)).execute()
    Sale.update(revision=0).execute()
    SaleLine.update(unit_price=SaleLine.unit_price).execute()  # the same value written again
    a2_return.inspection_note = "scratched"
    a2_return.save()  # every column written, only the note changed
    survey = SatisfactionSurvey.get(SatisfactionSurvey.customer == people["B1"])
    survey.save()
    assert _stale() == 0

    SatisfactionSurvey.update(recommend=0).where(SatisfactionSurvey.id == survey.id).execute()
    assert _stale() == 1
    assert_same_lists(monkeypatch)
    a2_return.refund_amount = Decimal("300.00")
    a2_return.save()
    assert _stale() == 1
    assert_same_lists(monkeypatch)
