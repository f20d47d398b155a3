"""Exports of every list to XLSX and CSV, read back as a spreadsheet program would: openpyxl for the
workbooks (types, formats, the frozen bold header, the autofilter, widths), the csv module with
Excel's settings for the CSV files (`;`, a BOM, the locale's decimal mark and dates). The figures come
from tests/factories.build_export_world, worked out by hand there."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from app import i18n
from app.outputs import OutputExistsError
from app.services import exports
from app.services.errors import ValidationError
from app.services.exports import ExportFormat, ListKind
from tests.factories import EXPORT_NOW, EXPORT_TODAY, NASTY, build_export_world

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def world(database):
    return build_export_world()


def table(kind: ListKind) -> exports.Table:
    period = NOVEMBER if kind in exports.lists.PERIOD_KINDS else (None, None)
    return exports.table_for(kind, start=period[0], end=period[1], today=EXPORT_TODAY, now=EXPORT_NOW)


def export(kind: ListKind, folder: Path, export_format: ExportFormat, language: str = "en", **kwargs):
    i18n.set_language(language)
    return exports.export_list(lambda: table(kind), folder / kind.value, export_format, **kwargs)


def sheet(path: Path):
    book = openpyxl.load_workbook(path)
    return book.active


def records(ws) -> list[dict]:
    header = [cell.value for cell in ws[1]]
    return [dict(zip(header, (cell.value for cell in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def cells(ws) -> list[dict]:
    header = [cell.value for cell in ws[1]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def read_csv(path: Path) -> list[dict]:
    """As Excel in Spanish opens it: UTF-8 after the BOM, fields split on `;`."""
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    assert b"\r\n" in data
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))


# --- workbooks ---------------------------------------------------------------------------------------


def test_customers_workbook_in_spanish_has_typed_labelled_columns_and_a_frozen_bold_filtered_header(
    world, tmp_path
):
    result = export(ListKind.CUSTOMERS, tmp_path, ExportFormat.XLSX, "es")
    assert result.path == tmp_path / "customers.xlsx"  # the extension added, as for every output
    assert (result.rows, result.title) == (2, "Clientes")  # the archived customer is left out
    ws = sheet(result.path)
    assert ws.title == "Clientes"
    header = [cell.value for cell in ws[1]]
    assert header == [
        "Código",
        "Nombre",
        "Tipo",
        "NIF",
        "Teléfono",
        "Correo electrónico",
        "Población",
        "Comercial",
        "Segmento",
        "Archivado",
    ]
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:J3"
    first, second = records(ws)
    assert first == {
        "Código": "00017",  # text: the leading zeros stay
        "Nombre": NASTY,  # accents, markup characters, quotes and the euro, literally
        "Tipo": "Empresa",
        "NIF": "B12345674",
        "Teléfono": "+34 600 123 456",
        "Correo electrónico": "pena@example.com",
        "Población": "Logroño",
        "Comercial": "Ana Peña",
        "Segmento": "A (valor alto)",
        "Archivado": "No",
    }
    assert (second["Nombre"], second["Tipo"], second["Segmento"]) == (
        "Ramón Núñez",
        "Particular",
        "B (valor medio)",
    )
    # Each column at least as wide as its header (bold, with the filter's arrow), the name wider still.
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGHIJ"}
    for letter, title in zip("ABCDEFGHIJ", header, strict=True):
        assert widths[letter] >= len(title) + 2, (letter, widths)
    assert widths["B"] >= len(NASTY)


def test_customers_follow_the_search_the_filters_and_the_order(world, tmp_path):
    def names(**kwargs) -> list[str]:
        i18n.set_language("en")
        written = exports.export_list(
            lambda: exports.customers_table(**kwargs), tmp_path / "c", ExportFormat.XLSX, force=True
        )
        return [row["Name"] for row in records(sheet(written.path))]

    assert names() == [NASTY, "Ramón Núñez"]
    assert names(search="ramon") == ["Ramón Núñez"]  # accents ignored, as the page's search box
    assert names(include_archived=True, order_by="code", descending=True) == [
        "Archivado Antiguo",
        "Ramón Núñez",
        NASTY,
    ]
    assert names(segment=exports.lists.Segment.B) == ["Ramón Núñez"]


def test_follow_ups_workbook_has_real_date_times_numbers_and_labels(world, tmp_path):
    ws = sheet(export(ListKind.FOLLOW_UPS, tmp_path, ExportFormat.XLSX).path)
    (row,) = cells(ws)
    when = row["Date and time"]
    assert when.is_date and when.value == dt.datetime(2026, 11, 24, 10, 30)
    assert when.number_format == "dd/mm/yyyy hh:mm"
    assert row["Minutes"].value == 45 and row["Minutes"].data_type == "n"
    assert {k: row[k].value for k in ("Kind", "Purpose", "State", "Overdue", "Customer code", "Place")} == {
        "Kind": "Personal visit",
        "Purpose": "Commercial follow-up / offers",
        "State": "Planned",
        "Overdue": "No",
        "Customer code": "00017",
        "Place": "Logroño",  # a visit goes to the customer's address
    }
    assert row["Notes"].value == "Llevar catálogo"  # the control character XML forbids is dropped
    assert row["Outcome"].value is None  # no outcome yet: an empty cell, never a code


def test_checks_returns_cases_and_surveys_workbooks(world, tmp_path):
    (check,) = cells(sheet(export(ListKind.CHECKS, tmp_path, ExportFormat.XLSX).path))
    assert check["Date"].value == dt.datetime(2026, 11, 20, 9, 15) and check["Date"].is_date
    assert (check["Result"].value, check["Score (%)"].value) == ("Passed", 87.5)
    assert check["Score (%)"].data_type == "n"
    assert (check["Checklist"].value, check["Version"].value, check["Category"].value) == (
        "Uso correcto: lavadoras",
        1,
        "Lavadoras",
    )

    (rma,) = cells(sheet(export(ListKind.RETURNS, tmp_path, ExportFormat.XLSX).path))
    assert rma["Requested"].value.date() == dt.date(2026, 11, 2)
    assert rma["Requested"].number_format == "dd/mm/yyyy"
    assert rma["Due date"].value.date() == dt.date(2026, 11, 2) + dt.timedelta(days=15)
    assert rma["Resolved on"].value is None
    assert (rma["State"].value, rma["Reason"].value, rma["Warranty"].value) == (
        "Requested",
        "Failure in use",
        "Under warranty",
    )
    assert rma["Days open"].value == 21 and rma["Serial number"].value == "LAV-0001"

    (claim,) = cells(sheet(export(ListKind.CASES, tmp_path, ExportFormat.XLSX).path))
    assert (claim["Number"].value, claim["Type"].value, claim["Channel"].value) == (
        "REC-2026-0001",
        "Claim",
        "E-mail",
    )
    assert claim["Received"].value.date() == dt.date(2026, 11, 3)
    assert claim["Days open"].value == 20

    surveys = cells(sheet(export(ListKind.SURVEYS, tmp_path, ExportFormat.XLSX).path))
    assert [s["Date"].value.date() for s in surveys] == [dt.date(2026, 11, 10), dt.date(2026, 11, 5)]
    low = surveys[1]
    assert (low["Satisfaction (1–5)"].value, low["Recommendation (0–10)"].value) == (2, 3)
    assert low["Cause of dissatisfaction"].value == "Price"
    # A formula-looking comment stays text: the cell is a string, not a formula.
    assert low["Comment"].value == "=SUM(A1)" and low["Comment"].data_type == "s"
    assert low["Category"].value is None  # a survey of no follow-up or return has no product


def test_retention_lists_workbooks_have_money_and_the_reasons(world, tmp_path):
    (risk,) = cells(sheet(export(ListKind.AT_RISK, tmp_path, ExportFormat.XLSX).path))
    assert risk["Code"].value == "00017"
    assert risk["Value"].value == pytest.approx(1234.5) and risk["Value"].data_type == "n"
    assert "€" in risk["Value"].number_format and "0.00" in risk["Value"].number_format
    assert risk["Last purchase"].value.date() == dt.date(2025, 1, 10)
    assert (risk["Last satisfaction"].value, risk["Last recommendation"].value) == (2, 3)
    assert risk["Average satisfaction"].value == 2 and risk["Open complaints or claims"].value == 1
    assert risk["Reasons"].value.startswith("No purchase since 10/01/2025")

    (candidate,) = cells(sheet(export(ListKind.LOYALTY, tmp_path, ExportFormat.XLSX).path))
    assert (candidate["Name"].value, candidate["Segment"].value) == ("Ramón Núñez", "B (middle value)")
    assert candidate["Value"].value == pytest.approx(99.9)
    assert "Reasons" not in candidate


def test_retention_lists_follow_the_search_box(world):
    assert [r.name for r in exports.at_risk_table(EXPORT_TODAY, search="pena").rows] == [NASTY]
    assert list(exports.at_risk_table(EXPORT_TODAY, search="ramon").rows) == []
    assert list(exports.loyalty_table(rep_id=world["ana"].id + 1000).rows) == []


@pytest.mark.parametrize("kind", list(ListKind))
def test_every_list_in_every_language_has_translated_headers(world, tmp_path, kind):
    english = [c.value for c in sheet(export(kind, tmp_path, ExportFormat.XLSX, force=True).path)[1]]
    spanish = [c.value for c in sheet(export(kind, tmp_path, ExportFormat.XLSX, "es", force=True).path)[1]]
    assert len(english) == len(spanish) == len(table(kind).columns)
    assert english != spanish
    # The sheet is named after the list (Excel cuts a sheet's name at 31 characters).
    assert sheet(export(kind, tmp_path, ExportFormat.XLSX, "es", force=True).path).title == kind.label[:31]


# --- CSV -------------------------------------------------------------------------------------------------


def test_csv_in_spanish_reads_in_excel_with_decimal_commas_and_spanish_dates(world, tmp_path):
    (risk,) = read_csv(export(ListKind.AT_RISK, tmp_path, ExportFormat.CSV, "es").path)
    assert risk["Código"] == "00017"
    assert risk["Valor"] == "1234,50"  # no thousands separator, the decimal comma
    assert risk["Última compra"] == "10/01/2025"
    assert risk["Satisfacción media"] == "2,0"
    assert risk["Segmento"] == "A (valor alto)"
    (visit,) = read_csv(export(ListKind.FOLLOW_UPS, tmp_path, ExportFormat.CSV, "es").path)
    assert visit["Fecha y hora"] == "24/11/2026 10:30"
    assert (visit["Tipo"], visit["Estado"], visit["Minutos"]) == ("Visita personal", "Planificado", "45")


def test_csv_in_english_writes_decimal_points(world, tmp_path):
    (risk,) = read_csv(export(ListKind.AT_RISK, tmp_path, ExportFormat.CSV, "en").path)
    assert (risk["Value"], risk["Average satisfaction"], risk["Last purchase"]) == (
        "1234.50",
        "2.0",
        "10/01/2025",
    )


def test_csv_neutralises_formulas_but_keeps_phone_numbers(world, tmp_path):
    surveys = read_csv(export(ListKind.SURVEYS, tmp_path, ExportFormat.CSV).path)
    assert [s["Comment"] for s in surveys] == ["Muy bien", "'=SUM(A1)"]
    (first, _second) = read_csv(export(ListKind.CUSTOMERS, tmp_path, ExportFormat.CSV).path)
    assert first["Phone"] == "+34 600 123 456"
    assert first["Name"] == NASTY


# --- the file -------------------------------------------------------------------------------------------


def test_an_existing_file_is_refused_without_force_before_any_query(world, tmp_path):
    target = tmp_path / "clientes.xlsx"
    target.write_bytes(b"mine")

    def build():
        raise AssertionError("the table is built only once the file is accepted")

    with pytest.raises(OutputExistsError):
        exports.export_list(build, target, ExportFormat.XLSX)
    assert target.read_bytes() == b"mine"
    written = exports.export_list(lambda: table(ListKind.CUSTOMERS), target, ExportFormat.XLSX, force=True)
    assert written.rows == 2 and records(sheet(target))[0]["Code"] == "00017"


def test_a_cancelled_export_leaves_no_file(world, tmp_path):
    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        raise Cancelled()

    folder = tmp_path / "out"
    folder.mkdir()
    for export_format in ExportFormat:
        with pytest.raises(Cancelled):
            exports.export_list(
                lambda: table(ListKind.CUSTOMERS), folder / "c", export_format, progress=cancel
            )
    assert list(folder.iterdir()) == []  # nor a temporary file


def test_progress_counts_rows_up_to_the_total(world, tmp_path):
    seen: list[tuple[int, int]] = []
    exports.export_list(
        lambda: table(ListKind.CUSTOMERS),
        tmp_path / "c",
        ExportFormat.XLSX,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1] == (2, 2)


def test_a_period_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(ValidationError):
        exports.table_for(
            ListKind.CASES,
            start=dt.date(2026, 12, 1),
            end=dt.date(2026, 11, 1),
            today=EXPORT_TODAY,
            now=EXPORT_NOW,
        )
    with pytest.raises(ValidationError):
        exports.table_for(ListKind.CUSTOMERS, start=dt.date(2026, 1, 1), today=EXPORT_TODAY, now=EXPORT_NOW)


def test_an_empty_list_is_a_header_row_with_its_filter(database, tmp_path):
    i18n.set_language("en")
    written = exports.export_list(lambda: exports.customers_table(), tmp_path / "none", ExportFormat.XLSX)
    ws = sheet(written.path)
    assert written.rows == 0 and ws.max_row == 1 and ws.auto_filter.ref == "A1:J1"
    assert (
        read_csv(exports.export_list(lambda: exports.customers_table(), tmp_path / "none", "csv").path) == []
    )


def test_surveys_name_the_product_category_the_case_and_the_return(world, tmp_path):
    from app.models import Case, FollowUp, SatisfactionSurvey, SoldUnit, WarrantyReturn
    from app.models.enums import FollowUpKind, FollowUpPurpose, FollowUpState

    first = world["first"]
    unit = SoldUnit.get(SoldUnit.serial_number == "LAV-0001")
    call = FollowUp.create(
        customer=first,
        kind=FollowUpKind.CALL,
        purpose=FollowUpPurpose.SATISFACTION,
        scheduled_at=dt.datetime(2026, 11, 12, 10, 0),
        state=FollowUpState.DONE,
        sold_unit=unit,
    )
    SatisfactionSurvey.create(customer=first, taken_on=dt.date(2026, 11, 12), satisfaction=4, follow_up=call)
    SatisfactionSurvey.create(
        customer=first,
        taken_on=dt.date(2026, 11, 13),
        recommend=10,
        case=Case.get(),
        warranty_return=WarrantyReturn.get(),
    )
    rows = records(sheet(export(ListKind.SURVEYS, tmp_path, ExportFormat.XLSX).path))
    by_date = {row["Date"].date(): row for row in rows}
    assert by_date[dt.date(2026, 11, 12)]["Category"] == "Lavadoras"  # the follow-up's unit
    assert (
        by_date[dt.date(2026, 11, 12)]["Rep"] is None
        and by_date[dt.date(2026, 11, 12)]["Satisfaction (1–5)"] == 4
    )
    after_case = by_date[dt.date(2026, 11, 13)]
    assert (after_case["Case"], after_case["Return"], after_case["Category"]) == (
        "REC-2026-0001",
        "RMA-2026-0001",
        "Lavadoras",  # the return's unit
    )
    assert after_case["Satisfaction (1–5)"] is None and after_case["Recommendation (0–10)"] == 10
    assert exports.lists.count_surveys(*NOVEMBER) == 4 == len(rows)
