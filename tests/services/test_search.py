"""Search everything: each kind found by what people type, grouped by kind and limited per kind."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import Case, Customer, Sale, SaleLine, SoldUnit, WarrantyReturn
from app.models.enums import CaseKind, CaseStage, ContactChannel, ReturnReason
from app.services.search import HitKind, search_everything
from tests.factories import product

DAY = dt.date(2026, 3, 2)


def _unit(who: Customer, sale_number: str, serial: str | None, provisional: str | None = None) -> SoldUnit:
    item = product("LV-1") if not SoldUnit.select().exists() else SoldUnit.select().first().product
    sale = Sale.create(number=sale_number, provisional_number=provisional, customer=who, sold_on=DAY)
    line = SaleLine.create(sale=sale, product=item, quantity=1, unit_price=100)
    return SoldUnit.create(line=line, customer=who, product=item, serial_number=serial)


def _return(unit: SoldUnit, number: str, sequence: int, provisional: str | None = None) -> WarrantyReturn:
    return WarrantyReturn.create(
        number=number,
        provisional_number=provisional,
        year=2026,
        sequence=sequence,
        sold_unit=unit,
        customer=unit.customer,
        reason=ReturnReason.FAILURE_IN_USE,
        reported_on=DAY,
        under_warranty=True,
        warranty_days=100,
    )


def _case(who: Customer, number: str, sequence: int, provisional: str | None = None) -> Case:
    return Case.create(
        number=number,
        provisional_number=provisional,
        year=2026,
        sequence=sequence,
        kind=CaseKind.CLAIM,
        stage=CaseStage.RECEPTION,
        customer=who,
        channel=ContactChannel.PHONE,
        received_on=DAY,
    )


@pytest.fixture
def world(database):
    pena = Customer.create(code="C-001", name="Peña Álvarez", phone="600 12 34 56", email="pena@example.es")
    other = Customer.create(code="C-002", name="Talleres Ruiz", tax_id="B12345678")
    unit = _unit(pena, "V-2026-0041", "SN-ÄB-77X", provisional="V-2026-L03-0007")
    other_unit = _unit(other, "V-2026-0042", "ZX-9000")
    rma = _return(unit, "RMA-2026-0012", 12, provisional="RMA-2026-L03-0002")
    _return(other_unit, "RMA-2026-0013", 13)
    case = _case(pena, "REC-2026-0005", 5, provisional="REC-2026-L03-0001")
    return {"pena": pena, "other": other, "unit": unit, "rma": rma, "case": case, "sale": unit.line.sale}


def _ids(results, kind: HitKind) -> list[int]:
    return [hit.record_id for hit in results.hits if hit.kind is kind]


def test_a_customer_is_found_by_an_accentless_name_and_by_its_other_fields(world):
    for text in ("pena alvarez", "PEÑA", "c-001", "600123456", "pena@example", "b12345678"):
        results = search_everything(text)
        wanted = world["other"].id if text == "b12345678" else world["pena"].id
        assert _ids(results, HitKind.CUSTOMER) == [wanted], text
    hit = search_everything("alvarez").hits[0]
    assert (hit.label, hit.customer_id) == ("Peña Álvarez", world["pena"].id)


def test_a_unit_is_found_by_its_serial_number_whatever_the_case(world):
    results = search_everything("sn-äb")
    assert _ids(results, HitKind.UNIT) == [world["unit"].id]
    hit = results.hits[0]
    assert hit.label == "SN-ÄB-77X"
    assert hit.customer_id == world["pena"].id
    assert _ids(search_everything("zx-9000"), HitKind.UNIT) == [
        SoldUnit.get(SoldUnit.serial_number == "ZX-9000").id
    ]


def test_a_return_is_found_by_its_number_and_by_its_provisional_number(world):
    by_number = search_everything("rma-2026-0012")
    assert _ids(by_number, HitKind.RETURN) == [world["rma"].id]
    assert by_number.hits[0].matched_alias == ""
    by_alias = search_everything("L03-0002")
    assert _ids(by_alias, HitKind.RETURN) == [world["rma"].id]
    assert [h.matched_alias for h in by_alias.hits if h.kind is HitKind.RETURN] == ["RMA-2026-L03-0002"]
    assert by_alias.hits[0].label == "RMA-2026-0012"  # the number it has now comes first


def test_a_case_and_a_sale_are_found_by_their_numbers(world):
    assert _ids(search_everything("rec-2026-0005"), HitKind.CASE) == [world["case"].id]
    assert _ids(search_everything("REC-2026-L03-0001"), HitKind.CASE) == [world["case"].id]
    assert _ids(search_everything("v-2026-0041"), HitKind.SALE) == [world["sale"].id]
    assert _ids(search_everything("V-2026-L03-0007"), HitKind.SALE) == [world["sale"].id]
    case_hit = next(h for h in search_everything("rec-2026").hits if h.kind is HitKind.CASE)
    assert case_hit.customer_id == world["pena"].id
    assert CaseKind.CLAIM.label in case_hit.detail


def test_results_are_grouped_by_kind_in_order_and_limited_per_kind(world):
    for n in range(14, 20):
        _return(world["unit"], f"RMA-2026-{n:04d}", n)
    results = search_everything("2026", limit_per_kind=3)
    kinds = [group.kind for group in results.groups]
    assert kinds == [HitKind.RETURN, HitKind.CASE, HitKind.SALE]  # no customer or serial has "2026"
    returns = results.groups[0]
    assert len(returns.hits) == 3 and returns.more
    assert [h.label for h in returns.hits] == [
        "RMA-2026-0019",
        "RMA-2026-0018",
        "RMA-2026-0017",
    ]  # newest first
    sales = results.groups[2]
    assert len(sales.hits) == 2 and not sales.more


def test_blank_text_or_nothing_found_gives_no_groups(world):
    assert not search_everything("   ")
    assert search_everything("   ").groups == ()
    nothing = search_everything("no-such-thing-xyz")
    assert not nothing and nothing.hits == []


def test_like_wildcards_match_themselves(world):
    assert not search_everything("%")
    assert not search_everything("_")
