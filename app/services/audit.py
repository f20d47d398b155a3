"""The audit log: who changed which record, when, and each changed field's old and new value.

Commands call `record` inside their own write transaction. An entry names its record by kind
(`entity`), id and a `label` that is its number or code, never personal data; what changed goes into
`changes`, {field: [old, new]} with plain values (enum codes, ISO dates, decimals as text): personal
data appears there only, as the value of the field that changed, so erasing a person can find it.
`context` is for what names no person (the ids of related records, counts).

The Settings ▸ Audit log window reads it through `count_entries`/`list_entries` (newest first, in
batches) and `export_entries`; each change is shown as "Field: old → new" with the field's
translated label and the choices' labels (`describe_change`). Entries written before schema 8 kept
their new values in `details`, with no old values: they are shown as "Field: value".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any

from peewee import (
    JOIN,
    AutoField,
    BlobField,
    Column,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    Model,
)
from playhouse.fields import EnumField

from app.i18n import N_, _, format_date, format_datetime, format_money, format_number
from app.models import (
    ALL_MODELS,
    AuditEntry,
    Case,
    CaseProposal,
    CheckTemplate,
    Customer,
    FollowUp,
    FollowUpPlan,
    FollowUpPlanStep,
    Product,
    ProductCategory,
    Rep,
    Sale,
    SatisfactionSurvey,
    ServiceCharter,
    UsageCheck,
    WarrantyReturn,
)
from app.models.base import max_length
from app.models.enums import Choice
from app.models.system import audited_table

Changes = dict[str, tuple[Any, Any]]

_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?")

# Columns that are bookkeeping, never shown as a change: derived or kept for the machines.
_BOOKKEEPING = frozenset(
    {
        "created_at",
        "updated_at",
        "row_version",
        "search_text",
        "sort_key",
        "uid",
        "revision",
        "number_key",
        "serial_key",
        "key",
    }
)


_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})  # exactly these types, not subclasses (enums)


def _plain(value):
    if type(value) in _AS_THEY_ARE:  # most values: an import audits 100,000 new records
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.get_id()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)


def _same(old, new) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):  # 5 and 5.00 are the same amount
        try:
            return old is not None and new is not None and Decimal(str(old)) == Decimal(str(new))
        except InvalidOperation:
            return False
    return _plain(old) == _plain(new)


def _label(label: object) -> str:
    return str(label or "")[: max_length(AuditEntry.label)]


def entry(
    action: str,
    entity: str,
    entity_id: int,
    rep_id: int | None,
    /,
    *,
    label: object = "",
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    context: Mapping[str, object] | None = None,
    record_uid: str | None = None,
    **values,
) -> AuditEntry:
    """An audit entry not stored yet: `record` stores one, a bulk command many at once.

    `values` are fields set on a record that had none before (a new record): each becomes a change
    from nothing to the value, empty ones left out. `changes` are {field: (old, new)}. `record_uid`
    is the record's uid when the caller has it (a bulk command): else it is read."""
    stored = {name: [None, _plain(value)] for name, value in values.items() if not _empty(value)}
    stored.update({name: [_plain(old), _plain(new)] for name, (old, new) in (changes or {}).items()})
    return AuditEntry(
        action=action,
        entity=entity,
        entity_id=entity_id,
        entity_uid=record_uid or _uid_of(entity, entity_id),
        rep=rep_id,
        label=_label(label),
        changes=json.dumps(stored, ensure_ascii=False) if stored else "",
        details=json.dumps({k: _plain(v) for k, v in (context or {}).items()}, ensure_ascii=False)
        if context
        else "",
    )


_TABLE_MODELS = {model._meta.table_name: model for model in ALL_MODELS if "uid" in model._meta.columns}


def _uid_of(entity: str, entity_id: int) -> str | None:
    """The uid of the record an entry names: what names it on the other machines (the sync)."""
    table = audited_table(entity)
    model = _TABLE_MODELS.get(table) if table else None
    if model is None:
        return None
    return model.select(model.uid).where(model.id == entity_id).scalar()


def record(
    action: str,
    entity: str,
    entity_id: int,
    rep_id: int | None,
    /,
    *,
    label: object = "",
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    context: Mapping[str, object] | None = None,
    **values,
) -> None:
    """One audit entry by `rep_id` (positional, so a field named `rep_id` can be a value)."""
    entry(action, entity, entity_id, rep_id, label=label, changes=changes, context=context, **values).save(
        force_insert=True
    )


