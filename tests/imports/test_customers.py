"""Importing customers: counts, reasons and row numbers, stored values, matching and re-import."""

from __future__ import annotations

import csv

import pytest

from app import i18n
from app.models import AuditEntry, Customer, Rep
from app.models.enums import CustomerKind
from app.outputs import OutputExistsError
from app.services.imports import ImportKind, ImportOptions, open_for_import, run_import
from tests.imports.files import DATA, write_csv

HEADER = ["Código", "Razón social", "CIF/NIF", "Teléfono", "E-mail", "C.P.", "Población"]
ROWS = [
    ["00017", "Peña & Hijos, S.L.", "B-12.345.674", "912345678", "pena@example.com", "08001", "Barcelona"],
    ["00018", "José Núñez Ávila", "12345678Z", "+34 600 12 34 57", "jose@example.com", "26001", "Logroño"],
    ["00019", "NIF equivocado", "12345678A", "600123458", "mal@example.com", "28013", "Madrid"],
    ["00017", "Repetido", "", "600123459", "", "28013", "Madrid"],
    ["00020", "", "", "12", "sin arroba", "99999", "Madrid"],
]


def customers_import(path, **options):
    opts = ImportOptions(ImportKind.CUSTOMERS, **options)
    return run_import(open_for_import(path, opts), opts)


@pytest.fixture
def spanish_file(tmp_path):
    return write_csv(tmp_path / "clientes.csv", [HEADER, *ROWS], titles=["Clientes a 23/11/2026"])


def test_counts_reasons_and_row_numbers(database, spanish_file):
    summary = customers_import(spanish_file)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (2, 0, 0, 3)
    assert (summary.encoding, summary.delimiter, summary.header_row) == ("cp1252", ";", 3)
    by_row = {r.row: r.reasons for r in summary.rejections}
    assert set(by_row) == {6, 7, 8}  # as a spreadsheet numbers them: title, blank line, header first
    assert by_row[6] == (
        "CIF/NIF: This is not a valid Spanish NIF, NIE or CIF: check the digits and the control letter.",
    )
    assert by_row[7] == ("Código: the same as row 4, which comes first; this row is left out.",)
    assert set(by_row[8]) == {
        "Razón social: The name is required.",
        "Teléfono: A phone number has between 9 and 15 digits.",
        "E-mail: This is not a valid e-mail address (like name@example.com).",
        "C.P.: A Spanish postcode has 5 digits and starts with a province number from 01 to 52, like 28013.",
    }


def test_values_are_stored_as_read(database, spanish_file):
    customers_import(spanish_file)
    pena = Customer.get(Customer.code == "00017")
    assert (pena.name, pena.tax_id, pena.postal_code, pena.city) == (
        "Peña & Hijos, S.L.",
        "B12345674",
        "08001",
        "Barcelona",
    )
    assert pena.kind == CustomerKind.COMPANY  # a CIF, and the file says nothing about the kind
    jose = Customer.get(Customer.code == "00018")
    assert (jose.name, jose.phone, jose.city, jose.kind) == (
        "José Núñez Ávila",
        "+34 600 12 34 57",
        "Logroño",
        CustomerKind.PERSON,
    )
    assert (
        AuditEntry.select().where(AuditEntry.entity == "customer", AuditEntry.action == "create").count() == 2
    )


def test_dry_run_counts_the_same_and_stores_nothing(database, spanish_file):
    summary = customers_import(spanish_file, dry_run=True)
    assert (summary.created, summary.rejected, summary.dry_run) == (2, 3, True)
    assert Customer.select().count() == 0 and AuditEntry.select().count() == 0


def test_reimporting_the_same_file_changes_nothing(database, spanish_file):
    customers_import(spanish_file)
    before = [(c.id, c.row_version, c.updated_at) for c in Customer.select().order_by(Customer.id)]
    audit = AuditEntry.select().count()
    summary = customers_import(spanish_file)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 0, 2, 3)
    assert [(c.id, c.row_version, c.updated_at) for c in Customer.select().order_by(Customer.id)] == before
    assert AuditEntry.select().count() == audit


