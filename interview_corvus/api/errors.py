"""Error answers of the API, all in one shape: ``{"error": {"code", "message", …}}``.

The status of a run's error comes from the error tree (``CorvusError.status``);
request problems (body, fields, headers, routing) are mapped here.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from interview_corvus.core.errors import ERROR_CODES, CorvusError, RateLimited

_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


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
            message = unreadable_body(exc.__cause__)
            return error_response(400, "bad_request", message,
                                  fields=[{"field": "body", "message": message}])
        code = "internal" if exc.status_code >= 500 else "bad_request"
        response = error_response(exc.status_code, code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:  # every method of the path, not only the first route's
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(BadHeader)
    async def _bad_header(request: Request, exc: BadHeader) -> JSONResponse:
        return error_response(400, "bad_request", exc.message,
                              fields=[{"field": exc.name, "message": exc.message}])

    @app.exception_handler(CorvusError)
    async def _corvus(request: Request, exc: CorvusError) -> JSONResponse:
        response = error_response(exc.status, exc.code, exc.message)
        if isinstance(exc, RateLimited) and exc.retry_after:
            response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return response


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the app answers on this request's path (``Allow``)."""
    methods: set[str] = set()
    pending = list(request.app.router.routes)
    while pending:
        route = pending.pop()
        included = getattr(route, "original_router", None)  # FastAPI's include_router
        if included is not None:
            pending.extend(included.routes)
        elif route.matches(request.scope)[0] is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods, key=lambda m: (*_METHOD_ORDER, m).index(m))


def unreadable_body(cause: BaseException | None) -> str:
    """Why a JSON body could not be read, from the decoder's own exception."""
    if isinstance(cause, UnicodeDecodeError):
        return (f"The body is not UTF-8 text (byte 0x{cause.object[cause.start]:02x} at "
                f"position {cause.start}).")
    if isinstance(cause, RecursionError):
        return ("The body's JSON is nested too deeply to be read (arrays or objects inside "
                "each other ~1000 levels deep; a request here needs at most 3).")
    digits = re.search(r"value has (\d+) digits", str(cause or ""))
    if digits:
        return (f"A number in the body has {digits[1]} digits; at most "
                f"{sys.get_int_max_str_digits()} are read.")
    return "The body could not be read as JSON text."
