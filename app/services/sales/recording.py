"""Sales: recording what a customer bought and the sold units that carry a warranty. No Qt here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from peewee import JOIN, fn

from app.i18n import _, format_number
from app.models import AuditEntry, Customer, Product, ProductCategory, Rep, Sale, SaleLine, SoldUnit
from app.models.base import insert_keyed_rows, insert_rows, max_length
from app.models.collation import sorted_by_name
from app.models.customers import fold_key
from app.models.dialect import lock_numbering
from app.models.sync_schema import provisional_label
from app.services import audit
from app.services.errors import NotFoundError, ValidationError
from app.services.followups.plans import apply_plans_for_sale, reschedule_for_delivery_change
from app.services.inputs import clean_text, date_error
from app.services.sales.warranty import warranty_end_date
from app.services.transactions import write_command, write_transaction

SALE_NUMBER_WIDTH = 5
# A serialised product gets one sold unit (a row, a warranty, its follow-ups) per item: a line of
# more items is a typing slip (99999 for 9) that would write for minutes. Larger batches are
# recorded as several lines or sales.
MAX_SERIALISED_QUANTITY = 1000
MAX_QUANTITY = 999_999
MAX_WARRANTY_EXTENSION_MONTHS = 120  # as catalog.MAX_WARRANTY_MONTHS
_MAX_PRICE = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)


@dataclass
class SaleLineInput:
    product_id: int
    quantity: int = 1
    unit_price: Decimal = Decimal("0")
    # Serialised products: one per item, or none at all when they are not known yet.
    serial_numbers: list[str] = field(default_factory=list)
    warranty_extension_months: int = 0


@dataclass(frozen=True)
class ProductRow:
    id: int
    sku: str
    name: str
    category: str
    price: Decimal
    warranty_months: int
    serialised: bool
    active: bool
    category_id: int | None = None


def list_products(
    active_only: bool = True,
    *,
    category_id: int | None = None,
    text: str = "",
    product_ids: Collection[int] | None = None,
) -> list[ProductRow]:
    """Products by name (the names' collation order): only those offered in new sales unless
    `active_only` is False; optionally of one category, whose SKU or name contains `text`
    (case-insensitive), or with the given ids."""
    query = (
        Product.select(Product, ProductCategory.name.alias("category_name"))
        .join(ProductCategory, JOIN.LEFT_OUTER)
        .order_by(Product.name, Product.id)
    )
    if active_only:
        query = query.where(Product.active == True)  # noqa: E712 (peewee expression)
    if category_id is not None:
        query = query.where(Product.category == category_id)
    if text.strip():
        query = query.where(Product.sku.contains(text.strip()) | Product.name.contains(text.strip()))
    if product_ids is not None:
        query = query.where(Product.id.in_(list(product_ids)))
    rows = [
        ProductRow(
            p.id,
            p.sku,
            p.name,
            p.category_name or "",
            Decimal(p.price).quantize(Decimal("0.01")),
            p.warranty_months,
            p.serialised,
            p.active,
            p.category_id,
        )
        for p in query.objects()
    ]
    return sorted_by_name(rows, lambda product: product.name)


def sale_number_prefix(year: int) -> str:
    return f"V-{year}-"


def next_sale_number(year: int) -> str:
    """V-YYYY-NNNNN: one more than the highest number of that year; on a laptop a provisional
    V-YYYY-L03-NNNNN, which the office replaces with its next final number at the sync."""
    label = provisional_label()
    prefix = sale_number_prefix(year) + (f"{label}-" if label else "")
    query = (
        Sale.select(Sale.number)
        .where(Sale.number.startswith(prefix))
        .order_by(fn.LENGTH(Sale.number).desc(), Sale.number.desc())
        .limit(20)
    )
    highest = 0
    for (number,) in query.tuples():
        suffix = number[len(prefix) :]
        if suffix.isdigit():
            highest = int(suffix)
            break
    return f"{prefix}{highest + 1:0{SALE_NUMBER_WIDTH}d}"


def _line_key(index: int, name: str) -> str:
    """The ValidationError key of a field of line `index` (0-based): 'lines.0.quantity'."""
    return f"lines.{index}.{name}"


def _line_message(index: int, text: str) -> str:
    return _("Line {number}: {problem}").format(number=index + 1, problem=text)


def _clean_serials(serials: list[str]) -> list[str]:
    return [serial for serial in map(clean_text, serials or []) if serial]


def _validate_sale(
    customer_id: int,
    rep_id: int | None,
    sold_on: dt.date | None,
    delivered_on: dt.date | None,
    lines: list[SaleLineInput],
    number: str | None,
    today: dt.date | None = None,
    lookups: SaleLookups | None = None,
) -> dict[int, Product]:
    """Raise ValidationError for anything wrong; return the lines' products by id."""
    lookups = lookups or SaleLookups()
    errors: dict[str, str] = {}
    archived = lookups.customer_archived(customer_id)
    if archived is None:
        raise NotFoundError(_("The customer no longer exists."))
    if archived:
        errors["customer_id"] = _("The customer is archived; restore it before recording a sale.")
    if rep_id is not None and not lookups.rep_exists(rep_id):
        errors["rep_id"] = _("The chosen rep no longer exists.")
    if sold_on is None:
        errors["sold_on"] = _("Enter the sale date.")
    elif problem := date_error(sold_on, today):
        errors["sold_on"] = problem
    if delivered_on is not None and (problem := date_error(delivered_on, today)):
        errors["delivered_on"] = problem
    elif delivered_on is not None and sold_on is not None and delivered_on < sold_on:
        errors["delivered_on"] = _("The delivery date cannot be before the sale date.")
    if number is not None:
        if not number:
            errors["number"] = _("Enter a sale number or leave it to be assigned.")
        elif len(number) > max_length(Sale.number):
            errors["number"] = _("Too long: at most {limit} characters.").format(
                limit=max_length(Sale.number)
            )
        elif lookups.number_taken(fold_key(number) or ""):
            errors["number"] = _("There is already a sale with the number {number}.").format(number=number)

    if not lines:
        errors["lines"] = _("Add at least one product line.")
    product_ids = {line.product_id for line in lines}
    products = lookups.products(product_ids) if lines else {}
    serials_in_sale: dict[str, int] = {}
    for index, line in enumerate(lines):
        product = products.get(line.product_id)
        if product is None:
            errors[_line_key(index, "product_id")] = _line_message(index, _("choose a product."))
            continue
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or line.quantity < 1:
            errors[_line_key(index, "quantity")] = _line_message(index, _("the quantity must be at least 1."))
        elif product.serialised and line.quantity > MAX_SERIALISED_QUANTITY:
            errors[_line_key(index, "quantity")] = _line_message(
                index,
                _(
                    "at most {limit} items of a product with serial numbers in one line "
                    "(each item is recorded with its own warranty)."
                ).format(limit=format_number(MAX_SERIALISED_QUANTITY)),
            )
        elif line.quantity > MAX_QUANTITY:
            errors[_line_key(index, "quantity")] = _line_message(
                index, _("the quantity is at most {limit}.").format(limit=format_number(MAX_QUANTITY))
            )
        try:
            price = Decimal(line.unit_price)
        except (InvalidOperation, TypeError, ValueError):
            price = None
        if price is None or not price.is_finite() or price < 0 or price > _MAX_PRICE:
            errors[_line_key(index, "unit_price")] = _line_message(
                index, _("the price must be a positive amount or zero.")
            )
        extension = line.warranty_extension_months
        if not isinstance(extension, int) or isinstance(extension, bool) or extension < 0:
            errors[_line_key(index, "warranty_extension_months")] = _line_message(
                index, _("a warranty extension cannot be negative.")
            )
        elif extension > MAX_WARRANTY_EXTENSION_MONTHS:
            errors[_line_key(index, "warranty_extension_months")] = _line_message(
                index,
                _("a warranty extension is at most {limit} months.").format(
                    limit=MAX_WARRANTY_EXTENSION_MONTHS
                ),
            )
        serials = _clean_serials(line.serial_numbers)
        key = _line_key(index, "serial_numbers")
        if not serials:
            continue
        if not product.serialised:
            errors[key] = _line_message(
                index, _("{product} has no serial numbers.").format(product=product.name)
            )
            continue
        if any(len(s) > max_length(SoldUnit.serial_number) for s in serials):
            errors[key] = _line_message(index, _("a serial number has at most 60 characters."))
            continue
        if isinstance(line.quantity, int) and len(serials) != line.quantity:
            errors[key] = _line_message(
                index,
                _("enter {quantity} serial numbers, one per item, or none (you entered {count}).").format(
                    quantity=line.quantity, count=len(serials)
                ),
            )
            continue
        repeated = sorted({s for s in serials if sum(fold_key(o) == fold_key(s) for o in serials) > 1})
        if repeated:
            errors[key] = _line_message(
                index, _("the serial number {serial} is repeated.").format(serial=repeated[0])
            )
            continue
        for serial in serials:
            other = serials_in_sale.get(fold_key(serial))
            if other is not None:
                errors[key] = _line_message(
                    index,
                    _("the serial number {serial} is already on line {other}.").format(
                        serial=serial, other=other + 1
                    ),
                )
                break
            serials_in_sale[fold_key(serial)] = index
        if key in errors:
            continue
        if problem := lookups.serial_taken_error(serials):
            errors[key] = _line_message(index, problem)
    if errors:
        raise ValidationError(errors)
    return products


class SaleLookups:
    """The questions validating a sale asks about other records, answered by the database. The
    import answers them from what it holds in memory (a subclass), instead of several queries a sale."""

    def customer_archived(self, customer_id: int) -> bool | None:
        """Whether the customer is archived; None when there is no such customer."""
        return Customer.select(Customer.archived).where(Customer.id == customer_id).scalar()

    def rep_exists(self, rep_id: int) -> bool:
        return Rep.select().where(Rep.id == rep_id).exists()

    def number_taken(self, number_key: str) -> bool:
        return Sale.select().where(Sale.number_key == number_key).exists()

    def products(self, product_ids: Collection[int]) -> dict[int, Product]:
        return {p.id: p for p in Product.select().where(Product.id.in_(list(product_ids)))}

    def serial_taken_error(self, serials: list[str]) -> str | None:
        return serial_taken_error(serials)


def serial_taken_error(serials: list[str]) -> str | None:
    """Why one of `serials` cannot be sold: it is already a unit of a customer (any product,
    whatever its case, unit.serial_key); None when all are free. Shared with replacement units."""
    used = (
        SoldUnit.select(
            SoldUnit.serial_number, Customer.name.alias("customer_name"), Product.name.alias("product_name")
        )
        .join(Customer, on=(SoldUnit.customer == Customer.id))
        .join_from(SoldUnit, Product, on=(SoldUnit.product == Product.id))
        .where(SoldUnit.serial_key.in_([fold_key(s) for s in serials]))
        .order_by(SoldUnit.id)
        .objects()
        .first()
    )
    if used is None:
        return None
    return _("the serial number {serial} already belongs to {customer} ({product}).").format(
        serial=used.serial_number, customer=used.customer_name, product=used.product_name
    )


@write_command
def record_sale(
    customer_id: int,
    rep_id: int | None,
    sold_on: dt.date,
    delivered_on: dt.date | None,
    lines: list[SaleLineInput],
    notes: str = "",
    number: str | None = None,
    *,
    today: dt.date | None = None,
    follow_ups: bool = True,
) -> int:
    """Store a sale with its lines and sold units; returns the sale id.

    A serialised product gets one sold unit per item (quantity 1, its serial number if given);
    any other product gets one unit carrying the line's quantity. Each unit's warranty ends
    `product.warranty_months` (+ the line's extension) after delivery, or is unknown until then.
    `rep_id` is the rep credited with the sale; it is also recorded as the author in the audit log.
    The plans' follow-ups are created for steps from `today` on (an import's --as-of), none when
    `follow_ups` is false.
    """
    number = clean_text(number) if number is not None else None
    notes = clean_text(notes)
    products = _validate_sale(customer_id, rep_id, sold_on, delivered_on, lines, number, today)
    with write_transaction():
        lock_numbering("sale", sold_on.year)  # PostgreSQL: one numbering writer per year
        sale = Sale.create(
            number=number or next_sale_number(sold_on.year),
            customer=customer_id,
            rep=rep_id,
            sold_on=sold_on,
            delivered_on=delivered_on,
            notes=notes.strip(),
        )
        for line in lines:
            product = products[line.product_id]
            sale_line = SaleLine.create(
                sale=sale,
                product=product,
                quantity=line.quantity,
                unit_price=Decimal(line.unit_price).quantize(Decimal("0.01")),
            )
            ends_on = warranty_end_date(delivered_on, product.warranty_months, line.warranty_extension_months)
            serials = _clean_serials(line.serial_numbers)
            if product.serialised:
                for item in range(line.quantity):
                    SoldUnit.create(
                        line=sale_line,
                        customer=customer_id,
                        product=product,
                        serial_number=serials[item] if serials else None,
                        quantity=1,
                        warranty_extension_months=line.warranty_extension_months,
                        warranty_ends_on=ends_on,
                    )
            else:
                SoldUnit.create(
                    line=sale_line,
                    customer=customer_id,
                    product=product,
                    quantity=line.quantity,
                    warranty_extension_months=line.warranty_extension_months,
                    warranty_ends_on=ends_on,
                )
        audit.record(
            "create",
            "sale",
            sale.id,
            rep_id,
            label=sale.number,
            customer=customer_id,
            sold_on=sold_on,
            delivered_on=delivered_on,
            lines=[
                {"product_id": li.product_id, "quantity": li.quantity, "unit_price": str(li.unit_price)}
                for li in lines
            ],
        )
        # Steps whose day has already passed (a sale entered late) are not created as overdue work.
        if follow_ups:
            apply_plans_for_sale(sale.id, rep_id, skip_before=today or dt.date.today())
    return sale.id


@dataclass(frozen=True)
class ValidatedSale:
    """A new sale `validate_sale` accepted, ready for `record_validated_sales`."""

    customer_id: int
    rep_id: int | None
    sold_on: dt.date
    delivered_on: dt.date | None
    lines: list[SaleLineInput]
    notes: str
    number: str
    products: dict[int, Product]


def validate_sale(
    customer_id: int,
    rep_id: int | None,
    sold_on: dt.date,
    delivered_on: dt.date | None,
    lines: list[SaleLineInput],
    notes: str,
    number: str,
    *,
    today: dt.date | None = None,
    lookups: SaleLookups | None = None,
) -> ValidatedSale:
    """The checks `record_sale` makes, without writing: ValidationError (by field and line, as the
    sale dialog shows them) or NotFoundError, else the sale ready to be recorded with others."""
    number = clean_text(number)
    products = _validate_sale(customer_id, rep_id, sold_on, delivered_on, lines, number, today, lookups)
    return ValidatedSale(
        customer_id, rep_id, sold_on, delivered_on, lines, clean_text(notes).strip(), number, products
    )


def record_validated_sales(
    sales: list[ValidatedSale], *, today: dt.date | None = None, follow_ups: bool = True
) -> list[int]:
    """Store many new sales at once (the import), each as `record_sale` stores one: its lines, sold
    units with their warranty ends, the audit entry and its plans' follow-ups (from `today` on, none
    when `follow_ups` is false). Returns the sales' ids in order.

    Each sale is as `validate_sale` returned it, its number and serial numbers checked free by the
    caller (which holds them: the import), inside the caller's write transaction. Sales, lines,
    units and audit entries go in with one prepared INSERT each for all (`insert_rows`), instead of
    a dozen statements a sale."""
    if not sales:
        return []
    with write_transaction():
        for year in sorted({sale.sold_on.year for sale in sales}):
            lock_numbering("sale", year)  # PostgreSQL: one numbering writer per year, as record_sale
        rows = []
        for sale in sales:
            row = Sale(
                number=sale.number,
                customer=sale.customer_id,
                rep=sale.rep_id,
                sold_on=sale.sold_on,
                delivered_on=sale.delivered_on,
                notes=sale.notes,
            )
            row.number_key = fold_key(sale.number)  # Sale.save() keeps it; insert_rows does not save
            rows.append(row)
        sale_ids = insert_keyed_rows(Sale, rows, Sale.number_key)
        lines = [
            SaleLine(
                sale=sale_id,
                product=line.product_id,
                quantity=line.quantity,
                unit_price=Decimal(line.unit_price).quantize(Decimal("0.01")),
            )
            for sale_id, sale in zip(sale_ids, sales, strict=True)
            for line in sale.lines
        ]
        insert_rows(SaleLine, lines)
        line_ids: dict[int, list[int]] = {}  # sale → its lines' ids, in the order inserted
        for start in range(0, len(sale_ids), 500):
            query = (
                SaleLine.select(SaleLine.sale, SaleLine.id)
                .where(SaleLine.sale.in_(sale_ids[start : start + 500]))
                .order_by(SaleLine.id)
            )
            for sale_id, line_id in query.tuples():
                line_ids.setdefault(sale_id, []).append(line_id)
        units = []
        for sale_id, sale in zip(sale_ids, sales, strict=True):
            for line_id, line in zip(line_ids[sale_id], sale.lines, strict=True):
                units.extend(_units(line_id, sale, line))
        insert_rows(SoldUnit, units)
        insert_rows(
            AuditEntry,
            [
                audit.entry(
                    "create",
                    "sale",
                    sale_id,
                    sale.rep_id,
                    label=sale.number,
                    record_uid=row.uid,  # known: not read back one sale at a time
                    customer=sale.customer_id,
                    sold_on=sale.sold_on,
                    delivered_on=sale.delivered_on,
                    lines=[
                        {
                            "product_id": li.product_id,
                            "quantity": li.quantity,
                            "unit_price": str(li.unit_price),
                        }
                        for li in sale.lines
                    ],
                )
                for sale_id, sale, row in zip(sale_ids, sales, rows, strict=True)
            ],
        )
        if follow_ups:
            for sale_id, sale in zip(sale_ids, sales, strict=True):
                if sale.delivered_on is not None:  # plans start at the delivery: none before it
                    apply_plans_for_sale(sale_id, sale.rep_id, skip_before=today or dt.date.today())
    return sale_ids


def _units(line_id: int, sale: ValidatedSale, line: SaleLineInput) -> list[SoldUnit]:
    """A line's sold units, as record_sale makes them (one per item of a serialised product)."""
    product = sale.products[line.product_id]
    ends_on = warranty_end_date(sale.delivered_on, product.warranty_months, line.warranty_extension_months)
    common = {
        "line": line_id,
        "customer": sale.customer_id,
        "product": product.id,
        "warranty_extension_months": line.warranty_extension_months,
        "warranty_ends_on": ends_on,
    }
    if not product.serialised:
        return [SoldUnit(quantity=line.quantity, **common)]
    serials = _clean_serials(line.serial_numbers)
    units = []
    for item in range(line.quantity):
        serial = serials[item] if serials else None
        unit = SoldUnit(serial_number=serial, quantity=1, **common)
        unit.serial_key = fold_key(serial or None)  # SoldUnit.save() keeps it; insert_rows does not save
        units.append(unit)
    return units


@write_command
def set_delivery_date(
    sale_id: int,
    delivered_on: dt.date | None,
    acting_rep_id: int | None = None,
    *,
    today: dt.date | None = None,
    follow_ups: bool = True,
) -> None:
    """Record (or correct) when a sale was delivered and recompute its units' warranty ends.

    Its plan follow-ups follow the new date; steps made now are those from `today` on when it is
    given (an import's --as-of), and none are touched when `follow_ups` is false."""
    sale = Sale.get_or_none(Sale.id == sale_id)
    if sale is None:
        raise NotFoundError(_("The sale no longer exists."))
    if delivered_on is not None and (problem := date_error(delivered_on, today)):
        raise ValidationError({"delivered_on": problem})
    if delivered_on is not None and delivered_on < sale.sold_on:
        raise ValidationError({"delivered_on": _("The delivery date cannot be before the sale date.")})
    with write_transaction():
        previous = sale.delivered_on
        sale.delivered_on = delivered_on
        sale.save()
        units = (
            SoldUnit.select(SoldUnit, Product.warranty_months)
            .join(SaleLine, on=(SoldUnit.line == SaleLine.id))
            .join_from(SoldUnit, Product, on=(SoldUnit.product == Product.id))
            .where(SaleLine.sale == sale_id)
            .objects()
        )
        for unit in units:
            ends_on = warranty_end_date(delivered_on, unit.warranty_months, unit.warranty_extension_months)
            SoldUnit.update(warranty_ends_on=ends_on).where(SoldUnit.id == unit.id).execute()
        audit.record(
            "update",
            "sale",
            sale_id,
            acting_rep_id,
            label=sale.number,
            changes=audit.differences({"delivered_on": previous}, {"delivered_on": delivered_on}),
        )
        if follow_ups:
            reschedule_for_delivery_change(sale_id, previous, acting_rep_id, skip_before=today)
