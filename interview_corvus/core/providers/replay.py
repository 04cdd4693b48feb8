"""A scripted provider that replays a recorded transcript with its timing.

Transcript format (JSON Lines), one object per line:

* ``{"delta": "...", "delay_ms": 5}`` – yield this text after the delay;
* ``{"raise": "rate_limit" | "server_error" | "connection" | "auth"}`` – fail here.
  A raise line fires on the first attempt only, so a retry can succeed;
* ``{"finish_reason": "length"}`` – how the call ended (default ``stop``);
* ``{"usage": {...}}`` – token counts to report.

For deterministic tests, demos and benchmarks; not a substitute for the real
providers' tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from interview_corvus.core.errors import (
    AuthError,
    BadRequest,
    ProviderError,
    RateLimited,
    Unavailable,
)
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.untrusted import read_regular

_RAISES = {
    "rate_limit": lambda: RateLimited("The replayed provider is rate limited.", retry_after=0),
    "server_error": lambda: Unavailable("The replayed provider had a server error."),
    "connection": lambda: Unavailable("Could not connect to the replayed provider."),
    "auth": lambda: AuthError("The replayed provider rejected the API key."),
}
MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024


class TranscriptLine(BaseModel):
    """One line of a transcript; strict: ``{"delta": 5}`` or ``"delay_ms": "soon"`` are
    refused, not coerced."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

    delta: str | None = None
    delay_ms: float = Field(default=0.0, ge=0, le=600_000, allow_inf_nan=False)
    raise_: Literal["rate_limit", "server_error", "connection", "auth"] | None = Field(
        default=None, alias="raise")
    finish_reason: str | None = None
    usage: dict[str, int] | None = None

    @model_validator(mode="after")
    def _does_something(self) -> TranscriptLine:
        if not self.model_fields_set & {"delta", "raise_", "finish_reason", "usage"}:
            raise ValueError("expected an object with 'delta' or 'raise'")
        return self


def _problem(error: ValidationError) -> str:
    """The first problem of a line: the field, what is wrong and the value given."""
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    value = repr(first.get("input"))
    value = value if len(value) <= 60 else value[:57] + "..."
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message} (got {value})" if where else message


def load_transcript(path: str | Path) -> list[dict[str, Any]]:
    """Read and check a transcript (a regular UTF-8 file, a ``TranscriptLine`` per
    line); errors name the file and line, and the value that is wrong."""
    path = Path(path)
    data = read_regular(path, limit=MAX_TRANSCRIPT_BYTES, what="replay transcript")
    lines: list[dict[str, Any]] = []
    for number, raw_bytes in enumerate(data.splitlines(), 1):
        try:
            raw = raw_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"{path}:{number}: not UTF-8 text (byte "
                             f"0x{raw_bytes[exc.start]:02x} at column {exc.start + 1})") from None
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BadRequest(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise BadRequest(f"{path}:{number}: JSON nested too deeply") from None
        if not isinstance(item, dict):
            raise BadRequest(f"{path}:{number}: expected an object with 'delta' or 'raise' "
                             f"(got JSON {type(item).__name__})")
        try:
            line = TranscriptLine.model_validate(item)
        except ValidationError as exc:
            raise BadRequest(f"{path}:{number}: {_problem(exc)}") from None
        lines.append(line.model_dump(by_alias=True, exclude_unset=True))
    return lines


class ReplayProvider(Provider):
    name = "replay"

    def __init__(self, transcript: list[dict[str, Any]] | str | Path, *, model: str = "replay",
                 speed: float = 1.0, streaming: bool = True) -> None:
        super().__init__(model)
        if isinstance(transcript, str | Path):
            transcript = load_transcript(transcript)
        self.transcript = transcript
        self.speed = speed
        self.supports_streaming = streaming
        self.attempts = 0
        self.closed_streams = 0  # how many streams were closed before their end
        self.delivered = 0  # deltas handed out over all attempts

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        self.attempts += 1
        return self._run(info, first_attempt=self.attempts == 1)

    def _run(self, info: StreamInfo, *, first_attempt: bool) -> Iterator[str]:
        finished = False
        try:
            for item in self.transcript:
                if "raise" in item:
                    if first_attempt:
                        raise _RAISES[item["raise"]]()
                    continue
                if "usage" in item:
                    info.usage = dict(item["usage"])
                if "finish_reason" in item:
                    info.finish_reason = item["finish_reason"]
                if "delta" in item:
                    delay = float(item.get("delay_ms", 0)) / 1000.0 / self.speed
                    if delay > 0 and info.aborted.wait(delay):
                        return
                    self.delivered += 1
                    yield item["delta"]
            info.finish_reason = info.finish_reason or "stop"
            finished = True
        except ProviderError:
            finished = True
            raise
        finally:
            if not finished:
                self.closed_streams += 1

    def complete(self, request: AnswerRequest, info: StreamInfo) -> str:
        self.attempts += 1
        first = self.attempts == 1
        for item in self.transcript:
            if "raise" in item and first:
                raise _RAISES[item["raise"]]()
        info.finish_reason = next(
            (i["finish_reason"] for i in self.transcript if "finish_reason" in i), "stop")
        info.usage = next((dict(i["usage"]) for i in self.transcript if "usage" in i), {})
        return "".join(i.get("delta", "") for i in self.transcript)
