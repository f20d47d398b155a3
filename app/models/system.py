"""Bookkeeping tables: schema version, company settings and the audit log."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from app.models.base import BaseModel, now
from app.models.customers import Rep


class SchemaVersion(BaseModel):
    version = IntegerField()
    applied_at = DateTimeField(default=now)


class CompanySetting(BaseModel):
    """Settings that belong to the company's data (documents, deadlines), not to one laptop."""

    key = CharField(max_length=60, primary_key=True)
    value = TextField()


class AuditEntry(BaseModel):
    at = DateTimeField(default=now, index=True)
    rep = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
    action = CharField(max_length=30)  # create / update / archive / transition / …
    entity = CharField(max_length=40)
    entity_id = IntegerField()
    details = TextField(default="")  # JSON of the changed fields

    class Meta:
        indexes = ((("entity", "entity_id"), False),)
