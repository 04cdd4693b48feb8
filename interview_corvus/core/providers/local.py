"""The local model: llama.cpp in a child process, on a catalog model or any GGUF file.

By default the best model of the catalog on this machine answers (``core.catalog``:
Qwen2.5-Coder from the ``coder`` extra's chunk packages or from Hugging Face,
else the bundled SmolLM2-135M demo); any other GGUF path can be set. Catalog coder
models decode freely after a prefilled ``{"first_field": `` (they keep to JSON, and
the schema grammar costs 24-41 % of the throughput); other models are
grammar-constrained to the answer's JSON schema (``decoding`` overrides). llama.cpp
runs in its own process (``local_worker``), so a native crash ends that process only:
the run fails with ``ModelCrashed``, keeps its partial, and the next run starts a
fresh process. Closing the stream
sends a cancel that stops generation within one token (prompt processing
itself cannot be interrupted; a process that does not answer a cancel in time
is killed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from interview_corvus.core.answers.models import MODELS
from interview_corvus.core.catalog import CatalogModel, Progress, choose, ensure
from interview_corvus.core.errors import BadRequest
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.providers.local_process import (  # noqa: F401 - re-exported
    CANCEL_TIMEOUT,
    LOAD_TIMEOUT,
    MAX_GRAMMAR_LENGTH,
    ModelCrashed,
    ModelProcess,
    _processes,
    bundled_model_path,
    model_process,
    stop_processes,
)

Decoding = Literal["auto", "grammar", "resample", "free"]


class LocalProvider(Provider):
    """llama.cpp on ``gguf_path``, or on the catalog model ``catalog_name`` (default: the
    best one on this machine). The catalog model's file is assembled or verified on the
    first use (``prepare``), not when the provider is made."""

    name = "local"
    small_model_likely = True

    def __init__(self, gguf_path: str | Path | None = None, *, n_ctx: int = 4096,
                 repeat_penalty: float = 1.15, catalog_name: str = "",
                 decoding: Decoding = "auto") -> None:
        self.entry: CatalogModel | None = None
        self._path: Path | None = None
        if gguf_path:
            self._path = Path(gguf_path)
            super().__init__(self._path.stem)
        else:
            self.entry = choose(catalog_name).model
            super().__init__(self.entry.title)
        self.n_ctx = n_ctx
        self.repeat_penalty = repeat_penalty
        if decoding == "auto":  # catalog coder models: sampled first, grammar-checked
            decoding = ("resample" if self.entry is not None and self.entry.rank > 0
                        else "grammar")
        self.decoding: Decoding = decoding

    def describe(self) -> str:
        """The model, its size and how it decodes: for /health and the window."""
        if self.entry is not None:
            return self.entry.describe()
        size = self._path.stat().st_size if self._path and self._path.is_file() else 0
        return f"{self.model} ({size / 1e9:.2f} GB GGUF)" if size else self.model

    @property
    def needs_preparing(self) -> bool:
        """Whether the first use assembles or verifies a file (seconds to minutes)."""
        if self._path is not None or self.entry is None:
            return False
        from interview_corvus.core.catalog import status

        return status(self.entry) in ("packages", "huggingface")

    def prepare(self, progress: Progress | None = None) -> Path:
        """The model file, assembled or verified first if needed (see ``catalog.ensure``)."""
        if self._path is None:
            assert self.entry is not None
            self._path = ensure(self.entry, progress)
        return self._path

    @property
    def path(self) -> Path:
        return self.prepare()

    def _running(self) -> ModelProcess | None:
        """This model's process if one was started (never starts one)."""
        return _processes.get((str(self._path), self.n_ctx)) if self._path else None

    @property
    def warm(self) -> bool:
        """Whether the model's process is up (else a run loads it first: seconds)."""
        process = self._running()
        return process is not None and process.alive

    def live_rate(self) -> float | None:
        process = self._running()
        return process.live_rate() if process is not None else None

    def code_fence(self, kind: str, schema: dict[str, Any]) -> str:
        """With grammar-checked sampling (``resample``), the answer's code field when the
        schema starts with it: the model writes it in a Markdown fence (``local_fence``)."""
        model = MODELS.get(kind)
        first = next(iter(schema.get("properties") or {}), "")
        if self.decoding != "resample" or model is None or not model.SHOWS_CODE:
            return ""
        return first if first == model.CODE_FIELD else ""

    def check(self) -> str:
        process = model_process(self.path, self.n_ctx)
        return f"Local model {self.describe()} loaded (process {process.proc.pid})."

    def _messages(self, request: AnswerRequest) -> list[dict[str, str]]:
        if request.images:
            raise BadRequest("The local model cannot read images.")
        return [{"role": "system", "content": request.system}, *request.history(),
                {"role": "user", "content": request.prompt}]

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        messages = self._messages(request)
        process = model_process(self.path, self.n_ctx)
        payload = {"messages": messages, "schema": request.schema,
                   "max_tokens": request.max_tokens, "temperature": request.temperature,
                   "repeat_penalty": self.repeat_penalty,
                   "decoding": self.decoding, "prefill": prefill(request.schema),
                   "fence": self.code_fence(request.kind, request.schema),
                   "fence_tag": fence_tag(request.language)}
        with process.lock:
            yield from process.generate(payload, info)


def prefill(schema: dict[str, Any]) -> str:
    """The start of the answer written for the model when it decodes freely: the object
    and its first key, so it begins with JSON and with the schema's first field."""
    properties = schema.get("properties") or {}
    if not properties:
        return "{"
    name, prop = next(iter(properties.items()))
    opener = '"' if prop.get("type") == "string" else ""
    return "{" + json.dumps(name) + ": " + opener


def fence_tag(language: str) -> str:
    """The Markdown info string of a code fence in ``language`` (``c++`` → ``cpp``)."""
    return {"c++": "cpp", "c#": "csharp"}.get(language, language)