def pending_changes(instance: Model, *, ignore: Iterable[str] = ()) -> Changes:
    """The fields `instance` is about to save, each with its stored value and its new one (those
    whose value really differs). Call it inside the command's write transaction, before `save()`."""
    model = type(instance)
    skipped = _BOOKKEEPING | set(ignore)
    fields = [f for f in instance.dirty_fields if f.name not in skipped and not isinstance(f, AutoField)]
    if not fields:
        return {}
    stored: dict[str, Any] = {}
    if instance.get_id() is not None:
        query = model.select(*fields).where(model._meta.primary_key == instance.get_id()).dicts()
        stored = query.get() if query.exists() else {}
    changes: Changes = {}
    for field in fields:
        old, new = stored.get(field.name), instance.__data__.get(field.name)
        if isinstance(field, ForeignKeyField) and isinstance(new, Model):
            new = new.get_id()
        if isinstance(field, BlobField):  # a signature: whether there is one, never its bytes
            old_bytes = bytes(old) if old is not None else None
            new_bytes = bytes(new) if new is not None else None
            if old_bytes != new_bytes:
                changes[field.name] = (old_bytes is not None, new_bytes is not None)
            continue
        if not _same(old, new) and not (_empty(old) and _empty(new)):
            changes[field.name] = (old, new)
    return changes


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """{field: (old, new)} for the fields of `after` whose value differs from `before`'s."""
    return {
        name: (before.get(name), value)
        for name, value in after.items()
        if not _same(before.get(name), value) and not (_empty(before.get(name)) and _empty(value))
    }


# --------------------------------------------------------------------------- reading the log

# The kinds of record entries name, as the log's filter offers them.
ENTITIES: dict[str, str] = {
    "customer": N_("Customer"),
    "sale": N_("Sale"),
    "follow_up": N_("Follow-up"),
    "usage_check": N_("Correct-use check"),
    "warranty_return": N_("Warranty return"),
    "case": N_("Case"),
    "case_proposal": N_("Case proposal"),
    "survey": N_("Satisfaction survey"),
    "product": N_("Product"),
    "product_category": N_("Product category"),
    "follow_up_plan": N_("Follow-up plan"),
    "check_template": N_("Correct-use checklist"),
    "service_charter": N_("Service charter"),
    "company_settings": N_("Company settings"),
    "rep": N_("Rep"),
}
_ENTITY_ALIASES = {"satisfaction_survey": "survey"}

# The model whose fields an entity's changes are (for the choices' labels and the values' types).
_MODELS: dict[str, type[Model]] = {
    "customer": Customer,
    "sale": Sale,
    "follow_up": FollowUp,
    "usage_check": UsageCheck,
    "warranty_return": WarrantyReturn,
    "case": Case,
    "case_proposal": CaseProposal,
    "survey": SatisfactionSurvey,
    "product": Product,
    "product_category": ProductCategory,
    "follow_up_plan": FollowUpPlan,
    "check_template": CheckTemplate,
    "service_charter": ServiceCharter,
    "rep": Rep,
}

ACTIONS: dict[str, str] = {
    "create": N_("Created"),
    "update": N_("Changed"),
    "transition": N_("State changed"),
    "answer": N_("Customer's answer"),
    "archive": N_("Archived"),
    "restore": N_("Restored"),
    "reassign": N_("Reassigned"),
    "activate": N_("Activated"),
    "deactivate": N_("Deactivated"),
    "new_version": N_("New version"),
    "retire": N_("Retired"),
    "finish": N_("Finished"),
    "apply_plan": N_("Plan applied"),
    "remove_plan": N_("Plan removed"),
    "reschedule_plan": N_("Plan rescheduled"),
    "compute_segments": N_("Segments computed"),
    "record_survey": N_("Survey recorded"),
    "erase": N_("Personal data erased"),
    "undo": N_("Undone"),
    "redo": N_("Redone"),
}

