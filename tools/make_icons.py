"""Render the platform icons from the one icon source, `resources/icons/postventa.svg`.

Writes, beside the SVG (committed: the bundles and the wheel take them from there):

- `postventa.png`  256×256, the Linux desktop icon (hicolor/256x256/apps) and Qt's window icon;
- `postventa.ico`  16–256 px, the Windows executables and the installer;
- `postventa.icns` 16–1024 px, the macOS `.app`.

Each size is rendered from the SVG by Qt's QSvgRenderer (small sizes stay sharp instead of being
scaled down from the largest) and packed by Pillow. Run after changing the SVG:

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/make_icons.py
"""

from __future__ import annotations

import os
import sys
from io import BytesIO
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICONS / "postventa.svg"
PNG_SIZE = 256
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render(size: int):
    """The SVG rendered to a size×size RGBA Pillow image."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"not a valid SVG: {SOURCE}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return Image.open(BytesIO(bytes(data))).convert("RGBA")


def make_icons(folder: Path = ICONS) -> list[Path]:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QPainter needs one)
    written = []
    png = folder / "postventa.png"
    render(PNG_SIZE).save(png, optimize=True)
    written.append(png)

    ico = folder / "postventa.ico"
    images = [render(size) for size in ICO_SIZES]
    images[-1].save(ico, sizes=[(s, s) for s in ICO_SIZES], append_images=images[:-1])
    written.append(ico)

    icns = folder / "postventa.icns"
    images = [render(size) for size in ICNS_SIZES]
    images[-1].save(icns, append_images=images[:-1])
    written.append(icns)
    return written


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in make_icons():
        print(f"{path}  {path.stat().st_size} bytes")
