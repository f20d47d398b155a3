"""File ▸ Import… as `postventa screenshots` shows it: the columns page of a customers file with a few
bad rows, and the check (dry run) of the same file. Nothing is imported: the pictures are taken on the
database they show."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from app.services.imports import ImportKind
from app.views.pages.base import AppContext

SAMPLE_HEADER = (
    "Código",
    "Razón social",
    "CIF/NIF",
    "Teléfono",
    "E-mail",
    "C.P.",
    "Población",
    "Observaciones",
)
SAMPLE_ROWS = (
    (
        "00017",
        "Peña & Hijos, S.L.",
        "B-12.345.674",
        "912345678",
        "pena@example.com",
        "08001",
        "Barcelona",
        "",
    ),
    (
        "00018",
        "José Núñez Ávila",
        "12345678Z",
        "+34 600 12 34 57",
        "jose@example.com",
        "26001",
        "Logroño",
        "",
    ),
    ("00019", "Talleres Ebro", "12345678A", "976123456", "ebro@example.com", "50001", "Zaragoza", ""),
    ("00017", "Peña e Hijos", "", "600123459", "", "28013", "Madrid", ""),
    ("00020", "", "", "12", "sin arroba", "99999", "Madrid", "Alta pendiente"),
    (
        "00021",
        "Lucía Marín",
        "",
        "600 12 34 60",
        "lucia@example.com",
        "41001",
        "Sevilla",
        "Cliente desde 2019",
    ),
)
WAIT_SECONDS = 60


def _wait(condition: Callable[[], bool]) -> None:
    """Let the wizard's background reading and checking finish and deliver their results."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition() and time.monotonic() < deadline:
        QApplication.processEvents()
        QThreadPool.globalInstance().waitForDone(100)
        QApplication.processEvents()


def _sample_file(folder: Path) -> Path:
    """A customers CSV as Excel in Spanish saves it: Windows-1252, `;`, CRLF, a title row above the headers."""
    lines = ["Clientes a 23/11/2026", "", *(";".join(row) for row in (SAMPLE_HEADER, *SAMPLE_ROWS))]
    path = folder / "clientes.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def _wizard_on(context: AppContext, check: bool) -> QWidget:
    from app.views.imports.wizard import ImportWizard

    folder = Path(tempfile.mkdtemp(prefix="postventa-import-"))
    wizard = ImportWizard(context)
    wizard.destroyed.connect(lambda *args: shutil.rmtree(folder, ignore_errors=True))
    wizard.show()
    wizard.resize(1000, 640)  # after show: not the size a previous picture's wizard left
    wizard.source_page.select_kind(ImportKind.CUSTOMERS)
    wizard.source_page.file_edit.setText(str(_sample_file(folder)))
    wizard.next()
    columns = wizard.columns_page
    _wait(lambda: columns.ready() and not columns.is_busy())
    if check:
        wizard.next()
        _wait(lambda: wizard.check_page.summary is not None or not wizard.check_page.is_running())
    return wizard


def import_dialog_builders(context: AppContext) -> list[tuple[str, Callable[[], QWidget]]]:
    return [
        ("dialog-import-columns", lambda: _wizard_on(context, check=False)),
        ("dialog-import-check", lambda: _wizard_on(context, check=True)),
    ]
