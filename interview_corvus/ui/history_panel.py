"""History from the SQLite store: list, search, reopen, copy code, delete."""

from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.runs.history import HistoryStore, RunEntry

_MARK = {"done": "✓", "error": "✗", "cancelled": "⊘", "running": "…", "queued": "…",
         "interrupted": "⚠"}
_WORD = {"done": "done", "error": "failed", "cancelled": "cancelled", "running": "running",
         "queued": "queued", "interrupted": "interrupted"}


def snippet(entry: RunEntry, width: int = 48) -> str:
    first = next((line.strip() for line in entry.input.splitlines() if line.strip()), "")
    return first if len(first) <= width else first[: width - 1] + "…"


def describe(entry: RunEntry) -> str:
    """Two short lines: outcome, kind, language and time; then the start of the input."""
    when = dt.datetime.fromtimestamp(entry.created_at)
    stamp = when.strftime("%H:%M" if when.date() == dt.date.today() else "%b %d %H:%M")
    origin = "" if entry.origin == "window" else f" · via {entry.origin}"
    follow = "↳ follow-up " if entry.parent_id else ""
    head = (f"{_MARK.get(entry.status, '?')} {follow}{entry.kind} · {entry.language or '?'} · "
            f"{stamp}{origin}")
    return f"{head}\n    {snippet(entry) or '(empty)'}"


def tooltip(entry: RunEntry) -> str:
    """The fuller picture on hover: outcome in words, the error, the first lines."""
    when = dt.datetime.fromtimestamp(entry.created_at).strftime("%Y-%m-%d %H:%M:%S")
    lines = entry.input.splitlines()
    preview = "\n".join(lines[:12]) + ("\n…" if len(lines) > 12 else "")
    outcome = _WORD.get(entry.status, entry.status)
    if entry.error_message and entry.status != "done":
        outcome += f": {entry.error_message}"
    took = f" in {entry.elapsed_ms / 1000:.1f} s" if entry.elapsed_ms else ""
    return (f"{entry.kind} · {entry.language} · {when}\n{outcome}{took}\n"
            f"{entry.provider} · {entry.model} · from {entry.origin}\n\n{preview}")


class HistoryPanel(QDockWidget):
    reopen = pyqtSignal(object)  # RunEntry

    def __init__(self, store: HistoryStore | None, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.store = store
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search code and answers…")
        self.search.textChanged.connect(self.refresh)
        self.list = QListWidget()
        self.list.setAccessibleName("History")
        self.list.setAlternatingRowColors(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.search.setAccessibleName("Search history")
        self.list.itemActivated.connect(self._on_activated)
        self.reopen_button = QPushButton("Reopen")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the answer's code")
        self.delete_button = QPushButton("Delete")
        self.setMinimumWidth(160)
        self.reopen_button.clicked.connect(self._on_reopen)
        self.copy_button.clicked.connect(self._on_copy)
        self.delete_button.clicked.connect(self._on_delete)
        self.empty = QLabel()  # the empty state: what the list is for, or no match
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.empty.setEnabled(False)  # drawn in the muted (disabled) text colour
        self.list.currentItemChanged.connect(lambda *_: self._on_selection())
        buttons = QHBoxLayout()
        for button in (self.reopen_button, self.copy_button, self.delete_button):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.refresh()

    def entries(self) -> list[RunEntry]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item is not None]

    def refresh(self) -> None:
        self.list.clear()
        query = self.search.text().strip()
        for entry in self.store.list(limit=200, query=query) if self.store else []:
            item = QListWidgetItem(describe(entry))
            item.setToolTip(tooltip(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.list.addItem(item)
        if self.store is None:
            self.empty.setText("History is off: its file could not be opened (see the "
                               "status bar).")
        elif query:
            self.empty.setText(f"Nothing in History matches \u201c{query}\u201d.")
        else:
            self.empty.setText("No answers yet. Every run is kept here \u2014 finished, "
                               "failed or cancelled, with what had arrived \u2014 to reopen, "
                               "copy or follow up.")
        self.empty.setVisible(self.list.count() == 0)
        self._on_selection()

    def _on_selection(self) -> None:
        """Reopen, Copy and Delete act on the selected run: off without one."""
        entry = self.selected()
        for button in (self.reopen_button, self.delete_button):
            button.setEnabled(entry is not None)
        self.copy_button.setEnabled(entry is not None and bool(entry.answer_code()))

    def selected(self) -> RunEntry | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.reopen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _on_reopen(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.reopen.emit(entry)

    def _on_copy(self) -> None:
        entry = self.selected()
        code = entry.answer_code() if entry is not None else ""
        clipboard = QGuiApplication.clipboard()
        if code and clipboard is not None:
            clipboard.setText(code)

    def _on_delete(self) -> None:
        entry = self.selected()
        if entry is not None and self.store is not None:
            self.store.delete(entry.id)
            self.refresh()
