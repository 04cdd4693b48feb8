"""The run hub: every run gets an id, an ordered log of events with integer ids,
a bounded replay buffer, any number of subscribers, and a history entry.

Runs started anywhere (window, HTTP, CLI) go through one hub, so each can be
watched from anywhere. The hub also owns concurrency: the local model runs one
generation at a time, remote providers up to a configurable number; waiting runs
log ``queued`` events with their position.

Subscribers are callbacks called (from the run's thread) after each new event;
they must not block: typically ``loop.call_soon_threadsafe(event.set)`` or a Qt
signal. ``events_after`` then renders what a subscriber has not seen yet.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from interview_corvus.core import events
from interview_corvus.core.errors import CorvusError, as_corvus_error
from interview_corvus.core.history import HistoryStore, RunEntry
from interview_corvus.core.llm_service import LLMService
from interview_corvus.core.run import ActiveRun, Job, StreamUpdate
from interview_corvus.core.wire import Op, render_events

log = logging.getLogger(__name__)
# How long an HTTP run outlives its last watcher: an EventSource reconnects after
# ``retry:`` (0.5 s) and a client that doubles it (0.5 + 1 + 2 s) still finds its run.
ORPHAN_GRACE = 5.0
SAVE_EVERY = 1.0  # seconds between saves of a streaming run's partial
SHUTDOWN_REASON = "The server is shutting down; the run was cancelled (partial kept)."

REPLAY_BUFFER = 4096  # events kept per run for Last-Event-ID resume
KEEP_FINISHED = 200  # finished runs kept in memory (older ones: history only)


@dataclass
class Slot:
    """A pool of generation slots with a FIFO of waiting runs."""

    limit: int
    running: int = 0

    def __post_init__(self) -> None:
        self.cond = threading.Condition()
        self.waiting: list[HubRun] = []


class HubRun:
    def __init__(self, hub: RunHub, job: Job, active: ActiveRun, *, origin: str,
                 provider: str, model: str, streaming: bool, input_text: str) -> None:
        self.id = uuid.uuid4().hex
        self.hub = hub
        self.job = job
        self.active = active
        self.origin = origin
        self.provider = provider
        self.model = model
        self.streaming = streaming
        self.entry = RunEntry(id=self.id, kind=job.kind, origin=origin, provider=provider,
                              model=model, language=job.fixed.get("language", ""),
                              status="queued", input=input_text)
        self.ops: list[Op] = []  # the replay buffer: consecutive ids, the newest last
        self.seq = 0
        self.finished = threading.Event()
        self._subscribers: list[Callable[[str], None]] = []
        self._sub_lock = threading.Lock()
        self._snapshot: tuple[int, dict[str, Any] | None] = (-1, None)
        self.start_payload: dict[str, Any] = {}
        self.cancel_when_orphaned = origin == "http"
        self._orphan_timer: threading.Timer | None = None
        active.listener = self._on_update

    # -- the log (callers hold self.lock) ---------------------------------
    @property
    def lock(self) -> threading.Lock:
        return self.active.lock

    @property
    def kind(self) -> str:
        return self.job.kind

    @property
    def status(self) -> str:
        """queued, running, done, error or cancelled — the history entry's status."""
        return self.entry.status

    def _append(self, kind: str, payload: Any) -> None:
        self.seq += 1
        self.ops.append(Op(self.seq, kind, payload))
        if len(self.ops) > 2 * REPLAY_BUFFER:  # trim in bulk: amortized O(1) per event
            del self.ops[:-REPLAY_BUFFER]

    def ops_after(self, after: int) -> list[Op]:
        """Buffered events with ids above ``after`` (lock held); O(result), not O(buffer)."""
        if not self.ops:
            return []
        return self.ops[max(0, after - self.ops[0].seq + 1):]

    def _on_update(self, update: StreamUpdate) -> None:  # run lock held
        if update.final:
            return  # logged by _finish with timing
        self._append("patch", (update.patches, update.progress))
        self._notify("patch")

    def log_event(self, kind: str, payload: dict[str, Any]) -> None:
        with self.lock:
            self._append(kind, payload)
        self._notify(kind)

    def snapshot(self) -> dict[str, Any] | None:
        """The newest partial (or final) as a dict; cached per event id. Lock held."""
        if self._snapshot[0] != self.seq:
            model = self.active.result or self.active.assembler.partial()
            self._snapshot = (self.seq, None if model is None else
                              model.model_dump(mode="json"))
        return self._snapshot[1]

    def events_after(self, after: int, *, delta: bool, partials: bool, has_base: bool
                     ) -> tuple[list[tuple[int, dict[str, Any]]], int, bool]:
        """Wire events for a subscriber that has seen everything up to ``after``."""
        with self.lock:
            return render_events(self, after, delta=delta, partials=partials,
                                 has_base=has_base)

    # -- subscribers ------------------------------------------------------
    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(kind)`` after each new event (``kind``: start, queued, patch,
        done, error, or ``end`` when the run is retired). Returns the unsubscriber."""
        with self._sub_lock:
            self._subscribers.append(callback)
            if self._orphan_timer is not None:
                self._orphan_timer.cancel()
                self._orphan_timer = None

        def unsubscribe() -> None:
            with self._sub_lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)
                orphaned = not self._subscribers and self.cancel_when_orphaned
                if orphaned and not self.finished.is_set():
                    self._orphan_timer = threading.Timer(self.hub.orphan_grace,
                                                         self._cancel_if_orphaned)
                    self._orphan_timer.daemon = True
                    self._orphan_timer.start()

        return unsubscribe

    @property
    def subscriber_count(self) -> int:
        with self._sub_lock:
            return len(self._subscribers)

    def _cancel_if_orphaned(self) -> None:
        with self._sub_lock:
            self._orphan_timer = None
            if self._subscribers:
                return
        log.info("run %s has no watchers left; cancelling", self.id)
        self.cancel()

    def _notify(self, kind: str) -> None:
        with self._sub_lock:
            callbacks = list(self._subscribers)
        for callback in callbacks:
            callback(kind)

    def cancel(self, reason: str = "") -> None:
        self.active.cancel.cancel(reason)
        self.hub._wake_pools()

    # -- summary ----------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        return {**self.entry.summary(), "last_event_id": self.seq,
                "watchers": self.subscriber_count}


class RunHub:
    def __init__(self, service: LLMService, history: HistoryStore | None = None, *,
                 remote_concurrency: int = 4, orphan_grace: float = ORPHAN_GRACE) -> None:
        self.service = service
        self.history = history
        self.orphan_grace = orphan_grace
        self._runs: dict[str, HubRun] = {}
        self._finished: deque[str] = deque()
        self._lock = threading.Lock()
        self._pools = {"local": Slot(1), "remote": Slot(remote_concurrency)}
        self._listeners: list[Callable[[HubRun], None]] = []

    # -- starting runs ----------------------------------------------------
    def on_new_run(self, callback: Callable[[HubRun], None]) -> None:
        """Be told of every new run (the window shows runs started over HTTP)."""
        self._listeners.append(callback)

    def submit(self, job: Job, *, origin: str, input_text: str = "") -> HubRun:
        service = self.service
        provider = service.provider
        active = service.open_run(job)
        run = HubRun(self, job, active, origin=origin, provider=provider.name,
                     model=provider.model, streaming=service.streaming,
                     input_text=input_text)
        run.start_payload = events.start_event(run.id, job.kind, provider.name,
                                               provider.model, service.streaming)
        run.log_event("start", run.start_payload)
        with self._lock:
            self._runs[run.id] = run
        self._save(run)  # in history from the start: a crash cannot lose it
        pool = self._pools["local" if provider.name == "local" else "remote"]
        thread = threading.Thread(target=self._work, args=(run, pool),
                                  name=f"corvus-run-{run.id[:8]}", daemon=True)
        thread.start()
        for callback in list(self._listeners):
            callback(run)
        return run

    def get(self, run_id: str) -> HubRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def runs(self) -> list[HubRun]:
        with self._lock:
            return list(self._runs.values())

    def active_count(self) -> int:
        return sum(1 for run in self.runs() if not run.finished.is_set())

    # -- the worker -------------------------------------------------------
    def _work(self, run: HubRun, pool: Slot) -> None:
        try:
            self._acquire(run, pool)
            try:
                run.entry.status = "running"
                self._save(run)
                saved_at = time.monotonic()
                for update in run.active.updates():
                    if update.final:
                        self._finish(run, update)
                    elif time.monotonic() - saved_at >= SAVE_EVERY:
                        self._save_partial(run)
                        saved_at = time.monotonic()
            finally:
                with pool.cond:
                    pool.running -= 1
                    pool.cond.notify_all()
        except CorvusError as exc:
            self._fail(run, exc)
        except Exception as exc:
            log.exception("run %s failed unexpectedly", run.id)
            self._fail(run, as_corvus_error(exc))
        finally:
            self._retire(run)

    def _acquire(self, run: HubRun, pool: Slot) -> None:
        cancel = run.active.cancel
        with pool.cond:
            pool.waiting.append(run)
            try:
                position = -1
                while True:
                    if cancel.cancelled:
                        raise cancel.error()
                    index = pool.waiting.index(run)
                    if index == 0 and pool.running < pool.limit:
                        pool.waiting.pop(0)
                        pool.running += 1
                        pool.cond.notify_all()
                        return
                    ahead = index + pool.running - pool.limit + 1
                    if ahead != position:
                        position = ahead
                        run.log_event("queued", events.queued_event(run.id, position))
                    pool.cond.wait(0.5)
            finally:
                if run in pool.waiting:
                    pool.waiting.remove(run)
                    pool.cond.notify_all()

    def _wake_pools(self) -> None:
        for pool in self._pools.values():
            with pool.cond:
                pool.cond.notify_all()

    def _finish(self, run: HubRun, update: StreamUpdate) -> None:
        stats = update.stats
        assert update.partial is not None and stats is not None
        # the last patch makes a delta client's document equal to done.data
        with run.lock:
            run._append("patch", ([("set", ("is_complete",), True)], 1.0))
        entry = run.entry
        entry.status, entry.result = "done", update.partial.model_dump(mode="json")
        entry.elapsed_ms, entry.usage = stats.elapsed_ms, stats.usage or None
        run.log_event("done", events.done_event(run.id, update.partial, stats.elapsed_ms,
                                                stats.usage))

    def _fail(self, run: HubRun, error: CorvusError) -> None:
        partial = error.partial if error.partial is not None else run.active.latest()
        entry = run.entry
        entry.status = "cancelled" if error.code == "cancelled" else "error"
        entry.result = None if partial is None else partial.model_dump(mode="json")
        entry.error_code, entry.error_message = error.code, error.message
        entry.elapsed_ms = (time.time() - entry.created_at) * 1000
        run.log_event("error", events.error_event(run.id, error, partial))

    def _save(self, run: HubRun) -> None:
        if self.history is None:
            return
        try:
            self.history.save(run.entry)
        except Exception:  # the answer still reaches the user; history is best effort
            log.exception("could not save run %s to history", run.id)

    def _save_partial(self, run: HubRun) -> None:
        """The newest partial into history (about once a second while streaming)."""
        if self.history is None:
            return
        partial = run.active.latest()
        if partial is not None:
            run.entry.result = partial.model_dump(mode="json")
            self._save(run)

    def _retire(self, run: HubRun) -> None:
        run.entry.finished_at = time.time()
        self._save(run)
        run.finished.set()
        run._notify("end")
        with self._lock:
            self._finished.append(run.id)
            while len(self._finished) > KEEP_FINISHED:
                self._runs.pop(self._finished.popleft(), None)

    def cancel_all(self, reason: str = "") -> None:
        for run in self.runs():
            if not run.finished.is_set():
                run.cancel(reason)

    def shutdown(self, reason: str = SHUTDOWN_REASON, timeout: float = 5.0) -> bool:
        """Cancel every run and wait until each has logged its one final event (``error``
        with ``reason``) and been saved, so open streams can deliver it before they close."""
        self.cancel_all(reason)
        return self.wait_idle(timeout)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        pending = [run for run in self.runs() if not run.finished.is_set()]
        return all(run.finished.wait(max(0.0, deadline - time.monotonic())) for run in pending)
