"""Any llama-index LLM as a provider, with named presets.

Presets: ``openai-like`` (any OpenAI-compatible server, through llama-index's
``OpenAILike``), ``ollama``, ``gemini``, ``groq`` and ``mistral`` — each needs its
llama-index integration package, an optional extra (``pip install
'interview-corvus[ollama]'`` …); a missing one is named in the error.

llama-index has no stream cancellation (run-llama/llama_index#12242) and its
OpenAI stream is iterated without ``with``, so closing the generator alone leaves
the HTTP response open until garbage collection. Where the integration takes an
``httpx`` client (the OpenAI family: openai-like, groq), each stream gets its own
client, closed when the stream is closed or aborted — that is what closes the
connection. ``ChatResponse.delta`` is the increment (``message.content`` is
cumulative); it may be empty on the role and finish chunks.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import openai

from interview_corvus.core.errors import BadRequest, ProviderError, Unavailable
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.providers.sdk_errors import map_sdk_error

log = logging.getLogger(__name__)

# preset: (module, class, extra, default model, takes an httpx client, small model likely)
PRESETS: dict[str, tuple[str, str, str, str, bool, bool]] = {
    "openai-like": ("llama_index.llms.openai_like", "OpenAILike", "llamaindex", "local-model",
                    True, True),
    "ollama": ("llama_index.llms.ollama", "Ollama", "ollama", "qwen2.5-coder:7b", False, True),
    "gemini": ("llama_index.llms.google_genai", "GoogleGenAI", "gemini", "gemini-2.5-flash",
               False, False),
    "groq": ("llama_index.llms.groq", "Groq", "groq", "llama-3.3-70b-versatile", True, False),
    "mistral": ("llama_index.llms.mistralai", "MistralAI", "mistral", "mistral-small-latest",
                False, False),
}


class LlamaIndexProvider(Provider):
    name = "llama-index"

    def __init__(self, preset: str, model: str = "", *, api_key: str | None = None,
                 base_url: str | None = None, timeout: float = 120.0) -> None:
        if preset not in PRESETS:
            raise BadRequest(f"Unknown llama-index preset {preset!r}; choose one of "
                             f"{', '.join(PRESETS)}.")
        module, cls, extra, default, self._takes_client, small = PRESETS[preset]
        super().__init__(model or default)
        self.preset = preset
        self.small_model_likely = small
        self.api_key, self.base_url, self.timeout = api_key, base_url, timeout
        try:
            self._cls = getattr(importlib.import_module(module), cls)
        except ImportError as exc:
            raise BadRequest(f"The {preset} preset needs llama-index's {cls} integration: "
                             f"pip install 'interview-corvus[{extra}]'.") from exc

    def _llm(self, request: AnswerRequest, client: httpx.Client | None) -> Any:
        """The llama-index LLM for one request (JSON output asked for where the
        integration has a switch for it)."""
        common: dict[str, Any] = {"model": self.model, "temperature": request.temperature,
                                  "max_tokens": request.max_tokens}
        if self.preset in ("openai-like", "groq"):
            json_format: dict[str, Any] = {"type": "json_object"}
            if self.preset == "openai-like":  # llama.cpp, vLLM … read a schema here
                json_format["schema"] = request.schema
            extra: dict[str, Any] = {"api_key": self.api_key or "unused", "max_retries": 0,
                                     "timeout": self.timeout, "http_client": client,
                                     "additional_kwargs": {"response_format": json_format}}
            if self.preset == "openai-like":
                extra.update(api_base=self.base_url, is_chat_model=True)
            return self._cls(**common, **extra)
        if self.preset == "ollama":
            return self._cls(model=self.model, base_url=self.base_url or
                             "http://127.0.0.1:11434", temperature=request.temperature,
                             request_timeout=self.timeout, json_mode=True)
        return self._cls(**common, api_key=self.api_key)

    def _messages(self, request: AnswerRequest) -> list[Any]:
        from llama_index.core.llms import ChatMessage

        if request.images:
            raise BadRequest("The llama-index provider sends text only; paste the problem "
                             "as text.")
        turns = [{"role": "system", "content": request.system}, *request.history(),
                 {"role": "user", "content": request.prompt}]
        return [ChatMessage(role=turn["role"], content=turn["content"]) for turn in turns]

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        messages = self._messages(request)
        client = httpx.Client(timeout=self.timeout) if self._takes_client else None
        if client is not None:
            info.on_abort(client.close)  # a cancel from another thread ends a blocked read
        chunks = None
        try:
            chunks = self._llm(request, client).stream_chat(messages)
            for chunk in chunks:
                choices = getattr(chunk.raw, "choices", None) or []
                if choices and getattr(choices[0], "finish_reason", None):
                    info.finish_reason = choices[0].finish_reason
                if chunk.delta:
                    yield chunk.delta
        except ProviderError:
            raise
        except Exception as exc:
            raise self._error(exc) from exc
        finally:
            if chunks is not None:
                chunks.close()
            if client is not None:
                client.close()  # closes the HTTP connection (llama-index does not)

    def _error(self, exc: Exception) -> ProviderError:
        who = f"The {self.preset} server" + (f" at {self.base_url}" if self.base_url else "")
        if isinstance(exc, openai.APIError | httpx.HTTPError):
            return map_sdk_error(exc, openai, who, check_also=" and base URL")
        log.info("%s failed: %r", who, exc)
        return Unavailable(f"{who} failed: {type(exc).__name__}")
