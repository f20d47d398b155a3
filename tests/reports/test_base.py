"""The shared document template: fonts, escaping, page numbers, no partial files."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader
from reportlab.platypus import PageBreak

from app import i18n
from app.reports.base import Letterhead, data_table, para, write_pdf

NASTY = 'Peña & <Hijos> "Ñandú" €'


def text_of(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def test_user_text_prints_literally_with_page_x_of_y(tmp_path):
    path = tmp_path / "doc.pdf"
    head = Letterhead(company=NASTY, title="Informe <prueba>", issued_on=dt.date(2026, 11, 23))
    with i18n.using_language("es"):
        write_pdf(
            path,
            head,
            lambda: [
                para(NASTY, "Title"),
                data_table(["Cliente", "Importe"], [[NASTY, "1.234,50 €"]]),
                PageBreak(),
                para("fin"),
            ],
        )
    pages = text_of(path)
    assert len(pages) == 2
    assert NASTY in pages[0] and "Informe <prueba>" in pages[0]
    assert "Página 1 de 2" in pages[0] and "Página 2 de 2" in pages[1]
    assert "Emitido el 23/11/2026" in pages[1]
    assert i18n.current_language() == "en"  # the UI language is back


def test_a_failed_build_leaves_no_file(tmp_path):
    path = tmp_path / "broken.pdf"

    def story():
        raise RuntimeError("no data")

    with pytest.raises(RuntimeError):
        write_pdf(path, Letterhead("ACME", "x"), story)
    assert list(tmp_path.iterdir()) == []
