"""The run hub: every run gets an id, an ordered log of events with integer ids,
a bounded replay buffer, any number of subscribers, and a history entry.

Runs started anywhere (window, HTTP, CLI) go through one hub, so each can be
watched from anywhere. The hub also owns concurrency: the local model runs one
generation at a time, remote providers up to a configurable number; waiting runs
log ``queued`` events with their position. Every run holds a thread until it ends,
so HTTP runs are admitted only while at most ``max_queued`` runs wait for a slot
(a batch all or none); beyond that ``submit`` raises ``RateLimited`` (429).

Each run's events live in its ``RunLog`` (``run.log``); readers follow it with a
``Cursor`` (``core.runs.follow``). The hub adds what a log cannot know: threads,
slots, history, and cancelling an HTTP run that nobody watches any more.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from interview_corvus.core.errors import CorvusError, RateLimited, as_corvus_error
from interview_corvus.core.runs.attempt import Job
from interview_corvus.core.runs.history import HistoryStore, RunEntry
from interview_corvus.core.runs.log import RunLog
from interview_corvus.core.runs.pool import Slot
from interview_corvus.core.runs.service import LLMService
from interview_corvus.core.runs.update import StreamUpdate

log = logging.getLogger(__name__)
# How long an HTTP run outlives its last watcher: an EventSource reconnects after
# ``retry:`` (0.5 s) and a client that doubles it (0.5 + 1 + 2 s) still finds its run.
ORPHAN_GRACE = 5.0
SAVE_EVERY = 1.0  # seconds between saves of a streaming run's partial
SHUTDOWN_REASON = "The server is shutting down; the run was cancelled (partial kept)."

KEEP_FINISHED = 200  # finished runs kept in memory (older ones: history only)
MAX_QUEUED = 32  # HTTP runs refused while this many runs already wait for a slot
BUSY_RETRY = 5.0  # seconds a refused client is told to wait


class HubRun:
    def __init__(self, hub: RunHub, job: Job, *, origin: str, input_text: str,
                 parent_id: str | None = None) -> None:
        self.id = uuid.uuid4().hex
        self.hub = hub
        self.job = job
        self.origin = origin
        service = hub.service
        provider = service.provider
        self.provider = provider.name
        self.model = provider.model
        self.streaming = service.streaming
        self.pool = "local" if self.provider == "local" else "remote"
        self.log = RunLog(self.id, job.model_cls)
        # code runs for HTTP requests only when the server was started to allow it
        self.active = service.open_run(job, lock=self.log.lock,
                                       verify=origin != "http" or hub.verify_http)
        self.active.listener = self.log.record
        self.log.source = self.active.latest
        self.entry = RunEntry(id=self.id, kind=job.kind, origin=origin, provider=self.provider,
                              model=self.model, language=job.fixed.get("language", ""),
                              status="queued", input=input_text, streaming=self.streaming,
                              parent_id=parent_id)
        self.finished = threading.Event()  # set once the run is over and saved to history
        self.cancel_when_orphaned = origin == "http"
        self._orphan_lock = threading.Lock()
        self._orphan_timer: threading.Timer | None = None

    @property
    def kind(self) -> str:
        return self.job.kind

    @property
    def seq(self) -> int:
        return self.log.seq

    @property
    def status(self) -> str:
        """queued, running, done, error or cancelled — the history entry's status."""
        return self.entry.status

    # -- watchers ---------------------------------------------------------
    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """``RunLog.subscribe``; an HTTP run left without watchers is cancelled after the
        hub's orphan grace (an EventSource reconnecting in time finds it still going)."""
        with self._orphan_lock:
            unsubscribe_log = self.log.subscribe(callback)
            if self._orphan_timer is not None:
                self._orphan_timer.cancel()
                self._orphan_timer = None

        def unsubscribe() -> None:
            with self._orphan_lock:
                unsubscribe_log()
                orphaned = self.log.subscriber_count == 0 and self.cancel_when_orphaned
                if orphaned and not self.finished.is_set() and self._orphan_timer is None:
                    self._orphan_timer = threading.Timer(self.hub.orphan_grace,
                                                         self._cancel_if_orphaned)
                    self._orphan_timer.daemon = True
                    self._orphan_timer.start()

        return unsubscribe

    def _cancel_if_orphaned(self) -> None:
        with self._orphan_lock:
            self._orphan_timer = None
            if self.log.subscriber_count:
                return
        log.info("run %s has no watchers left; cancelling", self.id)
        self.cancel()

    def cancel(self, reason: str = "") -> None:
        self.active.cancel.cancel(reason)
        self.hub._wake_pools()

    # -- summary ----------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        return {**self.entry.summary(), "last_event_id": self.log.seq,
                "watchers": self.log.subscriber_count}


