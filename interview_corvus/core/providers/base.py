"""The provider seam: one streaming generator of text deltas per backend.

Retries, timing, parsing and progress live once in ``LLMService``; a provider
only turns an ``AnswerRequest`` into raw text deltas of the JSON answer, maps
its SDK's failures onto the error tree, and releases its stream when the
generator is closed (closing is how cancellation reaches the backend).
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_corvus.core.answers.models import MODELS


@dataclass
class AnswerRequest:
    kind: str
    system: str
    prompt: str
    schema: dict[str, Any]
    max_tokens: int
    temperature: float
    images: list[Path] = field(default_factory=list)
    language: str = ""  # the answer's programming language (core.answers.languages)
    # earlier turns of a conversation (a follow-up): (role, text), role user or assistant
    turns: list[tuple[str, str]] = field(default_factory=list)

    def history(self) -> list[dict[str, str]]:
        """The earlier turns as chat messages (before the prompt's own user message)."""
        return [{"role": role, "content": text} for role, text in self.turns]

    @property
    def schema_name(self) -> str:
        return str(self.schema.get("title", "answer"))


@dataclass
class StreamInfo:
    """What a provider learns about a call besides the text, and its abort switch.

    ``abort()`` may be called from any thread (a cancel while the provider is
    blocked waiting for the network): it sets ``aborted`` and runs the closers
    the provider registered with ``on_abort`` (e.g. the HTTP response's close),
    so a blocked read ends at once instead of at the next delta.
    """

    finish_reason: str | None = None  # "stop", "length", ...
    usage: dict[str, int] = field(default_factory=dict)
    aborted: threading.Event = field(default_factory=threading.Event)
    _closers: list[Callable[[], object]] = field(default_factory=list)

    def on_abort(self, closer: Callable[[], object]) -> None:
        self._closers.append(closer)
        if self.aborted.is_set():
            _run_quietly(closer)

    def abort(self) -> None:
        if self.aborted.is_set():
            return
        self.aborted.set()
        for closer in list(self._closers):
            _run_quietly(closer)


def _run_quietly(closer: Callable[[], object]) -> None:
    try:
        closer()
    except Exception:  # closing an already broken stream may fail; that is fine
        logging.getLogger(__name__).debug("abort closer failed", exc_info=True)


class Provider(ABC):
    name: str = "provider"
    supports_streaming: bool = True
    supports_vision: bool = False
    small_model_likely: bool = False  # bound the schema (see ``schema_limits``)

    def __init__(self, model: str = "") -> None:
        self.model = model

    @abstractmethod
    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        """Yield raw text deltas of the answer. Closing the iterator stops generation."""

    def complete(self, request: AnswerRequest, info: StreamInfo) -> str:
        """One non-streaming call. The default drains ``stream``."""
        parts: list[str] = []
        deltas = self.stream(request, info)
        try:
            parts.extend(deltas)
        finally:
            close = getattr(deltas, "close", None)
            if close is not None:
                close()
        return "".join(parts)

    def schema_limits(self, kind: str, input_chars: int) -> dict[str, int] | None:
        """``maxLength`` / ``maxItems`` bounds to put in the schema where a small model is
        likely (it could otherwise list hundreds of items and never finish)."""
        return MODELS[kind].SMALL_MODEL_LIMITS if self.small_model_likely else None

    def code_fence(self, kind: str, schema: dict[str, Any]) -> str:
        """The code field this provider's model writes in a Markdown fence before the
        JSON of the other fields (``local_fence``), or "" when it writes one JSON object."""
        return ""

    def describe(self) -> str:
        """Which model answers, for people (/health, the window): its name, and for a
        local model its size."""
        return self.model or self.name

    def live_rate(self) -> float | None:
        """Tokens per second of the answer being written now, where the provider knows
        it (the local model); None elsewhere."""
        return None

    @property
    def warm(self) -> bool:
        """Whether a run starts answering at once (False: a local model still to load)."""
        return True

    def check(self) -> str:
        """Verify the provider can be reached (cheaply); a line for the user, or raise."""
        return f"{self.name} is ready."

    def close(self) -> None:
        """Release clients and models."""


def image_data_url(path: Path) -> tuple[str, str]:
    """(media type, base64 data) of an image file."""
    media = mimetypes.guess_type(path.name)[0] or "image/png"
    return media, base64.b64encode(path.read_bytes()).decode("ascii")
