"""The charters area as `postventa screenshots` shows it beyond the page itself.

The charter editor lives on the page (no dialogs of its own); a new charter, pre-filled with the
seeds' procedure and principles, is worth its own picture.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.views.pages.base import AppContext


def charter_dialog_builders(context: AppContext) -> list[tuple[str, Callable[[], QWidget]]]:
    """(file name, factory): the page holding a new, unsaved charter."""

    def new_charter() -> QWidget:
        from app.views.charters.page import ChartersPage

        page = ChartersPage(context)
        page.resize(1280, 800)
        page.create_new()
        return page

    return [("charters-new", new_charter)]
