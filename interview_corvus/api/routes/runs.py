"""The mirror: ``GET /runs``, ``GET /runs/{id}``, ``GET /runs/{id}/events`` (watch or
resume any run) and ``DELETE /runs/{id}`` (cancel)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from interview_corvus.api.errors import error_response, errors, event_id
from interview_corvus.api.routes.answers import SSE_DOC, EventStream, FollowUpRequest
from interview_corvus.api.streams import Streams
from interview_corvus.core.runs.follow_up import submit_follow_up
from interview_corvus.core.runs.lookup import search_runs


def runs_router(streams: Streams) -> APIRouter:
    router = APIRouter(tags=["runs"])
    hub = streams.hub

    def no_run(run_id: str) -> JSONResponse:
        return error_response(404, "bad_request", f"No run with id {run_id!r}.")

    @router.get("/runs", responses=errors(401, 422))
    async def list_runs(limit: Annotated[int, Query(ge=1, le=200)] = 50,
                        q: str = "") -> dict[str, Any]:
        """Runs in progress and from history, newest first. ``q`` searches the input and
        the answer's text (words, each a prefix; this session's runs included)."""
        if q:
            return {"runs": await asyncio.to_thread(search_runs, hub, q, limit)}
        live = {run.id: run.summary() for run in hub.runs()}
        stored = []
        if hub.history is not None:
            stored = [e for e in await asyncio.to_thread(hub.history.list, limit=limit)
                      if e.id not in live]
        items = [*live.values(), *(e.summary() for e in stored)]
        items.sort(key=lambda item: item["created_at"], reverse=True)
        return {"runs": items[:limit]}

    @router.get("/runs/{run_id}", responses=errors(401, 404))
    async def get_run(run_id: str) -> Any:
        run = hub.get(run_id)
        if run is not None:
            return {**run.summary(), "data": run.log.snapshot(), "error": run.entry.error()}
        entry = streams.stored(run_id)
        if entry is None:
            return no_run(run_id)
        return {**entry.summary(), "data": entry.result, "error": entry.error()}

    @router.get("/runs/{run_id}/events", response_class=EventStream,
                responses={**SSE_DOC, 204: {"description": "Nothing left to replay."},
                           **errors(400, 401, 404)})
    async def run_events(run_id: str, delta: bool = False,
                         last_event_id: Annotated[str | None, Header()] = None) -> Any:
        """Watch or resume any run (``Last-Event-ID`` replays what was missed; 204 when
        the run is over and nothing is left)."""
        after = event_id(last_event_id)
        if hub.get(run_id) is None and streams.stored(run_id) is None:
            return no_run(run_id)
        return streams.resume(run_id, delta, after)

    @router.post("/runs/{run_id}/follow-up", tags=["streams"], response_class=EventStream,
                 responses={**SSE_DOC, **errors(400, 401, 404, 409, 413, 415, 422, 429, 503)})
    async def follow_up(run_id: str, body: FollowUpRequest, delta: bool = False) -> Any:
        """Continue a finished run: a new run (with ``parent_id``) that gets the thread as
        a conversation and answers ``message``, streamed like ``/optimize-stream``."""
        run = submit_follow_up(hub, run_id, body.message, origin="http", kind=body.kind,
                               language=body.language)
        return streams.stream(run, delta)

    @router.delete("/runs/{run_id}", status_code=202, responses=errors(401, 404))
    async def cancel_run(run_id: str) -> Any:
        """Cancel a run in progress."""
        run = hub.get(run_id)
        if run is None or run.finished.is_set():
            return error_response(404, "bad_request", f"No run in progress with id {run_id!r}.")
        run.cancel()
        return {"id": run_id, "status": "cancelling"}

    return router
