"""The check of an optimization in the window: a badge on the answer, the counterexample
as a small table, and the timings as a log-log plot of seconds per call against n for
both versions (pyqtgraph)."""

from __future__ import annotations

import html
import math
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.answers.verification import Verification

BADGE = {"verified": ("#166534", "#dcfce7"), "counterexample": ("#991b1b", "#fee2e2"),
         "checking": ("#854d0e", "#fef9c3"), "unverified": ("#374151", "#f3f4f6")}
CURVES = (("original", "#dc2626"), ("optimized", "#2563eb"))


class CheckBadge(QLabel):
    """One line over the answer: ✓ same results on 200 inputs · 41× faster at n=4,096."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkBadge")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName("Check result")
        self.hide()

    def show_check(self, check: Verification | None) -> None:
        if check is None:
            self.hide()
            return
        # same behaviour but a stated complexity the measurement contradicts: not a plain ✓
        ink, paper = BADGE["checking" if check.status == "verified" and check.claim_mismatch
                           else check.status]
        text = check.summary or check.status
        if check.repaired and check.first_counterexample is not None:
            first = check.first_counterexample
            text += f" · repaired: the first answer differed on {first.call}"
        self.setStyleSheet(f"#checkBadge {{ color: {ink}; background: {paper}; "
                           f"border-radius: 4px; padding: 3px 6px; }}")
        self.setText(html.escape(text))
        self.setToolTip(check.reason or check.claim_mismatch or text)
        self.show()


class CheckView(QWidget):
    """The Check tab: the counterexample table and the log-log timing plot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel("The check runs when an optimization is complete.")
        self.note.setWordWrap(True)
        self.table = QTableWidget(1, 3)
        self.table.setHorizontalHeaderLabels(["input", "original", "optimized"])
        self.table.setAccessibleName("Counterexample")
        header = self.table.horizontalHeader()
        if header is not None:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.table.verticalHeader()
        if header is not None and rows is not None:  # one row, no empty band below it
            rows.hide()
            self.table.setFixedHeight(header.sizeHint().height() + rows.defaultSectionSize()
                                      + 2 * self.table.frameWidth())
        self.table.hide()
        self.plot = _plot_widget()
        self.plot.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        layout.addWidget(self.plot, 4)
        layout.addStretch(1)  # the note and the table stay at the top
        self.shown: dict[str, Any] | None = None

    def show_check(self, check: Verification | None) -> None:
        data = check.model_dump() if check is not None else None
        if data == self.shown:
            return  # nothing changed: no redraw per partial
        self.shown = data
        if check is None:
            self.note.setText("The check runs when an optimization is complete.")
            self.table.hide()
            self.plot.hide()
            return
        self.note.setText(check.reason or check.claim_mismatch or check.summary)
        example = check.counterexample or (check.first_counterexample if check.repaired
                                           else None)
        self.table.setVisible(example is not None)
        if example is not None:
            for col, text in enumerate((example.call, example.original, example.optimized)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(0, col, item)
        timing = check.timing
        self.plot.setVisible(bool(timing and timing.sizes))
        if timing and timing.sizes:
            self.plot.clear()
            # one labelled tick per measured n (log mode: positions are log10 n)
            self.plot.getAxis("bottom").setTicks(
                [[(math.log10(n), f"{n:,}") for n in timing.sizes[::2]], []])
            for name, colour in CURVES:
                seconds = getattr(timing, name)
                self.plot.plot(timing.sizes, seconds, name=name, pen=colour, symbol="o",
                               symbolSize=5, symbolBrush=colour)

    def curves(self) -> dict[str, tuple[list[float], list[float]]]:
        """The plotted data by name (for tests and screenshots)."""
        found = {}
        for item in self.plot.getPlotItem().listDataItems():
            xs, ys = item.getOriginalDataset()
            found[item.name()] = (list(xs), list(ys))
        return found


def _plot_widget() -> Any:
    import pyqtgraph as pg

    plot = pg.PlotWidget(background=None)
    plot.setLogMode(x=True, y=True)
    plot.setLabel("bottom", "n (input size)")
    plot.setLabel("left", "seconds per call")
    plot.addLegend(offset=(10, 10))
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setMinimumHeight(160)
    plot.setAccessibleName("Time against n, log-log")
    return plot
