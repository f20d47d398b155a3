"""Everything held about one person, readable (issue 18): the PDF beside the JSON export.

Built from `app.services.customers.privacy.PersonalData` (plain data); each record is a heading and
a table of its fields, with their labels and values as the audit log shows them (choices by their
label, dates and money in the locale); sub-records (a sale's lines, a check's answers, a case's
proposals and history) follow their record; a check's signature is drawn.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

from babel import Locale
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer

from app.i18n import (
    N_,
    _,
    current_locale,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
)
from app.models.enums import CaseStage, CheckAnswerResult, ReturnState
from app.reports.base import data_table, para, write_document
from app.services.audit import action_label, entity_label, field_label, format_value
from app.services.customers.privacy import PersonalData, PersonalRecord

_SECTION_TITLES = {
    "customer": N_("Customer record"),
    "sales": N_("Sales"),
    "units": N_("Products and units"),
    "follow_ups": N_("Follow-ups"),
    "usage_checks": N_("Correct-use checks"),
    "returns": N_("Warranty returns"),
    "cases": N_("Complaints, claims, suggestions and compliments"),
    "surveys": N_("Satisfaction surveys"),
    "audit": N_("Changes recorded in the audit log"),
}
_AUDIT_FIELDS = {"at": N_("When"), "action": N_("Action")}
_LANGUAGE_NAMES = {"es": N_("Spanish"), "en": N_("English")}  # a customer's language, by name
# Histories' states, which the audit log does not know by these names.
_CHOICES = {
    ("return_status_change", "from_state"): ReturnState,
    ("return_status_change", "to_state"): ReturnState,
    ("case_stage_change", "from_stage"): CaseStage,
    ("case_stage_change", "to_stage"): CaseStage,
}
# A sub-record's link to the record it is printed under, and numbers' parts: not repeated.
_LEFT_OUT = {
    "warranty_return": {"year"},
    "case": {"year", "series"},
    "return_status_change": {"warranty_return"},
    "case_stage_change": {"case"},
    "case_proposal": {"case"},
}
# Fields the audit log never shows (bookkeeping there), held about the person all the same.
_MORE_LABELS = {
    "warranty_days": N_("Warranty days (left, or since it ended)"),
    "product": N_("Product"),
    "from_state": N_("Previous state"),
    "to_state": N_("New state"),
    "from_stage": N_("Previous stage"),
    "to_stage": N_("New stage"),
    "created_at": N_("Recorded on"),
    "updated_at": N_("Last changed on"),
    "segment_computed_on": N_("Segment computed on"),
    "signed": N_("Signed"),
    "started_at": N_("Started at"),
    "changed_at": N_("Changed at"),
}


def _change(entity: str, name: str, value: object) -> str:
    """An audit change as the audit log shows it: "old → new" (a value alone when only it was kept)."""
    if isinstance(value, list) and len(value) == 2:
        return f"{format_value(entity, name, value[0])} → {format_value(entity, name, value[1])}"
    return format_value(entity, name, value)


def _label(entity: str, name: str, audit: bool) -> str:
    if audit and name in _AUDIT_FIELDS:
        return _(_AUDIT_FIELDS[name])
    if name in _MORE_LABELS:
        return _(_MORE_LABELS[name])
    return field_label(entity, name)


def _title(record: PersonalRecord, audit: bool) -> str:
    """A record's heading: its number or name, or its date in the locale."""
    if audit:
        fields = dict(record.fields)
        return " · ".join(
            (
                format_datetime(_moment(fields["at"])),
                action_label(str(fields["action"])),
                entity_label(record.entity),
            )
        )
    try:
        moment = dt.datetime.fromisoformat(record.title)
    except ValueError:
        return record.title or "—"
    return format_date(moment.date()) if len(record.title) == 10 else format_datetime(moment)


