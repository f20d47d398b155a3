"""What the sync's records and values read like to a person: a label for every synced table and
column, a stored value as the user reads it, a record by its name, and a conflict as the Conflicts
page shows it. No Qt.

Labels never show a column name: every column of every synced table has one here (the wording of
the forms where a form has the field, so the translations match), and tests/sync/test_labels.py
fails when a column is added without one. Values arrive as the sync keeps them (JSON of what either
engine stores: dates as ISO text, booleans as 0/1 or true/false, foreign keys as the uid of the row
they point to) or as Python values; both read the same.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from app.i18n import (
    N_,
    _,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    format_time,
    ngettext,
)
from app.models import Customer, db
from app.models.enums import CaseSeries
from app.models.sync_schema import BY_NAME, SyncedTable
from app.sync.conflicts import Choice, ConflictKind, ConflictRow, allowed_choices

NOTHING = "—"  # no value (None or empty text)

# --- tables and columns ----------------------------------------------------------------------------

TABLE_LABELS: dict[str, str] = {
    "company_setting": N_("Company settings"),
    "rep": N_("Rep"),
    "customer": N_("Customer"),
    "need_tag": N_("Need"),
    "customer_need_tag": N_("Customer need"),
    "product_category": N_("Product category"),
    "product": N_("Product"),
    "sale": N_("Sale"),
    "sale_line": N_("Sale line"),
    "sold_unit": N_("Unit"),
    "case": N_("Case"),
    "case_proposal": N_("Proposal"),
    "case_stage_change": N_("Case stage change"),
    "warranty_return": N_("Warranty return"),
    "return_status_change": N_("Return state change"),
    "follow_up_plan": N_("Follow-up plan"),
    "follow_up_plan_step": N_("Plan step"),
    "follow_up": N_("Follow-up"),
    "check_template": N_("Checklist"),
    "check_item": N_("Checklist item"),
    "usage_check": N_("Usage check"),
    "check_answer": N_("Checklist answer"),
    "satisfaction_survey": N_("Satisfaction survey"),
    "service_charter": N_("Service charter"),
    "charter_commitment": N_("Commitment"),
    "customer_erasure": N_("Erasure of a customer's personal data"),
    "audit_entry": N_("Audit log entry"),
}

# Columns with the same meaning wherever they appear; a table's own entry below wins.
_COMMON_COLUMNS: dict[str, str] = {
    "uid": N_("Record identifier"),
    "created_at": N_("Created"),
    "updated_at": N_("Last changed"),
    "name": N_("Name"),
    "code": N_("Code"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "active": N_("Active"),
    "notes": N_("Notes"),
    "note": N_("Note"),
    "position": N_("Position"),
    "version": N_("Version"),
    "year": N_("Year"),
    "sequence": N_("Number in the year"),
    "provisional_number": N_("Provisional number"),
    "rep_id": N_("Rep"),
    "customer_id": N_("Customer"),
    "product_id": N_("Product"),
    "category_id": N_("Product category"),
    "sold_unit_id": N_("Unit"),
    "case_id": N_("Case"),
    "warranty_return_id": N_("Warranty return"),
    "follow_up_id": N_("Follow-up"),
    "sale_id": N_("Sale"),
    "quantity": N_("Quantity"),
    "kind": N_("Kind"),
    "purpose": N_("Purpose"),
    "duration_minutes": N_("Duration"),
    "segment": N_("Customer segment"),
    "channel": N_("Channel"),
    "state": N_("State"),
    "status": N_("Status"),
    "changed_at": N_("When"),
    "closed_on": N_("Closed on"),
}

COLUMN_LABELS: dict[str, dict[str, str]] = {
    "company_setting": {"key": N_("Setting"), "value": N_("Value")},
    "rep": {
        "role": N_("Role"),
        "working_hours_start": N_("Working hours from"),
        "working_hours_end": N_("Working hours until"),
    },
    "customer": {
        "kind": N_("Type"),
        "tax_id": N_("Tax ID"),
        "mobile": N_("Mobile"),
        "address": N_("Street"),
        "postal_code": N_("Postal code"),
        "city": N_("City"),
        "province": N_("Province"),
        "country": N_("Country"),
        "preferred_channel": N_("Preferred channel"),
        "language": N_("Language"),
        "contact_consent": N_("Contact consent"),
        "consent_date": N_("Consent date"),
        "segment_computed_on": N_("Segment computed on"),
        "archived": N_("Archived"),
        "search_text": N_("Search words"),
        "sort_key": N_("Sort key"),
    },
    "need_tag": {"key": N_("Search key")},
    "customer_need_tag": {"tag_id": N_("Need")},
    "product_category": {"replacement_months": N_("Replacement cycle (months)")},
    "product": {
        "sku": N_("SKU"),
        "warranty_months": N_("Warranty"),
        "price": N_("Price"),
        "serialised": N_("Serial numbers"),
        "active": N_("Offered in new sales"),
    },
    "sale": {
        "number": N_("Sale number"),
        "number_key": N_("Search key"),
        "sold_on": N_("Sale date"),
        "delivered_on": N_("Delivered on"),
    },
    "sale_line": {"unit_price": N_("Unit price")},
    "sold_unit": {
        "line_id": N_("Sale line"),
        "serial_number": N_("Serial number"),
        "serial_key": N_("Search key"),
        "warranty_extension_months": N_("Warranty extension"),
        "warranty_ends_on": N_("Warranty ends"),
        "replaces_id": N_("Replaces"),
    },
    "case": {
        "number": N_("Case number"),
        "series": N_("Numbering series"),
        "kind": N_("Type"),
        "stage": N_("Stage"),
        "received_on": N_("Received on"),
        "customer_words": N_("Customer's words"),
        "requested_compensation": N_("Compensation asked"),
        "sold_unit_id": N_("Product"),
        "category": N_("Category"),
        "severity": N_("Severity"),
        "agreed_channel": N_("Agreed channel"),
        "first_answer_on": N_("First answer"),
        "mediation_body": N_("Mediating body"),
        "mediation_reference": N_("Reference"),
        "mediation_on": N_("Referred to mediation on"),
        "mediation_outcome": N_("Outcome of the mediation"),
        "department": N_("Department"),
        "department_response": N_("The department's response"),
        "origin_follow_up_id": N_("Came up during"),
    },
    "case_proposal": {
        "round": N_("Round"),
        "proposed_on": N_("Proposed on"),
        "solution_type": N_("Solution"),
        "detail": N_("Detail"),
        "amount": N_("Amount"),
        "channel": N_("Agreed channel"),
        "answer": N_("Answer"),
        "answered_on": N_("Answered on"),
    },
    "case_stage_change": {"from_stage": N_("From stage"), "to_stage": N_("To stage")},
    "warranty_return": {
        "number": N_("Return number"),
        "reason": N_("Reason"),
        "description": N_("Description"),
        "reported_on": N_("Requested on"),
        "under_warranty": N_("Under warranty"),
        "warranty_days": N_("Days of warranty left or past"),
        "out_of_warranty_reason": N_("Accepted as"),
        "inspection_note": N_("Inspection"),
        "replacement_unit_id": N_("Replacement unit"),
        "refund_amount": N_("Amount refunded or credited"),
        "cost_parts": N_("Parts"),
        "cost_labour": N_("Labour"),
        "cost_shipping": N_("Shipping"),
        "resolved_on": N_("Resolved on"),
    },
    "return_status_change": {"from_state": N_("From state"), "to_state": N_("To state")},
    "follow_up_plan": {},
    "follow_up_plan_step": {
        "plan_id": N_("Plan"),
        "offset_days": N_("Days"),
        "anchor": N_("Counted from"),
    },
    "follow_up": {
        "scheduled_at": N_("Planned for"),
        "place": N_("Place"),
        "outcome": N_("Outcome"),
        "attempt": N_("Attempt"),
        "completed_at": N_("Done on"),
        "cancel_reason": N_("Reason for cancelling"),
        "plan_step_id": N_("Plan step"),
        "retry_of_id": N_("Retry of"),
    },
    "check_template": {"family": N_("Checklist family")},
    "check_item": {
        "template_id": N_("Checklist"),
        "question": N_("Question"),
        "guidance": N_("Guidance for the rep"),
        "critical": N_("Critical"),
    },
    "usage_check": {
        "template_id": N_("Checklist"),
        "started_at": N_("Started"),
        "completed_at": N_("Completed"),
        "present_people": N_("Present"),
        "signature_png": N_("Signature"),
        "score": N_("Score"),
        "passed": N_("Passed"),
    },
    "check_answer": {
        "check_id": N_("Usage check"),
        "item_id": N_("Item"),
        "result": N_("Result"),
        "trained_on_site": N_("Trained on site"),
    },
    "satisfaction_survey": {
        "taken_on": N_("Date"),
        "satisfaction": N_("Satisfaction (1–5)"),
        "recommend": N_("Recommend (0–10)"),
        "comment": N_("Comment"),
        "cause": N_("Main cause of dissatisfaction"),
    },
    "service_charter": {
        "type": N_("Type"),
        "title": N_("Title"),
        "valid_from": N_("Valid from"),
        "valid_to": N_("Valid to"),
        "strategy": N_("Strategy"),
        "systems": N_("Systems"),
        "personnel": N_("Personnel"),
        "channels": N_("Contact channels"),
        "procedure": N_("Procedure"),
        "principles": N_("Principles"),
    },
    "charter_commitment": {
        "charter_id": N_("Service charter"),
        "text": N_("Commitment"),
        "indicator": N_("Indicator"),
        "days": N_("Days (N)"),
        "target": N_("Target"),
        "period": N_("Period"),
        "case_categories": N_("Complaint and claim categories"),
        "product_categories": N_("Product categories"),
        "channel": N_("Channel the case came in by"),
    },
    "customer_erasure": {
        "customer_uid": N_("Customer"),
        "erased_at": N_("Erased at"),
    },
    "audit_entry": {
        "at": N_("When"),
        "action": N_("Action"),
        "entity": N_("Kind of record"),
        "entity_id": N_("Record concerned"),
        "entity_uid": N_("Record identifier"),
        "label": N_("Number or code"),
        "changes": N_("Changes"),
        "details": N_("Details"),
    },
}

# Bookkeeping a person never typed (identities, derived search keys, the parts of a number): left out
# where a whole record's values are listed; a conflict on one of them is still shown, by its label.
HIDDEN_COLUMNS = frozenset(
    {
        "uid",
        "created_at",
        "updated_at",
        "search_text",
        "sort_key",
        "number_key",
        "serial_key",
        "series",
        "year",
        "sequence",
    }
)
_HIDDEN_IN_TABLE = {("need_tag", "key")}


def table_label(table: str) -> str:
    """A synced table as a person names it ("Customer"); never the table's name."""
    label = TABLE_LABELS.get(table)
    return _(label) if label else _("A record")


