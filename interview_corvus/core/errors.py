"""The one small error tree used at the provider boundary and everywhere above it.

Every error has a stable ``code`` (used by the CLI, SSE and GUI), the HTTP
``status`` the API answers it with, and a message fit to show the user. Secrets
never appear in messages. ``from_dict`` turns a wire ``{code, message}`` back into
the right class (the window and CLI receive errors as events).
"""

from __future__ import annotations

from typing import Any

from interview_corvus.core.redact import redact


class CorvusError(Exception):
    """Base of every error the project raises on purpose."""

    code = "internal"
    status = 500

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
    status = 503
    retryable = False


class RateLimited(ProviderError):
    code = "rate_limited"
    status = 429
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class AuthError(ProviderError):
    """The provider refused the key (the upstream's refusal: a bad gateway for us)."""

    code = "auth"
    status = 502


class Unavailable(ProviderError):
    code = "unavailable"
    retryable = True


class BadRequest(ProviderError):
    """The request cannot be served as asked (e.g. images for a text-only model)."""

    code = "bad_request"
    status = 400


class AnswerError(CorvusError):
    """The model answered, but the answer cannot be used (a bad gateway, for a client).

    ``reason`` says how: ``length`` (cut off at the token limit), ``repetition`` (the
    model looped), ``truncated`` (the JSON ended early), ``empty``, ``json`` (not valid
    JSON) or ``schema`` (valid JSON that does not match the answer's schema).
    """

    code = "invalid"
    status = 502
    reason = ""

    def __init__(self, message: str, *, reason: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.reason = reason


class AnswerIncomplete(AnswerError):
    """The answer was cut off (token limit, stream ended early)."""

    code = "incomplete"


class AnswerInvalid(AnswerError):
    """The answer is not valid JSON or does not match the schema."""


class AnswerRefused(AnswerError):
    """The provider's content filter or the model itself declined to answer: asking
    again the same way cannot help (``reason``: ``filter`` or ``refusal``)."""

    code = "refused"


class Cancelled(CorvusError):
    code = "cancelled"
    status = 409

    def __init__(self, message: str = "The run was cancelled.", **kw: Any) -> None:
        super().__init__(message, **kw)


class Interrupted(CorvusError):
    """The app stopped (closed, killed, crashed) before the run finished (history only)."""

    code = "interrupted"
    status = 503


def _classes(cls: type[CorvusError]) -> list[type[CorvusError]]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _classes(sub))]


def error_class(code: str) -> type[CorvusError]:
    """The class of this tree for a wire ``code`` (unknown codes: the base, ``internal``).
    Where classes share a code (``ProviderError``, ``Unavailable``) the most specific wins."""
    return _BY_CODE.get(code, CorvusError)


def from_dict(error: dict[str, Any], partial: Any = None) -> CorvusError:
    """A wire ``{code, message}`` as an instance of the right class."""
    cls = error_class(str(error.get("code", "internal")))
    exc = cls.__new__(cls)
    CorvusError.__init__(exc, str(error.get("message", "")), partial=partial)
    return exc


_BY_CODE = {c.code: c for c in _classes(CorvusError)}  # depth first: subclasses win
ERROR_CODES = tuple(_BY_CODE)  # every code a client can see


def as_corvus_error(exc: BaseException) -> CorvusError:
    """Wrap an unexpected exception as an ``internal`` error with a safe message."""
    if isinstance(exc, CorvusError):
        return exc
    return CorvusError(f"Internal error: {type(exc).__name__}")
