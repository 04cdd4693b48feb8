"""History from the SQLite store: list, search, reopen, copy code, delete (with undo).

Rows and the list itself are in ``history_rows``. A deleted run can be had back for
``UNDO_MS`` from the bar under the list (Undo) or with Ctrl+Z in the list: it is saved
again as it was (same id, input, result and thread).
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QPoint, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QGuiApplication, QKeySequence
from PyQt6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLineEdit,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.runs.history import UNFINISHED, HistoryStore, RunEntry
from interview_corvus.ui.platform.theme import focus_ring
from interview_corvus.ui.widgets.notices import NoticeBar
from interview_corvus.ui.window.history_rows import (
    HistoryList,
    describe,
    snippet,
    spoken,
    tooltip,
)

__all__ = ["UNDO_MS", "HistoryPanel", "describe", "snippet", "tooltip"]

UNDO_MS = 10_000  # how long a deleted run can be had back


class HistoryPanel(QDockWidget):
    reopen = pyqtSignal(object)  # RunEntry
    retry = pyqtSignal(object)  # RunEntry: run it again (offered when connected)

    def __init__(self, store: HistoryStore | None, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.setObjectName("history")  # the window remembers the dock by this name
        self.store = store
        self.deleted: RunEntry | None = None  # the last deleted run, while it can come back
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search code and answers…")
        self.search.textChanged.connect(self.refresh)
        self.list = HistoryList()
        focus_ring(self.list)  # F6 shows where it went
        self.list.setAccessibleName("History")
        self.list.setAlternatingRowColors(True)
        self.search.setAccessibleName("Search history")
        self.list.itemActivated.connect(self._on_activated)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_context_menu)
        self.list.delete_requested.connect(self._on_delete)
        self.list.undo_requested.connect(self._on_undo)
        self.reopen_button = QPushButton("Reopen")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the answer's code")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the run (Del); Undo brings it back (Ctrl+Z)")
        self.setMinimumWidth(160)
        self.reopen_button.clicked.connect(self._on_reopen)
        self.copy_button.clicked.connect(self._on_copy)
        self.delete_button.clicked.connect(self._on_delete)
        self.empty = self.list.placeholder  # the empty state, inside the list
        self.undo_bar = NoticeBar("historyUndo", "external", "Deleted run",
                                  [("Undo", self._on_undo)])
        self.undo_button = self.undo_bar.buttons["Undo"]
        self.undo_button.setToolTip("Bring the run back (Ctrl+Z in the list)")
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.setInterval(UNDO_MS)
        self.undo_timer.timeout.connect(self._on_undo_expired)
        self.list.currentItemChanged.connect(lambda *_: self._on_selection())
        buttons = QHBoxLayout()
        for button in (self.reopen_button, self.copy_button, self.delete_button):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.undo_bar)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.refresh()

    def entries(self) -> list[RunEntry]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item is not None]

    def refresh(self) -> None:
        """List the runs again (newest first), keeping the selected one selected."""
        if self.deleted is None and self.undo_bar.isVisible():
            self._on_undo_expired()  # "cannot delete a run in progress": its run moved on
        current = self.selected()
        self.list.clear()
        query = self.search.text().strip()
        for entry in self.store.list(limit=200, query=query) if self.store else []:
            item = QListWidgetItem(describe(entry))
            item.setToolTip(tooltip(entry))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken(entry))
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
        if current is not None:
            self.select(current.id)
        self._on_selection()

    def select(self, run_id: str) -> bool:
        for row, entry in enumerate(self.entries()):
            if entry.id == run_id:
                self.list.setCurrentRow(row)
                return True
        return False

    def _on_selection(self) -> None:
        """Reopen, Copy and Delete act on the selected run: off without one."""
        entry = self.selected()
        for button in (self.reopen_button, self.delete_button):
            button.setEnabled(entry is not None and self.store is not None)
        self.copy_button.setEnabled(entry is not None and bool(entry.answer_code()))

    def selected(self) -> RunEntry | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    # -- the context menu -------------------------------------------------
    def context_menu(self, entry: RunEntry) -> QMenu:
        """Reopen, Copy code, Retry (when the window offers it) and Delete ``entry``."""
        menu = QMenu(self)

        def add(text: str, slot: Callable[[], object], enabled: bool = True) -> QAction:
            action = QAction(text, menu)
            action.setEnabled(enabled)
            action.triggered.connect(slot)
            menu.addAction(action)
            return action

        add("Reopen", lambda: self.reopen.emit(entry))
        add("Copy code", lambda: self.copy(entry), bool(entry.answer_code()))
        if self.receivers(self.retry) > 0:
            add("Retry", lambda: self.retry.emit(entry))
        menu.addSeparator()
        delete = add("Delete", lambda: self.delete(entry), self.store is not None)
        delete.setShortcut(QKeySequence(Qt.Key.Key_Delete))  # shown as the key to use
        return menu

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos) or self.list.currentItem()  # the menu key: the current
        if item is None:
            return
        self.list.setCurrentItem(item)
        if self.list.itemAt(pos) is None:  # from the keyboard: at the row
            pos = self.list.visualItemRect(item).center()
        menu = self.context_menu(item.data(Qt.ItemDataRole.UserRole))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewport = self.list.viewport()
        assert viewport is not None
        menu.popup(viewport.mapToGlobal(pos))

    # -- actions ----------------------------------------------------------
    def _on_activated(self, item: QListWidgetItem) -> None:
        self.reopen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _on_reopen(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.reopen.emit(entry)

    def _on_copy(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.copy(entry)

    def copy(self, entry: RunEntry) -> None:
        code = entry.answer_code()
        clipboard = QGuiApplication.clipboard()
        if code and clipboard is not None:
            clipboard.setText(code)

    def _on_delete(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.delete(entry)

    def delete(self, entry: RunEntry) -> None:
        """Delete ``entry``; the bar under the list offers it back for ``UNDO_MS``."""
        if self.store is None:
            return
        if entry.status in UNFINISHED:  # it would be saved again when it ends
            self.undo_bar.label.setText("A run in progress cannot be deleted: cancel it first.")
            self.undo_button.hide()
            self.undo_bar.show()
            self.undo_timer.start()
            return
        self.undo_button.show()
        row = self.list.currentRow()
        if self.store.delete(entry.id):
            self.deleted = entry  # an earlier deletion stays done
            self.undo_bar.label.setText(f"Deleted \u201c{snippet(entry, 28) or entry.kind}"
                                        "\u201d.")
            self.undo_bar.show()
            self.undo_timer.start()
        self.refresh()
        if self.list.count():  # the next run, so Delete can go on
            self.list.setCurrentRow(min(max(row, 0), self.list.count() - 1))

    def _on_undo(self) -> None:
        """Bring the last deleted run back, exactly as it was, and select it."""
        entry, self.deleted = self.deleted, None
        self.undo_timer.stop()
        self.undo_bar.hide()
        if entry is None or self.store is None:
            return
        self.store.save(entry)
        self.refresh()
        self.select(entry.id)
        self.list.setFocus()

    def _on_undo_expired(self) -> None:
        self.deleted = None
        self.undo_bar.hide()
