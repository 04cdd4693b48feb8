"""Small form helpers for dialogs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)


def spin(low: float, high: float, step: float, value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(value)
    return box


def checkbox(text: str, checked: bool) -> QCheckBox:
    box = QCheckBox(text)
    box.setChecked(checked)
    return box


def int_spin(low: int, high: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    return box


def form_tab(rows: list[tuple[Any, Any]]) -> QWidget:
    """A tab of labelled rows (a label is text or a widget; a field, a widget or layout)."""
    tab = QWidget()
    form = QFormLayout(tab)
    for label, field in rows:
        form.addRow(label, field)
    return tab


class IdCombo(QComboBox):
    """A choice shown by its name and stored by its id (the item data): the settings keep
    ``openai-compatible`` while the user reads "OpenAI-compatible server"."""

    def __init__(self, names: Mapping[str, str], current: str = "") -> None:
        super().__init__()
        for key, name in names.items():
            self.addItem(name, key)
        self.set_id(current)

    def current_id(self) -> str:
        data = self.currentData()
        return str(data) if data is not None else self.currentText()

    def set_id(self, key: str) -> None:
        index = self.findData(key)
        if index >= 0:
            self.setCurrentIndex(index)

    def setCurrentText(self, text: str | None) -> None:
        """An id or a shown name both select their item."""
        index = self.findData(text)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            super().setCurrentText(text)


class WrapLabel(QLabel):
    """A word-wrapped label that claims the height its text needs at its width: a form in
    a tab does not ask labels for a height for their width, and would cut the lines."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def setText(self, text: str | None) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        need = self.heightForWidth(self.width()) if self.text() else 0
        if need != self.minimumHeight():
            self.setMinimumHeight(max(need, 0))
