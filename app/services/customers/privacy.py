"""Customers' rights over their personal data (issue 18, item 3). No Qt.

- `personal_data` / `export_personal_data`: everything held about one person (the record, sales and
  units, follow-ups, checks with their answers and signature, returns, cases with their words and
  proposals, surveys, the audit entries of their records), as plain data, a JSON file and a PDF
  (app.reports.personal_data, through app.documents-like calls from the views and the command line).
- `erase_personal_data`: the person anonymised everywhere in one write transaction: the record
  (name, tax id, contact details, address, notes, consent, needs), the free text of their records
  (sale and follow-up notes, visit places, the people present at a check, its notes and signature,
  return descriptions, the case's words, requested compensation, proposals' details, history notes,
  survey comments) and the values of those fields kept by the audit log. What is not personal stays:
  every record, its dates, states, kinds, categories, amounts and numbers, so the activity report,
  the statistics and the register of complaints count what they counted. The erasure is logged
  (`customer_erasure`, the customer's uid and when) and audited without the erased data; nothing
  of it stays in the database file or its write-ahead log (app.models.dialect.erasing).
- `reapply_erasures`: after a restore of an older backup, the erasures logged since are made again.
- `customers_due_for_anonymisation`: customers without activity for the company's retention years.

Only a manager exports or erases (Right.PERSONAL_DATA); the office server's rights hold the rest.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path

from peewee import Database, DateTimeField, Field, Model

from app.i18n import _
from app.models import (
    AuditEntry,
    Case,
    CaseProposal,
    CaseStageChange,
    CheckAnswer,
    CheckItem,
    CheckTemplate,
    Customer,
    CustomerErasure,
    CustomerNeedTag,
    FollowUp,
    NeedTag,
    Product,
    Rep,
    ReturnStatusChange,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    SoldUnit,
    UsageCheck,
    WarrantyReturn,
    db,
)
from app.models import now as wall_clock_now
from app.models.collation import sort_key
from app.models.customers import customer_search_text
from app.models.dialect import audit_eraser, erasing
from app.models.sync_schema import CONFLICTS as CONFLICTS_TABLE
from app.models.sync_schema import LAPTOP_OUTBOX, conflict_revision_bump
from app.outputs import write_output
from app.services import audit
from app.services.errors import DomainError, NotFoundError
from app.services.permissions import UNRESTRICTED, Permissions, Right
from app.services.transactions import write_command

# What an erased text reads: the same in every language and on every machine (stored data).
ERASED = "***"

# Per table: the columns that hold the person's data, emptied by an erasure (a text to "", the
# others to NULL). The customer's own record is handled apart (its name reads ERASED).
PERSONAL_COLUMNS: dict[type[Model], tuple[str, ...]] = {
    Sale: ("notes",),
    FollowUp: ("notes", "place", "cancel_reason"),
    UsageCheck: ("present_people", "notes", "signature_png"),
    CheckAnswer: ("note",),
    WarrantyReturn: ("description", "inspection_note"),
    ReturnStatusChange: ("note",),
    Case: ("customer_words", "requested_compensation", "mediation_outcome", "department_response"),
    CaseProposal: ("detail",),
    CaseStageChange: ("note",),
    SatisfactionSurvey: ("comment",),
}
_CUSTOMER_PERSONAL = (
    "name",
    "tax_id",
    "email",
    "phone",
    "mobile",
    "address",
    "postal_code",
    "city",
    "notes",
    "need_tags",
    "contact_consent",
    "consent_date",
)
# The audit's entities of a person's records and the fields of theirs that hold personal data (any
# "note", "notes" or "comment" too, e.g. a transition's note).
_AUDIT_PERSONAL: dict[str, frozenset[str]] = {
    "customer": frozenset(_CUSTOMER_PERSONAL),
    "sale": frozenset({"notes"}),
    "follow_up": frozenset(PERSONAL_COLUMNS[FollowUp]),
    "usage_check": frozenset({"present_people", "notes", "note"}),
    "warranty_return": frozenset(PERSONAL_COLUMNS[WarrantyReturn]),
    "case": frozenset(PERSONAL_COLUMNS[Case]),
    "case_proposal": frozenset(PERSONAL_COLUMNS[CaseProposal]),
    "satisfaction_survey": frozenset({"comment"}),
    "survey": frozenset({"comment"}),
}
_ALWAYS_PERSONAL = frozenset({"note", "notes", "comment"})

# The same by table name, for stored sync conflicts (a column's values, or a whole row's).
_CONFLICT_PERSONAL: dict[str, frozenset[str]] = {
    "customer": frozenset(_CUSTOMER_PERSONAL) | {"search_text", "sort_key"},
    **{model._meta.table_name: frozenset(columns) for model, columns in PERSONAL_COLUMNS.items()},
}

# Columns never shown in an export: each machine's bookkeeping and values derived from others.
_BOOKKEEPING = frozenset(
    {
        "id",
        "uid",
        "revision",
        "row_version",
        "search_text",
        "sort_key",
        "number_key",
        "serial_key",
        "customer",
        "sequence",
    }
)


# --- who may ----------------------------------------------------------------------------------------


def _refuse_unless_allowed(permissions: Permissions) -> None:
    refusal = permissions.refusal(Right.PERSONAL_DATA)
    if refusal is not None:
        raise DomainError(refusal)


def _customer(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFoundError(_("The customer no longer exists."))
    return customer


def find_customer_by_code(code: str) -> int:
    """The id of the customer with `code` (as typed: spaces around it ignored)."""
    customer = Customer.get_or_none(Customer.code == code.strip())
    if customer is None:
        raise NotFoundError(_("There is no customer with the code {code}.").format(code=code.strip()))
    return customer.id


def is_erased(customer_id: int) -> bool:
    """Whether the customer's personal data was erased (the erasure log names them)."""
    customer = _customer(customer_id)
    return CustomerErasure.select().where(CustomerErasure.customer_uid == customer.uid).exists()


