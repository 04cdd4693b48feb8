"""The OpenAI path against a real OpenAI-compatible server on loopback.

The server is llama.cpp's (``python -m llama_cpp.server``) serving the bundled GGUF.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import run_real_model
from servers import closing_the_stream_closes_the_connection, free_port, llama_server

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import CorvusError, Unavailable
from interview_corvus.core.providers.local import bundled_model_path
from interview_corvus.core.providers.openai_provider import OpenAIProvider
from interview_corvus.core.runs.service import LLMService

pytestmark = pytest.mark.server
CODE = (Path(__file__).resolve().parent.parent / "examples" / "two_sum.py").read_text()


@pytest.fixture(scope="module")
def server_url():
    with llama_server(bundled_model_path()) as url:
        yield url


def compatible_service(base_url: str, **llm) -> LLMService:
    return LLMService(Settings(llm={"provider": "openai-compatible", "base_url": base_url,
                                    "model": "smollm2", "max_tokens": 300, **llm}),
                      backoff_base=0.01)


def llama_index_service(base_url: str, **llm) -> LLMService:
    return LLMService(Settings(llm={"provider": "llama-index", "preset": "openai-like",
                                    "base_url": base_url, "model": "smollm2",
                                    "max_tokens": 300, **llm}), backoff_base=0.01)


def groq_service(base_url: str, **llm) -> LLMService:
    """The groq preset (llama-index's Groq, an OpenAILike) pointed at this server."""
    from interview_corvus.core.providers.llama_index_provider import LlamaIndexProvider

    settings = Settings(llm={"provider": "llama-index", "preset": "groq", "model": "smollm2",
                             "base_url": base_url, "max_tokens": 300, **llm})
    provider = LlamaIndexProvider("groq", "smollm2", api_key="gsk-test-key",
                                  base_url=base_url, timeout=settings.llm.timeout)
    return LLMService(settings, provider, backoff_base=0.01)


SERVICES = pytest.mark.parametrize("make", [compatible_service, llama_index_service,
                                            groq_service],
                                   ids=["openai-sdk", "llama-index", "llama-index-groq"])


def test_stream_from_a_real_server(server_url):
    service = compatible_service(server_url)
    assert isinstance(service.provider, OpenAIProvider)
    partials, outcome = run_real_model(service.get_code_optimization_stream(CODE, "python"))
    assert isinstance(outcome, CodeOptimization | CorvusError)
    assert len([p for p in partials if not p.is_complete]) >= 2
    # llama.cpp's server takes json_object + schema, not json_schema: adapted once
    assert service.provider.structured == "json_object"


def test_non_streaming_call(server_url):
    service = compatible_service(server_url, streaming=False)
    results, _ = run_real_model(service.get_code_optimization_stream(CODE, "python"))
    assert len(results) <= 1


@SERVICES
def test_cancel_closes_the_connection_the_server_sees(server_url, make):
    # llama-index cannot cancel a stream itself: the provider's own httpx client must
    closing_the_stream_closes_the_connection(server_url, make(server_url, max_tokens=600))


@SERVICES
def test_nothing_listening_is_unavailable(make):
    service = make(f"http://127.0.0.1:{free_port()}/v1", max_retries=1)
    with pytest.raises(Unavailable, match="Could not connect"):
        service.get_code_optimization(CODE, "python")


def test_a_running_compatible_server_is_found_and_its_answers_are_bounded(server_url):
    from interview_corvus.core.providers.discovery import probe_servers

    found = probe_servers([("lm-studio", server_url.removesuffix("/v1"))])
    assert [m.name for m in found] == ["smollm2"] and found[0].source == "lm-studio-server"
    service = LLMService(Settings(llm={**found[0].settings(), "max_tokens": 400}),
                         backoff_base=0.01)
    job = service.optimization_job(CODE, "python")
    schema = job.request.schema["properties"]
    assert schema["improvements"]["maxItems"] == 3  # a small model cannot list hundreds
    partials, outcome = run_real_model(service.stream_job(job))
    assert partials and all(len(p.improvements) <= 3 for p in partials)
    if isinstance(outcome, CodeOptimization):
        assert len(outcome.improvements) <= 3


def test_llama_index_openai_like_streams_from_a_real_server(server_url):
    service = llama_index_service(server_url)
    assert service.provider.name == "llama-index"
    partials, outcome = run_real_model(service.get_code_optimization_stream(CODE, "python"))
    assert len(partials) >= 2, "partials streamed through llama-index's stream_chat"
    assert all(len(p.improvements) <= 3 for p in partials)  # the schema bounds reach it
    if isinstance(outcome, CodeOptimization):
        assert outcome.original_code == CODE
