"""The service charter as a public document a customer can read (seed 001; DOMAIN §4).

Plain data in (app.services.charters.CharterDocument), a PDF out through the shared template of
app.reports.base: the title and validity, the three elements of the service, the commitments as a
table (each with its indicator, target and period), the contact channels, the complaint procedure
and the communication principles. No Qt, no queries; user text is escaped.
"""

from __future__ import annotations

import os
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.i18n import _, format_date
from app.reports.base import CONTENT_WIDTH, RULE, data_table, escape, para, stylesheet, write_document
from app.services.charters import CharterDocument, format_target
from app.services.charters.indicators import indicator_text

_LABEL_WIDTH = 34 * mm
# A principle or stage written "Label: explanation" prints its label in bold when the label is short.
_LABEL_MAX = 40


def validity_text(data: CharterDocument) -> str:
    if data.valid_to is None:
        return _("Valid from {start}").format(start=format_date(data.valid_from, "long"))
    return _("Valid from {start} to {end}").format(
        start=format_date(data.valid_from, "long"), end=format_date(data.valid_to, "long")
    )


def _labelled(line: str) -> Paragraph:
    """One line of the procedure or the principles; "Label: text" gets a bold label."""
    label, sep, rest = line.partition(":")
    if sep and 0 < len(label.strip()) <= _LABEL_MAX and rest.strip():
        return Paragraph(f"<b>{escape(label.strip())}:</b> {escape(rest.strip())}", stylesheet()["Body"])
    return para(line)


def _lines(text: str) -> list:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    flowables: list = []
    for line in lines:
        flowables += [_labelled(line), Spacer(0, 1.5 * mm)]
    return flowables


def _elements_table(rows: list[tuple[str, str]]) -> Table:
    body = [[para(label, "CellBold"), para(value, "Cell")] for label, value in rows]
    table = Table(body, colWidths=[_LABEL_WIDTH, CONTENT_WIDTH - _LABEL_WIDTH])
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


def _commitments_table(data: CharterDocument) -> Table:
    sheet = stylesheet()
    rows = []
    for number, item in enumerate(data.commitments, start=1):
        indicator = Paragraph(
            "{text}<br/><b>{target}</b>".format(
                text=escape(indicator_text(item.indicator, item.days)),
                target=escape(
                    _("Target: {target}").format(target=format_target(item.indicator, item.target))
                ),
            ),
            sheet["Cell"],
        )
        rows.append([str(number), item.text, indicator, item.period.label])
    return data_table(
        [_("No."), _("Our commitment"), _("How we measure it"), _("Measured")],
        rows,
        widths=[10 * mm, None, 62 * mm, 22 * mm],
    )


def _channels_table(data: CharterDocument) -> Table:
    rows = [(c.channel.label, c.detail, c.hours or "—") for c in data.channels]
    return data_table([_("Channel"), _("Contact"), _("Hours")], rows, widths=[32 * mm, None, 60 * mm])


def _story(data: CharterDocument) -> list:
    subtitle = _("Service charter: {type} · version {version}").format(
        type=data.type.label, version=data.version
    )
    story: list = [
        para(data.title, "Title"),
        para(subtitle, "Heading"),
        para(validity_text(data)),
        Spacer(0, 3 * mm),
        para(
            _(
                "This charter sets out what {company} commits to with its customers after the sale, how we measure "
                "it and how you can reach us."
            ).format(company=data.company_name)
        ),
    ]
    elements = [
        (label, text)
        for label, text in (
            (_("Service strategy"), data.strategy),
            (_("Systems"), data.systems),
            (_("Our people"), data.personnel),
        )
        if text.strip()
    ]
    if elements:
        story += [para(_("Our service"), "Heading"), _elements_table(elements)]
    commitments_heading = para(_("Our commitments"), "Heading")
    if data.commitments:
        # The heading and a table that fits on a page stay together (a longer one flows on from its heading).
        story.append(
            KeepTogether(
                [
                    commitments_heading,
                    para(
                        _(
                            "Each commitment is measured from our records over the period shown, and we publish "
                            "how well we keep it."
                        ),
                        "Small",
                    ),
                    Spacer(0, 2 * mm),
                    _commitments_table(data),
                ]
            )
        )
    else:
        story += [commitments_heading, para(_("This charter has no commitments yet."))]
    if data.channels:
        story.append(KeepTogether([para(_("How to contact us"), "Heading"), _channels_table(data)]))
    for heading, text in (
        (_("Complaints and claims: how we handle them"), data.procedure),
        (_("How we communicate with you"), data.principles),
    ):
        lines = _lines(text)
        if lines:  # a heading never ends a page alone
            story += [KeepTogether([para(heading, "Heading"), *lines[:2]]), *lines[2:]]
    return story


def build_charter(
    data: CharterDocument, path: str | os.PathLike, language: str | None = None, *, force: bool = False
) -> Path:
    """Write the charter to `path` in `language` (default: the current one); `force`: replace a file."""
    return write_document(
        path,
        language,
        company=data.company_name,
        title=lambda: _("Service charter · {title}").format(title=data.title),
        logo_path=data.logo_path,
        issued_on=data.issued_on,
        story=lambda: _story(data),
        force=force,
    )
