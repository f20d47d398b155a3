"""Recording sales: validation, sale numbers, sold units and their warranty end."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from peewee import IntegrityError

from app.models import AuditEntry, Product, ProductCategory, Sale, SaleLine, SoldUnit
from app.services.customers import CustomerInput, archive_customer, create_customer
from app.services.errors import NotFoundError, ValidationError
from app.services.reps import create_rep
from app.services.sales import (
    SaleLineInput,
    list_products,
    next_sale_number,
    record_sale,
    set_delivery_date,
)

SOLD = dt.date(2026, 1, 31)


@pytest.fixture
def rep(database):
    return create_rep("ana", "Ana García")


@pytest.fixture
def customer(database):
    return create_customer(CustomerInput(code="C-1", name="Peña Hermanos"), None)


@pytest.fixture
def products(database):
    category = ProductCategory.create(code="kitchen", name="Kitchen")
    return {
        "oven": Product.create(
            sku="OV1", name="Oven", category=category, warranty_months=24, price=Decimal("899.00")
        ),
        "filter": Product.create(
            sku="FI1",
            name="Filter",
            category=category,
            warranty_months=6,
            serialised=False,
            price=Decimal("12.50"),
        ),
        "old": Product.create(sku="OLD", name="Old model", category=category, active=False, price=1),
    }


def line(product, quantity=1, price="10", serials=(), extension=0) -> SaleLineInput:
    return SaleLineInput(product.id, quantity, Decimal(price), list(serials), extension)


def sale_errors(customer, lines, sold=SOLD, delivered=None, number=None, rep_id=None) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        record_sale(customer, rep_id, sold, delivered, lines, number=number)
    return info.value.errors


def test_serialised_product_gets_one_unit_per_item(customer, products, rep):
    oven = products["oven"]
    sale_id = record_sale(customer, rep.id, SOLD, dt.date(2026, 2, 3), [line(oven, 2, "899", [" A1 ", "A2"])])
    units = list(SoldUnit.select().order_by(SoldUnit.id))
    assert [(u.serial_number, u.quantity) for u in units] == [("A1", 1), ("A2", 1)]
    assert {u.customer_id for u in units} == {customer}
    assert all(u.line.sale_id == sale_id for u in units)
    # 3 Feb 2026 + 24 months - 1 day
    assert {u.warranty_ends_on for u in units} == {dt.date(2028, 2, 2)}


def test_serialised_product_without_serials_still_gets_one_unit_each(customer, products):
    record_sale(customer, None, SOLD, None, [line(products["oven"], 3, serials=["", " "])])
    units = list(SoldUnit.select())
    assert len(units) == 3
    assert {(u.serial_number, u.quantity, u.warranty_ends_on) for u in units} == {(None, 1, None)}


def test_other_products_get_one_unit_with_the_quantity(customer, products):
    record_sale(customer, None, SOLD, SOLD, [line(products["filter"], 5, "12.50")])
    unit = SoldUnit.get()
    assert (unit.quantity, unit.serial_number, unit.warranty_ends_on) == (5, None, dt.date(2026, 7, 30))


def test_warranty_extension_is_added(customer, products):
    record_sale(customer, None, SOLD, dt.date(2026, 1, 31), [line(products["oven"], extension=12)])
    unit = SoldUnit.get()
    # 31 Jan 2026 + 36 months = 31 Jan 2029, minus one day.
    assert (unit.warranty_extension_months, unit.warranty_ends_on) == (12, dt.date(2029, 1, 30))


def test_sale_lines_and_header_are_stored(customer, products, rep):
    sale_id = record_sale(
        customer,
        rep.id,
        SOLD,
        None,
        [line(products["oven"], 1, "850.456"), line(products["filter"], 4, "12.5")],
        notes="  Delivery by the back door ",
    )
    sale = Sale.get_by_id(sale_id)
    assert (sale.customer_id, sale.rep_id, sale.sold_on, sale.delivered_on, sale.notes) == (
        customer,
        rep.id,
        SOLD,
        None,
        "Delivery by the back door",
    )
    lines = list(SaleLine.select().where(SaleLine.sale == sale_id).order_by(SaleLine.id))
    assert [(li.product_id, li.quantity, li.unit_price) for li in lines] == [
        (products["oven"].id, 1, Decimal("850.46")),
        (products["filter"].id, 4, Decimal("12.50")),
    ]
    entry = AuditEntry.get(AuditEntry.entity == "sale")
    assert entry.rep_id == rep.id and entry.label == sale.number
    assert json.loads(entry.changes)["customer"] == [None, customer]


def test_sale_numbers_count_per_year(customer, products):
    first = record_sale(customer, None, SOLD, None, [line(products["oven"])])
    second = record_sale(customer, None, dt.date(2026, 12, 31), None, [line(products["oven"])])
    other_year = record_sale(customer, None, dt.date(2025, 6, 1), None, [line(products["oven"])])
    assert [Sale.get_by_id(i).number for i in (first, second, other_year)] == [
        "V-2026-00001",
        "V-2026-00002",
        "V-2025-00001",
    ]


def test_given_number_is_kept_and_must_be_unique(customer, products):
    record_sale(customer, None, SOLD, None, [line(products["oven"])], number=" V-2026-00041 ")
    assert Sale.get().number == "V-2026-00041"
    assert next_sale_number(2026) == "V-2026-00042"
    errors = sale_errors(customer, [line(products["oven"])], number="v-2026-00041")
    assert "already" in errors["number"]


def test_numbers_beyond_five_digits_keep_counting(customer, products):
    record_sale(customer, None, SOLD, None, [line(products["oven"])], number="V-2026-99999")
    record_sale(customer, None, SOLD, None, [line(products["oven"])], number="V-2026-100000")
    assert next_sale_number(2026) == "V-2026-100001"


def test_a_sale_needs_lines(customer):
    assert "at least one" in sale_errors(customer, [])["lines"]


def test_quantity_price_and_product_are_checked(customer, products):
    errors = sale_errors(
        customer,
        [
            line(products["filter"], 0, "1"),
            line(products["filter"], 1, "-0.01"),
            SaleLineInput(999, 1, Decimal(1)),
        ],
    )
    assert errors == {
        "lines.0.quantity": "Line 1: the quantity must be at least 1.",
        "lines.1.unit_price": "Line 2: the price must be a positive amount or zero.",
        "lines.2.product_id": "Line 3: choose a product.",
    }


def test_free_items_are_allowed(customer, products):
    record_sale(customer, None, SOLD, None, [line(products["filter"], 1, "0")])
    assert SaleLine.get().unit_price == Decimal("0.00")


def test_delivery_cannot_precede_the_sale(customer, products):
    errors = sale_errors(customer, [line(products["oven"])], delivered=SOLD - dt.timedelta(days=1))
    assert "before the sale date" in errors["delivered_on"]


@pytest.mark.parametrize(
    ("serials", "fragment"),
    [
        (["A1"], "enter 2 serial numbers"),
        (["A1", "A2", "A3"], "enter 2 serial numbers"),
        (["A1", "a1"], "repeated"),
    ],
)
def test_serial_numbers_must_match_the_quantity(customer, products, serials, fragment):
    errors = sale_errors(customer, [line(products["oven"], 2, serials=serials)])
    assert fragment in errors["lines.0.serial_numbers"]


def test_serial_numbers_cannot_be_sold_twice_for_the_same_product(customer, products):
    record_sale(customer, None, SOLD, None, [line(products["oven"], 1, serials=["SN-9"])])
    errors = sale_errors(customer, [line(products["oven"], 1, serials=["sn-9"])])
    assert "already belongs to Peña Hermanos" in errors["lines.0.serial_numbers"]
    errors = sale_errors(
        customer, [line(products["oven"], 1, serials=["X"]), line(products["oven"], 1, serials=["X"])]
    )
    assert "already on line 1" in errors["lines.1.serial_numbers"]


def test_non_serialised_products_take_no_serials(customer, products):
    errors = sale_errors(customer, [line(products["filter"], 1, serials=["S1"])])
    assert "no serial numbers" in errors["lines.0.serial_numbers"]


def test_archived_customer_and_unknown_rep_are_refused(customer, products):
    archive_customer(customer, None)
    errors = sale_errors(customer, [line(products["oven"])], rep_id=77)
    assert set(errors) == {"customer_id", "rep_id"}


def test_missing_customer(database, products):
    with pytest.raises(NotFoundError):
        record_sale(123, None, SOLD, None, [line(products["oven"])])


def test_invalid_sale_writes_nothing(customer, products):
    sale_errors(customer, [line(products["oven"]), line(products["oven"], 0)])
    assert (Sale.select().count(), SaleLine.select().count(), SoldUnit.select().count()) == (0, 0, 0)


def test_set_delivery_date_recomputes_warranty_ends(customer, products, rep):
    sale_id = record_sale(
        customer, None, SOLD, None, [line(products["oven"], 1, extension=6), line(products["filter"], 2)]
    )
    set_delivery_date(sale_id, dt.date(2026, 2, 28), rep.id)
    ends = {u.product_id: u.warranty_ends_on for u in SoldUnit.select()}
    assert ends == {products["oven"].id: dt.date(2028, 8, 27), products["filter"].id: dt.date(2026, 8, 27)}
    assert Sale.get_by_id(sale_id).delivered_on == dt.date(2026, 2, 28)
    set_delivery_date(sale_id, None)
    assert {u.warranty_ends_on for u in SoldUnit.select()} == {None}
    assert AuditEntry.select().where(AuditEntry.entity == "sale", AuditEntry.action == "update").count() == 2


def test_set_delivery_date_is_validated(customer, products):
    sale_id = record_sale(customer, None, SOLD, None, [line(products["oven"])])
    with pytest.raises(ValidationError) as info:
        set_delivery_date(sale_id, SOLD - dt.timedelta(days=1))
    assert "delivered_on" in info.value.errors
    with pytest.raises(NotFoundError):
        set_delivery_date(999, SOLD)


def test_list_products(products):
    assert [p.name for p in list_products()] == ["Filter", "Oven"]
    assert [p.name for p in list_products(active_only=False)] == ["Filter", "Old model", "Oven"]
    oven = next(p for p in list_products() if p.sku == "OV1")
    assert (oven.price, oven.warranty_months, oven.serialised, oven.category) == (
        Decimal("899.00"),
        24,
        True,
        "Kitchen",
    )


def test_recording_a_delivered_sale_applies_the_category_plan_once(customer, products, rep):
    from app.models import FollowUp
    from app.services.followups.plans import apply_plans_for_sale, install_default_plans

    install_default_plans()
    today = dt.date.today()
    sale_id = record_sale(customer, rep.id, today, today, [line(products["oven"])])
    planned = FollowUp.select().where(FollowUp.customer == customer)
    assert planned.count() > 0
    assert all(f.scheduled_at.date() >= today for f in planned)
    assert apply_plans_for_sale(sale_id) == 0  # re-applying never duplicates
    # A later delivery moves what is still planned.
    first = min(f.scheduled_at for f in planned)
    set_delivery_date(sale_id, today + dt.timedelta(days=30))
    assert min(f.scheduled_at for f in FollowUp.select().where(FollowUp.customer == customer)) > first


def test_an_undelivered_sale_has_no_follow_ups_yet(customer, products, rep):
    from app.models import FollowUp
    from app.services.followups.plans import install_default_plans

    install_default_plans()
    record_sale(customer, rep.id, dt.date.today(), None, [line(products["oven"])])
    assert FollowUp.select().count() == 0


# --- issue 13 ------------------------------------------------------------------------


def test_a_serial_number_is_refused_on_any_product_naming_its_customer(customer, products):
    """Defect 4: the same serial was accepted on a second product (and in another case)."""
    record_sale(customer, None, SOLD, None, [line(products["oven"], 1, serials=["AB-1"])])
    other = create_customer(CustomerInput(code="C-2", name="Luis Pérez"), None)
    dryer = Product.create(sku="DR1", name="Dryer", category=products["oven"].category, price=1)
    errors = sale_errors(other, [line(dryer, 1, serials=["ab-1"])])
    assert errors == {
        "lines.0.serial_numbers": "Line 1: the serial number AB-1 already belongs to Peña Hermanos (Oven)."
    }
    assert sale_errors(
        other, [line(products["oven"], 1, serials=["AB-2"]), line(dryer, 1, serials=["ab-2"])]
    ) == {"lines.1.serial_numbers": "Line 2: the serial number ab-2 is already on line 1."}


def test_the_database_refuses_a_serial_number_twice(customer, products):
    record_sale(customer, None, SOLD, None, [line(products["oven"], 1, serials=["Ñ-1"])])
    unit = SoldUnit.get(SoldUnit.serial_number == "Ñ-1")
    with pytest.raises(IntegrityError):
        SoldUnit.create(line=unit.line_id, customer=customer, product=unit.product_id, serial_number="ñ-1")


def test_a_sale_number_is_one_whatever_its_case_in_any_alphabet(customer, products):
    """Defect 10: "AÑO-1" after "Año-1" passed validation (SQLite's UPPER is ASCII) into a UNIQUE error."""
    record_sale(customer, None, SOLD, None, [line(products["filter"])], number="Año-1")
    errors = sale_errors(customer, [line(products["filter"])], number="AÑO-1")
    assert errors == {"number": "There is already a sale with the number AÑO-1."}


@pytest.mark.parametrize(
    ("sold", "delivered", "field"),
    [
        (dt.date(2206, 1, 31), None, "sold_on"),
        (dt.date(1999, 12, 31), None, "sold_on"),
        (dt.date(1, 1, 1), None, "sold_on"),
        (SOLD, dt.date(9999, 12, 31), "delivered_on"),
    ],
)
def test_dates_are_limited_to_a_sensible_range(customer, products, sold, delivered, field):
    """Defect 14: 9999-12-31 crashed (year 10000 out of range); 2206 was accepted."""
    errors = sale_errors(customer, [line(products["oven"])], sold=sold, delivered=delivered)
    assert errors == {field: f"Choose a date between 2000 and {dt.date.today().year + 1}."}


def test_a_delivery_date_out_of_range_is_refused(customer, products):
    sale_id = record_sale(customer, None, SOLD, None, [line(products["oven"])])
    with pytest.raises(ValidationError) as info:
        set_delivery_date(sale_id, dt.date(9999, 12, 31))
    assert set(info.value.errors) == {"delivered_on"}


def test_huge_quantities_are_refused(customer, products):
    """Defect 14: 99,999 of a serialised product wrote 99,999 units in one long transaction."""
    assert sale_errors(customer, [line(products["oven"], 99_999)]) == {
        "lines.0.quantity": "Line 1: at most 1,000 items of a product with serial numbers in one line "
        "(each item is recorded with its own warranty)."
    }
    assert sale_errors(customer, [line(products["filter"], 2**63)]) == {
        "lines.0.quantity": "Line 1: the quantity is at most 999,999."
    }
    assert sale_errors(customer, [line(products["oven"], 1, extension=10**6)]) == {
        "lines.0.warranty_extension_months": "Line 1: a warranty extension is at most 120 months."
    }
    assert Sale.select().count() == 0


def test_a_sale_is_validated_inside_its_write_transaction(customer, products, rep, monkeypatch):
    """A serial or sale number checked before the lock could be taken by another writer meanwhile."""
    from app.models import db
    from app.services.sales import recording

    seen = []
    validate = recording._validate_sale

    def watching(*args, **kwargs):
        seen.append(db.in_transaction())
        return validate(*args, **kwargs)

    monkeypatch.setattr(recording, "_validate_sale", watching)
    record_sale(customer, rep.id, SOLD, None, [line(products["oven"], 1, "899", ["RACE-1"])])
    assert seen == [True]
