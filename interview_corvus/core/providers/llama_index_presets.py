"""The llama-index presets: which integration each uses, and how one stream is set up.

Every preset builds its LLM per stream around an HTTP client of its own, so closing the
stream (or a cancel from another thread) closes that client — the only way to close the
connection, since llama-index cannot cancel a stream (run-llama/llama_index#12242). The
OpenAI family (openai-like, groq) takes an ``httpx`` client; Ollama takes an
``ollama.Client``; Mistral's and Gemini's SDK clients are given one (Mistral's through the
LLM's SDK client, which the integration builds without one).

Each preset also asks for JSON where its API has a switch for it, and reads the finish
reason from its own raw chunks (``finish_reason``): ``"length"`` when the answer was cut
off at the token limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx

from interview_corvus.core.errors import AuthError
from interview_corvus.core.providers.base import AnswerRequest


class Built(NamedTuple):
    llm: Any  # the llama-index LLM for one stream
    kwargs: dict[str, Any]  # extra ``stream_chat`` arguments
    close: Callable[[], None]  # closes the stream's HTTP client, and so its connection


@dataclass(frozen=True)
class Setup:
    """What a preset is given for one stream."""

    cls: Any  # the integration's LLM class
    model: str
    api_key: str | None
    base_url: str | None
    timeout: float
    request: AnswerRequest


def _openai_family(setup: Setup, *, schema: bool) -> Built:
    client = httpx.Client(timeout=setup.timeout)
    json_format: dict[str, Any] = {"type": "json_object"}
    if schema:  # llama.cpp, vLLM … read a schema here
        json_format["schema"] = setup.request.schema
    # no base URL: the integration's own (groq's API, or OpenAI's)
    extra: dict[str, Any] = {"api_base": setup.base_url} if setup.base_url else {}
    llm = setup.cls(model=setup.model, temperature=setup.request.temperature,
                    max_tokens=setup.request.max_tokens, api_key=setup.api_key or "unused",
                    max_retries=0, timeout=setup.timeout, http_client=client,
                    is_chat_model=True, additional_kwargs={"response_format": json_format},
                    **extra)
    return Built(llm, {}, client.close)


def openai_like(setup: Setup) -> Built:
    return _openai_family(setup, schema=True)


def groq(setup: Setup) -> Built:
    return _openai_family(setup, schema=False)


def ollama_context(request: AnswerRequest) -> int:
    """``num_ctx`` for a request: room for its text (about 3 characters a token), the
    schema and the answer, in steps of powers of two from 8K (a change of num_ctx makes
    Ollama reload the model, so it should rarely change) up to 128K."""
    chars = len(request.system) + len(request.prompt) + len(str(request.schema)) + sum(
        len(text) for _, text in request.turns)
    need = chars // 3 + (request.max_tokens or 2048)
    size = 8192
    while size < need and size < 131072:
        size *= 2
    return size


def ollama(setup: Setup) -> Built:
    import ollama as sdk

    host = setup.base_url or "http://127.0.0.1:11434"
    client = sdk.Client(host=host, timeout=setup.timeout)
    # a context window given: else the integration asks /api/show before every stream and
    # sends the model's full length as num_ctx (128K for many: a huge allocation); too
    # small, and Ollama silently cuts the start of the prompt (the system prompt first)
    llm = setup.cls(model=setup.model, base_url=host,
                    temperature=setup.request.temperature, request_timeout=setup.timeout,
                    client=client, context_window=ollama_context(setup.request),
                    additional_kwargs={"num_predict": setup.request.max_tokens})
    # Ollama (0.5+) constrains the output to a JSON schema given as ``format``
    return Built(llm, {"format": setup.request.schema}, client.close)


def mistral(setup: Setup) -> Built:
    from mistralai.client import Mistral

    endpoint = setup.base_url or "https://api.mistral.ai"
    llm = setup.cls(model=setup.model, api_key=setup.api_key,
                    temperature=setup.request.temperature,
                    max_tokens=setup.request.max_tokens, max_retries=0,
                    timeout=int(setup.timeout), endpoint=endpoint,
                    additional_kwargs={"response_format": {"type": "json_object"}})
    client = httpx.Client(timeout=setup.timeout)
    # the integration builds its SDK client without one: replace it (an httpx.Client is the
    # SDK's HttpClient; its Protocol's signatures differ only in typing)
    llm._client = Mistral(api_key=setup.api_key, server_url=endpoint,
                          client=client)  # type: ignore[arg-type]
    return Built(llm, {}, client.close)


def gemini(setup: Setup) -> Built:
    from google.genai import types

    client = httpx.Client(timeout=setup.timeout)
    options: dict[str, Any] = {"httpx_client": client}
    if setup.base_url:
        options["base_url"] = setup.base_url
    request = setup.request
    llm = setup.cls(model=setup.model, api_key=setup.api_key,
                    temperature=request.temperature, max_tokens=request.max_tokens,
                    context_window=1_000_000,  # given, so nothing is fetched to build it
                    max_retries=0, http_options=options,
                    generation_config=types.GenerateContentConfig(
                        response_mime_type="application/json",
                        response_json_schema=request.schema,
                        max_output_tokens=request.max_tokens,
                        temperature=request.temperature))
    return Built(llm, {}, client.close)


@dataclass(frozen=True)
class Preset:
    module: str
    cls: str
    extra: str  # the optional dependency that installs it
    default_model: str
    small_model_likely: bool
    needs_key: bool
    build: Callable[[Setup], Built]

    def setup(self, llm_cls: Any, model: str, api_key: str | None, base_url: str | None,
              timeout: float, request: AnswerRequest, name: str) -> Built:
        if self.needs_key and not api_key:
            raise AuthError(f"No {name} API key: add it in settings (llama-index, {name}).")
        return self.build(Setup(llm_cls, model, api_key, base_url, timeout, request))


PRESETS: dict[str, Preset] = {
    "openai-like": Preset("llama_index.llms.openai_like", "OpenAILike", "llamaindex",
                          "local-model", True, False, openai_like),
    "ollama": Preset("llama_index.llms.ollama", "Ollama", "ollama", "qwen2.5-coder:7b", True,
                     False, ollama),
    "gemini": Preset("llama_index.llms.google_genai", "GoogleGenAI", "gemini",
                     "gemini-2.5-flash", False, True, gemini),
    "groq": Preset("llama_index.llms.groq", "Groq", "groq", "llama-3.3-70b-versatile", False,
                   True, groq),
    "mistral": Preset("llama_index.llms.mistralai", "MistralAI", "mistral",
                      "mistral-small-latest", False, True, mistral),
}

# finish reasons as the APIs spell them → the service's ("length": cut off)
_REASONS = {"max_tokens": "length", "model_length": "length", "length": "length",
            "stop": "stop", "end_turn": "stop"}


def finish_reason(raw: Any) -> str | None:
    """The finish reason in one raw chunk of any preset, or None if it has none."""
    if isinstance(raw, dict):
        value = raw.get("done_reason") or raw.get("finish_reason")  # ollama, gemini
    else:
        data = getattr(raw, "data", raw)  # mistral wraps its chunk in an event
        choices = getattr(data, "choices", None) or []
        value = getattr(choices[0], "finish_reason", None) if choices else None
    if value is None:
        return None
    name = str(getattr(value, "name", value)).lower()
    return _REASONS.get(name, name)
