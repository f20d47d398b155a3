"""The product catalogue: categories and the products sales are recorded with. No Qt here.

Products are never deleted (sales, units and returns point to them): a product no longer sold is
deactivated, which takes it out of the sale dialog's choices and keeps its history.
Rows come from the queries the rest of the app already uses: `plans.CategoryRow` (what plans are
chosen by) and `sales.ProductRow` (what the sale dialog offers).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from peewee import JOIN, IntegrityError, fn

from app.i18n import _
from app.models import AuditEntry, Product, ProductCategory
from app.models.base import insert_keyed_rows, insert_rows
from app.services import audit
from app.services.errors import DomainError, NotFoundError, ValidationError
from app.services.followups import plans
from app.services.followups.plans import CategoryRow
from app.services.sales import recording as sales
from app.services.sales.recording import ProductRow
from app.services.transactions import write_command, write_transaction

MAX_WARRANTY_MONTHS = 120
MAX_REPLACEMENT_MONTHS = 600  # 50 years: beyond that, no cycle
_CODE_MAX = 30  # ProductCategory.code
_CATEGORY_NAME_MAX = 120  # ProductCategory.name
_SKU_MAX = 40  # Product.sku
_PRODUCT_NAME_MAX = 200  # Product.name
_MAX_PRICE = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
_CENT = Decimal("0.01")


class KeepType(enum.Enum):
    """A value a command leaves as it is when not given (None being a value of its own)."""

    KEEP = "keep"


KEEP = KeepType.KEEP


@dataclass(frozen=True)
class CategoryInput:
    code: str
    name: str
    # Months its products last before a customer buys again (the at-risk list); None: no cycle.
    replacement_months: int | None = None


@dataclass(kw_only=True)
class ProductInput:
    """Everything a user can edit on a product."""

    sku: str
    name: str
    category_id: int | None
    warranty_months: int = 24
    price: Decimal = Decimal("0")
    # One sold unit per item, each with its serial number (appliances); else one unit per line.
    serialised: bool = True
    active: bool = True

    @classmethod
    def from_row(cls, row: ProductRow) -> ProductInput:
        return cls(
            sku=row.sku,
            name=row.name,
            category_id=row.category_id,
            warranty_months=row.warranty_months,
            price=row.price,
            serialised=row.serialised,
            active=row.active,
        )


# --- queries ---------------------------------------------------------------------


def list_categories_with_counts() -> list[CategoryRow]:
    """Categories by name, each with how many products it has (inactive ones included)."""
    query = (
        ProductCategory.select(
            ProductCategory.id,
            ProductCategory.name,
            ProductCategory.code,
            ProductCategory.replacement_months,
            fn.COUNT(Product.id).alias("product_count"),
        )
        .join(Product, JOIN.LEFT_OUTER, on=(Product.category == ProductCategory.id))
        .group_by(ProductCategory.id)
        .order_by(ProductCategory.name, ProductCategory.id)
    )
    return [CategoryRow(c.id, c.name, c.code, c.product_count, c.replacement_months) for c in query.objects()]


def get_category(category_id: int) -> CategoryRow:
    category = ProductCategory.get_or_none(ProductCategory.id == category_id)
    if category is None:
        raise NotFoundError(_("The product category no longer exists."))
    count = Product.select().where(Product.category == category_id).count()
    return CategoryRow(category.id, category.name, category.code, count, category.replacement_months)


def list_products(
    include_inactive: bool = True, category_id: int | None = None, text: str = ""
) -> list[ProductRow]:
    """Products by name, optionally of one category and whose SKU or name contains `text`."""
    return sales.list_products(active_only=not include_inactive, category_id=category_id, text=text)


def get_product(product_id: int) -> ProductRow:
    rows = sales.list_products(active_only=False, product_ids=[product_id])
    if not rows:
        raise NotFoundError(_("The product no longer exists."))
    return rows[0]


# --- validation ------------------------------------------------------------------


def validate_category(data: CategoryInput, category_id: int | None = None) -> CategoryInput:
    """The input trimmed, or ValidationError with a message per field (`code`, `name`,
    `replacement_months`)."""
    months = data.replacement_months
    data = CategoryInput(
        code=(data.code or "").strip(), name=(data.name or "").strip(), replacement_months=months
    )
    errors: dict[str, str] = {}
    if months is not None and (
        not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_REPLACEMENT_MONTHS
    ):
        errors["replacement_months"] = _(
            "The replacement cycle is between 1 and {limit} months, or empty for none."
        ).format(limit=MAX_REPLACEMENT_MONTHS)
    if not data.code:
        errors["code"] = _("Enter a code for the category.")
    elif len(data.code) > _CODE_MAX:
        errors["code"] = _("Too long: at most {limit} characters.").format(limit=_CODE_MAX)
    else:
        same = ProductCategory.select().where(fn.UPPER(ProductCategory.code) == data.code.upper())
        if category_id is not None:
            same = same.where(ProductCategory.id != category_id)
        if same.exists():
            errors["code"] = _("Another category already has the code {code}.").format(code=data.code)
    if not data.name:
        errors["name"] = _("Enter the category's name.")
    elif len(data.name) > _CATEGORY_NAME_MAX:
        errors["name"] = _("Too long: at most {limit} characters.").format(limit=_CATEGORY_NAME_MAX)
    if errors:
        raise ValidationError(errors)
    return data


def _price(value) -> Decimal | None:
    try:
        price = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return price if price.is_finite() else None


class ProductLookups:
    """What validating a product asks about other records; the database answers. The import answers
    from the SKUs and categories it holds in memory instead (its subclass), not one query per row."""

    def sku_taken(self, sku: str, product_id: int | None) -> bool:
        same = Product.select().where(fn.UPPER(Product.sku) == sku.upper())
        if product_id is not None:
            same = same.where(Product.id != product_id)
        return same.exists()

    def category_exists(self, category_id: int) -> bool:
        return ProductCategory.select().where(ProductCategory.id == category_id).exists()


_DATABASE_LOOKUPS = ProductLookups()


def validate_product(
    data: ProductInput, product_id: int | None = None, *, lookups: ProductLookups | None = None
) -> ProductInput:
    """The input trimmed (price to cents), or ValidationError with a message per field.
    `lookups` answers the questions about other records (see ProductLookups)."""
    lookups = lookups or _DATABASE_LOOKUPS
    sku, name = (data.sku or "").strip(), (data.name or "").strip()
    errors: dict[str, str] = {}
    if not sku:
        errors["sku"] = _("Enter the SKU (the product's reference).")
    elif len(sku) > _SKU_MAX:
        errors["sku"] = _("Too long: at most {limit} characters.").format(limit=_SKU_MAX)
    elif lookups.sku_taken(sku, product_id):
        errors["sku"] = _("Another product already has the SKU {sku}.").format(sku=sku)
    if not name:
        errors["name"] = _("Enter the product's name.")
    elif len(name) > _PRODUCT_NAME_MAX:
        errors["name"] = _("Too long: at most {limit} characters.").format(limit=_PRODUCT_NAME_MAX)
    if data.category_id is None:
        errors["category_id"] = _("Choose a category.")
    elif not lookups.category_exists(data.category_id):
        errors["category_id"] = _("The chosen category no longer exists.")
    months = data.warranty_months
    if not isinstance(months, int) or isinstance(months, bool) or not 0 <= months <= MAX_WARRANTY_MONTHS:
        errors["warranty_months"] = _("The warranty is between 0 and {limit} months.").format(
            limit=MAX_WARRANTY_MONTHS
        )
    price = _price(data.price)
    if price is None or price < 0 or price > _MAX_PRICE:
        errors["price"] = _("The price must be a positive amount or zero.")
    elif price != price.quantize(_CENT):
        errors["price"] = _("The price has at most two decimals (cents).")
    if errors:
        raise ValidationError(errors)
    return ProductInput(
        sku=sku,
        name=name,
        category_id=data.category_id,
        warranty_months=months,
        price=price.quantize(_CENT),
        serialised=bool(data.serialised),
        active=bool(data.active),
    )


# --- commands --------------------------------------------------------------------


def _save(instance, message: str) -> None:
    try:
        with write_transaction():
            instance.save()
    except IntegrityError as exc:  # someone else saved the same code or SKU meanwhile
        raise DomainError(message) from exc


@write_command
def create_category(
    code: str, name: str, acting_rep_id: int | None = None, *, replacement_months: int | None = None
) -> int:
    """Store a new product category; returns its id.

    The new category gets the default follow-up plans at once (a standard plan and one for
    A customers, `plans.install_default_plans`), so sales of its products are followed up
    without a visit to the plans editor; they can be changed or switched off there.
    replacement_months: how long its products last (the at-risk list), None for no cycle.
    """
    data = validate_category(CategoryInput(code, name, replacement_months))
    with write_transaction():
        category = ProductCategory(code=data.code, name=data.name, replacement_months=data.replacement_months)
        _save(category, _("The category could not be saved because its code is already in use."))
        audit.record(
            "create",
            "product_category",
            category.id,
            acting_rep_id,
            label=data.code,
            code=data.code,
            name=data.name,
            replacement_months=data.replacement_months,
        )
        plans.install_default_plans(acting_rep_id, category_ids=[category.id])
    return category.id


@write_command
def update_category(
    category_id: int,
    code: str,
    name: str,
    acting_rep_id: int | None = None,
    *,
    replacement_months: int | None | KeepType = KEEP,
) -> None:
    """Change a category's code, name and replacement cycle (KEEP: as it is); its plans and products stay."""
    category = ProductCategory.get_or_none(ProductCategory.id == category_id)
    if category is None:
        raise NotFoundError(_("The product category no longer exists."))
    months = category.replacement_months if isinstance(replacement_months, KeepType) else replacement_months
    data = validate_category(CategoryInput(code, name, months), category_id)
    if (category.code, category.name, category.replacement_months) == (
        data.code,
        data.name,
        data.replacement_months,
    ):
        return
    with write_transaction():
        category.code, category.name = data.code, data.name
        category.replacement_months = data.replacement_months
        changes = audit.pending_changes(category)
        _save(category, _("The category could not be saved because its code is already in use."))
        audit.record(
            "update", "product_category", category_id, acting_rep_id, label=data.code, changes=changes
        )


