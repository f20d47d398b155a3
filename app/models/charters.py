"""Service charters and their measurable commitments."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateField, DecimalField, ForeignKeyField, IntegerField, TextField

from app.models.base import BaseModel, ChoiceField, VersionedModel
from app.models.enums import CharterIndicator, CharterPeriod, CharterType


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
