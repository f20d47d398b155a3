"""Running an import: every row read, checked and written inside one write transaction.

The real import commits the valid rows together and skips the rejected ones; a process killed halfway
leaves nothing of it (the transaction never committed). A dry run does all the same work and rolls
it back, so its counts are the ones the import would give. Each row's outcome is counted once:
created, updated, unchanged or rejected (with its reasons, in the current language); the rejected
rows, as they were in the file, are kept for the error file to fix and import again.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Protocol

from app.i18n import _
from app.models.dialect import large_page_cache, refresh_statistics
from app.outputs import resolve_output, write_output
from app.services.errors import ValidationError
from app.services.followups import placement
from app.services.imports.fields import (
    ColumnMap,
    FieldSpec,
    ImportKind,
    MappingError,
    ValueType,
    column_index,
    fields_of,
    headers_key,
    map_columns,
    recognised_count,
)
from app.services.imports.formats import DateFormat, NumberFormat, ParseFormat, parse_formats
from app.services.imports.reading import ImportFileError, SourceRow, TableSource, open_source
from app.services.imports.values import (
    is_blank,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_text,
    parse_yes_no,
)
from app.services.transactions import write_transaction

ERROR_FILE_EXTENSION = ".csv"
PROGRESS_EVERY = 500  # rows between two progress reports
PREVIEW_ROWS = 20  # the data rows the wizard previews, checked as the import checks them
# SQLite's page cache while an import writes (dialect.large_page_cache): 64 MiB gained little more on
# 100,000 sales and took 40 MiB more memory.
IMPORT_CACHE_KIB = 32768

_PARSERS: dict[ValueType, Callable[[object], object]] = {
    ValueType.TEXT: parse_text,
    ValueType.DATE: parse_date,
    ValueType.DECIMAL: parse_decimal,
    ValueType.INTEGER: parse_integer,
    ValueType.YES_NO: parse_yes_no,
}


@dataclass(frozen=True)
class ImportOptions:
    kind: ImportKind
    sheet: str | None = None
    header_row: int | None = None  # 1-based; None: found automatically
    mapping: Mapping[str, str | None] | None = None  # {"column header": "field"}
    dry_run: bool = False
    as_of: dt.date | None = None  # the day taken as today (dates in range, follow-ups from it on)
    follow_ups: bool = True  # imported sales get their plans' follow-ups
    acting_rep_id: int | None = None  # who imports, for the audit log
    # A column's way of writing dates or numbers as the person chose it, by the column's name:
    # a formats.DateFormat or NumberFormat code ("mdy", "point"…); other columns as detected.
    formats: Mapping[str, str] | None = None

    @property
    def today(self) -> dt.date:
        return self.as_of or dt.date.today()


class Reason(str):
    """A reason a row is rejected, as the user reads it ("CIF/NIF: …"), knowing the file's column it is
    about (0-based; None for the row as a whole): the wizard marks that cell. It is a `str`, so the
    messages, the error file and --json take it as the text it is."""

    column: int | None

    def __new__(cls, text: str, column: int | None = None) -> Reason:
        reason = super().__new__(cls, text)
        reason.column = column
        return reason


@dataclass(frozen=True)
class Rejection:
    row: int  # 1-based, as a spreadsheet program shows it
    reasons: tuple[str, ...]
    cells: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # column (0-based) → its reasons


class ErrorRows:
    """The rejected rows as they were, plus a last column with the reasons, kept in a temporary file
    (a file of many bad rows never fills the memory) until `write` copies them to the user's file.
    CSV with `;` and a UTF-8 BOM: Excel in Spanish opens it right, and Postventa imports it again."""

    def __init__(self, headers: Sequence[str]):
        self._width = len(headers)
        self._spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")
        self._writer = csv.writer(self._spool, delimiter=";")
        self._writer.writerow([*headers, _("Reasons for rejection")])
        self.count = 0

    def add(self, cells: Sequence[object], reasons: Sequence[str]) -> None:
        shown = [cell if isinstance(cell, str) else parse_text(cell) for cell in cells[: self._width]]
        shown += [""] * (self._width - len(shown))
        self._writer.writerow([*shown, "; ".join(reasons)])
        self.count += 1

    def write(self, path: str | os.PathLike, *, force: bool = False) -> Path:
        """The error file at `path` (.csv added when missing), through app.outputs' safe writing."""

        def produce(temporary: Path) -> None:
            self._spool.seek(0)
            with temporary.open("w", encoding="utf-8-sig", newline="") as target:
                while chunk := self._spool.read(1 << 20):
                    target.write(chunk)

        return write_output(path, ERROR_FILE_EXTENSION, produce, force=force)

    def close(self) -> None:
        self._spool.close()


