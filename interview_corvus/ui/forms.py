"""Small form helpers for dialogs."""

from __future__ import annotations

from typing import Any

from PyQt6.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget


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
