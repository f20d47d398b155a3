"""What every Postventa PDF shares: fonts, styles, the page template, safe text and safe writing.

Documents are `build_<name>(data, path)` functions taking plain data (dataclasses made by
services). No Qt, no queries here. Text and formats follow the language active in
app.i18n; wrap a build in `i18n.using_language(lang)` to choose it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

import arabic_reshaper  # type: ignore[import-untyped]  # no type information shipped
from bidi import get_display  # type: ignore[import-untyped]
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from app import markup
from app.i18n import _, format_date
from app.outputs import write_output
from app.package_data import resource_path

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#666666")
RULE = colors.HexColor("#c8d3e0")
MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN - 12  # what a table may take: the frame pads 6 points on each side


# Right-to-left scripts (Hebrew, Arabic and their presentation forms).
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def visual_order(text: str) -> str:
    """Text as reportlab must draw it: it sets characters left to right as they come, so a name in
    Arabic gets its letters' joined forms (arabic-reshaper) and right-to-left runs are put in the
    order they are seen (python-bidi). Text without right-to-left letters comes back unchanged.

    The reordering sees the text as one line: right for names and short texts; a long right-to-left
    paragraph that wraps would read its lines from the last one."""
    if not _RIGHT_TO_LEFT.search(text):
        return text
    return get_display(arabic_reshaper.reshape(text))


def escape(text: object) -> str:
    """User text for a Paragraph: in visual order, `<`, `>` and `&` shown literally (app.markup.escape)."""
    return markup.escape(None if text is None else visual_order(str(text)))


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
    # The header cells of tables with many narrow numeric columns.
    sheet.add(ParagraphStyle("Head", parent=sheet["CellBold"], fontSize=7.5, leading=9))
    sheet.add(ParagraphStyle("HeadRight", parent=sheet["Head"], alignment=TA_RIGHT))
    return sheet


def para(text: object, style: str = "Body") -> Paragraph:
    """A paragraph of plain (user) text, escaped."""
    return Paragraph(escape(text), stylesheet()[style])


FONT_ITALIC = "DejaVuSans-Oblique"


@dataclass(frozen=True)
class Line:
    """One part of a TextLines cell: plain user text and how it looks."""

    text: str
    bold: bool = False
    italic: bool = False
    colour: colors.Color = colors.black


class TextLines(Flowable):
    """Plain text in a table cell, each part on lines of its own, wrapped between words (a word wider
    than the cell is cut where it must be), in visual order like escape(). Drawn with the canvas
    directly: a Paragraph parses markup and lays out fragments, about 0.4 ms a cell, and the
    register of a busy year has 20,000 cells (bench_engines.py). Nothing is markup here: `<`, `&`
    print as they are. Wrapping is kept for the width asked, so tables that measure a cell then
    draw it wrap it once."""

    def __init__(self, parts: Sequence[Line], font_size: float, leading: float, align_right: bool = False):
        super().__init__()
        self._parts = [part for part in parts if part.text] or [Line("—")]
        self._font_size, self._leading, self._align_right = font_size, leading, align_right
        self._lines: list[tuple[str, str, colors.Color]] = []
        self._wrapped_for: float | None = None

    def _font(self, part: Line) -> str:
        register_fonts()
        if part.italic:
            return "DejaVuSans-BoldOblique" if part.bold else FONT_ITALIC
        return FONT_BOLD if part.bold else FONT

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab API)
        if self._wrapped_for != availWidth:
            self._lines = [
                (line, font, part.colour)
                for part in self._parts
                for font in (self._font(part),)
                for line in _wrapped(visual_order(part.text), font, self._font_size, availWidth)
            ]
            self._wrapped_for = availWidth
        self.width, self.height = availWidth, len(self._lines) * self._leading
        return self.width, self.height

    def minWidth(self) -> float:  # noqa: N802 (reportlab API)
        return max(
            (
                stringWidth(word, self._font(part), self._font_size)
                for part in self._parts
                for word in part.text.split()
            ),
            default=0,
        )

    def draw(self) -> None:
        text = self.canv.beginText()
        self.draw_into(text, 0, 0)
        self.canv.drawText(text)

    def draw_into(self, text: PDFTextObject, x: float, y: float) -> None:
        """Into a text object begun by the caller, the cell's bottom left corner at (x, y): one text
        object can hold a whole page of cells (wrap first)."""
        # The first baseline sits as a Paragraph's does: the font's size below the top.
        baseline = y + self.height - self._font_size
        font = colour = None
        for line, line_font, line_colour in self._lines:
            if line_font != font:
                text.setFont(line_font, self._font_size, self._leading)
                font = line_font
            if line_colour != colour:
                text.setFillColor(line_colour)
                colour = line_colour
            offset = self.width - _text_width(line, line_font, self._font_size) if self._align_right else 0
            text.setTextOrigin(x + offset, baseline)
            text.textOut(line)
            baseline -= self._leading


@lru_cache(maxsize=32768)
def _text_width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


# A listing repeats its labels (states, channels, dates) in every row: each is wrapped once.
@lru_cache(maxsize=32768)
def _wrapped(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """`text` on lines no wider than `width`: broken between words; a longer word cut by characters."""
    lines: list[str] = []
    for line in simpleSplit(text, font, size, width) or [""]:
        while len(line) > 1 and stringWidth(line, font, size) > width:
            low, high = 1, len(line) - 1  # the longest start that fits (at least one character)
            while low < high:
                middle = (low + high + 1) // 2
                if stringWidth(line[:middle], font, size) <= width:
                    low = middle
                else:
                    high = middle - 1
            lines.append(line[:low])
            line = line[low:]
        lines.append(line)
    return tuple(lines)


def fit_widths(
    headers: Sequence[str],
    widths: Sequence[float | None],
    style: ParagraphStyle,
    padding: float,
    total: float = CONTENT_WIDTH,
) -> list[float]:
    """Column widths in which a header wraps only between words: each column at least as wide as its
    header's longest word in `style` plus the cells' `padding` (left and right); the columns given as
    None share what is left of `total`."""
    need = [
        max((stringWidth(word, style.fontName, style.fontSize) for word in str(h).split()), default=0)
        + padding
        for h in headers
    ]
    fixed = [None if w is None else max(w, n) for w, n in zip(widths, need, strict=True)]
    share = (total - sum(w for w in fixed if w is not None)) / max(1, fixed.count(None))
    return [max(share, n) if w is None else w for w, n in zip(fixed, need, strict=True)]


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float | None] | None = None,
    right_aligned: Sequence[int] = (),
    *,
    compact: bool = False,
) -> Table:
    """A table with a repeated header row; cells are escaped plain text (or ready flowables).

    `widths`: None for the columns that share the rest of the frame (all of them by default); no column
    is narrower than its header's longest word (`fit_widths`). `compact`: smaller headers and less
    padding, for many narrow numeric columns.
    """
    sheet = stylesheet()
    padding = 3 if compact else 6
    head_style = "Head" if compact else "CellBold"

    def cell(value: object, column: int, style: str = "Cell") -> object:
        if isinstance(value, Flowable):
            return value
        if column in right_aligned:
            style += "Right"
        return Paragraph(escape(value), sheet[style])

    body = [[cell(h, i, head_style) for i, h in enumerate(header)]]
    body += [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    head = cast(ParagraphStyle, sheet[head_style])
    widths = fit_widths(header, widths or [None] * len(header), head, 2 * padding)
    table = Table(body, colWidths=widths, repeatRows=1)
    table.hAlign = "LEFT"
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), padding),
                ("RIGHTPADDING", (0, 0), (-1, -1), padding),
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


def clip_text(text: str, font: str, size: float, width: float) -> str:
    """`text` cut with an ellipsis so it fits `width` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def fit_lines(
    text: str, font: str, size: float, smallest: float, width: float, lines: int
) -> tuple[float, list[str]]:
    """`text` set within `width` points: on one line at `size`, or shrunk down to `smallest`, else wrapped
    between words at `smallest` into at most `lines` lines, the last one cut with "…" when even that
    is not enough. Returns the font size and the lines."""
    steps = int((size - smallest) * 2)
    for step in range(steps + 1):
        if stringWidth(text, font, size - step / 2) <= width:
            return size - step / 2, [text]
    wrapped = simpleSplit(text, font, smallest, width)
    kept = wrapped[: lines - 1] + [" ".join(wrapped[lines - 1 :])]
    return smallest, [clip_text(line, font, smallest, width) for line in kept]


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
        # A long company name or title shrinks, then wraps to a second line, never past the margin.
        room = width - MARGIN - text_x
        size, lines = fit_lines(visual_order(head.company), FONT_BOLD, 11, 8, room, 2)
        canvas.setFont(FONT_BOLD, size)
        canvas.setFillColor(ACCENT)
        for n, line in enumerate(lines):  # the last line on the usual baseline, the others above it
            canvas.drawString(text_x, height - 16 * mm + (len(lines) - 1 - n) * size * 1.15, line)
        size, lines = fit_lines(visual_order(head.title), FONT, 8.5, 7, room, 2)
        canvas.setFont(FONT, size)
        canvas.setFillColor(MUTED)
        for n, line in enumerate(lines):  # downwards from the usual baseline, above the rule
            canvas.drawString(text_x, height - 21 * mm - n * size * 1.15, line)
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
