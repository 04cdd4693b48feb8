"""How routes answer with runs: live SSE streams, resumes, and blocking answers."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections import OrderedDict
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sse_starlette import EventSourceResponse

from interview_corvus.api.errors import error_response
from interview_corvus.api.sse import batch_stream, history_stream, run_stream
from interview_corvus.core.errors import error_class
from interview_corvus.core.runs.history import UNFINISHED, RunEntry
from interview_corvus.core.runs.hub import HubRun, RunHub

SSE_HEADERS = {"X-Accel-Buffering": "no", "Cache-Control": "no-store"}
BLOCKING_POLL = 0.25  # seconds between checks that a blocking request's client is there



class Reattach:
    """Which run a GET stream started, so an EventSource reconnecting (same URL, now with
    ``Last-Event-ID``) re-attaches to it instead of starting a second run."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._runs: OrderedDict[str, str] = OrderedDict()

    @staticmethod
    def key(request: Request) -> str:
        client = request.client.host if request.client else ""
        query = sorted((k, v) for k, v in request.query_params.multi_items() if k != "token")
        text = json.dumps([client, request.url.path, query])
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()

    def remember(self, request: Request, run_id: str) -> None:
        key = self.key(request)
        self._runs[key] = run_id
        self._runs.move_to_end(key)
        while len(self._runs) > self.size:
            self._runs.popitem(last=False)

    def find(self, request: Request) -> str | None:
        return self._runs.get(self.key(request))


class Streams:
    """The hub as HTTP answers. ``state.closing`` (an ``asyncio.Event`` on the server's
    loop, made on first use) ends open streams when the embedded server stops."""

    def __init__(self, hub: RunHub, state: Any, *, ping: int, send_timeout: float) -> None:
        self.hub = hub
        self.state = state
        self.ping = ping
        self.send_timeout = send_timeout
        self.reattach = Reattach()

    def closing(self) -> asyncio.Event:
        if self.state.closing is None:
            self.state.closing = asyncio.Event()
        closing: asyncio.Event = self.state.closing
        return closing

    def _response(self, events: Any, *, live: bool = True) -> EventSourceResponse:
        if not live:  # a few stored events: no keep-alive needed
            return EventSourceResponse(events, headers=SSE_HEADERS, sep="\n")
        return EventSourceResponse(events, headers=SSE_HEADERS, sep="\n", ping=self.ping,
                                   send_timeout=self.send_timeout)

    def stream(self, run: HubRun, delta: bool, last_event_id: int = 0) -> EventSourceResponse:
        return self._response(run_stream(run, delta=delta, last_event_id=last_event_id,
                                         closing=self.closing()))

    def batch(self, runs: list[HubRun], delta: bool) -> EventSourceResponse:
        return self._response(batch_stream(runs, delta=delta, closing=self.closing()))

    def stored(self, run_id: str) -> RunEntry | None:
        return self.hub.history.get(run_id) if self.hub.history is not None else None

    def resume(self, run_id: str | None, delta: bool, after: int) -> Any:
        """Events of ``run_id`` after ``after``: live, from history, or 204 when none."""
        run = self.hub.get(run_id) if run_id else None
        if run is not None:
            # over once its last event is logged (``finished`` follows a moment later,
            # after the history is saved): a reconnect in between gets 204 too
            if (run.finished.is_set() or run.log.ended) and after >= run.seq:
                return Response(status_code=204)
            return self.stream(run, delta, after)
        entry = self.stored(run_id) if run_id else None
        if entry is None or after >= 2 or entry.status in UNFINISHED:
            return Response(status_code=204)
        return self._response(history_stream(entry, after), live=False)

    async def blocking(self, run: HubRun, request: Request) -> Response:
        """The whole answer once the run is over; its error (with the partial) otherwise.

        The waiting client watches the run like a stream's client does: if it goes away,
        the run is cancelled after the same orphan grace (the model's slot is freed)."""
        loop, changed = asyncio.get_running_loop(), asyncio.Event()

        def wake(_kind: str) -> None:  # from the run's thread
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(changed.set)

        unsubscribe = run.subscribe(wake)
        try:
            while not run.finished.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), BLOCKING_POLL)
                changed.clear()
                if not run.finished.is_set() and await request.is_disconnected():
                    return Response(status_code=499)  # nobody reads it: the run is orphaned
        finally:
            unsubscribe()
        entry = run.entry
        if entry.status == "done":
            return JSONResponse(entry.result)
        code = entry.error_code or "internal"
        return error_response(error_class(code).status, code, entry.error_message or "",
                              partial=entry.result, run_id=run.id)
