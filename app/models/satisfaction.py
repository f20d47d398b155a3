"""Satisfaction surveys taken after calls, cases and returns."""

from __future__ import annotations

from peewee import DateField, ForeignKeyField, IntegerField, TextField

from app.models.base import ChoiceField, TimestampedModel
from app.models.cases import Case
from app.models.customers import Customer, Rep
from app.models.enums import DissatisfactionCause
from app.models.followups import FollowUp
from app.models.returns import WarrantyReturn


class SatisfactionSurvey(TimestampedModel):
    customer = ForeignKeyField(Customer, backref="surveys", on_delete="CASCADE")
    rep = ForeignKeyField(Rep, null=True, backref="surveys", on_delete="SET NULL")
    taken_on = DateField()
    satisfaction = IntegerField(null=True)  # 1–5
    recommend = IntegerField(null=True)  # 0–10 (NPS)
    comment = TextField(default="")
    cause = ChoiceField(DissatisfactionCause, null=True)
    follow_up = ForeignKeyField(FollowUp, null=True, backref="surveys", on_delete="SET NULL")
    case = ForeignKeyField(Case, null=True, backref="surveys", on_delete="SET NULL")
    warranty_return = ForeignKeyField(WarrantyReturn, null=True, backref="surveys", on_delete="SET NULL")

    class Meta:
        indexes = (
            # A period's surveys (lists, statistics) by day; the satisfaction figures (average, CSAT,
            # NPS, per month or rep) read from the index alone (migration 10; before it, taken_on alone).
            (("taken_on", "satisfaction", "recommend", "rep"), False),
        )
