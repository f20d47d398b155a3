"""File ▸ Import…: the formats a person chose on the columns page (a column whose dates or numbers read
both ways) are kept with the file's headers and offered again for the next such file — unless that
file's values read only the other way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtWidgets import QWizard

from app.models import Sale
from app.services.imports import ImportKind, headers_key
from app.views import settings
from tests.imports.files import write_csv
from tests.views.test_import_wizard import (
    WAIT_MS,
    catalogue,
    counts,
    open_wizard,
    to_check,
    to_columns,
    wait_for_columns,
)

HEADER = ["Nº factura", "Fecha", "NIF cliente", "Referencia", "Cantidad", "Precio"]


def sales(tmp_path, name: str, rows: list[list[str]]):
    return write_csv(tmp_path / name, [HEADER, *rows])


def next_enabled(wizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def start(qtbot, database, path):
    wizard = open_wizard(qtbot, database)
    wizard.source_page.as_of_edit.setDate(dt.date(2026, 6, 1))
    wizard.source_page.follow_ups_check.setChecked(False)
    to_columns(qtbot, wizard, ImportKind.SALES, path)
    wait_for_columns(qtbot, wizard)
    return wizard


def test_a_format_chosen_is_offered_again_for_the_next_file(qtbot, database, tmp_path):
    catalogue(tmp_path)
    key = headers_key(HEADER)
    assert settings.import_formats("sales", key) == {}
    # January: every date reads both ways, every price too ('1,250'). The person says month first
    # and decimal point.
    january = sales(
        tmp_path,
        "enero.csv",
        [["F-1", "01/02/2026", "B12345674", "CAB-10", "1", "1,250"]],
    )
    wizard = start(qtbot, database, january)
    page = wizard.columns_page
    assert (page.format_of(1), page.format_of(5)) == ("", "")
    assert not page.remembered_note.isVisible() and not next_enabled(wizard)
    page.set_format(1, "mdy")
    page.set_format(5, "point")
    wait_for_columns(qtbot, wizard)
    to_check(qtbot, wizard)
    assert settings.import_formats("sales", key) == {"Fecha": "mdy", "Precio": "point"}
    wizard.reject()

    # February, the same program: asked nothing, read as chosen, and told so.
    february = sales(
        tmp_path,
        "febrero.csv",
        [
            ["F-2", "03/04/2026", "B12345674", "CAB-10", "1", "2,500"],
            ["F-3", "05/06/2026", "12345678Z", "CAB-10", "1", "1,000"],
        ],
    )
    again = start(qtbot, database, february)
    page = again.columns_page
    assert (page.format_of(1), page.format_of(5)) == ("mdy", "point")
    assert page.remembered_note.isVisible()
    assert page.remembered_note.text() == (
        "Dates and numbers are read as you chose for the last file with these headers."
    )
    assert not page.missing.isVisible() and next_enabled(again)
    to_check(qtbot, again)
    assert counts(again.check_page.summary) == (2, 0, 0, 0)
    again.next()
    qtbot.waitUntil(lambda: again.import_page.summary is not None, timeout=WAIT_MS)
    imported = {s.number: s.sold_on for s in Sale.select()}
    assert imported == {"F-2": dt.date(2026, 3, 4), "F-3": dt.date(2026, 5, 6)}
    prices = {line.sale.number: Decimal(line.unit_price) for line in Sale.get(Sale.number == "F-2").lines}
    assert prices == {"F-2": Decimal("2500")}
    assert settings.import_formats("sales", key) == {"Fecha": "mdy", "Precio": "point"}


def test_a_file_whose_values_read_the_other_way_is_read_as_they_say(qtbot, database, tmp_path):
    catalogue(tmp_path)
    key = headers_key(HEADER)
    settings.save_import_formats("sales", key, {"Fecha": "mdy", "Precio": "point"})
    # Days past the 12th: day first, whatever was chosen for another file; the prices still read
    # both ways, so the choice kept for them holds.
    march = sales(tmp_path, "marzo.csv", [["F-4", "23/03/2026", "B12345674", "CAB-10", "1", "1,250"]])
    wizard = start(qtbot, database, march)
    page = wizard.columns_page
    assert (page.format_of(1), page.format_of(5)) == ("dmy", "point")
    assert page.remembered_note.isVisible() and next_enabled(wizard)
    to_check(qtbot, wizard)
    # Confirmed: what the person now has chosen is kept (the date was not chosen: found).
    assert settings.import_formats("sales", key) == {"Precio": "point"}


def test_formats_changed_back_to_a_question_are_not_kept(qtbot, database, tmp_path):
    catalogue(tmp_path)
    key = headers_key(HEADER)
    settings.save_import_formats("sales", key, {"Fecha": "dmy", "Nada": "mdy", "Precio": "bogus"})
    path = sales(tmp_path, "abril.csv", [["F-5", "01/02/2026", "B12345674", "CAB-10", "1", "12,50"]])
    wizard = start(qtbot, database, path)
    page = wizard.columns_page
    # A column no longer in the file and a code that is no format are left alone.
    assert (page.format_of(1), page.format_of(5)) == ("dmy", "comma")
    to_check(qtbot, wizard)
    assert settings.import_formats("sales", key) == {"Fecha": "dmy"}
