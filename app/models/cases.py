"""Complaints, claims, suggestions and compliments (seed 003's four-stage procedure)."""

from __future__ import annotations

from peewee import (
    CharField,
    DateField,
    DecimalField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from app.models.base import BaseModel, ChoiceField, VersionedModel, now
from app.models.catalog import Sale, SoldUnit
from app.models.clock import LocalDateTimeField
from app.models.customers import Customer, Rep
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseSeries,
    CaseStage,
    ContactChannel,
    ProposalAnswer,
    Severity,
    SolutionType,
)


class Case(VersionedModel):
    # Prefix (a company setting when the number was taken), year and sequence: REC-2026-0007.
    # Never rewritten: numbers taken before schema 6 keep their CASE-2026-0007.
    number = CharField(max_length=20, unique=True)
    # The number a laptop gave it offline (…-L03-0002) until the office numbered it: still searchable.
    provisional_number = CharField(max_length=30, null=True)
    year = IntegerField()
    # The sequence runs per series and year (complaints and claims share the register's).
    series = ChoiceField(CaseSeries)
    sequence = IntegerField()
    kind = ChoiceField(CaseKind)
    stage = ChoiceField(CaseStage)
    customer = ForeignKeyField(Customer, backref="cases", on_delete="RESTRICT")
    rep = ForeignKeyField(Rep, null=True, backref="cases", on_delete="SET NULL")
    channel = ChoiceField(ContactChannel)
    received_on = DateField()
    customer_words = TextField(default="")
    # Claims only: the compensation the customer asks for.
    requested_compensation = TextField(default="")
    sale = ForeignKeyField(Sale, null=True, backref="cases", on_delete="SET NULL")
    sold_unit = ForeignKeyField(SoldUnit, null=True, backref="cases", on_delete="SET NULL")
    # The follow-up during which the case came up (FollowUp is declared after Case).
    origin_follow_up = DeferredForeignKey("FollowUp", null=True, on_delete="SET NULL")
    category = ChoiceField(CaseCategory, null=True)
    severity = ChoiceField(Severity, null=True)
    agreed_channel = ChoiceField(ContactChannel, null=True)
    first_answer_on = DateField(null=True)
    closed_on = DateField(null=True)
    mediation_body = CharField(max_length=200, default="")
    mediation_reference = CharField(max_length=100, default="")
    mediation_on = DateField(null=True)
    mediation_outcome = TextField(default="")
    # Suggestions and compliments are forwarded to a department, which answers.
    department = CharField(max_length=120, default="")
    department_response = TextField(default="")

    class Meta:
        indexes = (
            # Taking a number: MAX(sequence) of a series and year (and no sequence taken twice).
            (("series", "year", "sequence"), True),
            # Cases page and statistics: by type and stage, newest first.
            (("kind", "stage", "received_on"), False),
        )

    def save(self, *args, **kwargs):
        inserting = self._pk is None or kwargs.get("force_insert")
        if inserting and self.series is None and self.kind is not None:  # the series follows the kind
            self.series = CaseSeries.of(self.kind)
        return super().save(*args, **kwargs)


class CaseProposal(BaseModel):
    """A solution offered to the customer; rejected ones lead to counter-proposals."""

    case = ForeignKeyField(Case, backref="proposals", on_delete="CASCADE")
    round = IntegerField(default=1)
    proposed_on = DateField()
    solution_type = ChoiceField(SolutionType)
    detail = TextField(default="")
    amount = DecimalField(max_digits=12, decimal_places=2, null=True)
    channel = ChoiceField(ContactChannel, null=True)
    answer = ChoiceField(ProposalAnswer, default=ProposalAnswer.PENDING)
    answered_on = DateField(null=True)


class CaseStageChange(BaseModel):
    case = ForeignKeyField(Case, backref="history", on_delete="CASCADE")
    from_stage = ChoiceField(CaseStage, null=True)
    to_stage = ChoiceField(CaseStage)
    changed_at = LocalDateTimeField(default=now)
    rep = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
    note = TextField(default="")
