"""The main window: input, actions, the live answer, status, errors, history."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QFont
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.errors import CorvusError
from interview_corvus.core.hub import HubRun, RunHub
from interview_corvus.core.models import LANGUAGES, StreamedAnswer, language_for_suffix
from interview_corvus.core.settings import Settings
from interview_corvus.ui.capture import CaptureStrip
from interview_corvus.ui.history_panel import HistoryPanel
from interview_corvus.ui.result_view import ResultView
from interview_corvus.ui.worker import RunHandle

log = logging.getLogger(__name__)


class ErrorBanner(QFrame):
    retry = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setStyleSheet("#errorBanner { background: #fde2e2; border: 1px solid #e0a0a0;"
                           " border-radius: 4px; } QLabel { color: #8a1010; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.retry_button = QPushButton("Retry")
        self.retry_button.clicked.connect(self.retry)
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(dismiss)
        self.hide()

    def show_error(self, code: str, message: str) -> None:
        self.label.setText(f"<b>{code}</b>: {_escape(message)} — what arrived is kept below.")
        self.show()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class MainWindow(QMainWindow):
    run_started = pyqtSignal(object)  # HubRun
    run_ended = pyqtSignal(str)  # done / error / cancelled, once the window is idle again
    external_run = pyqtSignal(object)  # a HubRun started elsewhere (HTTP), main thread

    def __init__(self, hub: RunHub, settings: Settings) -> None:
        super().__init__()
        self.hub = hub
        self.settings = settings
        self.handle: RunHandle | None = None
        self.watching: RunHandle | None = None
        self._retired: list[RunHandle] = []
        self._outcome = ""
        self._last_request: tuple[str, Any] | None = None
        self._started = 0.0
        self._progress = 0
        self.setWindowTitle("Interview Corvus")
        self.resize(1280, 800)
        self.setAcceptDrops(True)
        self._build()
        self.hub.on_new_run(self._from_hub_thread)
        self.external_run.connect(self._on_external_run)
        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._on_tick)

    # -- layout -----------------------------------------------------------
    def _build(self) -> None:
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Paste code, open a file, or drop one here…")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(font)
        self.language = QComboBox()
        self.language.addItems(LANGUAGES)
        self.language.setCurrentText(self.settings.llm.default_language)
        self.optimize_button = QPushButton("Optimize")
        self.solve_button = QPushButton("Solve")
        self.cancel_button = QPushButton("Cancel")
        self.capture_button = QPushButton("Capture")
        self.reset_button = QPushButton("Reset")
        self.open_button = QPushButton("Open…")
        self.cancel_button.setEnabled(False)
        self.optimize_button.clicked.connect(self.optimize)
        self.solve_button.clicked.connect(self.solve)
        self.cancel_button.clicked.connect(self.cancel)
        self.reset_button.clicked.connect(self.reset)
        self.open_button.clicked.connect(self._on_open)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Language"))
        buttons.addWidget(self.language)
        for button in (self.optimize_button, self.solve_button, self.cancel_button,
                       self.capture_button, self.reset_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.captures = CaptureStrip(self)
        self.capture_button.clicked.connect(self.capture)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.captures)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.banner = ErrorBanner()
        self.banner.retry.connect(self.retry)
        self.result = ResultView()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.progress)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.result, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 6)
        splitter.setSizes([420, 640])
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.addLayout(buttons)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.history = HistoryPanel(self.hub.history, self)
        self.history.reopen.connect(self._on_reopen)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.history)
        self.resizeDocks([self.history], [220], Qt.Orientation.Horizontal)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self._show_provider()
        menu = self.menuBar().addMenu("&File")
        open_action = QAction("Open…", self)
        open_action.triggered.connect(self._on_open)
        menu.addAction(open_action)
        self.settings_action = QAction("Settings…", self)
        menu.addAction(self.settings_action)
        quit_action = QAction("Quit", self)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)

    def _show_provider(self, extra: str = "") -> None:
        llm = self.settings.llm
        try:
            provider = self.hub.service.provider
            text = f"{provider.name} · {provider.model}"
        except CorvusError as exc:
            text = f"{llm.provider} · not ready: {exc.message}"
        streaming = "streaming" if self.settings.llm.streaming else "streaming off"
        self.status_label.setText(f"{text} · {streaming}{extra}")

    # -- actions ----------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.handle is not None

    def optimize(self) -> None:
        self._start("optimize", self.editor.toPlainText())

    def solve(self) -> None:
        if self.captures.paths():
            self._start("solve_images", list(self.captures.paths()))
        else:
            self._start("solve", self.editor.toPlainText())

    def retry(self) -> None:
        if self._last_request is not None:
            self._start(*self._last_request)

    def _start(self, action: str, payload: Any) -> None:
        if self.busy:
            return  # one run per panel: never two workers writing one view
        service = self.hub.service
        language = self.language.currentText()
        try:
            if action == "optimize":
                job = service.optimization_job(payload, language)
            elif action == "solve_images":
                job = service.image_solution_job(payload, language)
            else:
                job = service.solution_job(payload, language)
        except CorvusError as exc:
            self.banner.show_error(exc.code, exc.message)
            self.banner.retry_button.hide()
            return
        self._last_request = (action, payload)
        self._stop_watching()
        self.banner.hide()
        self.result.clear()
        self._progress = 0
        self.progress.setValue(0)
        text = payload if isinstance(payload, str) else "\n".join(map(str, payload))
        run = self.hub.submit(job, origin="window", input_text=text)
        self.handle = self._watch(run)
        self._set_busy(True)
        self.run_started.emit(run)

    def _watch(self, run: HubRun) -> RunHandle:
        handle = RunHandle(run, self)
        worker = handle.worker
        worker.partial.connect(self._on_partial)
        worker.queued.connect(self._on_queued)
        worker.finished.connect(self._on_finished)
        worker.errored.connect(self._on_errored)
        worker.aborted.connect(self._on_aborted)
        worker.done.connect(lambda h=handle: self._on_handle_done(h))
        self._started = time.monotonic()
        handle.start()
        return handle

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()

    def reset(self) -> None:
        self.cancel()
        self.editor.clear()
        self.result.clear()
        self.banner.hide()
        self.progress.setValue(0)
        self._progress = 0
        self.captures.clear()

    def capture(self) -> None:
        self.captures.capture(self)

    def _set_busy(self, busy: bool) -> None:
        self.optimize_button.setEnabled(not busy)
        self.solve_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self._clock.start()
        else:
            self._clock.stop()

    # -- slots from the worker --------------------------------------------
    def _on_partial(self, model: StreamedAnswer) -> None:
        self.result.show_model(model)
        self._set_progress(model.progress)
        self.statusBar().showMessage("streaming…")

    def _on_queued(self, position: int) -> None:
        self.statusBar().showMessage(f"waiting for the model · position {position} in queue")

    def _on_finished(self, model: StreamedAnswer, stats: dict[str, Any]) -> None:
        self.result.show_model(model)
        self._set_progress(1.0)
        seconds = stats["elapsed_ms"] / 1000
        tokens = stats["usage"].get("output_tokens")
        rate = f" · {tokens / seconds:.0f} tokens/s" if tokens and seconds > 0 else ""
        self.statusBar().showMessage(f"done in {seconds:.1f} s{rate}")
        self._outcome = "done"

    def _on_errored(self, error: CorvusError) -> None:
        if error.partial is not None:
            self.result.show_model(error.partial)
        self.banner.show_error(error.code, error.message)
        self.banner.retry_button.show()
        self.statusBar().showMessage(f"failed: {error.code}")
        self._outcome = "error"

    def _on_aborted(self, partial: StreamedAnswer | None) -> None:
        if partial is not None:
            self.result.show_model(partial)
        self.statusBar().showMessage("cancelled — the partial answer is kept")
        self._outcome = "cancelled"

    def _on_handle_done(self, handle: RunHandle) -> None:
        # never wait on the thread here: it ends by itself; handles are released later
        own = handle is self.handle
        if own:
            self.handle = None
            self._set_busy(False)
        elif handle is self.watching:
            self.watching = None
        self._retire(handle)
        self.history.refresh()
        if own:
            self.run_ended.emit(self._outcome)

    def _retire(self, handle: RunHandle) -> None:
        """Keep a finished handle until its thread has stopped, then free it."""
        still = [h for h in self._retired if h.thread.isRunning()]
        for old in self._retired:
            if old not in still:
                old.release()
        self._retired = [*still, handle]

    def _set_progress(self, value: float) -> None:
        percent = round(value * 100)
        if percent > self._progress:  # monotonic on screen too
            self._progress = percent
            self.progress.setValue(percent)

    def _on_tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self._show_provider(f" · {elapsed:.1f} s")

    # -- runs from elsewhere ----------------------------------------------
    def _from_hub_thread(self, run: HubRun) -> None:
        if run.origin != "window":
            self.external_run.emit(run)  # queued to the main thread

    def _on_external_run(self, run: HubRun) -> None:
        self.history.refresh()
        if self.busy or self.watching is not None:
            return
        self.statusBar().showMessage(f"following a run started over {run.origin}")
        self.result.clear()
        self._progress = 0
        self.progress.setValue(0)
        self.watching = self._watch(run)

    def _stop_watching(self) -> None:
        if self.watching is not None:
            worker = self.watching.worker
            for signal in (worker.partial, worker.finished, worker.errored, worker.aborted):
                signal.disconnect()

    # -- files and history ------------------------------------------------
    def open_file(self, path: Path) -> None:
        try:
            self.editor.setPlainText(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            QMessageBox.warning(self, "Cannot open file", f"{path}: {exc}")
            return
        language = language_for_suffix(path.suffix)
        if language:
            self.language.setCurrentText(language)

    def _on_open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open code")
        if name:
            self.open_file(Path(name))

    def _on_reopen(self, entry: Any) -> None:
        from interview_corvus.core.models import MODELS

        self.editor.setPlainText(entry.input)
        if entry.language in LANGUAGES:
            self.language.setCurrentText(entry.language)
        self.result.clear()
        self.banner.hide()
        if entry.result:
            model_cls = MODELS[entry.kind]
            self.result.show_model(model_cls.model_construct(**entry.result))
        if entry.error_code and entry.error_code != "cancelled":
            self.banner.show_error(entry.error_code, entry.error_message or "")

    def dragEnterEvent(self, event: QDragEnterEvent | None) -> None:
        if event is not None and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent | None) -> None:
        if event is None:
            return
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.open_file(Path(urls[0].toLocalFile()))

    def closeEvent(self, event: QCloseEvent | None) -> None:
        for handle in (self.handle, self.watching):
            if handle is not None:
                handle.cancel()
                handle.wait(3000)
        super().closeEvent(event)
