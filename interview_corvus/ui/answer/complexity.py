"""The complexity table under the answer: time and space, before and after."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem


def complexity_table() -> QTableWidget:
    """A 2×2 table (rows time, space; columns before, after) exactly as tall as its
    rows, its four cells made empty; a cell's text is also its tooltip when set."""
    table = QTableWidget(2, 2)
    table.setHorizontalHeaderLabels(["before", "after"])
    table.setVerticalHeaderLabels(["time", "space"])
    header = table.horizontalHeader()
    if header is not None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    rows = table.verticalHeader()
    if header is not None and rows is not None:  # exactly two rows: no empty band below
        table.setFixedHeight(header.sizeHint().height() + 2 * rows.defaultSectionSize()
                             + 2 * table.frameWidth())
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    for row in range(2):
        for col in range(2):
            table.setItem(row, col, QTableWidgetItem(""))
    return table