# --- export -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalRecord:
    """One record held about the person: its kind (the audit's entity name, for the fields' labels),
    a title that names it (its number, a date: never personal data), its fields as plain values
    (enum codes, ISO dates, decimals as text) and the records under it (a sale's lines, a case's
    proposals and history)."""

    entity: str
    title: str
    fields: tuple[tuple[str, object], ...]
    children: tuple[PersonalRecord, ...] = ()
    signature_png: bytes | None = None

    def as_json(self) -> dict:
        data: dict[str, object] = {"kind": self.entity, "title": self.title, "fields": dict(self.fields)}
        if self.signature_png is not None:
            data["signature_png_base64"] = base64.b64encode(self.signature_png).decode("ascii")
        if self.children:
            data["records"] = [child.as_json() for child in self.children]
        return data


# The sections of an export, in order: key (in the JSON) and the audit entity of its records.
SECTIONS = (
    "customer",
    "sales",
    "units",
    "follow_ups",
    "usage_checks",
    "returns",
    "cases",
    "surveys",
    "audit",
)


@dataclass(frozen=True)
class PersonalData:
    """Everything held about one person, for the JSON file and the PDF."""

    customer_code: str
    customer_name: str
    erased: bool
    exported_at: dt.datetime
    company_name: str
    logo_path: str
    sections: dict[str, tuple[PersonalRecord, ...]] = field(default_factory=dict)

    def count(self) -> int:
        """How many records (sub-records included) the export holds."""

        def size(record: PersonalRecord) -> int:
            return 1 + sum(size(child) for child in record.children)

        return sum(size(record) for records in self.sections.values() for record in records)

    def as_json(self) -> dict:
        return {
            "format": "postventa-personal-data/1",
            "customer_code": self.customer_code,
            "erased": self.erased,
            "exported_at": self.exported_at.isoformat(),
            "company": self.company_name,
            **{key: [record.as_json() for record in self.sections.get(key, ())] for key in SECTIONS},
        }


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


class _Names:
    """Readable names for the references a record holds (a rep's name, a product, a sale's number)."""

    def __init__(self) -> None:
        self.reps = dict(Rep.select(Rep.id, Rep.name).tuples())
        self._products: dict[int, str] = {}
        self._units: dict[int, str] = {}

    def product(self, product_id: int | None) -> str | None:
        if product_id is None:
            return None
        if product_id not in self._products:
            found = Product.get_or_none(Product.id == product_id)
            self._products[product_id] = f"{found.sku} {found.name}" if found else f"#{product_id}"
        return self._products[product_id]

    def unit(self, unit_id: int | None) -> str | None:
        if unit_id is None:
            return None
        if unit_id not in self._units:
            found = SoldUnit.get_or_none(SoldUnit.id == unit_id)
            if found is None:
                self._units[unit_id] = f"#{unit_id}"
            else:
                product = self.product(found.product_id) or ""
                self._units[unit_id] = (
                    f"{product} ({found.serial_number})" if found.serial_number else product
                )
        return self._units[unit_id]


def _number_of(model: type[Model], record_id: int | None) -> str | None:
    if record_id is None:
        return None
    found = model.get_or_none(model.id == record_id)
    return found.number if found is not None else f"#{record_id}"


