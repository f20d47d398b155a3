"""Reading a file to import: CSV text or a workbook (XLSX, XLS, ODS), row by row.

CSV: the encoding is found strictly — UTF-8 with a BOM, else UTF-8 if every byte of the file decodes as
UTF-8, else Windows-1252 (what Excel in Spanish saves); a generic guesser called a Spanish file cp1250
in a trial, so none is used. The delimiter (`;`, `,` or tab) is the one that splits the first lines
into the same number of columns, the most of them. Rows are read as they are imported, never all at
once: a CSV of a million rows takes the memory of one.

Workbooks are read by python-calamine (openpyxl is ten times slower on big sheets): the cached values
of formulas, dates as dates, numbers as numbers. calamine holds one sheet in its own compact memory;
its rows become Python values one at a time.

The header row is the one among the first rows that names the most columns the import knows (title
rows above it are skipped), or the one given. Row numbers are those a spreadsheet program shows
(1-based), in messages and in the error file.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from app.i18n import _, format_number
from app.services.errors import DomainError
from app.services.imports.values import header_key, is_blank, parse_text

if TYPE_CHECKING:
    from app.services.imports.formats import ColumnFormat

MAX_ROWS = 1_000_000
# A longer line is not a table row (a binary file, a dump); it is refused before the csv module sees it.
MAX_LINE_CHARS = 1_000_000
HEADER_SEARCH_ROWS = 30
_SNIFF_CHARS = 64 * 1024
_CHUNK_BYTES = 1 << 20
_DELIMITERS = (";", ",", "\t")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
# The directory entry of the stream an encrypted Office file keeps its workbook in (UTF-16 name).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFileError(DomainError):
    """The file cannot be imported as it is (unreadable, empty, not a table); nothing was imported."""


class HeaderNotFoundError(ImportFileError):
    """None of the first rows names a column the import knows: the header row must be given (the
    wizard then lets the person choose it and name the columns)."""


@dataclass(frozen=True)
class SourceRow:
    number: int  # 1-based, as a spreadsheet program shows it
    cells: Sequence[object]


@dataclass
class TableSource:
    """A file opened for import: its format, its header, and its data rows to iterate once or more."""

    path: Path
    encoding: str | None  # utf-8, utf-8-sig or cp1252; None for a workbook
    delimiter: str | None  # None for a workbook
    sheet: str | None  # None for CSV
    header_row: int  # 1-based
    headers: list[str]  # each column's name, distinct (distinct_headers): what a mapping names
    _rows: Callable[[], Iterator[SourceRow]] = field(repr=False)
    sheets: tuple[str, ...] = ()  # a workbook's sheet names, in order; () for CSV
    file_headers: list[str] = field(default_factory=list)  # the header row as the file has it
    header_recognised: bool = True  # False: the row was given (or chosen as a kept profile's)

    @property
    def named_headers(self) -> list[str]:
        """The names of the columns whose header cell is not blank (no generated "Column 5")."""
        return [name for name, cell in zip(self.headers, self.file_headers, strict=False) if cell]

    @cached_property
    def formats(self) -> list[ColumnFormat]:
        """Each column's writing of dates and numbers, from its first data rows (read once)."""
        from app.services.imports.formats import DETECT_ROWS, detect_formats

        return detect_formats((row.cells for row in islice(self.rows(), DETECT_ROWS)), len(self.headers))

    def rows(self) -> Iterator[SourceRow]:
        """The data rows after the header, blank rows left out; refused past MAX_ROWS."""
        count = 0
        for row in self._rows():
            if row.number <= self.header_row or all(is_blank(cell) for cell in row.cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise _too_many_rows(self.path)
            yield row


def distinct_headers(cells: Sequence[object]) -> list[str]:
    """A name for each column of a header row, no two alike (as `values.header_key` compares them):
    a blank cell is "Column 5" (its position), a repeated name gets its rank ("Teléfono (2)")."""
    names: list[str] = []
    taken: set[str] = set()
    texts = [parse_text(cell) for cell in cells]
    for position, text in enumerate(texts, start=1):
        base = text or _("Column {number}").format(number=position)
        name, rank = base, 2
        while header_key(name) in taken or (not text and header_key(name) in map(header_key, texts)):
            name, rank = f"{base} ({rank})", rank + 1
        taken.add(header_key(name))
        names.append(name)
    return names


def open_source(
    path: str | Path,
    recognise: Callable[[Sequence[str]], int],
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    prefer: Callable[[list[str]], bool] | None = None,
) -> TableSource:
    """Open `path` for import. `recognise(cells)` says how many cells of a row name a field: the row
    that names most, among the first HEADER_SEARCH_ROWS, is the header unless `header_row` is given,
    or unless `prefer(names)` holds for one of those rows (the first such: a row whose columns a
    person named before, when the header row had to be chosen by hand)."""
    path = Path(path)
    try:
        if not path.is_file():
            raise ImportFileError(_("{path} does not exist or is not a file.").format(path=path))
        if path.stat().st_size == 0:
            raise _empty(path)
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            return _open_workbook(path, recognise, sheet, header_row, prefer)
        if sheet is not None:
            raise ImportFileError(_("{path} is a CSV file: it has no sheets.").format(path=path))
        return _open_csv(path, recognise, header_row, prefer)
    except OSError as exc:
        raise ImportFileError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc


def _empty(path: Path) -> ImportFileError:
    return ImportFileError(_("{path} is empty: there is nothing to import.").format(path=path))


def _too_many_rows(path: Path) -> ImportFileError:
    return ImportFileError(
        _("{path} has more than {limit} rows; split it into smaller files and import each.").format(
            path=path, limit=format_number(MAX_ROWS)
        )
    )


def _choose_header(
    path: Path,
    first_rows: list[SourceRow],
    recognise: Callable[[Sequence[str]], int],
    given: int | None,
    prefer: Callable[[list[str]], bool] | None = None,
) -> tuple[SourceRow, bool]:
    """The header row, and whether it was recognised (not given nor preferred)."""
    if given is not None:
        for row in first_rows:
            if row.number == given:
                return row, False
        raise ImportFileError(
            _("{path} has no row {row} to take the header from.").format(path=path, row=given)
        )
    if prefer is not None:
        for row in first_rows:
            if any(not is_blank(cell) for cell in row.cells) and prefer(distinct_headers(row.cells)):
                return row, False
    best: SourceRow | None = None
    best_count = 0
    for row in first_rows:
        count = recognise([parse_text(cell) for cell in row.cells])
        if count > best_count:
            best, best_count = row, count
    if best is None:
        if not any(not is_blank(cell) for row in first_rows for cell in row.cells):
            raise _empty(path)
        raise HeaderNotFoundError(
            _(
                "{path}: none of its first {count} rows names a column Postventa knows (like Nombre or NIF); "
                "give the header row with --header-row and the columns with --mapping."
            ).format(path=path, count=HEADER_SEARCH_ROWS)
        )
    return best, True


# --- CSV ------------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """utf-8-sig (a BOM), utf-8 (every byte decodes), else cp1252; ImportFileError for a binary file."""
    with path.open("rb") as stream:
        head = stream.read(_SNIFF_CHARS)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportFileError(
                _("{path} is Unicode (UTF-16) text; save it as CSV UTF-8 or CSV and import that.").format(
                    path=path
                )
            )
        if b"\x00" in head:
            raise _not_text(path, head)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        stream.seek(0)
        for encoding in ("utf-8", "cp1252"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := stream.read(_CHUNK_BYTES):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError:
                stream.seek(0)
    raise _not_text(path, head)


def _not_text(path: Path, head: bytes) -> ImportFileError:
    if head.startswith((b"PK\x03\x04", _OLE_MAGIC)):
        return ImportFileError(
            _("{path} is a workbook, not CSV text: give it its real extension (.xlsx, .xls or .ods).").format(
                path=path
            )
        )
    return ImportFileError(
        _("{path} is not a CSV file (it holds binary data, like an image or a program).").format(path=path)
    )


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's lines into the same number of columns most often, the
    most columns on a tie; `;` when nothing splits (a file of one column)."""
    lines = sample.splitlines()[:50]
    best, best_score = ";", (0, 0)
    for delimiter in _DELIMITERS:
        counts = [
            len(cells) for cells in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in cells)
        ]
        widths = [c for c in counts if c > 1]
        if not widths:
            continue
        mode = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _limited_lines(stream: io.TextIOBase, path: Path) -> Iterator[str]:
    while line := stream.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            raise ImportFileError(
                _(
                    "{path} has a line longer than {limit} characters: it is not a table Postventa can import."
                ).format(path=path, limit=format_number(MAX_LINE_CHARS))
            )
        yield line


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[SourceRow]:
    with path.open(encoding=encoding, newline="") as stream:
        reader = csv.reader(_limited_lines(stream, path), delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                yield SourceRow(number, cells)
        except csv.Error as exc:
            raise ImportFileError(
                _("{path}, row {row}: {reason}").format(path=path, row=reader.line_num, reason=exc)
            ) from exc


def _open_csv(
    path: Path,
    recognise: Callable[[Sequence[str]], int],
    header_row: int | None,
    prefer: Callable[[list[str]], bool] | None,
) -> TableSource:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        sample = stream.read(_SNIFF_CHARS)
    if not sample.strip():
        raise _empty(path)
    delimiter = sniff_delimiter(sample)
    search = max(HEADER_SEARCH_ROWS, header_row or 0)
    first_rows = []
    for row in _csv_rows(path, encoding, delimiter):
        first_rows.append(row)
        if len(first_rows) >= search:
            break
    header, recognised = _choose_header(path, first_rows, recognise, header_row, prefer)
    return TableSource(
        path,
        encoding,
        delimiter,
        None,
        header.number,
        distinct_headers(header.cells),
        lambda: _csv_rows(path, encoding, delimiter),
        file_headers=[parse_text(cell) for cell in header.cells],
        header_recognised=recognised,
    )


# --- workbooks ------------------------------------------------------------------------------------------


def _open_workbook(
    path: Path,
    recognise: Callable[[Sequence[str]], int],
    sheet: str | None,
    header_row: int | None,
    prefer: Callable[[list[str]], bool] | None,
) -> TableSource:
    from python_calamine import CalamineError, PasswordError, load_workbook

    with path.open("rb") as stream:
        head = stream.read(_SNIFF_CHARS)
    if head.startswith(_OLE_MAGIC) and _holds_encrypted_package(path):
        raise _password_protected(path)
    try:
        workbook = load_workbook(path)
        name = _sheet_name(path, workbook, sheet)
        data = workbook.get_sheet_by_name(name)
    except PasswordError as exc:
        raise _password_protected(path) from exc
    except (
        CalamineError,
        ValueError,
        OSError,
    ) as exc:  # calamine: ValueError for a file of no format it knows
        if not head.strip(b"\x00\r\n\t "):
            raise _empty(path) from exc
        raise ImportFileError(
            _(
                "{path} cannot be read as a workbook ({reason}); open it in your spreadsheet program and save it again."
            ).format(path=path, reason=" ".join(str(exc).split())[:160])
        ) from exc
    if data.end is None:
        raise _empty(path)
    if data.end[0] + 1 > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise _too_many_rows(path)

    def rows() -> Iterator[SourceRow]:
        for index, cells in enumerate(data.iter_rows()):  # absolute rows: index 0 is row 1
            yield SourceRow(index + 1, cells)

    search = max(HEADER_SEARCH_ROWS, header_row or 0)
    first_rows = []
    for row in rows():
        first_rows.append(row)
        if len(first_rows) >= search:
            break
    header, recognised = _choose_header(path, first_rows, recognise, header_row, prefer)
    for (first_row, _c1), (last_row, _c2) in data.merged_cell_ranges or []:
        if last_row + 1 >= header.number:
            raise ImportFileError(
                _(
                    "{path}: the sheet {sheet} has merged cells in its table (rows {first} to {last}); "
                    "unmerge them, fill in each cell and import it again."
                ).format(path=path, sheet=name, first=first_row + 1, last=last_row + 1)
            )
    return TableSource(
        path,
        None,
        None,
        name,
        header.number,
        distinct_headers(header.cells),
        rows,
        tuple(workbook.sheet_names),
        file_headers=[parse_text(c) for c in header.cells],
        header_recognised=recognised,
    )


def _holds_encrypted_package(path: Path) -> bool:
    """An OLE file (an old .xls, or an encrypted .xlsx) with an EncryptedPackage stream: password-protected."""
    overlap = len(_ENCRYPTED_PACKAGE) - 1
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            if _ENCRYPTED_PACKAGE in tail + chunk:
                return True
            tail = chunk[-overlap:]
    return False


def _password_protected(path: Path) -> ImportFileError:
    return ImportFileError(
        _("{path} is protected with a password; save a copy without the password and import that.").format(
            path=path
        )
    )


def _sheet_name(path: Path, workbook, wanted: str | None) -> str:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    names = list(workbook.sheet_names)
    if wanted is not None:
        for name in names:
            if name == wanted:
                return name
        for name in names:
            if name.casefold() == wanted.casefold():
                return name
        raise ImportFileError(
            _("{path} has no sheet named {sheet}; its sheets are: {sheets}.").format(
                path=path, sheet=wanted, sheets=", ".join(names)
            )
        )
    for meta in workbook.sheets_metadata:
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
            return meta.name
    if not names:
        raise _empty(path)
    return names[0]
