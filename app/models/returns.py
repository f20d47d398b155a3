"""Warranty returns (RMA) and their status history."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from app.models.base import BaseModel, ChoiceField, VersionedModel, now
from app.models.cases import Case
from app.models.catalog import SoldUnit
from app.models.clock import LocalDateTimeField
from app.models.customers import Customer, Rep
from app.models.enums import OutOfWarrantyReason, ReturnReason, ReturnState

MONEY = {"max_digits": 12, "decimal_places": 2}


class WarrantyReturn(VersionedModel):
    number = CharField(max_length=20, unique=True)  # RMA-YYYY-NNNN, no gaps per year
    # The number a laptop gave it offline (…-L03-0002) until the office numbered it: still searchable.
    provisional_number = CharField(max_length=30, null=True)
    year = IntegerField()
    sequence = IntegerField()
    sold_unit = ForeignKeyField(SoldUnit, backref="returns", on_delete="RESTRICT")
    customer = ForeignKeyField(Customer, backref="returns", on_delete="RESTRICT")
    rep = ForeignKeyField(Rep, null=True, backref="returns", on_delete="SET NULL")
    case = ForeignKeyField(Case, null=True, backref="returns", on_delete="SET NULL")
    reason = ChoiceField(ReturnReason)
    description = TextField(default="")
    reported_on = DateField()
    state = ChoiceField(ReturnState, default=ReturnState.REQUESTED)
    # Warranty status as computed at opening, kept so later edits cannot rewrite history.
    under_warranty = BooleanField()
    warranty_days = IntegerField()  # days left (under warranty) or days since expiry
    out_of_warranty_reason = ChoiceField(OutOfWarrantyReason, null=True)
    inspection_note = TextField(default="")
    replacement_unit = ForeignKeyField(SoldUnit, null=True, backref="replacing_returns", on_delete="SET NULL")
    refund_amount = DecimalField(null=True, **MONEY)
    cost_parts = DecimalField(default=0, **MONEY)
    cost_labour = DecimalField(default=0, **MONEY)
    cost_shipping = DecimalField(default=0, **MONEY)
    resolved_on = DateField(null=True)
    closed_on = DateField(null=True)

    class Meta:
        indexes = (
            (("year", "sequence"), True),
            # Returns page: open returns by state, oldest first.
            (("state", "reported_on"), False),
        )


class ReturnStatusChange(BaseModel):
    warranty_return = ForeignKeyField(WarrantyReturn, backref="history", on_delete="CASCADE")
    from_state = ChoiceField(ReturnState, null=True)
    to_state = ChoiceField(ReturnState)
    changed_at = LocalDateTimeField(default=now)
    rep = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
    note = TextField(default="")
