"""A small canvas the customer signs on with the mouse, a pen or a finger; kept as PNG bytes."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.i18n import _

PEN_WIDTH = 2.5
INK = QColor("#102a43")


class SignaturePad(QWidget):
    """Strokes drawn with the left button (or a tablet pen) since the last clear; `png()` exports them."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._paths: list[QPainterPath] = []
        self._background: QImage | None = None  # a saved signature being shown again
        self.setMinimumSize(QSize(320, 110))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setToolTip(_("The customer signs here with the mouse, a pen or a finger"))
        self.setAccessibleName(_("Customer's signature"))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(420, 120)

    # --- content -------------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self._paths and self._background is None

    def clear(self) -> None:
        self._paths = []
        self._background = None
        self.update()
        self.changed.emit()

    def set_png(self, data: bytes | None) -> None:
        self._paths = []
        self._background = None
        if data:
            image = QImage.fromData(QByteArray(data), "PNG")
            self._background = None if image.isNull() else image
        self.update()

    def png(self) -> bytes | None:
        """The signature as a transparent PNG of the pad's size, None when nothing is drawn."""
        if self.is_empty():
            return None
        image = QImage(self.size(), QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self._paint_strokes(painter)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(buffer.data())

    def add_stroke(self, points: list[QPointF]) -> None:
        """A stroke through `points` (what a drag does; also for tests)."""
        if not points:
            return
        path = QPainterPath(points[0])
        for point in points[1:]:
            path.lineTo(point)
        if len(points) == 1:
            path.lineTo(points[0] + QPointF(0.5, 0.5))  # a dot
        self._paths.append(path)
        self.update()
        self.changed.emit()

    # --- drawing -----------------------------------------------------------------------

    def _paint_strokes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._background is not None:
            painter.drawImage(0, 0, self._background)
        pen = QPen(INK, PEN_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for path in self._paths:
            painter.drawPath(path)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#c8d3e0"), 1, Qt.PenStyle.DashLine))
        baseline = self.height() - 22
        painter.drawLine(16, baseline, self.width() - 16, baseline)
        painter.setPen(QColor("#9aa5b1"))
        if self.is_empty():
            painter.drawText(self.rect().adjusted(0, 0, 0, -28), Qt.AlignmentFlag.AlignCenter, _("Sign here"))
        self._paint_strokes(painter)
        painter.setPen(QPen(QColor("#9aa5b1"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self._paths.append(QPainterPath(event.position()))
            self._paths[-1].lineTo(event.position() + QPointF(0.5, 0.5))
            self.update()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.buttons() & Qt.MouseButton.LeftButton and self._paths:
            self._paths[-1].lineTo(event.position())
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self.changed.emit()

    # A tablet pen arrives as mouse events too (Qt synthesises them when tabletEvent is ignored).

    def pixmap(self) -> QPixmap:
        return self.grab()
