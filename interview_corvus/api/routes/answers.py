"""Answers: ``POST /optimize``, ``/solve`` and ``/mcq`` (blocking), their ``-stream`` twins
(SSE), ``GET /optimize-stream`` for EventSource, ``POST /optimize-batch-stream``, and
``GET /kinds`` (how to ask for each kind and how it is laid out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, Field, field_validator

from interview_corvus.api.errors import errors, event_id
from interview_corvus.api.openapi import EVENT_REF
from interview_corvus.api.streams import Streams
from interview_corvus.core.answers.models import (
    LANGUAGES,
    MODELS,
    StreamedAnswer,
    normalize_language,
)
from interview_corvus.core.runs.follow_up import MAX_MESSAGE
from interview_corvus.core.runs.hub import HubRun

MAX_INPUT = 100_000
MAX_BATCH = 20


class _Input(BaseModel):
    KIND: ClassVar[str]  # the kind of answer asked for
    FIELD: ClassVar[str]  # the field holding the user's text

    language: str = Field(default="python", description=f"One of: {', '.join(LANGUAGES)}",
                          json_schema_extra={"enum": list(LANGUAGES)})

    @field_validator("language")
    @classmethod
    def _known(cls, value: str) -> str:
        return normalize_language(value)

    def text(self) -> str:
        return str(getattr(self, self.FIELD))


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is blank")
    return value


Text = Annotated[str, Field(min_length=1, max_length=MAX_INPUT), AfterValidator(_not_blank)]
Message = Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE),
                    AfterValidator(_not_blank)]


class OptimizeRequest(_Input):
    KIND, FIELD = "optimization", "code"
    code: Text = Field(description="The code to optimize.")


class SolveRequest(_Input):
    KIND, FIELD = "solution", "problem"
    problem: Text = Field(description="The problem text.")


class QuestionRequest(_Input):
    KIND, FIELD = "mcq", "question"
    question: Text = Field(description="The multiple-choice question, with its options.")


class FollowUpRequest(BaseModel):
    message: Message = Field(description="What to do next with the answer, e.g. \"now O(1) "
                                         "space\" or \"explain line 3\".")
    kind: Literal["optimization", "solution"] | None = Field(
        default=None, description="The kind of answer wanted (default: the run's own kind; "
                                  "optimization of a solution optimizes its code).")
    language: str | None = Field(default=None, description="Default: the run's language.",
                                 json_schema_extra={"enum": list(LANGUAGES)})

    @field_validator("language")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        return None if value is None else normalize_language(value)


class BatchRequest(BaseModel):
    documents: list[OptimizeRequest] = Field(min_length=1, max_length=MAX_BATCH)


class EventStream(Response):
    """Documents a route as ``text/event-stream`` (the body is an EventSourceResponse)."""

    media_type = "text/event-stream"


SSE_DOC: dict[int | str, dict[str, Any]] = {200: {
    "description": "Server-Sent Events: each `data:` line is a JSON object with a `type` "
                   "(start, queued, partial, done, error); `id:` counts per run.",
    "content": {"text/event-stream": {"schema": {"$ref": EVENT_REF}}}}}
STREAM_ERRORS = errors(400, 401, 413, 415, 422, 429, 503)
# the request body of each kind of answer
BODIES: dict[type[StreamedAnswer], type[_Input]] = {
    MODELS[body.KIND]: body for body in (OptimizeRequest, SolveRequest, QuestionRequest)}


def answers_router(streams: Streams) -> APIRouter:
    router = APIRouter()
    hub = streams.hub

    def submit(body: _Input) -> HubRun:
        job = hub.service.text_job(body.KIND, body.text(), body.language)
        return hub.submit(job, origin="http", input_text=body.text())

    def add(model: type[StreamedAnswer], path: str, endpoint: Callable[..., Any],
            doc: str, **kw: Any) -> None:
        endpoint.__annotations__["body"] = BODIES[model]  # the body type FastAPI reads
        endpoint.__doc__ = doc
        router.add_api_route(path, endpoint, methods=["POST"], name=path.strip("/"), **kw)

    for model in BODIES:
        action, kind = model.ACTION, model.KIND

        async def blocking(body: _Input, request: Request) -> Any:
            return await streams.blocking(submit(body), request)

        async def streamed(body: _Input, delta: bool = False) -> Any:
            return streams.stream(submit(body), delta)

        add(model, f"/{action}", blocking, f"The complete, validated {kind} (blocking).",
            response_model=model, tags=["answers"],
            responses=errors(400, 401, 413, 415, 422, 429, 502, 503))
        add(model, f"/{action}-stream", streamed,
            f"The {kind} as SSE: start, partial…, done | error.", tags=["streams"],
            response_class=EventStream, responses={**SSE_DOC, **STREAM_ERRORS})

    @router.get("/kinds", tags=["answers"])
    async def kinds() -> list[dict[str, Any]]:
        """Each kind of answer: where to ask for one (``blocking``, ``stream``), the body
        field that holds your text (``input``), and how the answer is laid out — its
        code, list, complexity rows and prose sections, in order."""
        return [{**model.layout(), "blocking": f"/{model.ACTION}",
                 "stream": f"/{model.ACTION}-stream", "input": body.FIELD,
                 "input_description": body.model_fields[body.FIELD].description}
                for model, body in BODIES.items()]

    @router.get("/optimize-stream", tags=["streams"], response_class=EventStream,
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
            return streams.resume(streams.reattach.find(request), delta, after)
        run = submit(OptimizeRequest(code=code, language=language))
        streams.reattach.remember(request, run.id)
        return streams.stream(run, delta)

    @router.post("/optimize-batch-stream", tags=["streams"], response_class=EventStream,
                 responses={**SSE_DOC, **STREAM_ERRORS})
    async def optimize_batch_stream(body: BatchRequest, delta: bool = False) -> Any:
        """Several documents; every event carries its ``index``; a final ``summary``."""
        jobs = [(hub.service.text_job(doc.KIND, doc.text(), doc.language), doc.text())
                for doc in body.documents]
        return streams.batch(hub.submit_all(jobs, origin="http"), delta)  # all or none

    return router