def test_a_changed_row_updates_only_that_customer(database, tmp_path, spanish_file):
    customers_import(spanish_file)
    rows = [row[:] for row in ROWS[:2]]
    rows[1][3] = "600 99 99 99"
    rows[1][4] = ""  # a blank cell empties the field
    summary = customers_import(write_csv(tmp_path / "v2.csv", [HEADER, *rows]))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    jose = Customer.get(Customer.code == "00018")
    assert (jose.phone, jose.email, jose.row_version) == ("600 99 99 99", "", 2)


def test_matched_by_tax_id_takes_the_files_code(database, tmp_path):
    customers_import(
        write_csv(tmp_path / "a.csv", [["Código", "Nombre", "NIF"], ["C-1", "Ana Ruiz", "12345678Z"]])
    )
    summary = customers_import(
        write_csv(tmp_path / "b.csv", [["Código", "Nombre", "NIF"], ["430017", "Ana Ruiz", "12345678-z"]])
    )
    assert (summary.created, summary.updated) == (0, 1)
    assert [c.code for c in Customer.select()] == ["430017"]


def test_without_codes_matched_by_email_then_name_and_phone(database, tmp_path):
    first = [
        ["Nombre", "E-mail", "Teléfono"],
        ["Ana Ruiz", "ana@example.com", "600111222"],
        ["Bea Gil", "", "600333444"],
    ]
    summary = customers_import(write_csv(tmp_path / "a.csv", first))
    assert summary.created == 2
    assert sorted(c.code for c in Customer.select()) == ["C-00001", "C-00002"]  # made for them
    again = [
        ["Nombre", "E-mail", "Teléfono"],
        ["ANA RUIZ", "Ana@Example.com", "600111222"],
        ["Bea  Gíl", "", "+34 600 333 444"],
    ]
    summary = customers_import(write_csv(tmp_path / "b.csv", again))
    assert (summary.created, summary.updated, summary.unchanged) == (
        0,
        2,
        0,
    )  # names and phone written as now
    assert Customer.select().count() == 2


def test_duplicates_by_tax_id_and_contact_cite_the_first_row(database, tmp_path):
    rows = [
        ["Nombre", "NIF", "E-mail"],
        ["Ana", "12345678Z", "ana@example.com"],
        ["Ana bis", "12345678z", ""],
        ["Otra Ana", "", "ANA@example.com"],
    ]
    summary = customers_import(write_csv(tmp_path / "d.csv", rows))
    assert summary.created == 1
    assert [(r.row, r.reasons) for r in summary.rejections] == [
        (3, ("NIF: the same as row 2, which comes first; this row is left out.",)),
        (4, ("E-mail: the same as row 2, which comes first; this row is left out.",)),
    ]


def test_a_generated_code_never_takes_one_the_file_brings_later(database, tmp_path):
    rows = [["Código", "Nombre"], ["", "Sin código"], ["C-00001", "Con código"]]
    summary = customers_import(write_csv(tmp_path / "c.csv", rows))
    assert summary.created == 1 and summary.rejections[0].row == 3
    assert "already has the code C-00001" in summary.rejections[0].reasons[0]


def test_rep_by_code(database, tmp_path):
    Rep.create(code="ANA", name="Ana Comercial")
    rows = [["Nombre", "Comercial"], ["Cliente 1", "ana"], ["Cliente 2", "NADIE"]]
    summary = customers_import(write_csv(tmp_path / "r.csv", rows))
    assert summary.created == 1
    assert Customer.get(Customer.name == "Cliente 1").rep.code == "ANA"
    assert summary.rejections[0].reasons == ("Comercial: there is no rep with the code NADIE.",)