def _fields(row: dict, names: _Names, *, skip: Iterable[str] = ()) -> tuple[tuple[str, object], ...]:
    """A row's fields as plain values, references named (rep, product, unit, sale, case, return)."""
    skipped = _BOOKKEEPING | set(skip)
    out: list[tuple[str, object]] = []
    for name, value in row.items():
        if name in skipped:
            continue
        if name == "rep":
            value = names.reps.get(value, f"#{value}") if value is not None else None
        elif name == "product":
            value = names.product(value)
        elif name in ("sold_unit", "replacement_unit", "replaces"):
            value = names.unit(value)
        elif name == "sale":
            value = _number_of(Sale, value)
        elif name == "case":
            value = _number_of(Case, value)
        elif name == "warranty_return":
            value = _number_of(WarrantyReturn, value)
        elif name in ("plan_step", "retry_of", "origin_follow_up", "follow_up", "line", "check", "template"):
            continue  # internal links, shown where they lead (a check's checklist by name)
        out.append((name, _plain(value)))
    return tuple(out)


def personal_data(customer_id: int, *, permissions: Permissions = UNRESTRICTED) -> PersonalData:
    """Everything held about the customer (a manager's export; `permissions` are who asks)."""
    from app.services.company import load_company_settings

    _refuse_unless_allowed(permissions)
    customer = _customer(customer_id)
    names = _Names()
    sections: dict[str, tuple[PersonalRecord, ...]] = {}
    row = Customer.select().where(Customer.id == customer_id).dicts().get()
    tags = [
        name
        for (name,) in NeedTag.select(NeedTag.name)
        .join(CustomerNeedTag)
        .where(CustomerNeedTag.customer == customer_id)
        .order_by(NeedTag.name)
        .tuples()
    ]
    sections["customer"] = (
        PersonalRecord("customer", customer.code, (*_fields(row, names), ("need_tags", tags))),
    )

    sales = []
    for sale in Sale.select().where(Sale.customer == customer_id).order_by(Sale.sold_on, Sale.id).dicts():
        lines = tuple(
            PersonalRecord(
                "sale_line", names.product(line["product"]) or "", _fields(line, names, skip=("sale",))
            )
            for line in SaleLine.select().where(SaleLine.sale == sale["id"]).order_by(SaleLine.id).dicts()
        )
        sales.append(PersonalRecord("sale", sale["number"], _fields(sale, names), lines))
    sections["sales"] = tuple(sales)

    sections["units"] = tuple(
        PersonalRecord("sold_unit", names.unit(unit["id"]) or "", _fields(unit, names))
        for unit in SoldUnit.select().where(SoldUnit.customer == customer_id).order_by(SoldUnit.id).dicts()
    )
    sections["follow_ups"] = tuple(
        PersonalRecord("follow_up", _plain(f["scheduled_at"]), _fields(f, names))  # type: ignore[arg-type]
        for f in FollowUp.select()
        .where(FollowUp.customer == customer_id)
        .order_by(FollowUp.scheduled_at, FollowUp.id)
        .dicts()
    )

    checks = []
    for check in (
        UsageCheck.select().where(UsageCheck.customer == customer_id).order_by(UsageCheck.started_at).dicts()
    ):
        template = CheckTemplate.get_or_none(CheckTemplate.id == check["template"])
        answers = tuple(
            PersonalRecord("check_answer", question, _fields(answer, names, skip=("item",)))
            for answer, question in (
                (a, a.pop("question"))
                for a in CheckAnswer.select(CheckAnswer, CheckItem.question)
                .join(CheckItem)
                .where(CheckAnswer.check == check["id"])
                .order_by(CheckItem.position)
                .dicts()
            )
        )
        signature = check.pop("signature_png")
        title = template.name if template is not None else str(_plain(check["started_at"]))
        checks.append(
            PersonalRecord(
                "usage_check",
                title,
                (*_fields(check, names), ("signed", signature is not None)),
                answers,
                bytes(signature) if signature is not None else None,
            )
        )
    sections["usage_checks"] = tuple(checks)

    returns = []
    for found in (
        WarrantyReturn.select()
        .where(WarrantyReturn.customer == customer_id)
        .order_by(WarrantyReturn.reported_on, WarrantyReturn.id)
        .dicts()
    ):
        history = tuple(
            PersonalRecord("return_status_change", str(_plain(step["changed_at"])), _fields(step, names))
            for step in ReturnStatusChange.select()
            .where(ReturnStatusChange.warranty_return == found["id"])
            .order_by(ReturnStatusChange.changed_at, ReturnStatusChange.id)
            .dicts()
        )
        returns.append(PersonalRecord("warranty_return", found["number"], _fields(found, names), history))
    sections["returns"] = tuple(returns)

    cases = []
    for case in Case.select().where(Case.customer == customer_id).order_by(Case.received_on, Case.id).dicts():
        proposals = tuple(
            PersonalRecord("case_proposal", str(_plain(p["proposed_on"])), _fields(p, names))
            for p in CaseProposal.select()
            .where(CaseProposal.case == case["id"])
            .order_by(CaseProposal.round, CaseProposal.id)
            .dicts()
        )
        history = tuple(
            PersonalRecord("case_stage_change", str(_plain(step["changed_at"])), _fields(step, names))
            for step in CaseStageChange.select()
            .where(CaseStageChange.case == case["id"])
            .order_by(CaseStageChange.changed_at, CaseStageChange.id)
            .dicts()
        )
        cases.append(PersonalRecord("case", case["number"], _fields(case, names), proposals + history))
    sections["cases"] = tuple(cases)

    sections["surveys"] = tuple(
        PersonalRecord("survey", str(_plain(s["taken_on"])), _fields(s, names))
        for s in SatisfactionSurvey.select()
        .where(SatisfactionSurvey.customer == customer_id)
        .order_by(SatisfactionSurvey.taken_on, SatisfactionSurvey.id)
        .dicts()
    )

    sections["audit"] = tuple(
        PersonalRecord(
            entry.entity,
            f"{_plain(entry.at)} {entry.action} {entry.label}".strip(),
            (
                ("at", _plain(entry.at)),
                ("action", entry.action),
                ("rep", names.reps.get(entry.rep_id) if entry.rep_id else None),
                *((name, values) for name, values in _loads(entry.changes).items()),
            ),
        )
        for entry in _audit_entries(_records_of(customer_id, db.obj)).order_by(AuditEntry.at, AuditEntry.id)
    )
    settings = load_company_settings()
    return PersonalData(
        customer_code=customer.code,
        customer_name=customer.name,
        erased=is_erased(customer_id),
        exported_at=wall_clock_now(),
        company_name=settings.name,
        logo_path=settings.logo_path,
        sections=sections,
    )


