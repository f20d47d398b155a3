"""The product catalogue: validation, uniqueness, default plans for a new category, deactivation."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.models import AuditEntry, FollowUpPlan, Product, ProductCategory
from app.models.enums import Segment
from app.services import sales
from app.services.errors import NotFoundError, ValidationError
from app.services.reps import create_rep
from app.services.sales import catalog
from app.services.sales.catalog import ProductInput


@pytest.fixture
def rep(database):
    return create_rep("ana", "Ana García")


@pytest.fixture
def kitchen(database, rep):
    return catalog.create_category("KITCHEN", "Kitchen", rep.id)


def oven(category_id: int, **changes) -> ProductInput:
    values = dict(
        sku="OV-1", name="Oven", category_id=category_id, warranty_months=24, price=Decimal("899.90")
    )
    values.update(changes)
    return ProductInput(**values)


def errors_of(call, *args) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        call(*args)
    return info.value.errors


def test_category_is_created_trimmed_and_audited(database, rep):
    category_id = catalog.create_category("  OVENS ", " Ovens ", rep.id)
    stored = ProductCategory.get_by_id(category_id)
    assert (stored.code, stored.name) == ("OVENS", "Ovens")
    entry = AuditEntry.get((AuditEntry.entity == "product_category") & (AuditEntry.entity_id == category_id))
    assert (entry.action, entry.rep_id, entry.label, json.loads(entry.changes)) == (
        "create",
        rep.id,
        "OVENS",
        {"code": [None, "OVENS"], "name": [None, "Ovens"]},
    )


def test_category_needs_code_and_name(database):
    assert errors_of(catalog.create_category, " ", "") == {
        "code": "Enter a code for the category.",
        "name": "Enter the category's name.",
    }
    assert errors_of(catalog.create_category, "X" * 31, "N" * 121) == {
        "code": "Too long: at most 30 characters.",
        "name": "Too long: at most 120 characters.",
    }
    assert ProductCategory.select().count() == 0


def test_category_code_is_unique_ignoring_case(kitchen):
    assert errors_of(catalog.create_category, "kitchen", "Other") == {
        "code": "Another category already has the code kitchen."
    }
    other = catalog.create_category("OVENS", "Ovens")
    assert errors_of(catalog.update_category, other, "Kitchen", "Ovens") == {
        "code": "Another category already has the code Kitchen."
    }
    catalog.update_category(kitchen, "kitchen", "Kitchens")  # its own code, in another case
    assert (ProductCategory.get_by_id(kitchen).code, catalog.get_category(kitchen).name) == (
        "kitchen",
        "Kitchens",
    )


def test_new_category_gets_the_default_plans_and_only_it(database, rep):
    bare = ProductCategory.create(code="BARE", name="Without plans on purpose")
    category_id = catalog.create_category("COFFEE", "Coffee machines", rep.id)
    made = list(FollowUpPlan.select().where(FollowUpPlan.category == category_id))
    assert sorted((p.segment is Segment.A, p.active) for p in made) == [(False, True), (True, True)]
    assert all("Coffee machines" in p.name for p in made)
    assert not FollowUpPlan.select().where(FollowUpPlan.category == bare.id).exists()


def test_product_is_created_and_listed(kitchen, rep):
    product_id = catalog.create_product(oven(kitchen, sku=" OV-1 ", serialised=False), rep.id)
    row = catalog.get_product(product_id)
    assert (row.sku, row.name, row.category, row.category_id) == ("OV-1", "Oven", "Kitchen", kitchen)
    assert (row.price, row.warranty_months, row.serialised, row.active) == (
        Decimal("899.90"),
        24,
        False,
        True,
    )
    assert ProductInput.from_row(row) == oven(kitchen, serialised=False)
    assert [c.product_count for c in catalog.list_categories_with_counts()] == [1]
    assert (
        AuditEntry.select().where((AuditEntry.entity == "product") & (AuditEntry.rep == rep.id)).count() == 1
    )


def test_product_validation_messages(kitchen):
    bad = oven(None, sku="", name=" ", warranty_months=121, price=Decimal("-1"))
    assert errors_of(catalog.create_product, bad) == {
        "sku": "Enter the SKU (the product's reference).",
        "name": "Enter the product's name.",
        "category_id": "Choose a category.",
        "warranty_months": "The warranty is between 0 and 120 months.",
        "price": "The price must be a positive amount or zero.",
    }
    assert errors_of(catalog.create_product, oven(9999, price=Decimal("1.005"), warranty_months=-1)) == {
        "category_id": "The chosen category no longer exists.",
        "warranty_months": "The warranty is between 0 and 120 months.",
        "price": "The price has at most two decimals (cents).",
    }
    # The limits themselves are fine.
    catalog.create_product(oven(kitchen, warranty_months=0, price=Decimal("0")))
    catalog.create_product(oven(kitchen, sku="OV-2", warranty_months=120, price=Decimal("12.5")))
    assert Product.get(Product.sku == "OV-2").price == Decimal("12.50")


def test_sku_is_unique_ignoring_case(kitchen):
    first = catalog.create_product(oven(kitchen))
    assert errors_of(catalog.create_product, oven(kitchen, sku="ov-1")) == {
        "sku": "Another product already has the SKU ov-1."
    }
    second = catalog.create_product(oven(kitchen, sku="OV-2"))
    assert errors_of(catalog.update_product, second, oven(kitchen, sku="Ov-1")) == {
        "sku": "Another product already has the SKU Ov-1."
    }
    catalog.update_product(first, oven(kitchen, sku="ov-1", price=Decimal("950")))
    assert (Product.get_by_id(first).sku, Product.get_by_id(first).price) == ("ov-1", Decimal("950.00"))


def test_update_moves_a_product_and_audits_only_changes(kitchen, rep):
    ovens = catalog.create_category("OVENS", "Ovens")
    product_id = catalog.create_product(oven(kitchen))
    catalog.update_product(product_id, oven(kitchen), rep.id)  # nothing changed: nothing recorded
    assert (
        AuditEntry.select().where((AuditEntry.entity == "product") & (AuditEntry.action == "update")).count()
        == 0
    )
    catalog.update_product(product_id, oven(ovens, warranty_months=36), rep.id)
    entry = AuditEntry.get((AuditEntry.entity == "product") & (AuditEntry.action == "update"))
    assert json.loads(entry.changes) == {"warranty_months": [24, 36], "category": [kitchen, ovens]}
    assert [(c.name, c.product_count) for c in catalog.list_categories_with_counts()] == [
        ("Kitchen", 0),
        ("Ovens", 1),
    ]


def test_deactivated_products_are_not_offered_for_sale(kitchen, rep):
    product_id = catalog.create_product(oven(kitchen))
    catalog.create_product(oven(kitchen, sku="FI-1", name="Filter", serialised=False))
    catalog.set_product_active(product_id, False, rep.id)
    assert [p.name for p in sales.list_products(active_only=True)] == ["Filter"]
    assert [(p.name, p.active) for p in catalog.list_products()] == [("Filter", True), ("Oven", False)]
    assert [p.name for p in catalog.list_products(include_inactive=False)] == ["Filter"]
    catalog.set_product_active(product_id, True, rep.id)
    assert [p.name for p in sales.list_products(active_only=True)] == ["Filter", "Oven"]
    assert (
        AuditEntry.select().where((AuditEntry.entity == "product") & (AuditEntry.action == "update")).count()
        == 2
    )


def test_list_products_filters_by_category_and_text(kitchen):
    ovens = catalog.create_category("OVENS", "Ovens")
    catalog.create_product(oven(kitchen, sku="FI-1", name="Water filter"))
    catalog.create_product(oven(ovens, sku="OV-9", name="Steam oven"))
    assert [p.sku for p in catalog.list_products(category_id=kitchen)] == ["FI-1"]
    assert [p.sku for p in catalog.list_products(text="ov-9")] == ["OV-9"]
    assert [p.sku for p in catalog.list_products(text="STEAM")] == ["OV-9"]
    assert catalog.list_products(category_id=kitchen, text="steam") == []


def test_missing_things_are_reported(database):
    with pytest.raises(NotFoundError):
        catalog.get_product(1)
    with pytest.raises(NotFoundError):
        catalog.set_product_active(1, False)
    with pytest.raises(NotFoundError):
        catalog.update_category(1, "X", "Y")


def test_a_categorys_replacement_cycle_is_set_kept_and_cleared(kitchen, rep):
    assert catalog.get_category(kitchen).replacement_months is None  # no cycle by default
    catalog.update_category(kitchen, "KITCHEN", "Kitchen", rep.id, replacement_months=96)
    assert catalog.get_category(kitchen).replacement_months == 96
    catalog.update_category(kitchen, "KITCHEN", "Cookers", rep.id)  # not given: kept
    assert (catalog.get_category(kitchen).name, catalog.get_category(kitchen).replacement_months) == (
        "Cookers",
        96,
    )
    audit = AuditEntry.select().where(AuditEntry.entity == "product_category").order_by(AuditEntry.id)
    assert json.loads(list(audit)[1].changes) == {"replacement_months": [None, 96]}
    catalog.update_category(kitchen, "KITCHEN", "Cookers", rep.id, replacement_months=None)
    assert catalog.get_category(kitchen).replacement_months is None
    new = catalog.create_category("COFFEE", "Coffee machines", rep.id, replacement_months=60)
    assert [(c.code, c.replacement_months) for c in catalog.list_categories_with_counts()] == [
        ("COFFEE", 60),
        ("KITCHEN", None),
    ]
    assert ProductCategory.get_by_id(new).replacement_months == 60


@pytest.mark.parametrize("months", [0, -12, 601, True, "96"])
def test_a_replacement_cycle_out_of_range_is_refused_and_nothing_changes(kitchen, rep, months):
    errors = errors_of(
        lambda: catalog.update_category(kitchen, "KITCHEN", "Kitchen", rep.id, replacement_months=months)
    )
    assert errors == {
        "replacement_months": "The replacement cycle is between 1 and 600 months, or empty for none."
    }
    assert ProductCategory.get_by_id(kitchen).replacement_months is None
