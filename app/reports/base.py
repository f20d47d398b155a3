"""What every Postventa PDF shares: fonts, styles, the page template, safe text and safe writing.

Documents are `build_<name>(data, path)` functions taking plain data (dataclasses made by
services). No Qt, no queries here. Text and formats follow the language active in
app.i18n; wrap a build in `i18n.using_language(lang)` to choose it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from app.i18n import _, format_date
from app.markup import escape  # user text for a Paragraph (the report modules import it from here)
from app.outputs import write_output
from app.package_data import resource_path

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#666666")
RULE = colors.HexColor("#c8d3e0")
MARGIN = 18 * mm


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register DejaVu Sans once, as a family (bold/italic work in Paragraph markup)."""
    faces = {
        FONT: "DejaVuSans.ttf",
        FONT_BOLD: "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    for name, filename in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic="DejaVuSans-Oblique", boldItalic="DejaVuSans-BoldOblique"
    )
    return FONT


def stylesheet() -> StyleSheet1:
    """The one set of paragraph styles for every document."""
    register_fonts()
    sheet = StyleSheet1()
    sheet.add(ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=13))
    sheet.add(ParagraphStyle("Small", parent=sheet["Body"], fontSize=8, leading=10, textColor=MUTED))
    sheet.add(
        ParagraphStyle(
            "Title",
            parent=sheet["Body"],
            fontName=FONT_BOLD,
            fontSize=18,
            leading=22,
            textColor=ACCENT,
            spaceAfter=4 * mm,
        )
    )
    sheet.add(
        ParagraphStyle(
            "Heading",
            parent=sheet["Body"],
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            textColor=ACCENT,
            spaceBefore=5 * mm,
            spaceAfter=2 * mm,
        )
    )
    sheet.add(ParagraphStyle("Cell", parent=sheet["Body"], fontSize=8.5, leading=10.5))
    sheet.add(ParagraphStyle("CellBold", parent=sheet["Cell"], fontName=FONT_BOLD))
    sheet.add(ParagraphStyle("CellRight", parent=sheet["Cell"], alignment=TA_RIGHT))
    sheet.add(ParagraphStyle("CellBoldRight", parent=sheet["CellBold"], alignment=TA_RIGHT))
    return sheet


def para(text: object, style: str = "Body") -> Paragraph:
    """A paragraph of plain (user) text, escaped."""
    return Paragraph(escape(text), stylesheet()[style])


def data_table(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float] | None = None,
    right_aligned: Sequence[int] = (),
) -> Table:
    """A table with a repeated header row; cells are escaped plain text (or ready flowables)."""
    sheet = stylesheet()

    def cell(value: object, column: int, style: str = "Cell") -> object:
        if isinstance(value, Flowable):
            return value
        if column in right_aligned:
            style += "Right"
        return Paragraph(escape(value), sheet[style])

    body = [[cell(h, i, "CellBold") for i, h in enumerate(header)]]
    body += [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


@dataclass(frozen=True)
class Letterhead:
    """What the header and footer print on every page."""

    company: str
    title: str
    logo_path: str = ""
    issued_on: dt.date | None = None  # printed in the footer


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so the footer can say "Page X of Y"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab API)
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own, not in its stubs

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            self.drawRightString(
                A4[0] - MARGIN,
                10 * mm,
                _("Page {page} of {total}").format(page=self._pageNumber, total=total),  # type: ignore[attr-defined]
            )
            super().showPage()
        super().save()


class PostventaDocTemplate(BaseDocTemplate):
    """A4 portrait, company and title in the header, date and page numbers in the footer."""

    def __init__(self, path: str, letterhead: Letterhead, **kwargs):
        register_fonts()
        super().__init__(
            path,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=30 * mm,
            bottomMargin=20 * mm,
            title=letterhead.title,
            author=letterhead.company,
            **kwargs,
        )
        self.letterhead = letterhead
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        head = self.letterhead
        width, height = A4
        canvas.saveState()
        text_x = MARGIN
        if head.logo_path and Path(head.logo_path).is_file():
            try:
                canvas.drawImage(
                    head.logo_path,
                    MARGIN,
                    height - 24 * mm,
                    width=14 * mm,
                    height=14 * mm,
                    preserveAspectRatio=True,
                    mask="auto",
                )
                text_x = MARGIN + 17 * mm
            except OSError:  # an unreadable logo never stops the document
                pass
        canvas.setFont(FONT_BOLD, 11)
        canvas.setFillColor(ACCENT)
        canvas.drawString(text_x, height - 16 * mm, head.company)
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(text_x, height - 21 * mm, head.title)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, height - 26 * mm, width - MARGIN, height - 26 * mm)
        canvas.line(MARGIN, 15 * mm, width - MARGIN, 15 * mm)
        if head.issued_on is not None:
            canvas.setFont(FONT, 7.5)
            canvas.drawString(MARGIN, 10 * mm, _("Issued on {date}").format(date=format_date(head.issued_on)))
        canvas.restoreState()

    def build_story(self, story: list) -> None:
        self.build(story, canvasmaker=_NumberedCanvas)


def write_document(
    path: str | os.PathLike,
    language: str | None,
    *,
    company: str,
    title: Callable[[], str],
    logo_path: str,
    issued_on: dt.date | None,
    story: Callable[[], list],
    force: bool = False,
) -> Path:
    """Write a document in `language` (default: the current one): `title` and `story` are made in it.

    The company name goes through _() too: the default one ("My company") is a marked message.
    `force`: replace an existing file (app.outputs refuses it otherwise). Returns the path written.
    """
    from app import i18n

    with i18n.using_language(language or i18n.current_language()):
        head = Letterhead(company=_(company), title=title(), logo_path=logo_path, issued_on=issued_on)
        return write_pdf(path, head, story, force=force)


def write_pdf(
    path: str | os.PathLike, letterhead: Letterhead, story_factory: Callable[[], list], *, force: bool = False
) -> Path:
    """Build the PDF through app.outputs: ".pdf" added when missing, never over a database, an existing
    file only with `force`, into a temporary file renamed at the end (no half-written PDF is ever left)."""

    def build(temporary: Path) -> None:
        PostventaDocTemplate(str(temporary), letterhead).build_story(story_factory())

    return write_output(path, ".pdf", build, force=force)
