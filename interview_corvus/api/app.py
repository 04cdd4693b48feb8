"""The FastAPI app: endpoints over the run hub (see DESIGN.md, "Endpoints").

Streams use ``text/event-stream`` with one JSON ``data:`` line and an integer
``id:`` per event and no ``event:`` field. Delta mode is asked for with the
query parameter ``?delta=1`` (works for EventSource and fetch alike).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections import OrderedDict
from importlib import resources
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import AfterValidator, BaseModel, Field, ValidationError, field_validator
from sse_starlette import EventSourceResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from interview_corvus import __version__
from interview_corvus.api.security import RateLimiter, SecurityMiddleware
from interview_corvus.api.sse import batch_stream, history_stream, run_stream
from interview_corvus.core.answers.models import (
    LANGUAGES,
    CodeOptimization,
    CodeSolution,
    normalize_language,
)
from interview_corvus.core.errors import ERROR_CODES, CorvusError, error_class
from interview_corvus.core.runs.history import UNFINISHED, RunEntry
from interview_corvus.core.runs.hub import HubRun, RunHub

log = logging.getLogger(__name__)

MAX_INPUT = 100_000
MAX_BATCH = 20
SSE_HEADERS = {"X-Accel-Buffering": "no", "Cache-Control": "no-store"}


class _Input(BaseModel):
    language: str = Field(default="python", description=f"One of: {', '.join(LANGUAGES)}",
                          json_schema_extra={"enum": list(LANGUAGES)})

    @field_validator("language")
    @classmethod
    def _known(cls, value: str) -> str:
        return normalize_language(value)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is blank")
    return value


Text = Annotated[str, Field(min_length=1, max_length=MAX_INPUT), AfterValidator(_not_blank)]


class OptimizeRequest(_Input):
    code: Text = Field(description="The code to optimize.")


class SolveRequest(_Input):
    problem: Text = Field(description="The problem text.")


class BatchRequest(BaseModel):
    documents: list[OptimizeRequest] = Field(min_length=1, max_length=MAX_BATCH)


class BadHeader(Exception):
    """A request header that cannot be read (answered 400, naming the header)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def event_id(value: str | None) -> int:
    """The ``Last-Event-ID`` as an int: ASCII digits only (``"²"`` passes ``isdigit``),
    and a size that an id of ours can have."""
    if value is None or value.strip() == "":
        return 0
    if not re.fullmatch(r"[0-9]{1,15}", value.strip()):
        raise BadHeader("Last-Event-ID", "Last-Event-ID must be a non-negative integer event "
                        f"id (got {value[:20]!r}{'…' if len(value) > 20 else ''}).")
    return int(value)


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


class ErrorDetail(BaseModel):
    code: str = Field(description="One of: " + ", ".join(ERROR_CODES))
    message: str
    fields: list[dict[str, str]] | None = Field(
        default=None, description="For 422 and header errors: each field and what is wrong.")


class ErrorBody(BaseModel):
    error: ErrorDetail


_STATUS_TEXT = {400: "Bad request (e.g. a malformed header)", 401: "Missing or wrong token",
                403: "Origin or site not allowed", 404: "No such run",
                413: "Body too large", 415: "Body is not JSON", 421: "Host not served",
                422: "A field is invalid (named in error.fields)",
                429: "Too many requests (Retry-After)",
                502: "The model's answer was cut off or invalid, or the provider refused",
                503: "The provider is unavailable"}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give (the project's shape)."""
    return {code: {"model": ErrorBody, "description": _STATUS_TEXT[code]} for code in codes}


class EventStream(Response):
    """Documents a route as ``text/event-stream`` (the body is an EventSourceResponse)."""

    media_type = "text/event-stream"


SSE_DOC: dict[int | str, dict[str, Any]] = {200: {
    "description": "Server-Sent Events: each `data:` line is a JSON object with a `type` "
                   "(start, queued, partial, done, error); `id:` counts per run.",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}}


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status)


