"""Long combos (products, customers' units, reps) that filter as you type.

`filter_as_you_type(combo)` makes a combo editable: typing shows, under it, the items containing every
typed word anywhere (case and accents ignored: "pena" finds "Peña"); picking one (click, Enter) chooses
it. The items stay the combo's own (addItem, clear, findData, currentData work as before), and free
text is never accepted: leaving the field with text that names no item puts the chosen item back.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter

from app.models.customers import fold_for_search

MARK = "_filters_as_you_type"  # set on a combo once it filters (the helper is applied once)


class _WordsFilter(QSortFilterProxyModel):
    """The combo's items whose text holds every typed word (folded: case and accents ignored)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.10 on (invalidateFilter is deprecated there)
            self.beginFilterChange()
            self._words = fold_for_search(text).split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = fold_for_search(text).split()
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        text = self.sourceModel().index(row, 0, parent).data(Qt.ItemDataRole.DisplayRole) or ""
        folded = fold_for_search(str(text))
        return all(word in folded for word in self._words)


def filter_as_you_type(combo: QComboBox) -> QComboBox:
    """Make `combo` filter its items as the person types (see the module's note); returns it."""
    if combo.property(MARK):
        return combo
    combo.setProperty(MARK, True)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    words = _WordsFilter(combo)
    words.setSourceModel(combo.model())
    completer = QCompleter(words, combo)
    # The proxy does the matching; the completer only shows what it lets through. Picking an item
    # is QComboBox's own: it maps the completer's row through this proxy to its item.
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    combo.setCompleter(completer)
    line = combo.lineEdit()

    def on_text_edited(text: str) -> None:
        words.set_text(text)
        if text.strip():
            completer.complete()

    def on_editing_finished() -> None:
        """Leaving the field: typed text naming an item chooses it, anything else is undone."""
        text = line.text()
        found = combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if found >= 0:
            if found != combo.currentIndex():
                combo.setCurrentIndex(found)
        elif combo.currentIndex() >= 0:
            line.setText(combo.itemText(combo.currentIndex()))
        # The filter stays as typed: the completer may still pick from it (its rows are the filter's).

    def show_start() -> None:
        """A chosen item reads from its start ("Lavadora carga frontal…", not "…frontal (LAV-002)")."""
        if not line.hasFocus() or line.text() == combo.currentText():
            line.setCursorPosition(0)

    line.textEdited.connect(on_text_edited)
    line.editingFinished.connect(on_editing_finished)
    line.editingFinished.connect(show_start)
    combo.currentIndexChanged.connect(lambda _index: show_start())
    return combo
