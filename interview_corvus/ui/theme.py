"""Light and dark themes that actually apply (Fusion style + palette)."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor, QGuiApplication, QPalette
from PyQt6.QtWidgets import QApplication


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
    if dark:
        colors = {
            QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
            QPalette.ColorRole.Base: "#171717", QPalette.ColorRole.AlternateBase: "#2a2b2e",
            QPalette.ColorRole.Text: "#e8eaed", QPalette.ColorRole.Button: "#2d2e31",
            QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#3b82f6",
            QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase:
            "#2d2e31", QPalette.ColorRole.ToolTipText: "#e8eaed",
            QPalette.ColorRole.PlaceholderText: "#9aa0a6", QPalette.ColorRole.Link: "#8ab4f8",
        }
    else:
        colors = {
            QPalette.ColorRole.Window: "#f5f5f5", QPalette.ColorRole.WindowText: "#1f1f1f",
            QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f0f0f0",
            QPalette.ColorRole.Text: "#1f1f1f", QPalette.ColorRole.Button: "#ececec",
            QPalette.ColorRole.ButtonText: "#1f1f1f", QPalette.ColorRole.Highlight: "#2563eb",
            QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase:
            "#ffffe1", QPalette.ColorRole.ToolTipText: "#1f1f1f",
            QPalette.ColorRole.PlaceholderText: "#777777", QPalette.ColorRole.Link: "#1d4ed8",
        }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    app.setPalette(palette)
    return dark
