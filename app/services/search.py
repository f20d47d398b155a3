"""Search everything (Ctrl+K): customers, sold units by serial number, warranty returns, cases and
sales by their numbers, grouped by kind. No Qt.

Customers are matched by the customer list's own conditions (`customers.records._search_conditions`:
every word in name, code, tax ID, e-mail, phones or city, accents ignored), so there is one way to
search customers. Numbers (RMA, case, sale) match anywhere in the number or in the provisional
number a laptop gave the record offline (…-L03-0002), ignoring case; serial numbers match anywhere
in the unit's folded serial (`serial_key`).

Nothing is restricted by rep: every person reads the whole team's data (server rule R2), as the
lists do; a rep's laptop holds only their customers anyway (app.sync.scope).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.i18n import N_, _
from app.models import Case, Customer, Product, Sale, SoldUnit, WarrantyReturn
from app.models.customers import fold_key
from app.models.dialect import contains_folded
from app.services.customers import search_customers

DEFAULT_LIMIT = 5  # hits per kind


class HitKind(enum.Enum):
    """What a hit is, in the order the groups are shown."""

    CUSTOMER = "customer"
    UNIT = "unit"
    RETURN = "return"
    CASE = "case"
    SALE = "sale"

    @property
    def label(self) -> str:
        return _(_KIND_LABELS[self])


_KIND_LABELS = {
    HitKind.CUSTOMER: N_("Customers"),
    HitKind.UNIT: N_("Serial numbers"),
    HitKind.RETURN: N_("Warranty returns"),
    HitKind.CASE: N_("Cases"),
    HitKind.SALE: N_("Sales"),
}


@dataclass(frozen=True)
class SearchHit:
    kind: HitKind
    record_id: int  # the customer, unit, return, case or sale to open
    label: str  # what to show first: a name, a serial or a number
    detail: str  # beside it: whose it is, what it is
    customer_id: int  # the customer it belongs to (the customer itself for a customer)
    matched_alias: str = ""  # the provisional number the text matched, when not the number


@dataclass(frozen=True)
class SearchGroup:
    kind: HitKind
    hits: tuple[SearchHit, ...]
    more: bool  # further hits of this kind were left out


@dataclass(frozen=True)
class SearchResults:
    text: str
    groups: tuple[SearchGroup, ...]  # only kinds with hits, in HitKind order

    @property
    def hits(self) -> list[SearchHit]:
        return [hit for group in self.groups for hit in group.hits]

    def __bool__(self) -> bool:
        return bool(self.groups)


def search_everything(text: str, limit_per_kind: int = DEFAULT_LIMIT) -> SearchResults:
    """Up to `limit_per_kind` hits of each kind for `text`; nothing for blank text."""
    text = " ".join(text.split())
    if not text or limit_per_kind < 1:
        return SearchResults(text, ())
    searches = (
        (HitKind.CUSTOMER, _customers),
        (HitKind.UNIT, _units),
        (HitKind.RETURN, _returns),
        (HitKind.CASE, _cases),
        (HitKind.SALE, _sales),
    )
    groups = []
    for kind, search in searches:
        hits = search(text, limit_per_kind + 1)  # one more, to know whether there are more
        if hits:
            groups.append(SearchGroup(kind, tuple(hits[:limit_per_kind]), len(hits) > limit_per_kind))
    return SearchResults(text, tuple(groups))


def _customers(text: str, limit: int) -> list[SearchHit]:
    return [
        SearchHit(
            HitKind.CUSTOMER,
            row.id,
            row.name,
            " · ".join(part for part in (row.code, row.city) if part),
            row.id,
        )
        for row in search_customers(text, limit=limit)
    ]


def _units(text: str, limit: int) -> list[SearchHit]:
    key = fold_key("".join(text.split())) or ""
    query = (
        SoldUnit.select(
            SoldUnit.id,
            SoldUnit.serial_number,
            SoldUnit.customer,
            Product.name.alias("product_name"),
            Customer.name.alias("customer_name"),
        )
        .join(Product, on=(SoldUnit.product == Product.id))
        .join_from(SoldUnit, Customer, on=(SoldUnit.customer == Customer.id))
        .where(contains_folded(SoldUnit.serial_key, key))
        .order_by(SoldUnit.serial_key, SoldUnit.id)
        .limit(limit)
    )
    return [
        SearchHit(
            HitKind.UNIT,
            row.id,
            row.serial_number or "",
            f"{row.product_name} · {row.customer_name}",
            row.customer_id,
        )
        for row in query.objects()
    ]


def _alias(text: str, number: str, provisional: str | None) -> str:
    """The provisional number when it, not the number, contains the text."""
    folded = fold_key(text) or ""
    if provisional and folded in (fold_key(provisional) or "") and folded not in (fold_key(number) or ""):
        return provisional
    return ""


def _numbered(model, text: str):
    return model.number.contains(text) | model.provisional_number.contains(text)


def _numbered_hits(
    kind: HitKind, model, text: str, limit: int, newest_first: tuple, detail: Callable[[Any], str]
) -> list[SearchHit]:
    """Records of `model` whose number or provisional number holds `text`, newest first, each with
    its customer's name for `detail`."""
    fields = [model.id, model.number, model.provisional_number, model.customer]
    if kind is HitKind.CASE:
        fields.append(model.kind)
    query = (
        model.select(*fields, Customer.name.alias("customer_name"))
        .join(Customer, on=(model.customer == Customer.id))
        .where(_numbered(model, text))
        .order_by(*newest_first)
        .limit(limit)
    )
    return [
        SearchHit(
            kind,
            row.id,
            row.number,
            detail(row),
            row.customer_id,
            _alias(text, row.number, row.provisional_number),
        )
        for row in query.objects()
    ]


def _returns(text: str, limit: int) -> list[SearchHit]:
    W = WarrantyReturn
    newest = (W.year.desc(), W.sequence.desc(), W.id.desc())
    return _numbered_hits(HitKind.RETURN, W, text, limit, newest, lambda row: row.customer_name)


def _cases(text: str, limit: int) -> list[SearchHit]:
    newest = (Case.received_on.desc(), Case.id.desc())
    return _numbered_hits(
        HitKind.CASE, Case, text, limit, newest, lambda row: f"{row.kind.label} · {row.customer_name}"
    )


def _sales(text: str, limit: int) -> list[SearchHit]:
    newest = (Sale.sold_on.desc(), Sale.id.desc())
    return _numbered_hits(HitKind.SALE, Sale, text, limit, newest, lambda row: row.customer_name)
