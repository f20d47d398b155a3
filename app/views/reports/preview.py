"""A PDF shown inside the window (QtPdf): page navigation, zoom, and a dialog around it.

`PdfPreviewWidget` is the Reports page's preview; `PdfPreviewDialog.show_pdf(parent, path, title,
file_name)` shows any produced PDF (the charter editor's "Preview PDF") with Print… and, given a file
name, Save as… beside it; `show_built_pdf` builds a document (a return receipt, a check record) into a
temporary folder and shows it there. The dialog fits the screen it opens on.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import outputs
from app.i18n import _, format_percent
from app.views.dialogs import BaseDialog, ask_save_file, documents_folder
from app.views.screens import FRAME_ALLOWANCE, available_area, fit_into

# Zoom steps of the "+" and "−" buttons (1.0 = the page at its printed size).
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
# The dialog's size where the screen has room for it (an A4 page at a readable width).
PREFERRED_SIZE = QSize(820, 900)


def ask_save_path(parent: QWidget | None, suggested: Path) -> Path | None:
    """The system's Save dialog (".pdf" added; an existing file asked about); None when cancelled.
    Tests replace QFileDialog.getSaveFileName."""
    return ask_save_file(parent, _("Save the document"), suggested, _("PDF documents (*.pdf)"), ".pdf")


def save_pdf_copy(parent: QWidget | None, source: Path, target: Path) -> Path | None:
    """Copy the shown PDF to `target` through app.outputs (never over the database, a temporary file
    renamed; the user agreed to replace an existing file in the Save dialog); the path written, or
    None after the error was shown."""
    from app.views.operations import perform

    saved = perform(
        parent,
        lambda: outputs.write_output(
            target, ".pdf", lambda temporary: shutil.copyfile(source, temporary), force=True
        ),
    )
    return saved.value if saved else None


class PdfPreviewWidget(QWidget):
    """A PDF file shown page after page, with "Page x of y", previous/next and zoom controls."""

    page_changed = Signal(int)  # the 0-based page at the top of the view
    document_loaded = Signal(int)  # number of pages

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # The view renders pages in a thread of its own: it is made (and so destroyed) before any
        # document, and each new file gets a new document, so the thread never reads a closed one.
        self._view = QPdfView(self)
        self._document = QPdfDocument(self)
        self._path: Path | None = None

        self._view.setPageMode(QPdfView.PageMode.MultiPage)
        self._view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._view.setDocument(self._document)
        self._view.setStyleSheet("QPdfView { background: palette(mid); }")

        self._previous = self._tool_button("◀", _("Previous page (Page Up)"))
        self._next = self._tool_button("▶", _("Next page (Page Down)"))
        self._page = QSpinBox()
        self._page.setMinimum(1)
        self._page.setMaximum(1)
        self._page.setKeyboardTracking(False)
        self._page.setToolTip(_("Go to page"))
        self._page_of = QLabel()
        self._fit_width = self._tool_button(_("Fit width"), _("Fit the page to the width of the view"))
        self._fit_width.setCheckable(True)
        self._zoom_out = self._tool_button("−", _("Zoom out (Ctrl+-)"))
        self._zoom_in = self._tool_button("+", _("Zoom in (Ctrl++)"))
        self._zoom_label = QLabel()
        self._zoom_label.setMinimumWidth(48)
        self._zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self._previous)
        bar.addWidget(QLabel(_("Page")))
        bar.addWidget(self._page)
        bar.addWidget(self._page_of)
        bar.addWidget(self._next)
        bar.addStretch(1)
        bar.addWidget(self._zoom_out)
        bar.addWidget(self._zoom_label)
        bar.addWidget(self._zoom_in)
        bar.addWidget(self._fit_width)
        self._bar = QWidget()
        self._bar.setLayout(bar)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._bar)
        layout.addWidget(self._view, 1)

        self._previous.clicked.connect(self.previous_page)
        self._next.clicked.connect(self.next_page)
        self._page.valueChanged.connect(self._on_page_value_changed)
        self._fit_width.clicked.connect(self.fit_width)
        self._zoom_in.clicked.connect(self.zoom_in)
        self._zoom_out.clicked.connect(self.zoom_out)
        self._view.pageNavigator().currentPageChanged.connect(self._on_navigator_current_page_changed)
        self._view.zoomFactorChanged.connect(self._update_controls)
        self._view.zoomModeChanged.connect(self._update_controls)
        self._document.statusChanged.connect(self._on_document_status_changed)
        for sequence, slot in (
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            ("Ctrl+=", self.zoom_in),
            (Qt.Key.Key_PageDown, self.next_page),
            (Qt.Key.Key_PageUp, self.previous_page),
            (Qt.Key.Key_Home, lambda: self.go_to_page(0)),
            (Qt.Key.Key_End, lambda: self.go_to_page(self.page_count - 1)),
        ):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._resized = QTimer(self)
        self._resized.setSingleShot(True)
        self._resized.setInterval(0)
        self._resized.timeout.connect(self._update_controls)
        self._update_controls()

    @staticmethod
    def _tool_button(text: str, tooltip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tooltip)
        button.setAutoRaise(True)
        return button

    # --- the document --------------------------------------------------------------------------

    def load(self, path: str | Path) -> None:
        """Show the PDF at `path` from its first page; OSError when it cannot be read as a PDF."""
        path = Path(path)
        document = QPdfDocument(self)
        if document.load(str(path)) != QPdfDocument.Error.None_:
            document.deleteLater()
            raise OSError(_("The PDF file {path} could not be opened.").format(path=path))
        self._switch_to(document)
        self._path = path
        self._view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.go_to_page(0)
        self._update_controls()
        self.document_loaded.emit(self.page_count)

    def clear(self) -> None:
        """Show nothing (and let go of the file)."""
        self._switch_to(QPdfDocument(self))
        self._path = None
        self._update_controls()

    def _switch_to(self, document: QPdfDocument) -> None:
        """Show `document`; the previous one is closed only once the view's render thread has let go of it."""
        previous = self._document
        self._document = document
        document.statusChanged.connect(self._on_document_status_changed)
        self._view.setDocument(document)  # waits for a page being rendered from the previous one
        previous.statusChanged.disconnect(self._on_document_status_changed)
        previous.close()
        previous.deleteLater()

    @property
    def document(self) -> QPdfDocument:
        return self._document

    @property
    def view(self) -> QPdfView:
        return self._view

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def page_count(self) -> int:
        return self._document.pageCount() if self._path is not None else 0

    @property
    def is_ready(self) -> bool:
        return self._path is not None and self._document.status() == QPdfDocument.Status.Ready

    # --- pages -----------------------------------------------------------------------------------

    @property
    def current_page(self) -> int:
        """0-based."""
        return self._view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        if self.page_count == 0:
            return
        page = max(0, min(page, self.page_count - 1))
        navigator = self._view.pageNavigator()
        navigator.jump(page, QPointF(), navigator.currentZoom())
        self._update_controls()

    def next_page(self) -> None:
        self.go_to_page(self.current_page + 1)

    def previous_page(self) -> None:
        self.go_to_page(self.current_page - 1)

    def page_text(self) -> str:
        """ "Page x of y" as the bar shows it."""
        if self.page_count == 0:
            return ""
        return _("Page {page} of {pages}").format(page=self.current_page + 1, pages=self.page_count)

    # --- zoom -------------------------------------------------------------------------------------

    @property
    def zoom_factor(self) -> float:
        return self._view.zoomFactor()

    def effective_zoom(self) -> float:
        """The zoom really shown: in "fit width" mode, the page width over its printed width."""
        if not self.fits_width or self.page_count == 0:
            return self._view.zoomFactor()
        margins = self._view.documentMargins()
        available = self._view.viewport().width() - margins.left() - margins.right()
        printed = self._document.pagePointSize(self.current_page).width() * self._view.logicalDpiX() / 72
        return available / printed if printed > 0 and available > 0 else self._view.zoomFactor()

    @property
    def fits_width(self) -> bool:
        return self._view.zoomMode() == QPdfView.ZoomMode.FitToWidth

    def fit_width(self) -> None:
        self._view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._update_controls()

    def zoom_in(self) -> None:
        current = self.effective_zoom()
        self._set_zoom(next((z for z in ZOOM_STEPS if z > current + 0.001), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        current = self.effective_zoom()
        self._set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < current - 0.001), ZOOM_STEPS[0]))

    def _set_zoom(self, factor: float) -> None:
        self._view.setZoomMode(QPdfView.ZoomMode.Custom)
        self._view.setZoomFactor(factor)
        self._update_controls()

    # --- slots ------------------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        # In "fit width" the zoom shown follows the width, once the view has its new size.
        self._resized.start()

    def _on_page_value_changed(self, value: int) -> None:
        if value - 1 != self.current_page:
            self.go_to_page(value - 1)

    def _on_navigator_current_page_changed(self, page: int) -> None:
        self._update_controls()
        self.page_changed.emit(page)

    def _on_document_status_changed(self, *args) -> None:
        self._update_controls()

    def _update_controls(self, *args) -> None:
        pages = self.page_count
        page = self.current_page
        self._page.blockSignals(True)
        self._page.setMaximum(max(1, pages))
        self._page.setValue(page + 1 if pages else 1)
        self._page.blockSignals(False)
        self._page_of.setText(_("of {pages}").format(pages=pages) if pages else "")
        self._page.setEnabled(pages > 1)
        self._previous.setEnabled(pages > 0 and page > 0)
        self._next.setEnabled(pages > 0 and page < pages - 1)
        for widget in (self._zoom_in, self._zoom_out, self._fit_width):
            widget.setEnabled(pages > 0)
        self._fit_width.setChecked(self.fits_width)
        self._zoom_label.setText(format_percent(self.effective_zoom(), 0) if pages else "")