# A field's label wherever it appears; (entity, field) where one entity means something else by it.
_FIELD_LABELS: dict[str, str] = {
    "code": N_("Code"),
    "kind": N_("Type"),
    "name": N_("Name"),
    "tax_id": N_("Tax ID"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "mobile": N_("Mobile"),
    "address": N_("Address"),
    "postal_code": N_("Postcode"),
    "city": N_("City"),
    "province": N_("Province"),
    "country": N_("Country"),
    "preferred_channel": N_("Preferred channel"),
    "language": N_("Language"),
    "notes": N_("Notes"),
    "contact_consent": N_("Consents to commercial contact"),
    "consent_date": N_("Consent date"),
    "rep": N_("Rep"),
    "rep_id": N_("Rep"),
    "assigned_rep_id": N_("Rep"),
    "need_tags": N_("Needs"),
    "archived": N_("Archived"),
    "segment": N_("Segment"),
    "customer": N_("Customer"),
    "customer_id": N_("Customer"),
    "number": N_("Number"),
    "stage": N_("Stage"),
    "state": N_("State"),
    "category": N_("Category"),
    "category_id": N_("Category"),
    "severity": N_("Severity"),
    "channel": N_("Channel"),
    "agreed_channel": N_("Agreed channel"),
    "received_on": N_("Received on"),
    "customer_words": N_("Customer's words"),
    "requested_compensation": N_("Compensation requested"),
    "first_answer_on": N_("First answer on"),
    "closed_on": N_("Closed on"),
    "mediation_body": N_("Mediating body"),
    "mediation_reference": N_("Mediation reference"),
    "mediation_on": N_("Mediation started on"),
    "mediation_outcome": N_("Mediation outcome"),
    "department": N_("Department"),
    "department_response": N_("Department's response"),
    "round": N_("Round"),
    "proposed_on": N_("Proposed on"),
    "solution_type": N_("Solution"),
    "detail": N_("Detail"),
    "amount": N_("Amount"),
    "answer": N_("Answer"),
    "answered_on": N_("Answered on"),
    "note": N_("Note"),
    "reason": N_("Reason"),
    "description": N_("Description"),
    "reported_on": N_("Reported on"),
    "under_warranty": N_("Under warranty"),
    "out_of_warranty_reason": N_("Out of warranty because"),
    "inspection_note": N_("Inspection"),
    "replacement_unit": N_("Replacement unit"),
    "refund_amount": N_("Amount refunded"),
    "cost_parts": N_("Parts"),
    "cost_labour": N_("Labour"),
    "cost_shipping": N_("Shipping"),
    "resolved_on": N_("Resolved on"),
    "sold_unit": N_("Product unit"),
    "sold_unit_id": N_("Product unit"),
    "purpose": N_("Purpose"),
    "scheduled_at": N_("Date and time"),
    "duration_minutes": N_("Duration (minutes)"),
    "place": N_("Place"),
    "outcome": N_("Outcome"),
    "attempt": N_("Attempt"),
    "completed_at": N_("Completed at"),
    "cancel_reason": N_("Reason for cancelling"),
    "retry_of": N_("Retry of"),
    "satisfaction": N_("Satisfaction (1–5)"),
    "recommend": N_("Would recommend (0–10)"),
    "comment": N_("Comment"),
    "cause": N_("Cause of dissatisfaction"),
    "taken_on": N_("Taken on"),
    "sold_on": N_("Sold on"),
    "delivered_on": N_("Delivered on"),
    "lines": N_("Lines"),
    "sku": N_("SKU"),
    "warranty_months": N_("Warranty (months)"),
    "price": N_("Price"),
    "serialised": N_("Serial numbers"),
    "active": N_("Active"),
    "title": N_("Title"),
    "version": N_("Version"),
    "type": N_("Type"),
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid until"),
    "channels": N_("Channels"),
    "commitments": N_("Commitments"),
    "steps": N_("Steps"),
    "family": N_("Checklist"),
    "items": N_("Questions"),
    "status": N_("Status"),
    "passed": N_("Passed"),
    "present_people": N_("People present"),
    "role": N_("Role"),
    "answers": N_("Answers"),
    "counts": N_("Customers per segment"),
    "follow_ups": N_("Follow-ups"),
    "signature_png": N_("Signature"),
    "strategy": N_("Strategy"),
    "systems": N_("Systems"),
    "personnel": N_("Personnel"),
    "procedure": N_("Procedure"),
    "principles": N_("Principles"),
    "offset_days": N_("Days"),
    "anchor": N_("Counted from"),
    "moved": N_("Follow-ups moved"),
    "default": N_("Built in"),
    "window_start": N_("Sales counted from"),
    "window_end": N_("Sales counted until"),
    "a_threshold": N_("Segment A up to (%)"),
    "b_threshold": N_("Segment B up to (%)"),
    "question": N_("Question"),
    "critical": N_("Critical"),
    "product_id": N_("Product"),
    "quantity": N_("Quantity"),
    "unit_price": N_("Unit price"),
    "score": N_("Score"),
    "answered": N_("Questions answered"),
    "failed": N_("Questions failed"),
    "critical_failed": N_("Critical questions failed"),
    "template": N_("Checklist"),
    "template_id": N_("Checklist"),
    "follow_up": N_("Follow-up"),
    "follow_up_id": N_("Follow-up"),
    "case": N_("Case"),
    "case_id": N_("Case"),
    "warranty_return": N_("Warranty return"),
    "warranty_return_id": N_("Warranty return"),
    "sale": N_("Sale"),
    "sale_id": N_("Sale"),
    "started_at": N_("Started at"),
    "replaced_by": N_("Replaced by"),
    "previous": N_("Previous version"),
}
_ENTITY_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("follow_up_plan", "category"): N_("Product category"),
    ("product", "category"): N_("Product category"),
    ("company_settings", "name"): N_("Company name"),
    ("company_settings", "logo_path"): N_("Logo"),
    ("company_settings", "holiday_country"): N_("Public holidays of"),
    ("company_settings", "holiday_subdivision"): N_("Region"),
    ("company_settings", "follow_up_max_attempts"): N_("Attempts to reach a customer"),
    ("company_settings", "check_training_days"): N_("Training after a failed check (days)"),
    ("company_settings", "working_hours_start"): N_("Working hours from"),
    ("company_settings", "working_hours_end"): N_("Working hours until"),
    ("rep", "working_hours_start"): N_("Working hours from"),
    ("rep", "working_hours_end"): N_("Working hours until"),
    ("company_settings", "daily_capacity"): N_("Follow-ups per rep and day"),
    ("company_settings", "abc_window_months"): N_("ABC window (months)"),
    ("company_settings", "abc_a_threshold"): N_("Segment A up to (%)"),
    ("company_settings", "abc_b_threshold"): N_("Segment B up to (%)"),
    ("company_settings", "expected_remaining_years"): N_("Expected remaining years"),
    ("company_settings", "risk_low_satisfaction_max"): N_("Low satisfaction up to"),
    ("company_settings", "risk_default_interval_days"): N_("Usual interval after one purchase (days)"),
    ("company_settings", "complaint_prefix"): N_("Prefix of complaints and claims"),
    ("company_settings", "suggestion_prefix"): N_("Prefix of suggestions"),
    ("company_settings", "compliment_prefix"): N_("Prefix of compliments"),
    ("company_settings", "returns_target_days"): N_("Returns: days to resolve"),
    ("company_settings", "returns_satisfaction_days"): N_("Returns: satisfaction call after (days)"),
    ("company_settings", "returns_replacement_warranty"): N_("Returns: warranty of a replacement"),
}


