"""Any llama-index LLM as a provider, with named presets.

Presets: ``openai-like`` (any OpenAI-compatible server, through llama-index's
``OpenAILike``), ``ollama``, ``gemini``, ``groq`` and ``mistral`` — each needs its
llama-index integration package, an optional extra (``pip install
'interview-corvus[ollama]'`` …); a missing one is named in the error.

llama-index has no stream cancellation (run-llama/llama_index#12242) and its
streams are iterated without ``with``, so closing the generator alone leaves the
HTTP response open until garbage collection. Each stream gets an HTTP client of its
own (``llama_index_presets``), closed when the stream is closed or aborted — that is
what closes the connection. ``ChatResponse.delta`` is the increment
(``message.content`` is cumulative); it may be empty on the role and finish chunks.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from typing import Any

import openai

from interview_corvus.core.errors import BadRequest, ProviderError, Unavailable
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.providers.llama_index_presets import PRESETS, Built, finish_reason
from interview_corvus.core.providers.sdk_errors import (
    HTTP_ERRORS,
    LOST,
    map_sdk_error,
    short,
    status_error,
    within,
)

log = logging.getLogger(__name__)
_CUT_OFF = "terminated early: MAX_TOKENS"


class LlamaIndexProvider(Provider):
    name = "llama-index"

    def __init__(self, preset: str, model: str = "", *, api_key: str | None = None,
                 base_url: str | None = None, timeout: float = 120.0) -> None:
        if preset not in PRESETS:
            raise BadRequest(f"Unknown llama-index preset {preset!r}; choose one of "
                             f"{', '.join(PRESETS)}.")
        self.spec = spec = PRESETS[preset]
        super().__init__(model or spec.default_model)
        self.preset = preset
        self.small_model_likely = spec.small_model_likely
        self.api_key, self.base_url, self.timeout = api_key, base_url, timeout
        try:
            self._cls = getattr(importlib.import_module(spec.module), spec.cls)
        except ImportError as exc:
            raise BadRequest(f"The {preset} preset needs llama-index's {spec.cls} integration: "
                             f"pip install 'interview-corvus[{spec.extra}]'.") from exc

    def build(self, request: AnswerRequest) -> Built:
        """The LLM for one stream, the arguments it streams with and the closer of its
        HTTP client."""
        return self.spec.setup(self._cls, self.model, self.api_key, self.base_url,
                               self.timeout, request, self.preset)

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
        built = self.build(request)
        info.on_abort(built.close)  # a cancel from another thread ends a blocked read
        chunks = None
        began = False  # a chunk arrived: a transport fault now lost the connection
        try:
            chunks = built.llm.stream_chat(messages, **built.kwargs)
            for chunk in chunks:
                began = True
                info.finish_reason = finish_reason(chunk.raw) or info.finish_reason
                if chunk.delta:
                    yield chunk.delta
        except ProviderError:
            raise
        except RuntimeError as exc:
            if _CUT_OFF not in str(exc):  # Gemini's integration raises at MAX_TOKENS
                raise self._error(exc, streaming=began) from exc
            info.finish_reason = "length"
        except Exception as exc:
            raise self._error(exc, streaming=began) from exc
        finally:
            if chunks is not None:
                chunks.close()
            built.close()  # closes the HTTP connection (llama-index does not)

    def _error(self, exc: Exception, *, streaming: bool = False) -> ProviderError:
        who = f"The {self.preset} server" + (f" at {self.base_url}" if self.base_url else "")
        if isinstance(exc, (openai.APIError, *HTTP_ERRORS)):
            return map_sdk_error(exc, openai, who, check_also=" and base URL",
                                 streaming=streaming)
        if streaming and isinstance(exc, ConnectionError):
            return Unavailable(LOST.format(who=within(who)))
        # Ollama's ResponseError, Mistral's SDKError: status_code; Gemini's APIError: code
        status = getattr(exc, "status_code", None) or getattr(exc, "code", None)
        if isinstance(status, int) and 400 <= status < 600:
            detail = str(getattr(exc, "message", None) or getattr(exc, "error", None) or exc)
            return status_error(status, who, detail, check_also=" and base URL")
        if isinstance(exc, ConnectionError):  # Ollama's client, when nothing listens
            return Unavailable(f"Could not connect to {within(who)}.")
        if isinstance(exc, ValueError):  # the integration refused a setting (e.g. a model)
            return BadRequest(f"The {self.preset} preset refused the settings: "
                              f"{short(str(exc))}")
        log.info("%s failed: %r", who, exc)
        return Unavailable(f"{who} failed: {type(exc).__name__}")
