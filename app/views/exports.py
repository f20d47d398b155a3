"""Export… on every list page: ask for the file, write it in the background, say where it went.

A page builds the table from what it shows (its filters, in the service's words) and hands it here:

    export_list(self, ListKind.RETURNS, lambda: exports.returns_table(filters, today))

The Save dialog starts in the Documents folder (then where the last export went), offers an Excel
workbook or a CSV file, and asks before replacing a file. The export runs in the background with a
progress dialog that can cancel it (app.outputs leaves no file then); a failure goes to the one error
dialog; on success a message says how many rows went to which file. The table is built in the pool
thread: nothing queries the database on the UI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton, QWidget

from app.i18n import N_, _, format_number, ngettext
from app.views import dialogs
from app.views.errors import show_error
from app.views.tasks import TaskProgress, run_in_background

if TYPE_CHECKING:
    # Imported with the first export (issue 19): the writers are not on the way to the first page.
    from app.services.exports import ExportFormat, ExportResult, ListKind, Table

SHORTCUT = "Ctrl+E"
# Each file type's name and its ExportFormat's code.
FILE_TYPES = (
    (N_("Excel workbooks (*.xlsx)"), "xlsx"),
    (N_("CSV files for spreadsheets, separated by semicolons (*.csv)"), "csv"),
)

_last_folder: Path | None = None  # where the last export went, for the next Save dialog


def export_button(parent: QWidget | None = None) -> QPushButton:
    """The pages' Export… button."""
    button = QPushButton(_("Export…"), parent)
    button.setToolTip(
        _(
            "Save this list, every row with the current filters, as an Excel workbook or a CSV file ({key})"
        ).format(key=SHORTCUT)
    )
    return button


def inform(parent: QWidget | None, text: str, title: str) -> None:
    """The message after an export (tests replace it)."""
    dialogs.inform(parent, text, title)


def ask_export_file(parent: QWidget | None, kind: ListKind) -> tuple[Path, ExportFormat] | None:
    """The Save dialog (tests replace QFileDialog.getSaveFileName): the file and its format, or None."""
    from app.services.exports import ExportFormat
    from app.views.reports.page import documents_folder

    folder = _last_folder if _last_folder is not None and _last_folder.is_dir() else documents_folder()
    suggested = folder / f"{kind.label} {dt.date.today().isoformat()}{ExportFormat.XLSX.extension}"
    types = [(_(name), ExportFormat(code).extension) for name, code in FILE_TYPES]
    answer = dialogs.ask_save_file_of_types(parent, caption(kind), suggested, types)
    if answer is None:
        return None
    path, extension = answer
    return path, ExportFormat(extension.lstrip("."))


def caption(kind: ListKind) -> str:
    return _("Export “{list}”").format(list=kind.label)


def export_list(
    parent: QWidget, kind: ListKind, build: Callable[[], Table], *, language: str | None = None
) -> TaskProgress | None:
    """Ask for the file and export `build()`'s table to it in the background, in `language` (None:
    the window's); None when the user cancelled the Save dialog."""
    answer = ask_export_file(parent, kind)
    if answer is None:
        return None
    path, export_format = answer
    title = caption(kind)

    def op(progress: TaskProgress) -> ExportResult:
        from app.services import exports

        # The Save dialog has asked before an existing file is replaced.
        return exports.export_list(
            build, path, export_format, force=True, progress=progress.report, language=language
        )

    def done(result: ExportResult) -> None:
        global _last_folder
        _last_folder = result.path.parent
        inform(
            parent,
            ngettext("{count} row exported to {path}", "{count} rows exported to {path}", result.rows).format(
                count=format_number(result.rows), path=result.path
            ),
            title,
        )

    def failed(exc: BaseException) -> None:
        show_error(parent, exc)

    # Cancelled, nothing was written: app.outputs removed the temporary file.
    return run_in_background(
        op,
        done,
        failed,
        label=_("Exporting “{list}”…").format(list=kind.label),
        parent=parent,
        cancellable=True,
    )