@dataclass
class ImportSummary:
    kind: ImportKind
    dry_run: bool
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # field → the header of the column it was read from
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    errors: ErrorRows | None = field(default=None, repr=False)  # until close()
    errors_file: Path | None = None  # where run_import wrote them, when asked

    def close(self) -> None:
        """Let go of the rejected rows kept for the error file."""
        if self.errors is not None:
            self.errors.close()
            self.errors = None

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def as_json(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejections": [{"row": r.row, "reasons": list(r.reasons)} for r in self.rejections],
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
        }


@dataclass
class ParsedRow:
    """One data row: its cells as read, the mapped fields' values (None for a blank cell; a field
    without a column is absent) and the problems met reading them ("column: reason")."""

    source: SourceRow
    values: dict[str, object]
    problems: list[str]

    @property
    def number(self) -> int:
        return self.source.number


class Tally:
    """Where importers report each row's outcome."""

    def __init__(self, summary: ImportSummary, errors: ErrorRows):
        self._summary = summary
        self._errors = errors

    def created(self, row: ParsedRow) -> None:
        self._summary.created += 1

    def updated(self, row: ParsedRow) -> None:
        self._summary.updated += 1

    def unchanged(self, row: ParsedRow) -> None:
        self._summary.unchanged += 1

    def rejected(self, row: ParsedRow, reasons: Sequence[str]) -> None:
        reasons = tuple(dict.fromkeys(reasons)) or (_("The row could not be imported."),)
        cells: dict[int, tuple[str, ...]] = {}
        for reason in reasons:
            column = getattr(reason, "column", None)
            if column is not None:
                cells[column] = (*cells.get(column, ()), reason)
        self._summary.rejections.append(Rejection(row.number, reasons, cells))
        self._errors.add(row.source.cells, reasons)


class Importer(Protocol):
    """One kind's rules: `take` each row in file order (deciding now or later), `finish` at the end;
    every row is reported to the tally exactly once by the time `finish` returns."""

    def take(self, row: ParsedRow) -> None: ...

    def finish(self) -> None: ...


class RowReasons:
    """Turns a field or a service's ValidationError into "column: reason" for the row's message."""

    def __init__(self, columns: ColumnMap, specs: Sequence[FieldSpec], service_fields: Mapping[str, str]):
        self._columns = columns
        self._labels = {spec.name: spec for spec in specs}
        self._service_fields = service_fields  # a service's error key → our field name

    def column(self, name: str) -> str:
        if name in self._columns.columns:
            return self._columns.header_of(name) or self._labels[name].shown
        spec = self._labels.get(name)
        return spec.shown if spec is not None else name

    def about(self, name: str, message: str) -> Reason:
        return Reason(
            _("{column}: {reason}").format(column=self.column(name), reason=message),
            self._columns.columns.get(name),
        )

    def of_error(self, error: ValidationError) -> list[str]:
        reasons = []
        for key, message in error.errors.items():
            name = self._service_fields.get(key.split(".")[-1] if key.startswith("lines.") else key)
            reasons.append(self.about(name, message) if name else message)
        return reasons


class _RolledBack(Exception):
    """Ends a dry run's transaction: everything it wrote is rolled back."""


ImporterFactory = Callable[[ImportOptions, ColumnMap, RowReasons, Tally], Importer]


def _factories() -> dict[ImportKind, tuple[ImporterFactory, Mapping[str, str]]]:
    from app.services.imports import customers, products, sales

    return {
        ImportKind.CUSTOMERS: (customers.CustomerImporter, customers.SERVICE_FIELDS),
        ImportKind.PRODUCTS: (products.ProductImporter, products.SERVICE_FIELDS),
        ImportKind.SALES: (sales.SaleImporter, sales.SERVICE_FIELDS),
    }


@dataclass(frozen=True)
class OpenedFile:
    """A file ready to import: how it reads and which column fills which field."""

    source: TableSource
    columns: ColumnMap


def read_for_import(
    path: str | os.PathLike, options: ImportOptions, known_headers: Collection[str] = ()
) -> OpenedFile:
    """The file opened and its columns mapped, or ImportFileError / MappingError, whether or not every
    required field found its column (the wizard lets the person name them; see `missing_fields`).
    `known_headers`: the `headers_key`s of files whose columns a person named before (the window's
    kept mappings): a row with such headers is the header row, when none is given — found again
    even where it had to be chosen by hand. Nothing is written and the database is not touched."""
    kind = options.kind
    known = set(known_headers)

    def prefer(names: list[str]) -> bool:
        return headers_key(names) in known

    source = open_source(
        Path(path),
        lambda cells: recognised_count(kind, cells, options.mapping),
        sheet=options.sheet,
        header_row=options.header_row,
        prefer=prefer if known else None,
    )
    return OpenedFile(source, map_columns(kind, source.headers, options.mapping))


