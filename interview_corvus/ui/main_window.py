"""The main window: input, actions, the live answer, status, errors, history."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.answers.detect import detect_language
from interview_corvus.core.answers.models import LANGUAGES, StreamedAnswer, language_for_suffix
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.history import RunEntry
from interview_corvus.core.runs.hub import HubRun, RunHub
from interview_corvus.ui.actions import WindowActions
from interview_corvus.ui.answer_panel import AnswerPanel
from interview_corvus.ui.capture import CaptureStrip
from interview_corvus.ui.editor import CodeEditor
from interview_corvus.ui.history_panel import HistoryPanel
from interview_corvus.ui.run_text import done_message, entry_status, images_input, request_for_entry
from interview_corvus.ui.window_keys import (
    focus_pane,
    panes,
    restore_layout,
    save_layout,
    show_about,
    show_shortcuts,
)
from interview_corvus.ui.worker import RunWorker

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    run_started = pyqtSignal(object)  # HubRun
    run_ended = pyqtSignal(str)  # done / error / cancelled, once the window is idle again
    external_run = pyqtSignal(object)  # a HubRun started elsewhere (HTTP), main thread

    def __init__(self, hub: RunHub, settings: Settings) -> None:
        super().__init__()
        self.hub = hub
        self.settings = settings
        self.worker: RunWorker | None = None  # the window's own run
        self.watching: RunWorker | None = None  # a run from elsewhere shown in the panel
        self.external: list[RunWorker] = []  # runs from elsewhere still going
        self._outcome = ""
        self._note = ""  # said beside the status of the current run
        self._last_request: tuple[str, Any, str] | None = None  # action, payload, language
        self._started = 0.0
        self.setWindowTitle("Interview Corvus")
        self.resize(1280, 800)
        self.setAcceptDrops(True)
        self._build()
        restore_layout(self)
        recovered = getattr(hub.history, "recovered", 0)
        if recovered:
            self.statusBar().showMessage(
                f"{recovered} run(s) were cut short when the app last stopped; they are in "
                "History, marked ⚠ interrupted, with what had arrived.", 15000)
        self.hub.on_new_run(self._from_hub_thread)
        self.external_run.connect(self._on_external_run)
        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._on_tick)

    # -- layout -----------------------------------------------------------
    def _build(self) -> None:
        self.editor = CodeEditor()
        self.editor.setAccessibleName("Code or problem")
        self.editor.setPlaceholderText(
            "Paste code (Ctrl+V), open a file (Ctrl+O) or drop one here, then Optimize "
            "(Ctrl+Enter). For a problem statement, paste it and Solve (Ctrl+Shift+Enter).")
        self.editor.pasted.connect(self._on_pasted)
        self.language = QComboBox()
        self.language.addItems(LANGUAGES)
        self.language.setCurrentText(self.settings.llm.default_language)
        self.language.setAccessibleName("Language")
        self.language.setToolTip("Language of the code (detected when you paste)")
        self.actions = actions = WindowActions(self)
        for action, slot in ((actions.optimize, self.optimize), (actions.solve, self.solve),
                             (actions.cancel, self.cancel), (actions.retry, self.retry),
                             (actions.capture, self.capture), (actions.reset, self.reset),
                             (actions.open, self._on_open), (actions.quit, self.close),
                             (actions.next_pane, lambda: focus_pane(self, 1)),
                             (actions.previous_pane, lambda: focus_pane(self, -1)),
                             (actions.shortcuts, lambda: show_shortcuts(self)),
                             (actions.about, lambda: show_about(self))):
            action.triggered.connect(slot)
        self.settings_action = actions.settings
        self.captures = CaptureStrip(self)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.captures)
        self.panel = right = AnswerPanel()
        self.progress, self.banner, self.result = right.progress, right.banner, right.result
        self.external_bar, self.demo_hint = right.external_bar, right.demo_hint
        self.banner.retry.connect(self.retry)
        self.external_bar.follow.connect(self._on_follow)
        self.external_bar.cancel.connect(self._on_cancel_external)
        self.demo_hint.dismissed.connect(self._on_demo_hint_dismissed)
        self.open_settings = self.banner.open_settings  # the app connects these to its dialog
        self.demo_hint.open_settings.connect(self.banner.open_settings)
        actions.copy_code.triggered.connect(self.result.copy_code)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("panes")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setSizes([420, 640])
        self.setCentralWidget(self.splitter)
        language_label = QLabel(" Language ")
        language_label.setBuddy(self.language)
        self.toolbar = actions.build_toolbar([language_label, self.language])
        self.optimize_button = self._tool_button(actions.optimize)
        self.solve_button = self._tool_button(actions.solve)
        self.cancel_button = self._tool_button(actions.cancel)
        self.capture_button = self._tool_button(actions.capture)
        self.reset_button = self._tool_button(actions.reset)
        self.open_button = self._tool_button(actions.open)
        self.history = HistoryPanel(self.hub.history, self)
        self.history.setObjectName("history")
        self.history.reopen.connect(self._on_reopen)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.history)
        self.resizeDocks([self.history], [240], Qt.Orientation.Horizontal)
        actions.build_menus(self.history.toggleViewAction())
        self.status_label = QLabel()
        self.status_label.setMinimumWidth(40)  # may be clipped; never widens the window
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight
                                       | Qt.AlignmentFlag.AlignVCenter)
        self.server_label = QLabel()
        self.server_label.setOpenExternalLinks(True)
        self.server_label.setAccessibleName("Server address")
        self.server_label.hide()
        bar = self.statusBar()
        assert bar is not None
        bar.addPermanentWidget(self.server_label)
        bar.addPermanentWidget(self.status_label)
        self._show_provider()
        self._show_demo_hint()

    def _tool_button(self, action: QAction) -> QToolButton:
        button = self.toolbar.widgetForAction(action)
        assert isinstance(button, QToolButton)
        button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        return button

    def _show_provider(self, extra: str = "") -> None:
        llm = self.settings.llm
        try:
            provider = self.hub.service.provider
            text = f"{provider.name} · {provider.model}"
        except CorvusError as exc:
            text = f"{llm.provider} · not ready: {exc.message}"
        streaming = "streaming" if self.settings.llm.streaming else "streaming off"
        self.status_label.setText(f"{text} · {streaming}{extra}")
        self.status_label.setToolTip(self.status_label.text())

    def _show_demo_hint(self) -> None:
        llm = self.settings.llm
        demo = llm.provider == "local" and not llm.gguf_path
        self.demo_hint.setVisible(demo and not self.settings.ui.demo_hint_dismissed)

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self._show_provider()
        self._show_demo_hint()

    def _on_demo_hint_dismissed(self) -> None:
        """Remember it: the note is for the first launch, not every launch."""
        self.demo_hint.hide()
        ui = self.settings.ui.model_copy(update={"demo_hint_dismissed": True})
        self.settings = self.settings.model_copy(update={"ui": ui})
        try:
            self.settings.save()
        except OSError as exc:  # not remembered; the window goes on
            log.warning("could not save settings: %s", exc)

    def set_server_url(self, url: str) -> None:
        """Show the embedded server's address (a link) in the status bar, or nothing."""
        if url:
            self.server_label.setText(f'server <a href="{url}/">{url}</a>')
            self.server_label.setToolTip("The live page and API of the embedded server")
        self.server_label.setVisible(bool(url))

    def _on_pasted(self, text: str) -> None:
        """Pasting code sets the language when the code makes it clear."""
        language = detect_language(text)
        if language and language != self.language.currentText():
            self.language.setCurrentText(language)
            self.statusBar().showMessage(f"language set to {language} (detected)", 4000)

    # -- actions ----------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.worker is not None

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
            self.panel.show_problem(exc)
            return
        self._last_request = (action, payload, language)
        self._note = ""
        self._stop_watching()
        text = payload if isinstance(payload, str) else images_input(*payload)
        run = self.hub.submit(job, origin="window", input_text=text)
        self.panel.begin(run.streaming)
        worker = self.worker = RunWorker(run)
        self._show_worker(worker)
        worker.queued.connect(self._on_queued)
        worker.finished.connect(lambda w=worker: self._on_worker_finished(w))
        worker.start()
        self._set_busy(True)
        if not run.streaming:  # nothing arrives until the whole answer: say so
            self.statusBar().showMessage("waiting for the whole answer (streaming is off)…")
        self.run_started.emit(run)

    def _show_worker(self, worker: RunWorker) -> None:
        """Show ``worker``'s run in the panel and its outcome in the status bar."""
        self.panel.follow(worker)
        for signal, slot in self._status_slots(worker):
            signal.connect(slot)
        self._started = time.monotonic()

    def _status_slots(self, worker: RunWorker) -> list[tuple[Any, Any]]:
        return [(worker.yielded, self._on_yielded), (worker.returned, self._on_returned),
                (worker.errored, self._on_errored), (worker.aborted, self._on_aborted)]

    def cancel(self) -> None:
        """Cancel the window's run, or the run from elsewhere that the panel follows."""
        if self.worker is not None:
            self.worker.cancel()
        elif self.watching is not None:
            self.watching.cancel()

    def reset(self) -> None:
        self.cancel()
        self.editor.clear()
        self.panel.clear()
        self.captures.clear()
        self._last_request = None
        self.statusBar().clearMessage()
        self._show_provider()

    def capture(self) -> None:
        self.captures.capture(self)

    def _set_busy(self, busy: bool) -> None:
        self.actions.optimize.setEnabled(not busy)
        self.actions.solve.setEnabled(not busy)
        self.actions.retry.setEnabled(not busy)
        self.actions.cancel.setEnabled(busy or self.watching is not None)
        if busy:
            self._clock.start()
        else:
            self._clock.stop()

    # -- slots from the worker: the status bar (the panel shows the answer) --
    def _on_yielded(self, _model: StreamedAnswer) -> None:
        self.statusBar().showMessage("streaming…" + (f" · {self._note}" if self._note else ""))

    def _on_queued(self, position: int) -> None:
        self.statusBar().showMessage(f"waiting for the model · position {position} in queue")

    def _on_returned(self, _model: StreamedAnswer, stats: dict[str, Any]) -> None:
        self.statusBar().showMessage(done_message(stats)
                                     + (f" · {self._note}" if self._note else ""))
        self._outcome = "done"

    def _on_errored(self, error: CorvusError) -> None:
        self.statusBar().showMessage(f"failed: {error.code}")
        self._outcome = "error"

    def _on_aborted(self, _partial: StreamedAnswer | None) -> None:
        self.statusBar().showMessage("⊘ cancelled — the partial answer is kept")
        self._outcome = "cancelled"

    def _on_worker_finished(self, worker: RunWorker) -> None:
        own = worker is self.worker
        if own:
            self.worker = None
        elif worker is self.watching:
            self.watching = None
        if worker in self.external:
            self.external.remove(worker)
            self._show_external()
        if own or not self.busy:
            self._set_busy(self.busy)
        self.history.refresh()
        if own:
            self.run_ended.emit(self._outcome)

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
        worker = RunWorker(run)
        worker.finished.connect(lambda w=worker: self._on_worker_finished(w))
        worker.start()
        self.external.append(worker)
        self._show_external()

    def _show_external(self) -> None:
        following = self.watching.run if self.watching is not None else None
        self.external_bar.show_runs([w.run for w in self.external], following=following)
        self.external_bar.follow_button.setEnabled(not self.busy)

    def _on_follow(self, run: HubRun) -> None:
        """Show a run from elsewhere in the panel (asked for by the user)."""
        worker = next((w for w in self.external if w.run is run), None)
        if worker is None or self.busy:
            return
        self._stop_watching()
        self.editor.setPlainText(run.entry.input)
        if run.entry.language in LANGUAGES:
            self.language.setCurrentText(run.entry.language)
        self.panel.begin(streaming=True)
        self._show_worker(worker)
        self.watching = worker
        latest = run.active.latest()
        if latest is not None:
            self.panel.show(latest)
        self.statusBar().showMessage(f"following a run started over {run.origin}")
        self._set_busy(False)
        self._show_external()

    def _on_cancel_external(self, run: HubRun) -> None:
        run.cancel()

    def _stop_watching(self) -> None:
        if self.watching is not None:
            self.panel.unfollow(self.watching)
            for signal, slot in self._status_slots(self.watching):
                signal.disconnect(slot)
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

    def _on_reopen(self, entry: RunEntry) -> None:
        if self.busy:
            self.statusBar().showMessage("Finish or cancel the current run before reopening "
                                         "another.")
            return
        self._stop_watching()
        self.editor.setPlainText(entry.input)
        if entry.language in LANGUAGES:
            self.language.setCurrentText(entry.language)
        self.panel.show_entry(entry)
        self._last_request = request_for_entry(entry)
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

    def panes(self) -> list[QWidget]:
        return panes(self)

    def closeEvent(self, event: QCloseEvent | None) -> None:
        save_layout(self)
        for worker in (self.worker, *self.external):  # the app is closing: stop them all
            if worker is not None:
                worker.cancel()
                worker.wait(3000)
        super().closeEvent(event)