class PdfPreviewDialog(BaseDialog):
    """A produced PDF in a window of its own, with Print…, Save as… (given a file name) and Close;
    as large as the screen allows, never larger."""

    ASKS_BEFORE_DISCARDING = False  # zoom and page are no typed data

    def __init__(self, parent: QWidget | None = None, title: str | None = None, file_name: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title or _("PDF preview"))
        self._file_name = file_name
        self._last_saved: Path | None = None
        area = available_area(self)
        self.resize(
            min(PREFERRED_SIZE.width(), area.width()),
            min(PREFERRED_SIZE.height(), area.height() - FRAME_ALLOWANCE),
        )
        self._preview = PdfPreviewWidget(self)
        self._print_button = QPushButton(_("Print…"))
        self._print_button.setToolTip(_("Print the document (Ctrl+P)"))
        self._save_button = QPushButton(_("Save as…"))
        self._save_button.setToolTip(_("Save the document as a PDF file (Ctrl+Shift+S)"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self._print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self._save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self._save_button.setVisible(file_name is not None)  # after addButton, which shows it
        buttons.rejected.connect(self.reject)
        self._buttons = buttons
        self._print_button.clicked.connect(self.print_document)
        self._save_button.clicked.connect(self.save_as)
        QShortcut(QKeySequence.StandardKey.Print, self).activated.connect(self.print_document)
        if file_name is not None:
            QShortcut(QKeySequence("Ctrl+Shift+S"), self).activated.connect(self.save_as)
        layout = QVBoxLayout(self)
        layout.addWidget(self._preview, 1)
        layout.addWidget(buttons)

    @property
    def preview(self) -> PdfPreviewWidget:
        return self._preview

    @property
    def button_box(self) -> QDialogButtonBox:
        return self._buttons

    @property
    def print_button(self) -> QPushButton:
        return self._print_button

    @property
    def save_button(self) -> QPushButton:
        return self._save_button

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)  # the remembered geometry, which may come from a larger screen
        fit_into(self, available_area(self))

    def load(self, path: str | Path) -> None:
        self._preview.load(path)
        self._print_button.setEnabled(self._preview.page_count > 0)
        self._save_button.setEnabled(self._preview.page_count > 0)

    def save_as(self) -> Path | None:
        """Ask for a file name (in the Documents folder at first) and copy the document there."""
        if self._file_name is None or self._preview.path is None or self._preview.page_count == 0:
            return None
        folder = self._last_saved.parent if self._last_saved is not None else documents_folder()
        target = ask_save_path(self, folder / self._file_name)
        if target is None:
            return None
        saved = save_pdf_copy(self, self._preview.path, target)
        if saved is not None:
            self._last_saved = saved
        return saved

    def print_document(self) -> bool:
        """The system's print dialog, then the pages to the chosen printer; False when cancelled."""
        from app.views.operations import perform
        from app.views.reports.print import print_pdf

        if self._preview.page_count == 0:
            return False
        done = perform(self, lambda: print_pdf(self, self._preview.document, self.windowTitle()))
        return bool(done.value) if done else False

    @classmethod
    def show_pdf(
        cls, parent: QWidget | None, path: str | Path, title: str | None = None, file_name: str | None = None
    ) -> None:
        """Show the PDF at `path` until the user closes the window (errors go to show_error); with
        `file_name`, Save as… offers to keep a copy under that name."""
        from app.views.errors import show_error

        dialog = cls(parent, title, file_name)
        try:
            dialog.load(path)
        except OSError as exc:
            show_error(parent, exc)
            dialog.deleteLater()
            return
        dialog.exec()
        dialog.preview.clear()
        dialog.deleteLater()


def show_built_pdf(
    parent: QWidget | None, build: Callable[[Path], object], title: str, file_name: str
) -> bool:
    """Build a one-page document into a temporary folder (`build(path)` writes the PDF there; errors
    shown), then show it in the preview with Print… and Save as… until the user closes it; the
    temporary folder goes afterwards. False when the document could not be built."""
    from app.views.operations import perform

    folder = Path(tempfile.mkdtemp(prefix="postventa-document-"))
    try:
        path = folder / "document.pdf"  # the suggested name (user data in it) is only suggested
        if not perform(parent, lambda: build(path)):
            return False
        PdfPreviewDialog.show_pdf(parent, path, title, file_name)
        return True
    finally:
        shutil.rmtree(folder, ignore_errors=True)
