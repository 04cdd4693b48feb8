"""Icons from ``resources/icons``: the app's own, and the commands' line icons tinted
to the theme's text colour (their SVG strokes are ``currentColor``)."""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources

from PyQt6.QtCore import QByteArray, Qt
from PyQt6.QtGui import QColor, QIcon, QPainter, QPixmap
from PyQt6.QtSvg import QSvgRenderer

log = logging.getLogger(__name__)

SIZES = (16, 20, 24, 32, 48, 64, 128, 256)


@lru_cache(maxsize=64)
def _svg(name: str) -> bytes:
    """The SVG named ``name``, or b"" (logged) if the shipped file is missing or unreadable."""
    try:
        return (resources.files("interview_corvus.resources") / "icons" / f"{name}.svg") \
            .read_bytes()
    except OSError as exc:
        log.warning("icon %r cannot be read: %s", name, exc)
        return b""


def render_icon(data: bytes, sizes: tuple[int, ...] = SIZES) -> QIcon:
    """An icon rendered from SVG ``data`` at each size; an empty icon if it is not SVG."""
    renderer = QSvgRenderer(QByteArray(data))
    icon = QIcon()
    if not data or not renderer.isValid():
        return icon
    for size in sizes:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def line_icon(name: str, color: QColor) -> QIcon:
    """A command's icon (``resources/icons/NAME.svg``) drawn in ``color``; empty (the
    command keeps its text) if the file is missing or broken."""
    data = _svg(name)
    if data and not QSvgRenderer(QByteArray(data)).isValid():
        log.warning("icon %r is not a valid SVG", name)
    return render_icon(data.replace(b"currentColor", color.name().encode()), SIZES[:6])


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    return render_icon(_svg("corvus"))