def write_personal_data_json(data: PersonalData, path: str | os.PathLike, *, force: bool = False) -> Path:
    """The export as a JSON file (UTF-8, indented) through app.outputs: ".json" added when missing,
    never over a database, an existing file only with `force`."""
    text = json.dumps(data.as_json(), ensure_ascii=False, indent=2)
    return write_output(
        path, ".json", lambda temporary: temporary.write_text(text, encoding="utf-8"), force=force
    )


# --- the records of a person -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Records:
    customer: int
    sales: list[int]
    follow_ups: list[int]
    checks: list[int]
    returns: list[int]
    cases: list[int]
    proposals: list[int]
    surveys: list[int]

    def by_entity(self) -> dict[str, list[int]]:
        return {
            "customer": [self.customer],
            "sale": self.sales,
            "follow_up": self.follow_ups,
            "usage_check": self.checks,
            "warranty_return": self.returns,
            "case": self.cases,
            "case_proposal": self.proposals,
            "satisfaction_survey": self.surveys,
            "survey": self.surveys,
        }


def _ids(query, database: Database) -> list[int]:
    return [row_id for (row_id,) in query.tuples().execute(database)]


def _records_of(customer_id: int, database: Database) -> _Records:
    """The ids of the person's records in `database` (the models' own, or an office's at a push)."""
    cases = _ids(Case.select(Case.id).where(Case.customer == customer_id), database)
    return _Records(
        customer=customer_id,
        sales=_ids(Sale.select(Sale.id).where(Sale.customer == customer_id), database),
        follow_ups=_ids(FollowUp.select(FollowUp.id).where(FollowUp.customer == customer_id), database),
        checks=_ids(UsageCheck.select(UsageCheck.id).where(UsageCheck.customer == customer_id), database),
        returns=_ids(
            WarrantyReturn.select(WarrantyReturn.id).where(WarrantyReturn.customer == customer_id), database
        ),
        cases=cases,
        proposals=_ids(CaseProposal.select(CaseProposal.id).where(CaseProposal.case.in_(cases)), database)
        if cases
        else [],
        surveys=_ids(
            SatisfactionSurvey.select(SatisfactionSurvey.id).where(
                SatisfactionSurvey.customer == customer_id
            ),
            database,
        ),
    )


def _audit_entries(records: _Records):
    condition = None
    for entity, ids in records.by_entity().items():
        if not ids:
            continue
        for start in range(0, len(ids), 500):
            part = (AuditEntry.entity == entity) & AuditEntry.entity_id.in_(ids[start : start + 500])
            condition = part if condition is None else condition | part
    return AuditEntry.select().where(condition)  # the customer's own entity is always there


