"""Printing a PDF: the system's print dialog, then each page drawn on the printer with QPainter.

The pages are rendered by QtPdf at the printer's resolution (capped, so a 1200 dpi printer does
not need gigabytes for one page) and drawn at their real size on the paper: a document that
already has its own margins is printed 1:1, not shrunk into the printer's margins.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from app.i18n import _

# Above this, rendered pages get very large for no visible gain.
MAX_RENDER_DPI = 300


def new_printer(document: QPdfDocument, title: str) -> QPrinter:
    """A printer set up for `document`: its paper size and orientation, its name, all pages."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFullPage(True)
    if document.pageCount() > 0:
        size = document.pagePointSize(0)
        orientation = (
            QPageLayout.Orientation.Landscape
            if size.width() > size.height()
            else QPageLayout.Orientation.Portrait
        )
        portrait = size.transposed() if size.width() > size.height() else size
        printer.setPageSize(
            QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
        )
        printer.setPageOrientation(orientation)
        printer.setFromTo(1, document.pageCount())
        printer.setPrintRange(QPrinter.PrintRange.AllPages)
    return printer


def exec_print_dialog(printer: QPrinter, parent: QWidget | None, page_count: int) -> bool:
    """The system's print dialog; True when the user pressed Print. Tests replace this function."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print"))
    dialog.setMinMax(1, max(1, page_count))
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, True)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintSelection, False)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintCurrentPage, False)
    return dialog.exec() == QDialog.DialogCode.Accepted


def pages_to_print(printer: QPrinter, page_count: int) -> list[int]:
    """The 0-based pages the user asked for (all of them unless a range was chosen)."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(page_count, printer.toPage() or page_count)
        return list(range(first - 1, last))
    return list(range(page_count))


def render_to_printer(document: QPdfDocument, printer: QPrinter, pages: list[int] | None = None) -> int:
    """Draw `pages` (default: all) of `document` on `printer`; returns how many were printed."""
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise OSError(_("There is no document to print."))
    pages = list(range(document.pageCount())) if pages is None else pages
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(_("The printer could not be started."))
    try:
        dpi = printer.resolution()
        render_dpi = min(dpi, MAX_RENDER_DPI)
        for index, page in enumerate(pages):
            if index > 0 and not printer.newPage():
                raise OSError(_("The printer refused a new page."))
            points = document.pagePointSize(page)
            # The page at its real size in printer pixels, shrunk only if the paper is smaller.
            target = painter.viewport()
            width, height = points.width() * dpi / 72, points.height() * dpi / 72
            scale = min(1.0, target.width() / width, target.height() / height)
            width, height = width * scale, height * scale
            rect = QRectF(
                target.x() + (target.width() - width) / 2,
                target.y() + (target.height() - height) / 2,
                width,
                height,
            )
            image = document.render(
                page,
                QSize(
                    round(points.width() * render_dpi / 72 * scale),
                    round(points.height() * render_dpi / 72 * scale),
                ),
            )
            painter.drawImage(rect, image)
    finally:
        painter.end()
    return len(pages)


def print_pdf(parent: QWidget | None, document: QPdfDocument, title: str) -> bool:
    """Ask where to print (the system's dialog), then print; False when the user cancelled."""
    printer = new_printer(document, title)
    if not exec_print_dialog(printer, parent, document.pageCount()):
        return False
    render_to_printer(document, printer, pages_to_print(printer, document.pageCount()))
    return True
