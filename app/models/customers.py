"""Reps (the app's users) and customers."""

from __future__ import annotations

import re
import unicodedata

from peewee import SQL, BooleanField, CharField, DateField, ForeignKeyField, TextField, TimeField

from app.models.base import BaseModel, ChoiceField, TimestampedModel, VersionedModel, now
from app.models.clock import LocalDateTimeField
from app.models.collation import MAX_KEY_LENGTH, sort_key
from app.models.enums import ContactChannel, CustomerKind, RepRole, Segment


class _CombiningMarks(dict):
    """str.translate's table that drops combining marks (accents), filled as characters are met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _CombiningMarks()
_NOT_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


def _drop_marks(match: re.Match[str]) -> str:
    return match[0].translate(_WITHOUT_MARKS)


def fold_for_search(text: str) -> str:
    """Lower case without accents, so 'pena' finds 'Peña' and 'logrono' finds 'Logroño'."""
    folded = text.casefold()
    if folded.isascii():  # nothing to decompose
        return folded
    # Only the runs of other characters are looked at (an import folds 100,000 names: 2.5 times faster).
    return _NOT_ASCII_RE.sub(_drop_marks, unicodedata.normalize("NFKD", folded))


def fold_key(text: str | None) -> str | None:
    """The form two identifiers are compared in: Unicode case folded and compatibility-normalised,
    so 'ÓPTICA', 'Óptica' and 'óptica' are one need tag and 'Año-1', 'AÑO-1' one sale number
    (SQLite's LOWER/UPPER fold ASCII only). Accents stay: 'Ano-1' is another number. None stays None."""
    if text is None:
        return None
    if text.isascii():  # NFKC leaves ASCII as it is, and casefold is lower (an import keys 100,000s)
        return text.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def customer_search_text(
    code: str, name: str, tax_id: str | None, email: str, phone: str, mobile: str, city: str
) -> str:
    """The folded text the customer search box matches against (phones also digits only)."""
    digits = " ".join(re.sub(r"\D", "", p) for p in (phone, mobile) if p)
    return fold_for_search(" | ".join([code, name, tax_id or "", email, phone, mobile, city, digits]))


class Rep(TimestampedModel):
    """A person using the app: a sales rep or an after-sales manager."""

    code = CharField(max_length=20, unique=True)
    name = CharField(max_length=120)
    email = CharField(max_length=200, default="")
    phone = CharField(max_length=40, default="")
    role = ChoiceField(RepRole, default=RepRole.REP)
    active = BooleanField(default=True)
    # The rep's own working hours where they differ from the company's (schema 9): both or neither;
    # empty, the company's (app.services.followups.placement).
    working_hours_start = TimeField(null=True)
    working_hours_end = TimeField(null=True)


class Customer(VersionedModel):
    code = CharField(max_length=20, unique=True)
    kind = ChoiceField(CustomerKind, default=CustomerKind.PERSON)
    name = CharField(max_length=200)
    # NULL rather than "" so the unique index allows many customers without a tax id.
    tax_id = CharField(max_length=20, null=True, unique=True)
    email = CharField(max_length=200, default="")
    phone = CharField(max_length=40, default="")
    mobile = CharField(max_length=40, default="")
    address = CharField(max_length=250, default="")
    postal_code = CharField(max_length=10, default="")
    city = CharField(max_length=100, default="")
    province = CharField(max_length=100, default="")
    country = CharField(max_length=2, default="ES")
    preferred_channel = ChoiceField(ContactChannel, default=ContactChannel.PHONE)
    language = CharField(max_length=5, default="es")
    rep = ForeignKeyField(Rep, null=True, backref="customers", on_delete="SET NULL")
    notes = TextField(default="")
    contact_consent = BooleanField(default=False)
    consent_date = DateField(null=True)
    segment = ChoiceField(Segment, null=True, max_length=1)
    segment_computed_on = DateField(null=True)
    archived = BooleanField(default=False)
    # Derived from the fields above on every save (schema 2); see customer_search_text.
    search_text = TextField(default="")
    # The name's collation key (schema 18, app.models.collation): the list sorts by it in SQL.
    sort_key = CharField(max_length=MAX_KEY_LENGTH, default="", constraints=[SQL("DEFAULT ''")])

    class Meta:
        indexes = (
            # The customer list: active customers ordered by name (schema 18: by its collation key).
            (("archived", "sort_key"), False),
            # The dashboard's customers per segment, from the index alone (schema 17).
            (("archived", "segment"), False),
        )

    def save(self, *args, **kwargs):
        search_text = customer_search_text(
            self.code, self.name, self.tax_id, self.email, self.phone, self.mobile, self.city
        )
        if search_text != self.search_text:  # assigned only when it changes: save() writes dirty columns
            self.search_text = search_text
        name_key = sort_key(self.name)
        if name_key != self.sort_key:
            self.sort_key = name_key
        return super().save(*args, **kwargs)


class NeedTag(BaseModel):
    """A free tag for segmentation by needs ("needs installation", "price sensitive")."""

    name = CharField(max_length=60, unique=True)
    # fold_key(name), kept by save() (schema 5): tags are one whatever their case.
    key = CharField(max_length=120, unique=True)

    def save(self, *args, **kwargs):
        key = fold_key(self.name)
        if key != self.key:  # assigned only when it changes: save() writes dirty columns
            self.key = key
        return super().save(*args, **kwargs)


class CustomerNeedTag(BaseModel):
    # No index of its own: the unique (customer, tag) leads with it (schema 20).
    customer = ForeignKeyField(Customer, backref="need_tags", on_delete="CASCADE", index=False)
    tag = ForeignKeyField(NeedTag, backref="customers", on_delete="CASCADE")

    class Meta:
        indexes = ((("customer", "tag"), True),)


class CustomerErasure(BaseModel):
    """A customer whose personal data was erased (schema 16): the erasure log.

    It names the customer by uid only (never by their data) and travels with the sync as a reference
    table every machine holds, so each machine can erase its own copy; a restore of an older backup
    erases again every customer logged here since (app.services.customers.privacy)."""

    customer_uid = CharField(max_length=32, unique=True)
    erased_at = LocalDateTimeField(default=now)
    rep = ForeignKeyField(Rep, null=True, backref="erasures", on_delete="SET NULL")
