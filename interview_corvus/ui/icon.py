"""The app's icon, drawn at run time (no image files to ship or load)."""

from __future__ import annotations

from functools import lru_cache

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPixmap, QPolygonF


def _draw(size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 64
    # a rounded indigo tile
    tile = QPainterPath()
    tile.addRoundedRect(QRectF(2 * s, 2 * s, 60 * s, 60 * s), 14 * s, 14 * s)
    painter.fillPath(tile, QBrush(QColor("#312e81")))
    # a raven in profile: body, head, beak, tail
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#f8fafc"))
    body = QPolygonF([QPointF(x * s, y * s) for x, y in (
        (14, 44), (24, 30), (36, 24), (44, 22), (50, 25), (56, 24), (50, 30), (46, 36),
        (38, 44), (28, 48), (20, 50))])
    painter.drawPolygon(body)
    painter.setBrush(QColor("#312e81"))
    painter.drawEllipse(QPointF(45 * s, 26 * s), 1.8 * s, 1.8 * s)  # the eye
    # code brackets under the bird
    painter.setPen(QColor("#a5b4fc"))
    font = painter.font()
    font.setPixelSize(max(6, int(12 * s)))
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(8 * s, 48 * s, 48 * s, 14 * s), Qt.AlignmentFlag.AlignCenter,
                     "</>")
    painter.end()
    return pixmap


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(_draw(size))
    return icon
