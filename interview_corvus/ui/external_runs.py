"""Runs started elsewhere (over HTTP, by a script): each is followed by a worker in
the background, announced in the bar, and shown in the answer panel only when the
user asks (Follow); the user's own code and answer stay as they are."""

from __future__ import annotations

from PyQt6.QtCore import QObject, pyqtSignal

from interview_corvus.core.runs.hub import HubRun, RunHub
from interview_corvus.ui.notices import ExternalRunBar
from interview_corvus.ui.worker import RunWorker


class ExternalRuns(QObject):
    arrived = pyqtSignal(object)  # the RunWorker of a new run (main thread)
    follow_requested = pyqtSignal(object)  # the RunWorker the user wants shown
    ended = pyqtSignal(object)  # a RunWorker whose run is over
    _from_hub = pyqtSignal(object)  # a HubRun, emitted from the hub's thread

    def __init__(self, hub: RunHub, bar: ExternalRunBar, parent: QObject) -> None:
        super().__init__(parent)
        self.bar = bar
        self.workers: list[RunWorker] = []
        self.following: RunWorker | None = None  # the one shown in the panel
        self.can_follow = True
        self._from_hub.connect(self._on_new_run)  # queued to the main thread
        bar.follow.connect(self._on_follow)
        bar.cancel.connect(self._on_cancel)
        hub.on_new_run(self._from_hub_thread)

    def _from_hub_thread(self, run: HubRun) -> None:
        if run.origin != "window":
            self._from_hub.emit(run)

    def _on_new_run(self, run: HubRun) -> None:
        worker = RunWorker(run)
        worker.finished.connect(lambda w=worker: self._on_finished(w))
        self.workers.append(worker)
        worker.start()
        self.refresh()
        self.arrived.emit(worker)

    def _on_finished(self, worker: RunWorker) -> None:
        if worker is self.following:
            self.following = None
        self.workers.remove(worker)
        self.refresh()
        self.ended.emit(worker)

    def refresh(self) -> None:
        """The bar: the runs going on, which one is followed, whether Follow is possible."""
        following = self.following.run if self.following is not None else None
        self.bar.show_runs([w.run for w in self.workers], following=following)
        self.bar.follow_button.setEnabled(self.can_follow)

    def _on_follow(self, run: HubRun) -> None:
        worker = next((w for w in self.workers if w.run is run), None)
        if worker is not None and self.can_follow:
            self.follow_requested.emit(worker)

    def _on_cancel(self, run: HubRun) -> None:
        run.cancel()
