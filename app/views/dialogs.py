"""Dialog base: remembers its geometry; subclasses expose `ask(parent, …) -> Result | None`."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QWidget

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


def confirm(parent: QWidget | None, question: str, title: str | None = None) -> bool:
    """Yes/No question before something that cannot be undone; No is the default."""
    answer = QMessageBox.question(
        parent,
        title or _("Please confirm"),
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
