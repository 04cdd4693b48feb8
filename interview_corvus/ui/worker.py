"""Watching a hub run from the window: a QObject worker moved to a QThread.

The run itself generates in the hub's thread (so the same run is mirrored over
HTTP); the worker waits for its events, coalesces partials to at most ~30 per
second (the newest state), and hands models to the main thread through signals:
``partial`` (yielded), ``finished``, ``errored``, ``aborted``. Cancel sets the
run's flag and aborts the provider stream at once.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QObject, QThread, pyqtSignal, pyqtSlot

from interview_corvus.core.errors import CorvusError
from interview_corvus.core.hub import HubRun
from interview_corvus.core.watch import follow

FRAME = 1 / 30


class RunWorker(QObject):
    partial = pyqtSignal(object)  # the newest partial model (yielded)
    queued = pyqtSignal(int)  # position in the queue for the model
    finished = pyqtSignal(object, object)  # complete model, stats dict
    errored = pyqtSignal(object)  # CorvusError carrying .partial
    aborted = pyqtSignal(object)  # partial model (or None) of a cancelled run
    done = pyqtSignal()  # after any of finished / errored / aborted

    def __init__(self, run: HubRun, interval: float = FRAME) -> None:
        super().__init__()
        self.run = run
        self.interval = interval

    @pyqtSlot()
    def work(self) -> None:
        try:
            # delta mode: the payloads are not used, and patches are cheaper than snapshots
            for _, payload in follow(self.run, interval=self.interval, delta=True):
                self._dispatch(payload)
        finally:
            self.done.emit()

    def _dispatch(self, payload: dict[str, Any]) -> None:
        kind = payload["type"]
        if kind == "partial":
            model = self.run.active.latest()  # the newest state, as a model
            if model is not None:
                self.partial.emit(model)
        elif kind == "queued":
            self.queued.emit(int(payload["position"]))
        elif kind == "done":
            stats = self.run.active.stats
            self.finished.emit(self.run.active.result,
                               {"elapsed_ms": payload.get("elapsed_ms", 0.0),
                                "usage": payload.get("usage") or {},
                                "streaming": stats.streaming and not stats.fallback,
                                "first_delta_ms": stats.first_delta_ms,
                                "deltas": stats.deltas})
        elif kind == "error":
            error = CorvusError(payload["error"]["message"])
            error.code = payload["error"]["code"]
            error.partial = self.run.active.latest()
            if error.code == "cancelled":
                self.aborted.emit(error.partial)
            else:
                self.errored.emit(error)


class RunHandle(QObject):
    """A run being watched: its worker and thread, cleaned up when done."""

    def __init__(self, run: HubRun, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run = run
        self.thread = QThread(self)
        self.worker = RunWorker(run)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.work)
        self.worker.done.connect(self.thread.quit)
        # No deleteLater on finished: the window frees a handle (worker and thread)
        # only after its own slots for ``done`` have run and the thread has stopped.

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.run.cancel()

    def wait(self, ms: int = 5000) -> bool:
        return self.thread.wait(ms)

    def release(self) -> None:
        self.worker.deleteLater()
        self.deleteLater()
