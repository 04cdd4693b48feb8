"""SDK exceptions as the project's error tree, for both Stainless-made SDKs.

openai-python and anthropic-sdk-python raise the same family of exceptions
(``RateLimitError``, ``AuthenticationError``, ``APIStatusError``, …), so one
mapping serves both; ``who`` names the service in the message for the user.
``status_error`` maps a bare HTTP status, for SDKs that report only that (Ollama,
Mistral, Gemini through llama-index).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import httpx

from interview_corvus.core.errors import (
    AuthError,
    BadRequest,
    ProviderError,
    RateLimited,
    Unavailable,
)

RATE_LIMITED = "{who} is rate limiting requests; try again shortly."


def _http_errors(name: str) -> tuple[type[Exception], ...]:
    """httpx's ``name`` error class, and httpx2's: anthropic 2.x sends through httpx2 and
    lets its errors out of a stream's iteration unwrapped."""
    errors: list[type[Exception]] = [getattr(httpx, name)]
    try:
        import httpx2
    except ImportError:
        pass
    else:
        errors.append(getattr(httpx2, name))
    return tuple(errors)


HTTP_ERRORS = _http_errors("HTTPError")  # what a provider catches around its SDK's calls
TRANSPORT_ERRORS = _http_errors("TransportError")  # no connection, or it was lost
LOST = ("The connection to {who} was lost while the answer streamed; what arrived is "
        "kept. Try again.")


def retry_after(headers: Any) -> float | None:
    """Seconds from a ``Retry-After`` (or ``retry-after-ms``) header, if any."""
    if headers is None:
        return None
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        if headers.get("retry-after"):
            return float(headers["retry-after"])
    except (TypeError, ValueError):
        return None
    return None


def within(who: str) -> str:
    """``who`` inside a sentence: "The server at …" → "the server at …" (names stay)."""
    return "t" + who[1:] if who.startswith("The ") else who


def short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def status_error(status: int, who: str, detail: str, *, check_also: str = "",
                 retry: float | None = None) -> ProviderError:
    """An HTTP error status from ``who`` as a typed error (any SDK that reports one)."""
    if status == 429:
        return RateLimited(RATE_LIMITED.format(who=who), retry_after=retry)
    if status in (401, 403):
        return AuthError(f"{who} rejected the API key. Check it in settings.")
    if status == 404:
        return BadRequest(f"{who} does not know that model (404). Check the model "
                          f"name{check_also}.")
    if status >= 500:
        return Unavailable(f"{who} is unavailable or had a server error ({status}).")
    return BadRequest(f"{who} refused the request ({status}): {short(detail)}")


def map_sdk_error(exc: Exception, sdk: ModuleType, who: str, *, connect_hint: str = "",
                  check_also: str = "", streaming: bool = False) -> ProviderError:
    """``exc`` (from ``sdk``, httpx or httpx2) as a typed error with a message for the
    user. ``streaming``: the response had begun, so a transport fault (a dropped
    connection, a stalled read) lost the connection, it did not fail to make one."""
    transport = (sdk.APIConnectionError, *TRANSPORT_ERRORS)
    if streaming and isinstance(exc, transport):
        return Unavailable(LOST.format(who=within(who)))
    if isinstance(exc, sdk.RateLimitError):
        return RateLimited(RATE_LIMITED.format(who=who),
                           retry_after=retry_after(exc.response.headers))
    if isinstance(exc, sdk.AuthenticationError | sdk.PermissionDeniedError):
        return AuthError(f"{who} rejected the API key. Check it in settings.")
    if isinstance(exc, sdk.APITimeoutError):
        return Unavailable(f"{who} did not answer in time.")
    if isinstance(exc, transport):
        return Unavailable(f"Could not connect to {within(who)}.{connect_hint}")
    if isinstance(exc, sdk.APIStatusError) and exc.status_code < 400:
        # an error event in the middle of a 200 stream: the HTTP status says nothing
        body = exc.body if isinstance(exc.body, dict) else {}
        kind = str((body.get("error") or {}).get("type", "error"))
        if kind == "rate_limit_error":
            return RateLimited(RATE_LIMITED.format(who=who))
        return Unavailable(f"{who} stopped the answer with {kind.replace('_', ' ')}.")
    if isinstance(exc, sdk.APIStatusError):
        return status_error(exc.status_code, who, exc.message, check_also=check_also)
    if isinstance(exc, sdk.APIError):  # an error event in the middle of a stream
        return Unavailable(f"{who} reported an error while streaming: {short(exc.message)}")
    return Unavailable(f"{who} failed: {type(exc).__name__}")
