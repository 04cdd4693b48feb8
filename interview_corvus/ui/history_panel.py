"""History from the SQLite store: list, search, reopen, copy code, delete."""

from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.history import HistoryStore, RunEntry

_MARK = {"done": "✓", "error": "✗", "cancelled": "⊘", "running": "…", "queued": "…"}


def describe(entry: RunEntry) -> str:
    when = dt.datetime.fromtimestamp(entry.created_at).strftime("%Y-%m-%d %H:%M")
    first = next((line.strip() for line in entry.input.splitlines() if line.strip()), "")
    return (f"{_MARK.get(entry.status, '?')} {when} · {entry.kind} · {entry.language} · "
            f"{entry.origin} · {first[:60]}")


class HistoryPanel(QDockWidget):
    reopen = pyqtSignal(object)  # RunEntry

    def __init__(self, store: HistoryStore | None, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.store = store
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search code and answers…")
        self.search.textChanged.connect(self.refresh)
        self.list = QListWidget()
        self.list.itemActivated.connect(self._on_activated)
        self.reopen_button = QPushButton("Reopen")
        self.copy_button = QPushButton("Copy code")
        self.delete_button = QPushButton("Delete")
        self.reopen_button.clicked.connect(self._on_reopen)
        self.copy_button.clicked.connect(self._on_copy)
        self.delete_button.clicked.connect(self._on_delete)
        buttons = QHBoxLayout()
        for button in (self.reopen_button, self.copy_button, self.delete_button):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.refresh()

    def entries(self) -> list[RunEntry]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count())]

    def refresh(self) -> None:
        self.list.clear()
        if self.store is None:
            return
        for entry in self.store.list(limit=200, query=self.search.text().strip()):
            item = QListWidgetItem(describe(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.list.addItem(item)

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
        if entry is None or not entry.result:
            return
        code = entry.result.get("optimized_code") or entry.result.get("code") or ""
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(code)

    def _on_delete(self) -> None:
        entry = self.selected()
        if entry is not None and self.store is not None:
            self.store.delete(entry.id)
            self.refresh()
