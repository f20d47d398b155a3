"""Importing products: matched by reference (SKU, case ignored), checked by the catalogue's own rules.

The category is found by its code, else by its name (accents and case ignored); one that does not
exist yet is created as the catalogue creates one (`catalog.create_category`: with the default
follow-up plans a new category gets), named as in the file. A matched product takes the file's
values for the columns it has; a blank warranty, price, serial-number or active cell keeps the
product's value (a new product gets the catalogue's defaults). Within the file, a later row with the
reference of an earlier one is rejected, citing it. Catalogues are small: each row goes through the
catalogue's commands, inside a savepoint of the import's transaction.
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
from app.services.transactions import write_transaction

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
        self._seen: dict[str, int] = {}
        self._new_categories: list[str] = []  # keys of a category made for the current row

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
        try:
            with write_transaction():  # a savepoint: a category made for a refused product goes with it
                category_id = self._category(str(values.get("category") or ""))
                data = replace(data, category_id=category_id)
                if existing is None:
                    product_id = catalog.create_product(data, self._options.acting_rep_id)
                    self._tally.created(row)
                elif catalog.validate_product(data, existing.id) == ProductInput.from_row(existing):
                    product_id = existing.id
                    self._tally.unchanged(row)
                else:
                    catalog.update_product(existing.id, data, self._options.acting_rep_id)
                    product_id = existing.id
                    self._tally.updated(row)
        except ValidationError as error:
            self._forget_new_categories()
            self._tally.rejected(row, self._reasons.of_error(error))
            return
        except DomainError as error:
            self._forget_new_categories()
            self._tally.rejected(row, [str(error)])
            return
        self._new_categories = []
        self._products[sku.upper()] = catalog.get_product(product_id)

    def finish(self) -> None:
        pass

    def _category(self, text: str) -> int | None:
        """The category named `text` (by code, else name), created when there is none."""
        text = " ".join(text.split())
        if not text:
            return None  # the catalogue's rule says "choose a category"
        found = self._categories.get("code:" + text.upper()) or self._categories.get("name:" + fold(text))
        if found is not None:
            return found
        code = self._new_code(text)
        category_id = catalog.create_category(code, text[:120], self._options.acting_rep_id)
        self._new_categories = ["code:" + code, "name:" + fold(text)]
        for key in self._new_categories:
            self._categories[key] = category_id
        return category_id

    def _forget_new_categories(self) -> None:
        for key in self._new_categories:
            self._categories.pop(key, None)
        self._new_categories = []

    def _new_code(self, name: str) -> str:
        """A code for a new category: its name in capitals, words joined by '-', made unique."""
        base = re.sub(r"[^0-9A-Z]+", "-", fold(name).upper()).strip("-")[:_CATEGORY_CODE_MAX] or "CAT"
        code, number = base, 2
        while "code:" + code in self._categories:
            suffix = f"-{number}"
            code, number = base[: _CATEGORY_CODE_MAX - len(suffix)] + suffix, number + 1
        return code