def entity_label(entity: str) -> str:
    entity = _ENTITY_ALIASES.get(entity, entity)
    return _(ENTITIES[entity]) if entity in ENTITIES else entity


def action_label(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else action


def field_label(entity: str, field: str) -> str:
    """A field's label in the user's language; a field this version does not know shows its name."""
    entity = _ENTITY_ALIASES.get(entity, entity)
    label = _ENTITY_FIELD_LABELS.get((entity, field)) or _FIELD_LABELS.get(field)
    if label is None and field.endswith("_id"):
        label = _FIELD_LABELS.get(field[:-3])
    return _(label) if label else field.replace("_", " ")


# Where the fields of what a record lists (a plan's steps) are found when the record has no such field.
_PART_MODELS: dict[str, type[Model]] = {"follow_up_plan": FollowUpPlanStep}


def _model_field(entity: str, field: str):
    entity = _ENTITY_ALIASES.get(entity, entity)
    for model in (_MODELS.get(entity), _PART_MODELS.get(entity)):
        if model is None:
            continue
        fields = model._meta.fields
        found = fields.get(field) or (fields.get(field[:-3]) if field.endswith("_id") else None)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class _Names:
    """Names of the people and codes of the customers an entry's values point to."""

    reps: Mapping[int, str]
    customers: Mapping[int, str]


_NO_NAMES = _Names({}, {})
_REP_FIELDS = frozenset({"rep", "rep_id", "assigned_rep_id"})
_CUSTOMER_FIELDS = frozenset({"customer", "customer_id"})


def format_value(entity: str, field: str, value: object, names: _Names = _NO_NAMES) -> str:
    """A stored value as the user reads it: choices by their label, dates and money in the locale,
    yes/no, the rep's name, the customer's code; "—" for nothing."""
    if _empty(value):
        return "—"
    if isinstance(value, list):
        return ", ".join(format_value(entity, field, v, names) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(entity, k)}: {format_value(entity, k, v, names)}" for k, v in value.items()
        )
    if field in _REP_FIELDS and isinstance(value, int):
        return names.reps.get(value, f"#{value}")
    if field in _CUSTOMER_FIELDS and isinstance(value, int):
        return names.customers.get(value, f"#{value}")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    model_field = _model_field(entity, field)
    try:
        if isinstance(model_field, EnumField) and issubclass(model_field.enum_class, Choice):
            return model_field.enum_class(value).label
        if isinstance(model_field, DateTimeField) and isinstance(value, str):
            return format_datetime(dt.datetime.fromisoformat(value))
        if isinstance(model_field, DateField) and isinstance(value, str):
            return format_date(dt.date.fromisoformat(value[:10]))
        if isinstance(model_field, DecimalField):
            return format_money(Decimal(str(value)))
    except (ValueError, InvalidOperation):  # a value this version does not know: shown as stored
        return str(value)
    if isinstance(model_field, ForeignKeyField) and isinstance(value, int):
        return f"#{value}"
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):  # a date kept as context
        moment = dt.datetime.fromisoformat(value)
        return format_date(moment) if len(value) == 10 else format_datetime(moment)
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object
    old_known: bool = True  # False: an entry from before schema 8, which kept the new value only