_PRODUCT_FIELDS = ("sku", "name", "warranty_months", "price", "serialised", "active")


@write_command
def create_product(data: ProductInput, acting_rep_id: int | None = None) -> int:
    """Store a new product; returns its id. Active products are offered in the sale dialog."""
    data = validate_product(data)
    with write_transaction():
        product = Product(category=data.category_id, **{f: getattr(data, f) for f in _PRODUCT_FIELDS})
        _save(product, _("The product could not be saved because its SKU is already in use."))
        audit.record(
            "create",
            "product",
            product.id,
            acting_rep_id,
            label=data.sku,
            category=data.category_id,
            **{f: getattr(data, f) for f in _PRODUCT_FIELDS},
        )
    return product.id


@write_command
def create_validated_products(rows: Sequence[ProductInput], acting_rep_id: int | None = None) -> list[int]:
    """Store many new products at once (the import); returns their ids in order.

    Each row is as `validate_product` returned it, its SKU checked free by the caller (which holds
    them all: the import), inside the caller's write transaction. One prepared INSERT for the products
    and one for their audit entries (`insert_rows`) instead of a command per product; audited like
    `create_product`."""
    if not rows:
        return []
    with write_transaction():
        products = [
            Product(category=data.category_id, **{f: getattr(data, f) for f in _PRODUCT_FIELDS})
            for data in rows
        ]
        ids = insert_keyed_rows(Product, products, Product.sku)
        insert_rows(
            AuditEntry,
            [
                audit.entry(
                    "create",
                    "product",
                    product_id,
                    acting_rep_id,
                    label=data.sku,
                    record_uid=product.uid,
                    category=data.category_id,
                    **{f: getattr(data, f) for f in _PRODUCT_FIELDS},
                )
                for product_id, data, product in zip(ids, rows, products, strict=True)
            ],
        )
    return ids