def _loads(text: str) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- erasure ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureOutcome:
    customer_code: str
    records: int  # the person's records whose personal data was emptied (the customer's included)
    audit_entries: int  # audit entries whose values of the person's data were erased


def erase_personal_data(
    customer_id: int,
    acting_rep_id: int | None,
    *,
    permissions: Permissions = UNRESTRICTED,
    now: dt.datetime | None = None,
) -> ErasureOutcome:
    """Anonymise the customer everywhere (see the module's docstring), log and audit the erasure;
    one write transaction, then what the file freed is wiped (app.models.dialect.erasing). Refused
    for a rep, and for a customer already erased."""
    _refuse_unless_allowed(permissions)
    with erasing(db.obj):
        return _erase(customer_id, acting_rep_id, now or wall_clock_now())


@write_command
def _erase(customer_id: int, acting_rep_id: int | None, now: dt.datetime) -> ErasureOutcome:
    customer = _customer(customer_id)
    if CustomerErasure.select().where(CustomerErasure.customer_uid == customer.uid).exists():
        raise DomainError(
            _("The personal data of customer {code} was already erased.").format(code=customer.code)
        )
    outcome = _anonymise(customer.id, db.obj, now)
    CustomerErasure.create(customer_uid=customer.uid, erased_at=now, rep=acting_rep_id)
    _audit_erasure(db.obj, outcome, customer.id, acting_rep_id)
    return outcome


def _audit_erasure(
    database: Database, outcome: ErasureOutcome, customer_id: int, rep_id: int | None, **more
) -> None:
    entry = audit.entry(
        "erase",
        "customer",
        customer_id,
        rep_id,
        label=outcome.customer_code,
        context={"records": outcome.records, "audit_entries": outcome.audit_entries, **more},
    )
    AuditEntry.insert(
        {AuditEntry._meta.fields[name]: value for name, value in entry.__data__.items() if name != "id"}
    ).execute(database)


# The customer's columns an erasure empties, with what they become (the name reads ERASED).
_CUSTOMER_ERASED: dict[str, object] = {
    "name": ERASED,
    "tax_id": None,
    "email": "",
    "phone": "",
    "mobile": "",
    "address": "",
    "postal_code": "",
    "city": "",
    "notes": "",
    "contact_consent": False,
    "consent_date": None,
    "archived": True,
}


def _anonymise(customer_id: int, database: Database, now: dt.datetime | None = None) -> ErasureOutcome:
    """Empty the person's data in every record of theirs, in the audit and in stored sync conflicts
    of `database` (the models' own, or an office's while a laptop's erasure is applied there);
    idempotent: rows that hold nothing any more are left alone."""
    code = Customer.select(Customer.code).where(Customer.id == customer_id).scalar(database)
    records = _records_of(customer_id, database)
    fields = Customer._meta.fields
    holding = None
    for name, value in _CUSTOMER_ERASED.items():
        clause = fields[name].is_null(False) if value is None else (fields[name] != value)
        holding = clause if holding is None else holding | clause
    values: dict = {fields[name]: value for name, value in _CUSTOMER_ERASED.items()}
    values[Customer.search_text] = customer_search_text(code, ERASED, None, "", "", "", "")
    values[Customer.sort_key] = sort_key(ERASED)  # the name's collation key spells the name
    values[Customer.updated_at] = now or wall_clock_now()
    values[Customer.row_version] = Customer.row_version + 1
    touched = Customer.update(values).where((Customer.id == customer_id) & holding).execute(database)
    CustomerNeedTag.delete().where(CustomerNeedTag.customer == customer_id).execute(database)
    for model, (column, ids) in _personal_rows(records).items():
        if not ids:
            continue
        personal = [model._meta.fields[name] for name in PERSONAL_COLUMNS[model]]
        emptied: dict = {f: (None if f.null else "") for f in personal}
        if "row_version" in model._meta.fields:
            emptied[model._meta.fields["row_version"]] = model._meta.fields["row_version"] + 1
        still = None
        for f in personal:  # only rows that still hold something: nothing else counts as an edit
            clause = f.is_null(False) if f.null else (f != "")
            still = clause if still is None else still | clause
        for start in range(0, len(ids), 500):
            touched += (
                model.update(emptied).where(column.in_(ids[start : start + 500]) & still).execute(database)
            )
    _erase_conflicts(database, customer_id, records)
    audit_entries = _erase_audit(records, database)
    _erase_outbox(database, customer_id, records)  # after the audit's rewrite: it is captured too
    return ErasureOutcome(code, touched, audit_entries)


