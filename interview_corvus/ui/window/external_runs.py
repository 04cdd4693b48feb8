"""Runs started elsewhere (over HTTP, by a script): announced in the bar, shown in the
answer panel only when the user asks (Follow); the user's own code and answer stay.

Each announced run is watched on the window's asyncio loop (qasync) with the same
coalescing cursor the SSE streams use (``core.runs.follow.afollow``), so watching
costs no thread; following one in the panel starts a ``RunWorker`` for it.
"""

from __future__ import annotations

import asyncio
import threading

from PyQt6.QtCore import QObject, pyqtSignal

from interview_corvus.core.runs.follow import Cursor, afollow
from interview_corvus.core.runs.hub import HubRun, RunHub
from interview_corvus.ui.platform.aio import spawn
from interview_corvus.ui.widgets.notices import ExternalRunBar
from interview_corvus.ui.window.worker import RunWorker

WATCH_INTERVAL = 1.0  # the bar needs the run's end, not its partials


class ExternalRuns(QObject):
    arrived = pyqtSignal(object)  # a HubRun started elsewhere (main thread)
    follow_requested = pyqtSignal(object)  # the RunWorker the user wants shown
    ended = pyqtSignal(object)  # a HubRun that is over, or the RunWorker that followed one
    _from_hub = pyqtSignal(object)  # a HubRun, emitted from the hub's thread
    _over = pyqtSignal(object)  # a HubRun that is over, from a fallback thread

    def __init__(self, hub: RunHub, bar: ExternalRunBar, parent: QObject) -> None:
        super().__init__(parent)
        self.bar = bar
        self.runs: list[HubRun] = []
        self.following: RunWorker | None = None  # the one shown in the panel
        self.can_follow = True
        self._from_hub.connect(self._on_new_run)  # queued to the main thread
        self._over.connect(self._on_run_over)
        bar.follow.connect(self._on_follow)
        bar.cancel.connect(self._on_cancel)
        hub.on_new_run(self._from_hub_thread)

    def _from_hub_thread(self, run: HubRun) -> None:
        if run.origin != "window":
            self._from_hub.emit(run)

    def _on_new_run(self, run: HubRun) -> None:
        self.runs.append(run)
        self.refresh()
        self.arrived.emit(run)
        if not spawn(lambda: self._watch(run)):  # no asyncio loop here: a plain thread
            threading.Thread(target=self._wait_in_thread, args=(run,), name="corvus-external",
                             daemon=True).start()

    def _wait_in_thread(self, run: HubRun) -> None:
        run.finished.wait()
        self._over.emit(run)

    async def _watch(self, run: HubRun) -> None:
        cursor = Cursor(run, interval=WATCH_INTERVAL, delta=True)
        async for _ in afollow([cursor]):
            pass
        await asyncio.to_thread(run.finished.wait, 5)  # saved to history by then
        self._on_run_over(run)

    def _on_run_over(self, run: HubRun) -> None:
        if run in self.runs:
            self.runs.remove(run)
            self.refresh()
            self.ended.emit(run)

    def _on_following_done(self, worker: RunWorker) -> None:
        if worker is self.following:
            self.following = None
        self.refresh()
        self.ended.emit(worker)

    def refresh(self) -> None:
        """The bar: the runs going on, which one is followed, whether Follow is possible."""
        following = self.following.run if self.following is not None else None
        self.bar.show_runs(self.runs, following=following)
        self.bar.follow_button.setEnabled(self.can_follow)

    def _on_follow(self, run: HubRun) -> None:
        if run not in self.runs or not self.can_follow:
            return
        worker = RunWorker(run)
        worker.finished.connect(lambda w=worker: self._on_following_done(w))
        worker.start()
        self.follow_requested.emit(worker)

    def _on_cancel(self, run: HubRun) -> None:
        run.cancel()
