"""Error answers of the API, all in one shape: ``{"error": {"code", "message", …}}``.

The status of a run's error comes from the error tree (``CorvusError.status``);
request problems (body, fields, headers, routing) are mapped here.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from interview_corvus.core.errors import ERROR_CODES, CorvusError


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


class ErrorDetail(BaseModel):
    code: str = Field(description="One of: " + ", ".join(ERROR_CODES))
    message: str
    fields: list[dict[str, str]] | None = Field(
        default=None, description="For 422 and header errors: each field and what is wrong.")


class ErrorBody(BaseModel):
    error: ErrorDetail


_STATUS_TEXT = {400: "Bad request (e.g. a malformed header)", 401: "Missing or wrong token",
                403: "Origin or site not allowed", 404: "No such run",
                409: "The run has no finished answer to follow up",
                413: "Body too large", 415: "Body is not JSON", 421: "Host not served",
                422: "A field is invalid (named in error.fields)",
                429: "Too many requests (Retry-After)",
                502: "The model's answer was cut off or invalid, or the provider refused",
                503: "The provider is unavailable"}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give (the project's shape)."""
    return {code: {"model": ErrorBody, "description": _STATUS_TEXT[code]} for code in codes}


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status)


def install_error_handlers(app: FastAPI) -> None:
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