def _erase_outbox(database: Database, customer_id: int, records: _Records) -> None:
    """A laptop's changes waiting to be pushed keep none of the person's data: those made before the
    erasure, and the erasure's own (captured with the values it replaced). In each change of the
    person's rows (a row of theirs, or one whose `customer_id` is theirs: a deleted one), every
    personal column reads before and after what the erasure left, so the push changes nothing of it
    and the erasure log's row anonymises the office's copy. Elsewhere (the office, a standalone
    file): nothing."""
    if LAPTOP_OUTBOX not in database.get_tables():
        return
    erased: dict[str, dict[str, object]] = {
        model._meta.table_name: {name: (None if model._meta.fields[name].null else "") for name in columns}
        for model, columns in PERSONAL_COLUMNS.items()
    }
    names = [name for name in _CONFLICT_PERSONAL["customer"] if name in Customer._meta.fields]
    param = database.param
    row = database.execute_sql(
        f"SELECT uid, {', '.join(names)} FROM customer WHERE id = {param}", (customer_id,)
    ).fetchone()
    customer_uid, *now_held = row
    erased["customer"] = dict(zip(names, now_held, strict=True))
    uids = {customer_uid, *_uids_of(database, _personal_rows(records))}
    # The audit entries of the person's records as _erase_audit left them (they sync too).
    held_now: dict[str, dict[str, object]] = {
        uid: {"changes": changes, "details": details}
        for uid, changes, details in _audit_entries(records)
        .select(AuditEntry.uid, AuditEntry.changes, AuditEntry.details)
        .tuples()
        .execute(database)
    }
    erased[AuditEntry._meta.table_name] = {}
    uids.update(held_now)
    marks = ", ".join([param] * len(erased))
    entries = database.execute_sql(
        f"SELECT seq, table_name, row_uid, old_values, new_values FROM {LAPTOP_OUTBOX} WHERE table_name IN ({marks})",
        list(erased),
    ).fetchall()
    for seq, table, row_uid, *values in entries:
        rows = [_loads(value) if value else None for value in values]
        if row_uid not in uids and not any(r and r.get("customer_id") == customer_uid for r in rows):
            continue
        left = held_now.get(row_uid, erased[table])  # what the erasure left of the row
        scrubbed = [None if r is None else {k: left.get(k, v) for k, v in r.items()} for r in rows]
        if scrubbed != rows:
            database.execute_sql(
                f"UPDATE {LAPTOP_OUTBOX} SET old_values = {param}, new_values = {param} WHERE seq = {param}",
                (*(None if r is None else json.dumps(r, ensure_ascii=False) for r in scrubbed), seq),
            )


def _personal_rows(records: _Records) -> dict[type[Model], tuple[Field, list[int]]]:
    """The person's rows in each table of PERSONAL_COLUMNS: a column and the ids it holds (the rows'
    own ids, or their parent's: a check's answers, a return's or a case's history)."""
    return {
        Sale: (Sale.id, records.sales),
        FollowUp: (FollowUp.id, records.follow_ups),
        UsageCheck: (UsageCheck.id, records.checks),
        CheckAnswer: (CheckAnswer.check, records.checks),
        WarrantyReturn: (WarrantyReturn.id, records.returns),
        ReturnStatusChange: (ReturnStatusChange.warranty_return, records.returns),
        Case: (Case.id, records.cases),
        CaseProposal: (CaseProposal.case, records.cases),
        CaseStageChange: (CaseStageChange.case, records.cases),
        SatisfactionSurvey: (SatisfactionSurvey.id, records.surveys),
    }


def _uids_of(database: Database, rows: dict[type[Model], tuple[Field, list[int]]]) -> dict[str, str]:
    """The uid of each row of `rows` (per model, a column and the ids it holds), with its table's name."""
    uids: dict[str, str] = {}
    for model, (column, ids) in rows.items():
        for start in range(0, len(ids), 500):
            query = model.select(model.uid).where(column.in_(ids[start : start + 500]))
            uids.update({uid: model._meta.table_name for (uid,) in query.tuples().execute(database)})
    return uids