def column_label(table: str, column: str) -> str:
    """A column as the forms name it ("Phone"); never the column's name."""
    label = COLUMN_LABELS.get(table, {}).get(column) or _COMMON_COLUMNS.get(column)
    return _(label) if label else _("Another detail")


def has_label(table: str, column: str) -> bool:
    return bool(COLUMN_LABELS.get(table, {}).get(column) or _COMMON_COLUMNS.get(column))


def shown_columns(table: str, columns) -> list[str]:
    """`columns` of `table` a person would recognise, in the table's order (bookkeeping left out)."""
    synced = BY_NAME.get(table)
    order = list(synced.columns) if synced is not None else []
    wanted = [c for c in columns if c not in HIDDEN_COLUMNS and (table, c) not in _HIDDEN_IN_TABLE]
    return sorted(wanted, key=lambda c: order.index(c) if c in order else len(order))


# --- values -----------------------------------------------------------------------------------------

_MONEY = {
    ("product", "price"),
    ("sale_line", "unit_price"),
    ("case_proposal", "amount"),
    ("warranty_return", "refund_amount"),
    ("warranty_return", "cost_parts"),
    ("warranty_return", "cost_labour"),
    ("warranty_return", "cost_shipping"),
}
# The suffixes the forms put after these numbers (the same msgids, leading space included).
_UNITS = {
    "warranty_months": N_(" months"),
    "warranty_extension_months": N_(" months"),
    "duration_minutes": N_(" min"),
    "offset_days": N_(" days"),
    "warranty_days": N_(" days"),
    "days": N_(" days"),
}
_LANGUAGES = {"es": N_("Spanish"), "en": N_("English")}
_SERIES = {
    CaseSeries.COMPLAINT: N_("Complaints and claims"),
    CaseSeries.SUGGESTION: N_("Suggestion"),
    CaseSeries.COMPLIMENT: N_("Compliment"),
}
# Company settings by key: the Preferences form's own labels (their msgids end with a colon, which
# is dropped), so a setting reads here as it does there.
_SETTINGS = {
    "name": N_("Company name:"),
    "tax_id": N_("Tax ID:"),
    "address": N_("Address:"),
    "logo_path": N_("Logo (PNG or JPEG):"),
    "holiday_country": N_("Public holidays of:"),
    "holiday_subdivision": N_("Region:"),
    "follow_up_max_attempts": N_("Attempts to reach a customer:"),
    "check_training_days": N_("Training after a failed check:"),
    "abc_window_months": N_("ABC window:"),
    "abc_a_threshold": N_("Segment A up to:"),
    "abc_b_threshold": N_("Segment B up to:"),
    "expected_remaining_years": N_("Expected remaining years:"),
    "risk_low_satisfaction_max": N_("Low satisfaction up to:"),
    "risk_default_interval_days": N_("Usual interval after one purchase:"),
    "complaint_prefix": N_("Complaints and claims:"),
    "suggestion_prefix": N_("Suggestions:"),
    "compliment_prefix": N_("Compliments:"),
}


