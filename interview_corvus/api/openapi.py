"""The OpenAPI description, made honest where FastAPI's generator cannot be told.

* A stream's ``200`` is ``text/event-stream``; each event's ``data:`` line holds one
  JSON object, described here as ``StreamEvent`` (one schema per ``type``), not a
  bare string.
* A streaming route answers its errors as JSON before any event is sent; FastAPI
  gives every response of a route the route's media type, so error answers
  (4xx/5xx) are moved back to ``application/json``.
* ``Last-Event-ID`` carries the pattern the server checks (``errors.event_id``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field, TypeAdapter

LAST_EVENT_ID_PATTERN = r"^[0-9]{0,15}$"  # what errors.event_id accepts
SSE = "text/event-stream"
JSON = "application/json"
EVENT_REF = "#/components/schemas/StreamEvent"


class _Event(BaseModel):
    run_id: str = Field(description="The run this event belongs to.")
    index: int | None = Field(default=None, description="Batch streams only: the "
                              "document's index in the request.")


class StartEvent(_Event):
    type: Literal["start"]
    kind: str = Field(description="optimization, solution or mcq")
    provider: str
    model: str
    streaming: bool


class QueuedEvent(_Event):
    type: Literal["queued"]
    position: int = Field(description="Runs ahead of this one, plus one.")


class Patch(BaseModel):
    op: Literal["set", "append"]
    path: list[str | int]
    value: Any


class PartialEvent(_Event):
    type: Literal["partial"]
    data: dict[str, Any] | None = Field(
        default=None, description="The partial answer (with progress, is_complete: false).")
    patch: list[Patch] | None = Field(
        default=None, description="Delta mode (?delta=1), instead of data: apply in order.")


class DoneEvent(_Event):
    type: Literal["done"]
    data: dict[str, Any] = Field(description="The complete, validated answer.")
    elapsed_ms: float
    usage: dict[str, int] | None = None
    repaired: bool | None = Field(default=None, description="True when a first answer "
                                  "was invalid and asking again fixed it.")


class EventError(BaseModel):
    code: str
    message: str


class ErrorEvent(_Event):
    type: Literal["error"]
    error: EventError
    data: dict[str, Any] | None = Field(description="The partial answer so far, if any.")


class SummaryEvent(BaseModel):
    type: Literal["summary"]
    total: int
    succeeded: int
    failed: int
    run_ids: list[str]


StreamEvent = Annotated[StartEvent | QueuedEvent | PartialEvent | DoneEvent | ErrorEvent
                        | SummaryEvent, Field(discriminator="type")]


def event_schemas() -> dict[str, Any]:
    """``StreamEvent`` and the schemas it refers to, as OpenAPI components."""
    schema = TypeAdapter(StreamEvent).json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization")
    components: dict[str, Any] = schema.pop("$defs", {})
    components["StreamEvent"] = {
        **schema, "title": "StreamEvent",
        "description": "What one event's `data:` line holds (JSON). Events also carry an "
                       "integer `id:` (per run) and no `event:` field; `: ping` comment "
                       "lines keep idle streams open."}
    return components


def describe(schema: dict[str, Any]) -> dict[str, Any]:
    """Fix what FastAPI generated (see the module's docstring); returns ``schema``."""
    streams = False
    for operation in (op for item in schema.get("paths", {}).values()
                      for op in item.values() if isinstance(op, dict)):
        for status, response in operation.get("responses", {}).items():
            content = response.get("content", {})
            if SSE not in content:
                continue
            if status.isdigit() and int(status) >= 400:
                content[JSON] = content.pop(SSE)
            else:
                content[SSE] = {"schema": {"$ref": EVENT_REF}}
                streams = True
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "header" and parameter.get("name") == "last-event-id":
                parameter["schema"] = {"type": "string", "pattern": LAST_EVENT_ID_PATTERN,
                                       "maxLength": 15}
                parameter["description"] = ("The last event id received (an integer); the "
                                            "events after it are replayed.")
    if streams:
        schema.setdefault("components", {}).setdefault("schemas", {}).update(event_schemas())
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the corrected description at ``/openapi.json`` (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes, openapi_version=app.openapi_version))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