class RunHub:
    def __init__(self, service: LLMService, history: HistoryStore | None = None, *,
                 remote_concurrency: int = 4, orphan_grace: float = ORPHAN_GRACE,
                 max_queued: int = MAX_QUEUED) -> None:
        self.service = service
        self.verify_http = False  # run code for HTTP requests (corvus serve --verify)
        self.history = history
        self.orphan_grace = orphan_grace
        self.max_queued = max_queued
        self._in_flight = {"local": 0, "remote": 0}  # unfinished runs per pool
        self._runs: dict[str, HubRun] = {}
        self._finished: deque[str] = deque()
        self._lock = threading.Lock()
        self._pools = {"local": Slot(1), "remote": Slot(remote_concurrency)}
        self._listeners: list[Callable[[HubRun], None]] = []

    # -- starting runs ----------------------------------------------------
    def on_new_run(self, callback: Callable[[HubRun], None]) -> None:
        """Be told of every new run (the window shows runs started over HTTP)."""
        self._listeners.append(callback)

    def submit(self, job: Job, *, origin: str, input_text: str = "",
               parent_id: str | None = None) -> HubRun:
        """Start ``job``; ``parent_id`` names the run it follows up, if any. Raises
        ``RateLimited`` for an HTTP run when too many runs wait already."""
        run = HubRun(self, job, origin=origin, input_text=input_text, parent_id=parent_id)
        return self._launch([run])[0]

    def submit_all(self, jobs: Sequence[tuple[Job, str]], *, origin: str) -> list[HubRun]:
        """Start several ``(job, input_text)`` at once (a batch): all, or none when they
        do not all fit in the queue."""
        runs = [HubRun(self, job, origin=origin, input_text=text) for job, text in jobs]
        return self._launch(runs) if runs else []

    def _launch(self, runs: list[HubRun]) -> list[HubRun]:
        for run in runs:
            run.log.log_start(run.job.kind, run.provider, run.model, run.streaming)
        self._admit(runs)
        for run in runs:
            self._save(run)  # in history from the start: a crash cannot lose it
            thread = threading.Thread(target=self._work, args=(run, self._pools[run.pool]),
                                      name=f"corvus-run-{run.id[:8]}", daemon=True)
            thread.start()
            for callback in list(self._listeners):
                callback(run)
        return runs

    def _admit(self, runs: list[HubRun]) -> None:
        """Count ``runs`` in, or refuse them all (HTTP runs only: the window and the CLI
        have one user, who is never locked out by a flood of HTTP requests)."""
        pool = runs[0].pool
        with self._lock:
            in_flight = self._in_flight[pool]
            room = self._pools[pool].limit + self.max_queued - in_flight
            if runs[0].origin == "http" and len(runs) > room:
                what = "this run" if len(runs) == 1 else f"these {len(runs)} runs"
                raise RateLimited(
                    f"The server is busy: {in_flight} runs are in progress or waiting for "
                    f"the model (at most {self.max_queued} may wait), no room for {what}. "
                    f"Retry in {BUSY_RETRY:.0f} s.", retry_after=BUSY_RETRY)
            self._in_flight[pool] += len(runs)
            for run in runs:
                self._runs[run.id] = run

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
            pool.acquire(run, run.active.cancel, run.log.log_queued)
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
                pool.release()
        except CorvusError as exc:
            self._fail(run, exc)
        except Exception as exc:
            log.exception("run %s failed unexpectedly", run.id)
            self._fail(run, as_corvus_error(exc))
        finally:
            self._retire(run)

    def _wake_pools(self) -> None:
        for pool in self._pools.values():
            pool.wake()

    def _finish(self, run: HubRun, update: StreamUpdate) -> None:
        stats = update.stats
        assert update.partial is not None and stats is not None
        entry = run.entry
        entry.status, entry.result = "done", update.partial.model_dump(mode="json")
        entry.elapsed_ms, entry.usage = stats.elapsed_ms, stats.usage or None
        run.log.log_done(update.partial, stats.elapsed_ms, stats.usage, stats.repaired)

    def _fail(self, run: HubRun, error: CorvusError) -> None:
        partial = error.partial if error.partial is not None else run.active.latest()
        entry = run.entry
        entry.status = "cancelled" if error.code == "cancelled" else "error"
        entry.result = None if partial is None else partial.model_dump(mode="json")
        entry.error_code, entry.error_message = error.code, error.message
        entry.elapsed_ms = (time.time() - entry.created_at) * 1000
        run.log.log_error(error, partial)

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
        run.log.notify("end")
        with self._lock:
            self._in_flight[run.pool] -= 1
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
