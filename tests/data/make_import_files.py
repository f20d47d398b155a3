"""How the workbooks under tests/data/ were made (run by hand, not by the tests).

openpyxl writes the source workbooks; LibreOffice (Debian's libreoffice-calc, headless) opens each
and saves it as .xlsx, .xls and .ods, so the committed files are a real spreadsheet program's: formulas
with their cached values, its own date and number cells. The password-protected copy is made with
msoffcrypto-tool (password "postventa"). Run from the repository root:

    python tests/data/make_import_files.py      # needs soffice on the PATH and msoffcrypto-tool
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent


def customers_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Clientes"
    sheet["A1"] = "Clientes de Ferretería Núñez"
    sheet.merge_cells("A1:D1")
    sheet["A2"] = "Exportado el 23/11/2026"
    sheet.append([])
    sheet.append(
        ["Código", "Razón social", "CIF/NIF", "Teléfono", "E-mail", "C.P.", "Población", "Observaciones"]
    )
    rows = [
        ("00017", "Peña & Hijos, S.L.", "B12345674", 912345678, "pena@example.com", "08001", "Barcelona"),
        ("00018", "José Núñez Ávila", "12345678Z", 600123457, "jose@example.com", "26001", "Logroño"),
        ("00019", "NIF equivocado", "12345678A", 600123458, "mal@example.com", "28013", "Madrid"),
        ("00017", "Repetido", "", 600123459, "", "28013", "Madrid"),
    ]
    for number, row in enumerate(rows, start=5):
        sheet.append([*row, f'="Alta "&A{number}'])  # a formula: its cached value is what is imported
    notes = book.create_sheet("Notas")
    notes["A1"] = "Nada que importar aquí"
    book.save(path)


def sales_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Ventas"
    sheet.append(
        [
            "Nº factura",
            "Fecha",
            "NIF cliente",
            "Referencia",
            "Nº serie",
            "Cantidad",
            "Precio",
            "Fecha entrega",
        ]
    )
    sheet.append(
        ["F-2026-001", dt.date(2026, 3, 2), "B12345674", "LAV-001", "SN-0001", 1, 549.9, dt.date(2026, 3, 5)]
    )
    sheet.append(
        ["F-2026-001", dt.date(2026, 3, 2), "B12345674", "LAV-001", "SN-0002", 1, 549.9, dt.date(2026, 3, 5)]
    )
    sheet.append(["F-2026-002", dt.date(2026, 4, 10), "12345678Z", "CAB-10", None, 3, 12.5, None])
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "DD/MM/YYYY"
    for row in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
        row[0].number_format = "DD/MM/YYYY"
    book.save(path)


def convert(source: Path, extension: str, filter_name: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--convert-to",
                f"{extension}:{filter_name}",
                "--outdir",
                out,
                str(source),
            ],
            check=True,
            capture_output=True,
        )
        shutil.move(Path(out) / f"{source.stem}.{extension}", target)


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "customers.xlsx"
        customers_workbook(source)
        convert(source, "xlsx", "Calc MS Excel 2007 XML", HERE / "customers_libreoffice.xlsx")
        convert(source, "xls", "MS Excel 97", HERE / "customers.xls")
        convert(source, "ods", "calc8", HERE / "customers.ods")
        sales = Path(work) / "sales.xlsx"
        sales_workbook(sales)
        convert(sales, "ods", "calc8", HERE / "sales.ods")
        convert(sales, "xls", "MS Excel 97", HERE / "sales.xls")
    import msoffcrypto.format.ooxml

    with (
        (HERE / "customers_libreoffice.xlsx").open("rb") as plain,
        (HERE / "customers_password.xlsx").open("wb") as out,
    ):
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("postventa", out)


if __name__ == "__main__":
    main()
