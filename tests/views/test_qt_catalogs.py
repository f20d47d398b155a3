"""Qt's standard dialogs speak Spanish: every label, button and tip differs from the English one."""

from __future__ import annotations

import pytest
from PySide6.QtPrintSupport import QPageSetupDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QColorDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from app.views.app import apply_language
from app.views.qt_catalogs import qt_catalog_files

# Words that are the same in both languages.
SAME_IN_BOTH = {"&No", "Color", "&HTML:", "Postventa", "..."}


_printers: list[QPrinter] = []


def _dialogs() -> dict[str, QWidget]:
    dialogs: dict[str, QWidget] = {}
    for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
        dialog = QFileDialog(None, "Postventa", "", "PDF (*.pdf)")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # Qt's own, as on Linux
        dialog.setAcceptMode(mode)
        dialogs[f"file-{mode.name}"] = dialog
    printer = QPrinter()
    _printers.append(printer)  # a print dialog must not outlive its printer
    dialogs["print"] = QPrintDialog(printer)
    dialogs["page-setup"] = QPageSetupDialog(printer)
    colour = QColorDialog()
    colour.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog, True)
    dialogs["colour"] = colour
    dialogs["input"] = QInputDialog()
    box = QMessageBox()
    box.setStandardButtons(
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
        | QMessageBox.StandardButton.Close
    )
    box.setDetailedText("details")
    dialogs["message-box"] = box
    return dialogs


def _texts(qtbot, language: str) -> dict[str, set[str]]:
    apply_language(language)
    seen: dict[str, set[str]] = {}
    for name, dialog in _dialogs().items():
        qtbot.addWidget(dialog)
        dialog.show()
        texts = set()
        for widget in [dialog, *dialog.findChildren(QWidget)]:
            if isinstance(widget, (QLabel, QAbstractButton)) and widget.text().strip():
                texts.add(widget.text())
            if isinstance(widget, QGroupBox) and widget.title():
                texts.add(widget.title())
            if widget.toolTip() and not isinstance(widget, QLineEdit | QDialogButtonBox):
                texts.add(widget.toolTip())
            if isinstance(widget, QLineEdit) and widget.toolTip():
                texts.add(widget.toolTip())
        seen[name] = texts
        dialog.hide()
    return seen


def test_pyside_ships_spanish_catalogs_and_all_are_used():
    names = {path.name for path in qt_catalog_files("es")}
    assert "qtbase_es.qm" in names


@pytest.fixture
def back_to_english():
    yield
    apply_language("en")


def test_standard_dialogs_have_no_english_left_in_spanish(qtbot, back_to_english):
    english = _texts(qtbot, "en")
    spanish = _texts(qtbot, "es")
    untranslated = {
        name: sorted(text for text in spanish[name] & english[name] if text not in SAME_IN_BOTH)
        for name in english
    }
    assert {name: texts for name, texts in untranslated.items() if texts} == {}
    assert "&Buscar en:" in spanish["file-AcceptOpen"]


def test_file_types_qt_6_moved_to_another_context_are_spanish(back_to_english):
    from PySide6.QtCore import QCoreApplication

    apply_language("es")
    assert (
        QCoreApplication.translate("QAbstractFileIconProvider", "Folder", "All other platforms") == "Carpeta"
    )
    assert QCoreApplication.translate("QAbstractFileIconProvider", "%1 File") == "Archivo %1"
    apply_language("en")
    assert (
        QCoreApplication.translate("QAbstractFileIconProvider", "Folder", "All other platforms") == "Folder"
    )


def test_switching_back_to_english_removes_the_spanish_catalogs(qtbot, back_to_english):
    apply_language("es")
    apply_language("en")
    dialog = QFileDialog(None, "Postventa", "", "PDF (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert "&Look in:" in labels and "Files of &type:" in labels
