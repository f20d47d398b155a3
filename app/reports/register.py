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
    FONT_BOLD,
    RULE,
    Line,
    TextLines,
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
_V_PADDING = 2.5  # points above and below
_HEAD_FILL = colors.HexColor("#e8eef5")


_CELL_SIZE, _CELL_LEADING = 7.5, 9.2  # the listing's cells: small, for eight columns on A4
_HEAD_SIZE, _HEAD_LEADING = 6.5, 8


_MUTED = colors.HexColor("#666666")
_OPEN = colors.HexColor(OPEN_COLOUR)


def _plain(text: str) -> Line:
    return Line(text)


def _bold(text: str) -> Line:
    return Line(text, bold=True)


def _muted(text: str) -> Line:
    return Line(text, colour=_MUTED)


def _open(text: str) -> Line:
    """Open cases and days so far: in the open colour, slanted."""
    return Line(text, italic=True, colour=_OPEN)


def _cell(*parts: Line, right: bool = False) -> TextLines:
    """A listing cell: its parts one per line (an empty part left out; nothing at all prints —)."""
    return TextLines(parts, _CELL_SIZE, _CELL_LEADING, align_right=right)


def _solution(entry: RegisterEntry) -> TextLines:
    if entry.outcome is RegisterOutcome.MEDIATION:
        body = _("Mediation: {body}").format(body=entry.mediation_body) if entry.mediation_body else ""
        return _cell(_plain(entry.mediation_outcome), _muted(body))
    if entry.solution_type is None:
        if entry.is_open and entry.mediation_body:
            return _cell(_muted(_("In mediation: {body}").format(body=entry.mediation_body)))
        return _cell()
    amount = format_money(entry.solution_amount) if entry.solution_amount is not None else ""
    return _cell(_bold(entry.solution_type.label), _plain(entry.solution_detail), _plain(amount))


def _outcome(entry: RegisterEntry) -> TextLines:
    if entry.is_open:
        return _cell(_open(entry.outcome.label), _muted(entry.stage.label))
    return _cell(
        _plain(entry.outcome.label), _muted(_("closed {date}").format(date=format_date(entry.closed_on)))
    )


def _days(days: int, done: bool) -> TextLines:
    if done:
        return _cell(_plain(format_number(days)), right=True)
    return _cell(_plain(format_number(days)), _open(_("so far")), right=True)


class _PagedTable(Flowable):
    """A long listing laid out page by page, with its header row once, at the top of each page.

    Drawn directly: the cells (TextLines) are measured once, a row as tall as its tallest cell, and
    each page's text goes into one text object, with the header's shading and a rule under each
    row. reportlab's Table measured every remaining row again on each page (time grew with rows ×
    pages) and placed each of a busy year's 20,000 cells through its own calls.
    """

    def __init__(
        self,
        head: list[TextLines],
        rows: list[list[TextLines]],
        widths: list[float],
        heights: list[float] | None = None,
    ):
        super().__init__()
        self._head, self._rows, self._widths = head, rows, widths
        self._heights: list[float] | None = heights  # the header row's, then each row's

    def _measured(self) -> list[float]:
        if self._heights is None:
            self._heights = [self._row_height(cells) for cells in (self._head, *self._rows)]
        return self._heights

    def _row_height(self, cells: list[TextLines]) -> float:
        tallest = max(
            cell.wrap(width - 2 * _PADDING, 0)[1] for cell, width in zip(cells, self._widths, strict=True)
        )
        return tallest + 2 * _V_PADDING

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
        page = _PagedTable(self._head, self._rows[:count], self._widths, heights[: count + 1])
        rest = _PagedTable(self._head, self._rows[count:], self._widths, [heights[0], *heights[count + 1 :]])
        return [page, rest]

    def draw(self) -> None:
        canvas, heights, width = self.canv, self._measured(), sum(self._widths)
        canvas.saveState()
        below_head = self.height - heights[0]
        canvas.setFillColor(_HEAD_FILL)
        canvas.rect(0, below_head, width, heights[0], stroke=0, fill=1)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.25)
        y = below_head
        for height in heights[1:]:
            y -= height
            canvas.line(0, y, width, y)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.line(0, below_head, width, below_head)
        text = canvas.beginText()
        top = self.height
        for cells, height in zip((self._head, *self._rows), heights, strict=True):
            left = 0.0
            for cell, column in zip(cells, self._widths, strict=True):
                cell.draw_into(text, left + _PADDING, top - _V_PADDING - cell.height)
                left += column
            top -= height
        canvas.drawText(text)
        canvas.restoreState()


def _listing(data: ComplaintsRegister) -> list[Flowable]:
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
    head = [
        TextLines([Line(h, bold=True)], _HEAD_SIZE, _HEAD_LEADING, align_right=i >= 6)
        for i, h in enumerate(header)
    ]
    numbers = max(stringWidth(e.number, FONT_BOLD, _CELL_SIZE) for e in data.entries)
    head_style = ParagraphStyle(
        "RegisterHead", fontName=FONT_BOLD, fontSize=_HEAD_SIZE, leading=_HEAD_LEADING
    )
    widths = fit_widths(header, [numbers + 2 * _PADDING + 1, *_LISTING_WIDTHS[1:]], head_style, 2 * _PADDING)
    body = []
    for entry in data.entries:
        category = entry.category.label if entry.category is not None else _("Not analysed yet")
        body.append(
            [
                _cell(_bold(entry.number), _plain(entry.kind.label)),
                _cell(_plain(format_date(entry.received_on)), _muted(entry.channel.label)),
                _cell(_plain(entry.customer_name), _muted(entry.customer_code)),
                _cell(_plain(category)),
                _solution(entry),
                _outcome(entry),
                _days(entry.days_to_first_answer, entry.answered),
                _days(entry.days_to_close, not entry.is_open),
            ]
        )
    return [_PagedTable(head, body, widths)]


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
