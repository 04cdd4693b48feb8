"""SSE streams of hub runs: one run, a batch of runs, or a run from history.

Every generator subscribes to its runs with a callback that only wakes the event
loop, renders what the client has not seen (``core.wire``), coalesces partials
to at most one per ``interval`` per subscriber (the newest state; ``done`` and
``error`` never wait), and unsubscribes in ``finally`` — a client disconnect
arrives as cancellation, and the last watcher leaving an HTTP run cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import ServerSentEvent

from interview_corvus.core.history import RunEntry
from interview_corvus.core.hub import HubRun

PARTIAL_INTERVAL = 0.05  # at most ~20 partials per second per subscriber
CLOSING_CHECK = 0.5  # idle streams notice a server shutdown this fast
RETRY_MS = 500  # EventSource reconnect delay hint, well inside the orphan grace


def _event(seq: int, payload: dict[str, Any], retry: int | None = None) -> ServerSentEvent:
    """One wire event; ``retry`` rides on the first event of a stream (an event of
    its own would reach httpx-sse and fetch-event-source clients as empty data)."""
    return ServerSentEvent(data=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                           id=str(seq), retry=retry, sep="\n")


class _Watch:
    """A subscriber's view of one run."""

    def __init__(self, run: HubRun, after: int, delta: bool, wake: asyncio.Event,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.run = run
        self.after = after
        self.delta = delta
        self.has_base = False
        self.ended = False
        self.next_partial = 0.0
        self.holding = False  # a partial is held back until next_partial

        def notify(kind: str) -> None:  # called from the run's thread
            # While a partial is held back, more patches change nothing until the timer;
            # and a wake already pending needs no second one (saves a loop wake-up each).
            if (kind == "patch" and self.holding) or wake.is_set():
                return
            loop.call_soon_threadsafe(wake.set)

        self.unsubscribe = run.subscribe(notify)

    def poll(self, now: float, interval: float) -> list[tuple[int, dict[str, Any]]]:
        events, self.after, ended = self.run.events_after(
            self.after, delta=self.delta, partials=now >= self.next_partial,
            has_base=self.has_base)
        self.ended = self.ended or ended
        for _, payload in events:
            if payload["type"] == "partial":
                self.next_partial = now + interval
                self.has_base = self.has_base or "data" in payload
        return events

    def held_back(self) -> bool:
        self.holding = not self.ended and self.after < self.run.seq
        return self.holding


async def _wait(wake: asyncio.Event, watches: list[_Watch], loop: asyncio.AbstractEventLoop,
                closing: asyncio.Event | None) -> bool:
    """Sleep until something happens or a held-back partial is due; False when the
    server is closing (the stream should end)."""
    timeout = CLOSING_CHECK
    held = [w.next_partial for w in watches if w.held_back()]
    if held:
        timeout = min(timeout, max(0.0, min(held) - loop.time()))
    if closing is not None and closing.is_set():
        return False
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), timeout)
    return closing is None or not closing.is_set()


async def run_stream(run: HubRun, *, delta: bool = False, last_event_id: int = 0,
                     interval: float = PARTIAL_INTERVAL, closing: asyncio.Event | None = None,
                     ) -> AsyncIterator[ServerSentEvent]:
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    watch = _Watch(run, last_event_id, delta, wake, loop)
    retry: int | None = RETRY_MS
    try:
        while True:
            wake.clear()
            for seq, payload in watch.poll(loop.time(), interval):
                yield _event(seq, payload, retry)
                retry = None
            if watch.ended:
                return
            if not await _wait(wake, [watch], loop, closing):
                # the server is closing: what the run logged last (its final event,
                # when the shutdown cancelled it first) still goes out
                for seq, payload in watch.poll(float("inf"), interval):
                    yield _event(seq, payload, retry)
                    retry = None
                return
    finally:
        watch.unsubscribe()


async def batch_stream(runs: list[HubRun], *, delta: bool = False,
                       interval: float = PARTIAL_INTERVAL, closing: asyncio.Event | None = None,
                       ) -> AsyncIterator[ServerSentEvent]:
    """Events of several runs, each tagged with its document ``index``; a final
    ``summary``. Ids count the batch stream's own events (a batch does not resume;
    each run can be resumed at ``/runs/{id}/events``)."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    watches = [_Watch(run, 0, delta, wake, loop) for run in runs]
    counter = 0
    outcomes: dict[int, str] = {}
    try:
        while True:
            wake.clear()
            now = loop.time()
            for index, watch in enumerate(watches):
                if watch.ended:
                    continue
                for _, payload in watch.poll(now, interval):
                    counter += 1
                    if payload["type"] in ("done", "error"):
                        outcomes[index] = payload["type"]
                    yield _event(counter, {**payload, "index": index})
            if all(w.ended for w in watches):
                failed = sum(1 for o in outcomes.values() if o == "error")
                counter += 1
                yield _event(counter, {"type": "summary", "total": len(runs),
                                       "succeeded": len(runs) - failed, "failed": failed,
                                       "run_ids": [r.id for r in runs]})
                return
            if not await _wait(wake, watches, loop, closing):
                return
    finally:
        for watch in watches:
            watch.unsubscribe()


async def history_stream(entry: RunEntry, last_event_id: int = 0
                         ) -> AsyncIterator[ServerSentEvent]:
    """A finished run known only from history: its start (id 1) and its last event (id 2),
    from after ``last_event_id``."""
    if last_event_id < 1:
        yield _event(1, {"type": "start", "run_id": entry.id, "kind": entry.kind,
                         "provider": entry.provider, "model": entry.model,
                         "streaming": True}, RETRY_MS)
    if entry.status == "done":
        final: dict[str, Any] = {"type": "done", "run_id": entry.id, "data": entry.result,
                                 "elapsed_ms": entry.elapsed_ms or 0.0}
        if entry.usage:
            final["usage"] = entry.usage
    else:
        final = {"type": "error", "run_id": entry.id, "data": entry.result,
                 "error": {"code": entry.error_code or "internal",
                           "message": entry.error_message or ""}}
    if last_event_id < 2:
        yield _event(2, final, RETRY_MS if last_event_id == 1 else None)