def create_app(hub: RunHub, *, token: str | None = None, allowed_hosts: tuple[str, ...] = (),
               allowed_origins: tuple[str, ...] = (), rate_per_minute: int = 60,
               max_body: int = 256 * 1024, send_timeout: float = 10.0,
               ping: float = 15.0) -> Any:
    """The ASGI app (FastAPI wrapped in the security middleware).

    ``app.state.closing`` (an ``asyncio.Event`` on the server's loop, created at
    startup) ends open streams when the embedded server stops.
    """
    app = FastAPI(title="Interview Corvus", version=__version__,
                  description="Structured coding answers, streamed live as Server-Sent "
                              "Events. Add `?delta=1` to a stream for patch events.")
    app.state.hub = hub
    app.state.closing = None
    reattach = Reattach()

    @app.exception_handler(ValidationError)
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: Any) -> JSONResponse:
        problems = []
        for error in exc.errors():
            loc = [str(p) for p in error["loc"] if p not in ("body", "query")]
            message = str(error.get("ctx", {}).get("error") or error["msg"])
            if error.get("type") == "json_invalid":
                problems.append({"field": "body", "message": "The body is not valid JSON "
                                 f"({message} at position {loc[0] if loc else '?'})."})
                continue
            problems.append({"field": ".".join(loc) or "body",
                             "message": message.removeprefix("Value error, ")})
        text = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return error_response(422, "bad_request", text, fields=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Routing and body errors in the project's shape, not FastAPI's ``{"detail"}``."""
        message = {404: f"No such endpoint: {request.method} {request.url.path}.",
                   405: f"{request.method} is not allowed on {request.url.path}."
                   }.get(exc.status_code, str(exc.detail))
        if exc.detail == "There was an error parsing the body":
            message = "The body could not be read as JSON text (is it UTF-8?)."
        code = "internal" if exc.status_code >= 500 else "bad_request"
        response = error_response(exc.status_code, code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(BadHeader)
    async def _bad_header(request: Request, exc: BadHeader) -> JSONResponse:
        return error_response(400, "bad_request", exc.message,
                              fields=[{"field": exc.name, "message": exc.message}])

    @app.exception_handler(CorvusError)
    async def _corvus(request: Request, exc: CorvusError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    def closing() -> asyncio.Event:
        if app.state.closing is None:
            app.state.closing = asyncio.Event()
        return app.state.closing

    def submit_optimize(body: OptimizeRequest) -> HubRun:
        job = hub.service.optimization_job(body.code, body.language)
        return hub.submit(job, origin="http", input_text=body.code)

    def submit_solve(body: SolveRequest) -> HubRun:
        job = hub.service.solution_job(body.problem, body.language)
        return hub.submit(job, origin="http", input_text=body.problem)

    def stream(run: HubRun, delta: bool, last_event_id: int = 0) -> EventSourceResponse:
        return EventSourceResponse(
            run_stream(run, delta=delta, last_event_id=last_event_id, closing=closing()),
            ping=ping, send_timeout=send_timeout, headers=SSE_HEADERS, sep="\n")

    async def blocking(run: HubRun) -> JSONResponse:
        await asyncio.to_thread(run.finished.wait)
        entry = run.entry
        if entry.status == "done":
            return JSONResponse(entry.result)
        return error_response(error_class(entry.error_code or "internal").status,
                              entry.error_code or "internal", entry.error_message or "",
                              partial=entry.result, run_id=run.id)

    @app.post("/optimize", response_model=CodeOptimization, tags=["answers"],
              responses=errors(400, 401, 413, 415, 422, 429, 502, 503))
    async def optimize(body: OptimizeRequest) -> Any:
        """The complete, validated optimization (blocking)."""
        return await blocking(submit_optimize(body))

    @app.post("/optimize-stream", tags=["streams"], response_class=EventStream,
              responses={**SSE_DOC, **errors(400, 401, 413, 415, 422, 429, 503)})
    async def optimize_stream(body: OptimizeRequest, delta: bool = False) -> Any:
        """The optimization as SSE: start, partial…, done | error."""
        return stream(submit_optimize(body), delta)

    @app.get("/optimize-stream", tags=["streams"], response_class=EventStream,
             responses={**SSE_DOC, 204: {"description": "A reconnect after the run ended."},
                        **errors(400, 401, 403, 422, 429, 503)})
    async def optimize_stream_get(
        request: Request,
        code: Annotated[str, Query(min_length=1, max_length=MAX_INPUT)],
        language: str = "python", delta: bool = False,
        last_event_id: Annotated[str | None, Header()] = None,
    ) -> Any:
        """The same stream for ``EventSource`` (GET with query parameters). A reconnect
        (``Last-Event-ID``) re-attaches to the run this URL started; once that run is
        over and nothing is left to replay, the answer is 204 (EventSource stops)."""
        after = event_id(last_event_id)
        if last_event_id is not None:
            return resume(reattach.find(request), delta, after)
        run = submit_optimize(OptimizeRequest(code=code, language=language))
        reattach.remember(request, run.id)
        return stream(run, delta)

    def resume(run_id: str | None, delta: bool, after: int) -> Any:
        """Events of ``run_id`` after ``after``: live, from history, or 204 when none."""
        run = hub.get(run_id) if run_id else None
        if run is not None:
            if run.finished.is_set() and after >= run.seq:
                return Response(status_code=204)
            return stream(run, delta, after)
        entry = stored(run_id) if run_id else None
        if entry is None or after >= 2 or entry.status in UNFINISHED:
            return Response(status_code=204)
        return EventSourceResponse(history_stream(entry, after), headers=SSE_HEADERS,
                                   sep="\n")

    @app.post("/solve", response_model=CodeSolution, tags=["answers"],
              responses=errors(400, 401, 413, 415, 422, 429, 502, 503))
    async def solve(body: SolveRequest) -> Any:
        """The complete, validated solution (blocking)."""
        return await blocking(submit_solve(body))

    @app.post("/solve-stream", tags=["streams"], response_class=EventStream,
              responses={**SSE_DOC, **errors(400, 401, 413, 415, 422, 429, 503)})
    async def solve_stream(body: SolveRequest, delta: bool = False) -> Any:
        return stream(submit_solve(body), delta)

    @app.post("/optimize-batch-stream", tags=["streams"], response_class=EventStream,
              responses={**SSE_DOC, **errors(400, 401, 413, 415, 422, 429, 503)})
    async def optimize_batch_stream(body: BatchRequest, delta: bool = False) -> Any:
        """Several documents; every event carries its ``index``; a final ``summary``."""
        runs = [submit_optimize(doc) for doc in body.documents]
        return EventSourceResponse(batch_stream(runs, delta=delta, closing=closing()),
                                   ping=ping, send_timeout=send_timeout, headers=SSE_HEADERS,
                                   sep="\n")

    @app.get("/runs", tags=["runs"], responses=errors(401, 422))
    async def list_runs(limit: Annotated[int, Query(ge=1, le=200)] = 50,
                        q: str = "") -> dict[str, Any]:
        """Runs in progress and from history, newest first."""
        live = {run.id: run.summary() for run in hub.runs()}
        stored = []
        if hub.history is not None:
            stored = [e for e in await asyncio.to_thread(hub.history.list, limit=limit, query=q)
                      if e.id not in live]
        items = [s for s in live.values() if not q] + [e.summary() for e in stored]
        items.sort(key=lambda item: item["created_at"], reverse=True)
        return {"runs": items[:limit]}

    def stored(run_id: str) -> RunEntry | None:
        return hub.history.get(run_id) if hub.history is not None else None

    def no_run(run_id: str) -> JSONResponse:
        return error_response(404, "bad_request", f"No run with id {run_id!r}.")

    @app.get("/runs/{run_id}", tags=["runs"], responses=errors(401, 404))
    async def get_run(run_id: str) -> Any:
        run = hub.get(run_id)
        if run is not None:
            data = run.log.snapshot()
            return {**run.summary(), "data": data, "error": run.entry.error()}
        entry = stored(run_id)
        if entry is None:
            return no_run(run_id)
        return {**entry.summary(), "data": entry.result, "error": entry.error()}

    @app.get("/runs/{run_id}/events", tags=["runs"], response_class=EventStream,
             responses={**SSE_DOC, 204: {"description": "Nothing left to replay."},
                        **errors(400, 401, 404)})
    async def run_events(run_id: str, delta: bool = False,
                         last_event_id: Annotated[str | None, Header()] = None) -> Any:
        """Watch or resume any run (``Last-Event-ID`` replays what was missed; 204 when
        the run is over and nothing is left)."""
        after = event_id(last_event_id)
        if hub.get(run_id) is None and stored(run_id) is None:
            return no_run(run_id)
        return resume(run_id, delta, after)

    @app.delete("/runs/{run_id}", tags=["runs"], status_code=202,
                responses=errors(401, 404))
    async def cancel_run(run_id: str) -> Any:
        """Cancel a run in progress."""
        run = hub.get(run_id)
        if run is None or run.finished.is_set():
            return error_response(404, "bad_request", f"No run in progress with id {run_id!r}.")
        run.cancel()
        return {"id": run_id, "status": "cancelling"}

    @app.get("/health", tags=["server"])
    async def health() -> dict[str, Any]:
        provider = hub.service.settings.llm.provider
        return {"status": "ok", "version": __version__, "provider": provider,
                "active_runs": hub.active_count(), "languages": list(LANGUAGES)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        html = resources.files("interview_corvus.api").joinpath("static/index.html")
        return HTMLResponse(html.read_text(encoding="utf-8"),
                            headers={"Content-Security-Policy": _CSP,
                                     "X-Frame-Options": "DENY"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    limiter = RateLimiter(rate=rate_per_minute, per=60.0)
    wrapped = SecurityMiddleware(app, allowed_hosts=allowed_hosts,
                                 allowed_origins=allowed_origins, token=token,
                                 max_body=max_body, limiter=limiter)
    wrapped.state = app.state  # type: ignore[attr-defined]
    wrapped.fastapi = app  # type: ignore[attr-defined]
    return wrapped


_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'")