def _table(record: PersonalRecord, audit: bool = False) -> Flowable:
    rows = []
    for name, value in record.fields:
        if value is None or value == "" or value == []:
            continue
        if not audit and name in _LEFT_OUT.get(record.entity, ()):
            continue
        if audit and name == "at":
            text = format_datetime(_moment(value))
        elif audit and name == "action":
            text = action_label(str(value))
        elif audit and name != "rep":
            text = _change(record.entity, name, value)
        elif (record.entity, name) in _CHOICES:
            try:
                text = _CHOICES[record.entity, name](str(value)).label
            except ValueError:
                text = str(value)
        elif name == "score" and isinstance(value, (int, float)):
            text = format_percent(value, 0)
        elif record.entity == "sale_line" and name == "unit_price":  # not an entity the audit knows
            text = format_money(Decimal(str(value)))
        elif record.entity == "customer" and name == "language" and value in _LANGUAGE_NAMES:
            text = _(_LANGUAGE_NAMES[str(value)])
        elif record.entity == "customer" and name == "country":
            text = Locale.parse(current_locale()).territories.get(str(value).upper(), str(value))
        else:
            text = format_value(record.entity, name, value)
        rows.append([_label(record.entity, name, audit), text])
    if not rows:
        rows.append(["—", "—"])
    return data_table([_("Field"), _("Value")], rows, [55 * mm, None])


def _moment(value: object) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value))


def _signature(png: bytes) -> Flowable:
    image = Image(io.BytesIO(png))
    scale = min(60 * mm / image.imageWidth, 22 * mm / image.imageHeight, 1.0 * mm)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    image.hAlign = "LEFT"
    return image


def _answer_row(answer: PersonalRecord) -> list[str]:
    fields = dict(answer.fields)
    result = fields.get("result")
    try:
        result_text = CheckAnswerResult(str(result)).label if result else _("Not answered")
    except ValueError:  # a result this version does not know: shown as stored
        result_text = str(result)
    note = str(fields.get("note") or "")
    if fields.get("trained_on_site"):
        note = _("{note} (trained on site)").format(note=note) if note else _("Trained on site")
    return [answer.title, result_text, note]


def _record(
    record: PersonalRecord, depth: int = 0, audit: bool = False, lead: Flowable | None = None
) -> list[Flowable]:
    """A record's heading and table kept together (with `lead`, its section's heading, before them:
    a KeepTogether inside another forces a page break), then its children."""
    heading = para(_title(record, audit), "Heading" if depth == 0 else "CellBold")
    parts: list[Flowable] = [*([lead] if lead is not None else []), heading, _table(record, audit)]
    if record.signature_png:
        parts += [para(_("Customer's signature"), "Small")]
        try:
            parts.append(_signature(record.signature_png))
        except OSError:  # bytes that are no image: said, not drawn
            parts.append(para(_("The signature could not be drawn."), "Small"))
    answers = [child for child in record.children if child.entity == "check_answer"]
    if answers:  # a check's answers: one table, as the check record prints them
        parts.append(Spacer(1, 1.5 * mm))
        parts.append(
            data_table(
                [_("Item"), _("Result"), _("Note")],
                [_answer_row(a) for a in answers],
                [None, 30 * mm, 55 * mm],
            )
        )
    story: list[Flowable] = [KeepTogether(parts)]
    for child in record.children:
        if child.entity == "check_answer":
            continue
        story.append(Spacer(1, 1.5 * mm))
        story += _record(child, depth + 1)
    story.append(Spacer(1, 2 * mm))
    return story


def build_personal_data(
    data: PersonalData, path: str | os.PathLike, language: str | None = None, *, force: bool = False
) -> Path:
    """Write the readable export of one person's data to `path` in `language`; `force`: replace a file."""

    def story() -> list:
        parts: list = [
            para(_("Personal data of customer {code}").format(code=data.customer_code), "Title"),
            para(
                _("Everything {company} holds about this customer on {date}.").format(
                    company=_(data.company_name), date=format_datetime(data.exported_at)
                )
            ),
        ]
        if data.erased:
            parts.append(para(_("This customer's personal data was erased; what is left is not personal.")))
        for key, title in _SECTION_TITLES.items():
            records = data.sections.get(key, ())
            heading = para(
                _("{section} ({count})").format(section=_(title), count=format_number(len(records))),
                "Heading",
            )
            if not records:
                parts += [heading, para(_("None."), "Small")]
                continue
            for index, record in enumerate(records):
                # The section's heading with its first record: never alone at a page's foot.
                parts += _record(record, audit=key == "audit", lead=heading if index == 0 else None)
        return parts

    return write_document(
        path,
        language,
        company=data.company_name,
        title=lambda: _("Personal data"),
        logo_path=data.logo_path,
        issued_on=data.exported_at.date(),
        story=story,
        force=force,
    )
