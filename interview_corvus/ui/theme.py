"""Light and dark themes that actually apply (Fusion style + palette)."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor, QGuiApplication, QPalette
from PyQt6.QtWidgets import QApplication

_Role = QPalette.ColorRole
# role: (light, dark)
PALETTE = {
    _Role.Window: ("#f5f5f5", "#202124"),
    _Role.WindowText: ("#1f1f1f", "#e8eaed"),
    _Role.Base: ("#ffffff", "#171717"),
    _Role.AlternateBase: ("#f0f0f0", "#2a2b2e"),
    _Role.Text: ("#1f1f1f", "#e8eaed"),
    _Role.Button: ("#ececec", "#2d2e31"),
    _Role.ButtonText: ("#1f1f1f", "#e8eaed"),
    _Role.Highlight: ("#2563eb", "#3b82f6"),
    _Role.HighlightedText: ("#ffffff", "#ffffff"),
    _Role.ToolTipBase: ("#ffffe1", "#2d2e31"),
    _Role.ToolTipText: ("#1f1f1f", "#e8eaed"),
    _Role.PlaceholderText: ("#777777", "#9aa0a6"),
    _Role.Link: ("#1d4ed8", "#8ab4f8"),
}
# The Disabled group: greyed text and flatter surfaces, so a disabled control
# never looks like an enabled one.
DISABLED = {
    _Role.WindowText: ("#9e9e9e", "#6b6e72"),
    _Role.Text: ("#9e9e9e", "#6b6e72"),
    _Role.ButtonText: ("#a3a3a3", "#686b70"),
    _Role.Button: ("#f3f3f3", "#26272a"),
    _Role.Base: ("#f7f7f7", "#1c1c1e"),
    _Role.Highlight: ("#b8c4dc", "#3c4452"),
    _Role.HighlightedText: ("#f5f5f5", "#9aa0a6"),
    _Role.PlaceholderText: ("#b5b5b5", "#5f6368"),
}


def is_dark(theme: str) -> bool:
    if theme == "system":
        hints = QGuiApplication.styleHints()
        return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark
    return theme == "dark"


def apply_theme(app: QApplication, theme: str) -> bool:
    """Apply ``light``, ``dark`` or ``system``; return whether the result is dark."""
    app.setStyle("Fusion")
    dark = is_dark(theme)
    palette = QPalette()
    for role, (light, dark_color) in PALETTE.items():
        palette.setColor(role, QColor(dark_color if dark else light))
    for role, (light, dark_color) in DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role,
                         QColor(dark_color if dark else light))
    app.setPalette(palette)
    return dark
