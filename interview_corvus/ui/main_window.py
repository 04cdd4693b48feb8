"""The main window: input, actions, the live answer, status, errors, history."""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QFont
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
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
from interview_corvus.ui.notices import ErrorBanner, ExternalRunBar
from interview_corvus.ui.result_view import ResultView
from interview_corvus.ui.worker import RunHandle

log = logging.getLogger(__name__)


def done_message(stats: dict[str, Any]) -> str:
    """"done in 2.3 s · 85 tokens/s" — a rate only where it means something.

    The rate is output tokens over the time they streamed (after the first
    delta); a non-streaming answer arrives at once, so it has none.
    """
    seconds = stats.get("elapsed_ms", 0.0) / 1000
    text = f"done in {seconds:.1f} s"
    tokens = (stats.get("usage") or {}).get("output_tokens")
    first = stats.get("first_delta_ms")
    if stats.get("streaming") and tokens and first is not None and stats.get("deltas", 0) > 1:
        streamed = seconds - first / 1000
        if streamed >= 0.05:
            text += f" · {tokens / streamed:.0f} tokens/s"
    return text


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")


def request_for_entry(entry: Any) -> tuple[str, Any, str]:
    """(action, payload, language) that runs a history entry again as it was."""
    if entry.kind == "optimization":
        return "optimize", entry.input, entry.language
    lines = entry.input.splitlines()
    images = []
    for line in lines:
        if not (Path(line).suffix.lower() in IMAGE_SUFFIXES and Path(line).is_file()):
            break
        images.append(line)
    if images:
        text = "\n".join(lines[len(images):]).strip()
        return "solve_images", (images, text), entry.language
    return "solve", entry.input, entry.language


def images_input(paths: list[str], text: str) -> str:
    """What history keeps as the input of a screenshot run: the paths, then any text."""
    return "\n".join(paths) + (f"\n\n{text.strip()}" if text.strip() else "")


