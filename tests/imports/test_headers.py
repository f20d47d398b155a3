"""Header rows as files really have them: a name twice (two "Teléfono" columns), blank header cells,
and header rows only a person could point at (kept mappings find them again)."""

from __future__ import annotations

import csv
import json

import pytest

from app.models import Customer
from app.services.imports import (
    HeaderNotFoundError,
    ImportKind,
    ImportOptions,
    MappingError,
    headers_key,
    map_columns,
    open_for_import,
    read_for_import,
    run_import,
)
from app.services.imports.reading import distinct_headers
from tests.imports.files import write_csv, write_xlsx

HEADER = ["Código", "Nombre", "Teléfono", "Teléfono", "", "E-mail", "TELÉFONO"]
ROWS = [
    [
        "00017",
        "Peña & Hijos, S.L.",
        "912345678",
        "600111222",
        "Cliente desde 1998",
        "pena@example.com",
        "911000000",
    ],
    ["00018", "José Núñez", "941222333", "600333444", "", "jose@example.com", ""],
    ["00019", "Sin nombre", "941222334", "6003", "Nota", "mal@", ""],
]
NAMES = ["Código", "Nombre", "Teléfono", "Teléfono (2)", "Column 5", "E-mail", "TELÉFONO (3)"]


def test_each_column_gets_a_distinct_name():
    assert distinct_headers(HEADER) == NAMES
    # A real header named like a generated one keeps its name; the blank cell gets another.
    assert distinct_headers(["", "Column 1"]) == ["Column 1 (2)", "Column 1"]


@pytest.mark.parametrize("write", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_repeated_and_blank_headers_are_columns_of_their_own(database, tmp_path, write):
    path = write(tmp_path / f"clientes.{'csv' if write is write_csv else 'xlsx'}", [HEADER, *ROWS])
    mapping = {"Teléfono (2)": "mobile", "Column 5": "notes"}
    options = ImportOptions(ImportKind.CUSTOMERS, mapping=mapping)
    opened = open_for_import(path, options)
    assert opened.source.headers == NAMES
    assert opened.source.file_headers == HEADER
    # The first "Teléfono" is recognised as the phone; the others are left for the person.
    assert opened.columns.columns == {"code": 0, "name": 1, "phone": 2, "mobile": 3, "notes": 4, "email": 5}
    errors = tmp_path / "rechazadas.csv"
    summary = run_import(opened, options, errors_to=errors)
    assert (summary.created, summary.rejected) == (2, 1)
    # A reason names its column by its distinct name.
    assert summary.rejections[0].row == 4
    assert any(reason.startswith("Teléfono (2): ") for reason in summary.rejections[0].reasons)
    pena = Customer.get(Customer.code == "00017")
    assert (pena.phone, pena.mobile, pena.notes) == ("912345678", "600111222", "Cliente desde 1998")
    assert Customer.get(Customer.code == "00018").mobile == "600333444"
    # The error file keeps the header row as the file has it, so it is imported again the same way.
    with errors.open(encoding="utf-8-sig", newline="") as stream:
        written = list(csv.reader(stream, delimiter=";"))
    assert written[0] == [*HEADER, "Reasons for rejection"]
    again = open_for_import(errors, options)
    assert again.columns.columns["mobile"] == 3 and again.columns.columns["notes"] == 4


def test_a_mapping_names_a_blank_column_in_either_language():
    spanish = [*NAMES[:4], "Columna 5", *NAMES[5:]]  # as the Spanish window names the blank column
    assert map_columns(ImportKind.CUSTOMERS, spanish, {"Column 5": "notes"}).columns["notes"] == 4
    assert map_columns(ImportKind.CUSTOMERS, NAMES, {"Columna 5": "notes"}).columns["notes"] == 4
    with pytest.raises(MappingError, match="Column 2"):  # column 2 has a header of its own
        map_columns(ImportKind.CUSTOMERS, NAMES, {"Column 2": "notes"})


def test_the_command_line_maps_a_repeated_header(database, tmp_path, capsys):
    from app.cli import main

    path = write_csv(tmp_path / "clientes.csv", [HEADER, *ROWS[:2]])
    mapping = tmp_path / "columnas.json"
    mapping.write_text(json.dumps({"Teléfono (2)": "mobile", "TELÉFONO (3)": ""}), encoding="utf-8")
    target = tmp_path / "nueva.sqlite3"
    code = main(["import", "customers", str(path), "--db", str(target), "--mapping", str(mapping), "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["created"] == 2


# --- header rows found by a kept mapping ------------------------------------------------------------

UNKNOWN = ["Ref. interna", "Titular", "Doc. fiscal"]


def test_a_header_row_chosen_by_hand_is_found_again_by_its_headers(database, tmp_path):
    """Headers no field knows, under two title rows: nothing is recognised; once a person named these
    columns (the window keeps the mapping by `headers_key`), the next such file finds its header row."""
    rows = [UNKNOWN, ["00017", "Peña & Hijos, S.L.", "B12345674"]]
    path = write_csv(tmp_path / "clientes.csv", rows, titles=["Listado de titulares", "Exportado por el ERP"])
    options = ImportOptions(ImportKind.CUSTOMERS)
    with pytest.raises(HeaderNotFoundError):
        read_for_import(path, options)
    by_hand = read_for_import(path, ImportOptions(ImportKind.CUSTOMERS, header_row=4))
    assert by_hand.source.headers == UNKNOWN and not by_hand.source.header_recognised
    kept = headers_key(by_hand.source.named_headers)
    found = read_for_import(path, options, known_headers=["0" * 24, kept])
    assert found.source.header_row == 4 and not found.source.header_recognised
    # Another file from the same program: other rows, the same headers in another order.
    other = write_csv(
        tmp_path / "otros.csv", [UNKNOWN[::-1], ["B12345674", "Otra", "00020"]], titles=["Listado"]
    )
    assert read_for_import(other, options, known_headers=[kept]).source.header_row == 3
    # A file whose header is recognised keeps it when no kept mapping fits.
    usual = write_csv(tmp_path / "usual.csv", [["Código", "Nombre"], ["1", "A"]], titles=["Título"])
    opened = read_for_import(usual, options, known_headers=[kept])
    assert opened.source.header_row == 3 and opened.source.header_recognised
