"""The one small error tree used at the provider boundary and everywhere above it.

Every error has a stable ``code`` (used by the CLI, SSE and GUI) and a message
fit to show the user. Secrets never appear in messages.
"""

from __future__ import annotations

from typing import Any

from interview_corvus.core.redact import redact

ERROR_CODES = (
    "incomplete",
    "invalid",
    "rate_limited",
    "auth",
    "unavailable",
    "cancelled",
    "interrupted",
    "bad_request",
    "internal",
)


class CorvusError(Exception):
    """Base of every error the project raises on purpose."""

    code = "internal"

    def __init__(self, message: str, *, partial: Any = None, raw: str | None = None) -> None:
        message = redact(message)  # upstream text may echo keys or URL credentials
        super().__init__(message)
        self.message = message
        self.partial = partial
        self.raw = raw

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class ProviderError(CorvusError):
    """The provider could not produce an answer."""

    code = "unavailable"
    retryable = False


class RateLimited(ProviderError):
    code = "rate_limited"
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class AuthError(ProviderError):
    code = "auth"


class Unavailable(ProviderError):
    code = "unavailable"
    retryable = True


class BadRequest(ProviderError):
    """The request cannot be served as asked (e.g. images for a text-only model)."""

    code = "bad_request"


class StreamingUnsupported(ProviderError):
    """The provider refused a streaming request; the service falls back."""

    code = "unavailable"


class AnswerIncomplete(CorvusError):
    """The answer was cut off (token limit, stream ended early)."""

    code = "incomplete"


class AnswerInvalid(CorvusError):
    """The answer is not valid JSON or does not match the schema."""

    code = "invalid"


class Cancelled(CorvusError):
    code = "cancelled"

    def __init__(self, message: str = "The run was cancelled.", **kw: Any) -> None:
        super().__init__(message, **kw)


def as_corvus_error(exc: BaseException) -> CorvusError:
    """Wrap an unexpected exception as an ``internal`` error with a safe message."""
    if isinstance(exc, CorvusError):
        return exc
    return CorvusError(f"Internal error: {type(exc).__name__}")
