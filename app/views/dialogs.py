"""Dialog base: remembers its geometry; subclasses expose `ask(parent, …) -> Result | None`."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.i18n import _
from app.views import settings


class BaseDialog(QDialog):
    """Restores and saves its size and position under window/<ClassName>."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._geometry_key = "geometry/" + type(self).__name__

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        geometry = settings.window_state(self._geometry_key)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        super().showEvent(event)

    def done(self, result: int) -> None:
        settings.save_window_state(self._geometry_key, self.saveGeometry())
        super().done(result)


def field_error_label() -> QLabel:
    """A red label placed under a field to say why its value is refused."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


def with_error_label(widget: QWidget) -> tuple[QWidget, QLabel]:
    """`widget` with a field_error_label under it, for a form row: (the row's widget, the label)."""
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    error = field_error_label()
    column.addWidget(error)
    return holder, error


def confirm(parent: QWidget | None, question: str, title: str | None = None, *, default_yes: bool = False) -> bool:
    """A Yes/No question. No is the default before something that cannot be undone;
    Yes (default_yes) when proposing a helpful next step."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, title or _("Please confirm"), question, yes | no, yes if default_yes else no)
    return answer == yes
