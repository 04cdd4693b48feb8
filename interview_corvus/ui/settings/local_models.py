"""The catalog's local models in the window: choose one, download it, watch it prepare.

``ModelFetcher`` runs a catalog step (``pull`` from Hugging Face, or ``prepare``:
assemble/verify an installed model) in a thread and reports through Qt signals,
queued to the main thread. ``LocalModelRow`` is Settings → Model's "Local model"
row: the catalog with each model's state, a *Download* button and a progress bar.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from interview_corvus.core.catalog import by_name, choose, ensure, entries, status
from interview_corvus.core.errors import CorvusError

log = logging.getLogger(__name__)

STATUS_TEXT = {"installed": "installed", "bundled": "bundled", "packages": "installed "
               "(prepared on first use)", "huggingface": "downloaded (verified on first use)",
               "available": "not downloaded"}


class ModelFetcher(QObject):
    """One catalog step at a time, off the main thread; signals carry its progress."""

    progress = pyqtSignal(str, int, int)  # what, bytes done, bytes in all
    succeeded = pyqtSignal(str)  # the model file's path
    failed = pyqtSignal(str)  # a message for the user

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def report_to(self, say: Callable[[str, int], None]) -> None:
        """Word each step for a status bar: progress, then ready or what went wrong."""
        def progress(what: str, done: int, total: int) -> None:
            percent = f" {100 * done // total}%" if total else ""
            say(f"{what}…{percent} (once; answers start after it)", 0)

        self.progress.connect(progress)
        self.succeeded.connect(lambda _path: say("the local model is ready", 5000))
        self.failed.connect(lambda message: say(message, 15000))

    def prepare(self, provider_of: Callable[[], Any]) -> bool:
        """Assemble or verify the catalog model of the provider ``provider_of()`` gives
        (in a thread) if its first use would; False when there is nothing to do or the
        provider cannot be built (its runs will say why)."""
        try:
            provider = provider_of()
        except CorvusError:
            return False
        entry = getattr(provider, "entry", None)
        if entry is None or not getattr(provider, "needs_preparing", False):
            return False
        return self.start(entry.name, "prepare")

    def start(self, name: str, step: str = "pull") -> bool:
        """Pull (download) or prepare the catalog model ``name``; False while busy."""
        if self.busy:
            return False

        def work() -> None:
            try:
                model = by_name(name)
                if step == "pull":
                    from interview_corvus.core.catalog.hub import pull

                    path = pull(model, self.progress.emit)
                else:
                    path = ensure(model, self.progress.emit)
            except CorvusError as exc:
                self.failed.emit(exc.message)
            except Exception as exc:  # report, never crash the window
                log.exception("model %s failed", step)
                self.failed.emit(f"{type(exc).__name__}: {exc}")
            else:
                self.succeeded.emit(str(path))

        self._thread = threading.Thread(target=work, name=f"corvus-model-{step}", daemon=True)
        self._thread.start()
        return True


class LocalModelRow(QWidget):
    """Catalog model for the local provider ("best installed" or a name) + Download."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = QComboBox()
        self.choice.setAccessibleName("Local model")
        self.download = QPushButton("Download")
        self.download.setToolTip("Download the chosen model from Hugging Face (verified "
                                 "against its pinned sha256)")
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.hide()
        self.note = QLabel(self)  # never a window of its own before the form takes it
        self.note.setWordWrap(True)
        self.note.hide()  # shown with a text only: no empty row under the choice
        self.fetcher = ModelFetcher(self)
        self.fetcher.progress.connect(self._on_progress)
        self.fetcher.succeeded.connect(self._on_succeeded)
        self.fetcher.failed.connect(self._on_failed)
        self.download.clicked.connect(self._on_download)
        self.choice.currentIndexChanged.connect(lambda _i: self._on_choice())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.choice, 1)
        row.addWidget(self.download)
        self.layout_below = [self.bar, self.note]
        self.fill(current)

    def fill(self, current: str) -> None:
        """List the catalog with each model's state; select ``current`` ("" = best)."""
        self.choice.blockSignals(True)
        self.choice.clear()
        try:
            best = choose().model.title
        except CorvusError:
            best = "none installed"
        self.choice.addItem(f"Best installed ({best})", "")
        for model in entries.CATALOG:
            self.choice.addItem(f"{model.describe()} — {STATUS_TEXT[status(model)]}",
                                model.name)
        index = self.choice.findData(current)
        self.choice.setCurrentIndex(max(index, 0))
        self.choice.blockSignals(False)
        self._on_choice()

    def value(self) -> str:
        return str(self.choice.currentData() or "")

    def _on_choice(self) -> None:
        name = self.value()
        pullable = bool(name) and status(by_name(name)) == "available"
        self.download.setEnabled(pullable and not self.fetcher.busy)
        model = by_name(name) if name else None
        origin = (model.hf_repo or f"the {model.bundled_package} package") if model else ""
        self._say(f"{model.title}: {model.licence}, from {origin}" if model else "")

    def _say(self, text: str) -> None:
        """The note under the choice: shown while it has something to say."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _on_download(self) -> None:
        if self.fetcher.start(self.value(), "pull"):
            self.download.setEnabled(False)
            self.bar.setRange(0, 0)
            self.bar.show()
            self._say("Starting the download…")

    def _on_progress(self, what: str, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * done / total))
        self.bar.setFormat(f"{what}: {done / 1e6:.0f} / {total / 1e6:.0f} MB")

    def _on_succeeded(self, path: str) -> None:
        self.bar.hide()
        chosen = self.value()
        self.fill(chosen)
        self._say(f"✓ Ready: {path}")

    def _on_failed(self, message: str) -> None:
        self.bar.hide()
        self._on_choice()
        self._say(f"✗ {message}")