class ValueKind(enum.StrEnum):
    """Which editor types a value of a column (the Conflicts page's "Type a value…")."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    CHOICE = "choice"


def _field(table: str, column: str) -> Field | None:
    synced = BY_NAME.get(table)
    return synced.fields.get(column) if synced is not None else None


def value_kind(table: str, column: str) -> ValueKind | None:
    """The editor a typed value of this column needs; None when a value cannot be typed (a reference
    to another record, a signature, derived bookkeeping)."""
    field = _field(table, column)
    if field is None or isinstance(field, (ForeignKeyField, BlobField)) or column in HIDDEN_COLUMNS:
        return None
    if getattr(field, "enum_class", None) is not None:  # a ChoiceField (playhouse's EnumField)
        return ValueKind.CHOICE
    if isinstance(field, BooleanField):
        return ValueKind.BOOLEAN
    if isinstance(field, DateTimeField):
        return ValueKind.DATETIME
    if isinstance(field, DateField):
        return ValueKind.DATE
    if isinstance(field, DecimalField):
        return ValueKind.MONEY if (table, column) in _MONEY else ValueKind.DECIMAL
    if isinstance(field, IntegerField):
        return ValueKind.INTEGER
    if isinstance(field, FloatField):
        return None  # a computed score
    if isinstance(field, TextField):
        return ValueKind.LONG_TEXT
    if isinstance(field, CharField):
        return ValueKind.TEXT
    return None


def python_value(table: str, column: str, value: Any) -> Any:
    """A kept value (JSON of either engine's storage, or already Python) as Python: dates, Decimals,
    enum members, booleans; a foreign key stays the uid it travels as; anything unreadable as it is."""
    field = _field(table, column)
    if value is None or field is None or isinstance(field, ForeignKeyField):
        return value
    try:
        if isinstance(field, DateTimeField) and isinstance(value, str):
            parsed = dt.datetime.fromisoformat(value)
        else:
            parsed = field.python_value(value)
    except (ValueError, TypeError, InvalidOperation):
        return value
    if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
        parsed = parsed.astimezone().replace(tzinfo=None)  # shown in local time
    return parsed


def describe_value(table: str, column: str, value: Any) -> str:
    """A stored value the way the user reads it: dates in the user's format, Yes/No, a choice's
    label, money, "—" for nothing, a reference as the record it points to (when it is here)."""
    if table == "charter_commitment" and column in _SCOPE_COLUMNS:
        return _scope_shown(column, value)
    if value is None or value == "":
        return NOTHING
    field = _field(table, column)
    if isinstance(field, ForeignKeyField):
        return describe_record(BY_NAME[table].foreign_keys[column], str(value))
    value = python_value(table, column, value)
    try:
        return _shown(table, column, field, value)
    except (ValueError, TypeError, InvalidOperation, ArithmeticError):
        return str(value)


_SCOPE_COLUMNS = ("case_categories", "product_categories", "channel")


def _scope_shown(column: str, value: Any) -> str:
    """A part of a commitment's scope in words, as the charter editor shows it ("Billing · Phone");
    empty means everything."""
    from app.services.charters import product_category_choices
    from app.services.charters.indicators import Scope, scope_text

    parts: dict[str, Any] = {"case_categories": "", "product_categories": "", "channel": None}
    parts[column] = value or parts[column]
    try:
        scope = Scope.of(SimpleNamespace(**parts))
    except ValueError:  # a channel a newer version knows
        return str(value)
    names = dict(product_category_choices()) if db.obj is not None else {}
    return scope_text(scope, names) or _("Everything")


def _shown(table: str, column: str, field: Field | None, value: Any) -> str:
    if isinstance(field, BlobField):
        return _("Signature image")
    if isinstance(value, bool) or isinstance(field, BooleanField):
        return _("Yes") if value else _("No")
    if table == "case" and column == "series":
        return _(_SERIES[CaseSeries(value)])
    if isinstance(value, enum.Enum) and hasattr(value, "label"):
        return value.label
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dt.time):
        return format_time(value)
    if table == "customer" and column == "language" and value in _LANGUAGES:
        return _(_LANGUAGES[value])
    if table == "usage_check" and column == "score":
        return format_percent(float(value))
    if table == "satisfaction_survey" and column == "satisfaction":
        return _("{score} of 5").format(score=value)
    if (table, column) in _MONEY:
        return format_money(Decimal(str(value)))
    if isinstance(value, (Decimal, float)):
        return format_number(value)
    if isinstance(value, int) and column in _UNITS:
        return str(value) + _(_UNITS[column])
    return str(value)


def short(text: str, limit: int = 80) -> str:
    """One line of at most `limit` characters (long notes in a list or a question)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# --- records ----------------------------------------------------------------------------------------

_REFERENCE_DEPTH = 2  # a record named by the records it points to, which are named by theirs, …


def _fetch(table: SyncedTable, uid: str) -> dict[str, Any] | None:
    """The row with this uid on the open database, its references as the uids they point to."""
    database = db.obj
    if database is None:
        return None
    selected = [
        f'(SELECT uid FROM "{target}" WHERE id = r."{column}")'
        if (target := table.foreign_keys.get(column))
        else f'r."{column}"'
        for column in table.columns
    ]
    row = database.execute_sql(
        f'SELECT {", ".join(selected)} FROM "{table.name}" r WHERE r.uid = {database.param}', (uid,)
    ).fetchone()
    if row is None:
        return None
    return dict(zip(table.columns, row, strict=True))


class _Record:
    """A record's values for its description (`get` as Python, `ref`/`ref_value` through references)."""

    def __init__(self, table: str, values: Mapping[str, Any], depth: int):
        self.table, self._values, self._depth = table, values, depth

    def get(self, column: str) -> Any:
        return python_value(self.table, column, self._values[column])

    def text(self, column: str) -> str:
        return describe_value(self.table, column, self._values.get(column))

    def ref(self, column: str) -> str:
        """The record a reference points to, by its description."""
        target = BY_NAME[self.table].foreign_keys[column]
        uid = self._values.get(column)
        if uid is None:
            return NOTHING
        if self._depth >= _REFERENCE_DEPTH:
            return table_label(target)
        return describe_record(target, str(uid), _depth=self._depth + 1)

    def ref_value(self, column: str, wanted: str) -> Any:
        """One value of the record a reference points to (a product's name); None when not here."""
        target = BY_NAME[self.table].foreign_keys[column]
        uid = self._values.get(column)
        row = _fetch(BY_NAME[target], str(uid)) if uid is not None else None
        return python_value(target, wanted, row[wanted]) if row is not None else None


def _name_and_code(code_column: str) -> Callable[[_Record], str]:
    return lambda r: _("{name} ({code})").format(name=r.get("name"), code=r.get(code_column))


def _setting(r: _Record) -> str:
    label = _SETTINGS.get(str(r.get("key")))
    return _("Company settings") + (": " + _(label).rstrip(": ") if label else "")


def _first_last(first: str, last: str) -> str:
    return _("{first} – {last}").format(first=first, last=last)


def _unit(r: _Record) -> str:
    product = r.ref_value("product_id", "name") or table_label("product")
    serial = r.get("serial_number")
    return _("{product} (serial {serial})").format(product=product, serial=serial) if serial else product


_DESCRIBERS: dict[str, Callable[[_Record], str]] = {
    "company_setting": _setting,
    "rep": _name_and_code("code"),
    "customer": _name_and_code("code"),
    "need_tag": lambda r: r.get("name"),
    "customer_need_tag": lambda r: _first_last(r.ref("customer_id"), r.ref("tag_id")),
    "product_category": lambda r: r.get("name"),
    "product": _name_and_code("sku"),
    "sale": lambda r: _("Sale {number}").format(number=r.get("number")),
    "sale_line": lambda r: _first_last(r.ref("sale_id"), r.ref_value("product_id", "name") or NOTHING),
    "sold_unit": _unit,
    "case": lambda r: _("{number} – {kind}").format(number=r.get("number"), kind=r.text("kind")),
    "case_proposal": lambda r: _first_last(
        r.ref("case_id"),
        _("{round}. {solution}").format(round=r.get("round"), solution=r.text("solution_type")),
    ),
    "case_stage_change": lambda r: _first_last(r.ref("case_id"), r.text("to_stage")),
    "warranty_return": lambda r: _("Warranty return {number}").format(number=r.get("number")),
    "return_status_change": lambda r: _first_last(r.ref("warranty_return_id"), r.text("to_state")),
    "follow_up_plan": lambda r: r.get("name"),
    "follow_up_plan_step": lambda r: _first_last(
        r.ref("plan_id"), _("Step {number}").format(number=r.get("position"))
    ),
    "follow_up": lambda r: _("{kind} with {customer}, {date}").format(
        kind=r.text("kind"),
        customer=r.ref_value("customer_id", "name") or NOTHING,
        date=r.text("scheduled_at"),
    ),
    "check_template": lambda r: _("{name} (version {version})").format(
        name=r.get("name"), version=r.get("version")
    ),
    "check_item": lambda r: _first_last(r.ref("template_id"), short(r.get("question"), 60)),
    "usage_check": lambda r: _("Usage check – {customer}").format(
        customer=r.ref_value("customer_id", "name") or NOTHING
    ),
    "check_answer": lambda r: _first_last(
        r.ref("check_id"), short(str(r.ref_value("item_id", "question") or NOTHING), 60)
    ),
    "satisfaction_survey": lambda r: _("Survey of {customer}, {date}").format(
        customer=r.ref_value("customer_id", "name") or NOTHING, date=r.text("taken_on")
    ),
    "service_charter": lambda r: _("{name} (version {version})").format(
        name=r.get("title"), version=r.get("version")
    ),
    "charter_commitment": lambda r: _first_last(r.ref("charter_id"), short(r.get("text"), 60)),
    "customer_erasure": lambda r: _("Erasure of {customer}'s personal data, {date}").format(
        customer=_erased_customer(r.get("customer_uid")), date=r.text("erased_at")
    ),
}


def _erased_customer(uid: object) -> str:
    """An erased customer by their code (their name is gone)."""
    found = Customer.get_or_none(Customer.uid == uid) if uid else None
    return found.code if found is not None else NOTHING


def describe_record(table: str, uid: str, known: Mapping[str, Any] | None = None, *, _depth: int = 0) -> str:
    """A record as a person knows it: a customer's name and code, a follow-up's kind, customer and
    date, a return's number. Read from the open database; a record no longer there is described
    from `known` values (those a conflict kept) when they are enough, else named by its kind."""
    synced = BY_NAME.get(table)
    if synced is None:
        return table_label(table)
    values = _fetch(synced, uid)
    here = values is not None
    if values is None:
        values = dict(known or {})
    describer = _DESCRIBERS.get(table)
    text = ""
    if describer is not None and values:
        try:
            text = describer(_Record(table, values, _depth))
        except (KeyError, ValueError, TypeError, AttributeError):
            text = ""
    if text and here:
        return str(text)
    if text:
        return _("{record} (no longer in this database)").format(record=text)
    return _("{record} (no longer in this database)").format(record=table_label(table))


# --- conflicts --------------------------------------------------------------------------------------

KIND_LABELS: dict[ConflictKind, str] = {
    ConflictKind.CONFLICT: N_("Changed on both sides"),
    ConflictKind.DELETED: N_("Deleted on one side"),
    ConflictKind.DUPLICATE: N_("Duplicate at the office"),
    ConflictKind.REFUSED: N_("Refused by the office"),
}


def kind_label(kind: ConflictKind) -> str:
    return _(KIND_LABELS[kind])


@dataclass(frozen=True)
class ValueLine:
    """One field of a conflict, its values as shown (None where that side has none to show)."""

    column: str
    label: str
    base: str | None
    mine: str | None
    theirs: str | None

    @property
    def differs(self) -> bool:
        return self.mine is not None and self.theirs is not None and self.mine != self.theirs


@dataclass(frozen=True)
class ConflictView:
    """A conflict as the Conflicts page shows it: plain text, read in a background task."""

    id: int
    kind: ConflictKind
    table: str
    column: str | None
    record: str  # "Ana López (C-00012)"
    record_kind: str  # "Customer"
    field: str  # "Phone"; several labels, or "The whole record"
    kind_label: str
    explanation: str
    lines: tuple[ValueLine, ...]
    choices: tuple[Choice, ...]
    value_kind: ValueKind | None  # how a value is typed; None: it cannot be
    lost: str  # what Discard lets go, for its confirmation
    laptop: str  # "this computer" or "ana's laptop", inside a sentence
    laptop_heading: str  # the same as a heading: "This computer"
    when: str  # when the office recorded it, in the user's format
    mine_value: Any = None  # the laptop's value, as Python (a typed value starts from it)
    theirs_value: Any = None
    mine_deleted: bool = False  # the laptop's side is a deletion (a DELETED conflict's "Delete it anyway")


_DUPLICATE_KEY = re.compile(r"Key \((?P<columns>[^)]*)\)=\((?P<values>.*?)\) already exists")


def _whose(conflict: ConflictRow, here: str | None) -> str:
    """The laptop that made the change: this computer, or someone's laptop."""
    if here is not None and conflict.laptop == here:
        return _("this computer")
    return _("{login}'s laptop").format(login=conflict.login)


def _explanation(conflict: ConflictRow, laptop: str) -> str:
    if conflict.kind is ConflictKind.CONFLICT:
        return _(
            "Changed on {laptop} and at the office, to different values. The office kept its value "
            "until someone decides: keep one of them, or type another."
        ).format(laptop=laptop)
    if conflict.kind is ConflictKind.DELETED:
        if conflict.mine is None:
            return _(
                "Deleted on {laptop}, but it had been changed at the office meanwhile, so the office kept "
                "it as it is. Delete it anyway, or keep the office's record."
            ).format(laptop=laptop)
        if isinstance(conflict.mine, dict) and conflict.base:
            return _(
                "Changed on {laptop}, but the office deleted the record. Record it again as {laptop} had "
                "it, or let the change go."
            ).format(laptop=laptop)
        return _(
            "Changed on {laptop}, but the office deleted the record: the change has nowhere to go."
        ).format(laptop=laptop)
    if conflict.kind is ConflictKind.DUPLICATE:
        found = _DUPLICATE_KEY.search(conflict.reason or "")
        if found:
            columns = [c.strip().strip('"') for c in found["columns"].split(",")]
            fields = ", ".join(column_label(conflict.table, c) for c in columns)
            return _(
                "The office already has a record with the same value in {fields} ({values}), so this one, "
                "made on {laptop}, did not reach it."
            ).format(fields=fields, values=found["values"], laptop=laptop)
        return _(
            "The office refused the change from {laptop}: it would duplicate a record the office has."
        ).format(laptop=laptop)
    missing = _MISSING_REFERENCE.search(conflict.reason or "")
    synced = BY_NAME.get(conflict.table)
    target = synced.foreign_keys.get(missing["column"] or missing["fk"]) if missing and synced else None
    if target:
        return _(
            "Made on {laptop} for a record the office no longer has ({record_kind}: deleted at the office, "
            "or not accepted there itself), so the office could not keep it. Let it go; if it is still "
            "needed, record it again once that record exists."
        ).format(laptop=laptop, record_kind=table_label(target))
    if (conflict.reason or "").startswith(_REFUSED_ALONG):
        return _(
            "Made on {laptop} together with another change the office did not accept, so it did not "
            "reach the office either: it goes or stays with that change."
        ).format(laptop=laptop)
    return _(
        "The office refused the change from {laptop}: the login has no right to make it (a record of "
        "another rep, or something only a manager changes)."
    ).format(laptop=laptop)


# How the office words a reference to a row it does not have: the reference arrives empty (the
# sync finds rows by uid) in a column that needs one, or names a row that is not there.
_MISSING_REFERENCE = re.compile(
    r'null value in column "(?P<column>[^"]+)"|Key \((?P<fk>[^)]+)\)=\([^)]*\) is not present'
)
# The reason the sync gives the other changes of a refused local transaction (engine._apply_transaction).
_REFUSED_ALONG = "refused with "


def _companions(conflict: ConflictRow, laptop: str) -> str:
    """What is decided along with a refused change: the others made with it (one transaction)."""
    if not conflict.along:
        return ""
    return " " + ngettext(
        "{count} other change made with it on {laptop} did not reach the office either and is decided"
        " with it.",
        "{count} other changes made with it on {laptop} did not reach the office either and are decided"
        " with it.",
        len(conflict.along),
    ).format(count=len(conflict.along), laptop=laptop)


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def describe_conflict(conflict: ConflictRow, here: str | None = None) -> ConflictView:
    """A conflict in the user's words; `here` is this laptop's id (None at the office)."""
    table, column = conflict.table, conflict.column
    laptop = _whose(conflict, here)
    lines: list[ValueLine] = []
    if column:

        def shown(value: Any, present: bool = True) -> str | None:
            return describe_value(table, column, value) if present else None

        lines.append(
            ValueLine(
                column,
                column_label(table, column),
                shown(conflict.base),
                shown(conflict.mine),
                shown(conflict.theirs, conflict.kind is not ConflictKind.REFUSED),
            )
        )
        field = column_label(table, column)
    else:
        base, mine, theirs = (_as_dict(v) for v in (conflict.base, conflict.mine, conflict.theirs))
        columns = shown_columns(table, {*base, *mine, *theirs})
        for name in columns:
            lines.append(
                ValueLine(
                    name,
                    column_label(table, name),
                    describe_value(table, name, base.get(name)) if base else None,
                    describe_value(table, name, mine.get(name)) if mine else None,
                    describe_value(table, name, theirs.get(name)) if theirs else None,
                )
            )
        lines = [line for line in lines if {line.base, line.mine, line.theirs} - {None, NOTHING}]
        if (
            conflict.kind is ConflictKind.DELETED and base and mine
        ):  # the record as the laptop had it: its changes
            lines = [line for line in lines if line.base != line.mine]
        synced = BY_NAME.get(table)
        whole = synced is not None and len(mine) >= len(synced.columns) - 1
        if conflict.kind is ConflictKind.DELETED and base:  # the laptop's version: named by its changes
            whole = False
        if whole or not mine:
            field = _("The whole record")
        else:
            field = ", ".join(line.label for line in lines[:3]) + ("…" if len(lines) > 3 else "")
    known = {**_as_dict(conflict.base), **_as_dict(conflict.theirs), **_as_dict(conflict.mine)}
    record = describe_record(table, conflict.row_uid, known)
    lost_lines = [f"{line.label}: {short(line.mine)}" for line in lines if line.mine not in (None, NOTHING)]
    if len(lost_lines) > 12:
        lost_lines = [*lost_lines[:12], _("… and {n} more").format(n=len(lost_lines) - 12)]
    if conflict.kind is ConflictKind.DELETED and conflict.mine is None:
        lost = _("The deletion made on {laptop} is let go: {record} stays as the office has it.").format(
            laptop=laptop, record=record
        )
    else:
        lost = _("The office will never receive this change made on {laptop}; what it held is lost:").format(
            laptop=laptop
        )
        if lost_lines:
            lost += "\n" + "\n".join(lost_lines)
    when = conflict.created_at
    try:
        when = format_datetime(dt.datetime.fromisoformat(conflict.created_at))
    except ValueError:
        pass
    return ConflictView(
        id=conflict.id,
        kind=conflict.kind,
        table=table,
        column=column,
        record=record,
        record_kind=table_label(table),
        field=field,
        kind_label=kind_label(conflict.kind),
        explanation=_explanation(conflict, laptop) + _companions(conflict, laptop),
        lines=tuple(lines),
        choices=allowed_choices(conflict),
        value_kind=value_kind(table, column) if column else None,
        lost=lost,
        laptop=laptop,
        laptop_heading=_("This computer")
        if here is not None and conflict.laptop == here
        else _("Laptop: {login}").format(login=conflict.login),
        when=when,
        mine_value=python_value(table, column, conflict.mine) if column else None,
        theirs_value=python_value(table, column, conflict.theirs) if column else None,
        mine_deleted=conflict.kind is ConflictKind.DELETED and conflict.mine is None,
    )
