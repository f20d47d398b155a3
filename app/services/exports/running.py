"""Writing a list to a file: XLSX or CSV, through app.outputs. No Qt.

    export_list(lambda: lists.customers_table("garcía"), "clientes", ExportFormat.XLSX)

The extension is added when missing, the open database and any SQLite file are never written over,
an existing file is replaced only with `force` (the window asks first; the command line's --force),
and the file is written to a temporary file renamed at the end: a failure or a cancelled export
leaves nothing half-written. The refusal comes before any query: the table is built only once the
target is accepted. The Customers page and `postventa export` call the same function.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.i18n import current_language, using_language
from app.outputs import resolve_output, write_output
from app.services.exports.delimited import write_csv
from app.services.exports.tables import Table
from app.services.exports.xlsx import write_xlsx


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"

    @property
    def extension(self) -> str:
        return "." + self.value


@dataclass(frozen=True)
class ExportResult:
    path: Path  # as written, with its extension
    rows: int
    title: str  # the list's title, in the language it was written in


def export_list(
    build: Callable[[], Table],
    path: str | os.PathLike,
    format: ExportFormat,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    language: str | None = None,
) -> ExportResult:
    """Write the table `build()` makes to `path` as `format`; returns where, how many rows, which list.

    Titles, labels, numbers and dates are in `language` (None: the current one). OutputError (a
    DomainError) when the file may not be written, before `build` runs; whatever `progress(done,
    total)` raises (a cancelled task) stops the export and leaves no file.
    """
    format = ExportFormat(format)
    resolve_output(path, format.extension, force=force)  # refused before any query
    written: list[tuple[int, str]] = []

    def produce(temporary: Path) -> None:
        with using_language(language or current_language()):
            table = build()
            writer = write_xlsx if format is ExportFormat.XLSX else write_csv
            written.append((writer(table, temporary, progress), table.title))

    target = write_output(path, format.extension, produce, force=force)
    rows, title = written[0]
    return ExportResult(target, rows, title)
