"""OpenAI provider: request shape and error mapping, against a scripted loopback server."""

from __future__ import annotations

import json

import pytest
from fakes import OPTIMIZATION

from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import AnswerIncomplete, AuthError, BadRequest, RateLimited
from interview_corvus.core.runs.service import LLMService

CODE = "def f(xs):\n    return sum(xs)\n"


def openai_sse(text: str, *, tools: bool = False, finish: str = "stop") -> str:
    events = []
    for i in range(0, len(text), 6):
        piece = text[i : i + 6]
        delta = ({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]} if tools
                 else {"content": piece})
        events.append({"id": "c1", "object": "chat.completion.chunk", "created": 1,
                       "model": "gpt-test", "choices": [{"index": 0, "delta": delta,
                                                         "finish_reason": None}]})
    events.append({"id": "c1", "object": "chat.completion.chunk", "created": 1,
                   "model": "gpt-test", "choices": [{"index": 0, "delta": {},
                                                     "finish_reason": finish}]})
    events.append({"id": "c1", "object": "chat.completion.chunk", "created": 1,
                   "model": "gpt-test", "choices": [],
                   "usage": {"prompt_tokens": 30, "completion_tokens": 40, "total_tokens": 70}})
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"


def openai_service(url: str, monkeypatch, **llm) -> LLMService:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    return LLMService(Settings(llm={"provider": "openai", "base_url": url + "/v1",
                                    "model": "gpt-test", **llm}), backoff_base=0.01)


def test_json_schema_stream_with_usage(recorded, monkeypatch):
    recorded.script.append(("sse", openai_sse(json.dumps(OPTIMIZATION)), 0))
    service = openai_service(recorded.url, monkeypatch)
    run = service.open_run(service.optimization_job(CODE, "python"))
    final = list(run.updates())[-1].partial
    assert final.is_complete and final.improvements == OPTIMIZATION["improvements"]
    assert run.stats.usage == {"input_tokens": 30, "output_tokens": 40}
    body = recorded.requests[0]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["max_completion_tokens"] == 2048 and body["stream"] is True
    assert recorded.requests[0]["api_key"] == "sk-test-secret"


def test_tool_call_argument_deltas(recorded, monkeypatch):
    recorded.script.append(("sse", openai_sse(json.dumps(OPTIMIZATION), tools=True), 0))
    service = openai_service(recorded.url, monkeypatch, structured_output="tools")
    assert service.get_code_optimization(CODE, "python").explanation
    body = recorded.requests[0]["body"]
    assert body["tool_choice"]["function"]["name"] == "answer"


def test_length_finish_is_incomplete(recorded, monkeypatch):
    recorded.script.append(("sse", openai_sse(json.dumps(OPTIMIZATION)[:50], finish="length"),
                            0))
    with pytest.raises(AnswerIncomplete, match="token limit") as info:
        openai_service(recorded.url, monkeypatch).get_code_optimization(CODE, "python")
    assert info.value.code == "incomplete"


def test_429_carries_retry_after_and_is_retried(recorded, monkeypatch):
    error = {"error": {"message": "Rate limit", "type": "rate_limit_error"}}
    recorded.script.append(("status", 429, error, {"retry-after": "0"}))
    recorded.script.append(("sse", openai_sse(json.dumps(OPTIMIZATION)), 0))
    service = openai_service(recorded.url, monkeypatch)
    assert service.get_code_optimization(CODE, "python").is_complete
    assert len(recorded.requests) == 2


def test_429_maps_to_rate_limited(recorded, monkeypatch):
    error = {"error": {"message": "Rate limit", "type": "rate_limit_error"}}
    recorded.script.append(("status", 429, error, {"retry-after": "7"}))
    service = openai_service(recorded.url, monkeypatch, max_retries=0)
    provider = service.provider
    job = service.optimization_job(CODE, "python")
    from interview_corvus.core.providers.base import StreamInfo

    with pytest.raises(RateLimited) as info:
        list(provider.stream(job.request, StreamInfo()))
    assert info.value.retry_after == 7.0


def test_401_is_auth_and_never_echoes_the_key(recorded, monkeypatch):
    error = {"error": {"message": "Incorrect API key provided: sk-test-secret",
                       "type": "invalid_request_error"}}
    recorded.script.append(("status", 401, error, {}))
    with pytest.raises(AuthError) as info:
        openai_service(recorded.url, monkeypatch).get_code_optimization(CODE, "python")
    assert "sk-test-secret" not in info.value.message
    assert len(recorded.requests) == 1  # not retried


def test_400_is_bad_request(recorded, monkeypatch):
    error = {"error": {"message": "context_length_exceeded", "type": "invalid_request_error"}}
    recorded.script.append(("status", 400, error, {}))
    with pytest.raises(BadRequest, match="refused the request"):
        openai_service(recorded.url, monkeypatch).get_code_optimization(CODE, "python")
