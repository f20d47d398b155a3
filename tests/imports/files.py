"""Files as Spanish companies' programs save them, written by the import tests.

CSV in Windows-1252 with CRLF and title rows above the header (what Excel in Spanish saves as "CSV"),
or UTF-8 with a BOM; XLSX written with openpyxl (real date and number cells, merged title cells).
The workbooks a real spreadsheet program saved (LibreOffice) are committed under tests/data/.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "cp1252",
    delimiter: str = ";",
    titles: Sequence[str] = (),
) -> Path:
    """`rows` (the header first) as CSV with CRLF line ends, after `titles` (one cell each) and a blank line."""
    lines = [*titles, *([""] if titles else [])]
    lines += [delimiter.join("" if cell is None else str(cell) for cell in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], *, sheet: str = "Hoja1", titles: Sequence[str] = ()
) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    table = book.active
    table.title = sheet
    for title in titles:
        table.append([title])
    if titles:
        table.append([])
    for row in rows:
        table.append(list(row))
    book.save(path)
    return path