def _erase_conflicts(database: Database, customer_id: int, records: _Records) -> None:
    """Stored sync conflicts about the person's rows (an office's, a laptop's copy of them) keep no
    value of their data: a column's values, or a whole row's, become ERASED where personal."""
    if CONFLICTS_TABLE not in database.get_tables():
        return
    uids = _uids_of(
        database,
        {
            Customer: (Customer.id, [customer_id]),
            Sale: (Sale.id, records.sales),
            FollowUp: (FollowUp.id, records.follow_ups),
            UsageCheck: (UsageCheck.id, records.checks),
            WarrantyReturn: (WarrantyReturn.id, records.returns),
            Case: (Case.id, records.cases),
            CaseProposal: (CaseProposal.id, records.proposals),
            SatisfactionSurvey: (SatisfactionSurvey.id, records.surveys),
        },
    )
    if not uids:
        return
    param = database.param
    marks = ", ".join([param] * len(uids))
    rows = database.execute_sql(
        f"SELECT id, table_name, column_name, base_value, laptop_value, office_value FROM {CONFLICTS_TABLE} "
        f"WHERE row_uid IN ({marks})",
        list(uids),
    ).fetchall()
    bump = conflict_revision_bump(database)
    for conflict_id, table, column, *values in rows:
        personal = _CONFLICT_PERSONAL.get(table, frozenset())
        erased = [_erased_conflict_value(value, column, personal) for value in values]
        if erased != list(values):
            database.execute_sql(
                f"UPDATE {CONFLICTS_TABLE} SET base_value = {param}, laptop_value = {param}, "
                f"office_value = {param}{bump} WHERE id = {param}",
                (*erased, conflict_id),
            )


def _erased_conflict_value(value: str | None, column: str | None, personal: frozenset[str]) -> str | None:
    """A conflict's stored value (JSON text: a column's value, or a whole row's) with the person's data
    replaced by ERASED."""
    if value is None:
        return None
    if column is not None:
        return json.dumps(ERASED) if column in personal and value not in ('""', "null") else value
    return _scrubbed(value, personal)


def _erased(value: object) -> object:
    if value is None or value == "" or isinstance(value, bool):
        return value
    if isinstance(value, list) and value and all(isinstance(v, bool) or v is None for v in value):
        return value  # [old, new] of a yes/no field (whether signed)
    return ERASED if not isinstance(value, list) else [_erased(v) for v in value]


def _scrubbed(text: str, personal: frozenset[str]) -> str:
    values = _loads(text)
    if not values:
        return text
    changed = False
    for name, value in values.items():
        if name in personal or name in _ALWAYS_PERSONAL:
            erased = _erased(value)
            if erased != value:
                values[name] = erased
                changed = True
    return json.dumps(values, ensure_ascii=False) if changed else text


def _erase_audit(records: _Records, database: Database) -> int:
    """The person's data in the audit entries of their records, replaced by ERASED; how many changed."""
    changed = 0
    rewrite = audit_eraser(database)  # on an office server, its one exception to an insert-only log
    entries = list(
        _audit_entries(records)
        .select(AuditEntry.id, AuditEntry.entity, AuditEntry.changes, AuditEntry.details)
        .tuples()
        .execute(database)
    )
    for entry_id, entity, changes, details in entries:
        personal = _AUDIT_PERSONAL.get(entity, frozenset())
        new_changes, new_details = _scrubbed(changes, personal), _scrubbed(details, personal)
        if (new_changes, new_details) != (changes, details):
            rewrite(entry_id, new_changes, new_details)
            changed += 1
    return changed


# --- after a restore ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedErasure:
    """A row of the erasure log, as another copy of the database holds it."""

    uid: str
    customer_uid: str
    erased_at: dt.datetime
    rep_uid: str | None


def reapply_erasures(erasures: Sequence[LoggedErasure]) -> int:
    """Erase again, in the open database, each customer of `erasures` it does not log as erased yet
    (a backup older than the erasure was restored); logged with the erasure's own uid and time.
    Returns how many customers were erased again; nothing of theirs stays in the file."""
    if not erasures:
        return 0
    with erasing(db.obj):
        return _reapply(list(erasures))


@write_command
def _reapply(erasures: list[LoggedErasure]) -> int:
    done = 0
    logged = {uid for (uid,) in CustomerErasure.select(CustomerErasure.customer_uid).tuples()}
    for erasure in erasures:
        if erasure.customer_uid in logged:
            continue
        rep = Rep.get_or_none(Rep.uid == erasure.rep_uid) if erasure.rep_uid else None
        customer = Customer.get_or_none(Customer.uid == erasure.customer_uid)
        if customer is not None:
            outcome = _anonymise(customer.id, db.obj)
            _audit_erasure(db.obj, outcome, customer.id, rep.id if rep is not None else None, again=True)
            done += 1
        CustomerErasure.create(
            uid=erasure.uid,
            customer_uid=erasure.customer_uid,
            erased_at=erasure.erased_at,
            rep=rep.id if rep is not None else None,
        )
    return done


# --- retention ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRow:
    """A customer due for anonymisation: no activity since `last_activity`."""

    id: int
    code: str
    name: str
    rep_name: str | None
    last_activity: dt.date