@write_command
def update_product(
    product_id: int,
    data: ProductInput,
    acting_rep_id: int | None = None,
    *,
    lookups: ProductLookups | None = None,
) -> None:
    """Change a product. Sales already recorded keep their prices and warranty ends.
    `lookups` answers validation's questions about other records (see ProductLookups)."""
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise NotFoundError(_("The product no longer exists."))
    data = validate_product(data, product_id, lookups=lookups)
    changes: dict[str, tuple[object, object]] = {}
    for name in _PRODUCT_FIELDS:
        value = getattr(data, name)
        current = Decimal(product.price).quantize(_CENT) if name == "price" else getattr(product, name)
        if current != value:
            changes[name] = (current, value)
            setattr(product, name, value)
    if product.category_id != data.category_id:
        changes["category"] = (product.category_id, data.category_id)
        product.category = data.category_id
    if not changes:
        return
    with write_transaction():
        _save(product, _("The product could not be saved because its SKU is already in use."))
        audit.record("update", "product", product_id, acting_rep_id, label=product.sku, changes=changes)


@write_command
def set_product_active(product_id: int, active: bool, acting_rep_id: int | None = None) -> None:
    """Take a product out of new sales (its history stays) or offer it again."""
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise NotFoundError(_("The product no longer exists."))
    if product.active == active:
        return
    with write_transaction():
        product.active = active
        product.save()
        audit.record(
            "update",
            "product",
            product_id,
            acting_rep_id,
            label=product.sku,
            changes={"active": (not active, active)},
        )