def describe_change(entity: str, change: FieldChange, names: _Names = _NO_NAMES) -> str:
    """ "Field: old → new" ("Field: value" when the old value was not kept)."""
    label = field_label(entity, change.field)
    new = format_value(entity, change.field, change.new, names)
    if not change.old_known:
        return _("{field}: {value}").format(field=label, value=new)
    old = format_value(entity, change.field, change.old, names)
    return _("{field}: {old} → {new}").format(field=label, old=old, new=new)


def _loads(text: str) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:  # written by hand: shown as it is
        return {"details": text}
    return value if isinstance(value, dict) else {"details": value}


def _field_changes(changes: str, details: str) -> tuple[FieldChange, ...]:
    stored = _loads(changes)
    found = [
        FieldChange(name, pair[0], pair[1])
        for name, pair in stored.items()
        if isinstance(pair, list) and len(pair) == 2
    ]
    old = _loads(details)
    if not stored and {"from_stage", "to_stage"} <= old.keys():  # a case's stage before schema 8
        found.append(FieldChange("stage", old.pop("from_stage"), old.pop("to_stage")))
    found += [FieldChange(name, None, value, old_known=False) for name, value in old.items()]
    return tuple(found)


@dataclass(frozen=True)
class AuditFilter:
    """What the log shows: every condition given must hold; `text` is part of the record's label."""

    entity: str | None = None
    text: str = ""
    rep_id: int | None = None
    action: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None  # included


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    rep_name: str  # "" when nobody was named (a command line, the system)
    login: str  # the office server's login that wrote it ("" elsewhere)
    action: str
    entity: str
    entity_id: int
    label: str
    changes: tuple[str, ...]  # "Field: old → new", in the user's language

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def entity_label(self) -> str:
        return entity_label(self.entity)

    @property
    def record(self) -> str:
        """The record as the log names it: its label, or its id when it has none."""
        return self.label or (f"#{self.entity_id}" if self.entity_id else "")


def _where(query, wanted: AuditFilter):
    if wanted.entity:
        aliases = [wanted.entity, *(k for k, v in _ENTITY_ALIASES.items() if v == wanted.entity)]
        query = query.where(AuditEntry.entity.in_(aliases))
    text = wanted.text.strip()
    if text:
        condition = AuditEntry.label.contains(text)
        if text.lstrip("#").isdigit():
            condition |= AuditEntry.entity_id == int(text.lstrip("#"))
        query = query.where(condition)
    if wanted.rep_id is not None:
        query = query.where(AuditEntry.rep == wanted.rep_id)
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.start is not None:
        query = query.where(AuditEntry.at >= dt.datetime.combine(wanted.start, dt.time()))
    if wanted.end is not None:
        query = query.where(AuditEntry.at < dt.datetime.combine(wanted.end + dt.timedelta(days=1), dt.time()))
    return query


def count_entries(wanted: AuditFilter) -> int:
    return _where(AuditEntry.select(), wanted).count()


def _has_login() -> bool:
    from app.models import db

    return "login" in {c.name for c in db.get_columns("audit_entry")}


