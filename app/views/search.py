"""Search everything (Ctrl+K): one box over customers, serial numbers, RMA, case and sale numbers.

The dialog searches in the background as the user types (app.services.search), lists the hits grouped
by kind, and is driven from the keyboard: arrows move through the hits, Enter opens one, Esc closes.
`SearchDialog.ask` returns the chosen hit; the main window opens it (`MainWindow.open_search_hit`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services.search import DEFAULT_LIMIT, SearchHit, SearchResults, search_everything
from app.views.dialogs import BaseDialog
from app.views.errors import show_error
from app.views.pages.base import empty_state_label, search_timer
from app.views.tasks import run_in_background

HIT_ROLE = Qt.ItemDataRole.UserRole


def hit_text(hit: SearchHit) -> str:
    """One line of the list: what it is, then whose; the provisional number the text matched."""
    text = f"{hit.label}  ·  {hit.detail}" if hit.detail else hit.label
    if hit.matched_alias:
        text += "  " + _("(provisional number {number})").format(number=hit.matched_alias)
    return text


class SearchDialog(BaseDialog):
    """The Ctrl+K popup: type, move with the arrows, Enter opens the chosen record, Esc closes."""

    ASKS_BEFORE_DISCARDING = False  # a search, nothing to save

    def __init__(self, parent: QWidget | None = None, text: str = "", *, limit: int = DEFAULT_LIMIT):
        super().__init__(parent)
        self.setWindowTitle(_("Search everything"))
        self.setMinimumSize(560, 420)
        self.resize(640, 480)
        self._limit = limit
        self._generation = 0
        self._results = SearchResults("", ())
        self.searching = False
        self._chosen: SearchHit | None = None

        self._box = QLineEdit()
        self._box.setPlaceholderText(_("Customer, serial number, or RMA, case or sale number"))
        self._box.setClearButtonEnabled(True)
        self._box.installEventFilter(self)
        self._list = QListWidget()
        self._list.setUniformItemSizes(False)
        self._list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay in the box
        # Instead of the list when it is empty: what to type, or that nothing matches (plain text:
        # it quotes what was typed).
        self._empty = empty_state_label("")
        self._stack = QStackedWidget()
        self._stack.addWidget(self._list)
        self._stack.addWidget(self._empty)
        self._status = QLabel()
        self._status.setStyleSheet("color: palette(dark);")
        hint = QLabel(_("↑ ↓ choose · Enter opens · Esc closes"))
        hint.setStyleSheet("color: palette(dark);")

        layout = QVBoxLayout(self)
        layout.addWidget(self._box)
        layout.addWidget(self._stack, 1)
        footer = QHBoxLayout()
        footer.addWidget(hint, 1)
        footer.addWidget(self._status)
        layout.addLayout(footer)

        self._timer = search_timer(self)
        self._timer.timeout.connect(self._search)
        self._box.textChanged.connect(self._timer.start)
        self._list.itemActivated.connect(self._on_list_item_activated)

        self._box.setText(text)
        self._show(SearchResults("", ()))
        if text.strip():
            self._search()

    # --- for the main window and tests -----------------------------------------------------

    @property
    def search_box(self) -> QLineEdit:
        return self._box

    @property
    def results_list(self) -> QListWidget:
        return self._list

    @property
    def results(self) -> SearchResults:
        return self._results

    def status_text(self) -> str:
        """What is said instead of hits ("No matches…"), '' while hits are listed."""
        return self._empty.text() if self._stack.currentWidget() is self._empty else ""

    def current_hit(self) -> SearchHit | None:
        item = self._list.currentItem()
        return item.data(HIT_ROLE) if item is not None else None

    @classmethod
    def ask(cls, parent: QWidget | None, text: str = "") -> SearchHit | None:
        """Search until the user opens a hit (returned) or closes the dialog (None)."""
        return cls(parent, text).answer(lambda dialog: dialog._chosen)

    # --- searching ----------------------------------------------------------------------------

    def _search(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation, text, limit = self._generation, self._box.text(), self._limit
        if not text.strip():
            self.searching = False
            self._show(SearchResults("", ()))
            return
        self.searching = True
        self._status.setText(_("Searching…"))

        def done(results: SearchResults) -> None:
            if generation == self._generation:  # else a later search is on its way
                self.searching = False
                self._show(results)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.searching = False
                self._status.setText("")
            show_error(self, exc)

        run_in_background(lambda _progress: search_everything(text, limit), done, failed, parent=self)

    def _show(self, results: SearchResults) -> None:
        self._results = results
        self._list.clear()
        heading_font = QFont(self.font())
        heading_font.setBold(True)
        for group in results.groups:
            heading = QListWidgetItem(group.kind.label)
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)  # not a hit: never chosen, the arrows step over it
            heading.setFont(heading_font)
            self._list.addItem(heading)
            for hit in group.hits:
                item = QListWidgetItem("    " + hit_text(hit))
                item.setData(HIT_ROLE, hit)
                item.setToolTip(hit_text(hit))
                self._list.addItem(item)
            if group.more:
                more = QListWidgetItem("    " + _("More found: type more of it to narrow the search."))
                more.setFlags(Qt.ItemFlag.NoItemFlags)
                self._list.addItem(more)
        self._status.setText("")
        if not results.text:
            self._empty.setText(_("Type a name, a serial number or a number (RMA, case, sale)."))
        elif not results:
            self._empty.setText(_("No matches for “{text}”.").format(text=results.text))
        self._stack.setCurrentWidget(self._list if results else self._empty)
        self._move(1, from_row=-1)

    # --- the keyboard ---------------------------------------------------------------------------

    def _hit_rows(self) -> list[int]:
        return [row for row in range(self._list.count()) if self._list.item(row).data(HIT_ROLE) is not None]

    def _move(self, step: int, from_row: int | None = None) -> None:
        """Make the next hit `step` rows away current (stopping at the first and the last)."""
        rows = self._hit_rows()
        if not rows:
            self._list.setCurrentRow(-1)
            return
        current = self._list.currentRow() if from_row is None else from_row
        if step > 0:
            later = [row for row in rows if row > current]
            target = later[min(step, len(later)) - 1] if later else rows[-1]
        else:
            earlier = [row for row in rows if row < current]
            target = earlier[-min(-step, len(earlier))] if earlier else rows[0]
        self._list.setCurrentRow(target)
        self._list.scrollToItem(self._list.item(target))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self._box and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}
            if key in steps:
                self._move(steps[key])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_current()
                return True
        return super().eventFilter(watched, event)

    def _open_current(self) -> None:
        if self._timer.isActive() or self.searching:
            # Enter right after typing: open what the text finds, not the previous hits.
            self._search_now_then_open()
            return
        hit = self.current_hit()
        if hit is not None:
            self._chosen = hit
            self.accept()

    def _search_now_then_open(self) -> None:
        text, limit = self._box.text(), self._limit
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        self.searching = True

        def done(results: SearchResults) -> None:
            if generation == self._generation:
                self.searching = False
                self._show(results)
                self._open_current()

        run_in_background(lambda _progress: search_everything(text, limit), done, parent=self)

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        if item.data(HIT_ROLE) is not None:
            self._list.setCurrentItem(item)
            self._open_current()
