"""What the import wizard asks of the core: a file whose columns are still to be named, the first rows
checked as the import checks them (reasons by cell), mapping files written, sources told apart."""

from __future__ import annotations

import pytest

from app.models import AuditEntry, Customer
from app.outputs import OutputExistsError
from app.services.imports import (
    HeaderNotFoundError,
    ImportFileError,
    ImportKind,
    ImportOptions,
    headers_key,
    load_mapping,
    map_columns,
    missing_fields,
    open_for_import,
    open_source,
    preview_import,
    read_for_import,
    run_import,
    write_mapping,
)
from app.services.imports.fields import recognised_count
from tests.imports.files import DATA, write_csv

HEADER = ["Código", "Razón social", "CIF/NIF", "Teléfono", "E-mail"]
ROWS = [
    ["00017", "Peña & Hijos, S.L.", "B12345674", "912345678", "pena@example.com"],
    ["00019", "NIF equivocado", "12345678A", "600123458", "mal@example.com"],
    ["00017", "Repetido", "", "600123459", ""],
    ["00020", "", "", "12", "sin arroba"],
    ["00021", "Último", "", "600123460", ""],
]
OPTIONS = ImportOptions(ImportKind.CUSTOMERS)


@pytest.fixture
def spanish_file(tmp_path):
    return write_csv(tmp_path / "clientes.csv", [HEADER, *ROWS], titles=["Clientes"])


def test_preview_marks_each_reason_on_its_cell_and_writes_nothing(database, spanish_file):
    rows = preview_import(read_for_import(spanish_file, OPTIONS), OPTIONS)
    assert [row.number for row in rows] == [4, 5, 6, 7, 8]
    assert rows[0].cells == tuple(ROWS[0]) and rows[0].reasons == () and rows[0].cells_reasons == {}
    assert rows[1].cells_reasons == {
        2: ("CIF/NIF: This is not a valid Spanish NIF, NIE or CIF: check the digits and the control letter.",)
    }
    assert rows[2].cells_reasons == {
        0: ("Código: the same as row 4, which comes first; this row is left out.",)
    }
    assert set(rows[3].cells_reasons) == {1, 3, 4}  # name, phone and e-mail; the code is fine
    assert set(rows[3].reasons) == {
        reason for reasons in rows[3].cells_reasons.values() for reason in reasons
    }
    assert Customer.select().count() == 0 and AuditEntry.select().count() == 0


def test_preview_checks_only_the_first_rows(database, spanish_file):
    rows = preview_import(read_for_import(spanish_file, OPTIONS), OPTIONS, rows=2)
    assert [row.number for row in rows] == [4, 5]
    assert Customer.select().count() == 0


def test_the_rejections_of_an_import_know_their_cells(database, spanish_file):
    summary = run_import(open_for_import(spanish_file, OPTIONS), OPTIONS)
    summary.close()
    by_row = {rejection.row: rejection for rejection in summary.rejections}
    assert by_row[5].cells == {2: by_row[5].reasons}
    assert summary.as_json()["rejections"][0] == {"row": 5, "reasons": list(by_row[5].reasons)}  # plain text


def test_a_file_whose_required_columns_are_not_named_yet_is_read_but_not_imported(database, tmp_path):
    path = write_csv(tmp_path / "raro.csv", [["Código", "Denominación social", "NIF"], ["1", "Ana", ""]])
    opened = read_for_import(path, OPTIONS)
    assert [spec.name for spec in missing_fields(ImportKind.CUSTOMERS, opened.columns)] == ["name"]
    rows = preview_import(opened, OPTIONS)  # shown, not checked: nothing could be imported yet
    assert [(row.number, row.cells, row.reasons) for row in rows] == [(2, ("1", "Ana", ""), ())]
    with pytest.raises(ImportFileError, match="no column was recognised as Name"):
        open_for_import(path, OPTIONS)
    named = ImportOptions(ImportKind.CUSTOMERS, mapping={"Denominación social": "name"})
    assert "name" in read_for_import(path, named).columns.columns


def test_no_header_found_is_its_own_error_and_a_given_row_reads(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(HeaderNotFoundError):
        read_for_import(path, OPTIONS)
    opened = read_for_import(path, ImportOptions(ImportKind.CUSTOMERS, header_row=1))
    assert opened.source.headers == ["a", "b"] and opened.columns.columns == {}


def test_a_workbook_lists_its_sheets_and_a_csv_none(spanish_file):
    def recognise(cells):
        return recognised_count(ImportKind.CUSTOMERS, cells, None)

    workbook = open_source(DATA / "customers_libreoffice.xlsx", recognise)
    assert (workbook.sheet, workbook.sheets) == ("Clientes", ("Clientes", "Notas"))
    assert open_source(spanish_file, recognise).sheets == ()


def test_a_mapping_written_reads_back_and_is_not_replaced_without_force(tmp_path):
    mapping = {"Razón social": "name", "Apodo": "notes", "Población": ""}
    written = write_mapping(tmp_path / "columnas", mapping)
    assert written == tmp_path / "columnas.json"
    assert load_mapping(written) == mapping
    assert "Razón social" in written.read_text(encoding="utf-8")  # readable, not \\u-escaped
    with pytest.raises(OutputExistsError):
        write_mapping(written, {"Nombre": "name"})
    write_mapping(written, {"Nombre": "name"}, force=True)
    assert load_mapping(written) == {"Nombre": "name"}
    columns = map_columns(ImportKind.CUSTOMERS, ["Razón social", "Apodo", "Población"], mapping)
    assert columns.columns == {"name": 0, "notes": 1}


def test_headers_key_tells_sources_apart_whatever_the_order_case_and_accents():
    key = headers_key(["Código", "Razón social", "N.I.F.", ""])
    assert key == headers_key(["razon social", "NIF", "codigo"])
    assert key == headers_key(["Código", "Código", "Razón social", "N.I.F."])  # repeats ignored
    assert key != headers_key(["Código", "Razón social"])
    assert key != headers_key(["Código", "Razón social", "N.I.F.", "Teléfono"])
