"""Bookkeeping tables: schema version, company settings and the audit log."""

from __future__ import annotations

from peewee import SQL, CharField, Database, ForeignKeyField, IntegerField, TextField

from app.models.base import BaseModel, LocalModel, now
from app.models.clock import LocalDateTimeField
from app.models.customers import Rep


class SchemaVersion(LocalModel):
    version = IntegerField()
    applied_at = LocalDateTimeField(default=now)


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


# The table of each kind of record an audit entry names (app.services.audit.ENTITIES) where it is not
# the kind itself; None: a kind with no table of its own (the company's settings).
_AUDITED_TABLE_NAMES = {"survey": "satisfaction_survey", "company_settings": None}


def audited_table(entity: str) -> str | None:
    """The table of the records an audit entry of kind `entity` names, or None."""
    return _AUDITED_TABLE_NAMES.get(entity, entity)


def name_audited_records_by_uid(database: Database) -> None:
    """Every audit entry's `entity_uid` set from its record's current uid (None when the record is
    gone): after schema 15 added the column, and when `sync --join` gives records the office's uids."""
    tables = set(database.get_tables())
    kinds = [kind for (kind,) in database.execute_sql("SELECT DISTINCT entity FROM audit_entry").fetchall()]
    for kind in kinds:
        table = audited_table(kind)
        if table in tables:
            database.execute_sql(
                f'UPDATE audit_entry SET entity_uid = (SELECT t.uid FROM "{table}" t WHERE t.id = audit_entry.entity_id)'
                f" WHERE entity = {database.param}",
                (kind,),
            )


class AuditEntry(BaseModel):
    """One change: who (`rep`), when, which record (`entity` + `entity_id`/`entity_uid`, and `label`, the
    record's number or code: never personal data) and what (`changes`).

    `changes` (schema 8) is JSON {field: [old, new]} with plain values (enum codes, ISO dates):
    personal data appears only there, as the value of the field that changed, so erasing a person
    can find it. `details` is JSON context that names no person (ids, counts); entries written
    before schema 8 kept the new values there, free text included, and no old values.
    """

    at = LocalDateTimeField(default=now, index=True)
    rep = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
    action = CharField(max_length=30)  # create / update / archive / transition / …
    entity = CharField(max_length=40)
    entity_id = IntegerField()  # this database's id of the record (0: not in this database)
    # The record's uid (schema 15): what names it on another machine. An entry travels with the sync
    # (app.sync.engine), and each database points `entity_id` at its own copy of the record.
    entity_uid = CharField(max_length=32, null=True)
    # SQL defaults too, as schema 8 added them: an INSERT that names neither column still goes in.
    label = CharField(max_length=60, default="", constraints=[SQL("DEFAULT ''")])
    changes = TextField(default="", constraints=[SQL("DEFAULT ''")])
    details = TextField(default="")

    class Meta:
        indexes = ((("entity", "entity_id"), False),)
