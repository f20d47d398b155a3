"""Importing sales: one row per sale line; the consecutive rows of one sale number are one sale.

A new sale is recorded as the sale dialog records one (`sales.record_sale`): warranty ends from its
delivery date, the plans' follow-ups for the steps from --as-of on (or none, when asked). It goes in
whole or not at all: a bad line rejects every row of its sale, each saying why, so the error file
holds the whole sale to fix and import again. The sale's date, customer (by code, else tax ID),
delivery date and rep come from its first row; a later row that says otherwise is rejected.

A sale already recorded (its number, case ignored) is matched line by line: by serial number, else by
the line's position in the sale. Lines that agree are unchanged; a new delivery date is recorded
(`sales.set_delivery_date`: warranties and follow-ups follow it) and counts as an update. An import
never adds, removes or changes the lines of a recorded sale: such rows are rejected with the reason.
Within the file, a sale number that comes back after other sales, or a serial number already on an
earlier row, is rejected, citing that row.

Each sale is checked by the sale dialog's rules (`recording.validate_sale`), their questions about
customers, products, sale numbers and serial numbers answered from memory (`_Lookups`); the accepted
sales are recorded in batches (`recording.record_validated_sales`) inside the import's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from app.i18n import _
from app.models import Customer, Product, Rep, Sale, SaleLine, SoldUnit
from app.models.customers import fold_key
from app.services.customers.records import normalise_tax_id
from app.services.errors import DomainError, ValidationError
from app.services.imports.fields import ColumnMap
from app.services.imports.running import ImportOptions, ParsedRow, RowReasons, Tally
from app.services.sales import catalog, recording
from app.services.sales.recording import SaleLineInput, SaleLookups, ValidatedSale

SERVICE_FIELDS = {
    "number": "number",
    "sold_on": "sold_on",
    "delivered_on": "delivered_on",
    "customer_id": "customer",
    "rep_id": "rep",
    "product_id": "product",
    "quantity": "quantity",
    "unit_price": "unit_price",
    "serial_numbers": "serial_number",
}
_SALE_FIELDS = ("sold_on", "customer", "delivered_on", "rep")
_BATCH = 200  # sales recorded together (record_validated_sales)


@dataclass
class _Line:
    row: ParsedRow
    reasons: list[str]
    product_id: int | None = None


class SaleImporter:
    def __init__(self, options: ImportOptions, columns: ColumnMap, reasons: RowReasons, tally: Tally):
        self._options = options
        self._reasons = reasons
        self._tally = tally
        self._products = {p.sku.upper(): p for p in catalog.list_products(include_inactive=True)}
        self._reps = {code.upper(): rep_id for rep_id, code in Rep.select(Rep.id, Rep.code).tuples()}
        self._lookups = _Lookups(self._reps)
        self._pending: list[ValidatedSale] = []
        self._group: list[ParsedRow] = []
        self._group_key: str | None = None
        self._sales_seen: dict[str, int] = {}  # sale number key → its first row
        self._serials_seen: dict[str, int] = {}  # serial number key → its row

    def take(self, row: ParsedRow) -> None:
        number = str(row.values.get("number") or "")
        key = fold_key(number) if number else ""
        if key != self._group_key or not key:
            self._flush()
            self._group_key = key
        self._group.append(row)

    def finish(self) -> None:
        self._flush()
        self._write()

    def _write(self) -> None:
        """The sales accepted since the last time, recorded together (the import's one transaction)."""
        if self._pending:
            recording.record_validated_sales(
                self._pending, today=self._options.today, follow_ups=self._options.follow_ups
            )
            self._pending = []

    # --- a sale's rows ---------------------------------------------------------------------

    def _flush(self) -> None:
        rows, key = self._group, self._group_key
        self._group, self._group_key = [], None
        if not rows:
            return
        number = str(rows[0].values.get("number") or "")
        if not key:
            for row in rows:
                self._tally.rejected(row, [*row.problems, self._reasons.about("number", _("required."))])
            return
        if key in self._sales_seen:
            again = _(
                "sale {number} already appeared at row {row}; the lines of a sale go one after another."
            )
            reason = self._reasons.about("number", again.format(number=number, row=self._sales_seen[key]))
            for row in rows:
                self._tally.rejected(row, [*row.problems, reason])
            return
        self._sales_seen[key] = rows[0].number
        lines = [self._line(row, rows[0]) for row in rows]
        header = self._header(rows[0])
        existing = Sale.get_or_none(Sale.number_key == key) if self._lookups.number_taken(key) else None
        if existing is None:
            self._record(number, header, lines)
        else:
            self._compare(existing, header, lines)

    def _line(self, row: ParsedRow, first: ParsedRow) -> _Line:
        line = _Line(row, list(row.problems))
        for name in _SALE_FIELDS:
            if name in row.values and row is not first and row.values[name] != first.values.get(name):
                line.reasons.append(
                    self._reasons.about(
                        name,
                        _("differs from row {row}, the first line of the same sale.").format(
                            row=first.number
                        ),
                    )
                )
        sku = str(row.values.get("product") or "")
        product = self._products.get(sku.upper())
        if not sku:
            line.reasons.append(self._reasons.about("product", _("required.")))
        elif product is None:
            line.reasons.append(
                self._reasons.about("product", _("no product has the reference {sku}.").format(sku=sku))
            )
        else:
            line.product_id = product.id
        serial = str(row.values.get("serial_number") or "")
        if serial:
            first_row = self._serials_seen.setdefault(fold_key(serial) or "", row.number)
            if first_row != row.number:
                line.reasons.append(
                    self._reasons.about(
                        "serial_number",
                        _("the same as row {row}, which comes first; this row is left out.").format(
                            row=first_row
                        ),
                    )
                )
        return line

    def _header(self, first: ParsedRow) -> _SaleHeader:
        values = first.values
        header = _SaleHeader(
            sold_on=values.get("sold_on"),  # type: ignore[arg-type]
            delivered_on=values.get("delivered_on"),  # type: ignore[arg-type]
            notes=str(values.get("notes") or ""),
        )
        reference = str(values.get("customer") or "")
        if not reference:
            header.reasons.append(self._reasons.about("customer", _("required.")))
        else:
            header.customer_id = self._customer(reference)
            if header.customer_id is None:
                header.reasons.append(
                    self._reasons.about(
                        "customer", _("no customer has the code or tax ID {value}.").format(value=reference)
                    )
                )
        rep = str(values.get("rep") or "")
        if rep:
            header.rep_id = self._reps.get(rep.upper())
            if header.rep_id is None:
                header.reasons.append(
                    self._reasons.about("rep", _("there is no rep with the code {code}.").format(code=rep))
                )
        return header

    def _customer(self, reference: str) -> int | None:
        lookups = self._lookups
        found = lookups.codes.get(reference.upper())
        if found is None and (tax_id := normalise_tax_id(reference)):
            found = lookups.tax_ids.get(tax_id)
        return found

    def _reject_whole(self, lines: list[_Line], header_reasons: list[str]) -> None:
        """Every row of the sale rejected: each with its own reasons, or the first bad row's."""
        first_bad = next((line.row.number for line in lines if line.reasons), None)
        for line in lines:
            reasons = header_reasons + line.reasons
            if not reasons and first_bad is not None:
                reasons = [
                    _(
                        "Row {row} of the same sale was rejected: a sale is imported whole or not at all."
                    ).format(row=first_bad)
                ]
            self._tally.rejected(line.row, reasons)

    def _record(self, number: str, header: _SaleHeader, lines: list[_Line]) -> None:
        if header.reasons or any(line.reasons for line in lines):
            self._reject_whole(lines, header.reasons)
            return
        inputs = []
        for line in lines:
            values = line.row.values
            product = self._lookups.product_rows.get(line.product_id) if line.product_id is not None else None
            serial = str(values.get("serial_number") or "")
            price = values.get("unit_price")
            inputs.append(
                SaleLineInput(
                    product_id=line.product_id or 0,
                    quantity=values.get("quantity") or 1,  # type: ignore[arg-type]
                    unit_price=price
                    if isinstance(price, Decimal)
                    else (product.price if product else Decimal(0)),
                    serial_numbers=[serial] if serial else [],
                )
            )
        try:
            sale = recording.validate_sale(
                header.customer_id or 0,
                header.rep_id,
                header.sold_on,  # type: ignore[arg-type]
                header.delivered_on,
                inputs,
                header.notes,
                number,
                today=self._options.today,
                lookups=self._lookups,
            )
        except ValidationError as error:
            for key, message in error.errors.items():
                reason = self._reasons.of_error(ValidationError({key: message}))
                if key.startswith("lines."):
                    lines[int(key.split(".")[1])].reasons.extend(reason)
                else:
                    header.reasons.extend(reason)
            self._reject_whole(lines, header.reasons)
            return
        except DomainError as error:
            self._reject_whole(lines, [str(error)])
            return
        self._lookups.taken(sale)
        self._pending.append(sale)
        for line in lines:
            self._tally.created(line.row)
        if len(self._pending) >= _BATCH:
            self._write()

    def _compare(self, sale: Sale, header: _SaleHeader, lines: list[_Line]) -> None:
        """A sale already recorded: its lines must agree; a new delivery date is recorded."""
        number = sale.number
        if header.customer_id is not None and header.customer_id != sale.customer_id:
            header.reasons.append(
                self._reasons.about(
                    "customer", _("sale {number} is recorded for another customer.").format(number=number)
                )
            )
        if header.sold_on is not None and header.sold_on != sale.sold_on:
            header.reasons.append(
                self._reasons.about(
                    "sold_on", _("sale {number} is recorded with another date.").format(number=number)
                )
            )
        recorded = list(SaleLine.select().where(SaleLine.sale == sale.id).order_by(SaleLine.id))
        serials: dict[str, SaleLine] = {}
        by_id = {line.id: line for line in recorded}
        for line_id, key in (
            SoldUnit.select(SoldUnit.line, SoldUnit.serial_key)
            .where(SoldUnit.line.in_(list(by_id)) & SoldUnit.serial_key.is_null(False))
            .tuples()
        ):
            serials[key] = by_id[line_id]
        unchanged = _(
            "sale {number} is recorded with {value} here; an import does not change a recorded sale's lines."
        )
        for position, line in enumerate(lines):
            values = line.row.values
            serial = str(values.get("serial_number") or "")
            match = serials.get(fold_key(serial) or "") if serial else None
            if match is None:
                match = recorded[position] if position < len(recorded) else None
            if match is None:
                line.reasons.append(
                    _(
                        "Sale {number} is already recorded without this line; an import does not add lines to it."
                    ).format(number=number)
                )
                continue
            if line.product_id is not None and line.product_id != match.product_id:
                sku = catalog.get_product(match.product_id).sku
                line.reasons.append(
                    self._reasons.about("product", unchanged.format(number=number, value=sku))
                )
            quantity = values.get("quantity")
            if quantity is not None and quantity != match.quantity:
                line.reasons.append(
                    self._reasons.about("quantity", unchanged.format(number=number, value=match.quantity))
                )
            price = values.get("unit_price")
            if price is not None and Decimal(price) != Decimal(match.unit_price):  # type: ignore[arg-type]
                line.reasons.append(
                    self._reasons.about("unit_price", unchanged.format(number=number, value=match.unit_price))
                )
            if serial and serials.get(fold_key(serial) or "") is not match:
                line.reasons.append(
                    self._reasons.about(
                        "serial_number", unchanged.format(number=number, value=_("other serial numbers"))
                    )
                )
        if header.reasons or any(line.reasons for line in lines):
            self._reject_whole(lines, header.reasons)
            return
        if header.delivered_on is None or header.delivered_on == sale.delivered_on:
            for line in lines:
                self._tally.unchanged(line.row)
            return
        try:
            recording.set_delivery_date(
                sale.id,
                header.delivered_on,
                self._options.acting_rep_id,
                today=self._options.today,
                follow_ups=self._options.follow_ups,
            )
        except ValidationError as error:
            self._reject_whole(lines, self._reasons.of_error(error))
            return
        for line in lines:
            self._tally.updated(line.row)


class _Lookups(SaleLookups):
    """What validating the file's sales asks, answered from memory: every customer's code, tax ID and
    whether it is archived, the products, the sale numbers and serial numbers taken (read once), plus
    those of the sales this import has accepted."""

    def __init__(self, reps: dict[str, int]):
        self.codes: dict[str, int] = {}
        self.tax_ids: dict[str, int] = {}
        self.archived: dict[int, bool] = {}
        query = Customer.select(Customer.id, Customer.code, Customer.tax_id, Customer.archived)
        for customer_id, code, tax_id, archived in query.tuples():
            self.codes[code.upper()] = customer_id
            if tax_id:
                self.tax_ids.setdefault(tax_id.upper(), customer_id)
            self.archived[customer_id] = bool(archived)
        self._rep_ids = set(reps.values())
        self.product_rows = {p.id: p for p in catalog.list_products(include_inactive=True)}
        self._products = {p.id: p for p in Product.select()}
        self._numbers = {key for (key,) in Sale.select(Sale.number_key).tuples() if key}
        self._serials = {
            key
            for (key,) in SoldUnit.select(SoldUnit.serial_key)
            .where(SoldUnit.serial_key.is_null(False))
            .tuples()
        }

    def customer_archived(self, customer_id: int) -> bool | None:
        return self.archived.get(customer_id)

    def rep_exists(self, rep_id: int) -> bool:
        return rep_id in self._rep_ids

    def number_taken(self, number_key: str) -> bool:
        return number_key in self._numbers

    def products(self, product_ids: Collection[int]) -> dict[int, Product]:
        return {i: self._products[i] for i in product_ids if i in self._products}

    def serial_taken_error(self, serials: list[str]) -> str | None:
        if not any(fold_key(serial) in self._serials for serial in serials):
            return None
        return recording.serial_taken_error(serials)  # the unit's customer and product, for the message

    def taken(self, sale: ValidatedSale) -> None:
        """A sale accepted (recorded at the next batch): its number and serial numbers are taken."""
        self._numbers.add(fold_key(sale.number) or "")
        for line in sale.lines:
            self._serials.update(fold_key(serial) or "" for serial in line.serial_numbers)


@dataclass
class _SaleHeader:
    sold_on: dt.date | None
    delivered_on: dt.date | None
    notes: str
    customer_id: int | None = None
    rep_id: int | None = None
    reasons: list[str] = field(default_factory=list)
