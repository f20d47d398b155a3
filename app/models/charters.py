"""Service charters and their measurable commitments."""

from __future__ import annotations

import json

from peewee import BooleanField, CharField, DateField, DecimalField, ForeignKeyField, IntegerField, TextField

from app.models.base import BaseModel, ChoiceField, VersionedModel
from app.models.enums import CharterIndicator, CharterPeriod, CharterType, ContactChannel


class ServiceCharter(VersionedModel):
    type = ChoiceField(CharterType)
    title = CharField(max_length=200)
    version = IntegerField(default=1)  # the charter's published edition, not row_version
    valid_from = DateField()
    valid_to = DateField(null=True)
    # One charter per type is active at a time; old versions are kept.
    active = BooleanField(default=False)
    strategy = TextField(default="")
    systems = TextField(default="")
    personnel = TextField(default="")
    channels = TextField(default="")  # JSON: [{"channel": "phone", "detail": …, "hours": …}]
    procedure = TextField(default="")
    principles = TextField(default="")


class CharterCommitment(BaseModel):
    charter = ForeignKeyField(ServiceCharter, backref="commitments", on_delete="CASCADE")
    position = IntegerField()
    text = TextField()
    indicator = ChoiceField(CharterIndicator)
    days = IntegerField(null=True)  # the N in "within N days", where the indicator has one
    target = DecimalField(max_digits=6, decimal_places=2)  # a share in % or a score
    period = ChoiceField(CharterPeriod, default=CharterPeriod.YEAR)
    # The population the commitment is about (schema 11); empty = everything the indicator measures.
    # JSON lists of codes: case categories (CaseCategory), product categories (ProductCategory.code,
    # which names a category on every machine, unlike its id).
    case_categories = TextField(default="")
    product_categories = TextField(default="")
    channel = ChoiceField(ContactChannel, null=True)  # the channel the case came in by


def scope_codes(text: str | None) -> tuple[str, ...]:
    """A stored scope list as its codes (() for everything, or for text that is not a list)."""
    try:
        codes = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(code) for code in codes) if isinstance(codes, list) else ()


def scope_text(codes) -> str:
    """Codes as stored: a sorted JSON list, "" for everything."""
    codes = sorted({str(code) for code in codes or ()})
    return json.dumps(codes, ensure_ascii=False) if codes else ""
