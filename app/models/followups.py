"""Follow-up plans and the follow-ups (calls, visits, …) they create."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from app.models.base import BaseModel, ChoiceField, VersionedModel
from app.models.cases import Case
from app.models.catalog import ProductCategory, SoldUnit
from app.models.clock import LocalDateTimeField
from app.models.customers import Customer, Rep
from app.models.enums import (
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    Segment,
    StepAnchor,
)
from app.models.returns import WarrantyReturn


class FollowUpPlan(VersionedModel):
    """Steps applied after a sale of a product category; optionally only for one segment."""

    name = CharField(max_length=120)
    category = ForeignKeyField(ProductCategory, null=True, backref="plans", on_delete="CASCADE")
    segment = ChoiceField(Segment, null=True, max_length=1)
    active = BooleanField(default=True)


class FollowUpPlanStep(BaseModel):
    plan = ForeignKeyField(FollowUpPlan, backref="steps", on_delete="CASCADE")
    position = IntegerField()
    offset_days = IntegerField()
    anchor = ChoiceField(StepAnchor, default=StepAnchor.DELIVERY)
    kind = ChoiceField(FollowUpKind)
    purpose = ChoiceField(FollowUpPurpose)
    duration_minutes = IntegerField(default=15)

    class Meta:
        indexes = ((("plan", "position"), True),)


class FollowUp(VersionedModel):
    """A planned contact. *Overdue* is derived (planned and past due), never stored."""

    # No index of their own for customer, rep and sold_unit: each leads one of the Meta's (schema 20).
    customer = ForeignKeyField(Customer, backref="follow_ups", on_delete="CASCADE", index=False)
    rep = ForeignKeyField(Rep, null=True, backref="follow_ups", on_delete="SET NULL", index=False)
    kind = ChoiceField(FollowUpKind)
    purpose = ChoiceField(FollowUpPurpose)
    scheduled_at = LocalDateTimeField()
    duration_minutes = IntegerField(default=15)
    place = CharField(max_length=250, default="")
    state = ChoiceField(FollowUpState, default=FollowUpState.PLANNED)
    outcome = ChoiceField(FollowUpOutcome, null=True)
    notes = TextField(default="")
    attempt = IntegerField(default=1)
    completed_at = LocalDateTimeField(null=True)
    cancel_reason = TextField(default="")
    sold_unit = ForeignKeyField(SoldUnit, null=True, backref="follow_ups", on_delete="CASCADE", index=False)
    case = ForeignKeyField(Case, null=True, backref="follow_ups", on_delete="SET NULL")
    warranty_return = ForeignKeyField(WarrantyReturn, null=True, backref="follow_ups", on_delete="SET NULL")
    plan_step = ForeignKeyField(FollowUpPlanStep, null=True, backref="follow_ups", on_delete="SET NULL")
    # A retry points at the attempt it repeats.
    retry_of = ForeignKeyField("self", null=True, backref="retries", on_delete="SET NULL")

    class Meta:
        indexes = (
            # Agenda: one rep's planned follow-ups in a time window.
            (("rep", "state", "scheduled_at"), False),
            # Agenda for a manager (all reps) and overdue counts; follow-ups on time (charter
            # compliance) read from the index alone (migration 10).
            (("state", "scheduled_at", "completed_at", "rep"), False),
            # A delivery's first contact (charter compliance): one seek per sale (migration 10).
            (("customer", "state", "outcome", "completed_at"), False),
            # Customer 360° view: a customer's follow-ups by date.
            (("customer", "scheduled_at"), False),
            # Re-applying a plan never duplicates a step for the same unit.
            (("sold_unit", "plan_step"), True),
            # Activity report: a period's follow-ups counted by state, kind, purpose and rep,
            # read from the index alone (migration 3).
            (("state", "kind", "purpose", "rep", "scheduled_at"), False),
        )
