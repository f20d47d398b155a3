"""The one-page record of a correct-use check, for the rep to hand over or e-mail.

Built from `app.services.checks.CheckRecord` (plain data); printed in the language asked for (the
customer's, from the Checks page), like every other document. What it certifies follows the check's
state: a draft says it is one and certifies nothing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph, Spacer, Table, TableStyle

from app.i18n import _, format_datetime, format_percent
from app.models.enums import CheckAnswerResult, CheckStatus
from app.reports.base import CONTENT_WIDTH, RULE, data_table, escape, para, stylesheet, write_document
from app.services.checks import CheckRecord

PASS_COLOUR = colors.HexColor("#1e7b34")
FAIL_COLOUR = colors.HexColor("#b00020")


def result_text(result: CheckAnswerResult | None) -> str:
    return result.label if result is not None else _("Not answered")


def verdict_text(record: CheckRecord) -> str:
    check = record.check
    if check.status is not CheckStatus.COMPLETED:
        return _("Draft: not finished")
    verdict = _("Passed") if check.passed else _("Failed")
    if check.score is None:
        return verdict
    return _("{verdict} – score {score}").format(verdict=verdict, score=format_percent(check.score, 0))


def closing_text(record: CheckRecord) -> str:
    """The record's last words, true to the check's state: only a finished check says the customer was
    shown how to use the product, and only Not OK items are said to be followed up."""
    check = record.check
    if check.status is not CheckStatus.COMPLETED:
        return _(
            "This record is a draft: the check has not been finished, so it does not certify that the "
            "customer has been shown how to use the product."
        )
    if not check.passed:
        return _(
            "The check was not passed: the items marked Not OK will be followed up until the customer "
            "uses the product correctly."
        )
    if any(answer.result is CheckAnswerResult.NOT_OK for answer in check.answers):
        return _(
            "The customer has been shown how to use the product correctly; items "
            "marked Not OK will be followed up."
        )
    return _("The customer has been shown how to use the product correctly.")


def _facts(record: CheckRecord) -> Table:
    check = record.check
    sheet = stylesheet()
    product = check.product_name + (f" ({check.sku})" if check.sku else "")
    when = check.completed_at or check.started_at
    pairs = [
        (_("Customer"), f"{check.customer_name} ({check.customer_code})"),
        (_("Address"), check.customer_address),
        (_("Product"), product),
        (_("Serial number"), check.serial_number or "—"),
        (_("Date"), format_datetime(when)),
        (_("Rep"), check.rep_name or "—"),
        (_("Present"), check.present_people or "—"),
        (
            _("Checklist"),
            _("{name} (version {version})").format(name=check.template_name, version=check.template_version),
        ),
    ]
    rows = [[Paragraph(escape(k), sheet["CellBold"]), Paragraph(escape(v), sheet["Cell"])] for k, v in pairs]
    table = Table(rows, colWidths=[38 * mm, CONTENT_WIDTH - 38 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _items(record: CheckRecord) -> Table:
    header = ["#", _("Item"), _("Result"), _("Note")]
    rows = []
    for answer in record.check.answers:
        question = answer.question + (" " + _("(critical)") if answer.critical else "")
        note = answer.note
        if answer.trained_on_site:
            note = _("{note} (trained on site)").format(note=note) if note else _("Trained on site")
        rows.append([str(answer.position), question, result_text(answer.result), note])
    widths = [8 * mm, 84 * mm, 28 * mm, None]
    table = data_table(header, rows, widths)
    style = []
    for row_number, answer in enumerate(record.check.answers, start=1):
        if answer.result is CheckAnswerResult.NOT_OK:
            style.append(("BACKGROUND", (2, row_number), (2, row_number), colors.HexColor("#fdecea")))
    table.setStyle(TableStyle(style))
    return table


def _signature(record: CheckRecord) -> list:
    png = record.check.signature_png
    story: list[Flowable] = [para(_("Customer's signature"), "Heading")]
    if not png:
        story.append(para(_("Not signed."), "Small"))
        return story
    image = Image(io.BytesIO(png))
    scale = min(70 * mm / image.imageWidth, 25 * mm / image.imageHeight, 1.0 * mm)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    image.hAlign = "LEFT"
    box = Table([[image]], colWidths=[image.drawWidth + 6])
    box.hAlign = "LEFT"
    box.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE)]))
    story.append(box)
    return story


def build_check_record(
    data: CheckRecord, path: str | os.PathLike, language: str | None = None, *, force: bool = False
) -> Path:
    """Write the record of one check to `path` in `language` (default: the current one; A4, one page
    for a usual checklist); `force`: replace a file."""
    check = data.check

    def story() -> list:
        sheet = stylesheet()
        colour = PASS_COLOUR if check.passed else FAIL_COLOUR
        if check.status is not CheckStatus.COMPLETED:
            colour = colors.HexColor("#666666")
        verdict = Paragraph(
            f'<font color="{colour.hexval().replace("0x", "#")}"><b>{escape(verdict_text(data))}</b></font>',
            sheet["Heading"],
        )
        parts = [para(_("Correct-use check"), "Title"), _facts(data), verdict, _items(data)]
        if check.notes:
            parts += [para(_("Notes"), "Heading"), para(check.notes)]
        parts += _signature(data)
        parts += [Spacer(1, 3 * mm), para(closing_text(data), "Small")]
        return parts

    return write_document(
        path,
        language,
        company=data.company_name,
        title=lambda: _("Correct-use check record"),
        logo_path=data.logo_path,
        issued_on=data.issued_on,
        story=story,
        force=force,
    )