def test_a_mapping_names_columns_the_automatic_matching_does_not_know(database, tmp_path):
    rows = [["Ref. interna", "Denominación social", "Contacto"], ["X1", "Óptica Sur", "optica@example.com"]]
    path = write_csv(tmp_path / "m.csv", rows)
    summary = customers_import(
        path, mapping={"Ref. interna": "code", "Contacto": "email", "Denominación social": "name"}
    )
    assert summary.created == 1
    assert Customer.get().email == "optica@example.com" and Customer.get().code == "X1"


@pytest.mark.parametrize("name", ["customers_libreoffice.xlsx", "customers.xls", "customers.ods"])
def test_workbooks_saved_by_a_spreadsheet_program(database, name):
    summary = customers_import(DATA / name)
    assert (summary.created, summary.rejected, summary.header_row, summary.encoding) == (2, 2, 4, None)
    assert [r.row for r in summary.rejections] == [7, 8]
    pena = Customer.get(Customer.code == "00017")  # a text cell: the leading zeros stay
    assert (pena.phone, pena.postal_code, pena.notes) == (
        "912345678",
        "08001",
        "Alta 00017",
    )  # a number cell; a formula's value
    assert Customer.get(Customer.code == "00018").city == "Logroño"


def test_error_file_holds_the_rejected_rows_as_they_were_in_spanish(database, spanish_file, tmp_path):
    i18n.set_language("es")
    target = tmp_path / "errores"
    opts = ImportOptions(ImportKind.CUSTOMERS)
    summary = run_import(open_for_import(spanish_file, opts), opts, errors_to=target)
    assert summary.errors_file == tmp_path / "errores.csv"
    data = summary.errors_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel in Spanish reads it right
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == [*HEADER, i18n._("Reasons for rejection")]
    assert [row[:-1] for row in rows[1:]] == [ROWS[2], ROWS[3], ROWS[4]]
    assert "No es un NIF, NIE o CIF español válido" in rows[1][-1]  # the reasons in the user's language
    # The error file imports again once fixed (its reasons column is ignored).
    i18n.set_language("en")
    fixed = [row[:-1] for row in rows[1:2]]
    fixed[0][2] = "00000000T"
    summary = customers_import(write_csv(tmp_path / "fixed.csv", [rows[0], *fixed], encoding="utf-8-sig"))
    assert (summary.created, summary.rejected) == (1, 0)
    assert Customer.get(Customer.code == "00019").tax_id == "00000000T"
    with pytest.raises(OutputExistsError):
        run_import(open_for_import(spanish_file, opts), opts, errors_to=target)


def test_a_postcode_that_lost_its_zero_in_a_number_cell(database, tmp_path):
    from tests.imports.files import write_xlsx

    path = write_xlsx(tmp_path / "c.xlsx", [["Nombre", "C.P.", "Teléfono"], ["Ana", 8001, 600123456]])
    assert customers_import(path).created == 1
    assert (Customer.get().postal_code, Customer.get().phone) == ("08001", "600123456")


def test_a_postcode_that_lost_its_zero_is_unchanged_on_reimport(database, tmp_path):
    """The update path reads the row as the create path does (it once rejected 8001 on re-import)."""
    path = write_csv(tmp_path / "c.csv", [["Código", "Nombre", "C.P."], ["00018", "María Peña", "8001"]])
    assert customers_import(path).created == 1
    summary = customers_import(path)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 0, 1, 0)
    assert Customer.get().postal_code == "08001"


def test_cancelled_through_progress_leaves_nothing(database, tmp_path):
    rows = [["Código", "Nombre"]] + [[f"{i:05d}", f"Cliente {i}"] for i in range(1200)]
    opts = ImportOptions(ImportKind.CUSTOMERS)
    opened = open_for_import(write_csv(tmp_path / "c.csv", rows), opts)
    seen = []

    def cancel(done):
        seen.append(done)
        raise KeyboardInterrupt  # what a cancel button's exception does: the transaction is rolled back

    with pytest.raises(KeyboardInterrupt):
        run_import(opened, opts, progress=cancel)
    assert seen == [500] and Customer.select().count() == 0