def entry_status(entry: Any) -> str:
    """The status line of a reopened run: its own outcome, never the previous run's."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.created_at))
    outcome = {"done": "✓ done", "error": f"✗ failed ({entry.error_code})",
               "cancelled": "⊘ cancelled — partial answer",
               "interrupted": "⚠ interrupted — partial answer"}.get(entry.status, entry.status)
    took = f" in {entry.elapsed_ms / 1000:.1f} s" if entry.elapsed_ms else ""
    return f"reopened run of {when} · {outcome}{took} · {entry.provider} · {entry.model}"


class MainWindow(QMainWindow):
    run_started = pyqtSignal(object)  # HubRun
    run_ended = pyqtSignal(str)  # done / error / cancelled, once the window is idle again
    external_run = pyqtSignal(object)  # a HubRun started elsewhere (HTTP), main thread

    def __init__(self, hub: RunHub, settings: Settings) -> None:
        super().__init__()
        self.hub = hub
        self.settings = settings
        self.handle: RunHandle | None = None
        self.watching: RunHandle | None = None  # a run from elsewhere shown in the panel
        self.external: list[RunHandle] = []  # runs from elsewhere still going
        self._retired: list[RunHandle] = []
        self._outcome = ""
        self._note = ""  # said beside the status of the current run
        self._last_request: tuple[str, Any, str] | None = None  # action, payload, language
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
        self.external_bar = ExternalRunBar()
        self.external_bar.follow.connect(self._on_follow)
        self.external_bar.cancel.connect(self._on_cancel_external)
        self.result = ResultView()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.progress)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.external_bar)
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
        """Solve what the user gave: screenshots and typed text together where possible."""
        paths = [str(p) for p in self.captures.paths()]
        text = self.editor.toPlainText()
        if paths and not self._vision() and text.strip():
            # the text alone can be solved: do that, and say the screenshots stayed home
            self._start("solve", text)
            self._note = (f"the screenshots were not sent: {self.hub.service.provider.name} "
                          "cannot read images")
            self.statusBar().showMessage(f"solving the typed problem · {self._note}")
        elif paths:
            self._start("solve_images", (paths, text))
        else:
            self._start("solve", text)

    def _vision(self) -> bool:
        try:
            return self.hub.service.provider.supports_vision
        except CorvusError:
            return False

    def retry(self) -> None:
        """Run the last request again, exactly as it was (input, kind and language)."""
        if self._last_request is not None:
            action, payload, language = self._last_request
            self._start(action, payload, language)

    def _start(self, action: str, payload: Any, language: str | None = None) -> None:
        if self.busy:
            return  # one run per panel: never two workers writing one view
        service = self.hub.service
        language = language or self.language.currentText()
        try:
            if action == "optimize":
                job = service.optimization_job(payload, language)
            elif action == "solve_images":
                job = service.image_solution_job(payload[0], language, payload[1])
            else:
                job = service.solution_job(payload, language)
        except CorvusError as exc:
            self.banner.show_error(exc.code, exc.message)
            self.banner.retry_button.hide()
            return
        self._last_request = (action, payload, language)
        self._note = ""
        self._stop_watching()
        self.banner.hide()
        self.result.clear()
        self._reset_progress()
        text = payload if isinstance(payload, str) else images_input(*payload)
        run = self.hub.submit(job, origin="window", input_text=text)
        self.handle = self._watch(run)
        self._set_busy(True)
        if not run.streaming:  # nothing arrives until the whole answer: say so, visibly busy
            self.progress.setRange(0, 0)
            self.statusBar().showMessage("waiting for the whole answer (streaming is off)…")
        self.run_started.emit(run)

    def _reset_progress(self) -> None:
        self.progress.setRange(0, 100)
        self._progress = 0
        self.progress.setValue(0)

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
        """Cancel the window's run, or the run from elsewhere that the panel follows."""
        if self.handle is not None:
            self.handle.cancel()
        elif self.watching is not None:
            self.watching.cancel()

    def reset(self) -> None:
        self.cancel()
        self.editor.clear()
        self.result.clear()
        self.banner.hide()
        self._reset_progress()
        self.captures.clear()
        self._last_request = None
        self.statusBar().clearMessage()
        self._show_provider()

    def capture(self) -> None:
        self.captures.capture(self)

    def _set_busy(self, busy: bool) -> None:
        self.optimize_button.setEnabled(not busy)
        self.solve_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy or self.watching is not None)
        if busy:
            self._clock.start()
        else:
            self._clock.stop()

    # -- slots from the worker --------------------------------------------
    def _on_partial(self, model: StreamedAnswer) -> None:
        self.result.show_model(model)
        self._set_progress(model.progress)
        self.statusBar().showMessage("streaming…" + (f" · {self._note}" if self._note else ""))

    def _on_queued(self, position: int) -> None:
        self.statusBar().showMessage(f"waiting for the model · position {position} in queue")

    def _on_finished(self, model: StreamedAnswer, stats: dict[str, Any]) -> None:
        self.result.show_model(model)
        self._set_progress(1.0)
        self.statusBar().showMessage(done_message(stats)
                                     + (f" · {self._note}" if self._note else ""))
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
        self.statusBar().showMessage("⊘ cancelled — the partial answer is kept")
        self._outcome = "cancelled"

    def _on_handle_done(self, handle: RunHandle) -> None:
        # never wait on the thread here: it ends by itself; handles are released later
        own = handle is self.handle
        if own:
            self.handle = None
        elif handle is self.watching:
            self.watching = None
        if handle in self.external:
            self.external.remove(handle)
            self._show_external()
        if own or not self.busy:
            self._set_busy(self.busy)
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
        if self.progress.maximum() == 0:  # leave the busy state at the first result
            self.progress.setRange(0, 100)
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
        """Announce a run started elsewhere; the user's code and answer stay as they are."""
        self.history.refresh()
        handle = RunHandle(run, self)
        handle.worker.done.connect(lambda h=handle: self._on_handle_done(h))
        handle.start()
        self.external.append(handle)
        self._show_external()

    def _show_external(self) -> None:
        following = self.watching.run if self.watching is not None else None
        self.external_bar.show_runs([h.run for h in self.external], following=following)
        self.external_bar.follow_button.setEnabled(not self.busy)

    def _on_follow(self, run: HubRun) -> None:
        """Show a run from elsewhere in the panel (asked for by the user)."""
        handle = next((h for h in self.external if h.run is run), None)
        if handle is None or self.busy:
            return
        self._stop_watching()
        self.editor.setPlainText(run.entry.input)
        if run.entry.language in LANGUAGES:
            self.language.setCurrentText(run.entry.language)
        self.banner.hide()
        self.result.clear()
        self._reset_progress()
        worker = handle.worker
        worker.partial.connect(self._on_partial)
        worker.finished.connect(self._on_finished)
        worker.errored.connect(self._on_errored)
        worker.aborted.connect(self._on_aborted)
        self.watching = handle
        self._started = time.monotonic()
        latest = run.active.latest()
        if latest is not None:
            self._on_partial(latest)
        self.statusBar().showMessage(f"following a run started over {run.origin}")
        self._set_busy(False)
        self._show_external()

    def _on_cancel_external(self, run: HubRun) -> None:
        run.cancel()

    def _stop_watching(self) -> None:
        if self.watching is not None:
            worker = self.watching.worker
            for signal in (worker.partial, worker.finished, worker.errored, worker.aborted):
                with contextlib.suppress(TypeError):
                    signal.disconnect()
            self.watching = None

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

        if self.busy:
            self.statusBar().showMessage("Finish or cancel the current run before reopening "
                                         "another.")
            return
        self._stop_watching()
        self.editor.setPlainText(entry.input)
        if entry.language in LANGUAGES:
            self.language.setCurrentText(entry.language)
        self.result.clear()
        self.banner.hide()
        self._reset_progress()
        if entry.result:
            model_cls = MODELS[entry.kind]
            model = model_cls.model_construct(**entry.result)
            self.result.show_model(model)
            self._set_progress(float(entry.result.get("progress") or 0.0))
        self._last_request = request_for_entry(entry)
        if entry.error_code and entry.error_code != "cancelled":
            self.banner.show_error(entry.error_code, entry.error_message or "")
            self.banner.retry_button.show()
        self.statusBar().showMessage(entry_status(entry))

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
        for handle in (self.handle, *self.external):  # the app is closing: stop them all
            if handle is not None:
                handle.cancel()
                handle.wait(3000)
        super().closeEvent(event)
