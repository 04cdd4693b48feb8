"""SSE streams of hub runs: one run, a batch of runs, or a run from history.

The events come from the runs' logs through coalescing cursors driven by
``core.runs.follow.afollow`` (partials at most one per ``interval`` per client,
``done`` / ``error`` at once; unsubscribed in ``finally`` — a client disconnect
arrives as cancellation, and the last watcher leaving an HTTP run cancels it).
This module only frames them as Server-Sent Events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import ServerSentEvent

from interview_corvus.core.runs.follow import Cursor, afollow
from interview_corvus.core.runs.history import RunEntry
from interview_corvus.core.runs.hub import HubRun
from interview_corvus.core.runs.log import TERMINAL, stored_events
from interview_corvus.core.stream.wire import line_json

PARTIAL_INTERVAL = 0.05  # at most ~20 partials per second per subscriber
RETRY_MS = 500  # EventSource reconnect delay hint, well inside the orphan grace


def _event(seq: int, payload: dict[str, Any], retry: int | None = None) -> ServerSentEvent:
    """One wire event; ``retry`` rides on the first event of a stream (an event of
    its own would reach httpx-sse and fetch-event-source clients as empty data)."""
    return ServerSentEvent(data=line_json(payload, compact=True), id=str(seq), retry=retry,
                           sep="\n")


async def run_stream(run: HubRun, *, delta: bool = False, last_event_id: int = 0,
                     interval: float = PARTIAL_INTERVAL, closing: asyncio.Event | None = None,
                     ) -> AsyncIterator[ServerSentEvent]:
    retry: int | None = RETRY_MS
    cursor = Cursor(run, interval=interval, delta=delta, after=last_event_id)
    async for _, (seq, payload) in afollow([cursor], closing):
        yield _event(seq, payload, retry)
        retry = None


async def batch_stream(runs: list[HubRun], *, delta: bool = False,
                       interval: float = PARTIAL_INTERVAL, closing: asyncio.Event | None = None,
                       ) -> AsyncIterator[ServerSentEvent]:
    """Events of several runs, each tagged with its document ``index``; a final
    ``summary``. Ids count the batch stream's own events (a batch does not resume;
    each run can be resumed at ``/runs/{id}/events``)."""
    cursors = [Cursor(run, interval=interval, delta=delta) for run in runs]
    counter = 0
    outcomes: dict[int, str] = {}
    async for index, (_, payload) in afollow(cursors, closing):
        counter += 1
        if payload["type"] in TERMINAL:
            outcomes[index] = payload["type"]
        yield _event(counter, {**payload, "index": index})
    if all(c.ended for c in cursors):
        failed = sum(1 for o in outcomes.values() if o == "error")
        yield _event(counter + 1, {"type": "summary", "total": len(runs),
                                   "succeeded": len(runs) - failed, "failed": failed,
                                   "run_ids": [r.id for r in runs]})


async def history_stream(entry: RunEntry, last_event_id: int = 0
                         ) -> AsyncIterator[ServerSentEvent]:
    """A finished run known only from history: its start (id 1) and its last event (id 2),
    from after ``last_event_id``."""
    retry: int | None = RETRY_MS
    for seq, payload in stored_events(entry):
        if seq > last_event_id:
            yield _event(seq, payload, retry)
            retry = None