def list_entries(wanted: AuditFilter, *, offset: int = 0, limit: int = 100) -> list[AuditRow]:
    """The entries matching `wanted`, newest first, `limit` from `offset`."""
    columns = [
        AuditEntry.id,
        AuditEntry.at,
        Rep.name,
        AuditEntry.action,
        AuditEntry.entity,
        AuditEntry.entity_id,
        AuditEntry.label,
        AuditEntry.changes,
        AuditEntry.details,
    ]
    if _has_login():  # the office server's own "who" (app.models.server_rights, R7)
        columns.append(Column(AuditEntry._meta.table, "login"))
    query = (
        AuditEntry.select(*columns)
        .join(Rep, on=(AuditEntry.rep == Rep.id), join_type=JOIN.LEFT_OUTER)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    rows = list(_where(query, wanted).offset(offset).limit(limit).tuples())
    parsed = [(row, _field_changes(row[7], row[8])) for row in rows]
    names = _names_for(entity for row, found in parsed for entity in _pointed(row[4], found))
    return [
        AuditRow(
            id=row[0],
            at=row[1],
            rep_name=row[2] or "",
            login=row[9] if len(row) > 9 and row[9] else "",
            action=row[3],
            entity=row[4],
            entity_id=row[5],
            label=row[6] or "",
            changes=tuple(describe_change(row[4], change, names) for change in found),
        )
        for row, found in parsed
    ]


def _pointed(entity: str, found: Sequence[FieldChange]) -> Iterable[tuple[str, int]]:
    for change in found:
        kind = (
            "rep" if change.field in _REP_FIELDS else "customer" if change.field in _CUSTOMER_FIELDS else None
        )
        if kind:
            for value in (change.old, change.new):
                if isinstance(value, int) and not isinstance(value, bool):
                    yield kind, value


def _names_for(pointed: Iterable[tuple[str, int]]) -> _Names:
    reps: set[int] = set()
    customers: set[int] = set()
    for kind, value in pointed:
        (reps if kind == "rep" else customers).add(value)
    rep_names = dict(Rep.select(Rep.id, Rep.name).where(Rep.id.in_(list(reps))).tuples()) if reps else {}
    codes = (
        dict(Customer.select(Customer.id, Customer.code).where(Customer.id.in_(list(customers))).tuples())
        if customers
        else {}
    )
    return _Names(rep_names, codes)


@dataclass(frozen=True)
class Person:
    id: int
    name: str


def people_in_log() -> list[Person]:
    """The people the log names as authors, by name: the person filter's choices."""
    query = (
        Rep.select(Rep.id, Rep.name)
        .where(Rep.id.in_(AuditEntry.select(AuditEntry.rep).where(AuditEntry.rep.is_null(False))))
        .order_by(Rep.name)
    )
    return [Person(rep_id, name) for rep_id, name in query.tuples()]


def actions_in_log() -> list[str]:
    """The kinds of action the log holds (codes), for the filter."""
    query = AuditEntry.select(AuditEntry.action).distinct().tuples()
    return sorted((action for (action,) in query), key=action_label)


EXPORT_BATCH = 2000


def export_entries(wanted: AuditFilter, path: str | Path, *, force: bool = False) -> tuple[Path, int]:
    """The entries matching `wanted` into an XLSX workbook (newest first, one change a line in its
    cell) through the lists' one export path (`exports.export_list`: app.outputs' refusals and
    temporary file, XlsxWriter streaming the rows as they are read in batches); returns the file
    written and how many entries."""
    from app.services.exports import tables
    from app.services.exports.running import ExportFormat, export_list

    def entries() -> Iterable[AuditRow]:
        done = 0
        while True:
            batch = list_entries(wanted, offset=done, limit=EXPORT_BATCH)
            yield from batch
            done += len(batch)
            if len(batch) < EXPORT_BATCH:
                return

    def build() -> tables.Table:
        columns = (
            tables.datetime(lambda row: row.at, N_("When")),
            tables.text(lambda row: row.rep_name or row.login, N_("Who")),
            tables.text(lambda row: row.action_label, N_("Action")),
            tables.text(lambda row: row.entity_label, N_("Record type")),
            tables.text(lambda row: row.record, N_("Number or code")),
            tables.text(lambda row: "\n".join(row.changes), N_("Changes"), wrap=True),
        )
        return tables.Table(_("Audit log"), columns, entries(), count_entries(wanted))

    result = export_list(build, path, ExportFormat.XLSX, force=force)
    return result.path, result.rows
