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
from typing import Any

from interview_corvus.core.errors import (
    AuthError,
    BadRequest,
    ProviderError,
    RateLimited,
    Unavailable,
)
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo

_RAISES = {
    "rate_limit": lambda: RateLimited("The replayed provider is rate limited.", retry_after=0),
    "server_error": lambda: Unavailable("The replayed provider had a server error."),
    "connection": lambda: Unavailable("Could not connect to the replayed provider."),
    "auth": lambda: AuthError("The replayed provider rejected the API key."),
}


def load_transcript(path: str | Path) -> list[dict[str, Any]]:
    """Read and check a transcript; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadRequest(f"Cannot read replay transcript {path}: {exc.strerror}") from exc
    lines: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BadRequest(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not item.keys() & {"delta", "raise", "finish_reason",
                                                            "usage"}:
            raise BadRequest(f"{path}:{number}: expected an object with 'delta' or 'raise'")
        if "raise" in item and item["raise"] not in _RAISES:
            raise BadRequest(
                f"{path}:{number}: unknown raise {item['raise']!r}; use one of "
                f"{', '.join(_RAISES)}"
            )
        lines.append(item)
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
