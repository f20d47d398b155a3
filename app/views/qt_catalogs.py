"""Qt's own dialogs (file, print, page setup, colour, message boxes) in the user's language.

Every translation catalog PySide6 ships for the language is loaded. Qt's Spanish catalog is older
than its dialogs, so a few of their labels have no translation there ("&Look in:", "Files of
&type:", the print dialog's double-sided options): those few are in our own catalog and answered
by a translator consulted before Qt's, which also finds texts Qt 6 moved to another context
under their old one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QTranslator
from PySide6.QtWidgets import QApplication

from app import i18n
from app.i18n import N_, _

# Qt's source texts its shipped catalogs leave untranslated, found by rendering each standard dialog
# in Spanish (tests/views/test_qt_catalogs.py keeps the list complete).
QT_CATALOG_GAPS = frozenset(
    {
        N_("&Look in:"),
        N_("Files of &type:"),
        N_("Page &order:"),
        N_("Pages &per sheet:"),
        N_("Double Sided Printing"),
        N_("Page &Set:"),
        N_(
            "Specify pages or ranges separated by commas. Ranges are specified by two numbers separated by a "
            "hyphen. E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9."
        ),
        N_("Long side binding"),
        N_("Short side binding"),
        N_("Off"),
        N_("Pages"),
    }
)


# Texts Qt 6 moved to a new context, which its catalog still files under the old one.
QT_MOVED_CONTEXTS = {"QAbstractFileIconProvider": "QFileDialog"}  # "Folder", "%1 File", "Drive"…


class _GapTranslator(QTranslator):
    """Answers only Qt's untranslated texts; None lets the next translator, or the source, answer."""

    def __init__(self, parent, shipped: list[QTranslator]):
        super().__init__(parent)
        self._shipped = shipped

    def translate(self, context, source_text, disambiguation=None, n=-1):  # Qt's virtual
        if source_text in QT_CATALOG_GAPS:
            return _(source_text)
        old_context = QT_MOVED_CONTEXTS.get(context)
        if old_context is not None:
            for translator in self._shipped:
                text = translator.translate(old_context, source_text, disambiguation, n)
                if text:
                    return text
        return None

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's virtual)
        return False


_installed: list[QTranslator] = []


def qt_catalog_files(language: str) -> list[Path]:
    """The Qt catalogs PySide6 ships for `language` (qtbase_es.qm, qtmultimedia_es.qm, …)."""
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    return sorted(folder.glob(f"qt*_{language}.qm"))


def install_qt_catalogs(app: QApplication, language: str) -> list[QTranslator]:
    """Replace the Qt translators of the previous language by those of `language`."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == i18n.SOURCE_LANGUAGE:
        return []
    for path in qt_catalog_files(language):
        translator = QTranslator(app)
        if translator.load(str(path)):
            app.installTranslator(translator)
            _installed.append(translator)
    gaps = _GapTranslator(app, list(_installed))
    app.installTranslator(gaps)  # installed last, asked first: it answers only the gaps
    _installed.append(gaps)
    return list(_installed)