def _last_activity_sources():
    """(model, customer column, date or time column) of everything that counts as activity."""
    return (
        (Sale, Sale.customer, Sale.sold_on),
        (Sale, Sale.customer, Sale.delivered_on),
        (FollowUp, FollowUp.customer, FollowUp.scheduled_at),
        (FollowUp, FollowUp.customer, FollowUp.completed_at),
        (UsageCheck, UsageCheck.customer, UsageCheck.started_at),
        (WarrantyReturn, WarrantyReturn.customer, WarrantyReturn.reported_on),
        (WarrantyReturn, WarrantyReturn.customer, WarrantyReturn.closed_on),
        (Case, Case.customer, Case.received_on),
        (Case, Case.customer, Case.closed_on),
        (SatisfactionSurvey, SatisfactionSurvey.customer, SatisfactionSurvey.taken_on),
    )


def retention_cutoff(today: dt.date, years: int) -> dt.date:
    """The day `years` years before `today` (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def customers_due_for_anonymisation(
    today: dt.date, years: int | None = None, *, limit: int = 1000
) -> list[RetentionRow]:
    """Customers with no activity (a sale, a delivery, a follow-up planned or done, a check, a return,
    a case, a survey; their record's creation when nothing else) for `years` (default: the company's
    retention setting) and not erased yet, the longest silent first; at most `limit`."""
    from peewee import JOIN, fn

    from app.services.company import load_company_settings

    years = years if years is not None else load_company_settings().retention_years
    cutoff = retention_cutoff(today, years)
    moment = dt.datetime.combine(cutoff, dt.time())
    condition = (Customer.created_at < moment) & Customer.uid.not_in(
        CustomerErasure.select(CustomerErasure.customer_uid)
    )
    for model, customer_column, when in _last_activity_sources():
        bound = moment if isinstance(when, DateTimeField) else cutoff
        condition &= ~fn.EXISTS(
            model.select(model.id).where((customer_column == Customer.id) & (when >= bound))
        )
    found = list(
        Customer.select(
            Customer.id, Customer.code, Customer.name, Customer.created_at, Rep.name.alias("rep_name")
        )
        .join(Rep, JOIN.LEFT_OUTER, on=(Customer.rep == Rep.id))
        .where(condition)
        .dicts()
    )
    if not found:
        return []
    last: dict[int, dt.date] = {row["id"]: _day(row["created_at"]) for row in found}
    ids = list(last)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for _model, customer_column, when in _last_activity_sources():
            for customer_id, latest in (
                customer_column.model.select(customer_column, fn.MAX(when))
                .where(customer_column.in_(part) & when.is_null(False))
                .group_by(customer_column)
                .tuples()
            ):
                day = _day(latest)
                if day is not None and day > last[customer_id]:
                    last[customer_id] = day
    rows = [
        RetentionRow(row["id"], row["code"], row["name"], row["rep_name"], last[row["id"]]) for row in found
    ]
    rows.sort(key=lambda row: (row.last_activity, row.code))
    return rows[:limit]


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):  # SQLite's MAX over a text column
        return dt.date.fromisoformat(value[:10])
    raise TypeError(value)


@write_command
def set_retention_years(
    years: int, acting_rep_id: int | None, *, permissions: Permissions = UNRESTRICTED
) -> None:
    """Change the company's retention setting (a manager's)."""
    from app.services.company import load_company_settings, save_company_settings

    refusal = permissions.refusal(Right.COMPANY_SETTINGS)
    if refusal is not None:
        raise DomainError(refusal)
    settings = load_company_settings()
    settings.retention_years = years
    save_company_settings(settings, acting_rep_id)


# --- an erasure made on another machine ---------------------------------------------------------------


def apply_erasure_from_sync(customer_uid: str, database: Database | None = None) -> bool:
    """An erasure made on another machine reached `database` (default: the models'): a laptop's pull
    brought the erasure log's row, or the office took it from a laptop's push. Its copy of the person
    is anonymised too: the record and its records' texts (which usually arrive as changes of their
    own, unless a change on this side made them a conflict), this machine's audit log (which never
    travels) and its stored conflicts; audited here as an erasure that came by the sync. Runs inside
    the sync's transaction (a laptop's capture off: nothing goes back). False when this copy holds
    no such customer (outside a laptop's scope)."""
    target = database or db.obj
    customer_id = Customer.select(Customer.id).where(Customer.uid == customer_uid).scalar(target)
    if customer_id is None:
        return False
    outcome = _anonymise(customer_id, target)
    _audit_erasure(target, outcome, customer_id, None, synced=True)
    return True
