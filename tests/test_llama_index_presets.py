"""The Ollama, Mistral and Gemini presets against their wire protocols on loopback.

No network here, so each service is a recorded server speaking that API (Ollama's NDJSON
``/api/chat``, Mistral's and Gemini's SSE) on 127.0.0.1, reached through the real
llama-index integration and the real SDK. What is checked: the answer streams into
partials, JSON output and the token limit reach the request, a cut-off is typed, HTTP
errors are typed, and closing the stream closes the connection the server sees. (Groq is
an OpenAILike: it is tested against llama.cpp's real server in test_openai_compatible.)
"""

from __future__ import annotations

import json

import pytest
from fakes import CODE, OPTIMIZATION
from servers import closing_the_stream_closes_the_connection, free_port

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import AnswerIncomplete, AuthError, BadRequest, Unavailable
from interview_corvus.core.providers.llama_index_provider import LlamaIndexProvider
from interview_corvus.core.runs.service import LLMService

TEXT = json.dumps(OPTIMIZATION)
PIECES = [TEXT[i:i + 7] for i in range(0, len(TEXT), 7)]


def ollama_lines(pieces: list[str], reason: str = "stop") -> str:
    stamp = "2026-01-01T00:00:00Z"
    lines = [{"model": "qwen", "created_at": stamp, "done": False,
              "message": {"role": "assistant", "content": piece}} for piece in pieces]
    lines.append({"model": "qwen", "created_at": stamp, "done": True, "done_reason": reason,
                  "message": {"role": "assistant", "content": ""}, "eval_count": 9})
    return "\n".join(json.dumps(line) for line in lines)


def mistral_events(pieces: list[str], reason: str = "stop") -> str:
    def chunk(content: str, finish: str | None) -> str:
        return "data: " + json.dumps({
            "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": content},
                         "finish_reason": finish}]})
    return "\n\n".join([*(chunk(p, None) for p in pieces), chunk("", reason),
                        "data: [DONE]"])


def gemini_events(pieces: list[str], reason: str = "STOP") -> str:
    def chunk(content: str, finish: str | None) -> str:
        candidate: dict = {"content": {"parts": [{"text": content}], "role": "model"},
                           "index": 0}
        if finish:
            candidate["finishReason"] = finish
        return "data: " + json.dumps({"candidates": [candidate], "modelVersion": "g"})
    return "\n\n".join([*(chunk(p, None) for p in pieces[:-1]), chunk(pieces[-1], reason)])


STREAMS = {"ollama": ("ndjson", ollama_lines), "mistral": ("sse", mistral_events),
           "gemini": ("sse", gemini_events)}
PRESETS = pytest.mark.parametrize("preset", list(STREAMS))


def service(preset: str, url: str, *, key: str | None = "test-key-0123",
            max_tokens: int = 400, model: str = "") -> LLMService:
    # Mistral's integration knows its model names (an unknown one is refused)
    model = model or {"mistral": "mistral-small-latest"}.get(preset, "m")
    settings = Settings(llm={"provider": "llama-index", "preset": preset, "model": model,
                             "base_url": url, "max_tokens": max_tokens, "max_retries": 1})
    provider = LlamaIndexProvider(preset, model, api_key=key, base_url=url, timeout=10)
    return LLMService(settings, provider, backoff_base=0.01)


def play(recorded, preset: str, *, reason: str | None = None, delay: float = 0.001,
         pieces: list[str] = PIECES) -> None:
    kind, make = STREAMS[preset]
    recorded.script.append((kind, make(pieces, reason) if reason else make(pieces), delay))


@PRESETS
def test_an_answer_streams_with_json_output_and_the_token_limit_asked_for(recorded, preset):
    play(recorded, preset)
    partials = list(service(preset, recorded.url).get_code_optimization_stream(CODE, "go"))
    final = partials[-1]
    assert isinstance(final, CodeOptimization) and final.is_complete
    assert final.optimized_code == OPTIMIZATION["optimized_code"]
    assert len([p for p in partials if not p.is_complete]) >= 3  # it streamed
    request = recorded.requests[0]
    body = request["body"]
    if preset == "ollama":
        assert request["path"] == "/api/chat" and body["stream"] is True
        assert body["format"]["properties"]["optimized_code"]  # the schema constrains it
        assert body["options"]["num_predict"] == 400
        assert body["options"]["num_ctx"] == 8192  # given: no /api/show, no 128K context
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
    elif preset == "mistral":
        assert request["path"] == "/v1/chat/completions" and body["stream"] is True
        assert body["response_format"] == {"type": "json_object"}
        assert body["max_tokens"] == 400 and request["api_key"] == "test-key-0123"
    else:
        assert ":streamGenerateContent" in request["path"]
        config = body["generationConfig"]
        assert config["responseMimeType"] == "application/json"
        assert config["responseJsonSchema"]["properties"]["optimized_code"]
        assert config["maxOutputTokens"] == 400


@PRESETS
def test_an_answer_cut_off_at_the_token_limit_is_typed(recorded, preset):
    reason = {"ollama": "length", "mistral": "length", "gemini": "MAX_TOKENS"}[preset]
    play(recorded, preset, reason=reason, pieces=PIECES[:20])
    with pytest.raises(AnswerIncomplete, match="cut off at the token limit") as caught:
        service(preset, recorded.url).get_code_optimization(CODE, "go")
    assert caught.value.reason == "length"


@PRESETS
@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (404, BadRequest),
                                               (503, Unavailable)])
def test_http_errors_are_typed(recorded, preset, status, error):
    payload = {"error": {"code": status, "message": "no such model", "status": "X"}}
    recorded.script += [("status", status, payload, {})] * 5  # retried: 3 requests
    with pytest.raises(error, match=f"The {preset} server"):
        service(preset, recorded.url).get_code_optimization(CODE, "go")


@PRESETS
def test_closing_the_stream_closes_the_connection(recorded, preset):
    play(recorded, preset, delay=0.05, pieces=PIECES * 3)
    closing_the_stream_closes_the_connection(recorded.url, service(preset, recorded.url))


@PRESETS
def test_nothing_listening_is_unavailable(preset):
    with pytest.raises(Unavailable, match=f"Could not connect to the {preset} server at"):
        service(preset, f"http://127.0.0.1:{free_port()}").get_code_optimization(CODE, "go")


@pytest.mark.parametrize("preset", ["mistral", "gemini", "groq"])
def test_a_preset_that_needs_a_key_says_so_before_any_request(recorded, preset):
    with pytest.raises(AuthError, match=f"No {preset} API key"):
        service(preset, recorded.url, key=None).get_code_optimization(CODE, "go")
    assert recorded.requests == []


def test_a_model_the_integration_does_not_know_is_a_bad_request_naming_it(recorded):
    with pytest.raises(BadRequest, match="refused the settings: Unknown model: mistral-x"):
        service("mistral", recorded.url, model="mistral-x").get_code_optimization(CODE, "go")
    assert recorded.requests == []


def test_ollama_gets_a_context_that_holds_the_whole_request():
    from interview_corvus.core.providers.base import AnswerRequest
    from interview_corvus.core.providers.llama_index_presets import ollama_context

    def request(chars: int) -> AnswerRequest:
        return AnswerRequest(kind="optimization", system="S", prompt="x" * chars, schema={},
                             max_tokens=2000, temperature=0)

    assert ollama_context(request(100)) == 8192
    assert ollama_context(request(100_000)) == 65536  # ~33K tokens of input + the answer
    assert ollama_context(request(10_000_000)) == 131072  # capped
