"""Following a hub run from the window: a generator worker in its own QThread.

The run itself generates in the hub's thread (so the same run is mirrored over
HTTP); the worker follows its log with the coalescing cursor (at most ~30
partials a second, the newest state) and hands the payloads it asked for, as
models, to the main thread:

``started`` → ``queued``* / ``yielded``* → one of ``returned`` / ``errored`` /
``aborted`` → ``finished`` (always, and always last).

Errors arrive as the right ``CorvusError`` subclass (``core.errors.from_dict``)
with the partial answer attached. ``cancel()`` sets the run's flag, which also
aborts the provider stream at once. The worker keeps itself (and its thread)
alive until the thread has stopped, so callers may drop it whenever they like.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PyQt6.QtCore import QObject, QThread, pyqtSignal, pyqtSlot

from interview_corvus.core.answers.models import StreamedAnswer
from interview_corvus.core.errors import Cancelled, CorvusError, as_corvus_error, from_dict
from interview_corvus.core.runs.follow import follow
from interview_corvus.core.runs.hub import HubRun

FRAME = 1 / 30


class _Thread(QThread):
    """The worker's thread; lives in the main thread, so its slot runs there."""

    def __init__(self, worker: RunWorker) -> None:
        super().__init__()
        self._worker = worker
        self.finished.connect(self._on_finished)

    @pyqtSlot()
    def _on_finished(self) -> None:
        self.wait()  # ``finished`` is emitted just before the thread really exits
        RunWorker._running.discard(self._worker)


class RunWorker(QObject):
    started = pyqtSignal()
    queued = pyqtSignal(int)  # position in the queue for the model
    yielded = pyqtSignal(object)  # the newest partial model
    returned = pyqtSignal(object, object)  # the complete model, stats dict
    errored = pyqtSignal(object)  # a CorvusError subclass carrying .partial
    aborted = pyqtSignal(object)  # the partial model (or None) of a cancelled run
    finished = pyqtSignal()  # last, after any of the above

    _running: ClassVar[set[RunWorker]] = set()  # kept alive until their threads stop

    def __init__(self, run: HubRun, interval: float = FRAME) -> None:
        super().__init__()  # no parent: the object lives in its own thread
        self.run = run
        self.interval = interval
        self._model_cls: type[StreamedAnswer] = run.job.model_cls
        self._worker_thread = _Thread(self)
        self._worker_thread.setObjectName(f"corvus-follow-{run.id[:8]}")
        self.moveToThread(self._worker_thread)
        self._worker_thread.started.connect(self._work)

    # -- lifetime (main thread) -------------------------------------------
    def start(self) -> None:
        RunWorker._running.add(self)
        self._worker_thread.start()

    def cancel(self) -> None:
        self.run.cancel()

    def wait(self, ms: int = 5000) -> bool:
        return self._worker_thread.wait(ms)

    @property
    def is_running(self) -> bool:
        return self._worker_thread.isRunning()

    # -- the work (worker thread) -----------------------------------------
    @pyqtSlot()
    def _work(self) -> None:
        self.started.emit()
        try:
            for _, payload in follow(self.run, interval=self.interval):
                self._dispatch(payload)
        except Exception as exc:  # never lose the end: the window waits for it
            self.errored.emit(as_corvus_error(exc))
        finally:
            self.finished.emit()
            self._worker_thread.quit()

    def _model(self, data: dict[str, Any] | None) -> StreamedAnswer | None:
        return None if data is None else self._model_cls.model_construct(**data)

    def _dispatch(self, payload: dict[str, Any]) -> None:
        kind = payload["type"]
        if kind == "partial":
            model = self._model(payload.get("data"))
            if model is not None:
                self.yielded.emit(model)
        elif kind == "queued":
            self.queued.emit(int(payload["position"]))
        elif kind == "done":
            stats = self.run.active.stats
            self.returned.emit(self._model_cls.model_validate(payload["data"]),
                               {"elapsed_ms": payload.get("elapsed_ms", 0.0),
                                "usage": payload.get("usage") or {},
                                "streaming": stats.streaming and not stats.fallback,
                                "first_delta_ms": stats.first_delta_ms,
                                "deltas": stats.deltas,
                                "repaired": bool(payload.get("repaired"))})
        elif kind == "error":
            error: CorvusError = from_dict(payload["error"], self._model(payload.get("data")))
            if isinstance(error, Cancelled):
                self.aborted.emit(error.partial)
            else:
                self.errored.emit(error)