def missing_fields(kind: ImportKind, columns: ColumnMap) -> list[FieldSpec]:
    """The required fields no column fills: the import cannot run without them."""
    return [spec for spec in fields_of(kind) if spec.required and spec.name not in columns.columns]


def open_for_import(path: str | os.PathLike, options: ImportOptions) -> OpenedFile:
    """The file opened and its columns mapped, or ImportFileError / MappingError (also when a required
    field has no column); nothing is written and the database is not touched."""
    opened = read_for_import(path, options)
    missing = [spec.shown for spec in missing_fields(options.kind, opened.columns)]
    if missing:
        source = opened.source
        raise ImportFileError(
            _(
                "{path}: no column was recognised as {fields} (header row {row}); name the columns with --mapping."
            ).format(path=source.path, fields=", ".join(missing), row=source.header_row)
        )
    return opened


# The formats a person may choose for a column by name (`postventa import --format COLUMN=NAME`): the
# ways that read a column's values differently. ISO dates (2026-11-23) read one way only.
FORMAT_NAMES: dict[str, DateFormat | NumberFormat] = {
    "dmy": DateFormat.DAY_FIRST,
    "mdy": DateFormat.MONTH_FIRST,
    "decimal-comma": NumberFormat.COMMA,
    "decimal-point": NumberFormat.POINT,
}


def chosen_formats(opened: OpenedFile, kind: ImportKind, chosen: Mapping[str, str]) -> dict[str, str]:
    """The person's choices {column: format name} as `ImportOptions.formats` takes them ({column name:
    format code}). A column is named by its header as in the file (accents, case and dots ignored, as
    in a mapping) or by the field it fills (`--fields`); a date format goes to a column read as dates,
    a number format to one read as numbers. Raises MappingError saying what does not fit."""
    headers = opened.source.headers
    filled = {index: name for name, index in opened.columns.columns.items()}
    specs = {spec.name: spec for spec in fields_of(kind)}
    names = ", ".join(FORMAT_NAMES)
    formats: dict[str, str] = {}
    for column, name in chosen.items():
        index = column_index(headers, column)
        if index is None:
            index = opened.columns.columns.get(column.strip())
        if index is None:
            raise MappingError(
                _("The file has no column {column} (its columns: {columns}).").format(
                    column=column, columns=", ".join(headers)
                )
            )
        header = headers[index]
        chosen_format = FORMAT_NAMES.get(name.strip().lower())
        if chosen_format is None:
            raise MappingError(
                _("{format} is not a format; write one of: {formats}.").format(format=name, formats=names)
            )
        spec = specs.get(filled.get(index, ""))
        if spec is None:
            raise MappingError(
                _("The column {column} is not imported, so it has no format to choose.").format(column=header)
            )
        if spec.type is ValueType.DATE and not isinstance(chosen_format, DateFormat):
            raise MappingError(
                _("The column {column} holds dates ({field}): choose dmy or mdy for it.").format(
                    column=header, field=spec.shown
                )
            )
        if spec.type in (ValueType.DECIMAL, ValueType.INTEGER) and not isinstance(
            chosen_format, NumberFormat
        ):
            raise MappingError(
                _(
                    "The column {column} holds numbers ({field}): choose decimal-comma or decimal-point for it."
                ).format(column=header, field=spec.shown)
            )
        if spec.type not in (ValueType.DATE, ValueType.DECIMAL, ValueType.INTEGER):
            raise MappingError(
                _(
                    "The column {column} ({field}) holds neither dates nor numbers, so it has no format to choose."
                ).format(column=header, field=spec.shown)
            )
        formats[header] = chosen_format.value
    return formats


