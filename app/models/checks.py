"""Correct-use checks: versioned checklist templates and the checks run with customers."""

from __future__ import annotations

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from app.models.base import BaseModel, ChoiceField, TimestampedModel
from app.models.catalog import Product, ProductCategory, SoldUnit
from app.models.clock import LocalDateTimeField
from app.models.customers import Customer, Rep
from app.models.enums import CheckAnswerResult, CheckStatus
from app.models.followups import FollowUp


class CheckTemplate(TimestampedModel):
    """One version of a checklist; editing makes a new version with the same family."""

    family = CharField(max_length=40)
    version = IntegerField(default=1)
    name = CharField(max_length=200)
    category = ForeignKeyField(ProductCategory, null=True, backref="check_templates")
    product = ForeignKeyField(Product, null=True, backref="check_templates")
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("family", "version"), True),)


class CheckItem(BaseModel):
    template = ForeignKeyField(CheckTemplate, backref="items", on_delete="CASCADE")
    position = IntegerField()
    question = TextField()
    guidance = TextField(default="")
    critical = BooleanField(default=False)


class UsageCheck(TimestampedModel):
    template = ForeignKeyField(CheckTemplate, backref="checks", on_delete="RESTRICT")
    sold_unit = ForeignKeyField(SoldUnit, backref="usage_checks", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, backref="usage_checks", on_delete="CASCADE")
    rep = ForeignKeyField(Rep, null=True, backref="usage_checks", on_delete="SET NULL")
    follow_up = ForeignKeyField(FollowUp, null=True, backref="usage_checks", on_delete="SET NULL")
    status = ChoiceField(CheckStatus, default=CheckStatus.DRAFT)
    started_at = LocalDateTimeField()
    completed_at = LocalDateTimeField(null=True)
    present_people = CharField(max_length=250, default="")
    signature_png = BlobField(null=True)
    score = FloatField(null=True)  # OK answers over applicable items, 0..1
    passed = BooleanField(null=True)
    notes = TextField(default="")

    class Meta:
        indexes = (
            # Usage checks page: by period and result; the activity report's counts, pass rate and
            # mean score read from the index alone (migration 10).
            (("status", "completed_at", "rep", "passed", "score"), False),
        )


class CheckAnswer(BaseModel):
    # No index of its own: the unique (check, item) leads with it (schema 20).
    check = ForeignKeyField(UsageCheck, backref="answers", on_delete="CASCADE", index=False)
    item = ForeignKeyField(CheckItem, backref="answers", on_delete="RESTRICT")
    result = ChoiceField(CheckAnswerResult, null=True)
    note = TextField(default="")
    trained_on_site = BooleanField(default=False)

    class Meta:
        indexes = (
            (("check", "item"), True),
            # Most-failed items: a period's answers counted per item from the index alone (migration 10).
            (("check", "item", "result", "trained_on_site"), False),
        )
