"""The Anthropic path against a recorded streaming transcript served on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import OPTIMIZATION

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import AnswerIncomplete, AuthError, Unavailable
from interview_corvus.core.runs.service import LLMService

DATA = Path(__file__).resolve().parent / "data"
TRANSCRIPT = (DATA / "anthropic_tool_stream.sse").read_text()
CODE = "def f(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"


def anthropic_service(url: str, **llm) -> LLMService:
    return LLMService(Settings(llm={"provider": "anthropic", "base_url": url,
                                    "model": "claude-sonnet-4-6", **llm}), backoff_base=0.01)


def test_tool_use_json_deltas_stream_into_partials(recorded, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    recorded.script.append(("sse", TRANSCRIPT, 0.002))
    service = anthropic_service(recorded.url)
    run = service.open_run(service.optimization_job(CODE, "python"))
    updates = list(run.updates())
    partials = [u.partial for u in updates if u.partial is not None]
    assert len(partials) >= 5
    final = updates[-1].partial
    assert isinstance(final, CodeOptimization) and final.is_complete
    assert final.improvements == OPTIMIZATION["improvements"]
    assert run.stats.usage == {"input_tokens": 512, "output_tokens": 97}
    request = recorded.requests[0]
    assert request["path"] == "/v1/messages" and request["body"]["stream"] is True
    assert request["body"]["tool_choice"] == {"type": "tool", "name": "answer"}
    schema = request["body"]["tools"][0]["input_schema"]
    assert "progress" not in schema["properties"]
    assert "original_code" not in schema["properties"]
    assert request["api_key"] == "sk-ant-test"


def cut_mid_answer() -> str:
    """The transcript up to half of the answer's JSON deltas."""
    events = [e for e in TRANSCRIPT.split("\n\n") if e.strip()]
    deltas = [i for i, e in enumerate(events) if "input_json_delta" in e]
    return "\n\n".join(events[:deltas[len(deltas) // 2]]) + "\n\n"


def test_max_tokens_stop_is_incomplete(recorded):
    cut = cut_mid_answer()
    cut += ('event: message_delta\ndata: {"type": "message_delta", "delta": {"stop_reason": '
            '"max_tokens"}, "usage": {"output_tokens": 50}}\n\n'
            'event: message_stop\ndata: {"type": "message_stop"}\n\n')
    recorded.script.append(("sse", cut, 0))
    with pytest.raises(AnswerIncomplete, match="token limit") as info:
        anthropic_service(recorded.url).get_code_optimization(CODE, "python")
    assert info.value.code == "incomplete"


def test_rate_limit_is_retried_after_retry_after(recorded):
    recorded.script.append(("status", 429, {"type": "error", "error": {
        "type": "rate_limit_error", "message": "slow down"}}, {"retry-after": "0"}))
    recorded.script.append(("sse", TRANSCRIPT, 0))
    result = anthropic_service(recorded.url).get_code_optimization(CODE, "python")
    assert result.is_complete and len(recorded.requests) == 2


def test_error_event_mid_stream_is_not_retried(recorded):
    head = TRANSCRIPT.split("event: content_block_stop")[0]
    head = "\n\n".join(head.split("\n\n")[:20]) + "\n\n"
    head += ('event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", '
             '"message": "Overloaded"}}\n\n')
    recorded.script.append(("sse", head, 0))
    with pytest.raises(Unavailable) as info:
        anthropic_service(recorded.url).get_code_optimization(CODE, "python")
    assert len(recorded.requests) == 1
    assert info.value.partial is not None and info.value.partial.optimized_code


def test_bad_key_is_an_auth_error(recorded):
    recorded.script.append(("status", 401, {"type": "error", "error": {
        "type": "authentication_error", "message": "invalid x-api-key"}}, {}))
    with pytest.raises(AuthError, match="rejected the API key"):
        anthropic_service(recorded.url).get_code_optimization(CODE, "python")


def test_cancel_closes_the_stream(recorded):
    recorded.script.append(("sse", TRANSCRIPT, 0.05))
    stream = anthropic_service(recorded.url).get_code_optimization_stream(CODE, "python")
    next(stream)
    stream.close()
    assert recorded.client_gone.wait(3)


def test_non_streaming_call(recorded):
    recorded.script.append(("status", 200, {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "answer",
                     "input": OPTIMIZATION}],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 20}}, {}))
    results = list(anthropic_service(recorded.url, streaming=False)
                   .get_code_optimization_stream(CODE, "python"))
    assert len(results) == 1 and results[0].explanation == OPTIMIZATION["explanation"]
