"""Bookkeeping tables: schema version, company settings and the audit log."""

from __future__ import annotations

from peewee import SQL, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from app.models.base import BaseModel, LocalModel, now
from app.models.customers import Rep


class SchemaVersion(LocalModel):
    version = IntegerField()
    applied_at = DateTimeField(default=now)


class CompanySetting(BaseModel):
    """Settings that belong to the company's data (documents, deadlines), not to one laptop."""

    key = CharField(max_length=60, primary_key=True)
    value = TextField()


# The numbering prefixes of cases (app.services.company.CompanySettings), Spanish whatever the
# interface language. Written into every database when it is created (and by migration 6), so a
# company's numbers depend on its data only: never on the language, a laptop's app version or a
# later default.
CASE_PREFIX_DEFAULTS = {"complaint_prefix": "REC-", "suggestion_prefix": "SUG-", "compliment_prefix": "FEL-"}


def store_case_prefix_defaults() -> None:
    """Store the default numbering prefixes the database does not have yet (a new database)."""
    CompanySetting.insert_many(
        [(key, value) for key, value in CASE_PREFIX_DEFAULTS.items()],
        fields=[CompanySetting.key, CompanySetting.value],
    ).on_conflict_ignore().execute()


class AuditEntry(BaseModel):
    """One change: who (`rep`), when, which record (`entity` + `entity_id`, and `label`, the
    record's number or code: never personal data) and what (`changes`).

    `changes` (schema 8) is JSON {field: [old, new]} with plain values (enum codes, ISO dates):
    personal data appears only there, as the value of the field that changed, so erasing a person
    can find it. `details` is JSON context that names no person (ids, counts); entries written
    before schema 8 kept the new values there, free text included, and no old values.
    """

    at = DateTimeField(default=now, index=True)
    rep = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
    action = CharField(max_length=30)  # create / update / archive / transition / …
    entity = CharField(max_length=40)
    entity_id = IntegerField()
    # SQL defaults too, as schema 8 added them: an INSERT that names neither column still goes in.
    label = CharField(max_length=60, default="", constraints=[SQL("DEFAULT ''")])
    changes = TextField(default="", constraints=[SQL("DEFAULT ''")])
    details = TextField(default="")

    class Meta:
        indexes = ((("entity", "entity_id"), False),)
