"""Light and dark themes that actually apply (Fusion style + palette)."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor, QGuiApplication, QPalette
from PyQt6.QtWidgets import QApplication, QWidget

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


# Notice bars, per kind: (background, border, text) in the light and in the dark theme;
# every text/background pair keeps WCAG 2 AA contrast (4.5:1, tested).
NOTICES = {
    "error": (("#fde2e2", "#e0a0a0", "#8a1010"), ("#3b1618", "#7f2a2e", "#fecaca")),
    "external": (("#e3ecfd", "#a9c0ea", "#173a7a"), ("#172544", "#34548f", "#c7d7fe")),
    "demo": (("#fef9c3", "#e5d57a", "#4a3f00"), ("#33300f", "#6b6322", "#fef08a")),
}
PROBLEM_TEXT = ("#b91c1c", "#fca5a5")  # a field's problem, on the window's background


def palette_is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (default: the application's, the theme in use) is dark. (A
    widget's own palette can carry its style sheet's colours, so it is not asked.)"""
    palette = palette or QGuiApplication.palette()
    return palette.color(_Role.Window).lightness() < 128


def notice_style(selector: str, kind: str, dark: bool, extra: str = "") -> str:
    """The style sheet of a notice (``NOTICES[kind]``) for ``selector`` in a theme."""
    background, border, text = NOTICES[kind][dark]
    return (f"{selector} {{ background: {background}; border: 1px solid {border}; "
            f"border-radius: 4px; {extra}}} {selector} QLabel, QLabel{selector} "
            f"{{ color: {text}; }}")


def problem_style(_widget: QWidget | None = None) -> str:
    """The style sheet of a field's problem text, for the theme in use."""
    return f"color: {PROBLEM_TEXT[palette_is_dark()]}"


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21; AA text needs 4.5).

    Relative luminance as defined by WCAG 2.1 (sRGB channels linearised, weighted
    0.2126 R + 0.7152 G + 0.0722 B); ratio (L1 + 0.05) / (L2 + 0.05), lighter first.
    """
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                   for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_dark(theme: str) -> bool:
    if theme == "system":
        hints = QGuiApplication.styleHints()
        return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark
    return theme == "dark"


RING = "corvusFocusRing"  # the property marking a widget that has the ring


def focus_ring(widget: QWidget) -> None:
    """Draw a 2 px ring in the theme's highlight colour round ``widget`` while it has
    the keyboard focus, so F6 and Tab show where they went (WCAG 2.2 SC 2.4.7, Focus
    Visible). A widget with a style sheet keeps the palette it was polished with, so
    ``refresh_focus_rings`` must follow every theme change."""
    meta = widget.metaObject()
    name = meta.className() if meta is not None else "QWidget"
    widget.setProperty(RING, f"{name}:focus {{ border: 2px solid palette(highlight); }}")
    widget.setStyleSheet(str(widget.property(RING)))


def refresh_focus_rings(root: QWidget) -> None:
    """Polish the ringed widgets under ``root`` again: they take the new palette (a
    style sheet set once would keep light panes in the dark theme)."""
    for widget in [root, *root.findChildren(QWidget)]:
        rule = widget.property(RING)
        if rule:
            widget.setStyleSheet("")
            widget.setStyleSheet(str(rule))


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