def run_import(
    opened: OpenedFile,
    options: ImportOptions,
    *,
    errors_to: str | os.PathLike | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    limit: int | None = None,
) -> ImportSummary:
    """Import the file `open_for_import` opened with the same options: a dry run rolls everything
    back, else the valid rows are committed together.

    `errors_to`: the error file to write (refused before any work when it cannot be written);
    otherwise `summary.errors.write(...)` writes it later, until `summary.errors.close()`.
    `progress(rows_done)` is called every PROGRESS_EVERY rows; an exception it raises (a cancel)
    rolls the whole import back. `limit`: only the first rows (the wizard's preview, a dry run).
    Raises ImportFileError when the file cannot be read (nothing is imported then), MappingError for
    a mapping that does not fit the file.
    """
    if errors_to is not None:
        resolve_output(errors_to, ERROR_FILE_EXTENSION, force=force)
    source, columns = opened.source, opened.columns
    specs = fields_of(options.kind)
    factory, service_fields = _factories()[options.kind]
    summary = ImportSummary(
        options.kind,
        options.dry_run,
        source.encoding,
        source.delimiter,
        source.sheet,
        source.header_row,
        {name: columns.header_of(name) for name in columns.columns},
    )
    errors = ErrorRows(source.file_headers or source.headers)  # the header row as the file has it
    summary.errors = errors
    reader = RowReader(columns, specs, parse_formats(source.formats, source.headers, options.formats))
    try:
        try:
            # One placement book for the whole import: each rep's days are read once, not per sale.
            with large_page_cache(kib=IMPORT_CACHE_KIB), write_transaction(), placement.batch():
                importer = factory(
                    options, columns, RowReasons(columns, specs, service_fields), Tally(summary, errors)
                )
                done = 0
                for row in source.rows():
                    if limit is not None and done >= limit:
                        break
                    importer.take(reader.parse(row))
                    done += 1
                    if progress is not None and done % PROGRESS_EVERY == 0:
                        progress(done)
                importer.finish()
                if progress is not None:
                    progress(done)
                if options.dry_run:
                    raise _RolledBack
        except _RolledBack:
            pass
        else:
            refresh_statistics()  # a first day's import of 100,000 customers is planned for at once
        if errors_to is not None:  # also with no rejected rows: a file left from an earlier run is replaced
            summary.errors_file = errors.write(errors_to, force=force)
    except BaseException:
        errors.close()
        raise
    return summary


def _parser(type_: ValueType, format: ParseFormat | None) -> Callable[[object], object]:
    """How a cell of a field's type is read, in its column's format."""
    if format is not None:
        if type_ is ValueType.DATE:
            return partial(parse_date, order=format.order)
        if type_ is ValueType.DECIMAL:
            return partial(parse_decimal, mark=format.mark)
        if type_ is ValueType.INTEGER:
            return partial(parse_integer, mark=format.mark)
    return _PARSERS[type_]


class RowReader:
    """Reads data rows into ParsedRows: the mapped fields' cells, each through its type's parser in its
    column's format (decided once for the whole file, not per cell)."""

    def __init__(
        self,
        columns: ColumnMap,
        specs: Sequence[FieldSpec],
        formats: Mapping[int, ParseFormat] | None = None,
    ):
        formats = formats or {}
        self._cells = [
            (spec.name, index, _parser(spec.type, formats.get(index)), columns.header_of(spec.name))
            for spec in specs
            if (index := columns.columns.get(spec.name)) is not None
        ]

    def parse(self, row: SourceRow) -> ParsedRow:
        values: dict[str, object] = {}
        problems: list[str] = []
        cells = row.cells
        width = len(cells)
        for name, index, parse, header in self._cells:
            cell = cells[index] if index < width else None
            if is_blank(cell):
                values[name] = None
                continue
            try:
                values[name] = parse(cell)
            except ValueError as exc:
                problems.append(Reason(_("{column}: {reason}").format(column=header, reason=exc), index))
        return ParsedRow(row, values, problems)


@dataclass(frozen=True)
class PreviewRow:
    """A data row as the wizard previews it: its cells as text (as the error file writes them) and
    the reasons the import would reject it, by cell where they are about one."""

    number: int  # 1-based, as a spreadsheet program shows it
    cells: tuple[str, ...]
    reasons: tuple[str, ...] = ()  # empty: the row would be imported
    cells_reasons: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # column → its reasons


def preview_import(opened: OpenedFile, options: ImportOptions, rows: int = PREVIEW_ROWS) -> list[PreviewRow]:
    """The first `rows` data rows checked as the import checks them: a dry run of those rows alone
    (rolled back), so a row that only clashes with a later one is not marked here. While a required
    field has no column the rows are shown unchecked (nothing could be imported yet)."""
    width = len(opened.source.headers)
    first: list[tuple[int, list[str]]] = []
    for row in opened.source.rows():
        if len(first) >= rows:
            break
        cells = [parse_text(cell) for cell in row.cells]
        width = max(width, len(cells))
        first.append((row.number, cells))
    rejected: dict[int, Rejection] = {}
    if not missing_fields(options.kind, opened.columns):
        summary = run_import(opened, replace(options, dry_run=True), limit=rows)
        summary.close()
        rejected = {rejection.row: rejection for rejection in summary.rejections}
    previewed = []
    for number, cells in first:
        rejection = rejected.get(number)
        padded = tuple(cells + [""] * (width - len(cells)))
        if rejection is None:
            previewed.append(PreviewRow(number, padded))
        else:
            previewed.append(PreviewRow(number, padded, rejection.reasons, rejection.cells))
    return previewed
