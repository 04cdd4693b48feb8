"""The main window: starts runs in the hub and hands each run's worker to the panels
that show it (answer panel, status line); runs from elsewhere come via ExternalRuns."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import QLabel, QMainWindow, QSplitter, QWidget

from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.history import RunEntry
from interview_corvus.core.runs.hub import HubRun, RunHub
from interview_corvus.ui.settings.local_models import ModelFetcher
from interview_corvus.ui.window.actions import WindowActions
from interview_corvus.ui.window.answer_panel import AnswerPanel
from interview_corvus.ui.window.external_runs import ExternalRuns
from interview_corvus.ui.window.follow_ups import FollowUps
from interview_corvus.ui.window.history_panel import HistoryPanel
from interview_corvus.ui.window.input_panel import InputPanel
from interview_corvus.ui.window.run_text import (
    entry_status,
    reads_images,
    request_for_entry,
    start_run,
)
from interview_corvus.ui.window.status_line import StatusLine
from interview_corvus.ui.window.window_keys import (
    focus_pane,
    restore_layout,
    save_layout,
    show_about,
    show_shortcuts,
    visible,
)
from interview_corvus.ui.window.worker import RunWorker


class MainWindow(QMainWindow):
    run_started = pyqtSignal(object)  # HubRun
    run_ended = pyqtSignal(str)  # done / error / cancelled, once the window is idle again

    def __init__(self, hub: RunHub, settings: Settings) -> None:
        super().__init__()
        self.hub = hub
        self.settings = settings
        self.worker: RunWorker | None = None  # the window's own run
        self._last_request: tuple[str, Any, str] | None = None  # action, payload, language
        self.setWindowTitle("Interview Corvus")
        self._build()
        restore_layout(self, self.splitters, self.inputs)  # the draft too; first launch: fits
        self.status.say_recovered()

    # -- layout -----------------------------------------------------------
    def _build(self) -> None:
        self.inputs = InputPanel(self.settings.llm.default_language, self)
        self.inputs.take_drops_on(self)
        self.editor, self.language, self.captures = (self.inputs.editor, self.inputs.language,
                                                     self.inputs.captures)
        self.window_actions = actions = WindowActions(self)
        for action, slot in ((actions.optimize, self.optimize), (actions.solve, self.solve),
                             (actions.mcq, lambda: self._start("mcq", self.editor.toPlainText())),
                             (actions.cancel, self.cancel), (actions.retry, self.retry),
                             (actions.capture, self.capture), (actions.reset, self.reset),
                             (actions.open, self.inputs.choose_file), (actions.quit, self.close),
                             (actions.next_pane, lambda: focus_pane(self.panes(), 1)),
                             (actions.previous_pane, lambda: focus_pane(self.panes(), -1)),
                             (actions.shortcuts, lambda: show_shortcuts(
                                 self, actions.shortcut_table(), self.settings.ui.hotkeys)),
                             (actions.about, lambda: show_about(self))):
            action.triggered.connect(slot)
        self.settings_action = actions.settings
        self.panel = AnswerPanel(hint=actions.empty_hint())
        self.progress, self.banner, self.result = (self.panel.progress, self.panel.banner,
                                                   self.panel.result)
        self.external_bar, self.demo_hint = self.panel.external_bar, self.panel.demo_hint
        self.banner.retry.connect(self.retry)
        self.follow_ups = FollowUps(self.hub, self.panel.follow_up, self.panel.thread_strip,
                                    self)
        self.follow_ups.asked.connect(
            lambda parent, message: self._start("follow_up", (parent, message, self.result.kind)))
        self.demo_hint.dismissed.connect(self._on_demo_hint_dismissed)
        self.open_settings = self.banner.open_settings  # the app connects these to its dialog
        self.demo_hint.open_settings.connect(self.banner.open_settings)
        actions.copy_code.triggered.connect(self.result.copy_code)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("panes")
        self.splitter.addWidget(self.inputs)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setSizes([420, 640])
        self.setCentralWidget(self.splitter)
        self.splitters = [self.splitter, self.result.splitter]  # remembered across launches
        language_label = QLabel(" Language ")
        language_label.setBuddy(self.language)
        self.toolbar = actions.build_toolbar([language_label, self.language])
        self.optimize_button, self.solve_button, self.cancel_button = (
            actions.button(actions.optimize), actions.button(actions.solve),
            actions.button(actions.cancel))
        self.capture_button, self.reset_button, self.open_button = (
            actions.button(actions.capture), actions.button(actions.reset),
            actions.button(actions.open))
        self.history = HistoryPanel(self.hub.history, self)  # object name "history"
        self.history.reopen.connect(self._on_reopen)
        self.history.retry.connect(self._on_history_retry)
        self.follow_ups.reopen.connect(self._on_reopen)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.history)
        self.resizeDocks([self.history], [240], Qt.Orientation.Horizontal)
        toggle = self.history.toggleViewAction()
        assert toggle is not None
        actions.build_menus(toggle)
        bar = self.statusBar()
        assert bar is not None
        self.status = StatusLine(bar, self.hub, self.settings)
        self.status_label, self.server_label = self.status.label, self.status.server_label
        self.inputs.language_detected.connect(
            lambda language: self.status.say(f"language set to {language} (detected)", 4000))
        self.external = ExternalRuns(self.hub, self.external_bar, self)
        self.external.arrived.connect(lambda _run: self.history.refresh())
        self.run_started.connect(lambda _run: self.history.refresh())  # listed at once
        self.external.follow_requested.connect(self._on_follow)
        self.external.ended.connect(self._on_worker_finished)
        self.demo_hint.show_for(self.settings)
        self.model_fetcher = ModelFetcher(self)
        self.model_fetcher.report_to(self.status.say)
        self.model_fetcher.prepare(lambda: self.hub.service.provider)  # now, not in a run

    def apply_settings(self, settings: Settings) -> None:
        self.settings = self.status.settings = settings
        self.status.show_provider()
        self.demo_hint.show_for(self.settings)
        self.model_fetcher.prepare(lambda: self.hub.service.provider)

    def _on_demo_hint_dismissed(self) -> None:  # remembered: it is for a first launch
        self.apply_settings(self.demo_hint.remember_dismissed(self.settings))

    # -- actions ----------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.worker is not None

    @property
    def watching(self) -> RunWorker | None:  # a run from elsewhere shown in the panel
        return self.external.following

    def optimize(self) -> None:
        self._start("optimize", self.editor.toPlainText())

    def solve(self) -> None:
        """Solve what the user gave: screenshots and typed text together where possible."""
        paths = [str(p) for p in self.captures.paths()]
        text = self.editor.toPlainText()
        if paths and not reads_images(self.hub.service) and text.strip():
            # the text alone can be solved: do that, and say the screenshots stayed home
            self._start("solve", text)
            self.status.note = (f"the screenshots were not sent: "
                                f"{self.hub.service.provider.name} cannot read images")
            self.status.say(f"solving the typed problem · {self.status.note}")
        elif paths:
            self._start("solve_images", (paths, text))
        else:
            self._start("solve", text)

    def retry(self) -> None:
        """Run the last request again, exactly as it was (input, kind and language)."""
        if self._last_request is not None:
            action, payload, language = self._last_request
            self._start(action, payload, language)

    def _start(self, action: str, payload: Any, language: str | None = None) -> None:
        if self.busy:
            return  # one run per panel: never two workers writing one view
        language = language or self.language.currentText()
        try:
            run = start_run(self.hub, action, payload, language)
        except CorvusError as exc:
            self.panel.show_problem(exc)
            return
        self._last_request = (action, payload, language)
        self.status.note = ""
        self._stop_watching()
        self.panel.begin(run.streaming)
        self.follow_ups.show(run.entry)  # a follow-up: its question over its answer
        worker = self.worker = RunWorker(run)
        self.panel.follow(worker)
        self.status.follow(worker)
        worker.finished.connect(lambda w=worker: self._on_worker_finished(w))
        worker.start()
        self._set_busy(True)
        if not run.streaming:  # nothing arrives until the whole answer: say so
            self.status.say("waiting for the whole answer (streaming is off)…")
        self.run_started.emit(run)

    def cancel(self) -> None:
        """Cancel the window's run or the followed one: said at once, the bar stops."""
        worker = self.worker or self.watching
        if worker is not None:
            worker.cancel()
            self.panel.stop_busy()
            self.status.cancelling()
            self.window_actions.cancel.setEnabled(False)

    def reset(self) -> None:
        self.cancel()
        self.inputs.clear(self.settings.llm.default_language)
        self.panel.reset()
        self._last_request = None
        self.status.bar.clearMessage()
        self.status.show_provider()

    def capture(self) -> None:
        self.inputs.capture(self, self.hub.service)

    def _set_busy(self, busy: bool) -> None:
        acts = self.window_actions
        for action in (acts.optimize, acts.solve, acts.mcq, acts.retry):
            action.setEnabled(not busy)
        acts.cancel.setEnabled(busy or self.watching is not None)
        self.status.set_running(busy)
        self.external.can_follow = not busy
        self.external.refresh()

    def _on_worker_finished(self, worker: RunWorker | HubRun) -> None:
        own = worker is self.worker
        if own:
            self.worker = None
            if self.status.outcome == "done" and isinstance(worker, RunWorker):
                self.follow_ups.offer(worker.run.id)
        if own or not self.busy:
            self._set_busy(self.busy)
        self.history.refresh()
        if own:
            self.run_ended.emit(self.status.outcome)

    # -- runs from elsewhere ----------------------------------------------
    def _on_follow(self, worker: RunWorker) -> None:
        """Show a run from elsewhere in the panel (asked for by the user)."""
        if self.busy:
            return
        self._stop_watching()
        run = worker.run
        self.panel.begin(streaming=True)
        kept = self._show_input_of(run.entry)
        self.panel.follow(worker)
        self.status.follow(worker)
        self.external.following = worker
        latest = run.active.latest()
        if latest is not None:
            self.panel.show_answer(latest)
        self.status.note = kept.removeprefix(" · ")  # said beside "streaming…" too
        self.status.say(f"following a run started over {run.origin}{kept}")
        self._set_busy(False)

    def _stop_watching(self) -> None:
        if self.watching is not None:
            self.panel.unfollow(self.watching)
            self.status.unfollow(self.watching)
            self.external.following = None

    # -- files and history ------------------------------------------------
    def _on_reopen(self, entry: RunEntry) -> None:
        if self.busy:
            self.status.say("Finish or cancel the current run before reopening another.")
            return
        self._stop_watching()
        self.panel.show_entry(entry)
        kept = self._show_input_of(entry)
        if entry.status == "done":
            self.follow_ups.offer(entry.id)
        self._last_request = request_for_entry(entry)
        self.status.say(entry_status(entry) + kept)

    def _show_input_of(self, entry: RunEntry) -> str:
        """The thread over the answer, and the input the thread began with in the editor
        (never a follow-up's message); says how a replaced draft can be had back."""
        first = self.follow_ups.show(entry)
        return "" if first is None else self.inputs.set_input(first.input, first.language)

    def _on_history_retry(self, entry: RunEntry) -> None:
        self._on_reopen(entry)
        self.retry()  # exactly as it ran

    def panes(self) -> list[QWidget]:
        result = self.result
        return visible([self.editor, result.tabs.currentWidget() or result.code,
                        result.improvements, result.explanation, result.extra,
                        self.history.list])

    def closeEvent(self, event: QCloseEvent | None) -> None:
        save_layout(self, self.splitters, self.inputs)  # and the draft
        for run in self.external.runs:  # closing: stop them all
            run.cancel()
        for worker in (self.worker, self.watching):
            if worker is not None:
                worker.cancel()
                worker.wait(3000)
        super().closeEvent(event)
