"""Importing products: matched by reference (SKU, case ignored), checked by the catalogue's own rules.

The category is found by its code, else by its name (accents and case ignored); one that does not
exist yet is created as the catalogue creates one (`catalog.create_category`: with the default
follow-up plans a new category gets), named as in the file. A matched product takes the file's
values for the columns it has; a blank warranty, price, serial-number or active cell keeps the
product's value (a new product gets the catalogue's defaults). Within the file, a later row with the
reference of an earlier one is rejected, citing it.

Each row is checked by the catalogue's own rules (`catalog.validate_product`), their questions about
other products and categories answered from memory (`_Lookups`); new products are written in batches
(`catalog.create_validated_products`), a changed one through `catalog.update_product`. A category is
made only for a row that is accepted, so a refused row leaves none behind.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.i18n import _
from app.models import ProductCategory
from app.services.errors import DomainError, ValidationError
from app.services.imports.fields import ColumnMap
from app.services.imports.running import ImportOptions, ParsedRow, RowReasons, Tally
from app.services.imports.values import fold
from app.services.sales import catalog
from app.services.sales.catalog import ProductInput

SERVICE_FIELDS = {
    "sku": "sku",
    "name": "name",
    "category_id": "category",
    "warranty_months": "warranty_months",
    "price": "price",
    "serialised": "serialised",
    "active": "active",
}
_CATEGORY_CODE_MAX = 30  # ProductCategory.code
_OPTIONAL = ("warranty_months", "price", "serialised", "active")


_BATCH = 500  # new products written together (create_validated_products)


class _Lookups(catalog.ProductLookups):
    """The SKUs taken (upper case, as validation compares them) and the categories that exist, held in
    memory; a category the import is to make for a row is known by a negative stand-in id."""

    def __init__(self, skus: dict[str, int], category_ids: set[int]):
        self.skus = skus
        self.category_ids = category_ids

    def sku_taken(self, sku: str, product_id: int | None) -> bool:
        return self.skus.get(sku.upper(), product_id) != product_id

    def category_exists(self, category_id: int) -> bool:
        return category_id < 0 or category_id in self.category_ids


class ProductImporter:
    def __init__(self, options: ImportOptions, columns: ColumnMap, reasons: RowReasons, tally: Tally):
        self._options = options
        self._reasons = reasons
        self._tally = tally
        self._products = {p.sku.upper(): p for p in catalog.list_products(include_inactive=True)}
        self._categories: dict[str, int] = {}
        for category in ProductCategory.select(
            ProductCategory.id, ProductCategory.code, ProductCategory.name
        ):
            self._categories.setdefault("code:" + category.code.upper(), category.id)
            self._categories.setdefault("name:" + fold(category.name), category.id)
        self._lookups = _Lookups(
            {sku: p.id for sku, p in self._products.items()}, set(self._categories.values())
        )
        self._to_make: dict[int, tuple[str, str]] = {}  # stand-in id → (code, name) of a category to make
        self._seen: dict[str, int] = {}
        self._pending: list[ProductInput] = []

    def take(self, row: ParsedRow) -> None:
        values = row.values
        sku = str(values.get("sku") or "").strip()
        if sku and (first := self._seen.setdefault(sku.upper(), row.number)) != row.number:
            same = _("the same as row {row}, which comes first; this row is left out.").format(row=first)
            self._tally.rejected(row, [*row.problems, self._reasons.about("sku", same)])
            return
        if row.problems:
            self._tally.rejected(row, row.problems)
            return
        existing = self._products.get(sku.upper()) if sku else None
        data = (
            ProductInput.from_row(existing) if existing else ProductInput(sku=sku, name="", category_id=None)
        )
        data = replace(data, sku=sku, name=str(values.get("name") or ""))
        for name in _OPTIONAL:
            if values.get(name) is not None:
                data = replace(data, **{name: values[name]})
        data = replace(data, category_id=self._category(str(values.get("category") or "")))
        try:
            data = catalog.validate_product(data, existing.id if existing else None, lookups=self._lookups)
            if data.category_id is not None and data.category_id < 0:
                data = replace(data, category_id=self._make_category(data.category_id))
            if existing is None:
                self._lookups.skus[sku.upper()] = -1  # taken: written at the next batch
                self._pending.append(data)
                self._tally.created(row)
                if len(self._pending) >= _BATCH:
                    self._flush()
            elif data == ProductInput.from_row(existing):
                self._tally.unchanged(row)
            else:
                catalog.update_product(existing.id, data, self._options.acting_rep_id, lookups=self._lookups)
                self._tally.updated(row)
        except ValidationError as error:
            self._tally.rejected(row, self._reasons.of_error(error))
        except DomainError as error:
            self._tally.rejected(row, [str(error)])

    def finish(self) -> None:
        self._flush()

    def _flush(self) -> None:
        if self._pending:
            catalog.create_validated_products(self._pending, self._options.acting_rep_id)
            self._pending = []

    def _category(self, text: str) -> int | None:
        """The category named `text` (by code, else name), or a stand-in for one to make; None for none."""
        text = " ".join(text.split())
        if not text:
            return None  # the catalogue's rule says "choose a category"
        found = self._categories.get("code:" + text.upper()) or self._categories.get("name:" + fold(text))
        if found is not None:
            return found
        code = self._new_code(text)
        stand_in = -1 - len(self._to_make)
        self._to_make[stand_in] = (code, text[:120])
        for key in ("code:" + code, "name:" + fold(text)):
            self._categories[key] = stand_in
        return stand_in

    def _make_category(self, stand_in: int) -> int:
        """The category a stand-in names, made as the catalogue makes one (with its default plans) when
        its first product is accepted."""
        code, name = self._to_make[stand_in]
        category_id = catalog.create_category(code, name, self._options.acting_rep_id)
        for key, value in list(self._categories.items()):
            if value == stand_in:
                self._categories[key] = category_id
        self._lookups.category_ids.add(category_id)
        return category_id

    def _new_code(self, name: str) -> str:
        """A code for a new category: its name in capitals, words joined by '-', made unique."""
        base = re.sub(r"[^0-9A-Z]+", "-", fold(name).upper()).strip("-")[:_CATEGORY_CODE_MAX] or "CAT"
        code, number = base, 2
        while "code:" + code in self._categories:
            suffix = f"-{number}"
            code, number = base[: _CATEGORY_CODE_MAX - len(suffix)] + suffix, number + 1
        return code
