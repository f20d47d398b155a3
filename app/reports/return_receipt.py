"""The customer's receipt for a warranty return (RMA), printed when the unit is received.

Plain data in (app.services.returns.ReturnReceiptData), a one-page PDF out, through the shared
template of app.reports.base. No Qt, no queries.
"""

from __future__ import annotations

import os
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from app.i18n import N_, _, format_date, pgettext
from app.models.enums import ReturnState
from app.reports.base import MARGIN, RULE, para, write_document
from app.services.returns import ReturnReceiptData
from app.services.sales.warranty import WarrantyStatus, warranty_text

_LABEL_WIDTH = 52 * mm


def _facts_table(rows: list[tuple[str, str]]) -> Table:
    """Label / value pairs, two columns, user text escaped."""
    body = [[para(label, "CellBold"), para(value, "Cell")] for label, value in rows]
    table = Table(body, colWidths=[_LABEL_WIDTH, A4[0] - 2 * MARGIN - _LABEL_WIDTH])
    table.hAlign = "LEFT"
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f6fa")),
            ]
        )
    )
    return table


# What the customer is told once the return has reached its resolution (TRANSITIONS' resolution states).
_RESOLVED = {
    ReturnState.REPAIRED: N_("This return was resolved on {date}: the unit was repaired."),
    ReturnState.REPLACED: N_("This return was resolved on {date}: the unit was replaced."),
    ReturnState.REFUNDED: N_("This return was resolved on {date}: the amount agreed was refunded."),
    ReturnState.CREDITED: N_(
        "This return was resolved on {date}: the amount agreed was credited to your account."
    ),
    ReturnState.REJECTED: N_(
        "This return was resolved on {date}: after inspection, it was not accepted under the terms of the "
        "warranty."
    ),
}


def is_pending(data: ReturnReceiptData) -> bool:
    """The return still waits for its resolution (received, inspected or approved)."""
    return data.resolution is None and data.state not in (ReturnState.CLOSED, ReturnState.CANCELLED)


def _state_facts(data: ReturnReceiptData) -> list[tuple[str, str]]:
    """The lines of the facts table that depend on where the return stands."""
    if data.state is ReturnState.CANCELLED:
        return [(_("Cancelled on"), format_date(data.closed_on))] if data.closed_on else []
    if is_pending(data):
        return [(_("Expected resolution by"), format_date(data.expected_resolution_on))]
    facts = []
    if data.resolution is not None:
        facts.append((_("Resolution"), data.resolution.label))
    if data.resolved_on is not None:
        facts.append((_("Resolved on"), format_date(data.resolved_on)))
    if data.returned_on is not None:
        facts.append((_("Returned to the customer on"), format_date(data.returned_on)))
    return facts


def closing_sentences(data: ReturnReceiptData) -> list[str]:
    """What the receipt tells the customer, true to the return's state: a pending return will be
    resolved; a resolved, closed or cancelled one says what happened (never "we will let you know")."""
    if is_pending(data):
        return [
            _(
                "We have received the unit described above. Please quote the return number {number} in any "
                "contact about it. We will let you know as soon as it is resolved."
            ).format(number=data.number)
        ]
    sentences = [
        _(
            "We received the unit described above. Please quote the return number {number} in any contact "
            "about it."
        ).format(number=data.number)
    ]
    closed = format_date(data.closed_on) if data.closed_on is not None else "—"  # set on closing
    if data.state is ReturnState.CANCELLED:
        return [*sentences, _("This return was cancelled on {date}.").format(date=closed)]
    if data.resolution is not None:
        when = format_date(data.resolved_on) if data.resolved_on is not None else "—"
        sentences.append(_(_RESOLVED[data.resolution]).format(date=when))
    if data.returned_on is not None:
        sentences.append(
            _("The unit was returned to you on {date}.").format(date=format_date(data.returned_on))
        )
    if data.state is ReturnState.CLOSED:
        sentences.append(_("The return was closed on {date}.").format(date=closed))
    return sentences


def _story(data: ReturnReceiptData) -> list:
    unit = data.product_name
    if data.sku:
        unit = f"{unit} ({data.sku})"
    warranty = warranty_text(WarrantyStatus(data.under_warranty, data.warranty_days))
    if data.out_of_warranty_reason is not None:
        warranty = _("{status} – accepted as: {reason}").format(
            status=warranty, reason=data.out_of_warranty_reason.label
        )
    customer = data.customer_name
    if data.customer_code:
        customer = f"{customer} ({data.customer_code})"
    facts = [
        (_("Return number"), data.number),
        (_("Customer"), customer),
    ]
    if data.customer_address:
        facts.append((_("Address"), data.customer_address))
    facts += [
        (_("Product"), unit),
        (_("Serial number"), data.serial_number or pgettext("serial number", "(none)")),
        (_("Reason"), data.reason.label),
        (_("Warranty status"), warranty),
        (_("Requested on"), format_date(data.reported_on)),
        (_("Received on"), format_date(data.received_on)),
    ]
    facts += _state_facts(data)
    story = [
        para(_("Warranty return receipt"), "Title"),
        para(data.number, "Heading"),
        Spacer(0, 2 * mm),
        _facts_table(facts),
        para(_("What the customer reports"), "Heading"),
        para(data.description or "—"),
        Spacer(0, 6 * mm),
        *(para(sentence) for sentence in closing_sentences(data)),
    ]
    company_lines = [line for line in (data.company_name, data.company_address, data.company_tax_id) if line]
    story.append(Spacer(0, 10 * mm))
    story.append(para("\n".join(company_lines), "Small"))
    return story


def build_return_receipt(
    data: ReturnReceiptData, path: str | os.PathLike, language: str | None = None, *, force: bool = False
) -> Path:
    """Write the receipt to `path` in `language` (default: the current one); `force`: replace a file."""
    return write_document(
        path,
        language,
        company=data.company_name,
        title=lambda: _("Warranty return {number}").format(number=data.number),
        logo_path=data.company_logo,
        issued_on=data.issued_on,
        story=lambda: _story(data),
        force=force,
    )
