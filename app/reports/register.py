"""The annual register of complaints and claims: the listing the company keeps for inspections.

Plain data in (app.services.reporting.complaints_register.ComplaintsRegister), a PDF out through the shared
template of app.reports.base: every complaint and claim of the year in a narrow-column A4 table, one per
page with the header row at its top, then the totals by category and by month. A year without complaints
prints a note instead of empty tables. No Qt, no queries.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.i18n import _, format_date, format_money, format_number, ngettext
from app.reports.base import (
    ACCENT,
    CONTENT_WIDTH,
    RULE,
    data_table,
    escape,
    fit_widths,
    para,
    stylesheet,
    write_document,
)
from app.services.reporting.complaints_register import (
    ComplaintsRegister,
    RegisterEntry,
    RegisterOutcome,
    RegisterTotals,
)

OPEN_COLOUR = "#a15c00"  # open cases and days so far
# The listing: number | received | customer | category | solution | outcome | days to answer | to close.
# The number's column is as wide as the widest number (bold), the solution's takes what is left.
_LISTING_WIDTHS = [None, 18 * mm, 27 * mm, 18.5 * mm, None, 20.5 * mm, 16 * mm, 16 * mm]
_PADDING = 3  # points on each side of a listing cell


def _styles() -> dict[str, ParagraphStyle]:
    sheet = stylesheet()
    cell = ParagraphStyle("RegisterCell", parent=sheet["Cell"], fontSize=7.5, leading=9.2)
    return {
        "cell": cell,
        "bold": ParagraphStyle("RegisterBold", parent=cell, fontName=sheet["CellBold"].fontName),
        "right": ParagraphStyle("RegisterRight", parent=cell, alignment=2),
        "head": ParagraphStyle(
            "RegisterHead", parent=cell, fontName=sheet["CellBold"].fontName, fontSize=6.5, leading=8
        ),
        "head_right": ParagraphStyle(
            "RegisterHeadRight",
            parent=cell,
            fontName=sheet["CellBold"].fontName,
            fontSize=6.5,
            leading=8,
            alignment=2,
        ),
    }


def _lines(*parts: tuple[str, str]) -> str:
    """Paragraph markup from (text, kind) pairs, one per line; kind "" plain, "b" bold, "m" muted."""
    out = []
    for text, kind in parts:
        if not text:
            continue
        text = escape(text)
        if kind == "b":
            text = f"<b>{text}</b>"
        elif kind == "m":
            text = f'<font color="#666666">{text}</font>'
        elif kind == "o":
            text = f'<font color="{OPEN_COLOUR}"><i>{text}</i></font>'
        out.append(text)
    return "<br/>".join(out) or "—"


def _solution(entry: RegisterEntry) -> str:
    if entry.outcome is RegisterOutcome.MEDIATION:
        body = _("Mediation: {body}").format(body=entry.mediation_body) if entry.mediation_body else ""
        return _lines((entry.mediation_outcome, ""), (body, "m"))
    if entry.solution_type is None:
        if entry.is_open and entry.mediation_body:
            return _lines((_("In mediation: {body}").format(body=entry.mediation_body), "m"))
        return "—"
    amount = format_money(entry.solution_amount) if entry.solution_amount is not None else ""
    return _lines((entry.solution_type.label, "b"), (entry.solution_detail, ""), (amount, ""))


def _outcome(entry: RegisterEntry) -> str:
    if entry.is_open:
        return _lines((entry.outcome.label, "o"), (entry.stage.label, "m"))
    return _lines(
        (entry.outcome.label, ""), (_("closed {date}").format(date=format_date(entry.closed_on)), "m")
    )


def _days(days: int, done: bool) -> str:
    if done:
        return escape(format_number(days))
    return _lines((format_number(days), ""), (_("so far"), "o"))


class _PagedTable(Flowable):
    """A long listing laid out as one table per page, with its header row once, at the top of each.

    reportlab's own split of a long table measures every remaining row again on each page (time grows
    with rows × pages); here the rows are measured once, and each page gets a table of those that fit.
    """

    def __init__(self, head: list, rows: list[list], widths: list[float], style: TableStyle, heights=None):
        super().__init__()
        self._head, self._rows, self._widths, self._style = head, rows, widths, style
        self._heights: list[float] | None = heights  # the header row's, then each row's

    def _measured(self) -> list[float]:
        if self._heights is None:
            table = Table([self._head, *self._rows], colWidths=self._widths)
            table.setStyle(self._style)
            table.wrap(sum(self._widths), 0)
            self._heights = list(table._rowHeights)  # type: ignore[attr-defined]  # set by wrap
        return self._heights

    def _table(self, count: int) -> Table:
        heights = self._measured()[: count + 1]
        table = Table([self._head, *self._rows[:count]], colWidths=self._widths, rowHeights=heights)
        table.setStyle(self._style)
        return table

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab API)
        self.width, self.height = sum(self._widths), sum(self._measured())
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (reportlab API)
        heights = self._measured()
        room, count = availHeight - heights[0], 0
        while count < len(self._rows) and heights[count + 1] <= room:
            room -= heights[count + 1]
            count += 1
        if not count:  # not even one row under the header: all of it on the next page
            return []
        rest = _PagedTable(
            self._head, self._rows[count:], self._widths, self._style, [heights[0], *heights[count + 1 :]]
        )
        return [self._table(count), rest]

    def draw(self) -> None:
        table = self._table(len(self._rows))
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


def _listing(data: ComplaintsRegister) -> list[Flowable]:
    s = _styles()
    header = [
        _("Number"),
        _("Received"),
        _("Customer"),
        _("Category"),
        _("Solution"),
        _("Outcome"),
        _("Days to answer"),
        _("Days to close"),
    ]
    head = [Paragraph(escape(h), s["head_right" if i >= 6 else "head"]) for i, h in enumerate(header)]
    numbers = max(stringWidth(e.number, s["bold"].fontName, s["bold"].fontSize) for e in data.entries)
    widths = fit_widths(header, [numbers + 2 * _PADDING + 1, *_LISTING_WIDTHS[1:]], s["head"], 2 * _PADDING)
    body = []
    for entry in data.entries:
        category = entry.category.label if entry.category is not None else _("Not analysed yet")
        body.append(
            [
                Paragraph(_lines((entry.number, "b"), (entry.kind.label, "")), s["cell"]),
                Paragraph(
                    _lines((format_date(entry.received_on), ""), (entry.channel.label, "m")), s["cell"]
                ),
                Paragraph(_lines((entry.customer_name, ""), (entry.customer_code, "m")), s["cell"]),
                Paragraph(escape(category), s["cell"]),
                Paragraph(_solution(entry), s["cell"]),
                Paragraph(_outcome(entry), s["cell"]),
                Paragraph(_days(entry.days_to_first_answer, entry.answered), s["right"]),
                Paragraph(_days(entry.days_to_close, not entry.is_open), s["right"]),
            ]
        )
    style = TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
    )
    return [_PagedTable(head, body, widths, style)]


def _mean(value: float | None) -> str:
    return format_number(value, 1) if value is not None else "—"


def _totals_row(label: str, totals: RegisterTotals) -> list[str]:
    return [
        label,
        format_number(totals.complaints),
        format_number(totals.claims),
        format_number(totals.total),
        format_number(totals.open),
        _mean(totals.mean_days_to_first_answer),
        _mean(totals.mean_days_to_close),
    ]


def _totals_table(first_column: str, rows: Sequence[Sequence[object]], data: ComplaintsRegister) -> Table:
    header = [
        first_column,
        _("Complaints"),
        _("Claims"),
        _("Total"),
        _("Open"),
        _("Mean days to answer"),
        _("Mean days to close"),
    ]
    sheet = stylesheet()
    year_total = _totals_row(_("Year total"), data.totals)
    rows = [
        *rows,
        [Paragraph(escape(v), sheet["CellBoldRight" if i else "CellBold"]) for i, v in enumerate(year_total)],
    ]
    table = data_table(header, rows, [None, *[(CONTENT_WIDTH - 38 * mm) / 6] * 6], range(1, 7), compact=True)
    table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)]))
    return table


def _title(data: ComplaintsRegister) -> str:
    title = _("Register of complaints and claims {year}").format(year=data.year)
    return _("{period} (in progress)").format(period=title) if data.in_progress else title


def _story(data: ComplaintsRegister) -> list:
    story: list = [para(_title(data), "Title")]
    period = _("Every complaint and claim received from {start} to {end}, as recorded on {today}.").format(
        start=format_date(data.start), end=format_date(data.end), today=format_date(data.today)
    )
    story.append(para(period))
    if data.is_empty:
        story += [
            Spacer(0, 6 * mm),
            para(_("No complaints or claims were received in {year}.").format(year=data.year), "Heading"),
        ]
        return story

    totals = data.totals
    summary = " ".join(
        [
            ngettext("{count} complaint", "{count} complaints", totals.complaints).format(
                count=format_number(totals.complaints)
            )
            + ", "
            + ngettext("{count} claim", "{count} claims", totals.claims).format(
                count=format_number(totals.claims)
            )
            + ".",
            ngettext("{count} still open.", "{count} still open.", totals.open).format(
                count=format_number(totals.open)
            )
            if totals.open
            else _("All of them are closed."),
        ]
    )
    story += [
        para(summary),
        Spacer(0, 1 * mm),
        para(
            _(
                "Days are counted from reception. For cases not yet answered or closed, the days so far up to "
                "{today}."
            ).format(today=format_date(data.today)),
            "Small",
        ),
        Spacer(0, 3 * mm),
        *_listing(data),
    ]

    category_rows = [
        _totals_row(item.category.label if item.category is not None else _("Not analysed yet"), item.totals)
        for item in data.by_category
    ]
    story.append(
        KeepTogether(
            [
                para(_("Totals by category"), "Heading"),
                _totals_table(_("Category"), category_rows, data),
            ]
        )
    )
    month_rows = [
        _totals_row(format_date(item.month, "LLLL").capitalize(), item.totals) for item in data.by_month
    ]
    story.append(
        KeepTogether(
            [
                para(_("Totals by month of reception"), "Heading"),
                _totals_table(_("Month"), month_rows, data),
            ]
        )
    )
    return story


def build_register(
    data: ComplaintsRegister, path: str | os.PathLike, language: str | None = None, *, force: bool = False
) -> Path:
    """Write the register to `path` in `language` (default: the current one); `force`: replace a file."""
    return write_document(
        path,
        language,
        company=data.company_name,
        title=lambda: _title(data),
        logo_path=data.logo_path,
        issued_on=data.issued_on,
        story=lambda: _story(data),
        force=force,
    )
