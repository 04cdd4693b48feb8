"""Provider registry: build the configured backend from settings."""

from __future__ import annotations

from interview_corvus.core.config.secrets import get_api_key
from interview_corvus.core.config.settings import (
    PROVIDERS,
    Settings,
    base_url_problem,
    key_name,
)
from interview_corvus.core.errors import AuthError, BadRequest
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.redact import register_secret

DEFAULT_MODELS = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-sonnet-4-6",
    "openai-compatible": "local-model",
    "local": "",  # the catalog's best model on this machine
    "llama-index": "",  # the preset's default
    "replay": "replay",
}


def build_provider(settings: Settings, key: str | None = None) -> Provider:
    """The provider the settings name; errors name the setting that is wrong.

    ``key`` is an API key to use instead of the stored one (e.g. typed, not saved yet).
    """
    llm = settings.llm

    def api_key(name: str) -> str | None:
        if key:
            register_secret(key)  # redacted wherever it might be echoed
            return key
        return get_api_key(name)

    name = llm.provider
    model = llm.model or DEFAULT_MODELS.get(name, "")
    if name == "local":
        from interview_corvus.core.providers.local import LocalProvider
        from interview_corvus.core.untrusted import regular_file_problem

        problem = regular_file_problem(llm.gguf_path) if llm.gguf_path else None
        if problem and problem != "no such file":  # a FIFO or /dev/zero would hang a load
            raise BadRequest(f"The GGUF model {llm.gguf_path} cannot be used: {problem} "
                             "(CLI: --gguf FILE).")
        return LocalProvider(llm.gguf_path or None, n_ctx=llm.context_size,
                             catalog_name=llm.local_model, decoding=llm.local_decoding)
    if name == "replay":
        from interview_corvus.core.providers.replay import ReplayProvider

        if not llm.replay_path:
            raise BadRequest("The replay provider needs a transcript: set replay_path "
                             "(CLI: --replay FILE).")
        return ReplayProvider(llm.replay_path, model=model)
    problem = base_url_problem(llm.base_url) if name != "local" and name != "replay" else None
    if problem:
        raise BadRequest(problem)
    if name in ("openai", "openai-compatible"):
        from interview_corvus.core.providers.openai_provider import OpenAIProvider

        compatible = name == "openai-compatible"
        if compatible and not llm.base_url:
            raise BadRequest("The openai-compatible provider needs a base URL "
                             "(e.g. http://127.0.0.1:11434/v1 for Ollama).")
        found = api_key(name)
        if not found and not compatible:
            raise AuthError("No OpenAI API key: add it in settings or set OPENAI_API_KEY.")
        return OpenAIProvider(model, api_key=found, base_url=llm.base_url or None,
                              structured=llm.structured_output, timeout=llm.timeout,
                              compatible=compatible)
    if name == "llama-index":
        from interview_corvus.core.providers.llama_index_provider import LlamaIndexProvider

        return LlamaIndexProvider(llm.preset, model, api_key=api_key(key_name(llm)),
                                  base_url=llm.base_url or None, timeout=llm.timeout)
    if name == "anthropic":
        from interview_corvus.core.providers.anthropic_provider import AnthropicProvider

        found = api_key(name)
        if not found and not llm.base_url:
            raise AuthError("No Anthropic API key: add it in settings or set "
                            "ANTHROPIC_API_KEY.")
        return AnthropicProvider(model, api_key=found, base_url=llm.base_url or None,
                                 timeout=llm.timeout)
    raise BadRequest(f"Unknown provider {name!r}; choose one of {', '.join(PROVIDERS)}.")


def test_connection(settings: Settings, key: str | None = None) -> str:
    """Build the configured provider and reach it once; raise a ``CorvusError``.

    ``key`` is an API key typed but not stored yet: it is tried instead of the stored one,
    for this call only (nothing global changes, so checks may run side by side).
    """
    provider = build_provider(settings, key)
    try:
        return provider.check()
    finally:
        if settings.llm.provider != "local":  # keep the loaded local model cached
            provider.close()


__all__ = ["AnswerRequest", "Provider", "StreamInfo", "build_provider", "test_connection"]
