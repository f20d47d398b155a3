"""Where a top-level window goes on the screen: inside the part windows may use, with its frame.

Apart from app.views.dialogs (whose dialog classes the window's first paint does not need): the main
window's frame fits itself with these before it paints (issue 19).
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room kept for the window's title bar and frame while the window manager has not drawn them yet.
FRAME_ALLOWANCE = 40


def available_area(widget: QWidget) -> QRect:
    """The part of the widget's screen that windows may use (without panels and docks)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)


def fit_into(widget: QWidget, area: QRect) -> None:
    """Shrink and move the top-level `widget` so that it and its frame lie inside `area`."""
    frame = widget.frameGeometry()
    inner = widget.geometry()
    extra_width = max(frame.width() - inner.width(), 0)
    extra_height = max(frame.height() - inner.height(), FRAME_ALLOWANCE)
    width = min(inner.width(), area.width() - extra_width)
    height = min(inner.height(), area.height() - extra_height)
    if (width, height) != (inner.width(), inner.height()):
        widget.resize(width, height)
    left = min(max(frame.left(), area.left()), area.right() + 1 - width - extra_width)
    top = min(max(frame.top(), area.top()), area.bottom() + 1 - height - extra_height)
    if (left, top) != (frame.left(), frame.top()):
        widget.move(left, top)
