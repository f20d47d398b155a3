"""The Reports page and the PDF preview dialog as `postventa screenshots` shows them.

The page gets a `generated` view (this month's activity report); the dialog shows the same document
produced on the spot into a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app import documents
from app.documents import DocumentKind, DocumentRequest
from app.i18n import _, current_language
from app.views.pages.base import AppContext


def wait_for_rendering(milliseconds: int = 500) -> None:
    """Let QtPdf render the visible pages (it does so off the UI thread) before a picture is taken."""
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def generate_for_screenshot(page) -> None:
    """This month's activity report for everyone, generated and shown in the page."""
    page.select_kind(DocumentKind.ACTIVITY)
    page.select_period("this_month")
    page.rep_combo.setCurrentIndex(0)
    if page.generate():
        app = QApplication.instance()
        for _round in range(3):
            app.processEvents()
            QThreadPool.globalInstance().waitForDone(60000)
            app.processEvents()
        wait_for_rendering()


def preview_dialog_for(request: DocumentRequest, today: dt.date, title: str) -> QWidget:
    """A PdfPreviewDialog showing `request`, produced into a temporary folder."""
    from app.views.reports.preview import PdfPreviewDialog

    folder = Path(tempfile.mkdtemp(prefix="postventa-screens-"))
    path = documents.produce_document(request, folder / "document.pdf", today=today)
    dialog = PdfPreviewDialog(None, title)
    dialog.destroyed.connect(lambda *args: shutil.rmtree(folder, ignore_errors=True))
    dialog.load(path)
    dialog.show()
    wait_for_rendering()
    return dialog


def reports_dialog_builders(
    context: AppContext, today: dt.date | None = None
) -> list[tuple[str, Callable[[], QWidget]]]:
    """(file name, factory) of the preview dialog on this month's activity report."""
    day = today or dt.date.today()
    request = DocumentRequest(
        DocumentKind.ACTIVITY, language=current_language(), start=day.replace(day=1), end=day
    )
    return [("dialog-pdf-preview", lambda: preview_dialog_for(request, day, _("PDF preview")))]
