"""Reading files to import: encodings, delimiters, header rows, workbooks, and the bad files refused."""

from __future__ import annotations

import shutil

import pytest

from app.services.imports import ImportFileError, ImportKind, ImportOptions, open_for_import, reading
from tests.imports.files import DATA, write_csv, write_xlsx

CUSTOMERS = ImportOptions(ImportKind.CUSTOMERS)
HEADER = ["Código", "Razón social", "N.I.F.", "Teléfono"]
ROW = ["00017", "Peña & Hijos, S.L.", "B12345674", "600123456"]


def rows_of(opened):
    return [list(row.cells) for row in opened.source.rows()]


def test_windows_1252_with_crlf_and_title_rows(tmp_path):
    path = write_csv(tmp_path / "clientes.csv", [HEADER, ROW], titles=["Listado de clientes – Ñandú S.A."])
    opened = open_for_import(path, CUSTOMERS)
    assert (opened.source.encoding, opened.source.delimiter, opened.source.header_row) == ("cp1252", ";", 3)
    assert opened.source.headers == HEADER
    assert rows_of(opened) == [ROW]
    assert opened.columns.columns == {"code": 0, "name": 1, "tax_id": 2, "phone": 3}


@pytest.mark.parametrize(("encoding", "found"), [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")])
def test_utf8_with_and_without_bom(tmp_path, encoding, found):
    path = write_csv(tmp_path / "c.csv", [HEADER, ROW], encoding=encoding)
    opened = open_for_import(path, CUSTOMERS)
    assert opened.source.encoding == found
    assert opened.source.headers == HEADER  # no BOM glued to the first header
    assert rows_of(opened) == [ROW]


def test_a_single_invalid_utf8_byte_late_in_the_file_makes_it_cp1252(tmp_path):
    rows = (
        [HEADER] + [[f"{i:05d}", "Ana", "", "600123456"] for i in range(5000)] + [["99999", "Muñoz", "", ""]]
    )
    path = write_csv(tmp_path / "c.csv", rows)  # all ASCII but the last row's ñ (one byte in cp1252)
    opened = open_for_import(path, CUSTOMERS)
    assert opened.source.encoding == "cp1252"
    assert rows_of(opened)[-1][1] == "Muñoz"


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    rows = [
        ["Nombre", "Precio", "Teléfono"],
        ["Ana", "1.234,50" if delimiter != "," else "1234.50", "600123456"],
    ]
    rows += [["Bea", "12,5" if delimiter != "," else "12.5", "600123457"]]
    opened = open_for_import(write_csv(tmp_path / "c.csv", rows, delimiter=delimiter), CUSTOMERS)
    assert opened.source.delimiter == delimiter
    assert rows_of(opened)[0][0] == "Ana"


def test_header_row_given(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["Col A", "Col B"], ["Nombre", "X"], ["Ana", "1"]])
    opened = open_for_import(path, ImportOptions(ImportKind.CUSTOMERS, header_row=2))
    assert opened.source.header_row == 2 and rows_of(opened) == [["Ana", "1"]]


def test_no_header_found_says_what_to_do(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(ImportFileError, match="--header-row"):
        open_for_import(path, CUSTOMERS)


def test_required_column_missing(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["Código", "Teléfono"], ["1", "600123456"]])
    with pytest.raises(ImportFileError, match="Name.*--mapping"):
        open_for_import(path, CUSTOMERS)


def test_xlsx_values_and_the_rows_a_spreadsheet_shows(tmp_path):
    import datetime as dt

    path = write_xlsx(
        tmp_path / "c.xlsx",
        [["Código", "Nombre", "Teléfono", "Alta"], ["00017", "Peña", 600123456, dt.date(2026, 3, 1)]],
        sheet="Clientes",
        titles=["Listado"],
    )
    opened = open_for_import(path, CUSTOMERS)
    source = opened.source
    assert (source.encoding, source.delimiter, source.sheet, source.header_row) == (None, None, "Clientes", 3)
    [row] = list(source.rows())
    assert row.number == 4
    assert list(row.cells) == ["00017", "Peña", 600123456.0, dt.date(2026, 3, 1)]


@pytest.mark.parametrize("name", ["customers_libreoffice.xlsx", "customers.xls", "customers.ods"])
def test_workbooks_saved_by_libreoffice(name):
    opened = open_for_import(DATA / name, CUSTOMERS)
    assert opened.source.sheet == "Clientes" and opened.source.header_row == 4  # merged title above it
    rows = list(opened.source.rows())
    assert [row.number for row in rows] == [5, 6, 7, 8]
    assert rows[0].cells[0] == "00017" and rows[0].cells[3] == 912345678
    assert rows[0].cells[7] == "Alta 00017"  # a formula: its cached value


def test_sheet_by_name_case_ignored(tmp_path):
    opened = open_for_import(DATA / "customers.xls", ImportOptions(ImportKind.CUSTOMERS, sheet="clientes"))
    assert opened.source.sheet == "Clientes"


# --- bad files: one clear message each ------------------------------------------------------------


def refused(path, options=CUSTOMERS) -> str:
    with pytest.raises(ImportFileError) as caught:
        open_for_import(path, options)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_empty_files(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "blank.csv").write_bytes(b"\r\n;;\r\n  \r\n")
    assert "is empty" in refused(tmp_path / "empty.csv")
    assert "is empty" in refused(tmp_path / "blank.csv")
    write_xlsx(tmp_path / "empty.xlsx", [])
    assert "is empty" in refused(tmp_path / "empty.xlsx")


def test_an_image_renamed_csv(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    assert "binary data" in refused(path)


def test_a_workbook_renamed_csv(tmp_path):
    shutil.copy(DATA / "customers_libreoffice.xlsx", tmp_path / "clientes.csv")
    assert "real extension" in refused(tmp_path / "clientes.csv")


def test_utf16_text_is_named(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes("Nombre\tNIF\r\nAna\t12345678Z\r\n".encode("utf-16"))
    assert "UTF-16" in refused(path)


def test_text_named_xlsx(tmp_path):
    path = tmp_path / "clientes.xlsx"
    path.write_text("Nombre;NIF\nAna;1\n")
    assert "cannot be read as a workbook" in refused(path)


def test_password_protected_workbook():
    assert "password" in refused(DATA / "customers_password.xlsx")


def test_missing_sheet_lists_the_sheets():
    message = refused(DATA / "customers.ods", ImportOptions(ImportKind.CUSTOMERS, sheet="Proveedores"))
    assert "Proveedores" in message and "Clientes, Notas" in message


def test_a_ten_megabyte_line(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_bytes(b"Nombre;NIF\r\n" + b"A" * 10_000_000 + b";1\r\n")
    assert "longer than" in refused(path)
    later = tmp_path / "later.csv"  # past the rows read for the header: met while importing
    later.write_bytes(b"Nombre;NIF\r\n" + b"Ana;1\r\n" * 40 + b"A" * 10_000_000 + b";1\r\n")
    opened = open_for_import(later, CUSTOMERS)
    with pytest.raises(ImportFileError, match="longer than"):
        list(opened.source.rows())


def test_merged_cells_in_the_table(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "m.xlsx", [["Nombre", "NIF"], ["Ana", "1"], ["Bea", "2"]])
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("A2:A3")
    book.save(path)
    assert "merged cells" in refused(path)


def test_too_many_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)  # the same check as at 1,000,000, on a small file
    path = write_csv(tmp_path / "c.csv", [["Nombre"]] + [[f"C{i}"] for i in range(4)])
    opened = open_for_import(path, CUSTOMERS)
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        list(opened.source.rows())
    xlsx = write_xlsx(tmp_path / "c.xlsx", [["Nombre"]] + [[f"C{i}"] for i in range(40)])
    assert "more than 3 rows" in refused(xlsx)
