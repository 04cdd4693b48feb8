"""Pick a model already on this machine (``core.providers.discovery``).

The search (a bounded file walk and two loopback probes) runs in a thread; the
dialog lists what it found and returns the chosen model's settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import threading

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.providers.discovery import FoundModel, discover
from interview_corvus.core.untrusted import printable
from interview_corvus.ui.platform.aio import spawn


class ModelPicker(QDialog):
    found = pyqtSignal(object)  # list[FoundModel], from the search thread

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models on this machine")
        self.note = QLabel("Looking in the Hugging Face, LM Studio and llama.cpp folders and "
                           "asking Ollama and LM Studio…")
        self.note.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Models found")
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.note, self.list, self.buttons):
            layout.addWidget(widget)
        self._set_ok()
        self.found.connect(self._on_found)
        self.resize(560, 320)
        if not spawn(self._search):  # no asyncio loop in this process: a plain thread
            threading.Thread(target=lambda: self.found.emit(discover()),
                             name="corvus-discover", daemon=True).start()

    async def _search(self) -> None:
        """On the Qt loop (qasync): the walk and the probes run in a worker thread."""
        models = await asyncio.to_thread(discover)
        with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
            self.found.emit(models)

    def chosen(self) -> FoundModel | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _set_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(self.list.currentItem() is not None)

    def _on_found(self, models: list[FoundModel]) -> None:
        for model in models:  # names and paths come from outside: shown without controls
            size = f" · {model.size / 1e9:.2f} GB" if model.size else ""
            item = QListWidgetItem(f"{printable(model.name)}  ({printable(model.source)}{size})")
            item.setToolTip(f"<p>{html.escape(printable(model.location, limit=1000))}</p>")
            item.setData(Qt.ItemDataRole.UserRole, model)
            self.list.addItem(item)
        self.note.setText(f"{len(models)} found. Double-click one to use it."
                          if models else "No models found.")
        if models:
            self.list.setCurrentRow(0)
        self.list.currentItemChanged.connect(lambda *_: self._set_ok())
        self._set_ok()
